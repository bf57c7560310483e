"""QGIS styles (QML) and SLD of the province's layers, matching the web maps.

:func:`layer_style` says how a store layer is drawn on the web maps of :mod:`gis.maps`: the
colour, width and symbol size of each :class:`~gis.maplayer.MapLayer` built there, from the
same tables (:mod:`gis.maplabels`, the profile's ``[plan.regions]`` colours and names), and
categorised by the stored column that the web map's categories come from (regions by
``plan_region``, roads by class and status, facilities by ``kind``, urban areas by
``class_2030``, pillars by ``pillar``, hydropower plants by ``status``). :func:`style_qml` and
:func:`style_sld` write it as a QGIS style and an OGC SLD 1.1; :mod:`gis.qgis` stores both in a
GeoPackage's ``layer_styles`` table and in a QGIS project.

Sizes are in pixels, as on the web map (QGIS unit "Pixel"): Leaflet draws a line of a line
layer at twice its ``weight`` and a polygon's outline at ``weight``; a point's symbol size is the
circle's diameter. Opacity goes into the colour's alpha (Leaflet's ``opacity`` of the stroke,
``fillOpacity`` of the fill). Filled polygons and points have the web map's dark grey outline
(``#333333``); hollow ones are outlines in their colour.

What the web maps draw from a layer's copy and QGIS cannot from the stored layer: the parts
outside the province drawn grey (axis, pillar sites), the corridor and catchment bands
(computed), the rings of today's urban class (one colour per layer here: the class of 2030).
Plan waypoints are not on the web maps: grey dots.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, replace

import geopandas as gpd
import matplotlib.colors as mcolors

from gis.maplabels import (
    CLASS_ORDER,
    CLASS_STYLE,
    FACILITY_COLORS,
    FACILITY_VI,
    LINE_STYLES,
    OUTSIDE_COLOR,
    PILLAR_COLORS,
    PILLAR_VI,
    ROAD_CLASS_VI,
    ROAD_COLORS,
    STATUS_VI,
    UNCLASSIFIED_STYLE,
    UNCLASSIFIED_VI,
    class_vi,
)
from gis.maplayer import NO_DATA_COLOR, MapLayer, layer_legend
from gis.profile import Profile
from gis.webmap import DASH_ARRAY

__all__ = [
    "QGIS_VERSION",
    "Category",
    "LayerStyle",
    "Symbol",
    "geometry_kinds",
    "layer_style",
    "style_qml",
    "style_sld",
]

#: QGIS version written into styles and projects: QGIS 3.22 LTR (Debian 12) and later read them.
QGIS_VERSION = "3.22.16-Białowieża"
#: Outline of filled polygons and points on the web maps (:func:`gis.webmap.web_map`).
OUTLINE = "#333333"
_KINDS = {"Point": "point", "LineString": "line", "Polygon": "polygon"}
_QGIS_TYPE = {"point": ("marker", 0), "line": ("line", 1), "polygon": ("fill", 2)}


@dataclass(frozen=True)
class Symbol:
    """One symbol as the web map draws it (sizes in px, opacities 0-1)."""

    color: str
    weight: float = 1.0  # MapLayer.weight: polygon outline, point outline; lines twice this
    opacity: float = 0.9
    fill_opacity: float = 0.6
    radius: float = 6.0
    hollow: bool = False
    dashed: bool = False


@dataclass(frozen=True)
class Category:
    """Features whose ``field`` values equal ``values``, drawn with ``symbol``."""

    values: tuple[str, ...]
    label: str
    symbol: Symbol


@dataclass(frozen=True)
class LayerStyle:
    """How one layer (of one geometry kind) is drawn: one symbol, or categories of fields."""

    geometry: str  # "point", "line" or "polygon"
    symbol: Symbol  # the single symbol, or the one of values no category lists
    fields: tuple[str, ...] = ()
    categories: tuple[Category, ...] = ()
    label_field: str | None = None
    other_label: str = "Khác"
    note: str = ""  # what differs from the web map
    extra: dict = field(default_factory=dict)


def geometry_kinds(gdf: gpd.GeoDataFrame) -> list[str]:
    """Geometry kinds of a layer ("point", "line", "polygon"), most features first."""
    kinds = gdf.geom_type.dropna().str.replace("Multi", "").map(_KINDS).dropna()
    return list(kinds.value_counts().index)


def _cats(values, labels, symbols) -> tuple[Category, ...]:
    return tuple(
        Category(tuple(v) if isinstance(v, tuple) else (v,), lbl, s)
        for v, lbl, s in zip(values, labels, symbols, strict=True)
    )


def _present(gdf: gpd.GeoDataFrame, column: str) -> list[str]:
    return sorted({str(v) for v in gdf[column].dropna()}) if column in gdf.columns else []


def layer_style(
    name: str, gdf: gpd.GeoDataFrame, profile: Profile, *, geometry: str | None = None
) -> LayerStyle:
    """Return the web map's style of store layer ``name`` for one geometry kind.

    Parameters
    ----------
    name : str
        Store layer name; its role comes from ``profile.roles`` (a renamed layer keeps its
        style), a layer with no role gets the web maps' default single colour.
    gdf : GeoDataFrame
        The layer (its values give the categories present, e.g. the statuses of the plants).
    profile : Profile
        Region colours and names (``[plan.regions]``).
    geometry : {"point", "line", "polygon"}, optional
        Geometry kind for a layer that mixes them; default: the kind of most features.
    """
    role = next((r for r, n in profile.roles.items() if n == name), None)
    kind = geometry or (geometry_kinds(gdf) or ["point"])[0]
    if role == "province":
        color, weight = LINE_STYLES["province"]  # drawn as a line: twice its weight
        return LayerStyle(kind, Symbol(color, weight=2 * weight, hollow=True, opacity=0.9))
    if role in ("districts", "communes"):
        return LayerStyle(
            kind,
            Symbol("#ffffff", weight=0.6, opacity=0.6, fill_opacity=0.0),
            label_field="name" if "name" in gdf.columns else None,
        )
    if role in ("regions", "regions_2025"):
        plan = profile.plan
        codes = list(dict.fromkeys([*plan.region_colors, *_present(gdf, "plan_region")]))
        sym = Symbol("#cccccc", weight=0.8, fill_opacity=0.55)
        return LayerStyle(
            kind,
            sym,
            ("plan_region",),
            _cats(
                codes,
                [plan.region_vi.get(c, c) for c in codes],
                [replace(sym, color=plan.region_colors.get(c, "#cccccc")) for c in codes],
            ),
        )
    if role in ("axis", "roads"):
        return _road_style(role, kind, gdf)
    if role in ("roads_legacy", "rivers", "border"):
        color, weight = LINE_STYLES[role]
        return LayerStyle(kind, Symbol(color, weight=weight))
    if role == "hydropower":
        return _hydropower_style(kind, gdf)
    if role == "facilities":
        kinds = list(dict.fromkeys([*FACILITY_COLORS, *_present(gdf, "kind")]))
        sym = (
            Symbol("#444444", radius=7.5, fill_opacity=0.95)
            if kind == "point"
            else Symbol("#444444", weight=2.0, fill_opacity=0.12, opacity=0.9)
        )
        cats = [replace(sym, color=FACILITY_COLORS.get(k, "#444444")) for k in kinds]
        extra = {"outline_in_color": True} if kind == "polygon" else {}  # zones: their colour
        labels = [FACILITY_VI.get(k, k) for k in kinds]
        return LayerStyle(
            kind, sym, ("kind",), _cats(kinds, labels, cats), label_field="name", extra=extra
        )
    if role == "urban_areas":
        column = "class_2030" if "class_2030" in gdf.columns else "class_target"
        radius, color = UNCLASSIFIED_STYLE
        sym = Symbol(color, radius=radius, fill_opacity=0.95)
        return LayerStyle(
            kind,
            sym,
            (column,),
            _cats(
                CLASS_ORDER,
                [class_vi(c) for c in CLASS_ORDER],
                [
                    Symbol(CLASS_STYLE[c][1], radius=CLASS_STYLE[c][0], fill_opacity=0.95)
                    for c in CLASS_ORDER
                ],
            ),
            label_field="urban_area",
            other_label=UNCLASSIFIED_VI,
            note="the class of 2030 (the web map also rings today's class)",
            extra={"centroid_marker": True},
        )
    if role in ("pillar_sites", "pillar_zones"):
        pillars = list(dict.fromkeys([*PILLAR_COLORS, *_present(gdf, "pillar")]))
        zones = role == "pillar_zones"
        sym = (
            Symbol("#888888", weight=2.0, hollow=True)
            if zones
            else Symbol("#888888", radius=5.5, fill_opacity=0.95)
        )
        return LayerStyle(
            kind,
            sym,
            ("pillar",),
            _cats(
                pillars,
                [PILLAR_VI.get(p, p) for p in pillars],
                [replace(sym, color=PILLAR_COLORS.get(p, "#888888")) for p in pillars],
            ),
            label_field=None if zones else "name",
        )
    if role == "waypoints":
        return LayerStyle(
            kind,
            Symbol(OUTSIDE_COLOR, radius=3.0, fill_opacity=0.9),
            label_field="name" if "name" in gdf.columns else None,
            note="not on the web maps",
        )
    return LayerStyle(kind, Symbol(MapLayer.color), note="no role: the web maps' default")


def _road_style(role: str, kind: str, gdf: gpd.GeoDataFrame) -> LayerStyle:
    """Roads by class and status (:data:`gis.maplabels.ROAD_COLORS`), the axis red; planned
    ones dashed (:func:`gis._mapparts.planned`)."""
    if role == "axis":
        color, weight = LINE_STYLES["axis"]
        sym = Symbol(color, weight=weight, opacity=1.0)
        statuses = list(
            dict.fromkeys(["existing", "upgrading", "planned", *_present(gdf, "status")])
        )
        return LayerStyle(
            kind,
            sym,
            ("status",),
            _cats(
                statuses,
                [STATUS_VI.get(s, s) for s in statuses],
                [replace(sym, dashed=s == "planned") for s in statuses],
            ),
            label_field="road_ref",
        )
    sym = Symbol("#666666", weight=2.0, opacity=1.0)
    stored = zip(gdf.get("road_class", []), gdf.get("status", []), strict=True)
    pairs = list(dict.fromkeys([*ROAD_COLORS, *stored]))
    pairs = [p for p in pairs if all(isinstance(v, str) for v in p)]
    return LayerStyle(
        kind,
        sym,
        ("road_class", "status"),
        _cats(
            pairs,
            [f"{ROAD_CLASS_VI.get(c, c)} – {STATUS_VI.get(s, s)}" for c, s in pairs],
            [
                replace(sym, color=ROAD_COLORS.get(p, "#666666"), dashed=p[1] == "planned")
                for p in pairs
            ],
        ),
        label_field="road_ref",
    )


def _hydropower_style(kind: str, gdf: gpd.GeoDataFrame) -> LayerStyle:
    """Plants by status with the web map's palette: tab10 over the sorted statuses of the
    plants in the province (:func:`gis.maplayer.layer_legend`), then those of the others."""
    sym = Symbol("#3b6fb6", radius=4.5, fill_opacity=0.9)
    inside = gdf
    if "in_province" in gdf.columns:
        inside = gdf[gdf["in_province"].fillna(False).astype(bool)]
    palette: dict[str, str] = {}
    for part in (inside, gdf.drop(index=inside.index)):
        rows = part[part["status"].notna()] if "status" in part.columns else part.iloc[:0]
        if len(rows):
            colors, _ = layer_legend(
                MapLayer(rows, "x", column="status", kind="category", cmap="tab10")
            )
            for value, color in zip(rows["status"], colors, strict=True):
                palette.setdefault(str(value), color)
    return LayerStyle(
        kind,
        sym,
        ("status",),
        _cats(list(palette), list(palette), [replace(sym, color=c) for c in palette.values()]),
        label_field="name" if "name" in gdf.columns else None,
    )


# ----------------------------------------------------------------------------- QML


def _rgba(color: str, alpha: float) -> str:
    r, g, b = (round(255 * v) for v in mcolors.to_rgb(color))
    return f"{r},{g},{b},{round(255 * alpha)}"


def _options(parent: ET.Element, values: dict[str, str]) -> None:
    opts = ET.SubElement(parent, "Option", type="Map")
    for k, v in values.items():
        ET.SubElement(opts, "Option", name=k, type="QString", value=str(v))


def _symbol_xml(style: LayerStyle, sym: Symbol, name: str, extra: dict) -> ET.Element:
    qtype, _ = _QGIS_TYPE[style.geometry]
    el = ET.Element("symbol", type=qtype, name=name, alpha="1", clip_to_extent="1", force_rhr="0")
    layer = ET.SubElement(el, "layer", {"enabled": "1", "locked": "0", "pass": "0"})
    dash = (
        {
            "use_custom_dash": "1",
            "customdash": DASH_ARRAY.replace(" ", ";"),
            "customdash_unit": "Pixel",
        }
        if sym.dashed
        else {"use_custom_dash": "0"}
    )
    if style.geometry == "line":
        layer.set("class", "SimpleLine")
        _options(
            layer,
            {
                "line_color": _rgba(sym.color, sym.opacity),
                "line_width": f"{2 * sym.weight:g}",
                "line_width_unit": "Pixel",
                "line_style": "dash" if sym.dashed else "solid",
                "capstyle": "round",
                "joinstyle": "round",
                **dash,
            },
        )
    elif style.geometry == "polygon" and extra.get("centroid_marker"):
        # the web map draws such polygons as a symbol at a point inside (representative_point)
        layer.set("class", "CentroidFill")
        _options(layer, {"point_on_surface": "1", "point_on_all_parts": "0", "clip_points": "0"})
        marker = _symbol_xml(replace(style, geometry="point"), sym, "@0@0", {})
        layer.append(marker)
    elif style.geometry == "polygon":
        layer.set("class", "SimpleFill")
        outline = sym.color if sym.hollow or extra.get("outline_in_color") else OUTLINE
        _options(
            layer,
            {
                "color": _rgba(sym.color, 0.0 if sym.hollow else sym.fill_opacity),
                "style": "no" if sym.hollow or sym.fill_opacity == 0 else "solid",
                "outline_color": _rgba(outline, sym.opacity),
                "outline_style": "dash" if sym.dashed else "solid",
                "outline_width": f"{sym.weight:g}",
                "outline_width_unit": "Pixel",
                "joinstyle": "round",
            },
        )
    else:
        layer.set("class", "SimpleMarker")
        _options(
            layer,
            {
                "name": "circle",
                "color": _rgba(sym.color, 0.0 if sym.hollow else sym.fill_opacity),
                "outline_color": _rgba(sym.color if sym.hollow else OUTLINE, sym.opacity),
                "outline_style": "dash" if sym.dashed else "solid",
                "outline_width": f"{sym.weight:g}",
                "outline_width_unit": "Pixel",
                "size": f"{2 * sym.radius:g}",
                "size_unit": "Pixel",
                "scale_method": "diameter",
            },
        )
    return el


def _expression(fields: tuple[str, ...]) -> str:
    quoted = [f'"{f}"' for f in fields]
    return quoted[0] if len(quoted) == 1 else " || '|' || ".join(quoted)


def renderer_xml(style: LayerStyle) -> ET.Element:
    """The ``renderer-v2`` element of a QGIS style or project layer."""
    if not style.categories:
        el = ET.Element(
            "renderer-v2", type="singleSymbol", symbollevels="0", forceraster="0", enableorderby="0"
        )
        symbols = ET.SubElement(el, "symbols")
        symbols.append(_symbol_xml(style, style.symbol, "0", style.extra))
        return el
    el = ET.Element(
        "renderer-v2",
        type="categorizedSymbol",
        attr=_expression(style.fields),
        symbollevels="0",
        forceraster="0",
        enableorderby="0",
    )
    cats, symbols = ET.SubElement(el, "categories"), ET.SubElement(el, "symbols")
    rows = [(("|".join(c.values)), c.label, c.symbol) for c in style.categories]
    other = replace(style.symbol, color=NO_DATA_COLOR) if style.fields else style.symbol
    rows.append(("", style.other_label, other))  # QGIS: the category of all other values
    for i, (value, label, sym) in enumerate(rows):
        ET.SubElement(cats, "category", render="true", value=value, label=label, symbol=str(i))
        symbols.append(_symbol_xml(style, sym, str(i), style.extra))
    source = ET.SubElement(el, "source-symbol")
    source.append(_symbol_xml(style, style.symbol, "0", style.extra))
    return el


def labeling_xml(style: LayerStyle) -> ET.Element | None:
    """Labels like the web maps': dark text, white halo (None without a label field)."""
    if style.label_field is None:
        return None
    el = ET.Element("labeling", type="simple")
    settings = ET.SubElement(el, "settings", calloutType="simple")
    text = ET.SubElement(
        settings,
        "text-style",
        fieldName=style.label_field,
        isExpression="0",
        fontFamily="DejaVu Sans",
        fontSize="8",
        fontSizeUnit="Point",
        textColor="17,17,17,255",
        textOpacity="1",
    )
    ET.SubElement(
        text,
        "text-buffer",
        bufferDraw="1",
        bufferSize="1",
        bufferSizeUnits="MM",
        bufferColor="255,255,255,255",
        bufferOpacity="0.9",
    )
    placement = {"point": "6", "line": "2", "polygon": "1"}[style.geometry]  # around/line/centre
    ET.SubElement(settings, "placement", placement=placement, dist="1", distUnits="MM")
    ET.SubElement(settings, "rendering", obstacle="0", scaleVisibility="0", drawLabels="1")
    return el


