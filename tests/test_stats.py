"""Statistics tables: classification criteria, compute_statistics on the shipped layers, outputs.

Expected values are independent: the official province area (Decision 1585), hand arithmetic of
the regional reductions, the plan's 1/5/5 urban classes, hand-computed densities and gaps.
"""

import shutil
import subprocess
import sys

import pandas as pd
import pytest
from conftest import REPO

from gis.classification import (
    RESULTS,
    load_criteria,
    load_regional_reductions,
    required_values,
    score_urban_areas,
)
from gis.errors import LayerError
from gis.report import column_labels_vi, sheet_name, write_statistics
from gis.stats import compute_statistics

OFFICIAL_AREA_KM2 = 9068.73  # Decision 1585/QĐ-TTg


# --- criteria table -----------------------------------------------------------------------------


def test_every_criterion_row_has_a_source_and_a_status():
    crit = load_criteria()
    assert crit["source"].notna().all() and crit["source_url"].notna().all()
    assert set(crit["status"]) <= {"verified", "secondary", "unverified"}
    # a threshold that no source gave is empty and marked unverified, never guessed
    assert (crit.loc[crit["threshold"].isna(), "status"] == "unverified").all()
    red = load_regional_reductions()
    assert red["source"].notna().all()


def test_type_iv_thresholds_of_the_domain_notes():
    crit = load_criteria().query("urban_class == 'IV'").set_index("criterion")["threshold"]
    assert crit["population_total"] == 50_000 and crit["population_inner"] == 20_000
    assert crit["density_total"] == 1_200 and crit["density_inner"] == 6_000
    assert crit["non_agri_labour_total"] == 55 and crit["non_agri_labour_inner"] == 70


def test_northern_mountain_reduction_arithmetic():
    req = required_values(load_criteria()).query("urban_class == 'IV'").set_index("criterion")
    assert req.loc["population_total", "threshold_regional"] == 0.6 * 50_000 == 30_000
    assert req.loc["population_inner", "threshold_regional"] == 0.6 * 20_000
    assert req.loc["density_total", "threshold_regional"] == 0.5 * 1_200 == 600
    assert req.loc["non_agri_labour_total", "threshold_regional"] == 55  # not reduced
    national = required_values(load_criteria(), region=None).query("urban_class == 'IV'")
    assert national.set_index("criterion").loc["population_total", "threshold_regional"] == 50_000


def test_score_synthetic_areas_by_hand():
    areas = pd.DataFrame(
        {
            "urban_area": ["A", "B", "C", "D"],
            "class_2030": ["IV", "IV", "V", None],
            "population_total": [30_000.0, 29_999.0, 9_000.0, 1.0],
            "population_total_source": ["census", "census", "x", "y"],
            "density_total": [float("nan"), 700.0, 1.0, 1.0],
        }
    )
    res = score_urban_areas(areas, load_criteria())
    assert set(res["result"]) <= set(RESULTS)
    got = res.set_index(["urban_area", "criterion"])["result"]
    assert got["A", "population_total"] == "met"  # 30,000 >= 0.6 x 50,000
    assert got["B", "population_total"] == "not met"
    assert got["A", "density_total"] == "missing data"
    assert got["B", "density_total"] == "met"  # 700 >= 0.5 x 1,200
    assert got["A", "non_agri_labour_total"] == "missing data"
    assert got["C", "population_total"] == "threshold missing"  # type V not sourced
    assert got["D", "(none)"] == "threshold missing"
    assert (
        res.set_index(["urban_area", "criterion"]).loc[("A", "population_total"), "actual_source"]
        == "census"
    )
    national = score_urban_areas(areas, load_criteria(), region=None)
    assert (
        national.set_index(["urban_area", "criterion"]).loc[("A", "population_total"), "result"]
        == "not met"
    )
    assert list(areas.columns) == [
        "urban_area",
        "class_2030",
        "population_total",
        "population_total_source",
        "density_total",
    ]


