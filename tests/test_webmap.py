"""Tests of gis.webmap: offline pages, light geometry, escaping, legend; and in a real browser."""

from __future__ import annotations

import re

import folium
import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import box

from gis.crs import to_crs
from gis.errors import CRSError, LayerError
from gis.webmap import (
    NO_DATA_LABEL,
    MapLayer,
    OfflineError,
    display_copy,
    external_resources,
    format_vi,
    index_page,
    layer_legend,
    render_html,
    save_map,
    web_map,
)

XSS = "<img src=x onerror=alert(1)>"
X0, Y0 = 500000.0, 2470000.0  # EPSG:9205, on the central meridian 103 E near 22.3 N


@pytest.fixture
def squares() -> gpd.GeoDataFrame:
    """Four 2 km squares in a 2x2 block (EPSG:9205), Vietnamese names, one hostile name."""
    cells = [box(X0 + i * 2000, Y0 + j * 2000, X0 + (i + 1) * 2000, Y0 + (j + 1) * 2000)
             for j in range(2) for i in range(2)]  # fmt: skip
    return gpd.GeoDataFrame(
        {
            "code": ["01", "02", "03", "04"],
            "name": ["Đoàn Kết", "Tân Phong", "Mường Tè", XSS],
            "type": ["Phường", "Phường", "Xã", "Xã"],
            "area_km2": [4.0, 4.0, 4.0, 4.0],
            "pop": [1200.0, 3400.0, 560.0, np.nan],
            "secret": ["a", "b", "c", "d"],
        },
        geometry=cells,
        crs="EPSG:9205",
    )


def _wiggly_coverage(n: int = 38, *, spacing_m: float = 20.0, seed: int = 7) -> list:
    """A Lai Châu-size coverage: n Voronoi cells over 100 x 90 km (9,000 km²; Lai Châu is
    9,068.73 km²), edges every ``spacing_m`` and bent by a smooth displacement field, so the
    shared edges are long, jagged and exactly matched (about 124,000 vertices; the real
    2025 commune file has 168,681)."""
    rng = np.random.default_rng(seed)
    x0, y0, w, h = 440000.0, 2420000.0, 100000.0, 90000.0
    seeds = shapely.multipoints(rng.uniform([x0, y0], [x0 + w, y0 + h], size=(n, 2)))
    frame = shapely.box(x0, y0, x0 + w, y0 + h)
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=frame))
    cells = shapely.segmentize(shapely.intersection(cells, frame), spacing_m)

    def bend(xy):  # displacement gradient < 1: a smooth one-to-one map, topology kept
        xy = np.round(xy, 2)
        x, y = xy[:, 0], xy[:, 1]
        dx = 15 * np.sin(x / 60 + y / 97) + 4 * np.sin(y / 15 - x / 23)
        dy = 15 * np.cos(y / 60 - x / 83) + 4 * np.cos(x / 15 + y / 19)
        return np.round(np.column_stack([x + dx, y + dy]), 2)

    return list(shapely.transform(cells, bend))


@pytest.fixture(scope="module")
def units_38() -> gpd.GeoDataFrame:
    geoms = _wiggly_coverage()
    assert shapely.coverage_is_valid(geoms)
    n = len(geoms)
    return gpd.GeoDataFrame(
        {
            "code": [f"{i:05d}" for i in range(n)],
            "name": [f"Xã Mường Số {i}" for i in range(n)],
            "area_km2": shapely.area(geoms) / 1e6,
        },
        geometry=geoms,
        crs="EPSG:9205",
    )


def _geojson_data(m: folium.Map) -> list[dict]:
    return [c.data for c in m._children.values() if isinstance(c, folium.GeoJson)]


# ----------------------------------------------------------------------------- formatting


