"""Map layers shared by web and printed maps: the layer spec, colours and legend, light copies.

:class:`MapLayer` says what to draw from a GeoDataFrame and how; :func:`layer_legend` turns it
into one colour per feature and the legend rows (single colour, categories, or a choropleth with
mapclassify classes), so a web map (:mod:`gis.webmap`) and a printed map (:mod:`gis.printmap`)
of the same layers always agree. :func:`display_copy` makes the light EPSG:4326 copy a web page
embeds: simplified **as a coverage** in metres (neighbours keep their shared edges), reprojected
with :func:`gis.crs.to_crs`, rounded to 5 decimals (1e-5 degree is 1.1 m north-south and 1.0 m
east-west at 22 degrees N, far below the simplification tolerance), with only needed columns.
"""

from __future__ import annotations

import math
import warnings
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Literal

import geopandas as gpd
import mapclassify
import matplotlib
import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import shapely

from gis import settings
from gis.crs import require_crs, require_metric_crs, to_crs
from gis.errors import LayerError

__all__ = [
    "CLOSE_SIMPLIFY_M",
    "DISPLAY_DECIMALS",
    "NO_DATA_COLOR",
    "NO_DATA_LABEL",
    "SIMPLIFY_M",
    "STACK_RING_PX",
    "MapLayer",
    "display_copy",
    "format_vi",
    "layer_legend",
    "point_keys",
    "radii_by_layer",
    "stacked_radii",
]

#: Simplification of the web maps (metres of the planning CRS; the one home of this value, the
#: default of :func:`display_copy` and :func:`gis.webmap.web_map`). At 22 degrees N a web-map
#: pixel is about 145,000 / 2**zoom metres: the whole province shows at zoom 8-9 (280-570 m per
#: pixel) and 60 m stays under one pixel up to zoom 11 (71 m). The 2025 communes weigh 578 kB at
#: 30 m and 330 kB at 60 m, which keeps a map with them under :data:`gis.maps.MAP_BUDGET_BYTES`.
SIMPLIFY_M = 60.0
#: Simplification of the pages looked at feature by feature (``gis review``, the drawing map of
#: :mod:`gis.draw`), metres: finer than the maps, as these pages have no size budget.
CLOSE_SIMPLIFY_M = 30.0
#: Decimals of degrees kept in web maps (1e-5 degree = 1.1 m north-south).
DISPLAY_DECIMALS = 5
#: Share of its own area a polygon may change when a not-quite coverage is cleaned for display.
CLEAN_MAX_SHARE = 0.001
NO_DATA_COLOR = "#d9d9d9"
NO_DATA_LABEL = "Không có số liệu"
#: Width of the ring (px) a point symbol keeps around the one drawn on top of it at the very same
#: place (see :func:`stacked_radii`).
STACK_RING_PX = 4.0
#: Coverage simplifications kept for reuse, newest last: (tolerance, coverage flag, ids of the
#: input geometries) -> (input array, result). The product maps draw the same units on up to six
#: maps; simplifying them once cut 11 simplifications to 3 (1.8 s -> 0.6 s of display copies per
#: build, docs/performance.md). Shapely geometries are immutable and the entry holds the input
#: array, so its ids cannot be reused.
_SIMPLIFIED: OrderedDict[tuple, tuple[np.ndarray, np.ndarray]] = OrderedDict()
_SIMPLIFIED_MAX = 8


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
        Column written at each feature: permanent labels on web maps (from ``label_zoom``), and
        on printed maps (see :func:`gis.printmap.print_map`).
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
    dashed : str, optional
        Boolean column: features where it is true are drawn dashed (planned roads), on the web
        map, the print and their legend rows.
    hollow : bool
        Draw the features as outlines in their colour, unfilled: points as rings, polygons as
        outlines (``weight`` is the width). Rings do not hide what is under them (the urban
        class of today around the class of 2030; a feature outside the province).
    stack : bool
        Let point symbols grow into a ring when others are drawn on top of them at the very
        same place (:func:`stacked_radii`). ``False`` when the size is a value (the class of
        an urban area): the symbol keeps ``radius`` whatever else is drawn.
    label_zoom : int or str
        Web maps write ``label`` from this many zoom steps closer than the opening view on
        (0: at the opening view), so a map opens with a few names and shows more as one zooms
        in; or a column of such levels per feature (border gates at once, other facilities
        closer). Printed maps write every label that does not overlap another.
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
    dashed: str | None = None
    hollow: bool = False
    stack: bool = True
    label_zoom: int | str = 0


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
    wanted += [layer.dashed] if layer.dashed else []
    wanted += [layer.label_zoom] if isinstance(layer.label_zoom, str) else []
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
        Legend rows, in order. Choropleth labels read ``"12,5 – 30"`` (+ unit); a class of one
        value reads ``"0"`` and the next ``"trên 0 – 30"``; features with no
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
        entries, single = [], False
        for lo, hi, col in zip(lows, bins, palette, strict=True):
            lo_txt, hi_txt = (format_vi(v, decimals=d, trim=False) for v in (lo, hi))
            # after a one-value class ("0,0 %") the next starts above it: "trên 0,0 – 29,8 %"
            text = hi_txt if lo_txt == hi_txt else f"{'trên ' * single}{lo_txt} – {hi_txt}"
            single = lo_txt == hi_txt
            entries.append((f"{text}{unit}", col))
    if missing.any():
        entries.append((NO_DATA_LABEL, NO_DATA_COLOR))
    return colors.astype(str), entries


