"""Tests of gis.scale.map_units: equal to the single-process call on Lai Châu's layers.

The units are the 38 communes of 2025 and the 8 districts before 2025 (``layers/lai_chau``); the
shared inputs are the province's urban polygons, roads and facilities. Partitioned results must be
*identical* to the direct call (values, dtypes, index order, attrs), not merely close: each row
is computed by the same code from the same inputs.
"""

from __future__ import annotations

import sys

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from conftest import lai_chau_population_2025
from geopandas.testing import assert_geodataframe_equal

from gis.coverage import corridor_coverage, road_density, within_distance
from gis.crs import to_crs
from gis.errors import CRSError, MissingDependencyError, ParallelError
from gis.national import commune_indicators
from gis.scale import PER_UNIT_FUNCTIONS, map_units
from gis.store import read_layer
from gis.urban import urbanised_share

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def lai_chau(store_copy_session):
    def read(name):
        return read_layer(name, province="lai_chau", layers_dir=store_copy_session)

    urban = read("urban_areas")
    return {
        "population": lai_chau_population_2025(store_copy_session),
        "districts": read("districts_pre2025"),
        "urban": urban[urban.geom_type == "Polygon"],
        "communes": read("communes_2025"),
        "roads": read("roads"),
        "facilities": read("facilities"),
    }


@pytest.fixture(scope="module")
def client():
    """Two in-process workers (threads): the distributed machinery, without process start-up."""
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        cluster.get_client() as c,
    ):
        yield c


def calls(data):
    """(function, units, args, kwargs) for every per-unit function on both unit layers."""
    for units in ("communes", "districts"):
        yield (
            within_distance,
            data[units],
            (data["facilities"],),
            {
                "distance_m": 5000,
                "feature_id_column": "facility_id",
            },
        )
        yield within_distance, data[units], (data["roads"],), {"distance_m": 2000}
        yield road_density, data[units], (data["roads"],), {}
        yield urbanised_share, data[units], (data["urban"],), {"by": "class_current"}
    yield commune_indicators, data["communes"], (data["population"],), {}


def assert_identical(expected: gpd.GeoDataFrame, got: gpd.GeoDataFrame) -> None:
    assert_geodataframe_equal(got, expected)
    pd.testing.assert_frame_equal(
        pd.DataFrame(got.drop(columns="geometry")),
        pd.DataFrame(expected.drop(columns="geometry")),
        check_exact=True,
    )
    assert list(got.index) == list(expected.index)
    assert got.attrs == expected.attrs


def test_every_per_unit_function_is_exercised(lai_chau):
    assert {f for f, *_ in calls(lai_chau)} == set(PER_UNIT_FUNCTIONS)


@pytest.mark.parametrize("npartitions", [1, 4])
def test_equal_to_single_process_threads(lai_chau, npartitions):
    for func, units, args, kwargs in calls(lai_chau):
        expected = func(units, *args, **kwargs)
        got = map_units(func, units, *args, npartitions=npartitions, **kwargs)
        assert_identical(expected, got)


def test_equal_to_single_process_on_a_cluster(lai_chau, client):
    for func, units, args, kwargs in calls(lai_chau):
        expected = func(units, *args, **kwargs)
        assert_identical(expected, map_units(func, units, *args, client=client, **kwargs))


def test_order_kept_for_shuffled_and_duplicate_index(lai_chau):
    units = lai_chau["communes"].sample(frac=1.0, random_state=3)
    units.index = [i % 5 for i in range(len(units))]  # repeated labels, not sorted
    expected = urbanised_share(units, lai_chau["urban"])
    assert_identical(expected, map_units(urbanised_share, units, lai_chau["urban"], npartitions=4))


def test_hand_computed_band_and_more_partitions_than_units():
    # three 1 km squares; a north-south line at 500 m into the first: a 250 m band covers half
    x0, y0 = 500_000.0, 2_450_000.0
    squares = gpd.GeoDataFrame(
        {"code": ["A", "B", "C"]},
        geometry=[shapely.box(x0 + i * 1e3, y0, x0 + (i + 1) * 1e3, y0 + 1e3) for i in range(3)],
        crs="EPSG:9205",
    )
    line = gpd.GeoDataFrame(
        geometry=[shapely.LineString([(x0 + 500, y0 - 1e3), (x0 + 500, y0 + 2e3)])],
        crs="EPSG:9205",
    )
    out = map_units(within_distance, squares, line, distance_m=250, npartitions=10)
    assert out["near_250m_pct"].tolist() == pytest.approx([50.0, 0.0, 0.0])
    assert out["near_250m_count"].tolist() == [1, 0, 0]


def test_not_a_per_unit_function(lai_chau):
    with pytest.raises(ParallelError, match="corridor_coverage is not a per-unit function"):
        map_units(corridor_coverage, lai_chau["districts"], lai_chau["roads"])
    with pytest.raises(ParallelError, match=r"Allowed: \['gis.coverage.within_distance'"):
        map_units(len, lai_chau["districts"])


@pytest.mark.parametrize("bad", [0, -2, 1.5, "2", True])
def test_bad_npartitions(lai_chau, bad):
    with pytest.raises(ParallelError, match="npartitions must be a positive integer"):
        map_units(urbanised_share, lai_chau["districts"], lai_chau["urban"], npartitions=bad)


def test_client_must_be_a_running_client(lai_chau, client):
    urban = lai_chau["urban"]
    with pytest.raises(ParallelError, match=r"client must be a distributed.Client, got str"):
        map_units(urbanised_share, lai_chau["districts"], urban, client="local")
    with pytest.raises(ParallelError, match=r"cluster\.get_client\(\)"):
        map_units(urbanised_share, lai_chau["districts"], urban, client=client.cluster)
    closed = distributed.Client(client.cluster, set_as_default=False)
    closed.close()
    with pytest.raises(ParallelError, match="'closed', not running"):
        map_units(urbanised_share, lai_chau["districts"], urban, client=closed)


def test_input_errors_are_those_of_the_direct_call(lai_chau):
    degrees = to_crs(lai_chau["districts"], "EPSG:4326")
    with pytest.raises(CRSError, match="projected CRS in metres"):
        map_units(urbanised_share, degrees, lai_chau["urban"])
    with pytest.raises(CRSError, match="projected CRS in metres"):
        urbanised_share(degrees, lai_chau["urban"])


def test_missing_dask_says_what_to_install(lai_chau, monkeypatch):
    monkeypatch.setitem(sys.modules, "dask_geopandas", None)  # import now raises ImportError
    with pytest.raises(MissingDependencyError, match=r"pip install 'vn-planning-gis\[dask\]'"):
        map_units(urbanised_share, lai_chau["districts"], lai_chau["urban"])
    with pytest.raises(ImportError):  # callers may catch the builtin
        map_units(urbanised_share, lai_chau["districts"], lai_chau["urban"])
