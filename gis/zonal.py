"""Raster statistics per unit (zonal statistics) with exact cell coverage, and slope from a DEM.

:func:`zonal_stats` wraps `exactextract <https://isciences.github.io/exactextract>`_: each cell
counts with the fraction of its area covered by the unit, so a unit that covers half a cell gets
half its population, and results do not depend on an ``all_touched`` choice (rasterstats' cell-
centre rule can miss or double-count cells along boundaries).

The vectors are reprojected to the raster's CRS (with :func:`gis.crs.to_crs`, pinned VN-2000
datum shift); the raster is never resampled, so its values (counts per cell, classes) stay exact.

Memory: exactextract reads the raster in windows of at most ``max_cells_in_memory`` cells, so a
raster larger than RAM can be processed; GDAL's block cache, 5 % of RAM by default and the
largest part of the peak otherwise, is bounded to ``gdal_cache_mb`` during the read. Measured with
``bench/zonal_memory.py`` on 2026-12-02 (exactextract 0.3, GDAL 3.10, 2 CPUs shared with other
jobs; one unit covering a tiled float32 GeoTIFF of 30,000² cells, 3.6 GB decoded; peak resident
memory of the whole process, imports alone 258 MB; every sum exact, border cells half covered):

========================  ======================  ==========  =======
``max_cells_in_memory``   GDAL block cache        peak RSS    time
========================  ======================  ==========  =======
1,000,000                 64 MB (default)         351 MB      5.7 s
4,000,000 (default)       64 MB (default)         374 MB      7.8 s
30,000,000                64 MB (default)         571 MB      14 s
4,000,000                 GDAL's (5 % of 24 GB)   1,516 MB    9.5 s
========================  ======================  ==========  =======

On the 692 national districts over a 100 m national raster (181.5 million cells) the toolkit
took 1.9 s and 400 MB, exactextract called directly 3.1 s and 562 MB (same results), rasterstats
7.7 s and 703 MB (whole cells by centre: up to 6.9 % off in a small district). See
``docs/performance.md`` and ``bench/zonal_peers.py``.

Plug-in rasters (download them yourself; nothing is fetched at run time):

- WorldPop population counts (``*_ppp_*`` or constrained ``*_pop_*``, 100 m, EPSG:4326):
  ``zonal_stats(communes, "vnm_ppp_2020.tif", stats=("sum",), prefix="pop")``.
- GHSL GHS-POP (100 m / 1 km, Mollweide ESRI:54009): same, ``stats=("sum",)``.
- ESA WorldCover 10 m (classes 10 tree cover ... 100 moss; EPSG:4326):
  ``zonal_stats(communes, tile, categorical=True, nodata=0, class_names=WORLDCOVER_CLASSES)``.
- Copernicus GLO-30 DEM: ``slope_deg`` after warping to the planning CRS, then
  ``zonal_stats(communes, "slope.tif", stats=("mean",), prefix="slope_deg")``.
"""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import rasterio
import shapely
from exactextract import exact_extract
from exactextract.feature import Feature, FeatureSource
from exactextract.raster import RasterioRasterSource
from rasterio.enums import MaskFlags
from rasterio.windows import Window

from gis._frames import (
    check_free_columns,
    require_columns,
    require_geodataframe,
    require_polygons,
)
from gis._progress import fraction_progress
from gis.crs import to_crs
from gis.errors import LayerError, RasterError

__all__ = ["STATS", "WORLDCOVER_CLASSES", "slope_deg", "zonal_stats"]

#: Statistics :func:`zonal_stats` accepts (exactextract operation names). ``sum``, ``mean`` and
#: ``count`` are coverage-weighted: ``count`` is the number of valid cells, partial cells counted
#: by their covered fraction.
STATS = (
    "sum",
    "mean",
    "count",
    "min",
    "max",
    "median",
    "stdev",
    "majority",
    "minority",
    "variety",
)

