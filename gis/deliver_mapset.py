"""The thematic maps of Phụ lục I of Circular 04/2023/TT-BKHĐT that the layers support.

Beside the location map (III.1, :mod:`gis.deliver_map`), :func:`map_set` draws from a delivered
geodatabase (:mod:`gis.deliver`):

* **III.4** ``SoDoHeThongDoThiNongThon_III4``: the urban and rural system — the 2025 communes
  (xã: rural, phường: urban wards), the urban areas by class to 2030 (existing ones solid,
  new ones hollow and dashed, today's class in the label), the concentrated agriculture zones
  and the connecting roads;
* **III.5** ``SoDoToChucKhongGian_III5``: the spatial organisation (the plan's orientation: the
  axis, the regions and the pillars, headed with the profile's ``axis_vi``, ``regions_vi``,
  ``pillars_vi`` and ``orientation_vi``), with the urban system;
* **III.7** ``SoDoHaTangKyThuat_III7``: technical infrastructure as the layers hold it — roads
  by class and status, power plants, border gates, the airport, industrial zones and clusters,
  the economic zone, mines.

The layout is that of Phụ lục II.I.1: title above the frame and numeric scale with a scale bar
below it, the kilometre grid with its coordinates and geographic coordinates on the frame, the
north arrow top-right, the legend bottom-left and the signature block ("Hệ tọa độ: VN-2000 …",
"Nguồn tài liệu") bottom-right, both in a band below the province if they would cover it;
planned lines and areas dashed (Phụ lục II.II.b; planned points hollow in a dashed ring); points
drawn over lines over areas (Art. 8.4). What the delivery shows by symbol (Art. 8.2.a,
:mod:`gis.symbol_rule`) is a point in the geodatabase, and so a symbol here.

**Scale.** Phụ lục I III.2-III.12 put these maps on the topographic base at 1:25,000, 1:50,000
or 1:100,000 "by the shape and area of the province" (:data:`SCALES`); :func:`choose_scale`
takes the largest of them whose sheet fits the paper (default A0) and, when none fits, the
smallest (1:100,000) on a sheet larger than the paper — the circular names no paper size. A
province of 172 × 125 km (Lai Châu) is then a 1.9 × 1.6 m sheet, about 22,500 × 19,000 px at 300
dpi: written in strips (:func:`gis.deliver_map.write_sheet`). ``scale=250_000`` gives an A0
sheet instead, a reduction the circular does not list for these maps [I].

The symbols and colours are the toolkit's own [I]: the symbol sheets of Phụ lục II are images
in the Công báo edition and were not available.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import pyproj
import shapely
from matplotlib.lines import Line2D

from gis._sheet import (
    Painter,
    layout,
    legend,
    legend_size_in,
    lighter,
    place_labels,
    renderer,
)
from gis.deliver_map import (
    MIN_DPI,
    SHEET_RC,
    delivered_outline,
    km_grid,
    neighbour_provinces,
    north_arrow,
    scale_bar,
    sheet_figure,
    signature_block,
    write_sheet,
)
from gis.errors import LayerError, LayerNotFoundError
from gis.maplayer import format_vi
from gis.profile import Profile

__all__ = ["MAP_SET", "SCALES", "SheetSpec", "choose_scale", "map_set", "thematic_map"]

#: Scales of the provincial maps III.2-III.12 (Phụ lục I: topographic base 1:25k/50k/100k).
SCALES = (25_000, 50_000, 100_000)
_MM = 25.4
_PAPER_MM = {"A0": (841, 1189), "A1": (594, 841), "A2": (420, 594), "A3": (297, 420)}
#: Margins of the sheet around the frame (mm): sides, top (title), bottom (scale).
_SIDE_MM, _TOP_MM, _BOTTOM_MM = 30.0, 60.0, 40.0
#: Kilometre grid and geographic ticks (minutes) per scale [I: the interval of the topographic
#: sheets was not available; a line every 10 cm or less on paper].
_GRID = {25_000: (2_000, 5), 50_000: (5_000, 5), 100_000: (10_000, 10), 250_000: (20_000, 15)}
#: Urban class (delivered ``phanLoai``) -> (radius in pt for k = 1, colour).
_CLASS = {
    "đô thị loại đặc biệt": (7.0, "#67000d"),
    "đô thị loại I": (6.3, "#a50f15"),
    "đô thị loại II": (5.6, "#cb181d"),
    "đô thị loại III": (4.9, "#ef3b2c"),
    "đô thị loại IV": (4.0, "#fb6a4a"),
    "đô thị loại V": (3.2, "#fcae91"),
}
_ROAD = {  # capKyThuat -> (colour, width pt for k = 1)
    "đường cao tốc": ("#ae017e", 1.5),
    "quốc lộ": ("#d7301f", 1.1),
    "đường tỉnh": ("#8c6d31", 0.8),
}
_EXISTING, _PLANNED = "hiện trạng", "quy hoạch"


@dataclass(frozen=True)
class SheetSpec:
    """One map of the set: Phụ lục I number, file stem, title (``{province}``), builder."""

    code: str
    stem: str
    title: str
    build: Callable[[Painter], None]
    needs_any: tuple[str, ...]  # delivered layers: the map is drawn if one of them is there
    subtitle: Callable[[Profile], str | None] = lambda profile: None


# --- the maps ----------------------------------------------------------------------------------


def _communes(p: Painter, *, fill: bool, labels: bool) -> None:
    communes = p.read("RanhGioiXa_A")
    if communes is None:
        return
    wards = communes["ten"].astype(str).str.startswith("Phường")
    if fill:
        for rows, face, text in (
            (communes[~wards], "#eef3d6", "Xã (khu vực nông thôn)"),
            (communes[wards], "#f8cfbf", "Phường (khu vực đô thị)"),
        ):
            if len(rows):
                p.area(rows, face=face, edge="#9a9a9a", lw=0.35, z=1.0, label=text)
    else:
        p.area(
            communes,
            face="none",
            edge="#b0b0b0",
            lw=0.3,
            z=1.4,
            label="Ranh giới xã, phường (2025)",
        )
    if labels:
        for _, row in communes.iterrows():
            at = _anchor(row.geometry)
            p.label(
                row["ten"],
                at.x,
                at.y,
                gap_pt=0,
                size=3.3,
                rank=-1,
                color="#555555",
                fontstyle="italic",
            )


def _anchor(geom):
    part = max(getattr(geom, "geoms", [geom]), key=lambda g: g.area)
    return shapely.get_point(shapely.maximum_inscribed_circle(part, 100.0), 0)


def _outline(p: Painter) -> None:
    """The province boundary (z 3) over the areas. The store's national border (Natural Earth
    1:10m) is not drawn: it strays kilometres from the surveyed province boundary at 1:100,000."""
    province = p.read("RanhGioiTinh_A")
    if province is not None:
        p.area(province, face="none", edge="#8e1b4f", lw=1.6, z=3.0, label="Ranh giới tỉnh")


def _base(profile: Profile, role: str, crs: str) -> gpd.GeoDataFrame | None:
    """A base layer of the store (not delivered: base topographic data), or None."""
    from gis.crs import to_crs
    from gis.store import read_layer

    try:
        return to_crs(read_layer(profile.roles.get(role, role), province=profile), crs)
    except LayerNotFoundError:
        return None


def _rivers(p: Painter) -> None:
    rivers = _base(p.profile, "rivers", p.crs)
    if rivers is not None:
        p.line(rivers, color="#5dade2", lw=0.9, z=2.0, label="Sông, suối chính")


def _roads(p: Painter, *, heading: bool, labels: bool, thin: float = 1.0) -> None:
    existing, planned = p.read("HienTrangDuongBo_L"), p.read("DinhHuongDuongBo_L")
    if existing is None and planned is None:
        return
    if heading:
        p.heading("Giao thông (nét đứt: quy hoạch)")
    for data, dashed, status in ((existing, False, _EXISTING), (planned, True, _PLANNED)):
        if data is None:
            continue
        for cls, rows in data.groupby(data["capKyThuat"].fillna("khác"), sort=False):
            color, lw = _ROAD.get(cls, ("#555555", 0.8))
            if dashed and "loaiQuyHoach" in rows:
                for kind, sub in rows.groupby(rows["loaiQuyHoach"].fillna(_PLANNED)):
                    upgrade = "nâng cấp" in str(kind)  # an existing road upgraded: lighter
                    p.line(
                        sub,
                        color=lighter(color) if upgrade else color,
                        lw=lw * thin,
                        dashed=True,
                        z=5.0,
                        label=f"{cls[:1].upper()}{cls[1:]} ({kind})",
                    )
            else:
                p.line(
                    rows,
                    color=color,
                    lw=lw * thin,
                    dashed=dashed,
                    z=4.5,
                    label=f"{cls[:1].upper()}{cls[1:]} ({status})",
                )
    if labels and existing is not None:
        for ref, rows in existing.groupby("ten"):
            longest = rows.geometry.length.idxmax()
            at = rows.geometry[longest].interpolate(0.5, normalized=True)
            p.label(
                ref,
                at.x,
                at.y,
                gap_pt=0,
                size=3.6,
                rank=1,
                color="#7b241c",
                weight="bold",
                boxed=True,
            )


def _urban(p: Painter, *, scale_symbols: float = 1.0, label: bool = True) -> None:
    """The urban system to 2030 (DinhHuongDoThi_P), today's class from HienTrangDoThi_P."""
    plan, today = p.read("DinhHuongDoThi_P"), p.read("HienTrangDoThi_P")
    if plan is None:
        return
    now = dict(zip(today["maGoc"], today["phanLoai"], strict=True)) if today is not None else {}
    p.heading("Hệ thống đô thị đến năm 2030 (ký hiệu tại vị trí đô thị)")
    exists = plan["maGoc"].isin(list(now))
    at: dict[str, tuple[float, float]] = {}  # where each symbol was drawn
    for cls, (radius, color) in _CLASS.items():
        rows = plan[plan["phanLoai"] == cls]
        if not len(rows):
            continue
        size = radius * scale_symbols
        for sub, planned in ((rows[exists[rows.index]], False), (rows[~exists[rows.index]], True)):
            if len(sub):
                xy = p.points(sub, marker="o", size_pt=size, face=color, planned=planned, z=8.0)
                at.update(zip(sub["maGoc"], map(tuple, xy), strict=True))
        p.legend.append(
            (
                None,
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker="o",
                    markersize=2 * size * p.k,
                    markerfacecolor=color,
                    markeredgecolor="#222222",
                    label=f"{cls[:1].upper()}{cls[1:]}",
                ),
            )
        )
    p.legend.append(
        (
            None,
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=6 * p.k,
                markerfacecolor="#bbbbbb",
                markeredgecolor="#222222",
                label="Đô thị hiện có (nền đặc)",
            ),
        )
    )
    p.legend.append(
        (
            None,
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=6 * p.k,
                markerfacecolor="white",
                markeredgecolor="#777777",
                markeredgewidth=p.k,
                label="Đô thị mới (quy hoạch: rỗng, vòng nét đứt)",
            ),
        )
    )
    if not label:
        return
    for _, row in plan.iterrows():
        cls = str(row["phanLoai"]).replace("đô thị loại ", "")
        before = str(now.get(row["maGoc"], "")).replace("đô thị loại ", "")
        note = (
            f"{before} → {cls}"
            if before and before != cls
            else f"loại {cls}"
            if before
            else f"mới, loại {cls}"
        )
        radius = _CLASS.get(row["phanLoai"], (3.0, ""))[0] * scale_symbols
        x, y = at.get(row["maGoc"], (row.geometry.x, row.geometry.y))
        ring = 0.0 if before else 2.2  # a new urban area's dashed ring
        p.label(
            f"{row['ten']} ({note})",
            x,
            y,
            gap_pt=radius + ring + 1.5,
            size=4.0,
            rank=5,
            weight="bold",
        )


