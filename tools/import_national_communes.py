"""Import the 3,321 communes of 2025 and the national old → new crosswalk into ``layers/_national``.

Run once by the maintainers, from the repository root::

    PYTHONPATH=. python tools/import_national_communes.py /path/to/shared/data [--layers DIR]

Layers written (each with its schema and provenance in ``<name>.meta.json``):

* ``communes_2025``: every commune, ward and special zone from 1 July 2025 (2,611 xã, 697 phường,
  13 đặc khu), GeoParquet (see :mod:`gis.store` for why not GeoJSON), in EPSG:3405 (VN-2000 /
  UTM 48N, the national display CRS) on the store's 1 cm grid. ``area_km2`` is measured in the
  VN-2000 TM-3 CRS of the pre-2025 province the commune was formed from (its ``tm3_epsg``): the
  project measures areas only in TM-3, never in UTM (0.04 % larger at 105° E, up to 0.1 % at the
  zone edge).
* ``commune_crosswalk_2025``: the 10,047 old communes of the GSO list of 01/03/2025 (+ 5 island
  districts) → the 3,321 new ones, 10,604 rows, with ``old_part`` (full / partial) and the QA
  columns of the source, unaltered; decisions on the ``suspect`` rows are a separate layer.

The script refuses to write if the counts of the source are not those stated in SOURCES.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
from import_base_layers import col  # tools/ is on sys.path when run as a script

from gis import settings
from gis.crs import tm3_epsg, to_crs
from gis.newprovince import tm3_meridians
from gis.store import write_layer

SLUG = "_national"
CRS = "EPSG:3405"
EXPECTED = {"communes": 3321, "xã": 2611, "phường": 697, "đặc khu": 13, "crosswalk_rows": 10604}

SAPNHAP = {
    "source": "thanglequoc/vietnamese-provinces-database json/geojson/*/wards/*.geojson (commit "
    "cd58063), crawled from sapnhap.bando.com.vn (Vietnam Administrative Units Reference Map, NXB "
    "Tài nguyên Môi trường và Bản đồ); merged as vn_communes_2025.fgb in the project's shared data",
    "source_vi": "thanglequoc/vietnamese-provinces-database json/geojson/*/wards/*.geojson "
    "(commit cd58063), thu thập từ sapnhap.bando.com.vn (Bản đồ tra cứu đơn vị hành chính Việt "
    "Nam, NXB Tài nguyên Môi trường và Bản đồ); gộp thành vn_communes_2025.fgb trong dữ liệu dùng "
    "chung của dự án",
    "url": "https://github.com/thanglequoc/vietnamese-provinces-database",
    "licence": "MIT (repository); the underlying map's own copyright status is not stated",
    "licence_vi": "MIT (kho mã nguồn); tình trạng bản quyền của bản đồ gốc không được nêu",
}
CROSSWALK = {
    "source": "dvhcvn/20250701 output/<province>/*.json (commit dd94887), old → new mapping "
    "extracted from Resolutions 1654–1687/NQ-UBTVQH15 and Công văn 1027/CTK-CSCL with a language "
    "model, then ~80 manual fixes by its author; old names daohoangson/dvhcvn data/dvhcvn.json "
    "(commit 4b1b6b5, GSO list of 01/03/2025); new names "
    "thanglequoc/vietnamese-provinces-database; merged as vn_communes_crosswalk_2025.csv in the "
    "project's shared data",
    "source_vi": "dvhcvn/20250701 output/<province>/*.json (commit dd94887), bảng đối chiếu cũ → "
    "mới được trích xuất bằng mô hình ngôn ngữ từ các Nghị quyết 1654–1687/NQ-UBTVQH15 và Công "
    "văn 1027/CTK-CSCL, sau đó được tác giả sửa thủ công khoảng 80 chỗ; tên cũ: daohoangson/dvhcvn "
    "data/dvhcvn.json (commit 4b1b6b5, danh mục của Cục Thống kê ngày 01/03/2025); tên mới: "
    "thanglequoc/vietnamese-provinces-database; gộp thành vn_communes_crosswalk_2025.csv trong dữ "
    "liệu dùng chung của dự án",
    "url": "https://github.com/dvhcvn/20250701",
    "licence": "MIT (dvhcvn/20250701, thanglequoc); GPL-3.0 (daohoangson/dvhcvn names)",
    "licence_vi": "MIT (dvhcvn/20250701, thanglequoc); GPL-3.0 (tên của daohoangson/dvhcvn)",
}


def _tm3_of_communes(communes: gpd.GeoDataFrame, crosswalk: pd.DataFrame) -> pd.Series:
    """EPSG code of the TM-3 CRS of the pre-2025 province most old communes came from."""
    meridians = tm3_meridians().set_index("province_code_2019")["central_meridian_deg"]
    rows = crosswalk.dropna(subset=["old_province_code"])
    main = rows.groupby("new_code")["old_province_code"].agg(lambda s: s.value_counts().index[0])
    epsg = main.map(meridians).map(tm3_epsg)
    out = communes["code"].map(epsg)
    if out.isna().any():
        missing = communes.loc[out.isna(), "code"].tolist()
        sys.exit(
            f"no TM-3 CRS for {len(missing)} communes (first {missing[:5]}): check the crosswalk"
        )
    return out.astype(int)


def main(shared: Path, layers: Path | None) -> None:
    src = shared / "vn_communes_2025.fgb"
    communes = gpd.read_file(src)
    crosswalk = pd.read_csv(
        shared / "vn_communes_crosswalk_2025.csv", dtype=str, keep_default_na=False
    )
    crosswalk = crosswalk.replace({"": None})
    types = communes["type"].str.lower().value_counts()
    counts = {
        "communes": len(communes),
        **{t: int(types.get(t, 0)) for t in ("xã", "phường", "đặc khu")},
    }
    counts["crosswalk_rows"] = len(crosswalk)
    if counts != EXPECTED:
        sys.exit(f"the shared data changed: counts {counts}, expected {EXPECTED}")

    communes["tm3_epsg"] = _tm3_of_communes(communes, crosswalk)
    area = pd.Series(0.0, index=communes.index)
    for epsg, idx in communes.groupby("tm3_epsg").groups.items():
        area[idx] = to_crs(communes.loc[idx, ["geometry"]], f"EPSG:{epsg}").area / 1e6
    communes["area_km2"] = area.round(4)
    communes = to_crs(communes, CRS)
    communes = communes[
        [
            "code",
            "name",
            "type",
            "province_code",
            "province_name",
            "area_km2",
            "tm3_epsg",
            "geometry",
        ]
    ].sort_values("code", ignore_index=True)
    total_km2 = communes["area_km2"].sum()
    n_zones = communes["tm3_epsg"].nunique()

    root = layers or settings.LAYERS_DIR
    write_layer(
        communes,
        "communes_2025",
        layers_dir=root,
        province=SLUG,
        check_rules=False,  # the outline (provinces_2019) is simplified at 200 m; see note
        meta={
            "title": "The 3,321 communes, wards and special zones from 1 July 2025",
            "kind": "vector",
            "format": "geoparquet",
            "geometry_type": "MultiPolygon",
            "crs": CRS,
            "id_column": "code",
            "columns": [
                col("code", required=True, unique=True, description="GSO code (2025), 5 digits"),
                col("name", required=True, description="name without the type word"),
                col("type", required=True, allowed=["Xã", "Phường", "Đặc khu"]),
                col("province_code", required=True, description="GSO province code (2025)"),
                col("province_name", required=True),
                col(
                    "area_km2",
                    "float",
                    required=True,
                    description="area, km², in the VN-2000 TM-3 CRS of tm3_epsg",
                ),
                col(
                    "tm3_epsg",
                    "int",
                    required=True,
                    description="EPSG code of the VN-2000 TM-3 CRS the area is measured in: that "
                    "of the pre-2025 province most of the commune's old communes belonged to",
                ),
            ],
            "provenance": {
                **SAPNHAP,
                "date": "units from 01/07/2025; GIS snapshot 2026",
                "processing": (
                    "Read from the shared FlatGeobuf (coverage-simplified there at 10 m in "
                    "EPSG:3405: area change per commune median 0.00075 %, max 0.18 %), "
                    "reprojected to EPSG:3405 and snapped to the store's 1 cm grid, stored as "
                    "GeoParquet (zstd) by tools/import_national_communes.py. area_km2 measured "
                    f"per commune in its TM-3 CRS ({n_zones} zones used); sum {total_km2:,.1f} "
                    "km². Known in the source: not a clean coverage (overlaps 10.8 km² in all, "
                    "the largest 3.49 km² in Lào Cai); the Trường Sa and Hoàng Sa special zones "
                    "enclose sea. Saved without the extent check against provinces_2019, whose "
                    "outline is simplified at 200 m."
                ),
            },
        },
        message="import the communes of 2025 (tools/import_national_communes.py)",
    )

    keep = [
        "old_code",
        "old_name",
        "old_type",
        "old_district_code",
        "old_district_name",
        "old_province_code",
        "old_province_name",
        "new_code",
        "new_name",
        "new_type",
        "province_code",
        "province_name",
        "n_new",
        "old_part",
        "mapping_confidence",
        "sapnhap_lists_old",
        "spatial_check",
        "qa_flag",
        "suggested_new_code",
        "note",
    ]
    crosswalk = crosswalk[keep].copy()
    crosswalk["n_new"] = crosswalk["n_new"].astype("Int64")
    text = "text as in the source"
    write_layer(
        crosswalk,
        "commune_crosswalk_2025",
        layers_dir=root,
        province=SLUG,
        meta={
            "title": "Old communes (GSO list of 01/03/2025) → communes from 1 July 2025",
            "kind": "table",
            "id_column": None,
            "columns": [
                col(
                    "old_code",
                    required=True,
                    description="GSO code of the old unit (5 digits; "
                    "3 for the island districts without communes)",
                ),
                col("old_name", required=True),
                col("old_type"),
                col("old_district_code"),
                col("old_district_name"),
                col("old_province_code", description="GSO province code before 2025"),
                col("old_province_name"),
                col("new_code", required=True, description="GSO code (2025) of the new commune"),
                col("new_name", required=True),
                col("new_type"),
                col("province_code", required=True, description="GSO province code (2025)"),
                col("province_name"),
                col("n_new", "int", description="number of new communes the old one went to"),
                col(
                    "old_part",
                    required=True,
                    allowed=["full", "partial"],
                    description="'partial': only part of the old commune went to this new one",
                ),
                col("mapping_confidence", description=text),
                col(
                    "sapnhap_lists_old",
                    description="does sapnhap.bando.com.vn list the old "
                    "commune under the new one (yes/no)",
                ),
                col("spatial_check", description=text),
                col(
                    "qa_flag",
                    description="'suspect' (21 rows: likely same-name mix-ups) or "
                    "'check' (61 rows): decide per row, with a source",
                ),
                col("suggested_new_code", description="the alternative the QA found"),
                col("note"),
            ],
            "provenance": {
                **CROSSWALK,
                "date": "list of 01/03/2025; mapping 07/2025",
                "processing": (
                    "Copied unaltered (column order changed) by tools/import_national_communes.py "
                    "from the shared vn_communes_crosswalk_2025.csv, where two codes were recoded "
                    "to the GSO list (06970 → 06978 Ba Chẽ, 23737 → 23938 Ia Mơ) and QA columns "
                    "added: sapnhap_lists_old yes on 10,546 rows, spatial_check ok on 10,281."
                ),
            },
        },
        message="import the national crosswalk (tools/import_national_communes.py)",
    )
    print(f"communes_2025: {len(communes):,} units, {total_km2:,.1f} km² in {n_zones} TM-3 zones")
    print(f"commune_crosswalk_2025: {len(crosswalk):,} rows")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("shared", nargs="?", default="../shared/data", type=Path)
    ap.add_argument("--layers", type=Path, default=None, help="root of the layer store")
    args = ap.parse_args()
    if not (args.shared / "vn_communes_2025.fgb").is_file():
        sys.exit(f"{args.shared} is not the shared data folder (no vn_communes_2025.fgb in it)")
    main(args.shared, args.layers)
