"""Printable maps (PNG and PDF) with matplotlib, from the same layer specs as the web maps.

A printed planning map needs what a screen map can leave out: a title, a legend, a scale bar in
metres, a north arrow, and a note of sources and coordinate system. :func:`print_map` draws all
of them on an ISO paper size, in the layers' own projected CRS (the planning CRS EPSG:9205, so
the scale bar is true in metres), with colours and legend rows from
:func:`gis.maplayer.layer_legend`, the same as the web map.

Text is set in DejaVu Sans, which ships with matplotlib and covers every Vietnamese letter
(:func:`missing_glyphs` checks a text against the font); PDFs embed it as TrueType
(``pdf.fonttype = 42``) so the letters stay searchable and copyable.

Beside the scale bar the numeric scale (``Tỷ lệ 1:850.000``) is computed from the printed
frame: metres of ground across the map divided by its printed width (:func:`scale_denominator`);
it holds when the page is printed at its paper size. An optional locator inset
(:class:`Inset`, :func:`locator_inset` from ``layers/_national``) shows where the mapped area
lies in Việt Nam.

Labels are placed, in order of priority, at the first of several positions around their feature
(right, left, above, below, then the corners) that stays inside the frame, overlaps no label
placed before and crosses no heavy line (the axis: lines of weight
:data:`LABEL_AVOID_WEIGHT` or more); a long label is tried again on two lines
(:data:`LABEL_WRAP_CHARS`). A label that fits nowhere inside the frame or only on another label
is left out; one that can only sit on a heavy line keeps its white halo.
"""

from __future__ import annotations

import math
import os
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import geopandas as gpd
import matplotlib
import numpy as np
import pyproj
import shapely
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib_scalebar.scalebar import ScaleBar

from gis._writes import atomic_write
from gis.crs import require_metric_crs, to_crs, transformer
from gis.errors import LayerError, LayerNotFoundError
from gis.maplayer import (
    MapLayer,
    dashed_entries,
    dashed_mask,
    format_vi,
    layer_legend,
    radii_by_layer,
)

__all__ = [
    "FONT",
    "PAPER_MM",
    "Inset",
    "locator_inset",
    "missing_glyphs",
    "north_angle_deg",
    "print_map",
    "scale_denominator",
    "scale_text",
]

#: ISO 216 paper sizes, (short side, long side) in millimetres.
PAPER_MM: dict[str, tuple[float, float]] = {
    "A4": (210, 297),
    "A3": (297, 420),
    "A2": (420, 594),
    "A1": (594, 841),
    "A0": (841, 1189),
}
#: Font of printed maps (ships with matplotlib; covers Vietnamese).
FONT = "DejaVu Sans"
_MM_PER_INCH = 25.4
_RC = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT],
    "pdf.fonttype": 42,  # TrueType, embedded: text stays text
    "ps.fonttype": 42,
    "svg.fonttype": "none",
    "text.parse_math": False,  # text is text: "$...$" in a name is not TeX (nor a crash)
}


@cache
def _charmap(font: str) -> frozenset[int]:
    from matplotlib import font_manager, ft2font

    path = font_manager.findfont(font, fallback_to_default=False)
    return frozenset(ft2font.FT2Font(path).get_charmap())


def missing_glyphs(text: str, *, font: str = FONT) -> set[str]:
    """Return the characters of ``text`` that ``font`` cannot draw (whitespace ignored)."""
    chars = _charmap(font)
    return {c for c in text if not c.isspace() and ord(c) not in chars}


def north_angle_deg(crs: pyproj.CRS | str | int, x: float, y: float) -> float:
    """Return the direction of true north at ``(x, y)``, in degrees clockwise from grid north.

    In a transverse Mercator grid true north leans away from grid north by the meridian
    convergence (about 0.2 degrees across Lai Châu in EPSG:9205, whose central meridian is
    103 degrees E). Computed by stepping 0.001 degree north in geographic coordinates.
    """
    to_geo = transformer(crs, "EPSG:4326")
    to_grid = transformer("EPSG:4326", crs)
    lon, lat = to_geo.transform(x, y)
    x2, y2 = to_grid.transform(lon, lat + 0.001)
    return math.degrees(math.atan2(x2 - x, y2 - y))


