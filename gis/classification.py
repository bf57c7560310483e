"""Urban classification check: planned urban areas scored against the national criteria.

The criteria of Resolution 1210/2016/UBTVQH13 as amended by Resolution 26/2022/UBTVQH15 are
*data*, shipped with the package in ``gis/data/urban_criteria_1210_26.csv`` (one row per class and
criterion, with its source, a ``status`` of ``secondary`` or ``unverified`` and a note) and
``gis/data/urban_criteria_regional_1210_26.csv`` (the reductions of population and density
thresholds allowed in some regions, e.g. 60 % and 50 % in the northern midlands and mountains).
Thresholds that could not be found in a source are left empty: the check then says
"threshold missing" instead of inventing one. Fill them in from the official text and every
report follows.

:func:`score_urban_areas` compares, for each urban area and criterion of its class, the required
value (after the regional reduction) with the actual value found in the data and says ``met``,
``not met``, ``missing data`` (no actual value) or ``threshold missing``. Only the quantitative
criteria (population, density, non-agricultural labour) are checked; the scored criteria on
infrastructure and the 100-point total are out of reach of the layers.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from gis._frames import require_columns
from gis.errors import LayerError

__all__ = [
    "CRITERIA",
    "OPERATORS",
    "RESULTS",
    "load_criteria",
    "load_regional_reductions",
    "required_values",
    "score_urban_areas",
]

#: Criterion ids; an urban-area frame gives the actual value of a criterion in the column of the
#: same name (e.g. ``population_total``).
CRITERIA = (
    "population_total",
    "population_inner",
    "density_total",
    "density_inner",
    "non_agri_labour_total",
    "non_agri_labour_inner",
)
#: The possible outcomes of a check.
RESULTS = ("met", "not met", "missing data", "threshold missing")

_CRITERIA_FILE = "urban_criteria_1210_26.csv"
_REGIONAL_FILE = "urban_criteria_regional_1210_26.csv"
#: Comparison words of the criteria and target tables -> numpy comparison.
OPERATORS = {">=": np.greater_equal, ">": np.greater, "<=": np.less_equal, "<": np.less}


def _read_data_csv(name: str, path: str | Path | None) -> pd.DataFrame:
    if path is None:
        with resources.files("gis").joinpath("data", name).open("rb") as fh:
            frame = pd.read_csv(fh, dtype=str, keep_default_na=False, na_values=[""])
        frame.attrs["source_file"] = f"gis/data/{name}"
    else:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        frame.attrs["source_file"] = str(path)
    return frame


def load_criteria(path: str | Path | None = None) -> pd.DataFrame:
    """Read the urban classification criteria table (default: the one shipped with the package).

    Returns
    -------
    DataFrame
        One row per ``urban_class`` and ``criterion``: ``scope``, ``unit``, ``threshold``
        (float, NaN where no source gave it), ``comparison``, ``reduction_group``, ``status``,
        ``source``, ``source_url``, ``note``.

    Raises
    ------
    LayerError
        If a column is missing, a criterion or comparison is unknown, or a row is repeated.

    Examples
    --------
    >>> crit = load_criteria().set_index(["urban_class", "criterion"])
    >>> float(crit.loc[("IV", "population_total"), "threshold"])
    50000.0
    """
    frame = _read_data_csv(_CRITERIA_FILE, path)
    need = ["urban_class", "criterion", "threshold", "comparison", "reduction_group", "source"]
    require_columns(frame, need, name="criteria")
    bad = sorted(set(frame["criterion"]) - set(CRITERIA))
    if bad:
        raise LayerError(f"criteria table has unknown criterion {bad}; allowed: {list(CRITERIA)}.")
    ops = sorted(set(frame["comparison"].dropna()) - set(OPERATORS))
    if ops:
        raise LayerError(f"criteria table has comparison {ops}; allowed: {list(OPERATORS)}.")
    dup = frame[frame.duplicated(["urban_class", "criterion"])]
    if len(dup):
        rows = (dup["urban_class"] + "/" + dup["criterion"]).tolist()
        raise LayerError(f"criteria table repeats {rows}; keep one row per class and criterion.")
    frame["threshold"] = pd.to_numeric(frame["threshold"], errors="raise")
    return frame


def load_regional_reductions(path: str | Path | None = None) -> pd.DataFrame:
    """Read the regional reductions table: ``region``, ``reduction_group``, ``factor_pct``..."""
    frame = _read_data_csv(_REGIONAL_FILE, path)
    require_columns(frame, ["region", "reduction_group", "factor_pct", "source"], name="reductions")
    frame["factor_pct"] = pd.to_numeric(frame["factor_pct"], errors="raise")
    return frame


def required_values(
    criteria: pd.DataFrame,
    *,
    region: str | None = "northern_midlands_mountains",
    reductions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return the criteria with the regional reduction applied.

    Parameters
    ----------
    criteria : DataFrame
        From :func:`load_criteria`.
    region : str or None
        A ``region`` of the reductions table; None applies no reduction.
    reductions : DataFrame, optional
        From :func:`load_regional_reductions` (default: the shipped table).

    Returns
    -------
    DataFrame
        Copy of ``criteria`` with ``regional_share_pct`` (the share of the national
        threshold that applies in the region: 60 means the region needs 60 % of it; 100 = the
        national threshold), ``threshold_regional`` (``threshold * regional_share_pct / 100``:
        the value to reach), ``regional_rule`` (in words) and ``regional_source``.

    Raises
    ------
    LayerError
        If ``region`` is not in the reductions table (the message lists the regions).

    Examples
    --------
    >>> req = required_values(load_criteria()).set_index(["urban_class", "criterion"])
    >>> float(req.loc[("IV", "population_total"), "threshold_regional"])
    30000.0
    """
    out = criteria.copy()
    out["regional_share_pct"] = 100.0
    out["regional_rule"] = "national threshold"
    out["regional_source"] = ""
    if region is not None:
        red = load_regional_reductions() if reductions is None else reductions
        regions = sorted(set(red["region"]))
        if region not in regions:
            raise LayerError(f"region '{region}' has no reductions; regions: {regions} (or None).")
        sel = red[red["region"] == region].set_index("reduction_group")
        for group, row in sel.iterrows():
            hit = out["reduction_group"] == group
            out.loc[hit, "regional_share_pct"] = float(row["factor_pct"])
            out.loc[hit, "regional_rule"] = (
                f"{float(row['factor_pct']):g} % of the national threshold ({region})"
            )
            out.loc[hit, "regional_source"] = row["source"]
    out["threshold_regional"] = out["threshold"] * out["regional_share_pct"] / 100.0
    return out


