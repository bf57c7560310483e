"""Urban statistics under three definitions, each labelled (see docs: DOMAIN "Urban statistics").

1. :func:`official_urbanisation_rate`: population of recognised urban areas / total population
   (statistics office definition).
2. :func:`census_urban_share`: population of units of urban type (wards; + townships before the
   2025 reform) / total population.
3. :func:`degree_of_urbanisation`: the UN-endorsed Degree of Urbanisation (DEGURBA), stage 1 (grid
   cells), on a 1 km² population grid; :func:`degurba_classes` is its array core.

Plus :func:`urbanised_share`: area of planned/observed urban polygons within each unit.

A missing population is never replaced: the affected totals and shares are NaN and the output says
which units lacked it.

Why no library for DEGURBA: the PyPI packages ``degurba`` 0.2 (code of 2023, no tests shipped;
thresholds applied to raw cell counts; its majority-rule loop re-counts only the cells added in
the previous pass) and ``GOSTurban`` 1.0 (alpha; pulls ``elevation``, ``geopy``) were read and
not adopted; the maintained reference implementation, ``flexurba``, is an R package. The rules
below are about 60 lines on :func:`scipy.ndimage.label`, tested on hand-made grids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import rasterio
import rasterio.features
import shapely
from affine import Affine
from scipy import ndimage

from gis._frames import (
    M2_PER_HA,
    M2_PER_KM2,
    check_free_columns,
    require_columns,
    require_geodataframe,
    require_polygons,
)
from gis.crs import require_metric_crs, to_crs
from gis.errors import LayerError, RasterError

__all__ = [
    "DEGURBA_CODES",
    "census_urban_share",
    "degree_of_urbanisation",
    "degurba_classes",
    "official_urbanisation_rate",
    "urbanised_share",
]

#: Stage-1 class codes, as in the GHSL settlement model (SMOD) level 1; 0 marks nodata cells.
DEGURBA_CODES = {"urban_centre": 3, "urban_cluster": 2, "rural": 1}

_ROOK = ndimage.generate_binary_structure(2, 1)
_QUEEN = ndimage.generate_binary_structure(2, 2)
_RING = np.array([[1, 1, 1], [1, 0, 1], [1, 1, 1]])

DEFINITION_DEGURBA = (
    "Degree of Urbanisation stage 1 (UN Statistical Commission 2020; GHSL Data Package 2023): "
    "urban centre = rook-contiguous cells >= {c_d:g} inh/km2 totalling >= {c_p:,.0f} inh, gaps "
    "< {gap:g} km2 filled, edges smoothed by the 5-of-8 majority rule until stable; urban cluster "
    "= queen-contiguous cells >= {u_d:g} inh/km2 totalling >= {u_p:,.0f} inh, outside centres; "
    "rest rural. Density = population / cell area (no built-up or permanent-land criterion)."
)
DEFINITION_CENSUS = (
    "Census urban share: population of units whose type is in {types} / population of all units."
)
DEFINITION_OFFICIAL = (
    "Official urbanisation rate: population of recognised urban areas / total population."
)


def _fill_small_holes(centre: np.ndarray, max_cells: float) -> np.ndarray:
    holes = ndimage.binary_fill_holes(centre, structure=_ROOK) & ~centre
    lab, n = ndimage.label(holes, structure=_ROOK)
    if n == 0 or max_cells <= 0:
        return centre
    sizes = ndimage.sum_labels(np.ones_like(lab), lab, index=np.arange(1, n + 1))
    small = np.isin(lab, np.flatnonzero(sizes < max_cells) + 1)
    return centre | small


def degurba_classes(
    population: np.ndarray,
    *,
    cell_area_km2: float = 1.0,
    valid: np.ndarray | None = None,
    centre_density_min: float = 1500.0,
    centre_population_min: float = 50_000.0,
    cluster_density_min: float = 300.0,
    cluster_population_min: float = 5_000.0,
    fill_gaps_max_km2: float = 15.0,
    smooth_edges: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Classify grid cells into urban centre (3), urban cluster (2), rural (1) or nodata (0).

    Parameters
    ----------
    population : ndarray
        2-D population counts per cell (inhabitants); NaN for no data.
    cell_area_km2 : float
        Area of one cell; density = population / cell_area_km2.
    valid : ndarray of bool, optional
        Cells with data; default: finite population.
    centre_density_min, centre_population_min : float
        Urban centre thresholds (inh/km², inhabitants): 1,500 and 50,000 in the standard.
    cluster_density_min, cluster_population_min : float
        Urban cluster thresholds: 300 inh/km² and 5,000 inhabitants.
    fill_gaps_max_km2 : float
        Holes inside one urban centre smaller than this are added to it (15 km² in GHSL 2023;
        0 disables).
    smooth_edges : bool
        Add every cell with at least 5 of its 8 neighbours in the same urban centre, repeated
        (together with gap filling) until no cell is added.

    Returns
    -------
    codes : ndarray of int8
        Class code per cell (see :data:`DEGURBA_CODES`).
    centre_id, cluster_id : ndarray of int32
        Label of the urban centre / urban cluster of each cell (0 = none). A cluster's label covers
        only its cells outside urban centres.
    """
    pop = np.asarray(population, dtype="float64")
    if pop.ndim != 2:
        raise ValueError(f"population must be a 2-D grid; got {pop.ndim} dimension(s).")
    valid = np.isfinite(pop) if valid is None else (np.asarray(valid, bool) & np.isfinite(pop))
    pop = np.where(valid, pop, 0.0)
    density = pop / cell_area_km2

    # urban centres: rook contiguity, population threshold, then gap filling and smoothing
    lab, n = ndimage.label(density >= centre_density_min, structure=_ROOK)
    totals = ndimage.sum_labels(pop, lab, index=np.arange(1, n + 1))
    keep = np.flatnonzero(totals >= centre_population_min) + 1
    centre_id = np.zeros(pop.shape, dtype="int32")
    max_gap_cells = fill_gaps_max_km2 / cell_area_km2
    kept = np.isin(lab, keep)
    for new_id, old in enumerate(keep, start=1):
        centre = lab == old
        free = valid & ~(kept & ~centre) & (centre_id == 0)  # never take another centre's cells
        while True:
            grown = centre | (_fill_small_holes(centre, max_gap_cells) & free)
            if smooth_edges:
                near = ndimage.convolve(grown.astype("int16"), _RING, mode="constant", cval=0)
                grown |= (near >= 5) & free
            if grown.sum() == centre.sum():
                break
            centre = grown
        centre_id[centre] = new_id

    # urban clusters: queen contiguity on the density threshold alone; centre cells left out after
    lab, n = ndimage.label((density >= cluster_density_min) & valid, structure=_QUEEN)
    totals = ndimage.sum_labels(pop, lab, index=np.arange(1, n + 1))
    is_cluster = np.isin(lab, np.flatnonzero(totals >= cluster_population_min) + 1)
    cluster_cells = is_cluster & (centre_id == 0)
    _, cluster_id = np.unique(np.where(cluster_cells, lab, 0), return_inverse=True)
    cluster_id = cluster_id.reshape(pop.shape).astype("int32")

    codes = np.where(valid, DEGURBA_CODES["rural"], 0).astype("int8")
    codes[cluster_id > 0] = DEGURBA_CODES["urban_cluster"]
    codes[centre_id > 0] = DEGURBA_CODES["urban_centre"]
    return codes, centre_id, cluster_id


