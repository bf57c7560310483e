"""Vietnamese text of the statistics outputs: one translation table, matched and filled.

Private: :func:`gis.report.write_statistics` is the public entry point. The tables of
:func:`gis.stats.compute_statistics` stay in English with their codes (``districts_pre2025``,
``met``, ``urban area``): code and tests compare those, and the English CSV files keep them. The
writer translates what a planner reads, at the end, through ``gis/data/translations_vi.csv``
(columns ``kind``, ``en``, ``vi``; UTF-8):

* ``column``: a column name and its Vietnamese header (``area_km2`` -> ``Diện tích (km²)``);
* ``sheet``: a table name and its Excel sheet name (at most 31 characters, unique);
* ``text``: a cell value, title, definition or fixed phrase. An ``en`` without ``{...}`` is an
  exact value; with placeholders it is a template matched against the whole text, and the
  pieces it captures are filled into ``vi``. Numbers therefore always come from the data, never
  from the table: ``{n:num} of the {total:num} existing roads are schematic ...`` turns
  "13 of the 13 existing roads ..." into "13 trong số 13 đường hiện có ...".

Placeholders (in ``en``; ``vi`` names the same ones without the kind):

=============  ==========================  =================================================
``{x}``        any text (possibly empty)   translated again (a nested message, a unit
                                           system, a list split on "; "), else kept as is
``{x:code}``   one word (no space)         translated again, else kept (``province``)
``{x:raw}``    one item (no "; ")          kept as is (names, commands, quotes, URLs)
``{x:id}``     one word                    kept as is (layer, column and metric names)
``{x:num}``    a number, ``12,345.6``      written the Vietnamese way, ``12.345,6``
=============  ==========================  =================================================

In ``vi``, ``[[name]]`` is the Vietnamese header of column ``name`` (or the sheet name of table
``name``) in quotes, so a definition names the column the reader sees. Code identifiers that
stay in Vietnamese text (layer names, functions, commands) are written in backticks.

Exact rows are looked up first, then templates, the most specific (longest fixed text) first.
A text that no row matches stays as it is: place names, and what the layers record verbatim
(citations, quotes and notes of the ``facts`` and ``plan_targets`` layers).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import pandas as pd

from gis import settings
from gis.errors import GisError

__all__: list[str] = []

#: The translation table, under ``gis/data``.
TABLE = "translations_vi.csv"
KINDS = ("column", "sheet", "text")
_EXCEL_SHEET_MAX = 31

_PLACEHOLDER = re.compile(r"\{(\w+)(?::(\w+))?\}")
_PATTERNS = {
    "": r".*?",
    "raw": r"(?:(?!; ).)*?",
    "code": r"\S+?",
    "id": r"\S+?",
    "num": r"-?\d[\d,]*(?:\.\d+)?",
}
_NUMBER = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+\.\d+")
_LABEL = re.compile(r"\[\[(\w+)\]\]")


def vi_number(text: str) -> str:
    """``"12,345.6"`` -> ``"12.345,6"`` (Vietnamese: dots between thousands, decimal comma)."""
    return text.translate(str.maketrans({",": ".", ".": ","}))


class _Template:
    """One ``text`` row with placeholders: a regex for ``en`` and the ``vi`` to fill."""

    def __init__(self, en: str, vi: str) -> None:
        self.en, self.vi = en, vi
        parts, self.kinds, pos = [], {}, 0
        self.literals = []
        for m in _PLACEHOLDER.finditer(en):
            literal = en[pos : m.start()]
            parts.append(re.escape(literal))
            self.literals.append(literal)
            name, kind = m.group(1), m.group(2) or ""
            if kind not in _PATTERNS or name in self.kinds:
                raise GisError(
                    f"{TABLE}: placeholder {m.group(0)} in {en!r} repeats a name or has an "
                    f"unknown kind; kinds: {sorted(k for k in _PATTERNS if k)}."
                )
            self.kinds[name] = kind
            parts.append(f"(?P<{name}>{_PATTERNS[kind]})")
            pos = m.end()
        self.literals.append(en[pos:])
        parts.append(re.escape(en[pos:]))
        self.regex = re.compile("".join(parts), re.DOTALL)
        unknown = {n for n, _ in _PLACEHOLDER.findall(vi)} - set(self.kinds)
        if unknown:
            raise GisError(
                f"{TABLE}: the vi text of {en!r} uses {sorted(unknown)}, which the en text does "
                "not capture; name the same placeholders in both."
            )
        #: Characters of fixed text: the more, the more specific (tried first).
        self.weight = sum(len(s) for s in self.literals)

    def match(self, text: str) -> dict[str, str] | None:
        if not (text.startswith(self.literals[0]) and text.endswith(self.literals[-1])):
            return None
        if any(lit not in text for lit in self.literals[1:-1]):
            return None
        m = self.regex.fullmatch(text)
        return m.groupdict() if m else None


def load_table() -> pd.DataFrame:
    """Read ``gis/data/translations_vi.csv`` and check it (kinds, duplicates, sheet names)."""
    with resources.files("gis").joinpath("data", TABLE).open("rb") as fh:
        table = pd.read_csv(fh, dtype=str, keep_default_na=False)
    bad = sorted(set(table["kind"]) - set(KINDS))
    if bad:
        raise GisError(f"{TABLE}: unknown kind(s) {bad}; allowed: {list(KINDS)}.")
    dup = table.loc[table.duplicated(["kind", "en"]), "en"].tolist()
    if dup:
        raise GisError(f"{TABLE}: {dup} appear twice; keep one row per kind and en.")
    sheets = table.loc[table["kind"] == "sheet", "vi"]
    long = [s for s in sheets if len(s) > _EXCEL_SHEET_MAX or re.search(r"[\[\]:*?/\\]", s)]
    if long or sheets.duplicated().any():
        raise GisError(
            f"{TABLE}: Excel sheet names must be unique, at most {_EXCEL_SHEET_MAX} characters "
            f"and free of []:*?/\\ ; fix {long or sheets[sheets.duplicated()].tolist()}."
        )
    return table


@cache
def _rows() -> dict[str, dict[str, str]]:
    """The table as ``{kind: {en: vi}}``, read once per process (do not modify)."""
    return {
        kind: dict(zip(part["en"], part["vi"], strict=True))
        for kind, part in load_table().groupby("kind")
    }


@cache
def _templates() -> tuple[dict[str, str], list[_Template]]:
    """The ``text`` rows: exact values, and templates most specific first."""
    exact, templates = {}, []
    for en, vi in _rows().get("text", {}).items():
        if _PLACEHOLDER.search(en):
            templates.append(_Template(en, vi))
        else:
            exact[en] = vi
    templates.sort(key=lambda t: -t.weight)
    return exact, templates


class Translator:
    """Translate the text of the statistics outputs into ``language`` (``"en"``: unchanged).

    Examples
    --------
    >>> tr = Translator("vi")
    >>> tr.text("differs by more than 2.5 %: not explained in facts")
    'chênh lệch trên 2,5 %: lớp `facts` chưa giải thích'
    >>> tr.column("area_km2"), tr.sheet("population")
    ('Diện tích (km²)', 'Dân số')
    """

    def __init__(self, language: str = "en") -> None:
        if language not in settings.REPORT_LANGUAGES:
            raise ValueError(
                f"unknown language {language!r}; use one of {list(settings.REPORT_LANGUAGES)}."
            )
        self.language = language
        self._cache: dict[str, str | None] = {}

    @property
    def vietnamese(self) -> bool:
        return self.language == "vi"

    def rows(self, kind: str) -> dict[str, str]:
        """The ``en`` -> ``vi`` rows of one ``kind`` of the table."""
        return dict(self._rows.get(kind, {}))

    @property
    def _rows(self) -> dict[str, dict[str, str]]:
        return _rows()

    @property
    def _templates(self) -> tuple[dict[str, str], list[_Template]]:
        return _templates()

    def column(self, name: str) -> str:
        """Header of column ``name`` (its name in English, or when it has no label)."""
        return self._rows.get("column", {}).get(name, name) if self.vietnamese else name

    def sheet(self, table: str) -> str:
        """Excel sheet name of ``table`` (at most 31 characters)."""
        name = self._rows.get("sheet", {}).get(table, table) if self.vietnamese else table
        return name[:_EXCEL_SHEET_MAX]

    def find(self, text: str) -> str | None:
        """The translation of the whole ``text``, or None when no row matches it."""
        if text not in self._cache:
            self._cache[text] = self._find(text)
        return self._cache[text]

    def _find(self, text: str) -> str | None:
        exact, templates = self._templates
        if text in exact:
            return self._labels(exact[text])
        for t in templates:
            groups = t.match(text)
            if groups is not None:
                filled = {n: self._piece(v, t.kinds[n]) for n, v in groups.items()}
                return _PLACEHOLDER.sub(lambda m, f=filled: f[m.group(1)], self._labels(t.vi))
        return None

    def _piece(self, value: str, kind: str) -> str:
        if kind in ("raw", "id"):
            return value
        if kind == "num":
            return vi_number(value)
        return self._render(value)

    def _render(self, text: str) -> str:
        """Translate ``text`` as far as the table allows (inner pieces of a template)."""
        core = text.strip()
        if not core:
            return text
        lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
        found = self.find(core)
        if found is None and _NUMBER.fullmatch(core):
            found = vi_number(core)
        if found is None and "; " in core:
            found = "; ".join(self._render(part) for part in core.split("; "))
        return lead + (core if found is None else found) + trail

    def text(self, value: object) -> object:
        """Translate a title, definition or text cell; other values are returned unchanged."""
        if not self.vietnamese or not isinstance(value, str):
            return value
        return self._render(value)

    def _labels(self, vi: str) -> str:
        """Replace ``[[name]]`` by the quoted header of column (or sheet of table) ``name``."""

        def label(m: re.Match) -> str:
            name = m.group(1)
            found = self._rows.get("column", {}).get(name) or self._rows.get("sheet", {}).get(name)
            if found is None:
                raise GisError(f"{TABLE}: [[{name}]] names no column and no table; fix the row.")
            return f"“{found}”"

        return _LABEL.sub(label, vi)
