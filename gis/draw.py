"""Draw geometries on an interactive map in a notebook and get them back as a GeoDataFrame.

folium maps are one-way (Python -> page); an ipyleaflet map is a Jupyter widget whose state is
synchronised with the kernel, so what the planner draws comes back to Python::

    dm = draw_map(layer="communes_2025", geometry_type="Polygon")
    dm                                   # draw with the toolbar on the left of the map
    zones = dm.to_geodataframe()         # in the planning CRS (VN-2000, metres)

:func:`drawn_features` is the pure part: GeoJSON features in WGS 84 longitude/latitude (what
ipyleaflet's ``DrawControl.data`` holds) -> a GeoDataFrame in the planning CRS, reprojected with
the pinned VN-2000 datum shift of :func:`gis.crs.to_crs`, with errors that say how to fix an
empty drawing, a geometry of the wrong type or a self-intersecting polygon.

What works offline
------------------
ipyleaflet's JavaScript (Leaflet 1.9.4 and Leaflet.draw 1.0.4, their CSS and marker icons) is
bundled in the ``jupyter-leaflet`` package installed with it (JupyterLab/Notebook 7 extension
in ``share/jupyter/labextensions/jupyter-leaflet``, classic Notebook extension in
``share/jupyter/nbextensions/jupyter-leaflet``) and served by the local Jupyter server, not a
CDN. :func:`draw_map` adds no tile layer unless ``basemap=True`` (ipyleaflet would otherwise add
OpenStreetMap tiles), so the map, the reference layers and the drawing tools work with no
network. What does *not* work offline: the optional OpenStreetMap basemap (tiles from
``tile.openstreetmap.org``), and front ends that fetch widget code from a CDN instead of the
Jupyter server (VS Code and Google Colab may load ``jupyter-leaflet`` from unpkg/jsdelivr);
use JupyterLab, Notebook 7 or Voilà with the package installed.

What the map shows
------------------
Reference layers (``layer=``, default the province outline) as outlines, then the context a
planner places things against (``context=``, default :data:`CONTEXT_LAYERS`): roads (planned
ones dashed), the orientation axis (red) and the towns of the plan (dots with their names).
A layer missing from the store is left out and named in the box at the top right. The same box
reads out what is under the pointer (commune, town within 8 px, road ...), computed in Python
from the pointer position the map reports on every move, so it is cleared as soon as the
pointer leaves every feature or the map (Leaflet only reports entering a feature).
"""

from __future__ import annotations

import copy
import html
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry import shape

from gis import settings
from gis.crs import require_crs, to_crs
from gis.errors import CRSError, LayerError, LayerNotFoundError, MissingDependencyError
from gis.maplayer import CLOSE_SIMPLIFY_M, display_copy
from gis.profile import Profile, load_profile
from gis.store import layer_meta, read_layer
from gis.validate import GEOMETRY_FAMILIES

__all__ = [
    "CONTEXT_LAYERS",
    "DRAW_COLOUR",
    "REFERENCE_COLOURS",
    "DrawMap",
    "draw_map",
    "drawn_features",
]