def _read_grid(
    population: str | Path | np.ndarray,
    transform: Affine | None,
    crs: object,
    nodata: float | None,
) -> tuple[np.ndarray, Affine, pyproj.CRS]:
    if isinstance(population, str | Path):
        path = Path(population)
        if not path.exists():
            raise RasterError(f"population grid '{path}' does not exist.")
        with rasterio.open(path) as ds:
            arr = ds.read(1, masked=True).astype("float64")
            if nodata is not None:
                arr = np.ma.masked_equal(arr, nodata)
            transform, crs = ds.transform, ds.crs
        grid = arr.filled(np.nan)
        where = f"'{path.name}'"
    else:
        grid = np.asarray(population, dtype="float64")
        if nodata is not None:
            grid = np.where(grid == nodata, np.nan, grid)
        where = "the population array"
        if transform is None or crs is None:
            raise RasterError(
                "a population array needs transform= (affine.Affine of the grid) and crs= to "
                "place the cells; or pass the path of a GeoTIFF."
            )
    if crs is None:
        raise RasterError(f"{where} has no CRS; DEGURBA needs cell areas in km².")
    crs = pyproj.CRS.from_user_input(crs.to_wkt() if hasattr(crs, "to_wkt") else crs)
    unit = crs.axis_info[0].unit_name if crs.axis_info else "?"
    if not crs.is_projected or unit not in ("metre", "meter"):
        raise RasterError(
            f"{where} is in {crs.to_string()} ({'degrees' if crs.is_geographic else unit}); "
            "DEGURBA needs an equal-area or metric grid of 1 km² cells. Aggregate WorldPop/GHSL "
            "100 m counts with `gdalwarp -t_srs ESRI:54009 -tr 1000 1000 -r sum IN OUT`."
        )
    return grid, Affine(*tuple(transform)[:6]), crs


