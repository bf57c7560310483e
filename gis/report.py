"""Write statistics tables: one CSV per table, one Excel workbook, one Markdown report.

:func:`write_statistics` takes the dict of :func:`gis.stats.compute_statistics` and writes into a
folder (default :data:`gis.settings.OUT_DIR`):

* ``<table>.csv`` for each table (UTF-8, English column names with their unit);
* ``statistics.xlsx``: a ``contents`` sheet (table, title, definition, unit system, sources, rows)
  and one sheet per table; with ``vietnamese=True`` the column headers are the Vietnamese labels of
  ``gis/data/column_labels_vi.csv`` (a column without a label keeps its name);
* ``report.md``: each table with its title, definition, unit system and sources, so every number
  can be traced to the layers (and their content hash) it came from.
"""

from __future__ import annotations

import math
import re
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from gis import settings

__all__ = ["column_labels_vi", "contents_table", "write_statistics"]

_EXCEL_SHEET_MAX = 31


def column_labels_vi() -> dict[str, str]:
    """Return the column-name -> Vietnamese header dictionary shipped with the package."""
    with resources.files("gis").joinpath("data", "column_labels_vi.csv").open("rb") as fh:
        table = pd.read_csv(fh, dtype=str, keep_default_na=False)
    return dict(zip(table["column"], table["label_vi"], strict=True))


def contents_table(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Return one row per table: name, title, definition, unit system, sources, number of rows."""
    rows = [
        {
            "table": name,
            "title": t.attrs.get("title", name),
            "definition": t.attrs.get("definition", ""),
            "unit_system": t.attrs.get("unit_system", ""),
            "sources": t.attrs.get("sources", ""),
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


def _cell(value: object, decimals: int | None = 2) -> str:
    if isinstance(value, bool | np.bool_):
        return str(value)
    if value is pd.NA:  # a missing value of a nullable column (Int64)
        return "—"
    if isinstance(value, np.integer | np.floating):
        value = value.item()  # Int64 columns hold numpy scalars
    if isinstance(value, float | int) and decimals is not None:
        if math.isnan(value):
            return "—"
        if abs(value) >= 1e15:
            return str(value)
        text = f"{value:,.{decimals}f}"
        return text.lstrip("-") if not text.strip("-0.,") else text  # no "-0.0"
    if isinstance(value, float):
        return "—" if math.isnan(value) else f"{value:,.2f}"
    text = "" if value is None or value is pd.NA else str(value)
    return text.replace("|", "\\|").replace("\n", " ") or "—"  # no empty cell


#: Units of a ``unit`` column whose values are counted, not measured (persons, urban areas...).
_COUNTED = re.compile(r"^(persons|urban areas|visitors per year|households|units?)$")


def _row_decimals(frame: pd.DataFrame) -> list[list[int | None]]:
    """Decimals per cell: the column's, except a counted whole number in a table whose rows
    carry their own ``unit`` (targets mix persons, % and VND in one column: 545,000 persons,
    not 545,000.00)."""
    columns = [_decimals(str(c), frame[c]) for c in frame.columns]
    if "unit" not in frame.columns:
        return [columns] * len(frame)
    counted = frame["unit"].astype(str).str.match(_COUNTED).to_numpy()
    out = []
    for i, row in enumerate(frame.itertuples(False)):
        out.append([
            0 if counted[i] and d and isinstance(v, float | int) and float(v).is_integer()
            else d
            for v, d in zip(row, columns, strict=True)
        ])  # fmt: skip
    return out


def _markdown(frame: pd.DataFrame) -> str:
    head = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    body = [
        "| " + " | ".join(_cell(v, d) for v, d in zip(row, decimals, strict=True)) + " |"
        for row, decimals in zip(frame.itertuples(False), _row_decimals(frame), strict=True)
    ]
    return "\n".join([head, rule, *body])


def _excel_formats(sheet, frame: pd.DataFrame) -> None:
    """Give numeric cells an Excel number format (values keep full precision)."""
    for i, decimals in enumerate(_row_decimals(frame), start=2):
        for j, d in enumerate(decimals, start=1):
            if d is not None:
                sheet.cell(i, j).number_format = "#,##0" if d == 0 else "#,##0." + "0" * d


def write_statistics(
    tables: dict[str, pd.DataFrame],
    out_dir: str | Path | None = None,
    *,
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
    vietnamese : bool
        Vietnamese column headers in the Excel workbook.
    title : str
        First heading of the report.

    Returns
    -------
    dict of str to Path
        ``"<table>"`` -> CSV path for each table, plus ``"excel"`` and ``"report"``.
    """
    out = Path(settings.OUT_DIR if out_dir is None else out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for name, frame in tables.items():
        path = out / f"{name}.csv"
        frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
        written[name] = path
    contents = contents_table(tables)
    labels = column_labels_vi() if vietnamese else {}
    xlsx = out / "statistics.xlsx"
    with pd.ExcelWriter(xlsx, engine="openpyxl") as xl:
        sheets = {"contents": contents, **tables}
        for name, frame in sheets.items():
            sheet = name[:_EXCEL_SHEET_MAX]
            frame.rename(columns=labels).to_excel(xl, sheet_name=sheet, index=False)
            _excel_formats(xl.sheets[sheet], frame)
    written["excel"] = xlsx
    lines = [f"# {title}", "", "Tables (CSV beside this file; all in statistics.xlsx):", ""]
    lines += [
        f"- [{r.title}](#{r.table}) — `{r.table}.csv`, {r.n_rows} rows"
        for r in contents.itertuples()
    ]
    for name, frame in tables.items():
        a = frame.attrs
        lines += [
            "",
            f'<a id="{name}"></a>',
            f"## {a.get('title', name)}",
            "",
            f"- **Definition:** {a.get('definition', '')}",
            f"- **Unit system:** {a.get('unit_system', '') or '—'}",
            f"- **Sources:** {a.get('sources', '')}",
            f"- **File:** `{name}.csv`",
            "",
            _markdown(frame),
        ]
    report = out / "report.md"
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    written["report"] = report
    return written
