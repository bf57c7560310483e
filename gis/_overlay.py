"""Private: the area (or length) of each unit inside one dissolved layer, without a full overlay.

``shapely.area(shapely.intersection(units, dissolved))`` overlays every unit with the *whole*
dissolved layer (all urban polygons of the country, a 1,700 km corridor buffer, every road): the
cost grows with units x vertices of the layer. At national scale (10,000 communes) that was most
of the run time of :func:`gis.urban.urbanised_share`, :func:`gis.coverage.road_density` and
:func:`gis.coverage.within_distance` (figures in ``docs/performance.md``).

:func:`intersection_measure` instead splits the dissolved layer into its parts, pairs units and
parts with an STRtree, takes the part's (or unit's) own measure where one covers the other (a
prepared predicate, no overlay) and overlays each unit that crosses an edge with only the parts
it touches. The parts of a dissolved
layer (``shapely.union_all``) do not overlap, so the measures of the pieces add up to the measure of
the intersection, equal to the full overlay up to floating-point rounding (relative 1e-15).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import shapely

__all__ = ["intersection_measure"]


def intersection_measure(
    geoms: np.ndarray,
    dissolved: shapely.Geometry,
    *,
    measure: Callable[[np.ndarray], np.ndarray] = shapely.area,
) -> np.ndarray:
    """Return ``measure(intersection(geoms[i], dissolved))`` for each polygon ``geoms[i]``.

    Parameters
    ----------
    geoms : array of shapely geometries
        (Multi)polygons, e.g. ``units.geometry.values``.
    dissolved : shapely geometry
        Output of :func:`shapely.union_all` (its parts must not overlap): polygons for
        ``measure=shapely.area``, lines for ``measure=shapely.length``.
    measure : callable
        :func:`shapely.area` or :func:`shapely.length`.

    Returns
    -------
    numpy.ndarray
        One float per geometry, 0 where it misses ``dissolved``.
    """
    geoms = np.asarray(geoms, dtype=object)
    parts = shapely.get_parts(dissolved)
    parts = parts[~shapely.is_empty(parts)]
    if len(parts) == 0 or len(geoms) == 0:
        return np.zeros(len(geoms))
    tree = shapely.STRtree(parts)
    unit, part = tree.query(geoms, predicate="intersects")
    total = np.zeros(len(geoms))
    # a part inside the unit adds its own measure (the tree prepares each unit for the test)
    inside_unit, inside_part = tree.query(geoms, predicate="covers")
    np.add.at(total, inside_unit, measure(parts[inside_part]))
    rest = ~np.isin(unit * len(parts) + part, inside_unit * len(parts) + inside_part)
    unit, part = unit[rest], part[rest]
    if measure is shapely.area:  # a part covering the unit: the unit's own area, no overlay
        shapely.prepare(parts)  # our own objects: the units are never prepared (not modified)
        whole = shapely.covers(parts[part], geoms[unit])
        np.add.at(total, unit[whole], measure(geoms[unit[whole]]))
        unit, part = unit[~whole], part[~whole]
    if len(unit):  # one overlay per crossing unit, with only the parts it crosses
        crossing, group = np.unique(unit, return_inverse=True)
        collect = shapely.multipolygons if measure is shapely.area else shapely.multilinestrings
        near = collect(parts[part], indices=group)
        total[crossing] += measure(shapely.intersection(geoms[crossing], near))
    return total
