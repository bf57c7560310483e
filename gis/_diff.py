"""The comparison of two versions of a layer: which features were added, removed, modified.

Shared by the store (each save logs its counts, :func:`gis.store.history`) and the notebook
editing functions (:func:`gis.edit.diff`, the public home of :func:`diff`). Pure: frames in, a
frame out; never the store.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.crs import require_crs, require_metric_crs, to_crs
from gis.errors import LayerError

__all__ = ["CHANGES", "change_counts", "diff"]

#: Order of the ``change`` values in a diff.
CHANGES = ("added", "removed", "modified")


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
        :func:`gis.edit.open_layer`).
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
    >>> from gis.edit import open_layer
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


def change_counts(changes: pd.DataFrame) -> dict[str, int]:
    """Return the number of features added, removed and modified in a :func:`diff` result."""
    return {c: int((changes["change"] == c).sum()) for c in CHANGES}
