"""Validation of the shipped layers, and each rule caught when broken."""

import pytest
import shapely.affinity

from gis.profile import load_profile
from gis.store import layer_meta, read_layer
from gis.validate import repair_geometries, validate_frame, validate_province

OFFICIAL_AREA_KM2 = 9068.73  # Decision 1585/QĐ-TTg


def _errors(problems):
    return [p for p in problems if p.severity == "error"]


def test_shipped_layers_are_valid(store_copy_session):
    results = validate_province(province="lai_chau", layers_dir=store_copy_session)
    assert {k: [str(p) for p in _errors(v)] for k, v in results.items() if _errors(v)} == {}


def test_province_area_within_one_percent_of_official(store_copy_session):
    province = read_layer("province", province="lai_chau", layers_dir=store_copy_session)
    area_km2 = province.area.sum() / 1e6
    assert area_km2 == pytest.approx(OFFICIAL_AREA_KM2, rel=0.01)  # measured 9,070.17 km²


def test_district_areas_match_official_figures(store_copy_session):
    """Each district within 1 % of its official area (facts layer; the latest year <= 2019,
    before the polygon vintage's Sùng Phài transfer)."""
    kw = {"province": "lai_chau", "layers_dir": store_copy_session}
    districts = read_layer("districts_pre2025", **kw).set_index("code")
    facts = read_layer("facts", **kw)
    areas = facts[(facts["metric"] == "area_natural") & (facts["scope"] == "district")]
    areas = areas[areas["ref_year"].astype(int) <= 2019].sort_values("ref_year")
    official = areas.groupby("code")["value"].last().astype(float)
    assert len(official) == 8
    computed = districts.area / 1e6
    pct = (computed / official - 1) * 100
    assert pct.abs().max() < 1.0, pct.round(2).to_dict()


def _rule_errors(store, layer, frame):
    profile = load_profile("lai_chau", layers_dir=store)
    meta = layer_meta(layer, province=profile)
    return _errors(validate_frame(frame, layer, meta, profile=profile))


def test_partition_catches_overlap_and_gap(store_copy_session):
    kw = {"province": "lai_chau", "layers_dir": store_copy_session}
    d = read_layer("districts_pre2025", **kw)
    moved = d.copy()
    i = moved.index[moved["code"] == "105"][0]
    moved.loc[i, "geometry"] = shapely.affinity.translate(moved.loc[i, "geometry"], 2000, 0)
    text = "\n".join(map(str, _rule_errors(store_copy_session, "districts_pre2025", moved)))
    assert "partition: overlaps" in text and "gaps of" in text
    dropped = d[d["code"] != "112"]
    text = "\n".join(map(str, _rule_errors(store_copy_session, "districts_pre2025", dropped)))
    assert "gaps of 13" in text  # Nậm Nhùn, 1,386 km², missing
    assert "a unit is missing or too small" in text  # not "extend the neighbours"


def test_partition_spill_from_a_unit_missing_in_the_outline_says_so(store_copy):
    """Khoen On (03640, 189.761 km²) dropped from communes_2025: the 2025 regions spill over."""
    from gis.validate import validate_layer

    kw = {"province": "lai_chau", "layers_dir": store_copy}
    communes = read_layer("communes_2025", **kw)
    communes[communes["code"] != "03640"].to_file(
        store_copy / "lai_chau" / "communes_2025.geojson", driver="GeoJSON"
    )
    spill = [p for p in validate_layer("orientation_regions_2025", **kw) if p.check == "partition"]
    assert len(spill) == 1
    assert "189.761 km² of units lie outside outline 'communes_2025'" in spill[0].message
    assert "largest near" in spill[0].message
    assert "'communes_2025' lost a unit" in spill[0].hint and "clip" in spill[0].hint


def test_a_duplicated_id_is_reported_once_with_its_rows(store_copy_session):
    kw = {"province": "lai_chau", "layers_dir": store_copy_session}
    d = read_layer("districts_pre2025", **kw)
    d.loc[d.index[1], "code"] = d.loc[d.index[0], "code"]
    dup = [
        p for p in _rule_errors(store_copy_session, "districts_pre2025", d) if "unique" in p.message
    ]
    assert len(dup) == 1
    assert dup[0].message == "'code' = '105' is not unique: rows 0 and 1 share it"
    assert dup[0].feature == "105"


def test_within_catches_a_commune_outside(store_copy_session):
    kw = {"province": "lai_chau", "layers_dir": store_copy_session}
    c = read_layer("communes_2025", **kw)
    i = c.index[c["code"] == "03388"][0]
    c.loc[i, "geometry"] = shapely.affinity.translate(c.loc[i, "geometry"], 0, -200_000)
    text = "\n".join(map(str, _rule_errors(store_copy_session, "communes_2025", c)))
    assert "[03388] within: 100.00 % lies outside 'province'" in text


def test_foreign_key_catches_unknown_code(store_copy_session):
    kw = {"province": "lai_chau", "layers_dir": store_copy_session}
    x = read_layer("commune_crosswalk", **kw)
    x.loc[0, "ward2025_code"] = "99999"
    (p,) = _rule_errors(store_copy_session, "commune_crosswalk", x)
    assert "'99999' does not exist in communes_2025.code" in str(p)
    assert p.feature == x.loc[0, "code"]


def test_area_rule_catches_wrong_crs_scale(store_copy_session):
    kw = {"province": "lai_chau", "layers_dir": store_copy_session}
    prov = read_layer("province", **kw)
    prov["geometry"] = prov.scale(1.1, 1.1)
    text = "\n".join(map(str, _rule_errors(store_copy_session, "province", prov)))
    assert "from the official 9,068.73 km²" in text


def test_schema_problems_are_all_reported(store_copy_session):
    kw = {"province": "lai_chau", "layers_dir": store_copy_session}
    u = read_layer("urban_areas_2030", **kw)
    u.loc[0, "urban_class_2030"] = "VI"
    u.loc[1, "urban_area"] = u.loc[2, "urban_area"]
    u = u.drop(columns=["source_url"])
    text = "\n".join(map(str, _rule_errors(store_copy_session, "urban_areas_2030", u)))
    assert "'urban_class_2030' = 'VI' is not an allowed value -> use one of: I, II, III" in text
    assert "is not unique" in text and "column 'source_url' is missing" in text


def test_repair_reports_what_changed():
    import geopandas as gpd

    bowtie = shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    gdf = gpd.GeoDataFrame({"code": ["a"]}, geometry=[bowtie], crs=9205)
    fixed, report = repair_geometries(gdf, id_column="code")
    assert fixed.is_valid.all() and fixed.area.iloc[0] == pytest.approx(50.0)  # two triangles
    assert report[0].startswith("a: Self-intersection") and "area 0.0 -> 50.0" in report[0]
    assert gdf.is_valid.sum() == 0  # input untouched
