"""The plan's facts as corrected by the source review of issue 13.

Each test reads the shipped layers (built from ``layers/lai_chau/_sources``) and checks one fact
against its source; each fails on the value the layers held before the review.
"""

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point

from gis.crs import to_crs
from gis.profile import load_profile
from gis.stats import _facts_latest
from gis.store import layer_meta, read_layer
from gis.validate import RULES, validate_frame

M2_PER_HA = 10_000.0


@pytest.fixture(scope="module")
def read():
    profile = load_profile("lai_chau")
    return lambda name: read_layer(name, province=profile)


def _errors(layer, frame):
    profile = load_profile("lai_chau")
    meta = layer_meta(layer, province=profile)
    return [p for p in validate_frame(frame, layer, meta, profile=profile) if p.severity == "error"]


def test_pu_sam_cap_caves_are_in_lai_chau_city(read):
    """The caves are in the old commune Nậm Loỏng of the city (merged into Sùng Phài 03403 in
    2020), now ward Đoàn Kết 03388 - not the Sìn Hồ commune Pu Sam Cáp (03532) that shares the
    name."""
    pillars = read("pillars")
    (row,) = pillars[pillars["name"] == "Động Pu Sam Cáp"].itertuples()
    assert row.commune_codes == "03388"
    crosswalk = read("commune_crosswalk").set_index("code")
    assert crosswalk.loc["03403", "name"] == "Xã Sùng Phài"
    assert crosswalk.loc["03403", "ward2025_code"] == "03388"
    assert crosswalk.loc["03403", "district_name"] == "Thành phố Lai Châu"
    zones = read("pillar_zones")
    cave = zones[zones["name"] == "Động Pu Sam Cáp"].geometry.iloc[0]
    ward = read("communes_2025").set_index("code").geometry["03388"]
    assert cave.equals(ward)


def test_border_economic_zone_is_the_commune_phong_tho(read):
    """Decision 1185/QĐ-TTg (19/06/2025): 26,669.7 ha over Ma Li Pho, Huổi Luông, Mường So and
    thị trấn Phong Thổ = the 2025 commune Phong Thổ (03549)."""
    fac = read("facilities")
    (zone,) = fac[fac["kind"] == "border_economic_zone"].itertuples()
    assert zone.area_ha == pytest.approx(26669.7)
    assert "1185/QĐ-TTg" in zone.source and "19/06/2025" in zone.source
    assert zone.geometry_kind == "commune polygon"
    communes = read("communes_2025").set_index("code")
    assert zone.geometry.equals(communes.geometry["03549"])
    assert set(communes.at["03549", "old_commune_codes"].split(";")) == {
        "03490",
        "03549",
        "03574",
        "03589",  # Huổi Luông, TT Phong Thổ, Ma Ly Pho, Mường So
    }
    # Measured 26,662.0 ha in EPSG:9205: 0.03 % under the decided area.
    assert zone.geometry.area / M2_PER_HA == pytest.approx(26669.7, rel=0.001)


def test_border_gates_lie_inside_the_province(read):
    fac = read("facilities")
    gates = fac[(fac["kind"] == "border_gate") & fac.geometry.notna()]
    assert len(gates) == 2
    for outline in ("province", "communes_2025"):
        shape = shapely.union_all(read(outline).geometry.to_numpy())
        assert gates.within(shape).all(), outline
    assert _errors("facilities", fac) == []


def test_points_inside_rule_catches_the_old_gate_points(read):
    """The points the layers held: Ma Lù Thàng 279 m and U Ma Tu Khoòng 49 m over the line."""
    fac = read("facilities")
    old = to_crs(
        gpd.GeoDataFrame(
            geometry=[Point(103.213653, 22.648607), Point(102.497078, 22.780221)], crs=4326
        ),
        fac.crs,
    ).geometry.to_numpy()
    moved = fac.copy()
    moved.loc[moved["facility_id"].isin(["border_gate_01", "border_gate_02"]), "geometry"] = old
    problems = [p for p in _errors("facilities", moved) if p.check == "points_inside"]
    text = "\n".join(map(str, problems))
    assert "[border_gate_01] points_inside: point (Cửa khẩu quốc tế Ma Lù Thàng" in text
    assert "lies 279 m outside 'province' (tolerance 0 m)" in text
    assert "lies 49 m outside 'province'" in text
    assert "a point over a national border is on the neighbour's side" in problems[0].hint
    # A zone (polygon) is not a point: the rule leaves it alone; only border gates are checked.
    rule = {"layer": "facilities", "container": "province", "where": {"kind": "airport"}}
    assert (
        RULES["points_inside"](rule, lambda name: moved if name == "facilities" else read(name))
        == []
    )


