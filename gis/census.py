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
    "CrosswalkDecisionError",
    "aggregate_population",
    "apply_crosswalk_decisions",
    "census_unit_to",
    "match_census_names",
    "match_census_units",
    "name_key",
    "population_by_2025_commune",
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


class CrosswalkDecisionError(LayerError):
    """A decision on a crosswalk row, or an overlap share, does not fit the crosswalk."""


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
                names = "; ".join(f"{u.at[j, uc]} {u.at[j, un]}" for j in u_key.index[u_key == k])
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
    >>> table = aggregate_population(census, "district")
    >>> table[["population_persons", "urban_pct"]]  # doctest: +NORMALIZE_WHITESPACE
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


# --- 2019 census on the communes of 1 July 2025 ----------------------------------------------

#: Columns of the national crosswalk (``commune_crosswalk_2025``) used here.
_XW = ("old_code", "new_code")
_DECIDED = ("old_code", "new_code", "decided_new_code")


def apply_crosswalk_decisions(crosswalk: pd.DataFrame, decisions: pd.DataFrame) -> pd.DataFrame:
    """Replace the 2025 commune of crosswalk rows by the decided one, row by row.

    Parameters
    ----------
    crosswalk : DataFrame
        One row per (old commune, new commune) pair: ``old_code``, ``new_code``, optionally
        ``old_part`` and ``n_new``.
    decisions : DataFrame
        ``old_code``, ``new_code`` (as given in the crosswalk), ``decided_new_code``; other
        columns (``decision``, ``reason``, ``source``) are carried over as ``decision_reason``.

    Returns
    -------
    DataFrame
        Copy of ``crosswalk`` with ``new_code`` replaced; rows of one old commune that now name
        the same new commune are merged into one; ``n_new`` and ``old_part`` (``full`` /
        ``partial``) are recomputed; ``decision_reason`` is filled on the decided rows.
        Other columns of a replaced row (e.g. ``new_name``) are taken from a row of the
        crosswalk that already names the decided commune, where there is one.

    Raises
    ------
    CrosswalkDecisionError
        If a decision names a pair that is not in the crosswalk, or a decided code that is no
        2025 commune of the crosswalk.

    Examples
    --------
    >>> xw = pd.DataFrame({"old_code": ["1", "1", "2"], "new_code": ["A", "B", "B"],
    ...                    "old_part": ["partial", "partial", "full"]})
    >>> d = pd.DataFrame({"old_code": ["1"], "new_code": ["A"], "decided_new_code": ["B"],
    ...                   "reason": ["A lies far from the old district"]})
    >>> apply_crosswalk_decisions(xw, d)[["old_code", "new_code", "old_part", "n_new"]]
      old_code new_code old_part  n_new
    0        1        B     full      1
    1        2        B     full      1
    """
    require_columns(crosswalk, list(_XW), name="crosswalk")
    require_columns(decisions, list(_DECIDED), name="decisions")
    out = crosswalk.copy()
    out["old_code"] = out["old_code"].astype(str)
    out["new_code"] = out["new_code"].astype(str)
    out["decision_reason"] = ""
    pairs = pd.Series(out.index, index=pd.MultiIndex.from_frame(out[list(_XW)]))
    new_codes = set(out["new_code"])
    problems = []
    for d in decisions.itertuples(index=False):
        key = (str(d.old_code), str(d.new_code))
        if key not in pairs.index:
            problems.append(f"decision on {key[0]} -> {key[1]}: no such crosswalk row")
            continue
        if str(d.decided_new_code) not in new_codes:
            problems.append(
                f"decision on {key[0]} -> {key[1]}: {d.decided_new_code} is no 2025 commune "
                "of the crosswalk"
            )
            continue
        i = pairs[key]
        i = i.iloc[0] if isinstance(i, pd.Series) else i
        decided = str(d.decided_new_code)
        if decided != key[1]:
            like = out[out["new_code"] == decided].iloc[0]
            for c in out.columns:
                if c.startswith("new_") or c in ("province_code", "province_name"):
                    out.at[i, c] = like[c]
        why = getattr(d, "reason", "")
        out.at[i, "decision_reason"] = f"{getattr(d, 'decision', 'decided')}: {why}"
    if problems:
        raise CrosswalkDecisionError(
            f"{len(problems)} crosswalk decision(s) do not fit the crosswalk:\n  - "
            + "\n  - ".join(problems)
            + "\nEach decision names a row as given (old_code, new_code) and a decided_new_code "
            "among the crosswalk's 2025 communes: check the codes against commune_crosswalk_2025."
        )
    reasons = out.groupby(list(_XW), sort=False)["decision_reason"].agg(
        lambda s: "; ".join(r for r in s if r)
    )
    out = out.drop_duplicates(list(_XW)).drop(columns="decision_reason")
    out = out.join(reasons, on=list(_XW)).reset_index(drop=True)
    out["n_new"] = out.groupby("old_code")["new_code"].transform("size")
    out["old_part"] = np.where(out["n_new"] > 1, "partial", "full")
    return out


