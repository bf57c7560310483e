"""Offline web maps: folium/Leaflet pages that work with no network at all.

A planner opens the HTML file from a USB stick or a shared drive in an office without Internet,
so every map built here is self-contained:

- Leaflet 1.9.4 JavaScript and CSS are **inlined** from the installed package
  ``django-js-lib-leaflet`` (read with :mod:`importlib.resources`), its two layer-control icons
  as ``data:`` URIs. folium's other CDN resources (jQuery, Bootstrap JS/CSS, Bootstrap 3
  glyphicons, Font Awesome, Leaflet.awesome-markers and its rotate CSS) are **dropped**: nothing
  built here uses them (points are drawn as vector circle markers, not icon markers), and
  :func:`save_map` refuses a page that would still load a ``<script src>``, ``<link href>`` or
  ``url(...)`` from the network.
- The background is a plain colour. OpenStreetMap tiles are an *optional* overlay, off by
  default, ticked in the layer control by whoever is online.
- Scale bar (metric), layer control, legend (point symbols at their size on the map, hollow
  ones as rings), title and Vietnamese tooltips/popups are built in; ``MapLayer.label`` gives
  permanent labels, by zoom level (``label_zoom``) and with overlapping ones hidden.
  Every attribute value and label is HTML-escaped before it reaches the page, because Leaflet
  and folium's ``GeoJsonTooltip``/``GeoJsonPopup`` insert them with ``innerHTML``.

Pages stay light: each layer is embedded as :func:`gis.maplayer.display_copy` makes it (unit
polygons simplified as a coverage in metres, EPSG:4326, 5 decimals), with only the columns a
tooltip, popup or style needs. Layer specs, colours and legends come from :mod:`gis.maplayer`
(``MapLayer`` etc. are re-exported here).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import itertools
import json
import os
import re
from collections.abc import Mapping, Sequence
from functools import cache
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from urllib.parse import quote

import folium
import matplotlib.colors as mcolors
import numpy as np
from branca.element import Element, MacroElement
from folium.template import Template
from folium.utilities import JsCode

from gis._writes import atomic_write
from gis.errors import GisError, LayerError
from gis.maplayer import (
    DISPLAY_DECIMALS,
    SIMPLIFY_M,
    MapLayer,
    dashed_entries,
    dashed_mask,
    display_copy,
    format_vi,
    label_levels,
    layer_legend,
    radii_by_layer,
)

__all__ = [
    "InlineMap",
    "MapLayer",
    "OfflineError",
    "display_copy",
    "external_resources",
    "format_vi",
    "index_page",
    "inline_map",
    "layer_legend",
    "render_html",
    "reproducible_ids",
    "save_map",
    "web_map",
]

#: Background colour of the map when the optional OSM layer is off.
BACKGROUND = "#f4f1ea"
#: Leaflet ``dashArray`` of dashed lines (planned roads), px.
DASH_ARRAY = "8 6"
_LEAFLET_PACKAGE = "js_lib_leaflet"
_LEAFLET_DIR = "static/js_lib_leaflet"


class OfflineError(GisError, ValueError):
    """A map page would load something from the network."""


# ----------------------------------------------------------------------------- page assets


@cache
def leaflet_assets() -> tuple[str, str]:
    """Return Leaflet's (JavaScript, CSS) text from the installed ``django-js-lib-leaflet``."""
    try:
        base = resources.files(_LEAFLET_PACKAGE).joinpath(_LEAFLET_DIR)
        js = base.joinpath("leaflet.js").read_text(encoding="utf-8")
        css = base.joinpath("leaflet.css").read_text(encoding="utf-8")
        images = {
            n: base.joinpath("images", n).read_bytes() for n in ("layers.png", "layers-2x.png")
        }
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise OfflineError(
            f"Leaflet files not found ({exc}); offline maps inline them from the package "
            "django-js-lib-leaflet. Install it: `pip install 'django-js-lib-leaflet>=1.9.4'`."
        ) from None
    js = re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", js)
    for fname, data in images.items():
        uri = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
        css = css.replace(f"url(images/{fname})", f"url({uri})")
    # The default marker icon is never used (points are circle markers): drop its file URL.
    css = re.sub(r"\.leaflet-default-icon-path\s*\{[^}]*\}", "", css)
    for text in (js, css):
        if re.search(r"</(script|style)", text, re.IGNORECASE):  # would end the inline block
            raise OfflineError("Leaflet file contains a closing tag; cannot inline it safely.")
    return js, css


