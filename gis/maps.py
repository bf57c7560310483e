"""The product maps of a province, built from its layers by ``gis build`` (or ``gis maps``).

:func:`build_maps` writes into ``maps/``:

- ``dinh_huong.html``: the spatial orientation (named by the profile's ``[plan] orientation_vi``,
  for Lai Châu "one axis, two regions, three pillars"): the regions filled; the axis (its roads
  named, its stretch outside the province grey, the far end named); each pillar zone as a ring
  in the pillar's colour at the zone's centre (the outlines off at start), the pillar sites as
  dots; urban areas by class, border gates;
  features outside the province grey and hollow, "(ngoài tỉnh)" in their tooltips;
- ``do_thi.html``: the urban system, classes by 2030 filled and classes today as dark rings
  over them, both shown at start (other source documents of the urban-area table as dashed
  rings, off at start); the size of a symbol is its class;
- ``ha_tang.html``: roads by class and status, hydropower plants, border gates, airport,
  industrial zones and other facilities;
- ``hanh_lang.html``: corridor bands 0-5, 5-10 and 10-20 km of the axis (dissolved buffers);
- ``vung_phuc_vu.html``: straight-line catchments of urban areas (filled) and border gates
  (outlined);
- ``tk_dien_tich.html``, ``tk_do_thi_hoa.html``, ``tk_mat_do_duong.html``, ``tk_hanh_lang.html``:
  choropleths (mapclassify classes) of area, 2019 census urban share, road density and share of
  area within ``[plan] corridor_share_m`` of the axis, per 2025 commune and per pre-2025
  district; while any existing road is schematic
  (:func:`gis.coverage.roads_are_schematic`) the road density map, its title and its layers say
  "sơ đồ – không phải số đo";
- ``do_thi_hoa_toan_quoc.html``: the national picture of Resolution 06-NQ/TW (> 50 % urbanisation
  by 2030): the 2019 census urban share of the 63 provinces of 2019 and of the 34 of 2025, in
  classes broken at the national share and the target, the province of the profile and the
  provinces with their own target outlined and labelled; from the national layers of
  ``layers/_national`` (:mod:`gis._map_national`), not the province's;
- ``index.html`` linking them, and A3 PNG/PDF prints of the orientation map and the corridor
  statistics map in ``maps/print/``; ``maps.json`` lists every map with its size and the layers
  it lacked.

Every web map names its towns, border gates and (from one zoom step in) communes with
permanent labels, and a click opens a popup in Vietnamese: a unit's area, 2019 census
population, density, urban share and region (:func:`gis._mapparts.unit_facts`, the sums of
``gis stats``); an urban area's type, classes, region and the census figures of its 2025
commune(s).

Which store layer feeds which part of a map is the profile's layer roles
(:data:`gis.profile.LAYER_ROLES`, renamed by ``[roles]``). A map whose every main layer
(:attr:`MapSpec.needs_any`) is missing is not drawn: the index page lists it with the layers
that would make it. Another layer missing leaves its part out of the map, and the index page says
which layer was missing;
nothing is drawn in its place (the two regions are the one exception: without
``orientation_regions_pre2025`` they are the districts dissolved by their ``plan_region``, which
is how that layer is defined, and the index says so). Statistics are computed with
:mod:`gis.coverage` in the planning CRS, the same functions ``gis stats`` uses.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from gis import _mapparts as parts
from gis import settings
from gis._frames import M2_PER_KM2
from gis._map_national import finish as _finish_national
from gis._map_national import national_map as _national
from gis._map_national import national_source
from gis._writes import atomic_write
from gis.coverage import (
    SCHEMATIC_VI,
    SURVEYED_ROADS_COMMANDS,
    existing_roads,
    road_density,
    roads_are_schematic,
    schematic_roads,
    within_distance,
)
from gis.maplabels import (
    HORIZON_VI,
    LINE_STYLES,
    ROAD_CLASS_VI,
    ROAD_COLORS,
    STATUS_VI,
    translate,
)
from gis.maplayer import SIMPLIFY_M, MapLayer
from gis.printmap import locator_inset, print_map
from gis.profile import Profile, load_profile
from gis.webmap import index_page, reproducible_ids, save_map, web_map

__all__ = [
    "MAPS",
    "MAP_BUDGET_BYTES",
    "SIMPLIFY_M",
    "MapSpec",
    "build_maps",
    "read_manifest",
]

#: Size budget of one web map of a province (bytes), checked by the tests.
MAP_BUDGET_BYTES = 1_000_000


# ----------------------------------------------------------------------------- the maps


def _orientation(src: parts.Source) -> list[MapLayer]:
    """One axis, two regions, three pillars: the regions filled, every other part a line or a
    symbol that leaves them readable (:func:`gis._mapparts.pillar_layers`)."""
    layers = []
    regions = parts.regions(src)
    if regions is not None:
        layers.append(parts.regions_layer(src, regions))
    layers += parts.base(src, units="districts")
    axis = src.get("axis")
    if axis is not None:
        layers += parts.axis_layers(src, axis, legend_title=src.profile.plan.axis_vi)
    zones, sites = parts.pillar_layers(src)
    layers += zones
    urban, docs = parts.urban(src)
    if urban is not None:
        plan = urban[urban["source_document"] == docs[0]] if docs[0] else urban
        column = "class_2030" if "class_2030" in plan else "class_target"
        layers += parts.urban_class_layers(plan, column, "Đô thị đến 2030")
    gates = parts.facility(src, ("border_gate",))
    if gates is not None and len(gates):
        layers.append(parts.facility_layer(gates, "Cửa khẩu", radius=7.0))
    return layers + sites  # small dots over the urban symbols (whose size is their class)


def _urban_system(src: parts.Source) -> list[MapLayer]:
    """Urban areas: the class of 2030 filled, today's class as a dark ring drawn over it (the
    same size: the class is kept; a ring inside a bigger disc: the area moves up a class), the
    classes of other documents as dashed rings (off at start). The size is the class."""
    layers = parts.base(src)
    urban, docs = parts.urban(src)
    if urban is None:
        return layers
    plan = urban[urban["source_document"] == docs[0]] if docs[0] else urban
    layers += parts.urban_class_layers(
        plan, "class_2030", "Đến 2030", heading="Đến 2030 (hình tròn đặc)"
    )
    if "class_current" in plan:
        layers += parts.urban_class_layers(
            plan,
            "class_current",
            "Hiện trạng",
            hollow=True,
            label=False,
            heading="Hiện trạng (vòng tròn đậm; không có vòng: chưa là đô thị)",
        )
    for doc in docs[1:]:
        other = urban[urban["source_document"] == doc]
        name = f"2030 theo {src.profile.plan.document_name_vi(doc)}"
        layers += parts.urban_class_layers(
            other,
            "class_2030",
            name,
            show=False,
            hollow=True,
            dashed=True,
            label=False,
            heading=f"{name} (vòng nét đứt)",
        )
    return layers


def _infrastructure(src: parts.Source) -> list[MapLayer]:
    layers = parts.base(src, units=None)
    legacy = src.get("roads_legacy")
    if legacy is not None:
        color, weight = LINE_STYLES["roads_legacy"]
        layers.append(
            MapLayer(
                legacy,
                "Đường (dữ liệu cũ, thô)",
                color=color,
                weight=weight,
                show=False,
                fields={"name": "Tên"},
            )
        )
    roads = src.get("roads")
    if roads is not None:
        cls = translate(roads["road_class"], ROAD_CLASS_VI)
        st = translate(roads["status"], STATUS_VI)
        roads = roads.assign(
            kind_vi=cls + " – " + st,
            status_vi=st,
            planned=parts.planned(roads),
            horizon_vi=translate(roads["horizon"], HORIZON_VI),
        )
        colors = {
            f"{ROAD_CLASS_VI.get(c, c)} – {STATUS_VI.get(s, s)}": ROAD_COLORS.get((c, s), "#666")
            for c, s in zip(roads["road_class"], roads["status"], strict=True)
        }
        layers.append(
            MapLayer(
                roads,
                "Đường theo cấp và hiện trạng",
                column="kind_vi",
                kind="category",
                colors=colors,
                weight=2.0,
                opacity=1.0,
                fields={
                    "road_ref": "Tuyến",
                    "kind_vi": "Cấp – hiện trạng",
                    "horizon_vi": "Thời hạn",
                },
                popup={"source": "Nguồn"},
                dashed="planned",
                legend_title=f"Đường theo cấp và hiện trạng ({parts.PLANNED_NOTE})",
            )
        )
    hydro = src.get("hydropower")
    if hydro is not None:
        if "in_province" in hydro.columns:  # plants of neighbouring provinces: off at start
            inside = hydro["in_province"].fillna(False).astype(bool)
        else:
            inside = pd.Series(True, index=hydro.index)
        for rows, name, show in (
            (hydro[inside], "Nhà máy thủy điện", True),
            (hydro[~inside], "Thủy điện tỉnh lân cận", False),
        ):
            if len(rows):
                layers.append(
                    MapLayer(
                        rows,
                        name,
                        column="status",
                        kind="category",
                        cmap="tab10",
                        radius=4.5,
                        fill_opacity=0.9,
                        show=show,
                        legend_title=f"{name} (hiện trạng)",
                        fields={
                            "name": "Tên",
                            "capacity_mw": "Công suất (MW)",
                            "status": "Hiện trạng",
                        },
                        popup={"basin": "Lưu vực", "operation_start": "Năm vận hành"},
                    )
                )
    fac = parts.facility(src)
    if fac is not None and len(fac):
        fac = fac[fac["kind"] != "hydropower"]  # large plants are in the hydropower layer
        layers += parts.facility_zone_layers(fac)
        points = fac[fac.geom_type == "Point"]
        layers.append(
            parts.facility_layer(
                points, "Cửa khẩu, sân bay, khu công nghiệp", radius=7.5, label_zoom=1
            )
        )
    return layers


def _corridor(src: parts.Source) -> list[MapLayer]:
    layers = parts.base(src)
    axis = src.get("axis")
    if axis is None:
        return layers
    rings = parts.rings(
        axis, parts.outline_geom(src), "trục", src.profile.plan.corridor_distances_m
    )
    layers[:0] = parts.band_layers(rings, "Hành lang quanh trục", ["#bd0026", "#fd8d3c", "#fed976"])
    return layers + parts.axis_layers(src, axis)


def _catchments(src: parts.Source) -> list[MapLayer]:
    layers = parts.base(src)
    outline = parts.outline_geom(src)
    urban, docs = parts.urban(src)
    bands = []
    if urban is not None:
        plan = urban[urban["source_document"] == docs[0]] if docs[0] else urban
        rings = parts.rings(plan, outline, "đô thị (lõi)", src.profile.plan.corridor_distances_m)
        bands += parts.band_layers(rings, "Vùng phục vụ đô thị", ["#08519c", "#6baed6", "#c6dbef"])
    layers[:0] = bands
    gates = parts.facility(src, ("border_gate",))
    if gates is not None and len(gates):
        # outlines over the urban bands: both read at once, no fill over fill
        rings = parts.rings(gates, outline, "cửa khẩu", src.profile.plan.corridor_distances_m)
        palette = ["#3f007d", "#6a51a3", "#9e9ac8"]
        layers += parts.band_layers(rings, "Vùng phục vụ cửa khẩu", palette, hollow=True)
    if urban is not None:
        layers += parts.urban_class_layers(plan, "class_2030", "Đô thị đến 2030")
    if gates is not None and len(gates):
        layers.append(parts.facility_layer(gates, "Cửa khẩu"))
    return layers


# ----------------------------------------------------------------------------- statistics


def _stat_layers(src, compute, column, title, unit, cmap) -> list[MapLayer]:
    """A choropleth per unit system: values from the stored geometry, drawn on the shown one."""
    layers = []
    for role, level, show, zoom in (
        ("communes", "xã, phường 2025", True, 1),
        ("districts", "huyện trước 2025", False, 0),
    ):
        stored = src.get(role)
        if stored is None:
            continue
        values = np.asarray(compute(stored[["code", "name", "geometry"]], role), dtype=float)
        units = src.shown(role)[
            ["code", "name", *(["full_name"] if "full_name" in stored else []), "geometry"]
        ].copy()
        units[column] = values
        units = parts.with_unit_facts(src, role, units)
        popup = {"unit_name": "Đơn vị", column: f"{title} ({unit})", **parts.UNIT_POPUP}
        layers.append(
            MapLayer(
                units,
                f"{title} – {level}",
                column=column,
                kind="choropleth",
                scheme="FisherJenks",
                k=5,
                cmap=cmap,
                unit=unit,
                show=show,
                coverage=True,
                fill_opacity=0.75,
                weight=0.6,
                label="name",
                label_zoom=zoom,
                legend_title=f"{level[0].upper()}{level[1:]} ({unit})",
                fields={"name": "Tên", column: f"{title} ({unit})", "code": "Mã"},
                popup=popup,
            )
        )
    return layers + parts.base(src, units=None)


def _stat_area(src: parts.Source) -> list[MapLayer]:
    return _stat_layers(
        src,
        lambda u, _: u.geometry.area / M2_PER_KM2,
        "area_calc_km2",
        "Diện tích",
        "km²",
        "Greens",
    )


def _stat_urban(src: parts.Source) -> list[MapLayer]:
    """Census urban share per unit (people in phường and thị trấn on 01/04/2019 / all people):
    the sums of ``gis stats`` (:func:`gis._mapparts.unit_facts`); a unit with no census unit is
    left uncoloured and listed in the map's notes."""

    def share(units, role):
        facts = parts.unit_facts(src, role)
        values = units["code"].astype(str).map(facts["urban_pct_2019"]).astype(float)
        if values.isna().any():
            src.notes.append(
                f"{int(values.isna().sum())} đơn vị của lớp {src.names[role]} "
                "không có số liệu Tổng điều tra 2019"
            )
        return values

    return _stat_layers(
        src, share, "urban_pct_2019_calc", "Tỷ lệ dân số đô thị 2019", "%", "Purples"
    )


