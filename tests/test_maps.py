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
import time

import numpy as np
import pytest
import shapely
from conftest import REPO
from PIL import Image

from gis.maps import MAP_BUDGET_BYTES, MAPS, build_maps, read_manifest
from gis.printmap import PAPER_MM
from gis.profile import load_profile
from gis.store import read_layer
from gis.webmap import external_resources

SLUGS = [m.slug for m in MAPS]
MM_PER_PT = 25.4 / 72


@pytest.fixture(scope="session")
def built(store_copy_session, tmp_path_factory) -> dict:
    """Run `gis maps` once on a copy of layers/; return the manifest, folder and stdout."""
    out = tmp_path_factory.mktemp("built") / "maps"
    cmd = [
        sys.executable,
        "-c",
        "from gis.cli import main; main()",
        "maps",
        "--out",
        str(out),
        "--layers",
        str(store_copy_session),
    ]
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
    for text in (
        "Trục kinh tế động lực",
        "Hai vùng",
        "Vùng kinh tế động lực",
        "Vùng kinh tế nông – lâm nghiệp sinh thái sông Đà",
        "Ba trụ cột",
        "Dịch vụ",
        "Công nghiệp",
        "Đô thị đến 2030 – Loại III",
        "Đô thị đến 2030 – Loại IV",
        "Đô thị đến 2030 – Loại V",
        "Cửa khẩu",
        "Cửa khẩu quốc tế Ma Lù Thàng",
        "Thành phố Lai Châu",
    ):
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
    # new urban areas have no class today: no ring (the legend heading says so)
    assert "Hiện trạng – Chưa xếp loại" not in now
    assert "không có vòng: chưa là đô thị" in page
    assert "Đến 2030 – Loại III" in later
    assert "Loại hiện nay" in _tooltip_aliases(page)


def test_infrastructure_map_has_roads_by_class_and_status_and_facilities(built):
    page = _page(built, "ha_tang")
    for text in (
        "Quốc lộ – hiện có",
        "Cao tốc – quy hoạch",
        "Nhà máy thủy điện",
        "Cảng hàng không",
        "Cửa khẩu",
        "Khu công nghiệp",
        "Đường (dữ liệu cũ, thô)",
    ):
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
    shown = {
        p["code"]: _number_vi(p["area_calc_km2"])
        for p in _properties(built, "tk_dien_tich")
        if "area_calc_km2" in p
    }
    assert len(shown) == len(communes) + 8  # 38 communes and 8 districts
    for code, official in zip(communes["code"], communes["area_km2"], strict=True):
        assert abs(shown[code] - official) / official < 0.01, code


def test_corridor_share_is_100_pct_where_every_vertex_is_near_the_axis(built, store_copy_session):
    """Independent check: a unit whose farthest vertex is < 10 km from the axis is fully in."""
    share_m = load_profile("lai_chau", layers_dir=store_copy_session).plan.corridor_share_m
    assert share_m == 10000.0  # the profile's [plan] corridor_share_m, in the map's title
    units = read_layer("districts_pre2025", layers_dir=store_copy_session)
    axis = shapely.union_all(read_layer("orientation_axis", layers_dir=store_copy_session).geometry)
    far = [
        shapely.distance(shapely.points(shapely.get_coordinates(g)), axis).max()
        for g in units.geometry
    ]
    inside = [c for c, d in zip(units["code"], far, strict=True) if d < share_m]
    assert inside  # 105 Thành phố Lai Châu: the axis runs through the city
    shown = {
        p["code"]: p["axis_share_pct"]
        for p in _properties(built, "tk_hanh_lang")
        if "axis_share_pct" in p
    }
    for code in inside:
        assert shown[code] == "100", code
    outside = [c for c, d in zip(units["code"], far, strict=True) if d >= share_m]
    assert all(_number_vi(shown[c]) < 100 for c in outside)


@pytest.fixture(scope="module")
def stats_tables(store_copy_session) -> dict:
    """The tables of `gis stats` on the same copy of layers/ (computed once)."""
    from gis.stats import compute_statistics

    return compute_statistics("lai_chau", layers_dir=store_copy_session)