def test_score_errors_name_the_fix(tmp_path):
    areas = pd.DataFrame({"urban_area": ["A"], "class_2030": ["IV"]})
    with pytest.raises(LayerError, match="region 'delta' has no reductions; regions:"):
        score_urban_areas(areas, load_criteria(), region="delta")
    with pytest.raises(LayerError, match=r"has no column\(s\) \['class_2030'\]"):
        score_urban_areas(areas.drop(columns="class_2030"), load_criteria())
    bad = load_criteria()
    bad.loc[0, "criterion"] = "gdp_per_capita"
    bad.to_csv(tmp_path / "c.csv", index=False)
    with pytest.raises(LayerError, match="unknown criterion \\['gdp_per_capita'\\]"):
        load_criteria(tmp_path / "c.csv")


# --- compute_statistics on the shipped layers -----------------------------------------------------


@pytest.fixture(scope="module")
def tables(store_copy_session):
    return compute_statistics("lai_chau", layers_dir=store_copy_session)


def test_every_table_is_labelled(tables):
    for name, t in tables.items():
        for key in ("title", "definition", "unit_system", "sources"):
            assert key in t.attrs, (name, key)
        assert t.attrs["definition"], name


def test_province_area_within_one_percent_of_official(tables):
    areas = tables["unit_areas"]
    prov = areas.query("unit_system == 'province'").iloc[0]
    assert abs(prov["area_km2"] - OFFICIAL_AREA_KM2) / OFFICIAL_AREA_KM2 < 0.01
    assert prov["reference_area_km2"] == OFFICIAL_AREA_KM2
    assert prov["reference_source_type"].startswith("official (government")
    assert len(areas.query("unit_system == 'districts_pre2025'")) == 8
    assert len(areas.query("unit_system == 'communes_2025'")) == 38
    total_2025 = areas.query("unit_system == 'communes_2025'")["area_km2"].sum()
    assert abs(total_2025 - OFFICIAL_AREA_KM2) / OFFICIAL_AREA_KM2 < 0.01
    # communes: the published area of the Resolution 1670 arrangement, from the layer
    communes = areas.query("unit_system == 'communes_2025'").set_index("code")
    doan_ket = communes.loc["03388"]  # phường Đoàn Kết: 134.32 km² in the mapping
    assert doan_ket["reference_area_km2"] == 134.32
    assert doan_ket["reference_source"] == "communes_2025.area_km2_official"
    assert communes["diff_pct"].abs().max() < 1.0


def test_district_reference_areas_show_their_secondary_sources(tables):
    """District areas come from encyclopedia mirrors: never called official, quality shown."""
    areas = tables["unit_areas"]
    assert "official_area_km2" not in areas.columns
    districts = areas.query("unit_system == 'districts_pre2025'").set_index("code")
    assert districts["reference_source_type"].str.contains("mirror|copy|secondary").all()
    city = districts.loc["105"]  # facts: 92.37 km2 (2020, knowledgr.com) vs the 70.5 km2 polygon
    assert city["reference_area_km2"] == 92.37
    assert city["diff_pct"] == pytest.approx(100 * (city["area_km2"] - 92.37) / 92.37)
    assert "polygon predates transfer of Sung Phai commune" in city["note"]
    assert districts.drop(index="105")["note"].eq("").all()  # all others within 1 %
    ind = tables["indicators_vs_targets"].set_index("indicator_id")
    assert ind.loc["urbanisation_2030_qd369", "current_source_type"] == (
        "census (GSO), computed from population_census_2019"
    )


def test_urban_system_has_1_5_5_classes(tables):
    sys_ = tables["urban_system"]
    if "horizon" in sys_.columns:
        sys_ = sys_[sys_["source_document"] == "Decision 1585/QĐ-TTg (2023)"]
    counts = dict(zip(sys_["urban_class"], sys_["n_urban_areas"], strict=True))
    assert counts == {"III": 1, "IV": 5, "V": 5}


