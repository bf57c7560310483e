"""Conformance check of a Circular 04/2023/TT-BKHĐT delivery (``gis deliver --check OUT``).

:func:`check_delivery` reads a delivery folder back (the geodatabase with pyogrio, the GML and
metadata files beside it) and reports, per layer, like ``gis validate``:

* ``package``: one ``.gdb``, named as Phụ lục III Mục 1 requires (capitalised words without
  diacritics; with a profile, the province's name);
* ``dataset``: each layer in the feature dataset of one of the 14 themes (Art. 9.1);
* ``name``: layer names ``TenLop_A|P|L``, field names lowerCamelCase;
* ``geometry``: the geometry type the suffix says (A polygon, P point, L line);
* ``crs``: VN-2000 (Art. 6.1), and with a profile its ``[delivery] crs``;
* ``mandatory``: the fields of ``gis/data/circular04_fields.csv`` present, the mandatory ones
  filled, the plan dates those of the profile;
* ``id``: every ``maDoiTuong`` of the pattern ``T12-MH01-00000001`` (Art. 10), unique in the
  package, with the province code, the theme of the layer's dataset, the status group of its
  name (HienTrang = H, DinhHuong = Q) and one type code per layer;
* ``symbol``: no polygon shown "ký hiệu" (Art. 8.2.a: those are delivered as points);
* ``gml``, ``metadata``: the exchange file and ISO 19115 record of each layer, naming the CRS.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pyogrio
import pyproj

from gis.circular04 import (
    FIELD_NAME_PATTERN,
    ID_PATTERN,
    LAYER_NAME_PATTERN,
    PREFIX_GROUPS,
    SUFFIX_GEOMETRIES,
    db_code,
    field_specs,
    package_name,
    themes,
)
from gis.crs import is_vn2000
from gis.errors import Problem
from gis.profile import Profile

__all__ = ["check_delivery"]

#: Fields the File Geodatabase format adds itself (not named by the delivery).
_SYSTEM_FIELDS = {"SHAPE_Length", "SHAPE_Area", "Shape_Length", "Shape_Area", "OBJECTID"}
_SHOWN = ("ranh giới", "ký hiệu")


def _datasets(gdb: Path) -> dict[str, str] | None:
    """Layer -> feature dataset, from the geodatabase's GDB_Items table (None if unreadable)."""
    try:
        items = pyogrio.read_dataframe(
            gdb, layer="GDB_Items", read_geometry=False, LIST_ALL_TABLES="YES"
        )
    except Exception:  # an old or foreign geodatabase: reported by the caller
        return None
    out = {}
    for path in items["Path"].dropna():
        parts = [p for p in str(path).split("\\") if p]
        if parts:
            out[parts[-1]] = parts[0] if len(parts) == 2 else ""
    return out


def check_delivery(out_dir: str | Path, profile: Profile | None = None) -> dict[str, list[Problem]]:
    """Check the delivery in ``out_dir``; return problems by layer (the package first).

    Parameters
    ----------
    out_dir : path
        A folder written by :func:`gis.deliver.deliver_province` (or by hand, or by ArcGIS).
    profile : Profile, optional
        The province: then the package name, province code, CRS and plan dates must be its own.

    Returns
    -------
    dict of str to list of Problem
        An empty list for a layer that conforms.
    """
    out_dir = Path(out_dir)
    gdbs = sorted(p for p in out_dir.glob("*.gdb") if p.is_dir()) if out_dir.is_dir() else []
    head = gdbs[0].name if len(gdbs) == 1 else "package"
    results: dict[str, list[Problem]] = {head: []}
    package = results[head]
    if not gdbs:
        package.append(
            Problem(
                head,
                "package",
                f"no .gdb folder in {out_dir}",
                hint="deliver first: gis deliver OUT",
            )
        )
        return results
    if len(gdbs) > 1:
        package.append(
            Problem(
                head,
                "package",
                f"{len(gdbs)} geodatabases in {out_dir} "
                f"({', '.join(g.name for g in gdbs)}); one plan is one .gdb "
                "(Art. 9.1)",
            )
        )
        return results
    gdb = gdbs[0]
    if not _package_ok(gdb.stem):
        package.append(
            Problem(
                head,
                "package",
                f"package name {gdb.name!r} is not capitalised "
                "words without diacritics (e.g. BacGiang.gdb)",
            )
        )
    if profile is not None and gdb.stem != package_name(profile):
        package.append(
            Problem(
                head,
                "package",
                f"package is {gdb.name}, expected {package_name(profile)}.gdb for {profile.name}",
            )
        )
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(gdb)]
    except Exception as exc:
        package.append(Problem(head, "package", f"{gdb.name} cannot be opened: {exc}"))
        return results
    datasets = _datasets(gdb)
    if datasets is None:
        package.append(Problem(head, "dataset", "the feature datasets (GDB_Items) cannot be read"))
    expected_crs = profile.delivery_crs if profile is not None else None
    seen: dict[str, str] = {}
    for layer in layers:
        results[layer] = _check_layer(gdb, layer, datasets, profile, expected_crs, seen)
        results[layer] += _check_files(out_dir, layer, expected_crs)
    if not layers:
        package.append(Problem(head, "package", f"{gdb.name} holds no layer"))
    if not (out_dir / "metadata" / f"{gdb.stem}.xml").is_file():
        package.append(
            Problem(
                head,
                "metadata",
                f"no metadata/{gdb.stem}.xml (ISO 19115 record of the package, Art. 7.2)",
            )
        )
    return results


