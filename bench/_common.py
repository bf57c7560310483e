"""Shared helpers of the benchmark scripts in ``bench/``: machine description, peak memory, data.

Every script prints :func:`print_header` first, so that each figure it prints comes with the date
and the machine it was measured on. Scripts are run from the repository root as
``python bench/<script>.py`` (each one puts the root on ``sys.path``; ``PYTHONPATH=.`` works too).

Memory figures are the peak resident set size (``ru_maxrss``) of a *fresh* child process that ran
one measurement: run the work in a child with :func:`run_child` and, inside the child, report
:func:`peak_rss_mb` as the last thing it does.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import json
import os
import platform
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

__all__ = [
    "BENCH_DATA",
    "REPO_ROOT",
    "PeakRSS",
    "machine_info",
    "national_districts",
    "national_provinces",
    "peak_rss_mb",
    "print_header",
    "rss_mb",
    "run_child",
    "tiled_float32_profile",
]

#: Repository root (parent of ``bench/``).
REPO_ROOT = Path(__file__).resolve().parent.parent
#: Folder of the national benchmark data (see ``bench/data/SOURCES.md``).
BENCH_DATA = REPO_ROOT / "bench" / "data"

_ADMIN_ZIP = BENCH_DATA / "vn_districts_pre2025.gpkg.zip"
_ADMIN_INNER = "vn_districts_pre2025.gpkg"
_PROVINCES_2025 = BENCH_DATA / "vn_provinces_2025.geojson"

_LIBRARIES = (
    "numpy",
    "pandas",
    "geopandas",
    "shapely",
    "pyproj",
    "pyogrio",
    "rasterio",
    "exactextract",
    "rasterstats",
    "dask",
    "dask_geopandas",
    "distributed",
    "folium",
    "matplotlib",
)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return None


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return f"{line.split('=', 1)[1].strip(chr(34))}, Linux {platform.release()}"
    except OSError:
        pass
    return platform.platform()


def machine_info() -> dict[str, object]:
    """Return the machine and software a benchmark runs on.

    Returns
    -------
    dict
        ``cpu`` (model from ``/proc/cpuinfo``), ``cores`` (usable by this process), ``ram_gb``,
        ``os``, ``python``, and ``versions``: library -> version for numpy, pandas, geopandas,
        shapely, pyproj, pyogrio, rasterio, exactextract, rasterstats, dask (those installed),
        plus ``GDAL`` and ``PROJ``.
    """
    versions: dict[str, str] = {}
    for name in _LIBRARIES:
        try:
            mod = importlib.import_module(name)
        except ImportError:
            continue
        versions[name] = str(getattr(mod, "__version__", "?"))
    try:
        import rasterio

        versions["GDAL"] = rasterio.__gdal_version__
    except ImportError:
        pass
    try:
        import pyproj

        versions["PROJ"] = pyproj.proj_version_str
    except ImportError:
        pass
    try:
        import shapely

        versions["GEOS"] = shapely.geos_version_string
    except ImportError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 0
    return {
        "cpu": _cpu_model(),
        "cores": cores,
        "ram_gb": _ram_gb(),
        "os": _os_name(),
        "python": platform.python_version(),
        "versions": versions,
    }


def machine_line(info: dict[str, object] | None = None) -> str:
    """Return :func:`machine_info` as one line (for headers and ``docs/performance.md``)."""
    info = info or machine_info()
    libs = ", ".join(f"{k} {v}" for k, v in info["versions"].items())  # type: ignore[union-attr]
    return (
        f"{info['cpu']}, {info['cores']} cores, {info['ram_gb']} GB RAM, {info['os']}, "
        f"Python {info['python']}; {libs}"
    )


def print_header(title: str) -> dict[str, object]:
    """Print the benchmark's title, the date and time, and the machine; return the machine info."""
    info = machine_info()
    now = _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    print(f"# {title}")
    print(f"date: {now}")
    print(f"machine: {machine_line(info)}")
    one, five, fifteen = os.getloadavg()
    # Other jobs on the machine slow every figure: state the load with them.
    print(f"load average (1/5/15 min): {one:.2f} {five:.2f} {fifteen:.2f}", flush=True)
    return info