def _urban_rural(p: Painter) -> None:
    p.heading("Đơn vị hành chính cấp xã (từ 01/7/2025)")
    _communes(p, fill=True, labels=True)
    agri = p.read("DinhHuongVungSanXuatNongNghiep_A")
    if agri is not None:
        p.heading("Tổ chức lãnh thổ nông thôn")
        p.area(
            agri,
            face="none",
            edge="#2e7d32",
            lw=0.9,
            dashed=True,
            z=2.5,
            label="Vùng sản xuất nông nghiệp tập trung (định hướng)",
        )
    _rivers(p)
    _outline(p)
    _roads(p, heading=True, labels=True, thin=0.8)
    _urban(p)


def _facilities(p: Painter, *, labels: bool) -> None:
    specs = [  # layer, marker, radius, colour, planned, legend, label?
        (
            "HienTrangNguonDien_P",
            "o",
            None,
            "#1f78b4",
            False,
            "Nhà máy thủy điện (hiện trạng; cỡ: < 30, 30–300, ≥ 300 MW)",
        ),
        ("HienTrangCuaKhau_P", "D", 3.4, "#111111", False, "Cửa khẩu (hiện trạng)"),
        ("DinhHuongCuaKhau_P", "D", 3.4, "#111111", True, "Cửa khẩu (quy hoạch)"),
        ("HienTrangCangHangKhong_P", "^", 4.2, "#1a237e", False, "Cảng hàng không (hiện trạng)"),
        ("DinhHuongCangHangKhong_P", "^", 4.2, "#1a237e", True, "Cảng hàng không (quy hoạch)"),
        ("HienTrangKhuCongNghiep_P", "s", 3.4, "#6a3d9a", False, "Khu công nghiệp (hiện trạng)"),
        ("DinhHuongKhuCongNghiep_P", "s", 3.4, "#6a3d9a", True, "Khu công nghiệp (quy hoạch)"),
        ("HienTrangCumCongNghiep_P", "s", 2.6, "#9e7cc1", False, "Cụm công nghiệp (hiện trạng)"),
        ("DinhHuongCumCongNghiep_P", "s", 2.6, "#9e7cc1", True, "Cụm công nghiệp (quy hoạch)"),
        ("HienTrangTrungTamLogistics_P", "p", 3.2, "#ff7f00", False, "Trung tâm logistics"),
        (
            "DinhHuongTrungTamLogistics_P",
            "p",
            3.2,
            "#ff7f00",
            True,
            "Trung tâm logistics (quy hoạch)",
        ),
        ("HienTrangKhuVucKhoangSan_P", "X", 3.0, "#616161", False, "Khu vực khoáng sản"),
        ("DinhHuongKhuVucKhoangSan_P", "X", 3.0, "#616161", True, "Khu vực khoáng sản (quy hoạch)"),
        ("DinhHuongKhuKinhTe_P", "h", 4.0, "#b15928", True, "Khu kinh tế (ký hiệu, quy hoạch)"),
    ]
    for layer, marker, radius, color, planned, text in specs:
        data = p.read(layer)
        if data is None:
            continue
        sizes = None
        if radius is None:  # power plants by capacity: < 30, 30-300, >= 300 MW
            mw = pd.to_numeric(data.get("congSuatMW"), errors="coerce").fillna(0)
            sizes = np.select([mw >= 300, mw >= 30], [4.5, 3.3], 2.3)
            radius = 3.3
        xy = p.points(
            data,
            marker=marker,
            size_pt=radius,
            face=color,
            planned=planned,
            sizes=sizes,
            label=text,
            z=7.5 if planned else 7.0,
        )
        if labels:
            for i, (_, row) in enumerate(data.iterrows()):
                name = str(row["ten"]).split(" (")[0]
                if "congSuatMW" in row and pd.notna(row["congSuatMW"]):
                    name += f" ({format_vi(row['congSuatMW'])} MW)"
                r = sizes[i] if sizes is not None else radius
                p.label(
                    name,
                    xy[i, 0],
                    xy[i, 1],
                    gap_pt=r + 1.5 + 2.2 * planned,
                    size=3.6,
                    rank=3 if "CuaKhau" in layer else 2,
                    color="#222222",
                )


