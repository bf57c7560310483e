"""Validation rules for the planning layers (registered in :data:`gis._rules.RULES`).

Each rule is a table in the profile (``[[rules]]`` in ``profile.toml``) with ``check`` naming it;
parameters below. Every problem names the feature (value of ``id_column``) and a fix.

``has_source``
    every feature of ``layer`` has a non-empty ``column`` (default ``"source"``).
``class_counts``
    the rows of ``layer`` where ``where`` holds (a table column → value) have, in ``column``,
    exactly the ``expected`` counts per class (a table class → count); other classes count 0.
``urban_in_unit``
    each feature of ``layer`` lies in the unit(s) of ``units_layer`` whose ``unit_id`` it names
    in ``column`` (split on ``separator`` if given): a point inside them or within
    ``tolerance_m`` (default 0), a polygon with at least ``min_inside_pct`` of its area inside
    (default 99). Used for urban areas against districts, 2025 communes and regions.
``near``
    each feature of ``layer`` passes within ``distance_m`` of every feature of ``target`` it names
    in ``names_column`` (``separator``, default ``";"``; matched on ``target_id``), restricted to
    ``kinds`` of ``kind_column`` when given. Checks that an axis reaches the towns it names.
``connected``
    the features of ``layer`` form one network: each is within ``tolerance_m`` of another, and
    all are linked; each part cut off from the largest group is reported with its features
    (and their ``name_column``, e.g. the road number) and its gap.
``points_inside``
    every point of ``layer`` (rows where ``where`` holds, a table column → value) lies inside
    the union of ``container`` or at most ``tolerance_m`` (default 0) outside it; reports the
    distance over the line. Border gates drawn a few hundred metres over the border are on the
    neighbour's side.
``derived_regions``
    ``layer`` (planning regions) equals ``units_layer`` dissolved by ``assignment_layer``
    (:func:`gis.plan.regions`, ``unit_id``, ``assignment_id``, ``region_column``): the same
    regions, the same units in each (``unit_codes``), and geometries differing by at most
    ``tolerance_km2`` (default 0.05). If ``units_layer`` carries its own ``region_column``, it
    must agree with the assignment. So an edited assignment or unit layer cannot silently
    drift from the stored regions; the fix is to rebuild them, never to redraw them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import networkx as nx
import pandas as pd
import shapely

from gis._frames import M2_PER_KM2, feature_ids
from gis._rules import Get, register_rule
from gis.crs import require_metric_crs
from gis.errors import LayerError, Problem
from gis.plan import regions as derive_regions

__all__: list[str] = []  # rules are used through gis.validate.RULES


def _ids(df: pd.DataFrame, rule: Mapping[str, Any]) -> pd.Series:
    return feature_ids(df, rule.get("id_column"))


def _blank(value: object) -> bool:
    return (
        value is None
        or value is pd.NA
        or (isinstance(value, float) and pd.isna(value))
        or (isinstance(value, str) and not value.strip())
    )


def _missing_column(layer: str, check: str, column: str) -> list[Problem]:
    return [
        Problem(
            layer,
            check,
            f"column '{column}' is missing",
            hint=f"add '{column}' to the layer or fix the rule in profile.toml",
        )
    ]


@register_rule("has_source")
def _rule_has_source(rule: Mapping[str, Any], get: Get) -> list[Problem]:
    layer, column = rule["layer"], rule.get("column", "source")
    df = get(layer)
    if column not in df.columns:
        return _missing_column(layer, "has_source", column)
    ids = _ids(df, rule)
    return [
        Problem(
            layer,
            "has_source",
            f"'{column}' is empty",
            ids[idx],
            f"say where this feature comes from in '{column}' (document, page or file)",
        )
        for idx, value in df[column].items()
        if _blank(value)
    ]


@register_rule("class_counts")
def _rule_class_counts(rule: Mapping[str, Any], get: Get) -> list[Problem]:
    layer, column = rule["layer"], rule["column"]
    expected = {str(k): int(v) for k, v in rule["expected"].items()}
    df = get(layer)
    where = dict(rule.get("where", {}))
    for col in [column, *where]:
        if col not in df.columns:
            return _missing_column(layer, "class_counts", col)
    mask = pd.Series(True, index=df.index)
    for col, value in where.items():
        mask &= df[col].astype(str) == str(value)
    rows, ids = df[mask], _ids(df, rule)[mask]
    label = ", ".join(f"{k} = {v!r}" for k, v in where.items()) or "all rows"
    found = rows[column].dropna().astype(str).value_counts().to_dict()
    problems = []
    for cls in sorted(set(expected) | set(found)):
        n, want = found.get(cls, 0), expected.get(cls, 0)
        if n != want:
            members = ids[rows[column].astype(str) == cls].tolist()
            problems.append(
                Problem(
                    layer,
                    "class_counts",
                    f"{n} × class {cls} in '{column}' where {label}, expected {want}"
                    + (f" (rows: {', '.join(members)})" if members else ""),
                    hint="correct the class of the rows listed, or the expected counts in "
                    "profile.toml if the source document changed",
                )
            )
    return problems


@register_rule("urban_in_unit")
def _rule_urban_in_unit(rule: Mapping[str, Any], get: Get) -> list[Problem]:
    layer, units_layer = rule["layer"], rule["units_layer"]
    column, unit_id = rule["column"], rule.get("unit_id", "code")
    sep = rule.get("separator")
    tol_m = float(rule.get("tolerance_m", 0.0))
    min_pct = float(rule.get("min_inside_pct", 99.0))
    gdf, units = get(layer), get(units_layer)
    require_metric_crs(gdf, name=layer, purpose="the urban_in_unit rule")
    if column not in gdf.columns:
        return _missing_column(layer, "urban_in_unit", column)
    if unit_id not in units.columns:
        return _missing_column(units_layer, "urban_in_unit", unit_id)
    by_id = dict(zip(units[unit_id].astype(str), units.geometry, strict=False))
    ids, problems = _ids(gdf, rule), []
    for idx, geom in gdf.geometry.items():
        value = gdf.at[idx, column]
        if geom is None or geom.is_empty or _blank(value):
            continue
        codes = [c.strip() for c in str(value).split(sep)] if sep else [str(value).strip()]
        unknown = [c for c in codes if c not in by_id]
        if unknown:
            problems.append(
                Problem(
                    layer,
                    "urban_in_unit",
                    f"'{column}' names {unknown}, not found in {units_layer}.{unit_id}",
                    ids[idx],
                    f"use a code of {units_layer}",
                )
            )
            continue
        unit = shapely.union_all([by_id[c] for c in codes])
        where = f"{units_layer} {'+'.join(codes)} (its '{column}')"
        if geom.area > 0:
            pct = 100.0 * geom.intersection(unit).area / geom.area
            if pct < min_pct:
                problems.append(
                    Problem(
                        layer,
                        "urban_in_unit",
                        f"only {pct:.2f} % of the polygon lies in {where}; at least "
                        f"{min_pct:g} % required",
                        ids[idx],
                        f"redraw the core inside its unit or correct '{column}'",
                    )
                )
        else:
            dist = geom.distance(unit)
            if dist > tol_m:
                problems.append(
                    Problem(
                        layer,
                        "urban_in_unit",
                        f"lies {dist:,.0f} m outside {where} (tolerance {tol_m:,.0f} m)",
                        ids[idx],
                        f"move the feature into its unit or correct '{column}'",
                    )
                )
    return problems


@register_rule("near")
def _rule_near(rule: Mapping[str, Any], get: Get) -> list[Problem]:
    layer, target = rule["layer"], rule["target"]
    names_column, target_id = rule["names_column"], rule.get("target_id", "id")
    sep, dist_max = rule.get("separator", ";"), float(rule["distance_m"])
    kinds, kind_col = rule.get("kinds"), rule.get("kind_column", "kind")
    gdf, tgt = get(layer), get(target)
    require_metric_crs(gdf, name=layer, purpose="the near rule")
    if names_column not in gdf.columns:
        return _missing_column(layer, "near", names_column)
    if kinds is not None and kind_col not in tgt.columns:
        return _missing_column(target, "near", kind_col)
    tgt = tgt.set_index(tgt[target_id].astype(str))
    ids, problems = _ids(gdf, rule), []
    for idx, geom in gdf.geometry.items():
        value = gdf.at[idx, names_column]
        if geom is None or geom.is_empty or _blank(value):
            continue
        for name in (n.strip() for n in str(value).split(sep) if n.strip()):
            if name not in tgt.index:
                problems.append(
                    Problem(
                        layer,
                        "near",
                        f"names '{name}', which is not in {target}.{target_id}",
                        ids[idx],
                        f"add '{name}' to {target} or correct '{names_column}'",
                    )
                )
                continue
            if kinds is not None and str(tgt.at[name, kind_col]) not in kinds:
                continue
            dist = geom.distance(tgt.geometry[name])
            if dist > dist_max:
                label = tgt.at[name, "name"] if "name" in tgt.columns else name
                problems.append(
                    Problem(
                        layer,
                        "near",
                        f"passes {dist:,.0f} m from '{name}' ({label}), more than "
                        f"{dist_max:,.0f} m",
                        ids[idx],
                        "the line must reach the places it names: check the alignment "
                        f"(or the point of '{name}' in {target})",
                    )
                )
    return problems


@register_rule("connected")
def _rule_connected(rule: Mapping[str, Any], get: Get) -> list[Problem]:
    layer, tol_m = rule["layer"], float(rule.get("tolerance_m", 0.0))
    name_col = rule.get("name_column")
    gdf = get(layer)
    require_metric_crs(gdf, name=layer, purpose="the connected rule")
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    if len(gdf) < 2:
        return []
    if name_col and name_col not in gdf.columns:
        return _missing_column(layer, "connected", name_col)
    ids = _ids(gdf, rule).reset_index(drop=True)
    if name_col:
        ids = ids + " (" + gdf[name_col].astype(str).reset_index(drop=True) + ")"
    geoms = gdf.geometry.reset_index(drop=True)
    graph = nx.Graph()
    graph.add_nodes_from(range(len(geoms)))
    left, right = geoms.sindex.query(geoms, predicate="dwithin", distance=tol_m)
    graph.add_edges_from((i, j) for i, j in zip(left, right, strict=True) if i != j)
    groups = sorted(nx.connected_components(graph), key=len, reverse=True)
    if len(groups) == 1:
        return []
    main = shapely.union_all(geoms.iloc[sorted(groups[0])].to_numpy())
    problems = []
    for n, group in enumerate(groups[1:], start=2):
        members = sorted(group)
        gap = min(geoms.iloc[i].distance(main) for i in members)
        names = ", ".join(ids.iloc[members])
        problems.append(
            Problem(
                layer,
                "connected",
                f"the network is split into {len(groups)} parts: part {n} ({names}) is cut "
                f"off from the largest part ({len(groups[0])} features) by a gap of "
                f"{gap:,.0f} m (tolerance {tol_m:,.0f} m)",
                ids.iloc[members[0]],
                "snap the line ends onto the neighbouring segment (QGIS snapping) or add the "
                "missing segment where a source says the roads meet",
            )
        )
    return problems


@register_rule("points_inside")
def _rule_points_inside(rule: Mapping[str, Any], get: Get) -> list[Problem]:
    layer, container = rule["layer"], rule["container"]
    tol_m = float(rule.get("tolerance_m", 0.0))
    gdf, outer = get(layer), get(container)
    require_metric_crs(gdf, name=layer, purpose="the points_inside rule")
    require_metric_crs(outer, name=container, purpose="the points_inside rule")
    for column, value in dict(rule.get("where", {})).items():
        if column not in gdf.columns:
            return _missing_column(layer, "points_inside", column)
        gdf = gdf[gdf[column].astype(str) == str(value)]
    outline = shapely.union_all(outer.geometry.to_numpy())
    ids, problems = _ids(gdf, rule), []
    for idx, geom in gdf.geometry.items():
        if geom is None or geom.is_empty or geom.geom_type not in ("Point", "MultiPoint"):
            continue
        over_m = geom.distance(outline)
        if over_m > tol_m:
            label = f" ({gdf.at[idx, 'name']})" if "name" in gdf.columns else ""
            problems.append(
                Problem(
                    layer,
                    "points_inside",
                    f"point{label} lies {over_m:,.0f} m outside '{container}' "
                    f"(tolerance {tol_m:,.0f} m)",
                    ids[idx],
                    f"move it onto or inside the outline of '{container}' (QGIS snapping), "
                    "and say so in its accuracy; a point over a national border is on the "
                    "neighbour's side",
                )
            )
    return problems


@register_rule("derived_regions")
def _rule_derived_regions(rule: Mapping[str, Any], get: Get) -> list[Problem]:
    layer, units_layer, assign_layer = rule["layer"], rule["units_layer"], rule["assignment_layer"]
    unit_id = rule.get("unit_id", "code")
    aid = rule.get("assignment_id", unit_id)
    region_col = rule.get("region_column", "plan_region")
    tol_km2 = float(rule.get("tolerance_km2", 0.05))
    stored, units, assign = get(layer), get(units_layer), get(assign_layer)
    rebuild = "rebuild the regions with `python tools/build_plan_layers.py` (never redraw them)"
    for df, name, col in ((stored, layer, region_col), (assign, assign_layer, region_col)):
        if col not in df.columns:
            return _missing_column(name, "derived_regions", col)
    problems = []
    if region_col in units.columns and unit_id in units.columns and aid in assign.columns:
        own = dict(zip(units[unit_id].astype(str).str.strip(), units[region_col], strict=False))
        for code, region in zip(
            assign[aid].astype(str).str.strip(), assign[region_col], strict=True
        ):
            if code in own and not _blank(own[code]) and str(own[code]) != str(region):
                problems.append(
                    Problem(
                        units_layer,
                        "derived_regions",
                        f"'{region_col}' is '{own[code]}' but {assign_layer} assigns '{region}'",
                        code,
                        f"the assignment table is the source: set '{region_col}' to "
                        f"'{region}' or correct {assign_layer}",
                    )
                )
    try:
        derived = derive_regions(
            units, assign, unit_id=unit_id, assignment_id=aid, region_column=region_col
        )
    except LayerError as exc:
        return [
            *problems,
            Problem(layer, "derived_regions", str(exc), hint=f"fix {assign_layer}, then {rebuild}"),
        ]
    require_metric_crs(stored, name=layer, purpose="the derived_regions rule")
    have = {str(r): g for r, g in zip(stored[region_col], stored.geometry, strict=True)}
    codes = (
        dict(zip(stored[region_col].astype(str), stored["unit_codes"].astype(str), strict=True))
        if "unit_codes" in stored.columns
        else {}
    )
    for region, geom, units_joined in zip(
        derived[region_col].astype(str), derived.geometry, derived["unit_codes"], strict=True
    ):
        if region not in have:
            problems.append(
                Problem(
                    layer,
                    "derived_regions",
                    f"region '{region}' of {assign_layer} is missing",
                    region,
                    rebuild,
                )
            )
            continue
        if region in codes and codes[region] != units_joined:
            problems.append(
                Problem(
                    layer,
                    "derived_regions",
                    f"holds units {codes[region]} but {assign_layer} gives {units_joined}",
                    region,
                    rebuild,
                )
            )
        stored_geom = have[region]
        diff_km2 = (
            geom.area / M2_PER_KM2
            if stored_geom is None or stored_geom.is_empty
            else shapely.symmetric_difference(geom, stored_geom).area / M2_PER_KM2
        )
        if diff_km2 > tol_km2:
            problems.append(
                Problem(
                    layer,
                    "derived_regions",
                    f"geometry differs from {units_layer} dissolved by {assign_layer} by "
                    f"{diff_km2:,.2f} km² (tolerance {tol_km2:g} km²)",
                    region,
                    rebuild,
                )
            )
    for region in sorted(set(have) - set(derived[region_col].astype(str))):
        problems.append(
            Problem(
                layer,
                "derived_regions",
                f"region '{region}' is not in {assign_layer}",
                region,
                rebuild,
            )
        )
    return problems