#: Published 2019 census by district (GSO; independent tabulation by rorygibb/dengue_vietnam_ms,
#: used as a cross-check): total, urban. Mường Tè, Nậm Nhùn and Sìn Hồ are one group there.
DISTRICT_CENSUS_2019 = {
    "105": (41_771, 34_474),  # Lai Châu city
    "106": (56_079, 7_398),  # Tam Đường
    "109": (79_645, 5_379),  # Phong Thổ
    "110": (67_550, 7_175),  # Than Uyên
    "111": (58_104, 14_028),  # Tân Uyên
}
MT_NN_SH_2019 = (157_047, 13_435)  # Mường Tè + Nậm Nhùn + Sìn Hồ (107, 112, 108)


def test_population_sums_equal_the_published_census(tables):
    pop = tables["population"]
    districts = pop[pop["unit_system"] == "districts_pre2025"].set_index("code")
    for code, (total, urban) in DISTRICT_CENSUS_2019.items():
        assert districts.loc[code, "population_persons"] == total
        assert districts.loc[code, "population_urban_persons"] == urban
    group = districts.loc[["107", "112", "108"], ["population_persons", "population_urban_persons"]]
    assert tuple(group.sum()) == MT_NN_SH_2019
    communes = pop[pop["unit_system"] == "communes_2025"]
    assert len(communes) == 38 and communes["population_persons"].notna().all()
    assert communes["population_persons"].sum() == 460_196  # published province total
    assert communes["population_urban_persons"].sum() == 81_889
    province = pop[pop["unit_system"] == "province"].iloc[0]
    assert province["population_persons"] == 460_196
    assert round(province["census_urban_pct"], 2) == 17.79


def test_commune_population_is_exact_not_area_weighted(tables, store_copy_session):
    from gis.store import read_layer

    pop = tables["population"].set_index(["unit_system", "code"])
    communes = read_layer("communes_2025", layers_dir=store_copy_session).set_index("code")
    # Đoàn Kết (03388) = 2019 wards Quyết Thắng 2,847 + Quyết Tiến 4,738 + Đoàn Kết + the
    # communes Nậm Loỏng 2,381 and Sùng Phài 2,000 (merged in 2020) + Lả Nhì Thàng: hand sum
    census = read_layer("population_census_2019", layers_dir=store_copy_session)
    old = communes.loc["03388", "old_commune_codes"].split(";")
    by_hand = int(census.loc[census["code"].isin(old), "population_persons"].sum())
    row = pop.loc[("communes_2025", "03388")]
    assert row["population_persons"] == by_hand
    assert row["n_census_units"] == 6  # 5 units of the 2025 list, one of them two 2019 units
    area = communes.loc["03388"].geometry.area / 1e6
    assert row["density_persons_per_km2"] == pytest.approx(by_hand / area, rel=1e-12)
    # the township Tân Uyên's commune holds the township's urban people, not a rural share
    assert pop.loc[("communes_2025", "03598"), "population_urban_persons"] == 14_028


def test_urbanisation_rows_from_the_census(tables):
    urb = tables["urbanisation"].set_index("measure")
    census = urb.loc["census urban share (Phường + Thị trấn of 2019)"]
    assert census["urban_population_persons"] == 81_889
    assert census["total_population_persons"] == 460_196
    assert round(census["urban_pct"], 2) == 17.79 and census["ref_year"] == "2019"
    carried = urb.loc["2019 urban population carried to the 2025 communes"]
    assert carried["urban_population_persons"] == 81_889
    assert urb.loc["reported: urbanisation_rate", "urban_pct"] == 17.7
    assert urb.loc["Degree of Urbanisation (DEGURBA)", "status"].startswith("missing")
    assert urb["status"].str.contains("missing population").sum() == 0


