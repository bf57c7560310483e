"""Census population by commune: match census units to a unit list, aggregate them exactly.

A census counts people by the commune-level units (xã, phường, thị trấn) in force on its
reference date; the unit lists used for planning are later (the GSO list of 01/03/2025 and,
through the crosswalk, the communes of 1 July 2025). Units merged between the two dates are
written as data, never as special cases in code:

* :func:`match_census_units` gives every census unit the code of the unit that holds it in a
  later list, by name within its district (exact, then with diacritics, case and spaces folded),
  or by a row of an *overrides* table (a merge, a transfer to another district, a spelling
  change, each with its source). Every census unit is matched exactly once, or the error lists
  the unmatched ones with their population.
* :func:`aggregate_population` sums the census counts over any grouping that nests (census units
  → districts of the census date; → units of the later list; → 2025 communes through the
  crosswalk). Sums of whole units are exact: no area weighting.

Pure functions: no store access (:mod:`gis.stats` reads the layers and calls them).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from gis._frames import require_columns
from gis.errors import LayerError
from gis.text import fold

__all__ = [
    "POPULATION_COLUMNS",
    "UNIT_TYPES",
    "CensusMatchError",
    "aggregate_population",
    "census_unit_to",
    "match_census_names",
    "match_census_units",
    "name_key",
    "short_name",
]

#: Census counts, persons: total, urban (units of urban type on the census date), rural.
POPULATION_COLUMNS = ("population_persons", "population_urban_persons", "population_rural_persons")
#: Commune-level unit types and district-level prefixes, as written in the GSO lists.
UNIT_TYPES = ("Xã", "Phường", "Thị trấn", "Đặc khu")
_DISTRICT_TYPES = ("Huyện", "Thành phố", "Thị xã", "Quận")
_WORDS = "|".join(map(re.escape, UNIT_TYPES + _DISTRICT_TYPES))
_PREFIX = re.compile(rf"^({_WORDS})\s+", re.I)


class CensusMatchError(LayerError):
    """Census units could not each be matched to exactly one unit of the list."""


def short_name(name: object) -> str:
    """Drop the unit-type word: ``"Thị trấn Mường Tè"`` -> ``"Mường Tè"``, ``"Huyện Sìn Hồ"``
    -> ``"Sìn Hồ"``.

    Examples
    --------
    >>> short_name("Thành phố Lai Châu"), short_name("Xã Pa ủ")
    ('Lai Châu', 'Pa ủ')
    """
    return _PREFIX.sub("", str(name).strip())


def _key(district: object, unit_type: object, name: object, *, spaces: bool) -> tuple:
    def f(text: object) -> str:
        out = fold(short_name(text))
        return out if spaces else out.replace(" ", "")

    return f(district), fold(str(unit_type)), f(name)


def match_census_units(
    census: pd.DataFrame,
    units: pd.DataFrame,
    *,
    overrides: pd.DataFrame | None = None,
    census_columns: tuple[str, str, str] = ("district_2019", "type", "name"),
    unit_columns: tuple[str, str, str, str] = ("district_name", "type", "name", "code"),
) -> pd.DataFrame:
    """Give each census unit the code of the unit that holds it in a later unit list.

    Parameters
    ----------
    census : DataFrame
        One row per census unit; ``census_columns`` name its district, unit type and name.
    units : DataFrame
        The later unit list (e.g. the ``commune_crosswalk`` layer: GSO list of 01/03/2025);
        ``unit_columns`` name its district, type, name and code. Type words in names
        (``"Xã Nậm Loỏng"``, ``"Huyện Mường Tè"``) are ignored.
    overrides : DataFrame, optional
        Changes between the two dates, one row per census unit they concern: the census
        unit's district, type and name (same columns as ``census``), ``code`` (the unit that
        holds it now), ``reason`` and ``source``. An override wins over a name match (a unit
        moved to another district keeps its name).
    census_columns, unit_columns : tuple of str
        Column names, as described above.

    Returns
    -------
    DataFrame
        Copy of ``census`` with ``code``, ``match_method`` (``override``, ``name`` or ``folded
        name``) and ``match_source`` (the override's reason and source, or the unit matched).

    Raises
    ------
    CensusMatchError
        If a census unit matches no unit or two units, if an override names a census unit
        that does not exist or a code that is not in the list, or if a unit of the list
        receives no census unit (its population would be missing). The message lists them,
        with populations, and says how to fix it.

    Examples
    --------
    >>> census = pd.DataFrame({"district_2019": ["Lai Châu", "Mường Tè"], "type": ["Xã", "Xã"],
    ...                        "name": ["Nậm Loỏng", "Paủ"]})
    >>> units = pd.DataFrame({"district_name": ["Thành phố Lai Châu", "Huyện Mường Tè"],
    ...                       "type": ["Xã", "Xã"], "name": ["Xã Sùng Phài", "Xã Pa ủ"],
    ...                       "code": ["03403", "03442"]})
    >>> merges = pd.DataFrame({"district_2019": ["Lai Châu"], "type": ["Xã"],
    ...                        "name": ["Nậm Loỏng"], "code": ["03403"],
    ...                        "reason": ["merged into Sùng Phài (2020)"], "source": ["NQ"]})
    >>> match_census_units(census, units, overrides=merges)[["name", "code", "match_method"]]
            name   code match_method
    0  Nậm Loỏng  03403     override
    1        Paủ  03442  folded name
    """
    cd, ct, cn = census_columns
    ud, ut, un, uc = unit_columns
    require_columns(census, [cd, ct, cn], name="census")
    require_columns(units, [ud, ut, un, uc], name="units")
    codes = units[uc].astype(str)
    out = census.copy()
    out["code"] = pd.Series([None] * len(out), index=out.index, dtype=object)
    out["match_method"] = ""
    out["match_source"] = ""
    census_keys = [
        _key(d, t, n, spaces=True) for d, t, n in zip(out[cd], out[ct], out[cn], strict=True)
    ]
    problems: list[str] = []
    if overrides is not None and len(overrides):
        require_columns(overrides, [cd, ct, cn, "code", "reason", "source"], name="overrides")
        position = {k: i for i, k in enumerate(census_keys)}
        for _, o in overrides.iterrows():
            k = _key(o[cd], o[ct], o[cn], spaces=True)
            label = f"{o[ct]} {o[cn]} ({o[cd]})"
            if k not in position:
                problems.append(f"override names {label}, which is not a census unit")
            elif str(o["code"]) not in set(codes):
                problems.append(f"override of {label} gives code {o['code']}, not in the unit list")
            else:
                i = out.index[position[k]]
                out.at[i, "code"] = str(o["code"])
                out.at[i, "match_method"] = "override"
                out.at[i, "match_source"] = f"{o['reason']} ({o['source']})"
    for method, spaces in (("name", True), ("folded name", False)):
        index: dict[tuple, list[int]] = {}
        for j, k in enumerate(
            _key(d, t, n, spaces=spaces)
            for d, t, n in zip(units[ud], units[ut], units[un], strict=True)
        ):
            index.setdefault(k, []).append(j)
        for i, (d, t, n) in zip(
            out.index, zip(out[cd], out[ct], out[cn], strict=True), strict=True
        ):
            if out.at[i, "code"] is not None:
                continue
            hits = index.get(_key(d, t, n, spaces=spaces), [])
            if len(hits) == 1:
                j = hits[0]
                out.at[i, "code"] = codes.iloc[j]
                out.at[i, "match_method"] = method
                out.at[i, "match_source"] = f"{units[un].iloc[j]} ({short_name(units[ud].iloc[j])})"
            elif len(hits) > 1:
                both = ", ".join(f"{codes.iloc[j]} {units[un].iloc[j]}" for j in hits)
                problems.append(f"{t} {n} ({d}) matches {len(hits)} units: {both}")
    unmatched = out[out["code"].isna()]
    pop = "population_persons" if "population_persons" in out.columns else None
    for _, r in unmatched.iterrows():
        people = f", {int(r[pop]):,} people" if pop and pd.notna(r[pop]) else ""
        problems.append(f"no unit for census unit {r[ct]} {r[cn]} ({r[cd]}{people})")
    empty = sorted(set(codes) - set(out["code"].dropna()))
    for code in empty:
        row = units[codes == code].iloc[0]
        problems.append(f"unit {code} {row[un]} ({short_name(row[ud])}) receives no census unit")
    if problems:
        raise CensusMatchError(
            f"{len(problems)} census matching problem(s):\n  - "
            + "\n  - ".join(problems)
            + "\nA unit merged, moved or renamed between the census and the unit list needs a "
            "row in the overrides table (census district, type, name -> code, with the reason "
            "and its source, e.g. the Standing Committee resolution of the merge)."
        )
    return out


def name_key(text: object) -> str:
    """Matching key of a unit name: type word dropped, then case, diacritics, spaces and
    punctuation folded.

    Examples
    --------
    >>> name_key("Xã Nậm Loỏng"), name_key("NậmLoỏng"), name_key("Huyện Ea H'Leo")
    ('namloong', 'namloong', 'eahleo')
    """
    return re.sub(r"[^0-9a-z]", "", fold(short_name(text)))


#: Passes of :func:`match_census_names`: (method, compare district?, compare type?).
_NAME_PASSES = (
    ("folded name", True, True),
    ("folded name, type changed", True, False),
    ("folded name, district changed", False, True),
    ("folded name, district and type changed", False, False),
)


def match_census_names(
    census: pd.DataFrame,
    units: pd.DataFrame,
    *,
    census_columns: tuple[str, str, str] = ("district_2019", "type", "name"),
    unit_columns: tuple[str, str, str, str] = ("district_name", "type", "name", "code"),
) -> pd.DataFrame:
    """Match census units to a later unit list by name alone, leaving the doubtful unmatched.

    For a first look at a province that has no overrides table yet (``gis init``); where one
    exists, :func:`match_census_units` checks every unit. Names and districts are compared
    with their type word dropped and case, diacritics, spaces and punctuation folded, so the
    national census file's ``"HoànKiếm"`` matches ``"Quận Hoàn Kiếm"``. Four passes, each among
    the units of the list not matched yet and only where the match is one to one (one census
    unit and one unit of the list share the key):

    1. same district, type and name: ``match_method`` ``"folded name"``;
    2. same district and name, another type (a xã become phường or thị trấn):
       ``"folded name, type changed"``;
    3. same type and name in another district of the table (a unit moved with a district
       merger): ``"folded name, district changed"``;
    4. same name, other district and type: ``"folded name, district and type changed"``.

    Call it on one province at a time: passes 3 and 4 look across all the districts given.
    Units merged between the two dates (their name is gone from the list) stay unmatched.

    Returns
    -------
    DataFrame
        Copy of ``census`` with ``code`` (None where unmatched), ``match_method`` (empty where
        unmatched) and ``match_source`` (the unit matched, or why none was: no unit of that
        name, or the candidates when several share it).

    Examples
    --------
    >>> census = pd.DataFrame({"district_2019": ["TamĐường", "LaiChâu"], "type": ["Xã", "Xã"],
    ...                        "name": ["SùngPhài", "NậmLoỏng"]})
    >>> units = pd.DataFrame({"district_name": ["Thành phố Lai Châu"], "type": ["Xã"],
    ...                       "name": ["Xã Sùng Phài"], "code": ["03403"]})
    >>> match_census_names(census, units)[["name", "code", "match_method"]].values.tolist()
    [['SùngPhài', '03403', 'folded name, district changed'], ['NậmLoỏng', None, '']]
    """
    cd, ct, cn = census_columns
    ud, ut, un, uc = unit_columns
    require_columns(census, [cd, ct, cn], name="census")
    require_columns(units, [ud, ut, un, uc], name="units")
    out = census.copy()
    out["code"] = pd.Series([None] * len(out), index=out.index, dtype=object)
    out["match_method"] = ""
    out["match_source"] = "no unit of that name in the list"
    def keys(frame: pd.DataFrame, d: str, t: str, n: str) -> pd.DataFrame:
        return pd.DataFrame(
            {"d": frame[d].map(name_key), "t": frame[t].map(fold), "n": frame[n].map(name_key)},
            index=frame.index,
        )

    u = units.reset_index(drop=True)
    c_keys, u_keys = keys(out, cd, ct, cn), keys(u, ud, ut, un)
    free = pd.Series(True, index=u.index)
    for method, by_district, by_type in _NAME_PASSES:
        parts = ["n"] + (["d"] if by_district else []) + (["t"] if by_type else [])
        todo = out["code"].isna()
        c_key = c_keys.loc[todo, parts].apply(tuple, axis=1) if todo.any() else pd.Series()
        u_key = u_keys.loc[free, parts].apply(tuple, axis=1) if free.any() else pd.Series()
        c_count, u_count = c_key.value_counts(), u_key.value_counts()
        u_at = {k: i for i, k in u_key.items()}
        for i, k in c_key.items():
            n_units = int(u_count.get(k, 0))
            if n_units == 1 and c_count[k] == 1:
                j = u_at[k]
                out.at[i, "code"] = str(u.at[j, uc])
                out.at[i, "match_method"] = method
                out.at[i, "match_source"] = f"{u.at[j, un]} ({short_name(u.at[j, ud])})"
                free.at[j] = False
            elif n_units and method == "folded name":
                names = "; ".join(
                    f"{u.at[j, uc]} {u.at[j, un]}" for j in u_key.index[u_key == k]
                )
                out.at[i, "match_source"] = f"ambiguous: {names}"
    return out


def census_unit_to(
    census: pd.DataFrame, level: str, crosswalk: pd.DataFrame | None = None
) -> pd.Series:
    """Code of the unit of ``level`` each census unit lies in (whole units, never split).

    ``level``: ``"district"`` (the census's own district, ``district_code``), ``"list"`` (the
    unit of the GSO list of 01/03/2025, ``code``, 2020 merges included) or ``"commune_2025"``
    (that unit carried through ``crosswalk``, columns ``code`` and ``ward2025_code``). The
    statistics and the map popups both sum the census with it and
    :func:`aggregate_population`, so they cannot disagree.

    Raises
    ------
    LayerError
        For an unknown level, a missing crosswalk, or a crosswalk that splits an old unit
        across several 2025 communes (its people cannot be summed whole).
    """
    if level == "district":
        return census["district_code"]
    if level == "list":
        return census["code"]
    if level != "commune_2025":
        raise LayerError(
            f"unknown census level '{level}'; use 'district', 'list' or 'commune_2025'."
        )
    if crosswalk is None:
        raise LayerError("summing the census onto 2025 communes needs the commune_crosswalk.")
    split = sorted(set(crosswalk.loc[crosswalk["code"].duplicated(), "code"]))
    if split:
        raise LayerError(
            f"commune_crosswalk maps old unit(s) {split} to several 2025 communes: their "
            "population cannot be summed whole. Split it by area share (gis.crosswalk."
            "aggregate) or give one row per old unit."
        )
    return census["code"].map(dict(zip(crosswalk["code"], crosswalk["ward2025_code"], strict=True)))


def aggregate_population(
    census: pd.DataFrame,
    by: str | pd.Series,
    *,
    columns: tuple[str, ...] = POPULATION_COLUMNS,
    name_column: str | None = "name",
) -> pd.DataFrame:
    """Sum census counts of whole units per group (exact: the groups must nest the units).

    Parameters
    ----------
    census : DataFrame
        Census units with the count ``columns``.
    by : str or Series
        Column of ``census`` (or a Series aligned with it) holding each unit's group, e.g. its
        2019 district code, or its 2025 commune code mapped through the crosswalk. A unit whose
        group is missing raises: it would silently drop people.
    columns : tuple of str
        Count columns to sum (persons).
    name_column : str or None
        Column listed in ``census_units`` per group (``;``-joined), None for none.

    Returns
    -------
    DataFrame
        One row per group (index name ``group``): the summed ``columns`` (integers),
        ``urban_pct`` (100 x urban / total, where both count columns are present),
        ``n_census_units`` and ``census_units``.

    Raises
    ------
    LayerError
        If a unit has no group or a count column is missing or not a whole number.

    Examples
    --------
    >>> census = pd.DataFrame({"name": ["A", "B", "C"], "district": ["1", "1", "2"],
    ...                        "population_persons": [100, 50, 10],
    ...                        "population_urban_persons": [100, 0, 0],
    ...                        "population_rural_persons": [0, 50, 10]})
    >>> aggregate_population(census, "district")[["population_persons", "urban_pct"]]
           population_persons  urban_pct
    group
    1                     150  66.666667
    2                      10   0.000000
    """
    require_columns(census, list(columns), name="census")
    groups = census[by] if isinstance(by, str) else pd.Series(by, index=census.index)
    lost = groups.isna()
    if lost.any():
        names = census.loc[lost, name_column].tolist() if name_column else list(census.index[lost])
        raise LayerError(
            f"{int(lost.sum())} census unit(s) have no group and would be dropped: {names}. "
            "Every unit must map to a group (check the crosswalk or the district codes)."
        )
    counts = census[list(columns)].apply(pd.to_numeric, errors="coerce").fillna(0)
    if (counts % 1 != 0).to_numpy().any():
        raise LayerError(f"census counts {list(columns)} must be whole numbers of persons.")
    frame = counts.astype("int64").assign(group=groups.astype(str).to_numpy())
    out = frame.groupby("group", sort=True)[list(columns)].sum()
    if {"population_persons", "population_urban_persons"} <= set(columns):
        total = out["population_persons"].to_numpy(dtype=float)
        out["urban_pct"] = np.where(
            total > 0,
            100.0 * out["population_urban_persons"] / np.where(total > 0, total, 1),
            np.nan,
        )
    out["n_census_units"] = frame.groupby("group", sort=True).size()
    if name_column:
        names = census[name_column].astype(str).groupby(frame["group"].to_numpy(), sort=True)
        out["census_units"] = names.agg(lambda s: "; ".join(sorted(s)))
    return out