def _zone(p: Painter) -> None:
    for layer, dashed, text in (
        ("HienTrangKhuKinhTe_A", False, "Khu kinh tế cửa khẩu"),
        ("DinhHuongKhuKinhTe_A", True, "Khu kinh tế (quy hoạch)"),
        ("HienTrangKhuCongNghiep_A", False, "Khu công nghiệp"),
        ("DinhHuongKhuCongNghiep_A", True, "Khu công nghiệp (quy hoạch)"),
    ):
        data = p.read(layer)
        if data is not None:
            basis = data.get("canCuPhapLy")
            cited = (
                f" (ranh giới theo {basis.iloc[0].split(' phê duyệt')[0]})"
                if (basis is not None and len(data) == 1 and basis.iloc[0])
                else ""
            )
            p.area(
                data,
                face="#f4b6c2",
                edge="#b15928",
                lw=1.2,
                dashed=dashed,
                alpha=0.55,
                z=2.2,
                label=f"{text}{cited}",
            )


def _infrastructure(p: Painter) -> None:
    p.heading("Nền")
    _communes(p, fill=False, labels=True)
    _rivers(p)
    _outline(p)
    _zone(p)
    _roads(p, heading=True, labels=True)
    p.heading("Năng lượng, cửa khẩu, sân bay, công nghiệp, khoáng sản")
    _facilities(p, labels=True)


