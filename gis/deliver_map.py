"""A map of the delivery in the layout of Circular 04/2023/TT-BKHĐT (Phụ lục I–II): GeoTIFF, GeoPDF.

:func:`location_map` draws map III.1 of Phụ lục I ("Sơ đồ vị trí và các mối quan hệ của tỉnh")
from a delivered geodatabase (:mod:`gis.deliver`) and writes it as a georeferenced GeoTIFF at
300 dpi or more, and the same sheet as a (raster) GeoPDF, printed 1:1 (Art. 4: scanned maps as
GeoTIFF or GeoPDF, ≥ 300 dpi, at 100 %), at an exact numeric scale (1:1,000,000 by default;
Phụ lục I III.1 allows 1:250,000, 1:500,000 or 1:1,000,000). The layout follows Phụ lục II.I.1:

* outside the frame: the title centred above it, the numeric scale with a scale bar centred
  below it;
* in the frame: the north arrow top-right, the legend bottom-left, the signature block
  bottom-right (the provincial block of Phụ lục II.I.2.b: map name and scale, the dossier
  reference, the four signature boxes, "Hệ tọa độ: VN-2000" and "Nguồn tài liệu");
* no grid or coordinates: the location map has none (Phụ lục II.I.1.3); ``grid=True`` draws the
  kilometre grid with its coordinates that the other maps carry;
* planned lines dashed (Phụ lục II.II.b); points drawn over lines over areas (Art. 8.4).

The GeoTIFF's geotransform maps every pixel of the sheet to the delivery CRS (the frame is drawn
at equal aspect, so the sheet is one affine image of the ground); its TIFF resolution tags say
the dpi. The symbol sheets of Phụ lục II (colours, symbol graphics) are images in the Công báo
edition and were not available: the symbols here are the toolkit's own [I].
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import matplotlib
import numpy as np
import pyogrio
import pyproj
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrow, Patch, Rectangle

from gis._writes import atomic_write
from gis.crs import to_crs
from gis.errors import LayerError, LayerNotFoundError, ProfileError
from gis.maplayer import format_vi
from gis.profile import Profile, load_profile

__all__ = ["MAP_FILE", "MIN_DPI", "location_map"]

#: File name of the location map in ``OUT/maps/`` (Phụ lục I III.1).
MAP_FILE = "SoDoViTriCacMoiQuanHe_III1.tif"
#: Art. 4 of the circular: scanned maps at 300 dpi or more.
MIN_DPI = 300
_MM = 25.4
_RC = {"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"], "text.parse_math": False}
#: How the delivered layers are drawn: layer -> (kind, style, legend label, z-order). Points over
#: lines over areas (Art. 8.4); planned lines dashed (Phụ lục II.II.b). Layers absent from the
#: delivery are skipped.
_STYLES: dict[str, tuple[str, dict, str, int]] = {
    "DinhHuongVungKinhTe_A": ("area", {"facecolor": "#fde9c9", "edgecolor": "#d9a55b",
                                       "linewidth": 0.4}, "Vùng định hướng phát triển", 1),
    "HienTrangKhuKinhTe_A": ("area", {"facecolor": "#f4b6c2", "edgecolor": "#c0392b",
                                      "linewidth": 0.6}, "Khu kinh tế cửa khẩu", 2),
    "RanhGioiTinh_A": ("area", {"facecolor": "none", "edgecolor": "#b03060", "linewidth": 1.6},
                       "Ranh giới tỉnh", 3),
    "HienTrangDuongBo_L": ("line", {"color": "#d35400", "linewidth": 1.1},
                           "Quốc lộ, đường tỉnh (hiện trạng)", 4),
    "DinhHuongDuongBo_L": ("line", {"color": "#d35400", "linewidth": 1.3, "linestyle": (0, (4, 2))},
                           "Đường bộ quy hoạch (nét đứt)", 5),
    "DinhHuongHanhLangKinhTe_L": ("line", {"color": "#8e44ad", "linewidth": 2.2, "alpha": 0.55,
                                           "linestyle": (0, (6, 3))},
                                  "Hành lang kinh tế (định hướng, nét đứt)", 5),
    "HienTrangCuaKhau_P": ("point", {"marker": "D", "color": "#c0392b", "markersize": 5},
                           "Cửa khẩu", 7),
    "DinhHuongDoThi_P": ("point", {"marker": "o", "color": "#1f4e79", "markersize": 5,
                                   "markeredgecolor": "white"}, "Đô thị (định hướng đến 2030)", 8),
    "DinhHuongCangHangKhong_P": ("point", {"marker": "^", "color": "#2c3e50", "markersize": 6,
                                           "markerfacecolor": "white"},
                                 "Cảng hàng không (dự kiến)", 8),
}  # fmt: skip


def _read(gdb: Path, layer: str, crs: str) -> gpd.GeoDataFrame | None:
    try:
        return to_crs(pyogrio.read_dataframe(gdb, layer=layer), crs)
    except pyogrio.errors.DataLayerError:
        return None


def _neighbours(profile: Profile, crs: str) -> gpd.GeoDataFrame | None:
    from gis.store import read_layer

    try:
        national = load_profile("_national", layers_dir=profile.path.parent)
        return to_crs(read_layer("provinces_2025", province=national), crs)
    except (ProfileError, LayerNotFoundError):
        return None


def _signature(ax, profile: Profile, title: str, scale: int, crs_name: str, sources: str) -> None:
    """The provincial signature block (Phụ lục II.I.2.b), bottom-right inside the frame."""
    name = profile.name.upper()
    x0, y0, w, h = 0.60, 0.015, 0.385, 0.30
    ax.add_patch(Rectangle((x0, y0), w, h, transform=ax.transAxes, facecolor="white",
                           edgecolor="black", linewidth=0.6, zorder=20))  # fmt: skip
    text = dict(transform=ax.transAxes, zorder=21, ha="center", va="top", wrap=True)
    top = y0 + h - 0.008
    ax.text(x0 + w / 2, top, f"TÊN SƠ ĐỒ, BẢN ĐỒ: {title.upper()}", fontsize=5.2,
            weight="bold", **text)  # fmt: skip
    ax.text(x0 + w / 2, top - 0.034, f"TỶ LỆ: 1:{format_vi(scale)}", fontsize=5.2, **text)
    ref = (f"Hồ sơ trình thẩm định, trình quyết định hoặc phê duyệt quy hoạch tại Tờ trình số … "
           f"ngày … của …; hoặc đã cập nhật, bổ sung, hoàn thiện theo văn bản quyết định hoặc phê "
           f"duyệt quy hoạch số {profile.plan.document_vi or '…'}")  # fmt: skip
    ax.text(x0 + w / 2, top - 0.056, "\n".join(_wrap(ref, 92)), fontsize=4.0, **text)
    boxes = [f"ỦY BAN NHÂN DÂN TỈNH {name}", "CƠ QUAN LẬP QUY HOẠCH TỈNH",
             "CƠ QUAN, TỔ CHỨC CÓ LIÊN QUAN (nếu có)", "ĐƠN VỊ TƯ VẤN LẬP QUY HOẠCH"]  # fmt: skip
    bw, by, bh = w / 4, y0 + 0.05, 0.12
    for i, label in enumerate(boxes):
        bx = x0 + i * bw
        ax.add_patch(Rectangle((bx, by), bw, bh, transform=ax.transAxes, facecolor="none",
                               edgecolor="black", linewidth=0.4, zorder=21))  # fmt: skip
        ax.text(bx + bw / 2, by + bh - 0.006, "\n".join(_wrap(label, 22)), fontsize=3.8,
                weight="bold", **text)  # fmt: skip
        ax.text(bx + bw / 2, by + 0.03, "(chữ ký của người có thẩm quyền,\ndấu/chữ ký của cơ "
                "quan, tổ chức)", fontsize=3.0, style="italic", **text)  # fmt: skip
    ax.text(x0 + 0.006, y0 + 0.043, f"Hệ tọa độ: VN-2000 ({crs_name})", fontsize=4.4,
            **{**text, "ha": "left"})  # fmt: skip
    ax.text(x0 + 0.006, y0 + 0.025, "\n".join(_wrap(f"Nguồn tài liệu: {sources}", 110)),
            fontsize=3.6, **{**text, "ha": "left"})  # fmt: skip


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width=width) or [""]


def _north_arrow(ax) -> None:
    """North arrow, top-right inside the frame (Phụ lục II.I.1.4)."""
    ax.add_patch(FancyArrow(0.955, 0.885, 0, 0.07, width=0.008, head_width=0.03,
                            head_length=0.03, transform=ax.transAxes, color="black",
                            zorder=20, length_includes_head=True))  # fmt: skip
    ax.text(0.955, 0.962, "B", transform=ax.transAxes, ha="center", va="bottom",
            fontsize=9, weight="bold", zorder=20)  # fmt: skip


def _grid(ax, step_m: float) -> None:
    """Kilometre grid with its coordinates (the maps other than the location map)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    xs = np.arange(math.ceil(x0 / step_m) * step_m, x1, step_m)
    ys = np.arange(math.ceil(y0 / step_m) * step_m, y1, step_m)
    for x in xs:
        ax.axvline(x, color="#7f8c8d", linewidth=0.3, zorder=0.5)
    for y in ys:
        ax.axhline(y, color="#7f8c8d", linewidth=0.3, zorder=0.5)
    ax.set_xticks(xs, [f"{x / 1000:.0f}" for x in xs], fontsize=5)
    ax.set_yticks(ys, [f"{y / 1000:.0f}" for y in ys], fontsize=5, rotation=90, va="center")
    ax.tick_params(top=True, labeltop=True, right=True, labelright=True, length=2)


