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
from gis.profile import LAYER_ROLES, Profile
from gis.report import Sources
from gis.store import layer_meta, read_layer

__all__: list[str] = []

#: The two unit systems of the tables: (role of their layer, name in the ``unit_system`` column).
UNIT_SYSTEMS = (("districts", "districts_pre2025"), ("communes", "communes_2025"))


class Inputs:
    """Reads layers once by role, remembers which were read (with version) and which are missing.

    ``names``: role -> layer name, default the profile's roles (:attr:`Profile.roles`).
    """

    def __init__(self, profile: Profile, names: dict[str, str] | None = None) -> None:
        self.profile = profile
        self.names = profile.roles if names is None else names
        self.cache: dict[str, pd.DataFrame | None] = {}
        self.versions: dict[str, str] = {}
        self.touched: set[str] = set()  # layer names asked for (read or missing) since reset

    def get(self, role: str) -> pd.DataFrame | None:
        name = self.names[role]
        self.touched.add(name)
        if name not in self.cache:
            try:
                frame = read_layer(name, province=self.profile)
            except LayerNotFoundError:
                frame = None
            else:
                self.versions[name] = frame.attrs.get("version", "")[:12]
            self.cache[name] = frame
        return self.cache[name]

    def sources(self, *roles: str, extra: str = "") -> Sources:
        """The layers of ``roles`` with their version and provenance source, in English and
        in Vietnamese (``source_vi`` of the provenance, else the source as written)."""
        parts, parts_vi = [], []
        for role in roles:
            n = self.names[role]
            if self.get(role) is None:
                parts.append(f"{n} (missing)")
                parts_vi.append(f"`{n}` (thiếu)")
                continue
            prov = layer_meta(n, province=self.profile).get("provenance", {})
            source = prov.get("source", "")
            parts.append(f"{n} [{self.versions[n]}]: {source}".rstrip(": "))
            parts_vi.append(
                f"lớp `{n}` [{self.versions[n]}]: {prov.get('source_vi') or source}".rstrip(": ")
            )
        tail = [extra] if extra else []
        return Sources("; ".join(parts + tail), "; ".join(parts_vi + tail))


def table_label(df: pd.DataFrame, title: str, definition: str, unit_system: str, sources: str):
    df.attrs.update(title=title, definition=definition, unit_system=unit_system, sources=sources)
    return df


def missing_table(title: str, roles: list[str], inputs: Inputs, unit_system: str) -> pd.DataFrame:
    """A one-row table saying which of the layers of ``roles`` are missing."""
    gone = [inputs.names[r] for r in roles if inputs.get(r) is None]
    status = "; ".join(f"layer {n} missing" for n in gone)
    frame = pd.DataFrame({"status": [status]})
    return table_label(
        frame, title, f"Not computed: {status}.", unit_system, inputs.sources(*roles)
    )


#: The census population layer (default name of the role ``census``) and what the tables call it.
CENSUS_LAYER = LAYER_ROLES["census"]
CENSUS_DATE = "census 01/04/2019"
CENSUS_HINT = (
    f"layer {CENSUS_LAYER} missing: import the GSO 2019 census by commune with "
    "python tools/import_census.py <province> <census CSV>"
)
#: Unit layers whose population is a sum of whole census units (see :func:`unit_population`).
_NESTED = ("districts", "crosswalk", "communes")


def unit_population(inputs: Inputs, layer: str) -> pd.DataFrame:
    """Census counts per unit of the layer of role ``layer``, exact sums of whole census units
    (NaN: no census).

    ``districts``: the units of each district on the census date (the census's own
    district); ``crosswalk``: the units of the GSO list of 01/03/2025 (2020 merges
    summed); ``communes``: those again through the crosswalk. Columns ``code``, the
    :data:`gis.census.POPULATION_COLUMNS`, ``urban_pct``, ``n_census_units``, ``census_units``.
    """
    if layer not in _NESTED:
        raise LayerError(f"no exact census aggregation onto '{layer}'; use one of {_NESTED}.")
    units, census = inputs.get(layer), inputs.get("census")
    out = pd.DataFrame({"code": units["code"].astype(str)})
    if census is None:
        for c in (*POPULATION_COLUMNS, "urban_pct", "n_census_units"):
            out[c] = np.nan
        out["census_units"] = ""
        return out
    level = {"districts": "district", "crosswalk": "list"}.get(layer, "commune_2025")
    by = census_unit_to(census, level, inputs.get("crosswalk"))
    labelled = census.assign(label=census["type"] + " " + census["name"])  # "Xã Mường Tè"...
    counts = aggregate_population(labelled, by, name_column="label")
    return out.merge(counts, left_on="code", right_index=True, how="left")


def plan_urban_areas(inputs: Inputs) -> gpd.GeoDataFrame | None:
    """The urban areas of the plan's document (``[plan] document`` of the profile; every row when
    the profile names none), ``attrs["document"]`` saying which."""
    urban = inputs.get("urban_areas")
    if urban is None:
        return None
    document = inputs.profile.plan.document
    if document is None or "source_document" not in urban:
        out = urban.copy()
        out.attrs["document"] = "every source document"
    else:
        out = urban[urban["source_document"] == document].copy()
        out.attrs["document"] = document
    return out
