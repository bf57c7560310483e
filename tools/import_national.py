"""Import the national layers (provinces 2019 and 2025, census urban share, targets) into
``layers/_national/``.

Run once by the maintainers, from the repository root::

    PYTHONPATH=. python tools/import_national.py /path/to/shared/data [--layers DIR]

The product never reads the shared folder at run time: this script copies what the national
picture of Resolution 06-NQ/TW needs (> 50 % urbanisation by 2030) into the store, each layer
with its schema and provenance (``<name>.meta.json``); the processing note of each layer carries
the figures measured here (totals, area change of the simplification). ``layers/_national`` is
not a province: :func:`gis.profile.list_profiles` skips folders whose name starts with ``_``.
The profile is written if it is missing.

Layers:

* ``provinces_2019``: the 63 provinces of the 2019 census with total / urban / rural population
  (persons) and urban share; geometry of 62 from ``vn_admin_pre2025.gpkg.zip`` (dvhcvn) plus
  Quảng Ninh, absent there, from ``vn_provinces_2025.geojson`` (its boundary did not change in
  2025); simplified as a coverage for display.
* ``provinces_2025``: the 34 provinces from 1 July 2025 with the 2019 census re-aggregated
  (never the registration-based ``population_2025_pkg`` of the population table).
* ``urbanisation_targets``: urbanisation targets with their documents (table); a target
  "reach the national average" has no value here and is resolved from the census by
  :mod:`gis.stats`.

The script refuses to write anything if a published total does not come out (see ``CHECKS``).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from import_base_layers import col  # tools/ is on sys.path when run as a script

from gis import settings
from gis.crs import to_crs
from gis.store import write_layer
from gis.text import fold

SLUG = "_national"
CRS = "EPSG:3405"  # VN-2000 / UTM zone 48N (metres): Vietnam-wide display and simplification
#: Coverage simplification tolerance (m) of the stored boundaries (display grade, see README).
SIMPLIFY_M = 200.0
#: Gaps narrower than this (m) between Quảng Ninh (sapnhap survey) and its dvhcvn neighbours
#: are closed by shapely.coverage_clean.
GAP_WIDTH_M = 500.0
#: Published figures the imported data must reproduce (population/SOURCES.md, DOMAIN.md).
CHECKS = {
    "total": 96_208_984,
    "urban": 33_122_548,
    "79": (8_993_082, 79.2),  # Hồ Chí Minh City, persons and urban % (rounded)
    "12": (460_196, 81_889),  # Lai Châu, total and urban
    "04": 530_341,  # Cao Bằng
}
#: Provinces of the GSO region "Trung du và miền núi phía Bắc" (northern midlands and
#: mountains), by 2019 GSO code. Checked below: their 2016 average populations in the GSO
#: yearbook table sum to the region's own row.
NORTHERN_MIDLANDS = (
    "02",
    "04",
    "06",
    "08",
    "10",
    "11",
    "12",
    "14",
    "15",
    "17",
    "19",
    "20",
    "24",
    "25",
)

PROFILE = """\
# National data shared by every province (not a province profile): the 63 provinces of the 2019
# census, the 34 provinces of 2025 and the urbanisation targets, read by gis.stats (table
# national_urbanisation) and gis.maps (map do_thi_hoa_toan_quoc). Written by
# tools/import_national.py. gis.profile.list_profiles skips folders whose name starts with "_".
slug = "_national"
code = "VN"
name = "Việt Nam"
planning_crs = "EPSG:3405"       # VN-2000 / UTM zone 48N: Vietnam-wide display (not for areas)
outline_layer = "provinces_2019" # extent check of saves (gis.store)

layers = [
    "provinces_2019", "provinces_2025", "urbanisation_targets",
    # tools/import_national_communes.py: the communes of 2025 and the old -> new crosswalk
    "communes_2025", "commune_crosswalk_2025",
    # tools/import_national_census.py: the 2019 census matched to the list of 01/03/2025
    "census_2019", "census_merges_2019_2024", "census_2019_unmatched", "crosswalk_decisions",
]

[[rules]]
check = "foreign_key"
layer = "provinces_2019"
column = "province_2025_code"
ref_layer = "provinces_2025"
ref_column = "code"
id_column = "code"

