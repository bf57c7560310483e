"""Roads from OpenStreetMap extracts: read, filter, clip, normalise road numbers, match segments.

Planners download the Vietnam extract from Geofabrik (``vietnam-latest.osm.pbf``) and turn it
into two kinds of layers (``gis import FILE --as osm_roads`` / ``--as road_alignments``):

* :func:`read_osm_roads` keeps the road classes a provincial plan uses (:data:`DEFAULT_HIGHWAYS`,
  more on request from :data:`OPTIONAL_HIGHWAYS`), clips them to an area (the province outline)
  in the planning CRS and gives each way a normalised road number (:func:`normalise_ref`), a
  surface class and a road class;
* :func:`alignments_from_extract` (:func:`match_alignments` on frames) finds, for each segment
  of the schematic ``roads`` layer, the OSM ways carrying its road number near it and returns
  one line per segment as a ``road_alignments`` layer, which
  :func:`gis.plan.schematic_lines` (``tools/build_plan_layers.py``) puts in place of the
  schematic line. Segments with no match are reported with the reason, never drawn.

The module is pure: it reads the extract and frames it is given, never the layer store.

Why GDAL's OSM driver (through pyogrio) and not osmium or pyrosm: it is already installed, in
the GDAL that pyogrio's wheels bundle (``pyogrio.list_drivers()["OSM"] == "r"`` with pyogrio
0.13 / GDAL 3.12.4), where neither ``osmium`` nor ``pyrosm`` is a dependency; it reads both
``.osm.pbf`` and ``.osm`` XML (``tests/test_osm.py`` reads the same ways from both), where
pyrosm reads ``.osm.pbf`` only (its PyPI description); it assembles ways into lines itself
(layer ``lines``), where pyosmium needs a handler that builds each way's geometry; and it
takes the spatial and attribute filters of :func:`pyogrio.read_dataframe`, so only the roads
of the wanted classes in the area's bounding box reach Python. GDAL still scans the whole file
(a ``.pbf`` has no spatial index), so the filters save memory, not time. Measured 2026-12-05
(2-core AMD EPYC, 23 GB) on synthetic OSM XML, ways of 10 nodes spread over Vietnam, read
whole and with the Lai Châu outline:

================================  ==============================  ============================
file                              whole ``lines`` layer           :func:`read_osm_roads`
================================  ==============================  ============================
102 MB: 1 M nodes, 100,000 ways   1.5 s, 100,000 rows, +228 MB    1.2 s, 441 rows, +157 MB
520 MB: 5 M nodes, 500,000 ways   6.9 s, 500,000 rows, +550 MB    5.8 s, 1,930 rows, +176 MB
================================  ==============================  ============================

(+MB: growth of the peak resident memory.) The filtered read stays near GDAL's node cache
(``OSM_MAX_TMPFILE_SIZE``, 100 MB in memory before it spills to a temporary file) whatever
the size of the extract; the whole read grows with it. No real extract was at hand: the time
for Geofabrik's Vietnam file is not measured here.

Tags: GDAL's default ``osmconf.ini`` gives ``name`` and ``highway`` as columns and every other
tag in ``other_tags``, hstore-like (``"ref"=>"QL4D","surface"=>"asphalt"``, with ``"`` and
``\\`` escaped by a backslash), read by :func:`parse_other_tags`.

Road classes (``highway=*``): the default keeps ``motorway``, ``trunk``, ``primary``,
``secondary``, ``tertiary`` and their ``_link`` ways. ``motorway`` is added to the four
classes of a provincial road plan because Vietnamese expressways (cao tốc, CT.xx) are mapped
as motorways; without them the expressway class could never come from OSM. Links are kept in
``osm_roads``: they are the ramps and slip roads that connect the classes at junctions and
interchanges, so a network without them is cut at every interchange; they are left out of
segment matching, where a ramp carrying the road's number would add a branch to the road.
``unclassified`` (commune roads), ``track`` (unpaved farm and forest roads) and
``residential`` only on request: a provincial plan does not map them, and they multiply the
number of ways.

Road numbers (``ref``) are normalised to the forms of the plan documents: national roads
``QL.4D`` (from ``QL4D``, ``QL 4D``, ``ql.4d``, ``Quốc lộ 4D`` and the bare ``4D``),
provincial roads ``ĐT.127`` (from ``ĐT127``, ``DT.127``, ``ĐT 127``, ``TL127`` for *tỉnh lộ*,
and ``ÐT`` typed with the look-alike letter U+00D0), expressways ``CT.05``; several numbers
stay ``;``-joined (``QL.4D;QL.12``); anything else is kept as given (NFC).

Matching a segment (:func:`match_alignments`): its road number must be a road number (a
planned expressway named in words has nothing to look up); the OSM ways (links excluded) whose
numbers include it are cut to a corridor of :data:`MATCH_BUFFER_M` around the schematic line;
the segment's two ends are snapped to the nearest point of those ways, which must lie within
:data:`MATCH_END_M`; the alignment is the shortest path along the ways between the two snapped
points. A shortest path rather than :func:`shapely.line_merge` alone, because ``line_merge``
stops wherever the ways fork or loop: a dual carriageway through a town (two one-way ways), a
roundabout, an old alignment still carrying the number leave a MultiLineString, not one line
between the segment's ends (``tests/test_osm.py`` shows it on a dual carriageway at Lai Châu
city). No line is drawn where OSM has none: a segment whose ways do not connect between its
ends is reported with the size of the gap.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pyogrio
import shapely
from shapely.ops import substring

from gis.crs import require_metric_crs, to_crs
from gis.errors import InputFileError, LayerError

__all__ = [
    "DEFAULT_HIGHWAYS",
    "MATCH_BUFFER_M",
    "MATCH_END_M",
    "OPTIONAL_HIGHWAYS",
    "OSM_ACCURACY_PREFIX",
    "AlignmentMatch",
    "alignments_from_extract",
    "attribution",
    "combine_alignments",
    "extract_date",
    "highway_classes",
    "is_osm_file",
    "layer_meta",
    "match_alignments",
    "normalise_ref",
    "parse_other_tags",
    "read_osm_roads",
    "road_class",
    "surface_class",
]

#: ``highway=*`` values kept by default (see the module docstring for the choice).
DEFAULT_HIGHWAYS: tuple[str, ...] = (
    "motorway",
    "motorway_link",
    "trunk",
    "trunk_link",
    "primary",
    "primary_link",
    "secondary",
    "secondary_link",
    "tertiary",
    "tertiary_link",
)
#: ``highway=*`` values kept only when asked for (``gis import ... --highway track``).
OPTIONAL_HIGHWAYS: tuple[str, ...] = ("unclassified", "track", "residential")

#: Half-width of the corridor around a schematic segment in which OSM ways are looked for (m).
#: The schematic lines are ±1-3 km at their waypoints (``roads`` accuracy; the ends of 13 of the
#: 16 Lai Châu segments are known to ±3 km or better, from ``_sources/waypoints.csv``), and a
#: mountain road bends away from the straight line between two waypoints; 2 km is added for the
#: bends. Only ways carrying the segment's own road number are looked at, so a wide corridor
#: does not let other roads in; a corridor too narrow cuts the road and leaves a gap (the
#: segment is then reported unmatched, never drawn wrong).
MATCH_BUFFER_M = 5_000.0
#: Farthest a segment end may be from the OSM ways of its road (m): the worst accuracy of a
#: junction, commune or border-gate waypoint (±3 km), the distance the profile's ``near`` rule
#: allows for those points. An end farther away means OSM holds only part of the segment.
MATCH_END_M = 3_000.0
#: Start of the ``accuracy`` of an alignment made here; marks the rows an OSM import replaces.
OSM_ACCURACY_PREFIX = "OpenStreetMap ways"

M_PER_KM = 1_000.0
_SUFFIXES = (".osm.pbf", ".pbf", ".osm")
_COMPRESSED = (".osm.bz2", ".osm.gz", ".osm.zip", ".pbf.zip")
_SURFACES = {
    "paved": {
        "paved",
        "asphalt",
        "concrete",
        "concrete:plates",
        "concrete:lanes",
        "chipseal",
        "paving_stones",
        "sett",
        "cobblestone",
        "unhewn_cobblestone",
        "bricks",
        "metal",
        "wood",
    },
    "unpaved": {
        "unpaved",
        "gravel",
        "fine_gravel",
        "compacted",
        "dirt",
        "earth",
        "ground",
        "grass",
        "mud",
        "sand",
        "rock",
        "pebblestone",
        "woodchips",
        "grass_paver",
    },
}
_CLASS_RANK = {"expressway": 0, "national": 1, "provincial": 2, "other": 3}
_PREFIX_CLASS = {"CT": "expressway", "QL": "national", "ĐT": "provincial"}
_NUMBER = r"\s*[.\-]?\s*(\d{1,3}[A-Z]?)"
_REF_FORMS = (  # (prefix of the normalised ref, pattern on the upper-cased, NFC text)
    ("CT", re.compile(rf"(?:CT|CAO TỐC|CAO TOC){_NUMBER}")),
    ("ĐT", re.compile(rf"(?:ĐT|DT|TL|ĐƯỜNG TỈNH|DUONG TINH|TỈNH LỘ|TINH LO){_NUMBER}")),
    ("QL", re.compile(rf"(?:QL|QUỐC LỘ|QUOC LO)?{_NUMBER}")),
)
_ROAD_NUMBER = re.compile(r"(?:CT|QL|ĐT)\.\d{1,3}[A-Z]?")
_TAG = re.compile(r'"((?:[^"\\]|\\.)*)"\s*=>\s*(?:"((?:[^"\\]|\\.)*)"|(NULL))')
_UNESCAPE = re.compile(r"\\(.)")
_MORE_CLASSES = (
    f"Add classes with --highway ({', '.join(OPTIONAL_HIGHWAYS)}) if the area has only smaller "
    "roads."
)


# --- files ---------------------------------------------------------------------------------------


def is_osm_file(path: str | Path) -> bool:
    """Return True if ``path`` is named like an OSM extract (``.osm.pbf``, ``.pbf``, ``.osm``,
    or a compressed ``.osm.bz2`` that :func:`read_osm_roads` refuses with a hint)."""
    name = Path(path).name.lower()
    return name.endswith(_SUFFIXES) or name.endswith(_COMPRESSED)


def _xml_root(path: Path) -> str:
    """The ``<osm ...>`` start tag (and what follows it in the first 4 kB)."""
    with path.open("rb") as f:
        head = f.read(4096).decode("utf-8", errors="replace")
    start = head.find("<osm")
    if start < 0 or not re.match(r"<osm[\s>]", head[start:]):
        raise ValueError("no <osm> root element")
    return head[start:]


def _check_file(path: Path) -> str:
    """Return ``"pbf"`` or ``"xml"``; raise InputFileError if ``path`` is not an OSM extract."""
    name = path.name.lower()
    if name.endswith(_COMPRESSED):
        raise InputFileError(
            f"'{path}' is compressed; GDAL's OSM driver reads .osm.pbf and plain .osm. Download "
            "the .osm.pbf extract instead (Geofabrik: vietnam-latest.osm.pbf), or decompress "
            "the file first (bunzip2 / gunzip / unzip)."
        )
    if not path.exists():
        raise InputFileError(
            f"'{path}' does not exist. Download the extract first, e.g. "
            "https://download.geofabrik.de/asia/vietnam-latest.osm.pbf, and give its path."
        )
    kind = "pbf" if name.endswith(".pbf") else "xml"
    try:
        if kind == "pbf":  # GDAL reads the header block: a file of another format fails here
            pyogrio.read_info(path, layer="lines")
        else:
            _xml_root(path)
    except (
        ValueError,
        OSError,
        pyogrio.errors.DataSourceError,
        pyogrio.errors.DataLayerError,
    ) as exc:
        raise InputFileError(
            f"'{path}' is not an OSM {kind.upper()} file ({exc}). Is it an OpenStreetMap "
            "extract (e.g. Geofabrik's vietnam-latest.osm.pbf), or a file of another format "
            "renamed? Other "
            "formats are imported by their own extension (.gpkg, .geojson, ...)."
        ) from None
    return kind


def extract_date(path: str | Path) -> str | None:
    """Return the date of an OSM extract if known: the file's own for XML, else the file date.

    XML: the ``timestamp`` attribute of ``<osm>`` or the ``osm_base`` of Overpass's ``<meta>``
    (UTC, ISO 8601). PBF: GDAL does not expose the header's replication timestamp, and reading
    the protocol-buffers header by hand is not worth its code, so the date of the file on disk
    (``YYYY-MM-DD (file date)``; for a Geofabrik download, the day it was downloaded) stands in.

    Raises
    ------
    InputFileError
        If the file is missing or not an OSM extract.
    """
    path = Path(path)
    if _check_file(path) == "pbf":
        stamp = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        return f"{stamp:%Y-%m-%d} (file date)"
    head = _xml_root(path)
    root = head[: head.find(">") + 1]
    found = re.search(r'\btimestamp="([^"]+)"', root) or re.search(
        r'<meta\b[^>]*\bosm_base="([^"]+)"', head
    )
    return found.group(1) if found else None


def attribution(
    path: str | Path,
    *,
    source: str = "OpenStreetMap contributors",
    licence: str = "ODbL-1.0",
) -> str:
    """Return the source text of data from extract ``path``: who, licence, file and date.

    >>> attribution("vietnam-latest.osm.pbf")  # doctest: +SKIP
    'OpenStreetMap contributors, ODbL-1.0, extract vietnam-latest.osm.pbf of 2026-11-30T21:21:02Z'
    """
    when = extract_date(path)
    return f"{source}, {licence}, extract {Path(path).name} " + (
        f"of {when}" if when else "(date not stated in the file)"
    )


# --- tags ----------------------------------------------------------------------------------------


def parse_other_tags(text: object) -> dict[str, str]:
    """Parse GDAL's ``other_tags`` (``"k"=>"v","k2"=>"v2"``, ``\\"`` and ``\\\\`` escaped).

    Keys and values may hold commas, ``=>``, quotes and backslashes; a ``NULL`` value is
    dropped; an empty or missing text gives ``{}``.

    >>> parse_other_tags('"ref"=>"QL4D","name:en"=>"Road \\\\"4D\\\\", => x"')
    {'ref': 'QL4D', 'name:en': 'Road "4D", => x'}
    """
    if not isinstance(text, str) or not text:
        return {}
    return {
        _UNESCAPE.sub(r"\1", k): _UNESCAPE.sub(r"\1", v)
        for k, v, null in _TAG.findall(text)
        if not null
    }


def _one_ref(ref: str) -> str:
    text = " ".join(unicodedata.normalize("NFC", ref).split())
    upper = text.upper().replace("Ð", "Đ")  # U+00D0 (Icelandic eth) looks like Đ (U+0110)
    for prefix, pattern in _REF_FORMS:
        m = pattern.fullmatch(upper)
        if m:
            number = m.group(1)
            return f"{prefix}.{number.zfill(2) if prefix == 'CT' else number}"
    return text


def normalise_ref(ref: object) -> str | None:
    """Return a road number in the form of Vietnamese plan documents, or as given if unknown.

    ``QL4D``, ``4D``, ``QL 4D``, ``ql.4d``, ``Quốc lộ 4D`` -> ``QL.4D``; ``ĐT127``,
    ``DT.127``, ``ĐT 127``, ``TL127`` (*tỉnh lộ*) -> ``ĐT.127``; ``CT5``, ``CT 05`` ->
    ``CT.05``; ``;``-separated refs each, kept in order without repeats. A bare number is read
    as a national road (provincial and expressway numbers carry their prefix). Anything else
    is returned NFC, with spaces collapsed; an empty ref gives None.

    >>> normalise_ref("QL4D; ql.12;4D")
    'QL.4D;QL.12'
    >>> normalise_ref("TL127"), normalise_ref("AH14")
    ('ĐT.127', 'AH14')
    """
    if not isinstance(ref, str):
        return None
    parts = [_one_ref(p) for p in ref.split(";") if p.strip()]
    return ";".join(dict.fromkeys(parts)) or None


def surface_class(surface: object) -> str:
    """Map an OSM ``surface=*`` value to ``paved``, ``unpaved`` or ``unknown``."""
    value = surface.strip().lower() if isinstance(surface, str) else ""
    for cls, values in _SURFACES.items():
        if value in values:
            return cls
    return "unknown"


def road_class(road_ref: object, highway: object) -> str:
    """Return ``expressway``, ``national``, ``provincial`` or ``other``.

    From the prefix of the normalised ref (CT, QL, ĐT; the highest when there are several),
    else ``expressway`` for ``highway=motorway(_link)``, else ``other``: OSM's ``trunk`` and
    ``primary`` are used in Vietnam both for national roads and for city arterials, so the
    highway class alone does not say who manages a road.
    """
    found = [
        _PREFIX_CLASS[r.split(".")[0]]
        for r in (road_ref.split(";") if isinstance(road_ref, str) else [])
        if _ROAD_NUMBER.fullmatch(r)
    ]
    if found:
        return min(found, key=_CLASS_RANK.__getitem__)
    if isinstance(highway, str) and highway.startswith("motorway"):
        return "expressway"
    return "other"


def highway_classes(extra: Iterable[str] = (), *, default: bool = True) -> tuple[str, ...]:
    """Return the ``highway=*`` classes to keep: the defaults plus ``extra``.

    Raises
    ------
    LayerError
        If a name is not one of :data:`DEFAULT_HIGHWAYS` or :data:`OPTIONAL_HIGHWAYS`.
    """
    extra = [e.strip().lower() for e in extra if e and e.strip()]
    known = (*DEFAULT_HIGHWAYS, *OPTIONAL_HIGHWAYS)
    unknown = [e for e in extra if e not in known]
    if unknown:
        raise LayerError(
            f"unknown road class(es) {unknown}; use OSM highway values among "
            f"{', '.join(known)} (the defaults {', '.join(DEFAULT_HIGHWAYS)} are always kept)."
        )
    return tuple(dict.fromkeys([*(DEFAULT_HIGHWAYS if default else ()), *extra]))


# --- reading -------------------------------------------------------------------------------------


def _line_parts(geom) -> shapely.Geometry | None:
    """The line parts of a clip result (points where a way only touches the area dropped)."""
    if geom is None or geom.is_empty:
        return None
    parts = [p for p in shapely.get_parts(geom) if p.geom_type == "LineString" and p.length > 0]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else shapely.MultiLineString(parts)


def _read_lines(path: Path, **filters) -> pd.DataFrame:
    """GDAL's ``lines`` layer of ``path`` (ways as lines), filtered while GDAL reads."""
    columns = ["osm_id", "name", "highway", "other_tags"]
    try:
        try:
            return pyogrio.read_dataframe(path, layer="lines", columns=columns, **filters)
        except Exception as exc:
            if "Non increasing node id" not in str(exc):
                raise
        # Nodes not sorted by id (a file saved by JOSM or edited by hand): GDAL's default node
        # index needs sorted ids, its SQLite index does not (tests/test_osm.py reads such a file).
        pyogrio.set_gdal_config_options({"OSM_USE_CUSTOM_INDEXING": "NO"})
        try:
            return pyogrio.read_dataframe(path, layer="lines", columns=columns, **filters)
        finally:
            pyogrio.set_gdal_config_options({"OSM_USE_CUSTOM_INDEXING": None})
    except Exception as exc:  # GDAL's messages: DataSourceError, FeatureError, ...
        raise InputFileError(
            f"GDAL could not read the ways of '{path}': {exc}. Is the download complete? "
            "Download the extract again (Geofabrik publishes an .md5 to check it)."
        ) from None