def test_gates_ranks_and_planned_gates(read):
    fac = read("facility_register")
    gates = fac[fac["kind"] == "border_gate"]
    existing = gates[gates["status"] == "existing"]
    assert existing["name"].str.contains("U Ma Tu Khoòng").sum() == 1
    assert "Cửa khẩu phụ U Ma Tu Khoòng" in existing["name"].str.cat()
    assert (
        "67/2016/NQ-HĐND"
        in existing.loc[existing["name"].str.contains("U Ma Tu"), "source"].iloc[0]
    )
    planned = gates[gates["status"] == "planned"]
    assert len(planned) == 4  # Ma Lù Thàng 2, Sông Đà international gate, 2 bilateral gates
    assert planned["name"].str.contains("Ma Lù Thàng 2").sum() == 1
    assert planned["name"].str.contains("Sông Đà").sum() == 1
    assert planned["name"].str.contains("song phương").sum() == 2
    assert (planned["geometry_kind"] == "none").all()  # no sourced location: table rows only
    assert planned["source"].str.contains("542/TB-VPCP").all()


def test_border_length_is_the_2021_report(read):
    facts = read("facts")
    rows = facts[facts["metric"] == "border_length_with_china"].set_index("value")
    assert rows.loc["265.165", "status"] == "current"
    assert "101-BC/TU" in rows.loc["265.165", "source_type"]
    assert rows.loc["261.2", "status"] == "superseded"
    latest = _facts_latest(facts, "province", ("border_length_with_china",))
    assert latest.loc["12", "value_num"] == pytest.approx(265.165)


def test_planned_expressway_is_not_on_the_axis(read):
    roads = read("roads").set_index("segment_id")
    assert roads.at["S14", "status"] == "planned"
    assert pd.isna(roads.at["S14", "axis_role"]) or roads.at["S14", "axis_role"] == ""
    assert "S14" not in set(read("orientation_axis")["segment_id"])


def test_road_network_is_connected_and_a_split_is_named(read):
    roads = read("roads")
    assert [p for p in _errors("roads", roads) if p.check == "connected"] == []
    # Without the ĐT.127 link to QL.12 (row S16) Nậm Nhùn - Mường Tè falls off the network.
    (p,) = [
        p for p in _errors("roads", roads[roads["segment_id"] != "S16"]) if p.check == "connected"
    ]
    assert "the network is split into 2 parts: part 2 (S10 (ĐT.127)) is cut off" in p.message


def test_district_polygons_say_their_vintage():
    meta = layer_meta("districts_pre2025", province="lai_chau")
    assert "boundaries before 2020" in meta["title"]
    assert "92.37 km²" in meta["provenance"]["date"]


def test_rare_earth_mines_in_their_2025_communes(read):
    fac = read("facilities")
    mines = fac[fac["kind"] == "mine"].set_index("commune2025_code")["name"]
    assert "Đông Pao" in mines["03430"] and "Khun Há" in mines["03430"]
    assert "Nậm Xe" in mines["03394"] and "Sin Suối Hồ" in mines["03394"]
    communes = read("communes_2025").set_index("code")
    for code, geom in fac[fac["kind"] == "mine"].set_index("commune2025_code").geometry.items():
        assert geom.distance(communes.geometry[code]) < 5_000  # reference points ±3-5 km


ENGLISH = [
    "reopened",
    "package",
    "licensed",
    "excerpt",
    "proposed",
    "travelogue",
    "mirror",
    "starts at",
    "runway",
    "none found",
    "this session",
    "shared ",
]


@pytest.mark.parametrize("word", ENGLISH)
def test_hover_sources_have_no_english_narrative(read, word):
    """The map popups show `source` (Nguồn) of roads, the axis and facilities: plain citations
    or Vietnamese, no English narrative ("package XL01", "reopened", "licensed end 2014")."""
    for layer in ("roads", "facilities", "orientation_axis", "pillar_sites", "pillar_zones"):
        assert not read(layer)["source"].str.contains(word, case=False).any(), layer
