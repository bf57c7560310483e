"""Coordinate reference systems: VN-2000, the pinned datum shift, metric checks.

Vietnam's national system VN-2000 (EPSG:4756) sits on the WGS 84 ellipsoid but a different datum.
Decision 05/2007/QĐ-BTNMT publishes a 7-parameter shift to WGS 84 whose rotations follow the
*coordinate-frame* convention; PROJ's ``+towgs84`` expects *position-vector*, so the three
rotation signs flip (getting it wrong moves points by about 0.5 m). PROJ registers two
transformations for EPSG:4756 -> EPSG:4326 and which one a plain ``to_crs`` picks depends on the
PROJ install, so this module pins one: :data:`VN2000_TOWGS84`, used by :func:`to_crs` whenever
exactly one side of a reprojection is on the VN-2000 datum. ``tests/test_crs.py`` checks it
against PROJ's registered "VN-2000 to WGS 84 (2)" on a control point.
"""

from __future__ import annotations

import math
import warnings
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from gis.errors import CRSError

__all__ = [
    "TM3_EPSG_CODES",
    "VN2000_TOWGS84",
    "is_vn2000",
    "pinned_crs",
    "require_crs",
    "require_metric_crs",
    "tm3_epsg",
    "to_crs",
    "transformer",
]

#: VN-2000 -> WGS 84, Decision 05/2007/QĐ-BTNMT, position-vector convention as PROJ's ``+towgs84``
#: expects (dx, dy, dz in m; rx, ry, rz in arc-seconds; ds in ppm).
VN2000_TOWGS84 = (
    "-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278"
)

_VN2000_DATUM_NAMES = {"Vietnam 2000", "VN-2000"}


def is_vn2000(crs: pyproj.CRS | str | int | None) -> bool:
    """Return True if ``crs`` is on the VN-2000 datum (geographic or projected)."""
    if crs is None:
        return False
    geodetic = pyproj.CRS.from_user_input(crs).geodetic_crs
    return geodetic is not None and geodetic.datum.name in _VN2000_DATUM_NAMES


def pinned_crs(crs: pyproj.CRS) -> pyproj.CRS:
    """Return ``crs`` with the pinned VN-2000 -> WGS 84 shift attached (a PROJ BoundCRS)."""
    with warnings.catch_warnings():  # PROJ warns that a PROJ string loses metadata: intended
        warnings.simplefilter("ignore", UserWarning)
        proj4 = crs.to_proj4()  # "+proj=tmerc ... +ellps=WGS84 +units=m +no_defs +type=crs"
    parts = [p for p in proj4.split() if not p.startswith(("+towgs84", "+type", "+no_defs"))]
    return pyproj.CRS.from_proj4(" ".join([*parts, f"+towgs84={VN2000_TOWGS84}", "+no_defs"]))


@lru_cache(maxsize=64)
def _transformer_cached(src_wkt: str, dst_wkt: str) -> pyproj.Transformer:
    src, dst = pyproj.CRS.from_wkt(src_wkt), pyproj.CRS.from_wkt(dst_wkt)
    if is_vn2000(src) != is_vn2000(dst):
        src = pinned_crs(src) if is_vn2000(src) else src
        dst = pinned_crs(dst) if is_vn2000(dst) else dst
    return pyproj.Transformer.from_crs(src, dst, always_xy=True)


def transformer(src: pyproj.CRS | str | int, dst: pyproj.CRS | str | int) -> pyproj.Transformer:
    """Return the toolkit's transformer from ``src`` to ``dst`` (x = easting/longitude first).

    When exactly one of the two CRSs is on the VN-2000 datum, the datum shift is the pinned
    :data:`VN2000_TOWGS84`, whatever the local PROJ database would choose.
    """
    src_crs, dst_crs = pyproj.CRS.from_user_input(src), pyproj.CRS.from_user_input(dst)
    return _transformer_cached(src_crs.to_wkt(), dst_crs.to_wkt())


def require_crs(gdf: gpd.GeoDataFrame | gpd.GeoSeries, *, name: str = "layer") -> pyproj.CRS:
    """Return the CRS of ``gdf`` or raise :class:`CRSError` telling how to state it."""
    if gdf.crs is None:
        raise CRSError(
            f"'{name}' has no coordinate reference system. State it: in Python "
            "`gdf.set_crs('EPSG:4326')` (lon/lat) or `gdf.set_crs('EPSG:9205')` (VN-2000 / TM-3 "
            "103-00); on the command line `gis import FILE --as LAYER --crs EPSG:9205`; for a "
            "Shapefile, supply its .prj file."
        )
    return gdf.crs


