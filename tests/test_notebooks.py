"""The notebooks are product: each runs top to bottom, on a temporary copy of layers/.

The kernel is this interpreter (a kernelspec written to a temporary JUPYTER_PATH), so the
notebooks see the same packages as the tests, whatever `python` is first on PATH.
"""

import hashlib
import html
import json
import os
import re
import sys
from pathlib import Path

import nbformat
import pytest
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