def read_osm_roads(
    path: str | Path,
    area: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    highways: Sequence[str] = DEFAULT_HIGHWAYS,
) -> gpd.GeoDataFrame:
    """Read the roads of an OSM extract that lie in ``area``, in ``area``'s (metric) CRS.

    Parameters
    ----------
    path : str or Path
        ``.osm.pbf`` or ``.osm`` (XML) extract, e.g. Geofabrik's ``vietnam-latest.osm.pbf``.
    area : GeoDataFrame or GeoSeries
        Polygon(s) in a projected metric CRS (the province outline in the planning CRS). Only
        ways in its bounding box are read (GDAL's spatial filter); they are clipped to it.
    highways : sequence of str
        ``highway=*`` classes to keep (:func:`highway_classes`; default
        :data:`DEFAULT_HIGHWAYS`).

    Returns
    -------
    GeoDataFrame
        One row per way: ``osm_id`` (int), ``highway``, ``road_ref`` (:func:`normalise_ref`),
        ``name``, ``surface`` (:func:`surface_class`), ``road_class`` (:func:`road_class`),
        ``length_km`` (after clipping, in the CRS of ``area``, 1 m precision) and the line
        (a MultiLineString where the area cuts a way in several parts).

    Raises
    ------
    InputFileError
        If the file is missing, compressed, or not an OSM extract.
    LayerError
        If a class is unknown, or no road of the classes is left in the area (the message
        gives the classes and the bounding box).
    CRSError
        If ``area`` is not in a metric CRS.
    """
    return _read_roads(Path(path), area, highways=highways)