def require_metric_crs(
    gdf: gpd.GeoDataFrame | gpd.GeoSeries, *, name: str = "layer", purpose: str = "areas"
) -> pyproj.CRS:
    """Return the CRS of ``gdf`` if it is projected in metres, else raise :class:`CRSError`."""
    crs = require_crs(gdf, name=name)
    unit = crs.axis_info[0].unit_name if crs.axis_info else "?"
    if not crs.is_projected or unit not in ("metre", "meter"):
        raise CRSError(
            f"'{name}' is in {crs.to_string()} ({'degrees' if crs.is_geographic else unit}); "
            f"{purpose} need a projected CRS in metres. Reproject first: "
            "`gis.to_crs(gdf, profile.planning_crs)`: the province's VN-2000 / TM-3 zone, "
            "planning_crs in its profile.toml (e.g. 'EPSG:9205' = VN-2000 / TM-3 103-00)."
        )
    return crs


def to_crs(
    gdf: gpd.GeoDataFrame | gpd.GeoSeries, crs: pyproj.CRS | str | int
) -> gpd.GeoDataFrame | gpd.GeoSeries:
    """Reproject a copy of ``gdf`` to ``crs`` with the pinned VN-2000 datum shift.

    Parameters
    ----------
    gdf : GeoDataFrame or GeoSeries
        Input with a CRS; it is not modified.
    crs : CRS-like
        Target CRS.

    Returns
    -------
    GeoDataFrame or GeoSeries
        A new object in ``crs``.

    Raises
    ------
    CRSError
        If ``gdf`` has no CRS, or PROJ knows no transformation to ``crs``.
    """
    src = require_crs(gdf)
    dst = pyproj.CRS.from_user_input(crs)
    if src == dst:
        return gdf.copy()
    try:
        if is_vn2000(src) == is_vn2000(dst):
            return gdf.to_crs(dst)
        tr = transformer(src, dst)
    except pyproj.exceptions.ProjError as exc:  # another planet, an engineering CRS ...
        reason = str(exc).split("(Internal Proj Error: ")[-1].split(". You may")[0][:160]
        reason = reason.removeprefix("proj_create_operations: ").rstrip(".")
        names = [c.name if c.name != "unknown" else c.to_string()[:80] for c in (src, dst)]
        raise CRSError(
            f"no transformation from {names[0]} to {names[1]}: PROJ cannot relate the two "
            f"({reason}). The data's CRS is wrong: state the right one (a file's .prj, or "
            "--crs EPSG:9205 for VN-2000 / TM-3 103-00, EPSG:4326 for lon/lat)."
        ) from None

    def _xy(coords: np.ndarray) -> np.ndarray:
        x, y = tr.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    geoms = shapely.transform(np.asarray(gdf.geometry.values), _xy)
    out = gdf.copy()
    series = gpd.GeoSeries(geoms, index=gdf.index, crs=dst)
    if isinstance(out, gpd.GeoSeries):
        return series.rename(gdf.name)
    out[out.geometry.name] = series
    return out.set_crs(dst, allow_override=True)


#: EPSG codes of the VN-2000 / TM-3 zones EPSG registers.
TM3_EPSG_CODES = (*range(9205, 9219), *range(5896, 5900))


@lru_cache(maxsize=64)
def tm3_epsg(meridian_deg: float) -> int | None:
    """EPSG code of the VN-2000 / TM-3 CRS (k 0.9999, false easting 500 km) of a meridian.

    Looked up among :data:`TM3_EPSG_CODES` with pyproj; None when EPSG registers none.

    Examples
    --------
    >>> tm3_epsg(103.0), tm3_epsg(105.75), tm3_epsg(105.0), tm3_epsg(103.25)
    (9205, 9210, 5897, None)
    """
    for code in TM3_EPSG_CODES:
        crs = pyproj.CRS.from_epsg(code)
        params = {p.name: p.value for p in crs.coordinate_operation.params}
        if (
            crs.datum.name == "Vietnam 2000"
            and math.isclose(params.get("Longitude of natural origin", -1), meridian_deg)
            and math.isclose(params.get("Scale factor at natural origin", -1), 0.9999)
            and math.isclose(params.get("False easting", -1), 500_000)
            and math.isclose(params.get("False northing", -1), 0)
        ):
            return code
    return None
