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

The layout parts (:func:`signature_block`, :func:`north_arrow`, :func:`km_grid`,
:func:`scale_bar`) and the writer (:func:`write_sheet`) serve the other maps of the set too
(:mod:`gis.deliver_mapset`). :func:`write_sheet` renders the sheet in horizontal strips of
:data:`STRIP_PX` rows (matplotlib ``savefig(bbox_inches=strip)``, written window by window with
rasterio), so memory follows the strip, not the sheet: a 1:100,000 sheet of a province is some
20,000 × 20,000 pixels at 300 dpi, 1.6 GB as one RGBA canvas. Lines that cross a strip are
solid, or dashed by geometry (:func:`dash_lines`): Agg clips a line to the canvas before dashing
it, so a matplotlib dash pattern would restart at every strip edge.
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
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrow, Patch, Rectangle

from gis._writes import atomic_write
from gis.crs import to_crs
from gis.errors import LayerError, LayerNotFoundError, ProfileError
from gis.maplayer import format_vi
from gis.profile import Profile, load_profile

__all__ = [
    "LAYER_STYLES",
    "MAP_FILE",
    "MIN_DPI",
    "SHEET_RC",
    "STRIP_PX",
    "dash_lines",
    "km_grid",
    "location_map",
    "neighbour_provinces",
    "north_arrow",
    "preview_png",
    "read_delivered",
    "scale_bar",
    "signature_block",
    "write_sheet",
]

#: File name of the location map in ``OUT/maps/`` (Phụ lục I III.1).
MAP_FILE = "SoDoViTriCacMoiQuanHe_III1.tif"
#: Art. 4 of the circular: scanned maps at 300 dpi or more.
MIN_DPI = 300
#: Rows of the sheet rendered at once by :func:`write_sheet`: at 300 dpi a strip of a 1.9 m wide
#: sheet is 22,748 × 2,048 px, 186 MB as RGBA. Measured on Lai Châu's 1:100,000 sheet (22,748 ×
#: 17,959 px): 0.88 GB peak memory and 25 s with 2,048 rows; 0.79 GB and 31 s with 1,024.
STRIP_PX = 2048
#: GDAL block cache while writing a sheet (MB); GDAL's default, 5 % of RAM, would keep a whole
#: 1:100,000 sheet (1.2 GB of RGB) in memory.
GDAL_CACHE_MB = 256
_MM = 25.4
#: Matplotlib settings of every delivery sheet: DejaVu Sans has the Vietnamese glyphs.
SHEET_RC = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "text.parse_math": False,
}
#: How the delivered layers are drawn: layer -> (kind, style, legend label, z-order). Points over
#: lines over areas (Art. 8.4); planned lines dashed (Phụ lục II.II.b). Layers absent from the
#: delivery are skipped.
LAYER_STYLES: dict[str, tuple[str, dict, str, int]] = {
    "DinhHuongVungKinhTe_A": (
        "area",
        {"facecolor": "#fde9c9", "edgecolor": "#d9a55b", "linewidth": 0.4},
        "Vùng định hướng phát triển",
        1,
    ),
    "HienTrangKhuKinhTe_A": (
        "area",
        {"facecolor": "#f4b6c2", "edgecolor": "#c0392b", "linewidth": 0.6},
        "Khu kinh tế cửa khẩu",
        2,
    ),
    "RanhGioiTinh_A": (
        "area",
        {"facecolor": "none", "edgecolor": "#b03060", "linewidth": 1.6},
        "Ranh giới tỉnh",
        3,
    ),
    "HienTrangDuongBo_L": (
        "line",
        {"color": "#d35400", "linewidth": 1.1},
        "Quốc lộ, đường tỉnh (hiện trạng)",
        4,
    ),
    "DinhHuongDuongBo_L": (
        "line",
        {"color": "#d35400", "linewidth": 1.3, "linestyle": (0, (4, 2))},
        "Đường bộ quy hoạch (nét đứt)",
        5,
    ),
    "DinhHuongHanhLangKinhTe_L": (
        "line",
        {"color": "#8e44ad", "linewidth": 2.2, "alpha": 0.55, "linestyle": (0, (6, 3))},
        "Hành lang kinh tế (định hướng, nét đứt)",
        5,
    ),
    "HienTrangCuaKhau_P": (
        "point",
        {"marker": "D", "color": "#c0392b", "markersize": 5},
        "Cửa khẩu",
        7,
    ),
    "DinhHuongDoThi_P": (
        "point",
        {"marker": "o", "color": "#1f4e79", "markersize": 5, "markeredgecolor": "white"},
        "Đô thị (định hướng đến 2030)",
        8,
    ),
    "DinhHuongCangHangKhong_P": (
        "point",
        {"marker": "^", "color": "#2c3e50", "markersize": 6, "markerfacecolor": "white"},
        "Cảng hàng không (dự kiến)",
        8,
    ),
}


