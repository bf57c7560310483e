"""What QGIS and MapInfo would damage on exchange, and what :mod:`gis.io` does about it.

Measured with the GDAL of the toolkit (3.12, pyogrio 0.13) writing and Debian 12's GDAL 3.6.2
(``ogrinfo``, the GDAL of QGIS 3.22 there) and QGIS 3.22.16 reading; see ``docs/interop.md``.

- **KML booleans**: LIBKML writes ``type="bool"`` fields with ``true``/``false``; GDAL 3.6 reads
  the field as Integer and every value as 0 ("parsed incompletely to integer 0"), so QGIS
  showed ``in_province`` false for all plants. Booleans are written as integers 1/0, which
  both read back, and the change is reported.
- **KML ``id``**: a column named ``id`` becomes the Placemark's ``id`` attribute (GDAL's
  ``LIBKML_ID_FIELD``), which GDAL 3.6 does not read back as a field: the column vanished. It
  is written as an ordinary field (and read back as one by :func:`gis.io.read_vector`).
- **MultiPoints**: GDAL's MapInfo writer splits a MultiPoint into one point feature per part
  (``pillar_sites``: 12 features became 13, one id twice); a Shapefile holds one geometry type
  and GDAL refuses a MultiPoint in a point shapefile. TAB refuses a MultiPoint of several
  points (saying how to proceed); a Shapefile of Points and MultiPoints is written as
  MultiPoints, reported.
- **Dates**: a ``date`` column (datetime64 with no time of day) is written as a Date field
  through GDAL's Arrow interface; the plain path writes DateTime (GeoPackage, TAB) or text
  (Shapefile: ``"2024-03-15T00:00:00.000"``).
- **cp1258 TAB**: QGIS saves a TAB in windows-1258 with ``Charset "Neutral"`` (GDAL has no
  MapInfo name for cp1258) and MapInfo with ``Charset "WindowsVietnamese"``; read as UTF-8
  either fails. :func:`tab_encoding_hint` says to read it with ``--encoding cp1258``.
"""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from gis.errors import InputFileError

__all__ = [
    "KML_ID_PLACEHOLDER",
    "date_columns",
    "gdal_config",
    "kml_booleans",
    "long_text",
    "single_type_points",
    "tab_encoding_hint",
]

#: Value of GDAL's ``LIBKML_ID_FIELD`` that matches no column: ``id`` stays a field.
KML_ID_PLACEHOLDER = "__gis_no_placemark_id__"


@contextlib.contextmanager
def gdal_config(**options: str | None) -> Iterator[None]:
    """Set GDAL configuration options for the block, then restore the previous values."""
    old = {k: pyogrio.get_gdal_config_option(k) for k in options}
    pyogrio.set_gdal_config_options(options)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(old)


def _is_bool(s: pd.Series) -> bool:
    return s.dtype.kind == "b" or isinstance(s.dtype, pd.BooleanDtype)


def kml_booleans(out: gpd.GeoDataFrame, path: Path) -> gpd.GeoDataFrame:
    """Booleans as integers 1/0 (empty stays empty), reported: GDAL 3.6 reads KML bools as 0."""
    cols = [c for c in out.columns if c != out.geometry.name and _is_bool(out[c])]
    if not cols:
        return out
    out = out.copy()
    for col in cols:
        out[col] = out[col].astype("boolean").astype("Int32")
    warnings.warn(
        f"{path}: KML true/false columns {', '.join(map(repr, cols))} are written as integers "
        "1 (true) / 0 (false): GDAL before 3.7 (QGIS on Debian 12, Ubuntu 22.04) reads KML "
        "booleans as 0 for every feature. `gis import` turns them back into true/false.",
        RuntimeWarning,
        stacklevel=4,
    )
    return out


def long_text(out: gpd.GeoDataFrame, path: Path, *, limit_bytes: int, fmt: str) -> None:
    """Report text values longer than a format's fields hold (GDAL cuts them)."""
    cut = []
    for col in out.columns:
        s = out[col]
        if col == out.geometry.name or not (
            s.dtype.kind == "O" or isinstance(s.dtype, pd.StringDtype)
        ):
            continue
        n = int(s.map(lambda v: isinstance(v, str) and len(v.encode()) > limit_bytes).sum())
        if n:
            cut.append(f"{n} value(s) of '{col}'")
    if cut:
        warnings.warn(
            f"{path}: {fmt} text fields hold {limit_bytes} bytes: {', '.join(cut)} are cut to "
            f"{limit_bytes} bytes. Export to .gpkg to keep every value.",
            RuntimeWarning,
            stacklevel=4,
        )


