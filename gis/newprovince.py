"""Start a new province in one step from the national data files (``gis init``).

:func:`init_province` creates ``<layers_dir>/<slug>/`` with a ``profile.toml`` and five base
layers, cut from a folder of national files that the user names (the product never reads the
project's shared data at run time; the files are 40+ MB, too large for the repository):

========================================================  =====================================
file (under ``national_dir``)                             what it is
========================================================  =====================================
``vn_communes_2025.fgb``                                  the 3,321 communes of 1 July 2025
                                                          (``code``, ``name``, ``type``,
                                                          ``province_code``, ``province_name``)
``vn_communes_crosswalk_2025.csv``                        old communes (GSO list of 01/03/2025)
                                                          -> 2025 communes, with QA columns
``vn_admin_pre2025.gpkg.zip``                             pre-2025 provinces and districts
                                                          (layer ``districts``, read through
                                                          GDAL's ``/vsizip/``)
``population/vn_ward_population_2019_census.csv``         the 2019 census by commune-level unit
========================================================  =====================================

Layers written, with the schema of the same layers of ``layers/cao_bang`` (so ``gis validate``
and ``gis build`` run on the result): ``province`` (dissolve of the communes),
``districts_pre2025`` (skipped where the national file lacks the province's districts: Quảng
Ninh), ``communes_2025`` (area in the planning CRS, old communes from the crosswalk),
``commune_crosswalk`` (the national rows of the province, renamed to the layer's columns, values
untouched, QA columns kept) and ``population_census_2019`` (census units matched by name to the
crosswalk's old communes with :func:`gis.census.match_census_names`; the unmatched ones are
listed in the layer's metadata and in the returned report, never dropped silently).

The planning CRS is the province's VN-2000 / TM-3 zone: its central meridian comes from
``gis/data/tm3_meridians.csv`` (the table of Circular 973/2001/TT-TCĐC, each row with its
source) and the EPSG code registered for that meridian. Every meridian of the table has one
(EPSG:9205-9218, and 5897 / 5898 / 5899 for 105°00', 108°00', 107°45'): a custom TM-3
definition is never needed, and could not be used, since GeoJSON layer files record a CRS only
through an EPSG code (one without is read back as WGS 84). A 2025 province formed from several
provinces of 2019 has no confirmed meridian: :func:`init_province` refuses it and lists the
candidates until ``crs`` is given.
"""

from __future__ import annotations

import json
import math
import re
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import pyproj
import shapely

from gis import settings
from gis._frames import M2_PER_KM2
from gis._meta import col, table_meta, vector_meta
from gis.census import POPULATION_COLUMNS, match_census_names, name_key, short_name
from gis.crosswalk import old_units_of
from gis.crs import tm3_epsg, to_crs
from gis.errors import CRSError, InputFileError, ProfileError
from gis.profile import Profile, load_profile
from gis.store import write_layer
from gis.text import fold, strip_diacritics

__all__ = [
    "NATIONAL_FILES",
    "CensusMatch",
    "InitResult",
    "init_province",
    "tm3_meridians",
]

#: The national files ``init_province`` reads: key -> (path under the folder, what it is).
NATIONAL_FILES: dict[str, tuple[str, str]] = {
    "communes": (
        "vn_communes_2025.fgb",
        "the 3,321 communes/wards of 1 July 2025 with province_code and province_name "
        "(FlatGeobuf, EPSG:4326)",
    ),
    "crosswalk": (
        "vn_communes_crosswalk_2025.csv",
        "the national crosswalk of old communes (GSO list of 01/03/2025) to the 2025 communes",
    ),
    "admin": (
        "vn_admin_pre2025.gpkg.zip",
        "the pre-2025 provinces and districts (zipped GeoPackage, layer 'districts')",
    ),
    "census": (
        "population/vn_ward_population_2019_census.csv",
        "the 2019 census by commune-level unit (total / urban / rural)",
    ),
}
#: EPSG codes of VN-2000 / TM-3 projected CRSs (EPSG 9205-9218 by meridian, 5896-5899 zones).
TM3_TABLE = Path(__file__).resolve().parent / "data" / "tm3_meridians.csv"
LAYERS = (
    "province",
    "districts_pre2025",
    "communes_2025",
    "commune_crosswalk",
    "population_census_2019",
)
_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
_PROVINCE_TYPE = re.compile(r"^(Tỉnh|Thành phố)\s+")
#: Parts of a commune smaller than this (m²) are dropped, unless they are all it has: specks
#: left by the national file's coverage simplification (33 in the country, all under 8 m²; the
#: next smallest part is 120 m²). Such specks collapse when maps round coordinates.
SPECK_M2 = 100.0
#: Holes of the dissolved outline smaller than this (m²) are filled: gaps between communes of
#: the source (measured per province: the largest below it 1,320 m², Quảng Ngãi; the next one,
#: 5.6 ha in Hải Phòng, is kept).
SLIVER_HOLE_M2 = 10_000.0
_TYPES = {fold(t).replace(" ", ""): t for t in ("Xã", "Phường", "Thị trấn", "Huyện", "Đặc khu")}
_CROSSWALK_COLUMNS = {  # national column -> layer column (layers/cao_bang's names)
    "old_code": "code",
    "old_name": "name",
    "old_type": "type",
    "old_district_code": "district_code",
    "old_district_name": "district_name",
    "old_province_code": "province_code",
    "new_code": "ward2025_code",
    "new_name": "ward2025_name",
    "new_type": "ward2025_type",
    "mapping_confidence": "mapping_confidence",
    "old_province_name": "province_name",
    "province_code": "province2025_code",
    "province_name": "province2025_name",
}

#: Column order of the commune_crosswalk layer: layers/cao_bang's, then the national extras.
_CROSSWALK_ORDER = (
    "code",
    "name",
    "type",
    "district_code",
    "district_name",
    "district_type",
    "province_code",
    "ward2025_code",
    "ward2025_name",
    "ward2025_type",
    "mapping_confidence",
    "province_name",
    "province2025_code",
    "province2025_name",
    "n_new",
    "old_part",
    "sapnhap_lists_old",
    "spatial_check",
    "qa_flag",
    "suggested_new_code",
    "note",
)

