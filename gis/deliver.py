"""The plan as the official planning database: the Circular 04/2023/TT-BKHĐT delivery.

:func:`deliver_province` writes, into ``OUT/``:

* ``<Package>.gdb``: a File Geodatabase (GDAL's OpenFileGDB driver, bundled with pyogrio; no
  ArcGIS needed) named after the province (``LaiChau.gdb``, Phụ lục III Mục 1), one feature
  dataset per data theme that holds layers (``FEATURE_DATASET`` layer creation option, GDAL ≥
  3.6; a theme without layers has no dataset, since GDAL creates a feature dataset with its first
  layer), layers ``TenLop_A|P|L`` by geometry, lowerCamelCase fields;
* ``gml/<Layer>.gml`` (+ ``.xsd``): the same layers as GML 3.2 exchange files (Art. 5.1);
* ``metadata/<Package>.xml`` and ``metadata/<Layer>.xml``: ISO 19115 records (ISO 19139 XML) of
  the package and of each layer (Art. 7.2; see :mod:`gis._iso19115`);
* ``delivery.json``: what was delivered from which layer version, and what was not, and why;
* ``maps/``: the maps of Phụ lục I the layers support (:data:`MAP_CODES`), 300 dpi GeoTIFF and
  GeoPDF, drawn from the geodatabase (:mod:`gis.deliver_map`, :mod:`gis.deliver_mapset`).

What goes where is data (:mod:`gis.circular04`: ``gis/data/circular04_mapping.csv`` and the
province's ``circular04_mapping.csv``). Every feature gets:

* ``maDoiTuong``, the feature ID of Art. 10 (``T12-MH01-00000001``): ``T`` + the province code,
  the theme letter, the status group (H/Q/K) and type number, and an 8-digit sequence. The
  sequence comes from the **ID register** ``layers/<slug>/circular04_ids.csv``: one row per
  (type code, source layer, the feature's id in that layer). An unchanged feature keeps its ID on
  every re-delivery; a new feature gets the next free number of its type; a number is never
  reused. Commit the register with the layers;
* ``quyHoachBatDau`` / ``quyHoachKetThuc`` (Date): ``[plan] approved`` and ``[plan] period_end``
  of the profile; ``nguon``: the feature's ``source`` (and ``source_url``), else its layer's
  provenance; ``doChinhXac``: its stated accuracy;
* ``hinhThucTheHien`` (``ranh giới`` or ``ký hiệu``), ``canCuPhapLy`` and ``canCuXacDinh``: the
  symbol-only rule of Art. 8.2.a. Where the positions, boundaries or alignments lack a sufficient
  legal basis, the plan shows a symbol at the expected location; projects are always symbols
  (Phụ lục I III.12). A mapping row says ``boundary`` (existing state, administrative units,
  orientation zones: Phụ lục I III.8.b), ``symbol`` (projects, sites) or ``legal_basis``: then a
  layer's own ``representation`` and ``legal_basis`` columns decide when it has them; else it is
  derived from the data and ``canCuXacDinh`` says how: a feature with only a point location is a
  symbol (the decision is :mod:`gis.symbol_rule`'s, shared with every map of the toolkit); a
  polygon is a boundary only when its own ``source`` or ``note`` cites a decision
  approving a plan of the zone itself (a ``quy hoạch chung``, ``phân khu`` or ``chi tiết``, not the
  provincial plan being delivered), which becomes ``canCuPhapLy``; otherwise it is delivered as a
  point (``_P``) at its expected location (a point inside the polygon). No legal basis is
  invented: text that does not cite one gives a symbol.

The delivery is in ``[delivery] crs`` of the profile (default: the planning CRS; VN-2000 by
Art. 6.1), stated in every layer, GML file and metadata record. The result is checked by
:func:`gis.deliver_check.check_delivery` (also ``gis deliver --check OUT``).
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import io
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import pyproj
import shapely

from gis import store
from gis._iso19115 import Record, to_xml
from gis._writes import atomic_write, write_error
from gis.circular04 import (
    MappingRow,
    db_code,
    feature_id,
    load_mapping,
    package_name,
    themes,
    value_text,
)
from gis.crs import to_crs
from gis.deliver_qgis import delivery_project
from gis.errors import LayerError, Problem, ProfileError
from gis.profile import Profile, load_profile
from gis.symbol_rule import SYMBOL, matches, plan_number, rows_for
from gis.symbol_rule import cell_text as _text
from gis.symbol_rule import representation as _representation

__all__ = ["MAP_CODES", "REGISTER_FILE", "DeliveredLayer", "DeliveryReport", "deliver_province"]

#: The maps of Phụ lục I drawn by :func:`deliver_province` (the others need layers the store
#: lacks: land use, social infrastructure, resources, environment, project list).
MAP_CODES = ("III.1", "III.4", "III.5", "III.7")


def _gis_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("vn-planning-gis")
    except PackageNotFoundError:
        return "?"


#: The ID register, in the province folder beside ``profile.toml``.
REGISTER_FILE = "circular04_ids.csv"
_REGISTER_COLUMNS = ["type_code", "source_layer", "source_key", "sequence", "first_delivered"]


@dataclass
class DeliveredLayer:
    """One layer of the geodatabase."""

    name: str
    dataset: str
    type_code: str
    geometry: str
    features: int
    sources: dict[str, int]  # store layer -> features taken from it
    symbols: int  # polygons delivered as points (symbol-only rule)
    basis: str  # "T" or "I" (the mapping row's)


@dataclass
class DeliveryReport:
    """What :func:`deliver_province` wrote, and what the conformance check found."""

    out_dir: Path
    package: Path
    project: Path  # the QGIS project of the geodatabase, beside it
    crs: str
    crs_name: str
    gdal_version: str
    layers: list[DeliveredLayer] = field(default_factory=list)
    not_delivered: list[tuple[str, int, str]] = field(default_factory=list)  # layer, n, reason
    new_ids: int = 0
    register: Path | None = None
    maps: list[Path] = field(default_factory=list)
    map_notes: list[str] = field(default_factory=list)  # per map: number, scale, size, dpi
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """The problems of severity ``error``."""
        return [p for p in self.problems if p.severity == "error"]

    def lines(self) -> list[str]:
        """The report as printed by ``gis deliver``."""
        n = sum(layer.features for layer in self.layers)
        out = [
            f"{self.package.name}: {len(self.layers)} layer(s), {n} feature(s) in "
            f"{len({layer.dataset for layer in self.layers})} theme dataset(s), "
            f"{self.crs} ({self.crs_name}); GDAL {self.gdal_version} (OpenFileGDB)"
        ]
        width = max([len(f"{x.dataset}/{x.name}") for x in self.layers] + [10])
        for layer in self.layers:
            sources = ", ".join(f"{k} {v}" for k, v in layer.sources.items())
            symbols = f"; {layer.symbols} polygon(s) as symbol" if layer.symbols else ""
            path = f"{layer.dataset}/{layer.name}"
            out.append(
                f"  {path:<{width}} {layer.type_code} "
                f"{layer.features:>4}  from {sources}{symbols} [{layer.basis}]"
            )
        for name, count, reason in self.not_delivered:
            out.append(f"  not delivered: {name} ({count}): {reason}")
        out.append(
            f"IDs: {self.new_ids} new in {self.register}"
            if self.new_ids
            else f"IDs: all from {self.register} (unchanged features keep their ID)"
        )
        out.append(
            f"GML in {self.out_dir / 'gml'}, ISO 19115 metadata in {self.out_dir / 'metadata'}; "
            f"QGIS project {self.project}"
        )
        out += [f"map {note}" for note in self.map_notes]
        return out


# --- helpers -----------------------------------------------------------------------------------


def _cell(value: Any, kind: str) -> Any:
    """A mapped value as its field stores it: None when missing, text, or a number."""
    text = _text(value)
    if not text:
        return None
    if kind == "int":
        return int(float(text))
    if kind == "float":
        return float(text)
    return text


def _first(feature: pd.Series, columns: tuple[str, ...]) -> str:
    return next((t for t in (_text(feature.get(c)) for c in columns) if t), "")


def _suffix(geom, shown: str) -> tuple[str, Any]:
    """Geometry suffix and geometry as delivered (a polygon shown by symbol becomes a point)."""
    kind = geom.geom_type
    if kind in ("Polygon", "MultiPolygon"):
        if shown == SYMBOL:
            return "P", geom.representative_point()
        return "A", geom if kind == "MultiPolygon" else shapely.MultiPolygon([geom])
    if kind in ("LineString", "MultiLineString"):
        return "L", geom if kind == "MultiLineString" else shapely.MultiLineString([geom])
    if kind == "MultiPoint":
        return "P", geom.representative_point()
    return "P", geom


def _nguon(feature: pd.Series, meta: dict[str, Any]) -> str:
    source, url = _text(feature.get("source")), _text(feature.get("source_url"))
    if not source:
        prov = meta.get("provenance", {})
        source, url = _text(prov.get("source")), _text(prov.get("url"))
    return f"{source} ({url})" if source and url else source


# --- the ID register ---------------------------------------------------------------------------


@contextlib.contextmanager
def _register_lock(profile: Profile) -> Iterator[None]:
    folder = profile.path / ".history"
    folder.mkdir(exist_ok=True)
    with open(folder / "circular04_ids.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _read_register(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    try:
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise LayerError(f"{path} cannot be read ({exc}); restore it from git.") from None
    if rows and set(_REGISTER_COLUMNS) - set(rows[0]):
        raise LayerError(f"{path} lacks column(s) of {_REGISTER_COLUMNS}; restore it from git.")
    for row in rows:
        if not row["sequence"].isdigit():
            raise LayerError(
                f"{path}: sequence {row['sequence']!r} is not a number; restore the file from git."
            )
    return rows


def _assign_ids(profile: Profile, keys: list[tuple[str, str, str]]) -> tuple[dict, int, Path]:
    """Sequence of each (type code, layer, key), from the register; new keys get the next."""
    path = profile.path / REGISTER_FILE
    with _register_lock(profile):
        rows = _read_register(path)
        known = {
            (r["type_code"], r["source_layer"], r["source_key"]): int(r["sequence"]) for r in rows
        }
        last: dict[str, int] = {}
        for (code, _, _), seq in known.items():
            last[code] = max(last.get(code, 0), seq)
        new = 0
        today = date.today().isoformat()
        for key in keys:
            if key not in known:
                last[key[0]] = last.get(key[0], 0) + 1
                known[key] = last[key[0]]
                rows.append(
                    dict(zip(_REGISTER_COLUMNS, [*key, str(known[key]), today], strict=True))
                )
                new += 1
        if new:
            rows.sort(key=lambda r: (r["type_code"], int(r["sequence"])))
            buf = io.StringIO()
            writer = csv.DictWriter(buf, fieldnames=_REGISTER_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            text = buf.getvalue()
            try:
                atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
            except OSError as exc:
                raise write_error(exc, path, what="update the ID register", changed=False) from None
    return known, new, path


# --- delivery ----------------------------------------------------------------------------------


@dataclass
class _Target:
    row: MappingRow
    suffix: str
    records: list[dict[str, Any]] = field(default_factory=list)
    geoms: list[Any] = field(default_factory=list)
    sources: dict[str, int] = field(default_factory=dict)
    symbols: int = 0
    dtypes: dict[str, str] = field(default_factory=dict)  # mapped field -> "str" "int" "float"


def _collect(profile: Profile, rows: list[MappingRow], report: DeliveryReport):
    """Read the mapped layers; return targets by layer name and the source layers used."""
    plan = plan_number(profile)
    targets: dict[str, _Target] = {}
    used: dict[str, str | None] = {}
    names = list(store.list_layers(province=profile)["name"])
    for name in names:
        layer_rows = rows_for(rows, name, profile)
        meta = store.layer_meta(name, province=profile)
        if not layer_rows:
            n = len(store.read_layer(name, province=profile))
            report.not_delivered.append(
                (
                    name,
                    n,
                    "not mapped: add rows for it to circular04_mapping.csv in the province folder",
                )
            )
            continue
        if not any(r.delivers for r in layer_rows):
            n = len(store.read_layer(name, province=profile))
            report.not_delivered.append(
                (name, n, layer_rows[0].note.removeprefix("not delivered: "))
            )
            continue
        if meta["kind"] != "vector":
            raise ProfileError(
                f"{layer_rows[0].origin}: layer '{name}' is a table; only vector layers go into "
                "the geodatabase. Leave theme empty on its row."
            )
        id_column = meta.get("id_column")
        if not id_column:
            raise LayerError(
                f"layer '{name}' has no id_column in {name}.meta.json; the feature IDs of the "
                "delivery are kept per feature id. Name its id column there."
            )
        data = store.read_layer(name, province=profile)
        used[name] = store.layer_version(name, province=profile)
        dtypes = {c["name"]: c.get("dtype", "str") for c in meta.get("columns", [])}
        skipped: dict[str, int] = {}
        for _, feature in data.iterrows():
            key = _text(feature.get(id_column))
            delivered, reason = False, "no mapping row matches"
            for row in layer_rows:
                if not matches(row, feature, profile.plan.document):
                    continue
                if not row.delivers:
                    reason = row.note.removeprefix("not delivered: ") or "excluded by the mapping"
                    break
                geom = feature.geometry
                if geom is None or geom.is_empty:
                    reason = "no geometry"
                    break
                if not key:
                    raise LayerError(
                        f"layer '{name}': a feature has no {id_column}; every "
                        "delivered feature needs its id."
                    )
                shown, basis, how = _representation(row, feature, geom, plan)
                suffix, out_geom = _suffix(geom, shown)
                target = targets.setdefault(f"{row.layer}_{suffix}", _Target(row, suffix))
                target.sources[name] = target.sources.get(name, 0) + 1
                target.symbols += geom.geom_type.endswith("Polygon") and suffix == "P"
                mapped = {}
                for target_field, columns in row.fields:
                    column = next((c for c in columns if c in feature.index), columns[0])
                    kind = dtypes.get(column, "str")
                    kind = kind if kind in ("int", "float") else "str"
                    target.dtypes.setdefault(target_field, kind)
                    mapped[target_field] = _cell(value_text(column, feature.get(column)), kind)
                target.records.append(
                    {
                        "ten": _first(feature, row.name_field),
                        **mapped,
                        "nguon": _nguon(feature, meta),
                        "doChinhXac": _text(feature.get("accuracy")) or _text(meta.get("accuracy")),
                        "hinhThucTheHien": shown,
                        "canCuPhapLy": basis,
                        "canCuXacDinh": how,
                        "lopGoc": name,
                        "maGoc": key,
                    }
                )
                target.geoms.append(out_geom)
                delivered = True
                if not row.cont:
                    break
            if not delivered:
                skipped[reason] = skipped.get(reason, 0) + 1
        for reason, n in skipped.items():
            if n:
                report.not_delivered.append((name, n, reason))
    return targets, used


def _frame(target: _Target, profile: Profile, ids: dict, db: str, crs: str) -> gpd.GeoDataFrame:
    row = target.row
    records = []
    for rec in target.records:
        seq = ids[(row.type_code, rec["lopGoc"], rec["maGoc"])]
        records.append({"maDoiTuong": feature_id(db, row.type_code, seq), **rec})
    df = pd.DataFrame.from_records(records)
    df.insert(len(df.columns) - 5, "quyHoachBatDau", pd.Timestamp(profile.plan.approved))
    df.insert(len(df.columns) - 5, "quyHoachKetThuc", pd.Timestamp(profile.plan.period_end))
    for column in ("quyHoachBatDau", "quyHoachKetThuc"):
        df[column] = df[column].astype("datetime64[ms]")
    for column, kind in target.dtypes.items():  # the mapped columns keep their layer's type
        if kind == "int":
            df[column] = df[column].astype("Int64")
        elif kind == "float":
            df[column] = df[column].astype("float64")
        else:
            df[column] = df[column].astype(object).where(df[column].notna(), None)
    gdf = gpd.GeoDataFrame(df, geometry=list(target.geoms), crs=profile.planning_crs)
    gdf = to_crs(gdf, crs)
    return gdf.sort_values("maDoiTuong", kind="stable").reset_index(drop=True)


def _crs_name(crs: str) -> str:
    return pyproj.CRS.from_user_input(crs).name


def _bbox_wgs84(gdf: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    west, south, east, north = to_crs(gdf.geometry, "EPSG:4326").total_bounds
    return float(west), float(south), float(east), float(north)


def _check_out_dir(out_dir: Path, profile: Profile) -> None:
    root = profile.path.parent.resolve()
    target = out_dir.resolve()
    if target == root or root in target.parents:
        raise LayerError(
            f"{out_dir} is inside the layer store ({root}); deliver to a folder outside it, "
            "e.g. `gis deliver out/delivery`."
        )


def _replace(src: Path, dst: Path) -> None:
    """Move ``src`` over ``dst`` (a file or a folder)."""
    if dst.is_dir() and not dst.is_symlink():
        old = dst.with_name(f".{dst.name}.old-{os.getpid()}")
        os.replace(dst, old)
        os.replace(src, dst)
        shutil.rmtree(old)
    else:
        os.replace(src, dst)


def deliver_province(
    province: str | Profile | None = None,
    out_dir: str | Path = "delivery",
    *,
    layers_dir: str | Path | None = None,
    check: bool = True,
    maps: bool | tuple[str, ...] = True,
) -> DeliveryReport:
    """Write the Circular 04/2023/TT-BKHĐT planning database of a province into ``out_dir``.

    Parameters
    ----------
    province : str or Profile, optional
        The province (default :data:`gis.settings.PROVINCE`).
    out_dir : path
        Output folder (created); a previous delivery in it is replaced. Not inside the store.
    check : bool
        Run :func:`gis.deliver_check.check_delivery` on the result (``report.problems``).
    maps : bool or tuple of str
        Also draw the maps of Phụ lục I as 300 dpi GeoTIFFs and GeoPDFs in ``OUT/maps/``: True
        all of :data:`MAP_CODES` (the location map III.1, :func:`gis.deliver_map.location_map`;
        III.4, III.5, III.7, :func:`gis.deliver_mapset.map_set`), False none, or the numbers
        wanted, e.g. ``("III.1",)``.

    Returns
    -------
    DeliveryReport

    Raises
    ------
    ProfileError
        If ``[plan] approved`` or ``period_end`` is missing, or the mapping is malformed.
    ValidationError, LayerError
        If a delivered layer is not valid (``gis validate``) or lacks an id column.
    """
    from gis.deliver_check import check_delivery
    from gis.validate import validate_province

    profile = load_profile(province, layers_dir=layers_dir)
    missing = [k for k in ("approved", "period_end") if getattr(profile.plan, k) is None]
    if missing:
        raise ProfileError(
            f"{profile.path / 'profile.toml'}: [plan] lacks {missing}: the delivery's mandatory "
            "fields quyHoachBatDau and quyHoachKetThuc are the approval date and the last day of "
            "the plan period; add e.g. approved = 2023-12-07 and period_end = 2030-12-31."
        )
    out_dir = Path(out_dir)
    _check_out_dir(out_dir, profile)
    crs = profile.delivery_crs
    rows = load_mapping(profile)
    report = DeliveryReport(
        out_dir=out_dir,
        package=out_dir / f"{package_name(profile)}.gdb",
        project=out_dir / f"{package_name(profile)}.qgz",
        crs=crs,
        crs_name=_crs_name(crs),
        gdal_version=pyogrio.__gdal_version_string__,
    )
    targets, used = _collect(profile, rows, report)
    if not targets:
        raise LayerError(
            f"nothing to deliver for {profile.name}: no layer of the store matches "
            "a delivering row of the mapping."
        )
    problems = validate_province(province=profile, layers=list(used))
    errors = [p for ps in problems.values() for p in ps if p.severity == "error"]
    if errors:
        shown = "\n".join(f"  - {p}" for p in errors[:10])
        raise LayerError(
            f"{len(errors)} error(s) in the layers to deliver; fix them (`gis "
            f"validate`) and deliver again. Nothing was written.\n{shown}"
        )
    keys = [(t.row.type_code, r["lopGoc"], r["maGoc"]) for t in targets.values() for r in t.records]
    ids, report.new_ids, report.register = _assign_ids(profile, keys)
    db = db_code(profile)
    frames = {name: _frame(t, profile, ids, db, crs) for name, t in sorted(targets.items())}
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out_dir / f".deliver-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        _write(tmp, report, profile, targets, frames, used)
        for item in (report.package.name, report.project.name, "gml", "metadata", "delivery.json"):
            _replace(tmp / item, out_dir / item)
    except OSError as exc:
        raise write_error(exc, out_dir, what="write the delivery", changed=False) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    codes = MAP_CODES if maps is True else tuple(maps or ())
    unknown = sorted(set(codes) - set(MAP_CODES))
    if unknown:
        raise LayerError(f"map(s) {unknown} unknown; the maps drawn are {', '.join(MAP_CODES)}.")
    if "III.1" in codes:
        from gis.deliver_map import MAP_FILE, location_map

        target = out_dir / "maps" / MAP_FILE
        target.parent.mkdir(exist_ok=True)
        drawn = location_map(out_dir, profile, target)
        report.maps += [drawn["path"], drawn["pdf"]]
        report.map_notes.append(_map_note("III.1", drawn))
    if set(codes) - {"III.1"}:
        from gis.deliver_mapset import map_set

        for drawn in map_set(out_dir, profile, codes=codes, scale=profile.delivery.map_scale):
            if "skipped" in drawn:
                report.map_notes.append(f"{drawn['code']} not drawn: {drawn['skipped']}")
                continue
            report.maps += [drawn["path"], drawn["pdf"]]
            report.map_notes.append(_map_note(drawn["code"], drawn))
    if check:
        report.problems = [p for ps in check_delivery(out_dir, profile).values() for p in ps]
    return report


def _map_note(code: str, drawn: dict) -> str:
    w, h = drawn["sheet_mm"]
    paper = "" if drawn.get("fits_paper", True) else f", larger than {drawn['paper']}"
    left = drawn.get("labels_left_out") or []
    out = f"; {len(left)} label(s) left out: {', '.join(left[:5])}" if left else ""
    return (
        f"{code} (Phụ lục I) 1:{drawn['scale']:,}, {w} × {h} mm{paper}, {drawn['width']} × "
        f"{drawn['height']} px at {drawn['dpi']} dpi: {drawn['path']}{out}"
    )


def _write(tmp: Path, report: DeliveryReport, profile: Profile, targets, frames, used) -> None:
    tmp.mkdir(parents=True)
    gdb = tmp / report.package.name
    (tmp / "gml").mkdir()
    (tmp / "metadata").mkdir()
    theme_of = themes()
    today = date.today()
    formats = [("ESRI File Geodatabase (GDAL OpenFileGDB)", report.gdal_version), ("GML", "3.2")]
    org = f"Ủy ban nhân dân {profile.name}"
    period = (profile.plan.approved, profile.plan.period_end)
    project_metas: dict[str, dict] = {}
    for name, gdf in frames.items():
        target = targets[name]
        theme = theme_of[target.row.theme]
        pyogrio.write_dataframe(
            gdf,
            gdb,
            layer=name,
            driver="OpenFileGDB",
            layer_options={"FEATURE_DATASET": theme.dataset},
        )
        pyogrio.write_dataframe(
            gdf,
            tmp / "gml" / f"{name}.gml",
            layer=name,
            driver="GML",
            dataset_options={"FORMAT": "GML3.2"},
        )
        lineage = " | ".join(f"{src}: {_provenance_text(profile, src)}" for src in target.sources)
        record = Record(
            identifier=f"{db_code(profile)}-{target.row.type_code}-{name}",
            parent=f"{db_code(profile)}-{package_name(profile)}",
            title=f"{name} – {theme.name_vi} – {profile.plan.document_vi or profile.name}",
            abstract=(
                f"Lớp {name} ({len(gdf)} đối tượng, mã loại {target.row.type_code}) của "
                f"cơ sở dữ liệu quy hoạch {profile.name} theo Thông tư 04/2023/TT-BKHĐT. "
                f"Hệ tọa độ: {report.crs_name} ({report.crs}). Ghi chú ánh xạ "
                f"[{target.row.basis}]: {target.row.note}"
            ),
            level="dataset",
            organisation=org,
            crs_code=report.crs,
            crs_name=report.crs_name,
            bbox_wgs84=_bbox_wgs84(gdf),
            period=period,
            published=profile.plan.approved,
            keywords=[theme.name_vi, theme.dataset, target.row.type_code],
            licence="; ".join(
                dict.fromkeys(
                    _text(
                        store.layer_meta(s, province=profile).get("provenance", {}).get("licence")
                    )
                    for s in target.sources
                )
            ),
            lineage=lineage,
            formats=formats,
            stamp=today,
        )
        (tmp / "metadata" / f"{name}.xml").write_bytes(to_xml(record))
        project_metas[name] = {
            "title": record.title,
            "description": record.abstract,
            "provenance": {"source": lineage, "licence": record.licence},
        }
        report.layers.append(
            DeliveredLayer(
                name=name,
                dataset=theme.dataset,
                type_code=target.row.type_code,
                geometry=str(gdf.geom_type.iloc[0]),
                features=len(gdf),
                sources=dict(target.sources),
                symbols=int(target.symbols),
                basis=target.row.basis,
            )
        )
    everything = pd.concat([f.geometry for f in frames.values()])
    datasets = sorted({layer.dataset for layer in report.layers})
    package = Record(
        identifier=f"{db_code(profile)}-{package_name(profile)}",
        title=f"Cơ sở dữ liệu quy hoạch {profile.name} – {profile.plan.document_vi or ''}".strip(
            " –"
        ),
        abstract=(
            f"Cơ sở dữ liệu địa lý quy hoạch {profile.name} (Thông tư 04/2023/TT-BKHĐT): "
            f"{len(frames)} lớp, {sum(len(f) for f in frames.values())} đối tượng trong "
            f"{len(datasets)} chủ đề dữ liệu ({', '.join(datasets)}). Hệ tọa độ: "
            f"{report.crs_name} ({report.crs}). Thời kỳ quy hoạch {period[0]} – "
            f"{period[1]}."
        ),
        level="series",
        organisation=org,
        crs_code=report.crs,
        crs_name=report.crs_name,
        bbox_wgs84=_bbox_wgs84(gpd.GeoDataFrame(geometry=everything, crs=report.crs)),
        period=period,
        published=profile.plan.approved,
        keywords=["quy hoạch tỉnh", "Thông tư 04/2023/TT-BKHĐT", *datasets],
        lineage=f"Xuất bởi gis {_gis_version()} (gis deliver) từ các lớp: "
        + ", ".join(f"{k}@{(v or '')[:12]}" for k, v in used.items()),
        formats=formats,
        stamp=today,
    )
    (tmp / "metadata" / f"{package_name(profile)}.xml").write_bytes(to_xml(package))
    delivery_project(
        tmp / report.project.name,
        report.package.name,
        frames,
        {n: (theme_of[t.row.theme], t.row.group) for n, t in targets.items()},
        project_metas,
        profile,
        crs=report.crs,
        title=package.title,
    )
    manifest = {
        "circular": "04/2023/TT-BKHĐT",
        "province": profile.name,
        "package": report.package.name,
        "db_code": db_code(profile),
        "crs": report.crs,
        "crs_name": report.crs_name,
        "plan": {
            "document": profile.plan.document,
            "approved": str(period[0]),
            "period_end": str(period[1]),
        },
        "gdal": report.gdal_version,
        "pyogrio": pyogrio.__version__,
        "gis": _gis_version(),
        "delivered_on": today.isoformat(),
        "source_versions": used,
        "layers": [vars(layer) for layer in report.layers],
        "not_delivered": [
            {"layer": n, "features": c, "reason": r} for n, c, r in report.not_delivered
        ],
        "id_register": str(report.register),
    }
    (tmp / "delivery.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def _provenance_text(profile: Profile, name: str) -> str:
    meta = store.layer_meta(name, province=profile)
    prov = meta.get("provenance", {})
    parts = [_text(prov.get(k)) for k in ("source", "date", "processing")]
    accuracy = _text(meta.get("accuracy"))
    return "; ".join(p for p in [*parts, f"accuracy: {accuracy}" if accuracy else ""] if p)
