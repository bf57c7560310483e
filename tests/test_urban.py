"""Tests of gis.urban on constructed units with hand-known answers."""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from gis.errors import CRSError, LayerError
from gis.urban import census_urban_share, official_urbanisation_rate, urbanised_share

# --- urbanised_share ------------------------------------------------------------------------

SQ = 1000.0  # 1 km squares in EPSG:9205


def squares():
    return gpd.GeoDataFrame(
        {"code": ["A", "B"]},
        geometry=[shapely.box(0, 0, SQ, SQ), shapely.box(SQ, 0, 2 * SQ, SQ)],
        crs="EPSG:9205",
    )


def test_urbanised_share_quarter_overlap():
    urban = gpd.GeoDataFrame(
        {"cls": ["IV", "V"]},
        geometry=[
            shapely.box(500, 500, 1500, 1500),  # 25 % of A (25 ha) and 25 % of B (25 ha)
            shapely.box(500, 0, 1000, 500),  # another 25 ha in A, class V
        ],
        crs="EPSG:9205",
    )
    out = urbanised_share(squares(), urban)
    assert out["urban_area_ha"].tolist() == pytest.approx([50.0, 25.0])
    assert out["urban_pct"].tolist() == pytest.approx([50.0, 25.0])
    per = urbanised_share(squares(), urban, by="cls")
    assert per["urban_IV_ha"].tolist() == pytest.approx([25.0, 25.0])
    assert per["urban_V_pct"].tolist() == pytest.approx([25.0, 0.0])
    assert "ha" in out.attrs["definition"]


def test_urbanised_share_counts_overlapping_urban_polygons_once():
    urban = gpd.GeoDataFrame(
        geometry=[shapely.box(0, 0, 500, 1000), shapely.box(0, 0, 500, 1000)], crs="EPSG:9205"
    )
    out = urbanised_share(squares(), urban)
    assert out.loc[0, "urban_area_ha"] == pytest.approx(50.0)


def test_urbanised_share_reprojects_urban_areas_and_refuses_degrees():
    from gis.crs import to_crs

    urban = to_crs(
        gpd.GeoDataFrame(geometry=[shapely.box(500, 500, 1500, 1500)], crs="EPSG:9205"),
        "EPSG:4326",
    )
    out = urbanised_share(squares(), urban)
    assert out["urban_area_ha"].tolist() == pytest.approx([25.0, 25.0], rel=1e-5)
    with pytest.raises(CRSError, match="projected CRS in metres"):
        urbanised_share(to_crs(squares(), "EPSG:4326"), urban)
    with pytest.raises(LayerError, match=r"already has column\(s\) \['urban_pct'\]"):
        urbanised_share(squares().assign(urban_pct=0.0), urban)
    with pytest.raises(LayerError, match="has no column"):
        urbanised_share(squares(), urban, by="class")


def test_urbanised_share_drops_a_sliver_of_another_survey(store_copy_session):
    """The 2025 wards of the city (one polygon) over the pre-2025 districts (another survey):
    the 69.64 ha piece in Sìn Hồ (108) is a sliver, the three genuine pieces stay whole."""
    from gis.store import read_layer

    def read(name):
        return read_layer(name, province="lai_chau", layers_dir=store_copy_session)

    urban = read("urban_areas")
    city = urban[urban.geom_type == "Polygon"].drop_duplicates("geometry_source")
    assert len(city) == 1  # the one polygon: wards 03388 + 03408
    cw = read("commune_crosswalk")
    to_wards = cw[cw["ward2025_code"].isin(["03388", "03408"])]
    assert "108" not in set(to_wards["district_code"])  # no Sìn Hồ commune went to the wards
    assert set(to_wards["district_code"]) == {"105", "106", "109"}
    out = urbanised_share(read("districts_pre2025"), city).set_index("code")
    assert out.loc["108", "urban_area_ha"] == 0.0 and out.loc["108", "urban_pct"] == 0.0
    assert out.loc["108", "urban_sliver_ha"] == pytest.approx(69.64, abs=0.01)
    # the pieces measured by hand (shapely intersection of the polygon with each district), ha
    for code, ha in (("105", 6994.05), ("106", 9303.71), ("109", 7676.83)):
        assert out.loc[code, "urban_area_ha"] == pytest.approx(ha, abs=0.01), code
        assert out.loc[code, "urban_sliver_ha"] == 0.0
    assert out["urban_area_ha"].sum() + out["urban_sliver_ha"].sum() == pytest.approx(
        city.geometry.area.iloc[0] / 1e4
    )
    assert "under 1 % of the polygon's area" in out.attrs["definition"]
    assert out.attrs["sliver_pct"] == 1.0
    kept = urbanised_share(read("districts_pre2025"), city, sliver_pct=0).set_index("code")
    assert kept.loc["108", "urban_area_ha"] == pytest.approx(69.64, abs=0.01)  # the old figure


