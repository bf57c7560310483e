"""Run a per-unit statistic over dask-geopandas partitions, for national-scale layers.

A *per-unit* function computes each row of its result from that unit's own row and from the other
(shared) inputs only: no value depends on which other units are in the frame. Splitting the units
into partitions, running the function on each and concatenating the pieces in order then gives
exactly the single-process result. :func:`map_units` does that with dask-geopandas, on a
``distributed`` cluster when given a client.

Functions that qualify (:data:`PER_UNIT_FUNCTIONS`), and why:

- :func:`gis.coverage.within_distance`: the dissolved buffer zone is built from the features,
  the same in every partition; each unit is intersected with it on its own.
- :func:`gis.coverage.road_density`: the dissolved roads are the same in every partition; each
  unit clips them on its own.
- :func:`gis.urban.urbanised_share`: the dissolved urban polygons are the same in every
  partition; each unit is intersected with them on its own.
- :func:`gis.national.commune_indicators`: each commune's population is looked up by its code
  in the same table in every partition; its share and density use its own row only.

Functions that do **not** qualify: :func:`gis.coverage.corridor_coverage` (it sums over groups of
units: run :func:`within_distance` through :func:`map_units`, then sum),
:func:`gis.coverage.rural_access_index` (its ``attrs["summary"]`` totals all units),
:func:`gis.zonal.zonal_stats` (with ``categorical=True`` the columns are the classes found over
*all* units, so a partition would miss some), network catchments (a graph, not units) and the
Degree of Urbanisation (clusters cross unit borders).

The shared inputs (features, roads, urban areas) are copied to every partition and dissolved in
each, so the work that does not depend on the units is repeated once per partition: use a few
large partitions (one or two per worker), not many small ones.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from itertools import pairwise
from typing import Any

import geopandas as gpd
import numpy as np

from gis._frames import require_geodataframe
from gis.coverage import road_density, within_distance
from gis.errors import MissingDependencyError, ParallelError
from gis.national import commune_indicators
from gis.urban import urbanised_share

__all__ = ["PER_UNIT_FUNCTIONS", "local_client", "map_units"]

#: Toolkit functions whose result rows depend only on their own unit (see the module docstring).
PER_UNIT_FUNCTIONS: tuple[Callable[..., gpd.GeoDataFrame], ...] = (
    within_distance,
    road_density,
    urbanised_share,
    commune_indicators,
)

_INSTALL = "pip install 'vn-planning-gis[dask]'  (or: conda install dask-geopandas distributed)"


def _dask_geopandas() -> Any:
    try:
        import dask
        import dask_geopandas
        import distributed  # noqa: F401  (the cluster engine; checked here, used by the caller)
    except ImportError as exc:
        raise MissingDependencyError(
            f"map_units needs dask-geopandas and distributed, which are not installed "
            f"({exc.name or exc}). Install the extra: {_INSTALL}; or call the function directly "
            "(single process)."
        ) from None
    return dask, dask_geopandas


@contextlib.contextmanager
def local_client(n_workers: int) -> Iterator[Any]:
    """A ``distributed`` client of a local cluster of ``n_workers`` processes (one thread each),
    closed at the end of the block.

    Processes with one thread each, as ``gis build --national --workers N`` runs; threads and
    processes are compared in docs/performance.md (``bench/national_cost.py``).
    """
    _dask_geopandas()
    from distributed import LocalCluster

    with (
        LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        cluster.get_client() as client,
    ):
        yield client


def _check_func(func: object) -> None:
    if func not in PER_UNIT_FUNCTIONS:
        name = getattr(func, "__qualname__", type(func).__name__)
        allowed = [f"{f.__module__}.{f.__name__}" for f in PER_UNIT_FUNCTIONS]
        raise ParallelError(
            f"{name} is not a per-unit function, so splitting the units into partitions could "
            f"change its result. Allowed: {allowed}. For corridor_coverage, run within_distance "
            "through map_units and sum the columns per group."
        )


def _check_client(client: object) -> int:
    """Return the number of worker threads of ``client``; raise if it is not a usable Client."""
    from distributed import Client

    if not isinstance(client, Client):
        raise ParallelError(
            f"client must be a distributed.Client, got {type(client).__name__}. For a local "
            "cluster: `cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1)` "
            "then `client = cluster.get_client()`."
        )
    if client.status != "running":
        raise ParallelError(
            f"the distributed client is {client.status!r}, not running. Create a new one "
            "(`cluster.get_client()`), or pass client=None for the local threaded scheduler."
        )
    return max(1, sum(client.nthreads().values()))


def _scattered(units: gpd.GeoDataFrame, n: int, client: Any, dask_geopandas: Any) -> Any:
    """``n`` contiguous blocks of ``units`` scattered to the workers, as a dask GeoDataFrame."""
    import dask.dataframe as dd

    edges = np.linspace(0, len(units), n + 1).round().astype(int)
    blocks = [units.iloc[a:b] for a, b in pairwise(edges)]
    futures = client.scatter(blocks, hash=False)
    return dask_geopandas.from_dask_dataframe(dd.from_delayed(futures, meta=units.iloc[:0]))


def map_units(
    func: Callable[..., gpd.GeoDataFrame],
    units: gpd.GeoDataFrame,
    *args: Any,
    npartitions: int | None = None,
    client: Any = None,
    **kwargs: Any,
) -> gpd.GeoDataFrame:
    """Run the per-unit function ``func(units, *args, **kwargs)`` over partitions of ``units``.

    The result equals ``func(units, *args, **kwargs)``: same index order, columns, dtypes, values
    and ``attrs``. The function is first run on the first unit in this process, so wrong inputs
    raise here the same error as the direct call (and that row gives dask the result's schema).

    Parameters
    ----------
    func : callable
        One of :data:`PER_UNIT_FUNCTIONS` (``within_distance``, ``road_density``,
        ``urbanised_share``, ``commune_indicators``).
    units : GeoDataFrame
        Polygons, as ``func`` needs them (a metric CRS); not modified.
    *args, **kwargs
        Passed on to ``func`` (features, ``distance_m=``...). They are copied to every partition.
    npartitions : int, optional
        Number of partitions (contiguous blocks of rows, order kept); default the number of
        worker threads of ``client``, else the number of CPUs. Capped at ``len(units)``.
    client : distributed.Client, optional
        Cluster to compute on, e.g. ``distributed.LocalCluster(n_workers=2).get_client()``.
        Default: dask's current scheduler (a distributed client if one is active in the session,
        otherwise the local threaded scheduler).

    Returns
    -------
    GeoDataFrame
        The same as the single-process call.

    Raises
    ------
    MissingDependencyError
        dask-geopandas or distributed is not installed.
    ParallelError
        ``func`` is not per-unit, ``npartitions`` is not a positive integer, or ``client`` is not
        a running ``distributed.Client``.
    LayerError, CRSError
        As raised by ``func`` for its inputs.

    Examples
    --------
    >>> from gis.store import read_layer
    >>> from gis.urban import urbanised_share
    >>> districts = read_layer("districts_pre2025", province="lai_chau")
    >>> urban = read_layer("urban_areas", province="lai_chau")
    >>> urban = urban[urban.geom_type == "Polygon"]  # the layer also holds points
    >>> out = map_units(urbanised_share, districts, urban, npartitions=2)
    >>> out.equals(urbanised_share(districts, urban))
    True
    """
    _check_func(func)
    dask, dask_geopandas = _dask_geopandas()
    if npartitions is not None and (
        isinstance(npartitions, bool) or not isinstance(npartitions, int) or npartitions < 1
    ):
        raise ParallelError(f"npartitions must be a positive integer; got {npartitions!r}.")
    threads = _check_client(client) if client is not None else (os.cpu_count() or 1)
    units = require_geodataframe(units, name="units")
    head = func(units.iloc[:1], *args, **kwargs)  # validates the inputs here; gives the schema
    n = min(npartitions or threads, len(units))
    # keep the dtypes of the single-process result (dask would turn text into pyarrow strings)
    with dask.config.set({"dataframe.convert-string": False}):
        if client is None:
            parts = dask_geopandas.from_geopandas(units, npartitions=n, sort=False)
        else:  # send the blocks to the workers up front rather than inside the task graph
            parts = _scattered(units, n, client, dask_geopandas)
        lazy = parts.map_partitions(func, *args, meta=head.iloc[:0], **kwargs)
        out = lazy.compute(scheduler=client) if client is not None else lazy.compute()
    out.attrs = dict(head.attrs)  # the definition holds for every partition
    return out