#: Colour of what the planner draws.
DRAW_COLOUR = "#d62728"
#: Outline colours of the reference layers, in order.
REFERENCE_COLOURS = ("#555555", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
#: Characters of an attribute value kept for the hover label of a reference layer.
LABEL_MAX_CHARS = 80
#: Context layers drawn over the reference layers by default (store layer names): what a new
#: feature is placed against. Each is drawn in its style of :data:`CONTEXT_STYLES`.
CONTEXT_LAYERS = ("roads", "orientation_axis", "urban_areas")
#: Leaflet style of each context layer; ``dashed`` rows (status ``planned``) get a dash array.
CONTEXT_STYLES: dict[str, dict[str, Any]] = {
    "roads": {"color": "#666666", "weight": 2, "opacity": 0.9},
    "orientation_axis": {"color": "#d7191c", "weight": 4, "opacity": 0.8},
    "urban_areas": {"color": "#222222", "weight": 1, "fillColor": "#222222", "fillOpacity": 0.1},
}
#: Circle style of the points of a context layer (towns are dark dots).
CONTEXT_POINT_STYLE = {
    "radius": 5,
    "color": "#ffffff",
    "weight": 1,
    "fillColor": "#222222",
    "fillOpacity": 0.9,
}
#: Columns that name a feature on the hover readout, after the layer's id column.
NAME_COLUMNS = ("name", "urban_area", "road_ref")
#: How close (screen pixels) the pointer must be to a point or line for the readout to name it.
HOVER_PX = 8
#: Style of the town name labels (the ``leaflet-div-icon`` box around them is made transparent
#: by the CSS rule of the readout box).
_TOWN_LABEL_CSS = (
    "font: 600 11px sans-serif; color: #111; white-space: nowrap; "
    "text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 3px #fff; pointer-events: none"
)
_LABEL_BOX_CSS = (
    "<style>.leaflet-div-icon:has(> .gis-draw-label){background:transparent;border:0}</style>"
)
#: Leaflet.draw tool drawing each geometry family.
_TOOLS = {"Point": "marker", "LineString": "polyline", "Polygon": "polygon"}
_INSTALL = "pip install 'vn-planning-gis[notebooks]'"


# ----------------------------------------------------------------------------- pure conversion


def _as_feature_list(features: Any) -> list[Mapping[str, Any]]:
    if isinstance(features, Mapping):
        if features.get("type") == "FeatureCollection":
            return list(features.get("features") or [])
        return [features]
    if features is None:
        return []
    return list(features)


def _geometry(i: int, feature: Any) -> shapely.Geometry:
    if not isinstance(feature, Mapping):
        raise LayerError(
            f"drawn feature {i} is a {type(feature).__name__}, not a GeoJSON Feature dict "
            "({'type': 'Feature', 'geometry': {...}, 'properties': {...}}); pass "
            "DrawMap.features or DrawControl.data."
        )
    geom = feature.get("geometry") if feature.get("type") == "Feature" else feature
    if not geom:
        raise LayerError(
            f"drawn feature {i} has no geometry; draw it again on the map (an empty feature is "
            "what DrawControl.last_draw holds before anything is drawn)."
        )
    try:
        return shape(geom)
    except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.ShapelyError) as exc:
        raise LayerError(
            f"drawn feature {i} is not valid GeoJSON ({type(exc).__name__}: {exc}); draw it "
            "again on the map."
        ) from None


def _where(reason: str) -> str:
    """'Self-intersection[103.1 22.3]' -> 'Self-intersection at 103.1°E 22.3°N'."""
    if "[" in reason and reason.endswith("]"):
        what, xy = reason[:-1].split("[", 1)
        parts = xy.split()
        if len(parts) >= 2:
            try:
                lon, lat = float(parts[0]), float(parts[1])
            except ValueError:
                return reason
            return f"{what} at {lon:.5f}°E {lat:.5f}°N"
    return reason


def _check_geometry_type(geometry_type: str | None) -> None:
    if geometry_type is not None and geometry_type not in GEOMETRY_FAMILIES:
        raise LayerError(
            f"geometry_type {geometry_type!r} is not one of "
            f"{', '.join(map(repr, GEOMETRY_FAMILIES))} (or None for any)."
        )