def _paper_inches(paper: str, orientation: str) -> tuple[float, float]:
    key = paper.upper()
    if key not in PAPER_MM:
        raise LayerError(f"paper {paper!r} unknown; use one of {sorted(PAPER_MM)}.")
    short, long = PAPER_MM[key]
    w, h = (long, short) if orientation == "landscape" else (short, long)
    return w / _MM_PER_INCH, h / _MM_PER_INCH


def _check_text(*texts: str | None) -> None:
    bad = set().union(*(missing_glyphs(t) for t in texts if t))
    if bad:
        raise LayerError(
            f"font {FONT} has no glyph for {sorted(bad)}; the printed map would show boxes. "
            "Remove or replace these characters."
        )


def _check_labels(layer: MapLayer, data: gpd.GeoDataFrame) -> None:
    """Refuse labels the font cannot draw, naming the layer and one such label."""
    if not layer.label or layer.label not in data.columns:
        return
    texts = [str(t) for t in data[layer.label].dropna().unique()]
    bad = missing_glyphs("".join(texts))
    if bad:
        example = next(t for t in texts if set(t) & bad)
        raise LayerError(
            f"font {FONT} has no glyph for {sorted(bad)} in the labels of layer "
            f"'{layer.name}' (e.g. {example[:60]!r}); the printed map would show boxes. "
            f"Replace these characters in column '{layer.label}' of the layer."
        )


#: Dash pattern of dashed lines (planned roads), in line widths.
DASHES = (3.0, 2.0)


#: Font size of labels on an A3 print (pt); scaled with the paper.
LABEL_PT = 7.5
#: Lines drawn this heavy or heavier (MapLayer.weight; the axis is 3) are kept free of labels.
LABEL_AVOID_WEIGHT = 2.5
#: A label longer than this (characters) that fits nowhere is tried again on two lines.
LABEL_WRAP_CHARS = 24
#: Gap between a symbol (or line) and its label, in points on A3.
LABEL_GAP_PT = 2.0
#: Colour of the labels of unfilled polygons (administrative units), set in italics.
AREA_LABEL_COLOR = "#4d4d4d"
#: Layer name -> the national layer of :func:`locator_inset` (the units of 2025).
INSET_LAYER = "provinces_2025"
#: Folder of the national layers beside the provinces' folders.
NATIONAL = "_national"


@dataclass(frozen=True)
class Inset:
    """A locator map: the country's units, the highlighted ones, and the printed frame.

    Parameters
    ----------
    units : GeoDataFrame
        Polygons of the country (provinces), in any CRS; drawn light grey in their own CRS.
    highlight : GeoDataFrame, optional
        Polygons drawn in red (the province printed).
    title : str
        Heading of the inset.
    """

    units: gpd.GeoDataFrame
    highlight: gpd.GeoDataFrame | None = None
    title: str = "Vị trí trong Việt Nam"


def locator_inset(profile, *, layer: str = INSET_LAYER) -> Inset | None:
    """Return the locator inset of ``profile``'s province, or None without national layers.

    Reads ``layer`` (default :data:`INSET_LAYER`, the 34 provinces of 2025) from the national
    store ``layers/_national`` beside the province's folder and highlights the unit whose
    ``code`` is the profile's GSO code (in 2025 the province it belongs to).

    Parameters
    ----------
    profile : gis.profile.Profile
        The province printed.
    layer : str
        National layer of polygons with a ``code`` column (``provinces_2019`` for the 63).

    Returns
    -------
    Inset or None
        None when ``layers/_national`` or the layer is missing: print without an inset.
    """
    from gis.errors import ProfileError
    from gis.profile import load_profile
    from gis.store import read_layer

    try:
        national = load_profile(NATIONAL, layers_dir=profile.path.parent)
        units = read_layer(layer, province=national)
    except (ProfileError, LayerNotFoundError):
        return None
    code = str(getattr(profile, "code", "") or "")
    highlight = units[units["code"].astype(str) == code] if "code" in units.columns else None
    if highlight is not None and highlight.empty:
        highlight = None
    return Inset(units, highlight)


