"""Checks of user files before they are read: content against extension, rasters.

Used by :mod:`gis.io` (which re-exports :func:`check_raster`). A file whose first bytes say it
is something else than its extension (a PNG named ``.geojson``, a CSV named ``.shp``) is refused
with a message naming what it looks like, instead of GDAL's "not recognized as being in a
supported file format".
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from gis.errors import InputFileError, Problem, RasterError

__all__ = ["RASTER_FORMATS", "check_content", "check_raster"]

#: Raster extensions: not imported into the store; checked by :func:`check_raster`.
RASTER_FORMATS = frozenset({".tif", ".tiff", ".vrt", ".img", ".asc", ".nc"})
_MAGIC = (  # first bytes -> what the file is
    (b"SQLite format 3\x00", "an SQLite database (GeoPackage)"),
    (b"\x00\x00\x27\x0a", "a Shapefile .shp"),
    (b"fgb\x03", "FlatGeobuf"),
    (b"PK\x03\x04", "a zip archive"),
    (b"PK\x05\x06", "a zip archive"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"%PDF", "a PDF document"),
    (b"II*\x00", "a TIFF image (raster)"),
    (b"MM\x00*", "a TIFF image (raster)"),
    (b"II+\x00", "a TIFF image (raster)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file (.xls/.doc)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
)
_EXPECTED_CONTENT = {
    ".gpkg": ("an SQLite database (GeoPackage)",),
    ".shp": ("a Shapefile .shp",),
    ".fgb": ("FlatGeobuf",),
    ".zip": ("a zip archive",),
    ".geojson": ("JSON text",),
    ".json": ("JSON text",),
    ".kml": ("XML",),
    ".tab": ("MapInfo TAB",),
    ".csv": ("plain text (e.g. CSV)", "JSON text", "MapInfo TAB"),
}
_KIND_EXT = {
    "an SQLite database (GeoPackage)": ".gpkg",
    "a Shapefile .shp": ".shp",
    "FlatGeobuf": ".fgb",
    "a zip archive": ".zip",
    "a PNG image": ".png",
    "a JPEG image": ".jpg",
    "a PDF document": ".pdf",
    "a TIFF image (raster)": ".tif",
    "JSON text": ".geojson",
    "plain text (e.g. CSV)": ".csv",
    "HTML": ".html",
}


def _sniff(path: Path) -> str | None:
    """Name what the first bytes of ``path`` are, or None if unrecognised."""
    with open(path, "rb") as fh:
        head = fh.read(512)
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] in (b"{", b"["):
        return "JSON text"
    if text[:1] == b"<":
        return "HTML" if text[:15].lower().startswith((b"<!doctype html", b"<html")) else "XML"
    if text.lower().startswith(b"!table"):
        return "MapInfo TAB"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        if b"\x00" in head:
            return None
    return "plain text (e.g. CSV)"


def check_content(path: Path, ext: str, what: str) -> None:
    """Refuse a file whose content is not what its extension says (a PNG named .geojson)."""
    kind = _sniff(path)
    if kind is None or kind in _EXPECTED_CONTENT.get(ext, (kind,)):
        return
    hint = _KIND_EXT.get(kind)
    rename = f"rename it to '{path.stem}{hint}' if that is what it is, or " if hint else ""
    raise InputFileError(
        f"'{path}' is not a {ext} file ({what}): its content looks like {kind}. "
        f"The extension is wrong or the file is damaged: {rename}export it again "
        "from the program that made it."
    )


def check_raster(path: str | os.PathLike) -> dict:
    """Open a raster and check it can be used for zonal statistics.

    Parameters
    ----------
    path : path-like
        A GeoTIFF or any raster GDAL reads.

    Returns
    -------
    dict
        ``driver``, ``width``, ``height``, ``count`` (bands), ``dtype``, ``crs`` (string),
        ``nodata``, ``bounds`` and ``problems``: a list of :class:`~gis.errors.Problem`
        (severity ``"warning"``): no nodata value declared (every cell then counts as data,
        so a fill value such as -3.4e38 would enter sums and means).

    Raises
    ------
    InputFileError
        The file is missing, empty or not a raster GDAL can read (truncated, wrong extension).
    RasterError
        The raster has no CRS, so shapes cannot be placed on it.
    """
    import rasterio
    from rasterio.errors import NotGeoreferencedWarning, RasterioIOError

    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"raster '{path}' does not exist (or is a folder). Check the path.")
    if path.stat().st_size == 0:
        raise InputFileError(f"raster '{path}' is empty (0 bytes). Copy or download it again.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotGeoreferencedWarning)
            with rasterio.open(path) as ds:
                info = {
                    "driver": ds.driver,
                    "width": ds.width,
                    "height": ds.height,
                    "count": ds.count,
                    "dtype": ds.dtypes[0] if ds.count else None,
                    "crs": ds.crs.to_string() if ds.crs else None,
                    "nodata": ds.nodata,
                    "bounds": tuple(ds.bounds),
                }
                if ds.count:  # read one block: a truncated file fails here, not at open
                    ds.read(1, window=((ds.height - 1, ds.height), (0, min(ds.width, 256))))
    except RasterioIOError as exc:
        raise InputFileError(
            f"cannot read raster '{path}': the file is truncated, corrupt or not a raster "
            f"(GDAL: {str(exc).splitlines()[0][:200]}). Download or export it again; check "
            "it with gdalinfo."
        ) from exc
    if info["crs"] is None:
        raise RasterError(
            f"raster '{path}' has no CRS, so shapes cannot be placed on it. Assign the CRS of "
            f"its source, e.g. `gdal_edit.py -a_srs EPSG:4326 '{path}'` (WorldPop, WorldCover, "
            "Copernicus DEM) or `-a_srs ESRI:54009` (GHSL Mollweide)."
        )
    info["problems"] = []
    if info["nodata"] is None:
        info["problems"].append(
            Problem(
                path.name,
                "nodata",
                f"declares no nodata value ({info['dtype']}): every cell counts as data",
                hint=f"set it: `gdal_edit.py -a_nodata VALUE '{path}'`, or pass nodata= to "
                "the statistics",
                severity="warning",
            )
        )
    return info