def _orientation(p: Painter) -> None:
    plan = p.profile.plan
    regions = p.read("DinhHuongVungKinhTe_A")
    if regions is not None:
        p.heading(f"{plan.regions_vi} (định hướng: ranh giới nét đứt)")
        palette = ["#f6b26b", "#93c47d", "#9fc5e8", "#d5a6bd"]  # regions the profile lacks
        for i, (_, row) in enumerate(regions.iterrows()):
            own = plan.regions.get(row["maGoc"])
            color = own.color if own is not None else palette[i % len(palette)]
            p.area(
                regions.loc[[row.name]],
                face=color,
                edge="none",
                alpha=0.55,
                z=1.0,
                label=str(row["ten"]),
            )
        outer = shapely.union_all(regions.geometry.values).boundary.buffer(1.0)
        inner = shapely.union_all(regions.boundary.values).difference(outer)
        if not inner.is_empty:  # between the regions only: the outer edge is the province's
            p.line(
                gpd.GeoDataFrame(geometry=[inner], crs=regions.crs),
                color="#6e4b1f",
                lw=1.3,
                dashed=True,
                z=1.2,
                label="Ranh giới giữa các vùng (định hướng)",
            )
    _communes(p, fill=False, labels=False)
    _rivers(p)
    _outline(p)
    axis = p.read("DinhHuongHanhLangKinhTe_L")
    if axis is not None:
        p.heading(f"{plan.axis_vi} (hành lang kinh tế, nét đứt)")
        for role, rows in axis.groupby(axis["vaiTro"].fillna("trục"), sort=False):
            main = role == "trục chính"
            p.line(
                rows,
                color="#7d3c98",
                lw=3.0 if main else 1.8,
                dashed=True,
                alpha=0.8,
                z=5.5,
                label=f"{role[:1].upper()}{role[1:]}",
            )
    p.heading(plan.pillars_vi)
    for layer, color, text in (
        ("DinhHuongVungSanXuatNongNghiep_A", "#2e7d32", "Vùng sản xuất nông nghiệp tập trung"),
        ("DinhHuongVungCongNghiepCheBien_A", "#6a3d9a", "Vùng công nghiệp chế biến"),
    ):
        data = p.read(layer)
        if data is not None:
            p.area(
                data,
                face="none",
                edge=color,
                lw=0.9,
                dashed=True,
                z=2.5,
                label=f"{text} (định hướng)",
            )
    _zone(p)
    for layer, planned, text in (
        ("HienTrangKhuDuLich_P", False, "Khu, điểm du lịch"),
        ("DinhHuongKhuDuLich_P", True, "Khu du lịch (quy hoạch)"),
    ):
        data = p.read(layer)
        if data is not None:
            xy = p.points(
                data, marker="*", size_pt=4.2, face="#1f78b4", planned=planned, z=7.2, label=text
            )
            for i, (_, row) in enumerate(data.iterrows()):
                p.label(
                    str(row["ten"]).split(" (")[0],
                    xy[i, 0],
                    xy[i, 1],
                    gap_pt=5.7 + 2.2 * planned,
                    size=3.6,
                    rank=2,
                    color="#1f4e79",
                )
    for layer, marker, color, planned, text in (
        ("HienTrangCuaKhau_P", "D", "#111111", False, "Cửa khẩu"),
        ("DinhHuongKhuCongNghiep_P", "s", "#6a3d9a", True, "Khu công nghiệp (quy hoạch)"),
        ("HienTrangCumCongNghiep_P", "s", "#9e7cc1", False, "Cụm công nghiệp"),
    ):
        data = p.read(layer)
        if data is not None:
            p.points(
                data, marker=marker, size_pt=3.0, face=color, planned=planned, z=7.4, label=text
            )
    _urban(p, scale_symbols=0.8)


