"""Parts shared by the product maps of :mod:`gis.maps`: layer reading, base layers, symbols.

Private to :mod:`gis.maps`; every function returns new frames or :class:`gis.maplayer.MapLayer`
specs and never changes the layers it reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis._frames import M2_PER_KM2
from gis.errors import LayerNotFoundError
from gis.maplabels import (
    CLASS_ORDER,
    CLASS_STYLE,
    FACILITY_COLORS,
    FACILITY_RANK,
    FACILITY_VI,
    REGION_COLORS,
    REGION_VI,
    SOURCE_CREDITS,
    STATUS_VI,
    UNCLASSIFIED_STYLE,
    class_vi,
    translate,
)
from gis.maplayer import MapLayer
from gis.profile import Profile
from gis.store import layer_meta, read_layer

#: Corridor bands and catchment rings (metres).
BAND_DISTANCES_M = (5000.0, 10000.0, 20000.0)
#: Simplification of the web maps (metres). At 22 degrees N a web-map pixel is about
#: 145,000 / 2**zoom metres: the whole province shows at zoom 8-9 (280-570 m per pixel) and 60 m
#: stays under one pixel up to zoom 11 (71 m). The 2025 communes weigh 578 kB at 30 m and 330 kB
#: at 60 m, which keeps a map with them under :data:`gis.maps.MAP_BUDGET_BYTES`.
SIMPLIFY_M = 60.0
#: Legend note of dashed lines.
PLANNED_NOTE = "nét đứt: quy hoạch"
#: Margin around the province kept of context lines (rivers, border), metres.
FRAME_MARGIN_M = 15000.0


@dataclass
class Source:
    """Reads layers by role once; remembers what each map lacked."""

    profile: Profile
    names: dict[str, str]  # role -> store layer name (gis.maps.LAYER_NAMES)
    cache: dict[str, gpd.GeoDataFrame | None] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    used: list[str] = field(default_factory=list)
    tag: str = ""  # filled into a map title's {tag} by the map's builder (e.g. "sơ đồ")
    prefix: str = ""  # written before a layer name in missing/used (e.g. "_national/")

    def get(self, role: str) -> gpd.GeoDataFrame | None:
        name = self.names[role]
        if name not in self.cache:
            try:
                self.cache[name] = read_layer(name, province=self.profile)
            except LayerNotFoundError:
                self.cache[name] = None
        data = self.cache[name]
        target = self.missing if data is None else self.used
        if self.prefix + name not in target:
            target.append(self.prefix + name)
        return data

    def shown(self, role: str) -> gpd.GeoDataFrame | None:
        """The layer for display: polygons that are a coverage but for slivers are cleaned once.

        :func:`gis.maplayer.display_copy` would clean them on every map (about 1.5 s for the
        2025 communes); the same rule applies: cleaning is kept only if it makes a valid
        coverage and moves no polygon by more than ``SIMPLIFY_M**2``. Statistics use
        :meth:`get`, the stored geometry.
        """
        data = self.get(role)
        key = f"shown:{role}"
        if data is None or key in self.cache:
            return self.cache.get(key, data)
        geoms = np.asarray(data.geometry.values)
        if not shapely.coverage_is_valid(geoms):
            cleaned = shapely.coverage_clean(geoms)
            moved = shapely.area(shapely.symmetric_difference(geoms, cleaned))
            if shapely.coverage_is_valid(cleaned) and moved.max() <= SIMPLIFY_M**2:
                data = data.set_geometry(gpd.GeoSeries(cleaned, index=data.index, crs=data.crs))
        self.cache[key] = data
        return data

    def provenance(self, name: str) -> dict:
        """``provenance`` of a store layer's metadata ({} if it has none)."""
        key = f"meta:{name}"
        if key not in self.cache:
            try:
                self.cache[key] = layer_meta(name, province=self.profile).get("provenance") or {}
            except (LayerNotFoundError, OSError, ValueError):
                self.cache[key] = {}
        return self.cache[key]

    def credits(self) -> list[str]:
        """Short source credits of the layers used (:data:`gis.maplabels.SOURCE_CREDITS`)."""
        out: list[str] = []
        for name in self.used:
            prov = self.provenance(name)
            text = f"{prov.get('source', '')} {prov.get('url', '')}"
            credit = next((c for needle, c in SOURCE_CREDITS if needle in text), None)
            if credit is None:
                credit = str(prov.get("source") or name).split(" (")[0].strip()
            if credit not in out:
                out.append(credit)
        order: dict[str, int] = {}
        for i, (_, c) in enumerate(SOURCE_CREDITS):
            order.setdefault(c, i)
        return sorted(out, key=lambda c: order.get(c, len(SOURCE_CREDITS)))

    def schematic(self, role: str) -> bool:
        """True if the layer says its geometry is schematic (column ``accuracy``)."""
        data = self.get(role)
        if data is None or "accuracy" not in data.columns:
            return False
        return bool(data["accuracy"].astype(str).str.contains("schematic", case=False).any())

    def reset(self) -> None:
        self.missing, self.notes, self.used, self.tag = [], [], [], ""


