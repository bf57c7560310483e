"""Printable maps (PNG and PDF) with matplotlib, from the same layer specs as the web maps.

A printed planning map needs what a screen map can leave out: a title, a legend, a scale bar in
metres, a north arrow, and a note of sources and coordinate system. :func:`print_map` draws all
of them on an ISO paper size, in the layers' own projected CRS (the planning CRS EPSG:9205, so
the scale bar is true in metres), with colours and legend rows from
:func:`gis.maplayer.layer_legend`, the same as the web map.

Text is set in DejaVu Sans, which ships with matplotlib and covers every Vietnamese letter
(:func:`missing_glyphs` checks a text against the font); PDFs embed it as TrueType
(``pdf.fonttype = 42``) so the letters stay searchable and copyable.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

import geopandas as gpd
import matplotlib
import numpy as np
import pyproj
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib_scalebar.scalebar import ScaleBar

from gis.crs import require_metric_crs, to_crs, transformer
from gis.errors import LayerError
from gis.maplayer import (
    MapLayer,
    dashed_entries,
    dashed_mask,
    layer_legend,
    radii_by_layer,
)

__all__ = ["FONT", "PAPER_MM", "missing_glyphs", "north_angle_deg", "print_map"]

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


#: Dash pattern of dashed lines (planned roads), in line widths.
DASHES = (3.0, 2.0)


#: Font size of labels on an A3 print (pt); scaled with the paper.
LABEL_PT = 7.5


def _draw_layer(
    ax, layer: MapLayer, data: gpd.GeoDataFrame, colors, scale: float, radii=None
) -> list:
    """Draw one layer; return its labels (matplotlib annotations)."""
    kinds = set(data.geom_type.dropna())
    c = colors.to_numpy()
    if kinds <= {"Point", "MultiPoint"}:
        r = np.full(len(data), layer.radius) if radii is None else np.asarray(radii)
        data.plot(
            ax=ax,
            color=c,
            edgecolor="#222222",
            linewidth=0.4 * scale,
            markersize=(r * 1.6 * scale) ** 2,
            zorder=4,
        )
    elif kinds <= {"LineString", "MultiLineString", "LinearRing"}:
        dashed = dashed_mask(layer).to_numpy()
        lw = layer.weight * 1.2 * scale
        if (~dashed).any():
            data[~dashed].plot(ax=ax, color=c[~dashed], linewidth=lw, zorder=3)
        if dashed.any():
            data[dashed].plot(ax=ax, color=c[dashed], linewidth=lw, linestyle=(0, DASHES),
                              zorder=3)  # fmt: skip
    else:
        data.plot(
            ax=ax,
            color=c,
            edgecolor="#333333",
            linewidth=0.4 * layer.weight * scale,
            alpha=_fill_alpha(layer),
            zorder=2,
        )
    labels = []
    if layer.label:
        points = kinds <= {"Point", "MultiPoint"}
        r = np.full(len(data), layer.radius) if radii is None else np.asarray(radii)
        pts = data.geometry.representative_point()
        for p, text, rad in zip(pts, data[layer.label], r, strict=True):
            if p is None or p.is_empty or text is None or text != text:
                continue
            # a point's label beside its symbol, a polygon's at its middle
            labels.append(
                ax.annotate(
                    str(text),
                    (p.x, p.y),
                    xytext=((rad * 1.6 / 2 + 2) * scale if points else 0, 0),
                    textcoords="offset points",
                    ha="left" if points else "center",
                    va="center",
                    fontsize=LABEL_PT * scale,
                    color="#111111",
                    zorder=5,
                    path_effects=[_halo(scale)],
                )
            )
    return labels


def _drop_overlapping(fig: Figure, labels: list) -> int:
    """Remove labels that overlap a label kept before them; return how many were removed.

    ``labels`` are in order of priority (the first is always kept).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    kept, dropped = [], 0
    for label in labels:
        box = label.get_window_extent(renderer).expanded(1.02, 1.1)
        if any(box.overlaps(other) for other in kept):
            label.remove()
            dropped += 1
        else:
            kept.append(box)
    return dropped


def _halo(scale: float):
    from matplotlib import patheffects

    return patheffects.withStroke(linewidth=2.0 * scale, foreground="white")


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
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=f".{fmt}", dir=path.parent)
    os.close(fd)
    try:
        metadata = {"CreationDate": None} if fmt == "pdf" else None  # reproducible bytes
        fig.savefig(tmp, format=fmt, dpi=dpi, metadata=metadata)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


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
        labels = []
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
        # labels of the layers drawn last (on top) first; one overlapping a kept label is left out
        _drop_overlapping(fig, [la for layer_labels in reversed(labels) for la in layer_labels])

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

        ax.add_artist(
            ScaleBar(
                1,
                "m",
                location="lower left",
                length_fraction=0.25,
                box_alpha=0.8,
                scale_loc="top",
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
