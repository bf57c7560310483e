"""Tests of gis.printmap: paper sizes, fonts, north arrow, errors."""

from __future__ import annotations

import math
import struct
import unicodedata

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point, box

from gis.crs import to_crs, transformer
from gis.errors import CRSError, LayerError
from gis.printmap import PAPER_MM, missing_glyphs, north_angle_deg, print_map
from gis.webmap import MapLayer

X0, Y0 = 500000.0, 2470000.0


@pytest.fixture
def layers() -> list[MapLayer]:
    units = gpd.GeoDataFrame(
        {"name": ["Đoàn Kết", "Tân Phong", "Mường Tè", "Sìn Hồ"], "pop": [1200, 3400, 560, 990]},
        geometry=[box(X0 + i * 2000, Y0, X0 + (i + 1) * 2000, Y0 + 3000) for i in range(4)],
        crs="EPSG:9205",
    )
    river = gpd.GeoDataFrame(
        {"name": ["Sông Đà"]}, geometry=[LineString([(X0, Y0 + 500), (X0 + 8000, Y0 + 2500)])],
        crs="EPSG:9205",
    )  # fmt: skip
    plants = gpd.GeoDataFrame(
        {"name": ["Thủy điện Lai Châu"]}, geometry=[Point(X0 + 3000, Y0 + 1500)],
        crs="EPSG:9205",
    )  # fmt: skip
    return [
        MapLayer(units, "Xã, phường", column="pop", k=2, unit="người", label="name"),
        MapLayer(river, "Sông, suối", color="#3d7dd8"),
        MapLayer(to_crs(plants, "EPSG:4326"), "Thủy điện", color="#c0392b"),  # reprojected
    ]


def _png_size(path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_vietnamese_alphabet_is_covered_by_dejavu_sans():
    # every Vietnamese letter: 12 vowels x 6 tones (upper and lower case) plus đ/Đ
    vowels = "aăâeêioôơuưy"
    tones = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
    letters = {unicodedata.normalize("NFC", v + t) for v in vowels for t in tones} | {"đ"}
    letters |= {c.upper() for c in letters}
    assert len(letters) == 2 * (12 * 6 + 1)
    assert all(len(c) == 1 for c in letters)  # all precomposed
    assert missing_glyphs("".join(letters)) == set()
    assert missing_glyphs("Lai Châu 中") == {"中"}  # the check can fail


def test_north_arrow_follows_meridian_convergence():
    # transverse Mercator: convergence ~ (lon - lon0) * sin(lat), lon0 = 103 E for EPSG:9205
    for x in (440000.0, 560000.0):
        lon, lat = transformer("EPSG:9205", "EPSG:4326").transform(x, Y0)
        expected = -(lon - 103.0) * math.sin(math.radians(lat))
        assert north_angle_deg("EPSG:9205", x, Y0) == pytest.approx(expected, abs=0.002)
    # on the central meridian: zero, but for the VN-2000 -> WGS 84 datum rotation (< 1")
    assert abs(north_angle_deg("EPSG:9205", X0, Y0)) < 1 / 3600


def test_print_map_writes_a3_png_and_pdf_with_embedded_truetype(layers, tmp_path):
    paths = print_map(
        layers, tmp_path / "out" / "ban_do.png", title="Tỉnh Lai Châu – bản đồ thử",
        subtitle="Đơn vị hành chính 2025", source="dữ liệu thử", dpi=100,
    )  # fmt: skip
    assert [p.name for p in paths] == ["ban_do.png", "ban_do.pdf"]
    w_mm, h_mm = PAPER_MM["A3"][1], PAPER_MM["A3"][0]  # landscape: the extent is wide
    w_px, h_px = _png_size(paths[0])  # 420 x 297 mm at 100 dpi = 1653.5 x 1169.3 px
    assert abs(w_px - w_mm / 25.4 * 100) < 1 and abs(h_px - h_mm / 25.4 * 100) < 1
    pdf = paths[1].read_bytes()
    assert b"/FontFile2" in pdf and b"DejaVuSans" in pdf  # TrueType font embedded
    assert b"/Type3" not in pdf
    assert sorted(p.name for p in paths[0].parent.iterdir()) == ["ban_do.pdf", "ban_do.png"]


def test_portrait_a4_and_svg(layers, tmp_path):
    data = layers[0].data.set_geometry(layers[0].data.rotate(90, origin=(X0, Y0)))
    tall = [MapLayer(data, "Xã")]
    (svg,) = print_map(tall, tmp_path / "a4", title="Dọc", paper="a4", formats=["svg"])
    text = svg.read_text(encoding="utf-8")
    assert 'width="595.' in text and 'height="841.' in text  # A4 portrait in points
    assert "Dọc" in text  # svg.fonttype none: text kept as text


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"paper": "B5"}, r"paper 'B5' unknown; use one of \['A0'"),
        ({"orientation": "sideways"}, "orientation 'sideways' unknown"),
        ({"formats": ["jpg"]}, r"format\(s\) \['jpg'\] not supported"),
        ({"title": "Bản đồ 中文"}, r"no glyph for \['中', '文'\]"),
    ],
)
def test_print_map_errors(layers, tmp_path, kwargs, match):
    kwargs = {"title": "T", **kwargs}
    with pytest.raises(LayerError, match=match):
        print_map(layers, tmp_path / "m.png", **kwargs)
    assert list(tmp_path.iterdir()) == []


def test_print_map_needs_metres(layers, tmp_path):
    geo = MapLayer(to_crs(layers[0].data, "EPSG:4326"), "Xã")
    with pytest.raises(CRSError, match="printed maps need a projected CRS in metres"):
        print_map([geo], tmp_path / "m.png", title="T")
    with pytest.raises(LayerError, match="at least one MapLayer"):
        print_map([], tmp_path / "m.png", title="T")


def test_overlapping_labels_are_left_out_first_kept():
    from matplotlib.figure import Figure

    from gis.printmap import _drop_overlapping

    fig = Figure(figsize=(4, 3))
    ax = fig.add_axes([0, 0, 1, 1])
    a = ax.annotate("Cửa khẩu quốc tế Ma Lù Thàng", (0.5, 0.5), fontsize=8)
    b = ax.annotate("Khu kinh tế cửa khẩu Ma Lù Thàng", (0.5, 0.5), fontsize=8)
    c = ax.annotate("Mường Tè", (0.05, 0.05), fontsize=8)
    assert _drop_overlapping(fig, [a, b, c]) == 1
    assert a in ax.texts and c in ax.texts and b not in ax.texts