def read_delivered(gdb: Path, layer: str, crs: str) -> gpd.GeoDataFrame | None:
    """Layer ``layer`` of a delivered geodatabase in ``crs``; None if it was not delivered."""
    try:
        return to_crs(pyogrio.read_dataframe(gdb, layer=layer), crs)
    except pyogrio.errors.DataLayerError:
        return None


def neighbour_provinces(profile: Profile, crs: str) -> gpd.GeoDataFrame | None:
    """The provinces of 2025 (``layers/_national``) in ``crs``, for the base of a sheet."""
    from gis.store import read_layer

    try:
        national = load_profile("_national", layers_dir=profile.path.parent)
        return to_crs(read_layer("provinces_2025", province=national), crs)
    except (ProfileError, LayerNotFoundError):
        return None


def signature_block(
    fig,
    rect,
    profile: Profile,
    title: str,
    scale: int,
    crs_name: str,
    sources: str,
    *,
    k: float = 1.0,
) -> None:
    """The provincial signature block (Phụ lục II.I.2.b) in ``rect`` (figure fraction).

    Map name and scale, the dossier reference, the four signature boxes, "Hệ tọa độ: VN-2000"
    with the delivery CRS and "Nguồn tài liệu". ``k`` scales the text (1: a box of about
    105 × 95 mm).
    """
    name = profile.name.upper()
    sig = fig.add_axes(rect, zorder=30)
    sig.set_axis_off()
    sig.set_xlim(0, 1)
    sig.set_ylim(0, 1)
    sig.add_patch(
        Rectangle(
            (0, 0), 1, 1, facecolor="white", edgecolor="black", linewidth=0.6 * k, clip_on=False
        )
    )
    text = dict(zorder=2, ha="center", va="top")
    sig.text(
        0.5,
        0.975,
        "\n".join(_wrap(f"TÊN SƠ ĐỒ, BẢN ĐỒ: {title.upper()}", 70)),
        fontsize=5.2 * k,
        weight="bold",
        **text,
    )
    sig.text(0.5, 0.865, f"TỶ LỆ: 1:{format_vi(scale)}", fontsize=5.2 * k, **text)
    ref = (
        f"Hồ sơ trình thẩm định, trình quyết định hoặc phê duyệt quy hoạch tại Tờ trình số … "
        f"ngày … của …; hoặc đã cập nhật, bổ sung, hoàn thiện theo văn bản quyết định hoặc phê "
        f"duyệt quy hoạch số {profile.plan.document_vi or '…'}"
    )
    sig.text(0.5, 0.79, "\n".join(_wrap(ref, 92)), fontsize=4.0 * k, **text)
    boxes = [
        f"ỦY BAN NHÂN DÂN TỈNH {name}",
        "CƠ QUAN LẬP QUY HOẠCH TỈNH",
        "CƠ QUAN, TỔ CHỨC CÓ LIÊN QUAN (nếu có)",
        "ĐƠN VỊ TƯ VẤN LẬP QUY HOẠCH",
    ]
    for i, label in enumerate(boxes):
        bx = i / 4
        sig.add_patch(
            Rectangle(
                (bx, 0.167), 0.25, 0.40, facecolor="none", edgecolor="black", linewidth=0.4 * k
            )
        )
        sig.text(
            bx + 0.125, 0.547, "\n".join(_wrap(label, 22)), fontsize=3.8 * k, weight="bold", **text
        )
        sig.text(
            bx + 0.125,
            0.267,
            "(chữ ký của người có thẩm quyền,\ndấu/chữ ký của cơ quan, tổ chức)",
            fontsize=3.0 * k,
            style="italic",
            **text,
        )
    sig.text(
        0.016, 0.143, f"Hệ tọa độ: VN-2000 ({crs_name})", fontsize=4.4 * k, **{**text, "ha": "left"}
    )
    sig.text(
        0.016,
        0.083,
        "\n".join(_wrap(f"Nguồn tài liệu: {sources}", 110)[:3]),
        fontsize=3.6 * k,
        **{**text, "ha": "left"},
    )


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width=width) or [""]


