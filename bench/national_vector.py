"""National vector scale: coverage and unit statistics, single process vs dask-geopandas.

Unit layers
    - ``districts``: the 692 districts before 2025 (``bench/data/vn_districts_pre2025.gpkg.zip``);
    - ``provinces``: the 34 provinces of 2025 (``bench/data/vn_provinces_2025.geojson``);
    - ``communes``: about 10,000 commune-sized polygons (≈33 km²; Vietnam had about 10,000
      commune-level units before the 2025 reform): a Voronoi tessellation of seeded random
      points inside Vietnam's outline (the union of the 34 provinces), clipped to it.
      Deterministic (seed 2025).

Shared inputs (all generated, stated here so that the figures can be reproduced)
    - ``axis``: a north-south corridor axis digitised by hand along QL.1A through 12 cities
      (Hà Nội, Ninh Bình, Thanh Hóa, Vinh, Đồng Hới, Huế, Đà Nẵng, Quảng Ngãi, Quy Nhơn,
      Nha Trang, Phan Thiết, TP Hồ Chí Minh), densified to a vertex every 1 km (like a surveyed
      road). Corridor coverage = ``within_distance(units, axis, distance_m=20_000)``.
    - ``capitals``: a representative point of each 2025 province. Catchment =
      ``within_distance(units, capitals, distance_m=30_000)``.
    - ``roads``: the edges (≤ 60 km) of the Delaunay triangulation of the district points,
      densified to 1 km: a country-wide line network of ~2,000 lines for ``road_density``.
    - ``urban``: discs around district points (5 km for urban districts: Quận, Thành phố,
      Thị xã; 1.5 km for the others), overlapping in cities, for ``urbanised_share``.

All in VN-2000 / UTM zone 48N (EPSG:3405), the national metric CRS: one projection for the whole
country (zones 48 and 49 would split it), conformal so that buffer distances are true to
<0.1 % over the country west of 108° E and ≤0.3 % at the eastern coast (109.5° E, 4.5° from the
central meridian); areas are then off by at most ~0.6 %, the same for every run, which does not
matter for comparing engines. An equal-area CRS (EPSG:6933) would make areas exact but stretch
distances by up to ~10 % at these latitudes, and buffers are the point of coverage.

Engines: the direct call (single process), then :func:`gis.scale.map_units` on a
``distributed.LocalCluster`` of 1 and of 2 worker processes (1 thread each), plus dask's local
threaded scheduler with 2 threads. Each engine's result is compared with the single-process one
(max abs difference over numeric columns, and text columns equal); the direct call always runs,
as the reference.

Usage::

    PYTHONPATH=. python bench/national_vector.py [--communes 10000] [--only communes]
        [--engines single threads cluster1 cluster2] [--repeat 3] [--profile communes]

``--profile LAYER`` prints the cProfile of the single-process path on that layer instead.
Time is the best of ``--repeat`` runs (default 3). Peak memory is the largest sum of the resident
memory of this process and its children (the dask workers), sampled every 20 ms by psutil over
the runs: an absolute figure that includes the loaded data (printed as the baseline) and, for a
cluster, the workers' own Python processes.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import PeakRSS, national_districts, national_provinces, print_header, rss_mb
from gis.coverage import road_density, within_distance
from gis.crs import to_crs
from gis.urban import urbanised_share

#: VN-2000 / UTM 48N: see the module docstring for why.
NATIONAL_CRS = "EPSG:3405"
SEED = 2025
AXIS_LONLAT = [
    (105.85, 21.03),  # Hà Nội
    (105.97, 20.25),  # Ninh Bình
    (105.78, 19.81),  # Thanh Hóa
    (105.68, 18.68),  # Vinh
    (106.62, 17.47),  # Đồng Hới
    (107.58, 16.46),  # Huế
    (108.21, 16.05),  # Đà Nẵng
    (108.80, 15.12),  # Quảng Ngãi
    (109.22, 13.78),  # Quy Nhơn
    (109.19, 12.24),  # Nha Trang
    (108.10, 10.93),  # Phan Thiết
    (106.70, 10.78),  # TP Hồ Chí Minh
]


# --- memory -----------------------------------------------------------------------------------


def _load(when: str) -> str:
    """Load average: other jobs on the machine slow every engine (state it with the figures)."""
    one, five, fifteen = os.getloadavg()
    return f"load average {when} (1/5/15 min): {one:.2f} {five:.2f} {fifteen:.2f}"


# --- data --------------------------------------------------------------------------------------


def national_layers(n_communes: int = 10_000) -> dict[str, gpd.GeoDataFrame]:
    """Return the unit layers and shared inputs described in the module docstring."""
    districts = to_crs(national_districts(), NATIONAL_CRS)
    provinces = to_crs(national_provinces(), NATIONAL_CRS)
    outline = shapely.union_all(provinces.geometry.values)
    communes = _communes(outline, n_communes)
    axis = to_crs(
        gpd.GeoDataFrame(
            {"name": ["QL.1A (approx.)"]},
            geometry=[shapely.LineString(AXIS_LONLAT)],
            crs="EPSG:4326",
        ),
        NATIONAL_CRS,
    )
    axis["geometry"] = shapely.segmentize(axis.geometry.values, 1000.0)
    capitals = gpd.GeoDataFrame(
        {"code": provinces["code"].to_numpy(), "name": provinces["name"].to_numpy()},
        geometry=provinces.geometry.representative_point().to_numpy(),
        crs=NATIONAL_CRS,
    )
    points = districts.geometry.representative_point().to_numpy()
    edges = shapely.get_parts(shapely.delaunay_triangles(shapely.multipoints(points), 0, True))
    edges = edges[shapely.length(edges) <= 60_000]
    edges = edges[np.lexsort(shapely.get_coordinates(shapely.centroid(edges)).T)]
    roads = gpd.GeoDataFrame(
        {"road_id": np.arange(len(edges))},
        geometry=shapely.segmentize(edges, 1000.0),
        crs=NATIONAL_CRS,
    )
    is_urban = districts["type"].isin(["Quận", "Thành phố", "Thị xã"]).to_numpy()
    urban = gpd.GeoDataFrame(
        {"urban": is_urban},
        geometry=shapely.buffer(points, np.where(is_urban, 5000.0, 1500.0), quad_segs=16),
        crs=NATIONAL_CRS,
    )
    return {
        "districts": districts,
        "provinces": provinces,
        "communes": communes,
        "axis": axis,
        "capitals": capitals,
        "roads": roads,
        "urban": urban,
    }


def _communes(outline: shapely.Geometry, n: int) -> gpd.GeoDataFrame:
    """About ``n`` Voronoi cells of seeded random points inside ``outline``, clipped to it."""
    rng = np.random.default_rng(SEED)
    x0, y0, x1, y1 = outline.bounds
    shapely.prepare(outline)
    seeds = np.empty((0, 2))
    while len(seeds) < n:
        xy = rng.uniform((x0, y0), (x1, y1), size=(4 * n, 2))
        seeds = np.vstack([seeds, xy[shapely.contains_xy(outline, xy[:, 0], xy[:, 1])]])
    seeds = seeds[:n]
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=shapely.box(x0, y0, x1, y1))
    )
    # match each cell to its seed so that the order (and the ids) follow the seeds
    pts = shapely.points(seeds)
    cell_of, seed_of = shapely.STRtree(cells).query(pts, predicate="within")
    order = np.empty(n, dtype=int)
    order[cell_of] = seed_of
    cells = cells[order]
    inside = shapely.contains(outline, cells)
    clipped = cells.copy()
    edge = np.flatnonzero(~inside)
    local = [shapely.clip_by_rect(outline, *b) for b in shapely.bounds(cells[edge])]
    clipped[edge] = shapely.make_valid(shapely.intersection(cells[edge], local))
    clipped = shapely.get_parts(clipped, return_index=True)
    polys, idx = clipped
    keep = shapely.get_type_id(polys) == 3
    merged = shapely.multipolygons(polys[keep], indices=idx[keep])
    return gpd.GeoDataFrame(
        {"code": [f"C{i:05d}" for i in range(n)]}, geometry=merged, crs=NATIONAL_CRS
    )


# --- tasks and engines -------------------------------------------------------------------------


def tasks(data: dict[str, gpd.GeoDataFrame]) -> dict[str, tuple[Callable, tuple, dict]]:
    """The measured computations: name -> (per-unit function, shared args, keywords)."""
    return {
        "corridor 20 km": (within_distance, (data["axis"],), {"distance_m": 20_000}),
        "catchment 30 km": (within_distance, (data["capitals"],), {"distance_m": 30_000}),
        "road density": (road_density, (data["roads"],), {}),
        "urbanised share": (urbanised_share, (data["urban"],), {}),
    }


def max_abs_diff(a: pd.DataFrame, b: pd.DataFrame) -> float:
    """Largest absolute difference of the numeric columns (inf if shapes or text differ)."""
    if list(a.columns) != list(b.columns) or not a.index.equals(b.index):
        return float("inf")
    worst = 0.0
    for col in a.columns:
        if col == a.geometry.name:
            if not a.geometry.geom_equals_exact(b.geometry, 0.0).all():
                return float("inf")
        elif pd.api.types.is_numeric_dtype(a[col]) and not pd.api.types.is_bool_dtype(a[col]):
            x, y = a[col].to_numpy(dtype=float), b[col].to_numpy(dtype=float)
            if not np.array_equal(np.isnan(x), np.isnan(y)):
                return float("inf")
            worst = max(worst, float(np.nanmax(np.abs(x - y), initial=0.0)))
        elif not a[col].equals(b[col]):
            return float("inf")
    return worst


REPEAT = 3


def _timed(fn: Callable, *args: object, **kw: object) -> tuple[gpd.GeoDataFrame, float, float]:
    """Run ``fn`` :data:`REPEAT` times: result, best time (s), peak memory (MB) of the runs."""
    best = float("inf")
    with PeakRSS() as mem:
        for _ in range(REPEAT):
            t = time.perf_counter()
            out = fn(*args, **kw)
            best = min(best, time.perf_counter() - t)
    return out, best, mem.peak_mb


ENGINES = ("single", "threads", "cluster1", "cluster2")


def run(
    layers: list[str], data: dict[str, gpd.GeoDataFrame], engines: tuple[str, ...] = ENGINES
) -> pd.DataFrame:
    """Time every task on every unit layer with each engine; return the table."""
    import dask
    from distributed import LocalCluster

    from gis.scale import map_units

    rows = []

    def record(layer: str, task: str, engine: str, secs: float, peak: float, diff: float) -> None:
        rows.append(
            {
                "units": layer,
                "n": len(data[layer]),
                "task": task,
                "engine": engine,
                "seconds": secs,
                "peak_mb": peak,
                "max_abs_diff": diff,
            }
        )
        print(
            f"  {layer:10s} {task:16s} {engine:22s} {secs:8.2f} s {peak:8.0f} MB  diff {diff:.3g}",
            flush=True,
        )

    reference: dict[tuple[str, str], gpd.GeoDataFrame] = {}
    for layer in layers:
        for task, (func, args, kw) in tasks(data).items():
            out, secs, peak = _timed(func, data[layer], *args, **kw)
            reference[layer, task] = out
            record(layer, task, "single process", secs, peak, 0.0)
    with dask.config.set(scheduler="threads", num_workers=2):
        for layer in layers if "threads" in engines else []:
            for task, (func, args, kw) in tasks(data).items():
                out, secs, peak = _timed(map_units, func, data[layer], *args, npartitions=2, **kw)
                record(
                    layer,
                    task,
                    "dask threads x2",
                    secs,
                    peak,
                    max_abs_diff(reference[layer, task], out),
                )
    for workers in [w for w in (1, 2) if f"cluster{w}" in engines]:
        t = time.perf_counter()
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = cluster.get_client()
        # warm-up: workers import the toolkit on their first task; not counted
        map_units(
            within_distance,
            data["provinces"],
            data["capitals"],
            distance_m=1.0,
            npartitions=workers,
            client=client,
        )
        print(
            f"  (LocalCluster of {workers} worker(s) up and warm in "
            f"{time.perf_counter() - t:.1f} s)"
        )
        try:
            for layer in layers:
                for task, (func, args, kw) in tasks(data).items():
                    out, secs, peak = _timed(
                        map_units,
                        func,
                        data[layer],
                        *args,
                        npartitions=workers,
                        client=client,
                        **kw,
                    )
                    engine = f"dask cluster {workers} proc"
                    record(
                        layer, task, engine, secs, peak, max_abs_diff(reference[layer, task], out)
                    )
        finally:
            client.close()
            cluster.close()
    return pd.DataFrame(rows)


def _markdown(table: pd.DataFrame) -> str:
    single = table[table["engine"] == "single process"].set_index(["units", "task"])["seconds"]
    table = table.assign(
        speedup=[single[u, t] / s for u, t, s in table[["units", "task", "seconds"]].to_numpy()]
    )
    lines = [
        "| units | n | task | engine | best time (s) | peak RSS MB | speed-up | max abs diff |",
        "|---|---:|---|---|---:|---:|---:|---:|",
    ]
    for r in table.itertuples():
        lines.append(
            f"| {r.units} | {r.n:,} | {r.task} | {r.engine} | {r.seconds:.2f} | "
            f"{r.peak_mb:.0f} | {r.speedup:.2f}× | {r.max_abs_diff:.3g} |"
        )
    return "\n".join(lines)


def main() -> None:
    global REPEAT
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communes", type=int, default=10_000)
    parser.add_argument("--only", nargs="*", choices=["provinces", "districts", "communes"])
    parser.add_argument("--profile", choices=["provinces", "districts", "communes"])
    parser.add_argument("--repeat", type=int, default=REPEAT)
    parser.add_argument("--engines", nargs="*", choices=ENGINES, default=list(ENGINES))
    ns = parser.parse_args()
    REPEAT = ns.repeat
    print_header("National vector scale and dask (bench/national_vector.py)")
    t = time.perf_counter()
    data = national_layers(ns.communes)
    print(
        f"data: {len(data['districts'])} districts, {len(data['provinces'])} provinces, "
        f"{len(data['communes'])} communes, {len(data['roads'])} road lines, "
        f"{len(data['urban'])} urban discs; built in {time.perf_counter() - t:.1f} s; "
        f"memory after loading {rss_mb():.0f} MB"
    )
    if ns.profile:
        prof = cProfile.Profile()
        for task, (func, args, kw) in tasks(data).items():
            t = time.perf_counter()
            prof.runcall(func, data[ns.profile], *args, **kw)
            print(f"{task}: {time.perf_counter() - t:.2f} s")
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
        return
    print(_load("before the runs"))
    table = run(ns.only or ["provinces", "districts", "communes"], data, tuple(ns.engines))
    print(_load("after the runs"))
    print()
    print(_markdown(table))


if __name__ == "__main__":
    main()
