"""Import a province's base layers from the shared data folder into ``layers/<slug>/``.

Run once by the maintainers, after ``layers/<slug>/profile.toml`` exists::

    PYTHONPATH=. python tools/import_province.py cao_bang ../shared/data

then the census (``tools/import_census.py``) and the plan targets
(``tools/build_plan_targets.py``). The product never reads the shared folder at run time: every
layer gets its schema and provenance (``<name>.meta.json``), and what is done here is written
into the provenance. What differs by province (file names, unit counts, origins, the notes on
each file) is data in :data:`PROVINCES`; Lai Châu, the first province, was imported by
``tools/import_base_layers.py`` and is not repeated here.

Layers written: ``province`` (outline), ``districts_pre2025``, ``communes_2025`` (with the old
communes of each, from the crosswalk), ``commune_crosswalk`` and ``facts`` (from the province's
``_sources/facts.csv``). Areas (``area_km2``) are computed in the profile's planning CRS.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from import_base_layers import (
    FACTS_COLUMNS,
    col,
    tmeta,
    vmeta,
)  # tools/ is on sys.path when run as a script

from gis._frames import M2_PER_KM2
from gis.crosswalk import old_units_of
from gis.profile import Profile, load_profile
from gis.store import write_layer

TLQ = {
    "url": "https://github.com/thanglequoc/vietnamese-provinces-database",
    "licence": "MIT (repository); polygons crawled from sapnhap.bando.com.vn, whose own "
    "copyright status is not stated",
}
DV = {
    "url": "https://github.com/daohoangson/dvhcvn",
    "licence": "GPL-3.0 (repository licence)",
}
COMMON = "Copied from the project's shared data (processing there: see its SOURCES.md). "

#: What differs by province: the shared files and what is known about them.
PROVINCES: dict[str, dict[str, Any]] = {
    "cao_bang": {
        "outline": "caobang_province_2025.geojson",
        "districts": "caobang_districts_pre2025.geojson",
        "communes": "caobang_communes_2025.geojson",
        "crosswalk": "caobang_communes_pre2025.csv",
        "outline_provenance": {
            **TLQ,
            "source": "dissolve of the 56 communes of thanglequoc/vietnamese-provinces-database "
            "json/geojson/04_cao_bang/wards (commit cd58063), made in the shared data (slivers "
            "of 2.55 m² filled); the repository's own province polygon is generalised (99.6 km² "
            "symmetric difference with the communes, up to 2.1 km off) and was not used",
            "source_vi": "hợp nhất (dissolve) 56 đơn vị hành chính cấp xã của "
            "thanglequoc/vietnamese-provinces-database json/geojson/04_cao_bang/wards (commit "
            "cd58063), thực hiện trong dữ liệu dùng chung (đã lấp các khe hở 2,55 m²); đa giác "
            "tỉnh có sẵn của kho này đã bị khái quát hóa (sai khác đối xứng 99,6 km² so với các "
            "đơn vị cấp xã, lệch tới 2,1 km) nên không được sử dụng",
            "date": "units in force from 01/07/2025; Cao Bằng kept its boundary in 2025",
        },
        "districts_title": "District-level units of 2020-2025 (10) on 2019 boundaries: the three "
        "districts abolished in 2020 dissolved into their successors",
        "districts_provenance": {
            **DV,
            "source": "daohoangson/dvhcvn (vn_admin_pre2025, commit 4b1b6b5) and data/gis/04.json "
            "at commit 4f98702 (2019), polygons scraped from gis.chinhphu.vn; names and codes of "
            "the GSO list of 01/03/2025",
            "source_vi": "daohoangson/dvhcvn (vn_admin_pre2025, commit 4b1b6b5) và "
            "data/gis/04.json tại commit 4f98702 (2019), đa giác thu thập từ gis.chinhphu.vn; tên "
            "và mã theo danh mục của Cục Thống kê ngày 01/03/2025",
            "date": "boundaries of 2019 (before the 2020 mergers of Resolutions 864 and 897/NQ-"
            "UBTVQH14), grouped as the 10 district-level units of 01/03/2020-30/06/2025: Thông "
            "Nông dissolved into Hà Quảng, Trà Lĩnh into Trùng Khánh, Phục Hòa with Quảng Uyên "
            "into Quảng Hòa. Xã Quốc Toản (~31 km², moved from Trà Lĩnh to Quảng Hòa in 2020) "
            "has no polygon of its own and stays inside Trùng Khánh (qa_note). The district "
            "level was abolished on 01/07/2025.",
        },
        "districts_processing": "dvhcvn at HEAD still carries 2019 shapes for Hà Quảng, Trùng "
        "Khánh and Quảng Hòa and lacks the districts merged into them in 2020 (an 874 km² hole); "
        "each 2019 polygon of Thông Nông, Trà Lĩnh and Phục Hòa was dissolved into its successor "
        "in the shared data, so the 10 tile dvhcvn's province outline. Against the 2025 outline "
        "(another survey) the edges differ by 52 km² and 26 km² (shared SOURCES.md).",
        "communes_title": "Commune-level units from 1 July 2025 (56: 3 phường, 53 xã)",
        "communes_provenance": {
            **TLQ,
            "source": "thanglequoc/vietnamese-provinces-database json/geojson/04_cao_bang/wards "
            "(commit cd58063) and its unit list; old communes of each from the crosswalk "
            "(dvhcvn/20250701 output/04, commit dd94887)",
            "source_vi": "thanglequoc/vietnamese-provinces-database json/geojson/04_cao_bang/"
            "wards (commit cd58063) và danh sách đơn vị của kho này; các đơn vị cấp xã cũ của "
            "từng đơn vị lấy từ bảng chuyển đổi (dvhcvn/20250701 output/04, commit dd94887)",
            "date": "units in force from 01/07/2025; GIS snapshot 2026",
        },
        "crosswalk_title": "Crosswalk: 161 communes of the GSO list of 01/03/2025 -> 56 communes "
        "of 2025",
        "crosswalk_provenance": {
            "source": "names/codes: daohoangson/dvhcvn data/dvhcvn.json (list of 01/03/2025); "
            "old->new mapping: dvhcvn/20250701 output/04 (commit dd94887), extracted from the "
            "2025 resolution of the National Assembly Standing Committee with a language model "
            "and hand-fixed by its author; new names: thanglequoc/vietnamese-provinces-database",
            "source_vi": "tên/mã: daohoangson/dvhcvn data/dvhcvn.json (danh mục ngày "
            "01/03/2025); đối chiếu cũ->mới: dvhcvn/20250701 output/04 (commit dd94887), được "
            "trích xuất bằng mô hình ngôn ngữ từ nghị quyết năm 2025 của Ủy ban Thường vụ Quốc "
            "hội và được tác giả sửa thủ công; tên mới: thanglequoc/vietnamese-provinces-database",
            "url": "https://github.com/dvhcvn/20250701",
            "licence": "GPL-3.0 (dvhcvn); MIT (dvhcvn/20250701, thanglequoc)",
            "date": "list 01/03/2025; mapping 07/2025",
            "processing": COMMON + "Flattened to one row per old commune (139 xã, 14 thị trấn, "
            "8 phường); no splits; 161/161 pass the shared data's spatial check. The 2019 census "
            "has 199 units: the 2020 mergers lie between it and this list (see "
            "_sources/census_2019_units.csv).",
        },
    },
}


def _area_km2(gdf: gpd.GeoDataFrame, profile: Profile) -> pd.Series:
    from gis.crs import to_crs

    return (to_crs(gdf, profile.planning_crs).area / M2_PER_KM2).round(2)


def main(slug: str, shared: Path) -> None:
    spec = PROVINCES[slug]
    profile = load_profile(slug)
    crs = profile.planning_crs
    imported = (
        f"Imported with tools/import_province.py: reprojected to {crs} (pinned VN-2000 shift), "
        f"coordinates snapped to 1 cm, text NFC; area_km2 computed in {crs}."
    )

    def put(df, name, meta):
        path = write_layer(
            df, name, meta=meta, province=profile, message="initial import", check_rules=False
        )
        print(f"{name}: {len(df)} rows -> {path}")

    unit_cols = [
        col("code", required=True, unique=True, description="GSO code"),
        col("name", required=True, description="Vietnamese name, without the type word"),
    ]
    area_col = col("area_km2", "float", description=f"area computed in {crs} (planning CRS)")

    outline = gpd.read_file(shared / spec["outline"]).rename(
        columns={"area_km2": "area_km2_official"}
    )
    outline["area_km2"] = _area_km2(outline, profile)
    put(
        outline,
        "province",
        vmeta(
            f"{profile.name} province outline (dissolve of the 2025 communes)",
            "Polygon",
            [
                *unit_cols,
                col("type"),
                col("name_full"),
                col(
                    "area_km2_official",
                    "float",
                    description=f"official natural area ({profile.official_area_source}), "
                    "not measured",
                ),
                area_col,
                col("outline", description="how the outline was made"),
            ],
            {
                **spec["outline_provenance"],
                "processing": COMMON
                + "Source column area_km2 renamed area_km2_official. "
                + imported,
            },
            crs=crs,
            id_column="code",
        ),
    )

    districts = gpd.read_file(shared / spec["districts"]).rename(
        columns={"area_km2": "area_km2_source"}
    )
    districts["area_km2"] = _area_km2(districts, profile)
    put(
        districts,
        "districts_pre2025",
        vmeta(
            spec["districts_title"],
            "Polygon",
            [
                col("code", required=True, unique=True, description="GSO code (01/03/2025)"),
                col("name", required=True, description="name with its type word"),
                col("type", allowed=["Thành phố", "Huyện", "Thị xã"]),
                col("province_code"),
                col("province_name"),
                col("area_km2_source", "float", description="area given by the shared file"),
                area_col,
                col(
                    "qa_note",
                    description="how the polygon was rebuilt for the 2020 mergers, and what it "
                    "still lacks or holds (xã Quốc Toản)",
                ),
            ],
            {
                **spec["districts_provenance"],
                "processing": COMMON + spec["districts_processing"] + " " + imported,
            },
            crs=crs,
            id_column="code",
        ),
    )

    crosswalk = pd.read_csv(shared / spec["crosswalk"], dtype=str)
    communes = gpd.read_file(shared / spec["communes"]).rename(
        columns={"area_km2": "area_km2_source"}
    )
    communes["area_km2"] = _area_km2(communes, profile)
    communes = communes.join(old_units_of(crosswalk), on="code")
    communes["n_old_communes"] = communes["n_old_communes"].astype("Int64")
    put(
        communes,
        "communes_2025",
        vmeta(
            spec["communes_title"],
            "Polygon",
            [
                *unit_cols,
                col("type", required=True, allowed=["Phường", "Xã"]),
                col("name_full"),
                col("area_km2_source", "float", description="area given by the source"),
                area_col,
                col("n_old_communes", "int", description="units of 01/03/2025 merged into it"),
                col(
                    "old_commune_codes",
                    description="codes of those units (commune_crosswalk), ';'-separated",
                ),
                col("old_district_codes", description="their districts, ';'-separated"),
            ],
            {
                **spec["communes_provenance"],
                "processing": COMMON + "Columns n_old_communes, old_commune_codes and "
                "old_district_codes added from the crosswalk. " + imported,
            },
            crs=crs,
            id_column="code",
        ),
    )

    put(
        crosswalk,
        "commune_crosswalk",
        tmeta(
            spec["crosswalk_title"],
            [
                *unit_cols[:1],
                col("name", required=True, description="name with its type word"),
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
            spec["crosswalk_provenance"],
            id_column="code",
        ),
    )

    facts = pd.read_csv(profile.path / "_sources" / "facts.csv", dtype=str, keep_default_na=False)
    put(
        facts,
        "facts",
        tmeta(
            "Facts and figures with their sources",
            FACTS_COLUMNS,
            {
                "source": "public pages and the layers' own sources, one per row (source_url)",
                "source_vi": "các trang công khai và nguồn riêng của các lớp dữ liệu, mỗi dòng "
                "một nguồn (source_url)",
                "licence": "facts cited from public pages and public statistics",
                "date": "per row (ref_year)",
                "processing": "Hand-entered in _sources/facts.csv (see _sources/README.md) and "
                "copied by tools/import_province.py; census totals checked against the layer "
                "population_census_2019.",
            },
        ),
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("province", choices=sorted(PROVINCES))
    parser.add_argument("shared", type=Path, nargs="?", default=Path("../shared/data"))
    args = parser.parse_args()
    main(args.province, args.shared)