def test_format_vi_uses_vietnamese_separators():
    assert format_vi(9068.73) == "9.068,73"
    assert format_vi(1234567) == "1.234.567"
    assert format_vi(12.50) == "12,5"
    assert format_vi(12.5, decimals=2, trim=False) == "12,50"
    assert format_vi(float("nan")) == "–"
    assert format_vi(None) == "–"
    assert format_vi("Mường Tè") == "Mường Tè"


# ----------------------------------------------------------------------------- legend


def test_choropleth_classes_match_hand_computed_breaks(squares):
    # Fisher-Jenks with 2 classes on 560, 1200, 3400: the best split puts 3400 alone
    # (within-class squared deviations 204,800 vs 2,420,000 for the other split).
    colors, entries = layer_legend(MapLayer(squares, "Dân số", column="pop", k=2))
    assert [e[0] for e in entries] == ["560 – 1.200", "1.200 – 3.400", NO_DATA_LABEL]
    assert colors.iloc[0] == colors.iloc[2] != colors.iloc[1]
    assert colors.iloc[3] == entries[-1][1]


def test_quantiles_scheme_and_k_capped_at_distinct_values(squares):
    _, entries = layer_legend(MapLayer(squares, "Dân số", column="pop", scheme="Quantiles", k=9))
    assert len(entries) == 3 + 1  # 3 distinct values, plus "no data"


def test_category_colours_and_override(squares):
    colors, entries = layer_legend(
        MapLayer(squares, "Loại", column="type", colors={"Phường": "#ff0000"})
    )
    assert dict(entries)["Phường"] == "#ff0000"
    assert list(colors[squares["type"] == "Phường"]) == ["#ff0000", "#ff0000"]
    assert [lbl for lbl, _ in entries] == ["Phường", "Xã"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"column": "nope"}, r"column\(s\) \['nope'\] not found"),
        ({"fields": {"nope": "X"}}, "not found"),
        ({"column": "pop", "scheme": "Foo"}, "scheme 'Foo' failed.*FisherJenks"),
        ({"column": "type", "kind": "choropleth"}, "needs a numeric column"),
        ({"column": "area_km2"}, "1 distinct value"),
        ({"kind": "category"}, "needs a column"),
        ({"kind": "heat"}, "kind 'heat' unknown"),
        ({"column": "type", "cmap": "nocolormap"}, "colormap 'nocolormap' unknown"),
    ],
)
def test_layer_errors_say_what_to_do(squares, kwargs, match):
    with pytest.raises(LayerError, match=match):
        layer_legend(MapLayer(squares, "Lớp", **kwargs))


def test_layer_without_crs_is_refused(squares):
    with pytest.raises(CRSError, match="no coordinate reference system"):
        web_map([MapLayer(squares.set_crs(None, allow_override=True), "Lớp")], title="T")


def test_web_map_needs_layers():
    with pytest.raises(LayerError, match="at least one MapLayer"):
        web_map([], title="T")


# ----------------------------------------------------------------------------- geometry


def test_display_copy_is_wgs84_rounded_and_only_needed_columns(squares):
    out = display_copy(squares, columns=["name"], decimals=5)
    assert out.crs == "EPSG:4326"
    assert list(out.columns) == ["name", "geometry"]
    coords = shapely.get_coordinates(out.geometry.values)
    assert np.allclose(coords, np.round(coords, 5), rtol=0, atol=1e-12)
    # position kept: the same corner through the toolkit's pinned transformation, within 1 m
    ref = shapely.get_coordinates(to_crs(squares, "EPSG:4326").geometry.values)
    assert np.abs(coords[:5] - ref[:5]).max() < 1e-5
    assert squares.crs == "EPSG:9205" and "secret" in squares  # input untouched


def test_display_copy_needs_metres_to_simplify(squares):
    with pytest.raises(CRSError, match="simplification in metres need a projected CRS"):
        display_copy(to_crs(squares, "EPSG:4326"), simplify_m=30, name="xa")
    assert len(display_copy(to_crs(squares, "EPSG:4326"), simplify_m=0)) == 4


