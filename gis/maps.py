"""The product maps of a province, built from its layers by ``gis build`` (or ``gis maps``).

:func:`build_maps` writes into ``maps/``:

- ``dinh_huong.html``: the spatial orientation "one axis, two regions, three pillars": the axis,
  the two regions, the pillars' sites (and their zones, off at start), urban areas by class,
  border gates;
- ``do_thi.html``: the urban system, classes now and by 2030 (toggleable layers; other source
  documents of the urban-area table as further layers);
- ``ha_tang.html``: roads by class and status, hydropower plants, border gates, airport,
  industrial zones and other facilities;
- ``hanh_lang.html``: corridor bands 0-5, 5-10 and 10-20 km of the axis (dissolved buffers);
- ``vung_phuc_vu.html``: straight-line catchments of urban areas and border gates;
- ``tk_dien_tich.html``, ``tk_mat_do_duong.html``, ``tk_hanh_lang.html``: choropleths (mapclassify
  classes) of area, road density and share of area within 10 km of the axis, per 2025 commune
  and per pre-2025 district;
- ``index.html`` linking them, and A3 PNG/PDF prints of the orientation map and the corridor
  statistics map in ``maps/print/``; ``maps.json`` lists every map with its size and the layers
  it lacked.

Which store layer feeds which part of a map is one table, :data:`LAYER_NAMES`. A layer missing
from the store leaves its part out of the map, and the index page says which layer was missing;
nothing is drawn in its place (the two regions are the one exception: without
``orientation_regions_pre2025`` they are the districts dissolved by their ``plan_region``, which
is how that layer is defined, and the index says so). Statistics are computed with
:mod:`gis.coverage` in the planning CRS, the same functions ``gis stats`` uses.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis import settings
from gis._frames import M2_PER_KM2
from gis.coverage import road_density, within_distance
from gis.errors import LayerNotFoundError
from gis.maplabels import (
    CLASS_ORDER,
    CLASS_STYLE,
    DOCUMENT_VI,
    FACILITY_COLORS,
    FACILITY_VI,
    HORIZON_VI,
    MEMBER_VI,
    PILLAR_COLORS,
    PILLAR_VI,
    REGION_COLORS,
    REGION_VI,
    ROAD_CLASS_VI,
    ROAD_COLORS,
    STATUS_VI,
    UNCLASSIFIED_STYLE,
    class_vi,
    translate,
)
from gis.maplayer import MapLayer
from gis.printmap import print_map
from gis.profile import Profile, load_profile
from gis.store import read_layer
from gis.webmap import index_page, save_map, web_map

__all__ = [
    "BAND_DISTANCES_M",
    "LAYER_NAMES",
    "MAPS",
    "MAP_BUDGET_BYTES",
    "MapSpec",
    "build_maps",
    "read_manifest",
]

#: Store layer behind each part of the maps (role -> layer name). Change a name here only.
LAYER_NAMES: dict[str, str] = {
    "province": "province",
    "districts": "districts_pre2025",
    "communes": "communes_2025",
    "regions": "orientation_regions_pre2025",
    "axis": "orientation_axis",
    "pillar_sites": "pillar_sites",
    "pillar_zones": "pillar_zones",
    "urban_areas": "urban_areas",
    "roads": "roads",
    "roads_legacy": "roads_legacy",
    "facilities": "facilities",
    "hydropower": "hydropower_plants",
    "rivers": "rivers",
    "border": "border",
}
#: Size budget of one web map of a province (bytes), checked by the tests.
MAP_BUDGET_BYTES = 1_000_000
#: Corridor bands and catchment rings (metres).
BAND_DISTANCES_M = (5000.0, 10000.0, 20000.0)
#: Simplification of the web maps (metres). At 22 degrees N a web-map pixel is about
#: 145,000 / 2**zoom metres: the whole province shows at zoom 8-9 (280-570 m per pixel) and 60 m
#: stays under one pixel up to zoom 11 (71 m). The 2025 communes weigh 578 kB at 30 m and 330 kB
#: at 60 m, which keeps a map with them under :data:`MAP_BUDGET_BYTES`.
SIMPLIFY_M = 60.0
#: Margin around the province kept of context lines (rivers, border), metres.
FRAME_MARGIN_M = 15000.0
#: Distance of the corridor-share statistic (metres).
CORRIDOR_SHARE_M = 10000.0


@dataclass
class _Source:
    """Reads layers by role once; remembers what each map lacked."""

    profile: Profile
    cache: dict[str, gpd.GeoDataFrame | None] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    used: list[str] = field(default_factory=list)

    def get(self, role: str) -> gpd.GeoDataFrame | None:
        name = LAYER_NAMES[role]
        if name not in self.cache:
            try:
                self.cache[name] = read_layer(name, province=self.profile)
            except LayerNotFoundError:
                self.cache[name] = None
        data = self.cache[name]
        target = self.missing if data is None else self.used
        if name not in target:
            target.append(name)
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

    def schematic(self, role: str) -> bool:
        """True if the layer says its geometry is schematic (column ``accuracy``)."""
        data = self.get(role)
        if data is None or "accuracy" not in data.columns:
            return False
        return bool(data["accuracy"].astype(str).str.contains("schematic", case=False).any())

    def reset(self) -> None:
        self.missing, self.notes, self.used = [], [], []


# ----------------------------------------------------------------------------- layer helpers


def _outline(gdf: gpd.GeoDataFrame, name: str, *, color: str, weight: float, show=True):
    """Boundary lines of polygons (printed maps would fill a polygon layer)."""
    lines = gpd.GeoDataFrame(geometry=gdf.boundary.values, crs=gdf.crs)
    return MapLayer(lines, name, color=color, weight=weight, show=show)


def _frame(src: _Source, data: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Clip context lines (rivers, border) to the province's box plus :data:`FRAME_MARGIN_M`."""
    prov = src.get("province")
    if prov is None:
        return data
    x0, y0, x1, y1 = prov.total_bounds
    m = FRAME_MARGIN_M
    clipped = gpd.clip(data, shapely.box(x0 - m, y0 - m, x1 + m, y1 + m))
    return clipped[~clipped.geometry.is_empty]


