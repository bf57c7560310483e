"""Read user files into frames and export layers to the formats planners exchange.

:func:`read_vector` backs ``gis import FILE --as LAYER``; :func:`write_vector` backs
``gis export LAYER FILE``. Both pick the format from the file extension
(:data:`SUPPORTED_FORMATS`), turn every GDAL failure into an :class:`~gis.errors.InputFileError`
that names the file, the problem and the fix, and never guess a CRS.

Format quirks, measured with GDAL 3.12 (pyogrio 0.13) on the fixtures of ``tests/test_io.py``:

=========== ===================================================================================
Format      What happens on a round trip and what this module does about it
=========== ===================================================================================
GeoPackage  Lossless (names, int64, float, dates, EPSG:9205). Written as GeoPackage 1.2: GDAL
            3.6 (QGIS 3.22) warns "may only be partially supported" on GDAL 3.12's 1.4.
            ``gis export`` adds QGIS styles and metadata (:mod:`gis.qgis`); a GeoPackage's
            ``layer_styles`` table is not counted as a layer on import.
GeoJSON     RFC 7946: written in EPSG:4326 (pinned VN-2000 shift, :func:`gis.crs.to_crs`),
            7 decimals (about 1 cm); ints come back as int32 when they fit. Round trip
            back to EPSG:9205: 6.8 mm, of which 1.3 mm is the inverse of the datum shift.
Shapefile   Field names are limited to 10 *bytes*: GDAL truncates with a warning, so
            ``write_vector`` refuses (listing the names) unless ``shorten_fields=True``, which
            maps them to unique short names and logs the mapping (:func:`restore_long_names`,
            run by ``gis import``, maps them back). Written UTF-8 with a ``.cpg``.
            Read: a ``.cpg`` is honoured; without one the text is decoded as UTF-8 if it is
            valid UTF-8, else as cp1258 (Windows Vietnamese) with a warning, because GDAL
            would assume ISO-8859-1 and return mojibake (the DBF code-page byte is ignored).
            TCVN3/VNI font encodings cannot be detected: pass ``encoding=``. A user-given
            encoding, and a ``.cpg`` naming cp1258 (QGIS writes "1258"), are applied by
            Python's codecs, not GDAL's iconv, which drops the last letter of cp1258 text and
            field names ("Mường Tè" -> "Mường T", "name" -> "nam").
            Points mixed with MultiPoints are written as MultiPoints (GDAL refuses them),
            reported; text over 254 bytes (GDAL cuts it) is reported.
MapInfo TAB Written with ``ENCODING=UTF-8`` (``!charset UTF-8``, TAB version 1520, readable by
            MapInfo Pro >= 15.2); GDAL's default is ``Charset "Neutral"`` (raw bytes).
            MapInfo knows no VN-2000 datum: GDAL writes WGS 84 instead, which moves Lai Châu
            by 222 m, so VN-2000 layers are written with the pinned shift as a custom datum
            (``Datum 9999``) and read back as their EPSG code. A TAB that states the TM-3
            parameters of a VN-2000 zone on the WGS 84 datum (what MapInfo and QGIS write) is
            refused until ``crs=`` / ``--crs`` says which datum its coordinates are on; the
            message gives the distance between the two readings at the data (223 m for the
            Lai Châu communes). Coordinates are 32-bit integers
            inside ``BOUNDS``; GDAL's default bounds give 1.5 cm (EPSG:9205) or 5 cm (EPSG:4326)
            error, so bounds are set to the data +- 1000 km (+- 10 degrees): 1 mm, 1.6 mm.
            Integers that fit 32 bits are written as ``Integer``: GDAL writes int64 as
            ``LargeInt``, which GDAL 3.6 (QGIS on Debian 12) cannot parse. MapInfo has no
            empty number or boolean (GDAL writes 0 / F) and cuts text at 254 bytes: each such
            change is reported in a ``RuntimeWarning`` (``gis export`` prints it); an all-empty
            column is written as text, so nothing becomes 0. GDAL writes each point of a
            MultiPoint as its own feature (12 pillar sites became 13, one id twice): a
            MultiPoint of several points is refused. A TAB whose text is not UTF-8 (QGIS
            saves windows-1258 as Charset "Neutral", MapInfo as "WindowsVietnamese") is
            refused with the hint ``--encoding cp1258``, which reads it.
KML         EPSG:4326 only. Written with LIBKML (GDAL's KML driver if LIBKML is missing).
            LIBKML writes altitude 0; it is dropped on read. Column ``name`` becomes the
            placemark name and reads back as ``Name``, renamed here to ``name``; a column ``id``
            is written as a field, not as the Placemark id (GDAL 3.6 drops it); LIBKML's empty
            bookkeeping columns (description, timestamp, begin, end, altitudeMode, tessellate,
            extrude, visibility, drawOrder, icon, id) are dropped. Attribute types:

            ========  ===========================  ================================
            pandas    LIBKML (default)             KML driver (``driver="KML"``)
            ========  ===========================  ================================
            str       str                          str
            int64     string (!), so ints that     same
                      fit are written as int32
            int32     int32                        int32
            float64   float64                      float64
            bool      int 1/0, reported (GDAL 3.6  int32 (0/1)
                      reads LIBKML bools as 0)
            datetime  text "2025-07-01T00:00:00"   text "2025/07/01 00:00:00"
            ========  ===========================  ================================
FlatGeobuf  Written without spatial index (``SPATIAL_INDEX=NO``): the index sorts features
            along a Hilbert curve, which reordered the test polygons.
CSV         Read only as a table (pandas, UTF-8 with or without BOM). Columns whose values
            are all numbers become numeric, except zero-padded codes ("03124") which stay text.
=========== ===================================================================================

Dates (datetime64 columns with no time of day) are written as Date fields, through pyogrio's
``use_arrow`` (the only path that writes OGR Date: otherwise GeoPackage and TAB get DateTime and
Shapefile text); other writes and every read do not use Arrow: one read path keeps
``encoding=`` handling identical for every driver, and provincial layers are small. The
exchange fixes, measured against GDAL 3.6 and QGIS 3.22, are in :mod:`gis._exchange`.
"""

from __future__ import annotations

import codecs
import json
import logging
import os
import re
import shutil
import warnings
import zipfile
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely
from pyproj.database import query_crs_info
from pyproj.enums import PJType

from gis._checks import RASTER_FORMATS, check_content, check_raster
from gis._decode import ENCODINGS, decode_frame
from gis._exchange import (
    KML_ID_PLACEHOLDER,
    date_columns,
    gdal_config,
    kml_booleans,
    long_text,
    single_type_points,
    tab_encoding_hint,
)
from gis._writes import disk_full_error, temp_dir
from gis.crs import (
    VN2000_TOWGS84,
    is_vn2000,
    pinned_crs,
    require_crs,
    tm3_epsg,
    to_crs,
    transformer,
)
from gis.errors import CRSError, GisError, InputFileError
from gis.text import fix_legacy_columns, normalise_text_columns, to_nfc

