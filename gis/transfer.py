"""Moving layers in and out of the store: the pipelines behind ``gis import``, ``gis validate
FILE`` and ``gis export``, callable from a notebook as well.

:func:`import_file` reads a user file (:func:`gis.io.read_vector`), maps shapefile fields cut
to 10 bytes back to the layer's columns, infers the schema of a new layer, optionally swaps x
and y and repairs geometries, and saves it with :func:`gis.store.write_layer` (validated,
atomic, with history). :func:`import_osm` does the same for an OpenStreetMap extract
(:mod:`gis.osm`); :func:`check_file` checks a file as :func:`import_file` would, writing
nothing; :func:`export_layer` writes a layer to a file.

What the command line prints (text conversions, field renames, repairs ...) is returned in the
result's ``messages`` and, as it happens, passed to ``on_message`` (the command line echoes it;
give ``print`` in a notebook). Errors are :class:`gis.errors.GisError` subclasses; on any error
nothing is written.

>>> result = import_file("rivers.gpkg", "rivers")  # doctest: +SKIP
>>> result.features, result.path  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from gis import store
from gis.errors import GisError, InputFileError, LayerError, LayerNotFoundError, Problem
from gis.profile import Profile, load_profile
from gis.text import shorten, text_table

__all__ = [
    "OSM_LAYERS",
    "FileCheck",
    "ImportResult",
    "check_file",
    "check_outside_store",
    "export_layer",
    "import_file",
    "import_osm",
    "new_layer_meta",
]

#: The layers an OpenStreetMap extract can be imported as.
OSM_LAYERS = ("osm_roads", "road_alignments")

Say = Callable[[str], object]


@dataclass
class ImportResult:
    """What :func:`import_file` or :func:`import_osm` did."""

    name: str  #: the layer written
    path: Path  #: its file in the store
    features: int  #: features (rows) saved
    new_layer: bool  #: whether the layer was created (its schema inferred)
    messages: list[str] = field(default_factory=list)  #: the lines the command line prints


@dataclass
class FileCheck:
    """What :func:`check_file` found; nothing was written."""

    path: Path
    name: str  #: the layer the file was checked as ("" for a raster)
    problems: list[Problem]
    features: int = 0  #: features (rows) read; 0 for a raster
    raster: dict[str, Any] | None = None  #: :func:`gis.io.check_raster` for a raster file
    messages: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)


def _sayer(messages: list[str], on_message: Say | None) -> Callable[[str], None]:
    def say(line: str) -> None:
        messages.append(line)
        if on_message is not None:
            on_message(line)

    return say


def _read_input(path: Path, sublayer, crs, encoding, say) -> pd.DataFrame:
    """Read a user file for import/check; refuse an empty one; report text conversions."""
    from gis._decode import describe_report
    from gis.io import read_vector

    data = read_vector(path, layer=sublayer, crs=crs, encoding=encoding)
    if len(data) == 0:
        raise InputFileError(
            f"'{path}' holds no features (0 rows): nothing to import. Check that the right "
            "file (or --layer) was given and that the export did not fail."
        )
    for line in describe_report(data.attrs.get("text_conversions", [])):
        say(line)
    return data


def _needs_geometry(data, path: Path, name: str, meta: dict) -> None:
    """Refuse a table (a CSV, a GeoPackage attribute table) for a vector layer, saying why."""
    collections = (
        int((data.geometry.geom_type == "GeometryCollection").sum())
        if isinstance(data, gpd.GeoDataFrame)
        else 0
    )
    if collections:
        raise InputFileError(
            f"'{path}' holds GeometryCollections ({collections} feature(s)); a layer holds "
            "points, lines or polygons. Split the collections into their parts (QGIS: Vector > "
            "Geometry Tools > Multipart to Singleparts) and import each type as its own layer."
        )
    if meta.get("kind") == "vector" and not isinstance(data, gpd.GeoDataFrame):
        raise InputFileError(
            f"'{path}' has no geometries (a CSV is read as a table only, even with lon/lat "
            f"columns), but '{name}' is a vector layer. Make a GeoPackage or GeoJSON of it first, "
            "e.g. in QGIS: Layer > Add Layer > Add Delimited Text Layer (X = lon, Y = lat, "
            "EPSG:4326), then Export > Save Features As… GeoPackage."
        )


def _long_names(data, path: Path, meta: dict, say):
    """Map shapefile fields cut to 10 bytes back to the layer's columns; report the renames."""
    from gis.io import restore_long_names

    if path.suffix.lower() not in (".shp", ".zip"):
        return data
    data, renames = restore_long_names(data, [c["name"] for c in meta.get("columns", [])])
    for field_name, column in renames.items():
        say(f"field '{field_name}' -> column '{column}' (shapefile names are cut to 10 bytes)")
    return data


