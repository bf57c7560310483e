"""The map set of Circular 04/2023/TT-BKHĐT (Phụ lục I-II) and the symbol-only rule (Art. 8.2.a)
on the delivery maps, the web maps and the A3 prints.

A copy of the store gets two planned industrial parks drawn as polygons: one whose source cites
no legal basis for its boundary (it must be a symbol everywhere) and one citing the decision that
approved its own detailed plan (its polygon stays). Maps are drawn at low dpi (``draft``), except
one sheet at 300 dpi and 1:250,000 read back with Debian's ``gdalinfo``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio
import shapely
from conftest import LAYERS
from test_cli import gis

from gis import _mapparts as parts
from gis import maps
from gis._sheet import layout
from gis.deliver import deliver_province
from gis.deliver_map import dash_lines, sheet_figure, write_sheet
from gis.deliver_mapset import MAP_SET, choose_scale, thematic_map
from gis.errors import LayerError
from gis.profile import load_profile
from gis.store import read_layer, write_layer
from gis.symbol_rule import LEGAL_NOTE_NONE, portray
from gis.webmap import web_map

PACKAGE = "LaiChau.gdb"
NO_BASIS, WITH_BASIS = "ip_no_basis", "ip_with_basis"
NAMES = {NO_BASIS: "Khu công nghiệp thử A", WITH_BASIS: "Khu công nghiệp thử B"}
DECISION = "Quyết định 77/QĐ-UBND ngày 15/03/2024 phê duyệt quy hoạch chi tiết khu công nghiệp"


def _zones(profile) -> gpd.GeoDataFrame:
    """Two planned industrial parks as 4 km squares, beside the planned park of Than Uyên."""
    fac = read_layer("facilities", province=profile)
    base = fac[(fac["kind"] == "industrial_park") & (fac["status"] == "planned")].iloc[[0]]
    p = base.geometry.iloc[0]
    rows = []
    for key, dx, source in (
        (NO_BASIS, -9000, "báo chí: dự kiến mở rộng khu công nghiệp"),
        (WITH_BASIS, 9000, f"{DECISION} (120 ha)"),
    ):
        row = base.copy()
        row["facility_id"], row["name"] = key, NAMES[key]
        row["source"], row["geometry_kind"], row["area_ha"] = source, "commune polygon", 1600.0
        row = row.set_geometry(
            [shapely.box(p.x + dx - 2000, p.y - 2000, p.x + dx + 2000, p.y + 2000)], crs=fac.crs
        )
        rows.append(row)
    return pd.concat(rows, ignore_index=True)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A store copy whose facilities hold the two test parks."""
    root = tmp_path_factory.mktemp("mapset") / "layers"
    shutil.copytree(LAYERS, root, ignore=shutil.ignore_patterns(".history", "*.lock"))
    profile = load_profile("lai_chau", layers_dir=root)
    fac = read_layer("facilities", province=profile)
    write_layer(
        pd.concat([fac, _zones(profile)], ignore_index=True),
        "facilities",
        province=profile,
        message="test parks",
    )
    return root


@pytest.fixture(scope="module")
def delivered(store, tmp_path_factory):
    out = tmp_path_factory.mktemp("mapset_out") / "out"
    report = deliver_province("lai_chau", out, layers_dir=store, maps=False)
    return load_profile("lai_chau", layers_dir=store), out, report


# --- the symbol-only rule ----------------------------------------------------------------------


def test_portray_turns_a_zone_without_legal_basis_into_its_point(store):
    profile = load_profile("lai_chau", layers_dir=store)
    fac = read_layer("facilities", province=profile)
    shown = portray(fac, "facilities", profile).set_index("facility_id")
    no, yes = shown.loc[NO_BASIS], shown.loc[WITH_BASIS]
    zone = fac.set_index("facility_id").loc[NO_BASIS].geometry
    assert no.geometry.geom_type == "Point" and no.geometry.equals(zone.representative_point())
    assert (no["show_as_vi"], no["legal_basis_vi"]) == ("ký hiệu", LEGAL_NOTE_NONE)
    assert yes.geometry.geom_type == "Polygon" and yes["show_as_vi"] == "ranh giới"
    assert yes["legal_basis_vi"].startswith("Quyết định 77/QĐ-UBND ngày 15/03/2024")
    # the layer's own columns decide when it has them: a boundary needs its legal basis
    flagged = fac.assign(representation="boundary", legal_basis="")
    assert set(portray(flagged, "facilities", profile).geom_type) == {"Point"}
    with pytest.raises(LayerError, match=r"already has column\(s\) \['show_as_vi'\]"):
        portray(fac.assign(show_as_vi="x"), "facilities", profile)