def north_arrow(ax, *, k: float = 1.0, x: float = 0.955, y: float = 0.955) -> None:
    """North arrow with its tip at ``(x, y)`` (axes fraction), top-right inside the frame
    (Phụ lục II.I.1.4); 20 mm long for ``k = 1``, "B" (Bắc) above it."""
    from matplotlib.transforms import ScaledTranslation

    inches = ax.figure.dpi_scale_trans + ScaledTranslation(x, y, ax.transAxes)
    length = 0.8 * k
    ax.add_patch(
        FancyArrow(
            0,
            -length,
            0,
            length,
            width=0.08 * k,
            head_width=0.3 * k,
            head_length=0.3 * k,
            transform=inches,
            color="black",
            zorder=20,
            length_includes_head=True,
        )
    )
    ax.text(
        0,
        0.03 * k,
        "B",
        transform=inches,
        ha="center",
        va="bottom",
        fontsize=9 * k,
        weight="bold",
        zorder=20,
    )


def km_grid(
    ax, step_m: float, *, k: float = 1.0, crs: str | None = None, geo_step_min: int | None = None
) -> None:
    """Kilometre grid with its coordinates (every map but the location map, Phụ lục II.I.1.3).

    ``crs`` and ``geo_step_min`` also mark geographic coordinates (degrees and minutes) on the
    frame, every ``geo_step_min`` minutes, outside the kilometre labels.
    """
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    xs = np.arange(math.ceil(x0 / step_m) * step_m, x1, step_m)
    ys = np.arange(math.ceil(y0 / step_m) * step_m, y1, step_m)
    for x in xs:
        ax.plot([x, x], [y0, y1], color="#7f8c8d", linewidth=0.3 * k, zorder=0.5)
    for y in ys:
        ax.plot([x0, x1], [y, y], color="#7f8c8d", linewidth=0.3 * k, zorder=0.5)
    ax.set_xticks(xs, [f"{x / 1000:.0f}" for x in xs], fontsize=5 * k)
    ax.set_yticks(ys, [f"{y / 1000:.0f}" for y in ys], fontsize=5 * k, rotation=90, va="center")
    ax.tick_params(
        top=True,
        labeltop=True,
        right=True,
        labelright=True,
        length=2 * k,
        width=0.5 * k,
        pad=1.5 * k,
    )
    if crs is None or not geo_step_min:
        return
    to_geo = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    n = 2000
    edges = {  # edge -> x, y along it, the coordinate read (0 lon, 1 lat), text offset (pt)
        "bottom": (np.linspace(x0, x1, n), np.full(n, y0), 0, (0, -14)),
        "top": (np.linspace(x0, x1, n), np.full(n, y1), 0, (0, 14)),
        "left": (np.full(n, x0), np.linspace(y0, y1, n), 1, (-14, 0)),
        "right": (np.full(n, x1), np.linspace(y0, y1, n), 1, (14, 0)),
    }
    for ex, ey, which, (dx, dy) in edges.values():
        values = np.asarray(to_geo.transform(ex, ey)[which]) * 60  # minutes
        for m in range(
            math.ceil(values.min() / geo_step_min) * geo_step_min,
            math.floor(values.max() / geo_step_min) * geo_step_min + 1,
            geo_step_min,
        ):
            i = (
                int(np.searchsorted(values, m))
                if values[-1] > values[0]
                else int(np.searchsorted(-values, -m))
            )
            i = min(max(i, 0), n - 1)
            px, py = ex[i], ey[i]
            label = f"{m // 60}°{m % 60:02d}'"
            ax.annotate(
                label,
                (px, py),
                xytext=(dx * k, dy * k),
                textcoords="offset points",
                ha="center",
                va="center",
                fontsize=4.6 * k,
                color="#1a5276",
                rotation=90 if which == 1 else 0,
                annotation_clip=False,
                arrowprops={
                    "arrowstyle": "-",
                    "color": "#1a5276",
                    "lw": 0.5 * k,
                    "shrinkA": 0,
                    "shrinkB": 0,
                },
            )


