"""Vietnamese labels and colours of the product maps (:mod:`gis.maps`).

The planning layers store codes in English (``dynamic_economic``, ``border_gate``,
``planned``) so that code and rules stay readable; a map shows them in Vietnamese. A code with
no entry here is shown as it is stored (never dropped, never guessed).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

__all__ = [
    "CLASS_LABEL_ZOOM",
    "CLASS_ORDER",
    "CLASS_STYLE",
    "FACILITY_RANK",
    "FACILITY_VI",
    "HORIZON_VI",
    "LINE_STYLES",
    "MEMBER_VI",
    "OUTSIDE_COLOR",
    "OUTSIDE_VI",
    "PILLAR_COLORS",
    "PILLAR_VI",
    "ROAD_CLASS_VI",
    "SOURCE_CREDITS",
    "STATUS_VI",
    "URBAN_STATUS_VI",
    "class_vi",
    "name_without_note",
    "ring_color",
    "translate",
    "urban_status_vi",
]

PILLAR_VI = {"services": "Dịch vụ", "industry": "Công nghiệp", "agriculture": "Nông nghiệp"}
PILLAR_COLORS = {"services": "#1f78b4", "industry": "#6a3d9a", "agriculture": "#33a02c"}

MEMBER_VI = {
    "border_gate": "cửa khẩu",
    "border_economic_zone": "khu kinh tế cửa khẩu",
    "logistics": "logistics",
    "tourism": "du lịch",
    "hydropower": "thủy điện",
    "mining_rare_earth": "khai thác đất hiếm",
    "industrial_cluster": "cụm công nghiệp",
    "industrial_park": "khu công nghiệp",
    "processing_medicinal": "chế biến dược liệu",
    "processing_rubber": "chế biến cao su",
    "tea": "chè",
    "cardamom": "thảo quả",
    "rice": "lúa gạo",
    "rubber": "cao su",
    "medicinal_herbs": "cây dược liệu",
    "aquaculture": "nuôi trồng thủy sản",
    "macadamia": "mắc ca",
}

FACILITY_VI = {
    "airport": "Cảng hàng không",
    "border_economic_zone": "Khu kinh tế cửa khẩu",
    "border_gate": "Cửa khẩu",
    "hydropower": "Thủy điện lớn",
    "industrial_cluster": "Cụm công nghiệp",
    "industrial_park": "Khu công nghiệp",
    "logistics_centre": "Trung tâm logistics",
    "mine": "Mỏ khoáng sản",
}
FACILITY_COLORS = {
    "airport": "#e31a1c",
    "border_economic_zone": "#b15928",
    "border_gate": "#000000",
    "hydropower": "#1f78b4",
    "industrial_cluster": "#6a3d9a",
    "industrial_park": "#cab2d6",
    "logistics_centre": "#ff7f00",
    "mine": "#737373",
}

#: Facility kinds from the least to the most important: at one place, the more important is
#: drawn on top (the others as rings around it).
FACILITY_RANK = (
    "mine",
    "logistics_centre",
    "industrial_cluster",
    "industrial_park",
    "border_economic_zone",
    "hydropower",
    "border_gate",
    "airport",
)

#: What an urban area is (column ``status`` of ``urban_areas``), part by part (parts are
#: separated by "; "; a note in parentheses after a part is not translated, see
#: :func:`urban_status_vi`).
URBAN_STATUS_VI = {
    "existing city": "thành phố hiện có",
    "provincial centre": "trung tâm tỉnh",
    "existing district town": "thị trấn huyện lỵ hiện có",
    "new urban area": "đô thị mới",
    "new urban area at border gate": "đô thị mới tại cửa khẩu",
    "in the 10 urban areas to 2030": "một trong 10 đô thị đến 2030",
    "vision-2050 urban area only": "đô thị tầm nhìn 2050",
}

#: Colour and width (``MapLayer.weight``, px; Leaflet draws a line at twice it) of the single-
#: colour lines of the maps, by layer role: the web maps, and the QGIS styles of the same
#: layers (:mod:`gis.qgis_style`). The province is drawn as its outline.
LINE_STYLES = {
    "rivers": ("#4a90c2", 1.2),
    "border": ("#555555", 1.5),
    "province": ("#222222", 1.6),
    "roads_legacy": ("#999999", 1.0),
    "axis": ("#d7191c", 3.0),
}

#: Features outside the province (a pillar site's far end, the axis toward an expressway): drawn
#: grey and hollow, their tooltips say so.
OUTSIDE_VI = "ngoài tỉnh"
OUTSIDE_COLOR = "#8c8c8c"

STATUS_VI = {"existing": "hiện có", "upgrading": "nâng cấp", "planned": "quy hoạch"}
HORIZON_VI = {"baseline": "hiện trạng", "2030": "đến 2030", "2050": "đến 2050"}
ROAD_CLASS_VI = {"expressway": "Cao tốc", "national": "Quốc lộ", "provincial": "Tỉnh lộ"}
#: Road colour by (class, status): red family for national roads, darker when existing.
ROAD_COLORS = {
    ("expressway", "planned"): "#e7298a",
    ("expressway", "existing"): "#ae017e",
    ("national", "existing"): "#d7301f",
    ("national", "upgrading"): "#fc8d59",
    ("national", "planned"): "#fdbb84",
    ("provincial", "existing"): "#8c6d31",
    ("provincial", "upgrading"): "#bd9e39",
    ("provincial", "planned"): "#e7cb94",
}

#: Short credits of map sources, recognised in a layer's provenance (``meta.json`` provenance
#: ``source`` and ``url``): (text to find, credit). The first match of a layer is used; a layer
#: matching none is credited by its provenance source up to the first parenthesis. A map lists
#: its credits in this order, after the plan's own (``[plan] credit_vi`` of the profile).
SOURCE_CREDITS = (
    ("Population and Housing Census", "dân số: Tổng điều tra dân số và nhà ở 2019 (TCTK)"),
    ("WardSeeder", "điểm mốc: danh mục xã của TCTK, TravelMapping"),
    ("dvhcvn", "ranh giới: dvhcvn/gis.chinhphu.vn"),
    ("sapnhap.bando.com.vn", "xã, phường 2025: sapnhap.bando.com.vn"),
    (
        "thanglequoc",
        "xã, phường 2025: thanglequoc/vietnamese-provinces-database (sapnhap.bando.com.vn)",
    ),
    ("Open Development Mekong", "thủy điện: Open Development Mekong"),
    ("giaothong", "đường cũ: CTU-SematX/LegoCity"),
    ("Natural Earth", "sông, biên giới: Natural Earth"),
)

#: Urban classes from the highest; Resolution 1210/2016 (special, I..V).
CLASS_ORDER = ("special", "I", "II", "III", "IV", "V")
#: Symbol of an urban area by class: (circle radius in px, fill colour). Bigger and darker for a
#: higher class, so the urban hierarchy reads at a glance.
#: Radii step by 3 px at least, so that one class reads bigger than the next at a glance and a
#: 3 px ring of today's class shows inside the symbol of the class above.
CLASS_STYLE = {
    "special": (19.0, "#67000d"),
    "I": (17.0, "#a50f15"),
    "II": (15.0, "#cb181d"),
    "III": (12.5, "#ef3b2c"),
    "IV": (9.5, "#fb6a4a"),
    "V": (6.5, "#fcae91"),
}
UNCLASSIFIED_VI = "Chưa xếp loại"
UNCLASSIFIED_STYLE = (5.0, "#ffffff")
#: Web maps name the urban areas of a class from this many zoom steps closer than the opening
#: view (:attr:`gis.maplayer.MapLayer.label_zoom`): the opening view names the higher classes
#: only; a class not listed is named at once.
CLASS_LABEL_ZOOM = {"V": 1, None: 1}


def ring_color(color: str, *, darken: float = 0.45) -> str:
    """Colour of a hollow ring of a class: the class colour darkened, so that a ring reads on
    the filled symbol of the same or the next class (``"#ef3b2c"`` -> ``"#832018"``)."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(v * (1 - darken)):02x}" for v in (r, g, b))


