"""gis.plan: regions from units, schematic roads and their replacement, urban cores, hints."""

import importlib.util
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from gis.errors import CRSError, LayerError
from gis.plan import (
    axis_segments,
    hint_geometries,
    points_from_lonlat,
    regions,
    schematic_lines,
    urban_cores,
)
from gis.profile import load_profile
from gis.store import read_layer, write_layer
from gis.validate import validate_province

REPO = Path(__file__).resolve().parent.parent


def _errors(results):
    return [str(p) for ps in results.values() for p in ps if p.severity == "error"]


@pytest.fixture(scope="module")
def lc(store_copy_session):
    def get(name):
        return read_layer(name, province="lai_chau", layers_dir=store_copy_session)

    return get


# --- regions -------------------------------------------------------------------------------------


def test_regions_from_districts_sum_their_units(lc):
    districts, assign = lc("districts_pre2025"), lc("region_assignment_pre2025")
    r = regions(districts, assign, assignment_id="district_code").set_index("plan_region")
    assert r["unit_codes"].to_dict() == {
        "dynamic_economic": "105;106;109;110;111",
        "song_da_agroforestry": "107;108;112",
    }
    # Independent path: sum of the district areas of each region (the districts tile).
    by_code = districts.set_index("code").area / 1e6
    for region, codes in r["unit_codes"].items():
        expected = by_code[codes.split(";")].sum()
        assert r.loc[region, "geometry"].area / 1e6 == pytest.approx(expected, rel=1e-4)
    assert "plan_region" in districts.columns  # input untouched (its own column is ignored)


def test_shipped_regions_do_not_drift_from_their_units(lc):
    for suffix, units, aid in (
        ("pre2025", "districts_pre2025", "district_code"),
        ("2025", "communes_2025", "code"),
    ):
        fresh = regions(lc(units), lc(f"region_assignment_{suffix}"), assignment_id=aid)
        shipped = lc(f"orientation_regions_{suffix}")
        assert fresh["unit_codes"].tolist() == shipped["unit_codes"].tolist()
        diff = fresh.geometry.symmetric_difference(shipped.geometry, align=False).area
        assert diff.max() < 1.0  # m², coordinates snapped to 1 cm on storage


def test_regions_of_both_unit_systems_agree(lc):
    """The 2025 communes and the pre-2025 districts come from two surveys; the regions they give
    agree within 0.2 % (measured: 3,480.69 vs 3,477.34 km² and 5,589.48 vs 5,590.46 km²)."""
    old = lc("orientation_regions_pre2025").set_index("plan_region").area / 1e6
    new = lc("orientation_regions_2025").set_index("plan_region").area / 1e6
    assert ((new / old - 1).abs() < 0.002).all(), (old, new)


def test_regions_names_a_missing_unit(lc):
    assign = lc("region_assignment_pre2025")
    with pytest.raises(LayerError, match=r"unit\(s\) \['112'\].*Nậm Nhùn.*not in the region"):
        regions(
            lc("districts_pre2025"),
            assign[assign["district_code"] != "112"],
            assignment_id="district_code",
        )


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda a: pd.concat([a, a.iloc[[0]]]), r"assigned more than once.*'105'"),
        (
            lambda a: a.assign(plan_region=a["plan_region"].where(a.index != 0)),
            r"empty 'plan_region'",
        ),
        (
            lambda a: pd.concat([a, a.iloc[[0]].assign(district_code="999")]),
            r"names unit\(s\) \['999'\].*not in the units",
        ),
        (lambda a: a.drop(columns="plan_region"), r"lacks column\(s\) \['plan_region'\]"),
    ],
)
def test_regions_refuses_a_broken_assignment(lc, change, match):
    with pytest.raises(LayerError, match=match):
        regions(
            lc("districts_pre2025"),
            change(lc("region_assignment_pre2025")),
            assignment_id="district_code",
        )


def test_regions_keep_column_must_be_constant(lc):
    assign = lc("region_assignment_pre2025").copy()
    assign.loc[0, "plan_region_vi"] = "khác"
    with pytest.raises(LayerError, match=r"'plan_region_vi' has several values"):
        regions(
            lc("districts_pre2025"), assign, assignment_id="district_code", keep=["plan_region_vi"]
        )