def _subtitle_orientation(profile: Profile) -> str | None:
    text = profile.plan.orientation_vi
    return f"{text[:1].upper()}{text[1:]}" if text else None


#: The map set, in the order of Phụ lục I.
MAP_SET: tuple[SheetSpec, ...] = (
    SheetSpec(
        "III.4",
        "SoDoHeThongDoThiNongThon_III4",
        "Sơ đồ phương án quy hoạch hệ thống đô thị, nông thôn tỉnh {province}",
        _urban_rural,
        ("DinhHuongDoThi_P", "HienTrangDoThi_P", "RanhGioiXa_A"),
    ),
    SheetSpec(
        "III.5",
        "SoDoToChucKhongGian_III5",
        "Sơ đồ phương án tổ chức không gian và phân vùng chức năng tỉnh {province}",
        _orientation,
        ("DinhHuongVungKinhTe_A", "DinhHuongHanhLangKinhTe_L"),
        subtitle=_subtitle_orientation,
    ),
    SheetSpec(
        "III.7",
        "SoDoHaTangKyThuat_III7",
        "Sơ đồ phương án phát triển kết cấu hạ tầng kỹ thuật tỉnh {province}",
        _infrastructure,
        (
            "HienTrangDuongBo_L",
            "DinhHuongDuongBo_L",
            "HienTrangNguonDien_P",
            "HienTrangCuaKhau_P",
            "DinhHuongCangHangKhong_P",
        ),
    ),
)


