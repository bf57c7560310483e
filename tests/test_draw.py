"""gis.draw: drawn GeoJSON -> planning CRS (checked against PROJ and the ellipsoid), its errors,
and the ipyleaflet map driven the way its front end drives it."""

import json
import sys

import geopandas as gpd
import pyproj
import pytest
import shapely
from pyproj.transformer import TransformerGroup
from shapely.geometry import Point, box, mapping

from gis.crs import to_crs
from gis.draw import LABEL_MAX_CHARS, draw_map, drawn_features
from gis.edit import add_features, open_layer, save_layer
from gis.errors import CRSError, GisError, LayerError, MissingDependencyError
from gis.store import check_layer, read_layer

ipyleaflet = pytest.importorskip("ipyleaflet")

# Control point: Lai Châu city centre, VN-2000 / TM-3 103-00 (EPSG:9205) metres (as test_crs).
CONTROL_9205 = (546991.57, 2477623.92)
PLANTS = "hydropower_plants"


def _feature(geom, **props):
    """A feature as Leaflet.draw gives it: GeoJSON in lon/lat, Leaflet's options under 'style'."""
    style = {"color": "#d62728", "weight": 3, "icon": {"options": {}, "_initHooksCalled": True}}
    return {
        "type": "Feature",
        "properties": {"style": style, **props},
        "geometry": json.loads(json.dumps(mapping(geom))),  # lists, as JSON gives them
    }


def _proj_registered_2007():
    """PROJ's registered 'VN-2000 to WGS 84 (2)' (the 2007 parameters), not gis.crs."""
    group = TransformerGroup("EPSG:9205", "EPSG:4326", always_xy=True)
    (t,) = [t for t in group.transformers if "VN-2000 to WGS 84 (2)" in t.description]
    return t


# ----------------------------------------------------------------------------- conversion


def test_marker_lands_where_proj_registered_transformation_puts_it():
    lon, lat = _proj_registered_2007().transform(*CONTROL_9205)  # control point in WGS 84
    gdf = drawn_features([_feature(Point(lon, lat))], crs="EPSG:9205", geometry_type="Point")
    got = gdf.geometry.iloc[0]
    assert gdf.crs.to_epsg() == 9205
    # Same as gis.crs.to_crs, and within 1 cm of PROJ's registered transformation (same
    # parameters; a plain EPSG:4326 -> 9205 could pick another one, metres away).
    ours = to_crs(gpd.GeoSeries([Point(lon, lat)], crs=4326), 9205).iloc[0]
    assert got.equals_exact(ours, 1e-6)
    assert got.distance(Point(CONTROL_9205)) < 0.01
    assert list(gdf.columns) == ["geometry"]  # Leaflet's 'style' is not an attribute


def test_drawn_square_area_matches_the_ellipsoid():
    square = box(103.40, 22.30, 103.50, 22.40)  # 0.1° x 0.1°, drawn in lon/lat
    gdf = drawn_features([_feature(square)])  # default: the profile's planning CRS
    assert gdf.crs.to_epsg() == 9205
    area_km2 = gdf.area.iloc[0] / 1e6
    geod_m2, _ = pyproj.Geod(ellps="WGS84").geometry_area_perimeter(square)
    geod_km2 = abs(geod_m2) / 1e6
    # By hand on a sphere of radius 6371 km: R² Δλ (sin φ2 - sin φ1) ≈ 114.1 km².
    assert 113.5 < geod_km2 < 114.7
    # TM-3 scale at 0.45° from the central meridian, k = 0.9999 (1 + x²/2R²), gives k² ≈ 0.99985.
    assert area_km2 / geod_km2 == pytest.approx(0.99985, abs=2e-4)


def test_properties_become_columns_and_input_is_unchanged():
    feats = [_feature(Point(103.4, 22.4), name="Nhà máy A"), _feature(Point(103.5, 22.3))]
    before = json.dumps(feats)
    gdf = drawn_features({"type": "FeatureCollection", "features": feats}, crs=9205)
    assert gdf["name"].tolist()[0] == "Nhà máy A" and len(gdf) == 2
    assert json.dumps(feats) == before


def test_nothing_drawn():
    for empty in ([], None, {"type": "FeatureCollection", "features": []}):
        with pytest.raises(LayerError, match=r"no features drawn\. Draw on the map first"):
            drawn_features(empty, crs=9205)