def test_web_map_and_print_draw_a_symbol_only_zone_as_a_point(store, tmp_path, monkeypatch):
    profile = load_profile("lai_chau", layers_dir=store)
    layers = maps._infrastructure(parts.Source(profile, profile.roles))
    where = {}
    for layer in layers:
        if "facility_id" in layer.data:
            for key, geom in zip(layer.data["facility_id"], layer.data.geometry, strict=True):
                where.setdefault(key, []).append((layer.name, geom.geom_type))
    assert {kind for _, kind in where[NO_BASIS]} == {"Point"}  # no polygon anywhere
    assert ("Khu công nghiệp", "Polygon") in where[WITH_BASIS]
    point = next(
        la for la in layers if "facility_id" in la.data and NO_BASIS in set(la.data["facility_id"])
    )
    assert point.popup["legal_basis_vi"] == "Căn cứ pháp lý"
    html = web_map(layers, title="t").get_root().render()
    html = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), html)
    props = [json.loads(p) for p in re.findall(r'"properties": (\{[^{}]*\})', html)]
    park = next(p for p in props if p.get("name") == NAMES[NO_BASIS])
    assert park["legal_basis_vi"] == LEGAL_NOTE_NONE and park["show_as_vi"] == "ký hiệu"
    assert "Căn cứ pháp lý" in html  # the popup's row
    # the A3 print draws the same layers: record what print_map hands to matplotlib
    import gis.printmap as printmap

    drawn = []
    original = printmap._draw_layer

    def spy(ax, layer, data, *args, **kwargs):
        if "facility_id" in data:
            drawn.extend(zip(data["facility_id"], data.geom_type, strict=True))
        return original(ax, layer, data, *args, **kwargs)

    monkeypatch.setattr(printmap, "_draw_layer", spy)
    printmap.print_map(maps._printable(layers), tmp_path / "p", title="t", formats=("png",), dpi=30)
    assert {kind for key, kind in drawn if key == NO_BASIS} == {"Point"}
    assert (WITH_BASIS, "Polygon") in drawn


def test_pillar_zone_outlines_leave_out_symbol_only_zones():
    profile = load_profile("lai_chau")
    zones, _ = parts.pillar_layers(parts.Source(profile, profile.roles))
    outlines = next(la for la in zones if la.name.endswith("ranh giới vùng"))
    # tourism zones and the industrial park zone cite no legal basis: marks only (Art. 8.2.a)
    assert not outlines.data["member"].isin(["tourism", "industrial_park", "logistics"]).any()
    assert outlines.data["legal_basis_vi"].notna().all()


def test_delivery_and_its_maps_show_the_zone_by_symbol(delivered, tmp_path):
    profile, out, report = delivered
    gdb = out / PACKAGE
    assert report.problems == []
    points = pyogrio.read_dataframe(gdb, layer="DinhHuongKhuCongNghiep_P")
    areas = pyogrio.read_dataframe(gdb, layer="DinhHuongKhuCongNghiep_A")
    assert NO_BASIS in set(points["maGoc"]) and NO_BASIS not in set(areas["maGoc"])
    assert list(areas["maGoc"]) == [WITH_BASIS] and areas["canCuPhapLy"].iloc[0].startswith(
        "Quyết định 77/QĐ-UBND"
    )
    drawn = thematic_map(
        out, profile, "III.7", tmp_path / "iii7.tif", dpi=40, draft=True, geopdf=False
    )
    assert {"DinhHuongKhuCongNghiep_P", "DinhHuongKhuCongNghiep_A"} <= set(drawn["layers"])
    fac = read_layer("facilities", province=profile).set_index("facility_id")
    with rasterio.open(drawn["path"]) as tif:

        def rgb(x, y):
            row, col = tif.index(x, y)
            return tif.read(window=((row, row + 1), (col, col + 1)))[:, 0, 0].astype(int)

        for key, filled in ((NO_BASIS, False), (WITH_BASIS, True)):
            zone = fac.loc[key].geometry
            corner = shapely.Point(zone.bounds[0] + 500, zone.bounds[1] + 500)  # inside, off
            pink = np.abs(rgb(corner.x, corner.y) - [0xF9, 0xD3, 0xDA]).max() <= 25
            assert pink == filled, (key, rgb(corner.x, corner.y))


# --- the map set -------------------------------------------------------------------------------


def test_map_set_sheets_are_georeferenced_with_thelayout(delivered, tmp_path):
    profile, out, _ = delivered
    from gis.deliver_mapset import map_set

    drawn = map_set(out, profile, tmp_path, dpi=30, draft=True, geopdf=False)
    assert [d["code"] for d in drawn] == ["III.4", "III.5", "III.7"]
    for d in drawn:
        # Lai Châu (172 × 125 km) fits no paper at 1:25,000-1:100,000: the smallest scale
        assert (d["scale"], d["fits_paper"], d["labels_dropped"]) == (100_000, False, 0)
        with rasterio.open(d["path"]) as tif:
            assert tif.crs.to_epsg() == 9205
            assert tif.res == pytest.approx((100_000 * 0.0254 / 30,) * 2)
            assert tif.tags()["SCALE"] == "1:100000" and tif.overviews(1) == [2, 4, 8, 16, 32]
            # the frame's north-west corner of ground lies inside the sheet, not on its edge
            west, north = tif.transform.c, tif.transform.f
            assert west < 440_000 and north > 2_470_000
    iii4, iii5, _ = drawn
    assert {"DinhHuongDoThi_P", "HienTrangDoThi_P", "RanhGioiXa_A"} <= set(iii4["layers"])
    assert {"DinhHuongVungKinhTe_A", "DinhHuongHanhLangKinhTe_L"} <= set(iii5["layers"])
    with pytest.raises(LayerError, match="below the 300 dpi"):
        thematic_map(out, profile, "III.4", tmp_path / "x.tif", dpi=150)
    with pytest.raises(LayerError, match=r"not in the map set; use one of \['III.4'"):
        thematic_map(out, profile, "III.8", tmp_path / "x.tif")


