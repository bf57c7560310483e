"""Tests of gis.coverage on 1 km squares in EPSG:9205 with hand-computed answers."""

from __future__ import annotations

import math

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine

from gis.coverage import (
    corridor_coverage,
    existing_roads,
    network_distance_catchment,
    road_density,
    road_graph,
    road_network_at,
    rural_access_index,
    within_distance,
)
from gis.crs import to_crs
from gis.errors import CRSError, LayerError

X0, Y0 = 500_000.0, 2_450_000.0  # lower-left corner of unit A, EPSG:9205


def squares():
    """A, B, C: 1 km squares side by side, west to east."""
    return gpd.GeoDataFrame(
        {
            "code": ["A", "B", "C"],
            "plan_region": ["r1", "r2", "r2"],
            "type": ["Xã", "Xã", "Phường"],
            "rural": [True, True, False],
            "population": [1000.0, 2000.0, 5000.0],
        },
        geometry=[shapely.box(X0 + i * 1000, Y0, X0 + (i + 1) * 1000, Y0 + 1000) for i in range(3)],
        crs="EPSG:9205",
    )


def vline(x, name="axis", **attrs):
    """A north-south line at easting X0 + x, well beyond the squares."""
    geom = shapely.LineString([(X0 + x, Y0 - 1000), (X0 + x, Y0 + 2000)])
    return {"name": name, "geometry": geom, **attrs}


def lines(*rows):
    return gpd.GeoDataFrame(list(rows), geometry="geometry", crs="EPSG:9205")


def test_within_distance_band_area_population_and_ids():
    out = within_distance(
        squares(),
        lines(vline(500, "QL4D")),
        distance_m=250,
        population_column="population",
        feature_id_column="name",
    )
    assert out["near_250m_area_km2"].tolist() == pytest.approx([0.5, 0.0, 0.0])
    assert out["near_250m_pct"].tolist() == pytest.approx([50.0, 0.0, 0.0])
    assert out["near_250m_population"].tolist() == pytest.approx([500.0, 0.0, 0.0])
    assert out["near_250m_ids"].tolist() == ["QL4D", "", ""]
    wide = within_distance(squares(), lines(vline(500, "QL4D")), distance_m=600)
    assert wide["near_600m_pct"].tolist() == pytest.approx([100.0, 10.0, 0.0])
    assert wide["near_600m_count"].tolist() == [1, 1, 0]  # B is 500 m from the line
    assert "areal weighting" in out.attrs["definition"]


def test_overlapping_buffers_count_once_and_features_reprojected():
    two = to_crs(lines(vline(400, "a"), vline(600, "b")), "EPSG:4326")
    out = within_distance(squares(), two, distance_m=250)
    assert out.loc[0, "near_250m_pct"] == pytest.approx(70.0, abs=0.01)  # [150 m, 850 m]
    assert out.loc[0, "near_250m_ids"] == "0;1"


def test_within_distance_errors():
    with pytest.raises(CRSError, match="projected CRS in metres"):
        within_distance(to_crs(squares(), "EPSG:4326"), lines(vline(500)), distance_m=10)
    with pytest.raises(LayerError, match=r"already has column\(s\) \['near_10m_area_km2'\]"):
        within_distance(squares().assign(near_10m_area_km2=1), lines(vline(500)), distance_m=10)
    with pytest.raises(LayerError, match="has no column"):
        within_distance(squares(), lines(vline(500)), distance_m=10, population_column="pop")


def test_corridor_coverage_by_region():
    out = corridor_coverage(
        squares(), lines(vline(500)), distances_m=(250, 600), population_column="population"
    )
    t = out.set_index(["plan_region", "distance_m"])
    assert t.loc[("r1", 250), "area_within_pct"] == pytest.approx(50.0)
    assert t.loc[("r1", 600), "area_within_pct"] == pytest.approx(100.0)
    assert t.loc[("r2", 250), "area_within_km2"] == pytest.approx(0.0)
    assert t.loc[("r2", 600), "area_within_pct"] == pytest.approx(5.0)  # 0.1 of 2 km2
    assert t.loc[("r2", 600), "n_units_reached"] == 1
    # B: 10 % of 2,000 = 200 people; r2 holds B and C = 7,000 people
    assert t.loc[("r2", 600), "population_within_pct"] == pytest.approx(100 * 200 / 7000)
    assert t.loc[("(all)", 600), "population_within_pct"] == pytest.approx(15.0)  # 1,200 / 8,000
    assert t.loc[("(all)", 250), "area_within_pct"] == pytest.approx(100 * 0.5 / 3)


