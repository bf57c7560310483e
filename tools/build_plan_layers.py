"""Build the planning layers of a province from its source tables and base layers.

Run by maintainers after editing a table in ``layers/<slug>/_sources/`` (or after importing a
``road_alignments`` layer)::

    PYTHONPATH=. python tools/build_plan_layers.py [--province lai_chau] [--layers DIR]

Reads only the layer store: the ``_sources`` CSV tables of the province folder and its base
layers (``province``, ``districts_pre2025``, ``communes_2025`` and, if present,
``road_alignments``). Never reads the shared research folder. Writes, with schema and
provenance (source, source_vi, licence, date, processing, accuracy):

plan_waypoints, region_assignment_pre2025, region_assignment_2025,
orientation_regions_pre2025, orientation_regions_2025, roads, orientation_axis, urban_areas,
pillars, pillar_sites, pillar_zones, facilities.

The layers are written without the cross-layer rules (they depend on each other); the whole
province is validated at the end and the script exits non-zero if a rule fails.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd

from gis import plan
from gis.errors import LayerNotFoundError
from gis.profile import load_profile
from gis.store import read_layer, write_layer
from gis.validate import validate_province

TODAY = date.today().isoformat()
RESEARCH_DATE = "research 2026-11 (see _sources/README.md)"
BUILD = (
    f"Built by tools/build_plan_layers.py on {TODAY} from layers/<slug>/_sources/ (CSV research "
    "tables, each row with its source; see _sources/README.md) and the base layers of the store; "
    "WGS 84 coordinates placed in the planning CRS with the pinned VN-2000 shift, snapped to 1 cm."
)
MIXED = (
    "mixed, per row (see the `source` column): Vietnamese government and press pages (facts), "
    "GSO commune reference points (official statistics), TravelMapping/OpenStreetMap (ODbL-1.0) "
    "for the IC16 point"
)
HORIZONS = ["baseline", "2030", "2050"]
REGIONS = ["dynamic_economic", "song_da_agroforestry"]
CLASSES = ["special", "I", "II", "III", "IV", "V"]
# The research tables read from layers/<slug>/_sources/ (see layers/lai_chau/_sources/README.md).
TABLES = [
    "waypoints.csv",
    "region_assignment_districts.csv",
    "region_assignment_communes.csv",
    "road_segments.csv",
    "urban_areas.csv",
    "urban_area_points.csv",
    "pillars.csv",
    "facilities.csv",
]


def col(name, dtype="str", *, required=False, unique=False, allowed=None, description=""):
    out = {
        "name": name,
        "dtype": dtype,
        "required": required,
        "unique": unique,
        "description": description,
    }
    if allowed:
        out["allowed"] = list(allowed)
    return out


def meta(title, columns, provenance, *, geometry_type=None, crs, id_column, accuracy, notes=""):
    out = {"title": title, "kind": "table" if geometry_type is None else "vector"}
    if geometry_type is not None:
        out.update(geometry_type=geometry_type, crs=crs)
    out.update(id_column=id_column, columns=columns, provenance=provenance, accuracy=accuracy)
    if notes:
        out["notes"] = notes
    return out


def prov(source, source_vi, licence, processing, *, url="", when=RESEARCH_DATE):
    """Provenance of a layer; ``source_vi`` is the Vietnamese text of ``source`` (required)."""
    return {
        "source": source,
        "source_vi": source_vi,
        "url": url,
        "licence": licence,
        "date": when,
        "processing": f"{processing} {BUILD}",
    }


def slug(text: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", text.replace("Đ", "D").replace("đ", "d"))
    ascii_ = ascii_.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_.lower()).strip("_")


SRC_COLS = [
    col("source", required=True, description="where this row comes from (document, page, file)"),
    col("source_url", description="link to the source, if any"),
]


def main(province: str | None, layers_dir: Path | None) -> int:
    profile = load_profile(province, layers_dir=layers_dir)
    src = profile.path / "_sources"
    crs = profile.planning_crs

    missing = [name for name in TABLES if not (src / name).is_file()]
    if missing:
        print(
            f"error: {src} lacks the plan research table(s) {', '.join(missing)}; put these CSV "
            "tables there (one row per waypoint, road segment, region, urban area, pillar member "
            "or facility, each with its source), as in layers/lai_chau/_sources/README.md",
            file=sys.stderr,
        )
        return 2

    def table(name: str) -> pd.DataFrame:
        if name not in TABLES:  # the check above must know every table read here
            raise ValueError(f"{name} is read but not listed in TABLES")
        return pd.read_csv(src / name, dtype=str, keep_default_na=False, na_values=[""])

    def put(data, name, m):
        path = write_layer(
            data,
            name,
            meta=m,
            province=profile,
            check_rules=False,
            message="tools/build_plan_layers.py",
        )
        print(f"{name:<28} {len(data):>3} -> {path.name}")

    districts = read_layer("districts_pre2025", province=profile)
    communes = read_layer("communes_2025", province=profile)

    # --- waypoints -----------------------------------------------------------------------------
    wp = plan.points_from_lonlat(table("waypoints.csv"), crs=crs)
    put(
        wp,
        "plan_waypoints",
        meta(
            "Waypoints of the schematic roads and plan sites (towns, junctions, passes, gates)",
            [
                col(
                    "id",
                    required=True,
                    unique=True,
                    description="waypoint id used by road 'via' lists",
                ),
                col("name", required=True),
                col("kind", required=True, allowed=[*sorted(wp["kind"].unique()), "other"]),
                col("accuracy", required=True, description="positional accuracy and why"),
                *SRC_COLS,
            ],
            prov(
                "GSO commune reference points (via caobada/findhomed.com WardSeeder.php), "
                "TravelMapping vnm.ct05.wpt (IC16), representative points of 2025 communes, "
                "Natural Earth border (Ma Lù Thàng), hobby landmark tables (Ô Quy Hồ)",
                "điểm tham chiếu cấp xã của Tổng cục Thống kê (qua caobada/findhomed.com "
                "WardSeeder.php), TravelMapping vnm.ct05.wpt (IC16), điểm đại diện của các đơn vị "
                "cấp xã năm 2025, đường biên giới Natural Earth (Ma Lù Thàng), các bảng địa danh "
                "do người nghiệp dư lập (Ô Quy Hồ)",
                "mixed per row: GSO list (facts); TravelMapping/OpenStreetMap ODbL-1.0; "
                "see `source`",
                "Points from _sources/waypoints.csv (lon/lat WGS 84).",
            ),
            geometry_type="Point",
            crs=crs,
            id_column="id",
            accuracy="per point, ±0.2 km (IC16) to ±15 km (Bát Xát district point); town centres "
            "±1 km; see the `accuracy` column",
        ),
    )

    # --- regions -------------------------------------------------------------------------------
    ra_d = table("region_assignment_districts.csv")
    ra_c = table("region_assignment_communes.csv")
    # 2025 communes must agree with the regions of the old districts they were made of.
    by_district = dict(zip(ra_d["district_code"], ra_d["plan_region"], strict=True))
    for _, row in ra_c.iterrows():
        olds = {by_district[d] for d in str(row["old_district_codes"]).split(";")}
        if olds != {row["plan_region"]}:
            print(
                f"NOTE: 2025 commune {row['code']} region {row['plan_region']} but its old "
                f"districts are in {sorted(olds)}"
            )
    region_vi = dict(zip(ra_d["plan_region"], ra_d["plan_region_vi"], strict=False))
    ra_c["plan_region_vi"] = ra_c["plan_region"].map(region_vi)
    reg_col = col(
        "plan_region",
        required=True,
        allowed=REGIONS,
        description="region of the spatial orientation (Decision 1585)",
    )
    reg_vi = col("plan_region_vi", description="Vietnamese name of the region")
    ra_d_keep = [
        "district_code",
        "name",
        "plan_region",
        "plan_region_vi",
        "source",
        "source_url",
        "accuracy",
    ]
    put(
        ra_d[ra_d_keep],
        "region_assignment_pre2025",
        meta(
            "Region assignment of the pre-2025 districts (one axis, two regions)",
            [
                col("district_code", required=True, unique=True),
                col("name"),
                reg_col,
                reg_vi,
                *SRC_COLS,
                col("accuracy"),
            ],
            prov(
                "duan24h.net summary of the plan's inter-district regions (vùng liên huyện); "
                "Decision 1585/QĐ-TTg text not read directly",
                "bài tóm tắt của duan24h.net về các vùng liên huyện của quy hoạch; chưa đọc trực "
                "tiếp văn bản Quyết định 1585/QĐ-TTg",
                "facts (no copyright on facts)",
                "Copied from _sources/region_assignment_districts.csv.",
            ),
            crs=crs,
            id_column="district_code",
            accuracy="exact per whole district, as summarised by the press",
        ),
    )
    ra_c_keep = [
        "code",
        "name",
        "type",
        "plan_region",
        "plan_region_vi",
        "old_district_codes",
        "straddles_regions",
        "share_dynamic_economic",
        "share_song_da_agroforestry",
        "rule",
        "source",
        "accuracy",
    ]
    put(
        ra_c[ra_c_keep],
        "region_assignment_2025",
        meta(
            "Region assignment of the 2025 communes (derived from their old districts)",
            [
                col("code", required=True, unique=True),
                col("name"),
                col("type"),
                reg_col,
                reg_vi,
                col("old_district_codes", description="pre-2025 districts the commune was made of"),
                col("straddles_regions", allowed=["yes", "no"]),
                col(
                    "share_dynamic_economic",
                    "float",
                    description="area share in region 1 districts",
                ),
                col(
                    "share_song_da_agroforestry",
                    "float",
                    description="area share in region 2 districts",
                ),
                col("rule"),
                col("source", required=True),
                col("accuracy"),
            ],
            prov(
                "region_assignment_pre2025 + 2025 commune polygons (sapnhap via "
                "thanglequoc/vietnamese-provinces-database) + commune crosswalk",
                "region_assignment_pre2025 + đa giác các đơn vị hành chính cấp xã năm 2025 "
                "(sapnhap qua thanglequoc/vietnamese-provinces-database) + bảng chuyển đổi cấp xã",
                "MIT (polygons' repository); facts",
                "Copied from _sources/region_assignment_communes.csv (area overlay in EPSG:9205).",
            ),
            crs=crs,
            id_column="code",
            accuracy="exact: no 2025 commune straddles the two regions by its old districts; "
            "area shares carry 1-3 % survey misfit",
        ),
    )

    reg_cols = [
        reg_col,
        reg_vi,
        col("n_units", "int", required=True, description="units dissolved"),
        col("unit_codes", required=True, description="codes of the units, ';'-joined"),
        col("area_km2", "float", description="area in the planning CRS"),
        col("source", required=True),
        col("accuracy"),
    ]
    for suffix, units, assign, aid, unit_src, lic in (
        (
            "pre2025",
            districts,
            ra_d,
            "district_code",
            "districts_pre2025 (dvhcvn)",
            "GPL-3.0 (dvhcvn polygons)",
        ),
        (
            "2025",
            communes,
            ra_c,
            "code",
            "communes_2025 (sapnhap)",
            "MIT (repository); underlying map © its publisher",
        ),
    ):
        r = plan.regions(units, assign, assignment_id=aid, keep=["plan_region_vi"])
        r["source"] = f"gis.plan.regions({unit_src}, region_assignment_{suffix})"
        r["accuracy"] = f"as the {unit_src} polygons (derived, not drawn)"
        put(
            r,
            f"orientation_regions_{suffix}",
            meta(
                "Orientation regions on "
                + ("pre-2025 districts" if suffix == "pre2025" else "2025 communes"),
                reg_cols,
                prov(
                    f"dissolve of {unit_src} by region_assignment_{suffix}",
                    f"hợp nhất (dissolve) {unit_src} theo region_assignment_{suffix}",
                    lic,
                    "Derived by gis.plan.regions (union of the units of each region).",
                ),
                geometry_type="Polygon",
                crs=crs,
                id_column="plan_region",
                accuracy=f"derived from the {unit_src} polygons; not hand-drawn",
            ),
        )

    # --- roads and axis ------------------------------------------------------------------------
    seg = table("road_segments.csv")
    try:
        alignments = read_layer("road_alignments", province=profile)
        print(f"using {len(alignments)} alignment(s) from layer road_alignments")
    except LayerNotFoundError:
        alignments = None
    roads = plan.schematic_lines(seg, wp, alignments=alignments)
    road_cols = [
        col("segment_id", required=True, unique=True),
        col("road_ref", required=True, description="road number or name (QL = national road)"),
        col("road_class", required=True, allowed=["expressway", "national", "provincial"]),
        col("surface", allowed=["paved", "unpaved", "unknown"]),
        col(
            "all_season",
            "bool",
            description="true = passable all year; empty = unknown (no source gave it)",
        ),
        col("status", required=True, allowed=["existing", "upgrading", "planned"]),
        col(
            "horizon",
            required=True,
            allowed=HORIZONS,
            description="baseline = exists now; 2030/2050 = planned by then",
        ),
        col(
            "axis_role",
            allowed=["axis: expressway link", "axis: main", "axis: border spur"],
            description="role in the orientation axis; empty = not on the axis",
        ),
        col("from_waypoint", required=True),
        col("to_waypoint", required=True),
        col("via", required=True, description="waypoint ids in order, ';'-joined"),
        col("note"),
        *SRC_COLS,
        col("accuracy", required=True, description="'schematic' = through waypoints"),
        col(
            "geometry_source",
            required=True,
            description="'waypoints: …' (schematic) or the source of a supplied alignment",
        ),
    ]
    roads = roads[[c["name"] for c in road_cols] + ["geometry"]]
    flag = {"yes": True, "no": False}
    roads["all_season"] = roads["all_season"].map(lambda v: flag.get(v, pd.NA)).astype("boolean")
    road_prov = prov(
        "_sources/road_segments.csv (road sequences from press and plan-draft "
        "pages, per row) through plan_waypoints",
        "_sources/road_segments.csv (trình tự tuyến đường lấy từ các trang báo chí và dự thảo "
        "quy hoạch, ghi theo từng dòng) thông qua plan_waypoints",
        MIXED,
        "Lines by gis.plan.schematic_lines: straight lines through the waypoints "
        "of each segment's 'via' list, unless layer road_alignments supplies a "
        "geometry for the segment.",
    )

    def acc_roads(lines: pd.DataFrame) -> str:
        n = int(lines["accuracy"].astype(str).str.startswith(plan.SCHEMATIC).sum())
        return (
            f"{n} of {len(lines)} segments schematic: lines through waypoints (±1-3 km), "
            "not the real alignment; replace them with surveyed lines via the "
            "road_alignments layer; the others: see accuracy per row"
        )

    put(
        roads,
        "roads",
        meta(
            "National and provincial roads (schematic)",
            road_cols,
            road_prov,
            geometry_type="LineString",
            crs=crs,
            id_column="segment_id",
            accuracy=acc_roads(roads),
        ),
    )
    axis = plan.axis_segments(roads)
    put(
        axis,
        "orientation_axis",
        meta(
            "Orientation axis: IC16 connector – QL.279 – QL.32 – QL.4D – QL.12 to Ma Lù Thàng",
            road_cols,
            road_prov,
            geometry_type="LineString",
            crs=crs,
            id_column="segment_id",
            accuracy=acc_roads(axis),
            notes="The road segments of `roads` with an axis_role (gis.plan.axis_segments).",
        ),
    )

    # --- urban areas ---------------------------------------------------------------------------
    ua = table("urban_areas.csv")
    ua["source_document"], doc_key = zip(
        *(
            ("Decision 1585/QĐ-TTg (2023)", "d1585")
            if s.startswith("Quyết định 1585")
            else ("urban development programme (c. 2022)", "prog")
            for s in ua["source_document"]
        ),
        strict=True,
    )
    ua["source"] = table("urban_areas.csv")["source_document"]
    ua["urban_id"] = [f"{k}_{slug(n)}" for k, n in zip(doc_key, ua["urban_area"], strict=True)]
    points = table("urban_area_points.csv").set_index("urban_area")["waypoint_id"]
    ua["waypoint_id"] = ua["urban_area"].map(points)
    ua["horizon"] = ["2030" if isinstance(c, str) else "2050" for c in ua["class_2030"]]
    ua["class_target"] = ua["class_2030"].where(ua["horizon"] == "2030", ua["class_2050"])
    first = ua["commune2025_code"].str.split(";").str[0]
    ua["plan_region"] = first.map(dict(zip(ra_c["code"], ra_c["plan_region"], strict=True)))
    cores = plan.urban_cores(ua, communes, wp)
    ua_cols = [
        col("urban_id", required=True, unique=True, description="source document key + name"),
        col("urban_area", required=True),
        col(
            "source_document",
            required=True,
            allowed=sorted(set(ua["source_document"])),
            description="which document the row follows (versions side by side)",
        ),
        col("source_year"),
        col("class_current", allowed=CLASSES, description="urban class at baseline"),
        col("class_current_note"),
        col("class_2025", allowed=CLASSES),
        col("class_2030", allowed=CLASSES),
        col("class_2050", allowed=CLASSES),
        col("class_target", allowed=CLASSES, description="class at `horizon`"),
        col(
            "horizon",
            required=True,
            allowed=["2030", "2050"],
            description="first horizon at which the document lists the area",
        ),
        col("status", required=True),
        col("district_code", required=True, description="pre-2025 district"),
        col("commune2025_code", required=True, description="2025 commune(s), ';'-joined"),
        col(
            "core_units_2019",
            description="GSO codes (list of 01/03/2025) of the units forming "
            "the core on the census date, ';'-joined: the urban area's 2019 population",
        ),
        col("core_units_note", description="which units the core is and why"),
        col("plan_region", required=True, allowed=REGIONS),
        col("waypoint_id", description="waypoint giving the point of a point core"),
        col(
            "geometry_kind",
            required=True,
            allowed=["commune polygon", "point"],
            description="polygon when the core is whole 2025 ward(s), else a point",
        ),
        col("geometry_source", required=True),
        col("source", required=True),
        col("source_url"),
        col("primary_document_url"),
        col("accuracy"),
    ]
    put(
        cores[[c["name"] for c in ua_cols] + ["geometry"]],
        "urban_areas",
        meta(
            "Urban system: 11 urban areas to 2030 (Decision 1585) and the older programme",
            ua_cols,
            prov(
                "Decision 1585/QĐ-TTg as summarised by soha.vn (2024-03); older urban development "
                "programme table on dautu360.vn; per row in `source`",
                "Quyết định 1585/QĐ-TTg theo tóm tắt của soha.vn (2024-03); bảng chương trình "
                "phát triển đô thị trước đây trên dautu360.vn; ghi theo từng dòng trong cột "
                "`source`",
                "facts",
                "From _sources/urban_areas.csv; geometry by gis.plan.urban_cores (whole 2025 wards "
                "→ polygon, else the waypoint of _sources/urban_area_points.csv).",
            ),
            geometry_type="",
            crs=crs,
            id_column="urban_id",
            accuracy="ward polygons as communes_2025; points ±1 km (town centres) to ±10 km "
            "(estimated, see geometry_source)",
            notes="Mixed geometry: Polygon for whole-ward cores, Point otherwise (geometry_kind).",
        ),
    )

    # --- pillars -------------------------------------------------------------------------------
    pil = table("pillars.csv")
    pil.insert(0, "pillar_id", [f"{p}_{i + 1:02d}" for i, p in enumerate(pil["pillar"])])
    geo = plan.hint_geometries(
        pil["geometry_hint"], waypoints=wp, communes=communes, districts=districts
    )
    pil = pd.concat([pil, geo.drop(columns="geometry")], axis=1)
    pil_cols = [
        col("pillar_id", required=True, unique=True),
        col(
            "pillar",
            required=True,
            allowed=sorted(pil["pillar"].unique()),
            description="pillar of the orientation (names are data)",
        ),
        col("member", required=True, description="kind of site or zone within the pillar"),
        col("name", required=True),
        col("geometry_hint"),
        col(
            "geometry_kind",
            required=True,
            allowed=["point", "waypoints", "commune polygon", "district polygon", "none"],
        ),
        col("commune_codes"),
        col("district_codes"),
        col("horizon", required=True, allowed=HORIZONS),
        col("note"),
        *SRC_COLS,
        col("accuracy", required=True),
    ]
    names = [c["name"] for c in pil_cols]
    pil_prov = prov(
        "_sources/pillars.csv: press summaries (soha.vn, doanhnhandautu.net) and the "
        "plan draft (TT QHLC-V17.1) excerpts on 123docz.net, per row",
        "_sources/pillars.csv: các bài tóm tắt trên báo chí (soha.vn, doanhnhandautu.net) và "
        "các trích đoạn dự thảo quy hoạch (TT QHLC-V17.1) trên 123docz.net, ghi theo từng dòng",
        "facts",
        "Geometry by gis.plan.hint_geometries from the geometry_hint.",
    )
    pil_acc = "per row: points ±1-5 km; zones are whole communes or districts (extent unknown)"
    put(
        pil[names],
        "pillars",
        meta(
            "Three pillars: members (all rows, with or without a place)",
            pil_cols,
            pil_prov,
            crs=crs,
            id_column="pillar_id",
            accuracy=pil_acc,
        ),
    )
    pil_geo = pd.concat([pil[names], geo[["geometry"]]], axis=1).set_geometry("geometry")
    pil_geo = pil_geo.set_crs(crs, allow_override=True)
    sites = pil_geo[pil_geo["geometry_kind"].isin(["point", "waypoints"])]
    zones = pil_geo[pil_geo["geometry_kind"].isin(["commune polygon", "district polygon"])]
    put(
        sites,
        "pillar_sites",
        meta(
            "Three pillars: sites (points)",
            pil_cols,
            pil_prov,
            geometry_type="Point",
            crs=crs,
            id_column="pillar_id",
            accuracy=pil_acc,
        ),
    )
    put(
        zones,
        "pillar_zones",
        meta(
            "Three pillars: zones (communes or districts)",
            pil_cols,
            pil_prov,
            geometry_type="Polygon",
            crs=crs,
            id_column="pillar_id",
            accuracy=pil_acc,
        ),
    )
    left = pil.loc[pil["geometry_kind"] == "none", "name"].tolist()
    if left:
        print(f"pillars without a place (table only): {left}")

    # --- facilities ----------------------------------------------------------------------------
    # A row is placed by its geometry_hint when it has one (a zone that is a whole commune: its
    # polygon), else by lon/lat; rows with neither stay in the facility_register table only.
    fac = table("facilities.csv")
    fac.insert(0, "facility_id", [f"{k}_{i + 1:02d}" for i, k in enumerate(fac["kind"])])
    hinted = fac["geometry_hint"].fillna("").str.strip() != ""
    hint_geo = plan.hint_geometries(
        fac.loc[hinted, "geometry_hint"], waypoints=wp, communes=communes, districts=districts
    )
    fac_pts = plan.points_from_lonlat(fac[~hinted].dropna(subset=["lon", "lat"]), crs=crs)
    fac_pts["geometry_kind"] = "point"
    fac_geo = pd.concat(
        [
            fac_pts,
            fac[hinted].assign(geometry_kind=hint_geo["geometry_kind"], geometry=hint_geo.geometry),
        ]
    )
    fac_geo = gpd.GeoDataFrame(fac_geo, geometry="geometry", crs=crs).sort_index()
    fac["geometry_kind"] = fac_geo["geometry_kind"].reindex(fac.index).fillna("none")
    dropped = fac.loc[fac["geometry_kind"] == "none", "name"].tolist()
    fac_cols = [
        col("facility_id", required=True, unique=True),
        col("kind", required=True, allowed=sorted(fac["kind"].unique())),
        col("name", required=True),
        col("waypoint_id"),
        col("commune2025_code", description="2025 commune of the facility"),
        col("status", required=True, allowed=["existing", "planned"]),
        col("horizon", required=True, allowed=HORIZONS),
        col("area_ha", "float", description="area as stated by the source"),
        col(
            "geometry_kind",
            required=True,
            allowed=["point", "commune polygon", "district polygon", "none"],
            description="point from lon/lat; polygon from the geometry_hint; none = no "
            "location in any source",
        ),
        *SRC_COLS,
        col("accuracy", required=True),
        col("note"),
    ]
    fac_names = [c["name"] for c in fac_cols]
    fac_prov = prov(
        "_sources/facilities.csv (government, press and dataset sources per row)",
        "_sources/facilities.csv (nguồn từ cơ quan nhà nước, báo chí và bộ dữ liệu, ghi theo "
        "từng dòng)",
        MIXED,
        "Points from lon/lat (WGS 84); zones from the geometry_hint "
        "(gis.plan.hint_geometries: whole 2025 communes).",
    )
    put(
        fac_geo[[*fac_names, "geometry"]],
        "facilities",
        meta(
            "Infrastructure: border gates, border economic zone, airport, industrial parks and "
            "clusters, mines, large hydropower plants",
            fac_cols,
            fac_prov,
            geometry_type="",
            crs=crs,
            id_column="facility_id",
            accuracy="per row, ±1 km (plants) to ±10 km (district-level sites); zones as the "
            "communes_2025 polygons",
            notes="Mixed geometry: Point, or Polygon for a zone given as whole communes "
            f"(geometry_kind). Not placed (no location in any source; rows of "
            f"facility_register): {dropped}",
        ),
    )
    put(
        fac[fac_names],
        "facility_register",
        meta(
            "Infrastructure: every facility of the plan's sources, with or without a place",
            fac_cols,
            fac_prov,
            crs=crs,
            id_column="facility_id",
            accuracy="as the facilities layer; geometry_kind 'none' = no location found",
        ),
    )
    if dropped:
        print(f"facilities without a location (facility_register only): {dropped}")

    # --- validate ------------------------------------------------------------------------------
    results = validate_province(province=profile)
    errors = [str(p) for ps in results.values() for p in ps if p.severity == "error"]
    for e in errors:
        print(e)
    print(f"validation: {len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--province", default=None)
    ap.add_argument("--layers", dest="layers_dir", type=Path, default=None)
    args = ap.parse_args()
    sys.exit(main(args.province, args.layers_dir))
