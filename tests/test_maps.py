"""Tests of gis.maps: the product maps built from the project's own layers (a temporary copy).

The maps are built once per session with the real command line (``gis maps``), then each page
is checked as text (layers, legend, Vietnamese tooltips, offline, size budget), opened in
headless Chromium with the network off, and the A3 prints are measured.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys

import pytest
import shapely
from conftest import REPO
from PIL import Image

from gis.maps import CORRIDOR_SHARE_M, MAP_BUDGET_BYTES, MAPS, build_maps, read_manifest
from gis.printmap import PAPER_MM
from gis.store import read_layer
from gis.webmap import external_resources

SLUGS = [m.slug for m in MAPS]
MM_PER_PT = 25.4 / 72


@pytest.fixture(scope="session")
def built(store_copy_session, tmp_path_factory) -> dict:
    """Run `gis maps` once on a copy of layers/; return the manifest, folder and stdout."""
    out = tmp_path_factory.mktemp("built") / "maps"
    cmd = [sys.executable, "-c", "from gis.cli import main; main()", "maps",
           "--out", str(out), "--layers", str(store_copy_session)]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    return {"out": out, "manifest": read_manifest(out), "stdout": proc.stdout}


def _page(built, slug: str) -> str:
    """The page with JSON's \\uXXXX escapes (legend, layer names in scripts) decoded."""
    page = (built["out"] / f"{slug}.html").read_text(encoding="utf-8")
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), page)


def _entry(built, slug: str) -> dict:
    return next(m for m in built["manifest"]["maps"] if m["slug"] == slug)


def _properties(built, slug: str) -> list[dict]:
    """Attributes of every feature embedded in a page (GeoJSON ``properties``)."""
    page = (built["out"] / f"{slug}.html").read_text(encoding="utf-8")
    return [json.loads(p) for p in re.findall(r'"properties": (\{[^{}]*\})', page)]


def _number_vi(text: str) -> float:
    """'9.068,73' -> 9068.73 (Vietnamese number format of the tooltips)."""
    return float(text.replace(".", "").replace(",", "."))


def _tooltip_aliases(page: str) -> list[str]:
    """Labels of folium's GeoJsonTooltip/GeoJsonPopup (``let aliases=[...]`` in the page)."""
    found = re.findall(r"let aliases\s*=\s*\[(.*?)\];", page, flags=re.S)
    return [a for block in found for a in re.findall(r'"((?:[^"\\]|\\.)*)"', block)]


# ----------------------------------------------------------------------------- the files


def test_command_reports_every_file_with_its_size(built):
    out, stdout = built["out"], built["stdout"]
    for slug in SLUGS:
        assert re.search(rf"\d+\.\d\d MB  {re.escape(str(out / slug))}\.html\n", stdout)
    assert "OVER BUDGET" not in stdout
    assert f"open {out / 'index.html'}" in stdout


@pytest.mark.parametrize("slug", SLUGS)
def test_map_exists_within_budget_and_offline(built, slug):
    path = built["out"] / f"{slug}.html"
    assert path.is_file()
    assert path.stat().st_size < MAP_BUDGET_BYTES
    assert _entry(built, slug)["bytes"] == path.stat().st_size
    page = _page(built, slug)
    assert external_resources(page) == []
    assert '<html lang="vi">' in page


@pytest.mark.parametrize("slug", SLUGS)
def test_map_has_its_layers_legend_and_vietnamese_tooltips(built, slug):
    page, entry = _page(built, slug), _entry(built, slug)
    assert entry["missing_layers"] == []  # every layer the maps use is shipped
    assert len(entry["layers"]) >= 3
    for name in entry["layers"]:
        assert html.escape(name) in page  # layer control and legend
    assert "gis-legend" in page and "L.control.layers" in page and "L.control.scale" in page
    aliases = _tooltip_aliases(page)
    assert aliases, "no tooltip"
    # labels are Vietnamese words, never column names such as 'plan_region' or 'area_km2'
    assert not [a for a in aliases if re.fullmatch(r"[a-z0-9_]+", a)], aliases
    assert "Tên" in aliases or "Đơn vị" in aliases or "Đô thị" in aliases


