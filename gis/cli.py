"""The ``gis`` command line.

Every library error (:class:`gis.errors.GisError`) becomes one clear message on stderr and exit
code 1, never a traceback; usage errors exit 2 (click's convention). Python warnings are printed
as ``Warning: ...`` lines. Control characters in printed text (from file names or attribute
values: an ANSI escape sequence can rewrite a terminal) are shown escaped.
"""

from __future__ import annotations

import json
import os
import re
import sys
import unicodedata
import warnings
from pathlib import Path

import click
import pandas as pd

from gis import settings, store
from gis.errors import GisError
from gis.io import ENCODINGS
from gis.profile import load_profile
from gis.text import shorten, text_table
from gis.validate import RULES, repair_layer, validate_layer, validate_province

__all__ = ["cli", "main"]


def _clean(text: str) -> str:
    """Escape control and bidi-override characters (keep newlines and tabs)."""

    def esc(c: str) -> str:
        if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cf"):
            return c
        return c.encode("unicode_escape").decode("ascii")

    return "".join(esc(c) for c in str(text))


def _echo(text: str = "", *, err: bool = False) -> None:
    click.echo(_clean(text), err=err)


def _opts(f):
    f = click.option(
        "--layers",
        "layers_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Root of the layer store (default: layers/ or $GIS_LAYERS_DIR).",
    )(f)
    return click.option(
        "--province",
        default=None,
        help="Province profile slug (default: GIS_PROVINCE or layers/default_province.txt).",
    )(f)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Provincial spatial planning toolkit for Vietnam: layers, validation, maps."""


def _catalogue_geometry(row, profile) -> str:
    """The declared geometry type; for a layer declaring none (mixed), the types it holds."""
    if row.kind == "table" or row.geometry:
        return row.geometry or "-"
    try:
        return _geometry_types(store.read_layer(row.name, province=profile))
    except GisError:  # a damaged layer: `gis validate` says what is wrong
        return "mixed"


@cli.command("layers")
@_opts
def layers_cmd(province: str | None, layers_dir: Path | None) -> None:
    """List the layers of a province with their source, licence and accuracy."""
    profile = load_profile(province, layers_dir=layers_dir)
    cat = store.list_layers(province=profile)
    _echo(f"{profile.name} (code {profile.code}), planning CRS {profile.planning_crs}")
    _echo(f"store: {profile.path}\n")
    width = max(22, *(len(n) + 1 for n in cat["name"]))
    geoms = [_catalogue_geometry(row, profile) for row in cat.itertuples()]
    gwidth = max(10, *(len(g) for g in geoms))
    for row, geom in zip(cat.itertuples(), geoms, strict=True):
        unit = "row" if row.kind == "table" else "feature"
        size = f"{row.features} {unit}{'' if row.features == 1 else 's'}"
        _echo(f"{row.name:<{width}} {row.kind:<6} {geom:<{gwidth}} {size:<14} {row.title}")
        _echo(f"{'':<{width}} source:  {row.source}")
        _echo(f"{'':<{width}} licence: {row.licence}; date: {row.date}")
        if row.accuracy:
            _echo(f"{'':<{width}} accuracy: {row.accuracy}")


def _geometry_types(data) -> str:
    """The geometry types a layer really holds, e.g. "Point+Polygon" ("Multi" folded in)."""
    types = sorted(set(data.geometry.geom_type.dropna().str.replace("Multi", "")))
    return "+".join(types) or "none"


def _allowed(values) -> str:
    if not values:
        return ""
    shown = ", ".join(str(v) for v in values[:3])
    return shown + (f", … (+{len(values) - 3})" if len(values) > 3 else "")


def _wrapped(label: str, text: str) -> list[str]:
    import textwrap

    return textwrap.wrap(
        " ".join(str(text).split()),
        width=100,
        initial_indent=f"  {label:<11}",
        subsequent_indent=" " * 13,
    ) or [f"  {label}"]


@cli.command("info")
@click.argument("layer")
@click.option("--json", "as_json", is_flag=True, help="Print the raw metadata (.meta.json).")
@_opts
def info_cmd(layer: str, as_json: bool, province: str | None, layers_dir: Path | None) -> None:
    """Show the schema, extent, version and provenance of LAYER."""
    from gis.crs import to_crs

    profile = load_profile(province, layers_dir=layers_dir)
    meta = store.layer_meta(layer, province=profile)
    if as_json:
        _echo(json.dumps(meta, ensure_ascii=False, indent=2))
        return
    _echo(f"{layer}: {meta.get('title', '')}")
    try:
        data = store.read_layer(layer, province=profile)
    except GisError as exc:  # a damaged store: still show the schema and provenance
        data = None
        _echo(f"  data       cannot be read: {exc}")
    if data is None:
        pass
    elif meta["kind"] == "table":
        _echo(f"  kind       table, {len(data)} rows")
    else:
        declared = meta.get("geometry_type") or "mixed"
        actual = _geometry_types(data)
        geom = declared if actual in ("none", declared) else f"{declared} (data: {actual})"
        _echo(
            f"  kind       vector, {len(data)} feature{'' if len(data) == 1 else 's'}, "
            f"geometry {geom}"
        )
        _echo(f"  CRS        {data.crs.to_string() if data.crs else '?'}")
        if data.geometry.notna().any():
            x0, y0, x1, y1 = data.total_bounds
            lon0, lat0, lon1, lat1 = to_crs(data.geometry, "EPSG:4326").total_bounds
            _echo(f"  extent     x {x0:,.0f} .. {x1:,.0f}, y {y0:,.0f} .. {y1:,.0f} m")
            _echo(f"             lon {lon0:.4f} .. {lon1:.4f}, lat {lat0:.4f} .. {lat1:.4f}")
    version = store.layer_version(layer, province=profile)
    _echo(f"  version    {version[:12] if version else '-'}")
    log = store.history(layer, province=profile)
    if len(log):
        last = log.iloc[-1]
        _echo(
            f"  last save  {last['time']}: {shorten(last['message'], 70)} "
            f"({len(log)} save(s); `gis history {layer}`)"
        )
    else:
        _echo("  last save  - (no saves with the toolkit yet)")
    columns = meta.get("columns", [])
    _echo(f"\ncolumns ({len(columns)}; id: {meta.get('id_column') or '-'})")
    rows = [
        [
            c["name"],
            c.get("dtype", "str"),
            "yes" if c.get("required") else "",
            shorten(_allowed(c.get("allowed")), 30),
            shorten(c.get("description", ""), 40),
        ]
        for c in columns
    ]
    for line in text_table(rows, ["name", "type", "required", "allowed", "description"]):
        _echo(f"  {line}")
    prov = meta.get("provenance", {})
    _echo("\nprovenance")
    for label, text in [
        ("source", prov.get("source")),
        ("url", prov.get("url")),
        ("licence", prov.get("licence")),
        ("date", prov.get("date")),
        ("processing", prov.get("processing")),
        ("accuracy", meta.get("accuracy") or prov.get("accuracy")),
        ("notes", meta.get("notes")),
    ]:
        if text or label in ("source", "licence", "date"):
            for line in _wrapped(label, text or "-"):
                _echo(line)


def _status(problems) -> str:
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    status = "OK" if not errors else f"{errors} error(s)"
    return status + (f", {warnings} warning(s)" if warnings else "")


def _rules_text(profile, name: str, problems, *, skipped: bool) -> str:
    """The profile rules that check layer ``name``, e.g. "rules: partition x2, within"."""
    from collections import Counter

    from gis.validate import rules_for

    counts = Counter(str(r.get("check", "?")) for r in rules_for(profile, name))
    if not counts:
        return "rules: none"
    listed = ", ".join(c if n == 1 else f"{c} x{n}" for c, n in counts.items())
    return f"rules: {listed}" + (" (not run: fix the errors first)" if skipped else "")


def _print_results(results: dict, profile=None, *, skipped: bool = False) -> int:
    """One aligned line per layer (status, and the profile rules run on it), then its problems."""
    width = max(22, *(len(n) + 1 for n in results))
    swidth = max(len(_status(p)) for p in results.values())
    n_errors = 0
    for name, problems in results.items():
        line = f"{name:<{width}} {_status(problems):<{swidth}}"
        if profile is not None:
            line += "  " + _rules_text(profile, name, problems, skipped=skipped)
        _echo(line.rstrip())
        for p in problems:
            _echo(f"    {p}")
        n_errors += sum(p.severity == "error" for p in problems)
    return n_errors


def _print_problems(problems, *, name: str) -> int:
    return _print_results({name: problems})


def _is_file(arg: str) -> bool:
    """A layer name is lower-case ASCII with underscores; anything with a dot or slash is a file."""
    return "." in arg or "/" in arg or "\\" in arg or Path(arg).exists()


@cli.command("validate")
@click.argument("target", metavar="[LAYER|FILE]", required=False)
@click.option("--repair", is_flag=True, help="Repair invalid geometries, report and save.")
@click.option("--as", "name", default=None, help="FILE only: check it as this layer.")
@click.option("--crs", default=None, help="FILE only: CRS of a file that states none.")
@click.option("--layer", "sublayer", default=None, help="FILE only: layer inside the file.")
@click.option(
    "--encoding",
    type=click.Choice(ENCODINGS),
    default="auto",
    help="FILE only: text encoding of a file that does not declare it.",
)
@_opts
def validate_cmd(target, repair, name, crs, sublayer, encoding, province, layers_dir) -> None:
    """Validate LAYER (or every layer), or check FILE before importing it.

    A layer is checked against its schema, geometry, CRS and the profile's rules. A FILE is
    read and checked as `gis import FILE --as LAYER` would, without writing anything; a raster
    FILE (.tif ...) is checked for a CRS and a nodata value.
    """
    profile = load_profile(province, layers_dir=layers_dir)
    if target is not None and _is_file(target):
        if repair:
            raise click.UsageError(
                "--repair works on a LAYER; for a FILE use `gis import --repair`."
            )
        _validate_file(Path(target), name, crs, sublayer, encoding, profile)
        return
    layer = target
    if repair:
        if layer is None:
            raise click.UsageError("--repair needs a LAYER name.")
        report = repair_layer(layer, province=profile)
        for line in report:
            _echo(f"repaired {line}")
        _echo(f"{len(report)} geometry(ies) repaired in '{layer}'.")
    if layer:
        results = {layer: validate_layer(layer, province=profile)}
    else:
        results = validate_province(province=profile)
    # one layer with schema/geometry errors: validate_frame does not run the rules on it
    skipped = layer is not None and any(
        p.severity == "error" and p.check not in RULES for p in results[layer]
    )
    n_errors = _print_results(results, profile, skipped=skipped)
    if n_errors:
        _echo(f"\n{n_errors} error(s). Fix them and run `gis validate` again.", err=True)
        sys.exit(1)
    _echo(f"\nAll {len(results)} layer(s) valid.")


def _validate_file(path: Path, name, crs, sublayer, encoding, profile) -> None:
    from gis.transfer import check_file

    check = check_file(
        path, name, crs=crs, layer=sublayer, encoding=encoding, province=profile, on_message=_echo
    )
    if check.raster is not None:
        info = check.raster
        _echo(
            f"{path}: {info['driver']} raster {info['width']} x {info['height']}, "
            f"{info['count']} band(s) {info['dtype']}, CRS {info['crs']}, "
            f"nodata {info['nodata']}"
        )
        if _print_problems(info["problems"], name=path.name) or info["problems"]:
            _echo(f"\n{path}: fix the problem(s) above before using the raster.", err=True)
            sys.exit(1)
        return
    n = _print_problems(check.problems, name=f"{path.name} as '{check.name}'")
    if n:
        _echo(f"\n{n} error(s) in {path}. Nothing was written.", err=True)
        sys.exit(1)
    _echo(f"\n{path}: {check.features} feature(s), valid. Nothing was written.")


@cli.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--as", "name", required=True, help="Layer name to create or replace.")
@click.option("--crs", default=None, help="CRS of a file that does not state one (EPSG:9205).")
@click.option("--layer", "sublayer", default=None, help="Layer inside a multi-layer file.")
@click.option(
    "--encoding",
    type=click.Choice(ENCODINGS),
    default="auto",
    help="Text encoding of a file that does not declare it (shapefile without .cpg, "
    "CSV); auto: UTF-8, else TCVN3/VNI when detected, else cp1258.",
)
@click.option("--repair", is_flag=True, help="Repair invalid geometries and report what changed.")
@click.option("--swap-xy", is_flag=True, help="Exchange x and y (a file written lat, lon).")
@click.option("--title", default=None, help="Title of a new layer.")
@click.option("--source", default="", help="Where the data comes from (new layer).")
@click.option("--licence", default="", help="Licence of the data (new layer).")
@click.option(
    "--highway",
    default="",
    help="OSM extract --as osm_roads: more road classes to keep, comma-separated "
    "(unclassified, track, residential).",
)
@_opts
def import_cmd(
    file,
    name,
    crs,
    sublayer,
    encoding,
    repair,
    swap_xy,
    title,
    source,
    licence,
    highway,
    province,
    layers_dir,
):
    """Import FILE (GeoPackage, GeoJSON, Shapefile, MapInfo TAB, KML, FlatGeobuf; CSV: tables).

    The data is reprojected to the planning CRS, validated against the layer's schema and the
    profile's rules, and saved atomically; on any error nothing is written. Text in legacy
    Vietnamese encodings (TCVN3, VNI) is converted to Unicode and the conversion reported.

    An OpenStreetMap extract (.osm.pbf, .osm) is imported --as osm_roads (its roads, clipped to
    the province) or --as road_alignments (OSM lines for the schematic road segments; then
    rebuild with `python tools/build_plan_layers.py`). Source and licence default to
    "OpenStreetMap contributors" and ODbL-1.0.
    """
    from gis import osm
    from gis.transfer import OSM_LAYERS, import_file, import_osm

    profile = load_profile(province, layers_dir=layers_dir)
    store.check_layer_name(name)  # before reading: never a path (../x), a device name or 300 chars
    if osm.is_osm_file(file):
        not_for_osm = {
            "--crs": crs,
            "--layer": sublayer,
            "--swap-xy": swap_xy,
            "--repair": repair,
            "--encoding": encoding != "auto",
        }
        given = [opt for opt, value in not_for_osm.items() if value]
        if given:
            raise click.UsageError(
                f"{', '.join(given)} do(es) not apply to an OpenStreetMap extract (WGS 84, "
                "read from its 'lines' layer); leave it out."
            )
        if name not in OSM_LAYERS:
            raise click.UsageError(
                f"an OpenStreetMap extract is imported --as osm_roads (its roads, clipped to the "
                f"province) or --as road_alignments (lines for the schematic road segments), not "
                f"--as {name}."
            )
        highways = osm.highway_classes(highway.split(","))
        if name == "road_alignments" and highway:
            raise click.UsageError(
                "--highway applies to --as osm_roads; alignments follow the road numbers on "
                "the default classes."
            )
        import_osm(
            file,
            name,
            highways=highways,
            title=title,
            source=source,
            licence=licence,
            province=profile,
            on_message=_echo,
        )
        return
    if highway:
        raise click.UsageError("--highway applies to OpenStreetMap extracts (.osm.pbf, .osm).")
    import_file(
        file,
        name,
        crs=crs,
        layer=sublayer,
        encoding=encoding,
        repair=repair,
        swap_xy=swap_xy,
        title=title,
        source=source,
        licence=licence,
        province=profile,
        on_message=_echo,
    )


@cli.command("export")
@click.argument("layer", required=False)
@click.argument("file", type=click.Path(path_type=Path), required=False)
@click.option(
    "--shorten-fields",
    is_flag=True,
    help="Shapefile: shorten names over 10 bytes (prints the mapping).",
)
@click.option(
    "--qgis-project",
    "project",
    type=click.Path(path_type=Path),
    default=None,
    help="Write a QGIS project (.qgz) of every vector layer, styled like the web "
    "maps, and the GeoPackage it opens beside it (same name, .gpkg).",
)
@_opts
def export_cmd(layer, file, shorten_fields, project, province, layers_dir) -> None:
    """Export LAYER to FILE (format from the extension: .gpkg .geojson .shp .tab .kml .fgb).

    A GeoPackage carries the layer's QGIS style (as on the web maps) and its title, source and
    licence. `gis export --qgis-project plan.qgz` writes the whole province as a QGIS project.
    """
    from gis.transfer import export_layer

    profile = load_profile(province, layers_dir=layers_dir)
    if project is not None:
        if layer or file:
            raise click.UsageError("--qgis-project exports every layer: give no LAYER or FILE.")
        from gis.qgis import write_qgis_project

        _outside_store(project, profile, "write the QGIS project")
        qgz, gpkg = write_qgis_project(project, province=profile)
        _echo(f"wrote QGIS project {qgz} and its GeoPackage {gpkg}")
        return
    if not layer or not file:
        raise click.UsageError("give LAYER and FILE (or --qgis-project PLAN.qgz).")
    data = store.read_layer(layer, province=profile)
    _outside_store(file, profile, f"export '{layer}' to")
    if not hasattr(data, "geometry") and file.suffix.lower() not in (".csv", ".xlsx"):
        raise click.UsageError(f"'{layer}' is a table: export it to .csv or .xlsx.")
    export_layer(
        layer, file, shorten_fields=shorten_fields, data=data, province=profile, on_message=_echo
    )
    _echo(f"exported '{layer}' -> {file}")


def _outside_store(target: Path, profile, what: str) -> None:
    """Refuse an output inside the province's store folder: only saves write there."""
    from gis.transfer import check_outside_store

    check_outside_store(target, profile, what)


