"""Vietnamese text: NFC normalisation, legacy TCVN3/VNI mojibake repair, diacritic-free matching.

Planners receive old MapInfo and Shapefile data whose names were typed in the 8-bit Vietnamese
font encodings of the 1990s-2000s: **TCVN3** (ABC; .VnTime fonts) and **VNI-Windows** (VNI-Times
fonts). Read as cp1252 or latin-1 they show mojibake: ``"Lai Ch©u"`` is TCVN3 for "Lai Châu",
``"Möôøng Teø"`` is VNI for "Mường Tè". This module

* detects such columns (:func:`detect_legacy_encoding`) and converts them to Unicode NFC
  (:func:`convert_legacy`, :func:`fix_legacy_columns`), and encodes back (:func:`to_legacy`);
* normalises text to NFC (:func:`to_nfc`, :func:`normalise_text_columns`);
* folds names for case- and diacritic-insensitive matching (:func:`fold`) and joins tables by
  name, refusing ambiguous matches (:func:`join_by_name`).

The conversion tables (:mod:`gis._legacy_tables`) are transcribed from the UniKey VnConv library
(Pham Kim Long, ``ukengine/data.cpp``) and cross-checked against GNU libc iconv (TCVN5712-1) and
the xvnkb VNI table; see that module for sources and coverage.

Coverage and limits
-------------------
* TCVN3: the 67 lower-case letters and Ă Â Ê Ô Ơ Ư Đ. Upper-case letters with a tone mark have
  no code of their own in TCVN3 (the .VnTimeH all-caps fonts draw them on the lower-case codes),
  so they decode to lower case. :func:`convert_legacy` then restores capitals in two cases,
  judged on the letters whose case *is* known (ASCII letters, Ă Â Ê Ô Ơ Ư Đ):

  - all capitals: all known letters are upper case and one of them is inside a word: the whole
    string is upper-cased, ``"M¦êNG TÌ"`` -> "MƯỜNG TÈ" (but ``"X· T¸ B¹"`` -> "Xã Tá Bạ");
  - title case: at least two words start with a known letter and all those are upper case: a
    word starting with a toned vowel gets a capital, ``"HuyÖn B¸c ¸i"`` -> "Huyện Bác Ái".

  Other text (a lower-case word among others, one-word names such as ``"¸i"``) stays as decoded.
  The VN1 extension (upper-case toned letters at 0x01-0x17, 0x80-0x9F ...) is not decoded.
* VNI-Windows: all 134 letters, upper and lower case.
* Detection is a heuristic (see :func:`detect_legacy_encoding`); a column mixing correct Unicode
  and legacy strings is repaired string by string, converting only strings with evidence.
* Read legacy files with a one-byte code page so that each byte becomes one character, e.g.
  ``geopandas.read_file(path, encoding="cp1252")``; text already decoded as UTF-8 with
  replacement characters cannot be repaired.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from typing import Any

import pandas as pd

from gis._legacy_tables import TCVN3_TO_UNICODE, VNI_TO_UNICODE
from gis.errors import LayerError

__all__ = [
    "LEGACY_ENCODINGS",
    "convert_legacy",
    "detect_legacy_encoding",
    "fix_legacy_columns",
    "fold",
    "join_by_name",
    "normalise_text_columns",
    "shorten",
    "strip_diacritics",
    "text_table",
    "to_legacy",
    "to_nfc",
]

LEGACY_ENCODINGS = ("tcvn3", "vni")
"""Names accepted by :func:`convert_legacy` and returned by :func:`detect_legacy_encoding`."""

# --- character classes used by the heuristics -------------------------------------------------

_ALL_VIET = {c for c in (*TCVN3_TO_UNICODE.values(), *VNI_TO_UNICODE.values())}
_ALL_VIET |= {c.upper() for c in _ALL_VIET}
# Vietnamese letters that are also latin-1 letters (à, á, â, ê, ô, õ, ý, À ...): correct Unicode
# Vietnamese text may contain these and nothing else above U+007F.
_VIET_LATIN1 = {c for c in _ALL_VIET if 0x80 <= ord(c) <= 0xFF}
_VNI_CHARS = {c for key in VNI_TO_UNICODE for c in key if ord(c) >= 0x80}
# TCVN3 codes that are neither Vietnamese letters nor VNI bytes: strong evidence of TCVN3.
_TCVN3_ONLY = set(TCVN3_TO_UNICODE) - _VNI_CHARS - _VIET_LATIN1
# VNI pairs that also occur in correct Vietnamese ("hoà", "hoá", "xoã"): no evidence.
_VNI_WEAK_PAIRS = {"oà", "oá", "oã", "OÀ", "OÁ", "OÃ"}
# Characters cp1252 puts at 0x80-0x9F (the only characters above U+00FF a cp1252 reading yields).
_CP1252_EXTRA = set(bytes(range(0x80, 0xA0)).decode("cp1252", errors="ignore"))

_TCVN3_TRANS = str.maketrans(TCVN3_TO_UNICODE)
# TCVN3 codes of lower-case letters: the all-caps .VnTimeH fonts draw capitals on them, so the
# case they stand for is unknown. ASCII letters and the codes of Ă Â Ê Ô Ơ Ư Đ have a known case.
_TCVN3_CASELESS = {k for k, v in TCVN3_TO_UNICODE.items() if v.islower()}
_VNI_PATTERN = re.compile(
    "|".join(re.escape(k) for k in sorted(VNI_TO_UNICODE, key=len, reverse=True))
)
_UNICODE_TO_LEGACY = {
    "tcvn3": {v: k for k, v in TCVN3_TO_UNICODE.items()},
    "vni": {v: k for k, v in VNI_TO_UNICODE.items()},
}


def to_nfc(text: Any) -> Any:
    """Return ``text`` in Unicode NFC (precomposed letters); non-strings are returned unchanged.

    Vietnamese can be written with precomposed letters ("ệ", one code point) or decomposed ones
    ("e" + circumflex + dot below); the two look identical but compare unequal. NFC makes them
    equal.

    Examples
    --------
    >>> to_nfc("Lai Cha\\u0302u") == "Lai Châu"
    True
    >>> to_nfc(None) is None
    True
    """
    return unicodedata.normalize("NFC", text) if isinstance(text, str) else text


def _text_columns(df: pd.DataFrame) -> list:
    geometry = getattr(df, "_geometry_column_name", None)
    return [
        col
        for col in df.columns
        if col != geometry
        and (df[col].dtype == object or pd.api.types.is_string_dtype(df[col].dtype))
    ]


def normalise_text_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` with every string value in NFC.

    Columns of dtype ``object`` or string are processed (the geometry column is skipped); other
    values (numbers, None, NaN) are left as they are. ``df`` is not modified.

    Examples
    --------
    >>> df = pd.DataFrame({"name": ["Mu\\u031bo\\u031b\\u0300ng Te\\u0300"], "n": [1]})
    >>> normalise_text_columns(df).loc[0, "name"] == "Mường Tè"
    True
    """
    out = df.copy()
    for col in _text_columns(out):
        out[col] = out[col].map(to_nfc, na_action="ignore")
    return out