def _read_roads(
    path: Path,
    area: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    highways: Sequence[str],
    hint: str = _MORE_CLASSES,
) -> gpd.GeoDataFrame:
    """:func:`read_osm_roads`, with ``hint`` ending the message when no road is left."""
    _check_file(path)
    highways = highway_classes(highways, default=False)
    if not highways:
        raise LayerError(f"no road class given; use some of {', '.join(DEFAULT_HIGHWAYS)}.")
    crs = require_metric_crs(area, name="the area to clip to", purpose="road lengths")
    lon0, lat0, lon1, lat1 = to_crs(gpd.GeoSeries(area.geometry), "EPSG:4326").total_bounds
    where = "highway IN ({})".format(", ".join(f"'{h}'" for h in highways))  # known names only
    data = _read_lines(path, bbox=(lon0, lat0, lon1, lat1), where=where)
    bbox = f"lon {lon0:.3f} .. {lon1:.3f}, lat {lat0:.3f} .. {lat1:.3f}"
    classes = ", ".join(highways)

    def none_left(where_: str) -> LayerError:
        return LayerError(
            f"no road of class(es) {classes} {where_} in '{path}' (bounding box {bbox}). Is it "
            f"the extract of the right country or region? {hint}"
        )

    if len(data) == 0:
        raise none_left("in the bounding box of the area")
    tags = data["other_tags"].map(parse_other_tags)
    data = data.assign(
        osm_id=pd.to_numeric(data["osm_id"]).astype("int64"),
        road_ref=tags.map(lambda t: normalise_ref(t.get("ref"))),
        surface=tags.map(lambda t: surface_class(t.get("surface"))),
    )
    data["road_class"] = [
        road_class(r, h) for r, h in zip(data["road_ref"], data["highway"], strict=True)
    ]
    data = to_crs(data, crs)
    outline = shapely.union_all(np.asarray(area.geometry.values))
    shapely.prepare(outline)
    clipped = shapely.intersection(np.asarray(data.geometry.values), outline)
    data = data.set_geometry(
        gpd.GeoSeries([_line_parts(g) for g in clipped], index=data.index, crs=crs)
    )
    data = data[data.geometry.notna()]
    if len(data) == 0:
        raise none_left("inside the area (all were cut away by the clip)")
    data["length_km"] = (data.geometry.length / M_PER_KM).round(3)
    columns = ["osm_id", "highway", "road_ref", "name", "surface", "road_class", "length_km"]
    return data[[*columns, "geometry"]].sort_values("osm_id").reset_index(drop=True)


