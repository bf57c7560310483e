"""Text from layers made safe for the files a planner opens: CSV, Excel and Markdown.

Attribute values and profile names are data, and a spreadsheet or a Markdown viewer must show
them as text, never run them:

* **CSV** (:func:`csv_frame`): a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return is a formula to Excel and LibreOffice (``=HYPERLINK(...)``,
  ``=cmd|' /C calc'!A0``). Following the OWASP guidance on CSV injection, such a cell is written
  with a leading single quote (``'=cmd...``), which spreadsheets show as text. Text that is a
  plain number (``-12.5``, a code ``+84``) is left alone, and numeric columns stay numbers
  (negative numbers included). Column names get the same treatment. A carriage return inside a
  value becomes a line break, which the writer quotes (a lone CR would split the row).
* **Excel** (:func:`excel_frame`, then :func:`excel_sheet`): openpyxl turns any string
  starting with ``=`` into a live formula. Every such cell of a sheet becomes a text cell
  (``data_type`` ``"s"``) with Excel's "quote prefix", so it shows and stays text even when
  edited; text starting with ``+ - @`` gets the quote prefix too. Characters XML cannot hold
  (NUL, ESC and other control characters) are written escaped (``\\x1b``) instead of failing
  the whole workbook.
* **Markdown** (:func:`markdown_text`): ``<`` and character references are escaped, so
  ``<script>`` or ``<img onerror=...>`` in an attribute or a profile name reads as text in any
  renderer; so are ``[`` ``]``, backslashes and unpaired backticks (no links or images from the
  data), and line breaks become spaces (a value cannot start a new block). Code spans are kept:
  Markdown shows their content literally.
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["FORMULA_START", "csv_cell", "csv_frame", "excel_frame", "excel_sheet", "markdown_text"]

#: First characters that make a spreadsheet cell a formula (OWASP: CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CHAR_REF = re.compile(r"&(?=#?\w+;)")


def _risky(text: str) -> bool:
    return text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text)


def csv_cell(value: object) -> object:
    """``value`` as a CSV cell: text a spreadsheet would run gets a leading ``'``; a carriage
    return becomes a line break (quoted by the writer: a lone CR would split the row)."""
    if isinstance(value, str):
        if _risky(value):
            value = "'" + value
        if "\r" in value:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` safe to write as CSV (text cells and column names, see above)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype.kind in "OSU" or isinstance(out[col].dtype, pd.StringDtype):
            values = out[col]
            risky = values.map(
                lambda v: isinstance(v, str) and (_risky(v) or "\r" in v), na_action="ignore"
            )
            if risky.fillna(False).astype(bool).any():
                out[col] = values.astype(object).map(csv_cell)
    return out.rename(columns=lambda c: csv_cell(c) if isinstance(c, str) else c)


def _xml_text(value: object) -> object:
    if isinstance(value, str) and _XML_ILLEGAL.search(value):
        return _XML_ILLEGAL.sub(lambda m: m.group().encode("unicode_escape").decode(), value)
    return value


def excel_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` that openpyxl can write: control characters XML cannot hold (NUL,
    ESC ...) escaped in text cells and column names. Then :func:`excel_sheet` on the sheet."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype.kind in "OSU" or isinstance(out[col].dtype, pd.StringDtype):
            values = out[col]
            bad = values.map(
                lambda v: isinstance(v, str) and bool(_XML_ILLEGAL.search(v)), na_action="ignore"
            )
            if bad.fillna(False).astype(bool).any():
                out[col] = values.astype(object).map(_xml_text)
    return out.rename(columns=_xml_text)


def excel_sheet(sheet) -> int:
    """Make every text cell of an openpyxl ``sheet`` text that Excel shows and never runs.

    A cell openpyxl made a formula (a string starting with ``=``) becomes a text cell; it and
    any text starting with ``+ - @``, a tab or a carriage return get Excel's quote prefix.
    Returns the number of cells changed.
    """
    changed = 0
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and (cell.data_type == "f" or _risky(cell.value)):
                cell.data_type = "s"  # openpyxl made "=..." a formula: keep it text
                cell.quotePrefix = True
                changed += 1
    return changed


_BACKTICKS = re.compile(r"`+")


def _escape_markdown(text: str) -> str:
    text = text.replace("\\", "\\\\")  # first: no backslash of the data escapes our escapes
    text = _CHAR_REF.sub("&amp;", text).replace("<", "&lt;")  # no tag, no autolink: ">" is text
    return text.replace("[", "\\[").replace("]", "\\]").replace("`", "\\`")


def markdown_text(value: object) -> str:
    """``value`` as inline Markdown text: no HTML, links, images or new blocks from the data.

    Code spans (text between matching runs of backticks, as CommonMark pairs them) are kept as
    they are: Markdown shows their content literally, so ``<province>`` in a command stays
    readable. Everything else is escaped; every backslash too, so none can unpair a backtick.
    """
    text = "" if value is None else str(value)
    if "\n" in text or "\r" in text:
        text = " ".join(text.splitlines())
    out, pos = [], 0
    runs = list(_BACKTICKS.finditer(text))
    i = 0
    while i < len(runs):
        opening = runs[i]
        close = next(
            (j for j in range(i + 1, len(runs)) if len(runs[j].group()) == len(opening.group())),
            None,
        )
        if close is None:  # an unmatched run is literal text: escaped below
            i += 1
            continue
        out.append(_escape_markdown(text[pos : opening.start()]))
        out.append(text[opening.start() : runs[close].end()])
        pos, i = runs[close].end(), close + 1
    out.append(_escape_markdown(text[pos:]))
    return "".join(out)