def scale_bar(fig, ax, scale: int, y_in: float, *, k: float = 1.0, km: float | None = None):
    """A scale bar matching the numeric scale, centred on the sheet at ``y_in`` inches from its
    bottom (Phụ lục II.I.1.2)."""
    if km is None:
        km = 20 if scale <= 500_000 else 50
    length_in = km * 1_000_000 / scale / _MM  # km on paper, inches
    sheet_w, sheet_h = fig.get_figwidth(), fig.get_figheight()
    left = 0.5 - length_in / sheet_w / 2
    bar = fig.add_axes((left, y_in / sheet_h, length_in / sheet_w, 0.06 * k / sheet_h))
    for i in range(4):
        bar.add_patch(
            Rectangle(
                (i / 4, 0),
                0.25,
                1,
                facecolor="black" if i % 2 == 0 else "white",
                edgecolor="black",
                linewidth=0.5 * k,
            )
        )
    bar.set_xlim(0, 1)
    bar.set_ylim(0, 1)
    bar.set_xticks([0, 0.5, 1], ["0", f"{km / 2:g}", f"{km:g} km"], fontsize=6 * k)
    bar.set_yticks([])
    bar.tick_params(length=1.5 * k, pad=1 * k, width=0.5 * k)
    for side in bar.spines.values():
        side.set_linewidth(0.5 * k)
    return bar


def dash_lines(geoms, on_m: float, off_m: float):
    """Lines cut into dashes of ``on_m`` metres every ``on_m + off_m`` (a planned feature's
    dashed line, Phụ lục II.II.b), as one MultiLineString per geometry; polygon rings are cut too.

    A dash pattern in geometry is the same in every strip of :func:`write_sheet` and in any
    renderer; matplotlib's own restarts where Agg clips the line to its canvas.
    """
    out = []
    period = on_m + off_m
    for geom in geoms:
        if geom is None or geom.is_empty:
            out.append(shapely.MultiLineString())
            continue
        if geom.geom_type in ("Polygon", "MultiPolygon"):
            geom = geom.boundary
        dashes = []
        for line in getattr(geom, "geoms", [geom]):
            xy = shapely.get_coordinates(line)
            dist = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(xy, axis=0).T))])
            if len(xy) < 2 or dist[-1] <= 0:
                continue
            starts = np.arange(0.0, dist[-1], period)
            ends = np.minimum(starts + on_m, dist[-1])
            a, b = _along(xy, dist, starts), _along(xy, dist, ends)
            first = np.searchsorted(dist, starts, side="right")
            last = np.searchsorted(dist, ends, side="left")
            for i in range(len(starts)):
                dashes.append(np.vstack([a[i], xy[first[i] : last[i]], b[i]]))
        out.append(shapely.MultiLineString(dashes) if dashes else shapely.MultiLineString())
    return out


