"""Import the 2019 census by commune into a province's layers (``population_census_2019``).

Run by the maintainers, once per province::

    python tools/import_census.py lai_chau \
        ../shared/data/population/lai_chau_communes_2019_census.csv
    python tools/import_census.py cao_bang \
        ../shared/data/population/cao_bang_communes_2019_census.csv

The census file has one row per commune-level unit of 1 April 2019 (GSO 2019 Population and
Housing Census, third-party tabulation; see the shared data's population/SOURCES.md): district,
unit type, name, total / urban / rural population. Each unit is matched to its GSO code in the
province's ``commune_crosswalk`` (the GSO list of 01/03/2025) with
:func:`gis.census.match_census_units`. What changed in between is data of the province folder
``layers/<province>/_sources/``, in one of two forms:

* ``census_2019_overrides.csv`` (Lai Châu): only the units merged, moved or renamed, each with
  its reason and source; the others are matched by name. Each unit gets the code of its district
  on the census date, matched by name to ``districts_pre2025``, so district sums equal the
  district census.
* ``census_2019_units.csv`` (Cao Bằng, whose 2020 mergers changed 38 units and 4 districts): one
  row per census unit with its unit of the list (``code``), its district in ``districts_pre2025``
  (``district_code``), the change, evidence and source, and ``match`` (``name`` or
  ``override``). The ``override`` rows are passed as overrides; every unit's result is then
  checked against the table, so the table and the name matching cannot drift apart.

The product never reads the shared folder at run time.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from import_base_layers import col  # tools/ is on sys.path when run as a script

from gis import settings
from gis.census import UNIT_TYPES, match_census_units, short_name
from gis.store import read_layer, write_layer
from gis.text import fold

LAYER = "population_census_2019"
SOURCE = {
    "source": "GSO, 2019 Population and Housing Census (reference date 01/04/2019), population "
    "by commune-level unit, total / urban / rural; tabulated by GitHub hgscarlette/"
    "vn-demographic VN_Population_ward.csv (commit bfc5508, 2025-01-14), whose README cites the "
    "GSO census portal (khodulieudanso2019)",
    "source_vi": "Tổng cục Thống kê, Tổng điều tra dân số và nhà ở năm 2019 (thời điểm điều tra "
    "01/04/2019), dân số theo đơn vị hành chính cấp xã, tổng số / thành thị / nông thôn; được lập "
    "thành bảng trong GitHub hgscarlette/vn-demographic VN_Population_ward.csv (commit bfc5508, "
    "2025-01-14), README của kho này dẫn nguồn cổng dữ liệu Tổng điều tra của Tổng cục Thống kê "
    "(khodulieudanso2019)",
    "url": "https://github.com/hgscarlette/vn-demographic",
    "licence": "public GSO statistics; the tabulating repository states no licence",
    "date": "01/04/2019 (census reference date)",
}


def read_census(path: Path, province_name: str | None) -> pd.DataFrame:
    raw = pd.read_csv(path, dtype={"ward_id": str})
    if province_name is not None:
        raw = raw[raw["province"].map(fold) == fold(province_name)]
    types = {fold(t): t for t in UNIT_TYPES}
    counts = raw[["pop_total_2019", "pop_urban_2019", "pop_rural_2019"]].fillna(0)
    out = pd.DataFrame(
        {
            "census_id": raw["ward_id"],
            "district_2019": raw["district"],
            "name": raw["commune"],
            "type": raw["ward_type"].map(lambda t: types[fold(t)]),
            "population_persons": counts["pop_total_2019"].astype("int64"),
            "population_urban_persons": counts["pop_urban_2019"].astype("int64"),
            "population_rural_persons": counts["pop_rural_2019"].astype("int64"),
        }
    )
    parts = out["population_urban_persons"] + out["population_rural_persons"]
    bad = out[parts != out["population_persons"]]
    if len(bad):
        raise SystemExit(f"urban + rural != total for {bad['name'].tolist()}")
    return out.reset_index(drop=True)


def _overrides_from_units(units: pd.DataFrame) -> pd.DataFrame:
    """The ``override`` rows of a ``census_2019_units.csv`` table, as match_census_units wants."""
    rows = units[units["match"] == "override"]
    return pd.DataFrame(
        {
            "district_2019": rows["district_2019"],
            "type": rows["type"],
            "name": rows["name"],
            "code": rows["code"],
            "reason": rows["change"]
            + (" under " + rows["resolution"]).where(rows["resolution"] != "", "")
            + (": " + rows["note"]).where(rows["note"] != "", ""),
            "source": rows["evidence"] + "; " + rows["source"],
        }
    )


def _check_against_units(matched: pd.DataFrame, units: pd.DataFrame) -> None:
    """Every census unit matched as the units table says (code and district), or exit."""
    table = units.set_index("census_id")
    missing = sorted(set(matched["census_id"]) ^ set(table.index))
    if missing:
        raise SystemExit(f"census units and census_2019_units.csv differ: {missing}")
    got = matched.set_index("census_id")
    bad = [
        f"{i} {got.at[i, 'name']}: {got.at[i, col]} != {table.at[i, col]} ({col})"
        for i in got.index
        for col in ("code", "district_code")
        if got.at[i, col] != table.at[i, col]
    ]
    if bad:
        raise SystemExit("matching differs from census_2019_units.csv:\n  " + "\n  ".join(bad))


def main(province: str, census_file: Path, province_name: str | None) -> None:
    census = read_census(census_file, province_name)
    crosswalk = read_layer("commune_crosswalk", province=province)
    districts = read_layer("districts_pre2025", province=province)
    sources = settings.LAYERS_DIR / province / "_sources"
    units_file = sources / "census_2019_units.csv"
    units = (
        pd.read_csv(units_file, dtype=str, keep_default_na=False) if units_file.exists() else None
    )
    overrides_file = sources / "census_2019_overrides.csv"
    if units is not None:
        overrides = _overrides_from_units(units)
    else:
        overrides = pd.read_csv(overrides_file, dtype=str) if overrides_file.exists() else None
    matched = match_census_units(census, crosswalk, overrides=overrides)
    if units is not None:  # the district in districts_pre2025 is part of the table
        district_of = dict(zip(units["census_id"], units["district_code"], strict=True))
        matched.insert(2, "district_code", matched["census_id"].map(district_of))
        _check_against_units(matched, units)
    else:  # the district of the census date, by name
        by_name = {
            fold(short_name(n)): c
            for n, c in zip(districts["name"], districts["code"], strict=True)
        }
        matched.insert(
            2, "district_code", matched["district_2019"].map(lambda d: by_name.get(fold(d)))
        )
    if matched["district_code"].isna().any():
        raise SystemExit(f"districts not found: {matched.loc[matched['district_code'].isna()]}")
    n, total = len(matched), int(matched["population_persons"].sum())
    urban = int(matched["population_urban_persons"].sum())
    if units is not None:
        how = (
            "each unit matched to its GSO code of 01/03/2025 (gis.census.match_census_units; "
            "2020 merges, district changes and renames as override rows of "
            "_sources/census_2019_units.csv, which gives every unit with its evidence and "
            "source) and to its district in districts_pre2025 (from the same table)"
        )
    else:
        how = (
            "each unit matched to its GSO code of 01/03/2025 (gis.census."
            "match_census_units; 2020 merges and moves in _sources/census_2019_overrides.csv) "
            "and to its district of the census date"
        )
    meta = {
        "title": f"2019 census population by commune-level unit of 01/04/2019 ({n} units)",
        "kind": "table",
        "id_column": "census_id",
        "columns": [
            col(
                "census_id",
                required=True,
                unique=True,
                description="id of the unit in the tabulation (a GADM 4.1 id)",
            ),
            col("district_2019", required=True, description="district on the census date"),
            col(
                "district_code",
                required=True,
                description="GSO code of that district (districts_pre2025)",
            ),
            col("name", required=True, description="unit name on the census date"),
            col(
                "type",
                required=True,
                allowed=["Xã", "Phường", "Thị trấn"],
                description="unit type on the census date; urban = Phường + Thị trấn",
            ),
            col("population_persons", "int", required=True, description="total, persons"),
            col(
                "population_urban_persons",
                "int",
                required=True,
                description="urban population (census definition: phường and thị trấn)",
            ),
            col("population_rural_persons", "int", required=True, description="rural, persons"),
            col(
                "code",
                required=True,
                description="GSO code of the unit holding it in the list of 01/03/2025 "
                "(commune_crosswalk.code)",
            ),
            col("match_method", required=True, allowed=["name", "folded name", "override"]),
            col("match_source", description="unit matched, or the override's reason and source"),
        ],
        "provenance": {
            **SOURCE,
            "processing": f"Copied from the project's shared data ({census_file.name}; totals "
            f"checked there against the published census). Imported with tools/import_census.py: "
            f"columns renamed, empty urban/rural counts set to 0, types normalised ('Thị Trấn' -> "
            f"'Thị trấn'), {how}. Totals: {total:,} persons, {urban:,} urban.",
        },
    }
    path = write_layer(
        matched,
        LAYER,
        meta=meta,
        province=province,
        message="import 2019 census",
        check_rules=False,
    )
    print(f"{LAYER}: {n} units, {total:,} persons, {urban:,} urban -> {path}")
    print(matched["match_method"].value_counts().to_string())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("province")
    parser.add_argument("census_file", type=Path)
    parser.add_argument("--province-name", help="filter the national file on this province")
    args = parser.parse_args()
    main(args.province, args.census_file, args.province_name)