def _base(src: _Source, *, units: str | None = "communes") -> list[MapLayer]:
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
        layers.append(MapLayer(_frame(src, rivers), "Sông", color="#4a90c2", weight=1.2))
    border = src.get("border")
    if border is not None:
        layers.append(MapLayer(_frame(src, border), "Biên giới quốc gia", color="#555555",
                               weight=1.5))  # fmt: skip
    prov = src.get("province")
    if prov is not None:
        layers.append(_outline(prov, f"Ranh giới tỉnh {src.profile.name}", color="#222222",
                               weight=1.6))  # fmt: skip
    return layers


def _regions(src: _Source) -> gpd.GeoDataFrame | None:
    regions = src.get("regions")
    if regions is None:
        districts = src.get("districts")
        if districts is None or "plan_region" not in districts.columns:
            return None
        regions = districts.dissolve("plan_region", as_index=False)[["plan_region", "geometry"]]
        regions["area_km2"] = regions.geometry.area / M2_PER_KM2
        src.notes.append(f"vùng dựng từ {LAYER_NAMES['districts']}.plan_region")
    regions = regions.copy()
    fallback = regions["plan_region"].map(REGION_VI)
    label = regions["plan_region_vi"] if "plan_region_vi" in regions else fallback
    regions["region_vi"] = label.fillna(fallback).fillna(regions["plan_region"])
    if "area_km2" not in regions:
        regions["area_km2"] = regions.geometry.area / M2_PER_KM2
    return regions


def _regions_layer(regions: gpd.GeoDataFrame) -> MapLayer:
    colors = {
        lbl: REGION_COLORS.get(code, "#cccccc")
        for code, lbl in zip(regions["plan_region"], regions["region_vi"], strict=True)
    }
    return MapLayer(regions, "Hai vùng", column="region_vi", kind="category", colors=colors,
                    fields={"region_vi": "Vùng", "area_km2": "Diện tích (km²)"},
                    fill_opacity=0.55, weight=0.8, legend_title="Hai vùng")  # fmt: skip