def scale_denominator(ax) -> float:
    """Return the printed scale 1:N of a map axes in metres (N), from its frame.

    N is the ground width of the frame (x limits, metres) divided by the frame's width on
    paper (metres: the axes' width in inches x 0.0254), after equal-aspect adjustment. It
    holds when the figure is printed at its size (an A3 figure on A3 paper).
    """
    ax.apply_aspect()
    x0, x1 = ax.get_xlim()
    width_in = ax.get_position().width * ax.figure.get_figwidth()
    return abs(x1 - x0) / (width_in * _MM_PER_INCH / 1000)


def scale_text(denominator: float) -> str:
    """``846123.4`` -> ``"Tỷ lệ 1:846.000"``: three significant digits, Vietnamese separators."""
    digits = max(0, math.floor(math.log10(denominator)) - 2)
    rounded = round(denominator / 10**digits) * 10**digits
    return f"Tỷ lệ 1:{format_vi(rounded)}"


@dataclass
class _Label:
    """A label to place: text, anchor (data coordinates), kind and gap to the feature (pt)."""

    text: str
    x: float
    y: float
    kind: str  # "point", "line" or "area"
    gap_pt: float
    fontsize: float
    style: dict


def _draw_layer(
    ax, layer: MapLayer, data: gpd.GeoDataFrame, colors, scale: float, radii=None
) -> list[_Label]:
    """Draw one layer; return its labels, to be placed by :func:`_place_labels`."""
    kinds = set(data.geom_type.dropna())
    c = colors.to_numpy()
    points = kinds <= {"Point", "MultiPoint"}
    lines = kinds <= {"LineString", "MultiLineString", "LinearRing"}
    outline = not points and not lines and layer.fill_opacity == 0
    lw = layer.weight * 1.2 * scale
    if points:
        r = np.full(len(data), layer.radius) if radii is None else np.asarray(radii)
        data.plot(
            ax=ax,
            color=c,
            edgecolor="#222222",
            linewidth=0.4 * scale,
            markersize=(r * 1.6 * scale) ** 2,
            zorder=4,
        )
    elif lines:
        dashed = dashed_mask(layer).to_numpy()
        if (~dashed).any():
            data[~dashed].plot(ax=ax, color=c[~dashed], linewidth=lw, zorder=3)
        if dashed.any():
            data[dashed].plot(ax=ax, color=c[dashed], linewidth=lw, linestyle=(0, DASHES), zorder=3)
    elif outline:  # unfilled units (districts under the regions): boundaries only
        data.plot(
            ax=ax, facecolor="none", edgecolor=c, linewidth=0.4 * layer.weight * scale, zorder=2
        )
    else:
        data.plot(
            ax=ax,
            color=c,
            edgecolor="#333333",
            linewidth=0.4 * layer.weight * scale,
            alpha=_fill_alpha(layer),
            zorder=2,
        )
    labels: list[_Label] = []
    if not layer.label:
        return labels
    r = np.full(len(data), layer.radius) if radii is None else np.asarray(radii)
    pts = data.geometry.representative_point()
    if lines:  # the middle of the line, not wherever representative_point falls
        pts = data.geometry.interpolate(0.5, normalized=True)
    elif not points:  # the point farthest inside the largest part: room for the name
        pts = [_area_anchor(g) for g in data.geometry]
    kind = "point" if points else "line" if lines else "area"
    style = {"color": "#111111"}
    size = LABEL_PT * scale
    if outline:
        style = {"color": AREA_LABEL_COLOR, "fontstyle": "italic"}
        size = LABEL_PT * 1.1 * scale
    for p, text, rad in zip(pts, data[layer.label], r, strict=True):
        if p is None or p.is_empty or text is None or text != text or not str(text).strip():
            continue
        gap = (rad * 1.6 / 2 if points else lw / 2 if lines else 0) + LABEL_GAP_PT * scale
        labels.append(_Label(str(text), p.x, p.y, kind, gap, size, style))
    return labels


