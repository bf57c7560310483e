"""Plan targets by document: supersession (gis.targets), the plan_targets layer, current values.

Expected values are independent: the 2019 census totals (460,196 persons, 81,889 in phường and
thị trấn, published by GSO and checked in the census layer's provenance), the draft's targets as
quoted in seed 002 (urbanisation about 30 %, population nearly 545,000 in 2030), hand arithmetic
of the gaps, and small hand-made frames for the supersession rule.
"""

import doctest
import importlib.util

import pandas as pd
import pytest
from conftest import REPO

import gis.targets
from gis.errors import LayerError
from gis.profile import load_profile
from gis.stats import compute_statistics
from gis.store import read_layer, write_layer
from gis.targets import REQUIRED_COLUMNS, targets_in_force

CENSUS_URBAN_PCT = 100 * 81_889 / 460_196  # 17.794... %
APPROVED = "Decision 1585/QĐ-TTg (approved plan), press summaries"
DRAFT = "Dự thảo Quy hoạch tỉnh Lai Châu, 06/2021"


def _frame(*rows):
    """Target rows: (id, key, scope, value, document, status, date)."""
    return pd.DataFrame(rows, columns=list(REQUIRED_COLUMNS))


def _resolved(frame):
    return targets_in_force(frame).set_index("indicator_id")[["in_force", "superseded_by"]]


# --- the rule on hand-made frames ---------------------------------------------------------------


def test_approved_plan_of_2023_supersedes_the_draft_of_2021():
    t = _frame(
        (
            "urb_draft",
            "urbanisation|province|2030",
            "province",
            30.0,
            "draft plan",
            "draft",
            "2021-06-04",
        ),
        (
            "urb_approved",
            "urbanisation|province|2030",
            "province",
            32.0,
            "approved plan",
            "approved",
            "2023-12-07",
        ),
    )
    out = _resolved(t)
    assert out.loc["urb_draft"].tolist() == ["no", "approved plan"]
    assert out.loc["urb_approved"].tolist() == ["yes", ""]


def test_national_benchmark_does_not_supersede_the_province_target():
    """Same key on purpose: a national resolution of 2022 is later than the 2021 draft, yet it
    is the yardstick the province is compared with, not a change of the province's target."""
    t = _frame(
        ("urb_draft", "urbanisation|2030", "province", 30.0, "draft plan", "draft", "2021-06-04"),
        (
            "urb_national",
            "urbanisation|2030",
            "national",
            50.0,
            "Resolution 06-NQ/TW",
            "national resolution",
            "2022-01-24",
        ),
        (
            "urb_region",
            "urbanisation|2030",
            "region",
            40.0,
            "Resolution 96/NQ-CP",
            "regional benchmark",
            "2022-08-01",
        ),
    )
    out = _resolved(t)
    assert (out["in_force"] == "yes").all()
    assert (out["superseded_by"] == "").all()


def test_approved_supersedes_a_draft_of_the_same_date_and_a_later_draft_does_not():
    same_day = _frame(
        ("a_draft", "k", "province", 1.0, "draft", "draft", "2023-12-07"),
        ("a_approved", "k", "province", 2.0, "plan", "approved", "2023-12-07"),
    )
    assert _resolved(same_day).loc["a_draft", "superseded_by"] == "plan"
    later_draft = _frame(
        ("b_approved", "k", "province", 2.0, "plan", "approved", "2023-12-07"),
        ("b_revision_draft", "k", "province", 3.0, "revision draft", "draft", "2025-03"),
    )
    out = _resolved(later_draft)
    assert out.loc["b_approved", "in_force"] == "yes"
    assert out.loc["b_revision_draft"].tolist() == ["no", "plan"]


def test_later_document_supersedes_earlier_one_of_the_same_scope():
    t = _frame(
        (
            "r96",
            "urb|region|2030",
            "region",
            40.0,
            "Resolution 96/NQ-CP",
            "regional benchmark",
            "2022-08-01",
        ),
        (
            "r369",
            "urb|region|2030",
            "region",
            40.0,
            "Decision 369/QĐ-TTg",
            "regional benchmark",
            "2024-05-04",
        ),
        ("d1", "d|2021", "province", 1.0, "old draft", "draft", "2021"),
        ("d2", "d|2021", "province", 2.0, "new draft", "draft", "2021-06"),
    )
    out = _resolved(t)
    assert out.loc["r96"].tolist() == ["no", "Decision 369/QĐ-TTg"]
    assert out.loc["r369", "in_force"] == "yes"
    assert out.loc["d1"].tolist() == ["no", "new draft"]  # a year alone counts as 1 January


def test_a_document_whose_figure_was_not_found_supersedes_nothing():
    t = _frame(
        ("draft", "k", "province", 30.0, "draft plan", "draft", "2021-06-04"),
        ("approved", "k", "province", None, "approved plan", "approved", "2023-12-07"),
    )
    out = _resolved(t)
    assert out.loc["draft"].tolist() == ["yes", ""]
    assert out.loc["approved"].tolist() == ["no", ""]
    alone = _resolved(t.iloc[[1]])  # no figure anywhere: the latest row stands, as missing
    assert alone.loc["approved", "in_force"] == "yes"


