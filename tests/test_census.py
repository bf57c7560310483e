"""The 2019 census layer: each census unit matched once to the GSO list of 01/03/2025, exact sums.

Expected values are the published census (GSO 2019: Lai Châu 460,196 people, 81,889 urban,
17.79 %; 108 commune-level units: 96 xã, 5 phường, 7 thị trấn) and the 2020 merges that bring
108 units to the 106 of the 01/03/2025 list.
"""

import pandas as pd
import pytest
from conftest import REPO

from gis.census import CensusMatchError, aggregate_population, match_census_units, short_name
from gis.errors import LayerError
from gis.store import read_layer

OVERRIDES = REPO / "layers" / "lai_chau" / "_sources" / "census_2019_overrides.csv"


@pytest.fixture(scope="module")
def census():
    return read_layer("population_census_2019", layers_dir=REPO / "layers", province="lai_chau")


@pytest.fixture(scope="module")
def crosswalk():
    return read_layer("commune_crosswalk", layers_dir=REPO / "layers", province="lai_chau")


def test_census_layer_holds_the_published_totals(census):
    assert len(census) == 108
    assert census["type"].value_counts().to_dict() == {"Xã": 96, "Thị trấn": 7, "Phường": 5}
    assert census["population_persons"].sum() == 460_196
    assert census["population_urban_persons"].sum() == 81_889
    urban_pct = 100 * 81_889 / 460_196
    assert round(urban_pct, 2) == 17.79
    # urban = phường + thị trấn on the census date, exactly
    urban_types = census["type"].isin(["Phường", "Thị trấn"])
    assert census.loc[urban_types, "population_persons"].sum() == 81_889
    assert (census.loc[~urban_types, "population_urban_persons"] == 0).all()
    lai_chau_city = census[census["district_2019"] == "Lai Châu"]
    assert lai_chau_city["population_persons"].sum() == 41_771
    assert lai_chau_city["population_urban_persons"].sum() == 34_474
    assert set(census.columns) >= {"census_id", "code", "match_method", "match_source"}


def test_every_census_unit_matched_exactly_once(census, crosswalk):
    """Re-runs the match from the layer's own names: lists any unmatched name if one appears."""
    overrides = pd.read_csv(OVERRIDES, dtype=str)
    again = match_census_units(census.drop(columns=["code"]), crosswalk, overrides=overrides)
    assert again["code"].tolist() == census["code"].tolist()
    assert again["code"].notna().all()
    # the 106 units of the list each receive at least one census unit; 2 receive two
    per_unit = again.groupby("code").size()
    assert set(per_unit.index) == set(crosswalk["code"])
    assert per_unit[per_unit > 1].to_dict() == {"03403": 2, "03562": 2}
    assert again["match_method"].value_counts().to_dict() == {
        "name": 104,
        "override": 3,
        "folded name": 1,  # "Paủ" in the census, "Pa ủ" in the GSO list
    }


def test_2020_merges_are_data_with_a_source(census):
    merged = census[census["match_method"] == "override"].set_index("name")
    assert merged.loc["Nậm Loỏng", "code"] == "03403"  # into Sùng Phài (DOMAIN.md)
    assert merged.loc["Sùng Phài", "code"] == "03403"
    assert merged.loc["Sùng Phài", "district_code"] == "106"  # Tam Đường on the census date
    assert merged.loc["Ma Li Chải", "code"] == "03562"
    overrides = pd.read_csv(OVERRIDES, dtype=str)
    assert overrides["source"].str.len().min() > 20 and overrides["reason"].notna().all()


def _tiny():
    census = pd.DataFrame(
        {
            "district_2019": ["Lai Châu", "Lai Châu", "Mường Tè"],
            "type": ["Xã", "Phường", "Thị Trấn"],
            "name": ["Nậm Loỏng", "Tân Phong", "Mường Tè"],
            "population_persons": [2381, 100, 50],
        }
    )
    units = pd.DataFrame(
        {
            "district_name": ["Thành phố Lai Châu", "Thành phố Lai Châu", "Huyện Mường Tè"],
            "type": ["Xã", "Phường", "Thị trấn"],
            "name": ["Xã Sùng Phài", "Phường Tân Phong", "Thị trấn Mường Tè"],
            "code": ["03403", "03387", "03433"],
        }
    )
    return census, units