# ----------------------------------------------------------------------------- layer helpers


def outline(gdf: gpd.GeoDataFrame, name: str, *, color: str, weight: float, show=True):
    """Boundary lines of polygons (printed maps would fill a polygon layer)."""
    lines = gpd.GeoDataFrame(geometry=gdf.boundary.values, crs=gdf.crs)
    return MapLayer(lines, name, color=color, weight=weight, show=show)


def frame(src: Source, data: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Clip context lines (rivers, border) to the province's box plus :data:`FRAME_MARGIN_M`."""
    prov = src.get("province")
    if prov is None:
        return data
    x0, y0, x1, y1 = prov.total_bounds
    m = FRAME_MARGIN_M
    clipped = gpd.clip(data, shapely.box(x0 - m, y0 - m, x1 + m, y1 + m))
    return clipped[~clipped.geometry.is_empty]


def base(src: Source, *, units: str | None = "communes") -> list[MapLayer]:
    """Unit polygons with tooltips (no fill), rivers, border, province outline."""
    layers = []
    com = src.shown(units) if units else None
    if com is not None:
        label = "Xã, phường (2025)" if units == "communes" else "Huyện (trước 2025)"
        shown = com.assign(unit_name=com["full_name"] if "full_name" in com else com["name"])
        layers.append(MapLayer(shown, label, color="#ffffff", weight=0.6,
                               fill_opacity=0.0, opacity=0.6, coverage=True,
                               fields={"unit_name": "Đơn vị", "code": "Mã"}))  # fmt: skip
    rivers = src.get("rivers")
    if rivers is not None:
        layers.append(MapLayer(frame(src, rivers), "Sông", color="#4a90c2", weight=1.2))
    border = src.get("border")
    if border is not None:
        layers.append(MapLayer(frame(src, border), "Biên giới quốc gia", color="#555555",
                               weight=1.5))  # fmt: skip
    prov = src.get("province")
    if prov is not None:
        layers.append(outline(prov, f"Ranh giới tỉnh {src.profile.name}", color="#222222",
                               weight=1.6))  # fmt: skip
    return layers


def regions(src: Source) -> gpd.GeoDataFrame | None:
    regions = src.get("regions")
    if regions is None:
        districts = src.get("districts")
        if districts is None or "plan_region" not in districts.columns:
            return None
        regions = districts.dissolve("plan_region", as_index=False)[["plan_region", "geometry"]]
        regions["area_km2"] = regions.geometry.area / M2_PER_KM2
        src.notes.append(f"vùng dựng từ {src.names['districts']}.plan_region")
    regions = regions.copy()
    fallback = regions["plan_region"].map(REGION_VI)
    label = regions["plan_region_vi"] if "plan_region_vi" in regions else fallback
    regions["region_vi"] = label.fillna(fallback).fillna(regions["plan_region"])
    if "area_km2" not in regions:
        regions["area_km2"] = regions.geometry.area / M2_PER_KM2
    return regions


def regions_layer(regions: gpd.GeoDataFrame) -> MapLayer:
    colors = {
        lbl: REGION_COLORS.get(code, "#cccccc")
        for code, lbl in zip(regions["plan_region"], regions["region_vi"], strict=True)
    }
    return MapLayer(regions, "Hai vùng", column="region_vi", kind="category", colors=colors,
                    fields={"region_vi": "Vùng", "area_km2": "Diện tích (km²)"},
                    fill_opacity=0.55, weight=0.8, legend_title="Hai vùng")  # fmt: skip


def points(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Polygons as a point inside each (symbols); points unchanged."""
    out = gdf.copy()
    out = out.set_geometry(out.geometry.representative_point())
    return out


def urban(src: Source) -> tuple[gpd.GeoDataFrame | None, list[str]]:
    """Urban areas as points; rows of the first source document listed (the plan) first."""
    urban = src.get("urban_areas")
    if urban is None:
        return None, []
    urban = points(urban)
    for col, new in (("class_current", "class_now_vi"), ("class_2030", "class_2030_vi")):
        urban[new] = urban[col].map(class_vi) if col in urban else "–"
    docs = list(pd.unique(urban["source_document"])) if "source_document" in urban else [None]
    return urban, docs


def urban_class_layers(urban, column: str, title: str, *, show=True, label=True):
    """One layer per urban class: symbol size and colour by class (largest first)."""
    layers = []
    classes = [c for c in CLASS_ORDER if (urban[column] == c).any()]
    groups = [(c, urban[urban[column] == c], CLASS_STYLE[c]) for c in classes]
    unclassified = urban[urban[column].isna()]
    if len(unclassified):
        groups.append((None, unclassified, UNCLASSIFIED_STYLE))
    for cls, rows, (radius, color) in groups:
        layers.append(MapLayer(rows, f"{title} – {class_vi(cls)}", color=color,
                               radius=radius, fill_opacity=0.95, show=show,
                               fields={"urban_area": "Tên", "class_now_vi": "Loại hiện nay",
                                       "class_2030_vi": "Loại đến 2030"},
                               popup={"source_document": "Nguồn"},
                               label="urban_area" if label else None))  # fmt: skip
    return layers


def facility(src: Source, kinds: tuple[str, ...] | None = None) -> gpd.GeoDataFrame | None:
    fac = src.get("facilities")
    if fac is None:
        return None
    if kinds is not None:
        fac = fac[fac["kind"].isin(kinds)]
    return fac.assign(kind_vi=translate(fac["kind"], FACILITY_VI),
                      status_vi=translate(fac["status"], STATUS_VI))  # fmt: skip


def facility_layer(fac: gpd.GeoDataFrame, name: str, *, radius=7.0, label=True) -> MapLayer:
    """Facilities by kind; the more important kinds are drawn last, on top of others at the same
    place (:data:`gis.maplabels.FACILITY_RANK`; the lower ones show as rings around them)."""
    colors = {FACILITY_VI.get(k, k): FACILITY_COLORS.get(k, "#444444") for k in fac["kind"]}
    rank = fac["kind"].map({k: i for i, k in enumerate(FACILITY_RANK)}).fillna(-1)
    fac = fac.iloc[np.argsort(rank.to_numpy(), kind="stable")]
    return MapLayer(fac, name, column="kind_vi", kind="category", colors=colors, radius=radius,
                    fill_opacity=0.95,
                    fields={"name": "Tên", "kind_vi": "Loại", "status_vi": "Hiện trạng"},
                    popup={"area_ha": "Diện tích (ha)", "source": "Nguồn"},
                    label="name" if label else None)  # fmt: skip


def facility_zone_layers(fac: gpd.GeoDataFrame) -> list[MapLayer]:
    """Facilities that are areas (a border economic zone given as whole communes): outlined,
    lightly filled, one layer per kind, under the point symbols."""
    zones = fac[fac.geom_type.isin(["Polygon", "MultiPolygon"])]
    return [
        MapLayer(rows, str(kind_vi), color=FACILITY_COLORS.get(kind, "#444444"), weight=2.0,
                 fill_opacity=0.12, coverage=False,
                 fields={"name": "Tên", "kind_vi": "Loại", "status_vi": "Hiện trạng"},
                 popup={"area_ha": "Diện tích (ha)", "source": "Nguồn"})
        for (kind, kind_vi), rows in zones.groupby(["kind", "kind_vi"], sort=True)
    ]  # fmt: skip


def planned(data: gpd.GeoDataFrame) -> pd.Series:
    """True for features not built yet (``status`` planned): drawn dashed."""
    if "status" not in data.columns:
        return pd.Series(False, index=data.index)
    return data["status"].eq("planned").fillna(False)


def axis_layer(axis: gpd.GeoDataFrame) -> MapLayer:
    axis = axis.assign(status_vi=translate(axis["status"], STATUS_VI), planned=planned(axis))
    title = PLANNED_NOTE if axis["planned"].any() else None
    return MapLayer(axis, "Trục kinh tế động lực", color="#d7191c", weight=3.0, opacity=1.0,
                    fields={"road_ref": "Tuyến", "status_vi": "Hiện trạng"},
                    popup={"source": "Nguồn"}, dashed="planned",
                    legend_title=title and f"Trục kinh tế động lực ({title})")  # fmt: skip


def rings(origins: gpd.GeoDataFrame, outline, label: str) -> gpd.GeoDataFrame:
    """Dissolved buffers of ``origins`` as rings 0-d1, d1-d2 ..., clipped to ``outline``."""
    rows, inner = [], None
    geoms = origins.geometry.values
    lo = 0.0
    for d in BAND_DISTANCES_M:
        zone = shapely.union_all(shapely.buffer(geoms, d, quad_segs=16))
        if outline is not None:
            zone = shapely.intersection(zone, outline)
        ring = zone if inner is None else shapely.difference(zone, inner)
        band = f"{lo / 1000:g}–{d / 1000:g} km"
        rows.append({"band": band, "origin": label, "area_km2": shapely.area(ring) / M2_PER_KM2,
                     "geometry": ring})  # fmt: skip
        inner, lo = zone, d
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=origins.crs)


def band_layers(rings: gpd.GeoDataFrame, name: str, palette: list[str], *, show=True):
    """One layer per ring, nearest first (a category legend would sort '10–20' before '5–10')."""
    return [
        MapLayer(rings.iloc[[i]], f"{name}: {band}", color=color, show=show, fill_opacity=0.45,
                 weight=0.5, coverage=False,
                 fields={"origin": "Tính từ", "band": "Khoảng cách",
                         "area_km2": "Diện tích trong tỉnh (km²)"})
        for i, (band, color) in enumerate(zip(rings["band"], palette, strict=True))
    ]  # fmt: skip


def outline_geom(src: Source):
    prov = src.get("province")
    return None if prov is None else shapely.union_all(prov.geometry.values)