def test_regions_need_metres():
    units = gpd.GeoDataFrame({"code": ["a"]}, geometry=[shapely.box(0, 0, 1, 1)], crs=4326)
    with pytest.raises(CRSError, match=r"region areas"):
        regions(units, pd.DataFrame({"code": ["a"], "plan_region": ["r"]}))


def test_second_province_regions_need_only_data(two_provinces):
    """Bắc Ninh (test profile, made-up regions): same function, same rule, no code change."""
    kw = {"province": "bac_ninh", "layers_dir": two_provinces}
    districts, assign = (
        read_layer("districts_pre2025", **kw),
        read_layer("region_assignment_pre2025", **kw),
    )
    r = regions(districts, assign, assignment_id="district_code")
    assert r["n_units"].tolist() == [4, 4] and r.crs.to_epsg() == 9209
    assert r.area.sum() / 1e6 == pytest.approx(districts.area.sum() / 1e6, rel=1e-6)
    assert _errors(validate_province(**kw)) == []
    # Breaking the region layer is caught by the same partition rule as in Lai Châu.
    broken = r[r["plan_region"] == "test_north"].assign(source="test")
    from gis.store import layer_meta
    from gis.validate import validate_frame

    problems = validate_frame(
        broken,
        "orientation_regions_pre2025",
        layer_meta("orientation_regions_pre2025", **kw),
        profile=load_profile("bac_ninh", layers_dir=two_provinces),
    )
    assert any("partition: gaps of" in str(p) for p in problems)


# --- roads ---------------------------------------------------------------------------------------


@pytest.fixture
def tiny():
    wp = gpd.GeoDataFrame(
        {"id": ["a", "b", "c"]},
        geometry=[shapely.Point(0, 0), shapely.Point(3000, 4000), shapely.Point(6000, 0)],
        crs=9205,
    )
    seg = pd.DataFrame(
        {"segment_id": ["S1", "S2"], "via": ["a;b;c", "c;a"], "axis_role": ["axis: main", ""]}
    )
    return wp, seg


def test_schematic_lines_go_through_the_waypoints(tiny):
    wp, seg = tiny
    out = schematic_lines(seg, wp)
    assert out.length.tolist() == pytest.approx([10_000.0, 6_000.0])  # 5 km + 5 km; 6 km
    assert out["accuracy"].tolist() == ["schematic", "schematic"]
    assert out["geometry_source"].tolist() == ["waypoints: a;b;c", "waypoints: c;a"]
    assert axis_segments(out)["segment_id"].tolist() == ["S1"]
    assert "geometry" not in seg.columns  # input untouched


def test_supplied_alignment_wins(tiny):
    wp, seg = tiny
    osm = gpd.GeoDataFrame(
        {"segment_id": ["S1"], "accuracy": ["OSM, ±20 m"], "source": ["OpenStreetMap"]},
        geometry=[shapely.LineString([(0, 0), (0, 4000), (3000, 4000), (6000, 0)])],
        crs=9205,
    )
    out = schematic_lines(seg, wp, alignments=osm).set_index("segment_id")
    assert out.loc["S1", "geometry"].length == pytest.approx(12_000.0)
    assert out.loc["S1", ["accuracy", "geometry_source"]].tolist() == [
        "OSM, ±20 m",
        "OpenStreetMap",
    ]
    assert out.loc["S2", "accuracy"] == "schematic"
    # A segments frame carrying its own geometry keeps it too.
    own = gpd.GeoDataFrame(seg, geometry=[osm.geometry.iloc[0], None], crs=9205)
    out = schematic_lines(own, wp)
    assert out.length.tolist() == pytest.approx([12_000.0, 6_000.0])
    assert out["geometry_source"].tolist() == ["supplied", "waypoints: c;a"]


@pytest.mark.parametrize(
    ("via", "match"),
    [
        ("a;zz", r"segment 'S1' names unknown waypoint\(s\) \['zz'\]"),
        ("a", r"at least its two ends"),
    ],
)
def test_schematic_lines_refuse_bad_via(tiny, via, match):
    wp, seg = tiny
    with pytest.raises(LayerError, match=match):
        schematic_lines(seg.assign(via=[via, "a;c"]), wp)


