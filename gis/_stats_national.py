"""National table of :mod:`gis.stats`: the census urban share of every province against the
> 50 % urbanisation target of Resolution 06-NQ/TW for 2030.

Private: :func:`gis.stats.compute_statistics` is the public entry point. The table reads the
national layers of ``layers/_national/`` (beside the province's folder in the same store root;
written by ``tools/import_national.py``), not the province's own layers, and highlights the
province of the profile (by its GSO code ``profile.code``; in 2025 the province it was merged
into) and every province with a row in ``urbanisation_targets``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gis._stats_base import Inputs, table_label
from gis.errors import ProfileError
from gis.profile import load_profile
from gis.report import Sources

__all__: list[str] = []

#: Folder (and profile slug) of the national layers under the store root.
NATIONAL = "_national"
#: The national layers the table reads.
NATIONAL_LAYERS = ("provinces_2019", "provinces_2025", "urbanisation_targets")
#: How to get the national layers when they are missing.
HOW_TO_GET = (
    "build it with `python tools/import_national.py /path/to/shared/data` (maintainers; it "
    "writes layers/_national/ from the project's shared data)"
)
TITLE = "National picture: census urban share by province vs the > 50 % target of 2030"
#: Target row of Resolution 06-NQ/TW in ``urbanisation_targets``.
NATIONAL_TARGET_ID = "national_2030"

CURRENT = "current province (profile)"
HAS_TARGET = "has a target (urbanisation_targets)"


def national_inputs(profile) -> Inputs | None:
    """The national layers beside ``profile``'s folder, or None if ``_national`` has no profile."""
    try:
        national = load_profile(NATIONAL, layers_dir=profile.path.parent)
    except ProfileError:
        return None
    return Inputs(national, names={n: n for n in NATIONAL_LAYERS})


def _national_sources(nat: Inputs) -> Sources:
    sources = nat.sources(*NATIONAL_LAYERS)
    return Sources(f"layers/{NATIONAL}: {sources}", f"`layers/{NATIONAL}`: {sources.vi}")


def _missing(nat: Inputs | None, root) -> pd.DataFrame:
    gone = (
        list(NATIONAL_LAYERS) if nat is None else [n for n in NATIONAL_LAYERS if nat.get(n) is None]
    )
    status = "; ".join(f"layer {NATIONAL}/{n} missing" for n in gone)
    frame = pd.DataFrame({"status": [f"{status}: {HOW_TO_GET}"]})
    sources = f"{root}/{NATIONAL} (no profile.toml)" if nat is None else _national_sources(nat)
    return table_label(
        frame,
        TITLE,
        f"Not computed: {status}; {HOW_TO_GET}.",
        "provinces_2019; provinces_2025",
        sources,
    )


def _codes(text: object) -> list[str]:
    return [c.strip() for c in str(text).split(";") if c.strip()] if isinstance(text, str) else []


def _province_rows(
    units: pd.DataFrame,
    system: str,
    national_pct: float,
    target_pct: float,
    mark: dict[str, list[str]],
) -> pd.DataFrame:
    """One row per province (sorted by rank) after a national reference row."""
    out = pd.DataFrame(
        {
            "unit_system": system,
            "row_kind": "province",
            "code": units["code"].astype(str),
            "name": units["name"],
            "merged_from_codes": units.get("merged_from_codes", pd.Series("", index=units.index)),
            "population_persons": units["population_persons"].astype("Int64"),
            "population_urban_persons": units["population_urban_persons"].astype("Int64"),
        }
    )
    out["urban_pct"] = (
        100.0
        * out["population_urban_persons"].astype(float)
        / out["population_persons"].astype(float)
    )
    out["rank_urban_pct"] = out["urban_pct"].rank(ascending=False, method="min").astype("Int64")
    members = [_codes(m) or [c] for m, c in zip(out["merged_from_codes"], out["code"], strict=True)]
    out["highlight"] = [
        "; ".join(label for label, codes in mark.items() if set(codes) & set(m)) for m in members
    ]
    out = out.sort_values(["rank_urban_pct", "code"], ignore_index=True)
    total = int(out["population_persons"].sum())
    urban = int(out["population_urban_persons"].sum())
    national = pd.DataFrame(
        {
            "unit_system": [system],
            "row_kind": ["national (reference)"],
            "code": ["VN"],
            "name": [f"Việt Nam ({len(out)} tỉnh, thành phố)"],
            "merged_from_codes": [""],
            "population_persons": pd.array([total], dtype="Int64"),
            "population_urban_persons": pd.array([urban], dtype="Int64"),
            "urban_pct": [100.0 * urban / total],
            "rank_urban_pct": pd.array([pd.NA], dtype="Int64"),
            "highlight": [""],
        }
    )
    out = pd.concat([national, out], ignore_index=True)
    out["national_urban_pct"] = national_pct
    out["diff_from_national_pct_points"] = out["urban_pct"] - national_pct
    out["target_2030_pct"] = target_pct
    out["gap_to_target_2030_pct_points"] = target_pct - out["urban_pct"]
    return out


