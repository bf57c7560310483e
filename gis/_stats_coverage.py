"""Coverage tables of :mod:`gis.stats`: corridor coverage, road density, RAI proxy, catchments.

Private: :func:`gis.stats.compute_statistics` is the public entry point.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis._frames import M2_PER_KM2
from gis._overlay import intersection_measure
from gis._stats_base import (
    CENSUS_DATE,
    CENSUS_HINT,
    UNIT_SYSTEMS,
    Inputs,
    missing_table,
    plan_urban_areas,
    table_label,
    unit_population,
)
from gis.coverage import (
    SCHEMATIC_VI,
    SURVEYED_ROADS_COMMANDS,
    corridor_coverage,
    existing_roads,
    road_density,
    road_network_at,
    roads_are_schematic,
    rural_access_index,
    schematic_roads,
)

__all__: list[str] = []

#: Horizons of the planned network reported next to the existing one in ``road_density``.
PLAN_HORIZONS = (2030, 2050)


#: How band and catchment populations are estimated, said in every table that uses it.
SURFACE_METHOD = (
    f"population: the {CENSUS_DATE} of each 2025 commune (exact sums of census units) spread "
    "evenly over the commune's area - the smallest units with both a population and a polygon; "
    "people cluster in valleys and towns, so a band's population is an estimate (a population "
    "raster, e.g. WorldPop 100 m, through gis.coverage, would refine it)"
)


def _with_population(inputs: Inputs, layer: str) -> gpd.GeoDataFrame:
    """Units of ``layer`` with their census counts (exact sums; NaN without a census)."""
    pop = unit_population(inputs, layer).drop(columns=["census_units"])
    return inputs.get(layer).merge(pop, on="code", how="left")


def _units_with_region(inputs: Inputs, layer: str) -> gpd.GeoDataFrame | None:
    units = _with_population(inputs, layer)
    if layer == "districts":
        return units
    assign = inputs.get("communes_regions")
    if assign is None:
        return None
    return units.merge(assign[["code", "plan_region"]], on="code", how="left")


def _people_in(surface: gpd.GeoDataFrame, zone: shapely.Geometry, column: str) -> float:
    """People of ``surface`` (communes with a population) inside ``zone``, by area share."""
    inside = intersection_measure(surface.geometry.values, zone, measure=shapely.area)
    share = inside / shapely.area(surface.geometry.values)
    return float(np.sum(pd.to_numeric(surface[column]).to_numpy(dtype=float) * share))


def corridor_table(inputs: Inputs) -> pd.DataFrame:
    axis = inputs.get("axis")
    need = ["axis", "urban_areas", "communes_regions"]
    if axis is None:
        return missing_table("Corridor coverage of the axis", need, inputs, "")
    frames = []
    urban = plan_urban_areas(inputs)
    document = urban.attrs["document"] if urban is not None else "every source document"
    distances_m = inputs.profile.plan.corridor_distances_m
    for role, system in UNIT_SYSTEMS:
        units = _units_with_region(inputs, role)
        if units is None:
            status = f"layer {inputs.names['communes_regions']} missing"
            frames.append(pd.DataFrame({"unit_system": [system], "status": [status]}))
            continue
        pop = "population_persons" if inputs.get("census") is not None else None
        res = corridor_coverage(units, axis, distances_m=distances_m, population_column=pop)
        res.insert(0, "unit_system", system)
        if pop and role == "districts":  # within: from the communes, not the districts
            surface = _with_population(inputs, "communes")
            lines = shapely.union_all(axis.geometry.values)
            for i, r in res.iterrows():
                group = (
                    units
                    if r["plan_region"] == "(all)"
                    else units[units["plan_region"] == r["plan_region"]]
                )
                band = shapely.buffer(lines, r["distance_m"], quad_segs=16)
                zone = shapely.intersection(band, shapely.union_all(group.geometry.values))
                res.loc[i, "population_within"] = _people_in(surface, zone, pop)
            res["population_within_pct"] = 100.0 * res["population_within"] / res["population"]
        if urban is not None:
            near = [
                urban.geometry.distance(shapely.union_all(axis.geometry.values)) <= d
                for d in distances_m
            ]
            for d, hit in zip(distances_m, near, strict=True):
                for region in res["plan_region"].unique():
                    in_region = urban["plan_region"] == region if region != "(all)" else True
                    sel = (res["plan_region"] == region) & (res["distance_m"] == d)
                    res.loc[sel, "n_urban_areas"] = int(
                        (urban["plan_region"] == region).sum() if region != "(all)" else len(urban)
                    )
                    res.loc[sel, "n_urban_areas_within"] = int((hit & in_region).sum())
        frames.append(res.drop(columns="definition"))
    out = _whole(
        pd.concat(frames, ignore_index=True),
        "population",
        "population_within",
        "n_urban_areas",
        "n_urban_areas_within",
    )
    out.attrs["labels_vi"] = {"plan_region": _region_names_vi(inputs)}
    return table_label(
        out,
        "Corridor coverage of the orientation axis, by region",
        "Straight-line buffers of distance_m around the axis lines (dissolved) intersected with "
        "each unit; area_within_km2 / area_km2 by plan_region and for the province ((all)); "
        "n_units_reached = units with some area within; population = census total of the "
        f"group's units (exact); population_within: {SURFACE_METHOD}, for both unit systems "
        f"(not from district totals). n_urban_areas_within = {document} urban areas (core "
        "point or polygon) within distance_m. The axis is schematic (see its accuracy column)."
        + ("" if inputs.get("census") is not None else f" Population missing: {CENSUS_HINT}."),
        "districts_pre2025; communes_2025",
        inputs.sources(*need, "districts", "communes", "census"),
    )


def _region_names_vi(inputs: Inputs) -> dict[str, str]:
    """Vietnamese names of the plan regions, as the region layers give them (``plan_region_vi``)."""
    names: dict[str, str] = {}
    for role in ("regions", "regions_2025"):
        regions = inputs.get(role)
        if regions is not None and "plan_region_vi" in regions.columns:
            names.update(zip(regions["plan_region"], regions["plan_region_vi"], strict=True))
    return names


def _whole(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Round people and counts to whole numbers (an estimate of people has no decimals)."""
    for c in columns:
        if c in frame.columns:
            frame[c] = pd.to_numeric(frame[c], errors="coerce").round().astype("Int64")
    return frame