def location_map(
    delivery: str | Path,
    profile: Profile,
    path: str | Path,
    *,
    scale: int = 1_000_000,
    dpi: int = MIN_DPI,
    grid: bool = False,
    margin_km: float = 40.0,
    geopdf: bool = True,
) -> dict:
    """Draw map III.1 of the delivery in ``delivery`` and write it as a GeoTIFF at ``path``.

    Parameters
    ----------
    delivery : path
        A folder written by :func:`gis.deliver.deliver_province`.
    profile : Profile
        The province (names, plan document, delivery CRS).
    scale : int
        Denominator of the printed scale (exact on the sheet printed at its size).
    dpi : int
        Resolution, at least :data:`MIN_DPI`.
    grid : bool
        Draw the kilometre grid and coordinates (not on a location map: Phụ lục II.I.1.3).
    geopdf : bool
        Also write the sheet as a georeferenced PDF (GeoPDF, raster) beside the GeoTIFF.

    Returns
    -------
    dict
        ``path`` (GeoTIFF), ``pdf`` (GeoPDF or None), ``width``/``height`` (pixels), ``dpi``,
        ``scale``, ``crs``, ``sheet_mm``.
    """
    import rasterio
    from rasterio.transform import Affine

    if dpi < MIN_DPI:
        raise LayerError(f"dpi {dpi} is below the {MIN_DPI} dpi of Art. 4 of the circular.")
    gdbs = sorted(Path(delivery).glob("*.gdb"))
    if len(gdbs) != 1:
        raise LayerError(f"{delivery} holds {len(gdbs)} .gdb; deliver first (gis deliver).")
    gdb, crs = gdbs[0], profile.delivery_crs
    outline = _read(gdb, "RanhGioiTinh_A", crs)
    if outline is None:
        raise LayerError(f"{gdb.name} has no RanhGioiTinh_A (the province outline) to frame.")
    bx0, by0, bx1, by1 = outline.total_bounds
    m = margin_km * 1000
    # room below the province for the legend (left) and the signature block (right)
    x0, x1, y0, y1 = bx0 - m, bx1 + m, by0 - m - 0.55 * (by1 - by0), by1 + m
    frame_w_in = (x1 - x0) / scale * 1000 / _MM
    frame_h_in = (y1 - y0) / scale * 1000 / _MM
    pad = 0.6 if grid else 0.4  # inches around the frame; title above, scale below
    sheet_w, sheet_h = frame_w_in + 2 * pad, frame_h_in + 2 * pad + 0.9
    with matplotlib.rc_context(_RC):
        fig, ax = _draw(gdb, profile, crs, scale, dpi, grid, (x0, x1, y0, y1),
                        (frame_w_in, frame_h_in, pad, sheet_w, sheet_h))  # fmt: skip
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        ax.apply_aspect()
        rgba = np.asarray(canvas.buffer_rgba())
        box = ax.get_window_extent()  # pixels, origin bottom-left
    title = _title(profile)
    height, width = rgba.shape[:2]
    res_x = (x1 - x0) / box.width
    res_y = (y1 - y0) / box.height
    if abs(res_x - res_y) > 1e-6 * res_x:
        raise LayerError("the frame is not at equal aspect; cannot georeference the sheet.")
    transform = Affine(res_x, 0, x0 - box.x0 * res_x, 0, -res_y, y1 + (height - box.y1) * res_y)
    path = Path(path)

    def _write(tmp: Path) -> None:
        with rasterio.open(tmp, "w", driver="GTiff", width=width, height=height, count=3,
                           dtype="uint8", crs=pyproj.CRS.from_user_input(crs).to_wkt(),
                           transform=transform, compress="deflate", photometric="RGB",
                           tiled=True) as dst:  # fmt: skip
            dst.write(np.moveaxis(rgba[:, :, :3], 2, 0))
            dst.update_tags(TIFFTAG_XRESOLUTION=str(dpi), TIFFTAG_YRESOLUTION=str(dpi),
                            TIFFTAG_RESOLUTIONUNIT="2", TIFFTAG_DOCUMENTNAME=title,
                            SCALE=f"1:{scale}")  # fmt: skip

    atomic_write(path, _write)
    pdf = None
    if geopdf:  # the same sheet as a GeoPDF (GDAL's PDF driver, write-only in rasterio's GDAL)
        import rasterio.shutil

        pdf = path.with_suffix(".pdf")
        atomic_write(pdf, lambda tmp: rasterio.shutil.copy(path, tmp, driver="PDF", DPI=dpi))
    return {"path": path, "pdf": pdf, "width": width, "height": height, "dpi": dpi, "scale": scale,
            "crs": crs, "sheet_mm": (round(sheet_w * _MM), round(sheet_h * _MM))}  # fmt: skip