#: ESA WorldCover v200 legend (product user manual): class value -> column-friendly name.
WORLDCOVER_CLASSES = {
    10: "tree_cover",
    20: "shrubland",
    30: "grassland",
    40: "cropland",
    50: "built_up",
    60: "bare_sparse_vegetation",
    70: "snow_ice",
    80: "permanent_water",
    90: "herbaceous_wetland",
    95: "mangroves",
    100: "moss_lichen",
}


class _RasterSource(RasterioRasterSource):
    """A rasterio-backed exactextract source that reads windows without a mask when it can.

    rasterio's masked read (what exactextract's own source does) builds the mask of every window
    from the nodata value; exactextract drops nodata (and NaN) cells itself given
    :meth:`nodata_value`, so when the band's mask is only its nodata value (or all valid) and
    values are not scaled, the plain read gives the same result with less work. Otherwise (a
    mask band, scale/offset, a ``nodata`` override beside a different declared nodata) windows
    are read masked, and the override value is masked too.
    """

    def __init__(self, ds: rasterio.DatasetReader, band_idx: int, nodata: float | None) -> None:
        super().__init__(ds, band_idx)
        self._nodata = nodata
        flags = ds.mask_flag_enums[band_idx - 1]
        only_nodata = all(f in (MaskFlags.nodata, MaskFlags.all_valid) for f in flags)
        declared = ds.nodatavals[band_idx - 1]
        self._plain = (
            only_nodata
            and not self.scaled
            and (nodata is None or declared is None or nodata == declared)
        )

    def nodata_value(self) -> float | int | None:
        if self._nodata is None:
            return super().nodata_value()
        return self._nodata if self.isfloat else int(self._nodata)

    def read_window(self, x0: int, y0: int, nx: int, ny: int) -> np.ndarray:
        if self._plain:
            return self.ds.read(self.band_idx, window=Window(x0, y0, nx, ny))
        arr = np.ma.asarray(super().read_window(x0, y0, nx, ny))
        mask = np.ma.getmaskarray(arr)
        if self._nodata is not None:
            mask = mask | (arr.data == self._nodata)
        return np.ma.MaskedArray(arr.data, mask=mask, shrink=False)  # exactextract needs 2-D


class _Unit(Feature):
    """One unit for exactextract: its geometry as WKB and its row number."""

    def __init__(self, wkb: bytes, row: int) -> None:
        super().__init__()
        self._wkb, self._row = wkb, row

    def geometry(self) -> bytes:
        return self._wkb

    def get(self, name: str) -> int:
        return self._row

    def fields(self) -> list[str]:
        return ["_row"]


class _Units(FeatureSource):
    """Units handed to exactextract as WKB made in one vectorised call.

    exactextract's GeoDataFrame source turns each feature into GeoJSON text (Python dicts of
    coordinate tuples, ``json.dumps``) that its C++ side parses back: about 12 % of the run time
    on the 692 national districts (``bench/zonal_peers.py``). WKB skips both steps.
    """

    def __init__(self, geoms: np.ndarray, rows: np.ndarray, srs_wkt: str) -> None:
        super().__init__()
        self._wkb = shapely.to_wkb(geoms)
        self._rows = rows.tolist()
        self._srs_wkt = srs_wkt

    def count(self) -> int:
        return len(self._wkb)

    def __iter__(self):
        for row, wkb in zip(self._rows, self._wkb, strict=True):
            yield _Unit(wkb, row)

    def srs_wkt(self) -> str:
        return self._srs_wkt


def _default_prefix(raster_path: Path) -> str:
    return re.sub(r"[^0-9a-z]+", "_", raster_path.stem.lower()).strip("_") or "raster"


