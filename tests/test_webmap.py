"""Tests of gis.webmap: offline pages, size, escaping, index page; and in a real browser."""

from __future__ import annotations

import html
import re
import time

import folium
import geopandas as gpd
import pytest
import shapely
from mapfixtures import X0, XSS, Y0, make_squares, make_units_38

from gis.crs import to_crs
from gis.errors import CRSError, LayerError
from gis.webmap import (
    MapLayer,
    OfflineError,
    display_copy,
    external_resources,
    index_page,
    inline_map,
    render_html,
    save_map,
    web_map,
)


@pytest.fixture
def squares() -> gpd.GeoDataFrame:
    return make_squares()


@pytest.fixture(scope="module")
def units_38() -> gpd.GeoDataFrame:
    return make_units_38()


def _geojson_data(m: folium.Map) -> list[dict]:
    return [c.data for c in m._children.values() if isinstance(c, folium.GeoJson)]


def test_layer_without_crs_is_refused(squares):
    with pytest.raises(CRSError, match="no coordinate reference system"):
        web_map([MapLayer(squares.set_crs(None, allow_override=True), "Lớp")], title="T")


def test_web_map_needs_layers():
    with pytest.raises(LayerError, match="at least one MapLayer"):
        web_map([], title="T")


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
        "https://x/a.css",
        "//x/b.js",
        "https://x/c.png",
        "https://x/d.css",
    ]


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
        MapLayer(
            squares,
            "Xã, phường",
            column="pop",
            unit="người",
            fields={"name": "Tên", "pop": "Dân số"},
            popup={"code": "Mã"},
        ),
        MapLayer(points, "Thủy điện", fields={"name": "Tên", "capacity_mw": "Công suất (MW)"}),
    ]
    path = save_map(web_map(layers, title="Bản đồ thử – Lai Châu"), tmp_path / "offline.html")
    r = browser.open(path, screenshot="webmap_offline.png")
    assert r.leaflet == "1.9.4"
    assert r.paths == 5  # 4 squares + 1 circle marker
    assert r.errors == []
    assert "Bản đồ thử – Lai Châu" in r.text  # title
    assert (
        "560 người\ntrên 560 – 1.200 người\n1.200 – 3.400 người\nKhông có số liệu" in r.text
    )  # legend
    d = browser.driver
    # the layer control is collapsed (it covered the title and the map); its labels are there
    assert (
        d.execute_script(
            "return document.querySelector('.leaflet-control-layers').textContent"
        ).count("Nền OpenStreetMap (cần Internet)")
        == 1
    )
    assert not d.execute_script("return document.querySelector('.leaflet-control-layers-expanded')")
    # plain "Leaflet" attribution prefix, no flag drawn as an inline SVG
    assert (
        d.execute_script(
            "return document.querySelectorAll('.leaflet-control-attribution svg').length"
        )
        == 0
    )
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
        MapLayer(
            communes,
            "Xã, phường (2025)",
            column="area_km2",
            unit="km²",
            fields={"name": "Tên", "type": "Loại", "area_km2": "Diện tích (km²)"},
            popup={"full_name": "Tên đầy đủ", "code": "Mã"},
        ),
        MapLayer(plants, "Thủy điện", fields={"name": "Tên", "capacity_mw": "Công suất (MW)"}),
    ]
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


# ----------------------------------------------------------------------------- inline in notebooks


def test_inline_map_embeds_the_whole_page(squares, tmp_path):
    m = web_map([MapLayer(squares, "Xã", fields={"name": "Tên"})], title="Bản đồ <Lai Châu>")
    shown = inline_map(m, height_px=450)
    frame = shown._repr_html_()
    assert frame.startswith("<iframe srcdoc=") and 'height="450"' in frame
    assert external_resources(shown.page) == [] and "Leaflet 1.9.4" in shown.page
    # the page is escaped into the attribute: no raw tag or quote of the page leaks out of it
    assert frame.count("<") == 2 and frame.count("</iframe>") == 1
    assert html.unescape(frame.split('srcdoc="', 1)[1].split('" width=')[0]) == shown.page
    assert "Bản đồ &lt;Lai Châu&gt;" in shown.page
    assert repr(shown).startswith("<InlineMap 'Bản đồ <Lai Châu>': ")
    # from a saved file: the file's page
    path = save_map(web_map([MapLayer(squares, "Xã")], title="T"), tmp_path / "m.html")
    assert inline_map(path).page == path.read_text(encoding="utf-8")