def _along(xy: np.ndarray, dist: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Points at distances ``at`` along the polyline ``xy`` (cumulative lengths ``dist``)."""
    i = np.clip(np.searchsorted(dist, at, side="right") - 1, 0, len(dist) - 2)
    step = dist[i + 1] - dist[i]
    f = np.divide(at - dist[i], step, out=np.zeros_like(at), where=step > 0)
    return xy[i] + f[:, None] * (xy[i + 1] - xy[i])


def _sheet_transform(ax, extent, width: int, height: int):
    """The geotransform of a sheet whose map axes show ``extent`` = (x0, x1, y0, y1)."""
    from rasterio.transform import Affine

    x0, x1, y0, y1 = extent
    ax.apply_aspect()
    box = ax.get_window_extent()  # pixels at the figure's dpi, origin bottom-left
    res_x = (x1 - x0) / box.width
    res_y = (y1 - y0) / box.height
    if abs(res_x - res_y) > 1e-6 * res_x:
        raise LayerError("the frame is not at equal aspect; cannot georeference the sheet.")
    return Affine(res_x, 0, x0 - box.x0 * res_x, 0, -res_y, y1 + (height - box.y1) * res_y)


def sheet_figure(width_in: float, height_in: float, dpi: int) -> Figure:
    """A figure of a whole number of pixels at ``dpi`` (the GeoTIFF's size; a fraction of a pixel
    is dropped, as matplotlib does)."""
    return Figure(figsize=(int(width_in * dpi) / dpi, int(height_in * dpi) / dpi), dpi=dpi)


def write_sheet(
    fig: Figure,
    ax,
    extent,
    path: str | Path,
    *,
    crs: str,
    dpi: int,
    title: str,
    scale: int,
    geopdf: bool = True,
    strip_px: int = STRIP_PX,
    overviews: bool = False,
) -> dict:
    """Render ``fig`` in strips into a georeferenced GeoTIFF (and GeoPDF) at ``path``.

    ``ax`` is the map frame showing ``extent`` = (x0, x1, y0, y1) in ``crs`` at equal aspect; the
    geotransform maps every pixel of the sheet to ``crs``. The TIFF carries its dpi in the
    resolution tags, the title and ``SCALE=1:N``. ``overviews`` adds reduced levels (2-32) for
    viewing a big sheet in QGIS. Returns ``path``, ``pdf``, ``width``, ``height`` (pixels),
    ``dpi``, ``scale``, ``crs``, ``sheet_mm`` and ``strips``.
    """
    import io

    import rasterio
    from matplotlib.transforms import Bbox
    from rasterio.windows import Window

    if abs(fig.dpi - dpi) > 1e-9:
        raise LayerError(f"the figure is drawn at {fig.dpi} dpi, not {dpi}.")
    width = round(fig.get_figwidth() * dpi)
    height = round(fig.get_figheight() * dpi)
    transform = _sheet_transform(ax, extent, width, height)
    path = Path(path)
    strips = list(range(0, height, strip_px))

    def _write(tmp: Path) -> None:
        profile = dict(
            driver="GTiff",
            width=width,
            height=height,
            count=3,
            dtype="uint8",
            crs=pyproj.CRS.from_user_input(crs).to_wkt(),
            transform=transform,
            compress="deflate",
            photometric="RGB",
            tiled=True,
            blockxsize=512,
            blockysize=512,
            BIGTIFF="IF_SAFER",
        )
        with rasterio.open(tmp, "w", **profile) as dst:
            for top in strips:
                rows = min(strip_px, height - top)
                # +0.01 px: Agg truncates the canvas size; the 1/100 px shift is invisible
                box = Bbox.from_bounds(
                    0, (height - top - rows) / dpi, (width + 0.01) / dpi, (rows + 0.01) / dpi
                )
                buf = io.BytesIO()
                fig.savefig(
                    buf, format="raw", dpi=dpi, bbox_inches=box, pad_inches=0, facecolor="white"
                )
                rgba = np.frombuffer(buf.getbuffer(), dtype=np.uint8)
                if rgba.size != rows * width * 4:
                    raise LayerError(
                        f"strip at row {top} rendered as {rgba.size} bytes, not "
                        f"{rows} × {width} RGBA; cannot write the sheet."
                    )
                rgba = rgba.reshape(rows, width, 4)
                dst.write(np.moveaxis(rgba[:, :, :3], 2, 0), window=Window(0, top, width, rows))
                del rgba, buf
            dst.update_tags(
                TIFFTAG_XRESOLUTION=str(dpi),
                TIFFTAG_YRESOLUTION=str(dpi),
                TIFFTAG_RESOLUTIONUNIT="2",
                TIFFTAG_DOCUMENTNAME=title,
                SCALE=f"1:{scale}",
            )
        if overviews:
            from rasterio.enums import Resampling

            with rasterio.open(tmp, "r+") as dst:
                dst.build_overviews([2, 4, 8, 16, 32], Resampling.average)

    # GDAL's block cache defaults to 5 % of RAM and would hold the whole sheet: bound it
    with rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MB * 1024 * 1024):
        atomic_write(path, _write)
        pdf = None
        if geopdf:  # the same sheet as a GeoPDF (GDAL's PDF driver, write-only in rasterio's GDAL)
            import rasterio.shutil

            pdf = path.with_suffix(".pdf")
            atomic_write(pdf, lambda tmp: rasterio.shutil.copy(path, tmp, driver="PDF", DPI=dpi))
    return {
        "path": path,
        "pdf": pdf,
        "width": width,
        "height": height,
        "dpi": dpi,
        "scale": scale,
        "crs": crs,
        "sheet_mm": (round(width / dpi * _MM), round(height / dpi * _MM)),
        "strips": len(strips),
    }


def preview_png(tif: str | Path, png: str | Path, *, width_px: int = 2000) -> Path:
    """A reduced PNG of a sheet (for a look on screen; not part of the delivery)."""
    import rasterio
    from PIL import Image
    from rasterio.enums import Resampling

    with rasterio.open(tif) as src:
        h = max(1, round(src.height * width_px / src.width))
        data = src.read(out_shape=(3, h, width_px), resampling=Resampling.average)
    Image.fromarray(np.moveaxis(data, 0, 2)).save(png)
    return Path(png)


def delivered_outline(
    delivery: str | Path, profile: Profile, *, dpi: int, draft: bool
) -> tuple[Path, str, gpd.GeoDataFrame]:
    """The geodatabase of a delivery folder, the delivery CRS and the province outline
    (``RanhGioiTinh_A``) that frames every sheet; refuses a dpi below Art. 4's."""
    if dpi < MIN_DPI and not draft:
        raise LayerError(f"dpi {dpi} is below the {MIN_DPI} dpi of Art. 4 of the circular.")
    gdbs = sorted(Path(delivery).glob("*.gdb"))
    if len(gdbs) != 1:
        raise LayerError(f"{delivery} holds {len(gdbs)} .gdb; deliver first (gis deliver).")
    gdb, crs = gdbs[0], profile.delivery_crs
    outline = read_delivered(gdb, "RanhGioiTinh_A", crs)
    if outline is None:
        raise LayerError(f"{gdb.name} has no RanhGioiTinh_A (the province outline) to frame.")
    return gdb, crs, outline


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
    draft: bool = False,
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
        Resolution, at least :data:`MIN_DPI` (unless ``draft``).
    grid : bool
        Draw the kilometre grid and coordinates (not on a location map: Phụ lục II.I.1.3).
    geopdf : bool
        Also write the sheet as a georeferenced PDF (GeoPDF, raster) beside the GeoTIFF.
    draft : bool
        Allow a dpi below :data:`MIN_DPI` (a preview or a test; not a delivery).

    Returns
    -------
    dict
        ``path`` (GeoTIFF), ``pdf`` (GeoPDF or None), ``width``/``height`` (pixels), ``dpi``,
        ``scale``, ``crs``, ``sheet_mm``.
    """
    gdb, crs, outline = delivered_outline(delivery, profile, dpi=dpi, draft=draft)
    bx0, by0, bx1, by1 = outline.total_bounds
    m = margin_km * 1000
    # room below the province for the legend (left) and the signature block (right)
    x0, x1, y0, y1 = bx0 - m, bx1 + m, by0 - m - 0.55 * (by1 - by0), by1 + m
    frame_w_in = (x1 - x0) / scale * 1000 / _MM
    frame_h_in = (y1 - y0) / scale * 1000 / _MM
    pad = 0.6 if grid else 0.4  # inches around the frame; title above, scale below
    sheet_w, sheet_h = frame_w_in + 2 * pad, frame_h_in + 2 * pad + 0.9
    with matplotlib.rc_context(SHEET_RC):
        fig, ax = _draw(
            gdb,
            profile,
            crs,
            scale,
            dpi,
            grid,
            (x0, x1, y0, y1),
            (frame_w_in, frame_h_in, pad, sheet_w, sheet_h),
        )
        return write_sheet(
            fig,
            ax,
            (x0, x1, y0, y1),
            path,
            crs=crs,
            dpi=dpi,
            title=_title(profile),
            scale=scale,
            geopdf=geopdf,
        )


def _title(profile: Profile) -> str:
    return f"Sơ đồ vị trí và các mối quan hệ của tỉnh {profile.name}"


def _draw(gdb, profile, crs, scale, dpi, grid, extent, sizes):
    """The sheet as a matplotlib figure; returns (figure, map axes)."""
    x0, x1, y0, y1 = extent
    frame_w_in, frame_h_in, pad, sheet_w, sheet_h = sizes
    fig = sheet_figure(sheet_w, sheet_h, dpi)
    sheet_w, sheet_h = fig.get_figwidth(), fig.get_figheight()
    ax = fig.add_axes(
        (pad / sheet_w, (pad + 0.45) / sheet_h, frame_w_in / sheet_w, frame_h_in / sheet_h)
    )
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="box")
    ax.set_facecolor("#f4f6f7")
    for side in ax.spines.values():
        side.set_linewidth(1.2)
    if not grid:
        ax.set_xticks([])
        ax.set_yticks([])
    neighbours = neighbour_provinces(profile, crs)
    if neighbours is not None:
        neighbours.plot(ax=ax, facecolor="#fbfcfc", edgecolor="#95a5a6", linewidth=0.5, zorder=0.8)
        own = neighbours["code"].astype(str) == str(profile.code)
        box = shapely.box(x0, y0, x1, y1)
        for _, row in neighbours[~own].iterrows():
            inside = row.geometry.intersection(box)
            if inside.area > 0.02 * box.area:
                p = inside.representative_point()
                ax.text(
                    p.x,
                    p.y,
                    str(row.get("name", "")).upper(),
                    fontsize=6,
                    color="#7f8c8d",
                    ha="center",
                    zorder=0.9,
                    clip_on=True,
                )
    handles = []
    for layer, (kind, style, label, z) in LAYER_STYLES.items():
        data = read_delivered(gdb, layer, crs)
        if data is None or data.empty:
            continue
        if kind == "area":
            data.plot(ax=ax, zorder=z, **style)
            handles.append(Patch(label=label, **style))
        elif kind == "line":
            _dashed_plot(ax, data, style, z, scale)
            handles.append(Line2D([], [], label=label, **style))
        else:
            xy = data.geometry
            ax.plot(xy.x, xy.y, linestyle="none", zorder=z, **style)
            handles.append(Line2D([], [], linestyle="none", label=label, **style))
            if layer == "DinhHuongDoThi_P":
                for _, row in data.iterrows():
                    ax.annotate(
                        row["ten"],
                        (row.geometry.x, row.geometry.y),
                        xytext=(3, 3),
                        textcoords="offset points",
                        fontsize=5,
                        zorder=z + 1,
                    )
    ax.set_xlabel("")
    ax.set_ylabel("")
    if grid:
        km_grid(ax, 20_000 if scale <= 500_000 else 50_000)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.legend(
        handles=handles,
        loc="lower left",
        fontsize=5.5,
        title="CHÚ GIẢI",
        title_fontsize=6.5,
        frameon=True,
        framealpha=1,
        edgecolor="black",
    ).set_zorder(20)
    north_arrow(ax)
    title = _title(profile)
    crs_name = pyproj.CRS.from_user_input(crs).name
    sources = (
        f"{profile.plan.document_vi or profile.name}; cơ sở dữ liệu {gdb.name} theo "
        "Thông tư 04/2023/TT-BKHĐT (nguồn của từng đối tượng: trường nguon)"
    )
    if neighbours is not None:
        sources += "; ranh giới các tỉnh lân cận: lớp provinces_2025 (dữ liệu quốc gia)"
    pos = ax.get_position()  # the block in the frame's bottom-right, as a share of the frame
    signature_block(
        fig,
        (
            pos.x0 + 0.60 * pos.width,
            pos.y0 + 0.015 * pos.height,
            0.385 * pos.width,
            0.30 * pos.height,
        ),
        profile,
        title,
        scale,
        crs_name,
        sources,
    )
    fig.text(
        0.5,
        1 - (pad * 0.5) / sheet_h,
        title.upper(),
        ha="center",
        va="center",
        fontsize=13,
        weight="bold",
    )
    fig.text(
        0.5,
        (pad + 0.12) / sheet_h,
        f"Tỷ lệ 1:{format_vi(scale)}",
        ha="center",
        va="center",
        fontsize=9,
    )
    scale_bar(fig, ax, scale, pad + 0.3)
    return fig, ax


def _dashed_plot(ax, data: gpd.GeoDataFrame, style: dict, z: float, scale: int) -> None:
    """Lines with a ``linestyle`` dash pattern drawn as dashes in geometry (:func:`dash_lines`),
    the pattern taken in points of the line's width as matplotlib would."""
    style = dict(style)
    dash = style.pop("linestyle", None)
    if dash is None or dash == "-":
        data.plot(ax=ax, zorder=z, **style)
        return
    lw = style.get("linewidth", 1.0)
    on_pt, off_pt = dash[1][0] * lw, dash[1][1] * lw
    metres_per_pt = scale * _MM / 72 / 1000
    dashes = dash_lines(data.geometry, on_pt * metres_per_pt, off_pt * metres_per_pt)
    gpd.GeoSeries(dashes, crs=data.crs).plot(ax=ax, zorder=z, **style)