def _open_checked(raster_path: Path, band: int) -> rasterio.DatasetReader:
    if not raster_path.exists():
        raise RasterError(f"raster file '{raster_path}' does not exist.")
    try:
        ds = rasterio.open(raster_path)
    except rasterio.errors.RasterioIOError as exc:
        raise RasterError(f"cannot read raster '{raster_path}': {exc}") from exc
    if ds.crs is None:
        ds.close()
        raise RasterError(
            f"raster '{raster_path}' has no CRS, so the units cannot be placed on it. Assign the "
            "CRS of its source, e.g. `gdal_edit.py -a_srs EPSG:4326 FILE` (WorldPop, WorldCover, "
            "Copernicus DEM) or `-a_srs ESRI:54009` (GHSL Mollweide)."
        )
    if not 1 <= band <= ds.count:
        ds.close()
        raise RasterError(f"raster '{raster_path}' has {ds.count} band(s); band={band} is absent.")
    return ds


def _units_in_raster_crs(
    units: gpd.GeoDataFrame, ds: rasterio.DatasetReader, raster_path: Path
) -> gpd.GeoDataFrame:
    raster_crs = pyproj.CRS.from_wkt(ds.crs.to_wkt())
    moved = to_crs(units[[units.geometry.name]], raster_crs)
    moved = moved.set_crs(raster_crs, allow_override=True)
    box = shapely.box(*ds.bounds)
    geoms = moved.geometry.values
    finite = np.isfinite(shapely.get_coordinates(geoms)).all()
    if not finite or not shapely.intersects(geoms, box).any():
        raise RasterError(
            f"no unit intersects raster '{raster_path.name}' (bounds {tuple(ds.bounds)} in "
            f"{raster_crs.to_string()}): likely a CRS mix-up: units in {units.crs.to_string()}, "
            f"raster in {raster_crs.to_string()}. Check that each file's CRS is the one its data "
            "was made in, and that the raster covers the province."
        )
    return moved


