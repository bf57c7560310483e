"""Shared pieces of the statistics tables: the layer reader, labels, census sums.

Private: :mod:`gis.stats` (the public entry point) and its table modules
(:mod:`gis._stats_coverage`, :mod:`gis._stats_national`) import from here, so none of them
imports another.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from gis.census import POPULATION_COLUMNS, aggregate_population, census_unit_to
from gis.errors import LayerError, LayerNotFoundError
from gis.profile import Profile
from gis.store import layer_meta, read_layer

__all__: list[str] = []

#: Corridor and catchment distances (metres).
DISTANCES_M = (5000.0, 10000.0, 20000.0)
#: The urban-area version scored and counted (``source_document`` of the ``urban_areas`` layer).
PLAN_DOCUMENT = "Decision 1585/QĐ-TTg (2023)"


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


#: The census population layer and what the tables call it.
CENSUS_LAYER = "population_census_2019"
CENSUS_DATE = "census 01/04/2019"
_CENSUS_HINT = (
    f"layer {CENSUS_LAYER} missing: import the GSO 2019 census by commune with "
    "python tools/import_census.py <province> <census CSV>"
)
#: Unit layers whose population is a sum of whole census units (see :func:`_unit_population`).
_NESTED = ("districts_pre2025", "commune_crosswalk", "communes_2025")


def _unit_population(inputs: _Inputs, layer: str) -> pd.DataFrame:
    """Census counts per unit of ``layer``, exact sums of whole census units (NaN: no census).

    ``districts_pre2025``: the units of each district on the census date (the census's own
    district); ``commune_crosswalk``: the units of the GSO list of 01/03/2025 (2020 merges
    summed); ``communes_2025``: those again through the crosswalk. Columns ``code``, the
    :data:`gis.census.POPULATION_COLUMNS`, ``urban_pct``, ``n_census_units``, ``census_units``.
    """
    if layer not in _NESTED:
        raise LayerError(f"no exact census aggregation onto '{layer}'; use one of {_NESTED}.")
    units, census = inputs.get(layer), inputs.get(CENSUS_LAYER)
    out = pd.DataFrame({"code": units["code"].astype(str)})
    if census is None:
        for c in (*POPULATION_COLUMNS, "urban_pct", "n_census_units"):
            out[c] = np.nan
        out["census_units"] = ""
        return out
    level = {"districts_pre2025": "district", "commune_crosswalk": "list"}.get(
        layer, "commune_2025"
    )
    by = census_unit_to(census, level, inputs.get("commune_crosswalk"))
    labelled = census.assign(label=census["type"] + " " + census["name"])  # "Xã Mường Tè"...
    counts = aggregate_population(labelled, by, name_column="label")
    return out.merge(counts, left_on="code", right_index=True, how="left")


def _plan_urban_areas(inputs: _Inputs) -> gpd.GeoDataFrame | None:
    urban = inputs.get("urban_areas")
    if urban is None:
        return None
    return urban[urban["source_document"] == PLAN_DOCUMENT].copy()
