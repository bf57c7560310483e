"""National map of the 3,321 communes of 2025: census urban share and density, offline.

One page that opens by double-click (``file://``, no server, no network) and stays light:

- **Overview** (in the HTML): every commune, the whole coverage simplified once with
  ``shapely.coverage_simplify`` at :data:`OVERVIEW_SIMPLIFY_M`, coloured by the 2019 census
  urban share or (a toggle) by population density; the provinces outlined; a legend counting
  the communes of each class and those without data; a popup per commune; a search box that
  finds a province or a commune and zooms to it; the provinces of ``highlight_codes`` (the
  profiles' provinces) outlined in black and listed first.
- **Detail on demand** (``<name>_files/NN.js``, one file per province, NN its GSO code): the
  same coverage simplified once more at :data:`DETAIL_SIMPLIFY_M` (edges within
  :data:`DETAIL_MAX_HAUSDORFF_M` of the input; :func:`coverage_levels` measures it), split by
  province *after* simplification, so a commune edge on a province border is the same line in
  both files. The page adds ``<script src="<name>_files/NN.js">`` when the map is zoomed in to
  :data:`DETAIL_ZOOM` or closer over that province, or the province is picked in the list.

Why script files and not PMTiles or ``fetch()``: a page opened from ``file://`` may not
``fetch()`` or ``XMLHttpRequest`` another local file (Chromium blocks it as a cross-origin
request; Firefox too since version 68), and PMTiles reads byte ranges over HTTP, so it needs a
web server, which planners opening the map from a USB stick or a shared drive do not have.
A classic ``<script src>`` to a file in the same folder loads from ``file://`` in every
browser. Each chunk calls ``gisCommuneChunk(build, code, data)``; ``build`` is a hash of the
page's data, so a chunk left from another build is refused rather than drawn wrongly.

Shared edges stay shared at every level: the coverage is cleaned once (``coverage_clean``,
where the input is not a valid coverage), then simplified as a whole at each tolerance, never
polygon by polygon; coordinates are rounded after that (the same vertex rounds the same way
in both neighbours) and encoded as Google polylines (:func:`_polyline`): 2-4 bytes per vertex
instead of ~20 in GeoJSON.

Private: :func:`write_national_commune_map` is the entry point (``gis build --national``).
"""

from __future__ import annotations

import hashlib
import html
import json
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis._frames import M2_PER_KM2
from gis._writes import atomic_write
from gis.crs import require_crs, to_crs
from gis.errors import LayerError
from gis.maplayer import format_vi
from gis.national import URBAN_SHARE_CLASSES, urban_share_class
from gis.webmap import BACKGROUND, OfflineError, external_resources, leaflet_assets

__all__ = [
    "DETAIL_SIMPLIFY_M",
    "OVERVIEW_SIMPLIFY_M",
    "CoverageLevels",
    "commune_classes",
    "coverage_levels",
    "write_national_commune_map",
]

#: CRS in metres where the coverage is cleaned, simplified and measured (VN-2000 / UTM 48N:
#: one zone for the whole country; scale error < 1 % out to the Trường Sa special zone).
WORK_CRS = "EPSG:3405"
#: Overview tolerance (m). The country fits a screen at zoom 5-6 (a pixel is 2-5 km) and a
#: province at zoom 8-9 (300-600 m); at 200 m the largest Hausdorff distance of a commune to
#: the cleaned source is 1.3 km (measured on the 3,321 communes, bench/national_commune_map.py),
#: 2 px at zoom 8; the page then weighs 1.8 MB.
OVERVIEW_SIMPLIFY_M = 200.0
#: Detail tolerance (m) of coverage_simplify (Visvalingam-Whyatt: "roughly the square root of
#: the area of the removed triangles", not a distance bound). Measured on the 3,321 communes
#: of the national file (bench/national_commune_map.py), largest Hausdorff distance to the
#: cleaned coverage: 10 m -> 13 m, 12 m -> 61 m, 20 m -> 178 m (a few spiky edges). 10 m keeps
#: every commune within DETAIL_MAX_HAUSDORFF_M; it removes few vertices from a file already
#: simplified at 10 m (SOURCES.md), so the chunks carry the source's own detail.
DETAIL_SIMPLIFY_M = 10.0
#: Promise of the detail level: largest Hausdorff distance (m) of a commune to its input.
DETAIL_MAX_HAUSDORFF_M = 50.0
#: Zoom from which the provinces in view are drawn from their detail chunk.
DETAIL_ZOOM = 9
#: Decimals of degrees kept: 1e-4 deg ~ 11 m (overview, tolerance 200 m), 1e-5 ~ 1.1 m.
OVERVIEW_DECIMALS = 4
DETAIL_DECIMALS = 5
#: Columns the communes frame of the map must have (the table's: gis.national.COMMUNE_COLUMNS).
MAP_INPUT_COLUMNS = (
    "code",
    "name",
    "type",
    "province_code",
    "province_name",
    "population_persons",
    "population_urban_persons",
    "area_km2",
)
#: Holes of a province outline smaller than this (km²) are not drawn.
OUTLINE_MIN_HOLE_KM2 = 1.0
NO_DATA_VI = "chưa có số liệu"
NO_DATA_COLOR = "#d0d0d0"
#: Vietnamese labels of the urban share classes of the national tables
#: (:data:`gis.national.URBAN_SHARE_CLASSES`, same order: the map and the tables agree).
URBAN_LABELS = (
    "0 % (toàn bộ nông thôn)",
    "trên 0 đến dưới 50 %",
    "50 đến dưới 100 %",
    "100 % (toàn bộ đô thị)",
)
URBAN_COLORS = ("#fff7ec", "#fdbb84", "#e34a33", "#7f0000")
#: Density classes (people per km²), left-closed.
DENSITY_BREAKS = (0, 50, 100, 300, 1_000, 5_000, 20_000)
DENSITY_COLORS = ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84")
PROVINCE_COLOR = "#3a3a3a"
HIGHLIGHT_COLOR = "#000000"


