"""Plan targets by document: which row is in force when several documents target one indicator.

A province's targets come from several documents: the draft of its plan, the approved plan, its
5-year plan, and national or regional resolutions it is compared with. Rows that target the same
indicator (same quantity, same scope, same year or period) share an ``indicator_key``; within a
key, a later document supersedes an earlier one. :func:`targets_in_force` applies that rule to a
targets table (the ``plan_targets`` layer) and says, per row, whether it is in force and which
document superseded it.

The rule, as a planner reads it:

* **Later supersedes earlier**, by ``document_date`` (ISO ``YYYY-MM-DD``, ``YYYY-MM`` or
  ``YYYY``; a partial date counts as its first day; an empty date as older than any date).
* **An adopted document supersedes a draft, whatever the dates**: a draft is a proposal, so an
  approved plan replaces a draft of the same date, and a later draft (of a revision, say) does
  not replace the approved plan until it is itself approved. Drafts supersede earlier drafts.
* **Only within one scope**: a national or regional benchmark is what the province is compared
  with, never a change of the province's own target, so rows are ranked within the same
  ``indicator_key`` *and* ``scope``. The province's target and the national one both stay in
  force, each against its own scope.
* **A row without a target value supersedes nothing**: it records that a document's figure was
  not found (e.g. the approved plan's urbanisation target), not that the document dropped the
  target. The latest row that states a value stays in force; the row without one is shown, not in
  force, with an empty ``superseded_by``.

Pure functions: no store access (:mod:`gis.stats` reads the layer and calls them).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from gis.errors import LayerError

__all__ = ["ADOPTED_STATUSES", "DRAFT_STATUSES", "REQUIRED_COLUMNS", "targets_in_force"]

#: ``document_status`` of documents that are proposals: superseded by any adopted document.
DRAFT_STATUSES = ("draft",)
#: ``document_status`` of adopted documents (an approved plan, a resolution, a regional plan).
ADOPTED_STATUSES = ("approved", "national resolution", "regional benchmark")
#: Columns :func:`targets_in_force` needs.
REQUIRED_COLUMNS = (
    "indicator_id",
    "indicator_key",
    "scope",
    "target_value",
    "document",
    "document_status",
    "document_date",
)
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def _date_rank(value: object, indicator_id: object) -> int:
    """``YYYYMMDD`` as an integer (partial dates: first day; empty: -1)."""
    text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
    text = text.strip()
    if not text:
        return -1
    match = _DATE.match(text)
    if not match:
        raise LayerError(
            f"row '{indicator_id}': document_date '{text}' is not a date. Write it as YYYY-MM-DD, "
            "YYYY-MM or YYYY (e.g. '2023-12-07'), or leave it empty "
            "when the date is unknown."
        )
    year, month, day = match.groups()
    return int(year) * 10000 + int(month or 1) * 100 + int(day or 1)


def targets_in_force(targets: pd.DataFrame) -> pd.DataFrame:
    """Say which target row is in force per indicator, and which document superseded the others.

    Parameters
    ----------
    targets : DataFrame
        One row per target of one document, with the :data:`REQUIRED_COLUMNS`:
        ``indicator_id`` (unique), ``indicator_key`` (rows targeting the same quantity, scope and
        year), ``scope`` (``province``, ``region``, ``national``...), ``target_value`` (empty when
        the document's figure was not found), ``document``, ``document_status`` (one of
        :data:`DRAFT_STATUSES` or :data:`ADOPTED_STATUSES`) and ``document_date``. Not modified.

    Returns
    -------
    DataFrame
        A copy with ``in_force`` (``"yes"`` for one row per key and scope, else ``"no"``) and
        ``superseded_by`` (the document of the row in force, for a row it superseded; empty
        otherwise). Both are derived: existing columns of those names are recomputed.

    Raises
    ------
    LayerError
        If a required column is missing, an id is repeated, a key or status is empty or unknown,
        a date cannot be read, or two rows of a key and scope tie (same date and status, both
        with a value) so that neither can be said to supersede the other.

    Examples
    --------
    >>> t = pd.DataFrame({
    ...     "indicator_id": ["urb_draft", "urb_approved", "urb_national"],
    ...     "indicator_key": ["urbanisation|2030"] * 3,
    ...     "scope": ["province", "province", "national"],
    ...     "target_value": [30.0, 32.0, 50.0],
    ...     "document": ["draft plan", "approved plan", "Resolution 06-NQ/TW"],
    ...     "document_status": ["draft", "approved", "national resolution"],
    ...     "document_date": ["2021-06-04", "2023-12-07", "2022-01-24"]})
    >>> targets_in_force(t)[["indicator_id", "superseded_by", "in_force"]]
       indicator_id  superseded_by in_force
    0     urb_draft  approved plan       no
    1  urb_approved                     yes
    2  urb_national                     yes

    The approved plan supersedes the draft; the national benchmark (another scope) stays in
    force beside the province's own target.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in targets.columns]
    if missing:
        raise LayerError(
            f"the targets table has no column(s) {missing}; columns found: "
            f"{list(targets.columns)}. Each row needs its document (document, document_status, "
            "document_date) and an indicator_key grouping the rows that target the same "
            "indicator: rebuild the plan_targets layer with tools/build_plan_targets.py."
        )
    out = targets.copy()
    ids = out["indicator_id"].astype(str)
    repeated = sorted(set(ids[ids.duplicated()]))
    if repeated:
        raise LayerError(
            f"indicator_id must be unique per row; repeated: {repeated}. Give each document's "
            "row its own id (e.g. suffix the document: 'urbanisation_2030_draft2021')."
        )
    for col in ("indicator_key", "scope", "document", "document_status"):
        empty = ids[out[col].isna() | (out[col].astype(str).str.strip() == "")].tolist()
        if empty:
            raise LayerError(f"rows {empty} have no {col}; fill it in (see gis.targets).")
    allowed = (*DRAFT_STATUSES, *ADOPTED_STATUSES)
    unknown = sorted(set(out["document_status"]) - set(allowed))
    if unknown:
        raise LayerError(
            f"unknown document_status {unknown}; use one of {list(allowed)} (a draft is "
            "superseded by any adopted document)."
        )
    value = pd.to_numeric(out["target_value"], errors="coerce")
    rank = pd.DataFrame(
        {
            "has_value": value.notna().astype(int).to_numpy(),
            "adopted": (~out["document_status"].isin(DRAFT_STATUSES)).astype(int).to_numpy(),
            "date": [_date_rank(d, i) for d, i in zip(out["document_date"], ids, strict=True)],
        },
        index=out.index,
    )
    in_force = pd.Series("no", index=out.index, dtype=object)
    superseded_by = pd.Series("", index=out.index, dtype=object)
    for _, group in out.groupby(["indicator_key", "scope"], sort=False):
        order = rank.loc[group.index].sort_values(["has_value", "adopted", "date"], kind="stable")
        top = order.iloc[-1]
        if len(order) > 1 and top["has_value"] and (order.iloc[-2] == top).all():
            tied = ids[order.index[(order == top).all(axis=1)]].tolist()
            raise LayerError(
                f"rows {tied} target the same indicator_key and scope with the same document "
                "date and status: neither supersedes the other. Give the later document a later "
                "document_date, give the rows different keys, or drop one."
            )
        winner = order.index[-1]
        in_force[winner] = "yes"
        # rows with a value lose to the winner; rows without one are not superseded by it
        beaten = [i for i in order.index[:-1] if order.loc[i, "has_value"] or not top["has_value"]]
        superseded_by[beaten] = str(out.loc[winner, "document"])
    out["in_force"] = in_force
    out["superseded_by"] = superseded_by
    return out