def drawn_features(
    features: Sequence[Mapping[str, Any]] | Mapping[str, Any],
    *,
    crs: pyproj.CRS | str | int | None = None,
    geometry_type: str | None = None,
    province: str | Profile | None = None,
    layers_dir: str | Path | None = None,
) -> gpd.GeoDataFrame:
    """Return features drawn on a web map as a GeoDataFrame in the planning CRS.

    Parameters
    ----------
    features : list of GeoJSON Feature dicts, or a FeatureCollection dict
        Geometries in WGS 84 longitude/latitude (GeoJSON's CRS), as ipyleaflet's
        ``DrawControl.data`` or :attr:`DrawMap.features` holds them. The ``style`` property
        that Leaflet adds (colours of the drawing) is dropped; other properties become columns.
    crs : CRS-like, optional
        Target CRS. Default: the province profile's ``planning_crs`` (EPSG:9205, VN-2000 /
        TM-3 103°00' for Lai Châu). Reprojected with :func:`gis.crs.to_crs` (pinned VN-2000
        datum shift).
    geometry_type : {"Point", "LineString", "Polygon"}, optional
        Geometry family of the layer the features are for (a layer's ``geometry_type`` in its
        ``.meta.json``); multi-part geometries of the family are accepted. ``None`` accepts
        all three.
    province, layers_dir : optional
        Which profile gives the default ``crs``; defaults from :mod:`gis.settings`.

    Returns
    -------
    GeoDataFrame
        One row per feature, in drawing order, in ``crs``; the input is not changed.

    Raises
    ------
    LayerError
        If nothing was drawn, a feature is not GeoJSON, has a geometry the layer cannot hold,
        or is an invalid shape (e.g. a polygon whose edges cross); the message names the
        feature and how to fix it.
    CRSError
        If coordinates are not longitude/latitude (e.g. already in metres).

    Examples
    --------
    >>> marker = {"type": "Feature", "properties": {},
    ...           "geometry": {"type": "Point", "coordinates": [103.46, 22.40]}}
    >>> gdf = drawn_features([marker], geometry_type="Point")
    >>> gdf.crs.to_epsg(), len(gdf)
    (9205, 1)
    """
    _check_geometry_type(geometry_type)
    feats = _as_feature_list(features)
    if not feats:
        raise LayerError(
            "no features drawn. Draw on the map first (toolbar on its left: polygon, line or "
            "marker; finish a polygon by clicking its first point), then run this cell again."
        )
    geoms = [_geometry(i, f) for i, f in enumerate(feats)]
    problems = []
    allowed = GEOMETRY_FAMILIES.get(geometry_type or "", set().union(*GEOMETRY_FAMILIES.values()))
    for i, geom in enumerate(geoms):
        if geom.geom_type not in allowed:
            tool = _TOOLS.get(geometry_type or "", "polygon, line or marker")
            holds = f"{geometry_type} geometries" if geometry_type else "points, lines, polygons"
            problems.append(
                f"feature {i} is a {geom.geom_type}; the layer holds {holds}. Delete it "
                f"(toolbar: trash can) and draw it with the {tool} tool."
            )
            continue
        if geom.is_empty:
            problems.append(f"feature {i} is empty; draw it again.")
            continue
        x0, y0, x1, y1 = geom.bounds
        if not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):
            raise CRSError(
                f"drawn feature {i} has coordinates {geom.bounds} outside longitude/latitude "
                "range; drawn features must be GeoJSON in WGS 84 degrees. A frame already in "
                "metres needs no conversion: use gis.edit.add_features(layer, frame) directly."
            )
        if not geom.is_valid:
            reason = _where(shapely.is_valid_reason(geom))
            if "intersection" in reason.lower():
                fix = (
                    "its edges cross. Redraw it without crossing edges (the polygon tool refuses "
                    "a crossing click), or use the toolbar's edit tool to drag the vertex back; "
                    "or repair it in Python with shapely.make_valid(geometry), which splits it "
                    "into a MultiPolygon."
                )
            else:
                fix = "redraw it, or repair it in Python with shapely.make_valid(geometry)."
            problems.append(f"feature {i} ({geom.geom_type}) is not valid: {reason}; {fix}")
    if problems:
        raise LayerError(
            f"{len(problems)} drawn feature(s) cannot be used:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )
    rows = []
    for f in feats:
        props = dict(f.get("properties") or {}) if f.get("type") == "Feature" else {}
        props.pop("style", None)  # Leaflet's drawing options (colours, icon), not attributes
        rows.append(props)
    frame = pd.DataFrame(rows, index=pd.RangeIndex(len(rows)))
    drawn = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms), crs="EPSG:4326")
    if crs is None:
        crs = load_profile(province, layers_dir=layers_dir).planning_crs
    return to_crs(drawn, crs)


# ----------------------------------------------------------------------------- the widget


def _ipyleaflet():
    try:
        import ipyleaflet
        import ipywidgets
    except ImportError as exc:
        raise MissingDependencyError(
            f"drawing on a map needs ipyleaflet, which is not installed ({exc.name or exc}). "
            f"Install the notebooks extra: {_INSTALL} (conda: `conda install -c conda-forge "
            "ipyleaflet`), then restart the kernel."
        ) from None
    return ipyleaflet, ipywidgets


def _label_columns(gdf: gpd.GeoDataFrame) -> list[str]:
    """The id column and the first name-like column of ``gdf`` (hover readout, labels)."""
    names = [c for c in NAME_COLUMNS if c in gdf.columns][:1]
    cols = [gdf.attrs.get("id_column"), *names]
    return [c for c in dict.fromkeys(cols) if c and c in gdf.columns and c != gdf.geometry.name]


