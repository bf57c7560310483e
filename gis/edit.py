"""Editing layers from a notebook: open, edit with plain geopandas, check, save, diff, undo.

The workflow a planner follows::

    plants = open_layer("hydropower_plants")        # remembers the version it read
    edited = plants.copy()
    edited.loc[edited["plant_id"] == "hp02", "capacity_mw"] = 90.0
    problems_frame(check_layer(edited, "hydropower_plants"))  # one row per problem
    diff(plants, edited)                             # what you are about to save
    plants = save_layer(edited, "hydropower_plants", message="hp02: capacity from EVN 2024")
    history("hydropower_plants")                     # who saved what: added/removed/modified
    plants = undo("hydropower_plants")               # back to the version before that save

(``check_layer`` and ``history`` are :func:`gis.store.check_layer` and
:func:`gis.store.history`: the store's one check and one save log.)

Edits are ordinary pandas/geopandas operations on the frame; these functions add what a shared
store needs. :func:`save_layer` validates (schema, geometry, the profile's rules) and writes
atomically through :func:`gis.store.write_layer`; if the layer changed on disk since it was
opened (another notebook, QGIS, a colleague), the save is refused with
:class:`~gis.errors.ConflictError` and nothing is written. Every save keeps the replaced version
in the store's history, so :func:`diff_versions` compares any two kept versions and
:func:`undo` steps back one save at a time (a second undo goes further back, it does not redo).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from gis._diff import change_counts, diff
from gis.crs import require_crs, to_crs
from gis.errors import ConflictError, CRSError, GisError, LayerError, Problem
from gis.profile import Profile, load_profile
from gis.store import (
    history,
    layer_meta,
    layer_version,
    read_layer,
    read_version,
    restore,
    write_layer,
)

__all__ = [
    "add_features",
    "diff",
    "diff_versions",
    "open_layer",
    "problems_frame",
    "save_layer",
    "undo",
]


def _with_attrs(df: pd.DataFrame, meta: dict[str, Any], name: str) -> pd.DataFrame:
    df.attrs["layer"] = name
    if meta.get("id_column"):
        df.attrs["id_column"] = meta["id_column"]
    return df


def open_layer(
    name: str, *, province: str | Profile | None = None, layers_dir: str | Path | None = None
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Open layer ``name`` for editing.

    The frame is the one :func:`gis.store.read_layer` returns (a GeoDataFrame in the planning
    CRS, or a DataFrame for a table layer), with ``.attrs["version"]`` (the content hash that
    :func:`save_layer` checks) and ``.attrs["id_column"]`` (what :func:`diff` matches on).

    Parameters
    ----------
    name : str
        Layer name, e.g. ``"hydropower_plants"``; :func:`gis.store.list_layers` lists them.
    province, layers_dir : optional
        Which store; defaults from :mod:`gis.settings`.

    Returns
    -------
    GeoDataFrame or DataFrame

    Raises
    ------
    LayerNotFoundError
        If there is no such layer; the message lists the layers.

    Examples
    --------
    >>> plants = open_layer("hydropower_plants")
    >>> plants.attrs["id_column"], plants.crs.to_epsg()
    ('plant_id', 9205)
    """
    profile = load_profile(province, layers_dir=layers_dir)
    df = read_layer(name, province=profile)
    return _with_attrs(df, layer_meta(name, province=profile), name)


def _require_lonlat_order(new: gpd.GeoDataFrame) -> None:
    """Refuse degrees beyond ±90° latitude or ±180° longitude: in Việt Nam (longitude 102.1 to
    117.8° E, islands included: provinces_2025) that is a point written (lat, lon), which
    reprojects to infinity."""
    bounds = new.geometry.bounds
    bad = (bounds[["miny", "maxy"]].abs().max(axis=1) > 90) | (
        bounds[["minx", "maxx"]].abs().max(axis=1) > 180
    )
    if bad.any():
        first = new.geometry[bad].iloc[0].representative_point()
        raise CRSError(
            f"{int(bad.sum())} new feature(s) lie beyond ±90° latitude or ±180° longitude in "
            f"{new.crs.to_string()}, e.g. at x {first.x:g}, y {first.y:g}: longitude and "
            "latitude look swapped. Give points as Point(longitude, latitude): in Việt Nam x "
            "(longitude) is 102 to 118 and y (latitude) 7 to 24."
        )