def score_urban_areas(
    urban_areas: pd.DataFrame,
    criteria: pd.DataFrame,
    *,
    region: str | None = "northern_midlands_mountains",
    reductions: pd.DataFrame | None = None,
    class_column: str = "class_2030",
    id_column: str = "urban_area",
) -> pd.DataFrame:
    """Check each urban area against the criteria of its class.

    Parameters
    ----------
    urban_areas : DataFrame or GeoDataFrame
        One row per urban area with ``id_column``, ``class_column`` and, for each criterion it
        has data for, a column named after the criterion (``population_total``,
        ``density_total``...; see :data:`CRITERIA`) holding the actual value (NaN = unknown).
        An optional ``<criterion>_source`` column says where each value comes from, or, where
        the value is missing, which source would fill it. Not modified.
    criteria : DataFrame
        From :func:`load_criteria`.
    region : str or None
        Region whose reductions apply (default the northern midlands and mountains); None for
        the national standard.
    reductions : DataFrame, optional
        Regional reductions (default: the shipped table).
    class_column, id_column : str
        Columns of ``urban_areas`` holding the class (``"III"``, ``"IV"``, ``"V"``...) and name.

    Returns
    -------
    DataFrame
        One row per urban area and criterion of its class: ``urban_area``, ``urban_class``,
        ``criterion``, ``scope``, ``unit``, ``threshold_national``, ``threshold_regional``
        (the value to reach in the region), ``regional_rule``, ``actual_value``,
        ``actual_source``, ``result`` (one of
        :data:`RESULTS`), ``criterion_status``, ``criterion_source``. An urban area whose class
        has no criteria gets one row with criterion ``(none)`` and result ``threshold missing``.

    Examples
    --------
    >>> areas = pd.DataFrame({"urban_area": ["A"], "class_2030": ["IV"],
    ...                       "population_total": [31_000.0]})
    >>> res = score_urban_areas(areas, load_criteria())
    >>> res.set_index("criterion").loc["population_total", "result"]
    'met'
    >>> res.set_index("criterion").loc["density_total", "result"]
    'missing data'
    """
    require_columns(urban_areas, [class_column, id_column], name="urban_areas")
    req = required_values(criteria, region=region, reductions=reductions)
    rows = []
    for _, area in urban_areas.iterrows():
        cls = area[class_column]
        mine = req[req["urban_class"] == cls] if isinstance(cls, str) else req.iloc[:0]
        if mine.empty:
            rows.append(
                {
                    "urban_area": area[id_column],
                    "urban_class": cls,
                    "criterion": "(none)",
                    "result": "threshold missing",
                    "criterion_source": f"no criteria for class {cls!r} in the table",
                }
            )
            continue
        for _, crit in mine.iterrows():
            name = crit["criterion"]
            actual = pd.to_numeric(area.get(name, np.nan), errors="coerce")
            # the source of the value, or (when missing) which source would fill it
            source = area.get(f"{name}_source", "")
            required = crit["threshold_regional"]
            if pd.isna(required):
                result = "threshold missing"
            elif pd.isna(actual):
                result = "missing data"
            else:
                ok = bool(OPERATORS[crit["comparison"]](actual, required))
                result = "met" if ok else "not met"
            rows.append(
                {
                    "urban_area": area[id_column],
                    "urban_class": cls,
                    "criterion": name,
                    "scope": crit.get("scope", ""),
                    "unit": crit.get("unit", ""),
                    "comparison": crit["comparison"],
                    "threshold_national": crit["threshold"],
                    "threshold_regional": required,
                    "regional_rule": crit["regional_rule"],
                    "actual_value": float(actual) if pd.notna(actual) else np.nan,
                    "actual_source": source if isinstance(source, str) else "",
                    "result": result,
                    "criterion_status": crit.get("status", ""),
                    "criterion_source": crit["source"],
                }
            )
    out = pd.DataFrame(rows)
    out.attrs["definition"] = (
        "Urban classification check: for each urban area and quantitative criterion of its class "
        "(Resolution 1210/2016/UBTVQH13 as amended by 26/2022/UBTVQH15), the required value = "
        "threshold_regional = threshold_national x the share that applies in the region"
        + (f" ({region}: e.g. 60 % of the population threshold)" if region else " (none: 100 %)")
        + ", compared with the actual value; 'missing data' = no actual value in the layers, "
        "'threshold missing' = the criteria table has no sourced threshold. Scored criteria "
        "(infrastructure, 100-point total) are not checked."
    )
    return out