_PAGE_CSS = """
.leaflet-container {{ background: {background}; font-family: "DejaVu Sans", Arial, sans-serif; }}
.gis-title {{ position: absolute; top: 10px; left: 50%; transform: translateX(-50%);
  z-index: 1000; background: rgba(255,255,255,.9); padding: 6px 14px; border-radius: 4px;
  font: bold 18px "DejaVu Sans", Arial, sans-serif; box-shadow: 0 1px 4px rgba(0,0,0,.3);
  pointer-events: none; max-width: 70%; text-align: center; }}
.gis-legend {{ background: rgba(255,255,255,.92); padding: 6px 10px; border-radius: 4px;
  font: 12px/1.3 "DejaVu Sans", Arial, sans-serif; box-shadow: 0 1px 4px rgba(0,0,0,.3);
  max-height: calc(100vh - 120px); overflow-y: auto; max-width: {legend_px}px; }}
.gis-legend > div > div {{ display: flex; align-items: center; min-height: 16px; }}
.leaflet-control-layers {{ font: 13px/1.35 "DejaVu Sans", Arial, sans-serif;
  max-height: 55vh; overflow-y: auto; }}
.leaflet-container .leaflet-control-attribution {{ font-size: 11px;
  max-width: calc(100vw - 240px); }}
.gis-legend h4 {{ margin: 4px 0 1px; font-size: 12px; }}
.gis-legend i {{ display: inline-block; flex: none; box-sizing: border-box; width: 16px;
  height: 12px; margin: 1px 11px 1px 5px; border: 1px solid #555; }}
.gis-legend i.line {{ height: 3px; border: none; }}
.gis-legend i.point {{ width: 11px; height: 11px; border-radius: 50%; }}
.leaflet-tooltip table th, .leaflet-popup-content table th {{ text-align: left;
  padding-right: 8px; font-weight: normal; color: #555; }}
.leaflet-popup-content td {{ font-weight: bold; }}
.leaflet-container .leaflet-interactive:focus {{ outline: none; }}
.leaflet-tooltip.gis-label {{ background: none; border: none; box-shadow: none; padding: 0;
  white-space: pre;
  font: 12px/1.2 "DejaVu Sans", Arial, sans-serif; color: #111;
  text-shadow: -1px -1px 0 #fff, 1px -1px 0 #fff, -1px 1px 0 #fff, 1px 1px 0 #fff,
  0 0 3px #fff; }}
.leaflet-tooltip.gis-label:before {{ display: none; }}
{zoom_css}
"""
#: Zoom steps (closer than the opening view) a label can wait for (:attr:`MapLayer.label_zoom`).
LABEL_ZOOM_STEPS = 4
#: Widest legend (px); the opening view fits the layers beside it, and under the title.
LEGEND_PX = 330
#: Width of the column of legend symbols (px): symbols are centred in it, labels line up.
SWATCH_BOX_PX = 26