def add_features(data: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Return ``data`` with the rows of ``new`` appended, keeping the version it was opened from.

    ``pd.concat`` alone drops ``.attrs`` (and so the version :func:`save_layer` checks) and
    mixes CRSs; here ``new`` is first reprojected to the CRS of ``data`` (with the pinned VN-2000
    datum shift of :func:`gis.crs.to_crs`), so new features can be given in longitude/latitude.

    Parameters
    ----------
    data : GeoDataFrame or DataFrame
        The opened layer (from :func:`open_layer`).
    new : GeoDataFrame or DataFrame
        Rows to add; columns missing from ``new`` are left empty.

    Returns
    -------
    GeoDataFrame or DataFrame
        A new frame; ``data`` is not changed.

    Raises
    ------
    CRSError
        If ``new`` has geometries but no CRS, or degrees beyond ±90° latitude (longitude and
        latitude swapped).
    """
    if isinstance(data, gpd.GeoDataFrame):
        if not isinstance(new, gpd.GeoDataFrame):
            raise LayerError(
                f"the layer has geometry but the new rows are a {type(new).__name__}; build "
                "them as a GeoDataFrame with a geometry and crs= (e.g. crs='EPSG:4326' for "
                "longitude/latitude)."
            )
        if require_crs(new, name="new features").is_geographic:
            _require_lonlat_order(new)
        new = to_crs(new, data.crs)
        if new.geometry.name != data.geometry.name:
            new = new.rename_geometry(data.geometry.name)
    out = pd.concat([data, new], ignore_index=True)
    if isinstance(data, gpd.GeoDataFrame):
        out = gpd.GeoDataFrame(out, geometry=data.geometry.name, crs=data.crs)
    for col in data.columns:  # keep the layer's dtypes (Int64, str) where the values allow it
        if col in out.columns and out[col].dtype != data[col].dtype and col != "geometry":
            try:
                out[col] = out[col].astype(data[col].dtype)
            except (TypeError, ValueError):
                pass  # check_layer / save_layer report values of the wrong type
    out.attrs = dict(data.attrs)
    return out


def problems_frame(problems: Sequence[Problem]) -> pd.DataFrame:
    """Return problems as a table: severity, feature, check, message, hint (one row each).

    Parameters
    ----------
    problems : sequence of Problem
        E.g. what :func:`gis.store.check_layer` finds in an edited frame before saving it.

    Returns
    -------
    DataFrame
        One row per problem, empty (with the columns) when there is none. Rows with severity
        ``"warning"`` do not block a save.

    Examples
    --------
    >>> from gis.store import check_layer
    >>> plants = open_layer("hydropower_plants")
    >>> problems_frame(check_layer(plants, "hydropower_plants")).empty
    True
    """
    cols = ["severity", "feature", "check", "message", "hint"]
    return pd.DataFrame([{c: getattr(p, c) for c in cols} for p in problems], columns=cols)


def diff_versions(
    name: str,
    old_version: str,
    new_version: str | None = None,
    *,
    province: str | Profile | None = None,
    layers_dir: str | Path | None = None,
    tolerance_m: float = 0.01,
) -> pd.DataFrame:
    """Return :func:`diff` between two saved versions of layer ``name``.

    Parameters
    ----------
    old_version, new_version : str
        Versions from :func:`gis.store.history` (full hash or its first 16 characters or fewer if
        unambiguous); ``new_version`` defaults to the current one.

    Raises
    ------
    LayerError
        If a version is neither current nor kept in history; the message lists the kept ones.
    """
    profile = load_profile(province, layers_dir=layers_dir)
    meta = layer_meta(name, province=profile)
    if new_version is None:
        new_version = layer_version(name, province=profile)
    old = read_version(name, old_version, province=profile)
    new = read_version(name, new_version, province=profile)
    return diff(old, new, id_column=meta.get("id_column"), tolerance_m=tolerance_m)


def save_layer(
    data: pd.DataFrame,
    name: str,
    *,
    message: str,
    province: str | Profile | None = None,
    layers_dir: str | Path | None = None,
    version: str | None = None,
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Validate and save an edited layer, refusing if it changed on disk since it was opened.

    Parameters
    ----------
    data : GeoDataFrame or DataFrame
        The edited frame, from :func:`open_layer` (any CRS; it is stored in the planning CRS).
    name : str
        Layer name.
    message : str
        What changed and why, for the history log (e.g. ``"hp02 moved to the dam axis"``).
    province, layers_dir : optional
        Which store; defaults from :mod:`gis.settings`.
    version : str, optional
        The version the edit started from; default ``data.attrs["version"]`` (set by
        :func:`open_layer` and kept by :func:`add_features`).

    Returns
    -------
    GeoDataFrame or DataFrame
        The layer as saved, opened again: continue editing this one (its version is the new
        one; saving the old frame a second time would be refused as a conflict).

    Raises
    ------
    ValidationError
        If the data breaks the schema or a rule; ``err.problems`` lists every problem and
        nothing is written. :func:`gis.store.check_layer` shows the same list before saving.
    ConflictError
        If the layer changed on disk since ``version``; nothing is written.
    LayerError
        If the frame does not carry the version it was opened from.
    """
    profile = load_profile(province, layers_dir=layers_dir)
    layer_meta(name, province=profile)  # an unknown layer: LayerNotFoundError lists the layers
    version = version or data.attrs.get("version")
    if not version:
        raise LayerError(
            f"this frame does not say which version of '{name}' it was opened from "
            "(.attrs['version'] is missing; pandas drops it in pd.concat and some other "
            "operations), so a colleague's save could be overwritten. Add rows with "
            "gis.edit.add_features, or pass version=open_layer(name).attrs['version'] if you "
            "are sure nobody saved since you opened the layer."
        )
    current = layer_version(name, province=profile)
    if current != version:
        raise ConflictError(_conflict_message(name, version, current, profile))
    write_layer(data, name, message=message, if_version=version, province=profile)
    return open_layer(name, province=profile)


def _conflict_message(name: str, version: str, current: str | None, profile: Profile) -> str:
    text = (
        f"layer '{name}' changed on disk since you opened it (you opened version "
        f"{version[:12]}, the store now has {(current or 'nothing')[:12]}). Nothing was written."
    )
    log_df = history(name, province=profile)
    if len(log_df) and log_df["version"].iloc[-1] == current:
        last = log_df.iloc[-1]
        text += f" Last save: {last['time']}, '{last['message']}'."
    else:
        text += " The file was changed outside the toolkit (e.g. saved from QGIS)."
    try:
        theirs = diff_versions(name, version, current, province=profile)
        text += " Changed since you opened it: " + ", ".join(
            f"{n} {c}" for c, n in change_counts(theirs).items()
        )
        text += f" ({', '.join(theirs.iloc[:, 0].astype(str).head(10))})." if len(theirs) else "."
    except GisError:
        pass  # the version opened is no longer kept: no details
    return (
        text + f" Open it again with open_layer('{name}'), redo your edit and save; your edited "
        f"frame is unchanged, and diff(your_frame, open_layer('{name}')) shows the differences."
    )


def undo(
    name: str, *, province: str | Profile | None = None, layers_dir: str | Path | None = None
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Take back the last save of layer ``name`` that is not already undone.

    The version before that save is restored byte for byte (through
    :func:`gis.store.restore`, which validates it and keeps the current version in history);
    the log gets an ``"undo: <message>"`` entry with the counts of the features it changed
    back, and ``undo_of`` (the version taken back). Undoing again takes back the save before.
    This is ``gis undo LAYER``; to bring back any kept version by name, use
    :func:`gis.store.restore` (``gis restore LAYER VERSION``).

    Returns
    -------
    GeoDataFrame or DataFrame
        The layer as restored, opened again (ready for more edits).

    Raises
    ------
    LayerError
        If there is nothing to undo, or the save created the layer.
    ConflictError
        If the layer was changed outside the toolkit since its last logged save (undo would
        throw that change away).
    """
    profile = load_profile(province, layers_dir=layers_dir)
    stack: list[dict[str, Any]] = []
    undone = 0
    for entry in history(name, province=profile).to_dict("records"):
        if isinstance(entry.get("undo_of"), str):
            undone += 1
            if stack:
                stack.pop()
        else:
            stack.append(entry)
    if not stack:
        done = "every save in its history is already undone" if undone else "it has no history"
        raise LayerError(f"nothing to undo for layer '{name}': {done}.")
    top = stack[-1]
    current = layer_version(name, province=profile)
    if current != top["version"]:
        raise ConflictError(
            f"layer '{name}' was changed outside the toolkit after its last logged save "
            f"('{top['message']}'); undo would throw that change away. Save it with save_layer "
            "first, or bring back a version explicitly with gis.store.restore "
            f"(`gis history {name}` lists them, `gis restore {name} VERSION`)."
        )
    if not isinstance(top.get("previous"), str):
        raise LayerError(
            f"the save '{top['message']}' created layer '{name}'; there is no earlier version "
            "to go back to."
        )
    restore(
        name,
        top["previous"],
        province=profile,
        message=f"undo: {top['message']}",
        log_extra={"undo_of": top["version"]},
    )
    return open_layer(name, province=profile)