# --- scale and layout --------------------------------------------------------------------------


def choose_scale(
    width_m: float, height_m: float, *, paper: str = "A0", scales: tuple[int, ...] = SCALES
) -> tuple[int, bool]:
    """The scale of a sheet showing ``width_m`` × ``height_m`` of ground, and whether it fits.

    The largest scale (smallest denominator) of ``scales`` whose frame plus the sheet's margins
    fits ``paper`` either way round; if none fits, the smallest scale, and False.

    Examples
    --------
    >>> choose_scale(171_570, 125_000)   # Lai Châu: 1.7 m of frame at 1:100,000
    (100000, False)
    >>> choose_scale(20_000, 15_000)   # 0.8 × 0.6 m at 1:25,000: fits A0
    (25000, True)
    """
    if paper not in _PAPER_MM:
        raise LayerError(f"paper {paper!r} unknown; use one of {sorted(_PAPER_MM)}.")
    short, long = _PAPER_MM[paper]
    for scale in sorted(scales):
        w = width_m / scale * 1000 + 2 * _SIDE_MM
        h = height_m / scale * 1000 + _TOP_MM + _BOTTOM_MM
        if (w <= long and h <= short) or (w <= short and h <= long):
            return scale, True
    return max(scales), False


def thematic_map(
    delivery: str | Path,
    profile: Profile,
    code: str,
    path: str | Path,
    *,
    scale: int | None = None,
    paper: str = "A0",
    dpi: int = MIN_DPI,
    draft: bool = False,
    geopdf: bool = True,
    margin_km: float = 6.0,
) -> dict:
    """Draw one map of :data:`MAP_SET` (``code`` "III.4", "III.5" or "III.7") as a GeoTIFF.

    Parameters
    ----------
    delivery : path
        A folder written by :func:`gis.deliver.deliver_province`.
    profile : Profile
        The province (names, plan, delivery CRS).
    code : str
        The map's number in Phụ lục I.
    path : path
        The GeoTIFF (the GeoPDF beside it, ``.pdf``).
    scale : int, optional
        Denominator; default :func:`choose_scale` on the province's extent and ``paper``.
    dpi : int
        At least :data:`gis.deliver_map.MIN_DPI`, unless ``draft`` (previews, tests).

    Returns
    -------
    dict
        As :func:`gis.deliver_map.write_sheet`, plus ``code``, ``title``, ``fits_paper``,
        ``layers`` (the delivered layers drawn), ``labels_dropped`` and ``labels_left_out`` (the
        labels that fit nowhere free).
    """
    specs = {s.code: s for s in MAP_SET}
    if code not in specs:
        raise LayerError(f"map {code!r} is not in the map set; use one of {sorted(specs)}.")
    spec = specs[code]
    gdb, crs, outline = delivered_outline(delivery, profile, dpi=dpi, draft=draft)
    bx0, by0, bx1, by1 = outline.total_bounds
    m = margin_km * 1000
    fits = True
    if scale is None:
        scale, fits = choose_scale(bx1 - bx0 + 2 * m, by1 - by0 + 2 * m, paper=paper)
    x0, x1, y1 = bx0 - m, bx1 + m, by1 + m
    frame_w_in = (x1 - x0) / scale * 1000 / _MM
    k = min(max(frame_w_in / 30.0, 1.0), 2.6)  # text and symbols: 1 on a 76 cm frame
    p = Painter(gdb, profile, crs, scale, k)
    spec.build(p)
    leg_w, leg_h = legend_size_in(p)
    sig_w, sig_h = 4.15 * k, 3.75 * k  # inches (105 × 95 mm for k = 1)
    inch_m = scale * _MM / 1000
    province = shapely.union_all(outline.geometry.values)
    y0, arrangement = layout(
        province, (x0, x1, by0 - m), (leg_w, leg_h), (sig_w, sig_h), inch_m, 0.12 * k
    )
    frame_h_in = (y1 - y0) / scale * 1000 / _MM
    side, top, bottom = (v / _MM * k / 1.6 for v in (_SIDE_MM, _TOP_MM, _BOTTOM_MM))
    side, top, bottom = max(side, 0.9), max(top, 1.2), max(bottom, 1.1)
    title = spec.title.format(province=profile.name)
    subtitle = spec.subtitle(profile)
    with matplotlib.rc_context(SHEET_RC):
        fig = sheet_figure(frame_w_in + 2 * side, frame_h_in + top + bottom, dpi)
        sw, sh = fig.get_figwidth(), fig.get_figheight()
        ax = fig.add_axes((side / sw, bottom / sh, frame_w_in / sw, frame_h_in / sh))
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal", adjustable="box")
        ax.set_facecolor("#f4f6f7")
        for spine in ax.spines.values():
            spine.set_linewidth(1.2 * k)
        _neighbour_layer(ax, profile, crs, (x0, x1, y0, y1), k)
        p.draw(ax)
        grid_m, geo_min = _GRID.get(scale, (10_000, 10))
        km_grid(ax, grid_m, k=k, crs=crs, geo_step_min=geo_min)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_xlabel("")
        ax.set_ylabel("")
        gap = 0.12 * k
        gx, gy = gap / frame_w_in, gap / frame_h_in
        if arrangement == "stack":  # signature block bottom-left, the legend above it
            gy = (2 * gap + sig_h) / frame_h_in
        leg = legend(
            ax,
            p,
            loc="lower left",
            bbox_to_anchor=(gx, gy),
            bbox_transform=ax.transAxes,
            borderaxespad=0,
        )
        leg.set_zorder(25)
        north_arrow(ax, k=k)
        crs_name = pyproj.CRS.from_user_input(crs).name
        pos = ax.get_position()
        sig_x = pos.x0 + gap / sw if arrangement == "stack" else pos.x1 - (sig_w + gap) / sw
        sig_rect = (sig_x, pos.y0 + gap / sh, sig_w / sw, sig_h / sh)
        signature_block(fig, sig_rect, profile, title, scale, crs_name, _sources(p), k=k)
        blocked = [leg.get_window_extent(renderer(dpi))]
        from matplotlib.transforms import Bbox

        blocked.append(
            Bbox.from_bounds(
                sig_rect[0] * sw * dpi,
                sig_rect[1] * sh * dpi,
                sig_rect[2] * sw * dpi,
                sig_rect[3] * sh * dpi,
            )
        )
        dropped = place_labels(ax, p, blocked, dpi)
        fig.text(
            0.5,
            1 - top * 0.30 / sh,
            title.upper(),
            ha="center",
            va="center",
            fontsize=22 * k,
            weight="bold",
        )
        if subtitle:
            fig.text(
                0.5,
                1 - top * 0.58 / sh,
                subtitle,
                ha="center",
                va="center",
                fontsize=13 * k,
                style="italic",
            )
        fig.text(
            0.5,
            bottom * 0.28 / sh,
            f"Tỷ lệ 1:{format_vi(scale)}",
            ha="center",
            va="center",
            fontsize=10 * k,
        )
        scale_bar(fig, ax, scale, bottom * 0.55, k=k)
        out = write_sheet(
            fig,
            ax,
            (x0, x1, y0, y1),
            path,
            crs=crs,
            dpi=dpi,
            title=title,
            scale=scale,
            geopdf=geopdf,
            overviews=True,
        )
    return {
        **out,
        "code": code,
        "title": title,
        "fits_paper": fits,
        "paper": paper,
        "layers": list(dict.fromkeys(p.layers)),
        "labels_dropped": len(dropped),
        "labels_left_out": dropped,
    }