class Legend(MacroElement):
    """Legend as a Leaflet control; a layer's section hides when the layer is switched off."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function() {
                var div = L.DomUtil.create("div", "gis-legend");
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            legend.addTo(map);
            var sections = {{ this.sections|tojson }};
            function toggle(e, shown) {
                var id = sections[e.name];
                if (id) { document.getElementById(id).style.display = shown ? "" : "none"; }
            }
            map.on("overlayadd", function(e) { toggle(e, true); });
            map.on("overlayremove", function(e) { toggle(e, false); });
            {% for id in this.hidden %}
            document.getElementById({{ id|tojson }}).style.display = "none";
            {% endfor %}
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html_text: str, sections: dict[str, str], hidden: list[str]):
        super().__init__()
        self._name = "Legend"
        self.html, self.sections, self.hidden = html_text, sections, hidden


def _zoom_css() -> str:
    """CSS that hides the labels of level k until the map container has class ``gis-zk``."""
    return "\n".join(
        f".gis-label.gis-lz-{k} {{ display: none; }} .gis-z{k} .gis-label.gis-lz-{k} "
        "{ display: block; }"
        for k in range(1, LABEL_ZOOM_STEPS + 1)
    )


class _Labels(MacroElement):
    """Permanent labels without clutter.

    - Level k (:attr:`MapLayer.label_zoom`) shows from k zoom steps closer than the opening
      view: the map container gets class ``gis-zk`` for each level reached.
    - A label that would overlap one of a higher priority is hidden (class ``gis-lp-n``: lower
      n first, see :func:`_label_priority`; within a layer, the feature drawn on top first),
      again after every zoom and layer switch.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var base = map.getZoom();
            function rank(e) {
                var m = /gis-lp-(\\d+)/.exec(e.className);
                return m ? +m[1] : 1e9;
            }
            function declutter() {
                var c = map.getContainer();
                for (var k = 1; k <= {{ this.steps }}; k++) {
                    c.classList.toggle("gis-z" + k, map.getZoom() - base >= k);
                }
                var labels = Array.from(c.querySelectorAll(".gis-label"));
                labels.forEach(function(e) { e.style.visibility = ""; });
                labels = labels.filter(function(e) {
                    return getComputedStyle(e).display !== "none";
                });
                var order = new Map(labels.map(function(e, i) { return [e, i]; }));
                labels.sort(function(a, b) {  // ties: the feature drawn later (on top) first
                    return rank(a) - rank(b) || order.get(b) - order.get(a);
                });
                var kept = [];
                labels.forEach(function(e) {
                    var r = e.getBoundingClientRect();
                    var hit = kept.some(function(k) {
                        return r.left < k.right && r.right > k.left && r.top < k.bottom &&
                            r.bottom > k.top;
                    });
                    if (hit) { e.style.visibility = "hidden"; } else { kept.push(r); }
                });
            }
            map.on("zoomend", declutter);
            map.on("overlayadd overlayremove", function() { setTimeout(declutter, 0); });
            declutter();
        })();
        {% endmacro %}
        """
    )

    def __init__(self, steps: int):
        super().__init__()
        self._name = "Labels"
        self.steps = steps


def _swatch_kind(shown) -> str:
    """``"line"``, ``"point"`` or ``""`` (areas, or a mix) for a layer's drawn features."""
    types = set(shown.geom_type.dropna())
    if types and types <= {"LineString", "MultiLineString"}:
        return "line"
    return "point" if types and types <= {"Point", "MultiPoint"} else ""


def _lowest_level(layer: MapLayer) -> int:
    levels = label_levels(layer, most=LABEL_ZOOM_STEPS)
    return int(levels.min()) if len(levels) else 0


def _label_priority(layers: Sequence[MapLayer], kinds: Sequence[str]) -> dict[int, int]:
    """Rank of each labelled layer (index -> rank, 0 first) when labels overlap: labels shown
    at a wider view first, then those of bigger point symbols, then lines, then areas."""
    order = {"point": 0, "line": 1, "": 2}
    keys = {
        i: (_lowest_level(la), order.get(kind, 2), -la.radius if kind == "point" else 0, i)
        for i, (la, kind) in enumerate(zip(layers, kinds, strict=True))
        if la.label
    }
    return {i: rank for rank, i in enumerate(sorted(keys, key=keys.__getitem__))}


#: Bind a permanent label (properties ``_label``, level ``_lz``, priority ``_lp``) to each
#: feature that has one: right of a point symbol (left of it with ``_ll``: near the east edge
#: of the map, where the text would run off the map or under the legend), in the middle of a
#: line or polygon. Leaflet inserts it as HTML: the text is escaped in Python; a line break of
#: the text is kept (CSS ``white-space: pre``).
_LABEL_JS = """function(feature, layer) {
    var p = feature.properties;
    if (!p._label) { return; }
    var point = typeof layer.getRadius === "function";
    var r = point ? layer.getRadius() + 1 : 0;
    layer.bindTooltip(p._label, {permanent: true, interactive: false, opacity: 1,
        direction: point ? (p._ll ? "left" : "right") : "center",
        offset: [p._ll ? -r : r, 0],
        className: "gis-label gis-lz-" + (p._lz || 0) + " gis-lp-" + (p._lp || 0)});
}"""


