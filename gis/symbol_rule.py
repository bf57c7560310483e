"""The symbol-only rule of Circular 04/2023/TT-BKHĐT (Art. 8.2.a), one decision for every output.

Where the legal basis is not sufficient to fix the exact position, boundary or alignment of a
planned feature, the plan shows a **symbol at its expected location** (Art. 8.2.a); the land-use
zones of economic zones, industrial zones and urban areas get a polygon only with a legal basis
(Phụ lục I III.8.a), and projects are always symbols (Phụ lục I III.12). The same decision drives
the delivered database (:mod:`gis.deliver`, field ``hinhThucTheHien``), the maps of the delivery
(:mod:`gis.deliver_map`, :mod:`gis.deliver_mapset`) and the toolkit's web and A3 print maps
(:mod:`gis.maps`), so that a zone drawn as a point in the database is never a polygon on a map.

Per feature, in order (the mapping row of ``gis/data/circular04_mapping.csv`` that delivers it):

1. the row says ``boundary`` (existing state, administrative units, orientation zones: Phụ lục I
   III.8.b) or ``symbol`` (projects, sites): that applies;
2. the row says ``legal_basis``: a layer's own columns decide when it has them —
   ``representation`` (``boundary``/``ranh giới`` or ``symbol``/``ký hiệu``) and ``legal_basis``
   (the citation; a boundary without one is a symbol);
3. otherwise it is derived: a feature with only a point location is a symbol; a polygon keeps its
   boundary only when its own ``source`` or ``note`` cites a decision approving a plan of the zone
   itself (a ``quy hoạch chung``, ``phân khu`` or ``chi tiết``; not the provincial plan), which
   becomes its legal basis. No legal basis is invented: text that cites none gives a symbol.

A feature no delivering row matches (not delivered: an older programme, a duplicate) is decided
by step 2-3, so that a map never shows a zone's boundary the delivery would not.

:func:`portray` applies the decision to a layer for drawing: a polygon shown by symbol becomes its
representative point (the point the delivery writes), and columns ``show_as_vi`` and
``legal_basis_vi`` carry the note for popups and legends.
"""

from __future__ import annotations

import math
import re
from typing import Any

import geopandas as gpd
import pandas as pd

from gis.circular04 import MappingRow, load_mapping
from gis.profile import Profile

__all__ = [
    "BOUNDARY",
    "LEGAL_NOTE_NONE",
    "SYMBOL",
    "portray",
    "representation",
    "representations",
]

#: Values of ``hinhThucTheHien``: drawn with its boundary or alignment / by a symbol.
BOUNDARY, SYMBOL = "ranh giới", "ký hiệu"
#: Popup text of a feature shown by symbol for want of a legal basis.
LEGAL_NOTE_NONE = (
    "chưa đủ căn cứ pháp lý xác định chính xác ranh giới: thể hiện ký hiệu tại vị trí dự kiến "
    "(Điều 8.2.a Thông tư 04/2023/TT-BKHĐT)"
)
#: A decision approving a plan of the zone itself, cited in a feature's text: its legal basis for
#: a boundary (Art. 8.2.a). Other plans and the provincial plan itself are not.
_LEGAL_BASIS = re.compile(
    r"(?:Quyết định|QĐ)\s+(?:số\s+)?(?P<number>\d+/(?:\d{4}/)?QĐ-[A-Za-zĐđ]+)"
    r"\s+ngày\s+(?P<date>\d{1,2}/\d{1,2}/\d{4})[\s(:,]*(?:phê duyệt\s+)?"
    r"(?P<plan>quy hoạch\s+(?:chung|phân khu|chi tiết)[^;()]*)",
    re.IGNORECASE,
)
_DECISION_NUMBER = re.compile(r"\d+/(?:\d{4}/)?QĐ-[A-Za-zĐđ]+")
_POLYGONS = ("Polygon", "MultiPolygon")


def cell_text(value: Any) -> str:
    """A cell as text: "" for missing, "true" for True, "2030" for 2030.0."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "true" if value else "false"
    return str(value).strip()


def matches(row: MappingRow, feature: pd.Series, document: str | None) -> bool:
    """True if the ``where`` of a mapping row holds for ``feature``."""
    for column, op, values in row.where:
        actual = cell_text(feature.get(column))
        if any("{plan.document}" in v for v in values) and document is None:
            ok = True  # no plan document in the profile: every feature is the plan's
        else:
            wanted = {v.replace("{plan.document}", document or "") for v in values}
            ok = actual in wanted
        if ok != (op == "="):
            return False
    return True


def rows_for(rows: list[MappingRow], name: str, profile: Profile) -> list[MappingRow]:
    """The mapping rows of store layer ``name`` (rows name a role or a layer)."""
    return [r for r in rows if profile.roles.get(r.from_layer, r.from_layer) == name]


def plan_number(profile: Profile) -> str | None:
    """The decision number of the plan being delivered (``1585/QĐ-TTg``), if the profile says."""
    m = _DECISION_NUMBER.search(profile.plan.document or "")
    return m.group(0) if m else None


def _cited_basis(feature: pd.Series, plan: str | None) -> tuple[str, str] | None:
    """(citation, column) of a decision approving the zone's own plan, cited in the feature."""
    for column in ("source", "note"):
        for m in _LEGAL_BASIS.finditer(cell_text(feature.get(column))):
            if m.group("number") != plan:
                return m.group(0).strip(" (,;:"), column
    return None


