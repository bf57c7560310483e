"""The statistics planners report, computed on a province's layers, each table labelled.

:func:`compute_statistics` reads the layers of a province profile and returns a dict of tables
(pandas DataFrames). Every table carries in ``attrs``: ``title``, ``definition`` (how each number
is computed), ``unit_system`` (``districts_pre2025``, ``communes_2025``, ``province``,
``urban_areas`` or ``none``) and ``sources`` (the layers read, with the first 12 characters of
their content hash, and the tables of the package), so every number can be traced to its inputs.
Column names carry their unit (``area_km2``, ``urban_pct``, ``population_persons``).

Nothing is invented: a population that is not in the layers stays NaN, and a planning layer that
is absent (``orientation_axis``, ``roads``, ``urban_areas``, ``facilities``,
``region_assignment_2025``, ``plan_targets``) turns the tables that need it into a one-row table
saying "layer X missing" instead of failing. Writing the tables (CSV, Excel, Markdown) is
:mod:`gis.report`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from gis._frames import M2_PER_KM2
from gis._stats_base import (
    CENSUS_DATE,
    CENSUS_HINT,
    CENSUS_LAYER,
    UNIT_SYSTEMS,
    Inputs,
    missing_table,
    plan_urban_areas,
    table_label,
    unit_population,
)
from gis._stats_coverage import catchments_table, corridor_table, roads_tables
from gis._stats_national import national_urbanisation_table
from gis.census import POPULATION_COLUMNS, aggregate_population
from gis.classification import OPERATORS, load_criteria, score_urban_areas
from gis.profile import Profile, load_profile
from gis.targets import targets_in_force
from gis.urban import census_urban_share, official_urbanisation_rate, urbanised_share

__all__ = ["TABLES", "compute_statistics"]


def _year(value: object) -> float:
    digits = "".join(ch for ch in str(value) if ch.isdigit())
    return float(digits[:4]) if len(digits) >= 4 else np.nan


def _facts_latest(facts: pd.DataFrame, scope: str, metrics: tuple[str, ...]) -> pd.DataFrame:
    """Latest numeric row per code for ``metrics`` (ties: first row); value, ref_year, source.

    Rows whose ``status`` is ``superseded`` (kept in the facts for the record) are skipped.
    """
    sel = facts[(facts["scope"] == scope) & facts["metric"].isin(metrics)].copy()
    if "status" in sel.columns:
        sel = sel[sel["status"].fillna("current") != "superseded"]
    sel["value_num"] = pd.to_numeric(sel["value"], errors="coerce")
    sel["year_num"] = sel["ref_year"].map(_year)
    sel = sel.dropna(subset=["value_num"]).sort_values("year_num", kind="stable")
    return sel.groupby("code", sort=True).tail(1).set_index("code")


#: A computed area differing from its reference by more than this % gets a ``note``.
AREA_FLAG_PCT = 1.0
#: Column of a unit layer holding the published natural area (km², not measured): the reference
#: of the computed areas of the communes.
OFFICIAL_AREA_COLUMN = "area_km2_official"


def _areas(inputs: Inputs) -> pd.DataFrame:
    profile, facts = inputs.profile, inputs.get("facts")
    rows = []
    prov = inputs.get("province")
    if prov is not None:
        rows.append(
            {
                "unit_system": "province",
                "code": profile.code,
                "name": profile.name,
                "area_km2": prov.geometry.area.sum() / M2_PER_KM2,
                "reference_area_km2": profile.official_area_km2,
                "reference_ref_year": "",
                "reference_source": profile.official_area_source,
                "reference_source_type": "official (government document, profile.toml)",
            }
        )
    dist_off = _facts_latest(facts, "district", ("area_natural",)) if facts is not None else None
    for (role, system), reference in zip(UNIT_SYSTEMS, ("facts", "layer"), strict=True):
        units = inputs.get(role)
        if units is None:
            continue
        for _, u in units.iterrows():
            row = {
                "unit_system": system,
                "code": u["code"],
                "name": u["name"],
                "area_km2": u.geometry.area / M2_PER_KM2,
            }
            layer = inputs.names[role]
            if reference == "facts" and dist_off is not None and u["code"] in dist_off.index:
                f = dist_off.loc[u["code"]]
                row.update(
                    reference_area_km2=f["value_num"],
                    reference_ref_year=f["ref_year"],
                    reference_source=f["source_url"],
                    reference_source_type=f["source_type"],
                    reference_note=f["note"] if isinstance(f["note"], str) else "",
                )
            elif reference == "facts":
                row["reference_source"] = (
                    f"none: add the district's area_natural to {inputs.names['facts']} (e.g. "
                    "from the provincial statistical yearbook)"
                )
            elif pd.notna(u.get(OFFICIAL_AREA_COLUMN)):
                row.update(
                    reference_area_km2=u[OFFICIAL_AREA_COLUMN],
                    reference_source=f"{layer}.{OFFICIAL_AREA_COLUMN}",
                    reference_source_type=f"attribute of the {layer} layer",
                )
            else:  # an area computed from the polygons is no reference
                row["reference_source"] = (
                    f"none: give {layer} a column {OFFICIAL_AREA_COLUMN} (the natural area "
                    "published with the 2025 arrangement of the communes)"
                )
            rows.append(row)
    out = pd.DataFrame(rows)
    out["reference_area_km2"] = pd.to_numeric(out.get("reference_area_km2"), errors="coerce")
    out["diff_pct"] = (
        100.0 * (out["area_km2"] - out["reference_area_km2"]) / out["reference_area_km2"]
    )
    notes = out.pop("reference_note") if "reference_note" in out.columns else None
    flagged = out["diff_pct"].abs() > AREA_FLAG_PCT
    out["note"] = ""
    for i in out.index[flagged]:
        why = notes.loc[i] if notes is not None and isinstance(notes.loc[i], str) else ""
        out.loc[i, "note"] = f"differs by more than {AREA_FLAG_PCT:g} %: " + (
            why or "not explained in facts"
        )
    return table_label(
        out,
        "Unit areas, computed and reference",
        f"area_km2 = polygon area in {profile.planning_crs} (metres); reference_area_km2 = a "
        "published figure, of the quality given in reference_source_type (province: the "
        "official area of the profile, a government document; districts: latest area_natural "
        "of facts, mostly copies of encyclopedias - secondary, not official; communes: the "
        f"{OFFICIAL_AREA_COLUMN} attribute of their layer); diff_pct = (computed - reference) "
        f"/ reference x 100; note (over {AREA_FLAG_PCT:g} %) = the note of the facts row. A "
        "district polygon older than a boundary change differs on purpose.",
        "province; districts_pre2025; communes_2025",
        inputs.sources("province", "districts", "communes", "facts"),
    )


def _population(inputs: Inputs) -> pd.DataFrame:
    title = f"Population by unit, {CENSUS_DATE} (exact sums of census units)"
    census = inputs.get("census")
    names = ["districts", "communes", "crosswalk", "census"]
    if census is None:
        frame = missing_table(title, ["census"], inputs, "districts_pre2025; communes_2025")
        frame["status"] = [CENSUS_HINT]
        frame.attrs["definition"] = f"Not computed: {CENSUS_HINT}."
        return frame
    frames = []
    for role, system in UNIT_SYSTEMS:
        units = inputs.get(role)
        pop = unit_population(inputs, role)
        area = units.geometry.area.to_numpy() / M2_PER_KM2
        frame = pd.DataFrame(
            {
                "unit_system": system,
                "code": units["code"].astype(str).to_numpy(),
                "name": units["name"].to_numpy(),
                "type": units["type"].to_numpy(),
                "area_km2": area,
            }
        ).merge(pop, on="code", how="left")
        frame["density_persons_per_km2"] = frame["population_persons"] / frame["area_km2"]
        frames.append(frame)
    total = aggregate_population(census, pd.Series("all", index=census.index)).iloc[0]
    province = inputs.get("province")
    frames.append(
        pd.DataFrame(
            {
                "unit_system": ["province"],
                "code": [inputs.profile.code],
                "name": [inputs.profile.name],
                "type": [""],
                "area_km2": [province.geometry.area.sum() / M2_PER_KM2],
                **{c: [int(total[c])] for c in POPULATION_COLUMNS},
                "urban_pct": [total["urban_pct"]],
                "n_census_units": [int(total["n_census_units"])],
                "census_units": [""],
            }
        )
    )
    out = pd.concat(frames, ignore_index=True)
    out.loc[out["unit_system"] == "province", "density_persons_per_km2"] = (
        out["population_persons"] / out["area_km2"]
    )
    out = out.rename(columns={"urban_pct": "census_urban_pct"})
    int_cols = [*POPULATION_COLUMNS, "n_census_units"]
    out[int_cols] = out[int_cols].astype("Int64")
    return table_label(
        out,
        title,
        f"Population of the {CENSUS_DATE} (GSO; layer {CENSUS_LAYER}) summed over whole census "
        "units, never by area: a district is the sum of its units on the census date (equal to "
        "the published district census); a 2025 commune is the sum of the 2019 units that form "
        "it, through the GSO codes of 01/03/2025 (2020 merges written in the census layer's "
        "match_source) and the commune_crosswalk. Urban population = the census definition: "
        "people in phường and thị trấn in 2019. The 2025 reform abolished thị trấn, so on the "
        "2025 communes population_urban_persons is the 2019 urban population carried through "
        "the crosswalk (a commune holding a former township is partly urban), not a share by "
        "2025 unit type. density_persons_per_km2 = population / polygon area in "
        f"{inputs.profile.planning_crs}; area_km2 as in unit_areas. census_units lists the "
        "2019 units summed.",
        "districts_pre2025; communes_2025; province",
        inputs.sources(*names, "province"),
    )


def _codes(value: object) -> list[str]:
    return [c for c in str(value).split(";") if c] if isinstance(value, str) else []


#: Criteria no layer can fill yet, and the source that would.
_UNFILLED = {
    "density_inner": "the built-up land area (đất xây dựng đô thị) of the inner area, from the "
    "land-use map of the urban general plan, or a built-up raster (GHSL GHS-BUILT-S) per unit",
    "non_agri_labour_total": "employment by sector of the 2019 census (GSO) or the labour force "
    "survey, by commune",
    "non_agri_labour_inner": "employment by sector of the 2019 census (GSO) for the core units",
}


def _urban_area_actuals(inputs: Inputs, urban: pd.DataFrame) -> pd.DataFrame:
    """Census population and density of each urban area, from the units that form it.

    ``population_total`` / ``density_total``: the 2025 commune(s) of the core
    (``commune2025_code``; since 1 July 2025 a former township is part of such a commune),
    2019 census carried through the crosswalk, over their polygon area. ``population_inner``:
    the 2019 units of the core (``core_units_2019``: the city's wards, the township, or the
    commune a planned town grows from). Missing census or column: NaN with the reason.
    """
    out = urban.copy()
    for col in ("population_total", "density_total", "population_inner"):
        out[col] = np.nan
        out[f"{col}_source"] = f"missing: {CENSUS_HINT}"
    for col, need in _UNFILLED.items():
        out[f"{col}_source"] = f"missing: {need}"
    if inputs.get("census") is None:
        return out
    for col, column in (
        ("population_total", "commune2025_code"),
        ("density_total", "commune2025_code"),
        ("population_inner", "core_units_2019"),
    ):
        out[f"{col}_source"] = f"missing: no {column} for this urban area in urban_areas"
    communes = inputs.get("communes").set_index("code")
    area_km2 = communes.geometry.area / M2_PER_KM2
    per_commune = unit_population(inputs, "communes").set_index("code")
    per_unit = unit_population(inputs, "crosswalk").set_index("code")
    unit_names = inputs.get("crosswalk").set_index("code")["name"]
    for i, row in out.iterrows():
        codes = [c for c in _codes(row.get("commune2025_code")) if c in per_commune.index]
        if codes:
            people = int(per_commune.loc[codes, "population_persons"].sum())
            area = float(area_km2.loc[codes].sum())
            where = ", ".join(f"{c} {communes.loc[c, 'name']}" for c in codes)
            out.loc[i, "population_total"] = people
            out.loc[i, "population_total_source"] = (
                f"2025 commune(s) {where}: {CENSUS_DATE} of the units forming them"
            )
            # whole persons/km²: the census and the polygons carry no finer precision
            out.loc[i, "density_total"] = round(people / area)
            out.loc[i, "density_total_source"] = (
                f"{people:,} persons / {area:,.1f} km² (polygon area of {where})"
            )
        core = [c for c in _codes(row.get("core_units_2019")) if c in per_unit.index]
        if core:
            out.loc[i, "population_inner"] = int(per_unit.loc[core, "population_persons"].sum())
            note = row.get("core_units_note")
            out.loc[i, "population_inner_source"] = (
                f"{CENSUS_DATE}: "
                + ", ".join(f"{c} {unit_names.loc[c]}" for c in core)
                + (f" ({note})" if isinstance(note, str) and note else "")
            )
    return out


def _urban_system(inputs: Inputs) -> pd.DataFrame:
    urban = inputs.get("urban_areas")
    if urban is not None:
        cls = urban["class_target"].fillna("(none)")
        out = (
            urban.assign(urban_class=cls)
            .groupby(["source_document", "horizon", "urban_class"], sort=True)
            .size()
            .rename("n_urban_areas")
            .reset_index()
        )
        names = ("urban_areas",)
    else:
        table = inputs.get("urban_areas_table")
        if table is None:
            return missing_table(
                "Urban system: urban areas by class",
                ["urban_areas", "urban_areas_table"],
                inputs,
                "",
            )
        out = table.groupby("urban_class_2030").size().rename("n_urban_areas").reset_index()
        out = out.rename(columns={"urban_class_2030": "urban_class"})
        name = inputs.profile.layer("urban_areas_table")
        out.insert(0, "source_document", f"{name} table ({inputs.profile.plan.document} summary)")
        names = ("urban_areas_table",)
    return table_label(
        out,
        "Urban system: urban areas by class",
        "Number of urban areas per source document, horizon and class at that horizon.",
        "urban_areas",
        inputs.sources(*names),
    )


def _classification(inputs: Inputs) -> pd.DataFrame:
    urban = plan_urban_areas(inputs)
    if urban is None:
        return missing_table("Urban classification check", ["urban_areas"], inputs, "urban_areas")
    actual = _urban_area_actuals(inputs, urban)
    out = score_urban_areas(actual, load_criteria(), class_column="class_2030")
    definition = out.attrs["definition"] + (
        f" Actual values from the {CENSUS_DATE}: population_total and density_total of the "
        "2025 commune(s) holding the urban area (commune2025_code: since July 2025 a former "
        "township is part of such a commune; the plan's own urban boundary is not in the "
        "layers), density over their polygon area; population_inner of the 2019 units forming "
        "the core (core_units_2019: the city's wards, the township, or the commune a planned "
        "town grows from). Densities of the inner area need the built-up land area (đất xây "
        "dựng đô thị), which is not in the layers: missing. Non-agricultural labour needs the "
        "labour statistics of the census or a labour survey: missing."
    )
    return table_label(
        out,
        f"Urban classification check ({inputs.profile.plan.document} urban areas, class 2030)",
        definition,
        "urban_areas",
        inputs.sources(
            "urban_areas",
            "communes",
            "census",
            extra="gis/data/urban_criteria_1210_26.csv; "
            "gis/data/urban_criteria_regional_1210_26.csv",
        ),
    )


def _share_row(measure: str, system: str, urban: float, total: float, status: str, source: str):
    return {
        "measure": measure,
        "unit_system": system,
        "urban_population_persons": urban,
        "total_population_persons": total,
        "urban_pct": 100.0 * urban / total if total else np.nan,
        "ref_year": "2019",
        "status": status,
        "source": source,
    }


def _urbanisation(inputs: Inputs) -> pd.DataFrame:
    facts, code = inputs.get("facts"), inputs.profile.code
    census = inputs.get("census")
    rows = []
    urban = plan_urban_areas(inputs)
    official = "official-style rate: recognised urban areas of the plan (class_current)"
    if urban is None:
        rows.append(
            {
                "measure": official,
                "unit_system": "urban_areas",
                "status": "layer urban_areas missing",
            }
        )
    elif census is None:
        rows.append({"measure": official, "unit_system": "urban_areas", "status": CENSUS_HINT})
    else:
        actual = _urban_area_actuals(inputs, urban).assign(
            recognised=urban["class_current"].notna().to_numpy()
        )
        res = official_urbanisation_rate(
            actual,
            int(census["population_persons"].sum()),
            population_column="population_inner",
            recognised_column="recognised",
            id_column="urban_area",
        ).iloc[0]
        left_out = ", ".join(actual.loc[~actual["recognised"], "urban_area"]) or "none"
        rows.append(
            _share_row(
                official,
                "urban_areas",
                res["urban_population"],
                res["total_population"],
                "computed"
                if res["population_complete"]
                else f"missing population of {res['areas_missing_population']}",
                f"{CENSUS_DATE}: population of the cores (core_units_2019) of the "
                f"{int(res['n_areas'])} urban areas with a class today; not yet recognised, "
                f"left out: {left_out}",
            )
        )
    if census is None:
        rows.append(
            {
                "measure": "census urban share",
                "unit_system": "communes_2019",
                "status": CENSUS_HINT,
            }
        )
    else:
        total = int(census["population_persons"].sum())
        res = census_urban_share(
            census, "population_persons", "type", ("Phường", "Thị trấn"), id_column="census_id"
        ).iloc[0]
        rows.append(
            _share_row(
                "census urban share (Phường + Thị trấn of 2019)",
                "communes_2019",
                res["urban_population"],
                res["total_population"],
                "computed",
                f"{CENSUS_LAYER}: {len(census)} units of the census date",
            )
        )
        per = unit_population(inputs, "communes").merge(
            inputs.get("communes")[["code", "type"]], on="code"
        )
        rows.append(
            _share_row(
                "2019 urban population carried to the 2025 communes",
                "communes_2025",
                int(per["population_urban_persons"].sum()),
                int(per["population_persons"].sum()),
                "computed (equal to the 2019 share by construction)",
                "the 2025 reform abolished thị trấn: the 2019 urban population (phường + thị "
                "trấn) is summed onto the 2025 communes through commune_crosswalk",
            )
        )
        wards = per[per["type"] == "Phường"]
        rows.append(
            _share_row(
                "2019 population of the 2025 wards (Phường of 2025)",
                "communes_2025",
                int(wards["population_persons"].sum()),
                total,
                "computed",
                "the 2025 definition (wards only) applied to 2019 counts: "
                + ", ".join(
                    wards["code"]
                    + " "
                    + inputs.get("communes").set_index("code").loc[wards["code"], "name"].to_numpy()
                )
                + " (they include former rural communes)",
            )
        )
    if facts is not None:
        prov = facts[(facts["scope"] == "province") & (facts["code"] == code)]
        for metric in ("urbanisation_rate_census", "urbanisation_rate"):
            for _, f in prov[prov["metric"] == metric].iterrows():
                rows.append(
                    {
                        "measure": f"reported: {metric}",
                        "unit_system": "province",
                        "urban_pct": float(f["value"]),
                        "ref_year": f["ref_year"],
                        "status": "reported (facts)",
                        "source": f["source_url"],
                    }
                )
    rows.append(
        {
            "measure": "Degree of Urbanisation (DEGURBA)",
            "unit_system": "1 km grid",
            "status": "missing: no population grid in the layers; run "
            "gis.urban.degree_of_urbanisation on a WorldPop/GHS-POP 1 km raster",
        }
    )
    columns = ["measure", "unit_system", "urban_population_persons", "total_population_persons"]
    columns += ["urban_pct", "ref_year", "status", "source"]
    out = pd.DataFrame(rows).reindex(columns=columns)
    for c in ("urban_population_persons", "total_population_persons"):
        out[c] = pd.to_numeric(out[c], errors="coerce").round().astype("Int64")
    return table_label(
        out,
        "Urbanisation under three definitions",
        f"Population from the {CENSUS_DATE} (layer {CENSUS_LAYER}). Official-style rate = "
        "population of the urban areas recognised today (a class_current in urban_areas; "
        "their 2019 core units) / census total - the statistics office also counts communes "
        "meeting type-V criteria, not in the layers. Census share = population of phường + "
        "thị trấn on the census date / total; the same 2019 urban population carried to the "
        "2025 communes; and the 2019 population of the units that form the 2025 wards (the "
        "2025 definition, wards only, on 2019 counts). DEGURBA = share on a 1 km population "
        "grid. Reported rows are copied from facts. A missing population leaves the share empty "
        "and says which source fills it.",
        "urban_areas; communes_2019; communes_2025; province",
        inputs.sources("urban_areas", "census", "crosswalk", "communes", "facts"),
    )


def _slivers(frame: pd.DataFrame, polys: pd.DataFrame, units: pd.DataFrame) -> list[str]:
    """'<unit> – <urban areas>, <ha>' for each unit of ``frame`` with a sliver left out."""
    out = []
    for i in np.flatnonzero(frame["urban_unit_sliver_ha"].to_numpy() > 0):
        geom = units.geometry.iloc[i]
        names = polys.loc[polys.intersects(geom), "urban_area"]
        ha = frame["urban_unit_sliver_ha"].iloc[i]
        size = f"{ha:,.2f} ha" if round(ha, 2) > 0 else "< 0.01 ha"
        out.append(
            f"{frame['unit_system'].iloc[i]} {frame['code'].iloc[i]} {frame['name'].iloc[i]} – "
            f"{', '.join(names.drop_duplicates())}, {size}"
        )
    return out


def _urbanised_share(inputs: Inputs) -> pd.DataFrame:
    title = "Area of urban administrative units as a share of each unit (not built-up area)"
    urban = plan_urban_areas(inputs)
    if urban is None:
        return missing_table(title, ["urban_areas"], inputs, "")
    polys = urban[urban.geom_type.isin(["Polygon", "MultiPolygon"])]
    points = urban.loc[~urban.index.isin(polys.index), "urban_area"].tolist()
    frames, slivers = [], []
    for role, system in UNIT_SYSTEMS:
        units = inputs.get(role)
        res = urbanised_share(units[["code", "name", "geometry"]], polys)
        res = res.rename(
            columns={
                "urban_area_ha": "urban_unit_area_ha",
                "urban_pct": "urban_unit_area_pct",
                "urban_sliver_ha": "urban_unit_sliver_ha",
            }
        )
        res.insert(0, "unit_system", system)
        res["area_km2"] = res.geometry.area / M2_PER_KM2
        slivers += _slivers(res, polys, units)
        tolerance = f"{res.attrs['sliver_pct']:g} %"
        frames.append(pd.DataFrame(res.drop(columns="geometry")))
    out = pd.concat(frames, ignore_index=True)
    kinds = "; ".join(
        f"{r.urban_area}: {r.geometry_source}"
        for r in polys[["urban_area", "geometry_source"]].itertuples(index=False)
    )
    return table_label(
        out,
        title,
        "Area of the urban administrative units (wards / townships) of the plan's urban areas "
        "inside each unit, in ha (urban_unit_area_ha) and as % of the unit's area "
        "(urban_unit_area_pct) - not built-up area: a whole ward counts as 100 % urban, forest "
        f"and fields included. Polygons: {len(polys)} urban area(s) of {urban.attrs['document']} "
        "with a "
        f"polygon ({kinds or 'none'}), dissolved and intersected with each unit. {len(points)} "
        f"urban area(s) are points (no polygon) and are not counted: {', '.join(points)}. "
        "Slivers: where the urban polygons and the units come from different surveys, a "
        "polygon spills over a neighbouring unit by a thin strip of boundary mismatch; a piece "
        f"of a connected urban polygon under {tolerance} of the polygon's area and under "
        f"{tolerance} of the unit's area (gis.urban.urbanised_share, sliver_pct) counts as 0 "
        "and its area is given in urban_unit_sliver_ha. Left out: "
        + ("; ".join(slivers) if slivers else "none")
        + ". For the built-up share, sum a built-up raster (GHSL GHS-BUILT-S) per unit with "
        "gis.zonal.",
        "districts_pre2025; communes_2025",
        inputs.sources("urban_areas", "districts", "communes"),
    )


def _census_current(inputs: Inputs) -> tuple[dict[str, tuple], str]:
    """Current values from the 2019 census: ``{key: (value, year, source, source_type)}``, hint.

    ``census_urban_pct`` = 100 x urban / total persons (urban = people in phường and thị trấn
    on 01/04/2019); ``census_population_persons`` = total persons. Empty, with the reason, when
    the layer is absent or a unit lacks a count.
    """
    census = inputs.get("census")
    if census is None:
        return {}, CENSUS_HINT
    counts = census[["population_persons", "population_urban_persons"]].apply(
        pd.to_numeric, errors="coerce"
    )
    if counts.isna().to_numpy().any():
        n = int(counts.isna().any(axis=1).sum())
        return {}, f"{n} unit(s) of {CENSUS_LAYER} have no population: complete the layer"
    total, urban = (int(counts[c].sum()) for c in counts.columns)
    kind = f"census (GSO), computed from {CENSUS_LAYER}"
    return {
        "census_urban_pct": (
            100.0 * urban / total,
            "2019",
            f"{CENSUS_LAYER}: census urban share 2019 (phường + thị trấn), {urban:,} urban of "
            f"{total:,} persons",
            kind,
        ),
        "census_population_persons": (
            total,
            "2019",
            f"{CENSUS_LAYER}: census population 01/04/2019, {len(census)} units",
            kind,
        ),
    }, ""


def _indicators(inputs: Inputs) -> pd.DataFrame:
    targets = inputs.get("plan_targets")
    if targets is None:
        return missing_table("Indicators vs targets", ["plan_targets"], inputs, "province")
    targets = targets_in_force(targets)
    facts, code = inputs.get("facts"), inputs.profile.code
    prov = facts[(facts["scope"] == "province") & (facts["code"] == code)]
    urban = plan_urban_areas(inputs)
    computed, census_hint = _census_current(inputs)
    hints = {k: census_hint for k in ("census_urban_pct", "census_population_persons")}
    hints["urban_areas_classified_now"] = "layer urban_areas missing"
    if urban is not None:
        computed["urban_areas_classified_now"] = (
            float(urban["class_current"].notna().sum()),
            "",
            f"urban_areas: {urban.attrs['document']} rows with a class_current",
            "computed from the layers",
        )
    in_force = targets[targets["in_force"] == "yes"]
    key_scope = list(zip(in_force["indicator_key"], in_force["scope"], strict=True))
    doc_in_force = dict(zip(key_scope, in_force["document"], strict=True))
    rows = []
    for _, t in targets.iterrows():
        kind, _, key = str(t.get("current") or "").partition(":")
        value, year, source, source_type, hint = np.nan, "", "", "", ""
        if kind == "facts":
            hit = _facts_latest(prov, "province", (key,))
            if len(hit):
                f = hit.iloc[0]
                value, year, source = f["value_num"], f["ref_year"], f"facts: {f['source_url']}"
                source_type = f["source_type"] if isinstance(f["source_type"], str) else ""
            else:
                hint = f"add a province row of metric '{key}' to the facts layer"
        elif kind == "computed" and key in computed:
            value, year, source, source_type = computed[key]
        else:
            hint = hints.get(key) or f"no source of current values for '{t.get('current')}'"
        target = pd.to_numeric(t["target_value"], errors="coerce")
        if t["unit"] == "persons":  # whole persons: compare and subtract integers
            target = int(np.rint(target)) if pd.notna(target) else np.nan
            value = int(np.rint(value)) if pd.notna(value) else np.nan
        gap = target - value if pd.notna(target) and pd.notna(value) else np.nan
        if t["in_force"] != "yes" and t["superseded_by"]:
            status = f"superseded by {t['superseded_by']}"
        elif pd.isna(target):
            status = "missing target"
            if t["in_force"] != "yes":
                status += f"; in force: {doc_in_force[(t['indicator_key'], t['scope'])]}"
        elif pd.isna(value):
            status = f"missing current value: {hint}"
        elif t["comparison"] not in OPERATORS:
            status = "no direction stated (see gap)"
        else:
            status = "met" if OPERATORS[t["comparison"]](value, target) else "not met"
        rows.append(
            {
                "indicator_id": t["indicator_id"],
                "indicator_key": t["indicator_key"],
                "indicator": t["indicator"],
                "scope": t["scope"],
                "unit": t["unit"],
                "target_year": t["target_year"],
                "comparison": t["comparison"],
                "target_value": target,
                "target_text": t.get("target_text", ""),
                "current_value": value,
                "current_ref_year": year,
                "gap": gap,
                "status": status,
                "in_force": t["in_force"],
                "superseded_by": t["superseded_by"],
                "document": t["document"],
                "document_status": t["document_status"],
                "document_date": t["document_date"],
                "target_status": t["status"],
                "target_source": t["source"],
                "current_source": source,
                "current_source_type": source_type,
            }
        )
    return table_label(
        pd.DataFrame(rows),
        "Plan indicators vs targets",
        "One row per target of one document (plan_targets layer): the plan draft, the approved "
        "plan, the 5-year plan, regional and national benchmarks (document, document_status, "
        "target_status: stated target, benchmark or missing). Rows of the same indicator_key "
        "target the same indicator; per key and scope one row is in force (in_force): a later "
        "document supersedes an earlier one and an adopted document supersedes a draft "
        "(gis.targets.targets_in_force); a benchmark of another scope never supersedes the "
        "province's own target; a document whose figure was not found supersedes nothing. "
        "Superseded rows stay, with status 'superseded by <document>' instead of met / not "
        "met. current_value: urbanisation rate = census urban share 2019 (people in phường + "
        "thị trấn / all people, population_census_2019) and population = census persons 2019; "
        "other indicators = latest province row of facts for the metric (current_source_type: "
        "the quality of that source as the facts table records it, e.g. an encyclopedia "
        "mirror), or computed from the layers. gap = target - current in the indicator's unit "
        "(percentage points for %; whole persons for population). Ranges are stored as their "
        "lower bound (target_text quotes the source). Missing targets and current values stay "
        "empty; the status says what would fill them.",
        "province",
        inputs.sources("plan_targets", "facts", "census", "urban_areas"),
    )


@dataclass(frozen=True)
class TableSpec:
    """Tables made by one function, with the layer roles (:data:`gis.profile.LAYER_ROLES`) they
    cannot do without: when one of those layers is missing the tables are one row each saying
    which (the function handles the layers that only add columns)."""

    keys: tuple[str, ...]
    titles: tuple[str, ...]
    build: Callable[[Inputs], pd.DataFrame | tuple[pd.DataFrame, ...]]
    needs: tuple[str, ...] = ()
    national: bool = False  # reads layers/_national too (gis._stats_national)


#: The tables of :func:`compute_statistics`, in report order.
TABLES: tuple[TableSpec, ...] = (
    TableSpec(("unit_areas",), ("Areas of the administrative units",), _areas, ("province",)),
    TableSpec(
        ("population",),
        ("Population by unit",),
        _population,
        ("districts", "communes", "crosswalk"),
    ),
    TableSpec(("urban_system",), ("Urban system: urban areas by class",), _urban_system),
    TableSpec(
        ("urbanisation",), ("Urbanisation",), _urbanisation, ("districts", "communes", "crosswalk")
    ),
    TableSpec(
        ("urbanised_share",),
        ("Area of urban administrative units",),
        _urbanised_share,
        ("districts", "communes"),
    ),
    TableSpec(
        ("corridor_coverage",),
        ("Corridor coverage of the axis",),
        corridor_table,
        ("districts", "communes"),
    ),
    TableSpec(
        ("road_density", "rural_access_index"),
        ("Road density per unit", "Rural Access Index (area-based proxy)"),
        roads_tables,
        ("districts", "communes"),
    ),
    TableSpec(
        ("catchments",), ("Straight-line catchments",), catchments_table, ("communes", "province")
    ),
    TableSpec(
        ("urban_classification",),
        ("Urban classification check",),
        _classification,
        ("communes", "crosswalk"),
    ),
    TableSpec(
        ("indicators_vs_targets",),
        ("Indicators vs targets",),
        _indicators,
        ("plan_targets", "facts"),
    ),
    TableSpec(
        ("national_urbanisation",),
        ("National urbanisation",),
        national_urbanisation_table,
        national=True,
    ),
)


def compute_statistics(
    province: str | Profile | None = None,
    *,
    layers_dir: str | Path | None = None,
    tables: Iterable[str] | None = None,
    read: dict[str, set[str]] | None = None,
) -> dict[str, pd.DataFrame]:
    """Compute every statistics table of a province from its layers.

    Parameters
    ----------
    province : str or Profile, optional
        Province profile (default :data:`gis.settings.PROVINCE`).
    layers_dir : str or Path, optional
        Root of the layer store (default :data:`gis.settings.LAYERS_DIR`).
    tables : iterable of str, optional
        Compute only the :data:`TABLES` that make these keys (default: all).
    read : dict, optional
        Filled with table key -> names of the province's layers its function asked for (read or
        found missing): what :mod:`gis.build` records to redo only what an edit touches.

    Returns
    -------
    dict of str to DataFrame
        Tables in report order: ``unit_areas``, ``population``, ``urban_system``,
        ``urbanisation``, ``urbanised_share``, ``corridor_coverage``, ``road_density``,
        ``rural_access_index``, ``catchments``, ``urban_classification``,
        ``indicators_vs_targets``, ``national_urbanisation`` (:data:`TABLES`). Each has
        ``attrs`` ``title``, ``definition``, ``unit_system`` and ``sources``; a table whose
        layer is absent (:attr:`TableSpec.needs`) holds one row saying "layer X missing".

    Examples
    --------
    >>> tables = compute_statistics("lai_chau")
    >>> area = tables["unit_areas"].query("unit_system == 'province'")["area_km2"].iloc[0]
    >>> bool(abs(area - 9068.73) / 9068.73 < 0.01)  # the official area, within 1 %
    True
    """
    profile = load_profile(province, layers_dir=layers_dir)

    inputs = Inputs(profile)
    wanted = None if tables is None else set(tables)
    out: dict[str, pd.DataFrame] = {}
    for spec in TABLES:
        if wanted is not None and not wanted & set(spec.keys):
            continue
        inputs.touched = set()
        gone = [role for role in spec.needs if inputs.get(role) is None]
        if gone:
            built = tuple(missing_table(t, list(spec.needs), inputs, "") for t in spec.titles)
        else:
            built = spec.build(inputs)
            built = built if isinstance(built, tuple) else (built,)
        out.update(zip(spec.keys, built, strict=True))
        if read is not None:
            read.update({key: set(inputs.touched) for key in spec.keys})
    return out