def test_empty_last_draw_is_refused():
    with pytest.raises(LayerError, match="feature 0 has no geometry; draw it again"):
        drawn_features([{"type": "Feature", "geometry": None}], crs=9205)


def test_wrong_geometry_for_the_layer_names_the_tool():
    line = _feature(shapely.LineString([(103.4, 22.3), (103.5, 22.4)]))
    with pytest.raises(
        LayerError,
        match=r"feature 1 is a LineString; the layer holds Point geometries.*with the marker tool",
    ):
        drawn_features([_feature(Point(103.4, 22.4)), line], crs=9205, geometry_type="Point")


def test_unknown_geometry_type_lists_the_allowed():
    with pytest.raises(LayerError, match=r"'Polygons' is not one of 'Point', 'LineString'"):
        drawn_features([_feature(Point(103.4, 22.4))], crs=9205, geometry_type="Polygons")


def test_self_intersecting_polygon_says_where_and_how_to_fix():
    bowtie = shapely.Polygon([(103.4, 22.3), (103.5, 22.4), (103.5, 22.3), (103.4, 22.4)])
    with pytest.raises(LayerError, match=r"feature 0 \(Polygon\) is not valid") as err:
        drawn_features([_feature(bowtie)], crs=9205, geometry_type="Polygon")
    text = str(err.value)
    assert "Self-intersection at 103.45000°E 22.35000°N" in text
    assert "edges cross" in text and "shapely.make_valid" in text


def test_metres_are_not_taken_for_degrees():
    with pytest.raises(CRSError, match="outside longitude/latitude range"):
        drawn_features([_feature(Point(*CONTROL_9205))], crs=9205)


def test_not_a_feature():
    with pytest.raises(LayerError, match="not a GeoJSON Feature dict"):
        drawn_features(["POINT (103 22)"], crs=9205)
    with pytest.raises(LayerError, match="not valid GeoJSON"):
        drawn_features([{"type": "Feature", "geometry": {"type": "Blob"}}], crs=9205)


# ----------------------------------------------------------------------------- the widget


def _draw(control, feature, *, action="created", data=None):
    """Do what jupyter-leaflet's DrawControl view does on a draw: send the event, then sync
    ``data`` (every drawn layer) with the kernel."""
    control._handle_leaflet_event(None, {"event": f"draw:{action}", "geo_json": feature}, [])
    control.data = data if data is not None else [*control.data, feature]


def _labels(dm):
    """Texts of the status box of draw_map: (what is drawn, what the mouse is over)."""
    (box_,) = [c for c in dm.map.controls if isinstance(c, ipyleaflet.WidgetControl)]
    return [w.value for w in box_.widget.children]


def _geojson(dm, name=None):
    """GeoJSON layers of the map (all, or the one called ``name``)."""
    found = [la for la in dm.map.layers if isinstance(la, ipyleaflet.GeoJSON)]
    if name is None:
        return found
    (layer,) = [la for la in found if la.name == name]
    return layer


def _move(dm, lat, lon, kind="mousemove"):
    """What jupyter-leaflet's map view sends on every pointer move (Map.on_interaction)."""
    event = {"event": "interaction", "type": kind, "coordinates": [lat, lon]}
    dm.map._handle_leaflet_event(None, event, [])


def test_map_is_offline_by_default(store_copy):
    dm = draw_map(province="lai_chau", layers_dir=store_copy)
    assert not [la for la in dm.map.layers if isinstance(la, ipyleaflet.TileLayer)]
    names = [la.name for la in _geojson(dm)]
    assert names == ["province", "roads", "orientation_axis", "urban_areas"]  # outline, context
    lat, lon = dm.map.center
    assert 21.5 < lat < 22.9 and 102.2 < lon < 103.9 and 7 <= dm.map.zoom <= 9  # Lai Châu
    tools = dm.control
    assert tools.polygon and tools.polyline and tools.marker
    assert not (tools.circle or tools.circlemarker or tools.rectangle)
    assert tools.edit and tools.remove
    assert dm.features == []
    assert "application/vnd.jupyter.widget-view+json" in dm._repr_mimebundle_()


def test_basemap_only_when_asked(store_copy):
    dm = draw_map(basemap=True, province="lai_chau", layers_dir=store_copy)
    (tiles,) = [la for la in dm.map.layers if isinstance(la, ipyleaflet.TileLayer)]
    assert "openstreetmap" in tiles.url