def test_coverage_simplification_keeps_shared_edges(units_38):
    out = display_copy(units_38, simplify_m=100)
    before = shapely.get_num_coordinates(units_38.geometry.values).sum()
    after = shapely.get_num_coordinates(out.geometry.values).sum()
    assert after < before / 10  # it did simplify
    # neighbours still share whole edges: no gaps, no overlaps
    back = to_crs(out, "EPSG:9205").geometry.values
    assert shapely.coverage_is_valid(back)
    total = shapely.area(back).sum()
    assert shapely.union_all(back).area == pytest.approx(total, rel=1e-9)
    # the shared boundaries are still there, as lines
    tree = shapely.STRtree(units_38.geometry.values)
    i, j = tree.query(units_38.geometry.values, predicate="touches")
    pairs = [(a, b) for a, b in zip(i, j, strict=True) if a < b]
    shared = [shapely.intersection(back[a], back[b]) for a, b in pairs]
    assert sum(s.length > 0 for s in shared) >= 0.9 * len(pairs)
    # whereas simplifying each polygon on its own opens gaps and overlaps
    alone = display_copy(units_38, simplify_m=100, coverage=False)
    assert not shapely.coverage_is_valid(to_crs(alone, "EPSG:9205").geometry.values)


def test_coverage_true_on_overlapping_polygons_raises(squares):
    overlapping = squares.copy()
    overlapping.loc[0, "geometry"] = box(X0, Y0, X0 + 2500, Y0 + 2000)
    with pytest.raises(LayerError, match=r"not a valid polygon coverage.*coverage=False"):
        display_copy(overlapping, coverage=True, name="xa")
    assert len(display_copy(overlapping, coverage=None)) == 4  # auto: per-polygon fallback


def test_lai_chau_size_map_under_1_mb(units_38, tmp_path):
    layer = MapLayer(units_38, "Xã", column="area_km2", fields={"name": "Tên", "area_km2": "km²"})
    path = save_map(web_map([layer], title="Lai Châu"), tmp_path / "m.html")
    assert path.stat().st_size < 1_000_000
    # the budget bites: the same map without simplification is several times larger
    raw = save_map(web_map([layer], title="Lai Châu", simplify_m=0), tmp_path / "raw.html")
    assert raw.stat().st_size > 3 * path.stat().st_size


# ----------------------------------------------------------------------------- page


def test_page_is_offline_and_inlines_leaflet(squares, tmp_path):
    m = web_map([MapLayer(squares, "Xã", column="type", fields={"name": "Tên"})], title="Bản đồ")
    page = render_html(m)
    assert external_resources(page) == []
    assert "Leaflet 1.9.4" in page
    assert not re.search(r"cdn\.|jquery|bootstrap|font-?awesome|awesome-markers", page, re.I)
    assert '<html lang="vi">' in page
    assert 0 < page.encode().find(b"charset=UTF-8") < 1024  # HTML: within the first 1024 bytes
    assert "L.control.scale" in page and "L.control.layers" in page and "gis-legend" in page
    # OSM is only an optional overlay: in the page, not shown (no addTo the map at start)
    assert "tile.openstreetmap.org" in page
    osm_var = re.search(r"var (tile_layer_\w+) = L\.tileLayer\(", page).group(1)
    assert f"{osm_var}.addTo(" not in page
    no_osm = render_html(web_map([MapLayer(squares, "Xã")], title="T", osm=False))
    assert "openstreetmap" not in no_osm


def test_only_needed_attributes_embedded(squares):
    m = web_map([MapLayer(squares, "Xã", fields={"name": "Tên"}, popup={"code": "Mã"})], title="T")
    (data,) = _geojson_data(m)
    assert set(data["features"][0]["properties"]) == {"name", "code"}
    assert "secret" not in render_html(m)