def test_without_the_census_tables_say_which_source_fills_them(store_copy):
    (store_copy / "lai_chau" / "population_census_2019.csv").unlink()
    (store_copy / "lai_chau" / "population_census_2019.meta.json").unlink()
    tables = compute_statistics("lai_chau", layers_dir=store_copy)
    assert "tools/import_census.py" in tables["population"]["status"].iloc[0]
    urb = tables["urbanisation"].set_index("unit_system")
    assert "tools/import_census.py" in urb.loc["communes_2019", "status"]
    assert tables["catchments"]["population_within_persons"].isna().all()
    assert "tools/import_census.py" in tables["catchments"].attrs["definition"]


def test_indicators_gap_and_missing_rows(tables):
    ind = tables["indicators_vs_targets"].set_index("indicator_id")
    region = ind.loc["urbanisation_2030_qd369"]
    census_pct = 100 * 81_889 / 460_196  # 2019 census, phường + thị trấn
    assert region["current_value"] == pytest.approx(census_pct)
    assert region["gap"] == pytest.approx(40 - census_pct)
    assert region["status"] == "not met"
    assert ind.loc["urbanisation_2030_qd1585", "status"].startswith("missing target")
    assert ind.loc["forest_cover_2025", "status"].startswith("missing current value")


def test_planning_layer_tables_say_missing_or_compute(tables):
    for name, layer in (("road_density", "roads"), ("corridor_coverage", "orientation_axis")):
        t = tables[name]
        if list(t.columns) == ["status"]:
            assert f"layer {layer} missing" in t["status"].iloc[0]
        else:
            assert len(t) > 1


def test_classification_has_census_population_and_density_for_all_11(tables):
    cls = tables["urban_classification"]
    assert cls["urban_area"].nunique() == 11
    for criterion in ("population_total", "density_total"):
        rows = cls[cls["criterion"] == criterion]
        assert len(rows) == 11 and rows["actual_value"].notna().all()
    tan_uyen = cls[cls["urban_area"] == "Thị trấn Tân Uyên"].set_index("criterion")
    # the township of 2019: 14,028 people (census), against 60 % of 20,000 = 12,000
    assert tan_uyen.loc["population_inner", "actual_value"] == 14_028
    assert tan_uyen.loc["population_inner", "threshold_regional"] == 12_000
    assert tan_uyen.loc["population_inner", "result"] == "met"
    assert tan_uyen.loc["population_total", "threshold_national"] == 50_000
    assert "60 % of the national threshold" in tan_uyen.loc["population_total", "regional_rule"]
    # the inner density needs the built-up land area, which no layer has: missing, not guessed
    assert tan_uyen.loc["density_inner", "result"] == "missing data"
    city = cls[cls["urban_area"] == "Thành phố Lai Châu"].set_index("criterion")
    assert city.loc["population_inner", "actual_value"] == 34_474  # the 5 wards of 2019
    assert city.loc["population_total", "result"] == "threshold missing"  # type III: no source


