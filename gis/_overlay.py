"""Private: the area (or length) of each unit inside one dissolved layer, without a full overlay.

``shapely.area(shapely.intersection(units, dissolved))`` overlays every unit with the *whole*
dissolved layer (all urban polygons of the country, a 1,700 km corridor buffer, every road): the
cost grows with units x vertices of the layer. At national scale (10,000 communes) that was most
of the run time of :func:`gis.urban.urbanised_share`, :func:`gis.coverage.road_density` and
:func:`gis.coverage.within_distance` (figures in ``docs/performance.md``).

:func:`intersection_measure` instead splits the dissolved layer into its parts, pairs units and
parts with an STRtree, takes the unit's (or part's) own measure where one covers the other (a
prepared predicate, no overlay) and overlays only the pairs that cross. The parts of a dissolved
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
    unit, part = shapely.STRtree(parts).query(geoms, predicate="intersects")
    shapely.prepare(parts)  # our own objects: the units are never prepared (not modified)
    value = np.empty(len(unit))
    # a part covering the whole unit (only polygons can): the unit's own measure
    whole_unit = (
        shapely.covers(parts[part], geoms[unit])
        if measure is shapely.area
        else np.zeros(len(unit), bool)
    )
    value[whole_unit] = measure(geoms[unit[whole_unit]])
    # a part lying inside the unit: the part's own measure
    whole_part = ~whole_unit
    whole_part[whole_part] = shapely.covers(geoms[unit[whole_part]], parts[part[whole_part]])
    value[whole_part] = measure(parts[part[whole_part]])
    crossing = ~(whole_unit | whole_part)
    value[crossing] = measure(shapely.intersection(geoms[unit[crossing]], parts[part[crossing]]))
    return np.bincount(unit, weights=value, minlength=len(geoms))