def _neighbour_layer(ax, profile: Profile, crs: str, extent, k: float) -> None:
    neighbours = neighbour_provinces(profile, crs)
    if neighbours is None:
        return
    x0, x1, y0, y1 = extent
    own = neighbours["code"].astype(str) == str(profile.code)
    # the province's own national polygon without its edge: another survey than the delivered
    # outline, its line would double the province boundary
    neighbours[own].plot(ax=ax, facecolor="#fbfcfc", edgecolor="none", zorder=0.8)
    neighbours[~own].plot(
        ax=ax, facecolor="#fbfcfc", edgecolor="#95a5a6", linewidth=0.5 * k, zorder=0.8
    )
    box = shapely.box(x0, y0, x1, y1)
    for _, row in neighbours[~own].iterrows():
        inside = row.geometry.intersection(box)
        if inside.area > 0.03 * box.area:
            at = _anchor(inside)
            ax.text(
                at.x,
                at.y,
                str(row.get("name", "")).upper(),
                fontsize=9 * k,
                color="#7f8c8d",
                ha="center",
                va="center",
                zorder=0.9,
            )


def _sources(p: Painter) -> str:
    text = (
        f"{p.profile.plan.document_vi or p.profile.name}; cơ sở dữ liệu {p.gdb.name} theo "
        f"Thông tư 04/2023/TT-BKHĐT (lớp {', '.join(dict.fromkeys(p.layers))}; nguồn của "
        "từng đối tượng: trường nguon); nền: sông chính Natural Earth 1:10m, ranh giới "
        "tỉnh lân cận (dữ liệu quốc gia) — chưa phải bản đồ địa hình quốc gia"
    )
    return text


