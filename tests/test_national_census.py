"""The 2019 census on the communes of 1 July 2025, nationally (layers/_national).

Expected values come from outside this code: the published census (96,208,984 persons, 33,122,548
urban), the 2019 census re-aggregated to the 34 provinces (``provinces_2025``, from the shared
province table), and Lai Châu's hand-checked census layer summed through its own crosswalk.
"""

import pandas as pd
import pyogrio
import pytest
from conftest import REPO

from gis.census import (
    CensusMatchError,
    CrosswalkDecisionError,
    apply_crosswalk_decisions,
    population_by_2025_commune,
)
from gis.errors import LayerError
from gis.store import read_layer

LAYERS = REPO / "layers"
NATIONAL = LAYERS / "_national"
TOTAL, URBAN = 96_208_984, 33_122_548


def _layer(name):
    return read_layer(name, province="_national", layers_dir=LAYERS)


@pytest.fixture(scope="module")
def census():
    return _layer("census_2019")


@pytest.fixture(scope="module")
def crosswalk():
    return _layer("commune_crosswalk_2025")


@pytest.fixture(scope="module")
def decisions():
    return _layer("crosswalk_decisions")


@pytest.fixture(scope="module")
def by_commune(census, crosswalk, decisions):
    return population_by_2025_commune(census, crosswalk, decisions=decisions, unmatched="drop")


def test_every_census_unit_is_listed_once_with_a_method(census):
    assert len(census) == 11_165 and census["census_id"].is_unique
    assert census["population_persons"].sum() == TOTAL
    assert census["population_urban_persons"].sum() == URBAN
    matched = census["old_code"].notna()
    assert (census.loc[matched, "match_method"] != "unmatched").all()
    assert (census.loc[~matched, "match_method"] == "unmatched").all()
    assert census["match_source"].fillna("").str.len().gt(0).all()
    # urban = phường + thị trấn on the census date: each unit is wholly urban or rural, and
    # the tabulation's type word lags for 9 units counted urban by the census (xã become
    # phường in 2019, e.g. in Chí Linh): 86,141 persons
    urban, rural = census["population_urban_persons"], census["population_rural_persons"]
    assert ((urban == 0) | (rural == 0)).all()
    urban_types = census["type"].isin(["Phường", "Thị trấn"])
    assert (rural[urban_types] == 0).all()
    lagging = census[~urban_types & (urban > 0)]
    assert len(lagging) == 9 and lagging["population_persons"].sum() == 86_141
    assert census.loc[urban_types, "population_persons"].sum() + 86_141 == URBAN


def test_matched_share_and_worst_provinces(census):
    matched = census["population_persons"].where(census["old_code"].notna(), 0)
    share = 100 * matched.sum() / TOTAL
    by_prov = (
        matched.groupby(census["province_code_2019"]).sum()
        / census.groupby("province_code_2019")["population_persons"].sum()
    )
    worst = (100 * by_prov).sort_values().head(5)
    print(f"matched {share:.3f} % of {TOTAL:,}; worst provinces: {worst.round(2).to_dict()}")
    assert share >= 99.5
    assert worst.min() >= 99.0


def test_unmatched_layer_lists_the_rest(census):
    unmatched = _layer("census_2019_unmatched")
    lost = census[census["old_code"].isna()]
    assert set(unmatched["census_id"]) == set(lost["census_id"])
    matched = census.loc[census["old_code"].notna(), "population_persons"].sum()
    assert matched + unmatched["population_persons"].sum() == TOTAL


def test_merge_rows_name_their_source(census):
    merges = _layer("census_merges_2019_2024")
    assert (
        merges["match_method"]
        .isin(["merge list", "merge list, district changed", "province table", "manual"])
        .all()
    )
    assert merges["match_source"].str.len().gt(20).all()
    rows = census.set_index("census_id").loc[merges["census_id"], "old_code"]
    assert (rows.to_numpy() == merges["old_code"].to_numpy()).all()


def test_every_old_code_is_in_the_crosswalk(census, crosswalk):
    assert set(census["old_code"].dropna()) <= set(crosswalk["old_code"])


def test_decisions_cover_the_suspect_rows(crosswalk, decisions):
    suspect = crosswalk[crosswalk["qa_flag"].fillna("").str.startswith("suspect")]
    assert len(decisions) == 21
    assert set(zip(decisions["old_code"], decisions["new_code"], strict=True)) == set(
        zip(suspect["old_code"], suspect["new_code"], strict=True)
    )
    assert decisions["decision"].value_counts().to_dict() == {"fix": 17, "keep": 4}
    kept = decisions[decisions["decision"] == "keep"]
    assert (kept["decided_new_code"] == kept["new_code"]).all()
    assert decisions["reason"].str.len().gt(40).all() and decisions["source"].str.len().gt(20).all()


def test_decisions_applied(crosswalk, decisions):
    after = apply_crosswalk_decisions(crosswalk, decisions)
    # Long Xuyên (Bình Giang) goes whole to Bình Giang (Resolution 1669, cl. 86)
    lx = after[after["old_code"] == "10963"]
    assert lx["new_code"].tolist() == ["10966"] and lx["old_part"].tolist() == ["full"]
    assert (after.groupby("old_code").size() > 1).sum() == 448


def test_national_totals_preserved(census, by_commune):
    unmatched = census[census["old_code"].isna()]
    assert len(by_commune) == 3_321
    assert by_commune["population_persons"].sum() + unmatched["population_persons"].sum() == TOTAL
    urban = by_commune["population_urban_persons"].sum()
    assert urban + unmatched["population_urban_persons"].sum() == URBAN
    assert (
        by_commune["population_urban_persons"] + by_commune["population_rural_persons"]
        == by_commune["population_persons"]
    ).all()
    assert (
        by_commune["population_method"]
        .isin(["exact", "apportioned, equal shares", "no census unit"])
        .all()
    )


