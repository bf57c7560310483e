"""Urban statistics under three definitions, each labelled (see docs: DOMAIN "Urban statistics").

1. :func:`official_urbanisation_rate`: population of recognised urban areas / total population
   (statistics office definition).
2. :func:`census_urban_share`: population of units of urban type (wards; + townships before the
   2025 reform) / total population.
3. :func:`degree_of_urbanisation`: the UN-endorsed Degree of Urbanisation on a 1 km² population
   grid (implemented in :mod:`gis.degurba`, re-exported here).

Plus :func:`urbanised_share`: area of planned/observed urban polygons within each unit (as urban
as the polygons given: administrative units of urban type give their whole area, not built-up;
slivers of boundary mismatch under :data:`SLIVER_PCT` are set apart, not counted).

A missing population is never replaced: the affected totals and shares are NaN and the output says
which units lacked it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis._frames import (
    M2_PER_HA,
    check_free_columns,
    require_columns,
    require_geodataframe,
    require_polygons,
)
from gis.crs import require_metric_crs, to_crs
from gis.degurba import DEGURBA_CODES, degree_of_urbanisation, degurba_classes
from gis.errors import LayerError

__all__ = [
    "DEGURBA_CODES",
    "census_urban_share",
    "degree_of_urbanisation",
    "degurba_classes",
    "official_urbanisation_rate",
    "urbanised_share",
]


DEFINITION_CENSUS = (
    "Census urban share: population of units whose type is in {types} / population of all units."
)
DEFINITION_OFFICIAL = (
    "Official urbanisation rate: population of recognised urban areas / total population."
)


#: Default of ``urbanised_share(sliver_pct=...)``: a piece of a connected urban polygon inside a
#: unit that is under this % of the polygon's area *and* of the unit's area counts as 0. Measured
#: on the shipped layers (a city's 2025 wards, one polygon of 24,044.23 ha from the 2025 survey,
#: over the pre-2025 districts of another survey): the one sliver is 69.64 ha = 0.29 % of the
#: polygon and 0.05 % of its district, and no commune of that district went to the wards (the
#: crosswalk); the smallest genuine piece is 6,994.05 ha = 29.09 % of the polygon, the smallest
#: genuine share of a unit 7.4 % (7,676.83 ha). 1 % is 3.4x the sliver and a 29th of the smallest
#: genuine piece. Both shares must be small: a ward wholly inside a large city polygon is a small
#: share of the polygon but all of the ward, and is kept.
SLIVER_PCT = 1.0


def _pieces(
    geoms: np.ndarray, merged: shapely.Geometry
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Area (m²) of each piece unit x connected polygon of ``merged`` that touch.

    Returns unit positions, part positions, piece areas and the parts' areas. The covering
    shortcuts of :func:`gis._overlay.intersection_measure` (a part inside the unit, a unit inside
    the part: their own area, no overlay) keep the cost of the national runs.
    """
    parts = shapely.get_parts(merged)
    parts = parts[shapely.area(parts) > 0]
    empty = np.zeros(0, dtype=np.intp)
    if len(parts) == 0 or len(geoms) == 0:
        return empty, empty, np.zeros(0), shapely.area(parts)
    tree = shapely.STRtree(parts)
    unit, part = tree.query(geoms, predicate="intersects")
    area = np.full(len(unit), np.nan)
    inside_unit, inside_part = tree.query(geoms, predicate="covers")  # the part is in the unit
    inside = np.isin(unit * len(parts) + part, inside_unit * len(parts) + inside_part)
    area[inside] = shapely.area(parts[part[inside]])
    shapely.prepare(parts)  # our own objects: the units are never prepared (not modified)
    rest = np.flatnonzero(~inside)
    whole = shapely.covers(parts[part[rest]], geoms[unit[rest]])  # the unit is in the part
    area[rest[whole]] = shapely.area(geoms[unit[rest[whole]]])
    cross = rest[~whole]
    area[cross] = shapely.area(shapely.intersection(geoms[unit[cross]], parts[part[cross]]))
    return unit, part, area, shapely.area(parts)