# ----------------------------------------------------------------------------- geometry


@dataclass(frozen=True)
class CoverageLevels:
    """The communes at each level, in :data:`WORK_CRS` (arrays aligned on the input rows).

    ``source`` as given (reprojected), ``clean`` after ``coverage_clean`` (``source`` itself if
    it was a valid coverage), ``overview`` and ``detail`` simplified from ``clean``.
    ``hausdorff_m`` holds the largest Hausdorff distance of a commune to its source per level
    (``clean``, ``overview``, ``detail``); ``hausdorff_to_clean_m`` the same against ``clean``
    (what simplification alone moved).
    """

    source: np.ndarray
    clean: np.ndarray
    overview: np.ndarray
    detail: np.ndarray
    cleaned: bool
    hausdorff_m: dict[str, float]
    hausdorff_to_clean_m: dict[str, float]


def coverage_levels(
    geometry: gpd.GeoSeries,
    *,
    overview_m: float = OVERVIEW_SIMPLIFY_M,
    detail_m: float = DETAIL_SIMPLIFY_M,
    measure: bool = True,
) -> CoverageLevels:
    """Clean the commune polygons as one coverage and simplify it whole at two tolerances.

    Parameters
    ----------
    geometry : GeoSeries
        Commune polygons, any CRS (reprojected to :data:`WORK_CRS`).
    overview_m, detail_m : float
        ``coverage_simplify`` tolerances, metres.
    measure : bool
        Measure the Hausdorff distances (vertex-based, ``shapely.hausdorff_distance``).

    Returns
    -------
    CoverageLevels

    Raises
    ------
    LayerError
        If the polygons cannot be made a valid coverage (the message counts the bad ones).
    """
    source = np.asarray(to_crs(geometry, WORK_CRS).values)
    cleaned = not shapely.coverage_is_valid(source)
    clean = shapely.coverage_clean(source) if cleaned else source
    if cleaned and (not shapely.coverage_is_valid(clean) or shapely.is_empty(clean).any()):
        n_bad = int((~shapely.is_empty(shapely.coverage_invalid_edges(source))).sum())
        raise LayerError(
            f"the communes are not a polygon coverage ({n_bad} overlap or have edges that do "
            "not match their neighbour's) and coverage_clean could not repair them. Fix the "
            "boundaries (gis validate) before drawing the national commune map."
        )
    overview = shapely.coverage_simplify(clean, overview_m)
    detail = shapely.coverage_simplify(clean, detail_m)
    hd, hd_clean = {}, {}
    if measure:
        for level, geoms in (("clean", clean), ("overview", overview), ("detail", detail)):
            hd[level] = float(shapely.hausdorff_distance(source, geoms).max())
            hd_clean[level] = float(shapely.hausdorff_distance(clean, geoms).max())
    return CoverageLevels(source, clean, overview, detail, cleaned, hd, hd_clean)


def _polyline(coords: np.ndarray) -> str:
    """Google polyline encoding of integer (lat, lon) pairs (already scaled and rounded)."""
    deltas = np.diff(coords, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).ravel()
    out = []
    for v in deltas.tolist():
        v = ~(v << 1) if v < 0 else v << 1
        while v >= 0x20:
            out.append(chr((0x20 | (v & 0x1F)) + 63))
            v >>= 5
        out.append(chr(v + 63))
    return "".join(out)


def _encode(geom, decimals: int) -> list[list[str]]:
    """Polygons -> rings -> polylines of (lat, lon) rounded to ``decimals`` (the closing vertex
    dropped: Leaflet closes rings itself)."""
    scale = 10**decimals
    polys = []
    for poly in getattr(geom, "geoms", [geom]):
        if poly.is_empty:
            continue
        rings = []
        for ring in (poly.exterior, *poly.interiors):
            xy = np.rint(np.asarray(ring.coords)[:-1, ::-1] * scale).astype(np.int64)
            keep = np.ones(len(xy), dtype=bool)
            keep[1:] = (np.diff(xy, axis=0) != 0).any(axis=1)  # repeated after rounding
            if keep.sum() >= 3:
                rings.append(_polyline(xy[keep]))
        if rings:
            polys.append(rings)
    return polys