class _Extras(MacroElement):
    """Metric scale bar and the source note in the attribution control.

    Leaflet 1.9.4's attribution prefix draws a flag as an inline SVG before "Leaflet"; the
    prefix here is a plain "Leaflet" link (text only, nothing fetched).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            L.control.scale({metric: true, imperial: false, maxWidth: 200})
                .addTo({{ this._parent.get_name() }});
            {{ this._parent.get_name() }}.attributionControl.setPrefix(
                '<a href="https://leafletjs.com" title="Thư viện bản đồ Leaflet">Leaflet</a>');
            {% if this.source %}{{ this._parent.get_name() }}.attributionControl
                .addAttribution({{ this.source|tojson }});{% endif %}
        {% endmacro %}
        """
    )

    def __init__(self, source: str | None):
        super().__init__()
        self._name = "Extras"
        self.source = html.escape(source) if source else None


# ----------------------------------------------------------------------------- the map


def _swatch_style(
    color: str, swatch: str, layer: MapLayer, dashed: bool, background: str, radius: float
) -> str:
    """Inline style of a legend swatch: colour (:func:`_swatch_css`); a point symbol at its size
    on the map (a bigger class is a bigger symbol), a hollow symbol as a ring."""
    size = ""
    if swatch == "point":
        d = min(max(2 * radius, 6.0), float(SWATCH_BOX_PX - 2))
        side = (SWATCH_BOX_PX - d) / 2
        size = f"width:{d:g}px;height:{d:g}px;margin:1px {side + 6:g}px 1px {side:g}px;"
    if layer.hollow:
        border = "dashed" if dashed else "solid"
        w = min(max(layer.weight, 1.5), 4.0)
        if swatch == "line":
            return f"background:{_swatch_css(color, swatch, layer, dashed, background)}"
        return f"{size}background:transparent;border:{w:g}px {border} {html.escape(color)};"
    return f"{size}background:{_swatch_css(color, swatch, layer, dashed, background)};"


def _short_label(value: object) -> str | None:
    """Label text of a feature: escaped, ``None`` for a missing value."""
    text = format_vi(value)
    return None if text in ("", "–") else html.escape(text)


def _drop_repeated_labels(prepared: list, tolerance_deg: float = 0.01) -> None:
    """Keep one label of a text at one place (±``tolerance_deg``, about 1 km) across layers.

    A border gate is drawn by the gate layer and by the pillar layer: its name is written once,
    by a layer shown at start, the one naming it at the widest view, drawn first.
    """
    kept: dict[str, list[tuple[float, float]]] = {}

    def first(i: int) -> tuple:
        return (not prepared[i][0].show, _lowest_level(prepared[i][0]), i)

    order = sorted(range(len(prepared)), key=first)
    for i in order:
        shown = prepared[i][3]
        if "_label" not in shown:
            continue
        centres = shown.geometry.representative_point()
        for j, (text, c) in enumerate(zip(shown["_label"], centres, strict=True)):
            if not text or c is None or c.is_empty:
                continue
            seen = kept.setdefault(text, [])
            if any(abs(c.x - x) < tolerance_deg and abs(c.y - y) < tolerance_deg for x, y in seen):
                shown.iloc[j, shown.columns.get_loc("_label")] = None
            else:
                seen.append((c.x, c.y))


def _labels_left_near_the_east_edge(prepared: list, share: float = 0.85) -> None:
    """Flag ``_ll`` the point labels in the eastern ``1 - share`` of the layers' extent."""
    frames = [p[3] for p in prepared if not p[3].empty]
    if not frames:
        return
    x0 = min(f.total_bounds[0] for f in frames)
    x1 = max(f.total_bounds[2] for f in frames)
    for *_, shown in prepared:
        if "_label" in shown and not shown.empty:
            east = shown.geometry.bounds["minx"].to_numpy() > x0 + share * (x1 - x0)
            points = (shown.geom_type == "Point").to_numpy()
            shown["_ll"] = east & points & shown["_label"].notna().to_numpy()