def test_road_density_map_agrees_with_the_statistics_report(built, stats_tables):
    """The choropleth shows the numbers of `gis stats` (table road_density), per unit."""
    table = stats_tables["road_density"]
    expected = dict(zip(table["code"], table["road_density_km_per_km2"], strict=True))
    props = _properties(built, "tk_mat_do_duong")
    shown = {p["code"]: _number_vi(p["road_km_per_km2"]) for p in props if "road_km_per_km2" in p}
    assert set(shown) == set(expected) and len(shown) == 38 + 8
    for code, value in expected.items():
        assert shown[code] == pytest.approx(value, abs=0.005), code  # 2 decimals shown


def test_corridor_map_agrees_with_the_statistics_report(built, stats_tables, store_copy_session):
    """Area-weighted, the map's shares within corridor_share_m of the axis give the province's
    share in `gis stats` (table corridor_coverage, all regions), on both unit systems."""
    table = stats_tables["corridor_coverage"]
    share_m = load_profile("lai_chau", layers_dir=store_copy_session).plan.corridor_share_m
    props = _properties(built, "tk_hanh_lang")
    shown = {p["code"]: _number_vi(p["axis_share_pct"]) for p in props if "axis_share_pct" in p}
    for layer, system in (
        ("communes_2025", "communes_2025"),
        ("districts_pre2025", "districts_pre2025"),
    ):
        units = read_layer(layer, layers_dir=store_copy_session)
        area = units.geometry.area.to_numpy()
        share = np.array([shown[c] for c in units["code"]])
        row = table[
            (table["unit_system"] == system)
            & (table["plan_region"] == "(all)")
            & (table["distance_m"] == share_m)
        ]
        assert len(row) == 1
        # the tooltips round to 0.1 %: at most 0.05 points off per unit
        assert (share * area).sum() / area.sum() == pytest.approx(
            row["area_within_pct"].iloc[0], abs=0.05
        )


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
    assert density == [
        f"Mật độ đường ({SCHEMATIC_TAG}) – xã, phường 2025",
        f"Mật độ đường ({SCHEMATIC_TAG}) – huyện trước 2025",
    ]
    assert f"Mật độ đường ({SCHEMATIC_TAG}) (km/km²)" in _tooltip_aliases(
        _page(built, "tk_mat_do_duong")
    )
    (note,) = entry["notes"]
    assert f"{n}/{len(existing)} tuyến hiện có là sơ đồ" in note
    assert "gis import <extract>.osm.pbf --as road_alignments rồi python tools/" in note


def test_road_density_layers_lose_the_tag_on_surveyed_roads(store_copy):
    from gis import _mapparts as parts
    from gis.maps import _stat_roads
    from gis.profile import load_profile
    from gis.store import write_layer

    roads = read_layer("roads", layers_dir=store_copy)
    surveyed = roads.assign(accuracy="surveyed: OpenStreetMap centre line (±10 m)")
    write_layer(surveyed, "roads", layers_dir=store_copy, message="test: surveyed roads")
    profile = load_profile("lai_chau", layers_dir=store_copy)
    src = parts.Source(profile, profile.roles)
    names = [layer.name for layer in _stat_roads(src)]
    assert "Mật độ đường – xã, phường 2025" in names and "Đường" in names
    assert not [name for name in names if "sơ đồ" in name]
    assert src.notes == [] and src.tag == ""  # the title's {tag}: no "sơ đồ" on surveyed roads


def test_unit_popups_hold_the_census_figures_of_the_statistics(built, stats_tables):
    """Population, density and urban share in a unit's popup are those of `gis stats`
    (table population: whole census units summed through the crosswalk), on every map."""
    table = stats_tables["population"].set_index("code")
    for slug in ("tk_dien_tich", "do_thi", "dinh_huong"):
        props = [p for p in _properties(built, slug) if "population_2019" in p and "code" in p]
        assert props, slug
        for p in props:
            row = table.loc[p["code"]]
            assert _number_vi(p["population_2019"]) == row["population_persons"], p["code"]
            assert _number_vi(p["density_2019"]) == round(row["density_persons_per_km2"])
            assert _number_vi(p["urban_pct_2019"]) == round(row["census_urban_pct"], 1)
            assert p["region_vi"].startswith("Vùng ")
    communes = {p["code"] for p in _properties(built, "tk_dien_tich") if "population_2019" in p}
    assert len(communes) == 38 + 8  # communes and districts
    # the census credit joins the sources of the maps that show it
    assert "Tổng điều tra dân số và nhà ở 2019" in _page(built, "tk_dien_tich")