def _points(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Polygons as a point inside each (symbols); points unchanged."""
    out = gdf.copy()
    out = out.set_geometry(out.geometry.representative_point())
    return out


def _urban(src: _Source) -> tuple[gpd.GeoDataFrame | None, list[str]]:
    """Urban areas as points; rows of the first source document listed (the plan) first."""
    urban = src.get("urban_areas")
    if urban is None:
        return None, []
    urban = _points(urban)
    for col, new in (("class_current", "class_now_vi"), ("class_2030", "class_2030_vi")):
        urban[new] = urban[col].map(class_vi) if col in urban else "–"
    docs = list(pd.unique(urban["source_document"])) if "source_document" in urban else [None]
    return urban, docs


def _urban_class_layers(urban, column: str, title: str, *, show=True, label=True):
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
                               fields={"urban_area": "Đô thị", "class_now_vi": "Loại hiện nay",
                                       "class_2030_vi": "Loại đến 2030"},
                               popup={"source_document": "Nguồn"},
                               label="urban_area" if label else None))  # fmt: skip
    return layers


def _facility(src: _Source, kinds: tuple[str, ...] | None = None) -> gpd.GeoDataFrame | None:
    fac = src.get("facilities")
    if fac is None:
        return None
    if kinds is not None:
        fac = fac[fac["kind"].isin(kinds)]
    return fac.assign(kind_vi=translate(fac["kind"], FACILITY_VI),
                      status_vi=translate(fac["status"], STATUS_VI))  # fmt: skip


def _facility_layer(fac: gpd.GeoDataFrame, name: str, *, radius=7.0, label=True) -> MapLayer:
    colors = {FACILITY_VI.get(k, k): FACILITY_COLORS.get(k, "#444444") for k in fac["kind"]}
    return MapLayer(fac, name, column="kind_vi", kind="category", colors=colors, radius=radius,
                    fill_opacity=0.95,
                    fields={"name": "Tên", "kind_vi": "Loại", "status_vi": "Hiện trạng"},
                    popup={"area_ha": "Diện tích (ha)", "source": "Nguồn"},
                    label="name" if label else None)  # fmt: skip


def _axis_layer(axis: gpd.GeoDataFrame) -> MapLayer:
    axis = axis.assign(status_vi=translate(axis["status"], STATUS_VI))
    return MapLayer(axis, "Trục kinh tế động lực", color="#d7191c", weight=3.0, opacity=1.0,
                    fields={"road_ref": "Tuyến", "status_vi": "Hiện trạng"},
                    popup={"source": "Nguồn"})  # fmt: skip


# ----------------------------------------------------------------------------- the maps


def _orientation(src: _Source) -> list[MapLayer]:
    layers = []
    regions = _regions(src)
    if regions is not None:
        layers.append(_regions_layer(regions))
    layers += _base(src, units="districts")
    zones = src.get("pillar_zones")
    if zones is not None:
        zones = zones.assign(pillar_vi=translate(zones["pillar"], PILLAR_VI),
                             member_vi=translate(zones["member"], MEMBER_VI))  # fmt: skip
        colors = {PILLAR_VI.get(p, p): PILLAR_COLORS.get(p, "#888") for p in zones["pillar"]}
        layers.append(MapLayer(zones, "Ba trụ cột: vùng", column="pillar_vi", kind="category",
                               colors=colors, fill_opacity=0.15, show=False, coverage=False,
                               fields={"name": "Tên", "pillar_vi": "Trụ cột",
                                       "member_vi": "Lĩnh vực"}))  # fmt: skip
    axis = src.get("axis")
    if axis is not None:
        layers.append(_axis_layer(axis))
    urban, docs = _urban(src)
    if urban is not None:
        plan = urban[urban["source_document"] == docs[0]] if docs[0] else urban
        column = "class_2030" if "class_2030" in plan else "class_target"
        layers += _urban_class_layers(plan, column, "Đô thị đến 2030")
    gates = _facility(src, ("border_gate",))
    if gates is not None and len(gates):
        layers.append(_facility_layer(gates, "Cửa khẩu", radius=7.0))
    sites = src.get("pillar_sites")
    if sites is not None:
        sites = sites.assign(pillar_vi=translate(sites["pillar"], PILLAR_VI),
                             member_vi=translate(sites["member"], MEMBER_VI))  # fmt: skip
        colors = {PILLAR_VI.get(p, p): PILLAR_COLORS.get(p, "#888") for p in sites["pillar"]}
        layers.append(MapLayer(sites, "Ba trụ cột", column="pillar_vi", kind="category",
                               colors=colors, radius=5.0, fill_opacity=0.95,
                               fields={"name": "Tên", "pillar_vi": "Trụ cột",
                                       "member_vi": "Lĩnh vực"}))  # fmt: skip
    return layers


def _urban_system(src: _Source) -> list[MapLayer]:
    layers = _base(src)
    urban, docs = _urban(src)
    if urban is None:
        return layers
    plan = urban[urban["source_document"] == docs[0]] if docs[0] else urban
    if "class_current" in plan:
        layers += _urban_class_layers(plan, "class_current", "Hiện trạng", show=False)
    layers += _urban_class_layers(plan, "class_2030", "Đến 2030")
    for doc in docs[1:]:
        other = urban[urban["source_document"] == doc]
        name = f"2030 theo {DOCUMENT_VI.get(doc, doc)}"
        layers += _urban_class_layers(other, "class_2030", name, show=False)
    return layers


def _infrastructure(src: _Source) -> list[MapLayer]:
    layers = _base(src, units=None)
    legacy = src.get("roads_legacy")
    if legacy is not None:
        layers.append(MapLayer(legacy, "Đường (dữ liệu cũ, thô)", color="#999999", weight=1.0,
                               show=False, fields={"name": "Tên"}))  # fmt: skip
    roads = src.get("roads")
    if roads is not None:
        cls = translate(roads["road_class"], ROAD_CLASS_VI)
        st = translate(roads["status"], STATUS_VI)
        roads = roads.assign(kind_vi=cls + " – " + st, status_vi=st,
                             horizon_vi=translate(roads["horizon"], HORIZON_VI))  # fmt: skip
        colors = {
            f"{ROAD_CLASS_VI.get(c, c)} – {STATUS_VI.get(s, s)}": ROAD_COLORS.get((c, s), "#666")
            for c, s in zip(roads["road_class"], roads["status"], strict=True)
        }
        layers.append(MapLayer(roads, "Đường theo cấp và hiện trạng", column="kind_vi",
                               kind="category", colors=colors, weight=2.0, opacity=1.0,
                               fields={"road_ref": "Tuyến", "kind_vi": "Cấp – hiện trạng",
                                       "horizon_vi": "Thời hạn"},
                               popup={"source": "Nguồn"}))  # fmt: skip
    hydro = src.get("hydropower")
    if hydro is not None:
        if "in_laichau" in hydro.columns:  # plants of neighbouring provinces: off at start
            inside = hydro["in_laichau"].fillna(False).astype(bool)
        else:
            inside = pd.Series(True, index=hydro.index)
        for rows, name, show in ((hydro[inside], "Nhà máy thủy điện", True),
                                 (hydro[~inside], "Thủy điện tỉnh lân cận", False)):  # fmt: skip
            if len(rows):
                layers.append(MapLayer(rows, name, column="status", kind="category",
                                       cmap="tab10", radius=4.5, fill_opacity=0.9, show=show,
                                       legend_title=f"{name} (hiện trạng)",
                                       fields={"name": "Tên", "capacity_mw": "Công suất (MW)",
                                               "status": "Hiện trạng"},
                                       popup={"basin": "Lưu vực", "operation_start":
                                              "Năm vận hành"}))  # fmt: skip
    fac = _facility(src)
    if fac is not None and len(fac):
        fac = fac[fac["kind"] != "hydropower"]  # large plants are in the hydropower layer
        layers.append(_facility_layer(fac, "Cửa khẩu, sân bay, khu công nghiệp", radius=7.5))
    return layers


def _rings(origins: gpd.GeoDataFrame, outline, label: str) -> gpd.GeoDataFrame:
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


def _band_layers(rings: gpd.GeoDataFrame, name: str, palette: list[str], *, show=True):
    """One layer per ring, nearest first (a category legend would sort '10–20' before '5–10')."""
    return [
        MapLayer(rings.iloc[[i]], f"{name}: {band}", color=color, show=show, fill_opacity=0.45,
                 weight=0.5, coverage=False,
                 fields={"origin": "Tính từ", "band": "Khoảng cách",
                         "area_km2": "Diện tích trong tỉnh (km²)"})
        for i, (band, color) in enumerate(zip(rings["band"], palette, strict=True))
    ]  # fmt: skip


def _outline_geom(src: _Source):
    prov = src.get("province")
    return None if prov is None else shapely.union_all(prov.geometry.values)


def _corridor(src: _Source) -> list[MapLayer]:
    layers = _base(src)
    axis = src.get("axis")
    if axis is None:
        return layers
    rings = _rings(axis, _outline_geom(src), "trục kinh tế động lực")
    layers[:0] = _band_layers(rings, "Hành lang quanh trục", ["#bd0026", "#fd8d3c", "#fed976"])
    layers.append(_axis_layer(axis))
    return layers


def _catchments(src: _Source) -> list[MapLayer]:
    layers = _base(src)
    outline = _outline_geom(src)
    urban, docs = _urban(src)
    bands = []
    if urban is not None:
        plan = urban[urban["source_document"] == docs[0]] if docs[0] else urban
        rings = _rings(plan, outline, "đô thị (lõi)")
        bands += _band_layers(rings, "Vùng phục vụ đô thị", ["#08519c", "#6baed6", "#c6dbef"])
    gates = _facility(src, ("border_gate",))
    if gates is not None and len(gates):
        rings = _rings(gates, outline, "cửa khẩu")
        palette = ["#54278f", "#9e9ac8", "#dadaeb"]
        bands += _band_layers(rings, "Vùng phục vụ cửa khẩu", palette, show=False)
    layers[:0] = bands
    if urban is not None:
        layers += _urban_class_layers(plan, "class_2030", "Đô thị đến 2030", label=False)
    if gates is not None and len(gates):
        layers.append(_facility_layer(gates, "Cửa khẩu", label=False))
    return layers


# ----------------------------------------------------------------------------- statistics


def _stat_layers(src, compute, column, title, unit, cmap) -> list[MapLayer]:
    """A choropleth per unit system: values from the stored geometry, drawn on the shown one."""
    layers = []
    for role, level, show in (("communes", "xã, phường 2025", True),
                              ("districts", "huyện trước 2025", False)):  # fmt: skip
        stored = src.get(role)
        if stored is None:
            continue
        values = np.asarray(compute(stored[["code", "name", "geometry"]]), dtype=float)
        units = src.shown(role)[["code", "name", "geometry"]].copy()
        units[column] = values
        layers.append(MapLayer(units, f"{title} – {level}", column=column, kind="choropleth",
                               scheme="FisherJenks", k=5, cmap=cmap, unit=unit, show=show,
                               coverage=True, fill_opacity=0.75, weight=0.6, label="name",
                               legend_title=f"{level[0].upper()}{level[1:]} ({unit})",
                               fields={"name": "Tên", column: f"{title} ({unit})",
                                       "code": "Mã"}))  # fmt: skip
    return layers + _base(src, units=None)


def _stat_area(src: _Source) -> list[MapLayer]:
    return _stat_layers(src, lambda u: u.geometry.area / M2_PER_KM2, "area_calc_km2",
                        "Diện tích", "km²", "Greens")  # fmt: skip


def _stat_roads(src: _Source) -> list[MapLayer]:
    roads = src.get("roads")
    if roads is None:
        return _base(src)
    layers = _stat_layers(
        src, lambda u: road_density(u, roads)["road_density_km_per_km2"],
        "road_km_per_km2", "Mật độ đường", "km/km²", "Oranges")  # fmt: skip
    return [*layers, MapLayer(roads, "Đường (sơ đồ)", color="#7f2704", weight=1.2)]


def _stat_corridor(src: _Source) -> list[MapLayer]:
    axis = src.get("axis")
    if axis is None:
        return _base(src)
    d = CORRIDOR_SHARE_M
    layers = _stat_layers(
        src, lambda u: within_distance(u, axis, distance_m=d)[f"near_{d:g}m_pct"],
        "axis_share_pct", f"Diện tích trong {d / 1000:g} km quanh trục", "%", "Reds")  # fmt: skip
    return [*layers, _axis_layer(axis)]


@dataclass(frozen=True)
class MapSpec:
    """One product map: file stem, Vietnamese title (``{province}`` filled in), builder."""

    slug: str
    title: str
    build: Callable[[_Source], list[MapLayer]]
    print_title: str | None = None  # also printed on A3 when set
    print_subtitle: str | None = None


#: The maps, in the order of the index page.
MAPS: tuple[MapSpec, ...] = (
    MapSpec("dinh_huong", "Định hướng phát triển không gian tỉnh {province}: một trục – hai vùng "
            "– ba trụ cột", _orientation,
            print_title="Định hướng phát triển không gian tỉnh {province}",
            print_subtitle="Một trục – hai vùng – ba trụ cột"),
    MapSpec("do_thi", "Hệ thống đô thị tỉnh {province}: hiện trạng và đến 2030", _urban_system),
    MapSpec("ha_tang", "Hạ tầng tỉnh {province}: giao thông, năng lượng, cửa khẩu",
            _infrastructure),
    MapSpec("hanh_lang", "Hành lang kinh tế: dải 5, 10, 20 km quanh trục", _corridor),
    MapSpec("vung_phuc_vu", "Vùng phục vụ của đô thị và cửa khẩu (đường chim bay)", _catchments),
    MapSpec("tk_dien_tich", "Thống kê: diện tích đơn vị hành chính (km²)", _stat_area),
    MapSpec("tk_mat_do_duong", "Thống kê: mật độ đường (km/km²)", _stat_roads),
    MapSpec("tk_hanh_lang", "Thống kê: tỷ lệ diện tích trong 10 km quanh trục (%)",
            _stat_corridor, print_title="Tỷ lệ diện tích trong 10 km quanh trục kinh tế (%)",
            print_subtitle="Theo xã, phường (2025); khoảng cách đường chim bay tới trục"),
)  # fmt: skip


def _source_note(src: _Source, *, short: bool = False) -> str:
    """Sources of a map: the layers used (full list on prints, a pointer on web maps)."""
    note = (
        "các lớp dữ liệu của dự án (nguồn từng lớp: lệnh `gis layers`)"
        if short
        else f"lớp dữ liệu {', '.join(src.used)} (nguồn từng lớp: lệnh `gis layers`)"
    )
    schematic = [
        LAYER_NAMES[r] for r in ("axis", "roads") if LAYER_NAMES[r] in src.used and src.schematic(r)
    ]
    if schematic:
        note += f"; {', '.join(schematic)}: tuyến sơ đồ qua các điểm mốc"
    return note


def build_maps(
    *,
    province: str | Profile | None = None,
    layers_dir: str | os.PathLike | None = None,
    out_dir: str | os.PathLike | None = None,
    prints: bool = True,
) -> list[Path]:
    """Build the product web maps, their index page and the A3 prints of a province.

    Parameters
    ----------
    province : str or Profile, optional
        Province profile (default :data:`gis.settings.PROVINCE`).
    layers_dir : path-like, optional
        Root of the layer store (default :data:`gis.settings.LAYERS_DIR`).
    out_dir : path-like, optional
        Output folder (default :data:`gis.settings.MAPS_DIR`); prints go to ``out_dir/print``.
    prints : bool
        Also print the maps of :data:`MAPS` that have a ``print_title`` (A3 PNG and PDF).

    Returns
    -------
    list of Path
        The HTML maps in :data:`MAPS` order, then ``index.html``, the prints and ``maps.json``.
        A map that could not be drawn at all (every layer it needs missing) is left out and
        reported in the index page and ``maps.json``.
    """
    profile = province if isinstance(province, Profile) else load_profile(
        province, layers_dir=layers_dir)  # fmt: skip
    out = Path(out_dir if out_dir is not None else settings.MAPS_DIR)
    src = _Source(profile)
    manifest, html_files, print_files, index = [], [], [], {}
    for spec in MAPS:
        t0 = time.perf_counter()
        src.reset()
        title = spec.title.format(province=profile.name)
        layers = spec.build(src)
        entry = {"slug": spec.slug, "title": title, "missing_layers": list(src.missing),
                 "notes": list(src.notes), "layers": [la.name for la in layers],
                 "store_layers": list(src.used)}  # fmt: skip
        if not layers:
            entry["file"] = None
            manifest.append(entry)
            continue
        source = _source_note(src)
        page = web_map(layers, title=title, source=f"Nguồn: {_source_note(src, short=True)}",
                       simplify_m=SIMPLIFY_M)  # fmt: skip
        path = save_map(page, out / f"{spec.slug}.html")
        html_files.append(path)
        link = title + (f" (thiếu lớp: {', '.join(src.missing)})" if src.missing else "")
        index[link] = path
        if prints and spec.print_title:
            printed = print_map(
                _printable(layers), out / "print" / spec.slug,
                title=spec.print_title.format(province=profile.name),
                subtitle=spec.print_subtitle, source=source, paper="A3")  # fmt: skip
            print_files += [(p, spec.print_title.format(province=profile.name)) for p in printed]
            entry["print"] = [p.name for p in printed]
        entry.update(file=path.name, bytes=path.stat().st_size,
                     seconds=round(time.perf_counter() - t0, 2))  # fmt: skip
        manifest.append(entry)
    for p, print_title in print_files:
        index[f"Bản in A3 ({p.suffix[1:].upper()}): {print_title}"] = p
    failed = [e["title"] for e in manifest if e["file"] is None]
    note = (
        f"Bản đồ tỉnh {profile.name} dựng bằng lệnh `gis build` từ các lớp dữ liệu của dự án; "
        "mở được khi không có Internet (nền OpenStreetMap là lớp tùy chọn, cần Internet)."
    )
    if failed:
        note += f" Không dựng được (thiếu mọi lớp cần thiết): {'; '.join(failed)}."
    idx = index_page(index, out / "index.html", title=f"Bản đồ quy hoạch tỉnh {profile.name}",
                     note=note)  # fmt: skip
    mf = out / "maps.json"
    mf.write_text(json.dumps({"province": profile.slug, "budget_bytes": MAP_BUDGET_BYTES,
                              "maps": manifest}, ensure_ascii=False, indent=2) + "\n",
                  encoding="utf-8")  # fmt: skip
    return [*html_files, idx, *(p for p, _ in print_files), mf]


def _printable(layers: list[MapLayer]) -> list[MapLayer]:
    """Layers of a printed map: those shown at start; unfilled polygons as grey outlines."""
    out = []
    for layer in layers:
        if not layer.show:
            continue
        polygons = set(layer.data.geom_type.dropna()) <= {"Polygon", "MultiPolygon"}
        if polygons and layer.fill_opacity == 0:
            layer = _outline(layer.data, layer.name, color="#8c8c8c", weight=0.5)
        out.append(layer)
    return out or list(layers)


def read_manifest(out_dir: str | os.PathLike | None = None) -> dict:
    """Return ``maps.json`` written by :func:`build_maps` (maps, sizes, missing layers)."""
    out = Path(out_dir if out_dir is not None else settings.MAPS_DIR)
    return json.loads((out / "maps.json").read_text(encoding="utf-8"))
