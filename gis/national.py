"""The whole country: 2019 census urbanisation of the 3,321 communes and 34 provinces of 2025.

Pure functions (no store access; :func:`gis.build.build_national` reads the layers and writes the
outputs):

* :func:`commune_indicators`: per 2025 commune, population, census urban share and density. A
  *per-unit* function (each row depends on its own commune only), so
  :func:`gis.scale.map_units` runs it over dask-geopandas partitions with the same result.
* :func:`province_table`: per 2025 province, the sums of its communes, the urban share against
  the > 50 % target of Resolution 06-NQ/TW for 2030 and against the national average, and the
  people of the census not placed in any commune (unmatched census units).
* :func:`class_counts`: communes per urban-share class, by province and for the country.

What the census urban share is: in the 2019 census a commune-level unit is wholly urban (phường,
thị trấn) or wholly rural (xã), so a 2025 commune's share tells what part of its 2019 people
lived in units that were urban then. It is the baseline the targets are planned against, not
the official urbanisation rate of recognised urban areas that Resolution 06 counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gis._frames import require_columns
from gis.census import POPULATION_COLUMNS

__all__ = [
    "URBAN_SHARE_CLASSES",
    "class_counts",
    "commune_indicators",
    "national_tables",
    "province_table",
    "urban_share_class",
]

#: Classes of the census urban share of a 2025 commune, % (label, lower bound, upper bound):
#: a 2025 commune made only of rural 2019 units, only of urban ones, or of both (split at the
#: 50 % of Resolution 06).
URBAN_SHARE_CLASSES = (
    ("0 %", 0.0, 0.0),
    ("> 0 – < 50 %", 0.0, 50.0),
    ("50 – < 100 %", 50.0, 100.0),
    ("100 %", 100.0, 100.0),
)
#: Columns of the population table carried to the indicators when present: the persons of
#: split old communes apportioned to the commune, and the method of its count.
EXTRA_COLUMNS = ("apportioned_persons", "population_method")
#: Label of communes without census population (no census unit matched to them).
NO_DATA = "no census data"


def urban_share_class(pct: pd.Series) -> pd.Series:
    """Class label (:data:`URBAN_SHARE_CLASSES`) of each urban share, % (NaN: :data:`NO_DATA`).

    Examples
    --------
    >>> urban_share_class(pd.Series([0.0, 12.5, 50.0, 100.0, np.nan])).tolist()
    ['0 %', '> 0 – < 50 %', '50 – < 100 %', '100 %', 'no census data']
    """
    values = pd.to_numeric(pct, errors="coerce").to_numpy(dtype=float)
    labels = [label for label, _, _ in URBAN_SHARE_CLASSES]
    conditions = [
        values == 0,
        (values > 0) & (values < 50),
        (values >= 50) & (values < 100),
        values == 100,
    ]
    return pd.Series(np.select(conditions, labels, NO_DATA), index=pct.index, dtype=object)


def commune_indicators(communes: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Population, census urban share and density of each commune.

    Parameters
    ----------
    communes : (Geo)DataFrame
        One row per commune with ``code`` and ``area_km2`` (measured in VN-2000 TM-3); other
        columns are kept. Not modified.
    population : DataFrame
        Census population by commune ``code`` (:data:`gis.census.POPULATION_COLUMNS`), e.g. from
        :func:`gis.census.population_by_2025_commune`. Communes absent from it get NaN.

    Returns
    -------
    (Geo)DataFrame
        ``communes`` with the population columns, ``urban_pct`` (% of persons in units urban in
        2019), ``density_persons_per_km2`` and ``urban_share_class``; same index and order.

    Examples
    --------
    >>> communes = pd.DataFrame({"code": ["1", "2"], "area_km2": [10.0, 4.0]})
    >>> pop = pd.DataFrame({"code": ["1"], "population_persons": [500],
    ...                     "population_urban_persons": [100], "population_rural_persons": [400]})
    >>> commune_indicators(communes, pop)[["urban_pct", "density_persons_per_km2"]].to_dict("list")
    {'urban_pct': [20.0, nan], 'density_persons_per_km2': [50.0, nan]}
    """
    require_columns(communes, ["code", "area_km2"], name="communes")
    require_columns(population, ["code", *POPULATION_COLUMNS], name="population")
    extra = [c for c in EXTRA_COLUMNS if c in population.columns]
    pop = population.set_index("code")[[*POPULATION_COLUMNS, *extra]]
    out = communes.copy()
    for col in POPULATION_COLUMNS:
        out[col] = out["code"].map(pop[col]).astype("Int64")
    for col in extra:  # how each count was obtained (gis.census.population_by_2025_commune)
        out[col] = out["code"].map(pop[col])
    total = out["population_persons"].astype(float)
    urban = out["population_urban_persons"].astype(float)
    out["urban_pct"] = (100.0 * urban / total.where(total > 0)).astype(float)
    area = out["area_km2"].astype(float)
    out["density_persons_per_km2"] = (total / area.where(area > 0)).astype(float)
    out["urban_share_class"] = urban_share_class(out["urban_pct"])
    return out