@cli.command("history")
@click.argument("layer")
@_opts
def history_cmd(layer: str, province: str | None, layers_dir: Path | None) -> None:
    """Show the save history of LAYER.

    One row per save: time, message, features, how many were added, removed and modified,
    and the version saved (`gis restore LAYER VERSION` brings it back).
    """
    log = store.history(layer, province=province, layers_dir=layers_dir)
    with pd.option_context("display.width", 200, "display.max_colwidth", 40):
        _echo(log.to_string(index=False) if len(log) else f"no history for '{layer}'")


@cli.command("restore")
@click.argument("layer")
@click.argument("version", required=False)
@_opts
def restore_cmd(layer, version, province, layers_dir) -> None:
    """Bring back VERSION of LAYER.

    `gis history LAYER` lists the versions; `gis undo LAYER` takes back the last save.
    """
    if version is None:
        raise click.UsageError(
            f"name the VERSION to bring back: `gis history {layer}` lists them; to take back "
            f"the last save, use `gis undo {layer}`."
        )
    path = store.restore(layer, version, province=province, layers_dir=layers_dir)
    _echo(f"restored '{layer}' -> {path}")


@cli.command("undo")
@click.argument("layer")
@_opts
def undo_cmd(layer, province, layers_dir) -> None:
    """Take back the last save of LAYER.

    The version before it comes back byte for byte; undoing again takes back the save before.
    """
    from gis.edit import undo

    back = undo(layer, province=province, layers_dir=layers_dir)
    _echo(f"undid the last save of '{layer}': back to version {back.attrs['version'][:12]}")