def test_geometry_type_offers_only_its_tool(store_copy):
    dm = draw_map(geometry_type="Point", province="lai_chau", layers_dir=store_copy)
    assert dm.control.marker and not dm.control.polygon and not dm.control.polyline


def test_reference_attributes_are_escaped_and_cut(store_copy):
    hostile = gpd.GeoDataFrame(
        {"code": ["x1"], "name": ["<img src=x onerror=alert(1)>" + "x" * 200], "secret": ["s"]},
        geometry=[box(540000, 2470000, 550000, 2480000)],
        crs=9205,
    )
    hostile.attrs["id_column"] = "code"
    dm = draw_map(layer=hostile, context=(), province="lai_chau", layers_dir=store_copy)
    (ref,) = _geojson(dm)
    props = ref.data["features"][0]["properties"]
    assert props["name"].startswith("&lt;img src=x") and "<img" not in json.dumps(ref.data)
    assert "secret" not in props
    assert len(props["name"]) <= LABEL_MAX_CHARS + 4 * 3  # each of < > = grows when escaped
    # The readout, for a pointer inside the square, shows id and name, still escaped.
    inside = to_crs(gpd.GeoSeries([Point(545000, 2475000)], crs=9205), 4326).iloc[0]
    _move(dm, inside.y, inside.x)
    hover = _labels(dm)[1]
    assert "x1" in hover and "&lt;img" in hover and "<img" not in hover


def test_reference_layer_is_shown_in_wgs84_with_the_pinned_shift(store_copy):
    dm = draw_map(layer=PLANTS, province="lai_chau", layers_dir=store_copy)
    ref = _geojson(dm, PLANTS)
    plants = read_layer(PLANTS, province="lai_chau", layers_dir=store_copy)
    first = ref.data["features"][0]
    expected = to_crs(plants.iloc[[0]], 4326).geometry.iloc[0]
    assert Point(first["geometry"]["coordinates"]).distance(expected) < 1e-5  # 5 decimals
    assert set(first["properties"]) <= {"plant_id", "name", "style"}


def test_context_roads_axis_and_towns_to_place_things_against(store_copy):
    dm = draw_map(layer="communes_2025", province="lai_chau", layers_dir=store_copy)
    roads = _geojson(dm, "roads")
    dashed = [
        f["properties"]["road_ref"]
        for f in roads.data["features"]
        if "dashArray" in f["properties"]["style"]
    ]
    planned = read_layer("roads", province="lai_chau", layers_dir=store_copy)
    planned = planned.loc[planned["status"] == "planned", "road_ref"]
    assert dashed == list(planned) and len(dashed) == 2  # the expressway and the tunnel
    axis = _geojson(dm, "orientation_axis")
    assert {f["properties"]["style"]["color"] for f in axis.data["features"]} == {"#d7191c"}
    assert len(axis.data["features"]) == 8
    # towns: the plan's 11 (the first source document), not the programme's rows again
    towns = _geojson(dm, "urban_areas")
    assert len(towns.data["features"]) == 11
    (names,) = [
        la
        for la in dm.map.layers
        if isinstance(la, ipyleaflet.LayerGroup) and la.name == "urban_areas: names"
    ]
    labels = [m.icon.html for m in names.layers]
    assert len(labels) == 11 and any(">Thị trấn Tam Đường</div>" in h for h in labels)
    assert dm.missing == []


def test_missing_context_layer_is_named_not_fatal(store_copy):
    (store_copy / "lai_chau" / "orientation_axis.geojson").unlink()
    dm = draw_map(province="lai_chau", layers_dir=store_copy)
    assert dm.missing == ["orientation_axis"]
    assert "Not in the store: orientation_axis" in " ".join(_labels(dm))
    assert [la.name for la in _geojson(dm)] == ["province", "roads", "urban_areas"]


