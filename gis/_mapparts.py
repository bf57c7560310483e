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
from gis.census import aggregate_population, census_unit_to
from gis.errors import LayerNotFoundError
from gis.maplabels import (
    CLASS_LABEL_ZOOM,
    CLASS_ORDER,
    CLASS_STYLE,
    FACILITY_COLORS,
    FACILITY_RANK,
    FACILITY_VI,
    LINE_STYLES,
    MEMBER_VI,
    OUTSIDE_COLOR,
    OUTSIDE_VI,
    PILLAR_COLORS,
    PILLAR_VI,
    SOURCE_CREDITS,
    STATUS_VI,
    UNCLASSIFIED_STYLE,
    class_vi,
    name_without_note,
    ring_color,
    translate,
    urban_status_vi,
)
from gis.maplayer import SIMPLIFY_M, MapLayer
from gis.profile import Profile
from gis.store import layer_meta, read_layer

#: Legend note of dashed lines.
PLANNED_NOTE = "nét đứt: quy hoạch"
#: Margin around the province kept of context lines (rivers, border), metres.
FRAME_MARGIN_M = 15000.0
#: Features up to this far outside the province outline count as inside (metres): the plan's
#: points and lines are known to ±1-3 km (a pass on the boundary lies 8 m inside, the
#: schematic axis ends at a border gate 280 m beyond the surveyed border line).
OUTSIDE_TOLERANCE_M = 500.0
#: An axis road is written on its longest piece in the province if that is at least this long
#: (metres): about 20 px at the opening view of a province (zoom 9, 280 m per pixel).
AXIS_LABEL_MIN_M = 5000.0
#: Marks of pillar zones whose centres are closer than this share one place (metres): about
#: 10 px at the opening view of a province (zoom 9, 280 m per pixel).
ZONE_MARK_MERGE_M = 3000.0
#: Width of the ring of an urban class drawn hollow (px).
URBAN_RING_PX = 3.0
#: Urban areas: tooltip (hover) and popup (click) fields.
URBAN_FIELDS = {
    "urban_area": "Tên",
    "class_now_vi": "Loại hiện nay",
    "class_2030_vi": "Loại đến 2030",
}
URBAN_POPUP = {
    "urban_area": "Đô thị",
    "status_vi": "Tính chất",
    "class_now_vi": "Loại hiện nay",
    "class_2030_vi": "Loại đến 2030",
    "region_vi": "Vùng",
    "communes_vi": "Xã, phường (2025)",
    "population_2019": "Dân số 2019 của các xã, phường này (người)",
    "density_2019": "Mật độ dân số 2019 (người/km²)",
    "urban_pct_2019": "Tỷ lệ dân số đô thị 2019 của các xã, phường này (%)",
    "document_vi": "Nguồn",
    "show_as_vi": "Thể hiện (Điều 8.2.a TT 04/2023)",
    "legal_basis_vi": "Căn cứ pháp lý",
}
#: Popup rows of the symbol-only rule (:meth:`Source.portrayed`).
LEGAL_POPUP = {"show_as_vi": "Thể hiện (Điều 8.2.a TT 04/2023)", "legal_basis_vi": "Căn cứ pháp lý"}
#: Units (communes, districts): popup fields (:func:`unit_facts`).
UNIT_POPUP = {
    "unit_name": "Đơn vị",
    "code": "Mã",
    "area_calc_km2": "Diện tích (km²)",
    "population_2019": "Dân số 2019 (người)",
    "density_2019": "Mật độ dân số 2019 (người/km²)",
    "urban_pct_2019": "Tỷ lệ dân số đô thị 2019 (%)",
    "region_vi": "Vùng",
}


