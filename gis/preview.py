"""Static map previews for notebooks (matplotlib, works offline and in tests).

:func:`preview_map` is the one call the notebooks use to show layers inline. It draws with
matplotlib, so it needs no network (``GeoDataFrame.explore`` loads Leaflet from a CDN) and its
output is stored in the notebook as a PNG.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import shapely
from matplotlib.axes import Axes

from gis import settings
from gis.crs import require_crs, to_crs
from gis.errors import LayerError

__all__ = ["preview_map"]

#: Colours of the overlays, in order (matplotlib's tab10 without the greys).
OVERLAY_COLOURS = ("tab:red", "tab:blue", "tab:green", "tab:purple", "tab:orange", "tab:brown")


def preview_map(
    base: gpd.GeoDataFrame,
    *overlays: gpd.GeoDataFrame,
    column: str | None = None,
    label: str | None = None,
    title: str | None = None,
    names: Sequence[str] | None = None,
    zoom_to: gpd.GeoDataFrame | None = None,
    ax: Axes | None = None,
    figsize: tuple[float, float] = (8.0, 8.0),
) -> Axes:
    """Draw ``base`` and any ``overlays`` on one map in longitude/latitude.

    Parameters
    ----------
    base : GeoDataFrame
        The background layer (e.g. districts), filled light grey or coloured by ``column``.
    *overlays : GeoDataFrame
        Layers drawn on top, each in its own colour (red, blue, green, ...): polygons as
        outlines, lines as lines, points as dots.
    column : str, optional
        Column of ``base`` to colour by, with a legend (categories for text, a colour ramp
        for numbers).
    label : str, optional
        Column of ``base`` written at each feature (Vietnamese names are shown as they are).
    title : str, optional
        Map title.
    names : sequence of str, optional
        Legend names of the overlays (default: their ``.attrs["layer"]``).
    zoom_to : GeoDataFrame, optional
        Frame the map on these features (with a margin of at least about 1 km) instead of on
        ``base``; overlays reaching beyond the frame are cut at its edge.
    ax : matplotlib Axes, optional
        Draw into this Axes instead of a new figure.
    figsize : (float, float)
        Size of a new figure in inches.

    Returns
    -------
    matplotlib.axes.Axes
        The map; in a notebook it shows inline.

    Raises
    ------
    CRSError
        If a layer has no CRS.
    LayerError
        If ``column`` or ``label`` is not a column of ``base``.
    """
    for col in (column, label):
        if col is not None and col not in base.columns:
            raise LayerError(
                f"'{col}' is not a column of the base layer; columns: "
                f"{', '.join(c for c in base.columns if c != base.geometry.name)}."
            )
    layers = [base, *overlays]
    for i, layer in enumerate(layers):
        require_crs(layer, name=layer.attrs.get("layer", f"layer {i}"))
    shown = [to_crs(layer, settings.DISPLAY_CRS) for layer in layers]
    if zoom_to is not None:
        require_crs(zoom_to, name="zoom_to")
    frame = to_crs(zoom_to, settings.DISPLAY_CRS) if zoom_to is not None else shown[0]
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    base_kw = {"edgecolor": "0.35", "linewidth": 0.6}
    if column is None:
        shown[0].plot(ax=ax, color="0.9", **base_kw)
    else:
        numeric = base[column].dtype.kind in "if"
        shown[0].plot(
            ax=ax,
            column=column,
            categorical=not numeric,
            legend=True,
            cmap="Set3" if not numeric else "YlGnBu",
            legend_kwds={"title": column, "loc": "lower left"} if not numeric else {},
            **base_kw,
        )
    handles = []
    for i, layer in enumerate(shown[1:]):
        colour = OVERLAY_COLOURS[i % len(OVERLAY_COLOURS)]
        name = names[i] if names is not None else overlays[i].attrs.get("layer", f"layer {i + 1}")
        polygonal = np.isin(
            shapely.get_type_id(layer.geometry.to_numpy()), [3, 6]
        )  # (Multi)Polygon
        points = shapely.get_dimensions(layer.geometry.to_numpy()) == 0
        if polygonal.all() and len(layer):
            layer.boundary.plot(ax=ax, color=colour, linewidth=1.6)
        elif points.all() and len(layer):
            layer.plot(
                ax=ax, color=colour, markersize=22, edgecolor="white", linewidth=0.5, zorder=3
            )
        elif len(layer):
            layer.plot(ax=ax, color=colour, linewidth=1.4)
        if points.all() and len(layer):
            handle = plt.Line2D([], [], color=colour, marker="o", lw=0, label=name)
        else:
            handle = plt.Line2D([], [], color=colour, lw=2, label=name)
        handles.append(handle)
    if label is not None:
        pts = shown[0].geometry.representative_point()
        for pt, text in zip(pts, shown[0][label], strict=True):
            if pt is not None and not pt.is_empty and isinstance(text, str):
                ax.annotate(text, (pt.x, pt.y), ha="center", va="center", fontsize=8)
    west, south, east, north = frame.total_bounds
    pad = max(0.01, 0.04 * max(east - west, north - south))  # 0.01 degree: about 1 km
    ax.set_xlim(west - pad, east + pad)
    ax.set_ylim(south - pad, north + pad)
    ax.ticklabel_format(useOffset=False)  # plain degrees, also when zoomed in
    if handles:
        legend = ax.get_legend()
        ax.legend(handles=handles, loc="upper right", fontsize=8)
        if legend is not None:
            ax.add_artist(legend)
    if title:
        ax.set_title(title)
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    return ax