def test_road_density_and_rai_count_existing_roads_only(tables, store_copy_session):
    """SDG 9.1.1 and road density are on today's roads: planned S14/S15 are not counted."""
    import shapely

    from gis.store import read_layer

    roads = read_layer("roads", layers_dir=store_copy_session)
    communes = read_layer("communes_2025", layers_dir=store_copy_session).set_index("code")
    existing = shapely.union_all(roads.loc[roads["status"] == "existing"].geometry.values)
    every = shapely.union_all(roads.geometry.values)
    binh_lu = communes.loc["03390"].geometry  # Bình Lư: QL.4D and the planned S14/S15
    by_hand_km = shapely.intersection(existing, binh_lu).length / 1000
    assert by_hand_km == pytest.approx(23.95, abs=0.01)
    assert shapely.intersection(every, binh_lu).length / 1000 == pytest.approx(47.98, abs=0.01)
    density = tables["road_density"].query("unit_system == 'communes_2025'").set_index("code")
    row = density.loc["03390"]
    assert row["road_length_km"] == pytest.approx(by_hand_km, rel=1e-9)
    assert row["road_density_km_per_km2"] == pytest.approx(
        by_hand_km / (binh_lu.area / 1e6), rel=1e-9
    )
    # the planned network of 2050 (existing + S14 + S15) is a separate column
    assert row["network_2050_length_km"] == pytest.approx(47.98, abs=0.01)
    assert "EXISTING" in tables["road_density"].attrs["definition"]
    # RAI proxy: the census rural population spread over the commune, within 2 km of existing
    # roads only
    rai = tables["rural_access_index"].set_index("code")
    within = shapely.area(shapely.intersection(shapely.buffer(existing, 2000.0), binh_lu))
    census = read_layer("population_census_2019", layers_dir=store_copy_session)
    old = communes.loc["03390", "old_commune_codes"].split(";")
    rural = int(census.loc[census["code"].isin(old), "population_rural_persons"].sum())
    assert rai.loc["03390", "rural_population_persons"] == rural
    expected = round(rural * within / binh_lu.area)
    assert abs(rai.loc["03390", "rural_population_within_2km_persons"] - expected) <= 1
    assert "EXISTING" in tables["rural_access_index"].attrs["definition"]


#: Said in the title of every road table computed on schematic roads.
SCHEMATIC_TAG = "sơ đồ – không phải số đo"


def test_road_tables_on_schematic_roads_say_so_and_how_to_fix(tables, store_copy_session):
    from gis.store import read_layer

    roads = read_layer("roads", layers_dir=store_copy_session)
    existing = roads[roads["status"] == "existing"]
    n = int(existing["accuracy"].str.startswith("schematic").sum())
    assert n == len(existing) == 13  # every existing road is a line through waypoints
    for name in ("road_density", "rural_access_index"):
        attrs = tables[name].attrs
        assert SCHEMATIC_TAG in attrs["title"], name
        assert f"{n} of the {len(existing)} existing roads are schematic" in attrs["definition"]
        assert "gis import <extract>.osm.pbf --as road_alignments" in attrs["definition"]
        assert "then python tools/build_plan_layers.py" in attrs["definition"]
    method = tables["rural_access_index"]["method"].iloc[0]
    assert method.startswith(f"proxy: existing roads ({n} of {n} schematic)")


def test_road_tables_on_surveyed_roads_have_the_normal_titles(store_copy):
    from gis.store import read_layer, write_layer

    roads = read_layer("roads", layers_dir=store_copy)
    surveyed = roads.assign(accuracy="surveyed: OpenStreetMap centre line (±10 m)")
    write_layer(surveyed, "roads", layers_dir=store_copy, message="test: surveyed roads")
    out = compute_statistics("lai_chau", layers_dir=store_copy)
    assert out["road_density"].attrs["title"] == "Road density per unit (existing roads)"
    assert out["rural_access_index"].attrs["title"] == "Rural Access Index (SDG 9.1.1) - proxy"
    for name in ("road_density", "rural_access_index"):
        definition = out[name].attrs["definition"]
        assert "None of the 13 existing roads is schematic" in definition
        assert SCHEMATIC_TAG not in definition and "build_plan_layers" not in definition


def test_roads_are_schematic_when_any_row_is():
    import doctest

    import gis.coverage
    from gis.coverage import roads_are_schematic, schematic_roads

    acc = pd.DataFrame(
        {"accuracy": ["schematic", "Schematic (endpoints only)", "OSM 2025", None, ""]}
    )
    assert schematic_roads(acc).tolist() == [True, True, False, False, False]
    assert roads_are_schematic(acc)  # 2 of 5: a mixed network is no measurement either
    assert roads_are_schematic(acc.iloc[1:3])  # 1 of 2
    assert not roads_are_schematic(acc.iloc[2:])  # surveyed or unknown only
    assert not roads_are_schematic(acc.iloc[:0])  # no roads
    assert not roads_are_schematic(pd.DataFrame({"road_ref": ["QL.4D"]}))  # accuracy unknown
    assert doctest.testmod(gis.coverage).failed == 0


