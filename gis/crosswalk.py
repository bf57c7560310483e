"""Move statistics between unit systems (pre-2025 communes/districts -> 2025 communes).

Two routes:

- :func:`aggregate`, areal weighting by polygon overlay: for an **extensive** variable
  (population, area, counts) a target receives each source's value times the share of the source
  inside it; for an **intensive** variable (density, rate, share) a target gets the mean of the
  sources weighted by overlap area (or by population from a raster). This is tobler's
  ``area_interpolate``; tobler 0.13 was tried and not used here because it replaces missing
  values by 0 (with a warning) and prints, then returns None, when the CRSs differ. It serves as a
  peer check in the tests.
- :func:`via_table`, through the official commune crosswalk (each old commune merged whole into
  one new commune, Resolution 1670/NQ-UBTVQH15 for Lai Châu): exact for extensive variables,
  weighted means for intensive ones.

A missing source value is never replaced: every target that receives from it is NaN and names it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis._frames import (
    check_free_columns,
    require_columns,
    require_geodataframe,
    require_polygons,
)
from gis.crs import require_metric_crs, to_crs
from gis.errors import LayerError

__all__ = ["aggregate", "old_units_of", "via_table"]


def _numeric(frame: pd.DataFrame, columns: Sequence[str], *, name: str) -> pd.DataFrame:
    columns = list(dict.fromkeys(columns))
    out = frame[columns].apply(pd.to_numeric, errors="coerce")
    bad = [c for c in columns if out[c].isna().sum() > frame[c].isna().sum()]
    if bad:
        raise LayerError(f"'{name}' column(s) {bad} hold non-numeric values; clean them first.")
    return out


def _overlap_table(
    source: gpd.GeoDataFrame, target: gpd.GeoDataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (source position, target position, intersection geometry) of overlapping pairs."""
    tree = shapely.STRtree(source.geometry.values)
    t_idx, s_idx = tree.query(target.geometry.values, predicate="intersects")
    pieces = shapely.intersection(source.geometry.values[s_idx], target.geometry.values[t_idx])
    keep = shapely.area(pieces) > 0
    return s_idx[keep], t_idx[keep], pieces[keep]


def _raster_sum(geoms: np.ndarray, raster: str | Path, crs: object) -> np.ndarray:
    from gis.zonal import zonal_stats

    res = zonal_stats(gpd.GeoDataFrame(geometry=geoms, crs=crs), raster, stats=("sum",), prefix="w")
    return np.nan_to_num(res["w_sum"].to_numpy(dtype=float))


