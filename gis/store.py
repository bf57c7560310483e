"""The layer store: list, read and write layers by name, atomically, with history.

On disk, a province folder ``layers/<slug>/`` holds per layer:

* ``<name>.geojson`` (vector) or ``<name>.csv`` (table): the data; a vector layer whose meta
  says ``"format": "geoparquet"`` is stored as ``<name>.parquet`` instead (see below);
* ``<name>.meta.json``: its schema (columns, types, allowed values, geometry type, CRS, id
  column) and provenance (source, licence, date, processing).

Why GeoJSON and CSV? Planners review edits in git: one feature per line makes a diff show which
features changed. QGIS, MapInfo (through GDAL), ArcGIS and every web tool open GeoJSON, and
``gis export`` writes GeoPackage, Shapefile, MapInfo TAB, KML and FlatGeobuf for those who need
them. Layers are stored in the province's planning CRS (EPSG:9205 for Lai Châu, metres, written in
the file's ``crs`` member, which QGIS and GDAL honour) with coordinates snapped to 1 cm
(``shapely.set_precision``, which keeps polygons valid and shared edges shared; a geometry already
on the grid keeps its vertex order, so saving unchanged data rewrites nothing). GeoPackage would
be faster for large layers but is a binary SQLite file whose git diff is unreadable.

National reference layers are the exception: the 3,321 communes of 2025 take 12.6 MiB as GeoParquet
(zstd) but 65.7 MiB as GeoJSON, too large for a git repository, and nobody edits them feature by
feature. Their meta says ``"format": "geoparquet"``; everything else (schema, checks, history,
restore) works the same.

Writes are atomic: the new file is written beside the old one, flushed to disk and moved over it
with ``os.replace``; a crash leaves either the old or the new file, never half of one. A save
that changes the schema replaces two files (data, then meta): it first journals the new meta in
``.history/<name>.pending-meta.json``, so a crash between the two still reads as the new version
and the next save completes the pair (or drops the journal if the data was not replaced). Invalid
data is refused before anything is written. Each replaced version is kept in
``<slug>/.history/<name>/`` (with its schema, ``<version>.schema.json``, when the save changed the
schema) and can be brought back with :func:`restore`. Every save is logged in
``.history/<name>/log.jsonl`` with the features it added, removed and modified (:func:`history`).
A lock file serialises concurrent writers and ``if_version`` refuses a save when someone else
saved in between.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import io
import json
import os
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from gis import settings
from gis._diff import CHANGES, change_counts, diff
from gis._rules import Get
from gis._validation import check_frame
from gis._writes import atomic_write as _atomic_write_bytes
from gis._writes import disk_full_error, write_error
from gis.crs import require_crs, to_crs
from gis.errors import (
    ConflictError,
    GisError,
    LayerError,
    LayerNotFoundError,
    Problem,
    ValidationError,
)
from gis.profile import Profile, load_profile
from gis.text import normalise_text_columns

__all__ = [
    "check_layer",
    "check_layer_name",
    "history",
    "layer_meta",
    "layer_path",
    "layer_reader",
    "layer_version",
    "list_layers",
    "read_cache",
    "read_layer",
    "read_version",
    "restore",
    "write_layer",
]

_PANDAS_DTYPES = {
    "str": "str",
    "int": "Int64",
    "float": "float64",
    "bool": "boolean",
    "date": "datetime64[ms]",
}  # date: a calendar day, stored as "2024-03-15"
#: Frames parsed inside :func:`read_cache`: (path, sha256 of the bytes, schema) -> frame.
_READ_CACHE: dict[tuple[str, str, str], pd.DataFrame] | None = None


def _meta_path(profile: Profile, name: str) -> Path:
    return profile.path / f"{name}.meta.json"


#: Longest layer name: its files (``.history/<name>.lock``, temporary names) stay far below the
#: 255 bytes file systems allow.
MAX_NAME_CHARS = 64
#: Names Windows reserves for devices (also with an extension): a planner checking the store out
#: on Windows could not open ``con.geojson``.
_WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{d}{i}" for d in ("com", "lpt") for i in range(10)]
)


def _shown(name: object) -> str:
    """A name as a message shows it: escaped (newlines, controls), at most 60 characters."""
    text = repr(name) if not isinstance(name, str) else repr(name)[1:-1]
    return text if len(text) <= 60 else f"{text[:40]}…({len(text):,} characters)"


def _name_problem(name: object) -> str | None:
    if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]*[a-z0-9][a-z0-9_]*", name):
        return (
            f"layer name '{_shown(name)}' is not allowed; use lower-case ASCII letters, digits "
            "and underscores, e.g. 'urban_areas'."
        )
    if len(name) > MAX_NAME_CHARS:
        return (
            f"layer name '{_shown(name)}' is too long; use at most {MAX_NAME_CHARS} characters "
            "(its files must fit the file system's name limit), e.g. 'urban_areas_2030'."
        )
    if name in _WINDOWS_RESERVED:
        return (
            f"layer name '{name}' is a device name on Windows ({name}.geojson cannot be opened "
            f"there, and planners check the store out on Windows); choose another, e.g. "
            f"'{name}_layer'."
        )
    return None


def check_layer_name(name: str) -> None:
    """Raise :class:`LayerError` unless ``name`` can name a layer.

    A name is lower-case ASCII letters, digits and underscores (so never a path: ``../x``),
    at most :data:`MAX_NAME_CHARS` characters, and not a Windows device name (``con``, ``nul``).
    """
    problem = _name_problem(name)
    if problem:
        raise LayerError(problem)


_KINDS = ("vector", "table")
#: Storage formats a vector layer's meta may ask for (``"format"``), with their file suffix.
_FORMATS = {"geojson": "geojson", "geoparquet": "parquet"}
_GEOMETRY_TYPES = (
    "Point",
    "LineString",
    "Polygon",
    "MultiPoint",
    "MultiLineString",
    "MultiPolygon",
    "",
    None,
)


@functools.lru_cache(maxsize=64)
def _known_crs(text: str) -> bool:
    import pyproj

    try:
        pyproj.CRS.from_user_input(text)
    except pyproj.exceptions.CRSError:
        return False
    return True


def _meta_problems(meta: object) -> list[str]:
    """What makes ``meta`` unusable as a layer description (hand edits), empty if nothing."""
    if not isinstance(meta, dict):
        found = {list: "a list", type(None): "null"}.get(type(meta), type(meta).__name__)
        return [f"it holds {found}, not an object with kind, columns and provenance"]
    out = []
    kind = meta.get("kind")
    if kind not in _KINDS:
        out.append(
            f"'kind' is {_shown(kind) if 'kind' in meta else 'missing'}; write "
            '"kind": "vector" (with geometries) or "table"'
        )
    columns = meta.get("columns", [])
    if not isinstance(columns, list):
        out.append(
            "'columns' is not a list; write a list of column objects, "
            '[{"name": "code", "dtype": "str"}, ...]'
        )
        columns = []
    for i, col in enumerate(columns, start=1):
        if not isinstance(col, dict) or not isinstance(col.get("name"), str) or not col["name"]:
            out.append(f'column {i} has no "name"; give it one or delete it')
            continue
        dtype = col.get("dtype", "str")
        if dtype not in _PANDAS_DTYPES:
            out.append(
                f"column '{_shown(col['name'])}' has dtype {_shown(dtype)}; use one of "
                f"{', '.join(_PANDAS_DTYPES)}"
            )
        if col.get("allowed") is not None and not isinstance(col["allowed"], list):
            out.append(
                f"column '{_shown(col['name'])}': 'allowed' is not a list; write the "
                'allowed values as a list, e.g. "allowed": ["a", "b"]'
            )
    if kind == "vector":
        geometry_type = meta.get("geometry_type")
        if geometry_type not in _GEOMETRY_TYPES:
            out.append(
                f"'geometry_type' is {_shown(geometry_type)}; use Point, LineString or "
                'Polygon (or "" for a layer that mixes them)'
            )
        crs = meta.get("crs")
        if crs is not None and (not isinstance(crs, str) or not _known_crs(crs)):
            out.append(
                f"'crs' {_shown(crs)} is not a CRS PROJ knows; write the planning CRS of "
                'profile.toml, e.g. "EPSG:9205"'
            )
    fmt = meta.get("format", "geojson")
    if fmt not in _FORMATS or (kind == "table" and "format" in meta):
        out.append(
            f"'format' is {_shown(fmt)}; a vector layer may say \"geojson\" (default) or "
            '"geoparquet", a table none'
        )
    id_column = meta.get("id_column")
    if id_column is not None and not isinstance(id_column, str):
        out.append("'id_column' is not a column name; write a name or null")
    if not isinstance(meta.get("provenance", {}), dict):
        out.append(
            "'provenance' is not an object; write "
            '{"source": "...", "licence": "...", "date": "..."}'
        )
    return out


def _read_meta(path: Path) -> dict[str, Any]:
    """Read and check a ``.meta.json``: the metadata, or one :class:`LayerError` saying why not."""
    fix = (
        f"Fix it by hand (compare with another layer's .meta.json) or bring back the "
        f"committed one: `git checkout -- {path.name}`."
    )
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LayerError(
            f"{path} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at position "
            f"{exc.start:,}); save it as UTF-8. {fix}"
        ) from None
    try:
        meta = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LayerError(f"{path} is not valid JSON ({exc}); restore it from git.") from None
    except RecursionError:
        raise LayerError(f"{path} is nested too deeply to be a layer description. {fix}") from None
    problems = _meta_problems(meta)
    if problems:
        raise LayerError(f"{path} is not a valid layer description: {'; '.join(problems)}. {fix}")
    return meta


def _suffix(meta: dict[str, Any]) -> str:
    """The data file suffix of a layer (no dot): ``csv``, ``geojson`` or ``parquet``."""
    return "csv" if meta["kind"] == "table" else _FORMATS[meta.get("format", "geojson")]


def layer_path(
    name: str, *, province: str | Profile | None = None, layers_dir: str | Path | None = None
) -> Path:
    """Return the data file of layer ``name`` (``.geojson``, ``.parquet`` or ``.csv``)."""
    meta = layer_meta(name, province=province, layers_dir=layers_dir)
    profile = load_profile(province, layers_dir=layers_dir)
    return profile.path / f"{name}.{_suffix(meta)}"


def layer_meta(
    name: str, *, province: str | Profile | None = None, layers_dir: str | Path | None = None
) -> dict[str, Any]:
    """Return the metadata (schema and provenance) of layer ``name``.

    Raises
    ------
    LayerNotFoundError
        If the layer has no ``.meta.json`` in the province folder; the message lists the layers.
    """
    profile = load_profile(province, layers_dir=layers_dir)
    problem = _name_problem(name)
    if problem:  # never a path (../x), nor a name the file system refuses
        raise LayerNotFoundError(problem)
    path = _meta_path(profile, name)
    if not path.is_file():
        names = sorted(p.name.removesuffix(".meta.json") for p in profile.path.glob("*.meta.json"))
        raise LayerNotFoundError(
            f"no layer '{name}' in {profile.path}. Layers: {', '.join(names) or 'none'}. "
            f"Create it with `gis import FILE --as {name} --source SOURCE --licence LICENCE` "
            "(then refine its schema in the .meta.json written beside it)."
        )
    meta = _read_meta(path)
    if _pending_path(profile, name).exists():  # rare: a schema-changing save was killed
        data = profile.path / f"{name}.{_suffix(meta)}"
        meta = _pending_meta(profile, name, _sha256(data) if data.exists() else None) or meta
    return meta


def _iter_layer_names(profile: Profile) -> list[str]:
    on_disk = sorted(p.name.removesuffix(".meta.json") for p in profile.path.glob("*.meta.json"))
    ordered = [n for n in profile.layers if n in on_disk]
    return ordered + [n for n in on_disk if n not in ordered]


def list_layers(
    *, province: str | Profile | None = None, layers_dir: str | Path | None = None
) -> pd.DataFrame:
    """Return the catalogue: one row per layer with kind, size, CRS and provenance.

    Examples
    --------
    >>> cat = list_layers(province="lai_chau")
    >>> int(cat.loc[cat["name"] == "districts_pre2025", "features"].iloc[0])
    8
    """
    profile = load_profile(province, layers_dir=layers_dir)
    rows = []
    for name in _iter_layer_names(profile):
        meta = layer_meta(name, province=profile)
        data = layer_path(name, province=profile)
        if meta["kind"] == "table":
            n = len(pd.read_csv(data, dtype=str)) if data.exists() else None
        elif data.suffix == ".parquet":
            n = _parquet_rows(data)
        else:
            try:
                n = pyogrio.read_info(data)["features"] if data.exists() else None
            except Exception:  # a damaged file: read_layer/validate say what is wrong
                n = None
        prov = meta.get("provenance", {})
        rows.append(
            {
                "name": name,
                "kind": meta["kind"],
                "geometry": meta.get("geometry_type", ""),
                "features": n,
                "crs": meta.get("crs", ""),
                "title": meta.get("title", ""),
                "source": prov.get("source", ""),
                "licence": prov.get("licence", ""),
                "date": prov.get("date", ""),
                "accuracy": meta.get("accuracy", ""),
            }
        )
    return pd.DataFrame(rows)


def _parquet_rows(path: Path) -> int | None:
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path).metadata.num_rows if path.exists() else None
    except Exception:  # a damaged file: read_layer/validate say what is wrong
        return None


def _read_bytes(raw: bytes | Path, meta: dict[str, Any]) -> pd.DataFrame:
    """Parse a layer's data (its bytes, or a history file) as its meta says."""
    src = io.BytesIO(raw) if isinstance(raw, bytes) else raw
    if meta["kind"] == "table":
        str_cols = {c["name"]: str for c in meta.get("columns", []) if c.get("dtype") == "str"}
        return pd.read_csv(src, dtype=str_cols, keep_default_na=False, na_values=[""])
    if _suffix(meta) == "parquet":
        return gpd.read_parquet(src)
    return pyogrio.read_dataframe(src)