def _reference_frame(gdf: gpd.GeoDataFrame, name: str) -> gpd.GeoDataFrame:
    """WGS 84 copy of ``gdf`` for display: light geometry, id and name only, escaped."""
    require_crs(gdf, name=name)
    cols = _label_columns(gdf)
    if gdf.crs.is_projected:
        shown = display_copy(gdf, columns=cols, simplify_m=CLOSE_SIMPLIFY_M, name=name)
    else:  # display_copy simplifies in metres; a frame in degrees is only reprojected
        shown = to_crs(gdf[[*cols, gdf.geometry.name]], settings.DISPLAY_CRS)
    shown = shown.copy()
    for col in cols:
        shown[col] = [
            "" if pd.isna(v) else html.escape(str(v)[:LABEL_MAX_CHARS]) for v in shown[col]
        ]
    return shown


def _read(name: str, profile: Profile) -> gpd.GeoDataFrame:
    gdf = read_layer(name, province=profile)
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise LayerError(f"layer '{name}' is a table; only layers with geometry can be shown.")
    gdf.attrs.setdefault("id_column", layer_meta(name, province=profile).get("id_column"))
    return gdf


def _context(names: Sequence[str], profile: Profile, skip: set[str]):
    """Context layers read from the store: (name, frame) pairs and the names missing."""
    out, missing = [], []
    for name in names:
        if name in skip:
            continue
        try:
            gdf = _read(name, profile)
        except LayerNotFoundError:
            missing.append(name)
            continue
        if "source_document" in gdf.columns and len(gdf):
            # urban_areas holds one row per town *and document*; the first document listed is
            # the plan (as on the product maps), the others would repeat its towns
            first = gdf["source_document"].iloc[0]
            gdf = gdf[gdf["source_document"] == first]
        out.append((name, gdf))
    return out, missing


def _references(layer: Any, profile: Profile) -> list[tuple[str, gpd.GeoDataFrame]]:
    if layer is None:
        layer = ["province"]
    if isinstance(layer, str | gpd.GeoDataFrame):
        layer = [layer]
    out = []
    for i, item in enumerate(layer):
        if isinstance(item, str):
            out.append((item, _read(item, profile)))
        elif isinstance(item, gpd.GeoDataFrame):
            out.append((str(item.attrs.get("layer", f"layer {i + 1}")), item))
        else:
            raise LayerError(
                f"layer must be a layer name, a GeoDataFrame or a list of them; got "
                f"{type(item).__name__}."
            )
    return out


def _view(bounds: Sequence[float], height_px: int) -> tuple[tuple[float, float], int]:
    """Centre (lat, lon) and the largest Web Mercator zoom showing ``bounds`` (lon/lat)."""
    west, south, east, north = bounds
    centre = (float(south + north) / 2, float(west + east) / 2)
    width_px = 800  # a notebook output area is about this wide
    # At zoom z, 256 * 2**z pixels span 360 degrees of longitude (latitude: stretched by 1/cos).
    span_lon = max(east - west, 1e-6)
    span_lat = max(north - south, 1e-6) / math.cos(math.radians(centre[0]))
    zoom_lon = math.log2(width_px * 360 / (256 * span_lon))
    zoom_lat = math.log2(height_px * 360 / (256 * span_lat))
    return centre, int(max(1, min(18, math.floor(min(zoom_lon, zoom_lat)))))