def aggregate(
    values: pd.DataFrame,
    source_units: gpd.GeoDataFrame,
    target_units: gpd.GeoDataFrame,
    *,
    extensive: Sequence[str] = (),
    intensive: Sequence[str] = (),
    source_id: str = "code",
    weight: str | Path = "area",
    allocate_total: bool = True,
    min_overlap_pct: float = 0.0,
) -> gpd.GeoDataFrame:
    """Transfer values from source polygons to target polygons by areal weighting.

    Parameters
    ----------
    values : DataFrame
        Values per source unit, with column ``source_id``; may be ``source_units`` itself.
    source_units, target_units : GeoDataFrame
        Polygons; the targets must be in a projected CRS in metres (sources are reprojected to it).
        Neither is modified.
    extensive, intensive : sequence of str
        Columns of ``values`` to transfer as sums (extensive) or weighted means (intensive).
    source_id : str
        Id column of ``source_units`` and ``values`` (unique).
    weight : "area" or path
        ``"area"`` weights pieces by area; a population-count raster path weights them by the
        population in each piece (dasymetric: people follow the raster, not the area).
    allocate_total : bool
        True: a source's whole value is shared among the targets it overlaps (totals kept even if
        outlines differ slightly); False: the part outside every target is lost, as the area is.
    min_overlap_pct : float
        Drop pieces smaller than this % of their source's area (slivers of boundary mismatch
        between surveys). 0 keeps all.

    Returns
    -------
    GeoDataFrame
        Copy of ``target_units`` with the transferred columns, ``source_ids`` (``;``-joined) and
        ``covered_pct`` (% of the target's area covered by sources). A target receiving from a
        source whose value is missing gets NaN. ``attrs["method"]`` describes the transfer.
    """
    target = require_geodataframe(target_units, name="target_units")
    source = require_geodataframe(source_units, name="source_units")
    require_polygons(target, name="target_units")
    require_polygons(source, name="source_units")
    crs = require_metric_crs(target, name="target_units", purpose="areal weighting")
    columns = [*extensive, *intensive]
    if not columns:
        raise ValueError("name at least one column in extensive= or intensive=.")
    if weight != "area" and not isinstance(weight, str | Path):
        raise ValueError(f"weight={weight!r}; use 'area' or the path of a population raster.")
    require_columns(source, [source_id], name="source_units")
    require_columns(values, [source_id, *columns], name="values")
    check_free_columns(target, [*columns, "source_ids", "covered_pct"], name="target_units")
    if values[source_id].duplicated().any():
        dup = values.loc[values[source_id].duplicated(), source_id].astype(str).tolist()[:5]
        raise LayerError(f"'values' has repeated {source_id}: {dup}; one row per source unit.")
    source = to_crs(source[[source_id, source.geometry.name]], crs)
    keyed = values.assign(_key=values[source_id].astype(str)).set_index("_key")
    src_keys = source[source_id].astype(str)
    unmatched = sorted(set(src_keys) - set(keyed.index))
    if unmatched:
        raise LayerError(
            f"no values for source unit(s) {unmatched[:10]}; give each a row (NaN if unknown)."
        )
    vals = _numeric(keyed.loc[src_keys], columns, name="values").to_numpy(dtype=float)

    s_idx, t_idx, pieces = _overlap_table(source, target)
    src_area = shapely.area(source.geometry.values)
    a = shapely.area(pieces)
    keep = 100.0 * a / src_area[s_idx] >= min_overlap_pct
    s_idx, t_idx, pieces, a = s_idx[keep], t_idx[keep], pieces[keep], a[keep]
    if isinstance(weight, str) and weight == "area":
        w, whole = a, src_area
        how = "area of intersection"
    else:
        w = _raster_sum(pieces, weight, crs)
        whole = None if allocate_total else _raster_sum(source.geometry.values, weight, crs)
        how = f"population in each intersection from '{Path(weight).name}'"
    n_t = len(target)
    # extensive: share of each source's value going to each target
    denom = np.bincount(s_idx, weights=w, minlength=len(source)) if allocate_total else whole
    share = np.divide(w, denom[s_idx], out=np.zeros_like(w), where=denom[s_idx] > 0)
    t_weight = np.bincount(t_idx, weights=w, minlength=n_t)
    new: dict[str, object] = {}
    for j, col in enumerate(columns):
        v = vals[:, j]
        gaps = np.isnan(v[s_idx]).astype(float)
        missing = np.bincount(t_idx, weights=gaps, minlength=n_t) > 0
        v0 = np.nan_to_num(v[s_idx])
        if col in extensive:
            res = np.bincount(t_idx, weights=v0 * share, minlength=n_t)
        else:
            tot = np.bincount(t_idx, weights=v0 * w, minlength=n_t)
            res = np.divide(tot, t_weight, out=np.full(n_t, np.nan), where=t_weight > 0)
        res[missing] = np.nan
        res[np.bincount(t_idx, minlength=n_t) == 0] = np.nan  # no source at all
        new[col] = res
    ids = [[] for _ in range(n_t)]
    for s, t in zip(s_idx, t_idx, strict=True):
        ids[t].append(src_keys.iloc[s])
    new["source_ids"] = [";".join(sorted(set(x))) for x in ids]
    covered = np.bincount(t_idx, weights=a, minlength=n_t)
    new["covered_pct"] = 100.0 * covered / shapely.area(target.geometry.values)
    out = target.copy()
    for col, v in new.items():
        out[col] = v
    out.attrs["method"] = (
        f"Areal weighting in {crs.to_string()}, weights = {how}. Extensive {list(extensive)}: "
        "source value x share of the source in the target "
        f"({'shares sum to 1 per source' if allocate_total else 'share of the whole source'}). "
        f"Intensive {list(intensive)}: weighted mean over the target's covered part."
    )
    return out