def peak_rss_mb() -> float:
    """Return the peak resident memory of the calling process so far, in MB (MiB).

    Call it at the end of a fresh child process (see :func:`run_child`): the figure then covers
    imports plus the one measurement the child ran, and no earlier work of the parent.

    Read from ``VmHWM`` in ``/proc/self/status`` (the high-water mark of this process's own
    memory), not from ``getrusage().ru_maxrss``: on Linux ``ru_maxrss`` survives ``exec``, so a
    child started by a parent holding 800 MB reports at least 800 MB whatever it does itself.
    ``ru_maxrss`` is the fallback where ``/proc`` is absent (macOS).
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return round(peak / (1024**2 if sys.platform == "darwin" else 1024), 1)


def run_child(
    argv: list[str], *, env: dict[str, str] | None = None, timeout_s: float | None = None
) -> dict:
    """Run ``python *argv`` in a fresh process and return the JSON object it printed last.

    The child gets the repository root on ``PYTHONPATH``. A child that fails raises
    ``RuntimeError`` with the end of its standard error.
    """
    child_env = dict(os.environ)
    child_env.update(env or {})
    path = child_env.get("PYTHONPATH")
    child_env["PYTHONPATH"] = str(REPO_ROOT) + (os.pathsep + path if path else "")
    res = subprocess.run(
        [sys.executable, *argv],
        capture_output=True,
        text=True,
        env=child_env,
        timeout=timeout_s,
        check=False,
    )
    if res.returncode != 0:
        raise RuntimeError(f"child {argv[:3]} failed ({res.returncode}): {res.stderr[-2000:]}")
    lines = [ln for ln in res.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        raise RuntimeError(f"child {argv[:3]} printed no JSON: {res.stdout[-500:]}")
    return json.loads(lines[-1])


def tiled_float32_profile(
    *,
    width: int,
    height: int,
    cell_m: float,
    x0_m: float,
    y_top_m: float,
    crs: str,
    nodata: float,
    bigtiff: str = "IF_SAFER",
) -> dict:
    """Return the rasterio profile of the benchmarks' generated rasters.

    Float32, north-up, 512 × 512 tiles, deflate: the layout of real national rasters (WorldPop,
    GHSL), so that windowed reads behave as they would on them.
    """
    from affine import Affine

    return dict(
        driver="GTiff",
        width=width,
        height=height,
        count=1,
        dtype="float32",
        crs=crs,
        transform=Affine(cell_m, 0.0, x0_m, 0.0, -cell_m, y_top_m),
        nodata=nodata,
        tiled=True,
        blockxsize=512,
        blockysize=512,
        compress="deflate",
        BIGTIFF=bigtiff,
    )


def national_districts():
    """Return the 692 districts (pre-2025; Quảng Ninh missing) as a GeoDataFrame in EPSG:4326.

    Read from ``bench/data/vn_districts_pre2025.gpkg.zip`` (layer ``districts``); see
    ``bench/data/SOURCES.md`` for origin, licence and known gaps.
    """
    import geopandas as gpd

    return gpd.read_file(f"/vsizip/{_ADMIN_ZIP}/{_ADMIN_INNER}", layer="districts")


def national_provinces():
    """Return the 34 provinces (after 1 July 2025) as a GeoDataFrame in EPSG:4326.

    Read from ``bench/data/vn_provinces_2025.geojson``; see ``bench/data/SOURCES.md``.
    """
    import geopandas as gpd

    return gpd.read_file(_PROVINCES_2025)


if __name__ == "__main__":
    print_header("bench/_common.py: machine description")
    print(json.dumps(machine_info(), indent=2, ensure_ascii=False))


def rss_mb() -> float:
    """Resident memory of this process and all its children (dask workers), in MB."""
    import psutil

    proc = psutil.Process()
    total = proc.memory_info().rss
    for child in proc.children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.Error:  # a worker that just exited
            pass
    return total / 2**20


class PeakRSS:
    """Sample :func:`_rss_mb` every ``every_s`` seconds in a thread; ``peak_mb`` is the largest."""

    def __init__(self, every_s: float = 0.02):
        self.every_s = every_s
        self.peak_mb = 0.0
        self._stop = threading.Event()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, rss_mb())
            time.sleep(self.every_s)

    def __enter__(self) -> PeakRSS:
        self.peak_mb = rss_mb()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, rss_mb())