def _apportion(total: np.ndarray, shares: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Integer parts of ``total`` (one value per row, repeated within a group) by ``shares``,
    largest remainder within each group, so each group's parts sum to its total exactly."""
    raw = total * shares
    base = np.floor(raw).astype("int64")
    frame = pd.DataFrame({"g": groups, "rest": raw - base, "base": base, "total": total})
    missing = (
        frame.groupby("g")["total"].transform("first") - frame.groupby("g")["base"].transform("sum")
    ).to_numpy()
    rank = frame.groupby("g")["rest"].rank(method="first", ascending=False).to_numpy()
    return base + (rank <= missing).astype("int64")


def population_by_2025_commune(
    census_matched: pd.DataFrame,
    crosswalk: pd.DataFrame,
    *,
    overlap_share: pd.DataFrame | None = None,
    decisions: pd.DataFrame | None = None,
    unmatched: str = "raise",
) -> pd.DataFrame:
    """Sum the 2019 census onto the communes of 1 July 2025 through the national crosswalk.

    Census units are whole units of 01/04/2019 already matched to the GSO list of 01/03/2025
    (``old_code``, e.g. the ``census_2019`` layer of ``layers/_national``). Old communes that
    went whole into one 2025 commune (``old_part`` full) are summed exactly. An old commune
    split across 2–5 new communes (``old_part`` partial; 460 in the crosswalk, 448 after the
    decisions of ``crosswalk_decisions``) is apportioned: **no source gives the size of the
    parts** (the resolutions say "một phần diện tích tự nhiên, quy mô dân số" without figures,
    and no old-commune polygons are available), so by default each part gets an **equal
    share** (1/n), and the share can be given (``overlap_share``, e.g. area shares of the
    overlap once old polygons exist). Urban and rural persons are apportioned separately
    (largest remainder, whole persons), so every old commune's total is kept exactly and a
    2019 phường or thị trấn stays urban. Measured on the national layers (2019 census,
    decisions applied): the 448 split old communes hold 8,152,475 persons (8.5 % of the
    census; 5,214,561 urban: many are city wards) and feed 425 of the 3,321 new communes
    (20,835,365 persons, of which the 8,152,475 apportioned); ``apportioned_persons`` and
    ``population_method`` flag them.

    Parameters
    ----------
    census_matched : DataFrame
        One row per census unit: ``old_code`` (None where unmatched) and the count columns
        ``population_persons``, ``population_urban_persons``, ``population_rural_persons``
        (persons).
    crosswalk : DataFrame
        ``old_code``, ``new_code`` and, where present, ``new_name``, ``new_type``,
        ``province_code``, ``province_name``; one row per (old, new) pair.
    overlap_share : DataFrame, optional
        ``old_code``, ``new_code``, ``share`` (0–1, summing to 1 per old commune) for the split
        old communes; default: equal shares.
    decisions : DataFrame, optional
        Decisions on crosswalk rows (:func:`apply_crosswalk_decisions`), applied first.
    unmatched : {"raise", "drop"}
        What to do with census units without ``old_code``: raise (default), or leave them out
        (the caller reports them: matched + unmatched = the census total).

    Returns
    -------
    DataFrame
        One row per 2025 commune of the crosswalk (``new_code``, with ``new_name``,
        ``new_type``, ``province_code``, ``province_name`` where given):
        ``population_persons``, ``population_urban_persons``, ``population_rural_persons``
        (persons, extensive), ``urban_pct``, ``apportioned_persons`` (persons from split old
        communes), ``n_old_units`` (old communes giving all or part of their people),
        ``n_census_units`` (census units contributing, whole or in part), ``old_codes``
        (``;``-joined) and ``population_method``: ``exact`` (whole old communes only),
        ``apportioned, equal shares`` / ``apportioned, overlap share`` (part of it comes from
        split old communes), ``no census unit`` (no 2019 unit lies in it per the crosswalk,
        e.g. the Hoàng Sa special zone).

    Raises
    ------
    CensusMatchError
        If a census unit has no ``old_code`` (with ``unmatched="raise"``) or one that is not
        in the crosswalk.
    CrosswalkDecisionError
        If a decision or an overlap share does not fit the crosswalk, or ``unmatched`` is not
        one of its values.

    Examples
    --------
    >>> census = pd.DataFrame({"old_code": ["1", "2"], "population_persons": [100, 7],
    ...                        "population_urban_persons": [100, 0],
    ...                        "population_rural_persons": [0, 7]})
    >>> xw = pd.DataFrame({"old_code": ["1", "1", "2"], "new_code": ["A", "B", "B"]})
    >>> out = population_by_2025_commune(census, xw)
    >>> cols = ["population_persons", "population_urban_persons", "population_method"]
    >>> out[cols].values.tolist()
    [[50, 50, 'apportioned, equal shares'], [57, 50, 'apportioned, equal shares']]
    """
    if unmatched not in ("raise", "drop"):
        raise CrosswalkDecisionError(
            f"unmatched={unmatched!r} is not allowed; use 'raise' or 'drop'."
        )
    require_columns(census_matched, ["old_code", *POPULATION_COLUMNS], name="census_matched")
    require_columns(crosswalk, list(_XW), name="crosswalk")
    xw = crosswalk.copy()
    xw["old_code"] = xw["old_code"].astype(str)
    xw["new_code"] = xw["new_code"].astype(str)
    if decisions is not None:
        xw = apply_crosswalk_decisions(xw, decisions)
    xw = xw.drop_duplicates(list(_XW)).reset_index(drop=True)
    census = census_matched
    lost = census["old_code"].isna()
    if lost.any() and unmatched == "raise":
        people = int(census.loc[lost, "population_persons"].sum())
        raise CensusMatchError(
            f"{int(lost.sum())} census unit(s) ({people:,} persons) have no old_code: they "
            "would be missing from the 2025 communes. Match them first (census_2019 layer), or "
            "pass unmatched='drop' and report them separately."
        )
    census = census[~lost]
    codes = census["old_code"].astype(str)
    foreign = sorted(set(codes) - set(xw["old_code"]))
    if foreign:
        raise CensusMatchError(
            f"old_code(s) {foreign[:10]}{' ...' if len(foreign) > 10 else ''} of the census are "
            "not in the crosswalk: match the census to the list the crosswalk starts from "
            "(GSO list of 01/03/2025)."
        )
    counts = census[list(POPULATION_COLUMNS)].apply(pd.to_numeric, errors="coerce").fillna(0)
    if (counts % 1 != 0).to_numpy().any():
        raise CensusMatchError(f"census counts {list(POPULATION_COLUMNS)} must be whole persons.")
    by_old = counts.astype("int64").groupby(codes.to_numpy()).sum()
    by_old["n_census_units"] = codes.groupby(codes.to_numpy()).size()
    n_new = xw.groupby("old_code")["new_code"].transform("size").to_numpy()
    split = n_new > 1
    if overlap_share is None:
        shares = 1.0 / n_new
        split_method = "apportioned, equal shares"
    else:
        require_columns(overlap_share, [*_XW, "share"], name="overlap_share")
        given = overlap_share.assign(
            old_code=overlap_share["old_code"].astype(str),
            new_code=overlap_share["new_code"].astype(str),
        ).set_index(list(_XW))["share"]
        key = pd.MultiIndex.from_frame(xw[list(_XW)])
        shares = pd.Series(given.reindex(key).to_numpy(dtype=float))
        shares[~split] = 1.0
        missing = xw.loc[shares.isna().to_numpy(), list(_XW)]
        sums = shares.groupby(xw["old_code"]).transform("sum")
        off = xw.loc[(sums - 1).abs().to_numpy() > 1e-6, "old_code"].unique()
        if len(missing) or len(off) or (shares < 0).any():
            raise CrosswalkDecisionError(
                f"overlap_share lacks {len(missing)} split pair(s) (e.g. "
                f"{missing.head(3).values.tolist()}) or its shares do not sum to 1 for "
                f"{len(off)} old commune(s) (e.g. {list(off[:3])}). Give one row per "
                "(old_code, new_code) of every split old commune, shares 0-1 summing to 1."
            )
        shares = shares.to_numpy()
        split_method = "apportioned, overlap share"
    old = xw["old_code"].to_numpy()
    rows = by_old.reindex(old).fillna(0).astype("int64")
    parts = pd.DataFrame(index=xw.index)
    for c in ("population_urban_persons", "population_rural_persons"):
        parts[c] = _apportion(rows[c].to_numpy(), shares, old)
    parts["population_persons"] = (
        parts["population_urban_persons"] + parts["population_rural_persons"]
    )
    parts["apportioned_persons"] = np.where(split, parts["population_persons"], 0)
    parts["n_census_units"] = rows["n_census_units"].to_numpy()
    parts["new_code"] = xw["new_code"]
    parts["old_code"] = old
    parts["split"] = split
    g = parts.groupby("new_code", sort=True)
    out = g[[*POPULATION_COLUMNS, "apportioned_persons", "n_census_units"]].sum()
    total = out["population_persons"].to_numpy(dtype=float)
    out["urban_pct"] = np.where(
        total > 0, 100.0 * out["population_urban_persons"] / np.where(total > 0, total, 1), np.nan
    )
    out["n_old_units"] = g.size()
    out["old_codes"] = g["old_code"].agg(lambda s: ";".join(sorted(s)))
    any_split = g["split"].any()
    out["population_method"] = np.where(
        out["n_census_units"] == 0,
        "no census unit",
        np.where(any_split & (out["apportioned_persons"] > 0), split_method, "exact"),
    )
    names = [
        c for c in ("new_name", "new_type", "province_code", "province_name") if c in xw.columns
    ]
    if names:
        out = xw.drop_duplicates("new_code").set_index("new_code")[names].join(out, how="right")
    out.index.name = "new_code"
    return out