def urbanised_share(
    units: gpd.GeoDataFrame,
    urban_areas: gpd.GeoDataFrame,
    *,
    by: str | None = None,
    sliver_pct: float = SLIVER_PCT,
) -> gpd.GeoDataFrame:
    """Add the urban area (ha) and its share of each unit's area, optionally per class.

    The result is as urban as the polygons given: with the boundaries of wards or townships it is
    the share of urban *administrative* area (a whole ward counts, forest included), not of
    built-up area; for the built-up share pass built-up polygons, or sum a built-up raster (GHSL)
    per unit with :func:`gis.zonal.zonal_stats`.

    Urban polygons and units from two surveys never share their boundaries exactly: a polygon
    spills over a neighbouring unit by a thin strip. Each connected polygon of the dissolved
    urban areas is cut by the units; a piece under ``sliver_pct`` % of that polygon's area and
    under ``sliver_pct`` % of the unit's area is such a sliver: it counts as 0 and its area is
    given apart (``urban_sliver_ha``), so nothing is hidden.

    Parameters
    ----------
    units : GeoDataFrame
        Polygons in a projected CRS in metres (e.g. EPSG:9205); not modified.
    urban_areas : GeoDataFrame
        Urban polygons (any CRS; a copy is reprojected to the units' CRS). Overlapping polygons
        are dissolved first, so no area counts twice.
    by : str, optional
        Column of ``urban_areas`` (class, plan horizon...): one set of columns per value.
    sliver_pct : float
        Tolerance in % (default :data:`SLIVER_PCT`, 1 %, chosen from measured slivers); 0 counts
        every piece.

    Returns
    -------
    GeoDataFrame
        Copy of ``units`` with ``urban_area_ha``, ``urban_pct`` and ``urban_sliver_ha`` (the area
        of the slivers left out; or ``urban_<value>_ha``, ``urban_<value>_pct`` and
        ``urban_<value>_sliver_ha`` per value of ``by``); ``attrs["definition"]`` says how,
        tolerance included, and ``attrs["sliver_pct"]`` holds it. Every value depends on its own
        unit only (:func:`gis.scale.map_units` gives the same result).

    Raises
    ------
    CRSError
        If ``units`` is not in a metric CRS, or a layer has no CRS.
    LayerError
        Not polygons, ``by`` missing, or an output column already exists.
    ValueError
        If ``sliver_pct`` is not a number from 0 to under 100.

    Examples
    --------
    A 1 km² unit and an urban polygon reaching 5 m into its neighbour (a 0.5 % strip):

    >>> import geopandas as gpd, shapely
    >>> units = gpd.GeoDataFrame({"code": ["A", "B"]}, crs="EPSG:9205", geometry=[
    ...     shapely.box(0, 0, 1000, 1000), shapely.box(1000, 0, 2000, 1000)])
    >>> urban = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1005, 1000)], crs="EPSG:9205")
    >>> out = urbanised_share(units, urban)
    >>> out[["urban_area_ha", "urban_sliver_ha"]].round(2).to_numpy().tolist()
    [[100.0, 0.0], [0.0, 0.5]]
    """
    if (
        isinstance(sliver_pct, bool)
        or not isinstance(sliver_pct, int | float | np.integer | np.floating)
        or not 0 <= sliver_pct < 100
    ):
        raise ValueError(
            f"sliver_pct must be a number from 0 to under 100 (a % of the urban polygon and of "
            f"the unit); got {sliver_pct!r}. Use 0 to count every piece, or the default "
            f"{SLIVER_PCT:g}."
        )
    units = require_geodataframe(units, name="units")
    require_polygons(units, name="units")
    crs = require_metric_crs(units, name="units", purpose="urban area shares")
    urban = require_geodataframe(urban_areas, name="urban_areas")
    require_polygons(urban, name="urban_areas")
    require_columns(urban, [by], name="urban_areas")
    urban = to_crs(urban, crs)
    groups = [(None, urban)] if by is None else list(urban.groupby(by, sort=True))
    geoms = np.asarray(units.geometry.values, dtype=object)
    unit_area = shapely.area(geoms)
    new: dict[str, np.ndarray] = {}
    for value, part in groups:
        unit, poly, piece, poly_area = _pieces(geoms, shapely.union_all(part.geometry.values))
        share = sliver_pct / 100.0
        sliver = (piece < share * poly_area[poly]) & (piece < share * unit_area[unit])
        kept, dropped = np.zeros(len(geoms)), np.zeros(len(geoms))
        np.add.at(kept, unit[~sliver], piece[~sliver])
        np.add.at(dropped, unit[sliver], piece[sliver])
        stem = "urban" if value is None else f"urban_{value}"
        new[f"{stem}_area_ha" if value is None else f"{stem}_ha"] = kept / M2_PER_HA
        new[f"{stem}_pct"] = np.where(unit_area > 0, 100.0 * kept / unit_area, np.nan)
        new[f"{stem}_sliver_ha"] = dropped / M2_PER_HA
    check_free_columns(units, new, name="units")
    out = units.copy()
    for col, values in new.items():
        out[col] = values
    out.attrs["definition"] = (
        "Area of the (dissolved) urban polygons inside each unit, in ha, and as % of the unit's "
        "area (as urban as the polygons: administrative urban units give their whole area, not "
        f"built-up area); computed in {crs.to_string()}"
        + (f", per value of '{by}'" if by else "")
        + f". A piece of a connected urban polygon under {sliver_pct:g} % of the polygon's area "
        f"and under {sliver_pct:g} % of the unit's area is a sliver of boundary mismatch: it "
        "counts as 0 and its area is in the *_sliver_ha column."
    )
    out.attrs["sliver_pct"] = float(sliver_pct)
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