# --- matching ------------------------------------------------------------------------------------


class AlignmentMatch(NamedTuple):
    """Result of :func:`match_alignments`.

    Attributes
    ----------
    alignments : GeoDataFrame
        The ``road_alignments`` layer: one line per matched segment with ``segment_id``,
        ``road_ref``, ``accuracy`` (starting with :data:`OSM_ACCURACY_PREFIX`), ``source``.
    report : DataFrame
        One row per segment: ``segment_id``, ``road_ref``, ``status`` (``matched`` or
        ``unmatched``), ``osm_ids`` (``;``-joined), ``schematic_km``, ``alignment_km`` and
        ``detail`` (the reason of a failure, or the distances of the ends).
    """

    alignments: gpd.GeoDataFrame
    report: pd.DataFrame


def _split_at(line: shapely.LineString, distances: Iterable[float]) -> list[shapely.LineString]:
    cuts = sorted({0.0, line.length, *(min(max(d, 0.0), line.length) for d in distances)})
    pieces = [substring(line, a, b) for a, b in itertools.pairwise(cuts)]
    return [p for p in pieces if p.geom_type == "LineString" and p.length > 0]


def _key(xy) -> tuple[float, float]:
    return (round(xy[0], 3), round(xy[1], 3))  # mm: ways sharing an OSM node meet exactly