def test_orientation_map_shows_axis_regions_pillars_urban_classes_and_gates(built):
    page = _page(built, "dinh_huong")
    for text in ("Trục kinh tế động lực", "Hai vùng", "Vùng kinh tế động lực",
                 "Vùng kinh tế nông – lâm nghiệp sinh thái sông Đà", "Ba trụ cột",
                 "Dịch vụ", "Công nghiệp", "Đô thị đến 2030 – Loại III",
                 "Đô thị đến 2030 – Loại IV", "Đô thị đến 2030 – Loại V", "Cửa khẩu",
                 "Cửa khẩu quốc tế Ma Lù Thàng", "Thành phố Lai Châu"):  # fmt: skip
        assert text in page, text
    # codes are translated and only the columns shown are embedded
    for code in ("song_da_agroforestry", "dynamic_economic", "mining_rare_earth", "source_url"):
        assert code not in page, code


def test_urban_system_map_has_classes_now_and_2030_as_layers(built):
    page = _page(built, "do_thi")
    layers = _entry(built, "do_thi")["layers"]
    now = [n for n in layers if n.startswith("Hiện trạng – ")]
    later = [n for n in layers if n.startswith("Đến 2030 – ")]
    assert now and later
    assert "Hiện trạng – Chưa xếp loại" in now  # new urban areas have no class today
    assert "Đến 2030 – Loại III" in later
    assert "Loại hiện nay" in _tooltip_aliases(page)


def test_infrastructure_map_has_roads_by_class_and_status_and_facilities(built):
    page = _page(built, "ha_tang")
    for text in ("Quốc lộ – hiện có", "Cao tốc – quy hoạch", "Nhà máy thủy điện",
                 "Cảng hàng không", "Cửa khẩu", "Khu công nghiệp",
                 "Đường (dữ liệu cũ, thô)"):  # fmt: skip
        assert text in page, text


def test_corridor_and_catchment_bands(built):
    for slug in ("hanh_lang", "vung_phuc_vu"):
        page = _page(built, slug)
        for band in ("0–5 km", "5–10 km", "10–20 km"):
            assert band in page
    assert "Vùng phục vụ cửa khẩu" in _page(built, "vung_phuc_vu")


def test_index_links_every_map_and_print(built):
    out = built["out"]
    text = (out / "index.html").read_text(encoding="utf-8")
    links = set(re.findall(r'href="([^"]+)"', text))
    expected = {f"{s}.html" for s in SLUGS}
    expected |= {f"print/{m.slug}.{ext}" for m in MAPS if m.print_title for ext in ("png", "pdf")}
    assert links == expected
    for link in links:
        assert (out / link).is_file()
    assert "Bản đồ quy hoạch tỉnh Lai Châu" in text
    assert "Định hướng phát triển không gian tỉnh Lai Châu" in text
    assert "Bản in A3 (PDF): Định hướng phát triển không gian tỉnh Lai Châu" in text


# ----------------------------------------------------------------------------- statistics


def test_area_choropleth_matches_the_official_commune_areas(built, store_copy_session):
    """Tooltip areas are computed in EPSG:9205; communes_2025.area_km2 is the official figure."""
    communes = read_layer("communes_2025", layers_dir=store_copy_session)
    shown = {p["code"]: _number_vi(p["area_calc_km2"]) for p in _properties(built, "tk_dien_tich")
             if "area_calc_km2" in p}  # fmt: skip
    assert len(shown) == len(communes) + 8  # 38 communes and 8 districts
    for code, official in zip(communes["code"], communes["area_km2"], strict=True):
        assert abs(shown[code] - official) / official < 0.01, code


