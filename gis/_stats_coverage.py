"""Coverage tables of :mod:`gis.stats`: corridor coverage, road density, RAI proxy, catchments.

Private: :func:`gis.stats.compute_statistics` is the public entry point.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis._frames import M2_PER_KM2
from gis.coverage import (
    corridor_coverage,
    existing_roads,
    road_density,
    road_network_at,
    within_distance,
)
from gis.stats import (
    DISTANCES_M,
    PLAN_DOCUMENT,
    _district_population,
    _Inputs,
    _label,
    _missing,
    _plan_urban_areas,
)

__all__: list[str] = []

#: Horizons of the planned network reported next to the existing one in ``road_density``.
PLAN_HORIZONS = (2030, 2050)


def _units_with_region(inputs: _Inputs, layer: str) -> gpd.GeoDataFrame | None:
    units = inputs.get(layer)
    if layer == "districts_pre2025":
        units = units.merge(_district_population(inputs), on="code", how="left")
        return units
    assign = inputs.get("region_assignment_2025")
    if assign is None:
        return None
    return units.merge(assign[["code", "plan_region"]], on="code", how="left")


def _corridor(inputs: _Inputs) -> pd.DataFrame:
    axis = inputs.get("orientation_axis")
    need = ["orientation_axis", "urban_areas", "region_assignment_2025"]
    if axis is None:
        return _missing("Corridor coverage of the axis", need, inputs, "")
    frames = []
    urban = _plan_urban_areas(inputs)
    for layer in ("districts_pre2025", "communes_2025"):
        units = _units_with_region(inputs, layer)
        if units is None:
            frames.append(
                pd.DataFrame(
                    {"unit_system": [layer], "status": ["layer region_assignment_2025 missing"]}
                )
            )
            continue
        pop = "population_persons" if "population_persons" in units.columns else None
        res = corridor_coverage(units, axis, distances_m=DISTANCES_M, population_column=pop)
        res.insert(0, "unit_system", layer)
        if urban is not None:
            near = [
                urban.geometry.distance(shapely.union_all(axis.geometry.values)) <= d
                for d in DISTANCES_M
            ]
            for d, hit in zip(DISTANCES_M, near, strict=True):
                for region in res["plan_region"].unique():
                    in_region = urban["plan_region"] == region if region != "(all)" else True
                    sel = (res["plan_region"] == region) & (res["distance_m"] == d)
                    res.loc[sel, "n_urban_areas"] = int(
                        (urban["plan_region"] == region).sum() if region != "(all)" else len(urban)
                    )
                    res.loc[sel, "n_urban_areas_within"] = int((hit & in_region).sum())
        frames.append(res.drop(columns="definition"))
    out = pd.concat(frames, ignore_index=True)
    return _label(
        out,
        "Corridor coverage of the orientation axis, by region",
        "Straight-line buffers of distance_m around the axis lines (dissolved) intersected with "
        "each unit; area_within_km2 / area_km2 by plan_region and for the province ((all)); "
        "n_units_reached = units with some area within; population by areal weighting where "
        f"every unit of the group has one (else NaN); n_urban_areas_within = {PLAN_DOCUMENT} "
        "urban areas (core point or polygon) within distance_m. The axis is schematic (see "
        "its accuracy column).",
        "districts_pre2025; communes_2025",
        inputs.sources(*need, "districts_pre2025", "communes_2025", "facts"),
    )


def _roads(inputs: _Inputs) -> tuple[pd.DataFrame, pd.DataFrame]:
    roads = inputs.get("roads")
    if roads is None:
        return (
            _missing("Road density per unit", ["roads"], inputs, ""),
            _missing("Rural Access Index (area-based proxy)", ["roads"], inputs, ""),
        )
    existing = existing_roads(roads)
    frames = []
    for layer in ("districts_pre2025", "communes_2025"):
        units = _units_with_region(inputs, layer) if layer == "districts_pre2025" else None
        units = inputs.get(layer) if units is None else units
        pop = "population_persons" if "population_persons" in units.columns else None
        keep = ["code", "name", *([pop] if pop else []), "geometry"]
        res = road_density(units[keep], existing, population_column=pop)
        for year in PLAN_HORIZONS:
            res = road_density(res, road_network_at(roads, year), prefix=f"network_{year}")
        res.insert(0, "unit_system", layer)
        res["area_km2"] = res.geometry.area / M2_PER_KM2
        frames.append(pd.DataFrame(res.drop(columns="geometry")))
    planned = ", ".join(
        f"{r} ({s}, horizon {h})"
        for r, s, h in roads.loc[roads["status"] != "existing", ["road_ref", "status", "horizon"]]
        .itertuples(index=False)
    )
    density = _label(
        pd.concat(frames, ignore_index=True),
        "Road density per unit (existing roads)",
        "road_length_km = length of the EXISTING roads of the roads layer (status 'existing') "
        "inside each unit (lines dissolved and clipped), km; road_density_km_per_km2 = km / "
        "unit area km²; road_km_per_1000_people where the unit has a population. Planned network "
        "(separate columns, not today's roads): network_<year>_length_km and "
        "network_<year>_density_km_per_km2 count the existing roads plus the roads planned or "
        f"under construction with horizon <= year ({', '.join(map(str, PLAN_HORIZONS))}); "
        f"not existing: {planned or 'none'}. Roads are schematic lines through waypoints: "
        "lengths are underestimated on winding mountain roads.",
        "districts_pre2025; communes_2025",
        inputs.sources("roads", "districts_pre2025", "communes_2025", "facts"),
    )
    communes = inputs.get("communes_2025")
    rural = communes[communes["type"] == "Xã"][["code", "name", "type", "geometry"]]
    near = within_distance(rural, existing, distance_m=2000.0, prefix="road")
    out = pd.DataFrame(
        {
            "code": near["code"],
            "name": near["name"],
            "area_km2": near.geometry.area / M2_PER_KM2,
            "area_within_2km_km2": near["road_2000m_area_km2"],
            "area_within_2km_pct": near["road_2000m_pct"],
            "population_within_2km_persons": np.nan,
        }
    )
    total = pd.DataFrame(
        {
            "code": ["(all rural communes)"],
            "name": [""],
            "area_km2": [out["area_km2"].sum()],
            "area_within_2km_km2": [out["area_within_2km_km2"].sum()],
        }
    )
    total["area_within_2km_pct"] = 100.0 * total["area_within_2km_km2"] / total["area_km2"]
    out = pd.concat([out, total], ignore_index=True)
    out["method"] = "area-based proxy: population missing"
    rai = _label(
        out,
        "Rural Access Index (SDG 9.1.1) - area-based proxy",
        "The RAI is the share of the rural POPULATION within 2 km of an all-season road. No "
        "population is in the layers, so this table gives the share of the AREA of rural "
        "communes (type Xã) within 2 km of an EXISTING road of the roads layer (status "
        "'existing'; planned and under-construction roads are left out; all_season is unknown "
        "for every road, so all existing roads count); population_within_2km_persons is "
        "missing. Plug a "
        "population raster into gis.coverage.rural_access_index for the real index.",
        "communes_2025",
        inputs.sources("roads", "communes_2025"),
    )
    return density, rai


def _catchments(inputs: _Inputs) -> pd.DataFrame:
    urban, fac = _plan_urban_areas(inputs), inputs.get("facilities")
    need = ["urban_areas", "facilities"]
    if urban is None or fac is None:
        return _missing("Straight-line catchments", need, inputs, "communes_2025")
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
    communes, province = inputs.get("communes_2025"), inputs.get("province")
    outline = shapely.union_all(province.geometry.values)
    tree = shapely.STRtree(communes.geometry.values)
    rows = []
    for _, o in origins.iterrows():
        for d in DISTANCES_M:
            disc = shapely.buffer(o["geometry"], d, quad_segs=16)
            hit = tree.query(o["geometry"], predicate="dwithin", distance=d)
            rows.append(
                {
                    "origin": o["origin"],
                    "origin_kind": o["origin_kind"],
                    "distance_m": d,
                    "area_within_km2": shapely.area(shapely.intersection(disc, outline))
                    / M2_PER_KM2,
                    "n_communes_reached": len(hit),
                    "communes_reached": ";".join(sorted(communes["code"].iloc[hit])),
                    "population_within_persons": np.nan,
                }
            )
    return _label(
        pd.DataFrame(rows),
        "Straight-line catchments of urban areas and border gates",
        f"For each {PLAN_DOCUMENT} urban area (its core point; a representative point of a core "
        "polygon) and each border gate: area of the province outline within distance_m "
        "(straight line), and the 2025 communes with some part within distance_m. Population "
        "within is missing (no population in the layers). Network distances (not in this "
        "table): gis.coverage.network_distance_catchment on the existing roads "
        "(gis.coverage.existing_roads: the baseline; planned roads are not yet travelled).",
        "communes_2025",
        inputs.sources("urban_areas", "facilities", "communes_2025", "province"),
    )