@cli.command("stats")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder (default: out/ or $GIS_OUT_DIR).",
)
@click.option(
    "--language",
    type=click.Choice(settings.REPORT_LANGUAGES),
    default=None,
    help="Language of every output (default: the profile's [report] language, else English).",
)
@click.option("--vietnamese", is_flag=True, help="Outputs in Vietnamese (same as --language vi).")
@_opts
def stats_cmd(out_dir, vietnamese, province, layers_dir, language=None) -> Path:
    """Compute the statistics and write CSV tables, statistics.xlsx and report.md."""
    import time

    from gis.report import write_statistics
    from gis.stats import compute_statistics

    if vietnamese and language == "en":
        raise click.UsageError("--vietnamese and --language en contradict each other; give one.")
    profile = load_profile(province, layers_dir=layers_dir)
    if out_dir is not None:
        _outside_store(out_dir, profile, "write the statistics to")
    language = "vi" if vietnamese else language or profile.report_language
    start = time.perf_counter()
    tables = compute_statistics(profile)
    written = write_statistics(
        tables, out_dir, language=language, title=f"Statistics: {profile.name}"
    )
    for name, frame in tables.items():
        status = frame["status"].iloc[0] if list(frame.columns) == ["status"] else ""
        _echo(f"{name:<24} {len(frame):>4} rows  {status}")
    _echo(
        f"wrote {len(tables)} tables, {written['excel'].name} and {written['report'].name} "
        f"({language or 'en'}) to {written['report'].parent} "
        f"in {time.perf_counter() - start:.1f} s"
    )
    return written["report"].parent


