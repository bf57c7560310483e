"""Planning layers derived from units and data tables: regions, axis, urban cores, pillars.

The provincial plan's spatial orientation ("one axis, two regions, three pillars", the urban
system, infrastructure) is kept as *data* (assignment tables, waypoint lists, source tables with a
``source`` per row) and turned into layers by the pure functions here, so that the layers cannot
drift from the units they are made of:

* :func:`regions` dissolves administrative units by a region assignment table (never a
  hand-drawn region polygon);
* :func:`schematic_lines` draws road segments through their ordered waypoints, unless a real
  alignment (e.g. OpenStreetMap lines imported with ``gis import``) is supplied for a segment:
  a supplied geometry always wins;
* :func:`urban_cores` gives each urban area a polygon when its core is a whole ward, else a
  point;
* :func:`hint_geometries` turns a geometry hint (``point lon lat``, ``communes: a;b``,
  ``districts: a;b``, ``waypoints: a;b``) into a geometry;
* :func:`points_from_lonlat` places WGS 84 lon/lat rows in the planning CRS with the pinned
  VN-2000 shift.

Replacing a schematic road by a surveyed one (no code change): import the lines as layer
``road_alignments`` with a ``segment_id`` column naming the segment they replace (and, ideally,
``accuracy`` and ``source``)::

    gis import vietnam-latest.osm.pbf --as road_alignments    # OSM ways matched by gis.osm

then rebuild the plan layers (``python tools/build_plan_layers.py``): each segment with an
alignment takes its geometry, accuracy and geometry source; the others stay schematic. The
``near`` and ``connected`` rules of the profile then check the new axis against the towns it
names. Editing ``roads`` or ``orientation_axis`` directly in QGIS and saving with ``gis import``
works too; the same rules check the edit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import geopandas as gpd
import pandas as pd
import shapely

from gis._frames import M2_PER_KM2
from gis.crs import require_metric_crs, to_crs
from gis.errors import LayerError

__all__ = [
    "axis_segments",
    "hint_geometries",
    "points_from_lonlat",
    "regions",
    "schematic_lines",
    "urban_cores",
]

SCHEMATIC = "schematic"


def _split(value: object, sep: str = ";") -> list[str]:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return []
    return [v.strip() for v in str(value).split(sep) if v.strip()]


def _require_columns(df: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise LayerError(
            f"{what} lacks column(s) {missing}; found {list(df.columns)}. "
            "Rename the columns or pass the right names as keywords."
        )


def regions(
    units: gpd.GeoDataFrame,
    assignment: pd.DataFrame,
    *,
    unit_id: str = "code",
    assignment_id: str | None = None,
    region_column: str = "plan_region",
    keep: Sequence[str] = (),
) -> gpd.GeoDataFrame:
    """Dissolve administrative units into planning regions by an assignment table.

    Parameters
    ----------
    units : GeoDataFrame
        Unit polygons (districts, 2025 communes, ...) in a metric CRS.
    assignment : DataFrame
        One row per unit: the unit's id and its region.
    unit_id : str
        Id column of ``units``.
    assignment_id : str, optional
        Column of ``assignment`` holding the unit id; default ``unit_id``.
    region_column : str
        Column of ``assignment`` naming the region.
    keep : sequence of str
        Further columns of ``assignment`` carried to the regions (e.g. a Vietnamese region
        name); each must have one value per region.

    Returns
    -------
    GeoDataFrame
        One (multi)polygon per region, sorted by region, with ``region_column``, ``n_units``,
        ``unit_codes`` (``;``-joined, sorted), ``area_km2`` and the ``keep`` columns, in the
        CRS of ``units``.

    Raises
    ------
    LayerError
        If a unit has no region (naming the units), a unit is assigned twice or has an empty
        region, the table names units that do not exist, or a ``keep`` column varies within a
        region.
    CRSError
        If ``units`` is not in a metric CRS.

    Examples
    --------
    >>> from gis.store import read_layer
    >>> d = read_layer("districts_pre2025", province="lai_chau")
    >>> a = read_layer("region_assignment_pre2025", province="lai_chau")
    >>> r = regions(d, a, assignment_id="district_code")
    >>> r[["plan_region", "n_units"]].values.tolist()
    [['dynamic_economic', 5], ['song_da_agroforestry', 3]]
    """
    require_metric_crs(units, name=units.attrs.get("layer", "units"), purpose="region areas")
    aid = assignment_id or unit_id
    _require_columns(units, [unit_id], "the units layer")
    _require_columns(assignment, [aid, region_column, *keep], "the region assignment")
    table = assignment.assign(**{aid: assignment[aid].astype(str).str.strip()})
    dup = table[aid][table[aid].duplicated()].unique().tolist()
    if dup:
        raise LayerError(
            f"units assigned more than once in the region assignment: {dup}; keep one row per unit."
        )
    empty = table.loc[table[region_column].isna() | (table[region_column] == ""), aid].tolist()
    if empty:
        raise LayerError(
            f"unit(s) {empty} have an empty '{region_column}' in the region assignment; "
            "fill in their region."
        )
    codes = units[unit_id].astype(str).str.strip()
    missing = sorted(set(codes) - set(table[aid]))
    if missing:
        names = units.loc[codes.isin(missing), "name"].tolist() if "name" in units else []
        raise LayerError(
            f"unit(s) {missing} {names or ''} are not in the region assignment; add a row "
            f"with their '{region_column}' so the regions cover every unit."
        )
    unknown = sorted(set(table[aid]) - set(codes))
    if unknown:
        raise LayerError(
            f"the region assignment names unit(s) {unknown} that are not in the units layer; "
            "fix the codes or drop those rows (is it the right unit system, pre-2025 or 2025?)."
        )
    # The assignment is the only source of the region: same-named unit columns are ignored.
    own = [c for c in (region_column, *keep) if c in units.columns and c != unit_id]
    joined = (
        units.drop(columns=own)
        .assign(_uid=codes)
        .merge(table[[aid, region_column, *keep]], left_on="_uid", right_on=aid, how="left")
    )
    rows = []
    for region, group in joined.groupby(region_column, sort=True):
        extra = {}
        for col in keep:
            values = group[col].dropna().unique()
            if len(values) > 1:
                raise LayerError(
                    f"'{col}' has several values in region '{region}' ({list(values)}); "
                    "give every unit of a region the same value."
                )
            extra[col] = values[0] if len(values) else None
        geom = shapely.union_all(group.geometry.to_numpy())
        rows.append(
            {
                region_column: region,
                **extra,
                "n_units": len(group),
                "unit_codes": ";".join(sorted(group["_uid"])),
                "area_km2": round(geom.area / M2_PER_KM2, 2),
                "geometry": geom,
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=units.crs)


def points_from_lonlat(
    df: pd.DataFrame, *, crs: str, lon: str = "lon", lat: str = "lat"
) -> gpd.GeoDataFrame:
    """Return ``df`` as points in ``crs`` from WGS 84 ``lon``/``lat`` columns (which are dropped).

    Uses :func:`gis.crs.to_crs` (pinned VN-2000 datum shift).

    Raises
    ------
    LayerError
        If a row has no or a non-numeric coordinate; the message gives the row numbers.
    """
    _require_columns(df, [lon, lat], "the point table")
    x = pd.to_numeric(df[lon], errors="coerce")
    y = pd.to_numeric(df[lat], errors="coerce")
    bad = df.index[(x.isna() | y.isna()).to_numpy()].tolist()
    if bad:
        raise LayerError(
            f"rows {bad} have no valid '{lon}'/'{lat}' (WGS 84 degrees); fill them in or "
            "drop those rows before making points."
        )
    out = gpd.GeoDataFrame(
        df.drop(columns=[lon, lat]),
        geometry=gpd.points_from_xy(x, y),
        crs="EPSG:4326",
    )
    return to_crs(out, crs)


def schematic_lines(
    segments: pd.DataFrame,
    waypoints: gpd.GeoDataFrame,
    *,
    alignments: gpd.GeoDataFrame | None = None,
    segment_id: str = "segment_id",
    via: str = "via",
    waypoint_id: str = "id",
) -> gpd.GeoDataFrame:
    """Draw each road segment as a line through its ordered waypoints, unless a geometry is given.

    A segment's geometry comes, in this order of precedence, from ``alignments`` (a row with the
    same ``segment_id``), from ``segments`` itself (if it is a GeoDataFrame with a non-empty
    geometry on that row), or from the straight line through the waypoints of its ``via`` list.
    Waypoint lines are *schematic*: right order and ends, not the real alignment.

    Parameters
    ----------
    segments : DataFrame or GeoDataFrame
        One row per segment with ``segment_id`` and ``via`` (waypoint ids joined by ``;``,
        first and last being the ends). An ``accuracy`` column, if present, is kept.
    waypoints : GeoDataFrame
        Points with id column ``waypoint_id``; the output is in their CRS.
    alignments : GeoDataFrame, optional
        Real road lines (e.g. OpenStreetMap) with a ``segment_id`` column, and optionally
        ``accuracy`` and ``source``; they replace the schematic line of their segment.
    segment_id, via, waypoint_id : str
        Column names.

    Returns
    -------
    GeoDataFrame
        The segments with a line geometry, ``accuracy`` (``"schematic"`` where empty for a
        waypoint line; the alignment's where supplied) and ``geometry_source``
        (``"waypoints: a;b;c"``, ``"supplied"`` or the alignment's source).

    Raises
    ------
    LayerError
        If a ``via`` names an unknown waypoint or fewer than two, or an alignment names an
        unknown segment or is not a line.
    """
    _require_columns(segments, [segment_id], "the road segments")
    _require_columns(waypoints, [waypoint_id], "the waypoints")
    crs = waypoints.crs
    pts = dict(zip(waypoints[waypoint_id].astype(str), waypoints.geometry, strict=True))
    own = None
    if isinstance(segments, gpd.GeoDataFrame) and segments.geometry.name in segments:
        own = to_crs(segments, crs).geometry if segments.crs is not None else segments.geometry
    supplied: dict[str, tuple] = {}
    if alignments is not None and len(alignments):
        _require_columns(alignments, [segment_id], "the road alignments")
        aligned = to_crs(alignments, crs)
        known = set(segments[segment_id].astype(str))
        for _, row in aligned.iterrows():
            sid = str(row[segment_id])
            if sid not in known:
                raise LayerError(
                    f"alignment for segment '{sid}' matches no road segment; use one of "
                    f"{sorted(known)} in its '{segment_id}' column."
                )
            geom = row.geometry
            if geom is None or geom.geom_type not in ("LineString", "MultiLineString"):
                raise LayerError(
                    f"alignment for segment '{sid}' is {getattr(geom, 'geom_type', 'empty')}, "
                    "not a line; import road centre lines."
                )
            prev = supplied.get(sid)
            if prev is not None:  # several lines for one segment: merge them
                geom = shapely.line_merge(shapely.union_all([prev[0], geom]))
            acc = row.get("accuracy") if "accuracy" in aligned else None
            src = row.get("source") if "source" in aligned else None
            supplied[sid] = (
                geom,
                acc if isinstance(acc, str) and acc else "supplied alignment",
                src if isinstance(src, str) and src else "supplied alignment",
            )
    geoms, accs, origins = [], [], []
    for idx, row in segments.iterrows():
        sid = str(row[segment_id])
        acc = row.get("accuracy") if "accuracy" in segments else None
        acc = acc if isinstance(acc, str) and acc else None
        if sid in supplied:
            geom, acc, origin = supplied[sid]
        elif own is not None and own.loc[idx] is not None and not own.loc[idx].is_empty:
            geom, origin = own.loc[idx], "supplied"
            acc = acc or "supplied"
        else:
            _require_columns(segments, [via], "the road segments")
            ids = _split(row[via])
            unknown = [w for w in ids if w not in pts]
            if unknown:
                raise LayerError(
                    f"segment '{sid}' names unknown waypoint(s) {unknown}; add them to the "
                    f"waypoints or correct '{via}'."
                )
            if len(ids) < 2:
                raise LayerError(
                    f"segment '{sid}' has {len(ids)} waypoint(s) in '{via}'; a line needs at "
                    "least its two ends, e.g. 'from_id;to_id'."
                )
            geom = shapely.LineString([pts[w] for w in ids])
            origin = "waypoints: " + ";".join(ids)
            acc = acc or SCHEMATIC
        geoms.append(geom)
        accs.append(acc)
        origins.append(origin)
    data = pd.DataFrame(segments).drop(
        columns=[c for c in ("geometry", "accuracy", "geometry_source") if c in segments]
    )
    data = data.assign(accuracy=accs, geometry_source=origins)
    return gpd.GeoDataFrame(data, geometry=geoms, crs=crs)


def axis_segments(roads: gpd.GeoDataFrame, *, role_column: str = "axis_role") -> gpd.GeoDataFrame:
    """Return the road segments that belong to the orientation axis (non-empty ``role_column``)."""
    _require_columns(roads, [role_column], "the roads")
    role = roads[role_column]
    return roads[role.notna() & (role.astype(str).str.strip() != "")].copy()


def urban_cores(
    table: pd.DataFrame,
    communes: gpd.GeoDataFrame,
    waypoints: gpd.GeoDataFrame,
    *,
    commune_column: str = "commune2025_code",
    waypoint_column: str = "waypoint_id",
    urban_types: Sequence[str] = ("Phường",),
    commune_id: str = "code",
    waypoint_id: str = "id",
) -> gpd.GeoDataFrame:
    """Give each urban area a geometry: its wards' polygon, else a point.

    The core is the union of the 2025 units listed in ``commune_column`` when every one of them
    is of an urban type (a ward, *phường*, is urban as a whole). Otherwise the urban area is a
    part of a rural commune and gets a point: its waypoint (``waypoint_column``) if given, else
    the representative point of its (first) commune, marked as estimated.

    Returns
    -------
    GeoDataFrame
        ``table`` with ``geometry_kind`` (``"commune polygon"`` or ``"point"``),
        ``geometry_source`` and the geometry, in the CRS of ``communes``.

    Raises
    ------
    LayerError
        If a row names an unknown commune or waypoint, or no commune at all.
    """
    _require_columns(table, [commune_column], "the urban areas table")
    _require_columns(communes, [commune_id, "type"], "the communes layer")
    by_code = communes.set_index(communes[commune_id].astype(str))
    wps = to_crs(waypoints, communes.crs).set_index(waypoints[waypoint_id].astype(str).to_numpy())
    geoms, kinds, origins = [], [], []
    for idx, row in table.iterrows():
        codes = _split(row[commune_column])
        label = row.get("urban_area", f"row {idx}")
        unknown = [c for c in codes if c not in by_code.index]
        if not codes or unknown:
            raise LayerError(
                f"urban area '{label}' names unknown or no 2025 commune(s) {unknown or codes}; "
                f"put valid codes of the communes layer in '{commune_column}'."
            )
        types = by_code.loc[codes, "type"].astype(str)
        if types.isin(list(urban_types)).all():
            geoms.append(shapely.union_all(by_code.loc[codes].geometry.to_numpy()))
            kinds.append("commune polygon")
            origins.append("2025 ward(s) " + ";".join(codes) + " (whole units)")
            continue
        wid = row.get(waypoint_column) if waypoint_column in table else None
        if isinstance(wid, str) and wid:
            if wid not in wps.index:
                raise LayerError(
                    f"urban area '{label}' names unknown waypoint '{wid}'; add it to the "
                    "waypoints or fix the name."
                )
            geoms.append(wps.geometry[wid])
            origins.append(f"waypoint {wid}")
        else:
            geoms.append(by_code.geometry[codes[0]].representative_point())
            origins.append(f"representative point of 2025 commune {codes[0]} (estimated)")
        kinds.append("point")
    out = pd.DataFrame(table).assign(geometry_kind=kinds, geometry_source=origins)
    return gpd.GeoDataFrame(out, geometry=geoms, crs=communes.crs)


_HINT = {
    "point": re.compile(r"point\s+(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)"),
    "waypoints": re.compile(r"waypoints:\s*([\w;]+)"),
    "communes": re.compile(r"communes:\s*([\d;]+)"),
    "districts": re.compile(r"districts:\s*([\d;]+)"),
}


def hint_geometries(
    hints: pd.Series,
    *,
    waypoints: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    unit_id: str = "code",
    waypoint_id: str = "id",
) -> gpd.GeoDataFrame:
    """Turn geometry hints into geometries (the most precise one given wins).

    A hint is free text holding any of ``point LON LAT`` (WGS 84), ``waypoints: a;b``,
    ``communes: code;code`` (2025 communes) and ``districts: code;code`` (pre-2025
    districts); precedence in that order. An empty hint gives no geometry.

    Returns
    -------
    GeoDataFrame
        Aligned on ``hints``: ``geometry_kind`` (``point``, ``waypoints``, ``commune polygon``,
        ``district polygon`` or ``none``), ``commune_codes``, ``district_codes`` (as found in
        the hint) and the geometry (None for ``none``), in the CRS of ``communes``.

    Raises
    ------
    LayerError
        If a hint names an unknown waypoint, commune or district.
    """
    crs = communes.crs
    layers = {
        "waypoints": (to_crs(waypoints, crs), waypoint_id),
        "communes": (communes, unit_id),
        "districts": (to_crs(districts, crs), unit_id),
    }
    lookup = {
        k: dict(zip(g[c].astype(str), g.geometry, strict=True)) for k, (g, c) in layers.items()
    }
    rows = []
    for idx, hint in hints.items():
        text = "" if not isinstance(hint, str) else hint
        found = {k: rx.search(text) for k, rx in _HINT.items()}
        codes = {k: _split(m.group(1)) if m else [] for k, m in found.items() if k != "point"}
        for kind, ids in codes.items():
            bad = [i for i in ids if i not in lookup[kind]]
            if bad:
                raise LayerError(
                    f"hint of row {idx} names unknown {kind} {bad}: {text!r}; fix the codes."
                )
        if found["point"]:
            lon, lat = map(float, found["point"].groups())
            pt = gpd.GeoSeries([shapely.Point(lon, lat)], crs="EPSG:4326")
            geom, kind = to_crs(gpd.GeoDataFrame(geometry=pt), crs).geometry.iloc[0], "point"
        elif codes["waypoints"]:
            geom = shapely.MultiPoint([lookup["waypoints"][w] for w in codes["waypoints"]])
            kind = "waypoints"
        elif codes["communes"]:
            geom = shapely.union_all([lookup["communes"][c] for c in codes["communes"]])
            kind = "commune polygon"
        elif codes["districts"]:
            geom = shapely.union_all([lookup["districts"][c] for c in codes["districts"]])
            kind = "district polygon"
        else:
            geom, kind = None, "none"
        rows.append(
            {
                "geometry_kind": kind,
                "commune_codes": ";".join(codes["communes"]) or None,
                "district_codes": ";".join(codes["districts"]) or None,
                "geometry": geom,
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=crs, index=hints.index)
