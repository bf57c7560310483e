"""Tests of gis.printmap: paper sizes, fonts, north arrow, numeric scale, labels, inset, errors."""

from __future__ import annotations

import math
import shutil
import struct
import unicodedata
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point, box

from gis.crs import to_crs, transformer
from gis.errors import CRSError, LayerError
from gis.printmap import PAPER_MM, missing_glyphs, north_angle_deg, print_map, scale_text
from gis.webmap import MapLayer

REPO = Path(__file__).resolve().parent.parent

X0, Y0 = 500000.0, 2470000.0


@pytest.fixture
def layers() -> list[MapLayer]:
    units = gpd.GeoDataFrame(
        {"name": ["Đoàn Kết", "Tân Phong", "Mường Tè", "Sìn Hồ"], "pop": [1200, 3400, 560, 990]},
        geometry=[box(X0 + i * 2000, Y0, X0 + (i + 1) * 2000, Y0 + 3000) for i in range(4)],
        crs="EPSG:9205",
    )
    river = gpd.GeoDataFrame(
        {"name": ["Sông Đà"]},
        geometry=[LineString([(X0, Y0 + 500), (X0 + 8000, Y0 + 2500)])],
        crs="EPSG:9205",
    )
    plants = gpd.GeoDataFrame(
        {"name": ["Thủy điện Lai Châu"]},
        geometry=[Point(X0 + 3000, Y0 + 1500)],
        crs="EPSG:9205",
    )
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
        layers,
        tmp_path / "out" / "ban_do.png",
        title="Tỉnh Lai Châu – bản đồ thử",
        subtitle="Đơn vị hành chính 2025",
        source="dữ liệu thử",
        dpi=100,
    )
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


def _figure_of(monkeypatch, layers, **kwargs):
    """Run print_map and return its figure instead of writing files."""
    import gis.printmap

    figures = []

    def keep(fig, path, fmt, dpi):
        figures.append(fig)
        return Path(path)

    monkeypatch.setattr(gis.printmap, "_savefig", keep)
    print_map(layers, "unused.png", title="T", formats=["png"], **kwargs)
    (fig,) = figures
    return fig


def _boxes(fig, ax):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    return {t.get_text(): t.get_window_extent(renderer) for t in ax.texts}, renderer


def test_scale_denominator_by_hand():
    from matplotlib.figure import Figure

    from gis.printmap import scale_denominator

    fig = Figure(figsize=(10, 5))
    ax = fig.add_axes([0.0, 0.0, 0.5, 1.0])  # 5 inches = 0.127 m of paper
    ax.set_xlim(0, 12700)  # 12.7 km of ground
    ax.set_ylim(0, 12700)
    ax.set_aspect("equal", adjustable="datalim")
    assert scale_denominator(ax) == pytest.approx(100_000)
    assert scale_text(846_123.4) == "Tỷ lệ 1:846.000"
    assert scale_text(27_284.4) == "Tỷ lệ 1:27.300"
    assert scale_text(950.0) == "Tỷ lệ 1:950"


def test_numeric_scale_of_the_a3_print(layers, tmp_path):
    (svg,) = print_map(layers, tmp_path / "m", title="T", formats=["svg"])
    # By hand: landscape A3, the map frame is 0.74 x 420 mm = 310.8 mm wide. The layers span
    # 8,000 m east-west, padded by 3 % of that on each side: 8,480 m, and the frame's
    # width:height (310.8 : 0.82 x 297 mm) is wider than the data's, so width decides.
    # 8,480 m / 0.3108 m = 27,284 -> 1:27.300.
    assert "Tỷ lệ 1:27.300" in svg.read_text(encoding="utf-8")


def test_labels_avoid_the_axis_and_stay_inside_the_frame(monkeypatch):
    axis = gpd.GeoDataFrame(
        {"name": ["QL.4D"]},
        geometry=[LineString([(X0, Y0), (X0 + 20000, Y0)])],
        crs="EPSG:9205",
    )
    towns = gpd.GeoDataFrame(
        {"name": ["Thị trấn giữa trục", "Thị trấn ở mép phải khung bản đồ, tên rất dài"]},
        geometry=[Point(X0 + 10000, Y0), Point(X0 + 20000, Y0)],
        crs="EPSG:9205",
    )
    layers = [
        MapLayer(axis, "Trục", color="#d7191c", weight=3.0),
        MapLayer(towns, "Đô thị", color="#fb6a4a", label="name", radius=6.0),
    ]
    fig = _figure_of(monkeypatch, layers)
    ax = fig.axes[0]
    boxes, renderer = _boxes(fig, ax)
    frame = ax.get_window_extent(renderer)
    line_y = ax.transData.transform((X0, Y0))[1]
    for text in towns["name"]:
        (key,) = [k for k in boxes if k.replace("\n", " ") == text]  # kept, maybe on two lines
        box = boxes[key]
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1, f"{text!r} leaves the frame"
        assert not (box.y0 <= line_y <= box.y1), f"{text!r} sits on the axis"


def test_same_label_twice_at_one_site_is_kept_once_others_move_aside():
    from matplotlib.figure import Figure

    from gis.printmap import _Label, _place_labels

    fig = Figure(figsize=(4, 3))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)

    def label(text, x, y):
        return _Label(text, x, y, "point", 4.0, 8.0, {})

    kept, dropped = _place_labels(
        fig,
        ax,
        [
            label("Cửa khẩu quốc tế Ma Lù Thàng", 0.5, 0.5),
            label("Cửa khẩu quốc tế Ma Lù Thàng", 0.5, 0.5),  # the gate in two layers
            label("Đô thị Ma Lù Thàng", 0.5, 0.5),  # another label at the same site
        ],
    )
    assert dropped == 1 and [k.get_text() for k in kept] == [
        "Cửa khẩu quốc tế Ma Lù Thàng",
        "Đô thị Ma Lù Thàng",
    ]
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    a, b = (k.get_window_extent(renderer) for k in kept)
    assert not a.overlaps(b)


def test_unfilled_units_are_outlined_and_named(monkeypatch, layers):
    units = layers[0].data
    districts = MapLayer(
        units, "Huyện (trước 2025)", color="#8c8c8c", weight=0.5, fill_opacity=0.0, label="name"
    )
    fig = _figure_of(monkeypatch, [districts])
    ax = fig.axes[0]
    named = {t.get_text(): t for t in ax.texts}
    assert set(units["name"]) <= set(named)
    assert named["Sìn Hồ"].get_fontstyle() == "italic"
    (patch,) = [h for h in fig.legends[0].legend_handles if h.get_label() == "Huyện (trước 2025)"]
    assert patch.get_facecolor()[3] == 0  # an outline in the legend, as on the map


def test_locator_inset_from_the_national_layers(monkeypatch, layers, tmp_path):
    from gis.printmap import Inset, locator_inset
    from gis.profile import load_profile

    inset = locator_inset(load_profile("lai_chau"))
    assert isinstance(inset, Inset) and len(inset.units) == 34  # provinces of 2025
    assert inset.highlight["name"].tolist() == ["Lai Châu"]
    fig = _figure_of(monkeypatch, layers, inset=inset)
    assert len(fig.axes) == 2 and fig.axes[1].get_title() == "Vị trí trong Việt Nam"
    # without layers/_national: no inset (and the caller says so)
    shutil.copytree(
        REPO / "layers" / "lai_chau",
        tmp_path / "layers" / "lai_chau",
        ignore=shutil.ignore_patterns(".history", "*.lock"),
    )
    assert locator_inset(load_profile("lai_chau", layers_dir=tmp_path / "layers")) is None