def test_urbanised_share_says_it_is_urban_unit_area_not_built_up(tables):
    """The only urban polygon is Lai Châu city = whole wards 03388 + 03408: 100 % each."""
    share = tables["urbanised_share"]
    assert "urban_pct" not in share.columns
    wards = share.query("unit_system == 'communes_2025'").set_index("code")
    assert wards.loc["03388", "urban_unit_area_pct"] == pytest.approx(100.0)
    assert wards.loc["03408", "urban_unit_area_pct"] == pytest.approx(100.0)
    assert "not built-up" in share.attrs["title"]
    assert "not built-up area" in share.attrs["definition"]
    assert "GHSL" in share.attrs["definition"]


def test_urbanised_share_leaves_out_the_sliver_and_names_it(tables):
    """Sìn Hồ (108): 69.64 ha of the city's 2025 wards from a boundary mismatch, not urban."""
    share = tables["urbanised_share"]
    districts = share.query("unit_system == 'districts_pre2025'").set_index("code")
    assert districts.loc["108", "urban_unit_area_ha"] == 0.0
    assert districts.loc["108", "urban_unit_area_pct"] == 0.0
    assert districts.loc["108", "urban_unit_sliver_ha"] == pytest.approx(69.64, abs=0.01)
    assert districts.loc["105", "urban_unit_area_ha"] == pytest.approx(6994.05, abs=0.01)
    definition = share.attrs["definition"]
    assert "under 1 % of the polygon's area and under 1 % of the unit's area" in definition
    assert "districts_pre2025 108 Huyện Sìn Hồ – Thành phố Lai Châu, 69.64 ha" in definition


def test_a_removed_planning_layer_is_reported_not_fatal(store_copy):
    folder = store_copy / "lai_chau"
    for f in folder.glob("roads.*"):
        f.unlink()
    for f in folder.glob("plan_targets.*"):
        f.unlink()
    out = compute_statistics("lai_chau", layers_dir=store_copy)
    assert out["road_density"]["status"].iloc[0] == "layer roads missing"
    assert out["rural_access_index"]["status"].iloc[0] == "layer roads missing"
    assert out["indicators_vs_targets"]["status"].iloc[0] == "layer plan_targets missing"
    assert "roads (missing)" in out["road_density"].attrs["sources"]


# --- outputs ------------------------------------------------------------------------------------


def test_excel_one_sheet_per_table_and_vietnamese_headers(tables, tmp_path):
    written = write_statistics(tables, tmp_path, vietnamese=True)
    with pd.ExcelFile(written["excel"]) as book:
        sheets = book.sheet_names
        areas = pd.read_excel(book, sheet_name("unit_areas", "vi"))
    assert sheets == [sheet_name(n, "vi") for n in ["contents", *tables]]
    assert "Diện tích (km²)" in areas.columns and "Hệ thống đơn vị" in areas.columns
    labels = column_labels_vi()
    unlabelled = {c for t in tables.values() for c in t.columns if c not in labels}
    assert not unlabelled, f"columns without a Vietnamese label: {sorted(unlabelled)}"
    english = write_statistics(tables, tmp_path / "en")
    assert "area_km2" in pd.read_excel(english["excel"], "unit_areas").columns