def _check_encoding(encoding: str) -> str:
    if encoding not in LEGACY_ENCODINGS:
        raise ValueError(
            f"unknown legacy encoding {encoding!r}; use one of {', '.join(LEGACY_ENCODINGS)} "
            "(or detect_legacy_encoding(texts) to find it)"
        )
    return encoding


def _vni_units(text: str) -> list[str]:
    """Matched VNI sequences (pairs and singles) of ``text``, left to right, longest first."""
    return _VNI_PATTERN.findall(text)


def _scores(text: str) -> tuple[int, int] | None:
    """Evidence (tcvn3, vni) in one string; None if it holds correct Unicode (chars > U+00FF)."""
    if any(ord(c) > 0xFF and c not in _CP1252_EXTRA for c in text):
        return None
    vni_units = _vni_units(text)
    vni = sum(1 for u in vni_units if len(u) == 2 and u not in _VNI_WEAK_PAIRS)
    tcvn = 0
    for i, c in enumerate(text):
        if c in _TCVN3_ONLY:
            left = text[i - 1] if i > 0 else " "
            right = text[i + 1] if i + 1 < len(text) else " "
            # inside a word: a lone "©" or "§" in "© 2020" or "§ 3" is not a letter
            if left.isalpha() or right.isalpha() or left in TCVN3_TO_UNICODE:
                tcvn += 1
    return tcvn, vni


def _as_texts(texts: str | Iterable[Any]) -> list[str]:
    if isinstance(texts, str):
        return [texts]
    return [t for t in texts if isinstance(t, str)]