def _outline(geom, decimals: int) -> list[str]:
    """A province's boundary rings as polylines, without the holes smaller than
    :data:`OUTLINE_MIN_HOLE_KM2` (gaps between communes of the source: dots on the map)."""
    parts = []
    for poly in getattr(geom, "geoms", [geom]):
        min_m2 = OUTLINE_MIN_HOLE_KM2 * M2_PER_KM2
        holes = [r for r in poly.interiors if shapely.Polygon(r).area >= min_m2]
        parts.append(shapely.Polygon(poly.exterior, holes))
    shown = _to_display(np.array([shapely.MultiPolygon(parts)]))[0]
    return [ring for poly in _encode(shown, decimals) for ring in poly]


def _to_display(geoms: np.ndarray) -> np.ndarray:
    return np.asarray(to_crs(gpd.GeoSeries(geoms, crs=WORK_CRS), "EPSG:4326").values)


# ----------------------------------------------------------------------------- attributes


def _check(communes: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame) -> None:
    problems = []
    missing = [c for c in MAP_INPUT_COLUMNS if c not in communes.columns]
    if missing:
        problems.append(f"communes lack column(s) {missing} (expected {list(MAP_INPUT_COLUMNS)})")
    for col in ("code", "name"):
        if col not in provinces.columns:
            problems.append(f"provinces lack column {col!r}")
    if not problems:
        if communes["code"].astype(str).duplicated().any():
            dup = communes.loc[communes["code"].astype(str).duplicated(), "code"].tolist()[:5]
            problems.append(f"duplicate commune codes, e.g. {dup}")
        unknown = set(communes["province_code"].astype(str)) - set(provinces["code"].astype(str))
        if unknown:
            problems.append(f"province_code(s) {sorted(unknown)} are not in provinces['code']")
        bad_area = ~(pd.to_numeric(communes["area_km2"], errors="coerce") > 0)
        if bad_area.any():
            problems.append(f"{int(bad_area.sum())} commune(s) without a positive area_km2")
    if len(communes) == 0:
        problems.append("no communes")
    if problems:
        raise LayerError("national commune map: " + "; ".join(problems) + ".")
    require_crs(communes, name="communes")


def _fold(text: str) -> str:
    """Lower case without diacritics (đ -> d): what the search box compares."""
    text = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


def _density_label(i: int) -> str:
    lo, hi = DENSITY_BREAKS[i], DENSITY_BREAKS[i + 1] if i + 1 < len(DENSITY_BREAKS) else None
    if hi is None:
        return f"từ {format_vi(lo)} trở lên"
    return f"dưới {format_vi(hi)}" if lo == 0 else f"{format_vi(lo)} đến dưới {format_vi(hi)}"


def commune_classes(communes: pd.DataFrame) -> pd.DataFrame:
    """Urban share (%), density (people/km²) and their class numbers (-1: no data).

    Population is extensive (summed over merged communes by the caller), share and density
    intensive: each is computed from the sums, never averaged.
    """
    pop = pd.to_numeric(communes["population_persons"], errors="coerce").astype(float)
    urban = pd.to_numeric(communes["population_urban_persons"], errors="coerce").astype(float)
    area = pd.to_numeric(communes["area_km2"], errors="coerce").astype(float)
    share = (100.0 * urban / pop).where(pop > 0)
    density = (pop / area).where(pop.notna())
    order = {label: i for i, (label, _, _) in enumerate(URBAN_SHARE_CLASSES)}
    if len(order) != len(URBAN_LABELS):
        raise AssertionError("URBAN_LABELS must follow gis.national.URBAN_SHARE_CLASSES")
    u = urban_share_class(share).map(order).fillna(-1).astype(int).to_numpy()
    d = np.where(density.isna(), -1, np.searchsorted(DENSITY_BREAKS, density, side="right") - 1)
    return pd.DataFrame(
        {"urban_pct": share, "density_per_km2": density, "urban_class": u, "density_class": d},
        index=communes.index,
    )


def _density_text(v: float) -> str:
    return format_vi(round(v, 1) if v < 10 else round(v), decimals=1)


def _popup_values(communes: pd.DataFrame, cls: pd.DataFrame) -> list[list[str]]:
    """Display strings: population, urban share, density, area (units in the popup rows), and
    the persons apportioned from split old communes (optional column ``apportioned_persons``
    of :func:`gis.census.population_by_2025_commune`; "" where none)."""
    out = []
    shared = communes.get("apportioned_persons", pd.Series(0, index=communes.index))
    for pop, share, dens, area, part in zip(
        communes["population_persons"],
        cls["urban_pct"],
        cls["density_per_km2"],
        communes["area_km2"],
        pd.to_numeric(shared, errors="coerce"),
        strict=True,
    ):
        has = pd.notna(pop)
        estimate = (
            f"{format_vi(round(part))} người (chia đều từ xã cũ bị tách)"
            if has and pd.notna(part) and part > 0
            else ""
        )
        out.append(
            [
                f"{format_vi(round(pop))} người" if has else NO_DATA_VI,
                f"{format_vi(float(share), decimals=1)} %" if pd.notna(share) else NO_DATA_VI,
                f"{_density_text(float(dens))} người/km²" if pd.notna(dens) else NO_DATA_VI,
                f"{format_vi(float(area), decimals=1 if area < 1000 else 0)} km²",
                estimate,
            ]
        )
    return out