__all__ = [
    "ENCODINGS",
    "RASTER_FORMATS",
    "READ_ONLY_FORMATS",
    "SUPPORTED_FORMATS",
    "check_raster",
    "read_vector",
    "restore_long_names",
    "short_names",
    "write_geopackage",
    "write_table",
    "write_vector",
]

_log = logging.getLogger(__name__)

#: File extension -> (GDAL driver, description); a ``.zip`` is opened through GDAL's /vsizip/.
#: :func:`read_vector` reads all of them; :func:`write_vector` all but :data:`READ_ONLY_FORMATS`.
SUPPORTED_FORMATS: dict[str, tuple[str, str]] = {
    ".gpkg": ("GPKG", "GeoPackage"),
    ".geojson": ("GeoJSON", "GeoJSON (RFC 7946, lon/lat)"),
    ".json": ("GeoJSON", "GeoJSON (RFC 7946, lon/lat)"),
    ".shp": ("ESRI Shapefile", "Shapefile (.shp + .shx + .dbf + .prj, UTF-8 .cpg)"),
    ".zip": ("/vsizip/", "zip of one Shapefile, GeoPackage, GeoJSON, FlatGeobuf or KML"),
    ".tab": ("MapInfo File", "MapInfo TAB (UTF-8)"),
    ".kml": ("LIBKML", "KML (lon/lat)"),
    ".fgb": ("FlatGeobuf", "FlatGeobuf"),
    ".csv": ("CSV", "CSV table (no geometry)"),
}
#: Extensions :func:`write_vector` refuses.
READ_ONLY_FORMATS = frozenset({".zip", ".csv"})