def _schematic_note(existing: pd.DataFrame) -> tuple[str, str]:
    """Title tag and definition sentence saying how many existing roads are schematic.

    The tag is empty unless :func:`gis.coverage.roads_are_schematic` (most of them are).
    """
    n, total = int(schematic_roads(existing).sum()), len(existing)
    if not n:
        return "", f"None of the {total} existing roads is schematic (accuracy column)."
    fix = (
        f"Fix: import surveyed roads ({SURVEYED_ROADS_COMMANDS[0]}, then "
        f"{SURVEYED_ROADS_COMMANDS[1]}) or edit the roads layer."
    )
    sketch = roads_are_schematic(existing)
    return (
        f"{SCHEMATIC_VI} / schematic, not measured" if sketch else "",
        f"{n} of the {total} existing roads are schematic (accuracy 'schematic...': straight "
        "lines through waypoints, not surveyed alignments): a line can be kilometres off the "
        "road, and lengths are underestimated on winding mountain roads"
        + (
            f"; with schematic roads ({SCHEMATIC_VI}) the figures are a sketch, not a measurement. "
            if sketch
            else ". "
        )
        + fix,
    )


def roads_tables(inputs: Inputs) -> tuple[pd.DataFrame, pd.DataFrame]:
    roads = inputs.get("roads")
    if roads is None:
        return (
            missing_table("Road density per unit", ["roads"], inputs, ""),
            missing_table("Rural Access Index (area-based proxy)", ["roads"], inputs, ""),
        )
    existing = existing_roads(roads)
    tag, schematic = _schematic_note(existing)
    frames = []
    for role, system in UNIT_SYSTEMS:
        units = _with_population(inputs, role)
        pop = "population_persons" if inputs.get("census") is not None else None
        keep = ["code", "name", *([pop] if pop else []), "geometry"]
        res = road_density(units[keep], existing, population_column=pop)
        for year in PLAN_HORIZONS:
            res = road_density(res, road_network_at(roads, year), prefix=f"network_{year}")
        res.insert(0, "unit_system", system)
        res["area_km2"] = res.geometry.area / M2_PER_KM2
        frames.append(pd.DataFrame(res.drop(columns="geometry")))
    planned = "; ".join(  # "; ": road names hold commas
        f"{r} ({s}, horizon {h})"
        for r, s, h in roads.loc[
            roads["status"] != "existing", ["road_ref", "status", "horizon"]
        ].itertuples(index=False)
    )
    density = table_label(
        pd.concat(frames, ignore_index=True),
        f"Road density per unit (existing roads{'; ' + tag if tag else ''})",
        "road_length_km = length of the EXISTING roads of the roads layer (status 'existing') "
        "inside each unit (lines dissolved and clipped), km; road_density_km_per_km2 = km / "
        f"unit area km²; road_km_per_1000_people with the {CENSUS_DATE} population (exact sums "
        "of census units). Planned network "
        "(separate columns, not today's roads): network_<year>_length_km and "
        "network_<year>_density_km_per_km2 count the existing roads plus the roads planned or "
        f"under construction with horizon <= year ({', '.join(map(str, PLAN_HORIZONS))}); "
        f"not existing: {planned or 'none'}. {schematic}",
        "districts_pre2025; communes_2025",
        inputs.sources("roads", "districts", "communes", "census"),
    )
    communes = _with_population(inputs, "communes")
    has_pop = inputs.get("census") is not None
    res = rural_access_index(
        communes[["code", "name", "type", "population_rural_persons", "geometry"]],
        existing,
        population_column="population_rural_persons",
    )
    out = pd.DataFrame(
        {
            "code": res["code"],
            "name": res["name"],
            "type": res["type"],
            "rural_population_persons": res["rai_population"],
            "rural_population_within_2km_persons": res["rai_population_within"],
            "rai_proxy_pct": res["rai_pct"],
        }
    )
    summary = res.attrs["summary"]
    total = pd.DataFrame(
        {
            "code": [inputs.profile.code],
            "name": [inputs.profile.name],
            "type": [""],
            "rural_population_persons": [summary["rural_population"]],
            "rural_population_within_2km_persons": [summary["rural_population_within"]],
            "rai_proxy_pct": [summary["rai_pct"]],
        }
    )
    out = _whole(
        pd.concat([out, total], ignore_index=True),
        "rural_population_persons",
        "rural_population_within_2km_persons",
    )
    n_schematic = int(schematic_roads(existing).sum())
    out["method"] = (
        f"proxy: existing roads ({n_schematic} of {len(existing)} schematic), all-season not "
        "used; census rural population spread over each commune"
        if has_pop
        else f"missing population: {CENSUS_HINT}"
    )
    season = int(existing["all_season"].isna().sum()) if "all_season" in existing else len(existing)
    rai = table_label(
        out,
        "Rural Access Index (SDG 9.1.1) - proxy" + (f" ({tag})" if tag else ""),
        "The RAI is the share of the rural population within 2 km of an all-season road. Here: "
        f"rural population = the {CENSUS_DATE} rural population (people outside phường and thị "
        "trấn on the census date) summed onto each 2025 commune through the crosswalk, spread "
        "evenly over the commune's area; within 2 km of an EXISTING road of the roads layer "
        "(status 'existing'; planned and under-construction roads left out). It is a PROXY: "
        f"all_season is not used (unknown for {season} of the {len(existing)} existing roads), "
        "so all existing roads count; people live near roads in valleys, so even spreading "
        f"understates access. {schematic} A surveyed road layer with an all-season flag and a "
        "population raster (gis.coverage.rural_access_index) give the real index.",
        "communes_2025",
        inputs.sources("roads", "communes", "census"),
    )
    return density, rai