def test_urban_popup_says_what_a_planner_asks_in_vietnamese(built, stats_tables):
    page = _page(built, "do_thi")
    city = next(
        p
        for p in _properties(built, "do_thi")
        if p.get("urban_area") == "Thành phố Lai Châu" and "status_vi" in p
    )
    assert city["status_vi"] == "thành phố hiện có; trung tâm tỉnh"
    assert city["class_now_vi"] == city["class_2030_vi"] == "Loại III"
    assert city["region_vi"] == "Vùng kinh tế động lực (dọc QL.32 – QL.4D – QL.12)"
    assert city["communes_vi"] == "Đoàn Kết, Tân Phong"
    table = stats_tables["population"].set_index("code")
    wards = table.loc[["03388", "03408"]]
    assert _number_vi(city["population_2019"]) == wards["population_persons"].sum() == 53599
    assert _number_vi(city["density_2019"]) == round(
        wards["population_persons"].sum() / wards["area_km2"].sum()
    )
    urban_pct = 100 * wards["population_urban_persons"].sum() / wards["population_persons"].sum()
    assert _number_vi(city["urban_pct_2019"]) == round(urban_pct, 1)
    assert city["document_vi"] == "Quyết định 1585/QĐ-TTg (2023)"
    assert "Decision" not in page
    aliases = _tooltip_aliases(page)
    for label in (
        "Đô thị",
        "Tính chất",
        "Loại hiện nay",
        "Loại đến 2030",
        "Vùng",
        "Dân số 2019 của các xã, phường này (người)",
        "Mật độ dân số 2019 (người/km²)",
        "Nguồn",
    ):
        assert label in aliases, label


def test_gates_are_named_at_once_other_facilities_one_zoom_step_closer(built):
    levels = {(p["kind_vi"], p["_lz"]) for p in _properties(built, "ha_tang") if "_lz" in p}
    assert ("Cửa khẩu", 0) in levels and ("Cảng hàng không", 1) in levels
    assert {lz for kind, lz in levels if kind != "Cửa khẩu"} == {1}


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
    not_drawn = {"hanh_lang", "tk_hanh_lang", "tk_mat_do_duong"}  # their one main layer is gone
    drawn = [f"{s}.html" for s in SLUGS if s not in not_drawn]
    assert [p.name for p in written[: len(drawn)]] == drawn
    assert {s for s, m in by_slug.items() if m["file"] is None} == not_drawn
    assert by_slug["hanh_lang"]["missing_layers"] == ["orientation_axis"]
    assert by_slug["tk_mat_do_duong"]["missing_layers"] == ["roads"]
    orientation = by_slug["dinh_huong"]
    assert orientation["missing_layers"] == ["orientation_regions_pre2025", "orientation_axis"]
    assert orientation["notes"] == ["vùng dựng từ districts_pre2025.plan_region"]
    assert "Hai vùng" in orientation["layers"]  # regions rebuilt from the districts
    assert "Trục kinh tế động lực" not in orientation["layers"]  # never invented
    index = (tmp_path / "maps" / "index.html").read_text(encoding="utf-8")
    assert "thiếu lớp: orientation_regions_pre2025, orientation_axis" in index
    assert (
        "Thống kê: mật độ đường, km/km² (cần một trong các lớp: roads)" in index
        and 'href="tk_mat_do_duong.html"' not in index
    )
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
    assert "Không dựng được (thiếu lớp dữ liệu)" in index


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


# ----------------------------------------------------------------------------- browser: issue 14

