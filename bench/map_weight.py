"""Weigh the web maps: HTML size and time to first render in headless Chromium.

Two sets of pages, all written to a temporary folder:

1. the Lai Châu product maps, built with :func:`gis.maps.build_maps` (no prints) from a copy of
   ``layers/``;
2. a national choropleth of the 692 pre-2025 districts
   (``bench/data/vn_districts_pre2025.gpkg.zip``,
   see ``bench/data/SOURCES.md``): area in km² (computed in VN-2000 / UTM 48N, EPSG:3405), five
   FisherJenks classes, built through the toolkit's own path (:class:`gis.maplayer.MapLayer`,
   :func:`gis.webmap.web_map` -> :func:`gis.maplayer.display_copy`, coverage simplification,
   :func:`gis.webmap.save_map`), once per simplification tolerance, 0 meaning none.

Each page is opened ``--repeat`` times (default 3; medians reported) in headless Chromium with
the network cut off, as ``tests/browser.py`` does (same flags, same driver). Times are read in the
page from Navigation Timing, in ms from navigation start: ``DCL`` (DOMContentLoaded end),
``load`` (load event end), and ``drawn``: when Leaflet has put its vector paths
(``path.leaflet-interactive``) in the DOM and the browser has then painted two frames
(``requestAnimationFrame`` twice), which is what a user sees as the map appearing. ``page s`` is
the time of :func:`gis.webmap.web_map` + :func:`gis.webmap.save_map` of a national page.

Usage::

    PYTHONPATH=. python bench/map_weight.py [--repeat 3] [--tolerances 0 60 250 500 1000]
        [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench._common import national_districts, print_header  # noqa: E402

NATIONAL_CRS = "EPSG:3405"  # VN-2000 / UTM zone 48N, metres
BUDGET_MB = 5.0

# Resolves when the map has been drawn; returns Navigation Timing marks (ms from navigation).
_DRAWN_JS = """
const done = arguments[arguments.length - 1];
function marks(paths) {
  const nav = performance.getEntriesByType('navigation')[0];
  done({drawn: performance.now(), dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
        paths: paths});
}
function poll() {
  const n = document.querySelectorAll('path.leaflet-interactive').length;
  if (n > 0 && document.readyState === 'complete') {
    requestAnimationFrame(() => requestAnimationFrame(() => marks(n)));
  } else {
    setTimeout(poll, 5);
  }
}
poll();
"""


def _browser_version(chromium: str) -> str:
    import subprocess

    out = subprocess.run([chromium, "--version"], capture_output=True, text=True, check=False)
    return out.stdout.strip() or "unknown"


def build_lai_chau(tmp: Path, province: str) -> list[Path]:
    """Build the product maps of ``province`` from a copy of its layers into ``tmp/maps``."""
    from gis.maps import build_maps

    shutil.copytree(REPO / "layers" / province, tmp / "layers" / province)
    written = build_maps(
        province=province, layers_dir=tmp / "layers", out_dir=tmp / "maps", prints=False
    )
    return [p for p in written if p.suffix == ".html" and p.name != "index.html"]


def build_national(tmp: Path, tolerances: list[float]) -> list[tuple[str, Path, float]]:
    """Write the national district choropleth once per tolerance; return (label, path, s)."""
    import shapely

    from gis._frames import M2_PER_KM2
    from gis.crs import to_crs
    from gis.maplayer import MapLayer
    from gis.webmap import save_map, web_map

    districts = to_crs(national_districts(), NATIONAL_CRS)
    districts["area_calc_km2"] = districts.geometry.area / M2_PER_KM2
    geoms = districts.geometry.to_numpy()
    n_vertices = int(shapely.get_num_coordinates(districts.geometry.values).sum())
    print(
        f"national districts: {len(districts)} polygons, {n_vertices:,} vertices, "
        f"coverage valid as stored: {shapely.coverage_is_valid(districts.geometry.values)}"
    )
    out = []
    for tol in tolerances:
        layer = MapLayer(
            districts,
            "Diện tích huyện (km²)",
            column="area_calc_km2",
            kind="choropleth",
            scheme="FisherJenks",
            k=5,
            cmap="Greens",
            unit="km²",
            fill_opacity=0.75,
            weight=0.4,
            fields={"name": "Huyện", "province_name": "Tỉnh", "area_calc_km2": "Diện tích (km²)"},
        )
        t0 = time.perf_counter()
        page = web_map([layer], title="Diện tích huyện, cả nước (trước 2025)", simplify_m=tol)
        path = save_map(page, tmp / f"national_districts_{tol:g}m.html")
        secs = time.perf_counter() - t0
        label = "no simplification" if tol == 0 else f"{tol:g} m, {_how_simplified(geoms, tol)}"
        out.append((f"national: {label}", path, secs))
    return out


def _how_simplified(geoms, tolerance_m: float) -> str:
    """Which way display_copy simplified: as a coverage (cleaned first or not) or per polygon."""
    import shapely

    from gis.errors import LayerError
    from gis.maplayer import _coverage_simplify

    if shapely.coverage_is_valid(geoms):
        return "coverage"
    try:  # the toolkit's own rule: raises where display_copy falls back to single polygons
        _coverage_simplify(geoms, tolerance_m, coverage=True, name="districts")
    except LayerError:
        return "per polygon"
    return "cleaned coverage"


def render_times(browser, path: Path, repeat: int) -> dict[str, float]:
    """Median Navigation Timing marks of ``repeat`` fresh loads of ``path``."""
    driver = browser.driver
    runs = []
    for _ in range(repeat):
        driver.get("about:blank")
        driver.get(path.resolve().as_uri())  # returns after the load event
        runs.append(driver.execute_async_script(_DRAWN_JS))
        errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        if errors:
            raise RuntimeError(f"{path.name}: console errors {errors[:3]}")
    return {k: statistics.median(r[k] for r in runs) for k in ("dcl", "load", "drawn", "paths")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--province", default="lai_chau")
    ap.add_argument(
        "--tolerances",
        type=float,
        nargs="+",
        default=[0, 60, 250, 500, 1000],
        help="simplification tolerances of the national map, metres (0: none)",
    )
    ap.add_argument("--keep", type=Path, help="copy the pages to this folder")
    ap.add_argument(
        "--communes",
        action="store_true",
        help="also weigh the national commune map (bench/national_commune_map.py)",
    )
    args = ap.parse_args(argv)
    sys.path.insert(0, str(REPO / "tests"))
    from browser import Browser, find_chromium  # tests/browser.py: no network, Debian driver

    chromium, driver = find_chromium()
    if not (chromium and driver):
        print("chromium or chromedriver not found: apt-get install chromium chromium-driver")
        return 2
    print_header("Map weight: HTML size and time to first render (bench/map_weight.py)")
    print(f"browser: {_browser_version(chromium)}\n")
    with tempfile.TemporaryDirectory(prefix="gis-bench-weight-") as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        built = build_lai_chau(tmp, args.province)
        pages = [(f"{args.province}: {p.stem}", p, None) for p in built]
        print(f"built {len(pages)} {args.province} maps in {time.perf_counter() - t0:.1f} s")
        pages += build_national(tmp, args.tolerances)
        rows = []
        with Browser(chromium, driver) as b:
            b.driver.set_page_load_timeout(300)
            b.driver.set_script_timeout(300)
            for label, path, secs in pages:
                t = render_times(b, path, args.repeat)
                rows.append((label, path.stat().st_size / 1e6, secs, t))
                print(f"  {label}: {rows[-1][1]:.2f} MB, drawn {t['drawn']:.0f} ms", flush=True)
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for _, path, _ in pages:
                shutil.copy2(path, args.keep / path.name)
    print(f"\nmedian of {args.repeat} loads; ms from navigation start")
    head = f"{'map':<44} {'MB':>6} {'page s':>8} {'paths':>6} {'DCL':>6} {'load':>6} {'drawn':>6}"
    print(head)
    for label, mb, secs, t in rows:
        build = f"{secs:.1f}" if secs is not None else "-"
        flag = "  OVER 5 MB" if mb > BUDGET_MB else ""
        print(
            f"{label:<44} {mb:>6.2f} {build:>8} {t['paths']:>6.0f} {t['dcl']:>6.0f} "
            f"{t['load']:>6.0f} {t['drawn']:>6.0f}{flag}"
        )
    if args.communes:  # canvas map with detail chunks: its own timing (drawn, detail)
        from bench.national_commune_map import main as weigh_communes

        print("\nnational commune map (3,321 communes of 2025, population placeholder NaN)")
        return weigh_communes(["--repeat", str(args.repeat)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