@dataclass
class Source:
    """Reads layers by role once; remembers what each map lacked."""

    profile: Profile
    names: dict[str, str]  # role -> store layer name (Profile.roles)
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

    def portrayed(self, role: str) -> gpd.GeoDataFrame | None:
        """The layer as the plan may show it (Art. 8.2.a of Circular 04/2023/TT-BKHĐT,
        :func:`gis.symbol_rule.portray`): a zone without a legal basis for its boundary is its
        representative point; ``show_as_vi`` and ``legal_basis_vi`` say why, for popups."""
        data = self.get(role)
        key = f"portrayed:{role}"
        if data is None or key in self.cache:
            return self.cache.get(key, data)
        from gis.symbol_rule import portray

        self.cache[key] = portray(data, self.names[role], self.profile)
        return self.cache[key]

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
        """Short source credits of the layers used: the plan's first (``[plan] credit_match``
        of the profile), then :data:`gis.maplabels.SOURCE_CREDITS`."""
        plan = self.profile.plan
        known = [(needle, plan.credit_vi) for needle in plan.credit_match if plan.credit_vi]
        known += SOURCE_CREDITS
        out: list[str] = []
        for name in self.used:
            prov = self.provenance(name)
            text = f"{prov.get('source', '')} {prov.get('url', '')}"
            credit = next((c for needle, c in known if needle in text), None)
            if credit is None:
                credit = str(prov.get("source") or name).split(" (")[0].strip()
            if credit not in out:
                out.append(credit)
        order: dict[str, int] = {}
        for i, (_, c) in enumerate(known):
            order.setdefault(c, i)
        return sorted(out, key=lambda c: order.get(c, len(known)))

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
        shown = with_unit_facts(src, units, com)
        layers.append(
            MapLayer(
                shown,
                label,
                color="#ffffff",
                weight=0.6,
                fill_opacity=0.0,
                opacity=0.6,
                coverage=True,
                fields={"unit_name": "Đơn vị", "code": "Mã"},
                popup=UNIT_POPUP,
            )
        )
    rivers = src.get("rivers")
    if rivers is not None:
        color, weight = LINE_STYLES["rivers"]
        layers.append(MapLayer(frame(src, rivers), "Sông", color=color, weight=weight))
    border = src.get("border")
    if border is not None:
        color, weight = LINE_STYLES["border"]
        layers.append(
            MapLayer(frame(src, border), "Biên giới quốc gia", color=color, weight=weight)
        )
    prov = src.get("province")
    if prov is not None:
        color, weight = LINE_STYLES["province"]
        layers.append(
            outline(prov, f"Ranh giới tỉnh {src.profile.name}", color=color, weight=weight)
        )
    return layers


def unit_facts(src: Source, role: str) -> pd.DataFrame:
    """Facts of each unit shown in its popup, indexed by ``code`` (strings).

    ``area_calc_km2``: area of the stored polygon in the planning CRS. ``population_2019``,
    ``urban_pct_2019``: the 2019 census summed over whole census units with
    :func:`gis.census.census_unit_to` and :func:`gis.census.aggregate_population` (a district:
    its units on the census date; a 2025 commune: the units of the GSO list of 01/03/2025
    carried through the crosswalk), the very sums of ``gis stats``; urban = people in phường and
    thị trấn in 2019. ``density_2019``: persons per km² of that area (extensive population over
    the unit's own area, never averaged). ``region_vi``: the unit's region of the spatial
    orientation. A missing layer leaves its columns empty (shown "–"; the map's index names it).

    Parameters
    ----------
    src : Source
    role : {"districts", "communes"}
    """
    units = src.get(role)
    if units is None:
        return pd.DataFrame()
    key = f"facts:{role}"
    if key not in src.cache:
        src.cache[key] = _unit_facts(src, role, units)
    for name in ("census", "crosswalk", f"{role}_regions"):  # the map used them too
        src.get(name)
    return src.cache[key]


def _unit_facts(src: Source, role: str, units: gpd.GeoDataFrame) -> pd.DataFrame:
    codes = units["code"].astype(str)
    out = pd.DataFrame(
        {"area_calc_km2": (units.geometry.area / M2_PER_KM2).to_numpy()},
        index=pd.Index(codes, name="code"),
    )
    census = src.get("census")
    counts = None
    if census is not None and (role == "districts" or src.get("crosswalk") is not None):
        level = "district" if role == "districts" else "commune_2025"
        by = census_unit_to(census, level, src.get("crosswalk"))
        counts = aggregate_population(census, by, name_column=None)
    if counts is not None:
        total = counts["population_persons"].reindex(codes).to_numpy(dtype=float)
        urban = counts["population_urban_persons"].reindex(codes).to_numpy(dtype=float)
        out["population_2019"] = pd.array(np.round(total), dtype="Int64")
        out["density_2019"] = np.round(total / out["area_calc_km2"].to_numpy())
        with np.errstate(invalid="ignore", divide="ignore"):
            out["urban_pct_2019"] = 100.0 * urban / total
    else:
        out["population_2019"] = out["density_2019"] = out["urban_pct_2019"] = np.nan
    assignment = src.get("districts_regions" if role == "districts" else "communes_regions")
    out["region_vi"] = np.nan
    if assignment is not None:
        key = "district_code" if "district_code" in assignment else "code"
        label = assignment["plan_region"].map(src.profile.plan.region_vi).astype(object)
        if "plan_region_vi" in assignment:
            label = assignment["plan_region_vi"].fillna(label)
        label = label.fillna(assignment["plan_region"])
        out["region_vi"] = codes.map(
            dict(zip(assignment[key].astype(str), label, strict=True))
        ).to_numpy()
    return out