@cli.command("maps")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder (default: maps/ or $GIS_MAPS_DIR).",
)
@_opts
def maps_cmd(out_dir, province, layers_dir) -> Path:
    """Build the web maps, maps/index.html and the A3 prints (PNG, PDF)."""
    import time

    from gis.maps import MAP_BUDGET_BYTES, build_maps, read_manifest

    if out_dir is not None:
        _outside_store(out_dir, load_profile(province, layers_dir=layers_dir), "write maps to")
    start = time.perf_counter()
    written = build_maps(province=province, layers_dir=layers_dir, out_dir=out_dir)
    manifest = read_manifest(written[-1].parent)
    for path in written[:-1]:
        size = path.stat().st_size
        over = "  OVER BUDGET" if path.suffix == ".html" and size > MAP_BUDGET_BYTES else ""
        _echo(f"{size / 1e6:>7.2f} MB  {path}{over}")
    for m in manifest["maps"]:
        missing = ", ".join(m["missing_layers"])
        if m["file"] is None:
            _echo(f"{m['slug']}: not drawn, the province has none of its layers ({missing})")
        elif missing:
            _echo(f"{m['slug']}: built without missing layer(s) {missing}")
    index = written[-1].parent / "index.html"
    _echo(f"maps built in {time.perf_counter() - start:.1f} s; open {index}")
    return index


