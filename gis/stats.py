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

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from gis._frames import M2_PER_KM2
from gis.classification import load_criteria, score_urban_areas
from gis.crosswalk import aggregate
from gis.errors import LayerNotFoundError
from gis.profile import Profile, load_profile
from gis.store import layer_meta, read_layer
from gis.urban import census_urban_share, official_urbanisation_rate, urbanised_share

__all__ = ["DISTANCES_M", "PLAN_DOCUMENT", "compute_statistics"]

#: Corridor and catchment distances (metres).
DISTANCES_M = (5000.0, 10000.0, 20000.0)
#: The urban-area version scored and counted (``source_document`` of the ``urban_areas`` layer).
PLAN_DOCUMENT = "Decision 1585/QĐ-TTg (2023)"
_POPULATION_METRICS = ("population", "population_census")
#: Overlaps smaller than this % of a district's area are dropped when moving district values to
#: the 2025 communes: the two unit systems come from different surveys and touch in slivers.
SLIVER_PCT = 0.5


class _Inputs:
    """Reads layers once, remembers which were read (with version) and which are missing."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.cache: dict[str, pd.DataFrame | None] = {}
        self.versions: dict[str, str] = {}

    def get(self, name: str) -> pd.DataFrame | None:
        if name not in self.cache:
            try:
                frame = read_layer(name, province=self.profile)
            except LayerNotFoundError:
                frame = None
            else:
                self.versions[name] = frame.attrs.get("version", "")[:12]
            self.cache[name] = frame
        return self.cache[name]

    def sources(self, *names: str, extra: str = "") -> str:
        parts = []
        for n in names:
            if self.get(n) is None:
                parts.append(f"{n} (missing)")
                continue
            prov = layer_meta(n, province=self.profile).get("provenance", {}).get("source", "")
            parts.append(f"{n} [{self.versions[n]}]: {prov}".rstrip(": "))
        return "; ".join(parts + ([extra] if extra else []))


def _label(df: pd.DataFrame, title: str, definition: str, unit_system: str, sources: str):
    df.attrs.update(title=title, definition=definition, unit_system=unit_system, sources=sources)
    return df


def _missing(title: str, names: list[str], inputs: _Inputs, unit_system: str) -> pd.DataFrame:
    gone = [n for n in names if inputs.get(n) is None]
    status = "; ".join(f"layer {n} missing" for n in gone)
    frame = pd.DataFrame({"status": [status]})
    return _label(frame, title, f"Not computed: {status}.", unit_system, inputs.sources(*names))


def _year(value: object) -> float:
    digits = "".join(ch for ch in str(value) if ch.isdigit())
    return float(digits[:4]) if len(digits) >= 4 else np.nan


def _facts_latest(facts: pd.DataFrame, scope: str, metrics: tuple[str, ...]) -> pd.DataFrame:
    """Latest numeric row per code for ``metrics`` (ties: first row); value, ref_year, source."""
    sel = facts[(facts["scope"] == scope) & facts["metric"].isin(metrics)].copy()
    sel["value_num"] = pd.to_numeric(sel["value"], errors="coerce")
    sel["year_num"] = sel["ref_year"].map(_year)
    sel = sel.dropna(subset=["value_num"]).sort_values("year_num", kind="stable")
    return sel.groupby("code", sort=True).tail(1).set_index("code")


#: A computed area differing from its reference by more than this % gets a ``note``.
AREA_FLAG_PCT = 1.0


def _areas(inputs: _Inputs) -> pd.DataFrame:
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
    for layer, reference in (("districts_pre2025", "facts"), ("communes_2025", "layer")):
        units = inputs.get(layer)
        if units is None:
            continue
        for _, u in units.iterrows():
            row = {
                "unit_system": layer,
                "code": u["code"],
                "name": u["name"],
                "area_km2": u.geometry.area / M2_PER_KM2,
            }
            if reference == "facts" and dist_off is not None and u["code"] in dist_off.index:
                f = dist_off.loc[u["code"]]
                row.update(
                    reference_area_km2=f["value_num"],
                    reference_ref_year=f["ref_year"],
                    reference_source=f["source_url"],
                    reference_source_type=f["source_type"],
                    reference_note=f["note"] if isinstance(f["note"], str) else "",
                )
            elif reference == "layer" and "area_km2" in units.columns:
                row.update(
                    reference_area_km2=u["area_km2"],
                    reference_ref_year="",
                    reference_source="communes_2025.area_km2 (Resolution 1670 mapping)",
                    reference_source_type="attribute of the communes_2025 layer",
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
        out.loc[i, "note"] = (
            f"differs by more than {AREA_FLAG_PCT:g} %: " + (why or "not explained in facts")
        )
    return _label(
        out,
        "Unit areas, computed and reference",
        f"area_km2 = polygon area in {profile.planning_crs} (metres); reference_area_km2 = a "
        "published figure, of the quality given in reference_source_type (province: the "
        "official area of the profile, a government document; districts: latest area_natural "
        "of facts, mostly copies of encyclopedias - secondary, not official; communes: the "
        "area_km2 attribute of communes_2025); diff_pct = (computed - reference) / reference x "
        f"100; note (over {AREA_FLAG_PCT:g} %) = the note of the facts row. A district polygon "
        "older than a boundary change differs on purpose.",
        "province; districts_pre2025; communes_2025",
        inputs.sources("province", "districts_pre2025", "communes_2025", "facts"),
    )


def _district_population(inputs: _Inputs) -> pd.DataFrame:
    """Latest population per district from facts (NaN where none): code, population, year, src."""
    districts, facts = inputs.get("districts_pre2025"), inputs.get("facts")
    latest = _facts_latest(facts, "district", _POPULATION_METRICS)
    out = pd.DataFrame({"code": districts["code"].astype(str)})
    out["population_persons"] = out["code"].map(latest["value_num"]).astype(float)
    out["population_ref_year"] = out["code"].map(latest["ref_year"]).fillna("")
    out["population_source"] = out["code"].map(latest["source_url"]).fillna("")
    return out


def _crosswalk_population(inputs: _Inputs) -> pd.DataFrame:
    districts, communes = inputs.get("districts_pre2025"), inputs.get("communes_2025")
    pop = _district_population(inputs)
    area = districts.geometry.area.to_numpy() / M2_PER_KM2
    pop["density_per_km2"] = pop["population_persons"].to_numpy() / area
    moved = aggregate(
        pop,
        districts,
        communes,
        extensive=["population_persons"],
        intensive=["density_per_km2"],
        source_id="code",
        min_overlap_pct=SLIVER_PCT,
    )
    years = dict(zip(pop["code"], pop["population_ref_year"], strict=True))
    out = pd.DataFrame(
        {
            "code": moved["code"],
            "name": moved["name"],
            "population_persons": moved["population_persons"],
            "population_density_per_km2": moved["density_per_km2"],
            "source_district_codes": moved["source_ids"],
            "source_ref_years": [
                ";".join(years.get(c, "") or "?" for c in s.split(";")) for s in moved["source_ids"]
            ],
            "covered_pct": moved["covered_pct"],
        }
    )
    known = pop.loc[pop["population_persons"].notna(), "code"].tolist()
    return _label(
        out,
        "District population moved to the 2025 communes (areal weighting)",
        "Extensive population_persons: each district's latest population (facts, metric "
        f"{' or '.join(_POPULATION_METRICS)}) shared among the 2025 communes by overlap area "
        "(summed); intensive population_density_per_km2: district density (population / polygon "
        "area) averaged weighted by overlap area. A commune touching any district without a "
        f"population is NaN (districts with one: {', '.join(known) or 'none'}). Reference years "
        "differ between districts (source_ref_years): the sums mix years. Overlaps under "
        f"{SLIVER_PCT:g} % of a district's area (survey slivers) are dropped. "
        + moved.attrs["method"],
        "communes_2025",
        inputs.sources("districts_pre2025", "communes_2025", "facts"),
    )


def _plan_urban_areas(inputs: _Inputs) -> gpd.GeoDataFrame | None:
    urban = inputs.get("urban_areas")
    if urban is None:
        return None
    return urban[urban["source_document"] == PLAN_DOCUMENT].copy()


def _urban_area_actuals(inputs: _Inputs, urban: pd.DataFrame) -> pd.DataFrame:
    """Actual population and density of urban areas that are whole district-level cities.

    An urban area takes a district's facts only when it *is* that district (same name, district
    type ``Thành phố``); a township is part of its district and gets nothing (missing data).
    """
    districts, facts = inputs.get("districts_pre2025"), inputs.get("facts")
    out = urban.copy()
    for col in ("population_total", "density_total"):
        out[col] = np.nan
        out[f"{col}_source"] = ""
    if districts is None or facts is None:
        return out
    pop = _facts_latest(facts, "district", _POPULATION_METRICS)
    area = _facts_latest(facts, "district", ("area_natural",))
    cities = districts[districts["type"] == "Thành phố"].set_index("name")
    for i, row in out.iterrows():
        if row["urban_area"] not in cities.index:
            continue
        code = cities.loc[row["urban_area"], "code"]
        if code in pop.index:
            p = pop.loc[code]
            out.loc[i, "population_total"] = p["value_num"]
            out.loc[i, "population_total_source"] = (
                f"facts district {code} {p['metric']} {p['ref_year']} ({p['source_url']})"
            )
            if code in area.index:
                a = area.loc[code]
                out.loc[i, "density_total"] = p["value_num"] / a["value_num"]
                out.loc[i, "density_total_source"] = (
                    f"population {p['ref_year']} / facts area_natural {a['value_num']:g} km2 "
                    f"({a['ref_year']})"
                )
    return out


def _urban_system(inputs: _Inputs) -> pd.DataFrame:
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
        table = inputs.get("urban_areas_2030")
        out = table.groupby("urban_class_2030").size().rename("n_urban_areas").reset_index()
        out = out.rename(columns={"urban_class_2030": "urban_class"})
        out.insert(0, "source_document", "urban_areas_2030 table (Decision 1585 summary)")
        names = ("urban_areas_2030",)
    return _label(
        out,
        "Urban system: urban areas by class",
        "Number of urban areas per source document, horizon and class at that horizon.",
        "urban_areas",
        inputs.sources(*names),
    )


def _classification(inputs: _Inputs) -> pd.DataFrame:
    urban = _plan_urban_areas(inputs)
    if urban is None:
        return _missing("Urban classification check", ["urban_areas"], inputs, "urban_areas")
    actual = _urban_area_actuals(inputs, urban)
    out = score_urban_areas(actual, load_criteria(), class_column="class_2030")
    definition = out.attrs["definition"] + (
        " Actual values: an urban area that is a whole district-level city takes that district's "
        "latest population and official area from facts; other areas have no population in the "
        "layers."
    )
    return _label(
        out,
        "Urban classification check (Decision 1585 urban areas, class 2030)",
        definition,
        "urban_areas",
        inputs.sources(
            "urban_areas",
            "districts_pre2025",
            "facts",
            extra="gis/data/urban_criteria_1210_26.csv; "
            "gis/data/urban_criteria_regional_1210_26.csv",
        ),
    )


def _urbanisation(inputs: _Inputs) -> pd.DataFrame:
    facts, code = inputs.get("facts"), inputs.profile.code
    prov = facts[(facts["scope"] == "province") & (facts["code"] == code)]
    total = _facts_latest(prov, "province", ("population",))
    rows = []
    urban = _plan_urban_areas(inputs)
    if urban is not None and len(total):
        t = total.iloc[0]
        actual = _urban_area_actuals(inputs, urban)
        res = official_urbanisation_rate(
            actual, t["value_num"], population_column="population_total", id_column="urban_area"
        ).iloc[0]
        missing = res["areas_missing_population"]
        rows.append(
            {
                "measure": "official urbanisation rate (urban areas of the plan)",
                "unit_system": "urban_areas",
                "urban_population_persons": res["urban_population"],
                "total_population_persons": res["total_population"],
                "urban_pct": res["urban_pct"],
                "ref_year": t["ref_year"],
                "status": "computed"
                if res["population_complete"]
                else f"missing population of {missing.count(';') + 1} urban areas: {missing}",
                "source": f"total: facts province population {t['ref_year']}",
            }
        )
    elif urban is None:
        rows.append(
            {
                "measure": "official urbanisation rate (urban areas of the plan)",
                "unit_system": "urban_areas",
                "status": "layer urban_areas missing",
            }
        )
    for layer, types, system in (
        ("commune_crosswalk", ("Phường", "Thị trấn"), "communes_pre2025"),
        ("communes_2025", ("Phường",), "communes_2025"),
    ):
        units = inputs.get(layer)
        if "population" in units.columns:
            frame = units
        else:
            frame = units.assign(population=np.nan)
        res = census_urban_share(frame, "population", "type", types, id_column="code").iloc[0]
        rows.append(
            {
                "measure": f"census urban share ({' + '.join(types)})",
                "unit_system": system,
                "urban_population_persons": res["urban_population"],
                "total_population_persons": res["total_population"],
                "urban_pct": res["urban_pct"],
                "status": "computed"
                if res["population_complete"]
                else f"missing population: {len(units)} of {len(units)} units have none"
                if frame["population"].isna().all()
                else "missing population of " + res["units_missing_population"],
                "source": layer,
            }
        )
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
    out = pd.DataFrame(rows)
    return _label(
        out,
        "Urbanisation under three definitions",
        "Official rate = population of the plan's urban areas / province population (facts, "
        "latest); census share = population of wards (+ townships before 2025) / total; "
        "DEGURBA = share on a 1 km population grid. Reported rows are copied from facts. A "
        "missing population leaves the share empty.",
        "urban_areas; communes_pre2025; communes_2025; province",
        inputs.sources("urban_areas", "facts", "commune_crosswalk", "communes_2025"),
    )


def _urbanised_share(inputs: _Inputs) -> pd.DataFrame:
    title = "Area of urban administrative units as a share of each unit (not built-up area)"
    urban = _plan_urban_areas(inputs)
    if urban is None:
        return _missing(title, ["urban_areas"], inputs, "")
    polys = urban[urban.geom_type.isin(["Polygon", "MultiPolygon"])]
    points = urban.loc[~urban.index.isin(polys.index), "urban_area"].tolist()
    frames = []
    for layer in ("districts_pre2025", "communes_2025"):
        units = inputs.get(layer)
        res = urbanised_share(units[["code", "name", "geometry"]], polys)
        res = res.rename(
            columns={"urban_area_ha": "urban_unit_area_ha", "urban_pct": "urban_unit_area_pct"}
        )
        res.insert(0, "unit_system", layer)
        res["area_km2"] = res.geometry.area / M2_PER_KM2
        frames.append(pd.DataFrame(res.drop(columns="geometry")))
    out = pd.concat(frames, ignore_index=True)
    kinds = "; ".join(
        f"{r.urban_area}: {r.geometry_source}"
        for r in polys[["urban_area", "geometry_source"]].itertuples(index=False)
    )
    return _label(
        out,
        title,
        "Area of the urban administrative units (wards / townships) of the plan's urban areas "
        "inside each unit, in ha (urban_unit_area_ha) and as % of the unit's area "
        "(urban_unit_area_pct) - not built-up area: a whole ward counts as 100 % urban, forest "
        f"and fields included. Polygons: {len(polys)} urban area(s) of {PLAN_DOCUMENT} with a "
        f"polygon ({kinds or 'none'}), dissolved and intersected with each unit. {len(points)} "
        f"urban area(s) are points (no polygon) and are not counted: {', '.join(points)}. For "
        "the built-up share, sum a built-up raster (GHSL GHS-BUILT-S) per unit with gis.zonal.",
        "districts_pre2025; communes_2025",
        inputs.sources("urban_areas", "districts_pre2025", "communes_2025"),
    )


def _indicators(inputs: _Inputs) -> pd.DataFrame:
    targets = inputs.get("plan_targets")
    if targets is None:
        return _missing("Indicators vs targets", ["plan_targets"], inputs, "province")
    facts, code = inputs.get("facts"), inputs.profile.code
    prov = facts[(facts["scope"] == "province") & (facts["code"] == code)]
    urban = inputs.get("urban_areas")
    computed = {}
    if urban is not None:
        plan = urban[urban["source_document"] == PLAN_DOCUMENT]
        computed["urban_areas_classified_now"] = (
            float(plan["class_current"].notna().sum()),
            "",
            f"urban_areas: {PLAN_DOCUMENT} rows with a class_current",
        )
    rows = []
    for _, t in targets.iterrows():
        kind, _, key = str(t.get("current") or "").partition(":")
        value, year, source, source_type = np.nan, "", "", ""
        if kind == "facts":
            hit = _facts_latest(prov, "province", (key,))
            if len(hit):
                f = hit.iloc[0]
                value, year, source = f["value_num"], f["ref_year"], f"facts: {f['source_url']}"
                source_type = f["source_type"] if isinstance(f["source_type"], str) else ""
        elif kind == "computed" and key in computed:
            value, year, source = computed[key]
            source_type = "computed from the layers"
        target = pd.to_numeric(t["target_value"], errors="coerce")
        gap = target - value if pd.notna(target) and pd.notna(value) else np.nan
        if pd.isna(target):
            status = "missing target"
        elif pd.isna(value):
            status = "missing current value"
        else:
            op = {">=": np.greater_equal, ">": np.greater, "<=": np.less_equal, "<": np.less}
            status = "met" if op[t["comparison"]](value, target) else "not met"
        rows.append(
            {
                "indicator_id": t["indicator_id"],
                "indicator": t["indicator"],
                "scope": t["scope"],
                "unit": t["unit"],
                "target_year": t["target_year"],
                "comparison": t["comparison"],
                "target_value": target,
                "current_value": value,
                "current_ref_year": year,
                "gap": gap,
                "status": status,
                "target_status": t["status"],
                "target_source": t["source"],
                "current_source": source,
                "current_source_type": source_type,
            }
        )
    return _label(
        pd.DataFrame(rows),
        "Plan indicators vs targets",
        "target_value from the plan_targets layer (with its source and status: stated target, "
        "regional/national benchmark, or missing); current_value = latest province row of facts "
        "for the metric (current_source_type: the quality of that source as the facts table "
        "records it, e.g. an encyclopedia mirror), or computed from the layers; gap = target - "
        "current in the indicator's "
        "unit (percentage points for %). Missing targets and current values stay empty.",
        "province",
        inputs.sources("plan_targets", "facts", "urban_areas"),
    )


def compute_statistics(
    province: str | Profile | None = None, *, layers_dir: str | Path | None = None
) -> dict[str, pd.DataFrame]:
    """Compute every statistics table of a province from its layers.

    Parameters
    ----------
    province : str or Profile, optional
        Province profile (default :data:`gis.settings.PROVINCE`).
    layers_dir : str or Path, optional
        Root of the layer store (default :data:`gis.settings.LAYERS_DIR`).

    Returns
    -------
    dict of str to DataFrame
        Tables in report order: ``unit_areas``, ``crosswalk_population``, ``urban_system``,
        ``urbanisation``, ``urbanised_share``, ``corridor_coverage``, ``road_density``,
        ``rural_access_index``, ``catchments``, ``urban_classification``,
        ``indicators_vs_targets``. Each has ``attrs`` ``title``, ``definition``,
        ``unit_system`` and ``sources``; a table whose layer is absent holds one row saying
        "layer X missing".

    Examples
    --------
    >>> tables = compute_statistics("lai_chau")
    >>> area = tables["unit_areas"].query("unit_system == 'province'")["area_km2"].iloc[0]
    >>> abs(area - 9068.73) / 9068.73 < 0.01
    True
    """
    profile = (
        province if isinstance(province, Profile) else load_profile(province, layers_dir=layers_dir)
    )
    from gis._stats_coverage import _catchments, _corridor, _roads

    inputs = _Inputs(profile)
    density, rai = _roads(inputs)
    return {
        "unit_areas": _areas(inputs),
        "crosswalk_population": _crosswalk_population(inputs),
        "urban_system": _urban_system(inputs),
        "urbanisation": _urbanisation(inputs),
        "urbanised_share": _urbanised_share(inputs),
        "corridor_coverage": _corridor(inputs),
        "road_density": density,
        "rural_access_index": rai,
        "catchments": _catchments(inputs),
        "urban_classification": _classification(inputs),
        "indicators_vs_targets": _indicators(inputs),
    }