def test_report_carries_definition_unit_system_and_sources(tables, tmp_path):
    text = write_statistics(tables, tmp_path)["report"].read_text(encoding="utf-8")
    for t in tables.values():
        assert f"## {t.attrs['title']}" in text
    assert text.count("- **Definition:**") == len(tables)
    assert text.count("- **Sources:**") == len(tables)
    assert "9,068.73" in text  # official area, traceable in the report
    # the published census figures, as a planner reads them
    assert (
        "| census urban share (Phường + Thị trấn of 2019) | communes_2019 | 81,889 | 460,196 "
        "| 17.79 |" in text
    )
    # targets mix units in one column: a population target reads as persons, not 545,000.00
    target = (
        "| 545,000 | đến năm 2030 dân số của tỉnh gần 545.000 người | 460,196 | 2019 | 84,804 |"
    )
    assert target in text
    # a stated figure keeps the precision of its document: "khoảng 30%" is 30, not 30.00
    assert "| 30 | tỷ lệ đô thị hóa đạt khoảng 30% | 17.79 | 2019 | 12.21 |" in text
    assert "| 1.4 | tốc độ tăng dân số trung bình vào khoảng 1,4%-1,5%/năm |" in text
    assert "| |" not in text  # no empty cell: missing values read "—"


def test_report_shows_counts_as_integers_and_rounds_measures(tmp_path):
    frame = pd.DataFrame(
        {
            "distance_m": [5000.0, 10000.0],
            "n_communes_reached": [7.0, float("nan")],
            "area_km2": [9070.16701921069, 0.5],
            "area_within_pct": [13.5607, -0.0004],
            "road_density_km_per_km2": [0.0315561, 0.0],
            "population_within_persons": [20_142.87, 3.2],  # an estimate of people
            "urban_pct": [17.794375, 0.0],
            "density_persons_per_km2": [50.737, 6.04],
            "n_census_units": pd.array([108, pd.NA], dtype="Int64"),
        }
    )
    frame.attrs.update(title="T", definition="d", unit_system="", sources="s")
    written = write_statistics({"t": frame}, tmp_path)
    text = written["report"].read_text(encoding="utf-8")
    assert "| 5,000 | 7 | 9,070.17 | 13.6 | 0.032 | 20,143 | 17.79 | 50.7 | 108 |" in text
    assert "| 10,000 | — | 0.50 | 0.0 | 0.000 | 3 | 0.00 | 6.0 | — |" in text
    assert pd.read_csv(written["t"])["area_km2"].iloc[0] == 9070.16701921069  # full precision
    from openpyxl import load_workbook

    sheet = load_workbook(written["excel"])["t"]
    assert [sheet.cell(2, j).number_format for j in range(1, 10)] == [
        "#,##0",
        "#,##0",
        "#,##0.00",
        "#,##0.0",
        "#,##0.000",
        "#,##0",
        "#,##0.00",
        "#,##0.0",
        "#,##0",
    ]
    assert sheet.cell(2, 3).value == 9070.16701921069


def test_cli_stats_writes_the_files(store_copy_session, tmp_path):
    out = tmp_path / "out"
    cmd = [
        sys.executable,
        "-c",
        "from gis.cli import main; main()",
        "stats",
        "--out",
        str(out),
        "--vietnamese",
        "--layers",
        str(store_copy_session),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    names = {p.name for p in out.iterdir()}
    assert {"report.md", "statistics.xlsx", "unit_areas.csv", "indicators_vs_targets.csv"} <= names
    n_csv = len([n for n in names if n.endswith(".csv")])
    assert f"wrote {n_csv} tables" in proc.stdout


def test_cli_build_runs_stats(tmp_path, store_copy):
    out = tmp_path / "built"
    cmd = [
        sys.executable,
        "-c",
        "from gis.cli import main; main()",
        "build",
        "--layers",
        str(store_copy),
    ]
    env = {**__import__("os").environ, "GIS_OUT_DIR": str(out), "GIS_MAPS_DIR": str(tmp_path)}
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=600, env=env)
    assert "Traceback" not in proc.stderr, proc.stderr
    if proc.returncode == 0:
        assert (out / "report.md").exists()
    else:  # validation refused the build: stats must not run on invalid layers
        assert not out.exists()
    shutil.rmtree(out, ignore_errors=True)
