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
- Scale bar (metric), layer control, legend, title and Vietnamese tooltips/popups are built in.
  Every attribute value and label is HTML-escaped before it reaches the page, because Leaflet
  and folium's ``GeoJsonTooltip``/``GeoJsonPopup`` insert them with ``innerHTML``.

Pages stay light: unit polygons are simplified **as a coverage** (neighbours keep their shared
edges, no gaps or slivers appear) in metres in the planning CRS, then reprojected with
:func:`gis.crs.to_crs` to EPSG:4326 and rounded to 5 decimals (1e-5 degree is 1.1 m north-south
and 1.0 m east-west at 22 degrees N, far below the simplification tolerance), and only the
columns a tooltip, popup or style needs are embedded.
"""

from __future__ import annotations

import base64
import html
import json
import math
import os
import re
import tempfile
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Literal
from urllib.parse import quote

import folium
import geopandas as gpd
import mapclassify
import matplotlib
import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from folium.template import Template

from gis import settings
from gis.crs import require_crs, require_metric_crs, to_crs
from gis.errors import GisError, LayerError

__all__ = [
    "MapLayer",
    "OfflineError",
    "display_copy",
    "external_resources",
    "format_vi",
    "index_page",
    "layer_legend",
    "render_html",
    "save_map",
    "web_map",
]

#: Default simplification tolerance for web maps, in metres of the planning CRS.
SIMPLIFY_M = 30.0
#: Decimals of degrees kept in web maps (1e-5 degree = 1.1 m north-south).
DISPLAY_DECIMALS = 5
#: Background colour of the map when the optional OSM layer is off.
BACKGROUND = "#f4f1ea"
NO_DATA_COLOR = "#d9d9d9"
NO_DATA_LABEL = "Không có số liệu"
_LEAFLET_PACKAGE = "js_lib_leaflet"
_LEAFLET_DIR = "static/js_lib_leaflet"


class OfflineError(GisError, ValueError):
    """A map page would load something from the network."""


@dataclass(frozen=True)
class MapLayer:
    """What to draw from one GeoDataFrame and how.

    Parameters
    ----------
    data : GeoDataFrame
        Features in a CRS (the planning CRS EPSG:9205 for the province's layers).
    name : str
        Layer name in the layer control and the legend (Vietnamese).
    column : str, optional
        Column that colours the features. ``None``: one colour (``color``).
    kind : {"auto", "single", "category", "choropleth"}
        ``"auto"``: ``"single"`` without a column, ``"choropleth"`` for a numeric column,
        ``"category"`` otherwise.
    scheme : str
        mapclassify classifier of a choropleth (``"FisherJenks"``, ``"NaturalBreaks"``,
        ``"Quantiles"``, ``"EqualInterval"`` ...). Default ``"FisherJenks"``: optimal breaks,
        and, unlike ``NaturalBreaks`` (random start), the same classes at every build.
    k : int
        Number of choropleth classes (fewer if the column has fewer distinct values).
    cmap : str
        Matplotlib colormap: sequential for choropleths, qualitative for categories.
    colors : mapping, optional
        Category value -> colour; overrides ``cmap`` for categories.
    color : str
        Colour of a ``"single"`` layer.
    fields : mapping
        Column -> Vietnamese label shown in the hover tooltip.
    popup : mapping, optional
        Column -> label shown in the click popup.
    label : str, optional
        Column written on printed maps at each feature (see :func:`gis.printmap.print_map`).
    unit : str
        Unit of a choropleth column for the legend (``"km²"``, ``"%"``).
    decimals : int, optional
        Decimals of the choropleth class limits in the legend; default from the value range
        (0 for a range of 100 or more, 1 from 10, 2 from 1, else 3).
    legend_title : str, optional
        Legend heading; default ``name``.
    coverage : bool, optional
        Polygons that tile the territory (administrative units). ``None`` decides by
        :func:`shapely.coverage_is_valid`. See :func:`display_copy`.
    show : bool
        Visible when the page opens.
    weight, opacity, fill_opacity, radius : float
        Line width (px), line opacity, fill opacity, circle radius of points (px).
    """

    data: gpd.GeoDataFrame
    name: str
    column: str | None = None
    kind: Literal["auto", "single", "category", "choropleth"] = "auto"
    scheme: str = "FisherJenks"
    k: int = 5
    cmap: str | None = None
    colors: Mapping[object, str] | None = None
    color: str = "#3b6fb6"
    fields: Mapping[str, str] = field(default_factory=dict)
    popup: Mapping[str, str] | None = None
    label: str | None = None
    unit: str = ""
    decimals: int | None = None
    legend_title: str | None = None
    coverage: bool | None = None
    show: bool = True
    weight: float = 1.0
    opacity: float = 0.9
    fill_opacity: float = 0.6
    radius: float = 6.0


# ----------------------------------------------------------------------------- formatting


def format_vi(value: object, *, decimals: int = 2, trim: bool = True) -> str:
    """Format a value for a Vietnamese reader: ``9068.73`` -> ``"9.068,73"``.

    Vietnamese writes a comma before decimals and dots between thousands. With ``trim``,
    trailing decimal zeros are dropped. Missing values become ``"–"``. Strings are returned
    unchanged (not escaped).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "–"
    if isinstance(value, bool | np.bool_):
        return "có" if value else "không"
    if isinstance(value, int | np.integer):
        text = f"{int(value):,}"
    elif isinstance(value, float | np.floating):
        text = f"{float(value):,.{decimals}f}"
        if trim and "." in text:
            text = text.rstrip("0").rstrip(".")
    else:
        return str(value)
    return text.translate(str.maketrans({",": ".", ".": ","}))


# ----------------------------------------------------------------------------- styling


def _kind(layer: MapLayer) -> str:
    if layer.kind != "auto":
        return layer.kind
    if layer.column is None:
        return "single"
    numeric = pd.api.types.is_numeric_dtype(layer.data[layer.column])
    return (
        "choropleth"
        if numeric and not pd.api.types.is_bool_dtype(layer.data[layer.column])
        else "category"
    )


def _check_layer(layer: MapLayer) -> None:
    if not isinstance(layer.data, gpd.GeoDataFrame):
        raise LayerError(
            f"map layer '{layer.name}': data is a {type(layer.data).__name__}, not a "
            "GeoDataFrame. Read vector layers with gis.store.read_layer or geopandas.read_file."
        )
    require_crs(layer.data, name=layer.name)
    kinds = ("auto", "single", "category", "choropleth")
    if layer.kind not in kinds:
        raise LayerError(
            f"map layer '{layer.name}': kind {layer.kind!r} unknown; use one of {kinds}."
        )
    wanted = [layer.column] if layer.column else []
    wanted += list(layer.fields) + list(layer.popup or {}) + ([layer.label] if layer.label else [])
    missing = [c for c in wanted if c not in layer.data.columns]
    if missing:
        raise LayerError(
            f"map layer '{layer.name}': column(s) {missing} not found; the layer has "
            f"{[c for c in layer.data.columns if c != layer.data.geometry.name]}."
        )
    if layer.kind in ("category", "choropleth") and layer.column is None:
        raise LayerError(f"map layer '{layer.name}': kind '{layer.kind}' needs a column.")


def _cmap_colors(name: str, n: int, *, sequential: bool) -> list[str]:
    try:
        cmap = matplotlib.colormaps[name]
    except KeyError:
        raise LayerError(
            f"colormap {name!r} unknown; use a matplotlib colormap such as 'YlOrRd', 'Greens', "
            "'tab10' or 'Set3'."
        ) from None
    if sequential:
        points = np.linspace(0.15, 1.0, n) if n > 1 else np.array([0.6])
        return [mcolors.to_hex(cmap(p)) for p in points]
    if isinstance(cmap, mcolors.ListedColormap) and cmap.N <= 20:
        return [mcolors.to_hex(cmap(i % cmap.N)) for i in range(n)]
    return [mcolors.to_hex(cmap(p)) for p in np.linspace(0, 1, n)]


def _auto_decimals(span: float) -> int:
    """Decimals for class limits: 0 for a range of 100 or more, 1 from 10, 2 from 1, else 3."""
    if span <= 0:
        return 2
    return int(min(3, max(0, 2 - math.floor(math.log10(span)))))


def layer_legend(layer: MapLayer) -> tuple[pd.Series, list[tuple[str, str]]]:
    """Return the colour of each feature and the legend entries of a layer.

    The web map and the printed map both use this, so the two always agree.

    Parameters
    ----------
    layer : MapLayer

    Returns
    -------
    colors : Series of str
        Hex colour per feature, aligned on ``layer.data.index``.
    entries : list of (label, colour)
        Legend rows, in order. Choropleth labels read ``"12,5 – 30"`` (+ unit); features with no
        value get :data:`NO_DATA_COLOR` and the row ``"Không có số liệu"``.

    Raises
    ------
    LayerError
        Unknown column, colormap or classification scheme.
    """
    _check_layer(layer)
    kind = _kind(layer)
    index = layer.data.index
    if kind == "single":
        return pd.Series(layer.color, index=index), [(layer.name, layer.color)]
    values = layer.data[layer.column]
    missing = values.isna()
    if kind == "category":
        cats = list(pd.unique(values[~missing]))
        try:
            cats = sorted(cats)
        except TypeError:
            pass
        palette = dict(
            zip(cats, _cmap_colors(layer.cmap or "tab10", len(cats), sequential=False), strict=True)
        )
        palette.update(layer.colors or {})
        colors = values.map(palette).where(~missing, NO_DATA_COLOR)
        entries = [(format_vi(c), palette[c]) for c in cats]
    else:
        if not pd.api.types.is_numeric_dtype(values):
            raise LayerError(
                f"map layer '{layer.name}': a choropleth needs a numeric column; "
                f"'{layer.column}' is {values.dtype}. Use kind='category'."
            )
        y = values[~missing].astype(float).to_numpy()
        k = min(layer.k, len(np.unique(y)))
        if k < 2:
            raise LayerError(
                f"map layer '{layer.name}': '{layer.column}' has {k} distinct value(s); a "
                "choropleth needs at least 2. Use kind='single' or 'category'."
            )
        try:
            with warnings.catch_warnings():  # a speed hint, not a problem of the data
                warnings.filterwarnings("ignore", "Numba not installed", UserWarning)
                classifier = mapclassify.classify(y, layer.scheme, k=k)
        except (KeyError, ValueError) as exc:
            raise LayerError(
                f"map layer '{layer.name}': classification scheme {layer.scheme!r} failed "
                f"({str(exc).splitlines()[0]}). Use a mapclassify scheme: FisherJenks, "
                "NaturalBreaks, Quantiles, EqualInterval, JenksCaspall, MaximumBreaks, "
                "HeadTailBreaks ..."
            ) from None
        bins = list(classifier.bins)
        palette = _cmap_colors(layer.cmap or "YlOrRd", len(bins), sequential=True)
        colors = pd.Series(NO_DATA_COLOR, index=index, dtype=object)
        colors[~missing] = [palette[int(c)] for c in classifier.yb]
        unit = f" {layer.unit}" if layer.unit else ""
        lows = [float(y.min()), *bins[:-1]]
        span = float(y.max() - y.min())
        d = layer.decimals if layer.decimals is not None else _auto_decimals(span)
        entries = []
        for lo, hi, col in zip(lows, bins, palette, strict=True):
            lo_txt, hi_txt = (format_vi(v, decimals=d, trim=False) for v in (lo, hi))
            text = hi_txt if lo_txt == hi_txt else f"{lo_txt} – {hi_txt}"
            entries.append((f"{text}{unit}", col))
    if missing.any():
        entries.append((NO_DATA_LABEL, NO_DATA_COLOR))
    return colors.astype(str), entries


# ----------------------------------------------------------------------------- geometry


def display_copy(
    gdf: gpd.GeoDataFrame,
    *,
    columns: Sequence[str] = (),
    simplify_m: float = SIMPLIFY_M,
    coverage: bool | None = None,
    decimals: int = DISPLAY_DECIMALS,
    name: str = "layer",
) -> gpd.GeoDataFrame:
    """Return a light EPSG:4326 copy of ``gdf`` for a web map.

    Polygons that form a coverage are simplified together with
    :func:`shapely.coverage_simplify` (Visvalingam-Whyatt; shared edges are simplified once, so
    neighbours stay edge-matched); other lines and polygons with
    :meth:`GeoSeries.simplify` (topology-preserving). Simplification happens in metres, in the
    input's CRS, before reprojection with :func:`gis.crs.to_crs`; coordinates are then rounded
    to ``decimals`` point by point, which keeps shared vertices shared.

    Parameters
    ----------
    gdf : GeoDataFrame
        Input in a projected CRS in metres (the planning CRS); not modified.
    columns : sequence of str
        Columns kept besides the geometry.
    simplify_m : float
        Tolerance in metres (for a coverage: about the square root of the area of the triangles
        removed). 0 disables simplification.
    coverage : bool, optional
        Simplify polygons as a coverage. ``None``: if :func:`shapely.coverage_is_valid`, or if
        :func:`shapely.coverage_clean` (shapely >= 2.2) makes them one while changing no
        polygon by more than ``simplify_m**2`` of area (slivers of real boundary files);
        otherwise each polygon is simplified on its own. ``True``: the same, but raise instead
        of falling back.
    decimals : int
        Decimals of degrees kept.
    name : str
        Layer name for error messages.

    Returns
    -------
    GeoDataFrame
        In EPSG:4326, index 0..n-1, with ``columns`` and the geometry.

    Raises
    ------
    CRSError
        If ``gdf`` has no CRS or is not in metres while ``simplify_m > 0``.
    LayerError
        If ``coverage=True`` but the polygons overlap or their edges do not match.
    """
    if simplify_m > 0:
        require_metric_crs(gdf, name=name, purpose="simplification in metres")
    else:
        require_crs(gdf, name=name)
    out = gdf[[*columns, gdf.geometry.name]].reset_index(drop=True)
    geoms = np.asarray(out.geometry.values)
    polygonal = bool(len(geoms)) and bool(
        np.isin(shapely.get_type_id(geoms), (3, 6)).all()  # Polygon, MultiPolygon
    )
    if simplify_m > 0 and len(geoms):
        if polygonal and coverage is not False:
            geoms = _coverage_simplify(geoms, simplify_m, coverage=coverage, name=name)
        else:
            geoms = shapely.simplify(geoms, simplify_m, preserve_topology=True)
    out = out.set_geometry(gpd.GeoSeries(geoms, crs=gdf.crs))
    out = to_crs(out, settings.DISPLAY_CRS)
    rounded = shapely.transform(np.asarray(out.geometry.values), lambda xy: np.round(xy, decimals))
    rounded = shapely.remove_repeated_points(rounded)
    return out.set_geometry(gpd.GeoSeries(rounded, crs=out.crs))


def _coverage_simplify(
    geoms: np.ndarray, tolerance_m: float, *, coverage: bool | None, name: str
) -> np.ndarray:
    if shapely.coverage_is_valid(geoms):
        return shapely.coverage_simplify(geoms, tolerance_m)
    if hasattr(shapely, "coverage_clean"):  # shapely >= 2.2 with GEOS >= 3.14
        # Real boundary files are often a coverage but for slivers of a few m² (the 2025
        # commune file of Lai Châu: 12 unmatched edges, 0.85 m² of overlap). Cleaning is used
        # only if it moves no polygon by more area than simplification will (tolerance²).
        cleaned = shapely.coverage_clean(geoms)
        moved = shapely.area(shapely.symmetric_difference(geoms, cleaned))
        if (
            shapely.coverage_is_valid(cleaned)
            and not shapely.is_empty(cleaned).any()
            and moved.max() <= tolerance_m**2
        ):
            return shapely.coverage_simplify(cleaned, tolerance_m)
    if coverage:
        bad = shapely.coverage_invalid_edges(geoms)
        n_bad = int((~shapely.is_empty(bad)).sum())
        raise LayerError(
            f"'{name}' is not a valid polygon coverage ({n_bad} polygon(s) overlap or have "
            "edges that do not match their neighbour's), so it cannot be simplified as a "
            "coverage. Fix the boundaries (gis validate), or pass coverage=False to simplify "
            "each polygon on its own."
        )
    return shapely.simplify(geoms, tolerance_m, preserve_topology=True)


# ----------------------------------------------------------------------------- page assets


@cache
def _leaflet_assets() -> tuple[str, str]:
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
  font: 13px/1.4 "DejaVu Sans", Arial, sans-serif; box-shadow: 0 1px 4px rgba(0,0,0,.3);
  max-height: 60vh; overflow-y: auto; }}