def new_layer_meta(data: pd.DataFrame, *, title: str, source: str, licence: str) -> dict:
    """Infer the schema of a new layer from its data (the user refines it in .meta.json).

    Columns get the types int, float, bool, date (a QGIS Date field) or str, none required, no
    id column; a frame with geometries is a vector layer whose ``geometry_type`` is the one type
    it holds (several types: none, so validation reports the mix).
    """
    from gis._exchange import date_columns

    kinds = {"i": "int", "u": "int", "f": "float", "b": "bool"}
    kinds.update({c: "date" for c in date_columns(data)})  # a QGIS Date field stays a date
    columns = [
        {"name": c, "dtype": kinds.get(c, kinds.get(data[c].dtype.kind, "str")), "required": False}
        for c in data.columns
        if c != "geometry"
    ]
    meta = {"title": title, "kind": "table", "columns": columns, "id_column": None}
    if "geometry" in data.columns:
        types = set(data.geometry.geom_type.dropna().str.replace("Multi", ""))

        # several types: no geometry_type, so validation reports the mix (a layer that really
        # mixes types, like urban_areas, declares "geometry_type": "" in its .meta.json)
        meta.update(kind="vector", geometry_type=types.pop() if len(types) == 1 else None)
    meta["provenance"] = {
        "source": source,
        "licence": licence,
        "date": "",
        "processing": "imported with `gis import`",
    }
    return meta


def import_file(
    path: str | Path,
    name: str,
    *,
    crs: str | None = None,
    layer: str | None = None,
    encoding: str = "auto",
    repair: bool = False,
    swap_xy: bool = False,
    title: str | None = None,
    source: str = "",
    licence: str = "",
    province: str | Profile | None = None,
    layers_dir: str | Path | None = None,
    on_message: Say | None = None,
) -> ImportResult:
    """Import a vector file or CSV table as layer ``name`` (what ``gis import`` does).

    The data is reprojected to the planning CRS, validated against the layer's schema and the
    profile's rules and saved atomically (:func:`gis.store.write_layer`); on any error nothing
    is written.

    Parameters
    ----------
    path : path-like
        GeoPackage, GeoJSON, Shapefile (or a zip of one), MapInfo TAB, KML, FlatGeobuf; CSV for
        a table.
    name : str
        The layer to replace or create.
    crs, layer, encoding
        As for :func:`gis.io.read_vector`: the CRS of a file that states none, the layer inside
        a multi-layer file, the text encoding of a file that does not declare it.
    repair : bool
        Repair invalid geometries (:func:`gis.validate.repair_geometries`), reporting each.
    swap_xy : bool
        Exchange x and y (a file written lat, lon).
    title, source, licence : str
        Title and provenance of a new layer; ``source`` and ``licence`` are required for one.
    on_message : callable, optional
        Called with each line of the report as it is made (e.g. ``print``).

    Returns
    -------
    ImportResult
        The layer, its file, the number of features and the report lines.
    """
    from gis.validate import repair_geometries

    path = Path(path)
    profile = load_profile(province, layers_dir=layers_dir)
    store.check_layer_name(name)  # before reading: never a path (../x), a device name or 300 chars
    messages: list[str] = []
    say = _sayer(messages, on_message)
    data = _read_input(path, layer, crs, encoding, say)
    try:
        meta = store.layer_meta(name, province=profile)
    except LayerNotFoundError:
        if not source or not licence:
            raise LayerError(  # a data problem (exit 1), not a mistyped command line (exit 2)
                f"'{name}' is a new layer: say where it comes from with --source and --licence, "
                f'e.g. `gis import {path} --as {name} --source "Sở TN&MT, 2024" --licence '
                "CC-BY-4.0`. Nothing was written."
            ) from None
        meta = new_layer_meta(data, title=title or name, source=source, licence=licence)
        new_layer = True
    else:
        data = _long_names(data, path, meta, say)
        new_layer = False
    _needs_geometry(data, path, name, meta)
    if swap_xy:
        if meta["kind"] != "vector":
            raise InputFileError(f"--swap-xy needs a file with geometries; '{path}' has none.")
        geoms = shapely.transform(data.geometry.values, lambda c: c[:, ::-1])
        data = data.set_geometry(gpd.GeoSeries(geoms, index=data.index, crs=data.crs))
        say(f"swapped x and y of {int(data.geometry.notna().sum())} feature(s)")
    if repair and meta["kind"] == "vector":
        data, report = repair_geometries(data, id_column=meta.get("id_column"))
        for line in report:
            say(f"repaired {line}")
        say(f"{len(report)} geometry(ies) repaired.")
    written = store.write_layer(
        data,
        name,
        meta=meta,
        province=profile,
        message=f"import {path}",
        if_version="" if new_layer else None,
    )
    say(f"imported {len(data)} feature(s) from {path} as '{name}' -> {written}")
    return ImportResult(name, Path(written), len(data), new_layer, messages)


