"""Rules of the planning layers: each passes on the shipped layers and catches its breakage."""

import pytest
import shapely
import shapely.affinity

from gis.profile import load_profile
from gis.store import layer_meta, read_layer
from gis.validate import RULES, validate_frame

PLAN_LAYERS = [
    "region_assignment_pre2025",
    "region_assignment_2025",
    "orientation_regions_pre2025",
    "orientation_regions_2025",
    "orientation_axis",
    "roads",
    "plan_waypoints",
    "urban_areas",
    "pillars",
    "pillar_sites",
    "pillar_zones",
    "facilities",
    "facility_register",
]
D1585 = "Decision 1585/QĐ-TTg (2023)"


@pytest.fixture(scope="module")
def ctx(store_copy_session):
    profile = load_profile("lai_chau", layers_dir=store_copy_session)

    def read(name):
        return read_layer(name, province=profile)

    def errors(layer, frame):
        meta = layer_meta(layer, province=profile)
        return [
            p for p in validate_frame(frame, layer, meta, profile=profile) if p.severity == "error"
        ]

    return read, errors, profile


def _text(problems):
    return "\n".join(map(str, problems))


@pytest.mark.parametrize("layer", PLAN_LAYERS)
def test_plan_layers_pass_their_rules(ctx, layer):
    read, errors, _ = ctx
    assert _text(errors(layer, read(layer))) == ""


def test_profile_uses_every_plan_rule(ctx):
    checks = {r["check"] for r in ctx[2].rules}
    plan_rules = {
        "has_source",
        "class_counts",
        "urban_in_unit",
        "near",
        "connected",
        "derived_regions",
        "points_inside",
    }
    assert plan_rules <= checks
    assert plan_rules <= set(RULES)
    has_source = {r["layer"] for r in ctx[2].rules if r["check"] == "has_source"}
    assert has_source == set(PLAN_LAYERS)


def test_has_source_names_the_feature(ctx):
    read, errors, _ = ctx
    roads = read("roads")
    roads.loc[roads["segment_id"] == "S03", "source"] = "  "
    (p,) = [p for p in errors("roads", roads) if p.check == "has_source"]
    assert p.feature == "S03" and "'source' is empty" in str(p) and "say where" in p.hint
    # Without the column the schema check already fails; the rule itself says so too.
    pillars = read("pillars").drop(columns="source")
    (p,) = RULES["has_source"]({"layer": "pillars"}, lambda name: pillars)
    assert "has_source: column 'source' is missing" in str(p)


def test_class_counts_catches_a_wrong_class(ctx):
    read, errors, _ = ctx
    u = read("urban_areas")
    u.loc[u["urban_id"] == "d1585_thi_tran_tan_uyen", "class_2030"] = "III"
    text = _text(p for p in errors("urban_areas", u) if p.check == "class_counts")
    assert "2 × class III in 'class_2030' where source_document = " in text
    assert "expected 1 (rows: d1585_thanh_pho_lai_chau, d1585_thi_tran_tan_uyen)" in text
    assert "4 × class IV" in text and "expected 5" in text
    # The older programme's rows (city type II) are versioned apart and do not count.
    assert (u.loc[u["urban_id"] == "prog_thanh_pho_lai_chau", "class_2030"] == "II").all()


def test_class_counts_catches_a_dropped_area(ctx):
    read, errors, _ = ctx
    u = read("urban_areas")
    u = u[u["urban_id"] != "d1585_do_thi_phuc_than"]
    text = _text(errors("urban_areas", u))
    assert "4 × class V in 'class_2030'" in text and "expected 5" in text


def test_urban_in_unit_catches_a_point_in_the_wrong_unit(ctx):
    read, errors, _ = ctx
    u = read("urban_areas")
    i = u.index[u["urban_id"] == "d1585_thi_tran_tan_uyen"][0]
    u.loc[i, "district_code"] = "110"  # Than Uyên instead of Tân Uyên
    u.loc[i, "commune2025_code"] = "03595"
    text = _text(p for p in errors("urban_areas", u) if p.check == "urban_in_unit")
    assert "[d1585_thi_tran_tan_uyen] urban_in_unit: lies" in text
    assert "outside districts_pre2025 110 (its 'district_code')" in text
    assert "outside communes_2025 03595 (its 'commune2025_code')" in text
    assert "move the feature into its unit" in text


def test_urban_in_unit_catches_a_moved_point_and_a_wrong_region(ctx):
    read, errors, _ = ctx
    u = read("urban_areas")
    i = u.index[u["urban_id"] == "d1585_thi_tran_muong_te"][0]
    u.loc[i, "plan_region"] = "dynamic_economic"
    text = _text(errors("urban_areas", u))
    assert "[d1585_thi_tran_muong_te] urban_in_unit" in text
    assert "outside orientation_regions_2025 dynamic_economic" in text
    u = read("urban_areas")
    u.loc[i, "geometry"] = shapely.affinity.translate(u.loc[i, "geometry"], 0, 30_000)
    assert "outside communes_2025 03433" in _text(errors("urban_areas", u))


def test_urban_in_unit_polygon_share(ctx):
    read, errors, _ = ctx
    u = read("urban_areas")
    i = u.index[u["urban_id"] == "d1585_thanh_pho_lai_chau"][0]
    u.loc[i, "district_code"] = "107"  # Mường Tè: no overlap at all
    text = _text(errors("urban_areas", u))
    assert "only 0.00 % of the polygon lies in districts_pre2025 107" in text
    assert "at least 25 % required" in text