def test_readout_follows_the_pointer_and_clears_outside(store_copy):
    dm = draw_map(layer="communes_2025", province="lai_chau", layers_dir=store_copy)
    communes = to_crs(read_layer("communes_2025", province="lai_chau", layers_dir=store_copy), 4326)
    inside = communes.geometry.iloc[0].representative_point()
    _move(dm, inside.y, inside.x)
    assert (
        f"communes_2025: {communes['code'].iloc[0]} · {communes['name'].iloc[0]}"
        in (_labels(dm)[1])
    )
    _move(dm, 21.0, 105.5)  # Hà Nội side: no commune of Lai Châu, nothing near
    assert _labels(dm)[1] == ""  # cleared, not the last commune
    _move(dm, inside.y, inside.x)
    _move(dm, inside.y, inside.x, kind="mouseout")  # the pointer leaves the map
    assert _labels(dm)[1] == ""


def test_readout_names_a_town_within_8_pixels(store_copy):
    dm = draw_map(context=("urban_areas",), zoom=10, province="lai_chau", layers_dir=store_copy)
    towns = read_layer("urban_areas", province="lai_chau", layers_dir=store_copy)
    town = to_crs(towns.iloc[[5]], 4326).geometry.iloc[0]  # Thị trấn Tam Đường, a point
    # By hand: at zoom 10 a 256-px tile spans 360/2**10 = 0.3516° of longitude, so one pixel is
    # 0.3516/256 = 0.001373° and 8 pixels 0.01099°.
    px_deg = 360 / 2**10 / 256
    _move(dm, town.y, town.x + 6 * px_deg)
    assert "urban_areas: d1585_thi_tran_tam_duong · Thị trấn Tam Đường" in _labels(dm)[1]
    _move(dm, town.y, town.x + 10 * px_deg)
    assert "Tam Đường" not in _labels(dm)[1]


def test_what_is_drawn_comes_back_and_joins_the_layer(store_copy):
    kw = {"province": "lai_chau", "layers_dir": store_copy}
    plants = open_layer(PLANTS, **kw)
    dm = draw_map(layer=PLANTS, geometry_type="Point", **kw)
    with pytest.raises(LayerError, match="no features drawn"):
        dm.to_geodataframe()

    lon, lat = _proj_registered_2007().transform(*CONTROL_9205)
    first = _feature(Point(103.30, 22.30))
    _draw(dm.control, first)
    assert dm.control.last_action == "created" and dm.actions == ["created"]
    assert _labels(dm)[0] == "<b>Drawn:</b> 1 Point"
    moved = _feature(Point(lon, lat))  # the planner drags the marker onto the control point
    _draw(dm.control, moved, action="edited", data=[moved])

    drawn = dm.to_geodataframe()
    assert drawn.crs.to_epsg() == 9205 and len(drawn) == 1
    assert drawn.geometry.iloc[0].distance(Point(CONTROL_9205)) < 0.01

    new = drawn.assign(plant_id="hp_drawn", name="Thủy điện vẽ thử (exercise)")
    edited = add_features(plants, new)
    assert check_layer(edited, PLANTS, **kw) == []
    saved = save_layer(edited, PLANTS, message="drawn on the map (test)", **kw)
    back = read_layer(PLANTS, **kw)
    row = back[back["plant_id"] == "hp_drawn"]
    assert len(saved) == len(plants) + 1 and len(row) == 1
    assert row.geometry.iloc[0].distance(Point(CONTROL_9205)) < 0.01

    _draw(dm.control, moved, action="deleted", data=[])
    assert dm.actions == ["created", "edited", "deleted"] and dm.features == []


def test_polygon_drawn_on_the_map_is_checked_against_the_layer(store_copy):
    kw = {"province": "lai_chau", "layers_dir": store_copy}
    dm = draw_map(layer="communes_2025", **kw)
    bowtie = shapely.Polygon([(103.4, 22.3), (103.5, 22.4), (103.5, 22.3), (103.4, 22.4)])
    _draw(dm.control, _feature(bowtie))
    with pytest.raises(LayerError, match="edges cross"):
        dm.to_geodataframe()
    dm.clear()
    assert dm.features == []


def test_missing_ipyleaflet_says_how_to_install(monkeypatch, store_copy):
    monkeypatch.setitem(sys.modules, "ipyleaflet", None)  # import raises ImportError
    with pytest.raises(MissingDependencyError, match=r"pip install 'vn-planning-gis\[notebooks\]'"):
        draw_map(province="lai_chau", layers_dir=store_copy)
    assert issubclass(MissingDependencyError, GisError | ImportError)


def test_docstring_examples_run():
    import doctest

    import gis.draw

    result = doctest.testmod(gis.draw)
    assert result.attempted > 0 and result.failed == 0