class _Path(NamedTuple):
    line: shapely.LineString | None  # None: no path
    osm_ids: list[int]
    gap_m: float  # shortest distance between the two ends' parts of the network, if no path
    start_m: float  # distance of the segment's start from the ways
    end_m: float


def _path(ways: list[tuple[int, shapely.LineString]], start, end) -> _Path:
    """Shortest path along ``ways`` (osm_id, line) between the points nearest start and end."""
    lines = [g for _, g in ways]
    snaps = []  # (index of the nearest way, position along it, distance)
    for point in (start, end):
        dist = shapely.distance(lines, point)
        i = int(np.argmin(dist))
        snaps.append((i, lines[i].project(point), float(dist[i])))
    graph = nx.Graph()
    for i, (osm_id, line) in enumerate(ways):
        for piece in _split_at(line, [d for j, d, _ in snaps if j == i]):
            for a, b in itertools.pairwise(shapely.get_coordinates(piece)):
                if _key(a) != _key(b):
                    graph.add_edge(
                        _key(a), _key(b), length=float(np.hypot(*(b - a))), osm_id=osm_id
                    )
    ends = [_key(shapely.get_coordinates(lines[i].interpolate(d))[0]) for i, d, _ in snaps]
    start_m, end_m = snaps[0][2], snaps[1][2]
    try:
        nodes = nx.shortest_path(graph, ends[0], ends[1], weight="length")
    except nx.NetworkXNoPath:
        parts = [nx.node_connected_component(graph, e) for e in ends]
        gap = shapely.MultiPoint(list(parts[0])).distance(shapely.MultiPoint(list(parts[1])))
        return _Path(None, [], gap, start_m, end_m)
    if len(nodes) < 2:
        return _Path(None, [], 0.0, start_m, end_m)
    along: dict[int, float] = {}
    for edge in itertools.pairwise(nodes):
        osm_id = graph.edges[edge]["osm_id"]
        along[osm_id] = along.get(osm_id, 0.0) + graph.edges[edge]["length"]
    # a way touched for less than a metre (an end snapped next to the node where it meets the
    # next way, through storage rounding) is not named as a source of the line
    ids = [i for i, metres in along.items() if metres >= 1.0] or list(along)
    return _Path(shapely.LineString(nodes), ids, 0.0, start_m, end_m)


