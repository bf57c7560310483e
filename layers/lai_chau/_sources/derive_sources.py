"""One-off provenance script: rebuilds the derived columns of the source tables.

Not part of the ``gis`` package and never run by the product or the tests.
It documents how the coordinates in ``waypoints.csv`` were converted (DMS to
decimal degrees), how representative points of the 2025 communes were taken,
and how ``region_assignment_communes.csv`` was computed.

Run from the repository root with the project's environment, giving the folder that holds
the source layers (``laichau_wards_2025.geojson``, ``laichau_districts_pre2025.geojson``; the
project's shared data, see ``README.md`` of this folder)::

    .venv/bin/python layers/lai_chau/_sources/derive_sources.py SHARED_DATA_DIR

It prints checks and rewrites ``waypoints.csv`` and
``region_assignment_communes.csv`` in this folder.
"""

from __future__ import annotations

import csv
import re
import sys
import unicodedata
from pathlib import Path

import geopandas as gpd

HERE = Path(__file__).resolve().parent
GSO_URL = (
    "https://github.com/caobada/findhomed.com/blob/"
    "d7fe7f7480d5cdf2578bede5db92dfc9c110549f/database/seeds/WardSeeder.php"
)
GSO_DISTRICT_URL = (
    "https://github.com/caobada/findhomed.com (database/seeds/DistrictSeeder.php, "
    "district 'location' field)"
)
GSO_SRC = "GSO commune list with 'location' field, via caobada/findhomed.com WardSeeder.php"
TM_URL = (
    "https://github.com/TravelMapping/HighwayData/blob/"
    "e463f2037953daa495d8bdc41d51d93937474b4a/hwy_data/VNM/vnmct/vnm.ct05.wpt"
)
WARDS_SRC = "representative point of 2025 commune polygon (shared laichau_wards_2025.geojson)"
WARDS_URL = "https://github.com/thanglequoc/vietnamese-provinces-database"