def test_near_catches_an_axis_missing_its_towns(ctx):
    read, errors, _ = ctx
    axis = read("orientation_axis")
    i = axis.index[axis["segment_id"] == "S06"][0]
    axis.loc[i, "geometry"] = shapely.affinity.translate(axis.loc[i, "geometry"], 0, 5_000)
    text = _text(p for p in errors("orientation_axis", axis) if p.check == "near")
    # 5 km north: exactly 5,000 m from the end point Tam Đường (the nearest part of the moved
    # line is the moved end itself); less from points the line runs obliquely past.
    assert (
        "[S06] near: passes 5,000 m from 'tam_duong' (Thị trấn Tam Đường), more than 1,500 m"
        in text
    )
    assert "[S06] near: passes 4,823 m from 'lc_city'" in text
    assert "from 'san_thang' (San Thàng), more than 3,000 m" in text
    assert "check the alignment" in text


def test_near_measured_on_the_legacy_roads(ctx):
    """The only non-schematic road lines in the store (roads_legacy, coarse) as the axis: the
    rule measures 22,186 m to Lai Châu city (the legacy lines do not enter the city)."""
    read, errors, _ = ctx
    axis = read("orientation_axis")
    legacy = read("roads_legacy")
    legacy = legacy[legacy["name"].str.startswith("Quốc lộ")].union_all()
    axis["geometry"] = [legacy] * len(axis)
    text = _text(p for p in errors("orientation_axis", axis) if p.check == "near")
    assert "[S06] near: passes 22,186 m from 'lc_city'" in text
    assert "from 'than_uyen'" not in text  # the legacy QL.32 passes 276 m from Than Uyên


def test_near_names_an_unknown_place(ctx):
    read, errors, _ = ctx
    axis = read("orientation_axis")
    axis.loc[axis["segment_id"] == "S03", "via"] = "than_uyen;atlantis"
    text = _text(errors("orientation_axis", axis))
    assert "[S03] near: names 'atlantis', which is not in plan_waypoints.id" in text


def test_connected_catches_a_gap(ctx):
    read, errors, _ = ctx
    axis = read("orientation_axis")
    i = axis.index[axis["segment_id"] == "S08"][0]
    # 3 km north (moved 2 km east it would still cross QL.4D: touching anywhere connects).
    axis.loc[i, "geometry"] = shapely.affinity.translate(axis.loc[i, "geometry"], 0, 3_000)
    (p,) = [p for p in errors("orientation_axis", axis) if p.check == "connected"]
    assert p.feature == "S08"
    assert "part 2 (S08) is cut off from the largest part (7 features)" in p.message
    assert "by a gap of 3,000 m (tolerance 100 m)" in p.message
    assert "snap the line ends" in p.hint
    # Dropping the QL.4D link Lai Châu – Pa So cuts off the QL.12 spur to the border gate.
    text = _text(errors("orientation_axis", axis[axis["segment_id"] != "S07"]))
    assert "[S08] connected" in text


def test_partition_catches_a_missing_region(ctx):
    read, errors, _ = ctx
    r = read("orientation_regions_2025")
    text = _text(errors("orientation_regions_2025", r[r["plan_region"] == "dynamic_economic"]))
    assert "partition: gaps of 5590.460 km² inside outline 'communes_2025'" in text
    # ... and the urban areas of the dropped region no longer find their region.
    u_errors = _text(errors("urban_areas", read("urban_areas")))
    assert u_errors == ""  # the stored region layer is intact: the drop was only proposed


def test_derived_regions_catch_an_assignment_edit(ctx):
    """Tam Đường (106) moved to the Sông Đà region in the table alone: the stored regions drift."""
    read, errors, _ = ctx
    a = read("region_assignment_pre2025")
    assert a.loc[a["district_code"] == "106", "plan_region"].tolist() == ["dynamic_economic"]
    a.loc[a["district_code"] == "106", "plan_region"] = "song_da_agroforestry"
    found = [p for p in errors("region_assignment_pre2025", a) if p.check == "derived_regions"]
    text = _text(found)
    assert (
        "orientation_regions_pre2025 [dynamic_economic] derived_regions: holds units "
        "105;106;109;110;111 but region_assignment_pre2025 gives 105;109;110;111" in text
    )
    assert "python tools/build_plan_layers.py" in text
    # Each region differs by Tam Đường's area: 684.72 km² official (GSO 2012, facts table).
    diffs = [
        float(p.message.rsplit(" by ", 1)[1].split(" km²")[0].replace(",", ""))
        for p in found
        if "geometry differs from districts_pre2025 dissolved by" in p.message
    ]
    assert len(diffs) == 2 and all(abs(d - 684.72) / 684.72 < 0.01 for d in diffs)
    # The districts' own plan_region column now disagrees with the table: reported on the units.
    assert (
        "districts_pre2025 [106] derived_regions: 'plan_region' is 'dynamic_economic' but "
        "region_assignment_pre2025 assigns 'song_da_agroforestry'" in text
    )


def test_derived_regions_catch_a_redrawn_region(ctx):
    read, errors, _ = ctx
    r = read("orientation_regions_2025")
    i = r.index[r["plan_region"] == "song_da_agroforestry"][0]
    r.loc[i, "geometry"] = r.loc[i, "geometry"].buffer(-200)
    (p,) = [p for p in errors("orientation_regions_2025", r) if p.check == "derived_regions"]
    assert p.feature == "song_da_agroforestry"
    assert "differs from communes_2025 dissolved by region_assignment_2025 by " in p.message
    assert "(tolerance 0.05 km²)" in p.message and "never redraw" in p.hint


def test_derived_regions_report_an_unassigned_unit(ctx):
    read, errors, _ = ctx
    a = read("region_assignment_2025")
    a = a[a["code"] != a["code"].iloc[0]]
    (p,) = [p for p in errors("region_assignment_2025", a) if p.check == "derived_regions"]
    assert "are not in the region assignment; add a row" in p.message