def _area_anchor(geom):
    """Centre of the largest circle inside the largest part of a polygon (None if empty)."""
    if geom is None or geom.is_empty:
        return None
    parts = getattr(geom, "geoms", [geom])
    part = max(parts, key=lambda g: g.area)
    tolerance = max(math.sqrt(part.area) / 100, 1.0)
    return shapely.get_point(shapely.maximum_inscribed_circle(part, tolerance), 0)


def _candidates(label: _Label) -> list[tuple[float, float, str, str]]:
    """Offsets (points) and alignments to try, in order: right, left, above, below, corners.

    A unit's name is centred on its anchor, then moved up, down, left and right.
    """
    if label.kind == "area":
        f = label.fontsize
        return [
            (dx * f, dy * f, "center", "center")
            for dx, dy in ((0, 0), (0, 1.5), (0, -1.5), (0, 3), (0, -3), (-4, 0), (4, 0))
        ]
    g, d = label.gap_pt, label.gap_pt * 0.75
    return [
        (g, 0, "left", "center"),
        (-g, 0, "right", "center"),
        (0, g, "center", "bottom"),
        (0, -g, "center", "top"),
        (d, d, "left", "bottom"),
        (d, -d, "left", "top"),
        (-d, d, "right", "bottom"),
        (-d, -d, "right", "top"),
    ]


def _heavy_lines_px(ax, layers, frames, renderer) -> shapely.Geometry | None:
    """Lines of weight >= LABEL_AVOID_WEIGHT in display pixels, as wide as drawn."""
    px_per_pt = renderer.points_to_pixels(1.0)
    parts = []
    for layer, (data, _) in zip(layers, frames, strict=True):
        if layer.weight < LABEL_AVOID_WEIGHT or data.empty:
            continue
        if not set(data.geom_type.dropna()) <= {"LineString", "MultiLineString", "LinearRing"}:
            continue
        half_px = layer.weight * 1.2 * px_per_pt / 2 + 1
        for geom in data.geometry:
            if geom is None or geom.is_empty:
                continue
            moved = shapely.transform(geom, lambda xy: ax.transData.transform(xy))
            parts.append(moved.buffer(half_px, cap_style="flat"))
    return shapely.union_all(parts) if parts else None


def _symbols_px(ax, layers, frames, radii, scale: float, renderer) -> shapely.Geometry | None:
    """Point symbols of the map in display pixels (circles as drawn)."""
    px_per_pt = renderer.points_to_pixels(1.0)
    parts = []
    for i, (layer, (data, _)) in enumerate(zip(layers, frames, strict=True)):
        if data.empty or not set(data.geom_type.dropna()) <= {"Point", "MultiPoint"}:
            continue
        r = np.full(len(data), layer.radius) if radii[i] is None else np.asarray(radii[i])
        xy = ax.transData.transform(np.column_stack([data.geometry.x, data.geometry.y]))
        radius_px = r * 1.6 * scale / 2 * px_per_pt
        parts += list(shapely.buffer(shapely.points(xy), radius_px))
    return shapely.union_all(parts) if parts else None


def _annotate(ax, label: _Label, text: str, dx, dy, ha, va, halo_scale: float):
    return ax.annotate(
        text,
        (label.x, label.y),
        xytext=(dx, dy),
        textcoords="offset points",
        ha=ha,
        va=va,
        fontsize=label.fontsize,
        zorder=5,
        path_effects=[_halo(halo_scale)],
        annotation_clip=False,
        **label.style,
    )


