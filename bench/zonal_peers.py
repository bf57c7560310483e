"""Zonal statistics of the toolkit against exactextract called directly and against rasterstats.

Generates (deterministically, seeded numpy) a national "population" raster: 100 m cells over
Vietnam's extent in EPSG:32648 (WGS 84 / UTM 48N), 11,000 columns x 16,500 rows (181.5 million
cells, 726 MB decoded float32; x 200-1,300 km, y 940-2,590 km), tiled 512 x 512, deflate, nodata
-9999 on about 6 % of the cells. A smooth field (rural background, 80 Gaussian "towns") times
log-normal noise. It is written once to ``<tmp>/vn-gis-bench/`` (never to the repository) and
reused by later runs with the same size and seed (``--fresh`` rewrites it).

Why UTM 48N on WGS 84 rather than VN-2000 / UTM 48N (EPSG:3405): the units are in EPSG:4326 and
the point is to compare zonal statistics, not datum shifts. On WGS 84 the toolkit and a direct
``units.to_crs`` give the same geometries, so equal results can be checked to the last digit; on
VN-2000 the toolkit applies its pinned datum shift, a plain ``to_crs`` whatever PROJ picks.

Units: the 692 districts of ``bench/data`` (``--units provinces`` for the 34 provinces of 2025).
Each method runs in a fresh subprocess per repetition (so peak RSS is that method's alone, imports
included), methods interleaved, best wall time of ``--repeat`` kept. Timed: from the units in
EPSG:4326 in memory to the per-unit sums and means (reprojection included for every method):

- ``toolkit``: ``gis.zonal.zonal_stats(units, tif, stats=("sum", "mean"))``;
- ``exactextract``: ``exact_extract(tif, units.to_crs(raster_crs), ["sum", "mean"],
  output="pandas", max_cells_in_memory=..., strategy="feature-sequential")``;
- ``rasterstats``: ``rasterstats.zonal_stats(list(units.to_crs(raster_crs).geometry), tif,
  stats=["sum", "mean"])`` (whole cells by their centre, ``all_touched=False``).

Usage (from the repository root)::

    python bench/zonal_peers.py [--scale 1] [--repeat 3] [--cells N] [--units districts]
        [--methods toolkit exactextract rasterstats] [--gdal-cache-mb MB] [--json out.json]

``--scale 0.25`` keeps the extent with 4x coarser cells (16x fewer) for a quick run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from bench._common import (
    national_districts,
    national_provinces,
    peak_rss_mb,
    print_header,
    run_child,
    tiled_float32_profile,
)

CRS = "EPSG:32648"
X0_M, Y_TOP_M = 200_000.0, 2_590_000.0
WIDTH, HEIGHT, CELL_M = 11_000, 16_500, 100.0
NODATA = -9999.0
SEED = 2026
METHODS = ("toolkit", "exactextract", "rasterstats")


# ---------------------------------------------------------------------------------------------
# raster


def raster_path(scale: float, seed: int = SEED) -> Path:
    """Return where the raster of this scale and seed is cached (outside the repository)."""
    width, height = round(WIDTH * scale), round(HEIGHT * scale)
    folder = Path(tempfile.gettempdir()) / "vn-gis-bench"
    folder.mkdir(exist_ok=True)
    return folder / f"population_{width}x{height}_seed{seed}.tif"


def write_raster(path: Path, scale: float, seed: int = SEED) -> None:
    """Write the synthetic population raster strip by strip (memory: a few strips)."""
    import rasterio
    from rasterio.windows import Window

    width, height = round(WIDTH * scale), round(HEIGHT * scale)
    cell = CELL_M * WIDTH / width
    rng = np.random.default_rng(seed)
    n_towns = 80
    tx = rng.uniform(X0_M, X0_M + width * cell, n_towns)
    ty = rng.uniform(Y_TOP_M - height * cell, Y_TOP_M, n_towns)
    sigma = rng.uniform(3_000.0, 25_000.0, n_towns)
    peak = rng.lognormal(np.log(40.0), 0.8, n_towns) * (cell / 100.0) ** 2  # people per cell
    xs = X0_M + (np.arange(width) + 0.5) * cell
    gx = np.exp(-0.5 * ((xs[None, :] - tx[:, None]) / sigma[:, None]) ** 2).astype("float32")
    profile = tiled_float32_profile(
        width=width,
        height=height,
        cell_m=cell,
        x0_m=X0_M,
        y_top_m=Y_TOP_M,
        crs=CRS,
        nodata=NODATA,
    )
    tmp = path.with_suffix(".part.tif")
    strip = 512
    with rasterio.open(tmp, "w", **profile) as ds:
        for i, r in enumerate(range(0, height, strip)):
            h = min(strip, height - r)
            ys = Y_TOP_M - (r + np.arange(h) + 0.5) * cell
            field = np.full((h, width), 0.4 * (cell / 100.0) ** 2, dtype="float32")  # rural
            gy = np.exp(-0.5 * ((ys[None, :] - ty[:, None]) / sigma[:, None]) ** 2)
            for k in np.flatnonzero(gy.max(axis=1) > 1e-4):
                field += np.outer((peak[k] * gy[k]).astype("float32"), gx[k])
            noise = np.random.default_rng([seed, i]).lognormal(0.0, 0.5, (h, width))
            values = (field * noise.astype("float32")).astype("float32")
            # "water": a smooth pattern of blobs, about 6 % of the cells
            wet = np.sin(xs[None, :] / 9_700.0) * np.cos(ys[:, None] / 13_100.0) + 0.5 * np.sin(
                xs[None, :] / 5_300.0 + ys[:, None] / 7_100.0
            )
            values[wet > 1.2] = NODATA
            ds.write(values, 1, window=Window(0, r, width, h))
    tmp.rename(path)


def ensure_raster(scale: float, *, fresh: bool = False) -> Path:
    path = raster_path(scale)
    if fresh or not path.exists():
        t = time.perf_counter()
        write_raster(path, scale)
        print(f"raster written in {time.perf_counter() - t:.0f} s: {path}", flush=True)
    else:
        print(f"raster reused: {path}", flush=True)
    return path


# ---------------------------------------------------------------------------------------------
# one measurement (runs in a fresh child process)


def load_units(which: str):
    return national_districts() if which == "districts" else national_provinces()


def child(method: str, tif: str, which: str, cells: int, out: str) -> None:
    """Run one method once, save sums and means to ``out`` (.npy), print time and peak RSS."""
    import warnings

    import rasterio

    units = load_units(which)
    if method == "baseline":  # imports and units only: the floor under every peak RSS
        import exactextract  # noqa: F401
        import rasterstats  # noqa: F401

        import gis.zonal  # noqa: F401

        print(
            json.dumps({"method": method, "secs": 0.0, "cpu_s": 0.0, "peak_rss_mb": peak_rss_mb()})
        )
        return
    cpu = time.process_time()
    if method == "toolkit":
        from gis.zonal import zonal_stats

        t = time.perf_counter()
        res = zonal_stats(
            units, tif, stats=("sum", "mean"), prefix="pop", max_cells_in_memory=cells
        )
        sums, means = res["pop_sum"].to_numpy(float), res["pop_mean"].to_numpy(float)
    elif method == "exactextract":
        from exactextract import exact_extract

        t = time.perf_counter()
        with rasterio.open(tif) as ds:
            crs = ds.crs
        moved = units.to_crs(crs)
        res = exact_extract(
            tif,
            moved,
            ["sum", "mean"],
            output="pandas",
            max_cells_in_memory=cells,
            strategy="feature-sequential",
        )
        sums, means = res["sum"].to_numpy(float), res["mean"].to_numpy(float)
    elif method == "rasterstats":
        from rasterstats import zonal_stats as rs_zonal_stats

        t = time.perf_counter()
        with rasterio.open(tif) as ds:
            crs = ds.crs
        moved = units.to_crs(crs)
        with warnings.catch_warnings():  # rasterstats warns on units off the raster
            warnings.simplefilter("ignore")
            res = rs_zonal_stats(list(moved.geometry), tif, stats=["sum", "mean"])
        sums = np.array([np.nan if r["sum"] is None else r["sum"] for r in res], float)
        means = np.array([np.nan if r["mean"] is None else r["mean"] for r in res], float)
    else:
        raise ValueError(method)
    secs, cpu_s = time.perf_counter() - t, time.process_time() - cpu
    np.save(out, np.column_stack([sums, means]))
    print(
        json.dumps(
            {
                "method": method,
                "secs": round(secs, 3),
                "cpu_s": round(cpu_s, 3),
                "peak_rss_mb": peak_rss_mb(),
            }
        )
    )


# ---------------------------------------------------------------------------------------------
# comparison


def agreement(a: np.ndarray, b: np.ndarray) -> dict[str, float | int]:
    """Compare the sums of two methods: max abs and rel difference over units with data in both.

    A unit with no valid cell is NaN in the toolkit and 0 (sum) in exactextract: both count as
    "no data" and are left out, their numbers reported.
    """
    a_has, b_has = np.isfinite(a) & (a != 0), np.isfinite(b) & (b != 0)
    both = a_has & b_has
    diff = np.abs(a[both] - b[both])
    rel = diff / np.abs(b[both])
    return {
        "units_compared": int(both.sum()),
        "units_without_data": int((~a_has & ~b_has).sum()),
        "units_data_in_one_only": int((a_has != b_has).sum()),
        "max_abs_diff": float(diff.max()) if diff.size else 0.0,
        "max_rel_diff": float(rel.max()) if rel.size else 0.0,
        "median_rel_diff": float(np.median(rel)) if rel.size else 0.0,
        "total_a": float(np.nansum(a)),
        "total_b": float(np.nansum(b)),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=1.0, help="1 = 100 m cells; 0.5 = 200 m")
    ap.add_argument("--repeat", type=int, default=3, help="runs per method; best time kept")
    ap.add_argument(
        "--cells", type=float, default=None, help="max_cells_in_memory (default: toolkit's)"
    )
    ap.add_argument("--units", choices=("districts", "provinces"), default="districts")
    ap.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    ap.add_argument("--gdal-cache-mb", type=int, default=None, help="GDAL_CACHEMAX of the runs")
    ap.add_argument("--fresh", action="store_true", help="rewrite the cached raster")
    ap.add_argument("--json", type=Path, default=None, help="also write the results here")
    ap.add_argument("--child", nargs=5, metavar=("METHOD", "TIF", "UNITS", "CELLS", "OUT"))
    args = ap.parse_args()
    if args.child:
        method, tif, which, cells, out = args.child
        child(method, tif, which, int(float(cells)), out)
        return

    import inspect

    from gis.zonal import zonal_stats

    default_cells = inspect.signature(zonal_stats).parameters["max_cells_in_memory"].default
    cells = int(args.cells) if args.cells else int(default_cells)
    info = print_header("Zonal statistics against peers (bench/zonal_peers.py)")
    tif = ensure_raster(args.scale, fresh=args.fresh)
    import rasterio

    with rasterio.open(tif) as ds:
        shape, res_m = (ds.height, ds.width), ds.res[0]
    n_units = len(load_units(args.units))
    print(
        f"raster {shape[1]} x {shape[0]} cells of {res_m:g} m ({shape[0] * shape[1] / 1e6:.1f} M "
        f"cells, {tif.stat().st_size / 1e6:.0f} MB on disk), {CRS}; {n_units} {args.units}; "
        f"max_cells_in_memory={cells:,}; GDAL_CACHEMAX={args.gdal_cache_mb or 'GDAL default'}",
        flush=True,
    )
    env = {"GDAL_CACHEMAX": str(args.gdal_cache_mb)} if args.gdal_cache_mb else None
    runs: dict[str, list[dict]] = {m: [] for m in args.methods}
    results: dict[str, np.ndarray] = {}
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        argv = [__file__, "--child", "baseline", str(tif), args.units, "0", "-"]
        base = run_child(argv, env=env)
        print(f"  baseline (imports + units): peak RSS {base['peak_rss_mb']:.0f} MB", flush=True)
        for rep in range(args.repeat):
            for method in args.methods:
                out = str(Path(tmp) / f"{method}.npy")
                argv = [__file__, "--child", method, str(tif), args.units, str(cells), out]
                res = run_child(argv, env=env)
                runs[method].append(res)
                print(
                    f"  run {rep + 1} {method:12s} {res['secs']:7.2f} s wall {res['cpu_s']:7.2f} s "
                    f"CPU  peak RSS {res['peak_rss_mb']:5.0f} MB",
                    flush=True,
                )
                results[method] = np.load(out)
    load_after = os.getloadavg()[0]
    summary = {
        m: {
            "best_s": min(r["secs"] for r in rs),
            "median_s": float(np.median([r["secs"] for r in rs])),
            "best_cpu_s": min(r["cpu_s"] for r in rs),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in rs),
        }
        for m, rs in runs.items()
    }
    print(
        f"\nload average (1 min) {load_before:.2f} before, {load_after:.2f} after "
        f"({info['cores']} cores; above that, other processes shared the CPU)"
    )
    print(f"{'method':14s}{'best s':>8s}{'median s':>10s}{'best CPU s':>12s}{'peak RSS MB':>13s}")
    for m, v in summary.items():
        print(
            f"{m:14s}{v['best_s']:8.2f}{v['median_s']:10.2f}{v['best_cpu_s']:12.2f}"
            f"{v['peak_rss_mb']:13.0f}"
        )
    ratios = {}
    for a, b in (("toolkit", "exactextract"), ("rasterstats", "toolkit")):
        if a in summary and b in summary:
            ratios[f"{a}/{b} wall"] = summary[a]["best_s"] / summary[b]["best_s"]
            ratios[f"{a}/{b} CPU"] = summary[a]["best_cpu_s"] / summary[b]["best_cpu_s"]
    for k, v in ratios.items():
        print(f"time ratio {k}: {v:.3f}")
    agree = {}
    if "toolkit" in results:
        for other in ("exactextract", "rasterstats"):
            if other in results:
                agree[f"toolkit vs {other}"] = a = agreement(
                    results["toolkit"][:, 0], results[other][:, 0]
                )
                print(
                    f"sums toolkit vs {other}: {a['units_compared']} units compared, max abs diff "
                    f"{a['max_abs_diff']:.6g}, max rel diff {a['max_rel_diff']:.3g}, median rel "
                    f"diff {a['median_rel_diff']:.3g}; units without data {a['units_without_data']}"
                    f", with data in one only {a['units_data_in_one_only']}; totals "
                    f"{a['total_a']:.6g} vs {a['total_b']:.6g}"
                )
        if "exactextract" in results:
            m_t, m_e = results["toolkit"][:, 1], results["exactextract"][:, 1]
            ok = np.isfinite(m_t) & np.isfinite(m_e)
            print(
                f"means toolkit vs exactextract: max abs diff {np.abs(m_t[ok] - m_e[ok]).max():.6g}"
            )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": info,
                    "date": time.strftime("%Y-%m-%d"),
                    "raster": {"path": str(tif), "shape": shape, "res_m": res_m, "crs": CRS},
                    "units": args.units,
                    "n_units": n_units,
                    "max_cells_in_memory": cells,
                    "gdal_cache_mb": args.gdal_cache_mb,
                    "load_average_1min": [load_before, load_after],
                    "baseline_peak_rss_mb": base["peak_rss_mb"],
                    "runs": runs,
                    "summary": summary,
                    "ratios": ratios,
                    "agreement": agree,
                },
                indent=2,
                default=str,
            )
        )


if __name__ == "__main__":
    main()
