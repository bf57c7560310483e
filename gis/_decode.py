"""Decode the text of files that do not say how it is encoded (used by :mod:`gis.io`).

A shapefile without ``.cpg`` or a CSV holds bytes; GDAL (asked for ISO-8859-1) and pandas
(asked for latin-1) hand them over one byte per character, losslessly. Each text column is then
decoded on its own, in this order (``encoding="auto"``):

1. UTF-8, if every value of the column is valid UTF-8;
2. otherwise the column is decoded three ways, cp1258 (Windows Vietnamese), TCVN3 and VNI (the
   font encodings of old MapInfo/Shapefile data of Vietnamese offices), and the reading that
   gives the fewest oddities wins: non-ASCII characters that are not Vietnamese letters (or
   common symbols such as ° ² – “ ”; not ·, which is TCVN3 for ã), and words with more than one
   tone mark (a Vietnamese syllable has one). Ties go to cp1258, then to the legacy encoding
   :func:`gis.text.detect_legacy_encoding` names (``min_evidence=1``). cp1258 is announced with
   a warning, TCVN3/VNI in the report.

Why not :func:`gis.text.detect_legacy_encoding` alone: it looks for byte patterns of TCVN3/VNI,
and cp1258 text has them too. The 152 names of Lai Châu's districts and 2025 and pre-2025
communes, written by GDAL's iconv as cp1258 (with combining tone marks), are detected as
"tcvn3", and every one reads as Vietnamese *letters* in TCVN3; but then their words carry
several tone marks. Decoding a TCVN3 or VNI column as cp1258 first is no better: it yields other
letters and the legacy text is lost.

Measured on those 152 names (``tests/test_bad_input.py``): as one column, each of the three
encodings is decoded right. One name at a time: cp1258 152, TCVN3 152, VNI 119 right; the 33
others are short VNI names whose bytes are also plausible cp1258 ("Xaõ Hua Bum" -> "Xaơ Hua
Bum"). State ``--encoding vni`` for such files.

A column failing all three (bytes cp1258 leaves undefined, e.g. 0x81) raises
:class:`~gis.errors.InputFileError` asking for ``--encoding``. Column names are decoded as
UTF-8, else cp1258. The legacy conversions are returned as a report (a list of dicts) that the
CLI prints.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from pathlib import Path

import pandas as pd

from gis._legacy_tables import TCVN3_TO_UNICODE, VNI_TO_UNICODE
from gis.errors import InputFileError
from gis.text import convert_legacy, detect_legacy_encoding

__all__ = ["ENCODINGS", "decode_frame", "describe_report"]

#: Choices of ``--encoding`` (any Python codec name works in Python as well).
ENCODINGS = ("auto", "utf-8", "cp1258", "tcvn3", "vni")
_LEGACY = ("tcvn3", "vni")
_VIET = {c for c in (*TCVN3_TO_UNICODE.values(), *VNI_TO_UNICODE.values())}
_VIET |= {c.upper() for c in _VIET} | set("°²³±×–—‘’“”…€")
_TONES = re.compile("[\u0300\u0301\u0303\u0309\u0323]")  # grave acute tilde hook dot-below


def _badness(texts: list[str], enc: str) -> int | None:
    """Non-ASCII characters that are not Vietnamese letters after decoding; None if it fails."""
    bad = 0
    for t in texts:
        if t.isascii():
            continue
        if enc in _LEGACY:
            u = convert_legacy(t, enc)
        else:
            try:
                u = unicodedata.normalize("NFC", t.encode("latin-1").decode(enc))
            except UnicodeDecodeError:
                return None
        bad += sum(1 for c in u if not c.isascii() and c not in _VIET)
        bad += sum(1 for w in u.split() if len(_TONES.findall(unicodedata.normalize("NFD", w))) > 1)
    return bad


def _best_reading(texts: list[str]) -> str:
    """The encoding (cp1258, tcvn3, vni) whose reading of ``texts`` looks most Vietnamese."""
    detected = detect_legacy_encoding(texts, min_evidence=1)
    order = ["cp1258", *([detected] if detected else []), *_LEGACY]
    order = list(dict.fromkeys(order))
    scores = {enc: _badness(texts, enc) for enc in order}
    ok = {enc: b for enc, b in scores.items() if b is not None}
    # ties go to the detected legacy encoding, then to cp1258: VNI bytes often read as
    # Vietnamese letters in TCVN3 too ("Chaâu" -> "Chaõu"), and the detector tells them apart
    best = min(ok, key=lambda enc: ok[enc])
    return None if ok[best] and "cp1258" not in ok else best


def _text_columns(df: pd.DataFrame) -> list:
    geometry = getattr(df, "_geometry_column_name", None)
    return [c for c in df.columns if c != geometry and df[c].dtype.kind in "OT"]


def _decode_name(name, encoding: str | None):
    if not isinstance(name, str):
        return name
    raw = name.encode("latin-1")
    if encoding in _LEGACY:
        return convert_legacy(name, encoding)
    for enc in [encoding] if encoding else ["utf-8", "cp1258"]:
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return name


def _decode_column(values: pd.Series, enc: str) -> pd.Series:
    def dec(v):
        return v.encode("latin-1").decode(enc) if isinstance(v, str) else v

    return values.map(dec, na_action="ignore")


def decode_frame(
    df: pd.DataFrame, encoding: str | None, path: Path
) -> tuple[pd.DataFrame, list[dict]]:
    """Decode byte text (one latin-1 character per byte) column by column; report conversions.

    Parameters
    ----------
    df : DataFrame or GeoDataFrame
        Text read as latin-1 (``pyogrio ... encoding="ISO-8859-1"``, ``pandas ...
        encoding="latin-1"``). Not modified.
    encoding : str or None
        ``None``/``"auto"`` (see the module docstring), ``"tcvn3"``, ``"vni"`` or a Python codec.
    path : Path
        The file, for messages.

    Returns
    -------
    (frame, report)
        ``report`` has one dict per column converted from a legacy encoding: ``column``,
        ``encoding``, ``n_converted``, ``examples`` (up to 3 ``"before -> after"``).
    """
    auto = encoding in (None, "auto")
    out = df.rename(columns=lambda c: _decode_name(c, None if auto else encoding))
    report: list[dict] = []
    cp1258_columns = []
    for col in _text_columns(out):
        values = out[col]
        texts = [v for v in values if isinstance(v, str)]
        chosen = None if auto else encoding
        if auto:
            try:
                for t in texts:
                    t.encode("latin-1").decode("utf-8")
                chosen = "utf-8"
            except UnicodeDecodeError:
                chosen = _best_reading(texts)
            if chosen is None:
                raise InputFileError(
                    f"cannot tell the encoding of column '{col}' of '{path}': it is not UTF-8, "
                    "not cp1258 (it holds bytes cp1258 leaves undefined) and does not read as "
                    f"TCVN3 or VNI Vietnamese. State it: --encoding {{{', '.join(ENCODINGS[1:])}}} "
                    "(Python: encoding=...), or re-export the file as UTF-8."
                )
        if chosen in _LEGACY:
            converted = values.map(lambda v, e=chosen: convert_legacy(v, e), na_action="ignore")
            changed = [(a, b) for a, b in zip(texts, converted.dropna(), strict=False) if a != b]
            report.append(
                {
                    "column": col,
                    "encoding": chosen,
                    "n_converted": len(changed),
                    "examples": [f"{a} -> {b}" for a, b in dict(changed).items()][:3],
                }
            )
            out[col] = converted
            continue
        try:
            out[col] = _decode_column(values, chosen)
        except UnicodeDecodeError as exc:
            bad = next(t for t in texts if not _decodes(t, chosen))
            raise InputFileError(
                f"cannot decode column '{col}' of '{path}' as {chosen}: value {bad[:40]!r} "
                f"holds byte 0x{bad.encode('latin-1')[exc.start]:02X} at position {exc.start}"
                f", which is not valid {chosen} there. State the encoding: --encoding "
                f"{{{', '.join(ENCODINGS[1:])}}} (Python: encoding=...), or add a .cpg file."
            ) from None
        if auto and chosen == "cp1258" and any(not t.isascii() for t in texts):
            cp1258_columns.append(col)
    if cp1258_columns:
        warnings.warn(
            f"'{path}' has no .cpg file and its text is not UTF-8; decoded it as cp1258 "
            f"(Windows Vietnamese): column(s) {', '.join(map(str, cp1258_columns))}. If names "
            "look wrong, state the encoding (encoding='...' / --encoding) or add a .cpg file "
            "holding it.",
            UserWarning,
            stacklevel=3,
        )
    return out, report


def _decodes(text: str, enc: str) -> bool:
    try:
        text.encode("latin-1").decode(enc)
    except UnicodeDecodeError:
        return False
    return True


def describe_report(report: list[dict]) -> list[str]:
    """Return one line per converted column, for the CLI."""
    return [
        f"converted column '{r['column']}' from {r['encoding'].upper()} to Unicode: "
        f"{r['n_converted']} value(s), e.g. {'; '.join(r['examples']) or '-'}"
        for r in report
    ]
