"""Weigh the national commune map (gis/_map_communes_national.py) on all 3,321 communes of 2025.

Geometry: the shared national file ``vn_communes_2025.fgb`` (``--source``; EPSG:4326, see
``/work/shared/data/SOURCES.md``), areas in VN-2000 / UTM 48N (EPSG:3405). Population is a
**placeholder**: NaN for every commune (the census by 2025 commune is not wired in yet), so every
commune draws in the "no data" colour; the page carries the same strings either way, so its
size and render time are those of the real map within a few per cent.

Reports:

- the largest Hausdorff distance (m) of a commune to the source at each level (after
  ``coverage_clean``, overview, detail), and to the cleaned coverage (simplification alone);
- sizes: the page (HTML, everything the overview needs) and the chunk files;
- in headless Chromium with the network cut (``tests/browser.py``), median of ``--repeat`` loads:
  ``drawn``, ms from navigation start until the page has drawn its overview (the script sets
  ``gisCommuneMap.ready``) and the browser has painted two frames; and ``detail``, ms from
  picking a province until its chunk is loaded and drawn.

Usage::

    PYTHONPATH=. python bench/national_commune_map.py [--repeat 3] [--keep DIR]

``bench/map_weight.py --communes`` runs it after its own pages.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SOURCE = Path("/work/shared/data/vn_communes_2025.fgb")
BUDGET_MB = 5.0
RENDER_BUDGET_MS = 1500.0

_DRAWN_JS = """
const done = arguments[arguments.length - 1];
function poll() {
  const s = window.gisCommuneMap;
  if (s && s.ready && document.readyState === 'complete') {
    requestAnimationFrame(() => requestAnimationFrame(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      done({drawn: performance.now(), dcl: nav.domContentLoadedEventEnd, n: s.overview});
    }));
  } else { setTimeout(poll, 5); }
}
poll();
"""

# Pick a province in the search list (by its code) and wait until its chunk is drawn.
_DETAIL_JS = """
const done = arguments[arguments.length - 1], code = arguments[0];
const s = window.gisCommuneMap, t0 = performance.now();
const items = Array.from(document.querySelectorAll('.gis-find li'));
const name = arguments[1];
items.find(li => li.firstChild && li.firstChild.textContent === name).click();
function poll() {
  if (s.chunks.includes(code) && s.detail > 0) {
    requestAnimationFrame(() => requestAnimationFrame(() =>
      done({detail: performance.now() - t0, n_detail: s.detail})));
  } else if (s.failed.length) { done({detail: -1, n_detail: 0}); }
  else { setTimeout(poll, 5); }
}
poll();
"""


def build(out_dir: Path, source: Path = SOURCE, *, measure: bool = True):
    """Write the page for the whole country; return (path, levels, seconds, communes)."""
    import geopandas as gpd

    from gis._frames import M2_PER_KM2
    from gis._map_communes_national import WORK_CRS, coverage_levels, write_national_commune_map
    from gis.crs import to_crs

    communes = gpd.read_file(source)
    communes["area_km2"] = to_crs(communes, WORK_CRS).geometry.area / M2_PER_KM2
    communes["population_persons"] = float("nan")  # placeholder: see the module docstring
    communes["population_urban_persons"] = float("nan")
    provinces = communes[["province_code", "province_name"]].drop_duplicates()
    provinces.columns = ["code", "name"]
    t0 = time.perf_counter()
    levels = coverage_levels(communes.geometry, measure=measure)
    t_levels = time.perf_counter() - t0
    t0 = time.perf_counter()
    page = write_national_commune_map(
        communes, provinces, out_dir, levels=levels, highlight_codes=("12", "04")
    )
    return page, levels, t_levels, time.perf_counter() - t0, communes


def render(browser, page: Path, repeat: int, province: tuple[str, str]) -> dict[str, float]:
    """Median first-render and detail-load times of ``repeat`` fresh loads of ``page``."""
    d = browser.driver
    runs = []
    for _ in range(repeat):
        d.get("about:blank")
        d.get(page.resolve().as_uri())
        r = d.execute_async_script(_DRAWN_JS)
        r.update(d.execute_async_script(_DETAIL_JS, *province))
        errors = [e for e in d.get_log("browser") if e.get("level") == "SEVERE"]
        if errors:
            raise RuntimeError(f"{page.name}: console errors {errors[:3]}")
        runs.append(r)
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def _far_communes(levels, communes) -> None:
    """Print the communes the detail level leaves over 50 m from the source, and why."""
    import shapely

    hd = shapely.hausdorff_distance(levels.source, levels.clean)
    over = shapely.hausdorff_distance(levels.source, levels.detail) > 50.0
    print(
        f"  detail: {int(over.sum())} commune(s) over 50 m from the source, "
        f"{int((over & (hd > 50.0)).sum())} of them moved over 50 m by coverage_clean alone"
    )
    far = communes.assign(hd=hd).nlargest(5, "hd")[["code", "name", "province_name", "hd"]]
    print("  moved most by coverage_clean (overlaps of the source):")
    print(far.round(0).to_string(index=False))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--source", type=Path, default=SOURCE)
    ap.add_argument("--keep", type=Path, help="write the page here instead of a temporary folder")
    ap.add_argument("--no-hausdorff", action="store_true", help="skip the distances (4 min)")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(REPO / "tests"))
    import shapely
    from browser import Browser, find_chromium

    with tempfile.TemporaryDirectory(prefix="gis-bench-communes-") as tmp:
        out = args.keep or Path(tmp)
        page, levels, t_levels, t_page, communes = build(
            out, args.source, measure=not args.no_hausdorff
        )
        chunks = sorted((page.parent / f"{page.stem}_files").glob("*.js"))
        sizes = [c.stat().st_size / 1e6 for c in chunks]
        print(
            f"{len(communes)} communes, source {args.source.name}; coverage cleaned: "
            f"{levels.cleaned}; levels {t_levels:.1f} s, page + chunks {t_page:.1f} s"
        )
        for level in ("clean", "overview", "detail"):
            n = int(shapely.get_num_coordinates(getattr(levels, level)).sum())
            hd = levels.hausdorff_m.get(level, float("nan"))
            hd_clean = levels.hausdorff_to_clean_m.get(level, float("nan"))
            print(
                f"  {level:<9} vertices {n:>9,}  max Hausdorff to source {hd:8.1f} m, "
                f"to cleaned {hd_clean:8.1f} m"
            )
        if levels.hausdorff_m:
            _far_communes(levels, communes)
        mb = page.stat().st_size / 1e6
        print(
            f"page {mb:.2f} MB (budget {BUDGET_MB} MB); {len(chunks)} chunks, total "
            f"{sum(sizes):.2f} MB, largest {max(sizes):.2f} MB, median "
            f"{statistics.median(sizes):.2f} MB"
        )
        chromium, driver = find_chromium()
        if not (chromium and driver):
            print("chromium or chromedriver not found: apt-get install chromium chromium-driver")
            return 2
        largest = chunks[sizes.index(max(sizes))].stem
        name = dict(zip(communes["province_code"], communes["province_name"], strict=False))
        with Browser(chromium, driver) as b:
            b.driver.set_script_timeout(120)
            for code in ("12", largest):
                t = render(b, page, args.repeat, (code, name[code]))
                print(
                    f"median of {args.repeat}: drawn {t['drawn']:.0f} ms ({t['n']:.0f} "
                    f"in the overview; budget {RENDER_BUDGET_MS:.0f}), DCL {t['dcl']:.0f} ms; "
                    f"detail of {name[code]} ({code}.js) {t['detail']:.0f} ms"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