def _pct(num: pd.Series, den: pd.Series) -> pd.Series:
    return 100.0 * num.astype(float) / den.astype(float).where(den > 0)


def province_table(
    indicators: pd.DataFrame,
    provinces: pd.DataFrame,
    *,
    target_pct: float,
) -> pd.DataFrame:
    """One row per 2025 province: its communes summed, against the national target and average.

    Parameters
    ----------
    indicators : DataFrame
        :func:`commune_indicators` output (``province_code``, ``area_km2``, population columns).
    provinces : DataFrame
        The 2025 provinces with ``code``, ``name`` and the census totals re-aggregated to them
        (``population_persons``, ``population_urban_persons``): what the communes should sum to.
    target_pct : float
        The national urbanisation target, % (``> 50`` for 2030 in Resolution 06-NQ/TW).

    Returns
    -------
    DataFrame
        ``code``, ``name``, ``communes``, ``communes_without_population``, ``area_km2``, the
        population columns (sums of the communes), ``census_persons`` (the province total of the
        census) and ``unplaced_persons`` (census people not placed in any commune: unmatched
        units), ``urban_pct``, ``density_persons_per_km2``, ``national_urban_pct``,
        ``diff_from_national_pct_points``, ``target_2030_pct`` and
        ``gap_to_target_2030_pct_points`` (what is still to go; negative: above the target), as
        in the province's own table ``national_urbanisation``. A last row ``VN`` totals the
        country.
    """
    require_columns(
        indicators, ["province_code", "area_km2", *POPULATION_COLUMNS], name="indicators"
    )
    require_columns(
        provinces,
        ["code", "name", "population_persons", "population_urban_persons"],
        name="provinces",
    )
    frame = pd.DataFrame(indicators.drop(columns="geometry", errors="ignore"))
    frame["no_population"] = frame["population_persons"].isna()
    sums = frame.groupby("province_code").agg(
        communes=("province_code", "size"),
        communes_without_population=("no_population", "sum"),
        area_km2=("area_km2", "sum"),
        **{c: (c, lambda s: s.sum(min_count=1)) for c in POPULATION_COLUMNS},
    )
    table = pd.DataFrame(provinces[["code", "name"]]).merge(
        sums, left_on="code", right_index=True, how="left"
    )
    table["census_persons"] = provinces["population_persons"].to_numpy()
    country = {
        "code": "VN",
        "name": "Toàn quốc",
        "communes": int(table["communes"].sum()),
        "communes_without_population": int(table["communes_without_population"].sum()),
        "area_km2": float(table["area_km2"].sum()),
        **{c: table[c].sum() for c in POPULATION_COLUMNS},
        "census_persons": table["census_persons"].sum(),
    }
    table = pd.concat([table, pd.DataFrame([country])], ignore_index=True)
    for col in (*POPULATION_COLUMNS, "census_persons", "communes", "communes_without_population"):
        table[col] = table[col].astype("Int64")
    table["unplaced_persons"] = table["census_persons"] - table["population_persons"]
    table["urban_pct"] = _pct(table["population_urban_persons"], table["population_persons"])
    table["density_persons_per_km2"] = table["population_persons"].astype(float) / table[
        "area_km2"
    ].where(table["area_km2"] > 0)
    national = float(table["urban_pct"].iloc[-1])
    table["national_urban_pct"] = national
    table["diff_from_national_pct_points"] = table["urban_pct"] - national
    table["target_2030_pct"] = float(target_pct)
    table["gap_to_target_2030_pct_points"] = float(target_pct) - table["urban_pct"]
    return table