def representation(
    row: MappingRow | None, feature: pd.Series, geom, plan: str | None
) -> tuple[str, str, str]:
    """(hinhThucTheHien, canCuPhapLy, canCuXacDinh) of one feature (see the module docstring).

    ``row`` is the mapping row delivering it, or None (decided as a ``legal_basis`` row);
    ``plan`` the plan's own decision number (:func:`plan_number`), which is no legal basis.
    """
    kind = row.representation if row is not None else "legal_basis"
    if kind == "symbol":
        return SYMBOL, "", row.reason or "ký hiệu (bảng ánh xạ Thông tư 04/2023)"
    if kind == "boundary":
        return BOUNDARY, "", row.reason or "ranh giới theo dữ liệu (bảng ánh xạ Thông tư 04/2023)"
    stated = cell_text(feature.get("representation")).lower()
    if stated:
        basis = cell_text(feature.get("legal_basis"))
        if stated in ("boundary", "ranh giới") and basis:
            return BOUNDARY, basis, "cột representation và legal_basis của lớp"
        why = "" if stated in ("symbol", "ký hiệu") else " (ranh giới không có legal_basis)"
        return SYMBOL, "", f"cột representation của lớp{why}"
    if geom is None or geom.geom_type in ("Point", "MultiPoint"):
        return SYMBOL, "", "suy ra: lớp chỉ có vị trí điểm của đối tượng (không có ranh giới)"
    found = _cited_basis(feature, plan)
    if found:
        citation, column = found
        return (
            BOUNDARY,
            citation,
            f"suy ra: cột {column} của đối tượng trích quyết định phê duyệt quy hoạch của "
            "chính khu này",
        )
    return (
        SYMBOL,
        "",
        "suy ra: dữ liệu không trích căn cứ pháp lý xác định ranh giới (Điều 8.2.a): ký hiệu "
        "tại vị trí dự kiến",
    )


def representations(
    data: gpd.GeoDataFrame, layer: str, profile: Profile, *, rows: list[MappingRow] | None = None
) -> pd.DataFrame:
    """The decision for every feature of store layer ``layer``, aligned on ``data``'s index.

    Parameters
    ----------
    data : GeoDataFrame
        The layer's features (as stored).
    layer : str
        Its store name (the mapping names roles or layers; ``profile.roles`` resolves them).
    profile : Profile
        The province (its mapping rows, its plan's decision number).
    rows : list of MappingRow, optional
        The mapping (default :func:`gis.circular04.load_mapping` of ``profile``).

    Returns
    -------
    DataFrame
        ``show_as`` (:data:`BOUNDARY` or :data:`SYMBOL`), ``legal_basis`` (the citation, or "")
        and ``how`` (how it was decided: the delivery's ``canCuXacDinh``).
    """
    rows = load_mapping(profile) if rows is None else rows
    own = rows_for(rows, layer, profile)
    plan = plan_number(profile)
    out = []
    for _, feature in data.iterrows():
        # the first row that matches decides, as in the delivery; a row that does not deliver
        # (a duplicate, an older programme) leaves the feature to the legal-basis rule
        row = next((r for r in own if matches(r, feature, profile.plan.document)), None)
        row = row if row is not None and row.delivers else None
        out.append(representation(row, feature, feature.geometry, plan))
    return pd.DataFrame(out, index=data.index, columns=["show_as", "legal_basis", "how"])


def portray(
    data: gpd.GeoDataFrame, layer: str, profile: Profile, *, rows: list[MappingRow] | None = None
) -> gpd.GeoDataFrame:
    """A copy of ``data`` to draw: polygons shown by symbol become their representative point.

    Adds ``show_as_vi`` ("ranh giới" or "ký hiệu") and ``legal_basis_vi`` (the citation of a
    boundary; for a symbol, :data:`LEGAL_NOTE_NONE` or why it is a symbol) for popups; refuses to
    overwrite columns of those names. The representative point is the one the delivery writes
    (``shapely`` ``representative_point``: inside the polygon).

    Examples
    --------
    >>> from gis.profile import load_profile
    >>> from gis.store import read_layer
    >>> profile = load_profile("lai_chau")
    >>> urban = portray(read_layer("urban_areas", province=profile), "urban_areas", profile)
    >>> sorted(set(urban.geom_type))
    ['Point']
    """
    clash = [c for c in ("show_as_vi", "legal_basis_vi") if c in data.columns]
    if clash:
        from gis.errors import LayerError

        raise LayerError(
            f"layer '{layer}' already has column(s) {clash}; portray() adds them. Rename them."
        )
    decided = representations(data, layer, profile, rows=rows)
    out = data.copy()
    symbol = decided["show_as"].eq(SYMBOL) & out.geom_type.isin(_POLYGONS)
    if symbol.any():
        geoms = out.geometry.copy()
        geoms[symbol] = out.geometry[symbol].representative_point()
        out = out.set_geometry(geoms)
    note = decided["legal_basis"].where(decided["legal_basis"].ne(""), None)
    derived_none = decided["how"].str.startswith("suy ra: dữ liệu")
    fallback = decided["how"].where(~derived_none, LEGAL_NOTE_NONE)
    out["show_as_vi"] = decided["show_as"]
    out["legal_basis_vi"] = note.fillna(fallback)
    return out