def _stat_roads(src: parts.Source) -> list[MapLayer]:
    """Road density per unit; while the roads are schematic every name says so.

    Schematic roads (:func:`gis.coverage.roads_are_schematic` on the existing roads, the rule of
    the statistics tables) give a density of the sketch, not of the network: the choropleth and
    its tooltip carry :data:`gis.coverage.SCHEMATIC_VI`, and the manifest notes say how many
    roads are schematic and how to import surveyed ones.
    """
    roads = src.get("roads")
    if roads is None:
        return parts.base(src)
    existing = existing_roads(roads)
    name = "Mật độ đường"
    if roads_are_schematic(existing):
        name += f" ({SCHEMATIC_VI})"
        src.tag = f" ({SCHEMATIC_VI})"
        src.notes.append(
            f"mật độ đường tính trên đường sơ đồ: {int(schematic_roads(existing).sum())}/"
            f"{len(existing)} tuyến hiện có là sơ đồ, không phải tuyến đo đạc; nhập đường đo "
            f"đạc: {SURVEYED_ROADS_COMMANDS[0]} rồi {SURVEYED_ROADS_COMMANDS[1]}, hoặc sửa lớp "
            f"{src.names['roads']}"
        )
    layers = _stat_layers(
        src,
        lambda u, _: road_density(u, existing)["road_density_km_per_km2"],
        "road_km_per_km2",
        name,
        "km/km²",
        "Oranges",
    )
    roads = roads.assign(planned=parts.planned(roads))
    return [
        *layers,
        MapLayer(
            roads,
            "Đường (sơ đồ)" if src.schematic("roads") else "Đường",
            color="#7f2704",
            weight=1.2,
            dashed="planned",
        ),
    ]