TLQ = {
    "url": "https://github.com/thanglequoc/vietnamese-provinces-database",
    "licence": "MIT (repository); polygons crawled from sapnhap.bando.com.vn, whose own "
    "copyright status is not stated",
    "date": "units in force from 01/07/2025; GIS snapshot 2026",
}
DVHCVN = {
    "url": "https://github.com/daohoangson/dvhcvn",
    "licence": "GPL-3.0 (repository licence)",
}
M25 = {
    "url": "https://github.com/dvhcvn/20250701",
    "licence": "GPL-3.0 (dvhcvn names and codes); MIT (dvhcvn/20250701 mapping, thanglequoc "
    "new names)",
    "date": "list of 01/03/2025; mapping 07/2025",
}
CENSUS = {
    "source": "GSO, 2019 Population and Housing Census (reference date 01/04/2019), population "
    "by commune-level unit, total / urban / rural; tabulated by GitHub hgscarlette/"
    "vn-demographic VN_Population_ward.csv (commit bfc5508), whose README cites the GSO census "
    "portal (khodulieudanso2019)",
    "source_vi": "Tổng cục Thống kê, Tổng điều tra dân số và nhà ở năm 2019 (thời điểm điều tra "
    "01/04/2019), dân số theo đơn vị hành chính cấp xã, tổng số / thành thị / nông thôn; được lập "
    "thành bảng trong GitHub hgscarlette/vn-demographic VN_Population_ward.csv (commit bfc5508), "
    "README của kho này dẫn nguồn cổng dữ liệu Tổng điều tra của Tổng cục Thống kê "
    "(khodulieudanso2019)",
    "url": "https://github.com/hgscarlette/vn-demographic",
    "licence": "public GSO statistics; the tabulating repository states no licence",
    "date": "01/04/2019 (census reference date)",
}


@dataclass(frozen=True)
class CensusMatch:
    """How the 2019 census units of a province matched the crosswalk's old communes.

    Attributes
    ----------
    units, matched : int
        Census units of the province, and those matched to an old commune.
    population, population_matched, urban, urban_matched : int
        Persons in all units and in the matched ones (total and urban).
    unmatched : DataFrame
        The units not matched: ``census_id``, ``district_2019``, ``type``, ``name``,
        ``population_persons``, ``population_urban_persons``, ``reason``.
    methods : dict
        Matched units by ``match_method``.
    list_units_without_census : list of str
        Old communes of the crosswalk that received no census unit (merged or renamed after
        2019: their people are among the unmatched units).
    """

    units: int
    matched: int
    population: int
    population_matched: int
    urban: int
    urban_matched: int
    unmatched: pd.DataFrame
    methods: dict[str, int]
    list_units_without_census: list[str]

    @property
    def share_pct(self) -> float:
        """Matched share of the province's census population, in %."""
        return 100.0 * self.population_matched / self.population if self.population else 0.0

    def lines(self) -> list[str]:
        """The report as text lines (what ``gis init`` prints)."""
        out = [
            f"2019 census: {self.matched} of {self.units} units matched to the crosswalk's old "
            f"communes: {self.population_matched:,} of {self.population:,} persons "
            f"({self.share_pct:.2f} %), urban {self.urban_matched:,} of {self.urban:,}",
            "  by " + ", ".join(f"{m}: {n}" for m, n in self.methods.items()),
        ]
        if len(self.unmatched):
            out.append(
                f"  {len(self.unmatched)} unit(s) not matched, "
                f"{self.population - self.population_matched:,} persons (merged, moved or "
                "renamed between 2019 and 2025; not in the layer, listed in its metadata):"
            )
            for r in self.unmatched.itertuples():
                out.append(
                    f"    {r.census_id}  {r.type} {r.name} ({r.district_2019}): "
                    f"{r.population_persons:,} persons; {r.reason}"
                )
        if self.list_units_without_census:
            out.append(
                f"  {len(self.list_units_without_census)} old commune(s) of the crosswalk "
                "receive no census unit: " + ", ".join(self.list_units_without_census)
            )
        return out


@dataclass(frozen=True)
class InitResult:
    """What :func:`init_province` made: the profile, the layers and the census report."""

    profile: Profile
    crs_note: str
    layers: dict[str, int]
    skipped: dict[str, str]
    census: CensusMatch
    measured: dict[str, Any] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """The report as text lines (what ``gis init`` prints)."""
        p = self.profile
        out = [
            f"created {p.path} for {p.name} (code {p.code}), planning CRS {p.planning_crs}",
            f"  {self.crs_note}",
        ]
        out += [f"{name:<24} {n:>6} rows" for name, n in self.layers.items()]
        out += [f"{name:<24} skipped: {why}" for name, why in self.skipped.items()]
        cover = self.measured.get("districts_cover_pct")
        if cover is not None and cover < 99:
            out.append(
                f"  districts_pre2025 cover only {cover:.2f} % of the 2025 outline: the "
                "national file lacks districts merged before 2025 (see profile.toml)"
            )
        out += self.census.lines()
        out.append(f"next: gis validate --province {p.slug}; gis build --province {p.slug}")
        return out


def tm3_meridians() -> pd.DataFrame:
    """The TM-3 central meridians of the 63 provinces of 2019, with their sources.

    Columns: ``province_code_2019``, ``name``, ``central_meridian`` (as published, e.g.
    ``105°45'``), ``central_meridian_deg`` (empty where no sourced value was found),
    ``row_in_table``, ``source``, ``source_url``, ``note``.

    Examples
    --------
    >>> t = tm3_meridians().set_index("province_code_2019")
    >>> t.loc["12", "central_meridian"], float(t.loc["04", "central_meridian_deg"])
    ("103°00'", 105.75)
    """
    return pd.read_csv(
        TM3_TABLE,
        dtype={"province_code_2019": str, "row_in_table": "Int64"},
        keep_default_na=False,
        na_values={"central_meridian_deg": [""], "row_in_table": [""]},
    )


def _dms(deg: float) -> str:
    return f"{int(deg)}°{round((deg - int(deg)) * 60):02d}'"


# --- inputs -----------------------------------------------------------------------------------


def _national_paths(national_dir: str | Path) -> dict[str, Path]:
    root = Path(national_dir)
    layout = "; ".join(f"{p} ({what})" for p, what in NATIONAL_FILES.values())
    if not root.is_dir():
        raise InputFileError(
            f"national data folder {root} does not exist. Give --from the folder holding the "
            f"national files: {layout}."
        )
    paths = {key: root / rel for key, (rel, _) in NATIONAL_FILES.items()}
    missing = [key for key, path in paths.items() if not path.is_file()]
    if missing:
        lines = [f"  - {NATIONAL_FILES[k][0]}: {NATIONAL_FILES[k][1]}" for k in missing]
        raise InputFileError(
            f"the national data folder {root} lacks {len(missing)} file(s):\n"
            + "\n".join(lines)
            + "\nCopy them there (same layout as the project's shared data folder) or point "
            "--from at the folder that holds them."
        )
    return paths


def _read(what: str, path: Path, reader, *args, **kwargs):
    """Run ``reader``; a damaged or unexpected file becomes one InputFileError."""
    try:
        return reader(*args, **kwargs)
    except (
        ValueError,
        OSError,
        pyogrio.errors.DataSourceError,
        pyogrio.errors.DataLayerError,
        pd.errors.ParserError,
    ) as exc:
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise InputFileError(
            f"cannot read {path} ({what}): {reason}. Replace it with an intact copy."
        ) from None


