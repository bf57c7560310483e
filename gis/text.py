"""Vietnamese text: Unicode NFC normalisation (placeholder until the text module lands)."""

from __future__ import annotations

import unicodedata

import pandas as pd

__all__ = ["normalise_text_columns", "to_nfc"]


def to_nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC (precomposed letters)."""
    return unicodedata.normalize("NFC", text) if isinstance(text, str) else text


def normalise_text_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` with every text value in NFC."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            if col == getattr(out, "_geometry_column_name", None):
                continue
            out[col] = out[col].map(to_nfc, na_action="ignore")
    return out