def class_counts(indicators: pd.DataFrame) -> pd.DataFrame:
    """Communes per urban-share class (columns, in :data:`URBAN_SHARE_CLASSES` order then
    :data:`NO_DATA`), one row per province code and a last row ``VN`` for the country."""
    require_columns(indicators, ["province_code", "urban_share_class"], name="indicators")
    order = [label for label, _, _ in URBAN_SHARE_CLASSES] + [NO_DATA]
    table = pd.crosstab(indicators["province_code"], indicators["urban_share_class"])
    table = table.reindex(columns=order, fill_value=0)
    table.loc["VN"] = table.sum()
    table.index.name = "province_code"
    table.columns.name = None
    return table.reset_index()


#: Columns of the commune table, in order (the population method comes from the census step).
COMMUNE_COLUMNS = (
    "code",
    "name",
    "type",
    "province_code",
    "province_name",
    "area_km2",
    *POPULATION_COLUMNS,
    "urban_pct",
    "density_persons_per_km2",
    "urban_share_class",
    *EXTRA_COLUMNS,
)
UNIT_SYSTEM = "communes from 1 July 2025 (3,321) and provinces from 1 July 2025 (34)"
_DEFINITION = (
    "Census urban share: persons counted on 01/04/2019 in units that were urban then (phường, "
    "thị trấn) over all persons, summed to the communes of 2025 through the crosswalk; density: "
    "persons per km² of area measured in VN-2000 TM-3. The baseline of the targets, not the "
    "official urbanisation rate of recognised urban areas."
)


def national_tables(
    indicators: pd.DataFrame, provinces: pd.DataFrame, *, target_pct: float, sources: str
) -> dict[str, pd.DataFrame]:
    """The three national tables, labelled for :func:`gis.report.write_statistics`:
    ``national_communes``, ``national_provinces`` and ``national_urban_classes``."""
    keep = [c for c in COMMUNE_COLUMNS if c in indicators.columns]
    communes = pd.DataFrame(indicators[keep]).reset_index(drop=True)
    by_province = province_table(indicators, provinces, target_pct=target_pct)
    classes = class_counts(indicators)
    national = float(by_province["urban_pct"].iloc[-1])
    above = by_province.iloc[:-1]
    n_above = int((above["urban_pct"] > target_pct).sum())
    tables = {
        "national_communes": (
            communes,
            "Census urban share and density of every commune of 2025",
            _DEFINITION,
        ),
        "national_provinces": (
            by_province,
            f"Census urban share of the 34 provinces of 2025 against the > {target_pct:g} % "
            "target of 2030 and the national average",
            f"{_DEFINITION} National average {national:.2f} %; {n_above} of {len(above)} "
            f"provinces above {target_pct:g} %. unplaced_persons: census people in units not "
            "matched to the 2025 list (see census_2019_unmatched).",
        ),
        "national_urban_classes": (
            classes,
            "Communes of 2025 by census urban share class",
            "Number of communes per class of census urban share: 0 % (only units rural in 2019), "
            "100 % (only urban ones), or mixed, split at 50 %.",
        ),
    }
    for frame, title, definition in tables.values():
        frame.attrs.update(
            title=title, definition=definition, unit_system=UNIT_SYSTEM, sources=sources
        )
    return {name: frame for name, (frame, _, _) in tables.items()}