def _require(frame: pd.DataFrame, columns: list[str], path: Path) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputFileError(
            f"{path} lacks column(s) {missing} (it has {list(frame.columns)}); is it the "
            f"national file {path.name}?"
        )


def _provinces_2025(path: Path) -> dict[str, str]:
    frame = _read(
        "2025 communes",
        path,
        pyogrio.read_dataframe,
        path,
        columns=["province_code", "province_name"],
        read_geometry=False,
    )
    _require(frame, ["province_code", "province_name"], path)
    return dict(sorted(zip(frame["province_code"], frame["province_name"], strict=True)))


def _province_code(code: str, provinces: dict[str, str]) -> str:
    text = str(code).strip()
    norm = text.zfill(2) if text.isdigit() else text
    if norm not in provinces:
        listed = ", ".join(f"{c} {n}" for c, n in provinces.items())
        raise ProfileError(
            f"province code {text!r} is not a province of 2025 in the national communes file. "
            f"Valid codes: {listed}."
        )
    return norm


def _check_slug(slug: str, layers_dir: Path) -> Path:
    if not _SLUG.match(slug):
        raise ProfileError(
            f"slug {slug!r} is not allowed: use lower-case ASCII letters, digits and "
            "underscores, starting with a letter (e.g. 'new_province'); it becomes the folder name."
        )
    folder = layers_dir / slug
    if folder.exists():
        raise ProfileError(
            f"{folder} already exists: gis init never overwrites a province. Choose another "
            "slug, or move that folder away yourself if it is to be replaced."
        )
    return folder


# --- planning CRS -----------------------------------------------------------------------------


def _given_crs(crs: str) -> tuple[str, str]:
    try:
        parsed = pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError:
        raise CRSError(
            f"--crs {crs!r} is not a CRS PROJ knows; give an EPSG code such as 'EPSG:9205' "
            "(VN-2000 / TM-3 103-00)."
        ) from None
    unit = parsed.axis_info[0].unit_name if parsed.axis_info else "?"
    if not parsed.is_projected or unit not in ("metre", "meter"):
        raise CRSError(
            f"--crs {crs!r} is not a projected CRS in metres; areas need one. Use the "
            "province's VN-2000 / TM-3 zone (EPSG:9205-9218, 5897-5899)."
        )
    epsg = parsed.to_epsg(min_confidence=90)  # 70 would take a bare WGS 84 tmerc for VN-2000
    if epsg is None:
        raise CRSError(
            f"--crs {crs!r} has no EPSG code. Layers are stored as GeoJSON, which records the "
            "CRS only as an EPSG code: a custom definition would be read back as WGS 84. Give "
            "the EPSG code of the zone (every VN-2000 / TM-3 meridian of the provincial table "
            "has one: EPSG:9205-9218, 5897-5899)."
        )
    return f"EPSG:{epsg}", (
        f"EPSG:{epsg} ({pyproj.CRS.from_epsg(epsg).name}) given with --crs when the province "
        "was created"
    )


def _meridians_of(old: pd.DataFrame) -> list[str]:
    """The table's meridian of each 2019 province of ``old`` (code, name, n), as text."""
    table = tm3_meridians().set_index("province_code_2019")
    out = []
    for row in old.itertuples():
        deg = table.at[row.code, "central_meridian_deg"] if row.code in table.index else None
        if deg is None or pd.isna(deg):
            out.append(f"{row.code} {row.name}: no sourced meridian, {row.n} old communes")
            continue
        epsg = tm3_epsg(float(deg))
        where = f"EPSG:{epsg}" if epsg else "no EPSG code"
        out.append(f"{row.code} {row.name}: {_dms(float(deg))} ({where}), {row.n} old communes")
    return out


def _table_crs(code: str, name: str, old: pd.DataFrame) -> tuple[str, str]:
    """Planning CRS from the meridian table; ``old``: the 2019 provinces (code, name, n)."""
    example = f"gis init SLUG --province-code {code} --from DIR --crs EPSG:NNNN"
    if len(old) > 1:
        raise CRSError(
            f"{name} ({code}) was formed in 2025 from {len(old)} provinces of 2019, whose TM-3 "
            f"central meridians (Circular 973/2001/TT-TCĐC, gis/data/{TM3_TABLE.name}) are: "
            f"{'; '.join(_meridians_of(old))}. No meridian is confirmed for the merged "
            f"province; choose its planning CRS and give it: {example}."
        )
    row = next(old.itertuples())
    table = tm3_meridians().set_index("province_code_2019")
    if row.code not in table.index or pd.isna(table.at[row.code, "central_meridian_deg"]):
        raise CRSError(
            f"no sourced TM-3 central meridian for {row.name} ({row.code}) in "
            f"gis/data/{TM3_TABLE.name}; give the planning CRS: {example}."
        )
    deg = float(table.at[row.code, "central_meridian_deg"])
    epsg = tm3_epsg(deg)
    if epsg is None:  # not the case for any meridian of the table
        raise CRSError(
            f"EPSG registers no VN-2000 / TM-3 CRS for {row.name}'s meridian {_dms(deg)}, and "
            "GeoJSON layers record a CRS only by its EPSG code; give one with --crs."
        )
    src = table.loc[row.code]
    note = (
        f"VN-2000 / TM-3 {_dms(deg)}: central meridian of {row.name} ({row.code}) in "
        f"gis/data/{TM3_TABLE.name} ({src['source']}; {src['source_url']}; {src['note']}), "
        f"registered by EPSG as EPSG:{epsg} ({pyproj.CRS.from_epsg(epsg).name})"
    )
    return f"EPSG:{epsg}", note


# --- layers -----------------------------------------------------------------------------------


def _crosswalk(path: Path, code: str) -> pd.DataFrame:
    raw = _read("crosswalk", path, pd.read_csv, path, dtype=str, keep_default_na=False)
    _require(raw, list(_CROSSWALK_COLUMNS), path)
    rows = raw[raw["province_code"] == code]
    if rows.empty:
        raise InputFileError(f"{path} has no row for province {code}; is it the national file?")
    out = rows.rename(columns=_CROSSWALK_COLUMNS)
    district_type = out["district_name"].map(
        lambda n: n[: len(n) - len(short_name(n))].strip() or None
    )
    out["district_type"] = district_type
    out = out.replace({"": None})
    out["n_new"] = pd.to_numeric(out["n_new"]).astype("Int64")
    rest = [c for c in out.columns if c not in _CROSSWALK_ORDER]
    return out[list(_CROSSWALK_ORDER) + rest].reset_index(drop=True)


