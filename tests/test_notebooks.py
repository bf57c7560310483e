"""The notebooks are product: each runs top to bottom, on a temporary copy of layers/.

The kernel is this interpreter (a kernelspec written to a temporary JUPYTER_PATH), so the
notebooks see the same packages as the tests, whatever `python` is first on PATH.

One test opens 02_editing in a real JupyterLab in headless Chromium (network off but for the
server on 127.0.0.1), as a planner does after `python3 tasks.py notebooks`: the notebook opens
unmodified, Run All finishes without an error and the drawing map is drawn by the jupyter-leaflet
front end (nbclient above runs the cells but draws no widget).
"""

import hashlib
import html
import importlib.util
import json
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from browser import ARTIFACTS, CHROMIUM_FLAGS, find_chromium
from nbclient import NotebookClient

from gis.webmap import external_resources

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
KERNEL = "gis-test-python"
CELL_TIMEOUT_S = 180

# What each notebook must show a planner (a notebook that silently skips its point fails).
EXPECTED = {
    "01_tour.ipynb": ["Lai Châu", "Difference:", "dynamic_economic", "song_da_agroforestry"],
    "02_editing.ipynb": [
        "is not an allowed value",  # the broken rule is shown
        "Layer unchanged on disk: True",
        "changed on disk since you opened it",  # the conflict is shown
        "Back to the version we opened: True",
        "class_counts",  # the plan's urban system (1 x III, 5 x IV, 5 x V) is enforced
        "urban_in_unit",  # a mistyped GPS reading lands in another commune
        "passes 17,794 m from 'tam_duong'",  # a track in the wrong CRS misses the towns
        "S06 straight again: True",
        "using a DEMO point",  # nothing drawn in a test run: the demo point is labelled
        "Drawn: 1 feature(s), in VN-2000",  # a drawing comes back in the planning CRS
        "Self-intersection at",  # a crossing polygon is refused with where and how to fix
        "Dịch chuyển",  # the review of the amendment: Phúc Than moved
        "Review map:",
    ],
    "03_coverage.ipynb": [
        "8 districts, axis today",  # both unit systems and the axis without planned roads
        "separate networks",  # the caveat of the road network is shown
        "within 30 km by road",
        "378,307",  # the RAI has the census rural population (2019)
        "Rural Access Index (proxy):",
        "area-based proxy, NOT the Rural Access Index",
    ],
    "04_statistics.ipynb": [
        "districts_pre2025",
        "communes_2025",
        "Degree of Urbanisation (DEGURBA)",
        "threshold missing",
        "Sum of the 38 densities (wrong)",
        "Old units counted: 106",
        "108 units, 460,196 people, 81,889 urban",  # the census layer
        "Sum of the 38 communes: 460,196",  # exact sums onto the 2025 communes
        "by_area_error_pct",  # area weighting set against the exact sums
        "not reached in the 2019 census",  # the national picture and its targets
        "intensive columns need weight_column",
        "Diện tích (km²)",  # Vietnamese headers in the workbook
        "# Thống kê đô thị tỉnh Lai Châu",  # the report was written
    ],
    "05_maps.ipynb": [
        "missing layers: none",  # every layer of every product map was found
        "Resources the page would fetch from the network: []",
        "<iframe srcdoc=",  # maps inline
        "Định hướng phát triển không gian tỉnh Lai Châu",
        "truc_10km.png",
    ],
    "06_national.ipynb": [
        "3,321 communes of 2025 in 34 provinces",
        "Census: 96,208,984 people",  # the published census total
        "3 of 34 provinces above 50 %",
        "Lai Châu",  # the store's provinces against the target
        "Same indicators on 4 partitions: True",
        "xa_phuong_toan_quoc.html",
        "# Thống kê: Việt Nam",  # the Vietnamese report
    ],
}
# A code cell drawing one inline picture: a static preview map or a PNG shown with Image(...).
IMAGE_CALLS = ("preview_map(", "Image(")


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def kernel_env(tmp_path, monkeypatch, store_copy):
    """Kernelspec for sys.executable; layers from a temporary copy; the worktree's gis."""
    spec_dir = tmp_path / "jupyter" / "kernels" / KERNEL
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "gis tests",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("GIS_LAYERS_DIR", str(store_copy))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend draws the maps
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    return workdir


def _run(nb, workdir: Path):
    client = NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=CELL_TIMEOUT_S,
        resources={"metadata": {"path": str(workdir)}},
    )
    return client.execute()


def _text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            for mime in ("text/plain", "text/html"):
                parts.append(out.get("data", {}).get(mime, ""))
    return "\n".join(parts)