def _indicator_rows(
    targets: pd.DataFrame, p19: pd.DataFrame, national_pct: float, target_pct: float
) -> pd.DataFrame:
    """One row per target: target (resolved if 'national_average'), current census share, gap."""
    by_code = p19.set_index(p19["code"].astype(str))
    rows = []
    for _, t in targets.iterrows():
        codes = _codes(t["scope_codes"]) or list(by_code.index)  # empty: the whole country
        known = [c for c in codes if c in by_code.index]
        total = int(by_code.loc[known, "population_persons"].sum()) if known else 0
        urban = int(by_code.loc[known, "population_urban_persons"].sum()) if known else 0
        current = 100.0 * urban / total if total and len(known) == len(codes) else np.nan
        note = str(t["note"]) if isinstance(t.get("note"), str) else ""
        if t["target_rule"] == "national_average":
            value = national_pct
            note = (
                f"target resolved from the data: the national census urban share (2019) = "
                f"{national_pct:.2f} %, the 'national average' of the document; the national "
                "average of 2030 will be higher. " + note
            )
        else:
            value = float(t["target_pct"]) if pd.notna(t["target_pct"]) else np.nan
        if t["scope"] == "region":
            note += f" Provinces (GSO codes 2019): {';'.join(codes)}."
        if len(known) != len(codes):
            note = f"scope codes not in provinces_2019: {sorted(set(codes) - set(known))}. " + note
        gap = value - current
        if np.isnan(gap):
            status = "missing current value" if np.isnan(current) else "missing target"
        else:
            reached = current > value if t["comparison"] == ">" else current >= value
            status = "reached in the 2019 census" if reached else "not reached in the 2019 census"
        rows.append(
            {
                "unit_system": "targets",
                "row_kind": "target indicator",
                "code": t["scope_code"],
                "name": t["scope_name"],
                "merged_from_codes": "",
                "population_persons": total if known else pd.NA,
                "population_urban_persons": urban if known else pd.NA,
                "urban_pct": current,
                "rank_urban_pct": pd.NA,
                "national_urban_pct": national_pct,
                "diff_from_national_pct_points": current - national_pct,
                "target_2030_pct": target_pct,
                "gap_to_target_2030_pct_points": target_pct - current,
                "highlight": "",
                "target_id": t["target_id"],
                "comparison": t["comparison"],
                "target_pct": value,
                "target_year": t["target_year"],
                "gap_to_target_pct_points": gap,
                "status": status,
                "target_status": t["status"],
                "target_source": f"{t['document']} — read in: {t['source']}",
                "note": note.strip(),
            }
        )
    out = pd.DataFrame(rows)
    for col in ("population_persons", "population_urban_persons", "rank_urban_pct"):
        out[col] = out[col].astype("Int64")
    return out


def national_urbanisation_table(inputs: Inputs) -> pd.DataFrame:
    """The table ``national_urbanisation`` (see :func:`gis.stats.compute_statistics`)."""
    profile = inputs.profile
    nat = national_inputs(profile)
    if nat is None or any(nat.get(n) is None for n in NATIONAL_LAYERS):
        return _missing(nat, profile.path.parent)
    p19, p25 = nat.get("provinces_2019"), nat.get("provinces_2025")
    targets = nat.get("urbanisation_targets")
    total = int(p19["population_persons"].sum())
    national_pct = 100.0 * int(p19["population_urban_persons"].sum()) / total
    main = targets[targets["target_id"] == NATIONAL_TARGET_ID]
    target_pct = float(main["target_pct"].iloc[0]) if len(main) else np.nan
    province_targets = targets[targets["scope"] == "province"]
    mark = {CURRENT: [str(profile.code)]}
    mark[HAS_TARGET] = [c for s in province_targets["scope_codes"] for c in _codes(s)]
    out = pd.concat(
        [
            _province_rows(p19, "provinces_2019", national_pct, target_pct, mark),
            _province_rows(p25, "provinces_2025", national_pct, target_pct, mark),
            _indicator_rows(targets, p19, national_pct, target_pct),
        ],
        ignore_index=True,
    )
    highlighted = out.loc[out["highlight"].str.contains("current|target", na=False), "name"]
    return table_label(
        out,
        TITLE,
        "2019 Population and Housing Census (01/04/2019), by province: population_persons and "
        "population_urban_persons (residents of phường and thị trấn of 2019, the census "
        "definition), urban_pct = urban / total x 100, rank_urban_pct (1 = most urban) within "
        "the unit system. provinces_2019: the 63 provinces of the census; provinces_2025: the "
        "34 provinces from 1 July 2025 with the same census re-aggregated over the provinces "
        "merged into each (merged_from_codes; registration-based 2025 populations are never "
        "used). Reference rows and columns: the national share (row 'Việt Nam', "
        f"national_urban_pct = {national_pct:.2f} %) and the target of Resolution 06-NQ/TW "
        f"(target_2030_pct: over {target_pct:g} % by 2030); diff_from_national_pct_points = "
        "urban_pct - national; gap_to_target_2030_pct_points = target - urban_pct (positive: "
        "short of it). highlight: the province of the profile (GSO code "
        f"{profile.code}; in 2025 the province it was merged into) and the provinces with a row "
        f"in urbanisation_targets ({', '.join(dict.fromkeys(highlighted))}). Rows 'target "
        "indicator': each row of urbanisation_targets with its target (a target 'the national "
        "average' is resolved to the national census share and says so in note), the current "
        "census share of its scope (a region: the sum of its provinces) and "
        "gap_to_target_pct_points = target - current. Caution: the targets are official "
        "urbanisation rates (population of recognised urban areas: about 40 % nationally in "
        "2020, seed 000_08bd4566434e91ce.txt), the current values the 2019 census share; the "
        "gaps are indicative.",
        "provinces_2019 (63); provinces_2025 (34); targets",
        _national_sources(nat),
    )