def zonal_stats(
    units: gpd.GeoDataFrame,
    raster_path: str | Path,
    *,
    stats: Sequence[str] = ("sum", "mean"),
    categorical: bool = False,
    class_names: Mapping[int | float, str] | None = None,
    prefix: str | None = None,
    band: int = 1,
    nodata: float | None = None,
    id_column: str | None = None,
    max_cells_in_memory: int = 4_000_000,
    gdal_cache_mb: float | None = 64,
    strategy: str = "feature-sequential",
    progress: bool = False,
) -> gpd.GeoDataFrame:
    """Summarise a raster over each polygon unit, weighting cells by the fraction covered.

    Parameters
    ----------
    units : GeoDataFrame
        Polygons with a CRS; not modified. Reprojected (a copy) to the raster's CRS.
    raster_path : str or Path
        A GeoTIFF (or any file GDAL reads) with a CRS.
    stats : sequence of str
        Statistics from :data:`STATS` (ignored when ``categorical``). ``sum`` of a population-count
        raster is the population of the unit; ``mean`` is the coverage-weighted mean value.
    categorical : bool
        Treat cell values as classes (land cover) and return the percentage of the unit's valid
        area in each class, ``<prefix>_<class>_pct`` (classes absent from every unit get no
        column; a class absent from one unit gets 0).
    class_names : mapping, optional
        Class value -> name used in column names (e.g. :data:`WORLDCOVER_CLASSES`).
    prefix : str, optional
        Start of the new column names; default the file name in lower case (``pop_2020.tif`` ->
        ``pop_2020_sum``).
    band : int
        1-based band to read.
    nodata : float, optional
        Value to treat as missing when the file declares none (or to override it).
    id_column : str, optional
        Column of ``units`` that identifies them, checked to be unique (its values are kept).
    max_cells_in_memory : int
        Largest number of raster cells exactextract loads at once: bounds memory for rasters
        bigger than RAM (about 4 bytes per cell of float32 data, plus coverage fractions). Larger
        windows were no faster in ``bench/zonal_memory.py`` (see the table above).
    gdal_cache_mb : float or None
        Size of GDAL's block cache while the raster is read, in MB (at least 1), restored
        afterwards. GDAL's default, 5 % of RAM, is what fills memory otherwise (1.2 GB of cache on
        a 24 GB machine). ``None`` leaves GDAL's setting (``GDAL_CACHEMAX``) as it is.
    strategy : {"feature-sequential", "raster-sequential"}
        exactextract processing order; the first keeps memory predictable.
    progress : bool
        Show progress over the units (a tqdm bar with counts and an estimate on a terminal, a
        line per tenth of the units in a log), for long runs over many units.

    Returns
    -------
    GeoDataFrame
        A copy of ``units`` (its CRS and geometry) with one column per statistic
        ``<prefix>_<stat>`` (or per class), plus ``<prefix>_valid_pct``: percentage of the unit's
        area covered by valid (non-nodata) cells. Statistics of a unit with no valid cell are NaN,
        never 0. ``attrs["zonal_stats"]`` records raster, band, nodata, CRS and method.

    Raises
    ------
    RasterError
        Missing file, no CRS, absent band, or no unit over the raster (a likely CRS mix-up).
    LayerError
        ``units`` not polygons, ``id_column`` missing or not unique, or a new column exists.

    Warns
    -----
    UserWarning
        If the raster declares no nodata value and none is given: every cell then counts as data.
    """
    units = require_geodataframe(units, name="units")
    require_polygons(units, name="units")
    if units.crs is None:
        raise RasterError(
            "'units' has no CRS, so they cannot be placed on the raster. State it with "
            "`units.set_crs(...)` (EPSG:9205 for VN-2000 / TM-3 103-00)."
        )
    if id_column is not None:
        require_columns(units, [id_column], name="units")
        if units[id_column].duplicated().any():
            dup = units.loc[units[id_column].duplicated(), id_column].tolist()[:5]
            raise LayerError(
                f"id_column '{id_column}' of 'units' is not unique; repeated values: {dup}."
            )
    bad = [s for s in stats if s not in STATS]
    if not categorical and (bad or not stats):
        raise ValueError(f"unknown statistic(s) {bad or list(stats)}; choose from {list(STATS)}.")
    if gdal_cache_mb is not None and not gdal_cache_mb >= 1:
        raise ValueError(f"gdal_cache_mb={gdal_cache_mb!r}; give at least 1 (MB), or None.")
    if strategy not in ("feature-sequential", "raster-sequential"):
        raise ValueError(
            f"strategy={strategy!r}; choose 'feature-sequential' or 'raster-sequential'."
        )
    raster_path = Path(raster_path)
    prefix = prefix or _default_prefix(raster_path)

    ds = _open_checked(raster_path, band)
    try:
        declared = ds.nodatavals[band - 1]
        no_mask = list(ds.mask_flag_enums[band - 1]) == [MaskFlags.all_valid]  # no mask band
        if nodata is None and declared is None and no_mask:
            warnings.warn(
                f"raster '{raster_path.name}' declares no nodata value: every cell counts as "
                "data (a -99999 fill would be summed). Pass nodata=VALUE if the file uses one.",
                UserWarning,
                stacklevel=2,
            )
        source = _RasterSource(ds, band, nodata)
        moved = _units_in_raster_crs(units, ds, raster_path)
        geoms = np.asarray(moved.geometry.values)
        rows = np.flatnonzero(~(shapely.is_missing(geoms) | shapely.is_empty(geoms)))
        feats = _Units(geoms[rows], rows, moved.crs.to_wkt())  # empty units: NaN, not an error
        ops = ["count", "frac", "unique"] if categorical else list(dict.fromkeys(["count", *stats]))
        cache = (
            rasterio.Env(GDAL_CACHEMAX=int(gdal_cache_mb * 2**20))  # bytes; restored on exit
            if gdal_cache_mb is not None
            else contextlib.nullcontext()
        )
        shown = fraction_progress(
            len(rows), desc="zonal statistics", unit="unit", quiet=not progress
        )
        with cache, shown as report:
            raw = exact_extract(
                source,
                feats,
                ops,
                include_cols=["_row"],
                output="pandas",
                max_cells_in_memory=int(max_cells_in_memory),
                strategy=strategy,
                progress=report if progress else False,
            )
        cell_area = abs(ds.transform.a * ds.transform.e)
    finally:
        ds.close()
    raw = raw.set_index("_row").reindex(np.arange(len(moved)))
    count = raw["count"].to_numpy(dtype=float)
    has_data = count > 0
    unit_area = shapely.area(moved.geometry.values)
    valid_pct = np.where(unit_area > 0, 100.0 * count * cell_area / unit_area, np.nan)

    new: dict[str, np.ndarray] = {}
    if categorical:
        shares: list[dict] = [
            dict(zip(u, f, strict=True)) if ok else {}
            for u, f, ok in zip(raw["unique"], raw["frac"], has_data, strict=True)
        ]
        classes = sorted({c for row in shares for c in row})
        names = dict(class_names or {})
        for c in classes:
            label = names.get(c, names.get(int(c), None)) if float(c).is_integer() else None
            label = label or (str(int(c)) if float(c).is_integer() else str(c).replace(".", "_"))
            values = np.array([100.0 * row.get(c, 0.0) for row in shares])
            new[f"{prefix}_{label}_pct"] = np.where(has_data, values, np.nan)
    else:
        for stat in stats:
            values = raw[stat].to_numpy(dtype=float)
            new[f"{prefix}_{stat}"] = np.where(has_data, values, np.nan)
    new[f"{prefix}_valid_pct"] = np.minimum(valid_pct, 100.0)

    check_free_columns(units, new, name="units")
    out = units.copy()
    for col, values in new.items():
        out[col] = values
    out.attrs["zonal_stats"] = {
        "raster": str(raster_path),
        "band": band,
        "nodata": nodata if nodata is not None else declared,
        "raster_crs": moved.crs.to_string(),
        "method": "exactextract coverage-weighted; vectors reprojected to the raster CRS",
        "categorical": categorical,
    }
    return out


