"""Editing layers from a notebook: open, edit with plain geopandas, check, save, diff, undo.

The workflow a planner follows::

    plants = open_layer("hydropower_plants")        # remembers the version it read
    edited = plants.copy()
    edited.loc[edited["plant_id"] == "hp02", "capacity_mw"] = 90.0
    check_layer(edited, "hydropower_plants")         # problems, one row each (empty = fine)
    diff(plants, edited)                             # what you are about to save
    plants = save_layer(edited, "hydropower_plants", message="hp02: capacity from EVN 2024")
    log("hydropower_plants")                         # who saved what: added/removed/modified
    plants = undo("hydropower_plants")               # back to the version before that save

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
import numpy as np
import pandas as pd
import shapely

from gis.crs import require_crs, require_metric_crs, to_crs
from gis.errors import ConflictError, GisError, LayerError, Problem
from gis.profile import Profile, load_profile
from gis.store import (
    _prepare,
    history,
    layer_meta,
    layer_version,
    read_layer,
    read_version,
    restore,
    write_layer,
)
from gis.validate import validate_frame

__all__ = [
    "add_features",
    "check_layer",
    "diff",
    "diff_versions",
    "log",
    "open_layer",
    "problems_frame",
    "save_layer",
    "undo",
]

#: Order of the ``change`` values in a diff.
CHANGES = ("added", "removed", "modified")


def _profile(province: str | Profile | None, layers_dir: str | Path | None) -> Profile:
    if isinstance(province, Profile):
        return province
    return load_profile(province, layers_dir=layers_dir)


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
    profile = _profile(province, layers_dir)
    df = read_layer(name, province=profile)
    return _with_attrs(df, layer_meta(name, province=profile), name)


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
        If ``new`` has geometries but no CRS.
    """
    if isinstance(data, gpd.GeoDataFrame):
        if not isinstance(new, gpd.GeoDataFrame):
            raise LayerError(
                f"the layer has geometry but the new rows are a {type(new).__name__}; build "
                "them as a GeoDataFrame with a geometry and crs= (e.g. crs='EPSG:4326' for "
                "longitude/latitude)."
            )
        require_crs(new, name="new features")
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
    """Return problems as a table: severity, feature, check, message, hint (one row each)."""
    cols = ["severity", "feature", "check", "message", "hint"]
    return pd.DataFrame([{c: getattr(p, c) for c in cols} for p in problems], columns=cols)


def check_layer(
    data: pd.DataFrame,
    name: str,
    *,
    province: str | Profile | None = None,
    layers_dir: str | Path | None = None,
) -> pd.DataFrame:
    """Return every problem :func:`save_layer` would find in ``data`` as layer ``name``.

    The data is checked as it would be stored (text in NFC, planning CRS, 1 cm grid) against
    the layer's schema, geometry rules and the profile's rules naming the layer. Nothing is
    written.

    Returns
    -------
    DataFrame
        One row per problem (see :func:`problems_frame`); empty when the data can be saved.
        Rows with severity ``"warning"`` do not block a save.
    """
    profile = _profile(province, layers_dir)
    meta = layer_meta(name, province=profile)
    if isinstance(data, gpd.GeoDataFrame) and data.crs is None:
        prepared = data  # validation reports the missing CRS with its hint
    else:
        prepared = _prepare(data, meta, profile, name)
    return problems_frame(validate_frame(prepared, name, meta, profile=profile))


def _id_column(old: pd.DataFrame, new: pd.DataFrame, id_column: str | None) -> str:
    col = id_column or old.attrs.get("id_column") or new.attrs.get("id_column")
    if not col:
        raise LayerError(
            "diff needs the column that identifies features; none was given and the frames do "
            f"not name one. Pass id_column=, one of: {', '.join(map(str, old.columns))}."
        )
    for label, df in (("old", old), ("new", new)):
        if col not in df.columns:
            raise LayerError(
                f"id column '{col}' is missing from the {label} frame (columns: "
                f"{', '.join(map(str, df.columns))}); pass the right id_column=."
            )
        ids = df[col]
        bad = ids[ids.isna() | ids.duplicated(keep=False)]
        if len(bad):
            shown = ", ".join(sorted({str(v) for v in bad})[:10])
            raise LayerError(
                f"diff needs a unique, non-empty '{col}' per feature; the {label} frame has "
                f"{len(bad)} empty or repeated value(s): {shown}. Give each feature its own id."
            )
    return col