def with_unit_facts(src: Source, role: str, shown: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``shown`` (units drawn) with ``unit_name`` and the columns of :func:`unit_facts`."""
    facts = unit_facts(src, role)
    name = shown["full_name"] if "full_name" in shown else shown["name"]
    out = shown.assign(unit_name=name)
    codes = shown["code"].astype(str)
    for col in UNIT_POPUP:
        if col not in out:
            out[col] = codes.map(facts[col]).to_numpy() if col in facts else np.nan
    out["urban_pct_2019"] = pd.to_numeric(out["urban_pct_2019"]).round(1)  # shown: 1 decimal
    return out


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
    fallback = regions["plan_region"].map(src.profile.plan.region_vi).astype(object)
    label = regions["plan_region_vi"] if "plan_region_vi" in regions else fallback
    regions["region_vi"] = label.fillna(fallback).fillna(regions["plan_region"])
    if "area_km2" not in regions:
        regions["area_km2"] = regions.geometry.area / M2_PER_KM2
    return regions


def regions_layer(src: Source, regions: gpd.GeoDataFrame) -> MapLayer:
    """The regions filled with the profile's colours (``[plan.regions]``), named as the plan
    names them (``[plan] regions_vi``)."""
    plan = src.profile.plan
    colors = {
        lbl: plan.region_colors.get(code, "#cccccc")
        for code, lbl in zip(regions["plan_region"], regions["region_vi"], strict=True)
    }
    return MapLayer(
        regions,
        plan.regions_vi,
        column="region_vi",
        kind="category",
        colors=colors,
        fields={"region_vi": "Vùng", "area_km2": "Diện tích (km²)"},
        fill_opacity=0.55,
        weight=0.8,
        legend_title=plan.regions_vi,
    )


def points(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Polygons as a point inside each (symbols); points unchanged."""
    out = gdf.copy()
    out = out.set_geometry(out.geometry.representative_point())
    return out


def urban(src: Source) -> tuple[gpd.GeoDataFrame | None, list[str]]:
    """Urban areas as points, with the columns of their tooltip and popup
    (:data:`URBAN_POPUP`); the source documents, the plan's (listed first) first.

    The population, density and urban share are those of the 2025 commune(s) holding the
    urban area (``commune2025_code``), from :func:`unit_facts`: since 1 July 2025 a former
    township is part of such a commune.
    """
    urban = src.portrayed("urban_areas")
    if urban is None:
        return None, []
    urban = points(urban)
    for col, new in (("class_current", "class_now_vi"), ("class_2030", "class_2030_vi")):
        urban[new] = urban[col].map(class_vi) if col in urban else "–"
    plan = src.profile.plan
    docs = list(pd.unique(urban["source_document"])) if "source_document" in urban else [None]
    if plan.document in docs:  # the plan's version first
        docs.remove(plan.document)
        docs.insert(0, plan.document)
    blank = pd.Series(np.nan, index=urban.index, dtype=object)
    urban["status_vi"] = urban["status"].map(urban_status_vi) if "status" in urban else blank
    urban["document_vi"] = (
        urban["source_document"].map(plan.document_name_vi, na_action="ignore")
        if "source_document" in urban
        else blank
    )
    region = urban["plan_region"].map(plan.region_vi) if "plan_region" in urban else blank
    regions_ = src.get("regions")
    if regions_ is not None and "plan_region" in urban and "plan_region_vi" in regions_:
        names = dict(zip(regions_["plan_region"], regions_["plan_region_vi"], strict=True))
        region = urban["plan_region"].map(names).fillna(region)
    urban["region_vi"] = region
    _urban_census(src, urban)
    return urban, docs


def _codes(value: object) -> list[str]:
    return [c.strip() for c in value.split(";") if c.strip()] if isinstance(value, str) else []


def _urban_census(src: Source, urban: gpd.GeoDataFrame) -> None:
    """Add ``communes_vi``, ``population_2019``, ``density_2019``, ``urban_pct_2019`` (in place,
    on the copy made by :func:`urban`): sums over the 2025 commune(s) of each urban area."""
    cols = ("communes_vi", "population_2019", "density_2019", "urban_pct_2019")
    for col in cols:
        urban[col] = np.nan
    urban["communes_vi"] = urban["communes_vi"].astype(object)
    communes = src.get("communes") if "commune2025_code" in urban else None
    if communes is None:
        return
    facts = unit_facts(src, "communes")
    names = dict(zip(communes["code"].astype(str), communes["name"], strict=True))
    people = facts["population_2019"].astype(float).to_dict()
    area = facts["area_calc_km2"].to_dict()
    urban_people = facts["urban_pct_2019"] / 100.0 * facts["population_2019"].astype(float)
    urban_people = urban_people.to_dict()
    for i, value in urban["commune2025_code"].items():
        codes = [c for c in _codes(value) if c in area]
        if not codes:
            continue
        urban.at[i, "communes_vi"] = ", ".join(str(names.get(c, c)) for c in codes)
        total = sum(people[c] for c in codes)  # NaN if any commune has no census
        if not total > 0:
            continue
        share = 100.0 * sum(urban_people[c] for c in codes) / total
        urban.at[i, "population_2019"] = round(total)
        urban.at[i, "density_2019"] = round(total / sum(area[c] for c in codes))
        urban.at[i, "urban_pct_2019"] = round(share, 1)


def urban_class_layers(
    urban,
    column: str,
    title: str,
    *,
    show=True,
    label=True,
    hollow=False,
    dashed=False,
    heading: str | None = None,
) -> list[MapLayer]:
    """One layer per urban class, largest first; the symbol's size is the class, whatever else
    is drawn at the same place (``stack=False``).

    Filled symbols by default; ``hollow``: rings in the class colour darkened
    (:func:`gis.maplabels.ring_color`), which read around or inside the filled symbol of the
    same urban area (today's class around the class of 2030); ``dashed`` rings for another
    document's classes; an area with no class has no ring (not an urban area). Labels (web
    maps): the higher classes at the opening view, the others from
    :data:`gis.maplabels.CLASS_LABEL_ZOOM`. ``heading``: legend heading over the first class.
    """
    layers = []
    classes = [c for c in CLASS_ORDER if (urban[column] == c).any()]
    groups = [(c, urban[urban[column] == c], CLASS_STYLE[c]) for c in classes]
    unclassified = urban[urban[column].isna()]
    if len(unclassified):
        groups.append((None, unclassified, UNCLASSIFIED_STYLE))
    if hollow:  # no class, no ring: the area is not urban (today, or in that document)
        groups = [g for g in groups if g[0] is not None]
    for i, (cls, rows, (radius, color)) in enumerate(groups):
        if hollow:
            color = ring_color(color)
            rows = rows.assign(_dash=dashed)
        popup = {k: v for k, v in URBAN_POPUP.items() if k in rows}
        layers.append(
            MapLayer(
                rows,
                f"{title} – {class_vi(cls)}",
                color=color,
                radius=radius,
                fill_opacity=0.95,
                show=show,
                hollow=hollow,
                stack=False,
                weight=URBAN_RING_PX if hollow else 1.0,
                dashed="_dash" if hollow else None,
                fields=URBAN_FIELDS,
                popup=popup,
                label="urban_area" if label else None,
                label_zoom=CLASS_LABEL_ZOOM.get(cls, 0),
                legend_title=heading if i == 0 else None,
            )
        )
    return layers


def facility(src: Source, kinds: tuple[str, ...] | None = None) -> gpd.GeoDataFrame | None:
    fac = src.portrayed("facilities")  # a zone without a legal basis: its point (Art. 8.2.a)
    if fac is None:
        return None
    if kinds is not None:
        fac = fac[fac["kind"].isin(kinds)]
    return fac.assign(
        kind_vi=translate(fac["kind"], FACILITY_VI), status_vi=translate(fac["status"], STATUS_VI)
    )


def facility_layer(
    fac: gpd.GeoDataFrame, name: str, *, radius=7.0, label=True, label_zoom: int = 0
) -> MapLayer:
    """Facilities by kind; the more important kinds are drawn last, on top of others at the same
    place (:data:`gis.maplabels.FACILITY_RANK`; the lower ones show as rings around them).
    Labelled with the name without its note in parentheses; border gates at the opening view,
    the others from ``label_zoom`` steps closer."""
    colors = {FACILITY_VI.get(k, k): FACILITY_COLORS.get(k, "#444444") for k in fac["kind"]}
    rank = fac["kind"].map({k: i for i, k in enumerate(FACILITY_RANK)}).fillna(-1)
    fac = fac.iloc[np.argsort(rank.to_numpy(), kind="stable")]
    fac = fac.assign(
        label=fac["name"].map(name_without_note),
        label_zoom=np.where(fac["kind"] == "border_gate", 0, label_zoom),
    )
    return MapLayer(
        fac,
        name,
        column="kind_vi",
        kind="category",
        colors=colors,
        radius=radius,
        fill_opacity=0.95,
        fields={"name": "Tên", "kind_vi": "Loại", "status_vi": "Hiện trạng"},
        popup={
            "name": "Tên",
            "kind_vi": "Loại",
            "status_vi": "Hiện trạng",
            "area_ha": "Diện tích (ha)",
            "source": "Nguồn",
            **{k: v for k, v in LEGAL_POPUP.items() if k in fac},
        },
        label="label" if label else None,
        label_zoom="label_zoom",
    )


def facility_zone_layers(fac: gpd.GeoDataFrame) -> list[MapLayer]:
    """Facilities that are areas (a border economic zone given as whole communes): outlined,
    lightly filled, one layer per kind, under the point symbols."""
    zones = fac[fac.geom_type.isin(["Polygon", "MultiPolygon"])]
    return [
        MapLayer(
            rows,
            str(kind_vi),
            color=FACILITY_COLORS.get(kind, "#444444"),
            weight=2.0,
            fill_opacity=0.12,
            coverage=False,
            fields={"name": "Tên", "kind_vi": "Loại", "status_vi": "Hiện trạng"},
            popup={
                "area_ha": "Diện tích (ha)",
                "source": "Nguồn",
                **{k: v for k, v in LEGAL_POPUP.items() if k in rows},
            },
        )
        for (kind, kind_vi), rows in zones.groupby(["kind", "kind_vi"], sort=True)
    ]


def planned(data: gpd.GeoDataFrame) -> pd.Series:
    """True for features not built yet (``status`` planned): drawn dashed."""
    if "status" not in data.columns:
        return pd.Series(False, index=data.index)
    return data["status"].eq("planned").fillna(False)


def split_outside(gdf: gpd.GeoDataFrame, src: Source) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Split features into the parts inside the province and the parts outside it.

    Multi-part points are split into their points; lines are cut at the outline. Within
    :data:`OUTSIDE_TOLERANCE_M` of the outline counts as inside. Without the province layer,
    all is inside.

    Returns
    -------
    inside, outside : GeoDataFrame
        Same columns; ``outside`` has one row per part outside.
    """
    outline = outline_geom(src)
    if outline is None or gdf.empty:
        return gdf, gdf.iloc[:0]
    if "_inside_area" not in src.cache:
        src.cache["_inside_area"] = shapely.buffer(outline, OUTSIDE_TOLERANCE_M)
    area = src.cache["_inside_area"]
    parts_ = gdf.explode(index_parts=False)
    geoms = np.asarray(parts_.geometry.values)
    is_point = np.asarray(shapely.get_type_id(geoms) == 0)
    within = np.asarray(shapely.within(geoms, area))
    inner = np.where(is_point, geoms, shapely.intersection(geoms, area))
    outer = np.where(is_point, geoms, shapely.difference(geoms, area))
    keep_in = np.where(is_point, within, ~shapely.is_empty(inner))
    keep_out = np.where(is_point, ~within, ~shapely.is_empty(outer))

    def frame(values, keep):
        out = parts_.set_geometry(gpd.GeoSeries(values, index=parts_.index, crs=gdf.crs))
        return out[keep]

    return frame(inner, keep_in), frame(outer, keep_out)


def axis_layers(
    src: Source, axis: gpd.GeoDataFrame, *, legend_title: str | None = None
) -> list[MapLayer]:
    """The axis inside the province (road numbers written on it), and its parts outside drawn
    grey (:data:`gis.maplabels.OUTSIDE_COLOR`), with the far end of each named."""
    axis = axis.assign(
        status_vi=translate(axis["status"], STATUS_VI),
        planned=planned(axis),
        ref_label=axis["road_ref"].map(name_without_note),
    )
    inside, outside = split_outside(axis, src)
    # one label per road, on its longest piece inside, if that is long enough to carry it
    length = inside.geometry.length
    longest = length.groupby(inside["ref_label"]).transform("max")
    first = ~inside.assign(_l=length)[["ref_label", "_l"]].duplicated()
    keep = (length == longest) & first & (length >= AXIS_LABEL_MIN_M)
    inside = inside.assign(ref_label=inside["ref_label"].where(keep.to_numpy()))
    title = PLANNED_NOTE if inside["planned"].any() else None
    heading = legend_title or (title and f"Trục kinh tế động lực ({title})")
    color, weight = LINE_STYLES["axis"]
    layers = [
        MapLayer(
            inside,
            "Trục kinh tế động lực",
            color=color,
            weight=weight,
            opacity=1.0,
            fields={"road_ref": "Tuyến", "status_vi": "Hiện trạng"},
            popup={"road_ref": "Tuyến", "status_vi": "Hiện trạng", "source": "Nguồn"},
            dashed="planned",
            label="ref_label",
            legend_title=heading,
        )
    ]
    if len(outside):
        outside = outside.assign(where_vi=OUTSIDE_VI)
        layers.append(
            MapLayer(
                outside,
                f"Trục kinh tế động lực – đoạn {OUTSIDE_VI}",
                color=OUTSIDE_COLOR,
                weight=2.0,
                opacity=1.0,
                dashed="planned",
                fields={"road_ref": "Tuyến", "status_vi": "Hiện trạng", "where_vi": "Vị trí"},
                popup={
                    "road_ref": "Tuyến",
                    "status_vi": "Hiện trạng",
                    "where_vi": "Vị trí",
                    "source": "Nguồn",
                },
            )
        )
        ends = _far_ends(src, outside)
        if len(ends):
            layers.append(
                MapLayer(
                    ends,
                    f"Điểm cuối của trục ({OUTSIDE_VI})",
                    color=OUTSIDE_COLOR,
                    hollow=True,
                    weight=2.0,
                    radius=5.0,
                    label="label",
                    fields={"name": "Điểm cuối"},
                    popup={"name": "Điểm cuối"},
                )
            )
    return layers


def _far_ends(src: Source, outside: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The end of each stretch of the axis outside the province farthest from it, named by the
    nearest plan waypoint (within 3 km, their accuracy) or by its road; the label is the name
    up to its first comma (the full name is in the tooltip)."""
    outline = outline_geom(src)
    merged = shapely.line_merge(shapely.union_all(outside.geometry.values))
    rows = []
    waypoints = src.get("waypoints")
    for line in shapely.get_parts(merged):
        if line.geom_type != "LineString" or line.is_empty:
            continue
        a, b = shapely.get_point(line, 0), shapely.get_point(line, -1)
        end = a if shapely.distance(a, outline) >= shapely.distance(b, outline) else b
        name = None
        if waypoints is not None and len(waypoints):
            d = waypoints.geometry.distance(end)
            if d.min() <= 3000.0:
                name = waypoints.loc[d.idxmin(), "name"]
        if name is None:
            d = outside.geometry.distance(end)
            name = outside.loc[d.idxmin(), "road_ref"] if len(d) else None
        if isinstance(name, str):
            short = name_without_note(name).split(", ")[0]  # "Nút giao IC16, cao tốc ..."
            rows.append(
                {
                    "label": f"→ {short} ({OUTSIDE_VI})",
                    "name": f"{name} ({OUTSIDE_VI})",
                    "geometry": end,
                }
            )
    return gpd.GeoDataFrame(
        rows, columns=["label", "name", "geometry"], geometry="geometry", crs=outside.crs
    )


def rings(
    origins: gpd.GeoDataFrame, outline, label: str, distances_m: tuple[float, ...]
) -> gpd.GeoDataFrame:
    """Dissolved buffers of ``origins`` as rings 0-d1, d1-d2 ..., clipped to ``outline``."""
    rows, inner = [], None
    geoms = origins.geometry.values
    lo = 0.0
    for d in distances_m:
        zone = shapely.union_all(shapely.buffer(geoms, d, quad_segs=16))
        if outline is not None:
            zone = shapely.intersection(zone, outline)
        ring = zone if inner is None else shapely.difference(zone, inner)
        band = f"{lo / 1000:g}–{d / 1000:g} km"
        rows.append(
            {
                "band": band,
                "origin": label,
                "area_km2": shapely.area(ring) / M2_PER_KM2,
                "geometry": ring,
            }
        )
        inner, lo = zone, d
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=origins.crs)