class _Readout:
    """What is under the pointer, from the positions the map reports (``Map.on_interaction``).

    Polygons name the features containing the pointer; points and lines those within
    :data:`HOVER_PX` screen pixels at the map's zoom. The top layer is listed first. The text
    is emptied when the pointer is over nothing or leaves the map, so no stale name stays.
    """

    def __init__(self, widget, map_, layers: Sequence[tuple[str, gpd.GeoDataFrame, list[str]]]):
        self.widget, self.map = widget, map_
        self.layers = []
        for name, frame, cols in reversed(layers):  # top layer first
            geoms = np.asarray(frame.geometry.values)
            polygonal = set(frame.geom_type.dropna()) <= {"Polygon", "MultiPolygon"}
            labels = [" · ".join(str(frame[c].iloc[i]) for c in cols) for i in range(len(frame))]
            self.layers.append((name, shapely.STRtree(geoms), polygonal, labels))

    def text(self, lat: float, lon: float, zoom: float) -> str:
        """Readout (HTML, names escaped already) at ``(lat, lon)`` at map zoom ``zoom``."""
        here = shapely.Point(lon, lat)
        tol_deg = HOVER_PX * 360 / (256 * 2**zoom)  # degrees of longitude per pixel, x HOVER_PX
        lines = []
        for name, tree, polygonal, labels in self.layers:
            if polygonal:
                hits = tree.query(here, predicate="intersects")
            else:  # the nearest feature within reach
                hits = tree.query_nearest(here, max_distance=tol_deg)
            if len(hits):
                lines.append(f"{html.escape(name)}: {labels[int(min(hits))]}")
        return "<br>".join(lines)

    def __call__(self, **event) -> None:
        kind = event.get("type")
        if kind == "mousemove" and event.get("coordinates"):
            lat, lon = event["coordinates"][:2]
            self.widget.value = self.text(float(lat), float(lon), float(self.map.zoom))
        elif kind == "mouseout":  # the pointer left the map
            self.widget.value = ""


class DrawMap:
    """An ipyleaflet map with drawing tools; what is drawn comes back with :meth:`to_geodataframe`.

    Made by :func:`draw_map`. Showing the object in a notebook shows the map.

    Attributes
    ----------
    map : ipyleaflet.Map
        The map widget.
    control : ipyleaflet.DrawControl
        The drawing tools; ``control.data`` is what is drawn now (the front end keeps it in
        step after every draw, edit and delete).
    crs : pyproj.CRS
        CRS of :meth:`to_geodataframe`.
    geometry_type : str or None
        Geometry family accepted.
    actions : list of str
        Draw events received, in order (``"created"``, ``"edited"``, ``"deleted"``).
    missing : list of str
        Context layers asked for but not in the store (named on the map too).
    readout : callable
        Handler of the map's pointer events that fills the "under the pointer" line;
        ``readout.text(lat, lon, zoom)`` gives that line for any position.
    """

    def __init__(self, map_, control, *, crs, geometry_type, status, missing=(), readout=None):
        self.map = map_
        self.control = control
        self.crs = pyproj.CRS.from_user_input(crs)
        self.geometry_type = geometry_type
        self.actions: list[str] = []
        self.missing = list(missing)
        self.readout = readout
        self._status = status
        control.on_draw(self._on_draw)
        control.observe(self._on_data, names="data")

    def _on_draw(self, _control, action: str, geo_json: Mapping[str, Any]) -> None:
        self.actions.append(action)

    def _on_data(self, _change) -> None:
        counts: dict[str, int] = {}
        for f in self.control.data:
            kind = (f.get("geometry") or {}).get("type", "?")
            counts[kind] = counts.get(kind, 0) + 1
        text = ", ".join(f"{n} {k}" for k, n in counts.items()) or "nothing yet"
        self._status.value = f"<b>Drawn:</b> {html.escape(text)}"

    @property
    def features(self) -> list[dict[str, Any]]:
        """GeoJSON features drawn now, in WGS 84 lon/lat (a copy; empty if nothing drawn)."""
        return copy.deepcopy(list(self.control.data))

    def to_geodataframe(self) -> gpd.GeoDataFrame:
        """Return what is drawn as a GeoDataFrame in :attr:`crs` (see :func:`drawn_features`)."""
        return drawn_features(self.features, crs=self.crs, geometry_type=self.geometry_type)

    def clear(self) -> None:
        """Remove every drawing from the map."""
        self.control.clear()
        self.control.data = []

    def _repr_mimebundle_(self, **kwargs):
        return self.map._repr_mimebundle_(**kwargs)