[[rules]]
# And back: every old province a 2025 province names exists.
check = "foreign_key"
layer = "provinces_2025"
column = "merged_from_codes"
separator = ";"
ref_layer = "provinces_2019"
ref_column = "code"
id_column = "code"
"""

DVHCVN = {
    "source": "daohoangson/dvhcvn data/gis/*.json (commit 4b1b6b5), polygons scraped from "
    "gis.chinhphu.vn; codes and names from data/dvhcvn.json (GSO list of 01/03/2025)",
    "source_vi": "daohoangson/dvhcvn data/gis/*.json (commit 4b1b6b5), đa giác thu thập từ "
    "gis.chinhphu.vn; mã và tên lấy từ data/dvhcvn.json (danh mục của Cục Thống kê ngày "
    "01/03/2025)",
    "url": "https://github.com/daohoangson/dvhcvn",
    "licence": "GPL-3.0 (repository licence)",
}
SAPNHAP = {
    "source": "thanglequoc/vietnamese-provinces-database json/geojson/*/<code>_<name>.geojson "
    "(commit cd58063), derived from sapnhap.bando.com.vn (NXB Tài nguyên Môi trường và Bản đồ)",
    "source_vi": "thanglequoc/vietnamese-provinces-database json/geojson/*/<code>_<name>.geojson "
    "(commit cd58063), dẫn xuất từ sapnhap.bando.com.vn (NXB Tài nguyên Môi trường và Bản đồ)",
    "url": "https://github.com/thanglequoc/vietnamese-provinces-database",
    "licence": "MIT (repository); underlying map © its publisher",
}
CENSUS = {
    "source": "GSO, 2019 Population and Housing Census (01/04/2019), total / urban / rural "
    "population by commune-level unit, tabulated by GitHub hgscarlette/vn-demographic "
    "VN_Population_ward.csv (commit bfc5508) and summed by province in the project's shared "
    "data (population/vn_provinces63_2019_census_urban.csv)",
    "source_vi": "Tổng cục Thống kê, Tổng điều tra dân số và nhà ở năm 2019 (01/04/2019), dân số "
    "tổng số / thành thị / nông thôn theo đơn vị hành chính cấp xã, được lập thành bảng trong "
    "GitHub hgscarlette/vn-demographic VN_Population_ward.csv (commit bfc5508) và cộng theo tỉnh "
    "trong dữ liệu dùng chung của dự án (population/vn_provinces63_2019_census_urban.csv)",
    "url": "https://github.com/hgscarlette/vn-demographic",
    "licence": "public GSO statistics; the tabulating repository states no licence",
}
RES_202 = {
    "source": "the 63 -> 34 list of Resolution 202/2025/QH15 (12/06/2025) as carried by PyPI "
    "countries-dictionary 9.0.3 (countries_dictionary/vietnam.py), in the project's shared data "
    "(population/vn_provinces34_2025_with_2019_urban.csv)",
    "source_vi": "danh sách 63 -> 34 của Nghị quyết 202/2025/QH15 (12/06/2025) theo bản có trong "
    "gói PyPI countries-dictionary 9.0.3 (countries_dictionary/vietnam.py), trong dữ liệu dùng "
    "chung của dự án (population/vn_provinces34_2025_with_2019_urban.csv)",
    "url": "https://pypi.org/project/countries-dictionary/",
    "licence": "GPL-3.0 (package); the list itself is a public resolution",
}
COMMON = "Copied from the project's shared data (processing there: see its SOURCES.md). "


POP_COLS = [
    col(
        "population_persons",
        "int",
        required=True,
        description="2019 census resident population, persons",
    ),
    col(
        "population_urban_persons",
        "int",
        required=True,
        description="2019 census urban population (phường and thị trấn of 2019), persons",
    ),
    col(
        "population_rural_persons",
        "int",
        required=True,
        description="2019 census rural population (xã of 2019), persons",
    ),
    col(
        "urban_pct",
        "float",
        required=True,
        description="census urban share = urban / total x 100, rounded to 2 decimals; not the "
        "official urbanisation rate of recognised urban areas",
    ),
]


def _key(name: str) -> str:
    """Matching key of a province name: no type word, diacritics, case, spaces or hyphens."""
    name = re.sub(r"^(tỉnh|thành phố)\s+", "", str(name).strip(), flags=re.I)
    name = re.sub(r"\s+city$", "", name, flags=re.I)
    return re.sub(r"[\s\-]", "", fold(name))


def _short(name: str) -> str:
    return re.sub(r"^(Tỉnh|Thành phố)\s+", "", str(name).strip())


def _by_key(values: pd.Series, keys: list[str], what: str) -> dict[str, object]:
    """Map each key to the one value whose _key equals it; raise listing the misses."""
    table: dict[str, object] = {}
    for v in values:
        table.setdefault(_key(v), v)
    missing = [k for k in keys if k not in table]
    if missing:
        raise SystemExit(f"{what}: no match for {missing}")
    return table


def _gaps(geoms: np.ndarray, names: pd.Series) -> list[tuple[float, str]]:
    """Holes of the union of ``geoms``, largest first: (area km², the units around it)."""
    union = shapely.union_all(geoms)
    holes = [shapely.Polygon(r) for poly in shapely.get_parts(union) for r in poly.interiors]
    tree = shapely.STRtree(geoms)
    out = []
    for hole in sorted(holes, key=shapely.area, reverse=True):
        around = sorted(names.iloc[tree.query(hole, predicate="dwithin", distance=1.0)])
        out.append((shapely.area(hole) / 1e6, " / ".join(around)))
    return out


def _simplify(geoms: np.ndarray, names: pd.Series) -> tuple[np.ndarray, str]:
    """Clean (gaps < GAP_WIDTH_M) and coverage-simplify; return the result and a measured note."""
    cleaned = shapely.coverage_clean(geoms, gap_width=GAP_WIDTH_M)
    if not shapely.coverage_is_valid(cleaned):
        raise SystemExit("coverage_clean did not give a valid coverage")
    out = shapely.coverage_simplify(cleaned, SIMPLIFY_M)
    out = shapely.set_precision(out, 10.0**-settings.STORAGE_COORD_DECIMALS_M)
    if not (shapely.is_valid(out).all() and shapely.coverage_is_valid(out)):
        raise SystemExit("simplified boundaries are not a valid coverage")
    before, after = shapely.area(geoms), shapely.area(out)
    change = 100.0 * (after - before) / before
    worst = int(np.argmax(np.abs(change)))
    total = 100.0 * (after.sum() - before.sum()) / before.sum()
    vertices = (
        int(shapely.get_num_coordinates(geoms).sum()),
        int(shapely.get_num_coordinates(out).sum()),
    )
    note = (
        f"Boundaries cleaned as a coverage (shapely.coverage_clean, gaps narrower than "
        f"{GAP_WIDTH_M:g} m closed) and simplified for display as a coverage "
        f"(shapely.coverage_simplify, {SIMPLIFY_M:g} m in {CRS}), so neighbours keep their "
        f"shared edges; {vertices[0]:,} -> {vertices[1]:,} vertices. Area change (in {CRS}): "
        f"total {total:+.4f} %, per unit at most {change[worst]:+.3f} % ({names.iloc[worst]}); "
        "display grade, do not compute areas from these polygons."
    )
    return out, note


def _census_63(shared: Path) -> pd.DataFrame:
    census = pd.read_csv(shared / "population" / "vn_provinces63_2019_census_urban.csv")
    if len(census) != 63:
        raise SystemExit(f"census table has {len(census)} provinces, not 63")
    census["key"] = census["province"].map(_key)
    return census


def main(shared: Path, layers_dir: Path | None = None) -> None:
    root = Path(layers_dir) if layers_dir is not None else settings.LAYERS_DIR
    folder = root / SLUG
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "profile.toml").exists():
        (folder / "profile.toml").write_text(PROFILE, encoding="utf-8")

    def put(df, name, meta):
        path = write_layer(
            df,
            name,
            meta=meta,
            province=SLUG,
            layers_dir=root,
            message="import (tools/import_national.py)",
            check_rules=False,
        )
        print(f"{name}: {len(df)} rows -> {path} ({path.stat().st_size / 1e6:.3f} MB)")

    # --- the 63 provinces of 2019 ------------------------------------------------------------
    census = _census_63(shared)
    gpkg = f"/vsizip/{(shared / 'vn_admin_pre2025.gpkg.zip').resolve()}/vn_admin_pre2025.gpkg"
    old = to_crs(gpd.read_file(gpkg, layer="provinces"), CRS)
    new = to_crs(gpd.read_file(shared / "vn_provinces_2025.geojson"), CRS)
    if len(old) != 62 or "22" in set(old["code"]) or len(new) != 34:
        raise SystemExit("expected 62 pre-2025 provinces without Quảng Ninh (22) and 34 of 2025")
    qn = new[new["code"] == "22"]
    qn_area = float(qn.area.sum()) / 1e6
    # Quảng Ninh comes from another survey: where it overlaps its dvhcvn neighbours (same
    # survey as the other 61), the neighbours keep the area.
    neighbours = shapely.union_all(old.geometry.values)
    overlap_km2 = float(shapely.area(shapely.intersection(qn.geometry.iloc[0], neighbours))) / 1e6
    qn_geom = shapely.difference(qn.geometry.iloc[0], neighbours)
    units = pd.concat(
        [
            pd.DataFrame(
                {
                    "code": old["code"],
                    "full_name": old["name"],
                    "geometry_source": "dvhcvn (gis.chinhphu.vn), pre-2025",
                    "geometry": old.geometry.values,
                }
            ),
            pd.DataFrame(
                {
                    "code": ["22"],
                    "full_name": qn["full_name"].to_list(),
                    "geometry_source": "sapnhap.bando.com.vn 2025 (boundary unchanged in 2025)",
                    "geometry": [qn_geom],
                }
            ),
        ],
        ignore_index=True,
    ).sort_values("code", ignore_index=True)
    units = gpd.GeoDataFrame(units, geometry="geometry", crs=CRS)
    units["name"] = units["full_name"].map(_short)
    names = _by_key(units["full_name"], list(census["key"]), "census provinces vs dvhcvn names")
    code_of = dict(zip(units["full_name"], units["code"], strict=True))
    census["code"] = [code_of[names[k]] for k in census["key"]]
    if census["code"].duplicated().any():
        raise SystemExit("two census provinces matched one code")
    c = census.set_index("code")
    units["population_persons"] = units["code"].map(c["pop_total"]).astype("int64")
    units["population_urban_persons"] = units["code"].map(c["pop_urban"]).astype("int64")
    units["population_rural_persons"] = units["code"].map(c["pop_rural"]).astype("int64")
    units["urban_pct"] = (
        100.0 * units["population_urban_persons"] / units["population_persons"]
    ).round(2)
    if not np.allclose(units["urban_pct"], units["code"].map(c["urban_share_pct"]), atol=0.006):
        raise SystemExit("urban % differs from the census table")
    if (
        units["population_urban_persons"] + units["population_rural_persons"]
        != units["population_persons"]
    ).any():
        raise SystemExit("urban + rural != total")

    # --- the 34 provinces of 2025 -----------------------------------------------------------
    p34 = pd.read_csv(shared / "population" / "vn_provinces34_2025_with_2019_urban.csv")
    keys34 = {**{_key(v): v for v in new["name"]}, **{_key(v): v for v in new["name_en"]}}
    miss = [n for n in p34["province_2025"] if _key(n) not in keys34]
    if miss:
        raise SystemExit(f"2025 provinces without a polygon: {miss}")
    code25 = dict(zip(new["name"], new["code"], strict=True))
    code25.update(zip(new["name_en"], new["code"], strict=True))
    p34["code"] = [code25[keys34[_key(n)]] for n in p34["province_2025"]]
    code19 = dict(zip(census["key"], census["code"], strict=True))
    p34["merged_codes"] = [[code19[_key(n)] for n in s.split(";")] for s in p34["merged_from_2019"]]
    assigned = [c for lst in p34["merged_codes"] for c in lst]
    if sorted(assigned) != sorted(units["code"]):
        raise SystemExit("the 34 provinces do not take each of the 63 exactly once")
    to_2025 = {
        c19: c25 for c25, lst in zip(p34["code"], p34["merged_codes"], strict=True) for c19 in lst
    }
    units["province_2025_code"] = units["code"].map(to_2025)
    # every pre-2025 province lies in the 2025 province it was merged into (checked on a point
    # inside it; Quảng Ninh's polygon is the 2025 one)
    inside = gpd.GeoDataFrame(
        {"code": units["code"]}, crs=CRS, geometry=units.geometry.representative_point()
    ).sjoin(new[["code", "geometry"]], predicate="within")
    wrong = inside[inside["code_left"].map(to_2025) != inside["code_right"]]
    if len(inside) != 63 or len(wrong):
        raise SystemExit(f"63 -> 34 list and polygons disagree: {wrong['code_left'].tolist()}")
    sums = units.groupby("province_2025_code")[
        ["population_persons", "population_urban_persons"]
    ].sum()
    p = p34.set_index("code")
    if not (
        (sums["population_persons"] == p["pop_total_2019_census"].reindex(sums.index)).all()
        and (
            sums["population_urban_persons"] == p["pop_urban_2019_census"].reindex(sums.index)
        ).all()
    ):
        raise SystemExit("2019 census re-aggregated to the 34 differs from the population table")

    # --- published totals -------------------------------------------------------------------
    total, urban = (
        int(units["population_persons"].sum()),
        int(units["population_urban_persons"].sum()),
    )
    u = units.set_index("code")
    ok = (
        total == CHECKS["total"]
        and urban == CHECKS["urban"]
        and int(u.loc["79", "population_persons"]) == CHECKS["79"][0]
        and round(float(u.loc["79", "urban_pct"]), 1) == CHECKS["79"][1]
        and (int(u.loc["12", "population_persons"]), int(u.loc["12", "population_urban_persons"]))
        == CHECKS["12"]
        and int(u.loc["04", "population_persons"]) == CHECKS["04"]
    )
    if not ok:
        raise SystemExit(f"published totals not reproduced: total {total}, urban {urban}")
    national_pct = 100.0 * urban / total
    print(f"2019 census: {total:,} people, {urban:,} urban ({national_pct:.2f} %)")

    # --- boundaries: coverage clean + simplify ----------------------------------------------
    raw19 = units.geometry.values
    gaps_before = _gaps(np.asarray(raw19), units["name"])
    geoms19, note19 = _simplify(np.asarray(raw19), units["name"])
    gaps_after = _gaps(geoms19, units["name"])
    qn_final = float(shapely.area(geoms19[units.index[units["code"] == "22"][0]])) / 1e6
    raw25 = np.asarray(new.geometry.values)
    geoms25, note25 = _simplify(raw25, new["name"])

    layer19 = gpd.GeoDataFrame(
        units[
            [
                "code",
                "name",
                "full_name",
                "province_2025_code",
                "population_persons",
                "population_urban_persons",
                "population_rural_persons",
                "urban_pct",
                "geometry_source",
            ]
        ].assign(
            province_2025_name=units["province_2025_code"].map(
                dict(zip(new["code"], new["name"], strict=True))
            )
        ),
        geometry=geoms19,
        crs=CRS,
    )
    kept = "; ".join(f"{a:,.1f} km² between {around}" for a, around in gaps_after)
    put(
        layer19,
        "provinces_2019",
        {
            "title": "The 63 provinces of the 2019 census: population, urban population, "
            "urban share (boundaries simplified for display)",
            "kind": "vector",
            "geometry_type": "MultiPolygon",
            "crs": CRS,
            "id_column": "code",
            "columns": [
                col("code", required=True, unique=True, description="GSO province code (2019)"),
                col("name", required=True, description="Vietnamese name, without type word"),
                col("full_name", description="name with its type word (dvhcvn list 01/03/2025)"),
                col(
                    "province_2025_code",
                    required=True,
                    description="GSO code of the 2025 province it was merged into (Res. "
                    "202/2025/QH15)",
                ),
                col("province_2025_name"),
                *POP_COLS,
                col(
                    "geometry_source",
                    required=True,
                    description="where the polygon comes from (two surveys)",
                ),
            ],
            "provenance": {
                "source": f"population: {CENSUS['source']}; boundaries: 62 provinces from "
                f"{DVHCVN['source']}; Quảng Ninh from {SAPNHAP['source']}; 63 -> 34: "
                f"{RES_202['source']}",
                "source_vi": f"dân số: {CENSUS['source_vi']}; ranh giới: 62 tỉnh lấy từ "
                f"{DVHCVN['source_vi']}; Quảng Ninh lấy từ {SAPNHAP['source_vi']}; 63 -> 34: "
                f"{RES_202['source_vi']}",
                "url": f"{CENSUS['url']} ; {DVHCVN['url']} ; {SAPNHAP['url']}",
                "licence": f"boundaries {DVHCVN['licence']} (62) and {SAPNHAP['licence']} "
                f"(Quảng Ninh); population: {CENSUS['licence']}; 63 -> 34 list: "
                f"{RES_202['licence']}",
                "date": "census 01/04/2019; dvhcvn list 01/03/2025 (polygon vintage older); "
                "sapnhap units from 01/07/2025",
                "processing": COMMON
                + "Census provinces matched to GSO codes by name (type word, diacritics, case, "
                "spaces and hyphens folded; 63 of 63 matched once). Quảng Ninh (22) is missing "
                "from vn_admin_pre2025 (its blob is absent from the dvhcvn snapshot), so its "
                "polygon is taken from vn_provinces_2025 (sapnhap): its boundary did not change "
                "in 2025 (it kept its territory under Resolution 202/2025/QH15), but the two "
                "files come from different surveys: where it overlapped its dvhcvn neighbours "
                f"({overlap_km2:.1f} km² in all, Lạng Sơn, Bắc Giang, Hải Dương, Hải Phòng) the "
                "neighbours keep the area. Quảng Ninh measures "
                f"{qn_area:,.1f} km² in {CRS} before and {qn_final:,.1f} km² after, against "
                "6,177.7 km² in GSO 2016 (the sapnhap outline is smaller; display only). "
                + note19
                + f" Holes in the union of the 63: {len(gaps_before)} before "
                f"({sum(a for a, _ in gaps_before):,.1f} km²), {len(gaps_after)} after, gaps of "
                f"the dvhcvn source kept as they are: {kept}. Reprojected with the pinned "
                "VN-2000 shift; "
                f"coordinates on a 1 cm grid. National totals checked: {total:,} people, "
                f"{urban:,} urban ({national_pct:.2f} %) = the published census; Hồ Chí Minh "
                "City 8,993,082 (79.2 % urban), Lai Châu 460,196 / 81,889, Cao Bằng 530,341.",
            },
            "accuracy": f"display grade: boundaries simplified by {SIMPLIFY_M:g} m; do not "
            "compute areas from them",
        },
    )

    # --- 2025 layer --------------------------------------------------------------------------
    names19 = dict(zip(units["code"], units["name"], strict=True))
    p = p34.set_index("code").reindex(new["code"])
    layer25 = gpd.GeoDataFrame(
        {
            "code": new["code"].to_numpy(),
            "name": new["name"].to_numpy(),
            "full_name": new["full_name"].to_numpy(),
            "merged_from_codes": [";".join(m) for m in p["merged_codes"]],
            "merged_from_names": ["; ".join(names19[x] for x in m) for m in p["merged_codes"]],
            "n_merged": [len(m) for m in p["merged_codes"]],
            "population_persons": p["pop_total_2019_census"].astype("int64").to_numpy(),
            "population_urban_persons": p["pop_urban_2019_census"].astype("int64").to_numpy(),
        },
        geometry=geoms25,
        crs=CRS,
    )
    layer25["population_rural_persons"] = (
        layer25["population_persons"] - layer25["population_urban_persons"]
    )
    layer25["urban_pct"] = (
        100.0 * layer25["population_urban_persons"] / layer25["population_persons"]
    ).round(2)
    layer25 = layer25.sort_values("code", ignore_index=True)
    if int(layer25["population_persons"].sum()) != total:
        raise SystemExit("34-province total differs from the 63-province total")
    put(
        layer25,
        "provinces_2025",
        {
            "title": "The 34 provinces from 1 July 2025 with the 2019 census re-aggregated "
            "(boundaries simplified for display)",
            "kind": "vector",
            "geometry_type": "MultiPolygon",
            "crs": CRS,
            "id_column": "code",
            "columns": [
                col("code", required=True, unique=True, description="GSO province code (2025)"),
                col("name", required=True),
                col("full_name"),
                col(
                    "merged_from_codes",
                    required=True,
                    description="GSO codes (2019) of the provinces merged into it, ';'-separated",
                ),
                col("merged_from_names"),
                col("n_merged", "int"),
                *POP_COLS,
            ],
            "provenance": {
                "source": f"boundaries: {SAPNHAP['source']}; population: {CENSUS['source']}, "
                f"re-aggregated with {RES_202['source']}",
                "source_vi": f"ranh giới: {SAPNHAP['source_vi']}; dân số: {CENSUS['source_vi']}, "
                f"tổng hợp lại theo {RES_202['source_vi']}",
                "url": f"{SAPNHAP['url']} ; {CENSUS['url']} ; {RES_202['url']}",
                "licence": f"boundaries {SAPNHAP['licence']}; population {CENSUS['licence']}; "
                f"63 -> 34 list {RES_202['licence']}",
                "date": "units from 01/07/2025 (Resolution 202/2025/QH15); population: 2019 "
                "census (01/04/2019)",
                "processing": COMMON
                + "2025 provinces matched to their polygons by name; merged_from_codes from the "
                "merged_from_2019 list (every one of the 63 assigned exactly once, and a point "
                "inside each 2019 province lies in its 2025 province). Population = the 2019 "
                "census summed over the merged provinces (pop_total_2019_census, "
                "pop_urban_2019_census of the population table, equal to the sums of "
                f"provinces_2019; total {total:,}, urban {urban:,}). The table's "
                "population_2025_pkg is deliberately NOT included: it is registration-based "
                "(sums to 113.6 million, far above GSO's ~101 million) and must never be mixed "
                "with census figures. The Trường Sa and Hoàng Sa special zones of Khánh Hòa "
                "and Đà Nẵng enclose sea in the source polygons. "
                + note25
                + " Reprojected with the pinned VN-2000 shift; coordinates on a 1 cm grid.",
            },
            "accuracy": f"display grade: boundaries simplified by {SIMPLIFY_M:g} m; do not "
            "compute areas from them",
        },
    )

    # --- urbanisation targets -----------------------------------------------------------------
    gso = pd.read_csv(
        shared / "population" / "gso_province_avg_population_urban_rural_1995_2016.csv"
    )
    y16 = gso[gso["year"] == 2016].assign(key=lambda d: d["province"].map(_key))
    region_total = float(
        y16.loc[y16["province"] == "Northern midlands and mountain areas", "Total"].iloc[0]
    )
    code_of_key = {_key(n): c for n, c in zip(units["name"], units["code"], strict=True)}
    members = y16[y16["key"].map(code_of_key).isin(NORTHERN_MIDLANDS)]
    if len(members) != len(NORTHERN_MIDLANDS) or abs(members["Total"].sum() - region_total) > 0.5:
        raise SystemExit(
            f"northern midlands membership not confirmed: {len(members)} provinces, "
            f"{members['Total'].sum():.1f} vs {region_total:.1f} thousand"
        )
    region_note = (
        f"scope_codes = the {len(NORTHERN_MIDLANDS)} provinces of the GSO region Trung du và "
        "miền núi phía Bắc; membership checked: their 2016 average populations in the GSO "
        f"yearbook table (choisy/gso) sum to {members['Total'].sum():,.1f} thousand, the "
        f"region's own row {region_total:,.1f}"
    )
    targets = pd.DataFrame(
        [
            {
                "target_id": "national_2030",
                "scope": "national",
                "scope_code": "VN",
                "scope_name": "Việt Nam",
                "scope_codes": "",
                "comparison": ">",
                "target_pct": 50.0,
                "target_rule": "value",
                "target_year": "2030",
                "document": "Resolution 06-NQ/TW of the Politburo (24/01/2022) on urban "
                "planning, construction, management and sustainable development to 2030, vision "
                "2045; Government action programme Resolution 148/NQ-CP (11/11/2022)",
                "source": "policy_facts.md section 3 [verified: sggpnews.org.vn 2022-11-20, "
                "bicjsc.com, hungyen.gov.vn]; DOMAIN.md (seeds 000_08bd4566434e91ce.txt and "
                "001_175634e2fb14953b.txt report the resolution but not this figure)",
                "source_url": "",
                "status": "stated",
                "note": "urbanisation rate over 50 % by 2030 (about 1,000-1,200 urban areas); "
                "the rate is the official one (recognised urban areas), not the census share",
            },
            {
                "target_id": "cao_bang_national_average",
                "scope": "province",
                "scope_code": "04",
                "scope_name": "Cao Bằng",
                "scope_codes": "04",
                "comparison": ">=",
                "target_pct": np.nan,
                "target_rule": "national_average",
                "target_year": "2030",
                "document": "Plan 218-KH/TU of the Cao Bằng provincial Party committee "
                "implementing Resolution 06-NQ/TW: 'Nâng tỉ lệ đô thị hóa của tỉnh bằng mức "
                "trung bình toàn quốc'",
                "source": "seed 003_571b6cb6d2f6b262.txt (KTVN, 31/03/2023)",
                "source_url": "",
                "status": "stated",
                "note": "target = the national average, no figure: resolved from the data "
                "(national census urban share of provinces_2019) by gis.stats; year = horizon "
                "of Resolution 06 that the plan implements (the seed states no year)",
            },
            {
                "target_id": "lai_chau_2030_draft",
                "scope": "province",
                "scope_code": "12",
                "scope_name": "Lai Châu",
                "scope_codes": "12",
                "comparison": "~",
                "target_pct": 30.0,
                "target_rule": "value",
                "target_year": "2030",
                "document": "Lai Châu provincial plan 2021-2030, vision 2050, DRAFT discussed by "
                "the steering committee on 04/06/2021 ('tỷ lệ đô thị hóa đạt khoảng 30%')",
                "source": "seed 002_b55bb9fd07f1da44.txt (07/06/2021); DOMAIN.md",
                "source_url": "",
                "status": "draft",
                "note": "about 30 %; a draft target: the approved plan (Decision 1585/QĐ-TTg, "
                "07/12/2023) may differ (its urbanisation target was not found)",
            },
            {
                "target_id": "northern_midlands_2030",
                "scope": "region",
                "scope_code": "northern_midlands_mountains",
                "scope_name": "Trung du và miền núi phía Bắc",
                "scope_codes": ";".join(NORTHERN_MIDLANDS),
                "comparison": "~",
                "target_pct": 40.0,
                "target_rule": "value",
                "target_year": "2030",
                "document": "Resolution 96/NQ-CP (regional benchmark for the northern midlands "
                "and mountains)",
                "source": "DOMAIN.md (project notes; not in policy_facts.md, not checked "
                "against the resolution text)",
                "source_url": "",
                "status": "benchmark",
                "note": "about 40 %; a regional figure, not a provincial target. Not checked "
                "against 96/NQ-CP; the regional plan (Decision 369/QĐ-TTg, 04/05/2024) is "
                "reported to state 'Tỷ lệ đô thị hóa đạt khoảng 40%' (thuvienphapluat.vn notice "
                "cited in layers/lai_chau/_sources/target_documents.csv; not read here). "
                + region_note,
            },
        ]
    )
    put(
        targets,
        "urbanisation_targets",
        {
            "title": "Urbanisation targets with their documents (national, regional, provincial)",
            "kind": "table",
            "id_column": "target_id",
            "columns": [
                col("target_id", required=True, unique=True),
                col("scope", required=True, allowed=["national", "region", "province"]),
                col(
                    "scope_code",
                    required=True,
                    description="VN, a region key, or the GSO province code (2019)",
                ),
                col("scope_name", required=True),
                col(
                    "scope_codes",
                    description="GSO codes (2019) of the provinces the target "
                    "covers, ';'-separated; empty = the whole country",
                ),
                col("comparison", required=True, allowed=[">", ">=", "~"]),
                col(
                    "target_pct",
                    "float",
                    description="target urbanisation rate, %; empty when target_rule is not "
                    "'value'",
                ),
                col(
                    "target_rule",
                    required=True,
                    allowed=["value", "national_average"],
                    description="'national_average': the target is the national share, "
                    "resolved from the census by gis.stats",
                ),
                col("target_year"),
                col("document", required=True, description="the document setting the target"),
                col(
                    "source",
                    required=True,
                    description="where it was read (seed file name, notes, pages)",
                ),
                col("source_url"),
                col("status", required=True, allowed=["stated", "draft", "benchmark"]),
                col("note"),
            ],
            "provenance": {
                "source": "project notes: seeds 000-003 (Vietnamese press texts, cited by file "
                "name), DOMAIN.md, data/policy_facts.md of the shared data",
                "source_vi": "ghi chú của dự án: seeds 000-003 (văn bản báo chí tiếng Việt, trích "
                "dẫn theo tên tệp), DOMAIN.md, data/policy_facts.md của dữ liệu dùng chung",
                "licence": "facts cited from public documents",
                "date": "documents of 2021-2023",
                "processing": "Hand-entered with tools/import_national.py, one row per target "
                "with its document and where it was read. " + region_note + ".",
            },
        },
    )


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "shared",
        nargs="?",
        default="../shared/data",
        type=Path,
        help="the shared data folder (with population/)",
    )
    ap.add_argument("--layers", type=Path, default=None, help="root of the layer store")
    args = ap.parse_args()
    if not (args.shared / "population").is_dir():
        sys.exit(f"{args.shared} is not the shared data folder (no population/ in it)")
    main(args.shared, args.layers)