@cli.command("init")
@click.argument("slug")
@click.option(
    "--province-code", "code", required=True, help="GSO code of the 2025 province (e.g. 12)."
)
@click.option(
    "--from",
    "national_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="Folder with the national data files (vn_communes_2025.fgb ...).",
)
@click.option(
    "--crs", default=None, help="Planning CRS as an EPSG code; overrides the TM-3 meridian table."
)
@click.option(
    "--layers",
    "layers_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Root of the layer store (default: layers/ or $GIS_LAYERS_DIR).",
)
def init_cmd(slug, code, national_dir, crs, layers_dir) -> None:
    """Start province SLUG: profile and base layers cut from the national data files."""
    from gis.newprovince import init_province

    result = init_province(slug, code, national_dir, crs=crs, layers_dir=layers_dir)
    for line in result.lines():
        _echo(line)


@cli.command("review")
@click.argument("layers", nargs=-1)
@click.option(
    "--from",
    "from_rev",
    default="HEAD",
    show_default=True,
    help="Before: a git revision, or a version from `gis history LAYER`.",
)
@click.option(
    "--to",
    "to_rev",
    default=None,
    help="After: a git revision or history version (default: the current files).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder (default: out/review or $GIS_OUT_DIR/review).",
)
@_opts
def review_cmd(layers, from_rev, to_rev, out_dir, province, layers_dir) -> None:
    """Review what changed in LAYERS (default: all): a table and an offline map of the changes."""
    from gis.review import default_out_dir, review_changes, write_review

    profile = load_profile(province, layers_dir=layers_dir)
    out = out_dir or default_out_dir()
    _outside_store(out, profile, "write the review to")
    review = review_changes(
        list(layers) or None, from_rev=from_rev, to_rev=to_rev, province=profile
    )
    paths = write_review(review, out, province=profile)
    counts = review.changes["change"].value_counts().sort_index()
    _echo(
        f"{review.labels[0]} -> {review.labels[1]}: {len(review.changes)} feature(s) changed "
        f"({', '.join(f'{n} {k}' for k, n in counts.items()) or 'none'}); "
        f"{len(review.statistics)} statistic(s) moved"
    )
    for r in review.changes.itertuples(index=False):
        dist = f", {r.distance_m:,.0f} m" if r.distance_m == r.distance_m else ""
        _echo(f"  {r.layer} {r.id} {r.name}: {r.change}{dist} {r.changes}".rstrip())
    _echo(f"table {paths['table']}, statistics {paths['statistics']}, map {paths['map']}")