def degree_of_urbanisation(
    population: str | Path | np.ndarray,
    *,
    transform: Affine | None = None,
    crs: object = None,
    nodata: float | None = None,
    require_1km2: bool = True,
    **rules: float | bool,
) -> gpd.GeoDataFrame:
    """Delineate urban centres, urban clusters and rural cells from a 1 km² population grid.

    Parameters
    ----------
    population : str, Path or ndarray
        GeoTIFF of population counts per cell (e.g. GHS-POP 1 km, Mollweide ESRI:54009), or a 2-D
        array with ``transform`` and ``crs``.
    transform, crs : optional
        Grid georeference when ``population`` is an array.
    nodata : float, optional
        Value meaning "no data" (on top of the file's own nodata).
    require_1km2 : bool
        Refuse cells whose area is not 1 km² within 1 %: the thresholds are defined for 1 km².
    **rules
        Threshold overrides passed to :func:`degurba_classes` (e.g. ``fill_gaps_max_km2=0``).

    Returns
    -------
    GeoDataFrame
        One row per urban centre and per urban cluster, plus one (multi)polygon of all rural
        cells: ``degurba_class``, ``degurba_code``, ``population``, ``area_km2``, ``n_cells``,
        ``density_per_km2``, ``definition``; in the grid's CRS. ``attrs["rules"]`` holds the rules.

    Raises
    ------
    RasterError
        No CRS, degrees, or cells not of 1 km² (with ``require_1km2``).
    """
    grid, transform, crs = _read_grid(population, transform, crs, nodata)
    cell_area_km2 = abs(transform.a * transform.e - transform.b * transform.d) / M2_PER_KM2
    if require_1km2 and abs(cell_area_km2 - 1.0) > 0.01:
        raise RasterError(
            f"population grid cells are {cell_area_km2:.4g} km²; DEGURBA thresholds are defined "
            "on 1 km² cells. Aggregate first (`gdalwarp -tr 1000 1000 -r sum`), or pass "
            "require_1km2=False knowingly."
        )
    codes, centre_id, cluster_id = degurba_classes(grid, cell_area_km2=cell_area_km2, **rules)
    pop = np.where(np.isfinite(grid), grid, 0.0)
    params = {
        "c_d": rules.get("centre_density_min", 1500.0),
        "c_p": rules.get("centre_population_min", 50_000.0),
        "gap": rules.get("fill_gaps_max_km2", 15.0),
        "u_d": rules.get("cluster_density_min", 300.0),
        "u_p": rules.get("cluster_population_min", 5_000.0),
    }
    rows = []
    layers = [("urban_centre", centre_id), ("urban_cluster", cluster_id)]
    layers.append(("rural", (codes == DEGURBA_CODES["rural"]).astype("int32")))
    for name, ids in layers:
        for i in np.unique(ids[ids > 0]):
            mask = ids == i
            shapes = rasterio.features.shapes(
                mask.astype("uint8"), mask=mask, transform=transform, connectivity=4
            )
            geom = shapely.union_all([shapely.geometry.shape(s) for s, _ in shapes])
            n_cells = int(mask.sum())
            total = float(pop[mask].sum())
            rows.append(
                {
                    "degurba_class": name,
                    "degurba_code": DEGURBA_CODES[name],
                    "population": total,
                    "area_km2": n_cells * cell_area_km2,
                    "n_cells": n_cells,
                    "density_per_km2": total / (n_cells * cell_area_km2),
                    "geometry": geom,
                }
            )
    out = (
        gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)
        if rows
        else gpd.GeoDataFrame(
            columns=[
                "degurba_class",
                "degurba_code",
                "population",
                "area_km2",
                "n_cells",
                "density_per_km2",
                "geometry",
            ],
            geometry="geometry",
            crs=crs,
        )
    )
    out["definition"] = DEFINITION_DEGURBA.format(**params)
    out.attrs["rules"] = {**params, "smooth_edges": rules.get("smooth_edges", True)}
    return out