def _title(profile: Profile) -> str:
    return f"Sơ đồ vị trí và các mối quan hệ của tỉnh {profile.name}"


def _draw(gdb, profile, crs, scale, dpi, grid, extent, sizes):
    """The sheet as a matplotlib figure; returns (figure, map axes)."""
    x0, x1, y0, y1 = extent
    frame_w_in, frame_h_in, pad, sheet_w, sheet_h = sizes
    fig = Figure(figsize=(sheet_w, sheet_h), dpi=dpi)
    ax = fig.add_axes((pad / sheet_w, (pad + 0.45) / sheet_h, frame_w_in / sheet_w,
                       frame_h_in / sheet_h))  # fmt: skip
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="box")
    ax.set_facecolor("#f4f6f7")
    for side in ax.spines.values():
        side.set_linewidth(1.2)
    if not grid:
        ax.set_xticks([])
        ax.set_yticks([])
    neighbours = _neighbours(profile, crs)
    if neighbours is not None:
        neighbours.plot(ax=ax, facecolor="#fbfcfc", edgecolor="#95a5a6", linewidth=0.5, zorder=0.8)
        own = neighbours["code"].astype(str) == str(profile.code)
        box = shapely.box(x0, y0, x1, y1)
        for _, row in neighbours[~own].iterrows():
            inside = row.geometry.intersection(box)
            if inside.area > 0.02 * box.area:
                p = inside.representative_point()
                ax.text(p.x, p.y, str(row.get("name", "")).upper(), fontsize=6, color="#7f8c8d",
                        ha="center", zorder=0.9, clip_on=True)  # fmt: skip
    handles = []
    for layer, (kind, style, label, z) in _STYLES.items():
        data = _read(gdb, layer, crs)
        if data is None or data.empty:
            continue
        if kind == "area":
            data.plot(ax=ax, zorder=z, **style)
            handles.append(Patch(label=label, **style))
        elif kind == "line":
            data.plot(ax=ax, zorder=z, **style)
            handles.append(Line2D([], [], label=label, **style))
        else:
            xy = data.geometry
            ax.plot(xy.x, xy.y, linestyle="none", zorder=z, **style)
            handles.append(Line2D([], [], linestyle="none", label=label, **style))
            if layer == "DinhHuongDoThi_P":
                for _, row in data.iterrows():
                    ax.annotate(row["ten"], (row.geometry.x, row.geometry.y), xytext=(3, 3),
                                textcoords="offset points", fontsize=5, zorder=z + 1)  # fmt: skip
    ax.set_xlabel("")
    ax.set_ylabel("")
    if grid:
        _grid(ax, 20_000 if scale <= 500_000 else 50_000)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.legend(handles=handles, loc="lower left", fontsize=5.5, title="CHÚ GIẢI",
              title_fontsize=6.5, frameon=True, framealpha=1, edgecolor="black").set_zorder(20)
    _north_arrow(ax)
    title = _title(profile)
    crs_name = pyproj.CRS.from_user_input(crs).name
    sources = (f"{profile.plan.document_vi or profile.name}; cơ sở dữ liệu {gdb.name} theo "
               "Thông tư 04/2023/TT-BKHĐT (nguồn của từng đối tượng: trường nguon)")
    if neighbours is not None:
        sources += "; ranh giới các tỉnh lân cận: lớp provinces_2025 (dữ liệu quốc gia)"
    _signature(ax, profile, title, scale, crs_name, sources)
    fig.text(0.5, 1 - (pad * 0.5) / sheet_h, title.upper(), ha="center", va="center",
             fontsize=13, weight="bold")  # fmt: skip
    fig.text(0.5, (pad + 0.12) / sheet_h, f"Tỷ lệ 1:{format_vi(scale)}", ha="center",
             va="center", fontsize=9)  # fmt: skip
    _scale_bar(fig, ax, scale, pad, sheet_h)
    return fig, ax


def _scale_bar(fig, ax, scale: int, pad: float, sheet_h: float) -> None:
    """A scale bar matching the numeric scale, centred below the frame (Phụ lục II.I.1.2)."""
    km = 20 if scale <= 500_000 else 50
    length_in = km * 1_000_000 / scale / _MM  # km on paper, inches
    sheet_w = fig.get_figwidth()
    left = 0.5 - length_in / sheet_w / 2
    y = (pad + 0.3) / sheet_h
    bar = fig.add_axes((left, y, length_in / sheet_w, 0.06 / sheet_h))
    for i in range(4):
        bar.add_patch(Rectangle((i / 4, 0), 0.25, 1, facecolor="black" if i % 2 == 0 else "white",
                                edgecolor="black", linewidth=0.5))  # fmt: skip
    bar.set_xlim(0, 1)
    bar.set_ylim(0, 1)
    bar.set_xticks([0, 0.5, 1], ["0", f"{km / 2:g}", f"{km} km"], fontsize=6)
    bar.set_yticks([])
    bar.tick_params(length=1.5, pad=1)