def map_set(
    delivery: str | Path,
    profile: Profile,
    out_dir: str | Path | None = None,
    *,
    codes: tuple[str, ...] | None = None,
    **options,
) -> list[dict]:
    """Draw every map of :data:`MAP_SET` (or ``codes``) into ``out_dir`` (default
    ``delivery/maps``) as ``<stem>.tif`` and ``.pdf``; ``options`` go to :func:`thematic_map`.

    A map none of whose main layers (:attr:`SheetSpec.needs_any`) is delivered is not drawn:
    its dict has ``code``, ``title`` and ``skipped`` (why).
    """
    import pyogrio

    out = Path(out_dir) if out_dir is not None else Path(delivery) / "maps"
    out.mkdir(parents=True, exist_ok=True)
    gdbs = sorted(Path(delivery).glob("*.gdb"))
    present = {str(n) for n, _ in pyogrio.list_layers(gdbs[0])} if len(gdbs) == 1 else set()
    results = []
    for spec in MAP_SET:
        if codes is not None and spec.code not in codes:
            continue
        if present and not present & set(spec.needs_any):
            results.append(
                {
                    "code": spec.code,
                    "title": spec.title.format(province=profile.name),
                    "skipped": f"none of {', '.join(spec.needs_any)} is delivered",
                }
            )
            continue
        results.append(
            thematic_map(delivery, profile, spec.code, out / f"{spec.stem}.tif", **options)
        )
    return results
