"""Small map fixtures built in code (no data files): squares with Vietnamese names and a
Lai Châu-size polygon coverage. Used by test_maplayer.py and test_webmap.py."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import box

XSS = "<img src=x onerror=alert(1)>"
X0, Y0 = 500000.0, 2470000.0  # EPSG:9205, on the central meridian 103 E near 22.3 N


def make_squares() -> gpd.GeoDataFrame:
    """Four 2 km squares in a 2x2 block (EPSG:9205), Vietnamese names, one hostile name."""
    cells = [
        box(X0 + i * 2000, Y0 + j * 2000, X0 + (i + 1) * 2000, Y0 + (j + 1) * 2000)
        for j in range(2)
        for i in range(2)
    ]
    return gpd.GeoDataFrame(
        {
            "code": ["01", "02", "03", "04"],
            "name": ["Đoàn Kết", "Tân Phong", "Mường Tè", XSS],
            "type": ["Phường", "Phường", "Xã", "Xã"],
            "area_km2": [4.0, 4.0, 4.0, 4.0],
            "pop": [1200.0, 3400.0, 560.0, np.nan],
            "secret": ["a", "b", "c", "d"],
        },
        geometry=cells,
        crs="EPSG:9205",
    )


def wiggly_coverage(n: int = 38, *, spacing_m: float = 20.0, seed: int = 7) -> list:
    """A Lai Châu-size coverage: n Voronoi cells over 100 x 90 km (9,000 km²; Lai Châu is
    9,068.73 km²), edges every ``spacing_m`` and bent by a smooth displacement field, so the
    shared edges are long, jagged and exactly matched (about 124,000 vertices; the real
    2025 commune file has 168,681)."""
    rng = np.random.default_rng(seed)
    x0, y0, w, h = 440000.0, 2420000.0, 100000.0, 90000.0
    seeds = shapely.multipoints(rng.uniform([x0, y0], [x0 + w, y0 + h], size=(n, 2)))
    frame = shapely.box(x0, y0, x0 + w, y0 + h)
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=frame))
    cells = shapely.segmentize(shapely.intersection(cells, frame), spacing_m)

    def bend(xy):  # displacement gradient < 1: a smooth one-to-one map, topology kept
        xy = np.round(xy, 2)
        x, y = xy[:, 0], xy[:, 1]
        dx = 15 * np.sin(x / 60 + y / 97) + 4 * np.sin(y / 15 - x / 23)
        dy = 15 * np.cos(y / 60 - x / 83) + 4 * np.cos(x / 15 + y / 19)
        return np.round(np.column_stack([x + dx, y + dy]), 2)

    return list(shapely.transform(cells, bend))


def make_units_38() -> gpd.GeoDataFrame:
    """38 units of :func:`wiggly_coverage` with codes, names and area_km2 (EPSG:9205)."""
    geoms = wiggly_coverage()
    assert shapely.coverage_is_valid(geoms)
    n = len(geoms)
    return gpd.GeoDataFrame(
        {
            "code": [f"{i:05d}" for i in range(n)],
            "name": [f"Xã Mường Số {i}" for i in range(n)],
            "area_km2": shapely.area(geoms) / 1e6,
        },
        geometry=geoms,
        crs="EPSG:9205",
    )