def _alignment_lines(rep: pd.DataFrame) -> list[str]:
    """The match report of :func:`gis.osm.alignments_from_extract` as an aligned table."""
    header = ["segment", "road_ref", "status", "OSM ways", "km", "detail"]
    rows = [
        [
            r.segment_id,
            shorten(r.road_ref, 24),
            r.status,
            shorten(r.osm_ids or "-", 24),
            f"{r.schematic_km:.1f}"
            + (f" -> {r.alignment_km:.1f}" if r.status == "matched" else ""),
            r.detail,
        ]
        for r in rep.itertuples()
    ]
    return text_table(rows, header)


def import_osm(
    path: str | Path,
    name: str,
    *,
    highways: tuple[str, ...] | None = None,
    title: str | None = None,
    source: str = "",
    licence: str = "",
    province: str | Profile | None = None,
    layers_dir: str | Path | None = None,
    on_message: Say | None = None,
) -> ImportResult:
    """Import an OpenStreetMap extract (.osm.pbf, .osm) as ``osm_roads`` or ``road_alignments``.

    ``osm_roads``: its roads of the ``highways`` classes (default
    :func:`gis.osm.highway_classes`), clipped to the province outline. ``road_alignments``: OSM
    lines for the schematic segments of ``roads`` (segments not matched stay schematic; rows
    not from OpenStreetMap are kept). Source and licence default to "OpenStreetMap
    contributors" and ODbL-1.0.

    Raises
    ------
    LayerError
        For another ``name``, or when no segment of ``roads`` matches a way of the extract.
    """
    from gis import osm

    path = Path(path)
    if name not in OSM_LAYERS:
        raise LayerError(
            f"an OpenStreetMap extract is imported as osm_roads or road_alignments, not {name}."
        )
    profile = load_profile(province, layers_dir=layers_dir)
    messages: list[str] = []
    say = _sayer(messages, on_message)
    source, licence = source or "OpenStreetMap contributors", licence or "ODbL-1.0"
    highways = tuple(highways) if highways is not None else osm.highway_classes()
    if name == "osm_roads":
        outline = store.read_layer(profile.extra.get("outline_layer", "province"), province=profile)
        data = osm.read_osm_roads(path, outline, highways=highways)
        counts = data["highway"].value_counts().reindex(highways).dropna().astype(int)
        say(
            f"kept {len(data)} way(s) of {profile.name}, {data['length_km'].sum():,.1f} km: "
            + ", ".join(f"{h} {n}" for h, n in counts.items())
        )
    else:
        roads = store.read_layer("roads", province=profile)
        result = osm.alignments_from_extract(
            path, roads, source=osm.attribution(path, source=source, licence=licence)
        )
        rep = result.report
        for line in _alignment_lines(rep):
            say(line)
        n = int((rep["status"] == "matched").sum())
        say(f"matched {n} of {len(rep)} segment(s); unmatched ones stay schematic.")
        if not n:
            raise LayerError(
                f"no segment of 'roads' matched the ways of '{path}' (reasons above). Is it "
                "the extract of the right region, with the road numbers (ref=*) mapped? "
                "Nothing was written."
            )
        try:
            existing = store.read_layer(name, province=profile)
        except LayerNotFoundError:
            existing = None
        data, kept = osm.combine_alignments(existing, result.alignments)
        for sid in kept:
            say(
                f"kept {sid} from the existing road_alignments (not OpenStreetMap); delete "
                "its row to take the OSM line"
            )
    meta = osm.layer_meta(
        name,
        source=source,
        licence=licence,
        extract=path,
        highways=highways,
        crs=profile.planning_crs,
    )
    if title:
        meta["title"] = title
    written = store.write_layer(data, name, meta=meta, province=profile, message=f"import {path}")
    say(f"imported {len(data)} feature(s) from {path} as '{name}' -> {written}")
    if name == "road_alignments":
        say("now rebuild the roads: python tools/build_plan_layers.py, then gis validate")
    return ImportResult(name, Path(written), len(data), False, messages)