def urbanised_share(
    units: gpd.GeoDataFrame,
    urban_areas: gpd.GeoDataFrame,
    *,
    by: str | None = None,
) -> gpd.GeoDataFrame:
    """Add the urban area (ha) and its share of each unit's area, optionally per class.

    Parameters
    ----------
    units : GeoDataFrame
        Polygons in a projected CRS in metres (e.g. EPSG:9205); not modified.
    urban_areas : GeoDataFrame
        Urban polygons (any CRS; a copy is reprojected to the units' CRS). Overlapping polygons
        are dissolved first, so no area counts twice.
    by : str, optional
        Column of ``urban_areas`` (class, plan horizon...): one pair of columns per value.

    Returns
    -------
    GeoDataFrame
        Copy of ``units`` with ``urban_area_ha`` and ``urban_pct`` (or ``urban_<value>_ha`` and
        ``urban_<value>_pct`` per value of ``by``); ``attrs["definition"]`` says how.

    Raises
    ------
    CRSError
        If ``units`` is not in a metric CRS, or a layer has no CRS.
    LayerError
        Not polygons, ``by`` missing, or an output column already exists.
    """
    units = require_geodataframe(units, name="units")
    require_polygons(units, name="units")
    crs = require_metric_crs(units, name="units", purpose="urban area shares")
    urban = require_geodataframe(urban_areas, name="urban_areas")
    require_polygons(urban, name="urban_areas")
    require_columns(urban, [by], name="urban_areas")
    urban = to_crs(urban, crs)
    groups = [(None, urban)] if by is None else list(urban.groupby(by, sort=True))
    unit_area = units.geometry.area.to_numpy()
    new: dict[str, np.ndarray] = {}
    for value, part in groups:
        merged = shapely.union_all(part.geometry.values)
        inter = shapely.area(shapely.intersection(units.geometry.values, merged))
        stem = "urban" if value is None else f"urban_{value}"
        new[f"{stem}_area_ha" if value is None else f"{stem}_ha"] = inter / M2_PER_HA
        new[f"{stem}_pct"] = np.where(unit_area > 0, 100.0 * inter / unit_area, np.nan)
    check_free_columns(units, new, name="units")
    out = units.copy()
    for col, values in new.items():
        out[col] = values
    out.attrs["definition"] = (
        "Urbanised share: area of the (dissolved) urban polygons inside each unit, in ha, and as "
        f"% of the unit's area; computed in {crs.to_string()}"
        + (f", per value of '{by}'." if by else ".")
    )
    return out


def _ids(frame: pd.DataFrame, id_column: str | None) -> pd.Series:
    return frame[id_column].astype(str) if id_column else frame.index.to_series().astype(str)


def _share_table(
    frame: pd.DataFrame,
    is_urban: pd.Series,
    population_column: str,
    *,
    by: str | None,
    id_column: str | None,
    definition: str,
) -> pd.DataFrame:
    pop = pd.to_numeric(frame[population_column], errors="coerce")
    work = pd.DataFrame(
        {
            "group": frame[by] if by else "all",
            "pop": pop,
            "urban": is_urban.to_numpy(),
            "id": _ids(frame, id_column).to_numpy(),
        },
        index=frame.index,
    )
    rows = []
    for group, g in work.groupby("group", sort=True):
        missing = g.loc[g["pop"].isna(), "id"].tolist()
        complete = not missing
        urban_pop = g.loc[g["urban"], "pop"].sum() if complete else np.nan
        total = g["pop"].sum() if complete else np.nan
        rows.append(
            {
                **({by: group} if by else {}),
                "urban_population": urban_pop,
                "total_population": total,
                "urban_pct": 100.0 * urban_pop / total if complete and total > 0 else np.nan,
                "n_units": len(g),
                "n_urban_units": int(g["urban"].sum()),
                "population_complete": complete,
                "units_missing_population": ";".join(missing),
                "definition": definition,
            }
        )
    out = pd.DataFrame(rows)
    out.attrs["definition"] = definition
    return out