def test_inline_map_refuses_network_pages_and_missing_files(tmp_path):
    cdn = tmp_path / "cdn.html"
    cdn.write_text('<html><script src="https://cdn.example.org/leaflet.js"></script></html>')
    with pytest.raises(OfflineError, match=r"1 resource.*cdn\.example\.org"):
        inline_map(cdn)
    with pytest.raises(LayerError, match=r"not found\. Build the maps first"):
        inline_map(tmp_path / "nothing.html")


@pytest.mark.browser
def test_inline_map_draws_in_chromium_without_network(browser, squares, tmp_path):
    """The notebook output (an iframe srcdoc) inside a host page: the map draws, offline."""
    m = web_map([MapLayer(squares, "Xã", column="type")], title="Trong sổ tay")
    host = tmp_path / "notebook_output.html"
    host.write_text(
        f'<!DOCTYPE html><html><meta charset="utf-8"><body>{inline_map(m)._repr_html_()}</body>'
        "</html>",
        encoding="utf-8",
    )
    d = browser.driver
    d.get(host.resolve().as_uri())
    d.switch_to.frame(d.find_element("tag name", "iframe"))
    try:
        count = "return document.querySelectorAll('path.leaflet-interactive').length"
        for _ in range(100):
            if d.execute_script(count):
                break
            time.sleep(0.1)
        assert d.execute_script("return window.L ? L.version : null") == "1.9.4"
        assert d.execute_script(count) == 4
        assert "Trong sổ tay" in d.execute_script("return document.body.innerText")
    finally:
        d.switch_to.default_content()
    assert [e for e in d.get_log("browser") if e.get("level") == "SEVERE"] == []


@pytest.mark.browser
def test_coincident_points_stay_visible_in_chromium(browser, squares, tmp_path):
    spot = shapely.Point(X0 + 1000, Y0 + 1000)
    fac = gpd.GeoDataFrame(
        {"name": ["Khu công nghiệp", "Cảng hàng không"], "kind": ["park", "airport"]},
        geometry=[spot, spot],
        crs="EPSG:9205",
    )
    gate = gpd.GeoDataFrame({"name": ["Cửa khẩu"]}, geometry=[spot], crs="EPSG:9205")
    layers = [
        MapLayer(fac, "Cơ sở", column="kind", radius=7, fields={"name": "Tên"}),
        MapLayer(gate, "Cửa khẩu", radius=5, fields={"name": "Tên"}),
    ]
    path = save_map(web_map(layers, title="Trùng điểm"), tmp_path / "same.html")
    r = browser.open(path)
    assert r.paths == 3 and r.errors == []
    radii = browser.driver.execute_script(
        "var out = []; var m = Object.values(window).filter(v => v instanceof L.Map)[0];"
        "m.eachLayer(function(l) { if (l instanceof L.CircleMarker) out.push(l.getRadius()); });"
        "return out;"
    )
    # drawn bottom to top: each lower symbol is a ring around the ones above it
    assert sorted(radii, reverse=True) == [13.0, 9.0, 5.0]


def test_planned_lines_are_dashed_with_a_dashed_legend_row(squares):
    lines = gpd.GeoDataFrame(
        {"kind": ["hiện có", "quy hoạch"], "planned": [False, True]},
        geometry=[
            shapely.LineString([(X0, Y0), (X0 + 900, Y0)]),
            shapely.LineString([(X0, Y0 + 500), (X0 + 900, Y0 + 500)]),
        ],
        crs="EPSG:9205",
    )
    layer = MapLayer(
        lines,
        "Đường",
        column="kind",
        kind="category",
        dashed="planned",
        colors={"hiện có": "#d7301f", "quy hoạch": "#fdbb84"},
    )
    page = render_html(web_map([layer], title="Đường"))
    assert page.count('"dashArray": "8 6"') == 1
    assert "repeating-linear-gradient(90deg,#fdbb84" in page
    assert "repeating-linear-gradient(90deg,#d7301f" not in page