# ----------------------------------------------------------------------------- page


def write_national_commune_map(
    communes: gpd.GeoDataFrame,
    provinces: gpd.GeoDataFrame,
    out_dir: str | Path,
    *,
    name: str = "xa_phuong_toan_quoc",
    highlight_codes: Iterable[str] = (),
    title: str = "Dân số đô thị 2019 theo xã, phường, đặc khu năm 2025",
    source: str | None = None,
    overview_m: float = OVERVIEW_SIMPLIFY_M,
    detail_m: float = DETAIL_SIMPLIFY_M,
    levels: CoverageLevels | None = None,
) -> Path:
    """Write the national commune map: ``<out_dir>/<name>.html`` and ``<name>_files/NN.js``.

    Parameters
    ----------
    communes : GeoDataFrame
        One row per 2025 commune, any CRS, columns ``code``, ``name``, ``type``,
        ``province_code``, ``province_name``, ``population_persons`` and
        ``population_urban_persons`` (2019 census, persons; NaN where unknown: shown as "chưa
        có số liệu" and counted in the legend) and ``area_km2`` (computed by the caller in
        VN-2000); optional ``apportioned_persons`` (persons shared out from split old
        communes, :func:`gis.census.population_by_2025_commune`): the popup says how many of
        the people are an estimate. Not modified.
    provinces : DataFrame or GeoDataFrame
        ``code`` and ``name`` of every province of ``communes``. Outlines are drawn from the
        communes themselves (the union of each province's simplified communes), so they lie
        exactly on the commune edges at both levels.
    out_dir : path-like
        Folder of the page (created if needed).
    name : str
        File name stem of the page and of its chunk folder.
    highlight_codes : iterable of str
        Province codes outlined in black and listed first (the profiles' provinces).
    title : str
        Page and map title.
    source : str, optional
        Source note for the attribution line (Vietnamese).
    overview_m, detail_m : float
        Coverage simplification tolerances (m) of the two levels.
    levels : CoverageLevels, optional
        Precomputed :func:`coverage_levels` of ``communes.geometry`` (a caller that also
        reports the Hausdorff distances computes them once).

    Returns
    -------
    Path
        The HTML page. Chunk files are written first, the page last, each atomically; chunk
        files of provinces no longer present are removed.

    Raises
    ------
    LayerError
        Missing columns, duplicate codes, provinces not listed, areas not positive, or
        polygons that cannot be made a coverage.
    CRSError
        ``communes`` without a CRS.
    """
    _check(communes, provinces)
    communes = communes.reset_index(drop=True)
    if levels is None:
        levels = coverage_levels(
            communes.geometry, overview_m=overview_m, detail_m=detail_m, measure=False
        )
    highlight = {str(c) for c in highlight_codes}
    out_dir = Path(out_dir)
    chunk_dir = out_dir / f"{name}_files"
    chunk_dir.mkdir(parents=True, exist_ok=True)

    cls = commune_classes(communes)
    overview = _to_display(levels.overview)
    detail = _to_display(levels.detail)
    prov_codes = communes["province_code"].astype(str).to_numpy()
    prov_names = dict(
        zip(provinces["code"].astype(str), provinces["name"].astype(str), strict=True)
    )
    order = sorted(set(prov_codes), key=lambda c: (_fold(prov_names[c]), c))
    prov_index = {c: i for i, c in enumerate(order)}
    types = list(dict.fromkeys(communes["type"].astype(str)))

    province_rows, chunks = [], {}
    for code in order:
        members = np.flatnonzero(prov_codes == code)
        outline_o = shapely.coverage_union_all(levels.overview[members])
        outline_d = shapely.coverage_union_all(levels.detail[members])
        w, s, e, n = shapely.total_bounds(overview[members])
        province_rows.append(
            {
                "code": code,
                "name": prov_names[code],
                "key": _fold(prov_names[code]),
                "bounds": [[round(s, 4), round(w, 4)], [round(n, 4), round(e, 4)]],
                "outline": _outline(outline_o, OVERVIEW_DECIMALS),
                "n": len(members),
                "hl": code in highlight,
            }
        )
        chunks[code] = {
            "ids": members.tolist(),
            "geo": [_encode(g, DETAIL_DECIMALS) for g in detail[members]],
            "outline": _outline(outline_d, DETAIL_DECIMALS),
        }

    def legend(labels: Sequence[str], colors: Sequence[str], classes: np.ndarray) -> dict:
        counts = np.bincount(classes[classes >= 0], minlength=len(labels)).tolist()
        return {
            "labels": list(labels),
            "colors": list(colors),
            "counts": counts,
            "none": int((classes < 0).sum()),
            "idx": classes.tolist(),
        }

    density_labels = [_density_label(i) for i in range(len(DENSITY_BREAKS))]
    data = {
        "types": types,
        "provinces": province_rows,
        "code": communes["code"].astype(str).tolist(),
        "name": communes["name"].astype(str).tolist(),
        "key": [_fold(v) for v in communes["name"]],
        "type": [types.index(str(t)) for t in communes["type"]],
        "prov": [prov_index[c] for c in prov_codes],
        "values": _popup_values(communes, cls),
        "geo": [_encode(g, OVERVIEW_DECIMALS) for g in overview],
        "views": {
            "urban": {
                "title": "Tỷ lệ dân số đô thị năm 2019 (%)",
                **legend(URBAN_LABELS, URBAN_COLORS, cls["urban_class"].to_numpy()),
            },
            "density": {
                "title": "Mật độ dân số năm 2019 (người/km²)",
                **legend(density_labels, DENSITY_COLORS, cls["density_class"].to_numpy()),
            },
        },
        "detailZoom": DETAIL_ZOOM,
        "dir": f"{name}_files",
        "noData": NO_DATA_VI,
        "noDataColor": NO_DATA_COLOR,
    }
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    build = hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
    data_js = payload.replace("<", "\\u003c")  # no "</script>" or "<!--" inside the script

    written = set()
    for code, chunk in chunks.items():
        text = (
            f"gisCommuneChunk({json.dumps(build)},{json.dumps(code)},"
            f"{json.dumps(chunk, separators=(',', ':'))});\n"
        )
        path = chunk_dir / f"{code}.js"
        atomic_write(path, lambda tmp, t=text: tmp.write_bytes(t.encode("utf-8")))
        written.add(path.name)
    page = _page(title=title, source=source, data_js=data_js, build=build)
    urls = external_resources(page)
    if urls:
        raise OfflineError(f"national commune map would load {urls[:5]} from outside the file.")
    target = atomic_write(out_dir / f"{name}.html", lambda tmp: tmp.write_bytes(page.encode()))
    for old in chunk_dir.glob("*.js"):  # provinces no longer present, once the page is new
        if old.name not in written:
            old.unlink()
    return target