def test_corridor_missing_population_is_nan():
    u = squares()
    u.loc[1, "population"] = np.nan
    out = corridor_coverage(
        u, lines(vline(500)), distances_m=(600,), population_column="population"
    )
    t = out.set_index("plan_region")
    assert t.loc["r1", "population_within_pct"] == pytest.approx(100.0)
    assert math.isnan(t.loc["r2", "population_within_pct"])


# --- road network -------------------------------------------------------------------------------


def seg(*coords, **attrs):
    return {"geometry": shapely.LineString([(X0 + x, Y0 + y) for x, y in coords]), **attrs}


def test_road_graph_snaps_ends_and_weights_by_length():
    roads = lines(
        seg((0, 0), (1000, 0)),
        seg((1000.4, 0), (2000, 0)),  # 0.4 m gap: joined with snap_m=1
        seg((1000, 0.3), (1000, 800)),
    )
    g = road_graph(roads)
    assert g.number_of_nodes() == 4 and g.number_of_edges() == 3
    assert nx.is_connected(g)
    lengths = sorted(d["length_m"] for *_, d in g.edges(data=True))
    assert lengths == pytest.approx([799.7, 999.6, 1000.0])
    apart = road_graph(roads, snap_m=0.1)
    assert apart.number_of_nodes() == 6 and not nx.is_connected(apart)


def test_catchment_distances_along_roads():
    roads = lines(
        seg((0, 0), (1000, 0)), seg((1000.4, 0), (2000, 0)), seg((1000, 0.3), (1000, 800))
    )
    g = road_graph(roads)
    origin = gpd.GeoDataFrame(
        {"name": ["gate"]}, geometry=[shapely.Point(X0, Y0 + 5)], crs="EPSG:9205"
    )
    near = network_distance_catchment(g, origin, max_distance_m=1500, origin_id_column="name")
    assert sorted(near["distance_m"]) == pytest.approx([5.0, 1005.0], abs=0.5)
    far = network_distance_catchment(g, origin, max_distance_m=2100)
    assert sorted(far["distance_m"]) == pytest.approx(
        [5, 1005, 1005 + 799.7, 1005 + 999.6], abs=0.5
    )
    assert set(far["origin"]) == {0}


def test_catchment_assigns_nearest_origin():
    g = road_graph(lines(seg((0, 0), (1000, 0)), seg((1000, 0), (3000, 0))))
    origins = to_crs(
        gpd.GeoDataFrame(
            {"name": ["west", "east"]},
            geometry=[shapely.Point(X0, Y0), shapely.Point(X0 + 3000, Y0)],
            crs="EPSG:9205",
        ),
        "EPSG:4326",
    )
    out = network_distance_catchment(g, origins, max_distance_m=5000, origin_id_column="name")
    out["x"] = out.geometry.x.round() - X0
    by_x = out.set_index("x")
    assert by_x.loc[1000, "origin"] == "west"
    assert by_x.loc[1000, "distance_m"] == pytest.approx(1000, abs=0.01)
    assert by_x.loc[3000, "origin"] == "east"


def test_node_intersections_connects_crossing_roads():
    cross = lines(seg((0, 0), (2000, 0)), seg((1000, -1000), (1000, 1000)))
    plain = road_graph(cross)
    assert nx.number_connected_components(plain) == 2
    noded = road_graph(cross, node_intersections=True)
    assert noded.number_of_nodes() == 5 and noded.number_of_edges() == 4
    start = gpd.GeoDataFrame(geometry=[shapely.Point(X0, Y0)], crs="EPSG:9205")
    out = network_distance_catchment(noded, start, max_distance_m=10_000)
    assert out["distance_m"].max() == pytest.approx(2000.0)
    assert {d["road"] for *_, d in noded.edges(data=True)} == {0, 1}


def test_road_graph_needs_metres():
    with pytest.raises(CRSError, match="network distances need a projected CRS"):
        road_graph(to_crs(lines(seg((0, 0), (10, 0))), "EPSG:4326"))


# --- density and rural access ------------------------------------------------------------------