def slope_deg(dem_path: str | Path, out_path: str | Path) -> Path:
    """Write the terrain slope in degrees of a DEM in a projected metric CRS.

    Slope is ``atan(|grad z|)`` with the gradient from :func:`numpy.gradient` (central differences
    inside, one-sided on edges) on cell sizes in metres. Cells next to nodata are nodata. The DEM is
    read whole: about 12 bytes per cell (Lai Châu at 30 m: ~10 million cells, ~120 MB).

    Parameters
    ----------
    dem_path : str or Path
        Elevation raster (metres) in a projected CRS in metres. A Copernicus DEM tile is in
        EPSG:4326: warp it first, e.g. ``gdalwarp -t_srs EPSG:9205 -tr 30 30 -r bilinear``.
    out_path : str or Path
        GeoTIFF to write (float32, nodata -9999, same grid and CRS).

    Returns
    -------
    Path
        ``out_path``.

    Raises
    ------
    RasterError
        No CRS, a geographic CRS, or units other than metres.
    """
    dem_path, out_path = Path(dem_path), Path(out_path)
    with _open_checked(dem_path, 1) as ds:
        crs = pyproj.CRS.from_wkt(ds.crs.to_wkt())
        unit = crs.axis_info[0].unit_name if crs.axis_info else "?"
        if not crs.is_projected or unit not in ("metre", "meter"):
            raise RasterError(
                f"DEM '{dem_path.name}' is in {crs.to_string()} "
                f"({'degrees' if crs.is_geographic else unit}); slope needs cell sizes in metres. "
                "Warp it first: `gdalwarp -t_srs EPSG:9205 -tr 30 30 -r bilinear IN OUT`."
            )
        z = ds.read(1, masked=True).astype("float64")
        profile = ds.profile
        dx, dy = abs(ds.transform.a), abs(ds.transform.e)
    filled = z.filled(np.nan)
    gy, gx = np.gradient(filled, dy, dx)
    slope = np.degrees(np.arctan(np.hypot(gx, gy)))
    slope = np.where(np.isfinite(slope), slope, -9999.0).astype("float32")
    profile.update(dtype="float32", nodata=-9999.0, count=1, compress="deflate")
    with rasterio.open(out_path, "w", **profile) as dst:
        dst.write(slope, 1)
    return out_path
