"""Coverage indicators: what lies within a distance of features, along roads, and road density.

Straight-line coverage buffers the features, dissolves the buffers and intersects them with the
units in the units' metric CRS. Population "within" is estimated by **areal weighting** (people
spread evenly over each unit) unless a population raster is given, in which case the raster is
summed over the covered part with exact cell coverage (:func:`gis.zonal.zonal_stats`). Network
distances use networkx's Dijkstra on a graph built from road lines (:func:`road_graph`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from gis._frames import (
    M2_PER_KM2,
    check_free_columns,
    require_columns,
    require_geodataframe,
    require_polygons,
)
from gis._overlay import intersection_measure
from gis.crs import require_metric_crs, to_crs
from gis.errors import LayerError
from gis.plan import SCHEMATIC
from gis.profile import DEFAULT_DISTANCES_M

__all__ = [
    "SCHEMATIC_VI",
    "SURVEYED_ROADS_COMMANDS",
    "corridor_coverage",
    "existing_roads",
    "network_distance_catchment",
    "road_density",
    "road_graph",
    "road_network_at",
    "roads_are_schematic",
    "rural_access_index",
    "schematic_roads",
    "within_distance",
]

AREAL_WEIGHTING = "areal weighting: population spread evenly over each unit's area"


def _metric_pair(
    units: gpd.GeoDataFrame, features: gpd.GeoDataFrame, purpose: str
) -> tuple[gpd.GeoDataFrame, object]:
    require_geodataframe(units, name="units")
    require_polygons(units, name="units")
    crs = require_metric_crs(units, name="units", purpose=purpose)
    require_geodataframe(features, name="features")
    return to_crs(features, crs), crs


def _population_in(
    parts: np.ndarray, population_raster: str | Path | None, crs: object
) -> np.ndarray:
    """Sum a population raster over each polygon of ``parts`` (NaN where empty)."""
    from gis.zonal import zonal_stats

    nonempty = ~shapely.is_empty(parts) & (shapely.area(parts) > 0)
    result = np.zeros(len(parts))
    if nonempty.any():
        frame = gpd.GeoDataFrame(geometry=parts[nonempty], crs=crs)
        stats = zonal_stats(frame, population_raster, stats=("sum",), prefix="p")
        result[nonempty] = np.nan_to_num(stats["p_sum"].to_numpy(), nan=0.0)
    return result


def _joined_ids(unit_idx: np.ndarray, ids: np.ndarray, n: int) -> np.ndarray:
    """Per unit, the distinct ``ids`` of its pairs, sorted and ``;``-joined ("" for none)."""
    out = np.full(n, "", dtype=object)
    order = np.argsort(unit_idx, kind="stable")
    starts = np.flatnonzero(np.diff(unit_idx[order])) + 1
    for chunk in np.split(order, starts) if len(order) else []:
        out[unit_idx[chunk[0]]] = ";".join(sorted(set(ids[chunk])))
    return out


def within_distance(
    units: gpd.GeoDataFrame,
    features: gpd.GeoDataFrame,
    *,
    distance_m: float,
    population_column: str | None = None,
    population_raster: str | Path | None = None,
    feature_id_column: str | None = None,
    prefix: str = "near",
) -> gpd.GeoDataFrame:
    """Add, per unit, the area, share and population within ``distance_m`` of any feature.

    Parameters
    ----------
    units : GeoDataFrame
        Polygons in a projected CRS in metres; not modified.
    features : GeoDataFrame
        Points, lines or polygons (any CRS; a copy is reprojected to the units' CRS).
    distance_m : float
        Straight-line distance in metres.
    population_column : str, optional
        Population of each unit; the population within is estimated by areal weighting.
    population_raster : str or Path, optional
        Population-count raster (WorldPop, GHS-POP): the population within is its sum over the
        covered part of the unit instead (needs no ``population_column``).
    feature_id_column : str, optional
        Column of ``features`` listed in ``<prefix>_<d>m_ids`` (default the features' index).
    prefix : str
        Start of the new column names.

    Returns
    -------
    GeoDataFrame
        Copy of ``units`` with ``<prefix>_<d>m_area_km2``, ``<prefix>_<d>m_pct`` (of the unit's
        area), ``<prefix>_<d>m_count`` and ``<prefix>_<d>m_ids`` (features within ``distance_m``
        of the unit, ``;``-joined) and, with a population, ``<prefix>_<d>m_population``.
        ``attrs["definition"]`` states the method.
    """
    if distance_m < 0:
        raise ValueError(f"distance_m must be >= 0; got {distance_m}.")
    feats, crs = _metric_pair(units, features, "distances")
    require_columns(units, [population_column], name="units")
    require_columns(feats, [feature_id_column], name="features")
    stem = f"{prefix}_{distance_m:g}m"
    geoms = units.geometry.values
    zone = shapely.union_all(shapely.buffer(feats.geometry.values, distance_m, quad_segs=16))
    if population_raster is not None:  # the raster is summed over the covered parts
        covered = shapely.intersection(geoms, zone)
        area_in = shapely.area(covered)
    else:  # only the area is needed: overlay just the units crossing the zone's edge
        area_in = intersection_measure(geoms, zone, measure=shapely.area)
    unit_area = shapely.area(geoms)
    ids = (feats[feature_id_column] if feature_id_column else feats.index.to_series()).astype(str)
    tree = shapely.STRtree(feats.geometry.values)
    unit_idx, feat_idx = tree.query(geoms, predicate="dwithin", distance=distance_m)
    new: dict[str, object] = {
        f"{stem}_area_km2": area_in / M2_PER_KM2,
        f"{stem}_pct": np.where(unit_area > 0, 100.0 * area_in / unit_area, np.nan),
        f"{stem}_count": np.bincount(unit_idx, minlength=len(units)),
        f"{stem}_ids": _joined_ids(unit_idx, ids.to_numpy(dtype=object)[feat_idx], len(units)),
    }
    method = "no population"
    if population_raster is not None:
        new[f"{stem}_population"] = _population_in(covered, population_raster, crs)
        method = f"population raster '{Path(population_raster).name}' summed (exact coverage)"
    elif population_column is not None:
        pop = pd.to_numeric(units[population_column], errors="coerce").to_numpy(dtype=float)
        new[f"{stem}_population"] = pop * np.where(unit_area > 0, area_in / unit_area, np.nan)
        method = AREAL_WEIGHTING
    check_free_columns(units, new, name="units")
    out = units.copy()
    for col, values in new.items():
        out[col] = values
    out.attrs["definition"] = (
        f"Within {distance_m:g} m (straight line) of any of {len(feats)} features: dissolved "
        f"buffers intersected with each unit in {crs.to_string()}; population: {method}."
    )
    return out


def corridor_coverage(
    units: gpd.GeoDataFrame,
    axis: gpd.GeoDataFrame,
    *,
    distances_m: Sequence[float] = DEFAULT_DISTANCES_M,
    by: str | None = "plan_region",
    population_column: str | None = None,
    population_raster: str | Path | None = None,
) -> pd.DataFrame:
    """Summarise the area, population and units within each distance of a corridor axis.

    Parameters
    ----------
    units : GeoDataFrame
        Polygons in a metric CRS (districts, communes); not modified.
    axis : GeoDataFrame
        The corridor's lines (e.g. national roads QL.4D, QL.32, QL.12, QL.279).
    distances_m : sequence of float
        Distances in metres.
    by : str or None
        Column of ``units`` to group by (default ``plan_region``); None for one group. A row
        ``(all)`` totals the groups.
    population_column, population_raster : optional
        As in :func:`within_distance`.

    Returns
    -------
    DataFrame
        One row per group and distance: ``distance_m``, ``area_km2``, ``area_within_km2``,
        ``area_within_pct``, ``n_units``, ``n_units_reached`` (some part within), and with a
        population ``population``, ``population_within``, ``population_within_pct`` (NaN if
        any unit of the group lacks a population); ``definition``.
    """
    require_columns(units, [by], name="units")
    has_pop = population_column is not None or population_raster is not None
    rows = []
    for d in distances_m:
        res = within_distance(
            units,
            axis,
            distance_m=d,
            population_column=population_column,
            population_raster=population_raster,
            prefix="_c",
        )
        stem = f"_c_{d:g}m"
        res["_area_km2"] = res.geometry.area / M2_PER_KM2
        if population_raster is not None:
            full = _population_in(res.geometry.values, population_raster, res.crs)
            res["_pop"] = full
        elif population_column is not None:
            res["_pop"] = pd.to_numeric(res[population_column], errors="coerce")
        groups = [("(all)", res)] if by is None else [*res.groupby(by, sort=True), ("(all)", res)]
        for name, g in groups:
            row = {
                "group": name,
                "distance_m": d,
                "area_km2": g["_area_km2"].sum(),
                "area_within_km2": g[f"{stem}_area_km2"].sum(),
                "n_units": len(g),
                "n_units_reached": int((g[f"{stem}_area_km2"] > 0).sum()),
            }
            row["area_within_pct"] = 100.0 * row["area_within_km2"] / row["area_km2"]
            if has_pop:
                complete = g["_pop"].notna().all()
                row["population"] = g["_pop"].sum() if complete else np.nan
                row["population_within"] = g[f"{stem}_population"].sum() if complete else np.nan
                row["population_within_pct"] = (
                    100.0 * row["population_within"] / row["population"]
                    if complete and row["population"] > 0
                    else np.nan
                )
            row["definition"] = res.attrs["definition"].replace(f"{d:g} m", "distance_m")
            rows.append(row)
    out = pd.DataFrame(rows).rename(columns={"group": by or "group"})
    out.attrs["definition"] = rows[0]["definition"] if rows else ""
    return out


def _lines(roads: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    parts, idx = shapely.get_parts(roads.geometry.values, return_index=True)
    keep = shapely.get_type_id(parts) == 1  # LineString
    if not keep.any():
        raise LayerError("'roads' holds no line geometry; found " + str(set(roads.geom_type)))
    return parts[keep], idx[keep]


def road_graph(
    roads: gpd.GeoDataFrame,
    *,
    snap_m: float = 1.0,
    node_intersections: bool = False,
) -> nx.MultiGraph:
    """Build an undirected road graph: nodes at line ends, edges weighted by length in metres.

    Parameters
    ----------
    roads : GeoDataFrame
        Lines in a projected CRS in metres; not modified.
    snap_m : float
        Line ends closer than this (chains of them, too) become one node at their mean position.
    node_intersections : bool
        Also split lines where they cross (:func:`shapely.node`). Use it for layers whose
        junctions are not line ends; it also joins roads at bridges and tunnels.

    Returns
    -------
    networkx.MultiGraph
        Nodes have ``x``, ``y``; edges ``length_m``, ``road`` (index label of the source row) and
        ``geometry``. ``graph.graph["crs"]`` is the roads' CRS.
    """
    require_geodataframe(roads, name="roads")
    crs = require_metric_crs(roads, name="roads", purpose="network distances")
    lines, src = _lines(roads)
    if node_intersections:
        noded = shapely.get_parts(shapely.node(shapely.multilinestrings(lines)))
        mids = shapely.line_interpolate_point(noded, 0.5, normalized=True)
        src = src[shapely.STRtree(lines).query_nearest(mids, all_matches=False)[1]]
        lines = noded
    ends = np.vstack(
        [shapely.get_coordinates(shapely.get_point(lines, i)) for i in (0, -1)]
    )  # first all starts, then all ends
    pairs = cKDTree(ends).query_pairs(r=snap_m, output_type="ndarray")
    n = len(ends)
    adj = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, node_of = connected_components(adj, directed=False)
    graph = nx.MultiGraph(crs=crs)
    xy = pd.DataFrame(ends, columns=["x", "y"]).groupby(node_of).mean()
    graph.add_nodes_from((int(k), {"x": r.x, "y": r.y}) for k, r in xy.iterrows())
    m = len(lines)
    labels = roads.index.to_numpy()
    for i, line in enumerate(lines):
        graph.add_edge(
            int(node_of[i]),
            int(node_of[m + i]),
            length_m=float(shapely.length(line)),
            road=labels[src[i]],
            geometry=line,
        )
    return graph


def network_distance_catchment(
    graph: nx.MultiGraph,
    origins: gpd.GeoDataFrame,
    *,
    max_distance_m: float,
    origin_id_column: str | None = None,
) -> gpd.GeoDataFrame:
    """Return the road nodes within ``max_distance_m`` of the nearest origin along the network.

    Each origin is attached to its nearest graph node; the straight distance to it counts in the
    total. Distances are computed by :func:`networkx.multi_source_dijkstra` on ``length_m``.

    Parameters
    ----------
    graph : networkx.MultiGraph
        From :func:`road_graph`.
    origins : GeoDataFrame
        Points (town centres, border gate, hospitals); any CRS, reprojected to the graph's.
    max_distance_m : float
        Network distance limit in metres.
    origin_id_column : str, optional
        Column naming the origins in the ``origin`` column of the result (default the index).

    Returns
    -------
    GeoDataFrame
        One point per reached node: ``node``, ``distance_m``, ``origin``; in the graph's CRS.
    """
    require_geodataframe(origins, name="origins")
    require_columns(origins, [origin_id_column], name="origins")
    crs = graph.graph.get("crs")
    if crs is None or graph.number_of_nodes() == 0:
        raise LayerError("graph has no CRS or no node; build it with road_graph(roads).")
    pts = to_crs(origins, crs)
    nodes = np.array(list(graph.nodes))
    coords = np.array([[graph.nodes[k]["x"], graph.nodes[k]["y"]] for k in nodes])
    centroids = shapely.get_coordinates(shapely.centroid(pts.geometry.values))
    snap, pos = cKDTree(coords).query(centroids)
    labels = (pts[origin_id_column] if origin_id_column else pts.index.to_series()).tolist()
    # a virtual source joined to each origin's node by its snap distance gives one Dijkstra run
    work = nx.MultiGraph(graph)
    source = ("__origin__",)
    for i, node in enumerate(nodes[pos]):
        work.add_edge(source, int(node), length_m=float(snap[i]), origin=labels[i])
    dist, paths = nx.single_source_dijkstra(work, source, cutoff=max_distance_m, weight="length_m")
    # the origin of a node is the one whose own node starts its path (nearest snap on ties)
    by_snap = sorted(enumerate(pos), key=lambda t: -snap[t[0]])
    first_hop = {int(nodes[p]): labels[i] for i, p in by_snap}
    rows = [
        {"node": k, "distance_m": d, "origin": first_hop[paths[k][1]]}
        for k, d in dist.items()
        if k != source
    ]
    points = [shapely.Point(graph.nodes[r["node"]]["x"], graph.nodes[r["node"]]["y"]) for r in rows]
    out = gpd.GeoDataFrame(
        pd.DataFrame(rows, columns=["node", "distance_m", "origin"]),
        geometry=gpd.GeoSeries(points, crs=crs),
        crs=crs,
    )
    out.attrs["definition"] = (
        f"Road nodes within {max_distance_m:g} m of the nearest origin along the network "
        "(networkx Dijkstra on length_m, plus the straight snap distance of the origin)."
    )
    return out


def existing_roads(roads: gpd.GeoDataFrame, *, status_column: str = "status") -> gpd.GeoDataFrame:
    """Return the roads that exist today (``status == "existing"``), a copy.

    Road density and the Rural Access Index (SDG 9.1.1) are defined on the existing network;
    planned and under-construction roads (``planned``, ``upgrading``) are left out.

    Raises
    ------
    LayerError
        If ``roads`` has no ``status_column``.
    """
    require_columns(roads, [status_column], name="roads")
    return roads[roads[status_column] == "existing"].copy()


def road_network_at(
    roads: gpd.GeoDataFrame,
    year: int,
    *,
    status_column: str = "status",
    horizon_column: str = "horizon",
) -> gpd.GeoDataFrame:
    """Return the network planned for ``year``: existing roads plus those with horizon <= year.

    A road that is not ``existing`` counts when its horizon (e.g. ``"2030"``) is a year no later
    than ``year``; a non-numeric horizon other than the existing roads' is left out.
    """
    require_columns(roads, [status_column, horizon_column], name="roads")
    horizon = pd.to_numeric(roads[horizon_column], errors="coerce")
    keep = (roads[status_column] == "existing") | (horizon <= year)
    return roads[keep.to_numpy()].copy()


#: Said beside a statistic computed on schematic roads (Vietnamese first: the report's readers).
SCHEMATIC_VI = "sơ đồ – không phải số đo"
#: What replaces schematic roads by surveyed alignments (see :mod:`gis.plan`), in order.
SURVEYED_ROADS_COMMANDS = (
    "gis import <extract>.osm.pbf --as road_alignments",
    "python tools/build_plan_layers.py",
)


def schematic_roads(roads: pd.DataFrame, *, accuracy_column: str = "accuracy") -> pd.Series:
    """Flag the roads whose geometry is schematic: ``accuracy`` starting with ``"schematic"``.

    :func:`gis.plan.schematic_lines` writes :data:`gis.plan.SCHEMATIC` (``"schematic"``, or a
    qualified ``"schematic (endpoints only)"``) on a line drawn through waypoints, and the
    accuracy of the alignment on a road replaced by a surveyed one. Without the column, or with
    an empty value, nothing is known to be schematic (False).

    Returns
    -------
    Series of bool
        Aligned on ``roads.index``.
    """
    if accuracy_column not in roads.columns:
        return pd.Series(False, index=roads.index, dtype=bool)
    accuracy = roads[accuracy_column].astype("string").str.strip().str.lower()
    return accuracy.str.startswith(SCHEMATIC).fillna(False).astype(bool)


def roads_are_schematic(roads: pd.DataFrame, *, accuracy_column: str = "accuracy") -> bool:
    """Say whether statistics on ``roads`` are sketches: any of the roads is schematic.

    The rule, the one used by the statistics tables and the maps: one road flagged by
    :func:`schematic_roads` is enough, because a density or access figure mixing surveyed and
    schematic lines is no measurement either (a schematic line is ±1-3 km off and shorter than
    the winding road). Pass the roads a statistic uses (road density and the RAI:
    :func:`existing_roads`), so planned corridors, schematic by nature, do not decide it. No
    roads: False.

    Examples
    --------
    >>> import pandas as pd
    >>> roads_are_schematic(pd.DataFrame({"accuracy": ["schematic", "OSM 2025"]}))
    True
    >>> roads_are_schematic(pd.DataFrame({"accuracy": ["OSM 2025", "OSM 2025"]}))
    False
    """
    flags = schematic_roads(roads, accuracy_column=accuracy_column)
    return bool(flags.any())


def road_density(
    units: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame,
    *,
    population_column: str | None = None,
    prefix: str = "road",
) -> gpd.GeoDataFrame:
    """Add road length (km), density (km/km²) and, with a population, km per 1,000 people.

    Roads are clipped to each unit in the units' metric CRS; a road on a shared boundary counts
    in both units. Missing populations give NaN, never a number.

    Returns
    -------
    GeoDataFrame
        Copy of ``units`` with ``<prefix>_length_km``, ``<prefix>_density_km_per_km2`` and
        optionally ``<prefix>_km_per_1000_people``.
    """
    lines, crs = _metric_pair(units, roads, "road lengths")
    require_columns(units, [population_column], name="units")
    parts, _ = _lines(lines)
    merged = shapely.union_all(parts)  # overlapping duplicates count once
    length_m = intersection_measure(units.geometry.values, merged, measure=shapely.length)
    length_km = length_m / 1000.0
    area_km2 = shapely.area(units.geometry.values) / M2_PER_KM2
    new: dict[str, np.ndarray] = {
        f"{prefix}_length_km": length_km,
        f"{prefix}_density_km_per_km2": np.where(area_km2 > 0, length_km / area_km2, np.nan),
    }
    if population_column is not None:
        pop = pd.to_numeric(units[population_column], errors="coerce").to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            per_1000 = np.where(pop > 0, length_km / (pop / 1000.0), np.nan)
        new[f"{prefix}_km_per_1000_people"] = per_1000
    check_free_columns(units, new, name="units")
    out = units.copy()
    for col, values in new.items():
        out[col] = values
    out.attrs["definition"] = (
        f"Road length inside each unit (roads dissolved, clipped in {crs.to_string()}), km; "
        "density per km² of unit area; km per 1,000 residents."
    )
    return out


def rural_access_index(
    units: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame,
    *,
    population_column: str | None = None,
    population_raster: str | Path | None = None,
    rural_column: str | None = None,
    all_season_column: str | None = None,
    distance_m: float = 2000.0,
) -> gpd.GeoDataFrame:
    """Compute the Rural Access Index (SDG 9.1.1): rural population within 2 km of all-season roads.

    Parameters
    ----------
    units : GeoDataFrame
        Polygons in a metric CRS; not modified.
    roads : GeoDataFrame
        Road lines (any CRS).
    population_column : str, optional
        Population per unit, spread evenly over its area (areal weighting: an approximation that
        overstates access where people cluster away from roads, and vice versa).
    population_raster : str or Path, optional
        Population-count raster summed over the covered part of each unit instead (preferred:
        WorldPop or GHS-POP 100 m). One of the two is required.
    rural_column : str, optional
        Boolean column of ``units``, True for rural units (e.g. ``type == "Xã"``); default all.
    all_season_column : str, optional
        Boolean column of ``roads``, True for all-season roads; default all roads count.
    distance_m : float
        2,000 m in the SDG definition.

    Returns
    -------
    GeoDataFrame
        Copy of ``units`` with ``rai_population``, ``rai_population_within`` and ``rai_pct`` (NaN
        for non-rural units). ``attrs["summary"]``: rural population, population within, the
        index in % (NaN if any rural unit lacks a population), units missing a population, method.
    """
    if (population_column is None) == (population_raster is None):
        raise ValueError("give exactly one of population_column= or population_raster=.")
    require_columns(units, [population_column, rural_column], name="units")
    require_columns(roads, [all_season_column], name="roads")
    check_free_columns(units, ["rai_population", "rai_population_within", "rai_pct"])
    if all_season_column is not None:
        roads = roads[roads[all_season_column].fillna(False).astype(bool)]
        if roads.empty:
            raise LayerError(f"no road has {all_season_column} = True; nothing is all-season.")
    near = within_distance(
        units,
        roads,
        distance_m=distance_m,
        population_column=population_column,
        population_raster=population_raster,
        prefix="_rai",
    )
    stem = f"_rai_{distance_m:g}m"
    rural = (
        units[rural_column].fillna(False).astype(bool).to_numpy()
        if rural_column
        else np.ones(len(units), bool)
    )
    if population_raster is not None:
        pop = _population_in(units.geometry.values, population_raster, near.crs)
    else:
        pop = pd.to_numeric(units[population_column], errors="coerce").to_numpy(dtype=float)
    within = near[f"{stem}_population"].to_numpy(dtype=float)
    out = units.copy()
    out["rai_population"] = np.where(rural, pop, np.nan)
    out["rai_population_within"] = np.where(rural, within, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["rai_pct"] = np.where(rural & (pop > 0), 100.0 * within / pop, np.nan)
    missing = units.index[rural & np.isnan(pop)].astype(str).tolist()
    total = np.nansum(pop[rural]) if not missing else np.nan
    total_within = np.nansum(within[rural]) if not missing else np.nan
    method = (
        f"population raster '{Path(population_raster).name}'"
        if population_raster is not None
        else AREAL_WEIGHTING
    )
    out.attrs["summary"] = {
        "rural_population": total,
        "rural_population_within": total_within,
        "rai_pct": 100.0 * total_within / total if total and not missing else np.nan,
        "units_missing_population": missing,
        "distance_m": distance_m,
        "method": method,
    }
    out.attrs["definition"] = (
        f"Rural Access Index (SDG 9.1.1): share of the rural population within {distance_m:g} m "
        f"of an all-season road; population by {method}."
    )
    return out