def _cast(df: pd.DataFrame, meta: dict[str, Any]) -> pd.DataFrame:
    for col in meta.get("columns", []):
        name, dtype = col["name"], col.get("dtype", "str")
        if name in df.columns and dtype in _PANDAS_DTYPES:
            with contextlib.suppress(ValueError, TypeError):  # validation reports bad values
                df[name] = df[name].astype(_PANDAS_DTYPES[dtype])
    return df


@contextlib.contextmanager
def read_cache() -> Iterator[None]:
    """Within the block, :func:`read_layer` parses each version of a layer file only once.

    ``gis build`` reads most layers three times (validation, statistics, maps): 48 reads of 23
    files for Lai Châu. Every read still reads the file's bytes and hashes them; a file whose
    bytes and schema are those of an earlier read is not parsed again, and the caller gets a
    copy of the frame parsed then (its own to change). The cache is dropped when the outermost
    block ends.

    Examples
    --------
    >>> with read_cache():
    ...     a = read_layer("province", province="lai_chau")
    ...     b = read_layer("province", province="lai_chau")  # not parsed again
    >>> a.equals(b) and a is not b
    True
    """
    global _READ_CACHE
    outer = _READ_CACHE is None
    if outer:
        _READ_CACHE = {}
    try:
        yield
    finally:
        if outer:
            _READ_CACHE = None