def style_qml(style: LayerStyle) -> str:
    """The style as a QGIS ``.qml`` document (symbology and labels)."""
    root = ET.Element(
        "qgis",
        version=QGIS_VERSION,
        styleCategories="Symbology|Labeling",
        labelsEnabled="1" if style.label_field else "0",
    )
    root.append(renderer_xml(style))
    labels = labeling_xml(style)
    if labels is not None:
        root.append(labels)
    ET.SubElement(root, "blendMode").text = "0"
    ET.SubElement(root, "featureBlendMode").text = "0"
    ET.SubElement(root, "layerGeometryType").text = str(_QGIS_TYPE[style.geometry][1])
    body = ET.tostring(root, encoding="unicode")
    return f"<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n{body}\n"


# ----------------------------------------------------------------------------- SLD

_SLD = "http://www.opengis.net/sld"
_SE = "http://www.opengis.net/se"
_OGC = "http://www.opengis.net/ogc"
for _p, _u in (("sld", _SLD), ("se", _SE), ("ogc", _OGC)):
    ET.register_namespace(_p, _u)


def _se(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{_SE}}}{tag}", attrs)
    if text is not None:
        el.text = text
    return el


def _stroke(parent: ET.Element, color: str, width: float, opacity: float, dashed: bool) -> None:
    stroke = _se(parent, "Stroke")
    _se(stroke, "SvgParameter", color, name="stroke")
    _se(stroke, "SvgParameter", f"{width:g}", name="stroke-width")
    _se(stroke, "SvgParameter", f"{opacity:g}", name="stroke-opacity")
    if dashed:
        _se(stroke, "SvgParameter", DASH_ARRAY, name="stroke-dasharray")