def test_choose_scale_andlayout():
    assert choose_scale(171_570 + 12_000, 125_000 + 12_000) == (100_000, False)
    assert choose_scale(100_000, 70_000) == (100_000, True)  # 1.06 × 0.80 m on A0
    assert choose_scale(20_000, 15_000) == (25_000, True)  # 0.8 × 0.6 m of frame
    assert choose_scale(30_000, 20_000) == (50_000, True)  # 1.2 m at 1:25,000: over A0
    assert choose_scale(20_000, 15_000, paper="A3") == (100_000, True)
    with pytest.raises(LayerError, match="paper 'B2' unknown"):
        choose_scale(1, 1, paper="B2")
    # a province filling the bottom-right corner, not the bottom-left: the signature block goes
    # bottom-left under the legend, and the frame needs no band
    province = shapely.Polygon([(40, 0), (100, 0), (100, 100), (0, 100), (0, 60), (40, 60)])
    assert layout(province, (0, 100, 0), (2, 2), (3, 3), 10.0, 0.1) == (0, "stack")
    assert layout(shapely.box(30, 30, 60, 70), (0, 100, 0), (2, 2), (3, 3), 10.0, 0.1) == (
        0,
        "split",
    )
    assert [s.code for s in MAP_SET] == ["III.4", "III.5", "III.7"]


def test_dashes_are_geometry():
    line = shapely.LineString([(0, 0), (10, 0), (10, 10)])
    dashes = dash_lines([line], 3, 2)[0]
    assert dashes.length == pytest.approx(12.0)  # 4 dashes of 3 along 20
    assert [g.coords[0] for g in dashes.geoms] == [(0, 0), (5, 0), (10, 0), (10, 5)]
    ring = dash_lines([shapely.box(0, 0, 10, 10)], 1, 1)[0]
    assert ring.length == pytest.approx(20.0)


def test_strips_render_the_same_sheet_as_one_canvas(tmp_path):
    """Strips of 37 rows give the pixels of a single canvas (± 1 of rounding)."""
    import matplotlib

    matplotlib.use("Agg")
    results = []
    for strip in (37, 10_000):
        fig = sheet_figure(4, 3, 50)
        ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
        ax.set_xlim(0, 4000)
        ax.set_ylim(0, 3000)
        ax.set_aspect("equal", adjustable="box")
        ax.plot([0, 4000], [0, 3000], linewidth=3)
        ax.text(2000, 1500, "Tỷ lệ 1:100.000", fontsize=14)
        fig.text(0.5, 0.95, "TIÊU ĐỀ", ha="center")
        out = write_sheet(
            fig,
            ax,
            (0, 4000, 0, 3000),
            tmp_path / f"s{strip}.tif",
            crs="EPSG:9205",
            dpi=50,
            title="t",
            scale=1,
            geopdf=False,
            strip_px=strip,
        )
        with rasterio.open(out["path"]) as tif:
            results.append(tif.read().astype(int))
    assert results[0].shape == (3, 150, 200)
    assert np.abs(results[0] - results[1]).max() <= 1


def test_one_sheet_at_300_dpi_read_by_debian_gdalinfo(delivered, tmp_path):
    """III.5 at 300 dpi (1:250,000, an A0 reduction): GeoTIFF and GeoPDF carry CRS and dpi."""
    profile, out, _ = delivered
    drawn = thematic_map(out, profile, "III.5", tmp_path / "iii5.tif", scale=250_000)
    # measured: 9,212 × 7,245 px, 780 × 613 mm (an A0 sheet, landscape)
    assert (drawn["width"], drawn["height"], drawn["dpi"]) == (9212, 7245, 300)
    with rasterio.open(drawn["path"]) as tif:
        assert tif.res == pytest.approx((250_000 * 0.0254 / 300,) * 2)
        assert tif.tags()["TIFFTAG_XRESOLUTION"] == "300"
    gdalinfo = shutil.which("gdalinfo")
    if gdalinfo is None:
        reason = "gdalinfo not installed (apt-get install gdal-bin)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    for path, extra in ((drawn["path"], "Pixel Size = (21.16666666666"), (drawn["pdf"], "DPI=300")):
        info = subprocess.run([gdalinfo, str(path)], capture_output=True, text=True, timeout=120)
        assert 'PROJCRS["VN-2000 / TM-3 103-00"' in info.stdout and "Origin = (" in info.stdout
        assert extra in info.stdout, info.stdout[:2000]


def test_cli_refuses_an_unknown_map(store, tmp_path):
    code, _, stderr = gis("deliver", "--maps", "III.9", str(tmp_path / "o"), layers=store)
    assert code == 1 and "map(s) ['III.9'] unknown" in stderr
