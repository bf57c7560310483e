"""Builders of a layer's metadata (``<name>.meta.json``): column schemas, vector and table metas.

Used by :mod:`gis.newprovince` (``gis init``) and by the maintainers' import scripts in
``tools/``, so that every importer writes the same shape of schema and provenance (see
:mod:`gis.store` for what the keys mean).
"""

from __future__ import annotations

from typing import Any

__all__ = ["col", "table_meta", "vector_meta"]


def col(
    name: str,
    dtype: str = "str",
    *,
    required: bool = False,
    unique: bool = False,
    allowed: list[Any] | None = None,
    description: str = "",
) -> dict[str, Any]:
    """Schema of one column: name, dtype (``str``, ``int``, ``float``, ``bool``, ``date``),
    flags."""
    out: dict[str, Any] = {
        "name": name,
        "dtype": dtype,
        "required": required,
        "unique": unique,
        "description": description,
    }
    if allowed:
        out["allowed"] = allowed
    return out


def vector_meta(
    title: str,
    geometry_type: str,
    columns: list[dict[str, Any]],
    provenance: dict[str, Any],
    *,
    crs: str,
    id_column: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Metadata of a vector layer stored in ``crs`` (the province's planning CRS)."""
    return {
        "title": title,
        "kind": "vector",
        "geometry_type": geometry_type,
        "crs": crs,
        "id_column": id_column,
        "columns": columns,
        "provenance": provenance,
        **extra,
    }


def table_meta(
    title: str,
    columns: list[dict[str, Any]],
    provenance: dict[str, Any],
    *,
    id_column: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Metadata of a table (CSV) layer."""
    return {
        "title": title,
        "kind": "table",
        "id_column": id_column,
        "columns": columns,
        "provenance": provenance,
        **extra,
    }