def name_without_note(value: object) -> object:
    """A name without its note in parentheses, for a label on the map:
    ``"Thủy điện Lai Châu (1200 MW)"`` -> ``"Thủy điện Lai Châu"``; other values unchanged."""
    if not isinstance(value, str):
        return value
    head = value.split(" (", 1)[0].strip()
    return head or value


def urban_status_vi(value: object) -> object:
    """What an urban area is, in Vietnamese (:data:`URBAN_STATUS_VI`), part by part.

    ``"existing city; provincial centre"`` -> ``"thành phố hiện có; trung tâm tỉnh"``. A part
    with no entry stays as stored (with its note); a translated part loses its note in
    parentheses (English). Missing values stay missing.
    """
    if not isinstance(value, str):
        return value
    parts = []
    for part in value.split("; "):
        head = part.split(" (", 1)[0].strip()
        parts.append(URBAN_STATUS_VI.get(head, part))
    return "; ".join(parts)


def class_vi(value: object) -> str:
    """Return the Vietnamese label of an urban class: ``"III"`` -> ``"Loại III"``."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return UNCLASSIFIED_VI
    return "Loại đặc biệt" if value == "special" else f"Loại {value}"


def translate(values: pd.Series, table: Mapping[str, str]) -> pd.Series:
    """Map codes to labels; codes with no label stay as they are, missing values stay missing."""
    return values.map(lambda v: table.get(v, v) if isinstance(v, str) else v)