def label_levels(layer: MapLayer, *, most: int) -> np.ndarray:
    """Zoom level of each feature's label (:attr:`MapLayer.label_zoom`), clipped to 0..most."""
    if isinstance(layer.label_zoom, str):
        levels = pd.to_numeric(layer.data[layer.label_zoom], errors="coerce").fillna(0)
    else:
        levels = pd.Series(layer.label_zoom, index=layer.data.index)
    return np.clip(levels.to_numpy(dtype=float), 0, most).astype(int)


def dashed_mask(layer: MapLayer) -> pd.Series:
    """Boolean Series (on ``layer.data.index``): the features drawn dashed."""
    if not layer.dashed:
        return pd.Series(False, index=layer.data.index)
    return layer.data[layer.dashed].fillna(False).astype(bool)


def dashed_entries(layer: MapLayer, colors: pd.Series) -> set[str]:
    """Colours of the legend rows whose features are all dashed (their swatch is dashed too)."""
    mask = dashed_mask(layer)
    if not mask.any():
        return set()
    return set(colors[mask]) - set(colors[~mask])


def stacked_radii(
    keys: Sequence[object],
    radii: Sequence[float],
    *,
    ring: float = STACK_RING_PX,
    fixed: Sequence[bool] | None = None,
) -> np.ndarray:
    """Radii that keep point symbols at the very same place visible (concentric rings).

    Two facilities can share coordinates (an airport inside an industrial park, a border gate
    at its economic zone): drawn with the same radius, the one on top hides the other. Symbols
    are drawn in order (the last on top); a symbol with others drawn over it at the same place
    grows so that it shows as a ring of ``ring`` px around the largest of them. The symbol on
    top keeps its own radius, so the more important feature, drawn last, looks as usual.

    Parameters
    ----------
    keys : sequence
        Place of each symbol in drawing order (e.g. rounded coordinates); ``None`` for a
        feature that is not a point (never stacked).
    radii : sequence of float
        Own radius of each symbol (px).
    ring : float
        Width of the visible ring (px).
    fixed : sequence of bool, optional
        Symbols whose size is a value (an urban class): they keep their radius, and the
        symbols under them still make room for them.

    Returns
    -------
    ndarray of float
        Radius of each symbol, in the order of ``keys``.

    Examples
    --------
    >>> stacked_radii([(0, 0), (0, 0), (5, 5)], [7.0, 7.0, 7.0]).tolist()
    [11.0, 7.0, 7.0]
    >>> stacked_radii([(0, 0), (0, 0)], [5.5, 7.0], fixed=[True, False]).tolist()
    [5.5, 7.0]
    """
    out = np.asarray(radii, dtype=float).copy()
    if len(out) != len(keys):
        raise LayerError(f"stacked_radii: {len(keys)} keys but {len(out)} radii.")
    fixed = [False] * len(out) if fixed is None else list(fixed)
    if len(fixed) != len(out):
        raise LayerError(f"stacked_radii: {len(out)} radii but {len(fixed)} fixed flags.")
    top: dict[object, float] = {}  # place -> outer radius of the symbols drawn above
    for i in range(len(out) - 1, -1, -1):
        key = keys[i]
        if key is None:
            continue
        if key in top and not fixed[i]:
            out[i] = max(out[i], top[key] + ring)
        top[key] = max(out[i], top.get(key, 0.0))
    return out