#: Every circle symbol drawn: its feature's attributes, radius, fill and stroke.
_CIRCLES_JS = """
var out = [];
var map = Object.values(window).find(v => v instanceof L.Map);
map.eachLayer(function(l) {
    if (l instanceof L.CircleMarker && l.feature) {
        out.push({p: l.feature.properties, r: l.getRadius(), fill: l.options.fillOpacity,
                  color: l.options.color});
    }
});
return out;
"""

#: Open the popup of the first circle whose attribute ``key`` is ``value``; return its text.
_POPUP_JS = """
var key = arguments[0], value = arguments[1], hit = null;
var map = Object.values(window).find(v => v instanceof L.Map);
map.eachLayer(function(l) {
    if (!hit && l instanceof L.CircleMarker && l.feature &&
        l.feature.properties[key] === value && l.options.fillOpacity > 0) {
        hit = l;
    }
});
hit.fire("click", {latlng: hit.getLatLng()}, true);
return document.querySelector(".leaflet-popup-content").innerText;
"""

#: Labels shown (not hidden by zoom level, not hidden as clutter).
_LABELS_JS = (
    "return Array.from(document.querySelectorAll('.gis-label')).filter(e => "
    "getComputedStyle(e).display !== 'none' && e.style.visibility !== 'hidden')"
    ".map(e => e.innerText);"
)


@pytest.mark.browser
def test_urban_symbols_follow_the_class_after_an_edit_in_chromium(browser, store_copy, tmp_path):
    """Mường Tè V -> IV and Sìn Hồ IV -> V (class counts kept): the sizes follow the class."""
    from gis import _mapparts as parts
    from gis.maplabels import CLASS_STYLE
    from gis.profile import load_profile
    from gis.store import write_layer
    from gis.webmap import save_map, web_map

    urban = read_layer("urban_areas", layers_dir=store_copy)
    plan = urban["source_document"] == "Decision 1585/QĐ-TTg (2023)"
    for name, new in (("Thị trấn Mường Tè", "IV"), ("Thị trấn Sìn Hồ", "V")):
        urban.loc[plan & (urban["urban_area"] == name), ["class_2030", "class_target"]] = new
    write_layer(urban, "urban_areas", layers_dir=store_copy, message="test: swap two classes")
    profile = load_profile("lai_chau", layers_dir=store_copy)
    src = parts.Source(profile, profile.roles)
    spec = next(m for m in MAPS if m.slug == "do_thi")
    page = web_map(spec.build(src), title="Đô thị")
    path = save_map(page, tmp_path / "do_thi.html")
    browser.open(path, screenshot="maps_do_thi_edited.png")
    circles = browser.driver.execute_script(_CIRCLES_JS)
    filled = {c["p"]["urban_area"]: c for c in circles if c["fill"] > 0}
    rings = [c for c in circles if c["fill"] == 0]
    assert len(filled) == 11 and len(rings) == 8  # 8 urban areas today, 3 new ones
    for c in filled.values():  # the class of 2030, and only it, gives the size
        cls = c["p"]["class_2030_vi"].removeprefix("Loại ")
        assert c["r"] == CLASS_STYLE[cls][0], c["p"]["urban_area"]
    assert filled["Thị trấn Mường Tè"]["r"] == CLASS_STYLE["IV"][0]
    assert filled["Thị trấn Sìn Hồ"]["r"] == CLASS_STYLE["V"][0]
    assert filled["Thị trấn Sìn Hồ"]["r"] < filled["Thị trấn Mường Tè"]["r"]
    assert filled["Đô thị Phúc Than"]["r"] == CLASS_STYLE["V"][0]
    for c in rings:  # today's class: a ring of its own size, drawn over the 2030 symbol
        assert c["r"] == CLASS_STYLE[c["p"]["class_now_vi"].removeprefix("Loại ")][0]
    # the legend shows each class at its size
    sizes = browser.driver.execute_script(
        "return Array.from(document.querySelectorAll('.gis-legend i.point')).map("
        "e => [e.parentNode.innerText.trim(), e.getBoundingClientRect().width])"
    )
    size = dict(sizes)
    assert size["Đến 2030 – Loại III"] > size["Đến 2030 – Loại IV"] > size["Đến 2030 – Loại V"]
    assert size["Đến 2030 – Loại IV"] == pytest.approx(2 * CLASS_STYLE["IV"][0], abs=0.5)