def _fill(parent: ET.Element, color: str, opacity: float) -> None:
    fill = _se(parent, "Fill")
    _se(fill, "SvgParameter", color, name="fill")
    _se(fill, "SvgParameter", f"{opacity:g}", name="fill-opacity")


def _symbolizer(rule: ET.Element, style: LayerStyle, sym: Symbol) -> None:
    hollow = sym.hollow or sym.fill_opacity == 0
    if style.extra.get("centroid_marker"):  # a symbol at a point inside the polygon
        style = replace(style, geometry="point")
    if style.geometry == "line":
        _stroke(_se(rule, "LineSymbolizer"), sym.color, 2 * sym.weight, sym.opacity, sym.dashed)
    elif style.geometry == "polygon":
        poly = _se(rule, "PolygonSymbolizer")
        if not hollow:
            _fill(poly, sym.color, sym.fill_opacity)
        outline = sym.color if sym.hollow or style.extra.get("outline_in_color") else OUTLINE
        _stroke(poly, outline, sym.weight, sym.opacity, sym.dashed)
    else:
        graphic = _se(_se(rule, "PointSymbolizer"), "Graphic")
        mark = _se(graphic, "Mark")
        _se(mark, "WellKnownName", "circle")
        if not sym.hollow:
            _fill(mark, sym.color, sym.fill_opacity)
        _stroke(mark, sym.color if sym.hollow else OUTLINE, sym.weight, sym.opacity, sym.dashed)
        _se(graphic, "Size", f"{2 * sym.radius:g}")