def test_kernel_is_this_interpreter(kernel_env):
    nb = nbformat.v4.new_notebook()
    nb.cells.append(
        nbformat.v4.new_code_cell("import sys, gis; print(sys.prefix); print(gis.__file__)")
    )
    out = _run(nb, kernel_env).cells[0].outputs[0]["text"].splitlines()
    assert out == [sys.prefix, str(REPO / "gis" / "__init__.py")]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, kernel_env, store_copy):
    repo_layers = _digest(REPO / "layers")
    nb = nbformat.read(path, as_version=4)
    executed = _run(nb, kernel_env)  # raises CellExecutionError, with the cell, on an error
    stderr = [
        out["text"]
        for cell in executed.cells
        for out in cell.get("outputs", [])
        if out.get("name") == "stderr"
    ]
    assert stderr == [], f"{path.name} printed warnings or errors: {stderr}"
    images = sum(
        "image/png" in out.get("data", {})
        for cell in executed.cells
        for out in cell.get("outputs", [])
    )
    assert images == sum(
        any(call in c.source for call in IMAGE_CALLS) for c in nb.cells if c.cell_type == "code"
    )
    for frame in re.findall(r'<iframe srcdoc="([^"]*)"', _text(executed)):  # inline maps
        assert external_resources(html.unescape(frame)) == [], f"{path.name}: map needs network"
    text = _text(executed)
    for expected in EXPECTED[path.name]:
        assert expected in text, f"{path.name}: output lacks {expected!r}"
    assert _digest(REPO / "layers") == repo_layers  # the repository's layers are untouched


def test_every_notebook_is_tested():
    assert [p.name for p in NOTEBOOKS] == sorted(EXPECTED)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebooks_have_no_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert dirty == [], (
        f"{path.name}: cells {dirty} have outputs; clear them before committing "
        "(Jupyter: Edit > Clear Outputs of All Cells, then save)."
    )


# ----------------------------------------------------------------------------- real JupyterLab

LAB_NOTEBOOK = "02_editing.ipynb"
LAB_TIMEOUT_S = 240
# Chromium as in tests/browser.py (every host unresolvable, every request to a dead proxy),
# but for the JupyterLab server on 127.0.0.1: the only address the page may reach.
LAB_FLAGS = (
    *(f for f in CHROMIUM_FLAGS if not f.startswith(("--proxy-bypass", "--host-resolver"))),
    "--proxy-bypass-list=127.0.0.1",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)
_JS_PANEL = "const w = window.jupyterapp.shell.currentWidget;"
_JS_STATE = (
    _JS_PANEL
    + """
if (!w || !w.content || !w.sessionContext) return null;
const cells = [...w.content.widgets].filter(c => c.model.type === 'code');
const outputs = cells.map(c => c.model.outputs.toJSON());
return {
  kernel: w.sessionContext.session?.kernel?.status ?? null,
  dirty: w.context.model.dirty,
  code_cells: cells.length,
  executed: cells.filter(c => c.model.executionCount !== null).length,
  errors: outputs.flat().filter(o => o.output_type === 'error').map(o => o.ename + ': ' + o.evalue),
  stderr: outputs.flat().filter(o => o.name === 'stderr').map(o => o.text),
};"""
)


def _lab_requirements() -> tuple[str, str]:
    """Chromium and chromedriver, or skip (fail on CI, which installs all of them)."""
    chromium, driver = find_chromium()
    reason = None
    if importlib.util.find_spec("jupyterlab") is None:
        reason = "jupyterlab not installed (pip install -e '.[test]' or '.[notebooks]')"
    elif not (chromium and driver):
        reason = "headless Chromium not available (apt-get install chromium chromium-driver)"
    elif importlib.util.find_spec("selenium") is None:
        reason = "selenium not installed"
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    return chromium, driver


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(what: str, probe, timeout_s: float, every_s: float = 0.25):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(every_s)
    raise AssertionError(f"JupyterLab: timed out after {timeout_s:.0f} s waiting for {what}")