def _drop_specks(geom: Any) -> tuple[Any, int, float]:
    """``geom`` without parts under :data:`SPECK_M2` (kept if all its parts are that small)."""
    parts = shapely.get_parts(geom)
    areas = shapely.area(parts)
    small = areas < SPECK_M2
    if not small.any() or small.all():
        return geom, 0, 0.0
    return shapely.multipolygons(parts[~small]), int(small.sum()), float(areas[small].sum())


def _fill_slivers(geom: Any) -> tuple[Any, int, float]:
    """``geom`` with its holes under :data:`SLIVER_HOLE_M2` filled; (geometry, holes, m²)."""
    polygons, n, area = [], 0, 0.0
    for poly in shapely.get_parts(geom):
        kept = []
        for ring in poly.interiors:
            size = shapely.Polygon(ring).area
            if size < SLIVER_HOLE_M2:
                n, area = n + 1, area + size
            else:
                kept.append(ring)
        polygons.append(shapely.Polygon(poly.exterior, kept))
    return shapely.union_all(polygons) if n else geom, n, area


def _communes(
    path: Path, code: str, crs: str, crosswalk: pd.DataFrame
) -> tuple[gpd.GeoDataFrame, str]:
    raw = _read(
        "2025 communes", path, pyogrio.read_dataframe, path, where=f"province_code = '{code}'"
    )
    _require(raw, ["code", "name", "type"], path)
    gdf = to_crs(raw, crs)
    cleaned = [_drop_specks(g) for g in gdf.geometry]
    gdf = gdf.set_geometry(gpd.GeoSeries([c[0] for c in cleaned], crs=gdf.crs, index=gdf.index))
    n, area = sum(c[1] for c in cleaned), sum(c[2] for c in cleaned)
    note = (
        f"{n} speck(s) of the coverage simplification (parts under {SPECK_M2:.0f} m², "
        f"{area:.2f} m² in all) dropped from communes that have larger parts. "
        if n
        else ""
    )
    gdf["name_full"] = gdf["type"] + " " + gdf["name"]
    gdf["area_km2"] = (gdf.area / M2_PER_KM2).round(2)
    gdf = gdf.join(old_units_of(crosswalk), on="code")
    gdf["n_old_communes"] = gdf["n_old_communes"].astype("Int64")
    keep = [
        "code",
        "name",
        "type",
        "name_full",
        "area_km2",
        "n_old_communes",
        "old_commune_codes",
        "old_district_codes",
        "geometry",
    ]
    return gdf[keep].sort_values("code").reset_index(drop=True), note


def _overlaps(gdf: gpd.GeoDataFrame) -> tuple[int, float, float, str]:
    """(pairs, total km², largest km², label of the largest) of overlapping units."""
    geoms = gdf.geometry.to_numpy()
    left, right = gpd.GeoSeries(geoms).sindex.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    inner = shapely.relate_pattern(geoms[left], geoms[right], "T********")
    areas = shapely.area(shapely.intersection(geoms[left[inner]], geoms[right[inner]]))
    if not len(areas):
        return 0, 0.0, 0.0, ""
    k = int(areas.argmax())
    codes = gdf["code"].to_numpy()
    label = f"{codes[left[inner][k]]}/{codes[right[inner][k]]}"
    return len(areas), float(areas.sum()) / M2_PER_KM2, float(areas[k]) / M2_PER_KM2, label


def _province(
    communes: gpd.GeoDataFrame, code: str, name: str, crosswalk: pd.DataFrame
) -> tuple[gpd.GeoDataFrame, str]:
    outline, n, area = _fill_slivers(shapely.union_all(communes.geometry.to_numpy()))
    note = (
        f"{n} hole(s) of the dissolve under {SLIVER_HOLE_M2 / 10_000:.0f} ha ({area:,.1f} m² in "
        "all: gaps between communes of the source, not enclaves) filled. "
        if n
        else ""
    )
    same = crosswalk.loc[crosswalk["province_code"] == code, "province_name"].dropna()
    full = same.iloc[0] if len(same) else None
    kind = _PROVINCE_TYPE.match(full) if full else None
    if not kind or fold(full[kind.end() :]) != fold(name):
        full, kind = None, None
    frame = gpd.GeoDataFrame(
        {
            "code": [code],
            "name": [name],
            "type": [kind.group(1) if kind else None],
            "name_full": [full],
            "area_km2_official": [float("nan")],
            "area_km2": [round(outline.area / M2_PER_KM2, 2)],
            "outline": [f"dissolve of the {len(communes)} communes of 2025 (communes_2025)"],
        },
        geometry=[outline],
        crs=communes.crs,
    )
    return frame, note


def _districts(
    path: Path, crs: str, crosswalk: pd.DataFrame
) -> tuple[gpd.GeoDataFrame | None, str]:
    source = f"/vsizip/{path.resolve()}/{path.name.removesuffix('.zip')}"
    raw = _read("pre-2025 districts", path, pyogrio.read_dataframe, source, layer="districts")
    _require(raw, ["code", "name", "type", "province_code", "province_name", "area_km2"], path)
    wanted = sorted(set(crosswalk["district_code"].dropna()))
    found = raw[raw["code"].isin(wanted)]
    missing = sorted(set(wanted) - set(found["code"]))
    if missing:
        provinces = sorted(
            set(crosswalk.loc[crosswalk["district_code"].isin(missing), "province_code"])
        )
        urls = ", ".join(f"daohoangson/dvhcvn data/gis/{p}.json" for p in provinces)
        return None, (
            f"{path.name} lacks {len(missing)} of the {len(wanted)} districts of the crosswalk "
            f"(province(s) {', '.join(provinces)}: the dvhcvn snapshot it was built from misses "
            f"their polygons); {urls} would fill it"
        )
    gdf = to_crs(found.rename(columns={"area_km2": "area_km2_source"}), crs)
    gdf["area_km2"] = (gdf.area / M2_PER_KM2).round(2)
    if "qa_note" not in gdf.columns:
        gdf["qa_note"] = None
    keep = [
        "code",
        "name",
        "type",
        "province_code",
        "province_name",
        "area_km2_source",
        "area_km2",
        "qa_note",
        "geometry",
    ]
    return gdf[keep].sort_values("code").reset_index(drop=True), ""


def _outside_pct(districts: gpd.GeoDataFrame, outline) -> tuple[float, str]:
    pct = 100.0 * districts.geometry.difference(outline).area / districts.geometry.area
    k = int(pct.to_numpy().argmax())
    return float(pct.iloc[k]), f"{districts['code'].iloc[k]} {districts['name'].iloc[k]}"


def _census_key(text: object) -> str:
    return re.sub(r"[^0-9a-z]", "", fold(_PROVINCE_TYPE.sub("", str(text))))


