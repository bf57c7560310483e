"""Peak memory of :func:`gis.zonal.zonal_stats` on a raster larger than its memory budget.

Writes a synthetic tiled (512 x 512), deflate-compressed float32 GeoTIFF of SIZE x SIZE cells of
value 0.5 (default 30,000 x 30,000 = 900 million cells, 3.6 GB decoded, a few MB on disk) in a
temporary folder, then runs one unit covering the whole raster (inset by 3.5 cells, so border
cells are half covered and the exact sum is known: ``(SIZE - 7)**2 * 0.5``) in a fresh subprocess
per setting, and reports wall time, peak resident memory (``VmHWM`` of the child: imports
included) and the error of the sum. The budget is exactextract's ``max_cells_in_memory``; GDAL's
block cache comes on top: ``zonal_stats`` bounds it to ``gdal_cache_mb`` (``--gdal-cache-mb
toolkit``: its default; ``gdal``: ``gdal_cache_mb=None``, GDAL's own 5 % of RAM; or a number).

Usage (from the repository root)::

    python bench/zonal_memory.py [--size 30000] [--cells 1e6 4e6 3e7]
        [--gdal-cache-mb toolkit gdal 256]
        [--rasterstats] [--json out.json]

``--rasterstats`` adds rasterstats (it reads the unit's whole window at once) for comparison;
on the default size it needs about 8 GB.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from bench._common import peak_rss_mb, print_header, run_child, tiled_float32_profile

CELL_M = 10.0
X0_M, Y_TOP_M = 400_000.0, 2_600_000.0
CRS = "EPSG:32648"


def write_raster(path: Path, size: int) -> None:
    """Write SIZE x SIZE cells of 0.5 in strips of 2,048 rows (about 250 MB at 30,000 columns)."""
    import rasterio
    from rasterio.windows import Window

    profile = tiled_float32_profile(
        width=size,
        height=size,
        cell_m=CELL_M,
        x0_m=X0_M,
        y_top_m=Y_TOP_M,
        crs=CRS,
        nodata=-9999.0,
        bigtiff="YES",
    )
    block = 2048
    with rasterio.open(path, "w", **profile) as ds:
        for r in range(0, size, block):
            h = min(block, size - r)
            ds.write(np.full((h, size), 0.5, dtype="float32"), 1, window=Window(0, r, size, h))


def unit_box(size: int) -> tuple[float, float, float, float]:
    inset = 3.5 * CELL_M
    return (
        X0_M + inset,
        Y_TOP_M - size * CELL_M + inset,
        X0_M + size * CELL_M - inset,
        Y_TOP_M - inset,
    )


def child(how: str, tif: str, size: int, cells: int, cache: str) -> None:
    import geopandas as gpd
    import shapely

    units = gpd.GeoDataFrame({"code": ["all"]}, geometry=[shapely.box(*unit_box(size))], crs=CRS)
    t = time.perf_counter()
    if how == "toolkit":
        from gis.zonal import zonal_stats

        kw = (
            {}
            if cache == "toolkit"
            else {"gdal_cache_mb": None if cache == "gdal" else float(cache)}
        )
        res = zonal_stats(units, tif, stats=("sum",), prefix="v", max_cells_in_memory=cells, **kw)
        total = float(res["v_sum"].iloc[0])
    elif how == "rasterstats":
        from rasterstats import zonal_stats as rs_zonal_stats

        total = float(rs_zonal_stats(list(units.geometry), tif, stats=["sum"])[0]["sum"])
    else:  # imports only
        import gis.zonal  # noqa: F401

        total = float("nan")
    secs = time.perf_counter() - t
    print(
        json.dumps({"how": how, "sum": total, "secs": round(secs, 2), "peak_rss_mb": peak_rss_mb()})
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=30_000, help="raster side in cells")
    ap.add_argument("--cells", type=float, nargs="+", default=[1e6, 4e6, 3e7])
    ap.add_argument(
        "--gdal-cache-mb",
        nargs="+",
        default=["toolkit", "gdal"],
        help="toolkit = zonal_stats' default gdal_cache_mb; gdal = GDAL's own (5 %% of RAM); MB",
    )
    ap.add_argument("--rasterstats", action="store_true")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--child", nargs=5, metavar=("HOW", "TIF", "SIZE", "CELLS", "CACHE"))
    args = ap.parse_args()
    if args.child:
        how, tif, size, cells, cache = args.child
        child(how, tif, int(size), int(float(cells)), cache)
        return

    info = print_header("Zonal statistics memory bound (bench/zonal_memory.py)")
    expected = (args.size - 7) ** 2 * 0.5
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tif = Path(tmp) / "big.tif"
        t = time.perf_counter()
        write_raster(tif, args.size)
        print(
            f"raster {args.size:,} x {args.size:,} cells ({args.size**2 * 4 / 1e9:.2f} GB decoded "
            f"float32, {tif.stat().st_size / 1e6:.1f} MB on disk) written in "
            f"{time.perf_counter() - t:.0f} s; one unit, exact sum {expected:,.1f}",
            flush=True,
        )
        runs = [("imports", 0.0, "gdal")]
        runs += [("toolkit", c, g) for g in args.gdal_cache_mb for c in args.cells]
        runs += [("rasterstats", 0.0, g) for g in args.gdal_cache_mb if args.rasterstats]
        print(
            f"{'method':12s}{'max_cells':>14s}{'GDAL cache':>12s}{'peak RSS MB':>13s}"
            f"{'time s':>8s}{'sum - exact':>13s}"
        )
        for how, cells, cache in runs:
            # rasterstats has no setting: a number is passed to it as GDAL_CACHEMAX
            env = {"GDAL_CACHEMAX": cache} if how == "rasterstats" and cache[0].isdigit() else None
            argv = [__file__, "--child", how, str(tif), str(args.size), str(cells), cache]
            res = run_child(argv, env=env)
            res.update(cells=cells, gdal_cache_mb=cache, error=res["sum"] - expected)
            rows.append(res)
            print(
                f"{how:12s}{cells:14,.0f}{cache:>12s}{res['peak_rss_mb']:13.0f}"
                f"{res['secs']:8.1f}{res['error']:13.4g}",
                flush=True,
            )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": info,
                    "date": time.strftime("%Y-%m-%d"),
                    "size": args.size,
                    "expected_sum": expected,
                    "runs": rows,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