def _stat_corridor(src: parts.Source) -> list[MapLayer]:
    axis = src.get("axis")
    if axis is None:
        return parts.base(src)
    d = src.profile.plan.corridor_share_m
    layers = _stat_layers(
        src,
        lambda u, _: within_distance(u, axis, distance_m=d)[f"near_{d:g}m_pct"],
        "axis_share_pct",
        f"Diện tích trong {d / 1000:g} km quanh trục",
        "%",
        "Reds",
    )
    return [*layers, *parts.axis_layers(src, axis)]


@dataclass(frozen=True)
class MapSpec:
    """One product map: file stem, Vietnamese title, builder.

    Titles are filled from the profile: ``{province}`` (name), ``{orientation}`` (": " and the
    plan's ``orientation_vi``, or nothing), ``{Orientation}`` (the same capitalised, alone),
    ``{bands}`` (the corridor distances in km), ``{share_km}`` and ``{tag}`` (see
    :func:`_stat_roads`).
    """

    slug: str
    title: str
    build: Callable[[parts.Source], list[MapLayer]]
    print_title: str | None = None  # also printed on A3 when set
    print_subtitle: str | None = None
    national: bool = False  # built from layers/_national (gis._map_national), not the province
    needs_any: tuple[str, ...] = ()  # roles: drawn only if one of these layers exists
    simplify_m: float = SIMPLIFY_M  # display simplification of web_map (0: the builder did it)
    finish: Callable[..., None] | None = None  # finish(folium_map, source) before saving