def _match_segment(
    geom,
    ref: str,
    names: list[str],
    ways: gpd.GeoDataFrame,
    refs: pd.Series,
    *,
    buffer_m: float,
    end_m: float,
) -> tuple[_Path | None, str]:
    """The path of one segment along the ways carrying ``ref``, or None and the reason."""
    if not _ROAD_NUMBER.fullmatch(ref):
        return None, (
            "not a road number (QL.n, ĐT.n, CT.nn; a planned road named in words): nothing to "
            "look up in OpenStreetMap"
        )
    if geom is None or geom.is_empty or geom.geom_type != "LineString":
        return None, "the segment has no single line to follow"
    km = f"{buffer_m / M_PER_KM:g} km"
    near = ways[refs.map(lambda r: ref in r)]
    cut = shapely.intersection(np.asarray(near.geometry.values), geom.buffer(buffer_m))
    parts = [
        (int(osm_id), p)
        for osm_id, g in zip(near["osm_id"], cut, strict=True)
        for p in shapely.get_parts(g)
        if p.geom_type == "LineString" and p.length > 0
    ]
    if not parts:
        return None, f"no OSM way with ref {ref} within {km} of the schematic line"
    path = _path(parts, shapely.Point(geom.coords[0]), shapely.Point(geom.coords[-1]))
    far = [(n, d) for n, d in zip(names, (path.start_m, path.end_m), strict=True) if d > end_m]
    if far:
        return None, "; ".join(
            f"OSM ways with ref {ref} pass {d / M_PER_KM:.1f} km from {n} "
            f"(> {end_m / M_PER_KM:g} km): OSM holds only part of the segment"
            for n, d in far
        )
    if path.line is None and path.gap_m > 0:
        return None, (
            f"OSM ways with ref {ref} within {km} do not connect {names[0]} to {names[1]} "
            f"(gap of {path.gap_m / M_PER_KM:.1f} km): a way without the ref, or not mapped; "
            "tag it in OSM or supply a surveyed line"
        )
    if path.line is None:
        return None, "both ends snap to the same point of the OSM ways"
    return path, f"ends {path.start_m:,.0f} m from {names[0]}, {path.end_m:,.0f} m from {names[1]}"