def check_file(
    path: str | Path,
    name: str | None = None,
    *,
    crs: str | None = None,
    layer: str | None = None,
    encoding: str = "auto",
    province: str | Profile | None = None,
    layers_dir: str | Path | None = None,
    on_message: Say | None = None,
) -> FileCheck:
    """Check a file as :func:`import_file` would import it as layer ``name``; write nothing.

    ``name`` defaults to the file's name in lower case; a layer not in the store is checked
    against the schema an import would infer. A raster file (.tif ...) is checked for a CRS and
    a nodata value (:func:`gis.io.check_raster`, in ``FileCheck.raster``).
    """
    from gis.io import RASTER_FORMATS, check_raster

    path = Path(path)
    messages: list[str] = []
    if path.suffix.lower() in RASTER_FORMATS:
        info = check_raster(path)
        return FileCheck(path, "", list(info["problems"]), raster=info, messages=messages)
    profile = load_profile(province, layers_dir=layers_dir)
    if name is not None:
        store.check_layer_name(name)
    say = _sayer(messages, on_message)
    data = _read_input(path, layer, crs, encoding, say)
    try:
        meta = store.layer_meta(name or "", province=profile)
    except LayerNotFoundError:  # a new layer: check it against the schema import would infer
        meta = new_layer_meta(data, title=path.stem, source=str(path), licence="?")
    else:
        data = _long_names(data, path, meta, say)
    name = name or path.stem.lower()
    _needs_geometry(data, path, name, meta)
    problems = store.check_layer(data, name, meta=meta, province=profile)
    return FileCheck(path, name, list(problems), features=len(data), messages=messages)


def check_outside_store(target: str | Path, profile: Profile, what: str) -> None:
    """Refuse an output inside the province's store folder: only saves write there.

    ``what`` is the action for the message, e.g. ``"export 'rivers' to"``.
    """
    folder = profile.path.resolve()
    where = Path(target).resolve()
    if where == folder or folder in where.parents:
        raise LayerError(
            f"cannot {what} '{target}': it is inside the layer store ({profile.path}), where "
            "only saves write (with history and validation); writing there could replace a "
            "layer or its schema. Write it elsewhere; to change a layer use `gis import`."
        )


def export_layer(
    name: str,
    path: str | Path,
    *,
    shorten_fields: bool = False,
    data: pd.DataFrame | None = None,
    province: str | Profile | None = None,
    layers_dir: str | Path | None = None,
    on_message: Say | None = None,
) -> Path:
    """Write layer ``name`` to ``path`` (what ``gis export`` does); return ``path``.

    The format follows the extension (:data:`gis.io.SUPPORTED_FORMATS`); a table goes to .csv
    or .xlsx (:func:`gis.io.write_table`). A GeoPackage carries the layer's QGIS style, title
    and licence (:func:`gis.qgis.export_geopackage`). ``shorten_fields``: a shapefile's names
    over 10 bytes are shortened, each mapping reported. ``data``: the layer as already read
    (default: read from the store). A path inside the store is refused; a write that fails
    (read-only folder, full disk) raises :class:`gis.errors.WriteError` and keeps the old file.
    """
    from gis._writes import write_error
    from gis.io import short_names, write_table, write_vector

    path = Path(path)
    profile = load_profile(province, layers_dir=layers_dir)
    say = _sayer([], on_message)
    if data is None:
        data = store.read_layer(name, province=profile)
    check_outside_store(path, profile, f"export '{name}' to")
    try:
        if not hasattr(data, "geometry"):
            if path.suffix.lower() not in (".csv", ".xlsx"):
                raise LayerError(f"'{name}' is a table: export it to .csv or .xlsx.")
            write_table(data, path)
        else:
            if shorten_fields and path.suffix.lower() == ".shp":
                mapping = short_names([c for c in data.columns if c != data.geometry.name])
                for old, new in mapping.items():
                    say(f"field '{old}' -> '{new}'")
            if path.suffix.lower() == ".gpkg":  # with its QGIS style, title and licence
                from gis.qgis import export_geopackage

                export_geopackage(path, layers=[name], province=profile)
            else:
                write_vector(data, path, shorten_fields=shorten_fields)
    except OSError as exc:  # read-only folder, full disk: the old file, if any, is kept
        if isinstance(exc, GisError):
            raise
        raise write_error(
            exc, path, what=f"export '{name}'", writable_hint="export to another folder"
        ) from None
    return path