def _swatch_css(color: str, swatch: str, layer: MapLayer, dashed: bool, background: str) -> str:
    """CSS ``background`` of a legend swatch, looking like the features on the map.

    Dashed lines get a dashed swatch; a semi-transparent fill is shown as the colour it takes
    over the map background (a choropleth's legend matches its polygons).
    """
    c = html.escape(color)
    if swatch == "line" and dashed:
        return f"repeating-linear-gradient(90deg,{c} 0 6px,transparent 6px 9px)"
    if swatch == "" and 0 < layer.fill_opacity < 1:
        try:
            rgb, bg = mcolors.to_rgb(color), mcolors.to_rgb(background)
        except ValueError:
            return c
        a = layer.fill_opacity
        return mcolors.to_hex([a * x + (1 - a) * y for x, y in zip(rgb, bg, strict=True)])
    return c


def web_map(
    layers: Sequence[MapLayer],
    *,
    title: str,
    source: str | None = None,
    osm: bool = True,
    simplify_m: float = SIMPLIFY_M,
    decimals: int = DISPLAY_DECIMALS,
    background: str = BACKGROUND,
) -> folium.Map:
    """Build an offline folium map of ``layers``.

    Parameters
    ----------
    layers : sequence of MapLayer
        Drawn in order (first at the bottom); inputs in a metric CRS (EPSG:9205).
    title : str
        Shown on top of the map and as the page title.
    source : str, optional
        Source note added to the attribution line (bottom right).
    osm : bool
        Add OpenStreetMap tiles as an optional overlay, **off** when the page opens (it needs
        Internet; nothing is requested until a user ticks it).
    simplify_m, decimals : float, int
        See :func:`display_copy`.
    background : str
        CSS colour of the map background.

    Returns
    -------
    folium.Map
        Save it with :func:`save_map`.

    Raises
    ------
    LayerError
        No layers, or a layer with unknown columns, scheme or colormap.
    CRSError
        A layer without CRS or not in metres.
    """
    if not layers:
        raise LayerError("web_map needs at least one MapLayer; got none.")
    m = folium.Map(
        tiles=None, control_scale=False, zoom_start=9, prefer_canvas=False, font_size="12px"
    )  # Leaflet's own size (folium's default 1rem: 16 px popups)
    m.default_js, m.default_css = [], []  # instance lists: never mutate folium's module lists
    figure = m.get_root()
    figure.title = html.escape(title)
    js, css = leaflet_assets()
    # after the charset declaration, which must come within the first 1024 bytes
    first = list(figure.header._children).index("meta_http") + 1
    figure.header.add_child(Element(f"<style>{css}</style>"), name="leaflet_css", index=first)
    figure.header.add_child(Element(f"<script>{js}</script>"), name="leaflet", index=first + 1)
    page_css = _PAGE_CSS.format(background=background, zoom_css=_zoom_css(), legend_px=LEGEND_PX)
    figure.header.add_child(Element(f"<style>{page_css}</style>"), name="gis_css")
    figure.html.add_child(Element(f'<div class="gis-title">{html.escape(title)}</div>'))
    if osm:
        folium.TileLayer(
            "OpenStreetMap", name="Nền OpenStreetMap (cần Internet)", overlay=True, show=False
        ).add_to(m)

    prepared = []
    for layer in layers:
        colors, entries = layer_legend(layer)
        fields = dict(layer.fields)
        popup = dict(layer.popup or {})
        text_cols = list(dict.fromkeys([*fields, *popup]))
        extra = [layer.dashed] if layer.dashed and layer.dashed not in text_cols else []
        keep = text_cols + extra
        shown = display_copy(
            layer.data,
            columns=keep,
            simplify_m=simplify_m,
            coverage=layer.coverage,
            decimals=decimals,
            name=layer.name,
        )
        for col in text_cols:  # text only, escaped: tooltips and popups use innerHTML
            shown[col] = [html.escape(format_vi(v)) for v in shown[col]]
        if layer.dashed:
            shown["_dashed"] = dashed_mask(layer).to_numpy()
        if layer.label:
            shown["_label"] = [_short_label(v) for v in layer.data[layer.label]]
            shown["_lz"] = label_levels(layer, most=LABEL_ZOOM_STEPS)
        prepared.append((layer, colors, entries, shown))
    _drop_repeated_labels(prepared)
    kinds = [_swatch_kind(p[3]) for p in prepared]
    for i, rank in _label_priority([p[0] for p in prepared], kinds).items():
        prepared[i][3]["_lp"] = rank
    _labels_left_near_the_east_edge(prepared)
    # points at the very same place, across layers in drawing order: the lower ones as rings
    radii = radii_by_layer([p[0] for p in prepared], [p[3] for p in prepared], decimals=decimals)

    bounds: list[np.ndarray] = []
    legend_html, sections, hidden = [], {}, []
    for i, (layer, colors, entries, shown) in enumerate(prepared):
        group = html.escape(layer.name)
        fields = dict(layer.fields)
        popup = dict(layer.popup or {})
        fill = dict(zip(map(str, shown.index), colors.to_numpy(), strict=True))
        radius = dict(zip(map(str, shown.index), radii[i], strict=True))
        flags = shown["_dashed"] if "_dashed" in shown else [False] * len(shown)
        dashed = dict(zip(map(str, shown.index), flags, strict=True))
        swatch = kinds[i]
        lines = swatch == "line"

        def style(feature, fill=fill, layer=layer, lines=lines, radius=radius, dashed=dashed):
            fid = str(feature["id"])
            c = fill[fid]
            out = {
                "color": c if lines or layer.hollow else "#333333",
                "fill": not lines,
                "fillColor": c,
                "weight": layer.weight * (2 if lines else 1),
                "opacity": layer.opacity,
                "fillOpacity": 0.0 if layer.hollow else layer.fill_opacity,
            }
            if radius[fid] != layer.radius:
                out["radius"] = float(radius[fid])
            if dashed[fid]:
                out["dashArray"] = DASH_ARRAY
            return out

        labelled = "_label" in shown and shown["_label"].notna().any()
        drop = ["_dashed"] + ([] if labelled else ["_label", "_lz", "_ll", "_lp"])
        gj = folium.GeoJson(
            json.loads(shown.drop(columns=drop, errors="ignore").to_json(drop_id=False)),
            name=group,
            style_function=style,
            marker=folium.CircleMarker(radius=layer.radius),
            show=layer.show,
            smooth_factor=0.5,
            on_each_feature=JsCode(_LABEL_JS) if labelled else None,
        )
        if fields:
            folium.GeoJsonTooltip(
                fields=list(fields), aliases=[html.escape(a) for a in fields.values()], sticky=True
            ).add_to(gj)
        if popup:
            # a point's popup opens above its symbol, not over it (Leaflet's default offset: 7)
            lift = float(max(radius.values(), default=layer.radius)) if swatch == "point" else 0
            folium.GeoJsonPopup(
                fields=list(popup),
                aliases=[html.escape(a) for a in popup.values()],
                offset=[0, round(7 - lift)],
                max_width=360,
            ).add_to(gj)
        gj.add_to(m)
        if not shown.empty:
            bounds.append(shown.total_bounds)
        sid = f"gis-legend-{i}"
        sections[group] = sid
        if not layer.show:
            hidden.append(sid)
        dashed_colors = dashed_entries(layer, colors)
        rows = "".join(
            f'<div><i class="{swatch}" style="'
            f'{_swatch_style(c, swatch, layer, c in dashed_colors, background, layer.radius)}"></i>'
            f"{html.escape(lbl)}</div>"
            for lbl, c in entries
        )
        alone = len(entries) == 1 and entries[0][0] == layer.name and not layer.legend_title
        heading = "" if alone else f"<h4>{html.escape(layer.legend_title or layer.name)}</h4>"
        legend_html.append(f'<div id="{sid}">{heading}{rows}</div>')

    if bounds:
        b = np.vstack(bounds)
        (s_, w_), (n_, e_) = (b[:, 1].min(), b[:, 0].min()), (b[:, 3].max(), b[:, 2].max())
        pad = 0.01 if (n_ - s_) < 1e-6 or (e_ - w_) < 1e-6 else 0.0  # one point: Leaflet -> NaN
        m.fit_bounds(
            [[s_ - pad, w_ - pad], [n_ + pad, e_ + pad]],
            padding_top_left=(50, 70),
            padding_bottom_right=(LEGEND_PX + 20, 30),
        )
    if any(layer.label for layer in layers):
        _Labels(LABEL_ZOOM_STEPS).add_to(m)  # after fit_bounds: the opening zoom is known
    folium.LayerControl(collapsed=True).add_to(m)
    Legend("".join(legend_html), sections, hidden).add_to(m)
    _Extras(source).add_to(m)
    return m