def test_input_is_not_modified_and_derived_columns_are_recomputed():
    t = _frame(
        ("x_draft", "k", "province", 1.0, "draft", "draft", "2021-06-04"),
        ("x_plan", "k", "province", 2.0, "plan", "approved", "2023-12-07"),
    ).assign(in_force=["yes", "no"], superseded_by=["", "stale"])
    before = t.copy()
    out = targets_in_force(t)
    pd.testing.assert_frame_equal(t, before)
    assert out["in_force"].tolist() == ["no", "yes"]
    assert out["superseded_by"].tolist() == ["plan", ""]


def test_missing_column_is_refused_with_a_hint():
    t = _frame(("a", "k", "province", 1.0, "plan", "approved", "2023")).drop(
        columns=["document_status", "indicator_key"]
    )
    with pytest.raises(LayerError, match=r"no column\(s\) \['indicator_key', 'document_status'\]"):
        targets_in_force(t)
    with pytest.raises(LayerError, match="rebuild the plan_targets layer with tools/build_plan"):
        targets_in_force(t)


def test_bad_rows_are_refused_with_what_to_do():
    ok = ("a", "k", "province", 1.0, "plan", "approved", "2023-12-07")
    with pytest.raises(LayerError, match=r"unknown document_status \['adopted'\]; use one of"):
        targets_in_force(_frame(ok, ("b", "k", "province", 2.0, "p2", "adopted", "2024")))
    with pytest.raises(LayerError, match=r"'07/12/2023' is not a date\. Write it as YYYY-MM-DD"):
        targets_in_force(_frame(("a", "k", "province", 1.0, "plan", "approved", "07/12/2023")))
    with pytest.raises(LayerError, match=r"repeated: \['a'\]"):
        targets_in_force(_frame(ok, ok))
    with pytest.raises(LayerError, match=r"rows \['a', 'b'\] .* neither supersedes the other"):
        targets_in_force(_frame(ok, ("b", "k", "province", 2.0, "other", "approved", "2023-12-07")))
    with pytest.raises(LayerError, match=r"rows \['b'\] have no indicator_key"):
        targets_in_force(_frame(ok, ("b", "", "province", 2.0, "p", "approved", "2024")))


def test_docstring_example_runs():
    result = doctest.testmod(gis.targets)
    assert result.attempted >= 2 and result.failed == 0


# --- the plan_targets layer ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def layer(store_copy_session):
    return read_layer("plan_targets", province="lai_chau", layers_dir=store_copy_session)


def test_every_target_row_carries_its_document(layer):
    for col in ("document", "document_status", "source"):
        assert layer[col].notna().all(), col
    dated = layer["document_date"].dropna()
    assert dated.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    draft = layer[layer["document"] == DRAFT]
    assert len(draft) >= 15 and (draft["document_status"] == "draft").all()
    assert (draft["source_url"] == "seeds/002_b55bb9fd07f1da44.txt").all()
    assert (layer.loc[layer["status"] == "missing", "target_value"].isna()).all()
    assert layer.loc[layer["status"] == "missing", "note"].str.contains("would give it").all()


def test_stored_in_force_is_the_rule_and_one_row_per_key_and_scope(layer):
    again = targets_in_force(layer)
    assert again["in_force"].tolist() == layer["in_force"].tolist()
    assert again["superseded_by"].tolist() == layer["superseded_by"].fillna("").tolist()
    per_key = layer[layer["in_force"] == "yes"].groupby(["indicator_key", "scope"]).size()
    assert (per_key == 1).all()
    assert set(per_key.index) == set(zip(layer["indicator_key"], layer["scope"], strict=True))


def test_draft_targets_of_seed_002_and_the_approved_plan(layer):
    t = layer.set_index("indicator_id")
    expected = {  # seed 002 (draft, 04/06/2021) and cafef.vn (Decision 1585), by hand
        "urbanisation_2030_draft2021": (30.0, ">="),
        "population_2030_draft2021": (545_000.0, ">="),
        "forest_cover_2030_draft2021": (56.0, ">"),
        "grid_households_2030_draft2021": (99.0, ">"),
        "grdp_growth_2021_2030_draft2021": (9.5, ">="),
        "new_rural_communes_2030_draft2021": (70.0, ">="),
        "rural_water_2030_draft2021": (100.0, ">="),
        "grdp_growth_2021_2030_qd1585": (9.0, ">="),
        "grdp_per_capita_2030_qd1585": (116.6, ">="),
        "budget_revenue_2030_qd1585": (4_500.0, ">"),
        "tourists_2030_qd1585": (2_000_000.0, ">"),
        "labour_productivity_growth_2021_2030_qd1585": (8.2, ">="),
        "urbanisation_2030_national": (50.0, ">"),
    }
    for ident, (value, comparison) in expected.items():
        assert (t.loc[ident, "target_value"], t.loc[ident, "comparison"]) == (value, comparison)
    assert t.loc["grdp_growth_2021_2030_draft2021", "superseded_by"] == APPROVED
    assert t.loc["budget_revenue_2030_draft2021", "superseded_by"] == APPROVED
    assert t.loc["urbanisation_2030_draft2021", "in_force"] == "yes"  # 1585's figure not found
    assert t.loc["urbanisation_2030_national", "in_force"] == "yes"