def test_province_totals_equal_the_34_province_table(census, by_commune):
    p19 = pyogrio.read_dataframe(NATIONAL / "provinces_2019.geojson", read_geometry=False)
    p25 = pyogrio.read_dataframe(NATIONAL / "provinces_2025.geojson", read_geometry=False)
    to_2025 = dict(zip(p19["code"], p19["province_2025_code"], strict=True))
    cols = ["population_persons", "population_urban_persons"]
    got = by_commune.groupby("province_code")[cols].sum()
    lost = census[census["old_code"].isna()]
    got = got.add(lost.groupby(lost["province_code_2019"].map(to_2025))[cols].sum(), fill_value=0)
    want = p25.set_index("code")[cols]
    assert len(want) == 34
    pd.testing.assert_frame_equal(
        got.sort_index().astype("int64"), want.sort_index().astype("int64"), check_names=False
    )


def test_lai_chau_equals_its_hand_checked_layer(by_commune):
    census = pd.read_csv(LAYERS / "lai_chau" / "population_census_2019.csv", dtype={"code": str})
    xw = pd.read_csv(LAYERS / "lai_chau" / "commune_crosswalk.csv", dtype=str)
    ward = census["code"].map(dict(zip(xw["code"], xw["ward2025_code"], strict=True)))
    cols = ["population_persons", "population_urban_persons", "population_rural_persons"]
    want = census.groupby(ward)[cols].sum().sort_index()
    got = by_commune[by_commune["province_code"] == "12"][cols].sort_index()
    assert len(want) == 38 and want["population_persons"].sum() == 460_196
    assert (got.to_numpy() == want.to_numpy()).all() and list(got.index) == list(want.index)
    assert (by_commune.loc[got.index, "population_method"] == "exact").all()


# --- the function on tiny frames, and its errors ---------------------------------------------


def _tiny():
    census = pd.DataFrame(
        {
            "old_code": ["1", "2", "3"],
            "population_persons": [101, 7, 10],
            "population_urban_persons": [101, 0, 0],
            "population_rural_persons": [0, 7, 10],
        }
    )
    xw = pd.DataFrame(
        {
            "old_code": ["1", "1", "2", "3"],
            "new_code": ["A", "B", "B", "C"],
            "new_name": ["a", "b", "b", "c"],
        }
    )
    return census, xw


def test_split_commune_apportioned_in_whole_persons():
    census, xw = _tiny()
    out = population_by_2025_commune(census, xw)
    assert out.loc["A", "population_persons"] + out.loc["B", "population_persons"] == 108
    assert sorted(out.loc[["A", "B"], "population_urban_persons"]) == [50, 51]
    assert out.loc["C", "population_method"] == "exact"
    assert out.loc["A", "apportioned_persons"] == out.loc["A", "population_persons"]
    share = pd.DataFrame({"old_code": ["1", "1"], "new_code": ["A", "B"], "share": [0.25, 0.75]})
    out = population_by_2025_commune(census, xw, overlap_share=share)
    assert out.loc["A", "population_persons"] in (25, 26)
    assert out.loc["B", "population_method"] == "apportioned, overlap share"


def test_error_unmatched_units():
    census, xw = _tiny()
    census.loc[2, "old_code"] = None
    with pytest.raises(
        CensusMatchError, match=r"1 census unit\(s\) \(10 persons\) have no old_code"
    ):
        population_by_2025_commune(census, xw)
    assert (
        population_by_2025_commune(census, xw, unmatched="drop")["population_persons"].sum() == 108
    )


def test_error_bad_unmatched_option():
    census, xw = _tiny()
    with pytest.raises(CrosswalkDecisionError, match="use 'raise' or 'drop'"):
        population_by_2025_commune(census, xw, unmatched="ignore")


def test_error_old_code_not_in_crosswalk():
    census, xw = _tiny()
    census.loc[2, "old_code"] = "9"
    with pytest.raises(CensusMatchError, match=r"\['9'\] of the census are not in the crosswalk"):
        population_by_2025_commune(census, xw)


def test_error_fractional_counts():
    census, xw = _tiny()
    census["population_rural_persons"] = census["population_rural_persons"].astype(float)
    census.loc[1, "population_rural_persons"] = 6.5
    with pytest.raises(CensusMatchError, match="whole persons"):
        population_by_2025_commune(census, xw)


def test_error_overlap_share_incomplete():
    census, xw = _tiny()
    share = pd.DataFrame({"old_code": ["1"], "new_code": ["A"], "share": [0.5]})
    with pytest.raises(CrosswalkDecisionError, match="overlap_share lacks 1 split pair"):
        population_by_2025_commune(census, xw, overlap_share=share)


def test_error_decision_on_missing_row():
    _, xw = _tiny()
    bad = pd.DataFrame({"old_code": ["2"], "new_code": ["A"], "decided_new_code": ["B"]})
    with pytest.raises(CrosswalkDecisionError, match="2 -> A: no such crosswalk row"):
        apply_crosswalk_decisions(xw, bad)


def test_error_decision_to_unknown_commune():
    _, xw = _tiny()
    bad = pd.DataFrame({"old_code": ["1"], "new_code": ["A"], "decided_new_code": ["Z"]})
    with pytest.raises(CrosswalkDecisionError, match="Z is no 2025 commune"):
        apply_crosswalk_decisions(xw, bad)


def test_error_missing_columns():
    census, xw = _tiny()
    with pytest.raises(LayerError, match="old_code"):
        population_by_2025_commune(census.drop(columns="old_code"), xw)