def _package_ok(stem: str) -> bool:
    return bool(stem) and stem[0].isupper() and stem.isascii() and stem.isalnum()


def _check_layer(gdb, layer, datasets, profile, expected_crs, seen) -> list[Problem]:
    out: list[Problem] = []
    by_theme = {t.dataset: t for t in themes().values()}
    m = LAYER_NAME_PATTERN.fullmatch(layer)
    if not m:
        out.append(
            Problem(
                layer,
                "name",
                f"layer name {layer!r} is not TenLop_A|P|L "
                "(PascalCase without diacritics, _A polygon, _P point, _L line)",
                hint="rename it, e.g. HienTrangDoThi_P",
            )
        )
    dataset = (datasets or {}).get(layer, "")
    theme = by_theme.get(dataset)
    if datasets is not None and theme is None:
        where = f"feature dataset {dataset!r}" if dataset else "no feature dataset"
        out.append(
            Problem(
                layer,
                "dataset",
                f"{where}; each layer belongs to the dataset of "
                f"one of the 14 themes ({', '.join(by_theme)})",
            )
        )
    info = pyogrio.read_info(gdb, layer=layer)
    if m:
        allowed = SUFFIX_GEOMETRIES[m.group(1)]
        if info["geometry_type"] not in allowed:
            out.append(
                Problem(
                    layer,
                    "geometry",
                    f"geometry {info['geometry_type']} but suffix "
                    f"_{m.group(1)} means {' or '.join(allowed)}",
                )
            )
    out += _check_crs(layer, info["crs"], expected_crs)
    fields = [str(f) for f in info["fields"]]
    for name in fields:
        if name not in _SYSTEM_FIELDS and not FIELD_NAME_PATTERN.fullmatch(name):
            out.append(
                Problem(
                    layer,
                    "name",
                    f"field {name!r} is not lowerCamelCase without diacritics (e.g. maDoiTuong)",
                )
            )
    group = next((g for p, g in PREFIX_GROUPS.items() if layer.startswith(p)), None)
    for spec in field_specs():
        applies = spec.applies == "all" or spec.applies == group
        if spec.required in ("yes", "field") and applies and spec.name not in fields:
            out.append(
                Problem(
                    layer,
                    "mandatory",
                    f"mandatory field {spec.name} is missing ({spec.description})",
                )
            )
    data = pyogrio.read_dataframe(gdb, layer=layer, read_geometry=False)
    ids = data["maDoiTuong"] if "maDoiTuong" in data else pd.Series(dtype=object)
    for spec in field_specs():
        if spec.required != "yes" or spec.name not in data:
            continue
        values = data[spec.name]
        empty = values.isna() | values.astype(str).str.strip().eq("")
        if empty.any():
            first = ids[empty].iloc[0] if len(ids) else None
            out.append(
                Problem(
                    layer,
                    "mandatory",
                    f"mandatory field {spec.name} is empty in {int(empty.sum())} feature(s)",
                    feature=first,
                )
            )
    out += _check_dates(layer, data, profile)
    out += _check_ids(layer, ids, theme, group, profile, seen)
    if m and m.group(1) == "A" and "hinhThucTheHien" in data:
        shown = data["hinhThucTheHien"].astype(str)
        for i in data.index[shown.eq("ký hiệu")]:
            out.append(
                Problem(
                    layer,
                    "symbol",
                    "a polygon shown by symbol (ký hiệu): without a "
                    "legal basis for its boundary it is delivered as a point, _P "
                    "(Art. 8.2.a)",
                    feature=_id(ids, i),
                )
            )
        bad = sorted(set(shown[~shown.isin(_SHOWN) & data["hinhThucTheHien"].notna()]))
        if bad:
            out.append(Problem(layer, "symbol", f"hinhThucTheHien {bad} is not one of {_SHOWN}"))
    return out


def _id(ids: pd.Series, i) -> str | None:
    return str(ids.loc[i]) if i in ids.index and pd.notna(ids.loc[i]) else None