def _census(
    path: Path, old: pd.DataFrame, crosswalk: pd.DataFrame
) -> tuple[pd.DataFrame, CensusMatch]:
    raw = _read("2019 census", path, pd.read_csv, path, dtype={"ward_id": str})
    _require(
        raw, ["ward_id", "city", "district", "ward", "ward_title", "total", "urban", "rural"], path
    )
    table = tm3_meridians().set_index("province_code_2019")["name"]
    names = crosswalk.drop_duplicates("province_code").set_index("province_code")["province_name"]
    city_key = raw["city"].map(_census_key)
    units = crosswalk.drop_duplicates("code")
    matched, lost = [], []
    for row in old.itertuples():
        keys = {_census_key(names.get(row.code, "")), _census_key(table.get(row.code, ""))}
        rows = raw[city_key.isin(keys - {""})]
        if rows.empty:
            raise InputFileError(
                f"{path} has no census unit of {row.name} ({row.code}): its province column "
                f"'city' holds none of {sorted(keys - {''})}."
            )
        counts = rows[["total", "urban", "rural"]].fillna(0)
        if ((counts["urban"] + counts["rural"]) != counts["total"]).any():
            raise InputFileError(
                f"{path}: urban + rural differs from total for some units of "
                f"{row.name}; the file is not the checked national census."
            )
        ids = rows["ward_id"].where(
            rows["ward_id"].notna(), "no-gadm-id:" + rows["district"] + "/" + rows["ward"]
        )
        census = pd.DataFrame(
            {
                "census_id": ids,
                "district_2019": rows["district"],
                "name": rows["ward"],
                "type": rows["ward_title"].map(
                    lambda t: _TYPES.get(fold(str(t)).replace(" ", ""), t)
                ),
                "population_persons": counts["total"].astype("int64"),
                "population_urban_persons": counts["urban"].astype("int64"),
                "population_rural_persons": counts["rural"].astype("int64"),
            }
        )
        mine = units[units["province_code"] == row.code]
        done = match_census_names(census, mine)
        spaced = {name_key(d): short_name(d) for d in mine["district_name"].dropna()}
        done["district_2019"] = [spaced.get(name_key(d), d) for d in done["district_2019"]]
        ok = done["code"].notna()
        lost.append(done[~ok])
        matched.append(_respaced(done[ok], mine))
    layer = pd.concat(matched, ignore_index=True)
    unmatched = pd.concat(lost, ignore_index=True).rename(columns={"match_source": "reason"})
    every = pd.concat([layer, unmatched], ignore_index=True)
    methods = layer["match_method"].value_counts()
    report = CensusMatch(
        units=len(every),
        matched=len(layer),
        population=int(every["population_persons"].sum()),
        population_matched=int(layer["population_persons"].sum()),
        urban=int(every["population_urban_persons"].sum()),
        urban_matched=int(layer["population_urban_persons"].sum()),
        unmatched=unmatched[
            [
                "census_id",
                "district_2019",
                "type",
                "name",
                "population_persons",
                "population_urban_persons",
                "reason",
            ]
        ],
        methods={str(k): int(v) for k, v in methods.items()},
        list_units_without_census=[
            f"{c} {n}"
            for c, n in zip(units["code"], units["name"], strict=True)
            if c not in set(layer["code"])
        ],
    )
    return layer, report