# (id, name, kind, 'DD MM SSN, DDD MM SSE', accuracy, source, source_url, note)
GSO_POINTS = [
    (
        "lc_city",
        "Thành phố Lai Châu (phường Đoàn Kết)",
        "town",
        "22 23 50N, 103 27 41E",
        "town centre ±1 km (GSO reference point of the old phường Đoàn Kết, code 03389)",
    ),
    (
        "san_thang",
        "San Thàng",
        "junction",
        "22 23 15N, 103 29 57E",
        "commune reference point ±2 km (old xã San Thàng 03409, east edge of the city on QL.4D)",
    ),
    (
        "nam_loong",
        "Nậm Loỏng",
        "junction",
        "22 23 52N, 103 23 55E",
        "commune reference point ±2 km (old xã Nậm Loỏng 03403, west of the city on QL.4D)",
    ),
    (
        "tam_duong",
        "Thị trấn Tam Đường",
        "town",
        "22 20 44N, 103 37 30E",
        "town centre ±1 km (GSO reference point of thị trấn Tam Đường 03390)",
    ),
    (
        "binh_lu",
        "Bình Lư",
        "junction",
        "22 20 38N, 103 40 46E",
        "commune reference point ±2 km (old xã Bình Lư 03412)",
    ),
    (
        "ban_bo",
        "Bản Bo",
        "bridge",
        "22 16 56N, 103 43 03E",
        "commune reference point ±3 km (old xã Bản Bo 03424; cầu Bo on QL.32 lies in this area)",
    ),
    (
        "ban_hon",
        "Bản Hon",
        "commune",
        "22 18 27N, 103 33 30E",
        "commune reference point ±3 km (old xã Bản Hon 03421)",
    ),
    (
        "tan_uyen",
        "Thị trấn Tân Uyên",
        "town",
        "22 11 57N, 103 47 06E",
        "town centre ±1 km (GSO reference point of thị trấn Tân Uyên 03598)",
    ),
    (
        "than_thuoc",
        "Thân Thuộc",
        "commune",
        "22 09 53N, 103 43 51E",
        "commune reference point ±2 km (old xã Thân Thuộc 03604)",
    ),
    (
        "muong_than",
        "Mường Than",
        "junction",
        "22 00 44N, 103 55 15E",
        "commune reference point ±2 km (old xã Mường Than 03619); QL.32/QL.279 junction per "
        "cand.com.vn, exact junction not located",
    ),
    (
        "than_uyen",
        "Thị trấn Than Uyên",
        "town",
        "21 58 07N, 103 53 17E",
        "town centre ±1 km (GSO reference point of thị trấn Than Uyên 03595)",
    ),
    (
        "muong_kim",
        "Mường Kim",
        "commune",
        "21 50 50N, 103 52 53E",
        "commune reference point ±2 km (old xã Mường Kim 03637)",
    ),
    (
        "phong_tho",
        "Thị trấn Phong Thổ",
        "town",
        "22 31 00N, 103 19 53E",
        "town centre ±1 km (GSO reference point of thị trấn Phong Thổ 03549)",
    ),
    (
        "muong_so",
        "Mường So (Pa So)",
        "junction",
        "22 30 58N, 103 21 12E",
        "commune reference point ±2 km (old xã Mường So 03589); Pa So, the QL.4D km0/QL.12 "
        "junction, is in this commune per anvietnam.wordpress.com",
    ),
    (
        "nam_xe",
        "Nậm Xe",
        "commune",
        "22 32 59N, 103 28 26E",
        "commune reference point ±3 km (old xã Nậm Xe 03586)",
    ),
    (
        "ma_ly_pho",
        "Ma Ly Pho",
        "commune",
        "22 37 29N, 103 13 38E",
        "commune reference point ±2 km (old xã Ma Ly Pho 03574, seat of Ma Lù Thàng gate)",
    ),
    (
        "huoi_luong",
        "Huổi Luông",
        "commune",
        "22 32 36N, 103 12 33E",
        "commune reference point ±2 km (old xã Huổi Luông 03490)",
    ),
    (
        "pa_tan",
        "Pa Tần",
        "commune",
        "22 28 25N, 103 09 12E",
        "commune reference point ±2 km (old xã Pa Tần 03493)",
    ),
    (
        "nam_ban",
        "Nậm Ban",
        "commune",
        "22 22 32N, 103 06 30E",
        "commune reference point ±2 km (old xã Nậm Ban 03502)",
    ),
    (
        "chan_nua",
        "Chăn Nưa",
        "commune",
        "22 10 23N, 103 11 07E",
        "commune reference point ±2 km (old xã Chăn Nưa 03487)",
    ),
    (
        "le_loi",
        "Lê Lợi",
        "commune",
        "22 05 41N, 103 09 34E",
        "commune reference point ±2 km (old xã Lê Lợi 03481)",
    ),
    (
        "nam_hang",
        "Nậm Hàng",
        "commune",
        "22 09 20N, 103 01 01E",
        "commune reference point ±2 km (old xã Nậm Hàng 03475)",
    ),
    (
        "muong_te",
        "Thị trấn Mường Tè",
        "town",
        "22 22 46N, 102 48 40E",
        "town centre ±1 km (GSO reference point of thị trấn Mường Tè 03433)",
    ),
    (
        "sin_ho",
        "Thị trấn Sìn Hồ",
        "town",
        "22 21 05N, 103 15 07E",
        "town centre ±1 km (GSO reference point of thị trấn Sìn Hồ 03478)",
    ),
    (
        "nam_tam",
        "Nậm Tăm",
        "town",
        "22 17 54N, 103 25 00E",
        "commune reference point ±2 km (old xã Nậm Tăm 03517; planned type V urban area)",
    ),
    (
        "thu_lum",
        "Thu Lũm",
        "commune",
        "22 42 46N, 102 28 14E",
        "commune reference point ±2 km (old xã Thu Lũm 03436)",
    ),
    (
        "sa_pa",
        "Thị trấn Sa Pa (Lào Cai)",
        "town",
        "22 20 51N, 103 49 03E",
        "town centre ±1 km (GSO reference point of thị trấn Sa Pa 03001); outside Lai Châu",
    ),
    (
        "bao_ha",
        "Bảo Hà (Lào Cai)",
        "commune",
        "22 11 25N, 104 22 04E",
        "commune reference point ±2 km (xã Bảo Hà 02989); outside Lai Châu",
    ),
    (
        "khanh_yen",
        "Thị trấn Khánh Yên (Văn Bàn, Lào Cai)",
        "town",
        "22 05 56N, 104 14 58E",
        "town centre ±1 km (GSO reference point 03055); outside Lai Châu",
    ),
    (
        "nam_xe_vb",
        "Nậm Xé (Văn Bàn, Lào Cai)",
        "commune",
        "22 02 36N, 103 59 57E",
        "commune reference point ±3 km (xã Nậm Xé 03085); outside Lai Châu",
    ),
    (
        "quynh_nhai",
        "Mường Giàng (Quỳnh Nhai, Sơn La)",
        "town",
        "21 38 54N, 103 35 35E",
        "commune reference point ±2 km (xã Mường Giàng 03703, Quỳnh Nhai district seat); "
        "outside Lai Châu",
    ),
]
GSO_DISTRICT_POINTS = [
    (
        "muong_lay",
        "Thị xã Mường Lay (Điện Biên)",
        "town",
        "22 01 47N, 103 07 10E",
        "district-level reference point ±3 km (GSO district list, thị xã Mường Lay 095); "
        "outside Lai Châu",
    ),
    (
        "bat_xat",
        "Huyện Bát Xát (Lào Cai)",
        "district_ref",
        "22 35 50N, 103 44 49E",
        "district reference point, NOT the town: ±15 km (GSO district list, huyện Bát Xát 082); "
        "outside Lai Châu",
    ),
]


