"""Drawing a delivery sheet (:mod:`gis.deliver_mapset`): symbols, legend rows, label placement.

Private. :class:`Painter` collects what a map draws — areas, lines, point symbols in points of
the printed sheet (× ``k``, the sheet's text scale), legend rows and labels — so that the legend
can be measured before the sheet is laid out, then draws it on the map axes. Planned lines and
area edges are dashed in geometry (:func:`gis.deliver_map.dash_lines`), planned points hollow in
a dashed ring, and a symbol that would cover one drawn before is moved beside it (Art. 8.4).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import matplotlib
import numpy as np
import shapely
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from gis.deliver_map import SHEET_RC, dash_lines, read_delivered
from gis.profile import Profile

__all__ = [
    "Painter",
    "darker",
    "layout",
    "legend",
    "legend_size_in",
    "lighter",
    "place_labels",
    "renderer",
]

_MM = 25.4


@dataclass
class Painter:
    """Collects what a map draws (areas, lines, points, labels, legend rows), then draws it."""

    gdb: Path
    profile: Profile
    crs: str
    scale: int
    k: float
    ops: list = field(default_factory=list)
    legend: list = field(default_factory=list)  # (heading or None, handle)
    labels: list = field(default_factory=list)  # (text, x, y, gap_pt, size_pt, style, rank)
    layers: list[str] = field(default_factory=list)
    placed: list = field(default_factory=list)  # symbols drawn: (x, y, radius in metres)

    @property
    def m_per_pt(self) -> float:
        return self.scale * _MM / 72 / 1000

    def read(self, layer: str) -> gpd.GeoDataFrame | None:
        data = read_delivered(self.gdb, layer, self.crs)
        if data is not None and len(data):
            self.layers.append(layer)
            return data
        return None

    def heading(self, text: str) -> None:
        self.legend.append((text, None))

    def area(self, data, *, face, edge, lw=0.5, dashed=False, alpha=1.0, z=1.0, label=None):
        lw = lw * self.k
        if face != "none":
            self.ops.append(
                lambda ax: data.plot(ax=ax, facecolor=face, edgecolor="none", alpha=alpha, zorder=z)
            )
        edges = data.boundary
        if dashed:  # shared edges once: two dash patterns on one edge would read as a solid line
            edges = gpd.GeoSeries(
                [shapely.line_merge(shapely.union_all(edges.values))], crs=data.crs
            )
        if edge != "none":
            self.line(
                edges.to_frame("geometry"), color=edge, lw=lw / self.k, dashed=dashed, z=z + 0.1
            )
        if label:
            self.legend.append(
                (
                    None,
                    Patch(
                        facecolor=face,
                        edgecolor=edge,
                        alpha=alpha,
                        linewidth=lw,
                        label=label,
                        linestyle=(0, (3, 2)) if dashed else "-",
                    ),
                )
            )

    def line(self, data, *, color, lw, dashed=False, z=4.0, alpha=1.0, label=None):
        lw = lw * self.k
        geoms = data.geometry
        if dashed:
            geoms = gpd.GeoSeries(
                dash_lines(geoms, 3 * lw * self.m_per_pt, 2 * lw * self.m_per_pt), crs=data.crs
            )
        self.ops.append(
            lambda ax: geoms.plot(
                ax=ax, color=color, linewidth=lw, alpha=alpha, zorder=z, capstyle="butt"
            )
        )
        if label:
            self.legend.append(
                (
                    None,
                    Line2D(
                        [],
                        [],
                        color=color,
                        linewidth=lw,
                        alpha=alpha,
                        linestyle=(0, (3, 2)) if dashed else "-",
                        label=label,
                    ),
                )
            )

    def points(
        self,
        data,
        *,
        marker,
        size_pt,
        face,
        edge="#222222",
        planned=False,
        z=7.0,
        label=None,
        sizes=None,
    ):
        """Point symbols (radius ``size_pt`` × k); planned ones hollow in a dashed ring.

        A symbol that would cover one drawn before is moved beside it (Art. 8.4: the symbol of
        lower priority is shifted next to the higher one; the earlier call has priority).
        Returns the symbols' drawn positions, for their labels.
        """
        r = (np.full(len(data), size_pt) if sizes is None else np.asarray(sizes)) * self.k
        xy = self._displace(
            np.column_stack([data.geometry.x, data.geometry.y]), r, 2.2 * self.k if planned else 0.0
        )
        fill = "white" if planned else face
        line = darker(face, 0.65) if planned else edge  # a pale class colour needs a darker ring
        self.ops.append(
            lambda ax: ax.scatter(
                xy[:, 0],
                xy[:, 1],
                s=(2 * r) ** 2,
                marker=marker,
                facecolor=fill,
                edgecolor=line,
                linewidths=0.5 * self.k * (2 if planned else 1),
                zorder=z,
            )
        )
        if planned:
            rings = [
                shapely.Point(x, y).buffer((ri + 2.2 * self.k) * self.m_per_pt)
                for (x, y), ri in zip(xy, r, strict=True)
            ]
            ring_frame = gpd.GeoDataFrame(geometry=rings, crs=data.crs)
            self.line(
                ring_frame.boundary.to_frame("geometry").set_geometry("geometry"),
                color=line,
                lw=0.6,
                dashed=True,
                z=z - 0.05,
            )
        if label:
            self.legend.append(
                (
                    None,
                    Line2D(
                        [],
                        [],
                        linestyle="none",
                        marker=marker,
                        markersize=2 * float(np.median(r)),
                        markerfacecolor=fill,
                        markeredgecolor=line,
                        markeredgewidth=0.5 * self.k * (2 if planned else 1),
                        label=label,
                    ),
                )
            )
        return xy

    def _displace(self, xy: np.ndarray, r_pt: np.ndarray, ring_pt: float) -> np.ndarray:
        out = xy.copy()
        for i, (x, y) in enumerate(xy):
            radius = (r_pt[i] + ring_pt) * self.m_per_pt
            for dx, dy in ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, -1)):
                step = max(
                    [pr + radius + self.k * self.m_per_pt for *_, pr in self.placed], default=0.0
                )
                cx, cy = x + dx * step, y + dy * step
                if all(math.hypot(cx - px, cy - py) >= pr + radius for px, py, pr in self.placed):
                    break
            out[i] = (cx, cy)
            self.placed.append((cx, cy, radius))
        return out

    def label(self, text, x, y, *, gap_pt=2.0, size=4.2, rank=0, **style):
        if text:
            self.labels.append((str(text), x, y, gap_pt * self.k, size * self.k, style, rank))

    def draw(self, ax) -> None:
        for op in self.ops:
            op(ax)


def lighter(color: str) -> str:
    from matplotlib.colors import to_hex, to_rgb

    return to_hex([c + (1 - c) * 0.45 for c in to_rgb(color)])


def darker(color: str, share: float = 0.6) -> str:
    from matplotlib.colors import to_hex, to_rgb

    return to_hex([c * share for c in to_rgb(color)])


def legend(ax_or_fig, p: Painter, **where):
    handles, bold = [], []
    for heading, handle in p.legend:
        if heading is not None:
            bold.append(len(handles))
            handles.append(Line2D([], [], linestyle="none", label=heading))
        else:
            handles.append(handle)
    leg = ax_or_fig.legend(
        handles=handles,
        fontsize=5.2 * p.k,
        title="CHÚ GIẢI",
        title_fontproperties={"weight": "bold", "size": 6.5 * p.k},
        frameon=True,
        framealpha=1,
        edgecolor="black",
        alignment="left",
        handlelength=2.6,
        borderpad=0.8,
        **where,
    )
    leg.get_frame().set_linewidth(0.6 * p.k)
    for i in bold:
        leg.get_texts()[i].set_fontweight("bold")
    return leg


def renderer(dpi: float):
    from matplotlib.backends.backend_agg import RendererAgg

    return RendererAgg(8, 8, dpi)  # text metrics only: no canvas of the sheet's size


def legend_size_in(p: Painter) -> tuple[float, float]:
    from matplotlib.figure import Figure

    with matplotlib.rc_context(SHEET_RC):
        fig = Figure(figsize=(40, 40), dpi=72)
        box = legend(fig, p, loc="lower left").get_window_extent(renderer(72))
    return box.width / 72, box.height / 72


def place_labels(ax, p: Painter, blocked: list, dpi: float) -> list[str]:
    """Greedy placement: the first of eight positions free of other labels, point symbols, the
    legend, the signature block and the frame edge; higher ``rank`` first. Returns the texts
    left out."""
    from matplotlib.transforms import Bbox

    text_renderer = renderer(dpi)
    ax_box = ax.get_window_extent()
    placed = list(blocked)
    px_per_m = ax_box.width / (ax.get_xlim()[1] - ax.get_xlim()[0])
    for x, y, radius in p.placed:  # point symbols: no label over another symbol
        cx, cy = ax.transData.transform((x, y))
        r = radius * px_per_m * 0.95  # a label may touch its own symbol's edge
        placed.append(Bbox.from_extents(cx - r, cy - r, cx + r, cy + r))
    dropped = []
    for text, x, y, gap, size, style, _rank in sorted(p.labels, key=lambda t: -t[6]):
        style = dict(style)
        boxed = style.pop("boxed", False)
        area = gap == 0 and not boxed
        if area:
            options = [
                (0, 0, "center", "center"),
                (0, size, "center", "center"),
                (0, -size, "center", "center"),
            ]
        elif boxed:
            options = [
                (0, 0, "center", "center"),
                (0, 2 * size, "center", "center"),
                (0, -2 * size, "center", "center"),
            ]
        else:
            d = gap * 0.75
            options = [
                (gap, 0, "left", "center"),
                (-gap, 0, "right", "center"),
                (0, gap, "center", "bottom"),
                (0, -gap, "center", "top"),
                (d, d, "left", "bottom"),
                (d, -d, "left", "top"),
                (-d, d, "right", "bottom"),
                (-d, -d, "right", "top"),
            ]
        kept = False
        for dx, dy, ha, va in options:
            ann = ax.annotate(
                text,
                (x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=size,
                zorder=12,
                **style,
            )
            if boxed:
                ann.set_bbox(
                    {
                        "boxstyle": "round,pad=0.2",
                        "facecolor": "white",
                        "edgecolor": style.get("color", "black"),
                        "linewidth": 0.4 * p.k,
                    }
                )
            else:
                from matplotlib import patheffects

                ann.set_path_effects(
                    [patheffects.withStroke(linewidth=1.6 * p.k, foreground="white")]
                )
            bb = ann.get_window_extent(text_renderer)
            inside = (
                bb.x0 >= ax_box.x0
                and bb.x1 <= ax_box.x1
                and bb.y0 >= ax_box.y0
                and bb.y1 <= ax_box.y1
            )
            if inside and not any(bb.overlaps(o) for o in placed):
                placed.append(bb)
                kept = True
                break
            ann.remove()
        if not kept:
            dropped.append(text)
    return dropped


def layout(province, frame, legend, signature, inch_m: float, gap: float) -> tuple[float, str]:
    """The frame's bottom y and the layout that keeps the legend and the signature block off the
    province with the least extra frame: "split" (legend bottom-left, block bottom-right: Phụ lục
    II.I.1) or "stack" (block bottom-left, which the circular allows, the legend above it).

    ``frame`` is (x0, x1, lowest y); sizes in inches, ``inch_m`` metres of ground per inch.
    """
    x0, x1, low = frame
    (leg_w, leg_h), (sig_w, sig_h) = legend, signature
    layouts = {  # boxes: (x from, x to, bottom above the frame's, height), inches
        "split": [
            (x0 + gap * inch_m, x0 + (gap + leg_w) * inch_m, gap, leg_h),
            (x1 - (gap + sig_w) * inch_m, x1 - gap * inch_m, gap, sig_h),
        ],
        "stack": [
            (x0 + gap * inch_m, x0 + (gap + sig_w) * inch_m, gap, sig_h),
            (x0 + gap * inch_m, x0 + (gap + leg_w) * inch_m, 2 * gap + sig_h, leg_h),
        ],
    }
    best = None
    _, by0, _, by1 = province.bounds
    for name, boxes in layouts.items():
        y0 = low
        for bx0, bx1, bottom, height in boxes:
            strip = province.intersection(shapely.box(bx0, by0 - 1, bx1, by1 + 1))
            if not strip.is_empty:
                y0 = min(y0, strip.bounds[1] - (bottom + height + gap) * inch_m)
        if best is None or y0 > best[0] + 1e-6:
            best = (y0, name)
    return best