def test_road_density():
    u = squares()
    u.loc[1, "population"] = np.nan
    roads = lines(
        seg((-100, 500), (1000, 500)),  # 1 km inside A (and 0 in B: it stops on the boundary)
        seg((500, 200), (500, 700)),  # 0.5 km inside A
        seg((500, 200), (500, 700)),  # a duplicate: counted once
    )
    out = road_density(u, roads, population_column="population")
    assert out["road_length_km"].tolist() == pytest.approx([1.5, 0.0, 0.0])
    assert out["road_density_km_per_km2"].tolist() == pytest.approx([1.5, 0.0, 0.0])
    assert out.loc[0, "road_km_per_1000_people"] == pytest.approx(1.5)
    assert math.isnan(out.loc[1, "road_km_per_1000_people"])


def test_existing_roads_and_planned_network_by_horizon():
    roads = lines(seg((-100, 500), (1000, 500)), seg((500, 0), (500, 1000)), seg((0, 0), (1, 1)))
    roads["status"] = ["existing", "planned", "upgrading"]
    roads["horizon"] = ["baseline", "2050", "2030"]
    assert existing_roads(roads)["status"].tolist() == ["existing"]
    assert road_network_at(roads, 2030)["status"].tolist() == ["existing", "upgrading"]
    assert road_network_at(roads, 2050)["status"].tolist() == ["existing", "planned", "upgrading"]
    density = road_density(squares(), existing_roads(roads))
    assert density.loc[0, "road_length_km"] == pytest.approx(1.0)  # the planned 1 km is left out
    with pytest.raises(LayerError, match="status"):
        existing_roads(roads.drop(columns="status"))


def write_population(path):
    """100 m cells over A, B, C: A's 1,000 people all in its two western columns."""
    arr = np.zeros((10, 30), dtype="float32")
    arr[:, 0:2] = 50.0  # A: 20 cells x 50
    arr[:, 10:20] = 20.0  # B: 100 cells x 20
    arr[:, 20:30] = 50.0  # C: 100 cells x 50
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=30,
        height=10,
        count=1,
        dtype="float32",
        crs="EPSG:9205",
        transform=Affine(100.0, 0.0, X0, 0.0, -100.0, Y0 + 1000),
        nodata=-1.0,
    ) as ds:
        ds.write(arr, 1)
    return path


def test_rural_access_index_areal_weighting_and_raster(tmp_path):
    roads = lines(vline(500, paved=True), vline(1500, paved=False))
    opts = dict(rural_column="rural", all_season_column="paved", distance_m=250)
    out = rural_access_index(squares(), roads, population_column="population", **opts)
    assert out["rai_population_within"].tolist()[:2] == pytest.approx([500.0, 0.0])
    assert math.isnan(out.loc[2, "rai_pct"])  # the urban unit is not in the index
    assert out.attrs["summary"]["rai_pct"] == pytest.approx(100 * 500 / 3000)
    every = rural_access_index(
        squares(), roads, population_column="population", rural_column="rural", distance_m=250
    )
    assert every.attrs["summary"]["rai_pct"] == pytest.approx(50.0)  # (500 + 1,000) / 3,000

    raster = write_population(tmp_path / "pop.tif")
    exact = rural_access_index(squares(), roads, population_raster=raster, **opts)
    assert exact["rai_population"].tolist()[:2] == pytest.approx([1000.0, 2000.0])
    assert exact.attrs["summary"]["rai_pct"] == pytest.approx(0.0)  # A's people live 300 m off
    exact_all = rural_access_index(
        squares(), roads, population_raster=raster, rural_column="rural", distance_m=250
    )
    assert exact_all.attrs["summary"]["rai_pct"] == pytest.approx(100 * 1000 / 3000)


def test_rural_access_index_missing_population_and_errors():
    u = squares()
    u.loc[0, "population"] = np.nan
    roads = lines(vline(500, paved=True))
    out = rural_access_index(u, roads, population_column="population", rural_column="rural")
    assert math.isnan(out.attrs["summary"]["rai_pct"])
    assert out.attrs["summary"]["units_missing_population"] == ["0"]
    with pytest.raises(ValueError, match="exactly one of"):
        rural_access_index(u, roads)
    with pytest.raises(LayerError, match="nothing is all-season"):
        rural_access_index(
            u,
            lines(vline(500, paved=False)),
            population_column="population",
            all_season_column="paved",
        )
