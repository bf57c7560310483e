"""Circular 04/2023/TT-BKHĐT as data: themes, fields, feature IDs and the layer mapping.

Circular 04/2023/TT-BKHĐT (MPI, 26/06/2023) sets how a provincial plan's geographic database is
delivered: one File Geodatabase named after the province (``BacGiang.gdb``) with 14 data themes as
feature datasets (Art. 9.1), layers named ``TenLop_A|P|L`` by geometry and lowerCamelCase fields
(Phụ lục III Mục 1), a feature ID per feature (Art. 10; Phụ lục III Mục 2) and the mandatory
fields of its feature catalogue (Phụ lục III Mục 3). What the text says and what is inferred is in
``../shared/data/circular_04_2023.md``; here it is data:

``gis/data/circular04_themes.csv``
    The 14 themes: letter, Vietnamese name, feature-dataset name, ``basis`` (``T`` from the text,
    ``I`` inferred).
``gis/data/circular04_fields.csv``
    The fields every delivered layer carries, their type and whether they are mandatory
    (``yes``: present and filled; ``field``: present, may be empty; ``no``: optional).
``gis/data/circular04_mapping.csv``
    Which toolkit layer (a role of :data:`gis.profile.LAYER_ROLES` or a layer name) and which of
    its features go to which theme, status group (``H`` hiện trạng, ``Q`` định hướng, ``K`` khác),
    type number and layer name, and how each is represented (see :mod:`gis.deliver`). A row
    without a theme documents features deliberately not delivered. Rows are tried in order; the
    first whose ``where`` matches a feature delivers it (``continue = yes``: the following rows
    are tried too, so that an existing urban area is also in the plan's urban system).
``gis/data/circular04_values.csv``
    Values of the toolkit's columns in Vietnamese (``planned`` -> ``xây dựng mới``).

A province adds or changes rows (Art. 11.2 lets provinces extend the catalogue) in
``layers/<slug>/circular04_mapping.csv``, same columns: its rows replace every default row of
the same ``from_layer`` and add rows for layers of its own.

Only the type code ``MH01`` (Xây dựng / hiện trạng / hệ thống đô thị) and the layer name
``HienTrangDoThi_P`` are examples of the text; every other code and layer name is inferred
(``basis = I``) until the feature catalogue of Phụ lục III Mục 3 (Công báo 817+818) is available.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from gis.errors import ProfileError
from gis.profile import Profile

__all__ = [
    "FIELDS",
    "ID_PATTERN",
    "LAYER_NAME_PATTERN",
    "MAPPING_FILE",
    "MappingRow",
    "Theme",
    "ascii_pascal",
    "feature_id",
    "field_specs",
    "load_mapping",
    "package_name",
    "themes",
    "value_text",
]

DATA = Path(__file__).resolve().parent / "data"
#: Name of a province's own mapping rows, in its folder beside ``profile.toml``.
MAPPING_FILE = "circular04_mapping.csv"
#: ``T12-MH01-00000001``: plan level (G national, V regional, T provincial) + 2-digit code, theme
#: letter + status group + 2-digit type number, 8-digit sequence (Art. 10; the text's example
#: ``T19-MH02-00000001`` writes the parts with hyphens).
ID_PATTERN = re.compile(r"([GVT])(\d{2})-([LMNPQRSTUVWXYZ])([HQK])(\d{2})-(\d{8})")
#: ``HienTrangDoThi_P``: PascalCase without diacritics, ``_A`` polygon, ``_P`` point, ``_L`` line.
LAYER_NAME_PATTERN = re.compile(r"[A-Z][A-Za-z0-9]*_([APL])")
#: Field names: lowerCamelCase without diacritics (``maDoiTuong``).
FIELD_NAME_PATTERN = re.compile(r"[a-z][A-Za-z0-9]*")
#: Geometry suffix -> the geometry types a layer with it may hold.
SUFFIX_GEOMETRIES = {
    "A": ("Polygon", "MultiPolygon"),
    "P": ("Point", "MultiPoint"),
    "L": ("LineString", "MultiLineString"),
}
#: Layer name prefix -> status group it implies.
PREFIX_GROUPS = {"HienTrang": "H", "DinhHuong": "Q"}
_REPRESENTATIONS = ("boundary", "symbol", "legal_basis")
_COLUMNS = (
    "from_layer",
    "where",
    "theme",
    "group",
    "type_no",
    "layer",
    "representation",
    "continue",
    "name_field",
    "fields",
    "reason",
    "basis",
    "note",
)


@dataclass(frozen=True)
class Theme:
    """One of the 14 data themes (Art. 9.1): letter, Vietnamese name, feature-dataset name.

    ``color`` is the toolkit's own colour of the theme in the delivery's QGIS project [I]: the
    symbol sheets of Phụ lục II were not available.
    """

    letter: str
    name_vi: str
    dataset: str
    basis: str
    note: str = ""
    color: str = "#555555"


@dataclass(frozen=True)
class FieldSpec:
    """A field every delivered layer carries (``gis/data/circular04_fields.csv``)."""

    name: str
    type: str
    required: str  # "yes": present and filled; "field": present; "no": optional
    applies: str  # "all", "H", "Q", "K"
    basis: str
    description: str


@dataclass(frozen=True)
class MappingRow:
    """One row of the mapping (see the module docstring); ``origin`` says which file and line."""

    from_layer: str
    where: tuple[tuple[str, str, tuple[str, ...]], ...]  # (column, "=" or "!=", values)
    theme: str
    group: str
    type_no: str
    layer: str
    representation: str
    cont: bool
    name_field: tuple[str, ...]
    fields: tuple[tuple[str, tuple[str, ...]], ...]  # (target field, source columns)
    reason: str
    basis: str
    note: str
    origin: str

    @property
    def delivers(self) -> bool:
        """False for a row documenting features that are not delivered."""
        return bool(self.theme)

    @property
    def type_code(self) -> str:
        """Theme letter + group + type number, e.g. ``MH01``."""
        return f"{self.theme}{self.group}{self.type_no}"


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


@lru_cache(maxsize=1)
def themes() -> dict[str, Theme]:
    """Theme letter -> :class:`Theme` (``gis/data/circular04_themes.csv``)."""
    return {
        r["letter"]: Theme(
            r["letter"], r["theme_vi"], r["dataset"], r["basis"], r["note"], r["color"]
        )
        for r in _read_csv(DATA / "circular04_themes.csv")
    }


@lru_cache(maxsize=1)
def field_specs() -> tuple[FieldSpec, ...]:
    """The common fields of every delivered layer (``gis/data/circular04_fields.csv``)."""
    return tuple(
        FieldSpec(r["field"], r["type"], r["required"], r["applies"], r["basis"], r["description"])
        for r in _read_csv(DATA / "circular04_fields.csv")
    )


FIELDS = tuple(s.name for s in field_specs())
#: The fields the delivery fills itself (the others, optional, come from the mapping's ``fields``).
FILLED = tuple(s.name for s in field_specs() if s.required != "no")


@lru_cache(maxsize=1)
def _values() -> dict[tuple[str, str], str]:
    return {
        (r["column"], r["value"]): r["text_vi"] for r in _read_csv(DATA / "circular04_values.csv")
    }


def value_text(column: str, value: object) -> object:
    """A value of a toolkit column in Vietnamese (``circular04_values.csv``), else unchanged."""
    if isinstance(value, str):
        return _values().get((column, value), value)
    return value


def ascii_pascal(text: str) -> str:
    """``"Lai Châu"`` -> ``"LaiChau"``: capitalised words joined, no diacritics or signs."""
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in folded if unicodedata.category(c) != "Mn")
    return "".join(w[:1].upper() + w[1:] for w in re.findall(r"[A-Za-z0-9]+", plain))


def package_name(profile: Profile) -> str:
    """The ``.gdb`` name without suffix: ``[delivery] package_name``, else from the name."""
    if profile.delivery.package_name:
        return profile.delivery.package_name
    return ascii_pascal(str(profile.extra.get("name_ascii") or profile.name))


def db_code(profile: Profile) -> str:
    """The database part of the feature ID: ``T`` (provincial plan) + the 2-digit province code.

    The code is the province's administrative code (Decision 124/2004/QĐ-TTg, the GSO code of the
    profile); after the 2025 mergers the current official list applies (``code`` of the profile).
    """
    code = str(profile.code)
    if not re.fullmatch(r"\d{1,2}", code):
        raise ProfileError(
            f"province code {code!r} of profile '{profile.slug}' is not a 2-digit administrative "
            'code; the feature ID of Circular 04/2023 needs one (code = "12").'
        )
    return f"T{int(code):02d}"


def feature_id(db: str, type_code: str, sequence: int) -> str:
    """``T12``, ``MH01``, 1 -> ``T12-MH01-00000001``."""
    return f"{db}-{type_code}-{sequence:08d}"


def _parse_where(text: str, origin: str) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    out = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)\s*(!=|=)\s*(.*)", part)
        if not m:
            raise ProfileError(
                f"{origin}: where condition {part!r} is not COLUMN=VALUE or COLUMN!=VALUE "
                "(alternatives with |, conditions joined with ;), e.g. "
                "kind=border_gate;status=planned."
            )
        values = tuple(v.strip() for v in m.group(3).split("|")) if m.group(3) else ("",)
        out.append((m.group(1), m.group(2), values))
    return tuple(out)


def _parse_fields(text: str, origin: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    out = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        target, _, source = part.partition("=")
        target = target.strip()
        if not source or not FIELD_NAME_PATTERN.fullmatch(target):
            raise ProfileError(
                f"{origin}: field {part!r} must be fieldName=column with a lowerCamelCase field "
                "name without diacritics (Phụ lục III Mục 1), e.g. phanLoai=class_2030."
            )
        if target in FILLED:
            raise ProfileError(
                f"{origin}: field {target!r} is filled by the delivery itself; map the column to "
                "another name."
            )
        out.append((target, tuple(s.strip() for s in source.split("|"))))
    return tuple(out)


def _row(raw: dict[str, str], origin: str) -> MappingRow:
    missing = [c for c in _COLUMNS if c not in raw]
    if missing:
        raise ProfileError(
            f"{origin}: the mapping lacks column(s) {missing}; use the columns of "
            f"gis/data/{MAPPING_FILE}."
        )
    theme, group, type_no, layer = raw["theme"], raw["group"], raw["type_no"], raw["layer"]
    representation = raw["representation"]
    if theme:
        problems = []
        if theme not in themes():
            problems.append(f"theme {theme!r} is not one of {''.join(themes())}")
        if group not in ("H", "Q", "K"):
            problems.append(f"group {group!r} is not H (hiện trạng), Q (định hướng) or K (khác)")
        if not re.fullmatch(r"\d{2}", type_no):
            problems.append(f"type_no {type_no!r} is not two digits")
        if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", layer):
            problems.append(f"layer {layer!r} is not PascalCase without diacritics or suffix")
        prefix_group = next((g for p, g in PREFIX_GROUPS.items() if layer.startswith(p)), None)
        if prefix_group and prefix_group != group:
            problems.append(f"layer {layer!r} starts with a prefix of group {prefix_group}")
        if representation not in _REPRESENTATIONS:
            problems.append(f"representation {representation!r} is not one of {_REPRESENTATIONS}")
        if problems:
            raise ProfileError(f"{origin}: " + "; ".join(problems) + ".")
    return MappingRow(
        from_layer=raw["from_layer"],
        where=_parse_where(raw["where"], origin),
        theme=theme,
        group=group,
        type_no=type_no,
        layer=layer,
        representation=representation,
        cont=raw["continue"].lower() in ("yes", "true", "1"),
        name_field=tuple(s.strip() for s in raw["name_field"].split("|") if s.strip()),
        fields=_parse_fields(raw["fields"], origin),
        reason=raw["reason"],
        basis=raw["basis"],
        note=raw["note"],
        origin=origin,
    )


def _rows(path: Path) -> list[MappingRow]:
    try:
        raw = _read_csv(path)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ProfileError(f"{path} cannot be read as a UTF-8 CSV ({exc}); fix the file.") from None
    return [_row(r, f"{path.name} line {i}") for i, r in enumerate(raw, start=2)]


def load_mapping(profile: Profile) -> list[MappingRow]:
    """The mapping of ``profile``: its own rows (``layers/<slug>/circular04_mapping.csv``), then
    the default rows of every ``from_layer`` it does not map itself.

    Raises
    ------
    ProfileError
        If a row is malformed, or a type code names two layers (or a layer two type codes).
    """
    own_path = profile.path / MAPPING_FILE
    own = _rows(own_path) if own_path.is_file() else []
    overridden = {r.from_layer for r in own}
    rows = own + [r for r in _rows(DATA / MAPPING_FILE) if r.from_layer not in overridden]
    by_code: dict[str, MappingRow] = {}
    by_layer: dict[str, MappingRow] = {}
    for row in (r for r in rows if r.delivers):
        for key, index in ((row.type_code, by_code), (row.layer, by_layer)):
            other = index.setdefault(key, row)
            if (other.type_code, other.layer) != (row.type_code, row.layer):
                raise ProfileError(
                    f"{row.origin}: {row.type_code} {row.layer} conflicts with {other.origin} "
                    f"({other.type_code} {other.layer}): one type code is one layer name."
                )
    return rows
