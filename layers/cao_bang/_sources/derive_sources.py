"""Derive ``census_2019_units.csv``: each 2019 census unit -> its unit of the 01/03/2025 list.

One-off provenance script (not part of the package; reads the project's shared data folder).
Inputs, all in this folder except the first three:

* shared ``population/cao_bang_communes_2019_census.csv`` (199 census units, GADM ids);
* shared ``caobang_communes_pre2025.csv`` (the 161 units of the GSO list of 01/03/2025 and
  their 2025 commune) and ``caobang_communes_2025.geojson`` (56 communes, for the spatial check);
* ``gso_units_2019.csv``: the GSO unit list in force on the census date (199 units, codes and
  GSO reference points), see README;
* ``census_2019_districts.csv``: each 2019 district -> its district of the 01/03/2025 list;
* ``census_2019_merges.csv``: the 38 units of 2019 absent from the 01/03/2025 list and the unit
  that took them in, each with its evidence and source (hand-entered, see README).

Every census unit is first given its 2019 GSO code (by name within its district: all 199
match). A unit whose code is still in the 01/03/2025 list is that unit (``code_retained``); a
unit whose code is gone is looked up in ``census_2019_merges.csv``. ``match`` says whether
:func:`gis.census.match_census_units` finds the unit by name (``name``) or needs the row as an
override (``override``: district changed, merged, renamed). Rerun::

    .venv/bin/python layers/cao_bang/_sources/derive_sources.py ../shared/data
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from gis.census import short_name
from gis.text import fold

HERE = Path(__file__).resolve().parent
GSO_CODES = (
    "GSO unit codes: list in force on the census date (gso_units_2019.csv) and list of "
    "01/03/2025 (commune_crosswalk; daohoangson/dvhcvn data/dvhcvn.json)"
)


def _dms(text: str) -> tuple[float, float] | None:
    m = re.match(r"(\d+) (\d+) (\d+)N, (\d+) (\d+) (\d+)E", str(text))
    if not m:
        return None
    a = [int(v) for v in m.groups()]
    return a[3] + a[4] / 60 + a[5] / 3600, a[0] + a[1] / 60 + a[2] / 3600


def _key(district: str, unit_type: str, name: str, *, spaces: bool) -> tuple[str, str, str]:
    def f(text: str) -> str:
        out = fold(short_name(text))
        return out if spaces else out.replace(" ", "")

    return f(district), fold(unit_type), f(name)


def main(shared: Path) -> None:
    census = pd.read_csv(shared / "population" / "cao_bang_communes_2019_census.csv", dtype=str)
    census["type"] = census["ward_type"].replace({"Thị Trấn": "Thị trấn"})
    cw = pd.read_csv(shared / "caobang_communes_pre2025.csv", dtype=str)
    communes = gpd.read_file(shared / "caobang_communes_2025.geojson")
    g19 = pd.read_csv(HERE / "gso_units_2019.csv", dtype=str, keep_default_na=False)
    districts = pd.read_csv(HERE / "census_2019_districts.csv", dtype=str, keep_default_na=False)
    merges = pd.read_csv(HERE / "census_2019_merges.csv", dtype=str, keep_default_na=False)
    renames = pd.read_csv(HERE / "census_2019_renames.csv", dtype=str, keep_default_na=False)

    # 2019 GSO code of each census unit, by folded name within its 2019 district
    d19 = dict(zip(districts["district_2019"], districts["district_code_2019"], strict=True))
    census["district_code_2019"] = census["district"].map(d19)
    by_name = {
        (d, fold(short_name(n)).replace(" ", "")): c
        for d, n, c in zip(g19["district_code_2019"], g19["name"], g19["code"], strict=True)
    }
    census["gso_code_2019"] = [
        by_name.get((d, fold(n).replace(" ", "")))
        for d, n in zip(census["district_code_2019"], census["commune"], strict=True)
    ]
    if census["gso_code_2019"].isna().any() or census["gso_code_2019"].duplicated().any():
        raise SystemExit("census units without a unique 2019 GSO code")

    # the unit of the 01/03/2025 list
    listed = cw.set_index("code")
    merged = merges.set_index("code_2019")
    dist = districts.set_index("district_2019")
    absorbed: dict[str, list[str]] = {}
    merge_of: dict[str, pd.Series] = {}  # unit of the list -> a merge row into it
    for _, m in merges.iterrows():
        absorbed.setdefault(m["code"], []).append(f"{m['name_2019']} ({m['change']})")
        merge_of.setdefault(m["code"], m)
    renamed_by = renames.set_index("code_2019")
    rows = []
    for _, c in census.iterrows():
        code19, d = c["gso_code_2019"], dist.loc[c["district"]]
        row = {
            "census_id": c["ward_id"],
            "district_2019": c["district"],
            "type": c["type"],
            "name": c["commune"],
            "population_persons": c["pop_total_2019"],
            "gso_code_2019": code19,
            "district_code": d["district_code"],
        }
        if code19 in listed.index:
            unit = listed.loc[code19]
            row["code"] = code19
            renamed = fold(short_name(unit["name"])) != fold(c["commune"])
            moved = unit["district_code"] != c["district_code_2019"]
            district_renamed = fold(short_name(unit["district_name"])) != fold(c["district"])
            row["change"] = (
                "renamed"
                if renamed
                else "district_changed"
                if moved
                else "district_renamed"
                if district_renamed
                else "unchanged"
            )
            moved = moved or district_renamed
            row["evidence"] = "code_retained"
            parts, urls, resolutions = [GSO_CODES], [], []
            if moved:
                parts.append(f"district: {d['source']}")
                urls.append(d["source_url"])
                resolutions.append(d["resolution"])
            if renamed and code19 in renamed_by.index:
                r = renamed_by.loc[code19]
                parts.append(f"name: {r['source']}")
                urls.append(r["source_url"])
                resolutions.append(r["resolution"])
            elif renamed and code19 in merge_of:
                m = merge_of[code19]
                parts.append(f"name: the merger of {m['name_2019']} into it ({m['source']})")
                urls.append(m["source_url"])
                resolutions.append(m["resolution"])
            row["resolution"] = "; ".join(dict.fromkeys(r for r in resolutions if r))
            row["source"] = "; ".join(parts)
            row["source_url"] = " ".join(dict.fromkeys(u for u in urls if u))
            notes = []
            if renamed:
                notes.append(f"named {unit['name']} in the list of 01/03/2025")
            if moved:
                notes.append(f"district {c['district']} -> {short_name(unit['district_name'])}")
            if c["district_code_2019"] == "046" and unit["district_code"] != d["district_code"]:
                notes.append(
                    f"counted in district {d['district_code']} (the districts_pre2025 polygon "
                    f"that contains it), not in {unit['district_code']} as in the list"
                )
            if code19 in absorbed:
                notes.append("took in " + "; ".join(absorbed[code19]))
            row["note"] = "; ".join(notes)
        else:
            m = merged.loc[code19]
            row["code"] = m["code"]
            row.update({k: m[k] for k in ("change", "evidence", "resolution", "source")})
            row["source_url"] = m["source_url"]
            row["note"] = m["note"]
        unit = listed.loc[row["code"]]
        row.update(
            list_name=unit["name"],
            list_district_code=unit["district_code"],
            ward2025_code=unit["ward2025_code"],
            ward2025_name=unit["ward2025_name"],
        )
        exact = _key(c["district"], c["type"], c["commune"], spaces=True) == _key(
            unit["district_name"], unit["type"], unit["name"], spaces=True
        )
        loose = _key(c["district"], c["type"], c["commune"], spaces=False) == _key(
            unit["district_name"], unit["type"], unit["name"], spaces=False
        )
        row["match"] = "name" if (exact or loose) else "override"
        rows.append(row)
    out = pd.DataFrame(rows)

    # spatial check: the GSO reference point of the 2019 unit in the 2025 communes
    lonlat = g19.set_index("code")["location_dms"].map(_dms)
    pts = gpd.GeoDataFrame(
        {"gso_code_2019": out["gso_code_2019"]},
        geometry=[shapely.Point(*p) if p else None for p in out["gso_code_2019"].map(lonlat)],
        crs=4326,
    )
    hit = gpd.sjoin(pts[pts.geometry.notna()], communes[["code", "geometry"]], predicate="within")
    where = dict(zip(hit["gso_code_2019"], hit["code"], strict=True))
    out["point_2025_commune"] = out["gso_code_2019"].map(where).fillna("")
    has_point = out["gso_code_2019"].map(lonlat).notna()
    out["spatial_check"] = "no point"
    out.loc[has_point, "spatial_check"] = "point outside the province"
    inside = out["point_2025_commune"] != ""
    out.loc[inside, "spatial_check"] = "differs"
    out.loc[inside & (out["point_2025_commune"] == out["ward2025_code"]), "spatial_check"] = "ok"

    cols = [
        "census_id",
        "district_2019",
        "type",
        "name",
        "population_persons",
        "gso_code_2019",
        "district_code",
        "code",
        "list_name",
        "list_district_code",
        "ward2025_code",
        "ward2025_name",
        "change",
        "evidence",
        "resolution",
        "source",
        "source_url",
        "match",
        "point_2025_commune",
        "spatial_check",
        "note",
    ]
    out[cols].to_csv(HERE / "census_2019_units.csv", index=False, lineterminator="\n")
    print(out["change"].value_counts().to_string())
    print(out["evidence"].value_counts().to_string())
    print(out["spatial_check"].value_counts().to_string())
    print(out["match"].value_counts().to_string())


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data"))