def detect_legacy_encoding(texts: str | Iterable[Any], *, min_evidence: int = 2) -> str | None:
    """Guess whether strings are TCVN3 or VNI mojibake; return ``"tcvn3"``, ``"vni"`` or None.

    Evidence is counted over all strings (non-strings are ignored):

    * TCVN3: characters that only TCVN3 uses for letters and that sit inside a word, such as
      ``© ¸ µ ¶ · ¹ ® ª « ¬ § ¢`` and the soft hyphen (ư), e.g. ``"Lai Ch©u"``;
    * VNI: a base vowel followed by a VNI mark byte (``"aø"``, ``"Ôù"``), except ``oà oá oã``,
      which also occur in correct Vietnamese ("hoà").

    Strings holding any character above U+00FF (other than the cp1252 punctuation) are correct
    Unicode and give no evidence; ASCII gives none either. The winner must have at least
    ``min_evidence`` points and more than twice the other's, else the result is None.

    Measured on the 676 names of Vietnam's pre-2025 districts, one name at a time with
    ``min_evidence=1``: correct Unicode 676 None; VNI 676 "vni"; TCVN3 555 "tcvn3", 120 None,
    1 "vni" ("HuyÖn Thanh Thuû": "uû" is also VNI for "ủ"). As whole columns all three are
    classified right.

    Parameters
    ----------
    texts : str or iterable
        One string, or a column / list of values.
    min_evidence : int, default 2
        Evidence needed to decide. A single short name (``"Ch©u"``) has 1; pass 1 to accept it.

    Returns
    -------
    str or None
        ``"tcvn3"``, ``"vni"`` or None (no legacy text, or undecidable).

    Examples
    --------
    >>> detect_legacy_encoding(["Lai Ch©u", "S×n Hå"])
    'tcvn3'
    >>> detect_legacy_encoding(["Lai Chaâu", "Möôøng Teø"])
    'vni'
    >>> detect_legacy_encoding(["Lai Châu", "Mường Tè", "Hoà Bình"]) is None
    True
    """
    tcvn = vni = 0
    for text in _as_texts(texts):
        score = _scores(text)
        if score is not None:
            tcvn, vni = tcvn + score[0], vni + score[1]
    if tcvn >= min_evidence and tcvn > 2 * vni:
        return "tcvn3"
    if vni >= min_evidence and vni > 2 * tcvn:
        return "vni"
    return None


def _restore_caps(raw: str, decoded: str) -> str:
    """Restore the capitals TCVN3 cannot encode (see the module notes for the two rules)."""
    inner_upper = lower = 0
    for i, (c, d) in enumerate(zip(raw, decoded, strict=True)):
        if c in _TCVN3_CASELESS or not d.isalpha():
            continue
        lower += d.islower()
        inner_upper += d.isupper() and i > 0 and decoded[i - 1].isalpha()
    if inner_upper and not lower:  # all capitals: "M¦êNG TÌ"
        return decoded.upper()
    initials = [m.start() for m in re.finditer(r"\w+", decoded)]
    unknown = [i for i in initials if raw[i] in _TCVN3_CASELESS]
    known = [decoded[i] for i in initials if raw[i] not in _TCVN3_CASELESS and decoded[i].isalpha()]
    if unknown and len(known) >= 2 and all(c.isupper() for c in known):  # title case: "B¸c ¸i"
        chars = list(decoded)
        for i in unknown:
            chars[i] = chars[i].upper()
        return "".join(chars)
    return decoded


def convert_legacy(text: Any, encoding: str, *, restore_caps: bool = True) -> Any:
    """Convert TCVN3 or VNI mojibake to Unicode NFC.

    Parameters
    ----------
    text : str or bytes
        The legacy text as read with cp1252/latin-1 (``"Lai Ch©u"``), or its raw bytes.
        Other values (None, NaN, numbers) are returned unchanged.
    encoding : {"tcvn3", "vni"}
        The legacy encoding (see :func:`detect_legacy_encoding`).
    restore_caps : bool, default True
        TCVN3 only: upper-case the whole string when it is written in capitals (TCVN3 has no
        codes for upper-case toned letters; see the module notes for the rule).

    Returns
    -------
    str
        Unicode text in NFC. Characters that are not legacy codes are kept as they are.

    Raises
    ------
    ValueError
        If ``encoding`` is not one of :data:`LEGACY_ENCODINGS`.

    Examples
    --------
    >>> convert_legacy("§oµn KÕt", "tcvn3")
    'Đoàn Kết'
    >>> convert_legacy("Xin chaøo caùc baïn", "vni")
    'Xin chào các bạn'
    >>> convert_legacy(b"Lai Ch\\xa9u", "tcvn3")
    'Lai Châu'
    """
    _check_encoding(encoding)
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("latin-1")
    if not isinstance(text, str):
        return text
    if encoding == "tcvn3":
        out = text.translate(_TCVN3_TRANS)
        if restore_caps:
            out = _restore_caps(text, out)
    else:
        out = _VNI_PATTERN.sub(lambda m: VNI_TO_UNICODE[m.group(0)], text)
    return unicodedata.normalize("NFC", out)