def test_alignment_for_unknown_segment_or_not_a_line(tiny):
    wp, seg = tiny
    bad = gpd.GeoDataFrame(
        {"segment_id": ["S9"]}, geometry=[shapely.LineString([(0, 0), (1, 1)])], crs=9205
    )
    with pytest.raises(LayerError, match=r"segment 'S9' matches no road segment"):
        schematic_lines(seg, wp, alignments=bad)
    pt = gpd.GeoDataFrame({"segment_id": ["S1"]}, geometry=[shapely.Point(0, 0)], crs=9205)
    with pytest.raises(LayerError, match=r"is Point, not a line"):
        schematic_lines(seg, wp, alignments=pt)


def _build_tool():
    spec = importlib.util.spec_from_file_location(
        "build_plan_layers", REPO / "tools" / "build_plan_layers.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
def test_planner_replaces_a_segment_without_code_change(store_copy, capsys):
    """Import a 'surveyed' QL.4D Tam Đường – Lai Châu line as road_alignments, rebuild: the
    segment takes it, the rules accept it; a line that misses the city is refused by `near`."""
    kw = {"province": "lai_chau", "layers_dir": store_copy}
    wp = read_layer("plan_waypoints", **kw).set_index("id")
    a, b = wp.geometry["tam_duong"], wp.geometry["lc_city"]
    bend = shapely.Point((a.x + b.x) / 2, (a.y + b.y) / 2 + 800)  # 800 m off the straight line
    meta = {
        "title": "Surveyed road alignments",
        "kind": "vector",
        "geometry_type": "LineString",
        "crs": "EPSG:9205",
        "id_column": "segment_id",
        "columns": [
            {"name": "segment_id", "dtype": "str", "required": True, "unique": True},
            {"name": "accuracy", "dtype": "str"},
            {"name": "source", "dtype": "str"},
        ],
        "provenance": {"source": "test line", "licence": "CC0", "date": "", "processing": ""},
    }
    line = gpd.GeoDataFrame(
        {"segment_id": ["S06"], "accuracy": ["survey ±10 m"], "source": ["test survey"]},
        geometry=[shapely.LineString([a, bend, b])],
        crs=9205,
    )
    write_layer(line, "road_alignments", meta=meta, **kw)
    tool = _build_tool()
    assert tool.main("lai_chau", store_copy) == 0
    roads = read_layer("roads", **kw).set_index("segment_id")
    axis = read_layer("orientation_axis", **kw).set_index("segment_id")
    assert roads.loc["S06", "geometry_source"] == "test survey"
    assert axis.loc["S06", "accuracy"] == "survey ±10 m"
    assert axis.loc["S06", "geometry"].length == pytest.approx(line.length.iloc[0], abs=0.1)
    assert roads.loc["S05", "accuracy"] == "schematic"

    # A line stopping 5 km short of the city: the near rule names segment and town.
    short = shapely.LineString([a, shapely.Point(b.x + 5000, b.y)])  # city is west
    write_layer(line.set_geometry([short]), "road_alignments", **kw)
    capsys.readouterr()
    assert tool.main("lai_chau", store_copy) == 1
    out = capsys.readouterr().out
    assert "orientation_axis [S06] near: passes 5,0" in out and "from 'lc_city'" in out


# --- urban areas, hints, points ------------------------------------------------------------------


def test_urban_cores_polygon_for_whole_wards_else_point(lc):
    communes, wp = lc("communes_2025"), lc("plan_waypoints")
    table = pd.DataFrame(
        {
            "urban_area": ["city", "town", "new"],
            "commune2025_code": ["03388;03408", "03598", "03613"],
            "waypoint_id": [None, "tan_uyen", None],
        }
    )
    out = urban_cores(table, communes, wp)
    assert out["geometry_kind"].tolist() == ["commune polygon", "point", "point"]
    wards = communes.set_index("code").loc[["03388", "03408"]].area.sum()
    assert out.geometry.iloc[0].area == pytest.approx(wards, rel=1e-6)
    assert out.geometry.iloc[1].equals(wp.set_index("id").geometry["tan_uyen"])
    assert out["geometry_source"].iloc[2].endswith("03613 (estimated)")
    assert communes.set_index("code").geometry["03613"].contains(out.geometry.iloc[2])
    with pytest.raises(LayerError, match=r"urban area 'x' names unknown or no 2025 commune"):
        urban_cores(
            pd.DataFrame({"urban_area": ["x"], "commune2025_code": ["99999"]}), communes, wp
        )
    with pytest.raises(LayerError, match=r"names unknown waypoint 'nowhere'"):
        urban_cores(table.assign(waypoint_id=[None, "nowhere", None]), communes, wp)


def test_shipped_urban_areas(lc):
    u = lc("urban_areas")
    d1585 = u[u["source_document"] == "Decision 1585/QĐ-TTg (2023)"]
    assert len(d1585) == 11 and len(u) == 28
    assert set(u.loc[u["geometry_kind"] == "commune polygon", "urban_area"]) == {
        "Thành phố Lai Châu"
    }
    assert set(u.geom_type) == {"Point", "Polygon"}


def test_hint_geometries(lc):
    hints = pd.Series(
        [
            "point 103.461389 22.397222 (waypoint lc_city); communes: 03388",
            "waypoints: sa_pa;tam_duong",
            "communes: 03388;03408",
            "districts: 110;111",
            "",
        ]
    )
    out = hint_geometries(
        hints,
        waypoints=lc("plan_waypoints"),
        communes=lc("communes_2025"),
        districts=lc("districts_pre2025"),
    )
    assert out["geometry_kind"].tolist() == [
        "point",
        "waypoints",
        "commune polygon",
        "district polygon",
        "none",
    ]
    # The point hint and the waypoint of the same coordinates coincide (same pinned shift).
    lc_city = lc("plan_waypoints").set_index("id").geometry["lc_city"]
    assert out.geometry.iloc[0].distance(lc_city) < 0.01
    assert out["commune_codes"].iloc[0] == "03388" and out.geometry.iloc[4] is None
    d = lc("districts_pre2025").set_index("code")
    assert out.geometry.iloc[3].area == pytest.approx(d.loc[["110", "111"]].area.sum(), rel=1e-6)
    with pytest.raises(LayerError, match=r"unknown communes \['99999'\]"):
        hint_geometries(
            pd.Series(["communes: 99999"]),
            waypoints=lc("plan_waypoints"),
            communes=lc("communes_2025"),
            districts=lc("districts_pre2025"),
        )


def test_points_from_lonlat_refuses_missing_coordinates():
    df = pd.DataFrame({"name": ["a", "b"], "lon": ["103.5", None], "lat": ["22.3", "22.1"]})
    with pytest.raises(LayerError, match=r"rows \[1\] have no valid 'lon'/'lat'"):
        points_from_lonlat(df, crs="EPSG:9205")
    out = points_from_lonlat(df.iloc[:1], crs="EPSG:9205")
    assert out.crs.to_epsg() == 9205 and list(out.columns) == ["name", "geometry"]
    # 103.5° E is 0.5° east of the zone's central meridian 103°: by hand 0.5 × 111.32 km ×
    # cos(22.3°) = 51.50 km east of the false easting of 500 km.
    assert out.geometry.iloc[0].x == pytest.approx(551_500, abs=500)


@pytest.mark.slow
def test_rebuilding_the_plan_layers_writes_the_shipped_files(store_copy, capsys):
    """tools/build_plan_layers.py and build_plan_targets.py on the shipped sources write the
    shipped layers byte for byte, and their .meta.json except the build date: a rebuild keeps
    every provenance field (``source_vi`` included, which the Vietnamese report prints)."""
    import re

    targets = importlib.util.spec_from_file_location(
        "build_plan_targets", REPO / "tools" / "build_plan_targets.py"
    )
    targets_tool = importlib.util.module_from_spec(targets)
    targets.loader.exec_module(targets_tool)
    assert targets_tool.main("lai_chau", store_copy) == 0
    assert _build_tool().main("lai_chau", store_copy) == 0
    capsys.readouterr()

    def undated(text: str) -> str:
        return re.sub(r"\b20\d\d-\d\d-\d\d\b", "<date>", text)

    shipped = REPO / "layers" / "lai_chau"
    rebuilt = [
        p
        for p in sorted(store_copy.joinpath("lai_chau").iterdir())
        if p.is_file() and p.name[0] != "."
    ]
    assert len(rebuilt) > 30
    for path in rebuilt:
        before = (shipped / path.name).read_bytes()
        if path.name.endswith(".meta.json"):
            assert undated(path.read_text("utf-8")) == undated(before.decode()), path.name
        else:
            assert path.read_bytes() == before, path.name