@cli.command("build")
@click.option("--force", is_flag=True, help="Rebuild every output, changed or not.")
@click.option(
    "--national",
    is_flag=True,
    help="Build the national tables and commune map (layers/_national) instead.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="With --national: compute on a local dask cluster of this many processes.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress output.")
@_opts
def build_cmd(
    force: bool,
    national: bool,
    workers: int | None,
    quiet: bool,
    province: str | None,
    layers_dir: Path | None,
) -> None:
    """Validate the layers and build statistics and maps, redoing only what changed."""
    import time

    from gis.build import build_province

    start = time.perf_counter()
    if national:
        _build_national(layers_dir, workers, quiet)
        _echo(f"done in {time.perf_counter() - start:.1f} s")
        return
    profile = load_profile(province, layers_dir=layers_dir)
    result = build_province(profile, force=force, on_phase=lambda p: _echo(f"[{p}]"))
    if result.validated:
        n_errors = _print_results(result.problems, profile)
        if n_errors:
            _echo(f"{n_errors} error(s): fix them (gis validate) before building.", err=True)
            sys.exit(1)
        kinds = [store.layer_meta(name, province=profile)["kind"] for name in result.validated]
        changed = "" if result.reason else " changed"
        _echo(
            f"\n{len(result.validated)}{changed} layer(s) valid ({kinds.count('vector')} vector, "
            f"{kinds.count('table')} table); `gis layers` shows the catalogue.\n"
        )
    else:
        _echo("no layer changed since the last build: not validated again")
    if result.reason:
        _echo(f"full build: {result.reason}")
    for name, frame in result.tables.items():
        if name in result.tables_redone:
            status = frame["status"].iloc[0] if list(frame.columns) == ["status"] else ""
            _echo(f"{name:<24} {len(frame):>4} rows  {status}")
    _echo(
        f"statistics: {len(result.tables_redone)} table(s) computed, "
        f"{len(result.tables_kept)} unchanged, in {result.stats_dir}"
    )
    for m in result.maps:
        missing = ", ".join(m["missing_layers"])
        if m["slug"] not in result.maps_redone:
            continue
        if m["file"] is None:
            _echo(f"{m['slug']}: not drawn, the province has none of its layers ({missing})")
        elif missing:
            _echo(f"{m['slug']}: built without missing layer(s) {missing}")
    index = result.maps_dir / "index.html"
    _echo(f"maps: {len(result.maps_redone)} drawn, {len(result.maps_kept)} unchanged")
    _echo(f"done in {time.perf_counter() - start:.1f} s")
    _echo(
        f"\nbuilt {profile.name}: statistics and report in {result.stats_dir}, maps in "
        f"{result.maps_dir} (open {index})"
    )


def _build_national(layers_dir: Path | None, workers: int | None, quiet: bool) -> None:
    from gis.build import build_national

    if workers is None:
        result = build_national(layers_dir=layers_dir, quiet=quiet)
    else:
        from gis.scale import local_client

        with local_client(workers) as client:
            result = build_national(layers_dir=layers_dir, client=client, quiet=quiet)
    table = result.tables["national_provinces"]
    country = table.iloc[-1]
    _echo(
        f"{int(country['communes']):,} communes, {int(country['population_persons']):,} people "
        f"placed of {int(country['census_persons']):,} in the census; urban "
        f"{country['urban_pct']:.2f} %"
    )
    _echo(f"statistics in {result.stats_dir}; map {result.map_file}")


@cli.command("deliver")
@click.argument("out_dir", metavar="OUT", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Only check the delivery already in OUT; write nothing.",
)
@click.option(
    "--maps",
    "maps",
    default="all",
    show_default=True,
    help="Maps of Phụ lục I to draw at 300 dpi: all, none, or numbers such as III.1,III.7.",
)
@_opts
def deliver_cmd(out_dir: Path, check_only: bool, maps: str, province, layers_dir) -> None:
    """Write the plan's database as Circular 04/2023/TT-BKHĐT asks, then check it.

    OUT receives <Province>.gdb (File Geodatabase: theme datasets, TenLop_A|P|L layers, feature
    IDs, mandatory fields), gml/, metadata/ (ISO 19115) and delivery.json; the check reports
    names, ID pattern and uniqueness, mandatory fields, CRS and geometry types like `gis
    validate` and exits 1 on errors. Logic: gis.deliver and gis.deliver_check.
    """
    from gis.deliver import deliver_province
    from gis.deliver_check import check_delivery

    profile = load_profile(province, layers_dir=layers_dir)
    if not check_only:
        wanted = {"all": True, "none": False}.get(maps.strip().lower())
        if wanted is None:
            wanted = tuple(m.strip() for m in maps.split(",") if m.strip())
        for line in deliver_province(profile, out_dir, check=False, maps=wanted).lines():
            _echo(line)
        _echo("")
    results = check_delivery(out_dir, profile)
    n_errors = _print_results(results)
    if n_errors:
        _echo(
            f"\n{n_errors} error(s) in the delivery in {out_dir}: it does not conform to "
            "Circular 04/2023/TT-BKHĐT.",
            err=True,
        )
        sys.exit(1)
    _echo(
        f"\nThe delivery in {out_dir} conforms: {len(results) - 1} layer(s) checked (names, "
        "IDs, mandatory fields, CRS, geometry types, GML and metadata)."
    )


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    _echo(f"Warning: {message}", err=True)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning toolkit errors into a message and exit code 1."""
    warnings.showwarning = _show_warning
    try:
        cli.main(args=argv, prog_name="gis", standalone_mode=False)
    except click.exceptions.Abort:
        _echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.message = _clean(exc.message)
        exc.show()
        sys.exit(exc.exit_code)
    except GisError as exc:
        _echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
        _echo(f"Error: {exc.strerror}: {exc.filename}", err=True)
        sys.exit(1)
    except MemoryError:
        _echo("Error: out of memory reading the input; is the file what it claims to be?", err=True)
        sys.exit(1)
    except OSError as exc:  # disk full, read-only folder, network share gone...
        # name the file being written, not its temporary name (gis._writes: .NAME.part-PID-...)
        name = re.sub(r"(^|/)\.([^/]+)\.part-\d+-[^/]*(/[^/]+)?$", r"\1\2", str(exc.filename or ""))
        where = f": {name}" if name else ""
        _echo(
            f"Error: {exc.strerror or exc}{where}. Free space or choose a writable folder, "
            "then run the command again.",
            err=True,
        )
        sys.exit(1)
    except Exception as exc:  # a bug: one line for the planner, the traceback on request
        if os.environ.get("GIS_DEBUG"):
            raise
        _echo(
            f"Error: unexpected {type(exc).__name__}: {_clean(str(exc))[:300]}. This is a "
            "bug in gis, not in your data: please report the command; run it again with "
            "GIS_DEBUG=1 to see the details.",
            err=True,
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
