"""Tests of gis._overlay.intersection_measure: cases by hand, and the full overlay on real data."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from gis._overlay import intersection_measure
from gis.store import read_layer

# three 1 km squares (km units scaled to metres), west to east
UNITS = np.array([shapely.box(i * 1000.0, 0.0, (i + 1) * 1000.0, 1000.0) for i in range(3)])


def test_areas_of_each_case_by_hand():
    dissolved = shapely.union_all(
        [
            shapely.box(-10, -10, 1010, 1010),  # covers unit 0 (and 10 m of unit 1)
            shapely.box(1400, 400, 1600, 600),  # inside unit 1: 0.04 km²
            shapely.box(2900, 0, 3500, 500),  # crosses unit 2: 100 x 500 m
        ]
    )
    got = intersection_measure(UNITS, dissolved)
    assert got.tolist() == pytest.approx([1e6, 10 * 1000 + 200 * 200, 100 * 500])


def test_lengths_of_lines_inside_crossing_and_outside():
    roads = shapely.union_all(
        [
            shapely.LineString([(100, 500), (900, 500)]),  # inside unit 0: 800 m
            shapely.LineString([(1500, -100), (1500, 1100)]),  # crosses unit 1: 1000 m
            shapely.LineString([(100, 500), (300, 500)]),  # duplicate part of the first: once
        ]
    )
    got = intersection_measure(UNITS, roads, measure=shapely.length)
    assert got.tolist() == pytest.approx([800.0, 1000.0, 0.0])


def test_nothing_to_intersect():
    empty = shapely.union_all(shapely.buffer(shapely.points([(5000, 5000)]), 0.0))
    assert intersection_measure(UNITS, empty).tolist() == [0.0, 0.0, 0.0]
    assert intersection_measure(UNITS[:0], shapely.box(0, 0, 1, 1)).shape == (0,)


def test_equals_the_full_overlay_on_lai_chau(store_copy_session):
    communes = read_layer("communes_2025", province="lai_chau", layers_dir=store_copy_session)
    roads = read_layer("roads", province="lai_chau", layers_dir=store_copy_session)
    geoms = communes.geometry.values
    zone = shapely.union_all(shapely.buffer(roads.geometry.values, 3000.0))
    lines = shapely.union_all(roads.geometry.values)
    for dissolved, measure in [(zone, shapely.area), (lines, shapely.length)]:
        full = measure(shapely.intersection(geoms, dissolved))
        got = intersection_measure(geoms, dissolved, measure=measure)
        assert got == pytest.approx(full, rel=1e-12, abs=1e-6)
        assert (full > 0).sum() > 5 and (full == 0).sum() > 0  # both cases present