def dms_to_dd(text: str) -> tuple[float, float]:
    """Convert 'DD MM SSN, DDD MM SSE' to (lon, lat) in decimal degrees."""
    m = re.fullmatch(r"(\d+) (\d+) (\d+)N, (\d+) (\d+) (\d+)E", text.strip())
    if m is None:
        raise ValueError(f"unexpected DMS text {text!r}")
    d1, m1, s1, d2, m2, s2 = (int(g) for g in m.groups())
    return round(d2 + m2 / 60 + s2 / 3600, 6), round(d1 + m1 / 60 + s1 / 3600, 6)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def build_waypoints(shared: Path) -> list[dict]:
    rows = []
    for wid, name, kind, dms, acc in GSO_POINTS:
        lon, lat = dms_to_dd(dms)
        rows.append(
            dict(
                id=wid,
                name=nfc(name),
                kind=kind,
                lon=lon,
                lat=lat,
                accuracy=acc,
                source=f"{GSO_SRC}; DMS '{dms}'",
                source_url=GSO_URL,
            )
        )
    for wid, name, kind, dms, acc in GSO_DISTRICT_POINTS:
        lon, lat = dms_to_dd(dms)
        rows.append(
            dict(
                id=wid,
                name=nfc(name),
                kind=kind,
                lon=lon,
                lat=lat,
                accuracy=acc,
                source=f"GSO district list with 'location' field; DMS '{dms}'",
                source_url=GSO_DISTRICT_URL,
            )
        )
    # Nội Bài–Lào Cai expressway exit 16 (IC16), OSM-derived waypoint.
    rows.append(
        dict(
            id="ic16",
            name="Nút giao IC16, cao tốc Nội Bài – Lào Cai (CT.05)",
            kind="interchange",
            lon=104.343896,
            lat=22.156029,
            accuracy="±200 m (OSM-derived waypoint '16' of CT.05 in TravelMapping); "
            "that label '16' is the IC16 of the project is inferred from the "
            "exit numbering, outside Lai Châu",
            source="TravelMapping HighwayData vnm.ct05.wpt, waypoint '16'",
            source_url=TM_URL,
        )
    )
    # Derived: representative points of 2025 communes.
    wards = gpd.read_file(shared / "laichau_wards_2025.geojson")
    wards = wards.set_index("code")
    for wid, name, kind, code, acc in [
        (
            "nam_nhun",
            "Thị trấn Nậm Nhùn (xã Nậm Hàng 2025)",
            "town",
            "03434",
            "estimated ±10 km: no source point found for the township (created 2012); "
            "representative point of the 336 km² 2025 commune Nậm Hàng that absorbed it",
        ),
        (
            "phuc_than",
            "Phúc Than (xã Mường Than 2025)",
            "town",
            "03618",
            "estimated ±6 km: GSO list has no point for old xã Phúc Than (03618); "
            "representative point of the 2025 commune Mường Than, code 03618",
        ),
    ]:
        pt = wards.loc[code].geometry.representative_point()
        rows.append(
            dict(
                id=wid,
                name=nfc(name),
                kind=kind,
                lon=round(pt.x, 6),
                lat=round(pt.y, 6),
                accuracy=acc,
                source=f"{WARDS_SRC}, commune {code}",
                source_url=WARDS_URL,
            )
        )
    return rows


