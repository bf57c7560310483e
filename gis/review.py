"""Review of a plan amendment: what changed in the layers between two versions, on a map.

:func:`review_changes` compares each layer in two states of a province — a git revision of the
repository, a version kept in the store's history (``gis history LAYER``), or the current files
— feature by feature, matched on the layer's ``id_column``:

- ``added`` / ``removed``: an id in one state only;
- ``moved``: the geometry changed; ``distance_m`` is the distance between the two geometries'
  centroids in the planning CRS (for a point, how far it moved), ``max_shift_m`` the Hausdorff
  distance (how far any part moved);
- ``changed``: attribute values changed, each listed ``column: before → after``.

It also recomputes the statistics tables (:func:`gis.stats.compute_statistics`) on both states
and lists every number that moved. :func:`write_review` writes the table (``review.csv``), the
statistics that moved (``review_statistics.csv``) and an offline HTML map (``review.html``): the
features added (green), removed (red), moved (before grey and dashed, after blue, joined by a
line) and changed (orange), each with a popup of its changes, in Vietnamese.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis import settings
from gis.errors import LayerError
from gis.profile import Profile, load_profile
from gis.store import history, layer_meta, layer_path, read_layer

__all__ = ["CHANGE_VI", "Review", "review_changes", "write_review"]

#: Vietnamese names of the kinds of change (the map's legend and the table's ``change_vi``).
CHANGE_VI = {
    "added": "Thêm mới",
    "removed": "Xóa bỏ",
    "moved": "Dịch chuyển",
    "changed": "Đổi thuộc tính",
}
#: Colours of the kinds of change on the review map.
CHANGE_COLORS = {
    "added": "#1a9850",
    "removed": "#d73027",
    "moved": "#2166ac",
    "changed": "#f46d43",
    "before": "#7f7f7f",
}
#: A geometry that moved less than this (metres) is unchanged: the store snaps to 1 cm.
MOVED_TOLERANCE_M = 0.01
#: Numeric columns that name a row of a statistics table rather than measure something.
_ROW_KEYS = ("distance_m", "ref_year")
_COLUMNS = ["layer", "id", "name", "change", "change_vi", "distance_m", "max_shift_m", "changes"]


@dataclass
class Review:
    """The changes between two states of a province's layers.

    Attributes
    ----------
    changes : DataFrame
        One row per changed feature: ``layer``, ``id``, ``name``, ``change`` (added, removed,
        moved, changed, or "moved; changed"), ``change_vi``, ``distance_m``, ``max_shift_m``,
        ``changes`` (``column: before → after; …``).
    before, after : dict of str to GeoDataFrame
        The features of each change in each state (for the map), by layer, indexed by id.
    statistics : DataFrame
        Numbers of the statistics tables that differ: ``table``, ``row``, ``column``,
        ``before``, ``after``.
    labels : tuple of str
        What was compared ("git HEAD", "current files" ...).
    """

    changes: pd.DataFrame
    before: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    after: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    statistics: pd.DataFrame = field(default_factory=pd.DataFrame)
    labels: tuple[str, str] = ("", "")


# ----------------------------------------------------------------------------- two states


def _git_bytes(path: Path, rev: str) -> bytes | None:
    """The bytes of ``path`` at git revision ``rev`` (None if the file is not in it)."""
    root = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"],
        cwd=path.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    if root.returncode:
        raise LayerError(
            f"'{rev}' is not a version kept in the store's history, and {path.parent} is not in a "
            "git repository; give a version from `gis history LAYER`, or a git revision."
        )
    rel = path.resolve().relative_to(Path(root.stdout.strip()).resolve()).as_posix()
    res = subprocess.run(
        ["git", "show", f"{rev}:{rel}"], cwd=path.parent, capture_output=True, check=False
    )
    if res.returncode:
        known = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
            cwd=path.parent,
            capture_output=True,
            check=False,
        )
        if known.returncode:
            raise LayerError(
                f"'{rev}' is neither a version in the store's history nor a git revision; see "
                "`gis history LAYER` or `git log`."
            )
        return None  # the layer did not exist at that revision
    return res.stdout


def _kept(profile: Profile, name: str, rev: str) -> Path | None:
    """The history file of layer ``name`` whose version starts with ``rev`` (None if none)."""
    if len(rev) < 6:
        return None
    log = history(name, province=profile)
    known = {str(v) for col in ("version", "previous") if col in log for v in log[col].dropna()}
    hits = sorted(v for v in known if v.startswith(rev) or (len(rev) > 16 and rev.startswith(v)))
    folder = profile.path / ".history" / name
    files = sorted(p for v in hits for p in folder.glob(f"{v[:16]}.*") if p.suffix != ".json")
    return files[0] if files else None


def _state(profile: Profile, rev: str | None, names: list[str], root: Path) -> Profile:
    """A copy of the province in ``root`` with the layers ``names`` as they were at ``rev``
    (None: the current files)."""
    dst = root / profile.slug
    shutil.copytree(profile.path, dst, ignore=shutil.ignore_patterns(".history", "*.lock"))
    national = profile.path.parent / "_national"
    if national.is_dir() and not (root / "_national").exists():
        shutil.copytree(
            national, root / "_national", ignore=shutil.ignore_patterns(".history", "*.lock")
        )
    if rev is None:
        return load_profile(profile.slug, layers_dir=root)
    kept = {name: _kept(profile, name, rev) for name in names}
    from_history = any(p is not None for p in kept.values())  # else: a git revision
    for name in names:
        data = layer_path(name, province=profile)
        target = dst / data.name
        if from_history:  # a saved version of these layers; the others as they are now
            if kept[name] is not None:
                target.write_bytes(kept[name].read_bytes())
            continue
        content = _git_bytes(data, rev)
        if content is None:
            target.unlink(missing_ok=True)
            (dst / f"{name}.meta.json").unlink(missing_ok=True)
        else:
            target.write_bytes(content)
    return load_profile(profile.slug, layers_dir=root)


def _label(rev: str | None, profile: Profile, names: list[str]) -> str:
    if rev is None:
        return "các tệp hiện tại"
    if names and _kept(profile, names[0], rev) is not None:
        return f"phiên bản {rev[:12]} (lịch sử lưu)"
    return f"git {rev}"


# ----------------------------------------------------------------------------- comparing


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "–"
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    return str(value)


def _same(a: object, b: object) -> bool:
    a_na = a is None or (isinstance(a, float) and np.isnan(a)) or a is pd.NA
    b_na = b is None or (isinstance(b, float) and np.isnan(b)) or b is pd.NA
    if a_na or b_na:
        return a_na and b_na
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return str(a) == str(b)


def _name_column(frame: pd.DataFrame, id_column: str) -> str | None:
    for col in ("name", "urban_area", "road_ref", "label"):
        if col in frame.columns and col != id_column:
            return col
    return None


def _compare(name: str, old: pd.DataFrame | None, new: pd.DataFrame | None, id_column: str):
    """Rows of the change table, and the before/after features of the changed ids."""
    old = old if old is not None else new.iloc[0:0]
    new = new if new is not None else old.iloc[0:0]
    geo = isinstance(new, gpd.GeoDataFrame) and "geometry" in new.columns
    a, b = old.set_index(old[id_column].astype(str)), new.set_index(new[id_column].astype(str))
    label = _name_column(new, id_column) or _name_column(old, id_column)
    columns = [c for c in b.columns if c in a.columns and c not in ("geometry", id_column)]
    rows, ids = [], []
    for key in sorted(set(a.index) | set(b.index)):
        row = {"layer": name, "id": key, "distance_m": np.nan, "max_shift_m": np.nan, "changes": ""}
        src = b.loc[key] if key in b.index else a.loc[key]
        row["name"] = _text(src[label]) if label else ""
        if key not in a.index or key not in b.index:
            row["change"] = "added" if key not in a.index else "removed"
        else:
            kinds = []
            if geo:
                g0, g1 = a.loc[key, "geometry"], b.loc[key, "geometry"]
                if not shapely.equals_exact(g0, g1, tolerance=MOVED_TOLERANCE_M):
                    kinds.append("moved")
                    # to the cm: the store's grid (gis.settings.STORAGE_COORD_DECIMALS_M)
                    moved = shapely.distance(shapely.centroid(g0), shapely.centroid(g1))
                    row["distance_m"] = round(moved, 2)
                    row["max_shift_m"] = round(shapely.hausdorff_distance(g0, g1), 2)
            diffs = [
                f"{c}: {_text(a.loc[key, c])} → {_text(b.loc[key, c])}"
                for c in columns
                if not _same(a.loc[key, c], b.loc[key, c])
            ]
            if diffs:
                kinds.append("changed")
                row["changes"] = "; ".join(diffs)
            if not kinds:
                continue
            row["change"] = "; ".join(kinds)
        row["change_vi"] = "; ".join(CHANGE_VI[k] for k in row["change"].split("; "))
        rows.append(row)
        ids.append(key)
    # indexed by the id (text), as in the table's ``id`` column
    before = a.loc[[i for i in ids if i in a.index]].rename_axis("id") if geo else None
    after = b.loc[[i for i in ids if i in b.index]].rename_axis("id") if geo else None
    return rows, before, after


def _statistics_moved(before: Profile, after: Profile) -> pd.DataFrame:
    """Numbers of the statistics tables that differ between two states of the province."""
    from gis.stats import compute_statistics

    t0, t1 = compute_statistics(before), compute_statistics(after)
    out = []
    for key in t1:
        a, b = t0.get(key), t1[key]
        if a is None or a.shape != b.shape or list(a.columns) != list(b.columns):
            n0 = 0 if a is None else len(a)
            out.append({"table": key, "row": "", "column": "(rows)", "before": n0, "after": len(b)})
            continue
        text = [c for c in b.columns if not pd.api.types.is_numeric_dtype(b[c])][:3]
        text += [c for c in _ROW_KEYS if c in b.columns and c not in text]
        for col in b.columns:
            if not pd.api.types.is_numeric_dtype(b[col]):
                continue
            x, y = pd.to_numeric(a[col]).to_numpy(float), pd.to_numeric(b[col]).to_numpy(float)
            differ = ~(np.isclose(x, y, rtol=1e-9, atol=1e-9) | (np.isnan(x) & np.isnan(y)))
            for i in np.flatnonzero(differ):
                row = " | ".join(str(b[c].iloc[i]) for c in text)
                out.append({"table": key, "row": row, "column": col, "before": x[i], "after": y[i]})
    return pd.DataFrame(out, columns=["table", "row", "column", "before", "after"])


def review_changes(
    layers: list[str] | None = None,
    *,
    from_rev: str | None = "HEAD",
    to_rev: str | None = None,
    province: str | Profile | None = None,
    layers_dir: str | Path | None = None,
    statistics: bool = True,
) -> Review:
    """Compare layers of a province between two states.

    Parameters
    ----------
    layers : list of str, optional
        Layers to compare (default: every layer of the province).
    from_rev, to_rev : str or None
        A git revision (``HEAD``, ``HEAD~1``, a commit), or a version from ``gis history``
        (its first characters), or None for the current files. Default: from ``HEAD`` to the
        current files (the edits not committed yet).
    province, layers_dir
        The province.
    statistics : bool
        Also compare the statistics tables (recomputed on both states).

    Returns
    -------
    Review
    """
    profile = load_profile(province, layers_dir=layers_dir)
    names = (
        list(layers)
        if layers
        else [n for n in profile.layers if layer_path(n, province=profile).exists()]
    )
    with tempfile.TemporaryDirectory(prefix="gis-review-") as tmp:
        states = [
            _state(profile, rev, names, Path(tmp) / side)
            for rev, side in ((from_rev, "before"), (to_rev, "after"))
        ]
        rows, before, after = [], {}, {}
        for name in names:
            try:
                meta = layer_meta(name, province=profile)
            except LayerError:
                continue
            frames = []
            for state in states:
                try:
                    frames.append(read_layer(name, province=state))
                except LayerError:
                    frames.append(None)
            if all(f is None for f in frames):
                continue
            id_column = meta.get("id_column") or "code"
            got, b0, b1 = _compare(name, *frames, id_column)
            rows += got
            if b0 is not None and len(b0):
                before[name] = b0
            if b1 is not None and len(b1):
                after[name] = b1
        moved = _statistics_moved(*states) if statistics and rows else pd.DataFrame()
    labels = (_label(from_rev, profile, names), _label(to_rev, profile, names))
    return Review(pd.DataFrame(rows, columns=_COLUMNS), before, after, moved, labels)


# ----------------------------------------------------------------------------- writing


def _features(review: Review, kind: str, side: str) -> gpd.GeoDataFrame | None:
    """Features of one kind of change in one state, with the columns of their popup."""
    frames = []
    source = review.before if side == "before" else review.after
    for name, frame in source.items():
        table = review.changes[
            (review.changes["layer"] == name) & review.changes["change"].str.contains(kind)
        ]
        if not len(table):
            continue
        sel = frame[frame.index.isin(table["id"])]
        info = table.set_index("id").loc[sel.index]
        frames.append(
            gpd.GeoDataFrame(
                {
                    "layer": name,
                    "id": info.index.to_numpy(),
                    "name": info["name"].to_numpy(),
                    "change_vi": info["change_vi"].to_numpy(),
                    "distance_m": info["distance_m"].round(0).to_numpy(),
                    "changes": info["changes"].replace("", "–").to_numpy(),
                },
                geometry=sel.geometry.to_numpy(),
                crs=frame.crs,
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else None


def write_review(
    review: Review,
    out_dir: str | Path,
    *,
    province: str | Profile | None = None,
    layers_dir: str | Path | None = None,
) -> dict[str, Path]:
    """Write ``review.csv``, ``review_statistics.csv`` and the map ``review.html`` into
    ``out_dir``; return their paths by kind (``"table"``, ``"statistics"``, ``"map"``)."""
    from gis._safe_text import csv_frame
    from gis._writes import atomic_write
    from gis.maplayer import CLOSE_SIMPLIFY_M, MapLayer
    from gis.webmap import reproducible_ids, save_map, web_map

    profile = load_profile(province, layers_dir=layers_dir)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"table": out / "review.csv", "statistics": out / "review_statistics.csv"}
    # attribute text goes into the table: a spreadsheet must not run it (gis._safe_text)
    atomic_write(paths["table"], lambda tmp: csv_frame(review.changes).to_csv(tmp, index=False))
    atomic_write(
        paths["statistics"], lambda tmp: csv_frame(review.statistics).to_csv(tmp, index=False)
    )
    popup = {
        "layer": "Lớp",
        "id": "Mã",
        "name": "Tên",
        "change_vi": "Thay đổi",
        "distance_m": "Dịch chuyển (m)",
        "changes": "Thuộc tính: trước → sau",
    }
    layers = []
    try:
        outline = read_layer(profile.layer("province"), province=profile)
        layers.append(
            MapLayer(
                outline,
                f"Ranh giới tỉnh {profile.name}",
                color="#333333",
                fill_opacity=0.0,
                weight=1.5,
            )
        )
    except LayerError:
        pass
    spec = [
        ("removed", "before", "Xóa bỏ", False),
        ("moved", "before", "Dịch chuyển: vị trí cũ", True),
        ("moved", "after", "Dịch chuyển: vị trí mới", False),
        ("changed", "after", "Đổi thuộc tính", False),
        ("added", "after", "Thêm mới", False),
    ]
    for kind, side, title, hollow in spec:
        data = _features(review, kind, side)
        if data is None:
            continue
        color = CHANGE_COLORS["before" if (kind, side) == ("moved", "before") else kind]
        layers.append(
            MapLayer(
                data,
                title,
                color=color,
                fields=popup,
                popup=popup,
                hollow=hollow,
                radius=8.0,
                weight=3.0,
                fill_opacity=0.5,
                label=None if hollow else "name",
            )
        )
    lines = _moves(review)
    if lines is not None:
        layers.append(
            MapLayer(
                lines,
                "Dịch chuyển: hướng",
                color=CHANGE_COLORS["moved"],
                weight=2.0,
                fields={"name": "Tên", "distance_m": "Dịch chuyển (m)"},
            )
        )
    n = len(review.changes)
    title = f"Rà soát thay đổi: {review.labels[0]} → {review.labels[1]} ({n} đối tượng thay đổi)"
    with reproducible_ids(f"{profile.slug}/review"):
        page = web_map(
            layers,
            title=title,
            simplify_m=CLOSE_SIMPLIFY_M,
            source="Nguồn: các lớp dữ liệu của dự án (gis review)",
        )
    paths["map"] = save_map(page, out / "review.html")
    return paths


def _moves(review: Review) -> gpd.GeoDataFrame | None:
    """A line from each moved feature's old centroid to its new one."""
    rows = []
    for name, after in review.after.items():
        before = review.before.get(name)
        table = review.changes[
            (review.changes["layer"] == name) & review.changes["change"].str.contains("moved")
        ]
        if before is None or not len(table):
            continue
        a, b = before, after  # indexed by id
        for _, r in table.iterrows():
            line = shapely.LineString(
                [
                    shapely.centroid(a.loc[r["id"], "geometry"]),
                    shapely.centroid(b.loc[r["id"], "geometry"]),
                ]
            )
            rows.append({"name": r["name"], "distance_m": round(r["distance_m"]), "geometry": line})
    if not rows:
        return None
    crs = next(iter(review.after.values())).crs
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)


def default_out_dir() -> Path:
    """Where ``gis review`` writes by default: ``<OUT_DIR>/review``."""
    return Path(settings.OUT_DIR) / "review"