# ----------------------------------------------------------------------------- output


class _ResourceFinder(HTMLParser):
    """Collect URLs a browser would fetch: script src, link href, img/iframe src."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "img", "iframe", "embed", "source", "audio", "video") and a.get("src"):
            self.urls.append(a["src"])
        if tag == "link" and a.get("href"):
            self.urls.append(a["href"])
        if tag == "object" and a.get("data"):
            self.urls.append(a["data"])


def external_resources(page: str) -> list[str]:
    """Return the URLs a browser would fetch when opening ``page`` (HTML text).

    Counts ``<script src>``, ``<link href>``, ``<img|iframe|... src>`` and CSS ``url(...)`` /
    ``@import`` that are not ``data:`` URIs. Links a user may click (``<a href>``) and URLs
    inside JavaScript strings (the optional OSM tile template) are not counted.
    """
    finder = _ResourceFinder()
    finder.feed(page)
    urls = [u for u in finder.urls if not u.startswith("data:")]
    for style in re.findall(r"<style[^>]*>(.*?)</style>", page, flags=re.S | re.I):
        for u in re.findall(r"url\(\s*['\"]?([^)'\"]+)", style):
            if not u.startswith(("data:", "#")):
                urls.append(u)
        urls += re.findall(r"@import\s+(?:url\()?['\"]?([^'\");]+)", style)
    return urls


def render_html(m: folium.Map) -> str:
    """Render ``m`` to a complete HTML page (UTF-8, ``lang="vi"``)."""
    page = m.get_root().render()
    return page.replace("<html>", '<html lang="vi">', 1)


def _atomic_write(path: Path, text: str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    return atomic_write(path, lambda tmp: tmp.write_bytes(data))


@contextlib.contextmanager
def reproducible_ids(seed: str):
    """Within the block, folium/branca elements get ids from ``seed`` and a counter instead of
    random bytes, so the same map built twice is the same bytes.

    Why: ``gis build`` keeps a map whose layers did not change and redraws the others; a kept
    map must equal a redrawn one byte for byte (``tests/test_build.py``), and a map under
    version control then changes only where its data did. branca draws each element id from
    ``os.urandom`` in the classmethod ``Element._generate_id``; it is replaced for the block.
    """
    counter = itertools.count()
    original = Element.__dict__["_generate_id"]

    def _stable(cls) -> str:
        return hashlib.sha256(f"{seed}:{next(counter)}".encode()).hexdigest()[:32]

    Element._generate_id = classmethod(_stable)
    try:
        yield
    finally:
        Element._generate_id = original


def save_map(m: folium.Map, path: str | os.PathLike) -> Path:
    """Write ``m`` to ``path`` as one self-contained HTML file, atomically.

    The page is written to a temporary file next to ``path`` and renamed over it, so a reader
    never sees half a file.

    Raises
    ------
    OfflineError
        If the page would fetch anything from the network (e.g. a folium plugin added to the map
        brought its CDN scripts); the message lists the URLs.
    """
    page = render_html(m)
    urls = external_resources(page)
    if urls:
        raise OfflineError(
            f"map page would load {len(urls)} resource(s) from outside the file: {urls[:5]}. "
            "Offline maps must be self-contained: remove the element that adds them (folium "
            "plugins load CDN scripts) or inline the files."
        )
    return _atomic_write(Path(path), page)


class InlineMap:
    """A map page shown inline by Jupyter: an ``<iframe srcdoc>`` holding the whole page.

    The page travels inside the notebook output, so nothing is fetched from a server or a CDN
    (the notebook works offline, like the HTML file). Made by :func:`inline_map`.
    """

    def __init__(self, page: str, *, height_px: int = 600) -> None:
        self.page = page
        self.height_px = height_px

    def __repr__(self) -> str:
        found = re.search(r"<title>(.*?)</title>", self.page, flags=re.S)
        title = html.unescape(found.group(1)).strip() if found else "map"
        return f"<InlineMap {title!r}: {len(self.page.encode()) / 1e3:,.0f} kB page>"

    def _repr_html_(self) -> str:
        return (
            f'<iframe srcdoc="{html.escape(self.page, quote=True)}" width="100%" '
            f'height="{int(self.height_px)}" style="border:1px solid #ccc" '
            'sandbox="allow-scripts allow-popups"></iframe>'
        )


def inline_map(source: folium.Map | str | os.PathLike, *, height_px: int = 600) -> InlineMap:
    """Show a map inline in a notebook: ``inline_map(m)`` as the last line of a cell.

    Parameters
    ----------
    source : folium.Map or path-like
        A map from :func:`web_map`, or the path of a saved map page (e.g. one of ``maps/``).
    height_px : int
        Height of the frame in the notebook, in pixels.

    Returns
    -------
    InlineMap
        Displayed by Jupyter through its ``_repr_html_``; ``.page`` is the HTML page.

    Raises
    ------
    OfflineError
        If the page would fetch anything from the network (as :func:`save_map`).
    LayerError
        If the path is not an existing file.
    """
    if isinstance(source, folium.Map):
        page = render_html(source)
    else:
        path = Path(source)
        if not path.is_file():
            raise LayerError(f"inline_map: map file {str(path)!r} not found. Build the maps first.")
        page = path.read_text(encoding="utf-8")
    urls = external_resources(page)
    if urls:
        raise OfflineError(
            f"map page would load {len(urls)} resource(s) from the network: {urls[:5]}; an inline "
            "map must be self-contained. Build it with gis.webmap.web_map."
        )
    return InlineMap(page, height_px=height_px)


def index_page(
    maps: Mapping[str, str | os.PathLike],
    path: str | os.PathLike,
    *,
    title: str = "Bản đồ quy hoạch",
    note: str | None = None,
) -> Path:
    """Write an HTML page linking built maps; links are relative to the page's folder.

    Parameters
    ----------
    maps : mapping
        Map title -> path of its HTML file, in display order.
    path : path-like
        Where to write the index page (atomically).
    title : str
        Page heading.
    note : str, optional
        A paragraph under the heading (source, date).

    Raises
    ------
    LayerError
        If a map file does not exist (build it first).
    """
    path = Path(path)
    missing = [str(p) for p in maps.values() if not Path(p).is_file()]
    if missing:
        raise LayerError(f"index_page: map file(s) not found: {missing}. Build the maps first.")
    items = "\n".join(
        f'  <li><a href="{html.escape(quote(Path(os.path.relpath(p, path.parent)).as_posix()))}">'
        f"{html.escape(name)}</a></li>"
        for name, p in maps.items()
    )
    para = f"<p>{html.escape(note)}</p>\n" if note else ""
    page = (
        '<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n"
        "<style>body{font-family:'DejaVu Sans',Arial,sans-serif;margin:2em;max-width:50em}"
        "li{margin:.4em 0}</style>\n</head>\n<body>\n"
        f"<h1>{html.escape(title)}</h1>\n{para}<ul>\n{items}\n</ul>\n</body>\n</html>\n"
    )
    return _atomic_write(path, page)