def to_legacy(text: str, encoding: str, *, errors: str = "strict") -> str:
    """Encode Unicode Vietnamese as TCVN3 or VNI text (one character per legacy byte).

    The inverse of :func:`convert_legacy`, for writing files old software reads and for tests.
    ``to_legacy(t, e).encode("latin-1")`` gives the bytes.

    Parameters
    ----------
    text : str
        Unicode text (any normal form). ASCII passes through.
    encoding : {"tcvn3", "vni"}
    errors : {"strict", "lower"}, default "strict"
        What to do with an upper-case toned letter in TCVN3, which has no code: raise
        (``"strict"``) or write the lower-case code (``"lower"``, as UniKey does).

    Raises
    ------
    ValueError
        A character has no code in ``encoding``, or ``encoding``/``errors`` is unknown.

    Examples
    --------
    >>> to_legacy("Lai Châu", "tcvn3")
    'Lai Ch©u'
    >>> to_legacy("Mường Tè", "vni")
    'Möôøng Teø'
    """
    table = _UNICODE_TO_LEGACY[_check_encoding(encoding)]
    if errors not in ("strict", "lower"):
        raise ValueError(f"unknown errors={errors!r}; use 'strict' or 'lower'")
    out = []
    for i, c in enumerate(unicodedata.normalize("NFC", text)):
        if c.isascii():
            out.append(c)
        elif c in table:
            out.append(table[c])
        elif encoding == "tcvn3" and c.lower() in table and errors == "lower":
            out.append(table[c.lower()])
        elif encoding == "tcvn3" and c.lower() in table:
            raise ValueError(
                f"{c!r} (U+{ord(c):04X}) at position {i} of {text!r} has no TCVN3 code: TCVN3 "
                "has no upper-case letters with tone marks (the .VnTimeH fonts draw them on the "
                "lower-case codes). Pass errors='lower' to write the lower-case code."
            )
        else:
            raise ValueError(
                f"{c!r} (U+{ord(c):04X}) at position {i} of {text!r} is not a Vietnamese letter "
                f"and has no {encoding.upper()} code; remove or transliterate it first."
            )
    return "".join(out)


