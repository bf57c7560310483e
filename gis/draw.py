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
import pandas as pd
import pyproj
import shapely
from shapely.geometry import shape

from gis import settings
from gis.crs import require_crs, to_crs
from gis.errors import CRSError, LayerError, MissingDependencyError
from gis.maplayer import display_copy
from gis.profile import Profile, load_profile
from gis.store import layer_meta, read_layer
from gis.validate import GEOMETRY_FAMILIES

__all__ = ["DRAW_COLOUR", "REFERENCE_COLOURS", "DrawMap", "draw_map", "drawn_features"]

#: Colour of what the planner draws.
DRAW_COLOUR = "#d62728"
#: Outline colours of the reference layers, in order.
REFERENCE_COLOURS = ("#555555", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
#: Characters of an attribute value kept for the hover label of a reference layer.
LABEL_MAX_CHARS = 80
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
    cols = [gdf.attrs.get("id_column"), "name"]
    return [c for c in dict.fromkeys(cols) if c and c in gdf.columns and c != gdf.geometry.name]


def _reference_frame(gdf: gpd.GeoDataFrame, name: str) -> gpd.GeoDataFrame:
    """WGS 84 copy of ``gdf`` for display: light geometry, id and name only, escaped."""
    require_crs(gdf, name=name)
    cols = _label_columns(gdf)
    if gdf.crs.is_projected:
        shown = display_copy(gdf, columns=cols, name=name)
    else:  # display_copy simplifies in metres; a frame in degrees is only reprojected
        shown = to_crs(gdf[[*cols, gdf.geometry.name]], settings.DISPLAY_CRS)
    shown = shown.copy()
    for col in cols:
        shown[col] = [
            "" if pd.isna(v) else html.escape(str(v)[:LABEL_MAX_CHARS]) for v in shown[col]
        ]
    return shown


def _references(layer: Any, profile: Profile) -> list[tuple[str, gpd.GeoDataFrame]]:
    if layer is None:
        layer = ["province"]
    if isinstance(layer, str | gpd.GeoDataFrame):
        layer = [layer]
    out = []
    for i, item in enumerate(layer):
        if isinstance(item, str):
            gdf = read_layer(item, province=profile)
            if not isinstance(gdf, gpd.GeoDataFrame):
                raise LayerError(
                    f"layer '{item}' is a table; only layers with geometry can be shown."
                )
            gdf.attrs.setdefault("id_column", layer_meta(item, province=profile).get("id_column"))
            out.append((item, gdf))
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
    """

    def __init__(self, map_, control, *, crs, geometry_type, status):
        self.map = map_
        self.control = control
        self.crs = pyproj.CRS.from_user_input(crs)
        self.geometry_type = geometry_type
        self.actions: list[str] = []
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
    ready for :func:`gis.edit.add_features` and :func:`gis.edit.check_layer`.

    Works offline: Leaflet and Leaflet.draw come from the ``jupyter-leaflet`` bundle served by
    the local Jupyter server (JupyterLab, Notebook 7, Voilà), and no tile layer is added unless
    ``basemap=True``. Not offline: the OpenStreetMap basemap, and front ends that load widget
    code from a CDN (VS Code, Colab). See the module docstring.

    Parameters
    ----------
    layer : str, GeoDataFrame or a list of them, optional
        Reference layers drawn under the drawing (outlines; hover shows id and name, escaped and
        cut to :data:`LABEL_MAX_CHARS`): layer names read from the store, or frames with a CRS.
        Shown as light copies in WGS 84 (:func:`gis.maplayer.display_copy`, pinned VN-2000
        shift). Default: the province outline (layer ``province``).
    geometry_type : {"Point", "LineString", "Polygon"}, optional
        Only offer the tool for this geometry and refuse others in :meth:`DrawMap.to_geodataframe`.
        Default: polygon, line and marker tools.
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
        give the drawing back.

    Raises
    ------
    MissingDependencyError
        If ipyleaflet is not installed; the message gives the ``pip install`` command.
    LayerNotFoundError, CRSError, LayerError
        If a reference layer is missing, has no CRS, or is a table.
    """
    _check_geometry_type(geometry_type)
    ipyleaflet, widgets = _ipyleaflet()
    profile = (
        province if isinstance(province, Profile) else load_profile(province, layers_dir=layers_dir)
    )
    refs = _references(layer, profile)
    shown = [(name, _reference_frame(gdf, name)) for name, gdf in refs]
    if center is None or zoom is None:
        bounds = pd.concat([s for _, s in shown]).total_bounds if shown else None
        if bounds is None or not all(map(math.isfinite, bounds)):
            raise LayerError(
                "no reference layer with features to centre the map on; give center=(lat, lon) "
                "and zoom=, e.g. center=(22.3, 103.2), zoom=8."
            )
        else:
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
    hover = widgets.HTML(value="")
    for i, (name, frame) in enumerate(shown):
        colour = REFERENCE_COLOURS[i % len(REFERENCE_COLOURS)]
        ref = ipyleaflet.GeoJSON(
            data=json.loads(frame.to_json(drop_id=True)),  # plain JSON types for the widget
            name=name,
            style={"color": colour, "weight": 1.5, "fillOpacity": 0.05, "fillColor": colour},
            point_style={"radius": 4, "fillOpacity": 0.8, "fillColor": colour},
            hover_style={"weight": 3},
        )
        cols = _label_columns(refs[i][1])

        def _show(feature, *, _name=name, _cols=cols, **_kwargs):
            props = feature.get("properties") or {}
            values = " · ".join(str(props.get(c, "")) for c in _cols)  # escaped already
            hover.value = f"{html.escape(_name)}: {values}"

        ref.on_hover(_show)
        m.add(ref)
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
    status = widgets.HTML(value="<b>Drawn:</b> nothing yet")
    m.add(ipyleaflet.WidgetControl(widget=widgets.VBox([status, hover]), position="topright"))
    m.add(ipyleaflet.ScaleControl(position="bottomleft", imperial=False))
    if len(shown) > 1 or basemap:
        m.add(ipyleaflet.LayersControl(position="topright"))
    target = crs if crs is not None else profile.planning_crs
    return DrawMap(m, control, crs=target, geometry_type=geometry_type, status=status)
