"""Write statistics tables: one CSV per table, one Excel workbook, one Markdown report.

:func:`write_statistics` takes the dict of :func:`gis.stats.compute_statistics` and writes into a
folder (default :data:`gis.settings.OUT_DIR`), in English or Vietnamese (``language``):

* ``<table>.csv`` for each table, full precision. English: UTF-8, column names with their unit,
  the codes of the tables (``districts_pre2025``, ``met``). Vietnamese: the same file names, the
  headers, codes and text a planner reads in Vietnamese, and a UTF-8 byte order mark, because
  Excel opens a CSV without one in the Windows code page and garbles every diacritic
  ("LÃ¢i ChÃ¢u"); numbers keep the decimal point, so a CSV reads the same in every locale
  (open ``statistics.xlsx`` to read numbers formatted the local way);
* ``statistics.xlsx``: a contents sheet (sheet, title, definition, unit system, sources, rows;
  each sheet name links to its sheet) and one sheet per table. Every sheet has a frozen,
  filtered header row and columns sized to their content; numbers keep full precision and are
  shown rounded as in the report (see :func:`_decimals`);
* ``report.md``: each table with its title, definition, unit system and sources, so every number
  can be traced to the layers (and their content hash) it came from. Vietnamese numbers are
  written ``460.196`` and ``17,79``.

Vietnamese text comes from one table, ``gis/data/translations_vi.csv`` (see
:mod:`gis._translate`): column headers, sheet names, and templates whose numbers are filled in
from the English text, never stored. Names of places stay as they are; the columns of
:data:`RECORDED_COLUMNS` quote the layers (citations, quotes, notes) and keep the words of their
source where no generic row of the table matches. Code identifiers left in Vietnamese text
(layer, column and function names, commands) are written in backticks.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from gis import settings
from gis._safe_text import csv_frame, excel_frame, excel_sheet, markdown_text
from gis._translate import Translator, vi_number
from gis._writes import atomic_write, write_error
from gis.errors import GisError

__all__ = [
    "RECORDED_COLUMNS",
    "REPORT_MAX_ROWS",
    "Sources",
    "column_labels_vi",
    "contents_table",
    "sheet_name",
    "write_statistics",
]

#: Columns that quote the layers: citations, quotes of documents and notes, kept in the words of
#: their source unless a generic row of the translation table matches the whole text.
RECORDED_COLUMNS = ("reference_source", "note", "target_text", "target_source", "criterion_source")
#: Columns of names and codes, never translated (place names stay as they are).
_NAME_COLUMNS = (
    "code",
    "name",
    "census_units",
    "communes_reached",
    "origin",
    "urban_area",
    "indicator_id",
    "indicator_key",
    "target_id",
    "merged_from_codes",
)
#: Widest Excel column (characters); longer text wraps.
_EXCEL_WIDTH_MAX = 70
#: Longest table printed in ``report.md``: a provincial table has at most about 100 rows; the
#: 3,321 communes of the country (420 kB of Markdown) are read in the CSV or the workbook.
REPORT_MAX_ROWS = 500
#: Header text counted in a column's width (longer headers wrap).
_EXCEL_HEADER_WIDTH = 18


def column_labels_vi() -> dict[str, str]:
    """Return the column-name -> Vietnamese header dictionary shipped with the package."""
    return Translator("vi").rows("column")


def sheet_name(table: str, language: str | None = None) -> str:
    """Return the Excel sheet name of ``table`` in ``language`` (default: the setting).

    Examples
    --------
    >>> sheet_name("corridor_coverage", "vi")
    'Phủ hành lang trục'
    """
    return Translator(language or settings.REPORT_LANGUAGE).sheet(table)


class Sources(str):
    """The sources line of a table (``attrs["sources"]``): the English text, with the
    Vietnamese one in :attr:`vi` (the layers' ``provenance.source_vi``).

    A plain ``str`` works wherever a :class:`Sources` does; the Vietnamese report then passes it
    through the translation table.

    >>> s = Sources("roads [ab12]: schematic roads", "roads [ab12]: đường sơ đồ")
    >>> str(s), s.vi
    ('roads [ab12]: schematic roads', 'roads [ab12]: đường sơ đồ')
    """

    vi: str

    def __new__(cls, en: str, vi: str = "") -> Sources:
        obj = super().__new__(cls, en)
        obj.vi = vi or en
        return obj

    def __reduce__(self):  # pickled with the table cache of gis build
        return (Sources, (str(self), self.vi))


def _sources_text(sources: object, tr: Translator) -> str:
    """The sources line as the report's reader reads it."""
    if tr.vietnamese and isinstance(sources, Sources):
        return sources.vi
    return tr.text(str(sources))


def contents_table(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Return one row per table: name, title, definition, unit system, sources, number of rows."""
    rows = [
        {
            "table": name,
            "title": t.attrs.get("title", name),
            "definition": t.attrs.get("definition", ""),
            "unit_system": t.attrs.get("unit_system", ""),
            "sources": str(t.attrs.get("sources", "")),
            "n_rows": len(t),
        }
        for name, t in tables.items()
    ]
    return pd.DataFrame(rows)


def _decimals(name: str, values: pd.Series) -> int | None:
    """Decimals to show for a numeric column (0 = integer), None for a non-numeric one.

    Counts, years, distances in m and populations hold whole numbers: shown without decimals,
    also where a population is estimated (``*_persons``, ``population*``, ``n_*``). Otherwise by
    unit: urban shares (``*urban_pct``) to 2 decimals as the census publishes them, other % and
    people per km² to 1 decimal, other densities and rates (``density``, ``_per_``,
    e.g. km of road per km²) to 3, areas
    and lengths (km², km, ha) and anything else to 2. The CSV files keep full precision.
    """
    if values.dtype.kind not in "fiu" or values.dtype.kind == "b":
        return None
    present = values.dropna()
    if values.dtype.kind in "iu" or (len(present) and (present % 1 == 0).all()):
        return 0
    if name.endswith("urban_pct"):
        return 2  # urban shares are published to 2 decimals (census 2019: 17.79 %, 34.43 %)
    if name.endswith("_pct") or "persons_per_" in name:
        return 1
    if name.endswith("_persons") or name.startswith(("population", "n_")):
        return 0  # people and counts: an estimate of people has no decimals
    if "density" in name or "_per_" in name:
        return 3
    return 2


def _text(value: object, decimals: int | None = 2, *, vietnamese: bool = False) -> str:
    """A cell as the reader sees it: rounded to ``decimals``, "—" when missing."""
    if isinstance(value, bool | np.bool_):
        return ("có" if value else "không") if vietnamese else str(value)
    if value is pd.NA:  # a missing value of a nullable column (Int64)
        return "—"
    if isinstance(value, np.integer | np.floating):
        value = value.item()  # Int64 columns hold numpy scalars
    if isinstance(value, float | int):
        if isinstance(value, float) and math.isnan(value):
            return "—"
        if abs(value) >= 1e15:
            text = str(value)
        elif decimals is None:
            text = f"{value:,.2f}" if isinstance(value, float) else str(value)
        else:
            text = f"{value:,.{decimals}f}"
            text = text.lstrip("-") if not text.strip("-0.,") else text  # no "-0.0"
        return vi_number(text) if vietnamese else text
    text = "" if value is None else str(value)
    return text.replace("\n", " ") or "—"  # no empty cell


def _cell(value: object, decimals: int | None = 2, *, vietnamese: bool = False) -> str:
    """A Markdown table cell: text of the data escaped (no HTML, no links, see _safe_text)."""
    return markdown_text(_text(value, decimals, vietnamese=vietnamese)).replace("|", "\\|")


#: Units of a ``unit`` column whose values are counted, not measured (persons, urban areas...).
_COUNTED = re.compile(r"^(persons|urban areas|visitors per year|households|units?)$")


#: Columns of figures as a document states them: shown with the decimals the figure has
#: ("khoảng 30%" is 30, not 30,00; "1,4%/năm" is 1,4), at most the column's.
_STATED_COLUMNS = ("target_value",)


def _stated_decimals(value: object, most: int) -> int:
    """Fewest decimals (up to ``most``) that write ``value`` exactly."""
    for d in range(most):
        if round(float(value), d) == float(value):
            return d
    return most


def _row_decimals(frame: pd.DataFrame) -> list[list[int | None]]:
    """Decimals per cell: the column's, except a counted whole number in a table whose rows
    carry their own ``unit`` (targets mix persons, % and VND in one column: 545,000 persons,
    not 545,000.00), and a figure of :data:`_STATED_COLUMNS`, shown as stated."""
    columns = [_decimals(str(c), frame[c]) for c in frame.columns]
    stated = [str(c) in _STATED_COLUMNS for c in frame.columns]
    if "unit" not in frame.columns and not any(stated):
        return [columns] * len(frame)
    counted = (
        frame["unit"].astype(str).str.match(_COUNTED).to_numpy()
        if "unit" in frame.columns
        else np.zeros(len(frame), dtype=bool)
    )
    out = []
    for i, row in enumerate(frame.itertuples(False)):
        cells = []
        for v, d, as_stated in zip(row, columns, stated, strict=True):
            number = isinstance(v, float | int) and not isinstance(v, bool) and pd.notna(v)
            if d and number and as_stated:
                d = _stated_decimals(v, d)
            elif d and number and counted[i] and float(v).is_integer():
                d = 0
            cells.append(d)
        out.append(cells)
    return out


def _markdown(frame: pd.DataFrame, shown: pd.DataFrame, *, vietnamese: bool = False) -> str:
    """``shown`` (``frame`` translated) as a Markdown table, rounded as ``frame`` says."""
    head = "| " + " | ".join(markdown_text(c).replace("|", "\\|") for c in shown.columns) + " |"
    rule = "|" + "---|" * len(shown.columns)
    body = [
        "| "
        + " | ".join(_cell(v, d, vietnamese=vietnamese) for v, d in zip(row, decimals, strict=True))
        + " |"
        for row, decimals in zip(shown.itertuples(False), _row_decimals(frame), strict=True)
    ]
    return "\n".join([head, rule, *body])


def _translated(frame: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """``frame`` with Vietnamese headers and text cells (numbers, names and codes unchanged).

    A table may carry, in ``attrs["labels_vi"]``, the Vietnamese names its layers give to codes
    (``{"plan_region": {"dynamic_economic": "Vùng kinh tế động lực ..."}}``); they come first.
    """
    if not tr.vietnamese:
        return frame
    out = frame.copy()
    names = frame.attrs.get("labels_vi", {})
    for col in out.columns:
        if col in _NAME_COLUMNS or out[col].dtype.kind in "fiub":
            continue
        known = names.get(col, {})
        out[col] = out[col].map(
            lambda v, k=known: k[v] if isinstance(v, str) and v in k else tr.text(v),
            na_action="ignore",
        )
    return out.rename(columns=tr.column)


def _excel_layout(sheet, frame: pd.DataFrame, shown: pd.DataFrame, *, vietnamese: bool) -> None:
    """Number formats by unit, frozen and filtered header, columns sized to their content.

    Values keep full precision; the format shows them rounded as in the report (persons and
    counts as integers with a thousands separator, % to 1 decimal, urban shares to 2, km² and
    ha to 2, densities and rates to 3: :func:`_decimals`). Excel draws the separators of the
    reader's locale (460,196 or 460.196).
    """
    decimals = _row_decimals(frame)
    for i, row in enumerate(decimals, start=2):
        for j, d in enumerate(row, start=1):
            if d is not None:
                sheet.cell(i, j).number_format = "#,##0" if d == 0 else "#,##0." + "0" * d
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    top = Alignment(vertical="top", wrap_text=True)
    for j, col in enumerate(shown.columns, start=1):
        texts = [
            _text(v, row[j - 1], vietnamese=vietnamese)
            for v, row in zip(shown[col], decimals, strict=True)
        ]
        longest = max((len(t) for t in texts), default=0)
        header = min(len(str(col)), _EXCEL_HEADER_WIDTH)
        width = min(max(longest, header, 4) + 2, _EXCEL_WIDTH_MAX)
        sheet.column_dimensions[get_column_letter(j)].width = width
        head = sheet.cell(1, j)
        head.font, head.alignment = Font(bold=True), top
        if longest + 2 > _EXCEL_WIDTH_MAX:  # long text wraps within the column
            for i in range(2, len(shown) + 2):
                sheet.cell(i, j).alignment = top


def write_statistics(
    tables: dict[str, pd.DataFrame],
    out_dir: str | Path | None = None,
    *,
    language: str | None = None,
    vietnamese: bool = False,
    title: str = "Statistics",
) -> dict[str, Path]:
    """Write the tables as CSV files, an Excel workbook and a Markdown report.

    Parameters
    ----------
    tables : dict of str to DataFrame
        From :func:`gis.stats.compute_statistics` (``attrs`` title/definition/unit_system/sources).
    out_dir : str or Path, optional
        Output folder, created if needed (default :data:`gis.settings.OUT_DIR`).
    language : {"en", "vi"}, optional
        Language of everything written (default :data:`gis.settings.REPORT_LANGUAGE`; the CLI
        passes the profile's ``[report] language``). CSV file names stay the same.
    vietnamese : bool
        Same as ``language="vi"``.
    title : str
        First heading of the report ("Statistics: <province>" is translated; another title is
        written as given).

    Returns
    -------
    dict of str to Path
        ``"<table>"`` -> CSV path for each table, plus ``"excel"`` and ``"report"``.

    Raises
    ------
    ValueError
        If ``language`` is unknown, or ``vietnamese=True`` contradicts it.
    """
    if vietnamese and language not in (None, "vi"):
        raise ValueError(f"vietnamese=True contradicts language={language!r}; give one of them.")
    tr = Translator("vi" if vietnamese else language or settings.REPORT_LANGUAGE)
    out = Path(settings.OUT_DIR if out_dir is None else out_dir)
    try:
        return _write_all(tables, out, tr, title)
    except OSError as exc:
        if isinstance(exc, GisError):
            raise
        target = Path(exc.filename) if exc.filename else out / "report.md"
        raise write_error(
            exc,
            out / target.name.split(".part-")[0].lstrip("."),
            what=f"write the statistics to {out}",
            changed=True,
            writable_hint="choose another folder with --out DIR (or GIS_OUT_DIR)",
        ) from None


def _write_all(
    tables: dict[str, pd.DataFrame], out: Path, tr: Translator, title: str
) -> dict[str, Path]:
    """Write every file of :func:`write_statistics`, each atomically (old file or new one).

    Text of the data is neutralised: CSV and Excel cells a spreadsheet would run as formulas
    stay text, Markdown carries no HTML or links (:mod:`gis._safe_text`).
    """
    vi = tr.vietnamese
    out.mkdir(parents=True, exist_ok=True)
    shown = {name: _translated(frame, tr) for name, frame in tables.items()}
    written: dict[str, Path] = {}
    for name, frame in shown.items():
        path = out / f"{name}.csv"
        # a byte order mark lets Excel read Vietnamese CSVs as UTF-8 (see the module docstring)
        safe = csv_frame(frame)
        atomic_write(
            path,
            lambda tmp, safe=safe: safe.to_csv(
                tmp, index=False, lineterminator="\n", encoding="utf-8-sig" if vi else "utf-8"
            ),
        )
        written[name] = path
    contents = contents_table(tables)
    sheets = {name: tr.sheet(name) for name in ["contents", *tables]}
    contents_shown = (
        contents.assign(
            table=contents["table"].map(sheets),
            **{c: contents[c].map(tr.text) for c in ("title", "definition", "unit_system")},
            sources=[_sources_text(t.attrs.get("sources", ""), tr) for t in tables.values()],
        ).rename(columns=tr.column)
        if vi
        else contents
    )

    def _workbook(tmp: Path) -> None:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
            pairs = {"contents": (contents, contents_shown)}
            pairs.update({name: (tables[name], shown[name]) for name in tables})
            for name, (frame, view) in pairs.items():
                view = excel_frame(view)
                view.to_excel(xl, sheet_name=sheets[name], index=False)
                excel_sheet(xl.sheets[sheets[name]])  # text stays text, never a formula
                _excel_layout(xl.sheets[sheets[name]], frame, view, vietnamese=vi)
            toc = xl.sheets[sheets["contents"]]
            for i, name in enumerate(tables, start=2):  # each sheet name links to its sheet
                toc.cell(i, 1).hyperlink = Hyperlink(f"A{i}", location=f"'{sheets[name]}'!A1")
                toc.cell(i, 1).style = "Hyperlink"

    xlsx = atomic_write(out / "statistics.xlsx", _workbook)
    written["excel"] = xlsx
    md = markdown_text
    lines = [
        f"# {md(tr.text(title))}",
        "",
        tr.text("Tables (CSV beside this file; all in statistics.xlsx):"),
        "",
    ]
    lines += [
        f"- [{md(tr.text(r.title))}](#{r.table}) — `{r.table}.csv`, {tr.text(f'{r.n_rows:,} rows')}"
        for r in contents.itertuples()
    ]
    for name, frame in tables.items():
        a = frame.attrs
        lines += [
            "",
            f'<a id="{name}"></a>',
            f"## {md(tr.text(a.get('title', name)))}",
            "",
            f"- **{tr.text('Definition')}:** {md(tr.text(a.get('definition', '')))}",
            f"- **{tr.text('Unit system')}:** {md(tr.text(a.get('unit_system', ''))) or '—'}",
            f"- **{tr.text('Sources')}:** {md(_sources_text(a.get('sources', ''), tr))}",
            f"- **{tr.text('File')}:** `{name}.csv`",
            "",
            _markdown(frame, shown[name], vietnamese=vi)
            if len(frame) <= REPORT_MAX_ROWS
            else md(
                tr.text(
                    f"{len(frame):,} rows, too many to read here: see {name}.csv or the sheet "
                    f"{sheets[name]} of statistics.xlsx."
                )
            ),
        ]
    text = "\n".join(lines) + "\n"
    written["report"] = atomic_write(out / "report.md", lambda tmp: tmp.write_text(text, "utf-8"))
    return written