def test_corridor_share_is_100_pct_where_every_vertex_is_near_the_axis(built, store_copy_session):
    """Independent check: a unit whose farthest vertex is < 10 km from the axis is fully in."""
    units = read_layer("districts_pre2025", layers_dir=store_copy_session)
    axis = shapely.union_all(read_layer("orientation_axis", layers_dir=store_copy_session).geometry)
    far = [
        shapely.distance(shapely.points(shapely.get_coordinates(g)), axis).max()
        for g in units.geometry
    ]
    inside = [c for c, d in zip(units["code"], far, strict=True) if d < CORRIDOR_SHARE_M]
    assert inside  # 105 Thành phố Lai Châu: the axis runs through the city
    shown = {p["code"]: p["axis_share_pct"] for p in _properties(built, "tk_hanh_lang")
             if "axis_share_pct" in p}  # fmt: skip
    for code in inside:
        assert shown[code] == "100", code
    outside = [c for c, d in zip(units["code"], far, strict=True) if d >= CORRIDOR_SHARE_M]
    assert all(_number_vi(shown[c]) < 100 for c in outside)


def test_road_density_map_agrees_with_the_statistics_report(built, store_copy_session):
    """The choropleth shows the numbers of `gis stats` (table road_density), per unit."""
    from gis.stats import compute_statistics

    table = compute_statistics("lai_chau", layers_dir=store_copy_session)["road_density"]
    expected = dict(zip(table["code"], table["road_density_km_per_km2"], strict=True))
    props = _properties(built, "tk_mat_do_duong")
    shown = {p["code"]: _number_vi(p["road_km_per_km2"]) for p in props if "road_km_per_km2" in p}
    assert set(shown) == set(expected) and len(shown) == 38 + 8
    for code, value in expected.items():
        assert shown[code] == pytest.approx(value, abs=0.005), code  # 2 decimals shown


#: Said by the road density map while the roads are schematic (gis.coverage.SCHEMATIC_VI).
SCHEMATIC_TAG = "sơ đồ – không phải số đo"


def test_road_density_map_is_not_offered_as_a_measurement(built, store_copy_session):
    """The shipped roads are lines through waypoints: title, index, layers and tooltips say so."""
    roads = read_layer("roads", layers_dir=store_copy_session)
    existing = roads[roads["status"] == "existing"]
    n = int(existing["accuracy"].str.startswith("schematic").sum())
    assert n == len(existing) == 13
    entry = _entry(built, "tk_mat_do_duong")
    assert entry["title"] == f"Thống kê: mật độ đường, km/km² ({SCHEMATIC_TAG})"
    index = (built["out"] / "index.html").read_text(encoding="utf-8")
    assert f">{entry['title']}</a>" in index
    density = [name for name in entry["layers"] if name.startswith("Mật độ đường")]
    assert density == [f"Mật độ đường ({SCHEMATIC_TAG}) – xã, phường 2025",
                       f"Mật độ đường ({SCHEMATIC_TAG}) – huyện trước 2025"]  # fmt: skip
    assert f"Mật độ đường ({SCHEMATIC_TAG}) (km/km²)" in _tooltip_aliases(
        _page(built, "tk_mat_do_duong")
    )
    (note,) = entry["notes"]
    assert f"{n}/{len(existing)} tuyến hiện có là sơ đồ" in note
    assert "gis import <extract>.osm.pbf --as road_alignments rồi python tools/" in note


def test_road_density_layers_lose_the_tag_on_surveyed_roads(store_copy):
    from gis import _mapparts as parts
    from gis.maps import LAYER_NAMES, _stat_roads
    from gis.profile import load_profile
    from gis.store import write_layer

    roads = read_layer("roads", layers_dir=store_copy)
    surveyed = roads.assign(accuracy="surveyed: OpenStreetMap centre line (±10 m)")
    write_layer(surveyed, "roads", layers_dir=store_copy, message="test: surveyed roads")
    src = parts.Source(load_profile("lai_chau", layers_dir=store_copy), LAYER_NAMES)
    names = [layer.name for layer in _stat_roads(src)]
    assert "Mật độ đường – xã, phường 2025" in names and "Đường" in names
    assert not [name for name in names if "sơ đồ" in name]
    assert src.notes == [] and src.tag == ""  # the title's {tag}: no "sơ đồ" on surveyed roads


# ----------------------------------------------------------------------------- prints