#: The maps, in the order of the index page.
MAPS: tuple[MapSpec, ...] = (
    MapSpec(
        "dinh_huong",
        "Định hướng phát triển không gian tỉnh {province}{orientation}",
        _orientation,
        print_title="Định hướng phát triển không gian tỉnh {province}",
        print_subtitle="{Orientation}",
        needs_any=("regions", "districts_regions", "axis", "pillar_sites", "pillar_zones"),
    ),
    MapSpec(
        "do_thi",
        "Hệ thống đô thị tỉnh {province}: hiện trạng và đến 2030",
        _urban_system,
        needs_any=("urban_areas",),
    ),
    MapSpec(
        "ha_tang",
        "Hạ tầng tỉnh {province}: giao thông, năng lượng, cửa khẩu",
        _infrastructure,
        needs_any=("roads", "roads_legacy", "hydropower", "facilities"),
    ),
    MapSpec(
        "hanh_lang", "Hành lang kinh tế: dải {bands} km quanh trục", _corridor, needs_any=("axis",)
    ),
    MapSpec(
        "vung_phuc_vu",
        "Vùng phục vụ của đô thị và cửa khẩu (đường chim bay)",
        _catchments,
        needs_any=("urban_areas", "facilities"),
    ),
    MapSpec(
        "tk_dien_tich",
        "Thống kê: diện tích đơn vị hành chính (km²)",
        _stat_area,
        needs_any=("communes", "districts"),
    ),
    MapSpec(
        "tk_do_thi_hoa",
        "Thống kê: tỷ lệ dân số đô thị theo Tổng điều tra 2019 (%)",
        _stat_urban,
        print_title="Tỷ lệ dân số đô thị tỉnh {province} (Tổng điều tra 2019)",
        print_subtitle="Dân số phường, thị trấn / tổng dân số; theo xã, phường 2025",
        needs_any=("census",),
    ),
    # {tag}: " (sơ đồ – không phải số đo)" while the roads are schematic (_stat_roads).
    MapSpec(
        "tk_mat_do_duong", "Thống kê: mật độ đường, km/km²{tag}", _stat_roads, needs_any=("roads",)
    ),
    MapSpec(
        "tk_hanh_lang",
        "Thống kê: tỷ lệ diện tích trong {share_km} km quanh trục (%)",
        _stat_corridor,
        print_title="Tỷ lệ diện tích trong {share_km} km quanh trục kinh tế (%)",
        print_subtitle="Theo xã, phường (2025); khoảng cách đường chim bay tới trục",
        needs_any=("axis",),
    ),
    MapSpec(
        "do_thi_hoa_toan_quoc",
        "Đô thị hóa toàn quốc: tỷ lệ dân số đô thị 2019 của các tỉnh "
        "và mục tiêu trên 50 % năm 2030 (Nghị quyết 06-NQ/TW)",
        _national,
        national=True,
        simplify_m=0.0,
        finish=_finish_national,
    ),
)


