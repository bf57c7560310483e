"""Time ``gis build`` on the Lai Châu layers, split by phase, against a floor of plain I/O.

Each repeat runs in a fresh Python process (so imports count, as they do for a user typing
``gis build``) on a copy of ``layers/`` in a temporary folder, with maps and tables written to
that folder (``GIS_LAYERS_DIR``, ``GIS_MAPS_DIR``, ``GIS_OUT_DIR``), never into the repository.
The child runs the real command, ``gis.cli.main(["build"])``, with timers wrapped around the
toolkit's public functions; time is given to the innermost running phase only:

- ``imports``: ``import gis.cli`` and what the build imports lazily (mapclassify, matplotlib ...)
  is counted in the phase that first needs it;
- ``read``: :func:`gis.store.read_layer` (every call: validation, statistics and maps each read);
- ``validate``: :func:`gis.validate.validate_province` minus its reads;
- ``stats``: :func:`gis.stats.compute_statistics` and :func:`gis.report.write_statistics`;
- ``map geometry``: :func:`gis.maplayer.display_copy` (simplify, reproject, round);
- ``maps html``: the rest of :func:`gis.maps.build_maps` (map parts, folium, HTML);
- ``prints``: :func:`gis.printmap.print_map` (A3 PNG and PDF);
- ``other``: the catalogue summary (layer counts), console output.

The floor, in another fresh process: import pyogrio and pandas, read every layer file of the
province (``pyogrio.read_dataframe`` / ``pandas.read_csv``), and write the bytes of the HTML
files the build wrote. Figures are medians over ``--repeat`` runs (default 3).

Usage::

    PYTHONPATH=. python bench/build_time.py [--repeat 3] [--province lai_chau] [--profile F]
        [--baseline DIR]
    PYTHONPATH=. python bench/build_time.py --scenarios [--repeat 3]

``--scenarios`` times ``gis build`` as typed (fresh processes, incremental, see
:mod:`gis.build`): a full build (``--force``), a build after no change and one after an edit of
one layer, each against the floor of the same run.

``--baseline DIR`` times another version of the package (a folder holding ``gis/``, e.g.
``git archive <commit> gis | tar -x -C DIR``) in alternation with this one, so that both see the
same load of a shared machine. ``--profile F`` also writes a cProfile of one extra (untimed)
build to ``F`` (open it with ``python -m pstats F``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench._common import print_header  # noqa: E402

PHASES = ("imports", "read", "validate", "stats", "map geometry", "maps html", "prints", "other")


# ----------------------------------------------------------------------------- child: one build


class _Phases:
    """Exclusive timers: elapsed time goes to the innermost running phase."""

    def __init__(self) -> None:
        self.totals = dict.fromkeys(PHASES, 0.0)
        self.calls = dict.fromkeys(PHASES, 0)
        self.stack: list[str] = []
        self.mark = time.perf_counter()

    def enter(self, phase: str) -> None:
        now = time.perf_counter()
        if self.stack:
            self.totals[self.stack[-1]] += now - self.mark
        self.stack.append(phase)
        self.calls[phase] += 1
        self.mark = now

    def exit(self) -> None:
        now = time.perf_counter()
        self.totals[self.stack.pop()] += now - self.mark
        self.mark = now

    def wrap(self, phase: str, fn):
        import functools

        @functools.wraps(fn)
        def timed(*args, **kwargs):
            self.enter(phase)
            try:
                return fn(*args, **kwargs)
            finally:
                self.exit()

        return timed


def _patch(original, wrapper) -> int:
    """Replace ``original`` by ``wrapper`` wherever a ``gis`` module holds it; return count."""
    n = 0
    for name, mod in list(sys.modules.items()):
        if mod is None or not (name == "gis" or name.startswith("gis.")):
            continue
        for attr, value in list(vars(mod).items()):
            if value is original:
                setattr(mod, attr, wrapper)
                n += 1
    return n


def _child_build(profile_out: str | None) -> dict:
    import contextlib
    import io
    import resource

    phases = _Phases()
    phases.enter("imports")
    import gis.cli
    import gis.maplayer
    import gis.maps
    import gis.printmap
    import gis.report
    import gis.stats
    import gis.store
    import gis.validate

    phases.exit()
    targets = {
        "read": gis.store.read_layer,
        "validate": gis.validate.validate_province,
        "stats": (gis.stats.compute_statistics, gis.report.write_statistics),
        "map geometry": gis.maplayer.display_copy,
        "maps html": gis.maps.build_maps,
        "prints": gis.printmap.print_map,
    }
    for phase, fns in targets.items():
        for fn in fns if isinstance(fns, tuple) else (fns,):
            if not _patch(fn, phases.wrap(phase, fn)):
                raise RuntimeError(f"no gis module holds {fn.__qualname__}; update the bench")
    console = io.StringIO()
    prof = None
    if profile_out:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    phases.enter("other")
    with contextlib.redirect_stdout(console), contextlib.redirect_stderr(console):
        try:
            gis.cli.main(["build", "--force"])  # every phase, whatever the last build did
        except SystemExit as exc:
            if exc.code:
                raise RuntimeError(f"gis build failed:\n{console.getvalue()}") from None
    phases.exit()
    if prof is not None:
        prof.disable()
        prof.dump_stats(profile_out)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    maps_dir = Path(os.environ["GIS_MAPS_DIR"])
    html = sorted(maps_dir.glob("*.html"))
    return {
        "phases": phases.totals,
        "calls": phases.calls,
        "total": sum(phases.totals.values()),
        "html_files": len(html),
        "html_bytes": sum(p.stat().st_size for p in html),
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "cpu_s": usage.ru_utime + usage.ru_stime,
    }


def _child_floor() -> dict:
    t0 = time.perf_counter()
    import pandas as pd
    import pyogrio

    t1 = time.perf_counter()
    layers = Path(os.environ["GIS_LAYERS_DIR"]) / os.environ.get("GIS_PROVINCE", "lai_chau")
    n = 0
    for path in sorted(layers.glob("*.geojson")):
        pyogrio.read_dataframe(path)
        n += 1
    for path in sorted(layers.glob("*.csv")):
        pd.read_csv(path)
        n += 1
    t2 = time.perf_counter()
    pages = [(p.name, p.read_bytes()) for p in Path(os.environ["GIS_MAPS_DIR"]).glob("*.html")]
    out = Path(tempfile.mkdtemp(prefix="floor-html-"))
    t3 = time.perf_counter()
    for name, data in pages:
        (out / name).write_bytes(data)
    t4 = time.perf_counter()
    shutil.rmtree(out)
    return {
        "imports": t1 - t0,
        "read": t2 - t1,
        "write_html": t4 - t3,
        "total": (t1 - t0) + (t2 - t1) + (t4 - t3),
        "files_read": n,
        "html_files": len(pages),
    }


# ----------------------------------------------------------------------------- parent


def _run_child(mode: str, env: dict, *extra: str) -> dict:
    cmd = [sys.executable, __file__, "--child", mode, *extra]
    res = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, check=False)
    if res.returncode:
        sys.exit(f"child {mode} failed:\n{res.stdout}\n{res.stderr}")
    return json.loads(res.stdout.strip().splitlines()[-1])


_EDIT = """
import shapely
from gis.store import read_layer, write_layer
u = read_layer("urban_areas")
i = u.index[u.geom_type == "Point"][0]
step = 1.0 if u.loc[i, "geometry"].x % 2 < 1 else -1.0
u.loc[i, "geometry"] = shapely.affinity.translate(u.loc[i, "geometry"], step)
write_layer(u, "urban_areas", message="bench: move one urban area 1 m")
"""


def _timed(cmd: list[str], env: dict) -> float:
    t0 = time.perf_counter()
    res = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, check=False)
    if res.returncode:
        sys.exit(f"{' '.join(cmd)} failed:\n{res.stdout}\n{res.stderr}")
    return time.perf_counter() - t0


def scenarios(repeat: int, province: str) -> None:
    """Wall time of ``gis build`` as a user types it (a fresh process each time): full
    (``--force``), after no change, and after an edit of one layer (``urban_areas``: one urban
    area moved 1 m, which its tables and three maps read), against the floor, same run."""
    print_header("gis build: full, no-op and one-layer edit against the floor")
    build = [sys.executable, "-m", "gis.cli", "build"]
    times: dict[str, list[float]] = {"full": [], "no-op": [], "one-layer edit": []}
    floors = []
    with tempfile.TemporaryDirectory(prefix="gis-bench-incr-") as tmp:
        tmp = Path(tmp)
        for slug in (province, "_national"):
            shutil.copytree(
                REPO / "layers" / slug,
                tmp / "layers" / slug,
                ignore=shutil.ignore_patterns(".history", "*.lock"),
            )
        env = {
            **os.environ,
            "GIS_LAYERS_DIR": str(tmp / "layers"),
            "GIS_PROVINCE": province,
            "GIS_MAPS_DIR": str(tmp / "maps"),
            "GIS_OUT_DIR": str(tmp / "out"),
            "PYTHONPATH": str(REPO),
            "MPLBACKEND": "Agg",
        }
        for i in range(repeat):
            times["full"].append(_timed([*build, "--force"], env))
            times["no-op"].append(_timed(build, env))
            subprocess.run([sys.executable, "-c", _EDIT], env=env, cwd=REPO, check=True)
            times["one-layer edit"].append(_timed(build, env))
            floors.append(_run_child("floor", env)["total"])
            done = ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items())
            print(f"run {i + 1}/{repeat}: {done}; floor {floors[-1]:.2f} s", flush=True)
    floor = statistics.median(floors)
    print(f"\nmedian of {repeat} runs, {province}; floor {floor:.2f} s")
    print(f"{'build':<16} {'seconds':>8} {'x floor':>8}")
    for kind, values in times.items():
        med = statistics.median(values)
        print(f"{kind:<16} {med:>8.2f} {med / floor:>8.1f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--province", default="lai_chau")
    ap.add_argument("--profile", help="also write a cProfile of one extra build to this file")
    ap.add_argument(
        "--baseline",
        type=Path,
        help="folder holding another version of the gis package (e.g. from `git "
        "archive`), timed in alternation with this one",
    )
    ap.add_argument(
        "--scenarios",
        action="store_true",
        help="time full, no-op and one-layer-edit builds against the floor",
    )
    ap.add_argument("--child", choices=("build", "floor"), help=argparse.SUPPRESS)
    ap.add_argument("--profile-out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child == "build":
        print(json.dumps(_child_build(args.profile_out)))
        return 0
    if args.child == "floor":
        print(json.dumps(_child_floor()))
        return 0
    if args.scenarios:
        scenarios(args.repeat, args.province)
        return 0

    print_header("gis build: time by phase (bench/build_time.py)")
    print()
    variants = {"current": REPO}
    if args.baseline:
        variants = {"baseline": args.baseline.resolve(), "current": REPO}
        print(f"baseline: {variants['baseline']} against current: {REPO}; runs alternate\n")
    builds: dict[str, list[dict]] = {v: [] for v in variants}
    floors = []
    with tempfile.TemporaryDirectory(prefix="gis-bench-build-") as tmp:
        tmp = Path(tmp)
        shutil.copytree(REPO / "layers" / args.province, tmp / "layers" / args.province)
        envs = {
            v: {
                **os.environ,
                "GIS_LAYERS_DIR": str(tmp / "layers"),
                "GIS_PROVINCE": args.province,
                "GIS_MAPS_DIR": str(tmp / f"maps-{v}"),
                "GIS_OUT_DIR": str(tmp / f"out-{v}"),
                "PYTHONPATH": str(src),
                "MPLBACKEND": "Agg",
            }
            for v, src in variants.items()
        }
        if args.profile:  # an extra run: the profiler slows the build down
            _run_child("build", envs["current"], "--profile-out", str(Path(args.profile).resolve()))
        for i in range(args.repeat):
            for v in variants:
                builds[v].append(_run_child("build", envs[v]))
            floors.append(_run_child("floor", envs["current"]))
            done = ", ".join(f"{v} {b[-1]['total']:.2f} s" for v, b in builds.items())
            print(
                f"run {i + 1}/{args.repeat}: build {done}; floor {floors[-1]['total']:.2f} s",
                flush=True,
            )

    med = statistics.median
    runs = builds["current"]
    n_html, mb = runs[0]["html_files"], runs[0]["html_bytes"] / 1e6
    print(
        f"\nmedian of {args.repeat} runs (phases: medians, exclusive), {args.province}, "
        f"{n_html} HTML files, {mb:.2f} MB"
    )
    print(f"{'phase':<14} {'calls':>6}" + "".join(f" {v + ' s':>12}" for v in variants))
    for phase in PHASES:
        cells = "".join(f" {med(b['phases'][phase] for b in builds[v]):>12.2f}" for v in variants)
        print(f"{phase:<14} {runs[0]['calls'][phase]:>6}{cells}")
    for label, key, fmt in (
        ("total (median)", "total", med),
        ("total (min)", "total", min),
        ("CPU (median)", "cpu_s", med),
    ):
        cells = "".join(f" {fmt(b[key] for b in builds[v]):>12.2f}" for v in variants)
        print(f"{label:<21}{cells}")
    cells = "".join(f" {med(b['peak_rss_mb'] for b in builds[v]):>12.0f}" for v in variants)
    print(f"{'peak RSS MB':<21}{cells}")
    f_imp, f_read, f_write = (med(f[k] for f in floors) for k in ("imports", "read", "write_html"))
    f_total = med(f["total"] for f in floors)
    print(
        f"\nfloor: import pyogrio+pandas {f_imp:.2f} s, read {floors[0]['files_read']} layer "
        f"files {f_read:.2f} s, write {floors[0]['html_files']} HTML files {f_write:.3f} s; "
        f"total {f_total:.2f} s"
    )
    print(f"build / floor: {med(b['total'] for b in runs) / f_total:.1f}x")
    if args.profile:
        print(f"cProfile of an extra build: {args.profile}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