@pytest.mark.parametrize("slug", [m.slug for m in MAPS if m.print_title])
def test_prints_are_a3(built, slug):
    pdf = built["out"] / "print" / f"{slug}.pdf"
    png = built["out"] / "print" / f"{slug}.png"
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf.read_bytes())
    w_mm, h_mm = (float(v) * MM_PER_PT for v in box.groups())
    short, long = PAPER_MM["A3"]
    assert sorted([w_mm, h_mm]) == pytest.approx([short, long], abs=0.5)
    with Image.open(png) as im:
        px_w, px_h = im.size
    dpi = 200  # gis.printmap.print_map default, used by build_maps
    assert px_w == pytest.approx(w_mm / 25.4 * dpi, abs=1)
    assert px_h == pytest.approx(h_mm / 25.4 * dpi, abs=1)


# ----------------------------------------------------------------------------- missing layers


def test_missing_layers_leave_parts_out_and_are_named(store_copy, tmp_path):
    folder = store_copy / "lai_chau"
    for name in ("orientation_axis", "orientation_regions_pre2025", "roads"):
        for f in folder.glob(f"{name}.*"):
            f.unlink()
    written = build_maps(layers_dir=store_copy, out_dir=tmp_path / "maps", prints=False)
    manifest = read_manifest(tmp_path / "maps")
    by_slug = {m["slug"]: m for m in manifest["maps"]}
    assert [p.name for p in written[: len(SLUGS)]] == [f"{s}.html" for s in SLUGS]
    assert by_slug["hanh_lang"]["missing_layers"] == ["orientation_axis"]
    assert "roads" in by_slug["tk_mat_do_duong"]["missing_layers"]
    orientation = by_slug["dinh_huong"]
    assert orientation["missing_layers"] == ["orientation_regions_pre2025", "orientation_axis"]
    assert orientation["notes"] == ["vùng dựng từ districts_pre2025.plan_region"]
    assert "Hai vùng" in orientation["layers"]  # regions rebuilt from the districts
    assert "Trục kinh tế động lực" not in orientation["layers"]  # never invented
    index = (tmp_path / "maps" / "index.html").read_text(encoding="utf-8")
    assert "thiếu lớp: orientation_regions_pre2025, orientation_axis" in index
    assert "thiếu lớp: roads" in index
    page = (tmp_path / "maps" / "dinh_huong.html").read_text(encoding="utf-8")
    assert "Trục kinh tế động lực" not in page


def test_empty_store_builds_no_map_but_says_so(store_copy, tmp_path):
    folder = store_copy / "lai_chau"
    keep = {"profile.toml"}
    for f in folder.iterdir():
        if f.is_file() and f.name not in keep:
            f.unlink()
    shutil.rmtree(folder / "_sources", ignore_errors=True)
    shutil.rmtree(store_copy / "_national")  # the national map reads layers/_national
    written = build_maps(layers_dir=store_copy, out_dir=tmp_path / "maps", prints=False)
    assert [p.name for p in written] == ["index.html", "maps.json"]
    index = (tmp_path / "maps" / "index.html").read_text(encoding="utf-8")
    assert "Không dựng được (thiếu mọi lớp cần thiết)" in index


# ----------------------------------------------------------------------------- browser


@pytest.mark.browser
@pytest.mark.parametrize("slug", SLUGS)
def test_map_in_chromium(browser, built, slug):
    report = browser.open(built["out"] / f"{slug}.html", screenshot=f"maps_{slug}.png")
    assert report.leaflet == "1.9.4"
    assert report.paths > 0
    assert report.errors == []
    assert report.screenshot.stat().st_size > 10_000
    title = _entry(built, slug)["title"]
    assert title in report.text
    # legend rows of the layers shown at start are visible text
    assert "Ranh giới tỉnh Lai Châu" in report.text


def test_source_note_is_plain_vietnamese_from_provenance(built):
    page = (built["out"] / "ha_tang.html").read_text(encoding="utf-8")
    note = json.loads(re.search(r"addAttribution\((\"Ngu[^\n]*?\")\);", page).group(1))
    assert note.startswith("Nguồn: QĐ 1585/QĐ-TTg (2023)")
    assert "Natural Earth" in note and "dvhcvn" in note
    assert "`" not in note and "gis layers" not in note and "orientation_axis" not in note
    index = (built["out"] / "index.html").read_text(encoding="utf-8")
    assert "`" not in index