def _page(*, title: str, source: str | None, data_js: str, build: str) -> str:
    js, css = leaflet_assets()
    attribution = html.escape(source) if source else ""
    return (
        _PAGE.replace("__TITLE__", html.escape(title))
        .replace("__LEAFLET_CSS__", css)
        .replace("__PAGE_CSS__", _CSS.replace("__BACKGROUND__", BACKGROUND))
        .replace("__LEAFLET_JS__", js)
        .replace(
            "__SCRIPT__",
            _SCRIPT.replace("__DATA__", data_js)
            .replace("__BUILD__", json.dumps(build))
            .replace("__SOURCE__", json.dumps(attribution))
            .replace("__PROVINCE_COLOR__", PROVINCE_COLOR)
            .replace("__HIGHLIGHT_COLOR__", HIGHLIGHT_COLOR),
        )
    )


_PAGE = """<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<style>__LEAFLET_CSS__</style>
<script>__LEAFLET_JS__</script>
<style>__PAGE_CSS__</style>
</head>
<body>
<div id="map"></div>
<div class="gis-title">__TITLE__</div>
<script>__SCRIPT__</script>
</body>
</html>
"""

_CSS = """
html, body, #map { margin: 0; height: 100%; }
.leaflet-container { background: __BACKGROUND__; font-family: "DejaVu Sans", Arial, sans-serif; }
.gis-title { position: absolute; top: 10px; left: 50%; transform: translateX(-50%);
  z-index: 1000; background: rgba(255,255,255,.92); padding: 6px 14px; border-radius: 4px;
  font: bold 17px "DejaVu Sans", Arial, sans-serif; box-shadow: 0 1px 4px rgba(0,0,0,.3);
  pointer-events: none; max-width: 50%; text-align: center; }
.gis-box { background: rgba(255,255,255,.94); padding: 6px 10px; border-radius: 4px;
  font: 12px/1.35 "DejaVu Sans", Arial, sans-serif; box-shadow: 0 1px 4px rgba(0,0,0,.3); }
.gis-legend { max-height: calc(100vh - 120px); overflow-y: auto; width: 270px; }
.gis-legend h4 { margin: 6px 0 3px; font-size: 12px; }
.gis-legend .row { display: flex; align-items: center; min-height: 17px; }
.gis-legend i { display: inline-block; flex: none; width: 16px; height: 12px;
  margin: 1px 8px 1px 2px; border: 1px solid #777; }
.gis-legend i.line { height: 0; border: none; border-top: 2px solid; }
.gis-legend .n { margin-left: auto; padding-left: 6px; color: #555; }
.gis-legend label { display: block; cursor: pointer; }
.gis-find { width: 230px; }
.gis-find input { width: 100%; box-sizing: border-box; font: 13px "DejaVu Sans", Arial,
  sans-serif; padding: 4px 6px; }
.gis-find ul { list-style: none; margin: 4px 0 0; padding: 0; max-height: 32vh;
  overflow-y: auto; }
.gis-find li { padding: 2px 4px; cursor: pointer; border-radius: 3px; }
.gis-find li:hover { background: #e8eef7; }
.gis-find li.hl { font-weight: bold; }
.gis-find li small { color: #666; }
.gis-find .sep { border-top: 1px solid #ccc; margin: 3px 0; padding: 0; cursor: default; }
.gis-status { color: #555; font-size: 11px; margin-top: 4px; }
.leaflet-popup-content table th { text-align: left; padding-right: 8px; font-weight: normal;
  color: #555; }
.leaflet-popup-content td { font-weight: bold; }
.leaflet-popup-content h3 { margin: 0 0 4px; font-size: 14px; }
"""