def test_unmatched_census_unit_is_listed_with_its_population():
    census, units = _tiny()
    with pytest.raises(CensusMatchError) as err:
        match_census_units(census, units)
    text = str(err.value)
    assert "no unit for census unit Xã Nậm Loỏng (Lai Châu, 2,381 people)" in text
    assert "unit 03403 Xã Sùng Phài (Lai Châu) receives no census unit" in text
    assert "needs a row in the overrides table" in text


def test_bad_overrides_are_refused_by_name():
    census, units = _tiny()
    bad = pd.DataFrame(
        {
            "district_2019": ["Lai Châu", "Lai Châu"],
            "type": ["Xã", "Xã"],
            "name": ["Nậm Loong Typo", "Nậm Loỏng"],
            "code": ["03403", "99999"],
            "reason": ["", ""],
            "source": ["", ""],
        }
    )
    with pytest.raises(CensusMatchError) as err:
        match_census_units(census, units, overrides=bad)
    assert "override names Xã Nậm Loong Typo (Lai Châu), which is not a census unit" in str(
        err.value
    )
    assert "gives code 99999, not in the unit list" in str(err.value)


def test_the_same_name_twice_in_a_district_is_told_apart_by_type():
    census = pd.DataFrame(
        {"district_2019": ["Mường Tè"] * 2, "type": ["Xã", "Thị trấn"], "name": ["Mường Tè"] * 2}
    )
    units = pd.DataFrame(
        {
            "district_name": ["Huyện Mường Tè"] * 2,
            "type": ["Thị trấn", "Xã"],
            "name": ["Thị trấn Mường Tè", "Xã Mường Tè"],
            "code": ["03433", "03445"],
        }
    )
    assert match_census_units(census, units)["code"].tolist() == ["03445", "03433"]


def test_aggregation_refuses_a_unit_without_a_group():
    frame = pd.DataFrame(
        {
            "name": ["A", "B"],
            "population_persons": [10, 5],
            "population_urban_persons": [0, 0],
            "population_rural_persons": [10, 5],
        }
    )
    with pytest.raises(LayerError, match=r"1 census unit\(s\) have no group .*\['B'\]"):
        aggregate_population(frame, pd.Series(["x", None]))
    out = aggregate_population(frame, pd.Series(["x", "x"]))
    assert out.loc["x", "population_persons"] == 15 and out.loc["x", "census_units"] == "A; B"


def test_short_name_drops_unit_words_only():
    assert short_name("Thị trấn Mường Tè") == "Mường Tè"
    assert short_name("Thành phố Lai Châu") == "Lai Châu"
    assert short_name("Xã Phường Lý") == "Phường Lý"  # only the leading type word


def test_census_unit_to_refuses_what_cannot_be_summed_whole():
    from gis.census import census_unit_to

    census = pd.DataFrame({"code": ["03403", "03391"], "district_code": ["105", "109"]})
    crosswalk = pd.DataFrame({"code": ["03403", "03391"], "ward2025_code": ["03388", "03388"]})
    assert census_unit_to(census, "commune_2025", crosswalk).tolist() == ["03388", "03388"]
    assert census_unit_to(census, "district").tolist() == ["105", "109"]
    split = pd.concat([crosswalk, pd.DataFrame({"code": ["03391"], "ward2025_code": ["03408"]})])
    with pytest.raises(LayerError, match=r"maps old unit\(s\) \['03391'\] to several 2025"):
        census_unit_to(census, "commune_2025", split)
    with pytest.raises(LayerError, match="needs the commune_crosswalk"):
        census_unit_to(census, "commune_2025")
    with pytest.raises(LayerError, match="unknown census level 'ward'"):
        census_unit_to(census, "ward")
