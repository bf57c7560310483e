"""Write the table layer ``plan_targets``: plan targets by document, with supersession.

Reads two research tables of the province folder (``layers/<slug>/_sources/``, see its
README) and nothing else:

* ``target_documents.csv``: one row per document: ``document_id``, ``document``,
  ``document_status`` (``draft``, ``approved``, ``national resolution``, ``regional benchmark``),
  ``document_date`` (ISO; empty = unknown), ``source`` and ``source_url`` (a page, or
  ``seeds/<file>`` for the project's seed texts).
* ``plan_targets.csv``: one row per target of one document: ``indicator_id``, ``quantity``,
  ``indicator``, ``scope`` (``province``, ``region``, ``national``), ``target_value`` (empty =
  the document's figure was not found), ``comparison``, ``unit``, ``target_year`` (a year, or
  the period of an average rate), ``target_text`` (the target as the source words it),
  ``current``, ``document_id``, ``source`` / ``source_url`` (only where the row's source differs
  from its document's) and ``note``.

The layer gets ``indicator_key`` = ``quantity|scope|target_year`` (rows with the same key target
the same indicator across documents), the document's name, status and date, ``status``
(``stated``: a target of a provincial document; ``benchmark``: a regional or national figure;
``missing``: no figure found, the row stays so the gap shows), and ``in_force`` /
``superseded_by`` from :func:`gis.targets.targets_in_force` (a later document supersedes an
earlier one for the same key and scope; an adopted one supersedes a draft). Ranges ("9-11 %/yr")
are stored as their lower bound with the range in ``target_text``. ``current`` names where
:mod:`gis.stats` reads the current value: ``facts:<metric>`` (latest province row of the facts
layer) or ``computed:<statistic>`` (e.g. ``computed:census_urban_pct``, from the 2019 census).

Run from the repository root::

    PYTHONPATH=. python tools/build_plan_targets.py [--province lai_chau] [--layers DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from gis.errors import LayerError
from gis.profile import Profile, load_profile
from gis.store import write_layer
from gis.targets import ADOPTED_STATUSES, DRAFT_STATUSES, targets_in_force

COLUMNS = [
    "indicator_id",
    "indicator_key",
    "indicator",
    "scope",
    "target_value",
    "comparison",
    "unit",
    "target_year",
    "target_text",
    "current",
    "document",
    "document_status",
    "document_date",
    "source",
    "source_url",
    "status",
    "note",
]


def _col(name, dtype="str", *, required=False, unique=False, allowed=None, description=""):
    col = {
        "name": name,
        "dtype": dtype,
        "required": required,
        "unique": unique,
        "description": description,
    }
    if allowed:
        col["allowed"] = allowed
    return col


META = {
    "title": "Plan targets by document (draft, approved plan, 5-year plan, benchmarks)",
    "kind": "table",
    "id_column": "indicator_id",
    "columns": [
        _col("indicator_id", required=True, unique=True, description="one row per document"),
        _col(
            "indicator_key",
            required=True,
            description="quantity|scope|year: rows with the same key target the same indicator "
            "across documents (a later document supersedes an earlier one)",
        ),
        _col("indicator", required=True),
        _col(
            "scope",
            required=True,
            allowed=["province", "region", "national"],
            description="whose target: the province's own, a regional or a national one",
        ),
        _col("target_value", "float", description="empty = the document's figure not found"),
        _col(
            "comparison",
            allowed=[">=", ">", "<=", "<", "~"],
            description="target is met when current <comparison> target; '~' = a share with no "
            "direction stated (gap only)",
        ),
        _col("unit", required=True),
        _col("target_year", required=True, description="year, or period of an average rate"),
        _col("target_text", description="the target as the source words it"),
        _col("current", description="facts:<metric> or computed:<statistic>"),
        _col("document", required=True, description="the document the target belongs to"),
        _col(
            "document_status",
            required=True,
            allowed=[*DRAFT_STATUSES, *ADOPTED_STATUSES],
            description="a draft is superseded by any adopted document of the same key",
        ),
        _col("document_date", description="YYYY-MM-DD (or YYYY-MM, YYYY); empty = unknown"),
        _col("source", required=True, description="page or seed file the target is read from"),
        _col("source_url", description="URL, or seeds/<file> for the project's seed texts"),
        _col("status", required=True, allowed=["stated", "benchmark", "missing"]),
        _col("note"),
        _col(
            "in_force",
            required=True,
            allowed=["yes", "no"],
            description="the row in force for its key and scope (gis.targets.targets_in_force)",
        ),
        _col("superseded_by", description="document of the row in force, for a superseded row"),
    ],
    "provenance": {
        "source": "plan draft of 06/2021 (seed seeds/002_b55bb9fd07f1da44.txt, laichau.gov.vn); "
        "Decision 1585/QĐ-TTg as summarised by cafef.vn and soha.vn; 5-year plan 2021-2025 as "
        "summarised by vietnammoi.vn; Resolution 06-NQ/TW via Resolution 148/NQ-CP "
        "(VietnamPlus); Resolution 96/NQ-CP and Decision 369/QĐ-TTg (regional); one per row",
        "source_vi": "dự thảo quy hoạch tháng 06/2021 (seed seeds/002_b55bb9fd07f1da44.txt, "
        "laichau.gov.vn); Quyết định 1585/QĐ-TTg theo tóm tắt của cafef.vn và soha.vn; kế hoạch "
        "5 năm 2021-2025 theo tóm tắt của vietnammoi.vn; Nghị quyết 06-NQ/TW thông qua Nghị quyết "
        "148/NQ-CP (VietnamPlus); Nghị quyết 96/NQ-CP và Quyết định 369/QĐ-TTg (cấp vùng); mỗi "
        "dòng một nguồn",
        "licence": "facts cited from public documents",
        "date": "research 2026-12 (see _sources/README.md)",
        "processing": "From _sources/plan_targets.csv and _sources/target_documents.csv (values "
        "quoted from each row's source, wording in target_text) by tools/build_plan_targets.py; "
        "in_force / superseded_by by gis.targets.targets_in_force",
    },
    "notes": "Targets only; current values are read from the facts layer or computed by gis stats "
    "(urbanisation rate and population from the 2019 census layer).",
}


def build(profile: Profile) -> pd.DataFrame:
    """The plan_targets table of ``profile``, from its ``_sources`` tables, with in_force."""
    src = profile.path / "_sources"

    def table(name: str) -> pd.DataFrame:
        return pd.read_csv(src / name, dtype=str, keep_default_na=False)

    docs = table("target_documents.csv").set_index("document_id")
    rows = table("plan_targets.csv")
    unknown = sorted(set(rows["document_id"]) - set(docs.index))
    if unknown:
        raise LayerError(
            f"plan_targets.csv names document_id {unknown}, not in target_documents.csv "
            f"({sorted(docs.index)}); add the document there."
        )
    doc = docs.loc[rows["document_id"]].reset_index(drop=True)
    own = rows["source"] != ""  # the row's own source replaces its document's (URL included)
    out = rows.assign(
        indicator_key=rows["quantity"] + "|" + rows["scope"] + "|" + rows["target_year"],
        target_value=pd.to_numeric(rows["target_value"], errors="raise"),
        document=doc["document"],
        document_status=doc["document_status"],
        document_date=doc["document_date"],
        source=rows["source"].where(own, doc["source"]),
        source_url=rows["source_url"].where(own, doc["source_url"]),
    )
    out["status"] = "stated"
    out.loc[out["scope"] != "province", "status"] = "benchmark"
    out.loc[out["target_value"].isna(), "status"] = "missing"
    return targets_in_force(out[COLUMNS])


def meta_for(profile: Profile) -> dict:
    """:data:`META`, with the province's own provenance when its ``_sources`` has one
    (``plan_targets_provenance.json``: ``source`` and its Vietnamese ``source_vi``, which the
    Vietnamese report prints, ``licence``, ``date``, ``processing``; ``source_vi`` is written
    right after ``source``)."""
    path = profile.path / "_sources" / "plan_targets_provenance.json"
    if not path.exists():
        return META
    given = json.loads(path.read_text(encoding="utf-8"))
    missing = sorted({"source", "source_vi", "licence", "date", "processing"} - set(given))
    if missing:
        raise LayerError(
            f"{path} lacks {missing}; give the layer's source (and source_vi, the same in "
            "Vietnamese), licence, date and processing."
        )
    provenance: dict = {}
    for key, value in given.items():
        if key != "source_vi":
            provenance[key] = value
        if key == "source":
            provenance["source_vi"] = given["source_vi"]
    return {**META, "provenance": provenance}


def main(province: str | None, layers_dir: Path | None) -> int:
    profile = load_profile(province, layers_dir=layers_dir)
    frame = build(profile)
    path = write_layer(
        frame,
        "plan_targets",
        meta=meta_for(profile),
        province=profile,
        message="tools/build_plan_targets.py",
    )
    n_in_force = int((frame["in_force"] == "yes").sum())
    print(f"wrote {len(frame)} rows ({n_in_force} in force) -> {path}")
    return 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--province", default=None)
    ap.add_argument("--layers", dest="layers_dir", type=Path, default=None)
    args = ap.parse_args()
    sys.exit(main(args.province, args.layers_dir))