def _same_values(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Element-wise equality of two aligned columns; two empty values are equal."""
    a_na, b_na = a.isna().to_numpy(), b.isna().to_numpy()
    numeric = all(
        pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s) for s in (a, b)
    )
    if numeric:
        av = a.astype("float64").to_numpy(na_value=np.nan)
        bv = b.astype("float64").to_numpy(na_value=np.nan)
        eq = np.isclose(av, bv, rtol=1e-9, atol=0.0)
    else:
        eq = np.array(
            [
                x == y if not (xn or yn) else False
                for x, y, xn, yn in zip(a, b, a_na, b_na, strict=True)
            ],
            dtype=bool,
        )
    return np.where(a_na | b_na, a_na & b_na, eq)


def _family(geoms: np.ndarray) -> set[str]:
    types = shapely.get_type_id(geoms[~shapely.is_missing(geoms)])
    fams = set()
    if np.isin(types, [3, 6]).any():
        fams.add("polygon")
    if np.isin(types, [1, 2, 5]).any():
        fams.add("line")
    return fams


def diff(
    old: pd.DataFrame,
    new: pd.DataFrame,
    *,
    id_column: str | None = None,
    tolerance_m: float = 0.01,
) -> pd.DataFrame:
    """Return the features added, removed and modified between two versions of a layer.

    Features are matched on ``id_column``. A feature is modified when an attribute differs
    (two empty values are equal; numbers are compared to 1e-9 relative) or its geometry moved
    by more than ``tolerance_m`` anywhere (Hausdorff distance).

    Parameters
    ----------
    old, new : GeoDataFrame or DataFrame
        Two versions of the same layer; ``new`` is reprojected to the CRS of ``old``, which
        must be in metres for a vector layer.
    id_column : str, optional
        Column identifying features; default ``old.attrs["id_column"]`` (set by
        :func:`open_layer`).
    tolerance_m : float
        Geometry movements up to this distance are not changes (default 1 cm, the grid
        layers are stored on).

    Returns
    -------
    DataFrame
        One row per changed feature, sorted added / removed / modified then id, with columns:

        - the id column;
        - ``change``: ``"added"``, ``"removed"`` or ``"modified"``;
        - ``columns``: the changed columns, comma-separated (``"geometry"`` when it moved);
        - vector layers only: ``moved_m`` (distance between the centroids of the old and the
          new geometry) and ``max_shift_m`` (Hausdorff distance: how far the farthest part
          moved), empty for added and removed features;
        - ``area_change_m2`` when the layer has polygons and ``length_change_m`` when it has
          lines: new minus old (the whole area or length for added features, its negative for
          removed ones).

    Raises
    ------
    LayerError
        If the id column is missing, empty or repeated in either frame.
    CRSError
        If a vector frame has no CRS or ``old`` is not in metres.

    Examples
    --------
    >>> plants = open_layer("hydropower_plants")
    >>> moved = plants.copy()
    >>> moved.loc[moved["plant_id"] == "hp02", "geometry"] = moved.geometry.iloc[1:2].translate(
    ...     xoff=300.0, yoff=400.0
    ... ).to_numpy()
    >>> d = diff(plants, moved)
    >>> d[["plant_id", "change", "columns", "moved_m"]].to_dict("records")
    [{'plant_id': 'hp02', 'change': 'modified', 'columns': 'geometry', 'moved_m': 500.0}]
    """
    col = _id_column(old, new, id_column)
    vector = isinstance(old, gpd.GeoDataFrame) or isinstance(new, gpd.GeoDataFrame)
    if vector:
        for label, df in (("old", old), ("new", new)):
            if not isinstance(df, gpd.GeoDataFrame):
                raise LayerError(
                    f"the {label} frame has no geometry but the other has; diff two versions "
                    "of the same layer."
                )
        require_metric_crs(old, name="old", purpose="measuring how far features moved")
        require_crs(new, name="new")
        new = to_crs(new, old.crs)
    o = old.set_index(old[col].astype(str))
    n = new.set_index(new[col].astype(str))
    added = [i for i in n.index if i not in o.index]
    removed = [i for i in o.index if i not in n.index]
    common = [i for i in o.index if i in n.index]

    geo_o = old.geometry.name if vector else None
    geo_n = new.geometry.name if vector else None
    attrs = [c for c in dict.fromkeys([*o.columns, *n.columns]) if c not in (col, geo_o, geo_n)]
    changed: dict[str, list[str]] = {i: [] for i in common}
    for c in attrs:
        a = o[c].reindex(common) if c in o.columns else pd.Series(pd.NA, index=common)
        b = n[c].reindex(common) if c in n.columns else pd.Series(pd.NA, index=common)
        for i in np.asarray(common, dtype=object)[~_same_values(a, b)]:
            changed[i].append(c)

    rows = pd.DataFrame(
        {
            col: added + removed + common,
            "change": ["added"] * len(added)
            + ["removed"] * len(removed)
            + ["modified"] * len(common),
        }
    )
    if vector:
        go = o.geometry.reindex(common).to_numpy()
        gn = n.geometry.reindex(common).to_numpy()
        miss_o, miss_n = shapely.is_missing(go), shapely.is_missing(gn)
        both = ~miss_o & ~miss_n
        same = np.where(both, False, miss_o & miss_n)
        same[both] = shapely.equals_exact(go[both], gn[both], tolerance=tolerance_m)
        max_shift = np.full(len(common), np.nan)
        todo = both & ~same
        max_shift[todo] = shapely.hausdorff_distance(go[todo], gn[todo])
        moved = np.full(len(common), np.nan)
        moved[todo] = shapely.distance(shapely.centroid(go[todo]), shapely.centroid(gn[todo]))
        geom_changed = ~same & ~(todo & (max_shift <= tolerance_m))
        for i, flag in zip(common, geom_changed, strict=True):
            if flag:
                changed[i].append("geometry")
        nan_ar = [np.nan] * (len(added) + len(removed))
        rows["moved_m"] = nan_ar + list(np.where(geom_changed, moved, 0.0))
        rows["max_shift_m"] = nan_ar + list(np.where(geom_changed, max_shift, 0.0))
        g_add = n.geometry.reindex(added).to_numpy()
        g_rem = o.geometry.reindex(removed).to_numpy()
        fams = _family(np.concatenate([o.geometry.to_numpy(), n.geometry.to_numpy()]))
        for fam, column, measure in (
            ("polygon", "area_change_m2", shapely.area),
            ("line", "length_change_m", shapely.length),
        ):
            if fam in fams:
                rows[column] = np.concatenate(
                    [measure(g_add), -measure(g_rem), measure(gn) - measure(go)]
                )
    rows["columns"] = [""] * (len(added) + len(removed)) + [", ".join(changed[i]) for i in common]
    rows = rows[(rows["change"] != "modified") | (rows["columns"] != "")]
    order = {c: k for k, c in enumerate(CHANGES)}
    rows = rows.sort_values([col], kind="stable").sort_values(
        "change", key=lambda s: s.map(order), kind="stable"
    )
    first = [col, "change", "columns"]
    return rows[first + [c for c in rows.columns if c not in first]].reset_index(drop=True)


def _counts(changes: pd.DataFrame) -> dict[str, int]:
    return {c: int((changes["change"] == c).sum()) for c in CHANGES}


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
        Versions from :func:`log` (full hash or its first 16 characters or fewer if
        unambiguous); ``new_version`` defaults to the current one.

    Raises
    ------
    LayerError
        If a version is neither current nor kept in history; the message lists the kept ones.
    """
    profile = _profile(province, layers_dir)
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
        nothing is written. :func:`check_layer` shows the same list before saving.
    ConflictError
        If the layer changed on disk since ``version``; nothing is written.
    LayerError
        If the frame does not carry the version it was opened from.
    """
    profile = _profile(province, layers_dir)
    meta = layer_meta(name, province=profile)
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
    try:
        counts = _counts(
            diff(read_layer(name, province=profile), data, id_column=meta.get("id_column"))
        )
    except GisError:  # ids or CRS broken: the validation below says what to fix
        counts = {}
    write_layer(data, name, message=message, if_version=version, province=profile, log_extra=counts)
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
            f"{n} {c}" for c, n in _counts(theirs).items()
        )
        text += f" ({', '.join(theirs.iloc[:, 0].astype(str).head(10))})." if len(theirs) else "."
    except GisError:
        pass  # the version opened is no longer kept: no details
    return (
        text + f" Open it again with open_layer('{name}'), redo your edit and save; your edited "
        f"frame is unchanged, and diff(your_frame, open_layer('{name}')) shows the differences."
    )


def log(
    name: str,
    *,
    province: str | Profile | None = None,
    layers_dir: str | Path | None = None,
) -> pd.DataFrame:
    """Return the save history of layer ``name`` with the features each save changed.

    Returns
    -------
    DataFrame
        One row per save, oldest first: ``time`` (UTC), ``message``, ``features`` (count
        after the save), ``added``, ``removed``, ``modified``, ``version``, ``previous`` and
        ``undo_of`` (the version an :func:`undo` took back). Counts are written by
        :func:`save_layer` and :func:`undo`; for other saves (``gis import``, ``gis restore``)
        they are computed from the kept versions, and left empty if one is no longer kept.
    """
    profile = _profile(province, layers_dir)
    h = history(name, province=profile).copy()
    for c in (*CHANGES, "undo_of"):
        if c not in h.columns:
            h[c] = pd.NA
    for i in h.index[h["added"].isna()]:
        prev, ver = h.at[i, "previous"], h.at[i, "version"]
        if not (isinstance(prev, str) and isinstance(ver, str)):
            continue
        try:
            counts = _counts(diff_versions(name, prev, ver, province=profile))
        except GisError:
            continue
        for c, v in counts.items():
            h.at[i, c] = v
    for c in CHANGES:
        h[c] = h[c].astype("Int64")
    cols = ["time", "message", "features", *CHANGES, "version", "previous", "undo_of"]
    return h[cols].reset_index(drop=True)


def undo(
    name: str, *, province: str | Profile | None = None, layers_dir: str | Path | None = None
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Take back the last save of layer ``name`` that is not already undone.

    The version before that save is restored byte for byte (through
    :func:`gis.store.restore`, which validates it and keeps the current version in history);
    the log gets an ``"undo: <message>"`` entry. Undoing again takes back the save before.

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
    profile = _profile(province, layers_dir)
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
            "first, or bring back a version explicitly with gis.store.restore."
        )
    if not isinstance(top.get("previous"), str):
        raise LayerError(
            f"the save '{top['message']}' created layer '{name}'; there is no earlier version "
            "to go back to."
        )
    extra: dict[str, Any] = {"undo_of": top["version"]}
    if all(isinstance(top.get(c), int | float) and not pd.isna(top.get(c)) for c in CHANGES):
        extra |= {"added": top["removed"], "removed": top["added"], "modified": top["modified"]}
        extra = {k: (int(v) if k in CHANGES else v) for k, v in extra.items()}
    restore(
        name, top["previous"], province=profile, message=f"undo: {top['message']}", log_extra=extra
    )
    return open_layer(name, province=profile)