def _place_labels(
    fig: Figure, ax, labels: list[_Label], lines=None, symbols=None, *, halo_scale: float = 1.0
):
    """Place ``labels`` (in order of priority); return (annotations kept, number left out).

    Every position of :func:`_candidates` (then, for a label longer than
    :data:`LABEL_WRAP_CHARS`, the same on two lines) must lie inside the axes frame and off
    the labels kept before (with room for the halos). Of those, the first off ``lines`` (heavy
    lines) and ``symbols`` (point symbols), both shapely geometries in display pixels, is
    taken; else the first off ``lines``; else the first at all (its halo keeps it readable).
    A unit's name (``kind == "area"``) is only placed off both, and is otherwise left out, as
    is any label with no position; a label repeating one already placed within 20 points of
    its anchor (the same site in two layers) is left out too.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    ax.apply_aspect()
    frame = ax.get_window_extent(renderer)
    inner = shapely.box(frame.x0 + 2, frame.y0 + 2, frame.x1 - 2, frame.y1 - 2)
    pad = renderer.points_to_pixels(2.5 * halo_scale) / 2 + 1  # the halo, and a pixel
    near_px = renderer.points_to_pixels(20 * halo_scale)
    for geom in (lines, symbols):
        if geom is not None:
            shapely.prepare(geom)
    kept_boxes, kept, placed, dropped = [], [], {}, 0
    for label in labels:
        anchor = ax.transData.transform((label.x, label.y))
        if any(np.hypot(*(anchor - other)) < near_px for other in placed.get(label.text, [])):
            dropped += 1
            continue
        texts = [label.text]
        if len(label.text) > LABEL_WRAP_CHARS and "\n" not in label.text:
            width = max(LABEL_WRAP_CHARS, len(label.text) // 2 + 1)
            wrapped = textwrap.fill(label.text, width=width)
            # very long labels read better on two lines wherever they fit
            texts = (
                [wrapped, label.text]
                if len(label.text) > 2 * LABEL_WRAP_CHARS
                else [label.text, wrapped]
            )
        tiers: dict[int, tuple] = {}  # 0: off lines and symbols, 1: off lines, 2: free
        for text in texts:
            for dx, dy, ha, va in _candidates(label):
                ann = _annotate(ax, label, text, dx, dy, ha, va, halo_scale)
                bb = ann.get_window_extent(renderer).padded(pad)
                ann.remove()
                box = shapely.box(bb.x0, bb.y0, bb.x1, bb.y1)
                if not inner.contains(box) or any(bb.overlaps(o) for o in kept_boxes):
                    continue
                on_line = lines is not None and lines.intersects(box)
                on_symbol = symbols is not None and symbols.intersects(box)
                tier = 2 if on_line else 1 if on_symbol else 0
                tiers.setdefault(tier, (text, dx, dy, ha, va, bb))
                if tier == 0:
                    break
            if 0 in tiers:
                break
        allowed = [0] if label.kind == "area" else [0, 1, 2]
        best = next((tiers[t] for t in allowed if t in tiers), None)
        if best is None:
            dropped += 1
            continue
        text, dx, dy, ha, va, bb = best
        kept.append(_annotate(ax, label, text, dx, dy, ha, va, halo_scale))
        kept_boxes.append(bb)
        placed.setdefault(label.text, []).append(anchor)
    return kept, dropped


def _halo(scale: float):
    from matplotlib import patheffects

    return patheffects.withStroke(linewidth=2.5 * scale, foreground="white")


def _legend_handles(layers: Sequence[MapLayer], entries_by_layer) -> tuple[list, list[int]]:
    """Return legend handles and the positions of layer headings (bold)."""
    handles, headings = [], []
    for layer, (data, entries, dashed) in zip(layers, entries_by_layer, strict=True):
        kinds = set(data.geom_type.dropna())
        if not (len(entries) == 1 and entries[0][0] == layer.name and not layer.legend_title):
            headings.append(len(handles))
            label = layer.legend_title or layer.name
            handles.append(Line2D([], [], linestyle="none", label=label))
        for label, color in entries:
            if kinds <= {"Point", "MultiPoint"}:
                h = Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker="o",
                    markersize=7,
                    markerfacecolor=color,
                    markeredgecolor="#222222",
                    label=label,
                )
            elif kinds <= {"LineString", "MultiLineString", "LinearRing"}:
                style = (0, DASHES) if color in dashed else "-"
                h = Line2D([], [], color=color, linewidth=2, linestyle=style, label=label)
            elif layer.fill_opacity == 0:  # drawn as outlines (_draw_layer)
                h = Patch(facecolor="none", edgecolor=color, linewidth=1.0, label=label)
            else:
                h = Patch(
                    facecolor=color,
                    edgecolor="#333333",
                    linewidth=0.5,
                    label=label,
                    alpha=_fill_alpha(layer),
                )
            handles.append(h)
    return handles, headings


def _fill_alpha(layer: MapLayer) -> float:
    return max(layer.fill_opacity, 0.35)


def _savefig(fig: Figure, path: Path, fmt: str, dpi: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    metadata = {"CreationDate": None} if fmt == "pdf" else None  # reproducible bytes
    return atomic_write(path, lambda tmp: fig.savefig(tmp, format=fmt, dpi=dpi, metadata=metadata))


def _draw_inset(fig: Figure, ax, inset: Inset, crs, legend, orientation: str, scale: float):
    """Draw the locator map under (landscape) or beside (portrait) the legend."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    box = legend.get_window_extent(renderer).transformed(fig.transFigure.inverted())
    if orientation == "landscape":
        x0, x1 = 0.785, 0.98
        y0, y1 = 0.07, box.y0 - 0.04
    else:
        x0, x1 = max(box.x1 + 0.02, 0.70), 0.96
        y0, y1 = 0.05, 0.23
    if y1 - y0 < 0.1 or x1 - x0 < 0.08:  # no room beside the legend: a corner of the map
        pos = ax.get_position()
        x0, x1 = pos.x1 - 0.16 * pos.width, pos.x1 - 0.01 * pos.width
        y0, y1 = pos.y0 + 0.01 * pos.height, pos.y0 + 0.36 * pos.height
    units = inset.units
    sub = fig.add_axes([x0, y0, x1 - x0, y1 - y0 - 0.025])
    sub.set_anchor("N")
    units.plot(ax=sub, color="#dddddd", edgecolor="#ffffff", linewidth=0.3 * scale)
    if inset.highlight is not None and not inset.highlight.empty:
        shown = (
            to_crs(inset.highlight, units.crs)
            if inset.highlight.crs != units.crs
            else (inset.highlight)
        )
        shown.plot(ax=sub, color="#d7191c", edgecolor="#7f0000", linewidth=0.3 * scale)
    # the printed frame, densified so that it stays a true outline in the inset's CRS
    fx0, fx1 = ax.get_xlim()
    fy0, fy1 = ax.get_ylim()
    frame = shapely.segmentize(shapely.box(fx0, fy0, fx1, fy1), max(fx1 - fx0, fy1 - fy0) / 20)
    frame = to_crs(gpd.GeoDataFrame(geometry=[frame], crs=crs), units.crs)
    frame.boundary.plot(ax=sub, color="#d7191c", linewidth=0.9 * scale)
    bounds = np.vstack([units.total_bounds, frame.total_bounds])  # the frame may stick out
    ux0, uy0 = bounds[:, :2].min(axis=0)
    ux1, uy1 = bounds[:, 2:].max(axis=0)
    margin = 0.02 * max(ux1 - ux0, uy1 - uy0)
    sub.set_xlim(ux0 - margin, ux1 + margin)
    sub.set_ylim(uy0 - margin, uy1 + margin)
    sub.set_aspect("equal", adjustable="box")
    sub.set_xticks([])
    sub.set_yticks([])
    sub.set_xlabel("")  # geopandas names the CRS axes
    sub.set_ylabel("")
    for spine in sub.spines.values():
        spine.set_linewidth(0.6 * scale)
    sub.set_title(inset.title, fontsize=8.5 * scale, pad=3 * scale)
    return sub


