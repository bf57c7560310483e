"""Write the table layer ``plan_targets`` of Lai Châu: plan indicators with target, year, source.

Targets are data: each row carries the document or page it comes from and a ``status``
(``stated``: a target of a plan or resolution as quoted by the source; ``benchmark``: a regional
or national figure the province is compared with, not a target of its own plan; ``missing``: the
indicator matters but no target was found, kept so the gap shows in the report). ``current`` names
where the current value is read: ``facts:<metric>`` (latest province row of the facts layer) or
``computed:<statistic>`` (from :func:`gis.stats.compute_statistics`).

Run from the repository root: ``PYTHONPATH=. python tools/build_plan_targets.py``.
"""

from __future__ import annotations

import pandas as pd

from gis.store import write_layer

PLAN_2021_25 = "Lai Châu socio-economic targets 2021-2025 as reported by the press (project notes)"
RES_06 = "Resolution 06-NQ/TW (2022) of the Politburo on urban planning and development"
DEC_1585 = "Decision 1585/QĐ-TTg (07/12/2023), provincial plan 2021-2030, as summarised by soha.vn"
URL_1585 = (
    "https://soha.vn/tinh-giap-trung-quoc-co-mo-vang-lon-nhat-viet-nam-la-phen-dau-cua-dat-nuoc-"
    "se-ra-sao-trong-tuong-lai-198240228113628907.htm"
)

ROWS = [
    # id, indicator, scope, target, comparison, unit, year, current, source, url, status, note
    (
        "forest_cover_2025",
        "Forest cover",
        "province",
        54.0,
        ">=",
        "percent",
        "2025",
        "facts:forest_cover",
        PLAN_2021_25,
        "",
        "stated",
        "project notes give ≈51.9 % around 2023 without a source; not used as current value",
    ),
    (
        "grid_households_2025",
        "Households connected to the national grid",
        "province",
        97.0,
        ">=",
        "percent",
        "2025",
        "facts:households_grid_pct",
        PLAN_2021_25,
        "",
        "stated",
        "",
    ),
    (
        "urbanisation_2030_province",
        "Urbanisation rate (Lai Châu's own 2030 target)",
        "province",
        None,
        ">=",
        "percent",
        "2030",
        "facts:urbanisation_rate",
        "not found",
        "",
        "missing",
        "Lai Châu's own 2030 urbanisation target was not found in the sources read",
    ),
    (
        "forest_cover_2030_province",
        "Forest cover (Lai Châu's own 2030 target)",
        "province",
        None,
        ">=",
        "percent",
        "2030",
        "facts:forest_cover",
        "not found",
        "",
        "missing",
        "Lai Châu's own 2030 forest cover target was not found in the sources read",
    ),
    (
        "urbanisation_2030_region",
        "Urbanisation rate, northern midlands and mountains benchmark",
        "region",
        40.0,
        ">=",
        "percent",
        "2030",
        "facts:urbanisation_rate",
        "regional benchmark for the northern midlands and mountains (project notes, press)",
        "",
        "benchmark",
        "about 40 %; a regional figure, not a target of the provincial plan",
    ),
    (
        "forest_cover_2030_region",
        "Forest cover, northern midlands and mountains benchmark",
        "region",
        55.0,
        ">=",
        "percent",
        "2030",
        "facts:forest_cover",
        "regional benchmark for the northern midlands and mountains (project notes, press)",
        "",
        "benchmark",
        "about 55 %",
    ),
    (
        "urbanisation_2025_national",
        "Urbanisation rate, national target",
        "national",
        45.0,
        ">=",
        "percent",
        "2025",
        "facts:urbanisation_rate",
        RES_06,
        "",
        "benchmark",
        "national target; Lai Châu's rate is compared with it",
    ),
    (
        "urbanisation_2030_national",
        "Urbanisation rate, national target",
        "national",
        50.0,
        ">",
        "percent",
        "2030",
        "facts:urbanisation_rate",
        RES_06,
        "",
        "benchmark",
        "national: > 50 %",
    ),
    (
        "urban_areas_2030",
        "Urban areas in the province's urban system",
        "province",
        11.0,
        ">=",
        "urban areas",
        "2030",
        "computed:urban_areas_classified_now",
        DEC_1585,
        URL_1585,
        "stated",
        "1 type III + 5 type IV + 5 type V; current = areas of the plan's list already classified",
    ),
]

COLUMNS = ["indicator_id", "indicator", "scope", "target_value", "comparison", "unit",
           "target_year", "current", "source", "source_url", "status", "note"]  # fmt: skip


def _col(name, dtype="str", *, required=False, unique=False, allowed=None, description=""):
    col = {"name": name, "dtype": dtype, "required": required, "unique": unique,
           "description": description}  # fmt: skip
    if allowed:
        col["allowed"] = allowed
    return col


META = {
    "title": "Plan indicators and targets (with sources)",
    "kind": "table",
    "id_column": "indicator_id",
    "columns": [
        _col("indicator_id", required=True, unique=True),
        _col("indicator", required=True),
        _col(
            "scope",
            required=True,
            allowed=["province", "region", "national"],
            description="whose target: the province's own, a regional or a national one",
        ),
        _col("target_value", "float", description="empty = no target found"),
        _col(
            "comparison",
            allowed=[">=", ">", "<=", "<"],
            description="target is met when current <comparison> target",
        ),
        _col("unit", required=True),
        _col("target_year", required=True),
        _col("current", description="facts:<metric> or computed:<statistic>"),
        _col("source", required=True, description="document or page the target comes from"),
        _col("source_url"),
        _col("status", required=True, allowed=["stated", "benchmark", "missing"]),
        _col("note"),
    ],
    "provenance": {
        "source": "Decision 1585/QĐ-TTg summaries, Resolution 06-NQ/TW, press (one per row)",
        "licence": "facts cited from public documents",
        "date": "2026",
        "processing": "hand-entered from the project's domain notes by tools/build_plan_targets.py",
    },
    "notes": "Targets only; current values are read from the facts layer or computed by gis stats.",
}


def main() -> None:
    frame = pd.DataFrame(ROWS, columns=COLUMNS)
    path = write_layer(frame, "plan_targets", meta=META, message="tools/build_plan_targets.py")
    print(f"wrote {len(frame)} rows -> {path}")


if __name__ == "__main__":
    main()