def test_attribute_text_is_escaped(squares):
    layer = MapLayer(squares, XSS, fields={"name": XSS}, popup={"name": "Tên"}, legend_title=XSS)
    m = web_map([layer], title=XSS, source=XSS)
    (data,) = _geojson_data(m)
    assert data["features"][3]["properties"]["name"] == "&lt;img src=x onerror=alert(1)&gt;"
    page = render_html(m)
    assert "<img src=x" not in page
    assert external_resources(page) == []


def test_save_map_refuses_cdn_plugins(squares, tmp_path):
    from folium.plugins import Fullscreen

    m = web_map([MapLayer(squares, "Xã")], title="T")
    Fullscreen().add_to(m)
    with pytest.raises(OfflineError, match=r"would load \d+ resource\(s\) from outside"):
        save_map(m, tmp_path / "m.html")
    assert not (tmp_path / "m.html").exists()
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind


def test_external_resources_finds_what_a_browser_would_fetch():
    page = (
        '<link rel="stylesheet" href="https://x/a.css"><script src="//x/b.js"></script>'
        "<style>.a{background:url(https://x/c.png)} .b{background:url(data:image/png;base64,AA)}"
        '@import "https://x/d.css";</style><a href="https://x/e">link</a>'
        "<script>var u = 'https://tile/{z}/{x}/{y}.png';</script>"
    )
    assert external_resources(page) == [
        "https://x/a.css", "//x/b.js", "https://x/c.png", "https://x/d.css"
    ]  # fmt: skip


def test_save_map_overwrites_atomically(squares, tmp_path):
    path = tmp_path / "sub" / "m.html"
    save_map(web_map([MapLayer(squares, "A")], title="Một"), path)
    save_map(web_map([MapLayer(squares, "B")], title="Hai"), path)
    assert "<title>Hai</title>" in path.read_text(encoding="utf-8")
    assert [p.name for p in path.parent.iterdir()] == ["m.html"]


def test_index_page_links_maps_relatively(squares, tmp_path):
    a = save_map(web_map([MapLayer(squares, "A")], title="A"), tmp_path / "maps" / "xã.html")
    idx = index_page({"Đơn vị <2025>": a}, tmp_path / "index.html", note="Nguồn: thử")
    text = idx.read_text(encoding="utf-8")
    assert 'href="maps/x%C3%A3.html"' in text
    assert "Đơn vị &lt;2025&gt;" in text and '<meta charset="utf-8">' in text
    with pytest.raises(LayerError, match=r"not found.*Build the maps first"):
        index_page({"B": tmp_path / "missing.html"}, tmp_path / "index.html")


# ----------------------------------------------------------------------------- browser


@pytest.mark.browser
def test_map_works_offline_in_chromium(browser, squares, tmp_path):
    points = gpd.GeoDataFrame(
        {"name": ["Thủy điện Lai Châu"], "capacity_mw": [1200]},
        geometry=[shapely.Point(X0 + 1000, Y0 + 1000)],
        crs="EPSG:9205",
    )
    layers = [
        MapLayer(squares, "Xã, phường", column="pop", unit="người",
                 fields={"name": "Tên", "pop": "Dân số"}, popup={"code": "Mã"}),
        MapLayer(points, "Thủy điện", fields={"name": "Tên", "capacity_mw": "Công suất (MW)"}),
    ]  # fmt: skip
    path = save_map(web_map(layers, title="Bản đồ thử – Lai Châu"), tmp_path / "offline.html")
    r = browser.open(path, screenshot="webmap_offline.png")
    assert r.leaflet == "1.9.4"
    assert r.paths == 5  # 4 squares + 1 circle marker
    assert r.errors == []
    assert "Bản đồ thử – Lai Châu" in r.text  # title
    assert "560 người\n560 – 1.200 người\n1.200 – 3.400 người\nKhông có số liệu" in r.text  # legend
    assert "Nền OpenStreetMap (cần Internet)" in r.text
    d = browser.driver
    assert d.execute_script("return document.querySelectorAll('img.leaflet-tile').length") == 0
    assert d.execute_script("return document.querySelectorAll('.leaflet-control-scale').length")
    assert r.screenshot.stat().st_size > 10_000


