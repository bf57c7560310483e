"""Private helpers shared by the analysis modules (zonal, urban, coverage, crosswalk).

Not public API: each helper turns a common input problem into a :class:`LayerError` that names the
layer, what was found and how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import pandas as pd

from gis.errors import LayerError

#: Square metres per square kilometre and per hectare: the one home of these factors.
M2_PER_KM2 = 1_000_000.0
M2_PER_HA = 10_000.0


def feature_ids(frame: pd.DataFrame, id_column: str | None) -> pd.Series:
    """Return each feature's id as text for a message: ``id_column``, else ``"row i"``.

    Aligned on ``frame``'s index. A missing or absent ``id_column`` falls back to row numbers.
    """
    if id_column and id_column in frame.columns:
        return frame[id_column].astype(str)
    return pd.Series([f"row {i}" for i in range(len(frame))], index=frame.index)


def check_free_columns(frame: pd.DataFrame, new: Iterable[str], *, name: str = "units") -> None:
    """Raise :class:`LayerError` if any column of ``new`` already exists in ``frame``."""
    taken = [c for c in new if c in frame.columns]
    if taken:
        raise LayerError(
            f"'{name}' already has column(s) {taken}; the result would overwrite them. Rename or "
            f"drop them first (`{name}.drop(columns={taken})`), or choose another prefix."
        )


def require_columns(frame: pd.DataFrame, columns: Iterable[str], *, name: str = "units") -> None:
    """Raise :class:`LayerError` if ``frame`` lacks any of ``columns``, listing those it has."""
    missing = [c for c in columns if c is not None and c not in frame.columns]
    if missing:
        raise LayerError(
            f"'{name}' has no column(s) {missing}. Columns found: {list(frame.columns)}. "
            "Pass the name of an existing column."
        )


def require_geodataframe(obj: object, *, name: str) -> gpd.GeoDataFrame:
    """Return ``obj`` if it is a GeoDataFrame with at least one feature, else raise."""
    if not isinstance(obj, gpd.GeoDataFrame):
        raise LayerError(
            f"'{name}' must be a GeoDataFrame, got {type(obj).__name__}. Read it with "
            "`gis.store.read_layer(...)` or `geopandas.read_file(...)`."
        )
    if len(obj) == 0:
        raise LayerError(f"'{name}' has no features; nothing to compute.")
    return obj


def require_polygons(gdf: gpd.GeoDataFrame, *, name: str) -> None:
    """Raise :class:`LayerError` unless every geometry of ``gdf`` is a (Multi)Polygon."""
    types = set(gdf.geometry.geom_type.dropna())
    bad = types - {"Polygon", "MultiPolygon"}
    if bad or gdf.geometry.isna().any():
        found = sorted(bad) + (["missing geometry"] if gdf.geometry.isna().any() else [])
        raise LayerError(
            f"'{name}' must hold polygons; found {found}. Buffer points or lines first, or "
            "drop the rows without a geometry."
        )
