"""Import the Lai Châu base layers from the shared data folder into layers/lai_chau/.

Run once by the maintainers (``python tools/import_base_layers.py /path/to/shared/data``); the
product never reads the shared folder at run time. Each layer gets its schema and provenance
(``<name>.meta.json``); processing steps done here are written into the provenance.
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd

from gis._meta import col, vector_meta
from gis._meta import table_meta as tmeta
from gis.store import write_layer

DVHCVN = {
    "source": "daohoangson/dvhcvn data/gis/12.json (commit 4b1b6b5), polygons scraped from "
    "gis.chinhphu.vn; names and types from data/dvhcvn.json (GSO list of 01/03/2025)",
    "source_vi": "daohoangson/dvhcvn data/gis/12.json (commit 4b1b6b5), đa giác thu thập từ "
    "gis.chinhphu.vn; tên và loại đơn vị lấy từ data/dvhcvn.json (danh mục của Cục Thống kê "
    "ngày 01/03/2025)",
    "url": "https://github.com/daohoangson/dvhcvn",
    "licence": "GPL-3.0 (repository licence)",
    "date": "boundaries before the 2020 changes (Lai Châu city 70.5 km²: without Sùng Phài, "
    "which joined the city in 2020; official area 92.37 km²); names and codes as the GSO list "
    "of 01/03/2025",
}
SAPNHAP = {
    "source": "thanglequoc/vietnamese-provinces-database json/geojson/12_lai_chau/wards "
    "(commit cd58063), derived from sapnhap.bando.com.vn (NXB Tài nguyên Môi trường và Bản đồ)",
    "source_vi": "thanglequoc/vietnamese-provinces-database json/geojson/12_lai_chau/wards "
    "(commit cd58063), dẫn xuất từ sapnhap.bando.com.vn (NXB Tài nguyên Môi trường và Bản đồ)",
    "url": "https://github.com/thanglequoc/vietnamese-provinces-database",
    "licence": "MIT (repository); underlying map © its publisher",
    "date": "units in force from 01/07/2025; GIS snapshot 2026",
}
LEGOCITY = {
    "url": "https://github.com/CTU-SematX/LegoCity",
    "licence": "CC BY-SA 4.0 (folder README says CC-BY-4.0, folder LICENSE says CC BY-SA 4.0: "
    "the stricter is assumed)",
}
NATURAL_EARTH = {
    "url": "https://github.com/martynafford/natural-earth-geojson",
    "licence": "public domain (Natural Earth)",
    "date": "Natural Earth v4.x",
}
COMMON = "Copied from the project's shared data (processing there: see its SOURCES.md). "
IMPORT = (
    "Imported with tools/import_base_layers.py: reprojected to EPSG:9205 (pinned VN-2000 "
    "shift), coordinates snapped to 1 cm, text NFC."
)


def vmeta(title, geometry_type, columns, provenance, *, id_column=None, crs="EPSG:9205", **extra):
    """Schema and provenance of a vector layer stored in ``crs`` (Lai Châu's by default)."""
    return vector_meta(
        title, geometry_type, columns, provenance, crs=crs, id_column=id_column, **extra
    )


#: Columns of every province's ``facts`` table (one home: also used by import_province.py).
FACTS_COLUMNS = [
    col("scope", required=True, allowed=["province", "district", "commune", "plan"]),
    col("code", required=True),
    col("metric", required=True),
    col("value", required=True),
    col("unit"),
    col("ref_year"),
    col("source_url", required=True),
    col("source_type"),
    col("note"),
    col(
        "status",
        allowed=["current", "superseded"],
        description="current (or empty) = the value in use; superseded = replaced "
        "by a newer or better-sourced row (kept for the record)",
    ),
]


SOURCES = Path(__file__).resolve().parents[1] / "layers" / "lai_chau" / "_sources"


def with_corrections(facts: pd.DataFrame, added: pd.DataFrame) -> pd.DataFrame:
    """Facts with a ``status`` column and the rows of ``_sources/facts_added.csv``.

    An added row whose ``supersedes_value`` is set marks the row of the same scope, code and
    metric with that value as superseded (kept, with a note) and is inserted after it.
    """
    facts = facts.assign(status="current")
    rows = [r for _, r in facts.iterrows()]
    for _, new in added.iterrows():
        new = new.drop("supersedes_value").reindex(facts.columns).fillna("")
        new["status"] = "current"
        at = len(rows)
        old_value = added.loc[_, "supersedes_value"]
        for i, r in enumerate(rows):
            key = (r["scope"], r["code"], r["metric"])
            if (
                old_value
                and key == (new["scope"], new["code"], new["metric"])
                and (r["value"] == old_value)
            ):
                r["status"] = "superseded"
                why = f"superseded by {new['value']} {new['unit']} ({new['source_type']})"
                r["note"] = f"{r['note']}; {why}" if isinstance(r["note"], str) else why
                at = i + 1
        rows.insert(at, new)
    return pd.DataFrame(rows).reset_index(drop=True)


#: Column renamed on import: the shared files name the province, the product's layers do not
#: (a map of any province reads ``in_province``).
RENAMED = {"in_laichau": "in_province"}


def main(shared: Path) -> None:
    def geo(name: str) -> gpd.GeoDataFrame:
        return gpd.read_file(shared / name).rename(columns=RENAMED)

    def put(df, name, meta):
        path = write_layer(
            df, name, meta=meta, province="lai_chau", message="initial import", check_rules=False
        )
        print(f"{name}: {len(df)} rows -> {path}")

    unit_cols = [
        col("code", required=True, unique=True, description="GSO code"),
        col("name", required=True, description="Vietnamese name"),
    ]

    province = geo("laichau_province_pre2025.geojson")
    put(
        province,
        "province",
        vmeta(
            "Lai Châu province outline (pre-2025 survey)",
            "Polygon",
            [
                *unit_cols,
                col("type"),
                col(
                    "area_km2", "float", description="area in EPSG:6933 computed by the source copy"
                ),
            ],
            {**DVHCVN, "processing": COMMON + IMPORT},
            id_column="code",
        ),
    )

    districts = geo("laichau_districts_pre2025.geojson")
    put(
        districts,
        "districts_pre2025",
        vmeta(
            "District-level units before the July 2025 reform (8; boundaries before 2020)",
            "Polygon",
            [
                *unit_cols,
                col("type", allowed=["Thành phố", "Huyện", "Thị xã"]),
                col("province_code"),
                col("province_name"),
                col(
                    "plan_region",
                    required=True,
                    allowed=["dynamic_economic", "song_da_agroforestry"],
                    description="region of the plan's 'two regions' (Decision 1585/QĐ-TTg)",
                ),
                col("qa_note"),
                col("area_km2", "float"),
                col("in_gso_list_20250301", "bool"),
            ],
            {
                **DVHCVN,
                "processing": COMMON + "Geometries of 108 Sìn Hồ and 109 Phong Thổ swapped "
                "back (the source had them exchanged); plan_region added. " + IMPORT,
            },
            id_column="code",
        ),
    )

    communes = geo("laichau_wards_2025.geojson")
    # the mapping's figure is the published natural area: the reference of gis.stats unit_areas
    communes.insert(
        communes.columns.get_loc("area_km2") + 1, "area_km2_official", communes["area_km2"]
    )
    put(
        communes,
        "communes_2025",
        vmeta(
            "Commune-level units from 1 July 2025 (38: 2 phường, 36 xã)",
            "Polygon",
            [
                *unit_cols,
                col("full_name"),
                col("type", required=True, allowed=["Phường", "Xã"]),
                col("name_en"),
                col("area_km2_source", "float"),
                col("area_km2", "float", description="area of the Resolution 1670 mapping"),
                col(
                    "area_km2_official",
                    "float",
                    description="natural area published with the Resolution 1670/NQ-UBTVQH15 "
                    "arrangement (the mapping's figure, = area_km2), not measured",
                ),
                col("n_old_communes", "int"),
                col(
                    "old_commune_codes", description="pre-2025 commune codes merged, ';'-separated"
                ),
                col("old_district_codes"),
                col("gis_server_id"),
            ],
            {
                **SAPNHAP,
                "processing": COMMON + "38 files merged; type, area_km2 and old codes "
                "added from the Resolution 1670/NQ-UBTVQH15 mapping; area_km2_official: a copy "
                "of area_km2, the reference of the computed areas. " + IMPORT,
            },
            id_column="code",
        ),
    )

    crosswalk = pd.read_csv(shared / "laichau_communes_pre2025.csv", dtype=str)
    put(
        crosswalk,
        "commune_crosswalk",
        tmeta(
            "Crosswalk: 106 pre-2025 communes -> 38 communes of 2025",
            [
                *unit_cols,
                col("type", allowed=["Xã", "Phường", "Thị trấn"]),
                col("district_code", required=True),
                col("district_name"),
                col("district_type"),
                col("province_code"),
                col("ward2025_code", required=True),
                col("ward2025_name"),
                col("ward2025_type", allowed=["Xã", "Phường"]),
                col("mapping_confidence", allowed=["high", "manual:high", "medium", "low"]),
            ],
            {
                "source": "names/codes: daohoangson/dvhcvn data/dvhcvn.json; old->new mapping: "
                "dvhcvn/20250701 output/12 (commit dd94887), extracted from Resolution "
                "1670/NQ-UBTVQH15; new names: thanglequoc/vietnamese-provinces-database",
                "source_vi": "tên/mã: daohoangson/dvhcvn data/dvhcvn.json; đối chiếu cũ->mới: "
                "dvhcvn/20250701 output/12 (commit dd94887), trích xuất từ Nghị quyết "
                "1670/NQ-UBTVQH15; tên mới: thanglequoc/vietnamese-provinces-database",
                "url": "https://github.com/dvhcvn/20250701",
                "licence": "GPL-3.0 (dvhcvn); MIT (dvhcvn/20250701, thanglequoc)",
                "date": "list 01/03/2025; mapping 07/2025",
                "processing": COMMON + "Flattened to one row per old commune.",
            },
            id_column="code",
        ),
    )

    hydro = geo("laichau_hydropower_plants.geojson")
    hydro.insert(0, "plant_id", [f"hp{i + 1:02d}" for i in range(len(hydro))])
    put(
        hydro,
        "hydropower_plants",
        vmeta(
            "Hydropower plants (c. 2015-2017)",
            "Point",
            [
                col("plant_id", required=True, unique=True),
                col("name", required=True),
                col("status"),
                col("scale"),
                col("capacity_mw", "float"),
                col("annual_output_gwh", "float"),
                col("kind"),
                col("reservoir_mcm", "float"),
                col("basin"),
                col("commune"),
                col("district"),
                col("province"),
                col("owner"),
                col("construction_start"),
                col("operation_start"),
                col("resettled_households", "int"),
                col("src_reference"),
                col("in_province", "bool"),
            ],
            {
                **LEGOCITY,
                "source": "CTU-SematX/LegoCity opendata/thuydien/thuydien.geojson (commit "
                "a1aabc7); fields match the Open Development Mekong Vietnam hydropower dataset",
                "source_vi": "CTU-SematX/LegoCity opendata/thuydien/thuydien.geojson (commit "
                "a1aabc7); các trường dữ liệu khớp với bộ dữ liệu thủy điện Việt Nam của Open "
                "Development Mekong",
                "date": "c. 2015-2017",
                "processing": COMMON + "Clipped to Lai Châu bbox + ~20 km; "
                "MultiPoint -> Point; plant_id added (names repeat); in_laichau renamed "
                "in_province. " + IMPORT,
            },
            id_column="plant_id",
        ),
    )

    rivers = geo("ne10m_rivers_laichau.geojson")
    put(
        rivers,
        "rivers",
        vmeta(
            "Main rivers (Natural Earth 1:10m centre lines)",
            "LineString",
            [
                col("name", required=True),
                col("name_en"),
                col("featurecla"),
                col("scalerank", "float"),
            ],
            {
                **NATURAL_EARTH,
                "source": "Natural Earth 10m rivers_lake_centerlines",
                "source_vi": "Natural Earth 10m rivers_lake_centerlines",
                "processing": COMMON + "Clipped to Lai Châu bbox. " + IMPORT,
            },
            id_column="name",
            accuracy="1:10,000,000 (Natural Earth): kilometres off; context only",
        ),
    )

    border = geo("ne10m_intl_boundary_laichau.geojson")
    put(
        border,
        "border",
        vmeta(
            "International boundary lines near Lai Châu (Natural Earth 1:10m)",
            "LineString",
            [
                col("featurecla"),
                col("name"),
                col("adm0_left"),
                col("adm0_right"),
                col("scalerank", "int"),
            ],
            {
                **NATURAL_EARTH,
                "source": "Natural Earth 10m admin_0_boundary_lines_land",
                "source_vi": "Natural Earth 10m admin_0_boundary_lines_land",
                "processing": COMMON + "Clipped to Lai Châu bbox. " + IMPORT,
            },
            accuracy="1:10,000,000 (Natural Earth); the province outline is more precise",
        ),
    )

    roads = geo("laichau_roads_legacy_coarse.geojson")
    put(
        roads,
        "roads_legacy",
        vmeta(
            "LEGACY, COARSE road lines (pre-2008 numbering)",
            "LineString",
            [
                col("gid", "int", required=True, unique=True),
                col("src_code"),
                col("name"),
                col("road_class"),
                col("road_level"),
                col("length_m_source", "float"),
                col("length_m_clipped", "float"),
                col("in_province", "bool"),
            ],
            {
                **LEGOCITY,
                "source": "CTU-SematX/LegoCity opendata/giaothong/giaothong.geojson at commit "
                "a1aabc7 (removed at HEAD); upstream origin not stated",
                "source_vi": "CTU-SematX/LegoCity opendata/giaothong/giaothong.geojson tại commit "
                "a1aabc7 (đã bị xóa ở HEAD); không ghi rõ nguồn gốc ban đầu",
                "date": "unknown, pre-2008",
                "processing": COMMON
                + "Clipped to Lai Châu bbox + ~20 km; fields renamed (in_laichau: in_province). "
                + IMPORT,
            },
            id_column="gid",
            legacy=True,
            accuracy="coarse and outdated: no road through Lai Châu city; QL.4D/QL.12 on old "
            "alignments. Do not use for distances; replace with OSM or survey roads.",
        ),
    )

    facts = with_corrections(
        pd.read_csv(shared / "laichau_facts.csv", dtype=str),
        pd.read_csv(SOURCES / "facts_added.csv", dtype=str, keep_default_na=False),
    )
    put(
        facts,
        "facts",
        tmeta(
            "Facts and figures with their sources",
            FACTS_COLUMNS,
            {
                "source": "public web pages, one per row (source_url)",
                "source_vi": "các trang web công khai, mỗi dòng một trang (source_url)",
                "licence": "facts cited from public pages",
                "date": "per row (ref_year)",
                "processing": COMMON
                + "Hand-entered from search results; mostly secondary sources.",
            },
        ),
    )

    urban = pd.read_csv(shared / "laichau_urban_areas_2030.csv", dtype=str).rename(
        columns={
            "district_code_pre2025": "district_code",
            "district_name_pre2025": "district_name",
            "ward2025_code_of_core_commune": "commune2025_codes",
        }
    )
    put(
        urban,
        "urban_areas_2030",
        tmeta(
            "Urban system to 2030: 11 urban areas (table; geometry in the planning layers)",
            [
                col("urban_area", required=True, unique=True),
                col("urban_class_2030", required=True, allowed=["I", "II", "III", "IV", "V"]),
                col("district_code", required=True),
                col("district_name"),
                col("status"),
                col("commune2025_codes", description="2025 commune(s) of the core, ';'-separated"),
                col("source_url", required=True),
                col("primary_document"),
            ],
            {
                "source": "soha.vn (2024-03) summarising the provincial plan; primary document "
                "Decision 1585/QĐ-TTg",
                "source_vi": "soha.vn (2024-03) tóm tắt quy hoạch tỉnh; văn bản gốc là "
                "Quyết định 1585/QĐ-TTg",
                "url": "https://soha.vn/tinh-giap-trung-quoc-co-mo-vang-lon-"
                "nhat-viet-nam-la-phen-dau-cua-dat-nuoc-se-ra-sao-trong-tuong-lai-198240228113628907.htm",
                "licence": "facts",
                "date": "plan horizon 2030",
                "processing": COMMON + "Columns renamed (district_code, commune2025_codes).",
            },
            id_column="urban_area",
        ),
    )


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data"))