def via_table(
    values: pd.DataFrame,
    crosswalk: pd.DataFrame,
    *,
    extensive: Sequence[str] = (),
    intensive: Sequence[str] = (),
    weight_column: str | None = None,
    source_id: str = "code",
    crosswalk_source: str = "code",
    crosswalk_target: str = "ward2025_code",
) -> pd.DataFrame:
    """Aggregate values per old unit to new units through a crosswalk table.

    Parameters
    ----------
    values : DataFrame
        One row per old unit, with ``source_id``; not modified.
    crosswalk : DataFrame
        Old unit -> new unit (e.g. the ``commune_crosswalk`` layer: ``code`` -> ``ward2025_code``).
        Each old unit must appear once (merged whole into one new unit).
    extensive : sequence of str
        Columns summed (population, households, area).
    intensive : sequence of str
        Columns averaged with weights ``weight_column`` (e.g. population for a poverty rate).
    weight_column : str, optional
        Column of ``values`` weighting the intensive means; required with ``intensive``.
    source_id, crosswalk_source, crosswalk_target : str
        Key columns.

    Returns
    -------
    DataFrame
        One row per new unit of the crosswalk: ``crosswalk_target``, the columns, ``n_sources``,
        ``source_ids``, ``complete`` (every old unit had every value) and
        ``sources_missing_values``. Incomplete targets are NaN for the affected columns.
    """
    require_columns(values, [source_id, *extensive, *intensive, weight_column], name="values")
    require_columns(crosswalk, [crosswalk_source, crosswalk_target], name="crosswalk")
    if not [*extensive, *intensive]:
        raise ValueError("name at least one column in extensive= or intensive=.")
    if intensive and weight_column is None:
        raise ValueError(
            "intensive columns need weight_column= (e.g. the population): an unweighted mean of "
            "rates over merged communes of different sizes would be wrong."
        )
    cw = crosswalk[[crosswalk_source, crosswalk_target]].astype(str)
    dup = cw.loc[cw[crosswalk_source].duplicated(), crosswalk_source].tolist()
    if dup:
        raise LayerError(
            f"crosswalk maps old unit(s) {dup[:10]} to several new units; split units need "
            "areal weighting: use aggregate() with both polygon layers."
        )
    vals = values.assign(_key=values[source_id].astype(str))
    unknown = sorted(set(vals["_key"]) - set(cw[crosswalk_source]))
    if unknown:
        raise LayerError(f"value rows for unit(s) {unknown[:10]} are not in the crosswalk.")
    cols = [*extensive, *intensive]
    num = _numeric(vals, [*cols, *([weight_column] if weight_column else [])], name="values")
    num["_key"] = vals["_key"].to_numpy()
    merged = cw.merge(num, left_on=crosswalk_source, right_on="_key", how="left")
    rows = []
    for target, g in merged.groupby(crosswalk_target, sort=True):
        row: dict[str, object] = {crosswalk_target: target}
        gaps = set(g.loc[g["_key"].isna(), crosswalk_source])
        for col in extensive:
            gaps |= set(g.loc[g[col].isna(), crosswalk_source])
            row[col] = g[col].sum() if g[col].notna().all() else np.nan
        for col in intensive:
            bad = g[col].isna() | g[weight_column].isna()
            gaps |= set(g.loc[bad, crosswalk_source])
            wsum = g[weight_column].sum()
            ok = not bad.any() and wsum > 0
            row[col] = (g[col] * g[weight_column]).sum() / wsum if ok else np.nan
        row["n_sources"] = len(g)
        row["source_ids"] = ";".join(sorted(g[crosswalk_source]))
        row["complete"] = not gaps
        row["sources_missing_values"] = ";".join(sorted(gaps))
        rows.append(row)
    out = pd.DataFrame(rows)
    out.attrs["method"] = (
        f"Crosswalk {crosswalk_source} -> {crosswalk_target}: extensive {list(extensive)} summed; "
        f"intensive {list(intensive)} averaged weighted by '{weight_column}'."
    )
    return out


def old_units_of(crosswalk: pd.DataFrame) -> pd.DataFrame:
    """Per 2025 commune: ``n_old_communes``, ``old_commune_codes``, ``old_district_codes``.

    ``crosswalk`` has one row per old commune (or per part of a split one) with columns
    ``code`` (old commune), ``district_code`` (its district) and ``ward2025_code``. The result
    is indexed by ``ward2025_code``; codes are sorted and ``;``-joined, as the
    ``communes_2025`` layers store them.

    Examples
    --------
    >>> cw = pd.DataFrame({"code": ["03403", "03388"], "district_code": ["105", "105"],
    ...                    "ward2025_code": ["03388", "03388"]})
    >>> old_units_of(cw).loc["03388", "old_commune_codes"]
    '03388;03403'
    """
    require_columns(crosswalk, ["code", "district_code", "ward2025_code"], name="crosswalk")
    grouped = crosswalk.sort_values("code").groupby("ward2025_code")
    return pd.DataFrame(
        {
            "n_old_communes": grouped.size(),
            "old_commune_codes": grouped["code"].agg(";".join),
            "old_district_codes": grouped["district_code"].agg(lambda s: ";".join(sorted(set(s)))),
        }
    )