_PARTS = {  # sidecar files of multi-file formats; stale ones are removed on export
    ".shp": (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx"),
    ".tab": (".tab", ".dat", ".map", ".id", ".ind"),
}
_KML_UNSET = {  # LIBKML bookkeeping columns and their "not set" value
    "id": None,
    "description": None,
    "timestamp": None,
    "begin": None,
    "end": None,
    "altitudeMode": None,
    "tessellate": -1,
    "extrude": 0,
    "visibility": -1,
    "drawOrder": None,
    "icon": None,
    "Name": None,
}
_IN_ZIP = (".shp", ".gpkg", ".geojson", ".json", ".fgb", ".kml")  # readable inside a .zip
_TAB_PAD = {True: 10.0, False: 1_000_000.0}  # BOUNDS padding: degrees / metres
#: A zip that unpacks to more than this many times its size (and more than _ZIP_CHECKED_FROM
#: bytes) is refused unread: geodata compresses 3-20:1, whitespace padding ~1000:1.
_ZIP_MAX_RATIO = 100
_ZIP_CHECKED_FROM = 100 * 2**20


def _supported(write: bool) -> str:
    exts = [e for e in SUPPORTED_FORMATS if not (write and e in READ_ONLY_FORMATS)]
    return ", ".join(f"{e} ({SUPPORTED_FORMATS[e][1]})" for e in exts)


def _gdal_reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text.split("; It might help")[0][:200]


def _pyogrio(call, path: Path, what: str, *args, **kwargs):
    """Run a pyogrio call; turn any GDAL failure into an InputFileError about ``path``.

    GDAL warnings (pyogrio's RuntimeWarnings) are collected and, if the call succeeds, re-issued
    once each with the file name; on failure the error message says enough.
    """
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = call(*args, **kwargs)
    except GisError:
        raise
    except Exception as exc:  # GDAL raises several types, and IndexError on a truncated .fgb
        raise InputFileError(
            f"cannot {what} '{path}': the file is truncated, corrupt or not really "
            f"{SUPPORTED_FORMATS[path.suffix.lower()][1]} (GDAL: {_gdal_reason(exc)}). "
            "Re-export it from the program that made it, or open it in QGIS to check."
        ) from exc
    for message in dict.fromkeys(str(w.message) for w in caught):
        warnings.warn(f"{path}: {message}", RuntimeWarning, stacklevel=3)
    return result


def _zip_member(path: Path) -> tuple[str, list[str]]:
    """Return the one data file inside the zip ``path`` and the archive's member names."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise InputFileError(
            f"cannot read '{path}': not a valid zip archive ({exc}). Re-create the zip."
        ) from exc
    members = [i.filename for i in infos]
    unpacked, packed = sum(i.file_size for i in infos), sum(i.compress_size for i in infos)
    if unpacked > _ZIP_CHECKED_FROM and unpacked > _ZIP_MAX_RATIO * max(packed, 1):
        raise InputFileError(
            f"'{path}' unpacks to {unpacked / 1e6:,.0f} MB from {path.stat().st_size / 1e6:,.1f} "
            f"MB ({unpacked / max(packed, 1):,.0f} to 1); geodata compresses about 3 to 20 to 1, "
            "so the archive is padded (e.g. with spaces) or a zip bomb, and it is not read. "
            "Unzip it, check the file, and import the file itself."
        )
    data = [m for m in members if Path(m).suffix.lower() in _IN_ZIP]
    if len(data) != 1:
        raise InputFileError(
            f"'{path}' must hold exactly one data file ({', '.join(_IN_ZIP)}); found: "
            f"{', '.join(data) or 'none'}. Zip one file (a shapefile with its .shx, .dbf, "
            ".prj and .cpg) per archive, or unzip it and import the file you want."
        )
    return data[0], members


def _shapefile_source(path: Path) -> tuple[str, bool]:
    """Return the GDAL path of a (zipped) shapefile and whether it has a .cpg; check its parts."""
    if path.suffix.lower() == ".zip":
        shp, members = _zip_member(path)
        stem, lower = shp[:-4], {m.lower() for m in members}
        has = {ext: f"{stem}{ext}".lower() in lower for ext in (".shx", ".dbf", ".cpg", ".prj")}
        gdal_path = f"/vsizip/{path}/{shp}"
    else:
        siblings = {p.name.lower() for p in path.parent.iterdir()}
        has = {e: (path.stem + e).lower() in siblings for e in (".shx", ".dbf", ".cpg", ".prj")}
        gdal_path = str(path)
    for ext, role in ((".dbf", "attribute table"), (".shx", "index")):
        if not has[ext]:
            raise InputFileError(
                f"shapefile '{path}' has no {ext} file (its {role}); a shapefile is several "
                f"files with the same name. Copy '{Path(gdal_path).stem}{ext}' next to the "
                ".shp (or into the zip), or export the layer again as GeoPackage (.gpkg)."
            )
    return gdal_path, has[".cpg"]


def _pick_layer(source: str, path: Path, layer: str | None) -> str | None:
    names = [str(n) for n in _pyogrio(pyogrio.list_layers, path, "read", source)[:, 0]]
    if layer is None and "layer_styles" in names:  # QGIS's (and gis export's) style table
        data = [n for n in names if n != "layer_styles"]
        if len(data) == 1:
            return data[0]
        names = data or names
    listing = ", ".join(names) or "none"
    if layer is not None and layer not in names:
        raise InputFileError(f"'{path}' has no layer '{layer}'; its layers are: {listing}.")
    if layer is None and len(names) > 1:
        raise InputFileError(
            f"'{path}' holds {len(names)} layers: {listing}. Say which one to import: "
            "layer='NAME' in Python, `--layer NAME` on the command line."
        )
    return layer


@lru_cache(maxsize=1)
def _vn2000_crs() -> tuple[pyproj.CRS, ...]:
    infos = query_crs_info(
        auth_name="EPSG", pj_types=[PJType.PROJECTED_CRS, PJType.GEOGRAPHIC_2D_CRS]
    )
    codes = sorted({int(i.code) for i in infos if i.name.startswith("VN-2000")}, reverse=True)
    return tuple(pyproj.CRS.from_epsg(c) for c in codes)  # 92xx (TM-3 by meridian) first


def _recognise_vn2000(crs: pyproj.CRS) -> pyproj.CRS:
    """Map a CRS stored with the pinned VN-2000 shift as a custom datum (MapInfo) to EPSG."""
    if not crs.is_bound or crs.coordinate_operation is None:
        return crs
    shift = [p.value for p in crs.coordinate_operation.params]
    expected = [float(v) for v in VN2000_TOWGS84.split(",")]
    if len(shift) != 7 or not np.allclose(shift, expected, rtol=0, atol=1e-8):
        return crs
    src = crs.source_crs
    for cand in _vn2000_crs():
        if cand.is_projected != src.is_projected or cand.ellipsoid != src.ellipsoid:
            continue
        if not cand.is_projected:
            return cand
        a, b = cand.coordinate_operation, src.coordinate_operation
        if a.method_name == b.method_name and np.allclose(
            [p.value for p in a.params], [p.value for p in b.params], rtol=0, atol=1e-9
        ):
            return cand
    return crs


def _same_crs(a: pyproj.CRS, b: pyproj.CRS) -> bool:
    return a.equals(b, ignore_axis_order=True) or (
        a.to_epsg() is not None and a.to_epsg() == b.to_epsg()
    )


def _tidy_kml(gdf: gpd.GeoDataFrame, layer: str) -> gpd.GeoDataFrame:
    drop = []
    for col, unset in _KML_UNSET.items():
        if col not in gdf.columns:
            continue
        values = gdf[col]
        if col == "id":
            auto = values.astype(str).str.fullmatch(re.escape(layer) + r"\.\d+")
            drop += [col] if (values.isna() | auto).all() else []
        elif (values.isna() | (values == unset if unset is not None else False)).all():
            drop.append(col)
    out = gdf.drop(columns=drop + [c for c in (KML_ID_PLACEHOLDER,) if c in gdf.columns])
    z = shapely.get_coordinates(out.geometry.values, include_z=True)[:, 2]
    if out.has_z.any() and np.all((z == 0) | np.isnan(z)):  # LIBKML writes altitude 0
        out = out.set_geometry(shapely.force_2d(out.geometry.values), crs=out.crs)
    return out.rename(columns={"Name": "name"}) if "name" not in out.columns else out


def _read_csv(path: Path, encoding: str | None) -> tuple[pd.DataFrame, list[dict]]:
    """Read a CSV as text columns (bytes as latin-1, decoded by :func:`decode_frame`)."""
    raw_enc = "latin-1" if encoding in (None, "auto", "tcvn3", "vni") else encoding
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding=raw_enc)
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"cannot read '{path}' as {encoding} text ({exc}). Save it as 'CSV UTF-8' in "
            "Excel, or state another encoding (e.g. encoding='cp1258' / --encoding cp1258)."
        ) from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputFileError(f"cannot parse '{path}' as CSV: {exc}. Check the file.") from exc
    report: list[dict] = []
    if raw_enc == "latin-1":
        if (
            len(df.columns)
            and isinstance(df.columns[0], str)
            and df.columns[0].startswith("\xef\xbb\xbf")
        ):  # UTF-8 byte order mark, as Excel writes it
            df = df.rename(columns={df.columns[0]: df.columns[0][3:]})
        df, report = decode_frame(df, encoding, path)
    for col in df.columns:
        values = df[col].dropna()
        if values.empty or values.str.match(r"^[+-]?0\d").any():  # zero-padded codes
            continue
        numbers = pd.to_numeric(values, errors="coerce")
        if numbers.notna().all():
            df[col] = pd.to_numeric(df[col])
    return df, report


def _nfc(df: pd.DataFrame) -> pd.DataFrame:
    out = normalise_text_columns(df)
    return out.rename(columns=lambda c: to_nfc(c) if isinstance(c, str) else c)


def read_vector(
    path: str | os.PathLike,
    *,
    layer: str | None = None,
    crs: pyproj.CRS | str | int | None = None,
    encoding: str | None = None,
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Read a user's vector file (or CSV table) with text in Unicode NFC.

    Parameters
    ----------
    path : path-like
        A file with one of the extensions of :data:`SUPPORTED_FORMATS`; for a shapefile the
        ``.shp`` (with ``.shx``, ``.dbf`` and ``.prj`` beside it) or a ``.zip`` holding one.
    layer : str, optional
        Layer to read from a multi-layer file (GeoPackage, KML); required when it has several.
    crs : CRS-like, optional
        CRS of a file that states none (e.g. ``"EPSG:9205"``). If the file states another CRS,
        :class:`~gis.errors.CRSError` is raised: the file is never silently overridden.
    encoding : str, optional
        Text encoding of files that do not declare one (shapefile without ``.cpg``, CSV):
        ``None``/``"auto"`` (default), a Python codec (``"utf-8"``, ``"cp1258"``), or a legacy
        Vietnamese font encoding ``"tcvn3"``/``"vni"``. ``auto`` decodes each text column as
        UTF-8, else TCVN3/VNI when detected, else cp1258 with a warning (see
        :mod:`gis._decode`); in files that declare UTF-8 it still converts columns holding
        TCVN3/VNI mojibake (:func:`gis.text.fix_legacy_columns`). Give ``"utf-8"`` to turn
        detection off.

    Returns
    -------
    GeoDataFrame, or DataFrame for a CSV or a GeoPackage attribute table.
        Text is NFC. ``attrs["text_conversions"]`` lists the columns converted from TCVN3/VNI
        (dicts: ``column``, ``encoding``, ``n_converted``, ``examples``).

    Raises
    ------
    InputFileError
        Missing, empty, corrupt or unsupported file, or content not matching the extension
        (a PNG named ``.geojson``); a raster; shapefile without ``.dbf``/``.shx``; several
        layers and no ``layer``; text that cannot be decoded.
    CRSError
        The file states no CRS (or one PROJ does not know) and ``crs`` is not given, or it
        states a different one.
    """
    path = Path(path)
    ext = path.suffix.lower()
    if ext in RASTER_FORMATS:
        raise InputFileError(
            f"'{path}' is a raster: rasters are not imported into the layer store, they are "
            f"read in place (e.g. by zonal statistics). Check it with `gis validate '{path}'` "
            "(Python: gis.io.check_raster)."
        )
    if ext not in SUPPORTED_FORMATS:
        raise InputFileError(
            f"cannot import '{path}': unknown file type '{ext or '(none)'}'. Supported: "
            f"{_supported(write=False)}. Convert it, e.g. `ogr2ogr out.gpkg '{path}'`."
        )
    if not path.is_file():
        raise InputFileError(f"'{path}' does not exist (or is a folder). Check the path.")
    if path.stat().st_size == 0:
        raise InputFileError(f"'{path}' is empty (0 bytes). Export or copy the file again.")
    if encoding == "auto":
        encoding = None
    if encoding is not None and encoding not in ("tcvn3", "vni"):
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise InputFileError(
                f"unknown encoding '{encoding}'; use one of {', '.join(ENCODINGS)} "
                "(cp1258 = Windows Vietnamese; tcvn3, vni = legacy font encodings)."
            ) from exc
    if crs is not None:
        try:
            crs = pyproj.CRS.from_user_input(crs)
        except pyproj.exceptions.CRSError as exc:
            raise CRSError(
                f"unknown CRS {crs!r}; give an EPSG code such as 'EPSG:9205' (VN-2000 / TM-3 "
                "103-00; a province's zone is planning_crs in its profile.toml) or 'EPSG:4326' "
                "(lon/lat)."
            ) from exc
    check_content(path, ext, SUPPORTED_FORMATS[ext][1])
    if ext == ".csv":
        table, report = _read_csv(path, encoding)
        table = _nfc(table)
        table.attrs["text_conversions"] = report
        return table

    source, bytes_route = str(path), False
    if ext == ".zip":
        member = _zip_member(path)[0]
        ext = Path(member).suffix.lower()
        source = f"/vsizip/{path}/{member}"
    if ext == ".shp":
        source, has_cpg = _shapefile_source(path)
        if path.suffix.lower() == ".shp":
            _check_shp_length(path)
            _check_prj(path.with_suffix(".prj"))
        if has_cpg and encoding is None and _is_cp1258(_check_cpg(path, source)):
            # GDAL's iconv drops the last letter of every cp1258 value and field name
            # ("Mường Tè" -> "Mường T", "code" -> "cod", measured with GDAL 3.12 and the
            # .cpg "1258" QGIS writes): decode the raw bytes with Python's codec instead.
            encoding = "cp1258"
        bytes_route = encoding is not None or not has_cpg
    layer = _pick_layer(source, path, layer)
    read_encoding = "ISO-8859-1" if bytes_route else encoding
    config = {}
    if ext == ".kml" and "LIBKML" in pyogrio.list_drivers():
        with gdal_config(LIBKML_ID_FIELD=KML_ID_PLACEHOLDER):  # an "id" field written as such
            fields = _pyogrio(pyogrio.read_info, path, "read", source, layer=layer)["fields"]
        config = {"LIBKML_ID_FIELD": KML_ID_PLACEHOLDER} if "id" in list(fields) else {}
    try:
        with gdal_config(**config):
            info = _pyogrio(pyogrio.read_info, path, "read", source, layer=layer)
            gdf = _pyogrio(
                pyogrio.read_dataframe, path, "read", source, layer=layer, encoding=read_encoding
            )
    except InputFileError as exc:
        hint = tab_encoding_hint(path) if ext == ".tab" and encoding is None else None
        if hint is None or not isinstance(exc.__cause__, UnicodeDecodeError):
            raise
        raise InputFileError(f"cannot read '{path}': {hint}.") from exc
    _check_geometry_field(gdf, info, path)
    report: list[dict] = []
    if bytes_route:
        gdf, report = decode_frame(gdf, encoding, path)
    elif encoding is None:  # UTF-8 text may still hold TCVN3/VNI mojibake
        gdf, fixes = fix_legacy_columns(gdf)
        report = [
            {k: r[k] for k in ("column", "encoding", "n_converted", "examples")}
            for r in fixes.to_dict("records")
            if r["encoding"] is not None and r["n_converted"]
        ]
    if not isinstance(gdf, gpd.GeoDataFrame):
        gdf = _nfc(gdf)
        gdf.attrs["text_conversions"] = report
        return gdf
    if ext == ".kml":
        gdf = _tidy_kml(gdf, layer or str(pyogrio.list_layers(source)[0, 0]))
    gdf = _drop_z_and_m(gdf, info, path)
    gdf = _nfc(gdf)
    gdf.attrs["text_conversions"] = report
    if ext in (".geojson", ".json") and _unstated_geojson_crs(gdf, path):
        gdf = gdf.set_crs(None, allow_override=True)
        if crs is None:
            x0, y0, x1, y1 = gdf.total_bounds
            raise CRSError(
                f"'{path}' is a GeoJSON without a \"crs\" member, so it should hold lon/lat "
                f"degrees (EPSG:4326, RFC 7946), but its coordinates (x {x0:,.0f} to {x1:,.0f}, "
                f"y {y0:,.0f} to {y1:,.0f}) are not degrees: they look like metres. A GeoJSON "
                "has no .prj; state its CRS: `gis import FILE --as LAYER --crs EPSG:9205` "
                "(VN-2000 / TM-3 103-00; the province's zone is planning_crs in its profile.toml) "
                "or the right EPSG code (Python: crs=...)."
            )
    return _file_crs(gdf, path, ext, crs)


def _unstated_geojson_crs(gdf: gpd.GeoDataFrame, path: Path) -> bool:
    """Tell whether a GeoJSON read as EPSG:4326 has no ``crs`` member and non-degree coordinates.

    GDAL gives EPSG:4326 (the RFC 7946 default) to any GeoJSON without a ``crs`` member, so a
    file in metres that does not state its CRS would otherwise read as degrees and refuse
    ``--crs``. Degrees, or a file that does state a CRS, keep what GDAL read.
    """
    if gdf.crs is None or gdf.crs.to_epsg() != 4326 or gdf.empty:
        return False
    x0, y0, x1, y1 = gdf.total_bounds
    if not np.isfinite([x0, y0, x1, y1]).all():
        return False
    if -180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90:
        return False
    try:
        if path.suffix.lower() == ".zip":
            with zipfile.ZipFile(path) as zf, zf.open(_zip_member(path)[0]) as fh:
                states = _states_top_level_member(fh, "crs")
        else:
            with open(path, "rb") as fh:
                states = _states_top_level_member(fh, "crs")
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return False  # GDAL read it; keep its reading if we cannot
    return states is False


_OUTSIDE_STRING = re.compile(rb'[][{}",]')  # at the top level: keys are after { and ,
_OUTSIDE_STRING_DEEP = re.compile(rb'[][{}"]')  # deeper: commas do not matter
_INSIDE_STRING = re.compile(rb'["\\]')


def _states_top_level_member(fh, key: str, chunk: int = 1 << 20) -> bool | None:
    """Tell whether the JSON object read from ``fh`` has the member ``key`` at its top level.

    Reads ``fh`` in chunks and keeps only the nesting depth and the current top-level key, so
    memory stays at one chunk (1 MiB) however large the file: a GeoJSON padded with a gigabyte
    of spaces costs no more than a small one (``json.loads`` of the whole file took 2.2 GB for
    a 1 GiB file). Returns None if the JSON is not an object.
    """
    depth, in_string, escaped, expect_key = 0, False, False, False
    current: bytearray | None = None  # the top-level key being read, if any
    while True:
        buf = fh.read(chunk)
        if not buf:
            return False if depth else None
        pos, end = 0, len(buf)
        while pos < end:
            if in_string:
                if escaped:
                    escaped = False
                    if current is not None:
                        current += buf[pos : pos + 1]
                    pos += 1
                    continue
                m = _INSIDE_STRING.search(buf, pos)
                stop = m.start() if m else end
                if current is not None and len(current) < 256:
                    current += buf[pos:stop][:256]
                if m is None:
                    break
                pos = m.end()
                if m.group() == b"\\":
                    escaped = True
                    if current is not None:
                        current += b"\\"
                    continue
                in_string = False
                if current is not None:
                    try:
                        if json.loads(b'"' + bytes(current) + b'"') == key:
                            return True
                    except ValueError:
                        pass
                    current = None
                continue
            m = (_OUTSIDE_STRING if depth == 1 else _OUTSIDE_STRING_DEEP).search(buf, pos)
            if m is None:
                break
            token, pos = m.group(), m.end()
            if token == b'"':
                in_string = True
                current = bytearray() if depth == 1 and expect_key else None
                expect_key = False
            elif token in (b"{", b"["):
                if depth == 0 and token == b"[":
                    return None
                depth += 1
                expect_key = depth == 1
            elif token in (b"}", b"]"):
                depth -= 1
                if depth <= 0:
                    return False
            else:  # a comma between top-level members
                expect_key = True


def _is_cp1258(code_page: str) -> bool:
    """Whether a .cpg value names Windows Vietnamese (``1258``, ``CP1258``, ``windows-1258``)."""
    return code_page.strip().upper().replace("WINDOWS-", "CP").removeprefix("CP") == "1258"


def _check_cpg(path: Path, source: str) -> str:
    """The encoding a .cpg names ("" if empty); refuse one GDAL would not know (it then reads
    UTF-8 as Latin-1, and the legacy-font fixer would "convert" the mojibake: Mường Tè ->
    Mặ°ỏằng TÃă)."""
    if path.suffix.lower() == ".zip":
        cpg = source.removeprefix(f"/vsizip/{path}/")[:-4] + ".cpg"
        with zipfile.ZipFile(path) as zf:
            names = {n.lower(): n for n in zf.namelist()}
            raw = zf.read(names[cpg.lower()]) if cpg.lower() in names else b""
    else:
        found = [p for p in path.parent.iterdir() if p.name.lower() == path.stem.lower() + ".cpg"]
        raw = found[0].read_bytes()[:200] if found else b""
    value = raw.decode("latin-1").strip()
    if not value or _known_code_page(value):
        return value
    raise InputFileError(
        f"'{path}': its .cpg file names the encoding {value[:40]!r}, which is unknown, so the "
        "text cannot be read reliably. Write the right one in the .cpg (UTF-8, or 1258 / "
        "CP1258 for Windows Vietnamese), or delete the .cpg and state it: "
        "`--encoding utf-8|cp1258|tcvn3|vni` (Python: encoding=...)."
    )


def _known_code_page(value: str) -> bool:
    """Whether GDAL reads a .cpg saying ``value``: a code page number, LDID/n, 8859n, a codec."""
    upper = value.upper()
    if upper.startswith("LDID/") or re.fullmatch(r"(ISO)?[ -]?8859[-_ ]?\d+", upper):
        return True
    name = {"65001": "utf-8"}.get(value, f"cp{value}" if value.isdigit() else value)
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def _check_geometry_field(gdf, info: dict, path: Path) -> None:
    """Refuse an attribute named like the geometry (GDAL's frame drops it without a word)."""
    fields = [str(f) for f in info.get("fields", [])]
    if isinstance(gdf, gpd.GeoDataFrame) and any(f.lower() == "geometry" for f in fields):
        raise InputFileError(
            f"'{path}' has an attribute named 'geometry', which the geometry hides: it would be "
            "dropped without a word. Rename the attribute (e.g. to 'geometry_note', in QGIS: "
            "Layer Properties > Fields) and import again."
        )


def _drop_z_and_m(gdf, info: dict, path: Path):
    """Drop heights (Z) and measures (M), saying so: layers are 2-D."""
    kind = str(info.get("geometry_type") or "")
    has_z = isinstance(gdf, gpd.GeoDataFrame) and bool(gdf.has_z.any())
    dropped = [
        w
        for w, on in (
            ("heights (Z)", has_z or kind.endswith(" Z") or "3D" in kind),
            ("measures (M)", kind.startswith("Measured") or kind.endswith("M")),
        )
        if on
    ]
    if dropped:
        warnings.warn(
            f"{path}: its geometries carry {' and '.join(dropped)} ({kind}); layers are 2-D, "
            "so they are dropped. To keep them, copy them into an attribute first (QGIS: "
            "Processing > Add Geometry Attributes).",
            RuntimeWarning,
            stacklevel=3,
        )
        if has_z:
            gdf = gdf.set_geometry(shapely.force_2d(gdf.geometry.values), crs=gdf.crs)
    return gdf


def _check_shp_length(path: Path) -> None:
    """Refuse a .shp shorter than its header says (GDAL reads it, with missing shapes)."""
    with open(path, "rb") as fh:
        header = fh.read(28)
    declared = int.from_bytes(header[24:28], "big") * 2 if len(header) == 28 else 0
    actual = path.stat().st_size
    if actual < declared:
        raise InputFileError(
            f"shapefile '{path}' is truncated: its header says {declared:,} bytes, the file has "
            f"{actual:,}; shapes at the end are missing. Copy or export it again."
        )


def _check_prj(prj: Path) -> None:
    """Refuse a .prj PROJ cannot read (GDAL either fails obscurely or ignores it)."""
    if not prj.exists():
        return
    text = prj.read_bytes().decode("latin-1").strip()
    try:
        pyproj.CRS.from_user_input(text)
    except pyproj.exceptions.CRSError:
        raise CRSError(
            f"'{prj}' does not hold a CRS that PROJ can read (it starts {text[:60]!r}). "
            "Replace it with the .prj of the source (export again), or delete it and state the "
            "CRS: `gis import FILE --as LAYER --crs EPSG:9205` (Python: crs=...)."
        ) from None


def _tm3_on_wgs84(crs: pyproj.CRS) -> int | None:
    """EPSG code of the VN-2000 / TM-3 zone whose parameters ``crs`` has on the WGS 84 datum
    (None if it is not such a CRS): what MapInfo, and QGIS's TAB writer, make of VN-2000."""
    op = crs.coordinate_operation if crs.is_projected else None
    datum = (crs.datum.name or "").upper() if crs.datum else ""
    if (
        op is None
        or op.method_name != "Transverse Mercator"
        or not ("WGS" in datum or "WORLD GEODETIC SYSTEM 1984" in datum)
    ):
        return None
    params = {p.name: p.value for p in op.params}
    if not (
        np.isclose(params.get("Scale factor at natural origin", 0), 0.9999)
        and np.isclose(params.get("False easting", 0), 500_000)
        and np.isclose(params.get("False northing", -1), 0)
    ):
        return None
    return tm3_epsg(float(params.get("Longitude of natural origin", -999)))


def _datum_shift_m(gdf: gpd.GeoDataFrame, wgs84_crs: pyproj.CRS, epsg: int) -> float:
    """How far the middle of ``gdf`` lies between reading its coordinates on WGS 84 and on
    VN-2000 (metres, on the ellipsoid)."""
    x0, y0, x1, y1 = gdf.total_bounds
    x, y = (x0 + x1) / 2, (y0 + y1) / 2
    lon_a, lat_a = transformer(wgs84_crs, "EPSG:4326").transform(x, y)
    lon_b, lat_b = transformer(f"EPSG:{epsg}", "EPSG:4326").transform(x, y)
    return float(pyproj.Geod(ellps="WGS84").inv(lon_a, lat_a, lon_b, lat_b)[2])


def _file_crs(gdf: gpd.GeoDataFrame, path: Path, ext: str, crs) -> gpd.GeoDataFrame:
    """Return ``gdf`` with the CRS its file states, or ``crs`` if it states none."""
    file_crs = _recognise_vn2000(gdf.crs) if gdf.crs is not None else None
    zone = _tm3_on_wgs84(file_crs) if file_crs is not None and len(gdf) else None
    if zone is not None:
        if crs is not None and _same_crs(pyproj.CRS.from_epsg(zone), crs):
            return gdf.set_crs(crs, allow_override=True)  # the user says: VN-2000 coordinates
        if crs is None:
            shift = _datum_shift_m(gdf, file_crs, zone)
            with warnings.catch_warnings():  # pyproj warns that PROJ strings lose detail
                warnings.simplefilter("ignore", UserWarning)
                proj = file_crs.to_proj4().replace(" +type=crs", "")
            raise CRSError(
                f"'{path}' states a Transverse Mercator with the parameters of VN-2000 / TM-3 "
                f"(EPSG:{zone}: k 0.9999, false easting 500 km) but on the WGS 84 datum, as "
                "MapInfo and QGIS write VN-2000 TM-3 layers. The two readings of its "
                f"coordinates lie {shift:,.0f} m apart here. Say which it is: `--crs "
                f"EPSG:{zone}` if the coordinates are VN-2000 (data made in Vietnam usually "
                f"are), or `--crs '{proj}'` to keep WGS 84 (Python: crs=...)."
            )
    if file_crs is None:
        if crs is None:
            prj = " or supply its .prj file" if ext == ".shp" else ""
            raise CRSError(
                f"'{path}' does not state its coordinate reference system. State it: "
                f"crs='EPSG:9205' in Python, `gis import FILE --as LAYER --crs EPSG:9205` on "
                f"the command line (EPSG:9205 = VN-2000 / TM-3 103-00; the province's zone is "
                f"planning_crs in its profile.toml; EPSG:4326 = lon/lat){prj}."
            )
        return gdf.set_crs(crs)
    if crs is not None and not _same_crs(file_crs, crs):
        raise CRSError(
            f"'{path}' states its CRS as {file_crs.name} ({file_crs.to_string()}), but "
            f"{crs.to_string()} was given. Drop the crs/--crs option to use the file's CRS, "
            "or fix the file (e.g. replace its .prj) if the file is wrong."
        )
    return gdf.set_crs(file_crs, allow_override=True)


def short_names(columns: list[str]) -> dict[str, str]:
    """Map names longer than 10 UTF-8 bytes to unique names of at most 10 bytes.

    The renames :func:`write_vector` makes with ``shorten_fields=True`` (and that
    :func:`restore_long_names` undoes); names that fit are not in the mapping.
    """
    taken, mapping = {c.lower() for c in columns if len(c.encode()) <= 10}, {}
    for col in columns:
        if len(col.encode()) <= 10:
            continue
        base, i, new = col.encode()[:10].decode(errors="ignore"), 1, None
        new = base
        while new.lower() in taken:
            suffix = f"_{i}"
            new = col.encode()[: 10 - len(suffix)].decode(errors="ignore") + suffix
            i += 1
        taken.add(new.lower())
        mapping[col] = new
    return mapping


def restore_long_names(
    data: pd.DataFrame, columns: list[str]
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Rename shapefile fields cut to 10 bytes back to the layer's column names.

    A field of ``data`` that is not in ``columns`` is renamed to the column whose shortened name
    it is: the name ``gis export --shorten-fields`` gives it (see :func:`write_vector`) or the
    name cut to 10 bytes (what QGIS and ArcGIS write). Columns already present are left alone.

    Parameters
    ----------
    data : DataFrame
        What :func:`read_vector` read from a shapefile.
    columns : list of str
        The layer's column names (its ``.meta.json`` schema).

    Returns
    -------
    (DataFrame, dict)
        The renamed copy and the renames made (file field -> column).

    Raises
    ------
    InputFileError
        If a field could be either of two columns (or two fields the same column).
    """
    missing = [c for c in columns if c not in data.columns and len(c.encode()) > 10]
    shortened = short_names(list(columns))
    candidates: dict[str, list[str]] = {}
    for field in data.columns:
        if field in columns or (isinstance(data, gpd.GeoDataFrame) and field == data.geometry.name):
            continue
        found = [c for c in missing if shortened.get(c) == field] or [
            c for c in missing if c.encode()[:10].decode(errors="ignore") == field
        ]
        if found:
            candidates[field] = found
    targets = [c for found in candidates.values() for c in found]
    ambiguous = {
        f: found
        for f, found in candidates.items()
        if len(found) > 1 or any(targets.count(c) > 1 for c in found)
    }
    if ambiguous:
        listing = "; ".join(f"'{f}' -> {' or '.join(map(repr, c))}" for f, c in ambiguous.items())
        raise InputFileError(
            f"cannot tell which columns the shortened shapefile field(s) stand for: {listing}. "
            "Rename the fields in the file (e.g. in QGIS) to the layer's column names, or "
            "exchange the data as GeoPackage (.gpkg), which keeps full names."
        )
    renames = {f: found[0] for f, found in candidates.items()}
    return data.rename(columns=renames), renames


#: Longest text a MapInfo TAB character field holds (bytes); GDAL cuts longer values.
TAB_TEXT_BYTES = 254


def _tab_fields(out: gpd.GeoDataFrame, path: Path) -> gpd.GeoDataFrame:
    """Columns MapInfo and older GDAL read, and a warning for each value MapInfo cannot hold.

    An int64 column is written by GDAL as MapInfo's ``LargeInt``, which GDAL before 3.7 (QGIS
    3.22 on Debian 12) cannot parse ("Failed to parse field definition"): integers that fit in
    32 bits are written as ``Integer``. MapInfo has no empty number or boolean: GDAL writes 0
    and F; and a text field holds 254 bytes: GDAL cuts the rest. Both are changes of the data,
    so each is reported (a ``RuntimeWarning`` naming the column and how many values), never
    silent; GeoPackage keeps them all.
    """
    out = out.copy()
    losses = []
    for col in out.columns:
        if col == out.geometry.name:
            continue
        s = out[col]
        if s.dtype.kind == "f" and len(s) and s.isna().all():  # an empty column of any type
            out[col] = s.astype(object)  # a text field: nothing becomes 0
            continue
        if s.dtype.kind in "iu" and (s.empty or s.abs().max() < 2**31):
            out[col] = s.astype("int32")
        elif s.dtype.kind in "iu":
            losses.append(
                f"'{col}' holds integers beyond 32 bits (MapInfo LargeInt: GDAL before "
                "3.7 cannot read the file)"
            )
        if s.dtype.kind in "fiub" or isinstance(s.dtype, pd.BooleanDtype | pd.Int64Dtype):
            n = int(s.isna().sum())
            if n:
                zero = "F" if s.dtype.kind == "b" or isinstance(s.dtype, pd.BooleanDtype) else "0"
                losses.append(
                    f"{n} empty value(s) of '{col}' become {zero} (MapInfo has no "
                    "empty number or boolean)"
                )
        elif s.dtype.kind == "O" or isinstance(s.dtype, pd.StringDtype):
            long = s.map(lambda v: isinstance(v, str) and len(v.encode()) > TAB_TEXT_BYTES)
            if long.any():
                losses.append(
                    f"{int(long.sum())} value(s) of '{col}' are cut to {TAB_TEXT_BYTES} bytes"
                )
    if losses:
        warnings.warn(
            f"{path}: MapInfo TAB changes data: {'; '.join(losses)}. Export to .gpkg to keep "
            "every value.",
            RuntimeWarning,
            stacklevel=4,
        )
    return out


def _prepare(
    gdf: gpd.GeoDataFrame, ext: str, path: Path, shorten_fields: bool
) -> tuple[gpd.GeoDataFrame, dict]:
    """Return the frame to write (reprojected, renamed, retyped) and GDAL layer options."""
    out, options = _nfc(gdf), {}
    if ext in (".geojson", ".json", ".kml"):
        out = to_crs(out, "EPSG:4326")
    if ext in (".geojson", ".json"):
        options["RFC7946"] = "YES"
    elif ext == ".kml":
        out = kml_booleans(out, path)
        for col in out.columns:  # KML stores int64 as string; int32 as int
            s = out[col]
            if s.dtype.kind == "i" and (s.dropna().empty or s.dropna().abs().max() < 2**31):
                nullable = s.hasnans or not isinstance(s.dtype, np.dtype)
                out[col] = s.astype("Int32" if nullable else "int32")
    elif ext == ".fgb":
        options["SPATIAL_INDEX"] = "NO"
    elif ext == ".tab":
        options["ENCODING"] = "UTF-8"
        out = single_type_points(_tab_fields(out, path), path, ext)
        if is_vn2000(out.crs):
            out = out.set_crs(pinned_crs(out.crs), allow_override=True)
        pad = _TAB_PAD[bool(out.crs.is_geographic)]
        x0, y0, x1, y1 = out.total_bounds if len(out) else (0.0, 0.0, 0.0, 0.0)
        options["BOUNDS"] = f"{x0 - pad},{y0 - pad},{x1 + pad},{y1 + pad}"
    elif ext == ".shp":
        mapping = short_names([c for c in out.columns if c != out.geometry.name])
        if mapping and not shorten_fields:
            pairs = ", ".join(f"{k} -> {v}" for k, v in mapping.items())
            raise InputFileError(
                f"cannot export '{path}': Shapefile field names are limited to 10 bytes and "
                f"these are longer: {', '.join(mapping)}. Rename them (suggested: {pairs}), "
                "shorten them with `gis export ... --shorten-fields` (Python: "
                "shorten_fields=True; `gis import` maps them back), or export to .gpkg instead."
            )
        if mapping:
            _log.warning("%s: shapefile field names shortened: %s", path, mapping)
            out = out.rename(columns=mapping)
        out = single_type_points(out, path, ext)
        long_text(out, path, limit_bytes=TAB_TEXT_BYTES, fmt="Shapefile")  # DBF: 254 bytes too
    return out, options


def write_vector(
    gdf: gpd.GeoDataFrame,
    path: str | os.PathLike,
    *,
    driver: str | None = None,
    shorten_fields: bool = False,
) -> Path:
    """Export ``gdf`` to ``path`` in the format of its extension, atomically.

    The file appears complete or not at all: it is written under a temporary name in the
    target folder and moved with ``os.replace`` (multi-file formats: every part, then stale
    parts of an older export are removed). GeoJSON and KML are written in EPSG:4326 with the
    pinned VN-2000 datum shift; other formats keep the CRS of ``gdf``. See the module
    docstring for what each format loses.

    Parameters
    ----------
    gdf : GeoDataFrame
        Layer with a CRS; not modified.
    path : path-like
        Target file; extension in :data:`SUPPORTED_FORMATS` except :data:`READ_ONLY_FORMATS`.
    driver : str, optional
        GDAL driver overriding the one of the extension (e.g. ``"KML"`` instead of LIBKML).
    shorten_fields : bool, default False
        Shapefile only: shorten field names longer than 10 bytes (logged) instead of raising.

    Returns
    -------
    pathlib.Path
        The written file (the ``.shp``/``.tab`` of multi-file formats).

    Raises
    ------
    InputFileError
        Unsupported extension, long shapefile field names, or GDAL could not write the data.
    CRSError
        ``gdf`` has no CRS.
    """
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in SUPPORTED_FORMATS or ext in READ_ONLY_FORMATS:
        raise InputFileError(
            f"cannot export to '{path}': unsupported extension '{ext or '(none)'}'. "
            f"Use one of: {_supported(write=True)}."
        )
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise InputFileError(
            f"cannot export a table without geometry to '{path}'; write tables as CSV "
            "(DataFrame.to_csv) or give a GeoDataFrame."
        )
    require_crs(gdf, name=path.stem)
    if not path.parent.is_dir():
        raise InputFileError(f"cannot export to '{path}': folder '{path.parent}' does not exist.")
    if driver is None:
        driver = SUPPORTED_FORMATS[ext][0]
        if driver == "LIBKML" and "LIBKML" not in pyogrio.list_drivers(write=True):
            driver = "KML"
    data, options = _prepare(gdf, ext, path, shorten_fields)
    dates = date_columns(data) if ext != ".kml" else []
    if dates:  # Date fields: only GDAL's Arrow interface writes them (else DateTime or text)
        data = data.assign(**{c: data[c].dt.date.astype(object) for c in dates})
    # a column "id" stays a field, not the Placemark id GDAL 3.6 (QGIS) does not read back
    config = {"LIBKML_ID_FIELD": KML_ID_PLACEHOLDER} if driver == "LIBKML" else {}

    tmp_dir = temp_dir(path)  # also removes the folders of exports that were killed
    try:
        target = tmp_dir / path.name
        try:
            with gdal_config(**config):
                pyogrio.write_dataframe(
                    data,
                    target,
                    layer=path.stem,
                    driver=driver,
                    encoding="UTF-8" if ext == ".shp" else None,
                    layer_options=options,
                    use_arrow=bool(dates),
                    dataset_options={"VERSION": "1.2"} if driver == "GPKG" else None,
                )
        except Exception as exc:
            full = disk_full_error(exc, path.parent)  # GDAL gives no errno for a full disk
            if full is not None:
                raise full from None
            raise InputFileError(
                f"cannot export '{path}' as {SUPPORTED_FORMATS[ext][1]}: "
                f"{_gdal_reason(exc).replace(str(target), str(path))}. Export to .gpkg, which "
                "accepts any layer."
            ) from exc
        written = {p.name for p in tmp_dir.iterdir()}
        for name in written:
            os.replace(tmp_dir / name, path.parent / name)
        for part in _PARTS.get(ext, ()):
            stale = path.with_suffix(part)
            if stale.name not in written and stale.exists():
                stale.unlink()
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
    return path


def write_geopackage(
    frames: Mapping[str, gpd.GeoDataFrame],
    path: str | os.PathLike,
    *,
    finish: Callable[[Path], object] | None = None,
) -> Path:
    """Write several layers into one GeoPackage, atomically (all of them or none).

    Each frame is prepared as :func:`write_vector` prepares a GeoPackage (NFC text, Date fields
    for dates). The file is written as GeoPackage 1.2, which GDAL 3.6 (QGIS 3.22 on Debian 12)
    reads without the warning "user_version ... may only be partially supported" it gives for
    GDAL 3.12's default 1.4.

    Parameters
    ----------
    frames : mapping of str to GeoDataFrame
        Layer name -> layer (each with a CRS), in the order to write.
    path : path-like
        Target ``.gpkg`` file, replaced if it exists.
    finish : callable, optional
        ``finish(tmp)`` is called with the written temporary file before it is moved to
        ``path`` (:mod:`gis.qgis` adds styles and metadata there).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    InputFileError
        Not a ``.gpkg`` path, no layers, a missing folder or GDAL could not write the data.
    CRSError
        A frame has no CRS.
    """
    from gis._writes import atomic_write

    path = Path(path)
    if path.suffix.lower() != ".gpkg":
        raise InputFileError(f"cannot write '{path}' as GeoPackage: the name must end in .gpkg.")
    if not frames:
        raise InputFileError(f"cannot write '{path}': no layers were given.")
    if not path.parent.is_dir():
        raise InputFileError(f"cannot export to '{path}': folder '{path.parent}' does not exist.")
    prepared = {}
    for name, gdf in frames.items():
        require_crs(gdf, name=name)
        data = _prepare(gdf, ".gpkg", path, False)[0]
        dates = date_columns(data)
        prepared[name] = (
            data.assign(**{c: data[c].dt.date.astype(object) for c in dates}),
            bool(dates),
        )

    def _write(tmp: Path) -> None:
        for i, (name, (data, arrow)) in enumerate(prepared.items()):
            try:
                pyogrio.write_dataframe(
                    data,
                    tmp,
                    layer=name,
                    driver="GPKG",
                    use_arrow=arrow,
                    dataset_options={"VERSION": "1.2"} if i == 0 else None,
                )
            except Exception as exc:
                full = disk_full_error(exc, path.parent)
                if full is not None:
                    raise full from None
                raise InputFileError(
                    f"cannot write layer '{name}' to '{path}': "
                    f"{_gdal_reason(exc).replace(str(tmp), str(path))}."
                ) from exc
        if finish is not None:
            finish(tmp)

    return atomic_write(path, _write)


def write_table(frame: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write a table to ``.csv`` or ``.xlsx`` (by its extension), atomically; return ``path``.

    Text a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` ...) is kept as text
    (:mod:`gis._safe_text`); any other extension is written as .xlsx.

    Raises
    ------
    InputFileError
        If the folder of ``path`` does not exist.
    """
    from gis._safe_text import csv_frame, excel_frame, excel_sheet
    from gis._writes import atomic_write

    path = Path(path)
    if not path.parent.is_dir():
        raise InputFileError(f"cannot export to '{path}': folder '{path.parent}' does not exist.")

    def _xlsx(tmp: Path) -> None:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
            excel_frame(frame).to_excel(xl, index=False)
            excel_sheet(next(iter(xl.sheets.values())))

    def _csv(tmp: Path) -> None:
        csv_frame(frame).to_csv(tmp, index=False)

    return atomic_write(path, _csv if path.suffix.lower() == ".csv" else _xlsx)