def match_alignments(
    osm_roads: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame,
    *,
    source: str = "OpenStreetMap contributors, ODbL-1.0",
    buffer_m: float = MATCH_BUFFER_M,
    end_m: float = MATCH_END_M,
    segment_id: str = "segment_id",
    ref_column: str = "road_ref",
) -> AlignmentMatch:
    """Match the OSM ways of each road segment's number to the segment; one line per segment.

    Parameters
    ----------
    osm_roads : GeoDataFrame
        Output of :func:`read_osm_roads` (``osm_id``, ``highway``, ``road_ref``, lines).
    roads : GeoDataFrame
        The segments (``segment_id``, ``road_ref``, line from its start to its end), e.g. the
        schematic ``roads`` layer; the output is in its (metric) CRS. ``from_waypoint`` and
        ``to_waypoint``, if present, name the ends in the report.
    source : str
        Source text given to every alignment (:func:`attribution`).
    buffer_m : float
        Half-width of the corridor around a segment searched for its ways
        (:data:`MATCH_BUFFER_M`).
    end_m : float
        Farthest a segment end may be from those ways (:data:`MATCH_END_M`).
    segment_id, ref_column : str
        Column names in ``roads``.

    Returns
    -------
    AlignmentMatch
        ``alignments`` (the ``road_alignments`` layer, matched segments only) and ``report``
        (every segment, with the reason when unmatched). See the module docstring for the
        method.

    Raises
    ------
    LayerError
        If a column is missing.
    CRSError
        If ``roads`` is not in a metric CRS.
    """
    for frame, cols, what in (
        (roads, [segment_id, ref_column], "the road segments"),
        (osm_roads, ["osm_id", "highway", "road_ref"], "the OSM roads"),
    ):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise LayerError(
                f"{what} lack column(s) {missing}; found {list(frame.columns)}. Pass the "
                "schematic `roads` layer and the output of gis.osm.read_osm_roads."
            )
    crs = require_metric_crs(roads, name="roads", purpose="matching distances")
    ways = to_crs(osm_roads, crs)
    ways = ways[~ways["highway"].astype(str).str.endswith("_link") & ways.geometry.notna()]
    refs = ways["road_ref"].map(lambda r: set(r.split(";")) if isinstance(r, str) else set())
    rows, lines = [], []
    for _, seg in roads.iterrows():
        given, geom = seg[ref_column], seg.geometry
        ref = normalise_ref(given) or ""
        names = [
            f"'{seg[c]}'" if c in roads.columns and isinstance(seg[c], str) and seg[c] else label
            for c, label in (("from_waypoint", "its start"), ("to_waypoint", "its end"))
        ]
        path, detail = _match_segment(geom, ref, names, ways, refs, buffer_m=buffer_m, end_m=end_m)
        ids = ";".join(str(i) for i in path.osm_ids) if path else ""
        rows.append(
            {
                "segment_id": str(seg[segment_id]),
                "road_ref": ref or given,
                "status": "matched" if path else "unmatched",
                "osm_ids": ids,
                "schematic_km": round(geom.length / M_PER_KM, 3) if geom is not None else None,
                "alignment_km": round(path.line.length / M_PER_KM, 3) if path else None,
                "detail": detail,
            }
        )
        if path:
            lines.append(
                {
                    "segment_id": str(seg[segment_id]),
                    "road_ref": ref,
                    "accuracy": f"{OSM_ACCURACY_PREFIX} {ids} (ref {ref}), as mapped in OSM; ends "
                    f"{path.start_m:,.0f} m and {path.end_m:,.0f} m from the segment's "
                    "waypoints",
                    "source": source,
                    "geometry": path.line,
                }
            )
    report = pd.DataFrame(
        rows,
        columns=[
            "segment_id",
            "road_ref",
            "status",
            "osm_ids",
            "schematic_km",
            "alignment_km",
            "detail",
        ],
    )
    columns = ["segment_id", "road_ref", "accuracy", "source", "geometry"]
    alignments = gpd.GeoDataFrame(lines, columns=columns, geometry="geometry", crs=crs)
    return AlignmentMatch(alignments, report)


def alignments_from_extract(
    path: str | Path,
    roads: gpd.GeoDataFrame,
    *,
    source: str | None = None,
    buffer_m: float = MATCH_BUFFER_M,
    end_m: float = MATCH_END_M,
) -> AlignmentMatch:
    """Read the OSM roads near the ``roads`` segments from extract ``path`` and match them.

    The ways are read in the corridors of the segments (not clipped to the province: segments
    run on to towns and interchanges beyond it), with the default classes. ``source`` defaults
    to :func:`attribution` of ``path``. See :func:`match_alignments` for the rest.

    Raises
    ------
    InputFileError, LayerError
        As :func:`read_osm_roads` (no road near any segment) and :func:`match_alignments`.
    """
    require_metric_crs(roads, name="roads", purpose="matching distances")
    lines = roads.geometry[roads.geometry.notna() & ~roads.geometry.is_empty]
    corridors = gpd.GeoSeries([shapely.union_all(lines.buffer(buffer_m).values)], crs=roads.crs)
    osm = _read_roads(
        Path(path),
        corridors,
        highways=DEFAULT_HIGHWAYS,
        hint="Road segments are matched on these classes only.",
    )
    return match_alignments(
        osm, roads, source=source or attribution(path), buffer_m=buffer_m, end_m=end_m
    )