.gis-legend h4 {{ margin: 4px 0 2px; font-size: 13px; }}
.gis-legend i {{ display: inline-block; width: 16px; height: 12px; margin-right: 6px;
  vertical-align: middle; border: 1px solid #555; }}
.gis-legend i.line {{ height: 3px; border: none; }}
.gis-legend i.point {{ width: 11px; height: 11px; border-radius: 50%; margin: 0 8px 0 2px; }}
.leaflet-tooltip table th, .leaflet-popup-content table th {{ text-align: left;
  padding-right: 8px; font-weight: normal; color: #555; }}
"""


class _Legend(MacroElement):
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


class _Extras(MacroElement):
    """Metric scale bar and the source note in the attribution control."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            L.control.scale({metric: true, imperial: false, maxWidth: 200})
                .addTo({{ this._parent.get_name() }});
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
    m = folium.Map(tiles=None, control_scale=False, zoom_start=9, prefer_canvas=False)
    m.default_js, m.default_css = [], []  # instance lists: never mutate folium's module lists
    figure = m.get_root()
    figure.title = html.escape(title)
    js, css = _leaflet_assets()
    # after the charset declaration, which must come within the first 1024 bytes
    first = list(figure.header._children).index("meta_http") + 1
    figure.header.add_child(Element(f"<style>{css}</style>"), name="leaflet_css", index=first)
    figure.header.add_child(Element(f"<script>{js}</script>"), name="leaflet", index=first + 1)
    figure.header.add_child(
        Element("<style>" + _PAGE_CSS.format(background=background) + "</style>"), name="gis_css"
    )
    figure.html.add_child(Element(f'<div class="gis-title">{html.escape(title)}</div>'))
    if osm:
        folium.TileLayer(
            "OpenStreetMap", name="Nền OpenStreetMap (cần Internet)", overlay=True, show=False
        ).add_to(m)

    bounds: list[np.ndarray] = []
    legend_html, sections, hidden = [], {}, []
    for i, layer in enumerate(layers):
        colors, entries = layer_legend(layer)
        group = html.escape(layer.name)
        fields = dict(layer.fields)
        popup = dict(layer.popup or {})
        keep = list(dict.fromkeys([*fields, *popup]))
        shown = display_copy(
            layer.data,
            columns=keep,
            simplify_m=simplify_m,
            coverage=layer.coverage,
            decimals=decimals,
            name=layer.name,
        )
        for col in keep:  # text only, escaped: tooltips and popups use innerHTML
            shown[col] = [html.escape(format_vi(v)) for v in shown[col]]
        fill = dict(zip(map(str, shown.index), colors.to_numpy(), strict=True))
        types = set(shown.geom_type.dropna())
        lines = bool(types) and types <= {"LineString", "MultiLineString"}
        swatch = "line" if lines else "point" if types and types <= {"Point", "MultiPoint"} else ""

        def style(feature, fill=fill, layer=layer, lines=lines):
            c = fill[str(feature["id"])]
            return {
                "color": c if lines else "#333333",
                "fill": not lines,
                "fillColor": c,
                "weight": layer.weight * (2 if lines else 1),
                "opacity": layer.opacity,
                "fillOpacity": layer.fill_opacity,
            }

        gj = folium.GeoJson(
            json.loads(shown.to_json(drop_id=False)),
            name=group,
            style_function=style,
            marker=folium.CircleMarker(radius=layer.radius),
            show=layer.show,
            smooth_factor=0.5,
        )
        if fields:
            folium.GeoJsonTooltip(
                fields=list(fields), aliases=[html.escape(a) for a in fields.values()], sticky=True
            ).add_to(gj)
        if popup:
            folium.GeoJsonPopup(
                fields=list(popup), aliases=[html.escape(a) for a in popup.values()]
            ).add_to(gj)
        gj.add_to(m)
        if not shown.empty:
            bounds.append(shown.total_bounds)
        sid = f"gis-legend-{i}"
        sections[group] = sid
        if not layer.show:
            hidden.append(sid)
        rows = "".join(
            f'<div><i class="{swatch}" style="background:{html.escape(c)}"></i>'
            f"{html.escape(lbl)}</div>"
            for lbl, c in entries
        )
        alone = len(entries) == 1 and entries[0][0] == layer.name and not layer.legend_title
        heading = "" if alone else f"<h4>{html.escape(layer.legend_title or layer.name)}</h4>"
        legend_html.append(f'<div id="{sid}">{heading}{rows}</div>')

    if bounds:
        b = np.vstack(bounds)
        m.fit_bounds([[b[:, 1].min(), b[:, 0].min()], [b[:, 3].max(), b[:, 2].max()]])
    folium.LayerControl(collapsed=False).add_to(m)
    _Legend("".join(legend_html), sections, hidden).add_to(m)
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
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


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
