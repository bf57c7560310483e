"""Validation engine: each frame against its schema, and the layers against the profile's rules.

Pure: it never reads the store. The caller hands in ``get`` (a function returning a layer by
name): :mod:`gis.store` its own reader before a save, :mod:`gis.validate` (the public entry
points) the store's for the stored layers. So the store imports this module and nothing here
imports the store.

Every problem of a layer is collected (never just the first) as a :class:`gis.errors.Problem`
with the feature id and a hint. Schema checks come from the layer's ``.meta.json``; the topology
and consistency rules (``[[rules]]`` in ``profile.toml``) and their parameters are listed in
:mod:`gis.validate`, the public entry points. The rules registered here (``area``,
``partition``, ``within``, ``foreign_key``) and those of the planning layers
(:mod:`gis.rules_plan`) register themselves in :data:`gis._rules.RULES` with
:func:`gis._rules.register_rule`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from gis import (
    rules_plan,  # noqa: F401  (its rules register themselves on import)
    settings,
)
from gis._frames import M2_PER_KM2, feature_ids
from gis._rules import RULES, Get, register_rule
from gis.crs import require_metric_crs
from gis.errors import LayerError, Problem
from gis.profile import Profile

__all__ = [
    "GEOMETRY_FAMILIES",
    "check_frame",
    "repair_geometries",
    "rules_for",
    "run_rules",
]

#: Geometry type of a layer's schema -> the single and multi types it accepts.
GEOMETRY_FAMILIES = {
    "Point": {"Point", "MultiPoint"},
    "LineString": {"LineString", "MultiLineString"},
    "Polygon": {"Polygon", "MultiPolygon"},
}


def _show(value: Any, limit: int = 60) -> str:
    """``repr`` of a value for a message, cut to ``limit`` characters (a value may be 10 MB)."""
    text = repr(value)
    if len(text) <= limit:
        return text
    size = f"{len(value):,} characters" if isinstance(value, str) else type(value).__name__
    return f"{text[: limit - 1]}… ({size})"


def _ids(df: pd.DataFrame, meta: Mapping[str, Any] | None) -> pd.Series:
    return feature_ids(df, (meta or {}).get("id_column") or df.attrs.get("id_column"))


def _check_columns(df: pd.DataFrame, name: str, meta: Mapping[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    ids = _ids(df, meta)
    declared = [c["name"] for c in meta.get("columns", [])]
    for col in meta.get("columns", []):
        cname, dtype = col["name"], col.get("dtype", "str")
        if cname not in df.columns:
            problems.append(
                Problem(
                    name,
                    "schema",
                    f"column '{cname}' is missing",
                    hint=f"add a '{cname}' column ({dtype}): {col.get('description', '')}".rstrip(
                        ": "
                    ),
                )
            )
            continue
        values = df[cname]
        null = values.isna()
        if col.get("required", False):
            for fid in ids[null]:
                problems.append(
                    Problem(
                        name, "schema", f"'{cname}' is empty", fid, f"fill in '{cname}' ({dtype})"
                    )
                )
        present = values[~null]
        if dtype in ("int", "float"):
            numeric = pd.to_numeric(present, errors="coerce").astype("float64")
            # infinity is saved as empty; an int column holds 64-bit integers (not 1e30, 2**70)
            special = np.isinf(numeric.to_numpy())
            if dtype == "int":
                special |= (numeric.abs() > 2**63 - 1).to_numpy()
            bad = numeric.isna() | (
                (numeric % 1 != 0) & ~special
                if dtype == "int"
                else pd.Series(False, index=numeric.index)
            )
            for idx in present.index[bad.to_numpy()]:
                problems.append(
                    Problem(
                        name,
                        "schema",
                        f"'{cname}' = {_show(present[idx])} is not {dtype}",
                        ids[idx],
                        f"write a number in '{cname}'",
                    )
                )
            for idx in present.index[special]:
                what = "infinite" if np.isinf(numeric[idx]) else "too large for an int column"
                problems.append(
                    Problem(
                        name,
                        "schema",
                        f"'{cname}' = {numeric[idx]:g} is {what} (a file cannot store it "
                        "faithfully: it would be saved as empty or as another number)",
                        ids[idx],
                        f"write a finite number in '{cname}'"
                        + (
                            " of at most 19 digits, or make it a float column"
                            if dtype == "int"
                            else ""
                        ),
                    )
                )
        elif dtype == "date":
            days = pd.to_datetime(present, errors="coerce")
            bad = days.isna() | (days != days.dt.normalize())
            for idx in present.index[bad.to_numpy(dtype=bool)]:
                problems.append(
                    Problem(
                        name,
                        "schema",
                        f"'{cname}' = {_show(present[idx])} is not a date",
                        ids[idx],
                        "write a date as 2024-03-15",
                    )
                )
        elif dtype == "bool":
            ok = present.map(lambda v: isinstance(v, bool | np.bool_) or v in (0, 1))
            for idx in present.index[~ok.to_numpy(dtype=bool)]:
                problems.append(
                    Problem(
                        name,
                        "schema",
                        f"'{cname}' = {_show(present[idx])} is not true/false",
                        ids[idx],
                        "use true or false",
                    )
                )
        allowed = col.get("allowed")
        if allowed:
            bad = ~present.astype(str).isin([str(a) for a in allowed])
            for idx in present.index[bad.to_numpy()]:
                problems.append(
                    Problem(
                        name,
                        "schema",
                        f"'{cname}' = {_show(present[idx])} is not an allowed value",
                        ids[idx],
                        f"use one of: {', '.join(map(str, allowed))}",
                    )
                )
        if col.get("unique", False):
            # one problem per duplicated value, naming the clashing rows (0-based positions)
            position = pd.Series(range(len(df)), index=df.index)
            dup = present[present.duplicated(keep=False)]
            for value, group in dup.groupby(dup.astype(str), sort=False):
                rows = position[group.index].tolist()
                shown = ", ".join(map(str, rows[:-1])) + f" and {rows[-1]}"
                problems.append(
                    Problem(
                        name,
                        "schema",
                        f"'{cname}' = {_show(group.iloc[0])} is not unique: rows {shown} share it",
                        value,
                        f"give each feature its own '{cname}'",
                    )
                )
    limit = settings.MAX_TEXT_CHARS
    for cname in df.columns:
        if cname == "geometry" or df[cname].dtype.kind not in "OT":
            continue
        lengths = df[cname].map(lambda v: len(v) if isinstance(v, str) else 0)
        for idx in lengths.index[(lengths > limit).to_numpy()]:
            problems.append(
                Problem(
                    name,
                    "schema",
                    f"'{cname}' holds {lengths[idx]:,} characters, more than the limit of "
                    f"{limit:,} (gis.settings.MAX_TEXT_CHARS): {_show(df.at[idx, cname], 40)}",
                    ids[idx],
                    "shorten it; put long documents in a file and store its name or URL",
                )
            )
        nul = df[cname].map(lambda v: isinstance(v, str) and "\x00" in v)
        for idx in nul.index[nul.to_numpy(dtype=bool)]:
            problems.append(
                Problem(
                    name,
                    "schema",
                    f"'{cname}' = {_show(df.at[idx, cname], 40)} holds a NUL character (\\x00), "
                    "where GDAL and most programs cut the text",
                    ids[idx],
                    "remove it (it is never part of real text; often the end of a C string)",
                )
            )
    id_col = meta.get("id_column")
    if id_col and id_col not in declared and id_col not in df.columns:
        problems.append(
            Problem(
                name,
                "schema",
                f"id column '{id_col}' is missing",
                hint=f"add '{id_col}' with a unique value per feature",
            )
        )
    extra = [c for c in df.columns if c not in declared and c != "geometry"]
    if extra and declared:
        problems.append(
            Problem(
                name,
                "schema",
                f"column(s) not in the schema: {extra}",
                hint="declare them in the layer's .meta.json or drop them",
                severity="warning",
            )
        )
    return problems


def _check_geometry(
    df: gpd.GeoDataFrame, name: str, meta: Mapping[str, Any], profile: Profile | None
) -> list[Problem]:
    problems: list[Problem] = []
    ids = _ids(df, meta)
    expected = meta.get("crs") or (profile.planning_crs if profile else None)
    if df.crs is None:
        problems.append(
            Problem(
                name,
                "crs",
                "the layer has no CRS",
                hint=f"state it (e.g. set_crs('{expected or 'EPSG:9205'}'))",
            )
        )
    elif expected and not df.crs.equals(pyproj.CRS.from_user_input(expected)):
        problems.append(
            Problem(
                name,
                "crs",
                f"CRS is {df.crs.to_string()}, expected {expected}",
                hint=f"reproject with gis.to_crs(gdf, '{expected}')",
            )
        )
    geoms = df.geometry
    family = GEOMETRY_FAMILIES.get(meta.get("geometry_type", ""), None)
    present = {
        next((k for k, v in GEOMETRY_FAMILIES.items() if t in v), t)
        for t in geoms.geom_type.dropna()
    }
    if "geometry_type" in meta and meta["geometry_type"] is None and len(present) > 1:
        counts = geoms.geom_type.value_counts().to_dict()
        problems.append(
            Problem(
                name,
                "geometry",
                f"mixed geometry types {counts}: a layer holds one type",
                hint="split the file by type (e.g. ogr2ogr -where \"OGR_GEOMETRY='POINT'\") "
                "and import each part as its own layer; a layer meant to mix types declares "
                '"geometry_type": "" in its .meta.json',
            )
        )
    finite = np.array(
        [g is None or bool(np.isfinite(shapely.get_coordinates(g)).all()) for g in geoms],
        dtype=bool,
    )
    for idx, geom in geoms.items():
        fid = ids[idx]
        if geom is None or geom.is_empty:
            problems.append(
                Problem(name, "geometry", "geometry is empty", fid, "draw the feature or delete it")
            )
            continue
        if not finite[geoms.index.get_loc(idx)]:
            problems.append(
                Problem(
                    name,
                    "geometry",
                    "coordinates are not finite numbers (NaN or infinity)",
                    fid,
                    "fix the coordinates in the source, or check the CRS (a reprojection "
                    "of impossible coordinates gives infinity)",
                )
            )
            continue
        if family and geom.geom_type not in family:
            problems.append(
                Problem(
                    name,
                    "geometry",
                    f"geometry is {geom.geom_type}, expected {meta['geometry_type']}",
                    fid,
                    "convert it or move it to a layer of that type",
                )
            )
        if not geom.is_valid:
            reason = shapely.is_valid_reason(geom)
            problems.append(
                Problem(
                    name,
                    "geometry",
                    f"invalid geometry: {reason}",
                    fid,
                    "repair it: `gis validate LAYER --repair` "
                    "(shapely.make_valid) or fix it in QGIS",
                )
            )
    return problems


def rules_for(profile: Profile, name: str | None) -> list[Mapping[str, Any]]:
    """Return the rules of ``profile`` naming layer ``name`` in any role (all if ``None``)."""
    refs = ("layer", "of", "container", "ref_layer", "units_layer", "target", "assignment_layer")
    return [r for r in profile.rules if name is None or name in {r.get(k) for k in refs}]


def run_rules(
    profile: Profile,
    rules: list[Mapping[str, Any]],
    overrides: Mapping[str, pd.DataFrame],
    *,
    get: Get,
) -> list[Problem]:
    """Run ``rules`` of ``profile``; return their problems (a missing layer is a warning).

    ``get`` returns a stored layer by name (the caller's reader: :mod:`gis.store` hands in its
    own, so this module never imports the store); ``overrides`` stand in for stored layers.
    Each layer is read at most once.
    """
    cache: dict[str, pd.DataFrame] = dict(overrides)

    def cached(layer: str) -> pd.DataFrame:
        if layer not in cache:
            cache[layer] = get(layer)
        return cache[layer]

    problems: list[Problem] = []
    for rule in rules:
        check = rule.get("check")
        if check not in RULES:
            problems.append(
                Problem(
                    rule.get("layer", "?"),
                    "profile",
                    f"unknown rule '{check}' in {profile.path}/profile.toml",
                    hint=f"use one of: {', '.join(sorted(RULES))}",
                )
            )
            continue
        try:
            problems += RULES[check](rule, cached)
        except LayerError as exc:  # a layer the rule needs is missing
            problems.append(
                Problem(rule.get("layer", "?"), check, f"rule skipped: {exc}", severity="warning")
            )
    return problems


def check_frame(
    df: pd.DataFrame,
    name: str,
    meta: Mapping[str, Any],
    *,
    profile: Profile | None = None,
    check_rules: bool = True,
    get: Get | None = None,
) -> list[Problem]:
    """Return every problem of ``df`` as layer ``name``: schema, geometry, CRS and rules.

    The rules of ``profile`` that name this layer are run with ``df`` standing in for the
    stored layer, so a save can be refused before it happens; ``get`` reads the other layers
    they need (required when rules run). Public wrapper: :func:`gis.validate.validate_frame`.
    """
    problems = _check_columns(df, name, meta)
    if meta.get("kind") != "table":
        if not isinstance(df, gpd.GeoDataFrame):
            return [
                *problems,
                Problem(
                    name,
                    "geometry",
                    "no geometry column",
                    hint="a vector layer needs a GeoDataFrame",
                ),
            ]
        problems += _check_geometry(df, name, meta, profile)
    if check_rules and profile is not None and not any(p.severity == "error" for p in problems):
        if get is None:
            raise TypeError("check_frame: pass get= (a layer reader) to run the profile's rules")
        problems += run_rules(profile, rules_for(profile, name), {name: df}, get=get)
    return problems


# --- rules -------------------------------------------------------------------------------------


def _metric(df: pd.DataFrame, layer: str) -> gpd.GeoDataFrame:
    require_metric_crs(df, name=layer, purpose="topology rules")
    return df


@register_rule("area")
def _rule_area(rule: Mapping[str, Any], get: Callable[[str], pd.DataFrame]) -> list[Problem]:
    layer = rule["layer"]
    gdf = _metric(get(layer), layer)
    area_km2 = gdf.union_all().area / M2_PER_KM2
    expected, tol = float(rule["expected_km2"]), float(rule.get("tolerance_pct", 1.0))
    diff_pct = 100.0 * (area_km2 - expected) / expected
    if abs(diff_pct) > tol:
        return [
            Problem(
                layer,
                "area",
                f"area is {area_km2:,.2f} km², {diff_pct:+.2f} % from the "
                f"official {expected:,.2f} km² ({rule.get('source', 'profile')}); "
                f"tolerance {tol} %",
                hint="check the CRS and that no unit is missing or duplicated",
            )
        ]
    return []


def _largest_near(area) -> str:
    """Where the largest part of ``area`` is, for a message: "largest near x=…, y=…"."""
    largest = max(getattr(area, "geoms", [area]), key=lambda g: g.area)
    x, y = largest.representative_point().coords[0]
    return f"largest near x={x:.0f}, y={y:.0f}"


@register_rule("partition")
def _rule_partition(rule: Mapping[str, Any], get: Callable[[str], pd.DataFrame]) -> list[Problem]:
    layer = rule["layer"]
    gdf = _metric(get(layer), layer)
    meta_id = rule.get("id_column")
    ids = (
        gdf[meta_id].astype(str)
        if meta_id in gdf.columns
        else pd.Series([f"row {i}" for i in range(len(gdf))], index=gdf.index)
    )
    tol_m2 = float(rule.get("tolerance_km2", 0.01)) * M2_PER_KM2
    problems: list[Problem] = []
    geoms = gdf.geometry.reset_index(drop=True)
    left, right = geoms.sindex.query(geoms, predicate="intersects")
    pairs = left < right
    left, right = left[pairs], right[pairs]
    # neighbours touch along their shared edge; only pairs whose interiors meet can overlap,
    # and that test is cheaper than the intersection (0.07 s against 0.2 s, 2025 communes)
    values = geoms.to_numpy()
    inner = shapely.relate_pattern(values[left], values[right], "T********")
    for i, j in zip(left[inner], right[inner], strict=True):
        overlap = geoms.iloc[i].intersection(geoms.iloc[j]).area
        if overlap > tol_m2:
            problems.append(
                Problem(
                    layer,
                    "partition",
                    f"overlaps {ids.iloc[j]} by {overlap / M2_PER_KM2:.3f} km²",
                    ids.iloc[i],
                    "snap the shared edge (QGIS: Snap geometries to layer) or gis.validate repair",
                )
            )
    union = shapely.union_all(geoms.to_numpy())
    if rule.get("of"):
        outline = _metric(get(rule["of"]), rule["of"]).union_all()
        # Through the symmetric difference: units that tile their outline but for a few
        # vertices (the 2025 regions and communes) make GEOS retry outline - union with a
        # slower noder (1.3 s); the symmetric difference does not, and clipping the small
        # result is quick (0.1 s in all). Same areas to 1e-9 m².
        diff = outline.symmetric_difference(union)
        gaps = diff.intersection(outline)
        spill = diff.difference(outline)
        label = f"outline '{rule['of']}'"
    else:
        holes = [shapely.Polygon(r) for p in getattr(union, "geoms", [union]) for r in p.interiors]
        gaps = shapely.union_all(holes) if holes else shapely.Polygon()
        spill = shapely.Polygon()
        label = "the union of its units"
    if gaps.area > tol_m2:
        problems.append(
            Problem(
                layer,
                "partition",
                f"gaps of {gaps.area / M2_PER_KM2:.3f} km² inside {label} ({_largest_near(gaps)})",
                hint="a unit is missing or too small there: add or redraw it (or extend its "
                "neighbours to close a sliver)",
            )
        )
    if spill.area > tol_m2:
        problems.append(
            Problem(
                layer,
                "partition",
                f"{spill.area / M2_PER_KM2:.3f} km² of units lie outside {label} "
                f"({_largest_near(spill)})",
                hint=f"if '{rule['of']}' lost a unit there, restore it in '{rule['of']}'; "
                f"otherwise clip the units of '{layer}' to the outline",
            )
        )
    return problems


@register_rule("within")
def _rule_within(rule: Mapping[str, Any], get: Callable[[str], pd.DataFrame]) -> list[Problem]:
    layer, container = rule["layer"], rule["container"]
    gdf = _metric(get(layer), layer)
    outline = _metric(get(container), container).union_all()
    id_col = rule.get("id_column")
    max_pct = float(rule.get("max_outside_pct", 0.0))
    problems = []
    for idx, geom in gdf.geometry.items():
        if geom is None or geom.is_empty:
            continue
        size = geom.area if geom.area > 0 else geom.length
        outside = geom.difference(outline)
        out_size = outside.area if geom.area > 0 else outside.length
        pct = 100.0 * out_size / size if size > 0 else (0.0 if geom.within(outline) else 100.0)
        if pct > max_pct:
            fid = str(gdf.at[idx, id_col]) if id_col in gdf.columns else f"row {idx}"
            problems.append(
                Problem(
                    layer,
                    "within",
                    f"{pct:.2f} % lies outside '{container}' (tolerance {max_pct} %)",
                    fid,
                    "move or clip the feature, or check its CRS",
                )
            )
    return problems


@register_rule("foreign_key")
def _rule_foreign_key(rule: Mapping[str, Any], get: Callable[[str], pd.DataFrame]) -> list[Problem]:
    layer, column = rule["layer"], rule["column"]
    ref_layer, ref_column = rule["ref_layer"], rule["ref_column"]
    df, ref = get(layer), get(ref_layer)
    for frame, lname, col in ((df, layer, column), (ref, ref_layer, ref_column)):
        if col not in frame.columns:
            return [
                Problem(
                    lname,
                    "foreign_key",
                    f"column '{col}' is missing",
                    hint="fix the layer or the rule in profile.toml",
                )
            ]
    known = set(ref[ref_column].dropna().astype(str))
    sep = rule.get("separator")
    id_col = rule.get("id_column")
    problems = []
    for idx, value in df[column].items():
        if pd.isna(value):
            continue
        codes = [c.strip() for c in str(value).split(sep)] if sep else [str(value)]
        for code in (c for c in codes if c not in known):
            fid = str(df.at[idx, id_col]) if id_col in df.columns else f"row {idx}"
            problems.append(
                Problem(
                    layer,
                    "foreign_key",
                    f"'{column}' = {code!r} does not exist in {ref_layer}.{ref_column}",
                    fid,
                    f"use a code of {ref_layer} or add that unit",
                )
            )
    return problems


_KEEP = {"structure": {"keep_collapsed": False}, "linework": {}}


def repair_geometries(gdf: gpd.GeoDataFrame, *, id_column: str | None = None):
    """Return a copy with invalid geometries repaired, and a list of what changed.

    Uses ``shapely.make_valid`` (structure method, collapsed parts dropped) and keeps only parts
    of the original dimension, so a polygon layer stays polygons. Areas before and after are
    reported so the user can judge the repair.

    Returns
    -------
    (GeoDataFrame, list of str)
    """
    out = gdf.copy()
    report: list[str] = []
    geoms = out.geometry
    invalid = ~geoms.is_valid & geoms.notna()
    for idx in geoms.index[invalid.to_numpy()]:
        before = geoms[idx]
        dim = shapely.get_dimensions(before)
        for method in ("structure", "linework"):
            fixed = shapely.make_valid(before, method=method, **_KEEP[method])
            parts = [
                g for g in getattr(fixed, "geoms", [fixed]) if shapely.get_dimensions(g) == dim
            ]
            if fixed.geom_type == "GeometryCollection" or not fixed.is_valid:
                # GEOS 3.14 "structure" can return parts sharing an edge, an invalid
                # MultiPolygon (found by tests/test_properties.py): dissolve them
                fixed = shapely.union_all(parts) if parts else shapely.Polygon()
            if fixed.is_valid:
                break
        out.loc[idx, out.geometry.name] = fixed
        fid = str(out.at[idx, id_column]) if id_column in out.columns else f"row {idx}"
        report.append(
            f"{fid}: {shapely.is_valid_reason(before)} -> repaired "
            f"(area {before.area:,.1f} -> {fixed.area:,.1f}, length "
            f"{before.length:,.1f} -> {fixed.length:,.1f}, in CRS units)"
        )
    return out, report