def single_type_points(out: gpd.GeoDataFrame, path: Path, ext: str) -> gpd.GeoDataFrame:
    """Points and MultiPoints for formats holding one geometry type, never split silently.

    TAB: GDAL writes each point of a MultiPoint as its own feature (the attributes, id
    included, repeated), so a MultiPoint of several points is refused; one-point MultiPoints
    are written as Points (the same coordinates). Shapefile: a layer mixing Points and
    MultiPoints is written as MultiPoints (GDAL refuses it otherwise), with a warning.
    """
    kinds = out.geom_type
    multi = kinds == "MultiPoint"
    if not multi.any():
        return out
    parts = shapely.get_num_geometries(out.geometry.values)
    if ext == ".tab":
        several = multi & (parts > 1)
        if several.any():
            rows = ", ".join(str(i) for i in out.index[several][:5])
            raise InputFileError(
                f"cannot export '{path}' as MapInfo TAB: {int(several.sum())} feature(s) (rows "
                f"{rows}) are MultiPoints of several points ({int(parts[several].sum())} "
                "points), and GDAL's MapInfo writer splits each into separate point features "
                "with the same attributes and id. Export to .gpkg (or .shp, which keeps "
                "MultiPoints), or split them into points with their own ids first (QGIS: "
                "Vector > Geometry Tools > Multipart to Singleparts)."
            )
        geoms = [
            shapely.get_geometry(g, 0) if m else g
            for g, m in zip(out.geometry.values, multi, strict=True)
        ]
        return out.set_geometry(gpd.GeoSeries(geoms, index=out.index, crs=out.crs))
    single = kinds == "Point"
    if ext == ".shp" and single.any():
        geoms = [
            shapely.MultiPoint([g]) if s else g
            for g, s in zip(out.geometry.values, single, strict=True)
        ]
        warnings.warn(
            f"{path}: a Shapefile holds one geometry type; the layer mixes Points and "
            f"MultiPoints, so its {int(single.sum())} Point(s) are written as one-point "
            "MultiPoints (the same coordinates). GeoPackage keeps each type.",
            RuntimeWarning,
            stacklevel=4,
        )
        return out.set_geometry(gpd.GeoSeries(geoms, index=out.index, crs=out.crs))
    return out


def date_columns(out: pd.DataFrame) -> list[str]:
    """Columns of calendar dates: datetime64 without time zone, every value at midnight."""
    cols = []
    for col in out.columns:
        s = out[col]
        if col == getattr(out, "_geometry_column_name", None) or s.dtype.kind != "M":
            continue
        if getattr(s.dtype, "tz", None) is not None:
            continue
        present = s.dropna()
        if len(present) and (present == present.dt.normalize()).all():
            cols.append(col)
    return cols


def tab_encoding_hint(path: Path) -> str | None:
    """What to say when a TAB's text is not UTF-8 (None if it is, or unreadable)."""
    try:
        header = path.read_bytes()[:4000].decode("latin-1")
        dat = path.with_suffix(".dat")
        if not dat.exists():
            found = [p for p in path.parent.iterdir() if p.name.lower() == dat.name.lower()]
            dat = found[0] if found else dat
        raw = dat.read_bytes()
    except OSError:
        return None
    m = re.search(r'Charset\s+"([^"]*)"', header)
    charset = m.group(1) if m else "(none)"
    try:
        raw.decode("utf-8")
        return None
    except UnicodeDecodeError:
        pass
    return (
        f'its text is not UTF-8 (header: Charset "{charset}"); QGIS saves a TAB in '
        'Windows Vietnamese (windows-1258) with Charset "Neutral", MapInfo with '
        "\"WindowsVietnamese\". Read it with `--encoding cp1258` (Python: encoding='cp1258'); "
        "text in TCVN3 or VNI fonts: `--encoding tcvn3` or `--encoding vni`"
    )
