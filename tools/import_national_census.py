"""Match the 2019 census (11,165 commune-level units) to the GSO list of 01/03/2025, nationally.

Run by the maintainers, from the repository root::

    python -m pip download --no-deps vietnamadminunits==1.0.4 -d /tmp/vau
    PYTHONPATH=.:tools python tools/import_national_census.py ../shared/data \
        --vau-wheel /tmp/vau/vietnamadminunits-1.0.4-py3-none-any.whl

The census file names units as they were on 01/04/2019; the list of 01/03/2025 (the old side
of the national crosswalk, ``commune_crosswalk_2025``) comes after about 1,600 mergers of
2019–2025 (Standing Committee resolutions of 2019–2021 and 2023–2025). Each census unit gets the
GSO code (``old_code``) of the unit of 01/03/2025 that holds it, by one of these methods, in
this order, per province:

1. ``name`` / ``name, type changed``: the same name, diacritics kept (tone placement
   normalised), in the census district, one to one;
2. ``folded name`` and its variants (:func:`gis.census.match_census_names`): type word, case,
   diacritics and spaces folded; within the district first, then across the province where
   the name is unique (``folded name, district changed``: a unit moved with a district merger
   or into a city);
3. ``merge list``: the unit's 2019 name is a former name (alias) of one unit of 01/03/2025 in
   the district(s) that the census district's name-matched units lie in, in the merge list of
   the MIT-licensed package ``vietnamadminunits`` 1.0.4 (table ``admin_units_legacy``, column
   ``wardAlias``; built from the repository's ``data/alias_keywords/legacy/alias_ward.csv``,
   whose ``source`` column gives a page per row: news or legal pages on the mergers; each
   match names its row of that file). A cross-district name match of step 2 is replaced by
   the merge list when that names a unit of the census district (a name re-used elsewhere);
4. ``folded name, district changed`` again, for a unit of the list that no census unit has
   reached and that carries the unit's name in the province;
5. ``merge list, district changed``: a unique alias in the province;
6. ``province table`` / ``manual``: the hand-checked census tables of Cao Bằng and Lai Châu
   (``layers/<slug>/population_census_2019.csv``) and the rows of
   ``layers/_national/_sources/census_2019_manual.csv`` (reason, source) win over 1–5; where
   a province table differs from the automatic match, the automatic one is named in
   ``match_source``.

Everything else stays unmatched and is reported with its population. The 21 decisions on
suspect crosswalk rows (``crosswalk_decisions.csv``, hand-made) are checked against the
crosswalk and given their metadata here.

Writes ``layers/_national/``:

* ``census_2019``: every census unit with its counts, ``old_code``, ``match_method``,
  ``match_source``;
* ``census_merges_2019_2024``: the units matched through a merger or by hand (methods
  ``merge list*``, ``province table``, ``manual``) with their source;
* ``census_2019_unmatched``: the unmatched units with their population;
* ``crosswalk_decisions`` (metadata; the table is hand-made).

The product never reads the shared folder or the wheel at run time.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import tempfile
import unicodedata
import zipfile
from pathlib import Path

import pandas as pd
from import_national import POP_COLS  # tools/ is on sys.path when run as a script

from gis import settings
from gis._meta import col, table_meta
from gis.census import (
    apply_crosswalk_decisions,
    match_census_names,
    name_key,
    population_by_2025_commune,
    short_name,
)
from gis.store import read_layer, write_layer

SLUG = "_national"
TOTAL_PERSONS = 96_208_984
URBAN_PERSONS = 33_122_548
#: Name matches within the census district (the others cross districts).
LOCAL_METHODS = ("name", "name, type changed", "folded name", "folded name, type changed")
CENSUS_TYPES = {"Xã": "Xã", "Phường": "Phường", "ThịTrấn": "Thị trấn", "Huyện": "Huyện"}
VAU = {
    "package": "vietnamadminunits 1.0.4 (PyPI wheel, 2025-08)",
    "repository": "https://github.com/tranngocminhhieu/vietnamadminunits",
    "path": "vietnamadminunits/data/dataset.db, table admin_units_legacy, column wardAlias "
    "(built from data/alias_keywords/legacy/alias_ward.csv of the repository, one source "
    "address per alias row, e.g. at commit 0713f9f)",
    "licence": "MIT (package licence)",
}
CENSUS_SOURCE = (
    "GSO, 2019 Population and Housing Census (01/04/2019), total / urban / rural population by "
    "commune-level unit; tabulated by GitHub hgscarlette/vn-demographic VN_Population_ward.csv "
    "(commit bfc5508), copied in the project's shared data "
    "(population/vn_ward_population_2019_census.csv)"
)


def read_census(shared: Path, provinces: pd.DataFrame) -> pd.DataFrame:
    raw = pd.read_csv(
        shared / "population" / "vn_ward_population_2019_census.csv", dtype={"ward_id": str}
    )
    code = {name_key(n): c for n, c in zip(provinces["name"], provinces["code"], strict=True)}
    prov = raw["city"].map(name_key).map(code)
    if prov.isna().any():
        raise SystemExit(f"census provinces not in provinces_2019: {set(raw['city'][prov.isna()])}")
    counts = raw[["total", "urban", "rural"]].fillna(0)
    # 4 island units (Côn Đảo, Trường Sa) have no GADM polygon, hence no id: give one
    ids = raw["ward_id"].fillna(
        "nogadm." + prov + "." + raw["district"].map(name_key) + "." + raw["ward"].map(name_key)
    )
    out = pd.DataFrame(
        {
            "census_id": ids,
            "province_code_2019": prov,
            "province_2019": raw["city"],
            "district_2019": raw["district"],
            "district_type_2019": raw["dist_title"],
            "name": raw["ward"],
            "type": raw["ward_title"].map(CENSUS_TYPES),
            "population_persons": counts["total"].astype("int64"),
            "population_urban_persons": counts["urban"].astype("int64"),
            "population_rural_persons": counts["rural"].astype("int64"),
        }
    )
    if out["type"].isna().any():
        raise SystemExit(f"unknown census unit types: {set(raw['ward_title'][out['type'].isna()])}")
    bad = out[
        out["population_urban_persons"] + out["population_rural_persons"]
        != out["population_persons"]
    ]
    if len(bad):
        raise SystemExit(f"urban + rural != total for {bad['census_id'].tolist()}")
    total = int(out["population_persons"].sum())
    urban = int(out["population_urban_persons"].sum())
    if (len(out), total, urban) != (11_165, TOTAL_PERSONS, URBAN_PERSONS):
        raise SystemExit(f"census: {len(out)} units, {total:,} people, {urban:,} urban")
    return out


#: Old-style tone placement -> new style ("hòa" -> "hoà", "thủy" -> "thuỷ"): the two lists
#: write the same name both ways.
_TONES = {
    f"{a}{b}": f"{a0}{b1}"
    for a0, b0, row_a, row_b in (
        ("o", "a", "òóỏõọ", "àáảãạ"),
        ("o", "e", "òóỏõọ", "èéẻẽẹ"),
        ("u", "y", "ùúủũụ", "ỳýỷỹỵ"),
    )
    for a, b1 in zip(row_a, row_b, strict=True)
    for b in (b0,)
}


def accent_key(text: object) -> str:
    """Name key that keeps diacritics (``Bình Thạnh`` != ``Bình Thanh``): type word dropped,
    lower case, tone placement normalised, spaces and punctuation removed."""
    s = unicodedata.normalize("NFC", short_name(text)).lower()
    for old, new in _TONES.items():
        s = s.replace(old, new)
    return re.sub(r"[\W_]", "", s)


def read_aliases(wheel: Path) -> pd.DataFrame:
    """One row per (unit of 01/03/2025, former-name keyword) of the vietnamadminunits list."""
    with zipfile.ZipFile(wheel) as z, tempfile.TemporaryDirectory() as tmp:
        db = z.extract("vietnamadminunits/data/dataset.db", tmp)
        with sqlite3.connect(db) as con:
            legacy = pd.read_sql(
                "select provinceCode, districtCode, wardCode, ward, wardAlias, provinceKey, "
                "districtKey, wardKey "
                "from admin_units_legacy where wardAlias is not null",
                con,
            )
    rows = []
    for r in legacy.itertuples():
        for alias in json.loads(r.wardAlias):
            row = f"{r.provinceKey},{r.districtKey},{r.wardKey},{alias}"
            rows.append((r.provinceCode, r.districtCode, r.wardCode, r.ward, alias, row))
    out = pd.DataFrame(rows, columns=["prov", "district_code", "code", "unit", "alias", "csv_row"])
    # keywords come with and without the type word ("xakimson", "kimson"): keep the bare one
    out["key"] = out["alias"].str.replace(r"^(xa|phuong|thitran)", "", regex=True)
    out["typed"] = out["alias"] != out["key"]
    return out.sort_values("typed").drop_duplicates(["prov", "code", "key"])


def match(census: pd.DataFrame, units: pd.DataFrame, aliases: pd.DataFrame) -> pd.DataFrame:
    parts = []
    renamed = units.rename(
        columns={
            "old_district_name": "district_name",
            "old_type": "type",
            "old_name": "name",
            "old_code": "code",
        }
    )
    for prov, group in census.groupby("province_code_2019", sort=True):
        mine = renamed[renamed["old_province_code"] == prov]
        # exact name (diacritics kept) within the district, one to one, before the folded
        # passes: folding makes "Bình Thạnh" and "Bình Thanh" collide
        ck = pd.Series(
            [
                (name_key(d), accent_key(n))
                for d, n in zip(group["district_2019"], group["name"], strict=True)
            ],
            index=group.index,
        )
        uk = pd.Series(
            [
                (name_key(d), accent_key(n))
                for d, n in zip(mine["district_name"], mine["name"], strict=True)
            ],
            index=mine.index,
        )
        cc, uc = ck.value_counts(), uk.value_counts()
        at = {k: j for j, k in uk.items()}
        exact = pd.DataFrame(
            index=group.index, columns=["code", "match_method", "match_source"], dtype=object
        )
        for i, k in ck.items():
            if cc[k] == 1 and uc.get(k, 0) == 1:
                j = at[k]
                same_type = mine.at[j, "type"] == group.at[i, "type"]
                exact.loc[i] = [
                    mine.at[j, "code"],
                    "name" if same_type else "name, type changed",
                    f"{mine.at[j, 'name']} ({short_name(mine.at[j, 'district_name'])})",
                ]
        done = exact["code"].notna()
        rest = match_census_names(group[~done], mine[~mine["code"].isin(exact["code"])])
        parts.append(pd.concat([group[done].join(exact[done]), rest]))
    out = pd.concat(parts).loc[census.index]
    district_of = dict(zip(units["old_code"], units["old_district_code"], strict=True))
    name_of = dict(zip(units["old_code"], units["old_name"], strict=True))
    out["list_district"] = out["code"].map(district_of)
    # the list districts each census district's name-matched units lie in
    key = out["province_code_2019"] + "|" + out["district_2019"].map(name_key)
    same = out["match_method"].isin(LOCAL_METHODS)
    districts = out[same].groupby(key[same])["list_district"].agg(set).to_dict()
    alias_at = aliases.groupby(["prov", "key"])

    def take(i: int, row: pd.Series, how: str) -> None:
        if out.at[i, "match_method"]:  # a cross-district name match: replaced
            out.loc[i, "replaced_name_match"] = out.at[i, "code"]
        out.at[i, "code"] = row["code"]
        out.at[i, "match_method"] = how
        out.at[i, "match_source"] = (
            f"'{row['alias']}' is a former name of {row['code']} {row['unit']} in the merge "
            f"list of {VAU['package']} (alias_ward.csv row '{row['csv_row']}', whose source "
            "column gives the page)"
        )
        out.loc[i, "alias"] = row["alias"]

    def alias_hits(i: int) -> pd.DataFrame | None:
        try:
            return alias_at.get_group(
                (out.at[i, "province_code_2019"], name_key(out.at[i, "name"]))
            )
        except KeyError:
            return None

    # (a) a former name of one unit in the census district's own list districts
    for i in out.index:
        if out.at[i, "match_method"] in LOCAL_METHODS or (hits := alias_hits(i)) is None:
            continue
        local = hits[hits["district_code"].isin(districts.get(key[i], set()))]
        if local["code"].nunique() == 1:
            take(i, local.iloc[0], "merge list")

    # (b) a unit of the list that received no census unit and carries the census unit's name
    # (folded) in the province: the unit moved to another district (e.g. into a city); run
    # again after (c), which may leave only one such unit free
    def free_names() -> None:
        free = units[~units["old_code"].isin(out["code"].dropna())]
        free_key = free["old_province_code"] + "|" + free["old_name"].map(name_key)
        todo_key = out["province_code_2019"] + "|" + out["name"].map(name_key)
        todo = out["code"].isna()
        for i in out.index[todo]:
            hit = free[free_key == todo_key[i]]
            if len(hit) == 1 and (todo & (todo_key == todo_key[i])).sum() == 1:
                j = hit.index[0]
                out.at[i, "code"] = hit.at[j, "old_code"]
                out.at[i, "match_method"] = "folded name, district changed"
                out.at[i, "match_source"] = (
                    f"{hit.at[j, 'old_name']} ({short_name(hit.at[j, 'old_district_name'])}), "
                    "a unit that no other census unit reaches"
                )

    free_names()
    # (c) a former name of one unit anywhere in the province
    for i in out.index[out["code"].isna()]:
        hits = alias_hits(i)
        if hits is not None and hits["code"].nunique() == 1:
            take(i, hits.iloc[0], "merge list, district changed")
    free_names()
    out["old_name"] = out["code"].map(name_of)
    return out


PROVINCE_TABLES = ("cao_bang", "lai_chau")  # hand-checked per-province census matches


def apply_checked(m: pd.DataFrame, root: Path, units: pd.DataFrame) -> pd.DataFrame:
    """Province tables (hand-checked, with sources) and the manual rows win over the
    automatic match; disagreements with the automatic match are printed."""
    out = m.copy()
    name_of = dict(zip(units["old_code"], units["old_name"], strict=True))
    for slug in PROVINCE_TABLES:
        t = pd.read_csv(root / slug / "population_census_2019.csv", dtype=str)
        t = t.set_index("census_id")
        idx = out.index[out["census_id"].isin(t.index)]
        auto = out.loc[idx, "code"]
        given = out.loc[idx, "census_id"].map(t["code"])
        differ = (auto != given) & auto.notna()
        print(
            f"{slug}: {len(idx)} units; automatic match differs on {int(differ.sum())}, "
            f"was missing on {int(auto.isna().sum())}"
        )
        for i in idx[differ.to_numpy()]:
            print(
                f"   {out.at[i, 'name']}: automatic {out.at[i, 'code']} "
                f"({out.at[i, 'match_method']}), table {given[i]}"
            )
        keep_auto = (auto == given).to_numpy()
        fix = idx[~keep_auto]
        other = {
            i: f"; the automatic match gave {auto[i]} {name_of[auto[i]]} "
            f"({out.at[i, 'match_method']})"
            for i in idx[differ.to_numpy()]
        }
        out.loc[fix, "code"] = given[fix]
        out.loc[fix, "match_method"] = "province table"
        out.loc[fix, "match_source"] = [
            f"layers/{slug}/population_census_2019.csv ({t.at[c, 'match_method']}: "
            f"{t.at[c, 'match_source']}){other.get(i, '')}"
            for i, c in zip(fix, out.loc[fix, "census_id"], strict=True)
        ]
    manual = pd.read_csv(root / SLUG / "_sources" / "census_2019_manual.csv", dtype=str)
    at = pd.Series(out.index, index=out["census_id"])
    for r in manual.itertuples():
        i = at[r.census_id]
        if out.at[i, "name"] != r.name or r.old_code not in name_of:
            raise SystemExit(f"manual row {r.census_id} {r.name} -> {r.old_code} does not fit")
        out.at[i, "code"] = r.old_code
        out.at[i, "match_method"] = "manual"
        out.at[i, "match_source"] = f"{r.reason} ({r.source})"
    out["old_name"] = out["code"].map(name_of)
    return out


COLUMNS = [
    col(
        "census_id",
        required=True,
        unique=True,
        description="census unit id of the tabulation (a GADM 4.1 id; no GADM data is "
        "shipped); 'nogadm.<province>.<district>.<name>' for the 4 island units without one",
    ),
    col("province_code_2019", required=True, description="GSO province code (2019)"),
    col("province_2019", required=True, description="province as written in the census file"),
    col(
        "district_2019",
        required=True,
        description="district as written in the census file (no spaces, e.g. 'HoànKiếm')",
    ),
    col("district_type_2019", description="district type as written in the census file"),
    col("name", required=True, description="unit name as written in the census file"),
    col(
        "type",
        required=True,
        allowed=["Xã", "Phường", "Thị trấn", "Huyện"],
        description="unit type on 01/04/2019 (Huyện: island district without communes)",
    ),
    *POP_COLS[:3],  # the census counts, as in provinces_2019 (tools/import_national.py)
    col(
        "old_code",
        description="GSO code of the unit of the list of 01/03/2025 (old_code of "
        "commune_crosswalk_2025) that holds the census unit; empty where unmatched",
    ),
    col("old_name", description="name of that unit in the list of 01/03/2025"),
    col(
        "match_method",
        required=True,
        allowed=[
            "name",
            "name, type changed",
            "folded name",
            "folded name, district changed",
            "folded name, district and type changed",
            "merge list",
            "merge list, district changed",
            "province table",
            "manual",
            "unmatched",
        ],
        description="how old_code was found (see the processing note)",
    ),
    col(
        "match_source",
        description="the unit matched, the merge-list row, or the reason and "
        "source of a manual or province-table match; for unmatched units why none was found",
    ),
]


def main(shared: Path, wheel: Path, layers_dir: Path | None = None) -> None:
    root = Path(layers_dir) if layers_dir is not None else settings.LAYERS_DIR
    provinces = read_layer("provinces_2019", province=SLUG, layers_dir=root)
    census = read_census(shared, provinces)
    cw = pd.read_csv(shared / "vn_communes_crosswalk_2025.csv", dtype=str)
    units = cw.drop_duplicates("old_code")
    aliases = read_aliases(wheel)
    m = apply_checked(match(census, units, aliases), root, units)
    m["match_method"] = m["match_method"].replace("", "unmatched")
    m = m.rename(columns={"code": "old_code"})
    counts = m.groupby("match_method")["population_persons"].agg(["size", "sum"])
    print(counts)
    un = m[m["old_code"].isna()]
    people = int(un["population_persons"].sum())
    share = 100 * (1 - people / TOTAL_PERSONS)
    print(f"unmatched {len(un)} units, {people:,} people; matched share {share:.3f} %")
    by_prov = (
        m.assign(ok=m["old_code"].notna() * m["population_persons"])
        .groupby("province_code_2019")[["ok", "population_persons"]]
        .sum()
    )
    by_prov["pct"] = 100 * by_prov["ok"] / by_prov["population_persons"]
    worst = by_prov.sort_values("pct").head(5)
    print("worst provinces:\n", worst)
    empty = units[~units["old_code"].isin(m["old_code"])]
    print(f"{len(empty)} units of the list receive no census unit")

    names = [c["name"] for c in COLUMNS]
    table = m[names].sort_values(["province_code_2019", "census_id"]).reset_index(drop=True)
    counts_text = "; ".join(
        f"{k}: {int(r['size'])} units, {int(r['sum']):,} persons" for k, r in counts.iterrows()
    )
    worst_text = ", ".join(f"{c} {r['pct']:.2f} %" for c, r in worst.iterrows())
    empty_text = ", ".join(
        f"{r.old_code} {r.old_name} ({r.old_district_name})" for r in empty.itertuples()
    )
    provenance = {
        "source": f"{CENSUS_SOURCE}; unit list of 01/03/2025: old side of the national "
        "crosswalk (commune_crosswalk_2025: daohoangson/dvhcvn data/dvhcvn.json, GSO list); "
        f"merges 2019-2025: the merge (alias) list of {VAU['package']}, {VAU['path']}; "
        "hand-checked province tables layers/cao_bang and layers/lai_chau "
        "population_census_2019.csv; manual rows layers/_national/_sources/"
        "census_2019_manual.csv (reason per row)",
        "source_vi": "Tổng cục Thống kê, Tổng điều tra dân số và nhà ở năm 2019 (01/04/2019), dân "
        "số tổng số / thành thị / nông thôn theo đơn vị hành chính cấp xã; được lập thành bảng "
        "trong GitHub hgscarlette/vn-demographic VN_Population_ward.csv (commit bfc5508), sao "
        "chép vào dữ liệu dùng chung của dự án (population/vn_ward_population_2019_census.csv); "
        "danh sách đơn vị ngày 01/03/2025: phía cũ của bảng chuyển đổi toàn quốc "
        "(commune_crosswalk_2025: daohoangson/dvhcvn data/dvhcvn.json, danh mục của Cục Thống "
        "kê); sáp nhập giai đoạn 2019-2025: danh sách sáp nhập (alias) của vietnamadminunits "
        "1.0.4 (gói wheel trên PyPI, 2025-08), vietnamadminunits/data/dataset.db, bảng "
        "admin_units_legacy, cột wardAlias (xây dựng từ "
        "data/alias_keywords/legacy/alias_ward.csv của kho mã nguồn, mỗi dòng alias có một địa "
        "chỉ nguồn, ví dụ tại commit 0713f9f); các bảng cấp tỉnh đã được kiểm tra thủ công "
        "layers/cao_bang và layers/lai_chau population_census_2019.csv; các dòng nhập thủ công "
        "layers/_national/_sources/census_2019_manual.csv (ghi lý do theo từng dòng)",
        "url": f"https://github.com/hgscarlette/vn-demographic ; {VAU['repository']} ; "
        "https://github.com/daohoangson/dvhcvn",
        "licence": "census figures: public GSO statistics (the tabulating repository states "
        f"no licence); merge list: {VAU['licence']}; unit list GPL-3.0 (dvhcvn)",
        "licence_vi": "số liệu điều tra: thống kê công khai của Tổng cục Thống kê (kho lập bảng "
        "không ghi giấy phép); danh sách sáp nhập: MIT (giấy phép của gói); danh sách đơn vị: "
        "GPL-3.0 (dvhcvn)",
        "date": "census 01/04/2019; unit list 01/03/2025; merge list 2025-08",
        "processing": "tools/import_national_census.py. Census units matched per province: "
        "(1) exact name with diacritics within the census district, one to one ('name', "
        "'name, type changed'); (2) gis.census.match_census_names (folded names; across "
        "districts only where unique in the province); (3) the merge list: the census name "
        "is a former name of one unit of 01/03/2025 in the districts the census district's "
        "name-matched units lie in ('merge list'), else of one unit of the province ('merge "
        "list, district changed'); a cross-district name match is replaced by the merge "
        "list where that names a unit of the census district; before the province-wide "
        "merge list, a unit of the list that no census unit reached and that carries the "
        "census unit's (folded) name in the province is taken ('folded name, district "
        "changed'); (4) the hand-checked province tables (Cao Bằng, Lai Châu; where they "
        "differ from (1)-(3) match_source names the automatic match: 5 units, each time "
        "inside the same 2025 commune) and the manual rows win over (1)-(3). "
        f"Result: {counts_text}. Matched {share:.3f} % of {TOTAL_PERSONS:,} persons; "
        f"unmatched {len(un)} units, {people:,} persons (census_2019_unmatched). Worst "
        f"provinces (share of people matched, 2019 codes): {worst_text}. {len(empty)} units "
        f"of the list receive no census unit (created from parts of 2019 units, or empty "
        f"island districts): {empty_text}. Totals checked: {TOTAL_PERSONS:,} persons, "
        f"{URBAN_PERSONS:,} urban (= the published census). The census counts a unit urban "
        "if it was a phường or thị trấn on 01/04/2019; the tabulation's type word lags for 9 "
        "units typed Xã but counted urban (86,141 persons; e.g. Chí Linh, Đồng Xoài, Hồng "
        "Ngự): the counts, not the type word, are the census.",
    }
    meta = table_meta(
        "2019 census by commune-level unit, matched to the GSO list of 01/03/2025",
        COLUMNS,
        provenance,
        id_column="census_id",
    )
    put(table, "census_2019", meta, root)

    merged = m[
        ~m["match_method"].isin(
            (
                *LOCAL_METHODS,
                "folded name, district changed",
                "folded name, district and type changed",
                "unmatched",
            )
        )
    ]
    merge_cols = [
        "census_id",
        "province_code_2019",
        "district_2019",
        "name",
        "type",
        "population_persons",
        "old_code",
        "old_name",
        "match_method",
        "match_source",
    ]
    mcols = [c for c in COLUMNS if c["name"] in merge_cols]
    mmeta = table_meta(
        "2019 census units merged, renamed or moved before 01/03/2025: the "
        "unit of the list that holds each, with its source",
        mcols,
        dict(
            provenance,
            processing="The rows of census_2019 matched through "
            "the merge list, the province tables or by hand (methods 'merge "
            "list', 'merge list, district changed', 'province table', "
            "'manual'); match_source names the merge-list keyword and the "
            "unit, or the reason and source. " + provenance["processing"],
        ),
        id_column="census_id",
    )
    put(
        merged[merge_cols].sort_values(["province_code_2019", "census_id"]),
        "census_merges_2019_2024",
        mmeta,
        root,
    )

    ucols = [c for c in COLUMNS if c["name"] not in ("old_code", "old_name", "match_method")]
    umeta = table_meta(
        "2019 census units not matched to the list of 01/03/2025, with their population",
        ucols,
        dict(
            provenance,
            processing=(
                f"{len(un)} units, {people:,} persons "
                f"({100 - share:.3f} % of {TOTAL_PERSONS:,}). " + provenance["processing"]
            ),
        ),
        id_column="census_id",
    )
    put(
        un[[c["name"] for c in ucols]].sort_values("population_persons", ascending=False),
        "census_2019_unmatched",
        umeta,
        root,
    )
    decisions_layer(root, cw, m)


DECISION_COLUMNS = [
    col("old_code", required=True, description="GSO code of the old commune (list of 01/03/2025)"),
    col("old_name", description="its name"),
    col("old_district_name", description="its district"),
    col("new_code", required=True, description="2025 commune of the crosswalk row, as given"),
    col("new_name", description="its name"),
    col("decided_new_code", required=True, description="2025 commune decided for that row"),
    col("decided_new_name", description="its name"),
    col(
        "decision",
        required=True,
        allowed=["fix", "keep"],
        description="fix: the row's commune is replaced; keep: the row stands as given",
    ),
    col("reason", required=True, description="why, with the evidence"),
    col("source", required=True, description="where the evidence comes from"),
]


def decisions_layer(root: Path, cw: pd.DataFrame, m: pd.DataFrame) -> None:
    """Check the hand-made decisions on the 21 suspect rows and give them their metadata."""
    d = pd.read_csv(root / SLUG / "crosswalk_decisions.csv", dtype=str)
    suspect = cw[cw["qa_flag"].fillna("").str.startswith("suspect")]
    if set(zip(d["old_code"], d["new_code"], strict=True)) != set(
        zip(suspect["old_code"], suspect["new_code"], strict=True)
    ):
        raise SystemExit("crosswalk_decisions.csv must decide exactly the suspect rows")
    before = cw.drop_duplicates(["old_code", "new_code"])
    after = apply_crosswalk_decisions(before, d)
    n_split = (before.groupby("old_code").size() > 1).sum()
    n_split_after = (after.groupby("old_code").size() > 1).sum()
    agg = population_by_2025_commune(
        m.rename(columns={"old_code": "old_code"}), cw, decisions=d, unmatched="drop"
    )
    split_codes = after.loc[after["old_part"] == "partial", "old_code"].unique()
    in_split = m[m["old_code"].isin(split_codes)]
    note = (
        f"{int((d['decision'] == 'fix').sum())} rows fixed, {int((d['decision'] == 'keep').sum())}"
        f" kept. Split old communes: {n_split} before, {n_split_after} after the decisions; "
        f"they hold {int(in_split['population_persons'].sum()):,} persons of the 2019 census "
        f"({int(in_split['population_urban_persons'].sum()):,} urban) and touch "
        f"{int((agg['apportioned_persons'] > 0).sum())} of {len(agg)} new communes."
    )
    print(note)
    meta = table_meta(
        "Decisions on the 21 crosswalk rows flagged suspect (commune_crosswalk_2025)",
        DECISION_COLUMNS,
        {
            "source": "hand decisions, one per suspect row, each with its evidence: resolution "
            "lines of 2025 (1666, 1668, 1669, 1674, 1685, 1687/NQ-UBTVQH15) as quoted by "
            "dvhcvn/20250701 output/<province>/<district>/<code>.json (commit 2112e81, MIT); "
            "sapnhap.bando.com.vn lists (as recorded in the crosswalk's qa_flag); the "
            "converter of vietnamadminunits 1.0.4 (converter_2025.json, MIT); distances of "
            "the 2025 polygons to the old district polygons (shared vn_communes_2025.fgb, "
            "vn_admin_pre2025.gpkg.zip)",
            "source_vi": "các quyết định xử lý thủ công, mỗi dòng nghi vấn một quyết định, kèm "
            "bằng chứng: các dòng trong các nghị quyết năm 2025 (1666, 1668, 1669, 1674, 1685, "
            "1687/NQ-UBTVQH15) theo trích dẫn trong dvhcvn/20250701 "
            "output/<province>/<district>/<code>.json (commit 2112e81, MIT); các danh sách của "
            "sapnhap.bando.com.vn (như ghi trong qa_flag của bảng chuyển đổi); bộ chuyển đổi của "
            "vietnamadminunits 1.0.4 (converter_2025.json, MIT); khoảng cách từ các đa giác năm "
            "2025 đến các đa giác huyện cũ (dữ liệu dùng chung vn_communes_2025.fgb, "
            "vn_admin_pre2025.gpkg.zip)",
            "url": "https://github.com/dvhcvn/20250701 ; "
            "https://github.com/tranngocminhhieu/vietnamadminunits",
            "licence": "decisions: project data; the resolutions are public law",
            "date": "crosswalk of 1 July 2025; decided 2026-12",
            "processing": "Each suspect row was read with the resolution line where one was "
            "found, the sapnhap listing, the converter and the spatial check; a row is fixed "
            "only where two of these agree or the resolution text settles it, kept otherwise "
            "(the spatial check is void where the dvhcvn district polygons predate the "
            "2020-2024 boundary changes). gis.census.apply_crosswalk_decisions applies them; "
            "a fixed row that then names the commune of another part of the same old commune "
            "merges with it (the old commune becomes whole). " + note,
        },
    )
    put(d, "crosswalk_decisions", meta, root)


def put(df: pd.DataFrame, name: str, meta: dict, root: Path) -> None:
    path = write_layer(
        df.reset_index(drop=True),
        name,
        meta=meta,
        province=SLUG,
        layers_dir=root,
        message="import (tools/import_national_census.py)",
        check_rules=False,
    )
    print(f"{name}: {len(df)} rows -> {path}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("shared", type=Path, help="the shared data folder (…/shared/data)")
    ap.add_argument(
        "--vau-wheel",
        type=Path,
        required=True,
        help="vietnamadminunits-1.0.4-py3-none-any.whl (pip download)",
    )
    ap.add_argument("--layers", type=Path, default=None)
    a = ap.parse_args()
    main(a.shared, a.vau_wheel, a.layers)
    sys.exit(0)