def census_urban_share(
    units: pd.DataFrame,
    population_column: str,
    type_column: str,
    urban_types: Sequence[str],
    *,
    by: str | None = None,
    id_column: str | None = None,
) -> pd.DataFrame:
    """Compute the census urban share: population of urban-type units / population of all units.

    Before the July 2025 reform, urban types are ``("Phường", "Thị trấn")`` (wards and townships);
    from 2025 on, ``("Phường",)`` alone, since townships no longer exist.

    Parameters
    ----------
    units : DataFrame or GeoDataFrame
        One row per administrative unit; not modified.
    population_column : str
        Resident population (inhabitants). A missing value is not replaced by anything.
    type_column : str
        Unit type (``Phường``, ``Thị trấn``, ``Xã``...).
    urban_types : sequence of str
        Types counted as urban.
    by : str, optional
        Column to group by (e.g. district code); default one row for all units.
    id_column : str, optional
        Column naming the units in ``units_missing_population`` (default the index).

    Returns
    -------
    DataFrame
        Per group: ``urban_population``, ``total_population``, ``urban_pct``, ``n_units``,
        ``n_urban_units``, ``population_complete``, ``units_missing_population`` (ids joined by
        ``;``) and ``definition``. If any unit of a group lacks a population, the group's
        populations and ``urban_pct`` are NaN and ``population_complete`` is False.
    """
    require_columns(units, [population_column, type_column, by, id_column], name="units")
    types = list(urban_types)
    unknown = sorted(set(types) - set(units[type_column].dropna().astype(str)))
    if len(unknown) == len(types):
        raise LayerError(
            f"none of urban_types {types} occurs in '{type_column}'; values found: "
            f"{sorted(units[type_column].dropna().astype(str).unique())}."
        )
    is_urban = units[type_column].astype(str).isin(types)
    return _share_table(
        units,
        is_urban,
        population_column,
        by=by,
        id_column=id_column,
        definition=DEFINITION_CENSUS.format(types=types),
    )


def official_urbanisation_rate(
    urban_areas: pd.DataFrame,
    total_population: float | Mapping[object, float],
    *,
    population_column: str,
    recognised_column: str | None = None,
    by: str | None = None,
    id_column: str | None = None,
) -> pd.DataFrame:
    """Compute the official urbanisation rate: population of recognised urban areas / total.

    Parameters
    ----------
    urban_areas : DataFrame
        One row per urban area (e.g. the urban areas list of the plan), with its resident
        population; not modified.
    total_population : float or mapping
        Total (mean) population of the territory; with ``by``, a mapping group -> total.
    population_column : str
        Resident population of each urban area. Missing values are not replaced.
    recognised_column : str, optional
        Boolean column: True for areas officially recognised (classified types I-V) at the date;
        default all rows.
    by : str, optional
        Column to group by; then ``total_population`` must give a total for every group.
    id_column : str, optional
        Column naming the areas in ``areas_missing_population``.

    Returns
    -------
    DataFrame
        Per group: ``urban_population``, ``total_population``, ``urban_pct``, ``n_areas``,
        ``population_complete``, ``areas_missing_population``, ``definition``.
    """
    needed = [population_column, recognised_column, by, id_column]
    require_columns(urban_areas, needed, name="urban_areas")
    frame = urban_areas
    if recognised_column is not None:
        frame = frame[frame[recognised_column].fillna(False).astype(bool)]
    pop = pd.to_numeric(frame[population_column], errors="coerce")
    ids = _ids(frame, id_column)
    groups = frame[by] if by else pd.Series("all", index=frame.index)
    if by is not None and not isinstance(total_population, Mapping):
        raise LayerError(f"with by='{by}', total_population must map each group to its total.")
    rows = []
    for group in sorted(set(groups)) if len(frame) else ["all"]:
        sel = groups == group
        missing = ids[sel & pop.isna()].tolist()
        total = total_population[group] if by else total_population
        total = float(total) if total is not None else np.nan
        urban_pop = float(pop[sel].sum()) if not missing else np.nan
        rows.append(
            {
                **({by: group} if by else {}),
                "urban_population": urban_pop,
                "total_population": total,
                "urban_pct": 100.0 * urban_pop / total if total and not missing else np.nan,
                "n_areas": int(sel.sum()),
                "population_complete": not missing and np.isfinite(total),
                "areas_missing_population": ";".join(missing),
                "definition": DEFINITION_OFFICIAL,
            }
        )
    out = pd.DataFrame(rows)
    out.attrs["definition"] = DEFINITION_OFFICIAL
    return out