def _filter(rule: ET.Element, fields: tuple[str, ...], values: tuple[str, ...] | None) -> None:
    flt = ET.SubElement(rule, f"{{{_OGC}}}Filter")
    if values is None:  # the other values
        return
    parent = ET.SubElement(flt, f"{{{_OGC}}}And") if len(fields) > 1 else flt
    for f, v in zip(fields, values, strict=True):
        eq = ET.SubElement(parent, f"{{{_OGC}}}PropertyIsEqualTo")
        ET.SubElement(eq, f"{{{_OGC}}}PropertyName").text = f
        ET.SubElement(eq, f"{{{_OGC}}}Literal").text = v


def style_sld(style: LayerStyle, name: str) -> str:
    """The style as an OGC SLD 1.1 document (one rule per category, then the others)."""
    root = ET.Element(f"{{{_SLD}}}StyledLayerDescriptor", version="1.1.0")
    layer = ET.SubElement(root, f"{{{_SLD}}}NamedLayer")
    _se(layer, "Name", name)
    user = ET.SubElement(layer, f"{{{_SLD}}}UserStyle")
    _se(user, "Name", name)
    fts = _se(user, "FeatureTypeStyle")
    rows = [(c.values, c.label, c.symbol) for c in style.categories]
    if not rows:
        rows = [(None, name, style.symbol)]
    for values, label, sym in rows:
        rule = _se(fts, "Rule")
        _se(rule, "Name", label)
        _se(_se(rule, "Description"), "Title", label)
        if values is not None:
            _filter(rule, style.fields, values)
        _symbolizer(rule, style, sym)
    if style.categories:  # features of no category: the web map's no-data grey
        rule = _se(fts, "Rule")
        _se(rule, "Name", style.other_label)
        _se(rule, "ElseFilter")
        _symbolizer(rule, style, replace(style.symbol, color=NO_DATA_COLOR))
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