def band_layers(
    rings: gpd.GeoDataFrame, name: str, palette: list[str], *, show=True, hollow=False
) -> list[MapLayer]:
    """One layer per ring, nearest first (a category legend would sort '10–20' before '5–10').

    ``hollow``: the rings' outlines only, to be read over other filled bands."""
    return [
        MapLayer(
            rings.iloc[[i]],
            f"{name}: {band}",
            color=color,
            show=show,
            fill_opacity=0.45,
            weight=2.0 if hollow else 0.5,
            coverage=False,
            hollow=hollow,
            fields={
                "origin": "Tính từ",
                "band": "Khoảng cách",
                "area_km2": "Diện tích trong tỉnh (km²)",
            },
        )
        for i, (band, color) in enumerate(zip(rings["band"], palette[: len(rings)], strict=True))
    ]


def outline_geom(src: Source):
    """The province as one polygon (computed once per build); ``None`` without the layer."""
    prov = src.get("province")
    if prov is None:
        return None
    if "_outline" not in src.cache:
        src.cache["_outline"] = shapely.union_all(prov.geometry.values)
    return src.cache["_outline"]


# ----------------------------------------------------------------------------- the pillars


def _pillar_columns(data: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return data.assign(
        pillar_vi=translate(data["pillar"], PILLAR_VI),
        member_vi=translate(data["member"], MEMBER_VI),
    )


def _pillar_colors(data: gpd.GeoDataFrame) -> dict[str, str]:
    return {PILLAR_VI.get(p, p): PILLAR_COLORS.get(p, "#888888") for p in data["pillar"]}


def pillar_layers(src: Source) -> tuple[list[MapLayer], list[MapLayer]]:
    """The pillars of the orientation, readable over the regions: where each pillar works.

    Returns the layers of the zones and those of the sites:

    - zones (``pillar_zones``: whole districts or communes, overlapping each other and the
      regions): a ring in the pillar's colour at a point inside the zone, one per pillar and
      zone, the zone's members named on it (rings of several pillars in one zone are
      concentric); their outlines as a layer off at start;
    - sites (``pillar_sites``): filled symbols in the pillar's colour, named from one zoom step
      in; a site's part outside the province grey and hollow, "(ngoài tỉnh)" in its tooltip.
    """
    layers: list[MapLayer] = []
    over: list[MapLayer] = []
    pillars = src.profile.plan.pillars_vi
    zones = src.portrayed("pillar_zones")  # a zone without a legal basis: a mark only
    if zones is not None and len(zones):
        zones = _pillar_columns(zones)
        colors = _pillar_colors(zones)
        bounded = zones[zones.geom_type.isin(["Polygon", "MultiPolygon"])]
        if len(bounded):
            layers.append(
                MapLayer(
                    bounded,
                    f"{pillars}: ranh giới vùng",
                    column="pillar_vi",
                    kind="category",
                    colors=_pillar_colors(bounded),
                    hollow=True,
                    weight=2.0,
                    show=False,
                    coverage=False,
                    legend_title=f"{pillars}: ranh giới vùng",
                    fields={"name": "Tên", "pillar_vi": "Trụ cột", "member_vi": "Lĩnh vực"},
                    popup={
                        "name": "Tên",
                        "pillar_vi": "Trụ cột",
                        "member_vi": "Lĩnh vực",
                        "source": "Nguồn",
                        **LEGAL_POPUP,
                    },
                )
            )
        marks = _zone_marks(src, zones)
        layers.append(
            MapLayer(
                marks,
                f"{pillars}: vùng sản xuất, dịch vụ",
                column="pillar_vi",
                kind="category",
                colors=colors,
                hollow=True,
                weight=3.0,
                radius=9.0,
                label="label",
                label_zoom=1,
                legend_title=f"{pillars} – vùng (vòng tròn)",
                fields={"pillar_vi": "Trụ cột", "members_vi": "Lĩnh vực", "scope_vi": "Phạm vi"},
                popup={
                    "pillar_vi": "Trụ cột",
                    "names": "Tên",
                    "members_vi": "Lĩnh vực",
                    "scope_vi": "Phạm vi",
                    "source": "Nguồn",
                },
            )
        )
    sites = src.get("pillar_sites")
    if sites is not None and len(sites):
        sites = _pillar_columns(sites).assign(label=sites["name"].map(name_without_note))
        inside, outside = split_outside(sites, src)
        fields = {"name": "Tên", "pillar_vi": "Trụ cột", "member_vi": "Lĩnh vực"}
        popup = {**fields, "source": "Nguồn"}
        if len(inside):
            over.append(
                MapLayer(
                    inside,
                    f"{pillars}: cơ sở",
                    column="pillar_vi",
                    kind="category",
                    colors=_pillar_colors(inside),
                    radius=5.5,
                    fill_opacity=0.95,
                    label="label",
                    label_zoom=1,
                    legend_title=f"{pillars} – cơ sở (chấm tròn)",
                    fields=fields,
                    popup=popup,
                )
            )
        if len(outside):
            outside = outside.assign(name=outside["name"] + f" ({OUTSIDE_VI})")
            over.append(outside_points(outside, fields, popup))
    return layers, over


def outside_points(data: gpd.GeoDataFrame, fields, popup) -> MapLayer:
    """Points outside the province: grey rings (:data:`gis.maplabels.OUTSIDE_COLOR`)."""
    return MapLayer(
        data,
        OUTSIDE_VI.capitalize(),
        color=OUTSIDE_COLOR,
        hollow=True,
        weight=2.0,
        radius=5.5,
        fields=fields,
        popup=popup,
    )


def _visual_centre(geom, tolerance_m: float = 100.0):
    """Centre of the largest circle inside a polygon (where a reader looks for its middle)."""
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return geom.representative_point()
    return shapely.get_point(shapely.maximum_inscribed_circle(geom, tolerance_m), 0)


def _zone_marks(src: Source, zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One mark per place and pillar, at the visual centre of the zones.

    Zones whose centres fall within :data:`ZONE_MARK_MERGE_M` of an earlier one share its place
    (the zone of two districts and the region holding them have their centre in the same
    district), so that their rings are concentric instead of hiding each other; the zones of
    one pillar at one place are one mark naming all their members. ``scope_vi`` names the
    units a zone is made of (columns ``district_codes`` or ``commune_codes``).
    """
    unit_names = {}
    for role in ("districts", "communes"):
        units = src.get(role)
        if units is not None:
            unit_names[role] = dict(zip(units["code"].astype(str), units["name"], strict=True))
    places: list = []
    rows = []
    for _, zone in zones.iterrows():
        centre = _visual_centre(zone.geometry)
        near = [p for p in places if shapely.distance(p, centre) <= ZONE_MARK_MERGE_M]
        if near:
            centre = near[0]
        else:
            places.append(centre)
        scope = "–"
        for role, column in (("districts", "district_codes"), ("communes", "commune_codes")):
            codes = _codes(zone.get(column))
            if codes:
                names = unit_names.get(role, {})
                scope = ", ".join(str(names.get(c, c)) for c in codes)
                break
        rows.append(
            {
                "place": places.index(centre),
                "pillar": zone["pillar"],
                "pillar_vi": zone["pillar_vi"],
                "member_vi": zone["member_vi"],
                "name": zone["name"],
                "scope": scope,
                "source": zone.get("source"),
                "geometry": centre,
            }
        )
    marks = []
    for (place, pillar), group in pd.DataFrame(rows).groupby(["place", "pillar"], sort=False):
        members = ", ".join(dict.fromkeys(str(m) for m in group["member_vi"].dropna()))
        sources = dict.fromkeys(str(v) for v in group["source"].dropna())
        marks.append(
            {
                "pillar": pillar,
                "pillar_vi": group["pillar_vi"].iloc[0],
                "members_vi": members,
                "names": "; ".join(dict.fromkeys(group["name"])),
                "scope_vi": " | ".join(dict.fromkeys(group["scope"])),
                "source": "; ".join(sources) or "–",
                "label": f"{group['pillar_vi'].iloc[0]}: {members}",
                "place": place,
                "geometry": group["geometry"].iloc[0],
            }
        )
    out = gpd.GeoDataFrame(marks, geometry="geometry", crs=zones.crs)
    # one label per place, a line per pillar, on its first (outermost) ring
    lines = out.groupby("place")["label"].transform(lambda s: "\n".join(s))
    first = ~out["place"].duplicated()
    return out.assign(label=lines.where(first)).drop(columns="place")
