"""Validation: each layer against its schema, and the layers against the profile's rules.

The public entry points; the checks themselves are in :mod:`gis._validation` (pure, handed a
layer reader) and the rule registry in :mod:`gis._rules`, so the store can validate a frame
before saving it without importing this module.

Every problem of a layer is collected (never just the first) as a :class:`gis.errors.Problem`
with the feature id and a hint. Schema checks come from the layer's ``.meta.json``; topology and
consistency rules are data in the province profile (``[[rules]]`` in ``profile.toml``), each a
table with ``check`` naming one of :data:`RULES` and its parameters:

``area``
    ``layer``'s total area is ``expected_km2`` within ``tolerance_pct``.
``partition``
    ``layer``'s features do not overlap (more than ``tolerance_km2`` per pair) and, when ``of``
    names an outline layer, cover it without gaps or spill-over above ``tolerance_km2``; without
    ``of``, holes inside the union count as gaps.
``within``
    each feature of ``layer`` lies inside ``container`` (at most ``max_outside_pct`` of its area
    or length outside, default 0).
``foreign_key``
    every value of ``column`` (split on ``separator`` if given) exists in ``ref_layer.ref_column``.

Further rules register themselves in :data:`RULES` with :func:`register_rule`; the rules of the
planning layers (``has_source``, ``class_counts``, ``urban_in_unit``, ``near``, ``connected``)
are in :mod:`gis.rules_plan`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from gis._rules import RULES, register_rule
from gis._validation import (
    GEOMETRY_FAMILIES,
    check_frame,
    repair_geometries,
    rules_for,
    run_rules,
)
from gis.errors import LayerError, Problem
from gis.profile import Profile, load_profile
from gis.store import layer_meta, layer_reader, list_layers, read_layer, write_layer

__all__ = [
    "GEOMETRY_FAMILIES",
    "RULES",
    "register_rule",
    "repair_geometries",
    "repair_layer",
    "rules_for",
    "validate_frame",
    "validate_layer",
    "validate_province",
]


def validate_frame(
    df: pd.DataFrame,
    name: str,
    meta: Mapping[str, Any],
    *,
    profile: Profile | None = None,
    check_rules: bool = True,
) -> list[Problem]:
    """Return every problem of ``df`` as layer ``name``: schema, geometry, CRS and rules.

    The rules of ``profile`` that name this layer are run with ``df`` standing in for the
    stored layer, so a save can be refused before it happens; the other layers they need are
    read from the store.
    """
    get = None if profile is None else layer_reader(profile)
    return check_frame(df, name, meta, profile=profile, check_rules=check_rules, get=get)


def validate_layer(
    name: str, *, province: str | Profile | None = None, layers_dir: str | Path | None = None
) -> list[Problem]:
    """Read layer ``name`` from the store and return all its problems."""
    profile = load_profile(province, layers_dir=layers_dir)
    meta = layer_meta(name, province=profile)
    return validate_frame(read_layer(name, province=profile), name, meta, profile=profile)


def validate_province(
    *,
    province: str | Profile | None = None,
    layers_dir: str | Path | None = None,
    layers: Iterable[str] | None = None,
) -> dict[str, list[Problem]]:
    """Validate every layer of a province; return problems by layer (empty list = valid).

    ``layers``: validate only these (the layers an edit changed, :mod:`gis.build`): their
    schema and geometry, and every rule of the profile that names one of them (a foreign key
    into a changed layer is checked again, from both sides). Default: every layer.
    """
    profile = load_profile(province, layers_dir=layers_dir)
    only = None if layers is None else set(layers)
    out: dict[str, list[Problem]] = {}
    frames: dict[str, pd.DataFrame] = {}
    for name in list_layers(province=profile)["name"]:
        if only is not None and name not in only:
            continue
        try:
            frames[name] = read_layer(name, province=profile)
        except LayerError as exc:
            out[name] = [Problem(name, "read", str(exc))]
            continue
        meta = layer_meta(name, province=profile)
        out[name] = check_frame(frames[name], name, meta, profile=profile, check_rules=False)
    listed = profile.layers if only is None else [n for n in profile.layers if n in only]
    for missing in (n for n in listed if n not in out):
        out[missing] = [
            Problem(
                missing,
                "profile",
                "layer listed in the profile is missing",
                hint=f"import it: gis import FILE --as {missing}",
            )
        ]
    rules = [r for r in profile.rules if only is None or only & set(map(str, r.values()))]
    for p in run_rules(profile, rules, frames, get=layer_reader(profile)):
        out.setdefault(p.layer, []).append(p)
    return out


def repair_layer(
    name: str,
    *,
    province: str | Profile | None = None,
    layers_dir: str | Path | None = None,
) -> list[str]:
    """Repair the invalid geometries of layer ``name`` and save it if any changed.

    :func:`repair_geometries` on the stored layer; the repaired layer is saved through
    :func:`gis.store.write_layer` (validated, its previous version kept in history) with the
    message ``"gis validate --repair"``. ``gis validate LAYER --repair`` calls this.

    Returns
    -------
    list of str
        One line per repaired feature (empty: nothing to repair, nothing saved).
    """
    profile = load_profile(province, layers_dir=layers_dir)
    meta = layer_meta(name, province=profile)
    fixed, report = repair_geometries(
        read_layer(name, province=profile), id_column=meta.get("id_column")
    )
    if report:
        write_layer(fixed, name, province=profile, message="gis validate --repair")
    return report