def catchments_table(inputs: Inputs) -> pd.DataFrame:
    urban, fac = plan_urban_areas(inputs), inputs.get("facilities")
    need = ["urban_areas", "facilities"]
    if urban is None or fac is None:
        return missing_table("Straight-line catchments", need, inputs, "communes_2025")
    gates = fac[fac["kind"] == "border_gate"]
    origins = pd.concat(
        [
            pd.DataFrame(
                {
                    "origin": urban["urban_area"],
                    "origin_kind": "urban area",
                    "geometry": urban.geometry.representative_point(),
                }
            ),
            pd.DataFrame(
                {"origin": gates["name"], "origin_kind": "border gate", "geometry": gates.geometry}
            ),
        ],
        ignore_index=True,
    )
    communes, province = _with_population(inputs, "communes"), inputs.get("province")
    has_pop = inputs.get("census") is not None
    outline = shapely.union_all(province.geometry.values)
    tree = shapely.STRtree(communes.geometry.values)
    labels = (communes["code"] + " " + communes["name"]).to_numpy()
    rows = []
    for _, o in origins.iterrows():
        for d in inputs.profile.plan.corridor_distances_m:
            disc = shapely.intersection(shapely.buffer(o["geometry"], d, quad_segs=16), outline)
            hit = tree.query(o["geometry"], predicate="dwithin", distance=d)
            rows.append(
                {
                    "origin": o["origin"],
                    "origin_kind": o["origin_kind"],
                    "distance_m": d,
                    "area_within_km2": shapely.area(disc) / M2_PER_KM2,
                    "population_within_persons": _people_in(communes, disc, "population_persons")
                    if has_pop
                    else np.nan,
                    "n_communes_reached": len(hit),
                    "communes_reached": "; ".join(sorted(labels[hit])),
                }
            )
    out = _whole(pd.DataFrame(rows), "population_within_persons", "distance_m")
    return table_label(
        out,
        "Straight-line catchments of urban areas and border gates",
        f"For each {urban.attrs['document']} urban area (its core point; a representative point "
        "of a core polygon) and each border gate: area of the province outline within distance_m "
        "(straight line), population within it ("
        + (SURFACE_METHOD if has_pop else f"missing: {CENSUS_HINT}")
        + "), and the 2025 communes (code and name) with some part "
        "within distance_m. Network distances (not in this table): "
        "gis.coverage.network_distance_catchment on the existing roads "
        "(gis.coverage.existing_roads: the baseline; planned roads are not yet travelled).",
        "communes_2025",
        inputs.sources("urban_areas", "facilities", "communes", "province", "census"),
    )
