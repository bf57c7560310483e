"""Is a layer where the province is? Catch swapped axes, wrong CRSs and stray features.

:func:`check_extent` compares a layer, in whatever CRS its file states, with the bounding box of
the province outline plus a margin (:data:`gis.settings.EXTENT_MARGIN_KM`).
:func:`gis.store.write_layer` runs it on every vector layer before reprojecting it, so
misplaced data is refused with a diagnosis instead of being saved (or turned into infinities
by the reprojection of a latitude of 103°).
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import shapely

from gis import settings
from gis._frames import feature_ids
from gis.errors import Problem

__all__ = ["check_extent"]

_MAX_LISTED = 20  # features listed one by one; more are counted


def _lonlat(geoms: gpd.GeoSeries) -> np.ndarray:
    """Geometries in EPSG:4326; impossible coordinates (latitude 103) become non-finite."""
    from gis.crs import to_crs

    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PROJ warns on latitudes beyond 90
        return np.asarray(to_crs(geoms, "EPSG:4326").values)


def check_extent(
    gdf: gpd.GeoDataFrame,
    outline: gpd.GeoDataFrame,
    *,
    name: str = "layer",
    id_column: str | None = None,
    margin_km: float | None = None,
    place: str = "the province",
) -> list[Problem]:
    """Return problems for features lying outside ``outline``'s bounding box plus a margin.

    Catches misplaced data before it is reprojected and saved: when no feature is near, the
    message says why it probably is so: coordinates swapped (latitude, longitude), metres in a
    file that says degrees, or another place / wrong CRS (with the distance).

    Parameters
    ----------
    gdf : GeoDataFrame
        Layer with a CRS, in any CRS (checked in lon/lat).
    outline : GeoDataFrame
        The province outline, with a CRS.
    name, id_column : str, optional
        Layer name and id column, for the messages.
    margin_km : float, optional
        Tolerance around the bounding box; default :data:`gis.settings.EXTENT_MARGIN_KM`.
    place : str
        Name of the outline in messages ("Lai Châu").

    Returns
    -------
    list of Problem
        Errors; empty if every feature is near.
    """
    margin = settings.EXTENT_MARGIN_KM if margin_km is None else float(margin_km)
    x0, y0, x1, y1 = gpd.GeoSeries(_lonlat(outline.geometry)).total_bounds
    dlat = margin / 111.32
    dlon = dlat / np.cos(np.radians((y0 + y1) / 2))
    box = shapely.box(x0 - dlon, y0 - dlat, x1 + dlon, y1 + dlat)
    geoms = gdf.geometry
    present = (geoms.notna() & ~geoms.is_empty).to_numpy()
    if not present.any():
        return []
    near = shapely.intersects(_lonlat(geoms), box) & present
    if near[present].all():
        return []
    extent = f"{place} (lon {x0:.2f}-{x1:.2f}, lat {y0:.2f}-{y1:.2f}, margin {margin:g} km)"
    crs = gdf.crs.to_string() if gdf.crs is not None else "?"
    if not near.any():
        swapped = gpd.GeoSeries(shapely.transform(geoms.values, lambda c: c[:, ::-1]), crs=gdf.crs)
        ax0, ay0, ax1, ay1 = geoms[present].total_bounds
        found = f"x {_num(ax0)} to {_num(ax1)}, y {_num(ay0)} to {_num(ay1)} in {crs}"
        if shapely.intersects(_lonlat(swapped)[present], box).mean() > 0.5:
            message = (
                f"coordinates look swapped (lat, lon): the layer spans {found}; with x and y "
                f"exchanged it falls on {extent}"
            )
            hint = (
                "import with x and y exchanged: `gis import FILE --as LAYER --swap-xy`, or fix "
                "the source (x = longitude/easting, y = latitude/northing)"
            )
        elif gdf.crs is not None and gdf.crs.is_geographic and max(abs(ax0), abs(ax1)) > 180:
            message = (
                f"the file says {crs} (degrees) but its coordinates ({found}) are too large "
                "for degrees: they look like metres"
            )
            hint = (
                "the file states the wrong CRS: replace its .prj (or CRS) with the real one, "
                "e.g. the province's VN-2000 / TM-3 zone for survey data (planning_crs in its "
                "profile.toml, such as EPSG:9205 = VN-2000 / TM-3 103-00)"
            )
        else:
            centre = shapely.union_all(_lonlat(geoms)[present]).envelope.centroid
            far = (
                "far away"
                if not np.isfinite(centre.x)
                else (f"centred near lon {centre.x:.2f}, lat {centre.y:.2f}")
            )
            message = f"no feature lies within {extent}: the layer spans {found}, {far}"
            hint = (
                "check the file's CRS (a VN-2000 zone or UTM 48N/49N mix-up moves data by "
                "hundreds of km) or whether it covers another province"
            )
        return [Problem(name, "extent", message, hint=hint)]
    ids = feature_ids(gdf, id_column or gdf.attrs.get("id_column"))
    problems = []
    outside = np.flatnonzero(present & ~near)
    for i in outside[:_MAX_LISTED]:
        c = _lonlat(geoms.iloc[[i]])[0].centroid
        lon = (c.x + 180.0) % 360.0 - 180.0
        where = f"lon {lon:.3f}, lat {c.y:.3f}" if np.isfinite(c.x) else "impossible coordinates"
        problems.append(
            Problem(
                name,
                "extent",
                f"lies outside {extent}: at {where}",
                ids.iloc[i],
                "check this feature's coordinates (a typo, a point of another province) or "
                "remove it",
            )
        )
    if len(outside) > _MAX_LISTED:
        problems.append(
            Problem(
                name,
                "extent",
                f"{len(outside) - _MAX_LISTED} more feature(s) lie outside {extent}",
                hint="if most features are off, suspect the file's CRS",
            )
        )
    return problems


def _num(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}"