def print_map(
    layers: Sequence[MapLayer],
    path: str | os.PathLike,
    *,
    title: str,
    subtitle: str | None = None,
    source: str | None = None,
    paper: str = "A3",
    orientation: str | None = None,
    formats: Iterable[str] = ("png", "pdf"),
    dpi: int = 200,
    north_label: str = "B",
    inset: Inset | None = None,
) -> list[Path]:
    """Draw ``layers`` on a printable page and save it as PNG and/or PDF.

    Parameters
    ----------
    layers : sequence of MapLayer
        Drawn in order (first at the bottom). All are drawn in the CRS of the first layer,
        which must be projected in metres (EPSG:9205); others are reprojected with
        :func:`gis.crs.to_crs`.
    path : path-like
        Output path; its suffix is replaced by each format's (``map.png``, ``map.pdf``).
    title, subtitle : str
        Heading of the page.
    source : str, optional
        Source note printed under the map, followed by the coordinate system.
    paper : {"A4", "A3", "A2", "A1", "A0"}
        ISO paper size.
    orientation : {"landscape", "portrait"}, optional
        Default: landscape if the layers' extent is wider than tall.
    formats : iterable of str
        Any of ``"png"``, ``"pdf"``, ``"svg"``.
    dpi : int
        Resolution of raster output.
    north_label : str
        Letter over the north arrow (``"B"``, Bắc).
    inset : Inset, optional
        Locator map (:func:`locator_inset`): in the legend column under the legend (landscape)
        or beside the legend (portrait), with the printed frame outlined in red. None: no inset.

    Returns
    -------
    list of Path
        Files written (atomically), in the order of ``formats``.

    Raises
    ------
    LayerError
        No layers, unknown paper/orientation/format, or text the font cannot draw.
    CRSError
        The first layer is not in a projected CRS in metres.
    """
    if not layers:
        raise LayerError("print_map needs at least one MapLayer; got none.")
    formats = [f.lower().lstrip(".") for f in formats]
    bad = [f for f in formats if f not in ("png", "pdf", "svg")]
    if bad or not formats:
        raise LayerError(f"format(s) {bad or formats} not supported; use 'png', 'pdf' or 'svg'.")
    crs = require_metric_crs(layers[0].data, name=layers[0].name, purpose="printed maps")
    frames, legends = [], []
    for layer in layers:
        colors, entries = layer_legend(layer)
        data = layer.data if layer.data.crs == crs else to_crs(layer.data, crs)
        frames.append((data, colors))
        legends.append((data, entries, dashed_entries(layer, colors)))
    _check_text(title, subtitle, source, north_label, *(e for _, es, _ in legends for e, _ in es))
    for layer, (data, _) in zip(layers, frames, strict=True):
        _check_labels(layer, data)
    bounds = np.vstack([d.total_bounds for d, _ in frames if not d.empty])
    x0, y0 = bounds[:, 0].min(), bounds[:, 1].min()
    x1, y1 = bounds[:, 2].max(), bounds[:, 3].max()
    if orientation is None:
        orientation = "landscape" if (x1 - x0) >= (y1 - y0) else "portrait"
    if orientation not in ("landscape", "portrait"):
        raise LayerError(f"orientation {orientation!r} unknown; use 'landscape' or 'portrait'.")
    width_in, height_in = _paper_inches(paper, orientation)
    scale = min(width_in, height_in) / (PAPER_MM["A3"][0] / _MM_PER_INCH)  # 1.0 on A3

    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(width_in, height_in))
        if orientation == "landscape":
            ax_rect, legend_anchor, legend_loc = (
                [0.02, 0.07, 0.74, 0.82],
                (0.77, 0.89),
                "upper left",
            )
        else:
            ax_rect, legend_anchor, legend_loc = (
                [0.04, 0.25, 0.92, 0.65],
                (0.5, 0.23),
                "upper center",
            )
        ax = fig.add_axes(ax_rect)
        # points at the very same place (1 m), across layers: the lower ones as rings
        radii = radii_by_layer(layers, [d for d, _ in frames], decimals=0)
        labels: list[list[_Label]] = []
        for i, (layer, (data, colors)) in enumerate(zip(layers, frames, strict=True)):
            if not data.empty:
                labels.append(_draw_layer(ax, layer, data, colors, scale, radii[i]))
        # limits with the axes' own width:height, so that equal aspect keeps the frame in place
        box_ratio = (ax_rect[2] * width_in) / (ax_rect[3] * height_in)
        pad = 0.03 * max(x1 - x0, y1 - y0)
        half_w, half_h = (x1 - x0) / 2 + pad, (y1 - y0) / 2 + pad
        half_w, half_h = max(half_w, half_h * box_ratio), max(half_h, half_w / box_ratio)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        ax.set_xlim(cx - half_w, cx + half_w)
        ax.set_ylim(cy - half_h, cy + half_h)
        ax.set_aspect("equal", adjustable="box")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("")
        ax.set_ylabel("")
        for spine in ax.spines.values():
            spine.set_linewidth(0.8 * scale)
        # labels of the layers drawn last (on top) first, then the units' names
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        ordered = [la for layer_labels in reversed(labels) for la in layer_labels]
        # bigger symbols (towns by class, gates) before smaller ones; units' names last
        ordered.sort(key=lambda la: (la.kind == "area", -la.gap_pt))  # stable
        renderer = FigureCanvasAgg(fig).get_renderer()
        ax.apply_aspect()
        heavy = _heavy_lines_px(ax, layers, frames, renderer)
        symbols = _symbols_px(ax, layers, frames, radii, scale, renderer)
        _place_labels(fig, ax, ordered, heavy, symbols, halo_scale=scale)

        fig.text(
            0.5, 0.965, title, ha="center", va="center", fontsize=20 * scale, fontweight="bold"
        )
        if subtitle:
            fig.text(0.5, 0.925, subtitle, ha="center", va="center", fontsize=12 * scale)

        handles, headings = _legend_handles(layers, legends)
        ncol = 1 if orientation == "landscape" else min(3, len(layers))
        leg = fig.legend(
            handles=handles,
            loc=legend_loc,
            bbox_to_anchor=legend_anchor,
            ncol=ncol,
            frameon=False,
            fontsize=9 * scale,
            title="Chú giải",
            title_fontproperties={"weight": "bold", "size": 11 * scale},
            alignment="left",
            handlelength=1.8,
        )
        for i in headings:
            leg.get_texts()[i].set_fontweight("bold")
        if inset is not None:
            _draw_inset(fig, ax, inset, crs, leg, orientation, scale)

        ax.add_artist(
            ScaleBar(
                1,
                "m",
                location="lower left",
                border_pad=0.8,  # the box clear of the frame line
                length_fraction=0.25,
                box_alpha=0.8,
                scale_loc="top",
                label=scale_text(scale_denominator(ax)),  # 1:N beside the bar
                label_loc="right",
                font_properties={"family": FONT, "size": 9 * scale},
            )
        )
        angle = math.radians(north_angle_deg(crs, cx, cy))
        length_pt = 40 * scale
        ax.annotate(
            north_label,
            xy=(0.95, 0.93),
            xycoords="axes fraction",
            xytext=(-math.sin(angle) * length_pt, -math.cos(angle) * length_pt),
            textcoords="offset points",
            ha="center",
            va="center",
            alpha=0,  # the text is drawn separately, above the head
            arrowprops={
                "arrowstyle": "-|>",
                "color": "black",
                "lw": 1.5 * scale,
                "mutation_scale": 18 * scale,
            },
        )
        ax.annotate(
            north_label,
            xy=(0.95, 0.93),
            xycoords="axes fraction",
            xytext=(math.sin(angle) * 10 * scale, math.cos(angle) * 10 * scale),
            textcoords="offset points",
            ha="center",
            va="center",
            fontsize=14 * scale,
            fontweight="bold",
        )

        crs_note = f"Hệ tọa độ: {crs.name}" + (f" (EPSG:{crs.to_epsg()})" if crs.to_epsg() else "")
        note = f"Nguồn: {source}. {crs_note}." if source else f"{crs_note}."
        fig.text(
            0.02,
            0.025,
            note,
            ha="left",
            va="center",
            fontsize=8 * scale,
            color="#333333",
            wrap=True,
        )

        out = Path(path)
        written = [_savefig(fig, out.with_suffix(f".{fmt}"), fmt, dpi) for fmt in formats]
    return written