@pytest.mark.browser
def test_orientation_map_reads_one_axis_two_regions_three_pillars_in_chromium(browser, built):
    report = browser.open(built["out"] / "dinh_huong.html", screenshot="maps_dinh_huong.png")
    legend = browser.driver.execute_script("return document.querySelector('.gis-legend').innerText")
    # three pillars in the legend, in the section of the pillar zones
    zones = legend.split("Ba trụ cột – vùng (vòng tròn)")[1].split("Đô thị")[0]
    assert zones.split("\n")[1:4] == ["Công nghiệp", "Dịch vụ", "Nông nghiệp"]
    assert "Một trục" in legend and "Hai vùng" in legend
    circles = browser.driver.execute_script(_CIRCLES_JS)
    # the pillar zones are rings (the regions stay readable); the zone polygons are off
    marks = [c for c in circles if "members_vi" in c["p"]]
    assert {c["p"]["pillar_vi"] for c in marks} == {"Dịch vụ", "Công nghiệp", "Nông nghiệp"}
    assert all(c["fill"] == 0 for c in marks)
    assert "Ba trụ cột: ranh giới vùng" not in report.text  # legend section hidden at start
    # outside the province: grey rings, said in the tooltip; the Sa Pa end of the tunnel
    outside = [c for c in circles if "ngoài tỉnh" in str(c["p"].get("name", ""))]
    assert outside and all(c["fill"] == 0 and c["color"] == "#8c8c8c" for c in outside)
    assert any("Sa Pa" in c["p"]["name"] for c in outside)
    labels = browser.driver.execute_script(_LABELS_JS)
    assert "→ Nút giao IC16 (ngoài tỉnh)" in labels  # where the axis leaves the province
    assert "Cửa khẩu quốc tế Ma Lù Thàng" in labels and "Thành phố Lai Châu" in labels
    assert report.errors == []


@pytest.mark.browser
def test_labels_popups_and_no_focus_box_in_chromium(browser, built):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    d = browser.driver
    browser.open(built["out"] / "do_thi.html")
    labels = d.execute_script(_LABELS_JS)
    # the opening view names the class III and IV towns; class V from one step closer
    assert "Thành phố Lai Châu" in labels and "Thị trấn Tân Uyên" in labels
    assert "Thị trấn Mường Tè" not in labels and "Đô thị Phúc Than" not in labels
    d.execute_script(
        "Object.values(window).find(v => v instanceof L.Map).zoomIn(1, {animate: false})"
    )
    time.sleep(0.3)
    assert "Thị trấn Mường Tè" in d.execute_script(_LABELS_JS)
    text = d.execute_script(_POPUP_JS, "urban_area", "Thành phố Lai Châu")
    for line in (
        "Đô thị\tThành phố Lai Châu",
        "Tính chất\tthành phố hiện có; trung tâm tỉnh",
        "Loại hiện nay\tLoại III",
        "Loại đến 2030\tLoại III",
        "Xã, phường (2025)\tĐoàn Kết, Tân Phong",
        "Dân số 2019 của các xã, phường này (người)\t53.599",
        "Nguồn\tQuyết định 1585/QĐ-TTg (2023)",
    ):
        assert line in text, line
    # communes open a popup on a real click, with no focus rectangle drawn around them
    browser.open(built["out"] / "tk_dien_tich.html")
    assert d.execute_script(_LABELS_JS) == []  # commune names from one step closer
    path = d.find_elements(By.CSS_SELECTOR, "path.leaflet-interactive")[10]
    ActionChains(d).move_to_element(path).click().perform()
    time.sleep(0.4)
    text = d.execute_script("return document.querySelector('.leaflet-popup-content').innerText")
    assert "Dân số 2019 (người)" in text and "Vùng\tVùng " in text
    focus = d.execute_script(
        "var e = document.activeElement; return [e.tagName, getComputedStyle(e).outlineStyle]"
    )
    assert focus == ["path", "none"]