def draw_map(
    *,
    layer: str | gpd.GeoDataFrame | Sequence[str | gpd.GeoDataFrame] | None = None,
    geometry_type: str | None = None,
    context: Sequence[str] = CONTEXT_LAYERS,
    crs: pyproj.CRS | str | int | None = None,
    basemap: bool = False,
    center: tuple[float, float] | None = None,
    zoom: int | None = None,
    height_px: int = 500,
    province: str | Profile | None = None,
    layers_dir: str | Path | None = None,
) -> DrawMap:
    """Return an interactive map to draw points, lines or polygons on, in a notebook.

    Draw with the toolbar on the left of the map (polygon, line, marker; edit and delete).
    Then, in the next cell, ``dm.to_geodataframe()`` returns the drawing in the planning CRS,
    ready for :func:`gis.edit.add_features` and :func:`gis.store.check_layer`.

    Works offline: Leaflet and Leaflet.draw come from the ``jupyter-leaflet`` bundle served by
    the local Jupyter server (JupyterLab, Notebook 7, Voilà), and no tile layer is added unless
    ``basemap=True``. Not offline: the OpenStreetMap basemap, and front ends that load widget
    code from a CDN (VS Code, Colab). See the module docstring.

    Parameters
    ----------
    layer : str, GeoDataFrame or a list of them, optional
        Reference layers drawn under the drawing (outlines): layer names read from the store,
        or frames with a CRS. Shown as light copies in WGS 84 (:func:`gis.maplayer.display_copy`,
        pinned VN-2000 shift). Default: the province outline (layer ``province``).
    geometry_type : {"Point", "LineString", "Polygon"}, optional
        Only offer the tool for this geometry and refuse others in :meth:`DrawMap.to_geodataframe`.
        Default: polygon, line and marker tools.
    context : sequence of str
        Store layers drawn over the reference layers to place things against, each in its style
        of :data:`CONTEXT_STYLES`: by default roads (planned ones dashed), the orientation axis
        and the plan's towns with their names (:data:`CONTEXT_LAYERS`). A layer missing from the
        store is left out and named on the map and in :attr:`DrawMap.missing`; ``()`` for none.
        A name also given in ``layer`` is drawn once, as a reference layer.
    crs : CRS-like, optional
        CRS of the result. Default: the profile's ``planning_crs`` (EPSG:9205 for Lai Châu).
    basemap : bool
        Add OpenStreetMap tiles under the layers (needs Internet). Default False.
    center : (lat, lon), optional
        Map centre in degrees (Leaflet's order). Default: centre of the reference layers.
    zoom : int, optional
        Web Mercator zoom level. Default: the largest showing all reference layers.
    height_px : int
        Map height in pixels.
    province, layers_dir : optional
        Which store and profile; defaults from :mod:`gis.settings`.

    Returns
    -------
    DrawMap
        Show it (last expression of a cell) to draw; ``.features`` and ``.to_geodataframe()``
        give the drawing back. The box at the top right says what is drawn and what is under
        the pointer (id and name of each feature, escaped and cut to :data:`LABEL_MAX_CHARS`).

    Raises
    ------
    MissingDependencyError
        If ipyleaflet is not installed; the message gives the ``pip install`` command.
    LayerNotFoundError, CRSError, LayerError
        If a reference layer is missing, has no CRS, or is a table.
    """
    _check_geometry_type(geometry_type)
    ipyleaflet, widgets = _ipyleaflet()
    profile = load_profile(province, layers_dir=layers_dir)
    refs = _references(layer, profile)
    extra, missing = _context(context, profile, skip={n for n, _ in refs})
    shown = [(name, _reference_frame(gdf, name)) for name, gdf in [*refs, *extra]]
    ref_shown = shown[: len(refs)]
    if center is None or zoom is None:
        bounds = pd.concat([s for _, s in ref_shown]).total_bounds if ref_shown else None
        if bounds is None or not all(map(math.isfinite, bounds)):
            raise LayerError(
                "no reference layer with features to centre the map on; give center=(lat, lon) "
                "and zoom=, e.g. center=(22.3, 103.2), zoom=8."
            )
        auto_centre, auto_zoom = _view(bounds, height_px)
        center = center if center is not None else auto_centre
        zoom = zoom if zoom is not None else auto_zoom
    tiles: tuple = ()
    if basemap:
        osm = ipyleaflet.basemap_to_tiles(ipyleaflet.basemaps.OpenStreetMap.Mapnik)
        osm.base = True
        tiles = (osm,)
    m = ipyleaflet.Map(
        layers=tiles,  # no default OSM tile layer: the map works offline
        center=list(center),
        zoom=zoom,
        max_zoom=19,
        scroll_wheel_zoom=True,
        layout=widgets.Layout(height=f"{height_px}px"),
    )
    readout_layers = []
    for i, (name, frame) in enumerate(shown):
        source = [*refs, *extra][i][1]
        data = json.loads(frame.to_json(drop_id=True))  # plain JSON types for the widget
        if i < len(refs):
            colour = REFERENCE_COLOURS[i % len(REFERENCE_COLOURS)]
            style = {"color": colour, "weight": 1.5, "fillOpacity": 0.05, "fillColor": colour}
            point_style = {"radius": 4, "fillOpacity": 0.8, "fillColor": colour}
        else:  # per feature: a layer's style would override the points' and the dashes
            style, point_style = {}, {"radius": CONTEXT_POINT_STYLE["radius"]}
            line_style = CONTEXT_STYLES.get(name, {"color": "#444444", "weight": 2})
            dot_style = {k: v for k, v in CONTEXT_POINT_STYLE.items() if k != "radius"}
            planned = (  # planned roads dashed, as on the product maps
                (source["status"].astype(str) == "planned").to_numpy()
                if "status" in source.columns
                else [False] * len(source)
            )
            for feature, dashed in zip(data["features"], planned, strict=True):
                kind = (feature.get("geometry") or {}).get("type")
                own = dot_style if kind in ("Point", "MultiPoint") else line_style
                feature["properties"]["style"] = {**own, **({"dashArray": "8 6"} if dashed else {})}
        m.add(
            ipyleaflet.GeoJSON(
                data=data,
                name=name,
                style=style,
                point_style=point_style,
                hover_style={"weight": 3},
            )
        )
        cols = _label_columns(source)
        readout_layers.append((name, frame, cols))
        if i >= len(refs) and frame.geom_type.isin(["Point", "MultiPoint"]).any():
            m.add(_name_labels(ipyleaflet, frame, cols[-1:], name))
    status = widgets.HTML(value="<b>Drawn:</b> nothing yet")
    hover = widgets.HTML(value="")
    boxes = [status, hover]
    if missing:
        boxes.append(
            widgets.HTML(value=f"<i>Not in the store: {html.escape(', '.join(missing))}</i>")
        )
    boxes.append(widgets.HTML(value=_LABEL_BOX_CSS))
    readout = _Readout(hover, m, readout_layers)
    m.on_interaction(readout)
    shape_opts = {"color": DRAW_COLOUR, "weight": 3, "fillOpacity": 0.15}
    tools = {
        "polygon": {"shapeOptions": shape_opts, "allowIntersection": False},
        "polyline": {"shapeOptions": shape_opts},
        "marker": {"repeatMode": False},
    }
    wanted = {_TOOLS[geometry_type]} if geometry_type else set(tools)
    control = ipyleaflet.DrawControl(
        **{tool: (opts if tool in wanted else {}) for tool, opts in tools.items()},
        circlemarker={},
        circle={},
        rectangle={},
        edit=True,
        remove=True,
        position="topleft",
    )
    m.add(control)
    m.add(ipyleaflet.WidgetControl(widget=widgets.VBox(boxes), position="topright"))
    m.add(ipyleaflet.ScaleControl(position="bottomleft", imperial=False))
    if len(shown) > 1 or basemap:
        m.add(ipyleaflet.LayersControl(position="topright"))
    target = crs if crs is not None else profile.planning_crs
    return DrawMap(
        m,
        control,
        crs=target,
        geometry_type=geometry_type,
        status=status,
        missing=missing,
        readout=readout,
    )


def _name_labels(ipyleaflet, frame: gpd.GeoDataFrame, cols: list[str], name: str):
    """Names of points as text beside them (a layer group of div-icon markers)."""
    markers = []
    for geom, text in zip(frame.geometry, frame[cols[0]] if cols else [], strict=False):
        if geom is None or geom.is_empty or not text:
            continue
        p = geom if geom.geom_type == "Point" else geom.representative_point()
        icon = ipyleaflet.DivIcon(
            html=f'<div class="gis-draw-label" style="{_TOWN_LABEL_CSS}">{text}</div>',
            icon_size=[0, 0],
            icon_anchor=[-7, 7],  # beside the dot, not on it
        )
        markers.append(
            ipyleaflet.Marker(
                location=[p.y, p.x], icon=icon, draggable=False, keyboard=False, title=""
            )
        )
    return ipyleaflet.LayerGroup(layers=markers, name=f"{name}: names")
