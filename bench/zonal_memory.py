"""Measure peak memory of :func:`gis.zonal.zonal_stats` against ``max_cells_in_memory``.

Writes a synthetic tiled, deflate-compressed float32 GeoTIFF of SIZE x SIZE cells (default
30,000 x 30,000 = 900 million cells, 3.6 GB decoded, a few MB on disk) in a temporary folder, then
runs one unit covering the whole raster in a fresh subprocess per setting and reports the peak
resident memory (``ru_maxrss``) and wall time. Also runs rasterstats (reads the unit's window in
one piece) for comparison when ``--rasterstats`` is given.

Usage::

    PYTHONPATH=. python bench/zonal_memory.py [--size 30000] [--cells 1e6 3e7 3e8] [--rasterstats]
        [--gdal-cache-mb 64]

GDAL keeps decoded blocks in a cache of ``GDAL_CACHEMAX`` (default 5 % of RAM), which shows up in
the peak RSS; ``--gdal-cache-mb`` caps it to separate exactextract's own memory.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import rasterio
from affine import Affine
from rasterio.windows import Window

CHILD = r"""
import json, resource, sys, time, warnings
import geopandas as gpd, shapely
path, how, cells = sys.argv[1], sys.argv[2], float(sys.argv[3])
x0, y0, x1, y1 = map(float, sys.argv[4:8])
u = gpd.GeoDataFrame({"code": ["all"]}, geometry=[shapely.box(x0, y0, x1, y1)], crs="EPSG:9205")
t = time.perf_counter()
if how == "exactextract":
    from gis.zonal import zonal_stats
    res = zonal_stats(u, path, stats=("sum",), prefix="v", max_cells_in_memory=int(cells))
    total = float(res["v_sum"].iloc[0])
else:
    from rasterstats import zonal_stats as rs
    total = float(rs(u, path, stats=["sum"])[0]["sum"])
secs = time.perf_counter() - t
print(json.dumps({"how": how, "cells": cells, "sum": total, "secs": round(secs, 1),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
"""


def write_raster(path: Path, size: int, cell_m: float = 10.0) -> tuple[float, ...]:
    x0, y0 = 400_000.0, 2_600_000.0
    profile = dict(
        driver="GTiff",
        width=size,
        height=size,
        count=1,
        dtype="float32",
        crs="EPSG:9205",
        transform=Affine(cell_m, 0.0, x0, 0.0, -cell_m, y0),
        nodata=-9999.0,
        tiled=True,
        blockxsize=512,
        blockysize=512,
        compress="deflate",
        BIGTIFF="YES",
    )
    block = 2048
    with rasterio.open(path, "w", **profile) as ds:
        for r in range(0, size, block):
            h = min(block, size - r)
            ds.write(np.full((h, size), 0.5, dtype="float32"), 1, window=Window(0, r, size, h))
    # a unit inset by 3.5 cells so that border cells are partial
    inset = 3.5 * cell_m
    return x0 + inset, y0 - size * cell_m + inset, x0 + size * cell_m - inset, y0 - inset


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=30_000)
    ap.add_argument("--cells", type=float, nargs="+", default=[1e6, 3e7, 3e8])
    ap.add_argument("--rasterstats", action="store_true")
    ap.add_argument("--gdal-cache-mb", type=int, default=None, help="GDAL_CACHEMAX for the runs")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.tif"
        t = time.perf_counter()
        box = write_raster(path, args.size)
        print(
            f"raster {args.size}x{args.size} written in {time.perf_counter() - t:.0f} s, "
            f"{path.stat().st_size / 1e6:.1f} MB on disk",
            flush=True,
        )
        runs = [("exactextract", c) for c in args.cells]
        runs += [("rasterstats", 0)] if args.rasterstats else []
        for how, cells in runs:
            cmd = [sys.executable, "-c", CHILD, str(path), how, str(cells), *map(str, box)]
            env = dict(os.environ)
            if args.gdal_cache_mb is not None:
                env["GDAL_CACHEMAX"] = str(args.gdal_cache_mb)
            res = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
            line = res.stdout.strip().splitlines()[-1] if res.returncode == 0 else res.stderr[-300:]
            print(
                json.dumps({"how": how, "cells": cells, "rc": res.returncode})
                if res.returncode
                else line,
                flush=True,
            )


if __name__ == "__main__":
    main()