def test_urbanised_share_keeps_small_genuine_pieces():
    """A sliver is small against its urban polygon *and* against the unit."""
    big = 20 * SQ  # a 20 km x 20 km urban polygon: 40,000 ha
    units = gpd.GeoDataFrame(
        {"code": ["ward", "edge", "strip"]},
        geometry=[
            shapely.box(0, 0, SQ, SQ),  # 100 ha inside: 0.25 % of the polygon, all of the unit
            shapely.box(big - 500, 0, big + 20 * SQ, 20 * SQ),  # 500 m x 20 km = 1,000 ha: 2.5 %
            shapely.box(0, big - 5, big - 500, big + 20 * SQ),  # 5 m x 19.5 km = 9.75 ha: 0.02 %
        ],
        crs="EPSG:9205",
    )
    urban = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, big, big)], crs="EPSG:9205")
    out = urbanised_share(units, urban).set_index("code")
    assert out.loc["ward", "urban_area_ha"] == pytest.approx(100.0)
    assert out.loc["ward", "urban_pct"] == pytest.approx(100.0)
    assert out.loc["edge", "urban_area_ha"] == pytest.approx(1000.0)
    assert out.loc["strip", "urban_area_ha"] == 0.0
    assert out.loc["strip", "urban_sliver_ha"] == pytest.approx(9.75)
    # each connected polygon is judged on its own: a 1 ha island is all of its own polygon
    island = gpd.GeoDataFrame(
        geometry=[shapely.box(0, 0, big, big), shapely.box(big + 100, 0, big + 200, 100)],
        crs="EPSG:9205",
    )
    per = urbanised_share(units, island).set_index("code")
    assert per.loc["edge", "urban_area_ha"] == pytest.approx(1001.0)
    per = urbanised_share(units, island.assign(cls=["IV", "V"]), by="cls").set_index("code")
    assert per.loc["strip", "urban_IV_sliver_ha"] == pytest.approx(9.75)
    assert per.loc["edge", "urban_V_ha"] == pytest.approx(1.0)
    assert per.loc["edge", "urban_V_sliver_ha"] == 0.0


@pytest.mark.parametrize("bad", [-1, 100, 250.0, "1", None, True])
def test_urbanised_share_refuses_a_bad_sliver_pct(bad):
    urban = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 500, 500)], crs="EPSG:9205")
    with pytest.raises(ValueError, match=r"sliver_pct must be a number from 0 to under 100"):
        urbanised_share(squares(), urban, sliver_pct=bad)


def test_urban_examples_run():
    import doctest

    import gis.urban

    result = doctest.testmod(gis.urban)
    assert result.attempted and not result.failed


# --- census and official rates ----------------------------------------------------------------


def communes():
    return pd.DataFrame(
        {
            "code": ["01", "02", "03", "04", "05"],
            "type": ["Phường", "Thị trấn", "Xã", "Xã", "Phường"],
            "district": ["d1", "d1", "d1", "d2", "d2"],
            "population": [10_000, 5_000, 35_000, 20_000, None],
        }
    )


def test_census_urban_share_pre2025_counts_townships():
    full = communes().assign(population=[10_000, 5_000, 35_000, 20_000, 30_000])
    out = census_urban_share(full, "population", "type", ["Phường", "Thị trấn"])
    assert out.loc[0, "urban_population"] == 45_000
    assert out.loc[0, "urban_pct"] == pytest.approx(45.0)  # 45,000 / 100,000
    wards_only = census_urban_share(full, "population", "type", ["Phường"])
    assert wards_only.loc[0, "urban_pct"] == pytest.approx(40.0)
    assert "Thị trấn" in out.loc[0, "definition"]


def test_census_missing_population_is_nan_and_flagged():
    out = census_urban_share(
        communes(), "population", "type", ["Phường", "Thị trấn"], by="district", id_column="code"
    )
    d1, d2 = out.set_index("district").loc["d1"], out.set_index("district").loc["d2"]
    assert d1["urban_pct"] == pytest.approx(30.0)  # 15,000 / 50,000
    assert bool(d1["population_complete"])
    assert math.isnan(d2["urban_pct"]) and math.isnan(d2["total_population"])
    assert not d2["population_complete"] and d2["units_missing_population"] == "05"


def test_census_refuses_unknown_types():
    with pytest.raises(LayerError, match="none of urban_types"):
        census_urban_share(communes(), "population", "type", ["Ward"])
    with pytest.raises(LayerError, match="has no column"):
        census_urban_share(communes(), "pop", "type", ["Phường"])


def test_official_rate():
    areas = pd.DataFrame(
        {
            "name": ["city", "town", "new"],
            "population": [40_000, 10_000, None],
            "recognised": [True, True, False],
        }
    )
    out = official_urbanisation_rate(
        areas, 250_000, population_column="population", recognised_column="recognised"
    )
    assert out.loc[0, "urban_pct"] == pytest.approx(20.0)  # 50,000 / 250,000
    assert out.loc[0, "n_areas"] == 2 and bool(out.loc[0, "population_complete"])
    everything = official_urbanisation_rate(
        areas, 250_000, population_column="population", id_column="name"
    )
    assert math.isnan(everything.loc[0, "urban_pct"])
    assert everything.loc[0, "areas_missing_population"] == "new"
    with pytest.raises(LayerError, match="must map each group"):
        official_urbanisation_rate(areas, 1.0, population_column="population", by="name")