def test_legend_swatch_of_a_translucent_fill_is_the_colour_seen_on_the_map(squares):
    from gis.webmap import _swatch_css

    layer = MapLayer(squares, "Xã", fill_opacity=0.5)
    assert _swatch_css("#000000", "", layer, False, "#ffffff") == "#808080"
    assert _swatch_css("#000000", "point", layer, False, "#ffffff") == "#000000"
    opaque = MapLayer(squares, "Xã", fill_opacity=1.0)
    assert _swatch_css("#123456", "", opaque, False, "#ffffff") == "#123456"


def test_hollow_symbols_and_legend_sizes_follow_the_layer(squares):
    spot = gpd.GeoDataFrame(
        {"name": ["A"]}, geometry=[shapely.Point(X0 + 500, Y0 + 500)], crs="EPSG:9205"
    )
    layers = [
        MapLayer(spot, "Loại IV", radius=9.5, color="#fb6a4a", stack=False),
        MapLayer(
            spot,
            "Hiện trạng – Loại V",
            radius=6.5,
            color="#8a4c3b",
            hollow=True,
            weight=3.0,
            stack=False,
        ),
    ]
    page = render_html(web_map(layers, title="T"))
    # legend: a symbol as big as on the map; a hollow one as a ring of its colour
    assert "width:19px;height:19px;" in page and "background:#fb6a4a" in page
    assert "width:13px;height:13px;" in page
    assert "background:transparent;border:3px solid #8a4c3b" in page
    assert '"fillOpacity": 0.0' in page and '"color": "#8a4c3b"' in page
    # no focus rectangle on a clicked feature
    assert ".leaflet-interactive:focus { outline: none; }" in page


@pytest.mark.browser
def test_labels_show_by_zoom_level_without_clutter_in_chromium(browser, squares, tmp_path):
    near = shapely.Point(X0 + 1000, Y0 + 1000)
    towns = gpd.GeoDataFrame(
        {"name": ["Thị trấn <Một>", "Thị trấn Hai", "Bản Ba"], "level": [0, 1, 1]},
        geometry=[near, shapely.Point(X0 + 3000, Y0 + 3000), shapely.Point(X0 + 1001, Y0 + 1001)],
        crs="EPSG:9205",
    )
    layers = [
        MapLayer(squares, "Xã", label="name", label_zoom=1, fields={"name": "Tên"}),
        MapLayer(towns[towns["level"] == 0], "Lớn", label="name", radius=9),
        MapLayer(towns[towns["level"] == 1], "Nhỏ", label="name", label_zoom=1, radius=5),
        MapLayer(towns.iloc[[0]], "Cửa khẩu", label="name"),  # same name, same place: once
    ]
    path = save_map(web_map(layers, title="Nhãn"), tmp_path / "labels.html")
    browser.open(path)
    d = browser.driver
    shown = (
        "return Array.from(document.querySelectorAll('.gis-label')).filter(e => "
        "getComputedStyle(e).display !== 'none' && e.style.visibility !== 'hidden')"
        ".map(e => e.innerText).sort()"
    )
    assert d.execute_script(shown) == ["Thị trấn <Một>"]  # escaped text, written once
    # 4 communes, 3 towns; the gate's label repeats a town's at the same place: left out
    assert d.execute_script("return document.querySelectorAll('.gis-label').length") == 7
    d.execute_script(
        "Object.values(window).find(v => v instanceof L.Map).zoomIn(1, {animate: false})"
    )
    time.sleep(0.3)
    after = d.execute_script(shown)
    # one step closer: the small towns and the communes too, but a label on a label of a
    # higher priority is hidden: "Bản Ba" and the commune "Đoàn Kết" on "Thị trấn <Một>"
    # (shown at the wider view), a commune on "Thị trấn Hai" (a point before an area)
    assert after == ["Mường Tè", "Thị trấn <Một>", "Thị trấn Hai", "Tân Phong"]
    assert [e for e in d.get_log("browser") if e.get("level") == "SEVERE"] == []