def point_keys(gdf: gpd.GeoDataFrame, decimals: int) -> list[object]:
    """Place of each point feature, coordinates rounded to ``decimals``; ``None`` otherwise."""
    keys: list[object] = []
    for g in gdf.geometry.values:
        if g is None or g.is_empty or g.geom_type != "Point":
            keys.append(None)
        else:
            keys.append((round(g.x, decimals), round(g.y, decimals)))
    return keys


def radii_by_layer(
    layers: Sequence[MapLayer], frames: Sequence[gpd.GeoDataFrame], *, decimals: int
) -> list[np.ndarray]:
    """Point radii per layer, drawn in order, with :func:`stacked_radii` across all layers.

    ``frames[i]`` is the data drawn for ``layers[i]``; places are compared with coordinates
    rounded to ``decimals`` (:func:`point_keys`). Symbols of a layer with ``stack=False`` keep
    their radius (:attr:`MapLayer.stack`). Used by the web map and the print alike.
    """
    keys = [k for frame in frames for k in point_keys(frame, decimals)]
    pairs = list(zip(layers, frames, strict=True))
    own = [la.radius for la, frame in pairs for _ in range(len(frame))]
    fixed = [not la.stack for la, frame in pairs for _ in range(len(frame))]
    radii = stacked_radii(keys, own, fixed=fixed)
    starts = np.cumsum([0, *(len(frame) for frame in frames)])
    return [radii[a:b] for a, b in pairwise(starts)]


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
        polygon by more than ``simplify_m**2`` or :data:`CLEAN_MAX_SHARE` (0.1 %) of its area
        (slivers and small overlaps of real boundary files);
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
            geoms = _coverage_simplify_cached(geoms, simplify_m, coverage=coverage, name=name)
        else:
            geoms = shapely.simplify(geoms, simplify_m, preserve_topology=True)
    out = out.set_geometry(gpd.GeoSeries(geoms, crs=gdf.crs))
    out = to_crs(out, settings.DISPLAY_CRS)
    rounded = shapely.transform(np.asarray(out.geometry.values), lambda xy: np.round(xy, decimals))
    rounded = shapely.remove_repeated_points(rounded)
    return out.set_geometry(gpd.GeoSeries(rounded, crs=out.crs))


def _coverage_simplify_cached(
    geoms: np.ndarray, tolerance_m: float, *, coverage: bool | None, name: str
) -> np.ndarray:
    """:func:`_coverage_simplify`, reusing the result for the very same geometry objects."""
    key = (float(tolerance_m), coverage, tuple(map(id, geoms)))
    if key in _SIMPLIFIED:
        _SIMPLIFIED.move_to_end(key)
        return _SIMPLIFIED[key][1].copy()
    result = _coverage_simplify(geoms, tolerance_m, coverage=coverage, name=name)
    _SIMPLIFIED[key] = (geoms.copy(), result.copy())
    while len(_SIMPLIFIED) > _SIMPLIFIED_MAX:
        _SIMPLIFIED.popitem(last=False)
    return result


def _coverage_simplify(
    geoms: np.ndarray, tolerance_m: float, *, coverage: bool | None, name: str
) -> np.ndarray:
    if shapely.coverage_is_valid(geoms):
        return shapely.coverage_simplify(geoms, tolerance_m)
    if hasattr(shapely, "coverage_clean"):  # shapely >= 2.2 with GEOS >= 3.14
        # Real boundary files are often a coverage but for slivers and small overlaps (the
        # 2025 commune file of Lai Châu: 12 unmatched edges, 0.85 m² of overlap; the national
        # district file: one overlap of 94,235 m², 0.04 % of Cẩm Khê). Cleaning is used only if
        # it changes no polygon by more than simplification will anyway (tolerance²) or by more
        # than CLEAN_MAX_SHARE of its area, invisible on a map; else each polygon on its own.
        cleaned = shapely.coverage_clean(geoms)
        moved = shapely.area(shapely.symmetric_difference(geoms, cleaned))
        allowed = np.maximum(tolerance_m**2, CLEAN_MAX_SHARE * shapely.area(geoms))
        if (
            shapely.coverage_is_valid(cleaned)
            and not shapely.is_empty(cleaned).any()
            and (moved <= allowed).all()
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