def read_layer(
    name: str, *, province: str | Profile | None = None, layers_dir: str | Path | None = None
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Read layer ``name``: a GeoDataFrame in the planning CRS, or a DataFrame for a table.

    Column types follow the layer's schema (codes stay text: ``"03388"``).

    Examples
    --------
    >>> read_layer("province", province="lai_chau").crs.to_epsg()
    9205
    """
    profile = load_profile(province, layers_dir=layers_dir)
    meta = layer_meta(name, province=profile)
    path = layer_path(name, province=profile)
    if not path.exists():
        raise LayerNotFoundError(
            f"layer '{name}' has metadata but no data file {path.name}; bring back a kept "
            f"version with `gis restore {name} VERSION` (`gis history {name}` lists them) or "
            "restore it from git."
        )
    # Parse the very bytes that are hashed: reading the file twice (once to parse, once to hash)
    # lets a save land in between, and a stale edit would then pass the if_version check.
    raw = path.read_bytes()
    version = hashlib.sha256(raw).hexdigest()
    meta = _pending_meta(profile, name, version) or meta  # a save killed between its two files
    key = (str(path), version, json.dumps(meta.get("columns", []), sort_keys=True) + meta["kind"])
    if _READ_CACHE is not None and key in _READ_CACHE:
        return _READ_CACHE[key].copy()
    try:
        df = _read_bytes(raw, meta)
    except Exception as exc:  # pandas and GDAL raise many types for a damaged file
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise LayerError(
            f"layer '{name}': cannot read {path} ({len(raw):,} bytes): {reason}. The file was "
            f"damaged outside the toolkit; bring back the last good version with "
            f"`gis restore {name} VERSION` (`gis history {name}` lists them) or "
            f"`git checkout -- {path.name}`."
        ) from None
    df = _cast(df, meta)
    df.attrs["layer"] = name
    df.attrs["version"] = version
    if _READ_CACHE is not None:
        _READ_CACHE[key] = df.copy()
    return df


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def layer_version(
    name: str, *, province: str | Profile | None = None, layers_dir: str | Path | None = None
) -> str | None:
    """Return the content hash (sha256) of the layer's data file, or None if absent."""
    path = layer_path(name, province=province, layers_dir=layers_dir)
    return _sha256(path) if path.exists() else None


def _no_link(path: Path) -> None:
    """Refuse to go through a symbolic link among the store's own files (lock, history)."""
    if path.is_symlink():
        raise LayerError(
            f"{path} is a symbolic link (to {os.readlink(path)}); the store never follows links "
            "in its own files, which could make a save write outside the store. Delete the link "
            f"(`rm '{path}'`) and run the command again."
        )


@contextlib.contextmanager
def _locked(folder: Path, name: str, undo: dict | None = None) -> Iterator[None]:
    """Hold the lock of layer ``name``.

    With ``undo`` (``{"made": [paths], "done": False}``) the caller records in ``made`` what it
    creates; if the block fails before the caller sets ``done``, those files, and the lock file
    and ``.history`` folder this call created, are removed: the store is left as it was."""
    history = folder / ".history"
    _no_link(history)
    created = [] if history.is_dir() else [history]
    lock = history / f"{name}.lock"
    while True:
        history.mkdir(parents=True, exist_ok=True)  # again: a failed first save may remove it
        try:  # never "w": a link planted at the lock's place would truncate its target
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
            new = True
        except FileExistsError:
            _no_link(lock)
            try:
                fd = os.open(lock, os.O_RDWR | os.O_NOFOLLOW)
            except FileNotFoundError:  # removed by a failed first save meanwhile: try again
                continue
            new = False
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:  # a failed first save may have removed the file we waited on: lock the new one
            same = os.stat(lock, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    created += [lock] if new else []
    try:
        yield
    except BaseException:
        if undo is not None and not undo["done"]:  # newest first: files, folders, lock
            for path in [*reversed(undo["made"]), *reversed(created)]:
                with contextlib.suppress(OSError):
                    path.rmdir() if path.is_dir() and not path.is_symlink() else path.unlink()
        raise
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _prepare(data: pd.DataFrame, meta: dict[str, Any], profile: Profile, name: str):
    """Return a normalised copy: NFC text, planning CRS, coordinates on a 1 cm grid.

    Carriage returns in text become line breaks (``\\r\\n`` and a lone ``\\r``): written
    unquoted in a table's CSV, a lone CR split the row in two.
    """
    out = normalise_text_columns(data)
    for col in out.columns:
        if col != "geometry" and out[col].dtype.kind == "O":
            has_cr = out[col].map(lambda v: isinstance(v, str) and "\r" in v).to_numpy(dtype=bool)
            if has_cr.any():
                out[col] = out[col].map(
                    lambda v: (
                        v.replace("\r\n", "\n").replace("\r", "\n") if isinstance(v, str) else v
                    )
                )
    if meta["kind"] == "table":
        return pd.DataFrame(out.drop(columns="geometry", errors="ignore"))
    if not isinstance(out, gpd.GeoDataFrame):
        raise LayerError(
            f"layer '{name}' is a vector layer but got a {type(data).__name__} without "
            "geometry; pass a GeoDataFrame."
        )
    require_crs(out, name=name)
    out = to_crs(out, profile.planning_crs)
    grid = 10.0**-settings.STORAGE_COORD_DECIMALS_M
    geoms = out.geometry.values
    # Invalid geometries are left as they are: validation reports them (GEOS cannot snap them).
    ok = shapely.is_valid(geoms) & ~shapely.is_missing(geoms)
    out.loc[ok, out.geometry.name] = _snap(geoms[ok], grid)
    return out


def _snap(geoms: np.ndarray, grid: float) -> np.ndarray:
    """Return ``geoms`` on a ``grid`` (m) grid, keeping each one's vertex order where possible.

    ``shapely.set_precision`` rebuilds polygons (keeping them valid and shared edges shared) but
    also moves each ring's starting vertex, so saving unchanged data would rewrite every feature
    and the git diff would no longer show which features changed. Where rounding each coordinate
    in place gives a valid geometry equal, up to vertex order, to ``set_precision``'s result, the
    rounded geometry is kept (unchanged data is then written byte for byte as it was);
    otherwise ``set_precision``'s result is used.
    """
    if len(geoms) == 0:
        return geoms
    snapped = shapely.set_precision(geoms, grid)
    scale = round(1.0 / grid)
    rounded = shapely.transform(geoms, lambda c: np.round(c * scale) / scale, include_z=None)
    same = shapely.is_valid(rounded) & shapely.equals_exact(
        shapely.normalize(rounded), shapely.normalize(snapped), tolerance=0
    )
    return np.where(same, rounded, snapped)


def _canonical(geoms: np.ndarray) -> np.ndarray:
    """Each geometry as a normalised collection of its parts: blind to single vs multi form,
    ring start, orientation and order of parts."""
    parts, index = shapely.get_parts(geoms, return_index=True)
    out = np.full(len(geoms), None, dtype=object)
    if len(parts):
        collections = shapely.geometrycollections(parts, indices=index)
        out[: len(collections)] = shapely.normalize(collections)
    return out


def _keep_stored_geometries(
    new: gpd.GeoDataFrame, name: str, meta: dict[str, Any], profile: Profile
) -> gpd.GeoDataFrame:
    """Give features whose geometry only changed form the geometry already stored.

    Shapefile and MapInfo TAB turn one-part MultiPolygons into Polygons and reorder rings, and a
    WGS 84 export keeps 6 decimals; re-importing such a copy of unchanged data would rewrite
    every feature and hide the real edits in the git diff. Matched by the layer's id column
    (skipped without a unique one); see ``settings.UNCHANGED_GEOMETRY_TOLERANCE_M``.
    """
    id_col = meta.get("id_column")
    path = profile.path / f"{name}.{_suffix(meta)}"
    if not id_col or id_col not in new.columns or not path.exists():
        return new
    if new[id_col].duplicated().any():  # validation refuses it anyway
        return new
    try:
        if path.suffix == ".parquet":
            old = gpd.read_parquet(path, columns=[id_col, "geometry"])
        else:
            old = pyogrio.read_dataframe(path, columns=[id_col])
    except Exception:  # a damaged stored file: nothing to keep, the save replaces it
        return new
    if id_col not in old.columns or old[id_col].duplicated().any():
        return new
    stored = dict(zip(old[id_col].astype(str), old.geometry.values, strict=True))
    new_geoms = new.geometry.values
    old_geoms = np.array([stored.get(str(i)) for i in new[id_col]], dtype=object)
    has = ~shapely.is_missing(old_geoms) & ~shapely.is_missing(new_geoms)
    has &= ~shapely.is_empty(np.where(has, old_geoms, None)) & ~shapely.is_empty(new_geoms)
    if not has.any():
        return new
    same = np.zeros(len(new), dtype=bool)
    same[has] = shapely.equals_exact(
        _canonical(new_geoms[has]),
        _canonical(old_geoms[has]),
        tolerance=settings.UNCHANGED_GEOMETRY_TOLERANCE_M,
    )
    if not same.any():
        return new
    out = new.copy()
    out.loc[same, out.geometry.name] = old_geoms[same]
    return out


def write_layer(
    data: pd.DataFrame,
    name: str,
    *,
    meta: dict[str, Any] | None = None,
    province: str | Profile | None = None,
    layers_dir: str | Path | None = None,
    message: str = "",
    if_version: str | None = None,
    check_rules: bool = True,
) -> Path:
    """Validate and save ``data`` as layer ``name``, atomically, keeping the old version.

    Parameters
    ----------
    data : GeoDataFrame or DataFrame
        The new content. Vector data in any CRS is reprojected to the planning CRS; data
        without a CRS is refused.
    name : str
        Layer name (file stem), lower-case ASCII with underscores.
    meta : dict, optional
        Schema and provenance; required for a new layer, default the current metadata.
    province, layers_dir : optional
        Which store (defaults from :mod:`gis.settings`).
    message : str
        Note for the history log (who/why).
    if_version : str, optional
        The version (:func:`layer_version`) the data was read from; if the file changed
        since, :class:`ConflictError` is raised and nothing is written. ``""``: the layer is
        new, and the save is refused if someone created it in the meantime.
    check_rules : bool
        Also check the profile's topology rules naming this layer (default True).

    Returns
    -------
    pathlib.Path
        The data file written. The save is logged (:func:`history`) with the features it
        added, removed and modified.

    Raises
    ------
    ValidationError
        If the data breaks its schema or a rule; every problem is listed, nothing is written
        (:func:`check_layer` finds the same problems without saving).
    ConflictError
        If ``if_version`` no longer matches the file on disk.
    """
    profile = load_profile(province, layers_dir=layers_dir)
    check_layer_name(name)
    if meta is None:
        meta = layer_meta(name, province=profile)
    problems = _meta_problems(meta)
    if problems:  # a meta every later read would refuse: refuse it now
        raise LayerError(f"layer '{name}': the metadata given is not valid: {'; '.join(problems)}.")
    prepared, problems = _checked(data, name, meta, profile, check_rules)
    if any(p.severity == "error" for p in problems):
        raise ValidationError(name, problems)

    suffix = _suffix(meta)
    if suffix != "csv":
        prepared = _keep_stored_geometries(prepared, name, meta, profile)

    def _write(tmp: Path) -> None:
        if suffix == "csv":
            prepared.to_csv(tmp, index=False, lineterminator="\n", encoding="utf-8")
        elif suffix == "parquet":
            # zstd level 19: the 3,321 national communes take 12.6 MiB instead of 25.0 MiB with
            # the default snappy (measured 2026-12-06); the bytes are the same for the same data.
            frame = prepared.copy()
            frame.attrs = {}  # pandas writes attrs (layer name, version) into the file otherwise
            try:
                frame.to_parquet(tmp, index=False, compression="zstd", compression_level=19)
            except OSError as exc:
                raise disk_full_error(exc, tmp.parent) or exc from None
        else:
            dates = {
                c["name"]: pd.to_datetime(prepared[c["name"]]).dt.strftime("%Y-%m-%d")
                for c in meta.get("columns", [])
                if c.get("dtype") == "date" and c["name"] in prepared.columns
            }
            try:
                pyogrio.write_dataframe(  # dates as "2024-03-15": GDAL reads them as Date
                    prepared.assign(**dates),
                    tmp,
                    driver="GeoJSON",
                    layer_options={
                        "COORDINATE_PRECISION": settings.STORAGE_COORD_DECIMALS_M,
                        "RFC7946": "NO",
                        "WRITE_NAME": "NO",
                    },
                )
            except Exception as exc:  # GDAL says "Cannot write feature" when the disk is full
                raise disk_full_error(exc, tmp.parent) or exc from None

    saved = _cast(prepared.copy(), meta)  # as a read gives it back: what the log's counts diff
    return _commit(
        profile, name, suffix, _write, meta, message, if_version, len(prepared), saved=saved
    )


def layer_reader(profile: Profile) -> Get:
    """Return ``get(name)``, reading layer ``name`` of ``profile``: what validation rules get.

    The rules (:mod:`gis._validation`, :mod:`gis.rules_plan`) never import the store; their
    caller hands them this reader.
    """
    return lambda layer: read_layer(layer, province=profile)


def _checked(data, name: str, meta: dict[str, Any], profile: Profile, check_rules: bool):
    """Return (data prepared for saving or None, problems): what write_layer checks."""
    if check_rules and meta["kind"] != "table":
        misplaced = _extent_problems(data, name, meta, profile)
        if misplaced:  # reprojecting misplaced data gives nonsense (or infinity): check as is
            others = check_frame(normalise_text_columns(data), name, meta, check_rules=False)
            return None, misplaced + [p for p in others if p.check != "crs"]
    prepared = _prepare(data, meta, profile, name)
    problems = check_frame(
        prepared, name, meta, profile=profile, check_rules=check_rules, get=layer_reader(profile)
    )
    return prepared, problems


def check_layer(
    data: pd.DataFrame,
    name: str,
    *,
    meta: dict[str, Any] | None = None,
    province: str | Profile | None = None,
    layers_dir: str | Path | None = None,
    check_rules: bool = True,
) -> list[Problem]:
    """Return the problems :func:`write_layer` would find in ``data`` as layer ``name``.

    The one check of an edit or an import before it is saved: nothing is written (``gis
    validate FILE --as LAYER``; in a notebook, :func:`gis.edit.problems_frame` shows the list
    as a table). The data is checked as it would be stored (text in NFC, planning CRS, 1 cm
    grid) against the layer's schema, its geometry rules, the province outline (a feature far
    outside it, e.g. with longitude and latitude swapped, is reported as lying outside) and the
    profile's rules naming the layer.

    Parameters
    ----------
    data : GeoDataFrame or DataFrame
        The new content, in any CRS.
    name : str
        Layer name.
    meta : dict, optional
        Schema to check against; default the layer's current metadata.
    province, layers_dir : optional
        Which store; defaults from :mod:`gis.settings`.
    check_rules : bool
        Also check the province outline and the profile's rules naming this layer (default
        True).

    Returns
    -------
    list of Problem
        Every problem, empty when the data can be saved; problems with severity
        ``"warning"`` do not block a save. A vector frame without a CRS gives one ``crs``
        problem (:func:`write_layer` raises :class:`~gis.errors.CRSError` for it).

    Examples
    --------
    >>> plants = read_layer("hydropower_plants", province="lai_chau")
    >>> check_layer(plants, "hydropower_plants", province="lai_chau")
    []
    """
    profile = load_profile(province, layers_dir=layers_dir)
    if meta is None:
        meta = layer_meta(name, province=profile)
    if meta["kind"] != "table" and isinstance(data, gpd.GeoDataFrame) and data.crs is None:
        return check_frame(data, name, meta, profile=profile, check_rules=False)  # "no CRS"
    return _checked(data, name, meta, profile, check_rules)[1]


def _extent_problems(data, name: str, meta: dict[str, Any], profile: Profile) -> list:
    """Check a vector layer against the province outline (``outline_layer``, default province)."""
    from gis.extent import check_extent

    outline_name = profile.extra.get("outline_layer", "province")
    if name == outline_name or not isinstance(data, gpd.GeoDataFrame) or data.crs is None:
        return []
    try:
        outline = read_layer(outline_name, province=profile)
    except LayerNotFoundError:  # a new province whose outline is not imported yet
        return []
    return check_extent(
        data, outline, name=name, id_column=meta.get("id_column"), place=profile.name
    )


def _commit(
    profile,
    name,
    suffix,
    write,
    meta,
    message,
    if_version,
    n_features,
    log_extra=None,
    *,
    saved=None,
) -> Path:
    """Under the layer's lock: check the version, keep the old file, write the new atomically.

    ``saved`` is the new content as a read will give it back; the log entry gets the counts of
    features added, removed and modified from the version replaced (see :func:`_change_counts`).
    A save that fails before the data file is replaced (a full disk, a read-only folder, a
    conflict) removes what it made (history copy, journal, a lock file it created): the store
    is left byte for byte as it was. An ``OSError`` becomes a :class:`WriteError` that says how
    to fix it.
    """
    path = profile.path / f"{name}.{suffix}"
    undo: dict[str, Any] = {"made": [], "done": False}  # done: the data file was replaced
    try:
        profile.path.mkdir(parents=True, exist_ok=True)
        with _locked(profile.path, name, undo):
            _remove_leftovers(profile.path, name)
            _finish_pending_meta(profile, name, path)
            current = _sha256(path) if path.exists() else None
            created = current is not None and _meta_path(profile, name).exists()
            if if_version == "" and created:  # meant to create it: it was not there before
                raise ConflictError(
                    f"layer '{name}' was created meanwhile (another import, notebook or colleague "
                    f"saved it first). Nothing was written. Look at it (`gis info {name}`), then "
                    "import again to replace it."
                )
            if if_version not in (None, "") and current != if_version:
                raise ConflictError(
                    f"layer '{name}' changed on disk since you read it (another notebook, QGIS "
                    "or a colleague saved it). Nothing was written. Read it again, redo your "
                    "edit, and save; or compare with `gis.edit.diff` first."
                )
            counts: dict[str, int] = {}
            if current is not None:
                _keep_history(profile, name, path, current, undo["made"])
                counts = _change_counts(profile, name, path, saved, meta.get("id_column"))
            meta_text = json.dumps(meta, ensure_ascii=False, indent=2) + "\n"
            meta_path = _meta_path(profile, name)
            new_meta = not meta_path.exists() or meta_path.read_text(encoding="utf-8") != meta_text
            if new_meta and current is not None and meta_path.exists():
                _keep_meta(profile, name, meta_path, current, undo["made"])
            if new_meta:  # data and meta are two files: journal the pair (see _pending_meta)
                pending = json.dumps({"previous": current, "meta": meta}, ensure_ascii=False)
                undo["made"].append(_pending_path(profile, name))
                _atomic_write_bytes(
                    _pending_path(profile, name), lambda tmp: tmp.write_text(pending, "utf-8")
                )
            _atomic_write_bytes(path, write)
            undo["done"] = True  # the new version is in place: a later failure keeps it
            if new_meta:
                _atomic_write_bytes(meta_path, lambda tmp: tmp.write_text(meta_text, "utf-8"))
                _pending_path(profile, name).unlink()
            entry = {
                "version": _sha256(path),
                "previous": current,
                "message": message,
                "features": n_features,
                **counts,
                **(log_extra or {}),
            }
            _log(profile, name, entry)
            _prune_history(profile, name, path.suffix)
    except OSError as exc:
        if isinstance(exc, GisError):
            raise
        raise write_error(
            exc,
            path,
            what=f"save layer '{name}'",
            changed=undo["done"],
            writable_hint="work on a writable copy of the store (`cp -r` it, then pass "
            "`--layers COPY` or set GIS_LAYERS_DIR)",
        ) from None
    return path


def _change_counts(
    profile: Profile, name: str, path: Path, saved: pd.DataFrame | None, id_column: str | None
) -> dict[str, int]:
    """Count the features a save adds, removes and modifies (call under the lock, before the
    data file ``path`` is replaced): the stored version against ``saved``, matched on
    ``id_column`` (see :func:`gis._diff.diff`).

    Empty when they cannot be matched: no frame given, no unique id column, or a stored file or
    schema damaged outside the toolkit (the save replaces it; how much changed is unknown).
    """
    if saved is None or not id_column:
        return {}
    try:
        meta = _read_meta(_meta_path(profile, name))
        old = _cast(_read_bytes(path, meta), meta)
        return change_counts(diff(old, saved, id_column=id_column))
    except Exception:  # a damaged file (pandas and GDAL raise many types), ids repeated in the
        return {}  # old version, a CRS changed by hand: the counts must never stop a save


def _remove_leftovers(folder: Path, name: str) -> None:
    """Delete temporary files of saves of ``name`` that were killed (call under the lock).

    While the lock is held no other save of ``name`` runs, so any ``.<name>.*`` temporary file
    (see :func:`_atomic_write_bytes`) belongs to a process that died mid-save.
    """
    for pattern in (
        f".{name}.geojson.*",
        f".{name}.parquet.*",
        f".{name}.csv.*",
        f".{name}.meta.json.*",
    ):
        for tmp in folder.glob(pattern):
            tmp.unlink(missing_ok=True)
    for tmp in (folder / ".history").glob(f".{name}.pending-meta.json.*"):
        tmp.unlink(missing_ok=True)
    kept = folder / ".history" / name
    if kept.is_dir():
        for tmp in kept.glob(".*"):
            tmp.unlink(missing_ok=True)


def _pending_path(profile: Profile, name: str) -> Path:
    return profile.path / ".history" / f"{name}.pending-meta.json"


def _pending_meta(profile: Profile, name: str, version: str | None) -> dict[str, Any] | None:
    """Return the schema of a save that replaced the data but died before its meta, else None.

    A save that changes the schema writes a journal (the new meta and the data version it
    replaces) before the data file, and removes it after the meta file. If the journal is still
    there and the data file is no longer the version it replaced, the data is the new version:
    its meta is the journal's. Otherwise the data was not replaced and the old meta holds.
    """
    journal = _pending_path(profile, name)
    try:
        pending = json.loads(journal.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):  # none, or a journal whose own write was killed
        return None
    return pending["meta"] if version != pending.get("previous") else None


def _finish_pending_meta(profile: Profile, name: str, path: Path) -> None:
    """Complete or drop the journal of a killed schema-changing save (call under the lock)."""
    journal = _pending_path(profile, name)
    if not journal.exists():
        return
    meta = _pending_meta(profile, name, _sha256(path) if path.exists() else None)
    if meta is not None:
        text = json.dumps(meta, ensure_ascii=False, indent=2) + "\n"
        _atomic_write_bytes(_meta_path(profile, name), lambda tmp: tmp.write_text(text, "utf-8"))
    journal.unlink()


def _history_dir(profile: Profile, name: str) -> Path:
    return profile.path / ".history" / name


def _keep_history(profile: Profile, name: str, path: Path, version: str, made: list) -> None:
    """Copy the current version into ``.history/<name>/``; append to ``made`` what this
    creates, as it goes (a failure half-way leaves ``made`` complete for the undo)."""
    folder = _history_dir(profile, name)
    _no_link(folder)
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        made.append(folder)
    target = folder / f"{version[:16]}{path.suffix}"
    if not target.exists():  # atomic too: a killed save must not leave half a kept version
        made.append(target)
        _atomic_write_bytes(target, lambda tmp: shutil.copyfile(path, tmp))


def _keep_meta(profile: Profile, name: str, meta_path: Path, version: str, made: list) -> None:
    """Keep the schema of ``version`` beside it (``<version>.schema.json``) when a save changes
    the schema, so that :func:`restore` brings back the version with its own schema."""
    target = _history_dir(profile, name) / f"{version[:16]}.schema.json"
    if not target.exists():
        made.append(target)
        _atomic_write_bytes(target, lambda tmp: shutil.copyfile(meta_path, tmp))


def _kept_meta(profile: Profile, name: str, kept: Path) -> dict[str, Any] | None:
    """The schema of a kept version, or None if it is the current schema.

    A version's schema is kept beside it (``<version>.schema.json``) by the save that changed the
    schema; a version replaced by a save that kept the schema has the schema of the version
    that replaced it, so the log is followed forward to the first kept schema.
    """
    log = history(name, province=profile)
    following = {
        str(prev)[:16]: str(ver)[:16]
        for prev, ver in zip(log.get("previous", []), log.get("version", []), strict=True)
        if isinstance(prev, str) and isinstance(ver, str)
    }
    stem, seen = kept.stem, set()
    while stem not in seen:
        seen.add(stem)
        path = kept.with_name(f"{stem}.schema.json")
        if path.is_file():
            return _read_meta(path)
        if stem not in following:
            return None
        stem = following[stem]
    return None


def _prune_history(profile: Profile, name: str, suffix: str) -> None:
    """Keep the newest ``settings.HISTORY_KEEP`` versions (after a save succeeded)."""
    folder = _history_dir(profile, name)
    kept = sorted(folder.glob(f"*{suffix}"), key=lambda p: p.stat().st_mtime)
    for old in kept[: max(0, len(kept) - settings.HISTORY_KEEP)]:
        old.unlink()
        old.with_name(f"{old.stem}.schema.json").unlink(missing_ok=True)


def _log(profile: Profile, name: str, entry: dict[str, Any]) -> None:
    folder = _history_dir(profile, name)
    _no_link(folder)
    folder.mkdir(parents=True, exist_ok=True)
    entry = {"time": datetime.now(UTC).isoformat(timespec="seconds"), "layer": name, **entry}
    line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
    _no_link(folder / "log.jsonl")
    fd = os.open(
        folder / "log.jsonl", os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o644
    )
    try:
        os.write(fd, line)  # one append: a killed save leaves at most an unfinished last line
    finally:
        os.close(fd)


#: Columns of :func:`history`, in order.
_HISTORY_COLUMNS = ["time", "message", "features", *CHANGES, "version", "previous", "undo_of"]


def history(
    name: str, *, province: str | Profile | None = None, layers_dir: str | Path | None = None
) -> pd.DataFrame:
    """Return the save history of layer ``name``, with the features each save changed.

    This is ``gis history LAYER``. Every save logs its counts when it is made:
    :func:`write_layer` (``gis import``, :func:`gis.edit.save_layer`), :func:`restore` and
    :func:`gis.edit.undo`.

    Returns
    -------
    DataFrame
        One row per save, oldest first: ``time`` (UTC), ``message``, ``features`` (count after
        the save), ``added``, ``removed``, ``modified`` (features the save changed, matched on
        the layer's id column), ``version`` (content hash of the saved file; :func:`restore`
        brings it back), ``previous`` (the version it replaced, empty for the save that
        created the layer) and ``undo_of`` (the version a :func:`gis.edit.undo` took back).
        The counts are empty for the save that created the layer, for a layer without a
        unique id column, and for saves logged before the store recorded counts.

    Examples
    --------
    >>> list(history("hydropower_plants", province="lai_chau").columns)[:6]
    ['time', 'message', 'features', 'added', 'removed', 'modified']
    """
    check_layer_name(name)
    profile = load_profile(province, layers_dir=layers_dir)
    log = _history_dir(profile, name) / "log.jsonl"
    lines = log.read_text(encoding="utf-8").splitlines(keepends=True) if log.exists() else []
    if lines and not lines[-1].endswith("\n"):
        lines = lines[:-1]  # the unfinished line of a save killed while logging
    if lines:
        h = pd.read_json(io.StringIO("".join(lines)), lines=True, dtype=False)
    else:
        h = pd.DataFrame(columns=_HISTORY_COLUMNS)
    for column in _HISTORY_COLUMNS:
        if column not in h.columns:
            h[column] = pd.NA
    for column in CHANGES:
        h[column] = h[column].astype("Int64")
    extra = [c for c in h.columns if c not in _HISTORY_COLUMNS and c != "layer"]
    return h[_HISTORY_COLUMNS + extra].reset_index(drop=True)


def _kept_file(profile: Profile, name: str, version: str | None, suffix: str) -> Path:
    """Return the history file of ``version`` (full hash or prefix) of layer ``name``."""
    folder = _history_dir(profile, name)
    candidates = [p for p in folder.glob(f"*{suffix}") if version and version.startswith(p.stem)]
    candidates += [p for p in folder.glob(f"*{suffix}") if version and p.stem.startswith(version)]
    if not candidates:
        kept = sorted(p.stem for p in folder.glob(f"*{suffix}"))
        raise LayerError(
            f"no kept version '{version}' of layer '{name}'. Kept: {', '.join(kept) or 'none'}."
        )
    return candidates[0]


def read_version(
    name: str,
    version: str,
    *,
    province: str | Profile | None = None,
    layers_dir: str | Path | None = None,
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Read one version of layer ``name``: the current one or one kept in history.

    Parameters
    ----------
    version : str
        A version hash from :func:`history` or :func:`layer_version`, or its first characters
        (at least the 16 the history file names keep, or fewer if unambiguous).

    Raises
    ------
    LayerError
        If that version is neither current nor kept; the message lists the kept versions.
    """
    profile = load_profile(province, layers_dir=layers_dir)
    meta = layer_meta(name, province=profile)
    current = layer_version(name, province=profile)
    if current is not None and version and current.startswith(version):
        return read_layer(name, province=profile)
    suffix = f".{_suffix(meta)}"
    path = _kept_file(profile, name, version, suffix)
    meta = _kept_meta(profile, name, path) or meta  # the version's own schema, if it changed
    df = _cast(_read_bytes(path, meta), meta)
    df.attrs["layer"] = name
    df.attrs["version"] = _sha256(path)
    return df


def restore(
    name: str,
    version: str,
    *,
    province: str | Profile | None = None,
    layers_dir: str | Path | None = None,
    message: str | None = None,
    log_extra: dict[str, Any] | None = None,
) -> Path:
    """Bring back version ``version`` of layer ``name``, kept in its history.

    This is ``gis restore LAYER VERSION``. To take back the last save without naming a
    version, use :func:`gis.edit.undo` (``gis undo LAYER``). The version comes back byte for
    byte with its own schema; it is validated first, and the version it replaces is itself
    kept in history.

    Parameters
    ----------
    name : str
        Layer name.
    version : str
        A version from :func:`history` (``gis history LAYER``): the full hash, or its first
        characters (16 are always enough).
    province, layers_dir : optional
        Which store; defaults from :mod:`gis.settings`.
    message : str, optional
        Note for the history log; default ``"restore <version>"``.
    log_extra : dict, optional
        More fields for the log entry (:func:`gis.edit.undo` writes ``undo_of``).

    Returns
    -------
    pathlib.Path
        The data file written.

    Raises
    ------
    LayerError
        If no version is named, or no such version is kept (the message lists the kept ones).
    ValidationError
        If the kept version breaks the profile's rules as they are now; nothing is written.
    """
    if not version:
        raise LayerError(
            f"name the version of layer '{name}' to bring back (`gis history {name}` lists "
            f"them), or take back its last save with `gis undo {name}`."
        )
    profile = load_profile(province, layers_dir=layers_dir)
    meta = layer_meta(name, province=profile)
    suffix = f".{_suffix(meta)}"
    src = _kept_file(profile, name, version, suffix)
    meta = _kept_meta(profile, name, src) or meta  # a version comes back with its own schema
    data = _cast(_read_bytes(src, meta), meta)
    get = layer_reader(profile)
    problems = check_frame(data, name, meta, profile=profile, get=get)
    if any(p.severity == "error" for p in problems):
        raise ValidationError(name, problems)
    return _commit(
        profile,
        name,
        suffix.lstrip("."),
        lambda tmp: shutil.copyfile(src, tmp),
        meta,
        f"restore {src.stem}" if message is None else message,
        None,
        len(data),
        log_extra,
        saved=data,
    )