@pytest.fixture
def lab_server(tmp_path, store_copy):
    """A JupyterLab server on 127.0.0.1 serving a copy of 02_editing; yields its URL.

    Its kernel is the server's own interpreter (this one), with .venv/bin first on PATH as
    `python3 tasks.py notebooks` sets it, and the layers of a temporary copy of the store.
    """
    _lab_requirements()
    root = tmp_path / "lab"
    root.mkdir()
    shutil.copyfile(REPO / "notebooks" / LAB_NOTEBOOK, root / LAB_NOTEBOOK)
    port, token = _free_port(), secrets.token_hex(16)
    home = tmp_path / "jupyter-home"
    env = {
        **os.environ,
        "GIS_LAYERS_DIR": str(store_copy),
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        # nothing of the user's Jupyter set-up (settings, workspaces, kernels) is read or written
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
    }
    env.pop("MPLBACKEND", None)
    env.pop("JUPYTER_PATH", None)
    notification = home / "settings" / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True)  # no "get Jupyter news?" toast over the map (and no fetch)
    (notification / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    cmd = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True",
        "--allow-root",  # CI runs as root
    ]
    log = (tmp_path / "jupyterlab.log").open("w")
    server = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"

    def up():
        if server.poll() is not None:
            raise AssertionError(f"jupyter lab exited: {(tmp_path / 'jupyterlab.log').read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                return True
        except OSError:
            return False

    try:
        _wait("the server to answer", up, 60)
        yield f"{base}/lab/tree/{LAB_NOTEBOOK}?token={token}", root / LAB_NOTEBOOK
    finally:
        server.terminate()  # the server shuts its kernels down on SIGTERM
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.mark.slow
@pytest.mark.browser
def test_02_editing_runs_in_jupyterlab(lab_server, monkeypatch):
    """Open 02_editing in JupyterLab in headless Chromium: clean on open, Run All without an
    error, the drawing map drawn with its reference layers, towns and a readout that clears."""
    import browser as browser_module
    from selenium.webdriver.common.action_chains import ActionChains

    url, copy = lab_server
    chromium, driver = _lab_requirements()
    monkeypatch.setattr(browser_module, "CHROMIUM_FLAGS", LAB_FLAGS)
    with browser_module.Browser(chromium, driver) as b:
        d = b.driver
        d.set_window_size(1280, 1400)  # room for the whole map below its cell
        d.get(url)
        _wait(
            "the notebook and its kernel",
            lambda: (d.execute_script(_JS_STATE) or {}).get("kernel") == "idle",
            120,
        )
        time.sleep(1.5)  # the kernel's language_info arrives after 'idle'
        state = d.execute_script(_JS_STATE)
        stored = json.loads(copy.read_text(encoding="utf-8"))["metadata"]["language_info"]
        if stored.get("version") == platform.python_version():
            # JupyterLab writes the kernel's language_info into the notebook; the committed
            # one is ipykernel's, so opening changes nothing (see test_notebook_metadata)
            assert not state["dirty"], "JupyterLab marks the fresh notebook as modified"

        d.execute_script("window.jupyterapp.commands.execute('notebook:run-all-cells')")

        def finished():
            s = d.execute_script(_JS_STATE)
            done = s["executed"] == s["code_cells"] or s["errors"]
            return s if done and s["kernel"] == "idle" else None

        state = _wait("Run All to finish", finished, LAB_TIMEOUT_S, every_s=0.5)
        assert state["errors"] == [], f"{LAB_NOTEBOOK} failed in JupyterLab: {state['errors']}"
        nb = nbformat.read(copy, as_version=4)
        assert (
            state["executed"] == state["code_cells"] == sum(c.cell_type == "code" for c in nb.cells)
        )
        assert state["stderr"] == []

        maps = d.find_elements("css selector", ".jp-OutputArea .leaflet-container")
        assert len(maps) == 1, "the drawing map was not rendered"
        (m,) = maps
        d.execute_script("arguments[0].scrollIntoView({block: 'center'})", m)
        time.sleep(0.5)
        count = "return arguments[0].querySelectorAll(arguments[1]).length"
        assert d.execute_script(count, m, "path.leaflet-interactive") > 38  # communes and more
        assert d.execute_script(count, m, ".leaflet-draw-draw-marker") == 1  # the marker tool
        assert d.execute_script(count, m, ".gis-draw-label") == 11  # the plan's 11 towns
        assert "Drawn: nothing yet" in m.text

        # the readout names the commune under the pointer, and clears when it leaves them
        readout = "return arguments[0].querySelectorAll('.widget-html-content')[1].innerText"
        width, height = m.size["width"], m.size["height"]
        ActionChains(d).move_to_element(m).move_by_offset(1, 1).perform()  # centre: a commune
        _wait(
            "a commune in the readout", lambda: "communes_2025:" in d.execute_script(readout, m), 20
        )
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        d.save_screenshot(str(ARTIFACTS / "jupyterlab_02_editing.png"))
        corner = (-width // 2 + 60, height // 2 - 60)  # lower left: outside the province
        ActionChains(d).move_to_element(m).move_by_offset(*corner).perform()
        _wait("the readout to clear", lambda: d.execute_script(readout, m).strip() == "", 20)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_metadata_is_what_jupyterlab_writes(path):
    """JupyterLab copies the kernel's language_info into the notebook when the kernel starts;
    a committed notebook holding less (e.g. only the name) shows as modified the moment it is
    opened. Commit ipykernel's language_info, Python version included (that of CI, 3.11)."""
    from ipykernel.ipkernel import IPythonKernel

    raw = json.loads(path.read_text(encoding="utf-8"))
    assert (raw["nbformat"], raw["nbformat_minor"]) == (4, 5)  # what JupyterLab 4 writes
    assert raw["metadata"]["kernelspec"] == {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": "python3",
    }
    stored = dict(raw["metadata"]["language_info"])
    expected = dict(IPythonKernel.language_info)
    assert stored.pop("version").startswith("3.11.") and expected.pop("version")
    assert stored == expected
    # saved as nbformat (and so JupyterLab) writes it: a save changes no byte
    text = path.read_text(encoding="utf-8")
    assert nbformat.writes(nbformat.reads(text, as_version=4)) + "\n" == text