def _respaced(done: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Matched census units with their district code, names spelt as the crosswalk spells
    them where they fold equal ("NậmLoỏng" -> "Nậm Loỏng")."""
    by_code = units.set_index("code")
    out = done.copy()
    unit_name = out["code"].map(by_code["name"]).map(short_name)
    same = out["name"].map(name_key) == unit_name.map(name_key)
    out["name"] = unit_name.where(same, out["name"])
    out.insert(2, "district_code", out["code"].map(by_code["district_code"]))
    cols = [
        "census_id",
        "district_2019",
        "district_code",
        "name",
        "type",
        *POPULATION_COLUMNS,
        "code",
        "match_method",
        "match_source",
    ]
    return out[cols]


# --- profile ----------------------------------------------------------------------------------


def _toml(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _comment(text: str, width: int = 98) -> str:
    import textwrap

    return "\n".join(
        textwrap.wrap(
            text,
            width=width,
            initial_indent="# ",
            subsequent_indent="# ",
            break_on_hyphens=False,
            break_long_words=False,
        )
    )


def _rule(comment: str, **items: Any) -> str:
    lines = ["", "[[rules]]"] + ([_comment(comment)] if comment else [])
    lines += [f"{k} = {_toml(v)}" for k, v in items.items()]
    return "\n".join(lines)


def _tolerance(value: float, step: float, floor: float) -> float:
    """A tolerance above a measured ``value``: the next ``step`` above 1.25 x it, or ``floor``."""
    return max(floor, round(math.ceil(value * 1.25 / step + 1e-9) * step, 6))


def _fk(comment: str, layer: str, column: str, ref: str, *, id_column: str, sep: str = "") -> str:
    """A foreign_key rule: ``layer.column`` values exist in ``ref`` (``"layer.column"``)."""
    ref_layer, ref_column = ref.split(".")
    items = {"check": "foreign_key", "layer": layer, "column": column}
    items |= {"separator": sep} if sep else {}
    items |= {"ref_layer": ref_layer, "ref_column": ref_column, "id_column": id_column}
    return _rule(comment, **items)


_HOLES_NOTE = (
    " only: the national file lacks the polygons of districts merged before 2025 (their "
    "successors keep their older shapes; see the layer's qa_note and provenance), so no "
    "partition rule for the districts"
)


def _area(km2: float) -> str:
    return f"{km2 * M2_PER_KM2:,.1f} m²" if km2 < 0.01 else f"{km2:,.3f} km²"


def _profile_text(
    slug: str,
    name: str,
    crs: str,
    crs_note: str,
    *,
    code: str,
    command: str,
    layers: list[str],
    measured: dict[str, Any],
    districts_note: str,
    census: CensusMatch,
) -> str:
    """The commented ``profile.toml`` of a new province."""
    m, has_districts = measured, "districts_pre2025" in layers
    head = [
        _comment(
            f"Province profile of {name}, created by `{command}` on {date.today().isoformat()} "
            "from the national data files: every layer's source and processing are in its "
            ".meta.json. Edit freely: gis init never runs again on this folder."
        ),
        f"slug = {_toml(slug)}",
        f"code = {_toml(code)}  # GSO province code of 2025 (vn_communes_2025.fgb province_code)",
        f"name = {_toml(name)}  # province_name of vn_communes_2025.fgb",
        f"name_ascii = {_toml(strip_diacritics(name))}  # the name without diacritics",
        _comment(crs_note + "."),
        f"planning_crs = {_toml(crs)}",
        _comment(
            "official_area_km2 is not set: no official figure is in the national files. The "
            "area listed with Resolution 202/2025/QH15 (34 provinces) would fill it; add it "
            "with official_area_source, then an `area` rule for the province layer (gis.validate)."
        ),
    ]
    if not has_districts:
        head.append(_comment(f"No districts_pre2025: {districts_note}."))
    head += [
        "",
        "# Layers in catalogue order (written by gis init).",
        "layers = [" + ", ".join(_toml(n) for n in layers) + "]",
        "",
        "# Topology and consistency rules (see gis/validate.py for the checks and parameters).",
    ]
    largest = f" ({m['overlap_max_pair']})" if m["overlap_max_pair"] else ""
    rules = [
        _rule(
            f"The {m['communes']} communes of 2025 tile the province outline (their own "
            f"dissolve). Measured at init in {crs}: {m['overlap_pairs']} pair(s) overlap by "
            f"{_area(m['overlap_km2'])} in all, the largest {_area(m['overlap_max_km2'])}"
            f"{largest}; tolerance per pair 0.05 km², or the next 0.01 km² above 1.25 times "
            "the largest overlap where the source overlaps more.",
            check="partition",
            layer="communes_2025",
            of="province",
            id_column="code",
            tolerance_km2=m["overlap_tolerance_km2"],
        )
    ]
    if has_districts:
        rules.append(
            _rule(
                "The pre-2025 districts come from another survey (dvhcvn) than the 2025 "
                f"outline. Measured at init: at most {m['outside_max_pct']:.2f} % of a district "
                f"({m['outside_max_unit']}) lies outside the 2025 outline; the tolerance (the "
                "next 0.5 % step above 1.25 times that, at least 1 %) catches a district moved "
                "or mis-projected. The districts cover "
                f"{m['districts_cover_pct']:.2f} % of the 2025 outline"
                + ("" if m["districts_cover_pct"] >= 99 else _HOLES_NOTE)
                + ".",
                check="within",
                layer="districts_pre2025",
                container="province",
                id_column="code",
                max_outside_pct=m["outside_tolerance_pct"],
            )
        )
    cw, cm, pop = "commune_crosswalk", "communes_2025", "population_census_2019"
    rules += [
        _fk(
            "Every old commune goes to a 2025 commune of the province.",
            cw,
            "ward2025_code",
            f"{cm}.code",
            id_column="code",
        ),
        _fk(
            "And back: every old commune a 2025 commune names exists in the crosswalk.",
            cm,
            "old_commune_codes",
            f"{cw}.code",
            id_column="code",
            sep=";",
        ),
        _fk(
            "And every 2025 commune receives at least one old commune.",
            cm,
            "code",
            f"{cw}.ward2025_code",
            id_column="code",
        ),
        _fk(
            "Every matched census unit holds a code of the crosswalk's old communes.",
            pop,
            "code",
            f"{cw}.code",
            id_column="census_id",
        ),
    ]
    missing = census.list_units_without_census
    if missing:
        rules.append(
            "\n"
            + _comment(
                "No rule that every old commune holds a census unit: measured at init, "
                f"{len(missing)} receive none ({', '.join(missing)}): their people are among "
                "the unmatched census units listed in population_census_2019.meta.json."
            )
        )
    else:
        rules.append(
            _fk(
                "And every old commune holds at least one census unit (measured at init: all "
                "do), else its population would be missing.",
                cw,
                "code",
                f"{pop}.code",
                id_column="code",
            )
        )
    if has_districts:
        rules += [
            _fk("", cw, "district_code", "districts_pre2025.code", id_column="code"),
            _fk("", pop, "district_code", "districts_pre2025.code", id_column="census_id"),
        ]
    return "\n".join(head) + "\n" + "\n".join(rules) + "\n"


# --- layer metadata ---------------------------------------------------------------------------


def _metas(
    crs: str,
    name: str,
    *,
    n_communes: int,
    crosswalk: pd.DataFrame,
    census: CensusMatch,
    files: dict[str, Path],
    cleaned: dict[str, str],
) -> dict[str, dict[str, Any]]:
    done = (
        f"Cut from the national file by gis init (gis.newprovince): reprojected to {crs} "
        "(pinned VN-2000 shift), coordinates snapped to 1 cm, text NFC; area_km2 computed "
        f"in {crs}."
    )
    area = col("area_km2", "float", description=f"area computed in {crs} (planning CRS)")
    unit = [
        col("code", required=True, unique=True, description="GSO code"),
        col("name", required=True, description="Vietnamese name, without the type word"),
    ]
    split = crosswalk["code"].duplicated().any()
    types = ["Xã", "Phường", "Đặc khu"]
    metas = {
        "province": vector_meta(
            f"{name} province outline (dissolve of the 2025 communes)",
            "Polygon",
            [
                *unit,
                col("type"),
                col("name_full"),
                col(
                    "area_km2_official",
                    "float",
                    description="official natural area: not in the "
                    "national files (the area listed with Resolution 202/2025/QH15 would fill it)",
                ),
                area,
                col("outline", description="how the outline was made"),
            ],
            {
                **TLQ,
                "source": f"dissolve of the {n_communes} communes of {files['communes'].name} "
                "(thanglequoc/vietnamese-provinces-database, commit cd58063, coverage-simplified "
                "10 m in the national file); type and name_full from the crosswalk's province of "
                "the same code",
                "source_vi": f"hợp nhất (dissolve) {n_communes} đơn vị hành chính cấp xã của "
                f"{files['communes'].name} (thanglequoc/vietnamese-provinces-database, commit "
                "cd58063, đơn giản hóa theo lớp phủ 10 m trong tệp toàn quốc); loại đơn vị và "
                "name_full lấy từ tỉnh cùng mã trong bảng chuyển đổi",
                "processing": "Communes dissolved with shapely.union_all. "
                + cleaned["province"]
                + done,
            },
            crs=crs,
            id_column="code",
        ),
        "communes_2025": vector_meta(
            f"Commune-level units from 1 July 2025 ({n_communes})",
            "Polygon",
            [
                *unit,
                col("type", required=True, allowed=types),
                col("name_full"),
                area,
                col(
                    "n_old_communes",
                    "int",
                    description="units of 01/03/2025 merged into it "
                    "(a split unit counts in each commune that receives a part)",
                ),
                col(
                    "old_commune_codes",
                    description="codes of those units (commune_crosswalk), ';'-separated",
                ),
                col("old_district_codes", description="their districts, ';'-separated"),
            ],
            {
                **TLQ,
                "source": f"{files['communes'].name}: thanglequoc/vietnamese-provinces-"
                "database json/geojson (commit cd58063), simplified as a coverage at 10 m in "
                "EPSG:3405 (area change per commune median 0.00075 %, max 0.18 %); old communes "
                f"from {files['crosswalk'].name}",
                "source_vi": f"{files['communes'].name}: thanglequoc/vietnamese-provinces-"
                "database json/geojson (commit cd58063), đơn giản hóa theo lớp phủ ở 10 m trong "
                "EPSG:3405 (thay đổi diện tích mỗi đơn vị cấp xã: trung vị 0.00075 %, lớn nhất "
                f"0.18 %); các đơn vị cấp xã cũ lấy từ {files['crosswalk'].name}",
                "processing": "name_full = type + name; n_old_communes, old_commune_codes and "
                "old_district_codes from the crosswalk (gis.crosswalk.old_units_of). The national "
                "file has no source area per commune (no area_km2_source column). "
                + cleaned["communes_2025"]
                + done,
            },
            crs=crs,
            id_column="code",
        ),
        "commune_crosswalk": table_meta(
            f"Crosswalk: {crosswalk['code'].nunique()} communes of the GSO list of 01/03/2025 -> "
            f"{crosswalk['ward2025_code'].nunique()} communes of 2025 ({len(crosswalk)} rows)",
            [
                col(
                    "code",
                    required=True,
                    unique=not split,
                    description="GSO code of the old "
                    "commune"
                    + (
                        "; a commune split across 2025 communes has one row per part "
                        "(old_part = partial)"
                        if split
                        else ""
                    ),
                ),
                col("name", required=True, description="name with its type word"),
                col("type", allowed=["Xã", "Phường", "Thị trấn", "Huyện"]),
                col("district_code", required=True),
                col("district_name"),
                col("district_type", description="type word of district_name"),
                col("province_code", description="province of 01/03/2025"),
                col("ward2025_code", required=True),
                col("ward2025_name"),
                col("ward2025_type", allowed=types),
                col(
                    "mapping_confidence",
                    allowed=["high", "manual:high", "medium", "low", "manual:low"],
                ),
                col("province_name", description="province of 01/03/2025"),
                col("province2025_code"),
                col("province2025_name"),
                col("n_new", "int", description="2025 communes the old commune goes to"),
                col(
                    "old_part",
                    allowed=["full", "partial"],
                    description="as in the national file: partial = one part of a split commune",
                ),
                col(
                    "sapnhap_lists_old",
                    description="national file's QA: sapnhap.bando.com.vn "
                    "lists the old commune under the new one",
                ),
                col(
                    "spatial_check",
                    description="national file's QA: the new unit against the old district",
                ),
                col(
                    "qa_flag",
                    description="national file's QA: suspect / check rows, kept as "
                    "they are (decide per row, with a source)",
                ),
                col(
                    "suggested_new_code",
                    description="national file's suggestion for a suspect row; not applied",
                ),
                col("note"),
            ],
            {
                **M25,
                "source": f"{files['crosswalk'].name}: names/codes daohoangson/dvhcvn (list "
                "of 01/03/2025); old->new mapping dvhcvn/20250701 (commit dd94887), extracted "
                "from the 2025 resolutions of the National Assembly Standing Committee with a "
                "language model and hand-fixed by its author; new names thanglequoc/vietnamese-"
                "provinces-database",
                "source_vi": f"{files['crosswalk'].name}: tên/mã daohoangson/dvhcvn (danh mục "
                "ngày 01/03/2025); đối chiếu cũ->mới dvhcvn/20250701 (commit dd94887), được trích "
                "xuất bằng mô hình ngôn ngữ từ các nghị quyết năm 2025 của Ủy ban Thường vụ Quốc "
                "hội và được tác giả sửa thủ công; tên mới thanglequoc/vietnamese-provinces-"
                "database",
                "processing": "The province's rows (province_code of 2025) copied as they are: "
                "columns renamed to the layer's (old_code -> code, new_code -> ward2025_code, "
                "old_province_code -> province_code, province_code -> province2025_code ...), "
                "district_type added from district_name; no row or value altered (qa_flag and "
                "suggested_new_code kept, not applied).",
            },
            id_column="code",
        ),
        "population_census_2019": table_meta(
            f"2019 census population by commune-level unit of 01/04/2019 ({census.matched} of "
            f"{census.units} units, matched by name)",
            [
                col(
                    "census_id",
                    required=True,
                    unique=True,
                    description="id of the unit in the "
                    "tabulation (a GADM 4.1 id; 'no-gadm-id:district/unit' where it has none)",
                ),
                col("district_2019", required=True, description="district on the census date"),
                col(
                    "district_code",
                    required=True,
                    description="GSO code of the district of "
                    "the matched unit in the list of 01/03/2025 (commune_crosswalk.district_code)",
                ),
                col("name", required=True, description="unit name on the census date"),
                col(
                    "type",
                    required=True,
                    allowed=["Xã", "Phường", "Thị trấn", "Huyện"],
                    description="unit type on the census date; urban = Phường + Thị trấn",
                ),
                col("population_persons", "int", required=True, description="total, persons"),
                col(
                    "population_urban_persons",
                    "int",
                    required=True,
                    description="urban population (census definition: phường and thị trấn)",
                ),
                col("population_rural_persons", "int", required=True, description="rural, persons"),
                col(
                    "code",
                    required=True,
                    description="GSO code of the unit holding it in the "
                    "list of 01/03/2025 (commune_crosswalk.code)",
                ),
                col(
                    "match_method",
                    required=True,
                    allowed=[
                        "name",
                        "folded name",
                        "override",
                        "folded name, type changed",
                        "folded name, district changed",
                        "folded name, district and type changed",
                    ],
                ),
                col("match_source", description="unit matched"),
            ],
            {
                **CENSUS,
                "processing": (
                    f"Cut from {files['census'].name} by gis init: units of the province's 2019 "
                    "province(s), empty urban/rural counts set to 0, types normalised "
                    "('ThịTrấn' -> 'Thị trấn'); each unit matched to an old commune of the "
                    "crosswalk by folded name (gis.census.match_census_names: same district, then "
                    "another type, then another district, one to one only); names and districts "
                    "re-spaced as the crosswalk spells them where they fold equal. Matched "
                    f"{census.matched} of {census.units} units, {census.population_matched:,} of "
                    f"{census.population:,} persons ({census.share_pct:.2f} %), urban "
                    f"{census.urban_matched:,} of {census.urban:,}. The "
                    f"{len(census.unmatched)} unmatched unit(s) (merged, moved or renamed between "
                    "the census and the list; their people are missing from the layer) are "
                    "listed in unmatched_census_units. To account for them, give each its unit of "
                    "the list with the resolution that merged it and rebuild the layer with "
                    "gis.census.match_census_units(..., overrides=...) as tools/import_census.py "
                    "does."
                ),
                "unmatched_census_units": json.loads(
                    census.unmatched.to_json(orient="records", force_ascii=False)
                ),
            },
            id_column="census_id",
            notes=(
                "Not matched (not in the layer): "
                + "; ".join(
                    f"{r.type} {r.name} ({r.district_2019}) {r.population_persons:,} persons"
                    for r in census.unmatched.itertuples()
                )
                + "."
            )
            if len(census.unmatched)
            else "Every census unit of the province is matched.",
        ),
    }
    metas["districts_pre2025"] = vector_meta(
        "District-level units of the GSO list of 01/03/2025 (dvhcvn boundaries)",
        "Polygon",
        [
            col("code", required=True, unique=True, description="GSO code (01/03/2025)"),
            col("name", required=True, description="name with its type word"),
            col("type", allowed=["Thành phố", "Huyện", "Thị xã", "Quận"]),
            col("province_code"),
            col("province_name"),
            col(
                "area_km2_source",
                "float",
                description="area given by the national file (EPSG:6933)",
            ),
            area,
            col("qa_note", description="the national file's note on the polygon"),
        ],
        {
            **DVHCVN,
            "source": f"{files['admin'].name} layer districts: daohoangson/dvhcvn "
            "data/gis/*.json (commit 4b1b6b5), polygons scraped from gis.chinhphu.vn; names and "
            "codes of the GSO list of 01/03/2025",
            "source_vi": f"{files['admin'].name} lớp districts: daohoangson/dvhcvn "
            "data/gis/*.json (commit 4b1b6b5), đa giác thu thập từ gis.chinhphu.vn; tên và mã "
            "theo danh mục của Cục Thống kê ngày 01/03/2025",
            "date": "polygon vintage older than the list for some districts (see qa_note; "
            "districts merged in 2019-2020 may be missing or carry older shapes)",
            "processing": "The districts whose codes the crosswalk names (so those of the list "
            "of 01/03/2025; abolished ones left out); source column area_km2 renamed "
            "area_km2_source. " + done,
        },
        crs=crs,
        id_column="code",
    )
    return metas


# --- the command ------------------------------------------------------------------------------


def init_province(
    slug: str,
    province_code: str,
    national_dir: str | Path,
    *,
    crs: str | None = None,
    layers_dir: str | Path | None = None,
) -> InitResult:
    """Create ``<layers_dir>/<slug>/`` for a 2025 province from the national data files.

    Parameters
    ----------
    slug : str
        Folder name of the new province (lower-case ASCII, digits, underscores).
    province_code : str
        GSO province code of 2025 (``"12"``, also ``"4"`` for ``"04"``).
    national_dir : path
        Folder with the national files (:data:`NATIONAL_FILES`, layout of the project's
        shared data folder).
    crs : str, optional
        Planning CRS, an EPSG code (``"EPSG:9210"``); overrides the meridian table. Required
        for a province merged in 2025 from several provinces.
    layers_dir : path, optional
        Root of the layer store; default :data:`gis.settings.LAYERS_DIR`.

    Returns
    -------
    InitResult
        The new profile, the rows per layer, skipped layers with the reason, and the census
        match report (:class:`CensusMatch`).

    Raises
    ------
    ProfileError
        Bad slug, a folder of that name already exists (never overwritten), unknown province
        code (the message lists the valid ones).
    InputFileError
        A national file is missing (named, with what it is) or unreadable.
    CRSError
        No confirmed meridian (merged province: the candidates are listed), or ``crs`` is not
        a projected metric CRS with an EPSG code.

    Nothing is left behind on error: the folder is removed if it was created.
    """
    root = Path(layers_dir) if layers_dir is not None else Path(settings.LAYERS_DIR)
    folder = _check_slug(slug, root)
    files = _national_paths(national_dir)
    provinces = _provinces_2025(files["communes"])
    code = _province_code(province_code, provinces)
    name = provinces[code]
    crosswalk = _crosswalk(files["crosswalk"], code)
    old = (
        crosswalk.drop_duplicates("code")
        .groupby("province_code")
        .agg(name=("province_name", "first"), n=("code", "size"))
        .reset_index()
        .rename(columns={"province_code": "code"})
    )
    old["name"] = old["name"].map(lambda n: _PROVINCE_TYPE.sub("", str(n)))
    if crs:
        planning_crs, crs_note = _given_crs(crs)
        crs_note += "; the meridian table gives " + "; ".join(_meridians_of(old))
    else:
        planning_crs, crs_note = _table_crs(code, name, old)

    communes, communes_note = _communes(files["communes"], code, planning_crs, crosswalk)
    province, province_note = _province(communes, code, name, crosswalk)
    districts, districts_note = _districts(files["admin"], planning_crs, crosswalk)
    census_layer, census = _census(files["census"], old, crosswalk)

    pairs, total, largest, pair = _overlaps(communes)
    measured: dict[str, Any] = {
        "communes": len(communes),
        "overlap_pairs": pairs,
        "overlap_km2": total,
        "overlap_max_km2": largest,
        "overlap_max_pair": pair,
        "overlap_tolerance_km2": _tolerance(largest, 0.01, 0.05),
    }
    if districts is not None:
        outline = province.geometry.iloc[0]
        pct, unit = _outside_pct(districts, outline)
        covered = shapely.union_all(districts.geometry.to_numpy()).intersection(outline).area
        measured |= {
            "outside_max_pct": pct,
            "outside_max_unit": unit,
            "outside_tolerance_pct": _tolerance(pct, 0.5, 1.0),
            "districts_cover_pct": 100.0 * covered / outline.area,
        }
    names = [n for n in LAYERS if n != "districts_pre2025" or districts is not None]
    command = f"gis init {slug} --province-code {code} --from {national_dir}" + (
        f" --crs {crs}" if crs else ""
    )
    text = _profile_text(
        slug,
        name,
        planning_crs,
        crs_note,
        code=code,
        command=command,
        layers=names,
        measured=measured,
        districts_note=districts_note,
        census=census,
    )
    metas = _metas(
        planning_crs,
        name,
        n_communes=len(communes),
        crosswalk=crosswalk,
        census=census,
        files=files,
        cleaned={"province": province_note, "communes_2025": communes_note},
    )
    frames = {
        "province": province,
        "districts_pre2025": districts,
        "communes_2025": communes,
        "commune_crosswalk": crosswalk,
        "population_census_2019": census_layer,
    }

    folder.mkdir(parents=True)
    try:
        (folder / "profile.toml").write_text(text, encoding="utf-8")
        profile = load_profile(slug, layers_dir=root)
        for layer in names:
            write_layer(
                frames[layer],
                layer,
                meta=metas[layer],
                province=profile,
                message="gis init",
                check_rules=False,
            )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    skipped = {} if districts is not None else {"districts_pre2025": districts_note}
    return InitResult(
        profile=profile,
        crs_note=crs_note,
        layers={n: len(frames[n]) for n in names},
        skipped=skipped,
        census=census,
        measured=measured,
    )