def region_assignment_communes(shared: Path) -> list[dict]:
    wards = gpd.read_file(shared / "laichau_wards_2025.geojson").to_crs("EPSG:9205")
    dists = gpd.read_file(shared / "laichau_districts_pre2025.geojson").to_crs("EPSG:9205")
    region = dict(zip(dists["code"], dists["plan_region"], strict=True))
    out = []
    for _, w in wards.sort_values("code").iterrows():
        shares = {}
        for _, d in dists.iterrows():
            a = w.geometry.intersection(d.geometry).area
            if a > 0:
                shares[d["code"]] = a / w.geometry.area
        by_region: dict[str, float] = {}
        for code, s in shares.items():
            by_region[region[code]] = by_region.get(region[code], 0.0) + s
        old = str(w["old_district_codes"]).split(";")
        old_regions = sorted({region[c] for c in old})
        main_region = max(by_region, key=by_region.get)
        straddles = len(old_regions) > 1
        share_txt = ";".join(f"{c}:{shares[c]:.4f}" for c in sorted(shares) if shares[c] >= 0.0005)
        out.append(
            dict(
                code=w["code"],
                name=nfc(w["name"]),
                type=w["type"],
                plan_region=main_region,
                old_district_codes=w["old_district_codes"],
                regions_of_old_districts=";".join(old_regions),
                straddles_regions="yes" if straddles else "no",
                share_dynamic_economic=round(by_region.get("dynamic_economic", 0.0), 4),
                share_song_da_agroforestry=round(by_region.get("song_da_agroforestry", 0.0), 4),
                district_overlap_shares=share_txt,
                rule="plan_region of the pre-2025 district(s) holding the largest share of the "
                "commune's area (overlay of laichau_wards_2025 on laichau_districts_pre2025 "
                "in EPSG:9205); shares under 0.05 % omitted from district_overlap_shares",
                source="laichau_wards_2025.geojson + laichau_districts_pre2025.geojson "
                "(plan_region column); regions per Decision 1585/QĐ-TTg as summarised "
                "in laichau_facts.csv",
                accuracy="area shares carry the misfit of two surveys (sliver overlaps along "
                "borders of ~1-3 %); the Sùng Phài transfer (106→105) is not in the "
                "district polygons",
            )
        )
    return out


def write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def main(shared: Path) -> None:
    wp = build_waypoints(shared)
    extra = HERE / "waypoints_extra.csv"
    if extra.exists():  # hand-entered rows (passes, gates, sites) kept separately
        with extra.open(encoding="utf-8") as fh:
            wp.extend(csv.DictReader(fh))
    write_csv(HERE / "waypoints.csv", wp)
    write_csv(HERE / "region_assignment_communes.csv", region_assignment_communes(shared))
    print(f"waypoints: {len(wp)} rows")


if __name__ == "__main__":
    if len(sys.argv) != 2 or not Path(sys.argv[1]).is_dir():
        sys.exit(
            f"usage: {sys.argv[0]} SHARED_DATA_DIR (the folder holding "
            "laichau_wards_2025.geojson and laichau_districts_pre2025.geojson)"
        )
    main(Path(sys.argv[1]))