#: The page's script: decodes the overview, draws it on one canvas, swaps a province to its
#: detail chunk when zoomed in, the legend, the toggle and the search. window.gisCommuneMap
#: exposes counters for tests (drawn features per level, chunks loaded).
_SCRIPT = r"""
(function() {
"use strict";
var T0 = performance.now(), D = __DATA__, BUILD = __BUILD__;
function decode(str, factor) {
  var out = [], i = 0, lat = 0, lng = 0;
  while (i < str.length) {
    var r = 0, s = 0, b;
    do { b = str.charCodeAt(i++) - 63; r |= (b & 31) << s; s += 5; } while (b >= 32);
    lat += (r & 1) ? ~(r >> 1) : (r >> 1);
    r = 0; s = 0;
    do { b = str.charCodeAt(i++) - 63; r |= (b & 31) << s; s += 5; } while (b >= 32);
    lng += (r & 1) ? ~(r >> 1) : (r >> 1);
    out.push([lat / factor, lng / factor]);
  }
  return out;
}
function rings(polys, f) { return polys.map(function(p) {
  return p.map(function(r) { return decode(r, f); }); }); }
function fold(s) { return s.replace(/đ/g, "d").replace(/Đ/g, "D").normalize("NFD")
  .replace(/[\u0300-\u036f]/g, "").toLowerCase(); }
function fmt(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "."); }

var map = L.map("map", {zoomSnap: 0.25, preferCanvas: true, minZoom: 4, maxZoom: 16,
                         zoomControl: false});
var canvas = L.canvas({padding: 0.3, tolerance: 2});
L.control.scale({metric: true, imperial: false, maxWidth: 200}).addTo(map);
map.attributionControl.setPrefix(
  '<a href="https://leafletjs.com" title="Thư viện bản đồ Leaflet">Leaflet</a>');
if (__SOURCE__) { map.attributionControl.addAttribution(__SOURCE__); }

var view = "urban", P = D.provinces, N = D.code.length;
var state = {overview: 0, detail: 0, chunks: [], failed: [], build: BUILD, levels: {},
             vertices: {}};
window.gisCommuneMap = state;
window.gisLeafletMap = map;
function style(i) {
  var v = D.views[view], c = v.idx[i];
  // a stroke under 0.7 px leaves the canvas's anti-aliasing seams between neighbours as light
  // lines (each fill is anti-aliased on its own): 0.8 px, half transparent, covers them; at
  // the country view (zoom < 7) communes are a few px wide and a thin stroke keeps the colours
  return {renderer: canvas, color: "#555555", weight: thin() ? 0.3 : 0.8, opacity: 0.45,
          fillColor: c < 0 ? D.noDataColor : v.colors[c], fillOpacity: 0.88};
}
var viewSet = false;  // the polygons are styled before the first view (the country: thin)
function thin() { return !viewSet || map.getZoom() < 7; }
var wasThin = true;
function popup(i) {
  var box = document.createElement("div"), h = document.createElement("h3");
  h.textContent = D.types[D.type[i]] + " " + D.name[i];
  box.appendChild(h);
  var t = document.createElement("table"), v = D.values[i];
  [["Loại đơn vị", D.types[D.type[i]]], ["Tỉnh, thành phố", P[D.prov[i]].name],
   ["Mã đơn vị", D.code[i]], ["Dân số năm 2019", v[0]], ["Tỷ lệ dân số đô thị", v[1]],
   ["Mật độ dân số", v[2]], ["Diện tích", v[3]], ["Trong đó ước tính", v[4]]]
  .filter(function(r) { return r[1]; }).forEach(function(r) {
    var tr = t.insertRow(), th = document.createElement("th"), td = tr.insertCell();
    th.textContent = r[0]; tr.insertBefore(th, td); td.textContent = r[1];
  });
  box.appendChild(t);
  var note = document.createElement("div");
  note.className = "gis-status";
  note.textContent = "Dân số: Tổng điều tra 2019, cộng theo đơn vị hành chính năm 2025.";
  box.appendChild(note);
  return box;
}
function polygon(i, latlngs, level) {
  var key = level + ":" + P[D.prov[i]].code;
  latlngs.forEach(function(p) { p.forEach(function(r) {
    state.vertices[key] = (state.vertices[key] || 0) + r.length; }); });
  var p = L.polygon(latlngs, style(i));
  p.gisIndex = i;
  p.bindPopup(function() { return popup(i); }, {maxWidth: 340});
  return p;
}
// overview: one group of communes and one outline per province
var over = [], detail = [], outlines = [], outlinesDetail = [];
P.forEach(function() { over.push(L.layerGroup()); detail.push(null); });
for (var i = 0; i < N; i++) {
  var ll = rings(D.geo[i], 1e4);
  if (ll.length) { over[D.prov[i]].addLayer(polygon(i, ll, "overview")); }
}
state.ms = {polygons: Math.round(performance.now() - T0)};
function outlineStyle(p) {
  return {renderer: canvas, interactive: false, fill: false,
          color: p.hl ? "__HIGHLIGHT_COLOR__" : "__PROVINCE_COLOR__",
          weight: p.hl ? 3 : 1.2, opacity: 1};
}
P.forEach(function(p, k) {
  outlines.push(L.polyline(p.outline.map(function(r) { return decode(r, 1e4); }),
                           outlineStyle(p)));
  outlinesDetail.push(null);
  p.bbox = L.latLngBounds(p.bounds);
});
var all = L.latLngBounds(P.map(function(p) { return p.bounds; }).flat());

function loadChunk(k) {
  var p = P[k];
  if (p.loading) { return; }
  p.loading = true;
  var s = document.createElement("script");
  s.src = D.dir + "/" + p.code + ".js";
  s.onerror = function() {
    state.failed.push(p.code);
    status("Không mở được tệp chi tiết " + s.src + " (tệp phải nằm cạnh trang bản đồ).");
  };
  document.head.appendChild(s);
}
window.gisCommuneChunk = function(build, code, chunk) {
  var k = P.findIndex(function(p) { return p.code === code; });
  if (build !== BUILD || k < 0) {
    state.failed.push(code);
    status("Tệp chi tiết " + code + ".js không thuộc bản đồ này: hãy chép lại cả thư mục.");
    return;
  }
  var g = L.layerGroup();
  chunk.ids.forEach(function(i, j) {
    var ll = rings(chunk.geo[j], 1e5);
    if (ll.length) { g.addLayer(polygon(i, ll, "detail")); }
  });
  detail[k] = g;
  outlinesDetail[k] = L.polyline(chunk.outline.map(function(r) { return decode(r, 1e5); }),
                                 outlineStyle(P[k]));
  state.chunks.push(code);
  update();
};

var shown = P.map(function() { return null; });
function update() {
  var z = map.getZoom(), b = map.getBounds(), n0 = 0, n1 = 0;
  P.forEach(function(p, k) {
    var want = b.intersects(p.bbox) &&
      (z >= D.detailZoom || (k === pick.k && z >= pick.zoom - 0.01));
    if (want && !detail[k]) { loadChunk(k); }
    var level = want && detail[k] ? "detail" : "overview";
    if (shown[k] !== level) {
      var on = level === "detail" ? [detail[k], outlinesDetail[k]] : [over[k], outlines[k]];
      var off = level === "detail" ? [over[k], outlines[k]] : [detail[k], outlinesDetail[k]];
      off.forEach(function(l) { if (l && map.hasLayer(l)) { map.removeLayer(l); } });
      on.forEach(function(l) { map.addLayer(l); });
      shown[k] = level;
      state.levels[p.code] = level;
    }
    if (level === "detail") { n1 += detail[k].getLayers().length; }
    else { n0 += over[k].getLayers().length; }
  });
  outlines.forEach(function(o, k) { if (map.hasLayer(o)) { o.bringToFront(); } });
  outlinesDetail.forEach(function(o) { if (o && map.hasLayer(o)) { o.bringToFront(); } });
  state.overview = n0; state.detail = n1;
}
function restyle() {
  [over, detail].forEach(function(groups) { groups.forEach(function(g) {
    if (g) { g.eachLayer(function(l) { l.setStyle(style(l.gisIndex)); }); }
  }); });
  legendBody();
}

// legend with the colouring toggle
var legendDiv;
function legendBody() {
  var v = D.views[view], h = "";
  h += "<h4>" + v.title + "</h4>";
  v.labels.forEach(function(lab, c) {
    h += '<div class="row"><i style="background:' + v.colors[c] + '"></i>' + lab +
         '<span class="n">' + fmt(v.counts[c]) + "</span></div>";
  });
  if (v.none) {
    h += '<div class="row"><i style="background:' + D.noDataColor + '"></i>' +
         "Chưa có số liệu dân số" + '<span class="n">' + fmt(v.none) + "</span></div>";
  }
  h += '<div class="gis-status">Số ở cột phải: số xã, phường, đặc khu (tổng ' + fmt(N) +
       ").</div>";
  h += '<h4>Ranh giới</h4><div class="row"><i class="line" style="border-color:' +
       '__PROVINCE_COLOR__"></i>Tỉnh, thành phố năm 2025 (' + P.length + " đơn vị)</div>";
  if (P.some(function(p) { return p.hl; })) {
    h += '<div class="row"><i class="line" style="border-color:__HIGHLIGHT_COLOR__;' +
         'border-top-width:3px"></i>Tỉnh lập quy hoạch</div>';
  }
  legendDiv.querySelector(".body").innerHTML = h;
}
var legend = L.control({position: "bottomright"});
legend.onAdd = function() {
  legendDiv = L.DomUtil.create("div", "gis-box gis-legend");
  legendDiv.innerHTML = "<h4>Tô màu theo</h4>" +
    '<label><input type="radio" name="gis-view" value="urban" checked> ' +
    "tỷ lệ dân số đô thị</label>" +
    '<label><input type="radio" name="gis-view" value="density"> mật độ dân số</label>' +
    '<div class="body"></div>';
  legendDiv.querySelectorAll("input").forEach(function(r) {
    r.addEventListener("change", function() { view = r.value; restyle(); });
  });
  L.DomEvent.disableClickPropagation(legendDiv);
  L.DomEvent.disableScrollPropagation(legendDiv);
  return legendDiv;
};
legend.addTo(map);
legendBody();

// search: provinces (the highlighted ones first), then communes
var statusDiv;
function status(text) { if (statusDiv) { statusDiv.textContent = text; } }
// a province picked in the list shows its detail at the zoom it was fitted to
var pick = {k: -1, zoom: 99};
function zoomProvince(k) {
  var opts = {padding: [20, 20], maxZoom: 11};
  pick = {k: k, zoom: Math.min(11, map.getBoundsZoom(P[k].bbox, false, L.point(40, 40)))};
  loadChunk(k);
  map.fitBounds(P[k].bbox, opts);
}
function zoomCommune(i) {
  var k = D.prov[i], target = null;
  over[k].eachLayer(function(l) { if (l.gisIndex === i) { target = l; } });
  if (!target) { return; }
  pick = {k: k, zoom: Math.min(13, map.getBoundsZoom(target.getBounds(), false,
                                                    L.point(80, 80)))};
  loadChunk(k);
  map.fitBounds(target.getBounds(), {padding: [40, 40], maxZoom: 13});
  setTimeout(function() {
    var g = shown[k] === "detail" ? detail[k] : over[k], hit = target;
    if (g) { g.eachLayer(function(l) { if (l.gisIndex === i) { hit = l; } }); }
    hit.openPopup(target.getBounds().getCenter());
  }, 400);
}
var find = L.control({position: "topleft"});
find.onAdd = function() {
  var div = L.DomUtil.create("div", "gis-box gis-find");
  div.innerHTML = '<input type="search" placeholder="Tìm tỉnh, xã, phường…" ' +
    'aria-label="Tìm tỉnh, xã, phường"><ul></ul><div class="gis-status"></div>';
  var input = div.querySelector("input"), ul = div.querySelector("ul");
  statusDiv = div.querySelector(".gis-status");
  function item(text, small, cls, go) {
    var li = document.createElement("li");
    li.textContent = text;
    if (small) { var s = document.createElement("small"); s.textContent = " – " + small;
                 li.appendChild(s); }
    if (cls) { li.className = cls; }
    li.addEventListener("click", go);
    ul.appendChild(li);
  }
  function fill() {
    var q = fold(input.value.trim());
    ul.innerHTML = "";
    var hl = [], rest = [];
    P.forEach(function(p, k) {
      if (!q || p.key.indexOf(q) >= 0) { (p.hl ? hl : rest).push(k); }
    });
    hl.forEach(function(k) { item(P[k].name, "tỉnh lập quy hoạch", "hl",
                                  function() { zoomProvince(k); }); });
    if (hl.length && (rest.length || q)) {
      var sep = document.createElement("li"); sep.className = "sep"; ul.appendChild(sep);
    }
    if (q.length >= 2) {
      var m = 0;
      for (var i = 0; i < N && m < 12; i++) {
        if (D.key[i].indexOf(q) >= 0) {
          (function(i) { item(D.types[D.type[i]] + " " + D.name[i], P[D.prov[i]].name, "",
                              function() { zoomCommune(i); }); })(i);
          m++;
        }
      }
    }
    rest.forEach(function(k) { item(P[k].name, fmt(P[k].n) + " xã, phường", "",
                                    function() { zoomProvince(k); }); });
    if (!ul.children.length) { item("Không tìm thấy", "", "", function() {}); }
  }
  input.addEventListener("input", fill);
  fill();
  L.DomEvent.disableClickPropagation(div);
  L.DomEvent.disableScrollPropagation(div);
  return div;
};
find.addTo(map);
L.control.zoom({position: "topleft"}).addTo(map);

map.on("moveend zoomend", update);
map.on("zoomend", function() { if (thin() !== wasThin) { wasThin = thin(); restyle(); } });
viewSet = true;
map.fitBounds(all, {paddingTopLeft: [250, 60], paddingBottomRight: [290, 20]});
update();
state.ms.ready = Math.round(performance.now() - T0);
state.ready = true;
})();
"""