def fix_legacy_columns(
    df: pd.DataFrame,
    *,
    columns: Iterable[str] | None = None,
    min_evidence: int = 2,
    n_examples: int = 3,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Detect and convert TCVN3/VNI text columns to Unicode NFC; report what was done.

    Each text column (or each of ``columns``) is tested with :func:`detect_legacy_encoding`.
    In a column found legacy, every string without characters above U+00FF is converted; if the
    column also holds correct Unicode strings (a *mixed* column), only strings with evidence of
    the encoding are converted and the others are left alone. All text ends up in NFC.

    Parameters
    ----------
    df : DataFrame or GeoDataFrame
        Not modified.
    columns : iterable of str, optional
        Columns to check; default all text columns except the geometry.
    min_evidence : int, default 2
        See :func:`detect_legacy_encoding`.
    n_examples : int, default 3
        Number of ``"before -> after"`` examples per column in the report.

    Returns
    -------
    fixed : DataFrame
        A copy of ``df`` with converted columns.
    report : DataFrame
        One row per checked column: ``column``, ``encoding`` (None if not legacy),
        ``n_text`` (strings), ``n_converted`` (strings changed), ``n_unicode`` (strings already
        Unicode, left alone), ``n_unsure`` (strings of a mixed column without evidence, left
        alone), ``examples`` (list of ``"before -> after"``).

    Raises
    ------
    LayerError
        If a name in ``columns`` is not a column of ``df``.

    Examples
    --------
    >>> df = pd.DataFrame({"name": ["Lai Ch©u", "S×n Hå"], "code": ["01", "02"]})
    >>> fixed, report = fix_legacy_columns(df)
    >>> list(fixed["name"])
    ['Lai Châu', 'Sìn Hồ']
    >>> report.loc[0, "encoding"], int(report.loc[0, "n_converted"])
    ('tcvn3', 2)
    """
    text_cols = _text_columns(df)
    if columns is None:
        columns = text_cols
    else:
        columns = list(columns)
        missing = [c for c in columns if c not in df.columns]
        if missing:
            raise LayerError(
                f"fix_legacy_columns: no column(s) {missing} in the table; "
                f"its columns are {list(df.columns)}"
            )
    out = normalise_text_columns(df)
    rows = []
    for col in columns:
        values = df[col]
        texts = [v for v in values if isinstance(v, str)]
        encoding = detect_legacy_encoding(texts, min_evidence=min_evidence)
        counts_by_text = Counter(texts)
        scores = {t: _scores(t) for t in counts_by_text}
        n_unicode = sum(1 for t in texts if scores[t] is None and not t.isascii())
        row = {"column": col, "encoding": encoding, "n_text": len(texts), "n_converted": 0}
        row |= {"n_unicode": n_unicode, "n_unsure": 0, "examples": []}
        if encoding is not None:
            which = 0 if encoding == "tcvn3" else 1
            converted = {}
            for t, s in scores.items():
                if s is None or t.isascii():
                    continue
                if n_unicode and s[which] == 0:
                    row["n_unsure"] += counts_by_text[t]
                    continue
                converted[t] = convert_legacy(t, encoding)
            changed = [t for t in texts if t in converted and converted[t] != to_nfc(t)]
            row["n_converted"] = len(changed)
            examples = list(dict.fromkeys(changed))[:n_examples]
            row["examples"] = [f"{t} -> {converted[t]}" for t in examples]
            out[col] = values.map(lambda v, c=converted: c.get(v, to_nfc(v)), na_action="ignore")
        rows.append(row)
    counts = ["n_text", "n_converted", "n_unicode", "n_unsure"]
    report = pd.DataFrame(
        {
            key: pd.Series([r[key] for r in rows], dtype="int64" if key in counts else object)
            for key in ["column", "encoding", *counts, "examples"]
        }
    )
    return out, report


def fold(text: Any) -> Any:
    """Return a matching key: NFC, lower case, no diacritics (đ -> d), single spaces.

    For case- and diacritic-insensitive comparison of names ("Mường Tè" == "MUONG TE").
    Non-strings are returned unchanged.

    Examples
    --------
    >>> fold("  Đoàn   Kết ")
    'doan ket'
    >>> fold("Mường Tè") == fold("MUONG TE")
    True
    """
    if not isinstance(text, str):
        return text
    return _key(text, ignore_case=True, ignore_diacritics=True)


def strip_diacritics(text: Any) -> Any:
    """Return ``text`` in NFC without diacritics (đ -> d), case kept: an ASCII-friendly name.

    Non-strings are returned unchanged.

    Examples
    --------
    >>> strip_diacritics("Đồng Tháp"), strip_diacritics("Thanh Hoá")
    ('Dong Thap', 'Thanh Hoa')
    """
    if not isinstance(text, str):
        return text
    return _key(text, ignore_case=False, ignore_diacritics=True)


def _key(text: str, *, ignore_case: bool, ignore_diacritics: bool) -> str:
    text = " ".join(unicodedata.normalize("NFC", text).split())
    if ignore_case:
        text = text.casefold()
    if ignore_diacritics:
        text = text.replace("đ", "d").replace("Đ", "D")
        text = "".join(
            c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)
        )
    return unicodedata.normalize("NFC", text)


def _check_keys(df: pd.DataFrame, col: str, keys: pd.Series, side: str, hint: str) -> None:
    names = df[col].map(lambda v: " ".join(to_nfc(v).split()) if isinstance(v, str) else None)
    groups = pd.DataFrame({"key": keys, "name": names}).dropna().groupby("key")["name"]
    distinct = groups.unique()
    clash = distinct[distinct.map(len) > 1]
    if len(clash):
        shown = "; ".join(f"{k!r} <- {sorted(v)}" for k, v in list(clash.items())[:5])
        raise LayerError(
            f"join_by_name: {len(clash)} key(s) of the {side} column {col!r} match different "
            f"names, so rows would be joined to the wrong place: {shown}. {hint}"
        )


def join_by_name(
    left_df: pd.DataFrame,
    right_df: pd.DataFrame,
    left_on: str,
    right_on: str,
    *,
    ignore_diacritics: bool = False,
    ignore_case: bool = False,
    how: str = "inner",
) -> pd.DataFrame:
    """Join two tables on name columns, optionally ignoring case and diacritics.

    Names are compared after NFC and whitespace normalisation, and after :func:`fold`-like
    folding as asked. A join that would duplicate or conflate rows is refused:

    * two *different* names on one side that fold to the same key ("Tà Lèng" and "Tả Lèng"
      without diacritics) raise, since they cannot be told apart;
    * a key repeated in ``right_df`` raises, since each left row would be copied once per match.

    Parameters
    ----------
    left_df, right_df : DataFrame or GeoDataFrame
        Not modified. The result has the type of ``left_df``.
    left_on, right_on : str
        Name columns.
    ignore_diacritics, ignore_case : bool, default False
        Fold diacritics (đ -> d) and/or case before matching.
    how : {"inner", "left", "right", "outer"}, default "inner"

    Returns
    -------
    DataFrame
        ``pandas.merge`` of the two, right columns that clash with left ones suffixed
        ``"_right"``.

    Raises
    ------
    LayerError
        Missing column, ambiguous folded names, or repeated names in ``right_df``.
    ValueError
        Unknown ``how``.

    Examples
    --------
    >>> left = pd.DataFrame({"name": ["Mường Tè", "Sìn Hồ"], "pop": [1, 2]})
    >>> right = pd.DataFrame({"ten": ["MUONG TE", "SIN HO"], "code": ["A", "B"]})
    >>> join_by_name(left, right, "name", "ten", ignore_diacritics=True, ignore_case=True)[
    ...     "code"].tolist()
    ['A', 'B']
    """
    hows = ("inner", "left", "right", "outer")
    if how not in hows:
        raise ValueError(f"join_by_name: unknown how={how!r}; use one of {', '.join(hows)}")
    for df, col, side in ((left_df, left_on, "left"), (right_df, right_on, "right")):
        if col not in df.columns:
            raise LayerError(
                f"join_by_name: no column {col!r} in the {side} table; "
                f"its columns are {list(df.columns)}"
            )
    opts = {"ignore_case": ignore_case, "ignore_diacritics": ignore_diacritics}
    keys = []
    for df, col, side in ((left_df, left_on, "left"), (right_df, right_on, "right")):
        k = df[col].map(
            lambda v: _key(v, **opts) if isinstance(v, str) else None, na_action="ignore"
        )
        hint = (
            "Join on a code column instead, or keep diacritics/case (ignore_diacritics=False, "
            "ignore_case=False)."
        )
        _check_keys(df, col, k, side, hint)
        keys.append(k)
    repeated = keys[1][keys[1].duplicated(keep=False) & keys[1].notna()].unique()
    if len(repeated):
        raise LayerError(
            f"join_by_name: {len(repeated)} name(s) occur more than once in the right column "
            f"{right_on!r} ({', '.join(map(repr, sorted(repeated)[:5]))}); each matching left "
            "row would be duplicated. Deduplicate the right table or join on a unique code."
        )
    # missing names never match: give each its own key that no name can take
    keys = [
        k.mask(k.isna(), [f"\0{side}{i}" for i in range(len(k))])
        for k, side in zip(keys, "LR", strict=True)
    ]
    tmp = "__join_by_name_key__"
    merged = left_df.assign(**{tmp: keys[0]}).merge(
        right_df.assign(**{tmp: keys[1]}), on=tmp, how=how, suffixes=("", "_right")
    )
    return merged.drop(columns=tmp)


def shorten(text: object, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with "…" (for a terminal table).

    >>> shorten("Thủy điện   Lai Châu", 12)
    'Thủy điện L…'
    """
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def text_table(rows: list[list[str]], header: list[str]) -> list[str]:
    """``header`` and ``rows`` as lines of left-aligned columns two spaces apart.

    >>> text_table([["a", "1"]], ["name", "n"])
    ['name  n', 'a     1']
    """
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