def test_the_layer_is_what_the_tool_builds_from_the_sources(layer, store_copy_session):
    spec = importlib.util.spec_from_file_location(
        "build_plan_targets", REPO / "tools" / "build_plan_targets.py"
    )
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    built = tool.build(load_profile("lai_chau", layers_dir=store_copy_session))
    assert built["indicator_id"].tolist() == layer["indicator_id"].tolist()

    def norm(values):
        return ["" if pd.isna(v) else str(v) for v in values]

    for col in ("target_value", "document", "document_date", "in_force", "source_url"):
        assert norm(built[col]) == norm(layer[col]), col


# --- indicators vs targets on the real layers ---------------------------------------------------


@pytest.fixture(scope="module")
def indicators(store_copy_session):
    if not (store_copy_session / "lai_chau" / "population_census_2019.csv").exists():
        pytest.skip("population_census_2019 not imported yet")
    tables = compute_statistics("lai_chau", layers_dir=store_copy_session)
    return tables["indicators_vs_targets"].set_index("indicator_id")


def test_urbanisation_current_value_is_the_2019_census_urban_share(indicators):
    row = indicators.loc["urbanisation_2030_draft2021"]
    assert round(row["current_value"], 2) == 17.79
    assert row["current_value"] == pytest.approx(CENSUS_URBAN_PCT, rel=1e-12)
    assert row["target_value"] == 30.0 and row["gap"] == pytest.approx(30 - CENSUS_URBAN_PCT)
    assert row["current_ref_year"] == "2019" and row["status"] == "not met"
    assert row["current_source_type"] == "census (GSO), computed from population_census_2019"
    assert "census urban share 2019 (phường + thị trấn)" in row["current_source"]
    assert (row["document"], row["document_status"], row["in_force"]) == (DRAFT, "draft", "yes")


def test_population_current_value_is_the_census_count_in_whole_persons(indicators):
    row = indicators.loc["population_2030_draft2021"]
    assert row["current_value"] == 460_196 and row["target_value"] == 545_000
    assert row["gap"] == 545_000 - 460_196 == 84_804
    assert row["current_ref_year"] == "2019" and row["status"] == "not met"


def test_superseded_and_missing_rows_stay_visible_and_marked(indicators):
    grdp_draft = indicators.loc["grdp_growth_2021_2030_draft2021"]
    assert grdp_draft["status"] == f"superseded by {APPROVED}"
    assert indicators.loc["tourists_2030_draft2021", "in_force"] == "no"
    approved_urb = indicators.loc["urbanisation_2030_qd1585"]
    assert approved_urb["status"] == f"missing target; in force: {DRAFT}"
    assert indicators.loc["urbanisation_2030_nq96", "status"].startswith("superseded by Decision")
    assert indicators.loc["urbanisation_2030_qd369", "status"] == "not met"  # 40 % region
    grid = indicators.loc["grid_households_2025", "status"]
    assert grid == (
        "missing current value: add a province row of metric 'households_grid_pct' to the facts "
        "layer"
    )
    assert indicators.loc["industry_share_2030_draft2021", "comparison"] == "~"


def test_other_current_values_still_come_from_facts(store_copy):
    kw = {"province": "lai_chau", "layers_dir": store_copy}
    facts = read_layer("facts", **kw)
    row = {
        "scope": "province",
        "code": "12",
        "metric": "forest_cover",
        "value": "51.87",
        "unit": "percent",
        "ref_year": "2023",
        "source_url": "https://example.org/review",
        "source_type": "press (mid-term review)",
        "note": "",
    }
    write_layer(pd.concat([facts, pd.DataFrame([row])], ignore_index=True), "facts", **kw)
    ind = compute_statistics(**kw)["indicators_vs_targets"].set_index("indicator_id")
    forest = ind.loc["forest_cover_2030_draft2021"]
    assert forest["current_value"] == 51.87 and forest["gap"] == pytest.approx(56 - 51.87)
    assert forest["current_source_type"] == "press (mid-term review)"
    assert forest["status"] == "not met"  # > 56 %


def test_without_the_census_the_status_says_which_source_fills_it(store_copy):
    for f in (store_copy / "lai_chau").glob("population_census_2019.*"):
        f.unlink()
    ind = compute_statistics("lai_chau", layers_dir=store_copy)["indicators_vs_targets"]
    ind = ind.set_index("indicator_id")
    for ident in ("urbanisation_2030_draft2021", "population_2030_draft2021"):
        assert pd.isna(ind.loc[ident, "current_value"])
        status = ind.loc[ident, "status"]
        assert status.startswith("missing current value: layer population_census_2019 missing")
        assert "python tools/import_census.py" in status