def combine_alignments(
    existing: gpd.GeoDataFrame | None, new: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Put OSM alignments ``new`` in place of earlier OSM ones, keeping other supplied lines.

    A row of ``existing`` whose ``accuracy`` does not start with :data:`OSM_ACCURACY_PREFIX`
    (a surveyed or hand-drawn line) is kept and wins over OSM for its segment.

    Returns
    -------
    (GeoDataFrame, list of str)
        The combined layer, in the CRS of ``new``, and the segment ids kept from ``existing``.
    """
    if existing is None or len(existing) == 0 or "segment_id" not in existing.columns:
        return new, []
    acc = existing["accuracy"] if "accuracy" in existing.columns else pd.Series("", existing.index)
    other = existing[~acc.fillna("").astype(str).str.startswith(OSM_ACCURACY_PREFIX)]
    kept = sorted(other["segment_id"].astype(str).unique())
    if not kept:
        return new, []
    other = to_crs(other, new.crs)
    rest = new[~new["segment_id"].astype(str).isin(kept)]
    out = pd.concat([other[[c for c in new.columns if c in other.columns]], rest])
    return gpd.GeoDataFrame(out, geometry="geometry", crs=new.crs).reset_index(drop=True), kept


# --- layer metadata ------------------------------------------------------------------------------


def _col(
    name: str,
    dtype: str = "str",
    *,
    required: bool = False,
    unique: bool = False,
    allowed: Sequence[str] = (),
    description: str = "",
) -> dict:
    out = {
        "name": name,
        "dtype": dtype,
        "required": required,
        "unique": unique,
        "description": description,
    }
    if allowed:
        out["allowed"] = list(allowed)
    return out


def layer_meta(
    kind: str,
    *,
    source: str,
    licence: str,
    extract: str | Path,
    highways: Sequence[str] = DEFAULT_HIGHWAYS,
    crs: str,
) -> dict:
    """Return the schema and provenance of an ``osm_roads`` or ``road_alignments`` layer.

    Parameters
    ----------
    kind : {"osm_roads", "road_alignments"}
    source, licence : str
        Provenance (``--source`` / ``--licence``).
    extract : str or Path
        The extract read; its name and date go into the provenance.
    highways : sequence of str
        Classes kept (``osm_roads``).
    crs : str
        The planning CRS the layer is stored in.

    Raises
    ------
    LayerError
        If ``kind`` is not one of the two.
    """
    when = extract_date(extract)
    name = Path(extract).name
    if kind == "osm_roads":
        title = (
            "Roads from OpenStreetMap (" + ", ".join(h for h in highways if "_link" not in h) + ")"
        )
        columns = [
            _col("osm_id", "int", required=True, unique=True, description="OSM way id"),
            _col("highway", required=True, allowed=highways, description="OSM highway=*"),
            _col(
                "road_ref",
                description="road number(s) normalised (QL.4D, ĐT.127, CT.05), "
                "';'-joined; other refs as given",
            ),
            _col("name", description="OSM name"),
            _col(
                "surface",
                required=True,
                allowed=["paved", "unpaved", "unknown"],
                description="from OSM surface=*",
            ),
            _col(
                "road_class",
                required=True,
                allowed=["expressway", "national", "provincial", "other"],
                description="from the ref prefix (CT, QL, ĐT), else motorway = expressway",
            ),
            _col(
                "length_km",
                "float",
                required=True,
                description="length inside the province, in the planning CRS",
            ),
        ]
        processing = (
            f"gis.osm.read_osm_roads: ways of {name} with highway in {', '.join(highways)} "
            "read with GDAL's OSM driver within the province's bounding box, reprojected with "
            "the pinned VN-2000 shift, clipped to the province outline; refs normalised."
        )
        accuracy = "as mapped in OpenStreetMap (varies by mapper; not checked against a survey)"
        geometry_type, id_column = "LineString", "osm_id"
    elif kind == "road_alignments":
        title = "Road alignments from OpenStreetMap, matched to the schematic road segments"
        columns = [
            _col(
                "segment_id",
                required=True,
                unique=True,
                description="segment of the roads layer the line replaces",
            ),
            _col("road_ref", description="road number matched in OSM"),
            _col("accuracy", required=True, description="OSM way ids and distance of the ends"),
            _col("source", required=True),
        ]
        processing = (
            f"gis.osm.match_alignments on {name}: per segment, OSM ways (no links) with its road "
            "number within the corridor, shortest path between the points nearest the "
            "segment's ends; rebuild the roads with tools/build_plan_layers.py."
        )
        accuracy = "per row (OpenStreetMap ways as mapped; see the accuracy column)"
        geometry_type, id_column = "LineString", "segment_id"
    else:
        raise LayerError(f"unknown OSM layer kind '{kind}'; use 'osm_roads' or 'road_alignments'.")
    return {
        "title": title,
        "kind": "vector",
        "geometry_type": geometry_type,
        "crs": crs,
        "id_column": id_column,
        "columns": columns,
        "provenance": {
            "source": f"{source}; extract {name}"
            + ("; per row in the `source` column" if kind == "road_alignments" else ""),
            "url": "https://www.openstreetmap.org/copyright",
            "licence": licence,
            "date": when or "not stated in the extract",
            "processing": processing + " Imported with `gis import`.",
        },
        "accuracy": accuracy,
    }
