"""The cost curve of the national build: time and peak memory for 1, 4, 16 and 34 provinces.

What is measured, per size (the first N provinces of 2025 by GSO code, all their communes) and
engine, each in a fresh child process:

* ``read``: reading the national layers (communes GeoParquet, crosswalk, census): the input floor;
* ``census``: census units → 2025 communes (:func:`gis.build.national_population`, on
  the whole country: it is a table join, the same for every size);
* ``indicators``: :func:`gis.national.commune_indicators` on the size's communes, single process
  or through :func:`gis.scale.map_units` on dask (``threads``: the local threaded scheduler;
  ``processes``: a ``distributed`` LocalCluster of ``--workers`` processes, start-up included);
* ``tables``: :func:`gis.national.national_tables` + :func:`gis.report.write_statistics`;
* ``map``: the national commune map (overview + per-province detail chunks), single process;
* ``write floor``: writing the same output bytes again (the output floor);
* ``peer``: what a user would otherwise write: the same share and density with a geopandas merge
  and groupby, and a folium choropleth of the communes in one HTML file (at the stored precision;
  its size is printed).

Peak memory: the largest resident memory of the child and its own children (dask workers),
sampled every 20 ms (bench._common.PeakRSS). The prediction for a 10× larger layer (villages:
~33,000 units) fits ``time = a · n^b`` over the sizes, per phase.

Usage::

    PYTHONPATH=. python bench/national_cost.py [--sizes 1 4 16 34] [--workers 2]
        [--engines single threads processes] [--no-peer]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import PeakRSS, print_header, run_child

ENGINES = ("single", "threads", "processes")


def _child(n_provinces: int, engine: str, workers: int, peer: bool) -> dict:
    from gis.build import NATIONAL, national_population
    from gis.national import commune_indicators, national_tables
    from gis.report import write_statistics
    from gis.scale import local_client, map_units
    from gis.store import read_layer

    times: dict[str, float] = {}
    out = Path(tempfile.mkdtemp(prefix="national_cost_"))
    with PeakRSS() as mem:
        t = time.perf_counter()
        layers = {
            n: read_layer(n, province=NATIONAL)
            for n in (
                "communes_2025",
                "commune_crosswalk_2025",
                "census_2019",
                "crosswalk_decisions",
                "provinces_2025",
                "urbanisation_targets",
            )
        }
        times["read"] = time.perf_counter() - t

        t = time.perf_counter()
        population = national_population(layers)
        times["census"] = time.perf_counter() - t

        codes = sorted(layers["provinces_2025"]["code"])[:n_provinces]
        communes = layers["communes_2025"]
        communes = communes[communes["province_code"].isin(codes)].reset_index(drop=True)
        provinces = layers["provinces_2025"]
        provinces = provinces[provinces["code"].isin(codes)].reset_index(drop=True)

        t = time.perf_counter()
        if engine == "single":
            indicators = commune_indicators(communes, population)
        elif engine == "threads":
            indicators = map_units(commune_indicators, communes, population, npartitions=workers)
        else:
            with local_client(workers) as client:
                indicators = map_units(commune_indicators, communes, population, client=client)
        times["indicators"] = time.perf_counter() - t

        t = time.perf_counter()
        tables = national_tables(indicators, provinces, target_pct=50.0, sources="bench")
        write_statistics(tables, out / "stats", language="vi", title="Statistics: Việt Nam")
        times["tables"] = time.perf_counter() - t

        if engine == "single":
            from gis._map_communes_national import write_national_commune_map

            t = time.perf_counter()
            write_national_commune_map(indicators, provinces, out / "maps")
            times["map"] = time.perf_counter() - t

            files = [p for p in out.rglob("*") if p.is_file()]
            blobs = [p.read_bytes() for p in files]
            t = time.perf_counter()
            floor = out / "floor"
            floor.mkdir()
            for i, blob in enumerate(blobs):
                (floor / f"{i}.bin").write_bytes(blob)
            times["write floor"] = time.perf_counter() - t
            outputs_mb = sum(map(len, blobs)) / 2**20
        else:
            outputs_mb = float("nan")

        peer_mb = float("nan")
        if peer and engine == "single":
            import folium

            t = time.perf_counter()
            counts = population[["code", "population_persons", "population_urban_persons"]]
            merged = communes.merge(counts, on="code", how="left")
            merged["urban_pct"] = (
                100 * merged["population_urban_persons"] / merged["population_persons"]
            )
            merged["density"] = merged["population_persons"] / merged["area_km2"]
            merged.drop(columns="geometry").groupby("province_code")[
                ["population_persons", "population_urban_persons", "area_km2"]
            ].sum()
            times["peer statistics"] = time.perf_counter() - t
            t = time.perf_counter()
            shown = merged[["code", "name", "urban_pct", "geometry"]].to_crs(4326)
            m = folium.Map(location=[16, 106], zoom_start=6, tiles=None)
            folium.Choropleth(
                shown, data=shown, columns=["code", "urban_pct"], key_on="feature.properties.code"
            ).add_to(m)
            m.save(out / "peer.html")
            times["peer map"] = time.perf_counter() - t
            peer_mb = (out / "peer.html").stat().st_size / 2**20
    shutil.rmtree(out, ignore_errors=True)
    return {
        "provinces": n_provinces,
        "communes": len(communes),
        "engine": engine,
        "seconds": times,
        "peak_mb": mem.peak_mb,
        "outputs_mb": outputs_mb,
        "peer_map_mb": peer_mb,
    }


def _fit(rows: pd.DataFrame, phase: str) -> tuple[float, float] | None:
    """(a, b) of time = a · n^b by least squares on logs; None with fewer than 2 sizes."""
    ok = rows.dropna(subset=[phase])
    ok = ok[ok[phase] > 0]
    if ok["communes"].nunique() < 2:
        return None
    b, log_a = np.polyfit(np.log(ok["communes"]), np.log(ok[phase]), 1)
    return float(np.exp(log_a)), float(b)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1, 4, 16, 34])
    ap.add_argument("--engines", nargs="+", default=list(ENGINES), choices=ENGINES)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--child", nargs=2, metavar=("N", "ENGINE"), help=argparse.SUPPRESS)
    ns = ap.parse_args()
    if ns.child:
        result = _child(int(ns.child[0]), ns.child[1], ns.workers, not ns.no_peer)
        print(json.dumps(result))
        return

    print_header("National build: cost curve by number of provinces")
    rows = []
    for n in ns.sizes:
        for engine in ns.engines:
            argv = [__file__, "--child", str(n), engine, "--workers", str(ns.workers)]
            res = run_child(argv + (["--no-peer"] if ns.no_peer else []), timeout_s=3600)
            seconds = res.pop("seconds")
            rows.append({**res, **seconds})
            print(json.dumps(rows[-1]), flush=True)
    table = pd.DataFrame(rows)
    print("\n" + table.round(2).to_string(index=False))
    single = table[table["engine"] == "single"]
    print("\nPrediction for a layer 10x larger than the 3,321 communes (time = a * n^b):")
    for phase in ("read", "indicators", "tables", "map", "peer map"):
        if phase in single:
            fit = _fit(single, phase)
            if fit:
                a, b = fit
                print(f"  {phase:<12} b = {b:.2f}; at 33,210 units: {a * 33_210**b:.1f} s")
    fit_mem = _fit(single.rename(columns={"peak_mb": "mem"}), "mem")
    if fit_mem:
        a, b = fit_mem
        print(f"  peak memory  b = {b:.2f}; at 33,210 units: {a * 33_210**b:,.0f} MB")


if __name__ == "__main__":
    main()