def _title(template: str | None, profile: Profile, tag: str = "") -> str | None:
    """A map title or subtitle filled from the profile (see :class:`MapSpec`); None stays None,
    and a template that fills to nothing (no orientation name) is None."""
    if template is None:
        return None
    plan = profile.plan
    slogan = plan.orientation_vi
    text = template.format(
        province=profile.name,
        orientation=f": {slogan}" if slogan else "",
        Orientation=slogan[:1].upper() + slogan[1:],
        bands=", ".join(f"{d / 1000:g}" for d in plan.corridor_distances_m),
        share_km=f"{plan.corridor_share_m / 1000:g}",
        tag=tag,
    )
    return text or None


def _source_note(src: parts.Source) -> str:
    """Sources of a map in plain Vietnamese, from the provenance of the layers it used."""
    note = "; ".join(src.credits())
    schematic = [
        label
        for role, label in (("axis", "trục"), ("roads", "đường"))
        if src.names.get(role) in src.used and src.schematic(role)
    ]
    if schematic:
        what = " và ".join(schematic).capitalize()
        note += f". {what}: sơ đồ nối các điểm mốc, không phải tuyến đo đạc"
    return note


def build_maps(
    *,
    province: str | Profile | None = None,
    layers_dir: str | os.PathLike | None = None,
    out_dir: str | os.PathLike | None = None,
    prints: bool = True,
    keep: Callable[[dict], bool] | None = None,
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
    keep : callable, optional
        ``keep(entry)`` gets the ``maps.json`` entry of a map from the previous build in
        ``out_dir`` (the layers it read: ``store_layers``, ``missing_layers``); True keeps that
        map and its prints as they are, if their files are still there (:mod:`gis.build` says
        True when none of those layers changed). Default: build every map.

    Returns
    -------
    list of Path
        The HTML maps in :data:`MAPS` order, then ``index.html``, the prints and ``maps.json``.
        A map that could not be drawn at all (every layer it needs missing) is left out and
        reported in the index page and ``maps.json``.
    """
    profile = load_profile(province, layers_dir=layers_dir)
    out = Path(out_dir if out_dir is not None else settings.MAPS_DIR)
    province_src = parts.Source(profile, profile.roles)
    nation_src = national_source(profile)
    made = datetime.date.today().strftime("%d/%m/%Y")
    manifest, html_files, print_files, index = [], [], [], {}
    previous = _previous_entries(out) if keep is not None else {}
    inset: list = []  # the locator map, made once when the first print needs it
    for spec in MAPS:
        print_title = _title(spec.print_title, profile)
        old = previous.get(spec.slug)
        if old is not None and _kept(out, old, prints and print_title) and keep(old):
            manifest.append(old)
            if old["file"] is not None:
                html_files.append(out / old["file"])
                index[_link(old["title"], old["missing_layers"])] = out / old["file"]
                print_files += [(out / "print" / p, print_title) for p in old.get("print", [])]
            continue
        src = nation_src if spec.national else province_src
        src.reset()
        present = [role for role in spec.needs_any if src.get(role) is not None]
        layers = spec.build(src) if present or not spec.needs_any else []
        title = _title(spec.title, profile, src.tag)
        entry = {
            "slug": spec.slug,
            "title": title,
            "missing_layers": list(src.missing),
            "notes": list(src.notes),
            "layers": [la.name for la in layers],
            "store_layers": list(src.used),
        }
        if not layers:
            entry["file"] = None
            manifest.append(entry)
            continue
        source = _source_note(src)
        with reproducible_ids(f"{profile.slug}/{spec.slug}"):
            page = web_map(
                layers, title=title, source=f"Nguồn: {source}", simplify_m=spec.simplify_m
            )
            if spec.finish is not None:
                spec.finish(page, src)
        path = save_map(page, out / f"{spec.slug}.html")
        html_files.append(path)
        index[_link(title, src.missing)] = path
        if prints and print_title:
            if not inset:
                inset.append(locator_inset(profile))  # None without layers/_national
            printed = print_map(
                _printable(layers),
                out / "print" / spec.slug,
                title=print_title,
                subtitle=_title(spec.print_subtitle, profile),
                paper="A3",
                inset=inset[0],
                source=f"{source}. Lập ngày {made}",
            )
            if inset[0] is None:
                entry["notes"].append(
                    "bản in không có bản đồ vị trí: thiếu lớp "
                    "_national/provinces_2025 (tools/import_national.py)"
                )
            print_files += [(p, print_title) for p in printed]
            entry["print"] = [p.name for p in printed]
        entry.update(file=path.name, bytes=path.stat().st_size)
        manifest.append(entry)
    for p, print_title in print_files:
        index[f"Bản in A3 ({p.suffix[1:].upper()}): {print_title}"] = p
    failed = [
        f"{e['title']} (cần một trong các lớp: {', '.join(e['missing_layers'])})"
        for e in manifest
        if e["file"] is None
    ]
    note = (
        f"Bản đồ tỉnh {profile.name} dựng bằng lệnh gis build từ các lớp dữ liệu của dự án; "
        "mở được khi không có Internet (nền OpenStreetMap là lớp tùy chọn, cần Internet)."
    )
    if failed:
        note += f" Không dựng được (thiếu lớp dữ liệu): {'; '.join(failed)}."
    idx = index_page(
        index, out / "index.html", title=f"Bản đồ quy hoạch tỉnh {profile.name}", note=note
    )
    mf = out / "maps.json"
    text = (
        json.dumps(
            {"province": profile.slug, "budget_bytes": MAP_BUDGET_BYTES, "maps": manifest},
            ensure_ascii=False,
            indent=2,
        )
        + "\n"
    )
    atomic_write(mf, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return [*html_files, idx, *(p for p, _ in print_files), mf]


def _link(title: str, missing: list[str]) -> str:
    """Text of a map's link on the index page: its title and the layers it lacked."""
    return title + (f" (thiếu lớp: {', '.join(missing)})" if missing else "")


def _previous_entries(out: Path) -> dict[str, dict]:
    """The maps of the previous build in ``out`` by slug ({} if there is none, or unreadable)."""
    try:
        return {e["slug"]: e for e in read_manifest(out)["maps"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _kept(out: Path, entry: dict, printed: bool) -> bool:
    """True if the files of a previous map (and its prints, when printed) are still there."""
    if entry.get("file") is None:
        return True
    names = [entry["file"], *(f"print/{p}" for p in entry.get("print", []) if printed)]
    return (
        (out / entry["file"]).is_file()
        and all((out / n).is_file() for n in names)
        and (bool(entry.get("print")) == bool(printed))
    )


def _printable(layers: list[MapLayer]) -> list[MapLayer]:
    """Layers of a printed map: those shown at start; unfilled polygons as grey outlines, named."""
    out = []
    for layer in layers:
        if not layer.show:
            continue
        polygons = set(layer.data.geom_type.dropna()) <= {"Polygon", "MultiPolygon"}
        if polygons and layer.fill_opacity == 0:  # print_map draws these as named outlines
            label = "unit_name" if "unit_name" in layer.data.columns else layer.label
            layer = dataclasses.replace(layer, color="#8c8c8c", weight=0.5, label=label)
        out.append(layer)
    return out or list(layers)


def read_manifest(out_dir: str | os.PathLike | None = None) -> dict:
    """Return ``maps.json`` written by :func:`build_maps` (maps, sizes, missing layers)."""
    out = Path(out_dir if out_dir is not None else settings.MAPS_DIR)
    return json.loads((out / "maps.json").read_text(encoding="utf-8"))