@pytest.mark.browser
def test_hostile_name_shows_as_text_in_chromium(browser, squares, tmp_path):
    layer = MapLayer(squares, "Xã", fields={"name": "Tên"}, popup={"name": "Tên"})
    path = save_map(web_map([layer], title="XSS"), tmp_path / "xss.html")
    browser.open(path)
    d = browser.driver
    shown = d.execute_script(
        """
        var texts = [];
        var map = Object.values(window).find(v => v instanceof L.Map);
        map.eachLayer(function(g) {
            if (!(g instanceof L.GeoJSON)) { return; }
            g.eachLayer(function(f) {
                var at = {latlng: f.getBounds().getCenter()};
                f.fire("mouseover", at, true);  // propagates to the group's tooltip
                texts.push(g.getTooltip().getElement().innerText);
                f.fire("click", at, true);
                texts.push(g.getPopup().getElement().innerText);
            });
        });
        return texts;
        """
    )
    assert len(shown) == 8
    assert any(XSS in t for t in shown)
    assert d.execute_script("return document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert browser.driver.get_log("browser") == []  # no alert, no failed image load


# ----------------------------------------------------------------------------- project layers


@pytest.fixture(scope="module")
def lai_chau_map(tmp_path_factory):
    """The 38 communes of 2025 and the hydropower plants, from the project's own layers/."""
    from gis.store import read_layer

    communes = read_layer("communes_2025")
    plants = read_layer("hydropower_plants")
    layers = [
        MapLayer(communes, "Xã, phường (2025)", column="area_km2", unit="km²",
                 fields={"name": "Tên", "type": "Loại", "area_km2": "Diện tích (km²)"},
                 popup={"full_name": "Tên đầy đủ", "code": "Mã"}),
        MapLayer(plants, "Thủy điện", fields={"name": "Tên", "capacity_mw": "Công suất (MW)"}),
    ]  # fmt: skip
    path = tmp_path_factory.mktemp("maps") / "lai_chau.html"
    return communes, save_map(web_map(layers, title="Tỉnh Lai Châu"), path)


def test_lai_chau_communes_map_is_light_and_edge_matched(lai_chau_map):
    communes, path = lai_chau_map
    assert len(communes) == 38
    assert path.stat().st_size < 1_000_000  # measured 0.76 MB
    shown = to_crs(display_copy(communes), "EPSG:9205").geometry.values
    raw_n = shapely.get_num_coordinates(communes.geometry.values).sum()
    assert shapely.get_num_coordinates(shown).sum() < raw_n / 4
    # neighbours keep shared edges: overlaps and gaps between them stay below 100 m² in all
    # (measured: no overlap, 15 m² of gaps from 1 m rounding; simplifying each polygon on its
    # own instead leaves 0.79 km² of overlaps and 0.82 km² of gaps)
    union = shapely.coverage_union_all(shown)
    assert abs(shapely.area(shown).sum() - union.area) < 100
    holes = sum(shapely.Polygon(r).area for p in shapely.get_parts(union) for r in p.interiors)
    assert holes < 100


@pytest.mark.browser
def test_lai_chau_map_in_chromium(browser, lai_chau_map):
    _, path = lai_chau_map
    r = browser.open(path, screenshot="lai_chau_communes.png")
    assert r.leaflet == "1.9.4" and r.errors == []
    assert r.paths >= 38


@pytest.mark.browser
def test_browser_harness_has_no_network(browser, tmp_path):
    # the same page as folium's default head would load: it must fail here, or the offline
    # checks above prove nothing
    page = tmp_path / "cdn.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"><script '
        'src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"></script></head>'
        "<body></body></html>",
        encoding="utf-8",
    )
    r = browser.open(page, wait_s=2)
    assert r.leaflet is None
    assert any("leaflet.js" in e["message"] and "net::ERR_" in e["message"] for e in r.errors)