def _check_crs(layer: str, crs_text: str | None, expected: str | None) -> list[Problem]:
    if not crs_text:
        return [Problem(layer, "crs", "the layer states no coordinate reference system")]
    crs = pyproj.CRS.from_user_input(crs_text)
    if not is_vn2000(crs):
        return [Problem(layer, "crs", f"{crs.name} is not on VN-2000 (Art. 6.1 of the circular)")]
    if expected is not None and not crs.equals(pyproj.CRS.from_user_input(expected)):
        return [
            Problem(
                layer,
                "crs",
                f"{crs_text} ({crs.name}) is not the delivery CRS "
                f"{expected} of the profile ([delivery] crs)",
            )
        ]
    return []


def _check_dates(layer: str, data: pd.DataFrame, profile: Profile | None) -> list[Problem]:
    out = []
    if {"quyHoachBatDau", "quyHoachKetThuc"} - set(data.columns):
        return out
    start = pd.to_datetime(data["quyHoachBatDau"], errors="coerce").dt.date
    end = pd.to_datetime(data["quyHoachKetThuc"], errors="coerce").dt.date
    if (start.notna() & end.notna() & (end <= start)).any():
        out.append(Problem(layer, "date", "quyHoachKetThuc is not after quyHoachBatDau"))
    if profile is not None and profile.plan.approved and profile.plan.period_end:
        for column, series, want in (
            ("quyHoachBatDau", start, profile.plan.approved),
            ("quyHoachKetThuc", end, profile.plan.period_end),
        ):
            other = sorted({str(v) for v in series.dropna() if v != want})
            if other:
                out.append(
                    Problem(
                        layer,
                        "date",
                        f"{column} {other[:3]} differs from the profile's plan date {want}",
                    )
                )
    return out


def _check_ids(layer, ids: pd.Series, theme, group, profile, seen: dict[str, str]):
    out: list[Problem] = []
    codes = set()
    db = db_code(profile) if profile is not None else None
    for value in ids:
        text = "" if pd.isna(value) else str(value)
        m = ID_PATTERN.fullmatch(text)
        if not m:
            if text:  # empty ones are reported as a missing mandatory field
                out.append(
                    Problem(
                        layer,
                        "id",
                        f"maDoiTuong {text!r} is not of the form "
                        "T12-MH01-00000001 (level + province code, theme + group + "
                        "type, 8-digit sequence; Art. 10)",
                        feature=text,
                    )
                )
            continue
        if text in seen:
            out.append(
                Problem(
                    layer,
                    "id",
                    f"maDoiTuong {text} is not unique: also in {seen[text]}",
                    feature=text,
                )
            )
        seen.setdefault(text, layer)
        if db is not None and f"{m.group(1)}{m.group(2)}" != db:
            out.append(
                Problem(
                    layer,
                    "id",
                    f"maDoiTuong {text} has database code {m.group(1)}{m.group(2)}, expected {db}",
                    feature=text,
                )
            )
        if theme is not None and m.group(3) != theme.letter:
            out.append(
                Problem(
                    layer,
                    "id",
                    f"maDoiTuong {text} has theme {m.group(3)} but the "
                    f"layer is in {theme.dataset} ({theme.letter})",
                    feature=text,
                )
            )
        if group is not None and m.group(4) != group:
            out.append(
                Problem(
                    layer,
                    "id",
                    f"maDoiTuong {text} has group {m.group(4)} but the layer name means {group}",
                    feature=text,
                )
            )
        codes.add(f"{m.group(3)}{m.group(4)}{m.group(5)}")
    if len(codes) > 1:
        out.append(
            Problem(
                layer,
                "id",
                f"the layer mixes type codes {sorted(codes)}; one layer is one feature type",
            )
        )
    return out


def _check_files(out_dir: Path, layer: str, expected_crs: str | None) -> list[Problem]:
    out = []
    if not (out_dir / "gml" / f"{layer}.gml").is_file():
        out.append(Problem(layer, "gml", f"no gml/{layer}.gml exchange file (Art. 5.1)"))
    xml = out_dir / "metadata" / f"{layer}.xml"
    if not xml.is_file():
        out.append(Problem(layer, "metadata", f"no metadata/{layer}.xml (ISO 19115, Art. 7.2)"))
        return out
    try:
        root = ET.parse(xml).getroot()
    except ET.ParseError as exc:
        return [*out, Problem(layer, "metadata", f"metadata/{layer}.xml is not XML: {exc}")]
    codes = [
        e.text
        for e in root.iter("{http://www.isotc211.org/2005/gco}CharacterString")
        if e.text and e.text.startswith("EPSG:")
    ]
    if not codes:
        out.append(Problem(layer, "metadata", f"metadata/{layer}.xml states no reference system"))
    elif expected_crs is not None and expected_crs not in codes:
        out.append(
            Problem(
                layer,
                "metadata",
                f"metadata/{layer}.xml states {codes[0]}, not the delivery CRS {expected_crs}",
            )
        )
    return out
