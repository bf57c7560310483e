"""Hostile inputs, damaged stores, full disks and killed writers (issue 20).

Each case reproduces one finding of the adversarial run and checks the fix: the message (one line
that says what is wrong and how to fix it), the exit code, no traceback, and a store hashed
byte for byte before and after. Commands run through the real entry point
:func:`gis.cli.main`, forked from one runner process (see ``tests/test_bad_input.py``); a case
may inject a failure (a read-only folder, a full disk) into its child process only.

Also here: formula and HTML injection into the statistics and table exports, a kill test per
output kind (SIGKILL mid-write: the target is the old file or a complete new one), the memory
bound on a padded zip, and `$...$` in printed labels.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from conftest import LAYERS, REPO
from openpyxl import load_workbook
from test_bad_input import RUNNER, _padded_geojson_zip

from gis import store
from gis._safe_text import csv_frame, markdown_text
from gis.report import write_statistics

KW = {"province": "lai_chau"}
N_LANES = 2  # the machine has 2 cores

# the runner of test_bad_input, with one addition: a job's "setup" code runs in its child only
RUNNER_WITH_SETUP = re.sub(
    r"\n( *)code = 0\n", r"\n\1exec(job.get('setup', ''), globals())\n\1code = 0\n", RUNNER, count=1
)
assert RUNNER_WITH_SETUP != RUNNER


def _copy_province(dst: Path) -> Path:
    """A store root holding a copy of Lai Châu only (what these commands read), no history."""
    shutil.copytree(
        LAYERS / "lai_chau", dst / "lai_chau", ignore=shutil.ignore_patterns(".history", "*.lock")
    )
    shutil.copy(LAYERS / "default_province.txt", dst / "default_province.txt")
    return dst


def _run(jobs: list[dict], root: Path) -> dict[str, dict]:
    """Run every job (args, store, optional setup) in a forked child; return outcomes by id."""
    for i, job in enumerate(jobs):
        job.setdefault("lane", i % N_LANES)
        job["out"], job["err"] = str(root / f"{i}.out"), str(root / f"{i}.err")
        job["args"] = [*job["args"], "--layers", job["store"]]
    (root / "jobs.json").write_text(json.dumps(jobs))
    proc = subprocess.run(
        [sys.executable, "-c", RUNNER_WITH_SETUP, str(root / "jobs.json")],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    by_id = {r["id"]: r for r in json.loads(proc.stdout.splitlines()[-1])}
    for job in jobs:
        res = by_id[job["id"]]
        res["text"] = Path(job["out"]).read_text(errors="replace") + Path(job["err"]).read_text(
            errors="replace"
        )
    return by_id


def _refused(res: dict, expected: str) -> None:
    text = res["text"]
    assert res["code"] == 1, f"exit {res['code']}\n{text[:3000]}"
    assert "Traceback" not in text and "unexpected" not in text, text[:3000]
    assert expected in text, f"{expected!r} not in\n{text[:3000]}"
    assert not res["changed"], "the store changed"
    errors = [line for line in text.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, text[:3000]


# --- a .meta.json edited by hand: validate, layers and info say what is wrong ----------------


def _edit_meta(change):
    def damage(path: Path) -> None:
        meta = json.loads(path.read_text(encoding="utf-8"))
        out = change(meta)
        path.write_text(json.dumps(meta if out is None else out), encoding="utf-8")

    return damage


def _write(text: str | bytes):
    def damage(path: Path) -> None:
        path.write_bytes(text if isinstance(text, bytes) else text.encode())

    return damage


BROKEN_META = [
    ("missing-kind", _edit_meta(lambda m: m.pop("kind") and None), "'kind' is missing"),
    ("array", _write("[]"), "it holds a list, not an object"),
    ("null", _write("null"), "it holds null, not an object"),
    ("columns-a-string", _edit_meta(lambda m: m.update(columns="name")), "'columns' is not a list"),
    (
        "column-without-name",
        _edit_meta(lambda m: m["columns"][0].pop("name") and None),
        'column 1 has no "name"',
    ),
    (
        "allowed-5",
        _edit_meta(lambda m: m["columns"][0].update(allowed=5)),
        "column 'name': 'allowed' is not a list",
    ),
    (
        "crs-unknown",
        _edit_meta(lambda m: m.update(crs="EPSG:999999")),
        "'crs' EPSG:999999 is not a CRS PROJ knows",
    ),
    (
        "invalid-utf8",
        _write(b'{"title": "s\xf4ng", "kind": "vector"}'),
        "is not UTF-8 text (byte 0xf4 at position 12); save it as UTF-8",
    ),
    (
        "nested-100000-deep",
        _write("[" * 100_000 + "]" * 100_000),
        "is nested too deeply to be a layer description",
    ),
    (
        "provenance-a-string",
        _edit_meta(lambda m: m.update(provenance="Natural Earth")),
        "'provenance' is not an object",
    ),
    ("kind-raster", _edit_meta(lambda m: m.update(kind="raster")), "'kind' is raster"),
    (
        "dtype-complex",
        _edit_meta(lambda m: m["columns"][1].update(dtype="complex")),
        "column 'name_en' has dtype complex; use one of str, int, float, bool",
    ),
    (
        "geometry-hexagon",
        _edit_meta(lambda m: m.update(geometry_type="Hexagon")),
        "'geometry_type' is Hexagon; use Point, LineString or Polygon",
    ),
]
META_COMMANDS = (["validate"], ["validate", "rivers"], ["layers"], ["info", "rivers"])


@pytest.fixture(scope="module")
def broken_meta(tmp_path_factory):
    root = tmp_path_factory.mktemp("broken_meta")
    jobs = []
    for case, damage, _ in BROKEN_META:
        layers = _copy_province(root / case)
        damage(layers / "lai_chau" / "rivers.meta.json")
        for args in META_COMMANDS:
            jobs.append({"id": f"{case}:{' '.join(args)}", "args": args, "store": str(layers)})
    return _run(jobs, root)


@pytest.mark.parametrize(
    ("case", "expected"), [(c[0], c[2]) for c in BROKEN_META], ids=[c[0] for c in BROKEN_META]
)
def test_hand_edited_meta_is_one_clear_line(broken_meta, case, expected):
    for args in META_COMMANDS:
        res = broken_meta[f"{case}:{' '.join(args)}"]
        _refused(res, expected)
        assert "rivers.meta.json" in res["text"], res["text"]
        assert "git checkout -- rivers.meta.json" in res["text"] or "restore it" in res["text"]


# --- the store through the front door: names, exports into it, links ------------------------


def _link_lock(layers: Path, root: Path) -> None:
    (layers / "lai_chau" / ".history").mkdir()
    victim = root / "victim.txt"
    victim.write_text("a file the lock must not truncate\n")
    (layers / "lai_chau" / ".history" / "rivers.lock").symlink_to(victim)


def _link_history(layers: Path, root: Path) -> None:
    (layers / "lai_chau" / ".history").mkdir()
    outside = root / "outside"
    outside.mkdir()
    (layers / "lai_chau" / ".history" / "rivers").symlink_to(outside, target_is_directory=True)


FRONT_DOOR = [
    (
        "export-onto-a-layer",
        ["export", "rivers", "{store}/lai_chau/rivers.geojson"],
        None,
        "cannot export 'rivers' to '{store}/lai_chau/rivers.geojson': it is inside the layer store",
    ),
    (
        "export-onto-a-schema",
        ["export", "rivers", "{store}/lai_chau/roads.meta.json"],
        None,
        "it is inside the layer store",
    ),
    (
        "stats-into-the-store",
        ["stats", "--out", "{store}/lai_chau"],
        None,
        "cannot write the statistics to '{store}/lai_chau': it is inside the layer store",
    ),
    (
        "restore-dotdot",
        ["restore", "../../evil/x", "0123456789abcdef"],
        None,
        "layer name '../../evil/x' is not allowed",
    ),
    (
        "export-dotdot",
        ["export", "../rivers", "{root}/x.gpkg"],
        None,
        "layer name '../rivers' is not allowed",
    ),
    ("info-dotdot", ["info", "../../etc/passwd"], None, "layer name '../../etc/passwd' is not"),
    ("history-dotdot", ["history", "../x"], None, "layer name '../x' is not allowed"),
    (
        "import-over-linked-lock",
        ["import", "{data}/rivers.gpkg", "--as", "rivers"],
        _link_lock,
        "rivers.lock is a symbolic link (to {root}/victim.txt); the store never follows links",
    ),
    (
        "import-into-linked-history",
        ["import", "{data}/rivers.gpkg", "--as", "rivers"],
        _link_history,
        "rivers is a symbolic link (to {root}/outside)",
    ),
    (
        "export-name-too-long",
        ["export", "rivers", "{root}/" + "r" * 260 + ".gpkg"],
        None,
        "the file name is too long for the file system (265 bytes). Nothing was changed; use a "
        "shorter name",
    ),
]


@pytest.fixture(scope="module")
def front_door(tmp_path_factory):
    root = tmp_path_factory.mktemp("front_door")
    rivers = store.read_layer("rivers", layers_dir=LAYERS, **KW)
    pyogrio.write_dataframe(rivers, root / "rivers.gpkg")
    jobs = []
    for case, args, prepare, _ in FRONT_DOOR:
        layers = _copy_province(root / case)
        if prepare:
            prepare(layers, root / case)
        fill = {"store": str(layers), "root": str(root / case), "data": str(root)}
        args = [a.format(**fill) for a in args]
        jobs.append({"id": case, "args": args, "store": str(layers), "fill": fill})
    out = _run(jobs, root)
    for job in jobs:
        out[job["id"]]["fill"] = job["fill"]
    return out


@pytest.mark.parametrize(
    ("case", "expected"), [(c[0], c[3]) for c in FRONT_DOOR], ids=[c[0] for c in FRONT_DOOR]
)
def test_the_store_is_written_only_by_saves(front_door, case, expected):
    res = front_door[case]
    _refused(res, expected.format(**res["fill"]))
    if case == "import-over-linked-lock":
        victim = Path(res["fill"]["root"]) / "victim.txt"
        assert victim.read_text() == "a file the lock must not truncate\n"
    if case == "import-into-linked-history":
        assert list((Path(res["fill"]["root"]) / "outside").iterdir()) == []
    assert not [p for p in Path(res["fill"]["store"]).rglob("*") if ".part-" in p.name]


# --- read-only folder, no permission, full disk: one line, and the store as it was -----------

_MKDIR_FAILS = """
import errno, pathlib
_real_mkdir = pathlib.Path.mkdir
def _mkdir(self, *args, **kwargs):
    if self.name == ".history":
        raise OSError(errno.{code}, os.strerror(errno.{code}), str(self))
    return _real_mkdir(self, *args, **kwargs)
pathlib.Path.mkdir = _mkdir
"""
_DISK_FULL = """
import errno, gis.store
_real_write = gis.store._atomic_write_bytes
def _full(path, write):
    if path.name.endswith(("{suffix}",)):
        def _part(tmp):
            write(tmp)  # the file is written, then the disk is full (as at its last block)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp))
        return _real_write(path, _part)
    return _real_write(path, write)
gis.store._atomic_write_bytes = _full
"""
WRITE_ERRORS = [
    (
        "read-only-mount",
        _MKDIR_FAILS.format(code="EROFS"),
        "new",
        "cannot save layer 'new_layer' (new_layer.geojson): {store}/lai_chau is on a read-only "
        "file system. Nothing was changed; work on a writable copy of the store",
    ),
    (
        "no-permission",
        _MKDIR_FAILS.format(code="EACCES"),
        "new",
        "no permission to write in {store}/lai_chau. Nothing was changed; make it writable",
    ),
    (
        "disk-full-new-layer",
        _DISK_FULL.format(suffix="new_layer.geojson"),
        "new",
        "cannot save layer 'new_layer' (new_layer.geojson): the disk holding {store}/lai_chau is "
        "full (",
    ),
    (
        "disk-full-existing-layer",
        _DISK_FULL.format(suffix="districts_pre2025.geojson"),
        "old",
        "MB free). Nothing was changed; free some space and run the command again.",
    ),
    (
        "disk-full-history-copy",
        _DISK_FULL.format(suffix=".geojson"),
        "old",
        "cannot save layer 'districts_pre2025' (districts_pre2025.geojson): the disk holding "
        "{store}/lai_chau is full",
    ),
]


@pytest.fixture(scope="module")
def write_errors(tmp_path_factory):
    root = tmp_path_factory.mktemp("write_errors")
    districts = store.read_layer("districts_pre2025", layers_dir=LAYERS, **KW)
    pyogrio.write_dataframe(districts.assign(qa_note="edited"), root / "d.gpkg")
    jobs = []
    for case, setup, which, _ in WRITE_ERRORS:
        layers = _copy_province(root / case)
        if case == "disk-full-history-copy":  # an earlier save made .history: it must stay
            rivers = store.read_layer("rivers", layers_dir=layers, **KW)
            store.write_layer(rivers, "rivers", layers_dir=layers, **KW)
        args = ["import", str(root / "d.gpkg")]
        args += (
            ["--as", "new_layer", "--source", "s", "--licence", "CC0"]
            if which == "new"
            else ["--as", "districts_pre2025"]
        )
        jobs.append({"id": case, "args": args, "store": str(layers), "setup": setup})
    return _run(jobs, root), root


@pytest.mark.parametrize(
    ("case", "expected"), [(c[0], c[3]) for c in WRITE_ERRORS], ids=[c[0] for c in WRITE_ERRORS]
)
def test_write_errors_are_one_line_and_change_nothing(write_errors, case, expected):
    outcomes, root = write_errors
    res = outcomes[case]
    _refused(res, expected.format(store=root / case))
    assert ".part-" not in res["text"]  # never a temporary name
    folder = root / case / "lai_chau"
    assert not list(folder.rglob("*.pending-meta.json")), "orphan journal"
    if case != "disk-full-history-copy":
        assert not (folder / ".history").exists()  # nor the lock and folder a failed save made
    else:  # nor the layer's history folder, nor its lock
        assert sorted(p.name for p in (folder / ".history").iterdir()) == ["rivers", "rivers.lock"]


def _unshare_ok() -> bool:
    if not shutil.which("unshare") or sys.platform != "linux":
        return False
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True, timeout=30)
    return probe.returncode == 0


REAL_DISK = textwrap.dedent(
    """
    import hashlib, json, os, subprocess, sys
    from pathlib import Path
    mnt, src, data = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mnt)], check=True)
    subprocess.run(["cp", "-r", str(src), str(mnt / "layers")], check=True)
    store = mnt / "layers"

    def digest():
        return hashlib.sha256(json.dumps({
            str(p.relative_to(store)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(store.rglob("*")) if p.is_file()
        }).encode()).hexdigest()

    def gis(*args):
        proc = subprocess.run([sys.executable, "-c", "from gis.cli import main; main()", *args,
                               "--layers", str(store)], capture_output=True, text=True)
        return proc.returncode, proc.stdout + proc.stderr

    out = {}
    free = os.statvfs(mnt).f_bavail * os.statvfs(mnt).f_frsize
    with open(mnt / "filler", "wb") as fh:  # leave 64 kB: a 1 MB layer cannot be saved
        fh.write(b"\\0" * max(0, free - 65536))
    before = digest()
    out["full"] = gis("import", data, "--as", "new_layer", "--source", "s", "--licence", "CC0")
    out["full_changed"] = digest() != before
    out["full_export"] = gis("export", "rivers", str(mnt / "rivers.gpkg"))
    out["export_left"] = sorted(p.name for p in mnt.iterdir())
    (mnt / "filler").unlink()
    subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
    before = digest()
    out["ro"] = gis("import", data, "--as", "new_layer", "--source", "s", "--licence", "CC0")
    out["ro_changed"] = digest() != before
    out["ro_stats"] = gis("stats", "--out", str(mnt / "out"))
    print(json.dumps(out))
    """
)


@pytest.mark.skipif(
    not _unshare_ok(), reason="needs `unshare -rm` (Linux user namespaces) to mount a small tmpfs"
)
def test_full_and_read_only_disks_for_real(tmp_path):
    """A real full tmpfs (ENOSPC) and a real read-only remount (EROFS), not simulated."""
    src = _copy_province(tmp_path / "layers")
    communes = store.read_layer("communes_2025", layers_dir=src, **KW)
    pyogrio.write_dataframe(communes, tmp_path / "c.gpkg")
    (tmp_path / "mnt").mkdir()
    proc = subprocess.run(
        [
            "unshare",
            "-rm",
            sys.executable,
            "-c",
            REAL_DISK,
            str(tmp_path / "mnt"),
            str(src),
            str(tmp_path / "c.gpkg"),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.splitlines()[-1])
    code, text = out["full"]
    assert code == 1 and "Traceback" not in text, text
    assert "cannot save layer 'new_layer' (new_layer.geojson): the disk holding" in text, text
    assert "Nothing was changed; free some space and run the command again." in text, text
    assert not out["full_changed"]
    code, text = out["full_export"]
    assert code == 1 and "Traceback" not in text and "Error:" in text, text
    assert out["export_left"] == ["filler", "layers"]  # no half file, no temporary folder
    code, text = out["ro"]
    assert code == 1 and "is on a read-only file system. Nothing was changed" in text, text
    assert not out["ro_changed"]
    code, text = out["ro_stats"]
    assert code == 1 and "Traceback" not in text and "read-only file system" in text, text


# --- formulas and HTML in the statistics and table exports ----------------------------------

HOSTILE = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/","click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "ESC \x1b[31m NUL-free",
]


def _hostile_table() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "name": HOSTILE,
            "value": np.arange(len(HOSTILE), dtype=float) - 5.5,  # negative numbers stay numbers
            "code": ["-12", "+84", "007", "x", "y", "z", "1e5", "-0.5", "a", "b", "c"],
        }
    )
    frame.attrs.update(
        title="<script>alert('title')</script>",
        definition="d <b>x</b>",
        unit_system="",
        sources="[s](javascript:alert(2))",
    )
    return frame


def _assert_csv_safe(path: Path, values: list[str] = HOSTILE) -> None:
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    for original, written in zip(values, back["name"], strict=True):
        if original.startswith(("=", "+", "-", "@", "\t", "\r")):
            assert written == "'" + original.replace("\r", "\n"), (original, written)
        else:
            assert written == original


def test_statistics_outputs_carry_no_formula_or_html(tmp_path):
    written = write_statistics(
        {"hostile": _hostile_table()}, tmp_path, title="Statistics: <script>alert(3)</script>"
    )
    _assert_csv_safe(written["hostile"])
    numbers = pd.read_csv(written["hostile"])["value"]
    assert numbers.dtype.kind == "f" and numbers.iloc[0] == -5.5  # a number, not text
    codes = pd.read_csv(written["hostile"], dtype=str)["code"].tolist()
    assert codes[:2] == ["-12", "+84"]  # text that is a plain number is left alone
    book = load_workbook(written["excel"])
    sheet = book["hostile"]
    cells = [sheet.cell(i, 1) for i in range(2, len(HOSTILE) + 2)]
    assert all(c.data_type == "s" for c in cells), [(c.value, c.data_type) for c in cells]
    assert [c.value for c in cells][:5] == HOSTILE[:5]  # the text itself, shown as text
    assert all(c.quotePrefix for c in cells[:7])
    assert cells[-1].value == "ESC \\x1b[31m NUL-free"  # XML cannot hold ESC: escaped
    assert sheet.cell(2, 2).value == -5.5 and sheet.cell(2, 2).data_type == "n"
    formulas = [
        c.coordinate
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    ]
    assert formulas == []
    report = written["report"].read_text(encoding="utf-8")
    assert "<script>" not in report and "<img" not in report and "<b>" not in report
    assert not re.search(r"(?<!\\)\]\(javascript:", report)  # every such bracket escaped
    assert "# Statistics: &lt;script>alert(3)&lt;/script>" in report
    assert '&lt;img src=x onerror="alert(1)">' in report
    assert "\\[click\\](javascript:alert(1))" in report


def test_safe_text_rules():
    command = "run `python x.py <province>` <b>"
    assert markdown_text(command) == "run `python x.py <province>` &lt;b>"
    assert markdown_text("\\`<script>`") == "\\\\`<script>`"  # the backslash cannot unpair it
    assert markdown_text("a\nb") == "a b"
    frame = csv_frame(pd.DataFrame({"=x": ["=1", "-1", "-1+1", None], "n": [-1, 0, 1, 2]}))
    assert list(frame.columns) == ["'=x", "n"]
    assert frame["'=x"].tolist()[:3] == ["'=1", "-1", "'-1+1"] and frame["n"].dtype.kind == "i"


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory):
    """Lai Châu with a hostile profile name and hostile district names, and a hostile table."""
    root = tmp_path_factory.mktemp("hostile_store")
    layers = _copy_province(root / "layers")
    profile = layers / "lai_chau" / "profile.toml"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(
        text.replace('name = "Lai Châu"', 'name = "<script>alert(1)</script>"', 1), encoding="utf-8"
    )
    table = pd.DataFrame({"code": [f"c{i}" for i in range(len(HOSTILE))], "name": HOSTILE})
    meta = {
        "title": "hostile",
        "kind": "table",
        "id_column": "code",
        "columns": [{"name": "code", "dtype": "str"}, {"name": "name", "dtype": "str"}],
        "provenance": {"source": "tests", "licence": "CC0"},
    }
    store.write_layer(table, "hostile", meta=meta, layers_dir=layers, **KW)
    return layers


def test_gis_stats_escapes_the_profile_name(hostile_store, tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from gis.cli import main; main()",
            "stats",
            "--out",
            str(tmp_path / "out"),
            "--layers",
            str(hostile_store),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert report.startswith("# Statistics: &lt;script>alert(1)&lt;/script>\n"), report[:200]
    assert "<script>" not in report
    book = load_workbook(tmp_path / "out" / "statistics.xlsx")
    assert not [
        c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"
    ]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_table_export_carries_no_formula(hostile_store, tmp_path, suffix):
    target = tmp_path / f"t{suffix}"
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from gis.cli import main; main()",
            "export",
            "hostile",
            str(target),
            "--layers",
            str(hostile_store),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    if suffix == ".csv":  # as stored: a carriage return was saved as a line break
        _assert_csv_safe(target, [v.replace("\r", "\n") for v in HOSTILE])
    else:
        sheet = load_workbook(target).active
        cells = [sheet.cell(i, 2) for i in range(2, len(HOSTILE) + 2)]
        assert [c.value for c in cells][:5] == HOSTILE[:5]
        assert all(c.data_type == "s" for c in cells)
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


# --- `$...$` in a label: text, not TeX --------------------------------------------------------


def test_dollar_signs_in_labels_are_drawn_as_text(tmp_path, monkeypatch):
    """`$...$` made matplotlib parse TeX: `gis build` stopped with a traceback after one map."""
    import gis.printmap
    from gis.maplayer import MapLayer
    from gis.printmap import print_map

    figures, real = [], gis.printmap._savefig
    monkeypatch.setattr(
        gis.printmap, "_savefig", lambda fig, *a: figures.append(fig) or real(fig, *a)
    )
    labels = ["Đô thị $\\undefinedcmd{x}$", "$x^2$ và $$"]
    pts = gpd.GeoDataFrame(  # the labelled points in the middle, two corners to frame them
        {"name": [*labels, None, None]},
        geometry=shapely.points(
            [(500_000, 2_450_000), (510_000, 2_440_000), (440_000, 2_400_000), (560_000, 2_500_000)]
        ),
        crs="EPSG:9205",
    )
    paths = print_map(
        [MapLayer(pts, "Đô thị", label="name")],
        tmp_path / "m",
        title="Giá $5$ \\frac{a}",
        paper="A4",
        dpi=40,
        formats=["png", "pdf"],
    )
    assert [p.stat().st_size > 1000 for p in paths] == [True, True]
    texts = {t.get_text(): t for t in figures[0].axes[0].texts}
    assert set(labels) <= set(texts)
    assert not any(t.get_parse_math() for t in figures[0].axes[0].texts + figures[0].texts)


def test_labels_the_font_cannot_draw_are_refused(tmp_path):
    from gis.errors import LayerError
    from gis.maplayer import MapLayer
    from gis.printmap import print_map

    pts = gpd.GeoDataFrame(
        {"name": ["Lai Châu", "莱州"]},
        geometry=[shapely.Point(5e5, 2.45e6), shapely.Point(5.2e5, 2.46e6)],
        crs="EPSG:9205",
    )
    with pytest.raises(
        LayerError,
        match=r"no glyph for \['州', '莱'\] in the labels of layer "
        r"'Đô thị' \(e.g. '莱州'\)",
    ):
        print_map([MapLayer(pts, "Đô thị", label="name")], tmp_path / "m", title="T")
    assert list(tmp_path.iterdir()) == []


# --- memory: a padded zip, a padded GeoJSON ---------------------------------------------------

PEAK_RSS = textwrap.dedent(
    """
    import resource, subprocess, sys
    proc = subprocess.run([sys.executable, "-c", "from gis.cli import main; main()", *sys.argv[1:]],
                          capture_output=True, text=True)
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux: kB
    print(proc.returncode, round(rss_mb), (proc.stdout + proc.stderr).replace("\\n", " "))
    """
)


def _peak(*args) -> tuple[int, float, str]:
    proc = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=600,
    )
    code, rss, text = proc.stdout.split(" ", 2)
    print(f"gis {args[0]} {Path(args[1]).name}: peak RSS {rss} MB")
    return int(code), float(rss), text


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in kB on Linux only")
def test_memory_is_bounded_by_the_input_not_its_padding(tmp_path, store_copy_session):
    """A 1 MB zip padded to 1 GiB took 2.2 GB (and 20 s); a padded GeoJSON 2x its size."""
    padded_zip = _padded_geojson_zip(tmp_path / "padded.zip", 64)
    assert padded_zip.stat().st_size < 1.1e6
    for command in ("import", "validate"):
        code, rss, text = _peak(
            command, padded_zip, "--as", "districts_pre2025", "--layers", store_copy_session
        )
        assert code == 1 and "unpacks to 1,074 MB from" in text and "Traceback" not in text
        assert rss < 1024, f"{rss:.0f} MB for a 1 MB zip"
    # the same padding unzipped (512 MiB): read by GDAL and scanned for "crs" in 1 MiB chunks
    with zipfile.ZipFile(_padded_geojson_zip(tmp_path / "half.zip", 32)) as zf:
        zf.extract("d.geojson", tmp_path)
    code, rss, text = _peak(
        "validate",
        tmp_path / "d.geojson",
        "--as",
        "districts_pre2025",
        "--layers",
        store_copy_session,
    )
    assert code == 1 and 'is a GeoJSON without a "crs" member' in text, text
    assert rss < 512, f"{rss:.0f} MB for a 512 MiB file"


# --- a kill per output kind: the target is the old file or a complete new one ----------------

KILL_DRIVER = textwrap.dedent(
    """
    import json, os, signal, sys, time, zipfile
    from pathlib import Path
    import geopandas as gpd, numpy as np, pandas as pd, pyogrio, shapely

    cfg = json.loads(Path(sys.argv[1]).read_text())
    store, out = cfg["store"], Path(cfg["out"])
    BIG, MIDDLE, SMALL = 200_000, 20_000, 10

    def gis(*args):
        from gis.cli import main
        try:
            main([*args, "--layers", store, "--province", "robust"])
        except SystemExit as exc:
            assert not exc.code, args

    def stats(n, folder="stats"):
        from gis.report import write_statistics
        frame = pd.DataFrame({"code": [f"c{i:06d}" for i in range(n)],
                              "area_km2": np.arange(n) / 7.0, "note": ["ghi chú"] * n})
        frame.attrs.update(title="T", definition="d", unit_system="u", sources="s")
        write_statistics({"big": frame}, out / folder)

    def points(n):
        rng = np.random.default_rng(n)
        xy = rng.uniform([430_000, 2_400_000], [560_000, 2_520_000], size=(n, 2))
        return gpd.GeoDataFrame({"name": [f"điểm {i}" for i in range(n)]},
                                geometry=shapely.points(xy), crs="EPSG:9205")

    def html(n):
        from gis.maplayer import MapLayer
        from gis.webmap import save_map, web_map
        save_map(web_map([MapLayer(points(n), "Điểm")], title="T", osm=False), out / "m.html")

    def prints(n, fmt):
        from gis.maplayer import MapLayer
        from gis.printmap import print_map
        print_map([MapLayer(points(n), "Điểm")], out / "p", title="T", formats=[fmt], dpi=200)

    def rows_csv(n):
        return lambda p: len(pd.read_csv(p)) == n

    def rows_xlsx(n):
        def ok(p):
            from openpyxl import load_workbook
            with zipfile.ZipFile(p) as zf:
                if zf.testzip() is not None:
                    return False
            book = load_workbook(p, read_only=True)
            return book.worksheets[-1].max_row == n + 1
        return ok

    def features(n):
        return lambda p: pyogrio.read_info(p)["features"] == n

    def md_rows(n):
        def ok(p):
            text = p.read_text(encoding="utf-8")
            return text.endswith("|\\n") and sum(line.startswith("| ") for line in
                                                 text.splitlines()) == n + 1
        return ok

    ends = lambda tail: lambda p: p.read_bytes().rstrip().endswith(tail)  # noqa: E731
    t = {name: out / name for name in ("t.csv", "t.xlsx", "v.gpkg", "v.geojson", "v.shp")}
    s = out / "stats"
    KINDS = {  # name: (old, new (killed), watched file, {output: check of a complete new one})
        "export-csv": (lambda: gis("export", "small", str(t["t.csv"])),
                       lambda: gis("export", "big", str(t["t.csv"])),
                       t["t.csv"], {t["t.csv"]: rows_csv(BIG)}),
        "export-xlsx": (lambda: gis("export", "small", str(t["t.xlsx"])),
                        lambda: gis("export", "big", str(t["t.xlsx"])),
                        t["t.xlsx"], {t["t.xlsx"]: rows_xlsx(BIG)}),
        "export-gpkg": (lambda: gis("export", "smallv", str(t["v.gpkg"])),
                        lambda: gis("export", "bigv", str(t["v.gpkg"])),
                        t["v.gpkg"], {t["v.gpkg"]: features(BIG)}),
        "export-geojson": (lambda: gis("export", "smallv", str(t["v.geojson"])),
                           lambda: gis("export", "bigv", str(t["v.geojson"])),
                           t["v.geojson"], {t["v.geojson"]: features(BIG)}),
        "export-shp": (lambda: gis("export", "smallv", str(t["v.shp"])),
                       lambda: gis("export", "bigv", str(t["v.shp"])),
                       t["v.shp"], {t["v.shp"]: features(BIG)}),
        "stats-csv": (lambda: stats(SMALL), lambda: stats(BIG), s / "big.csv",
                      {s / "big.csv": rows_csv(BIG), s / "statistics.xlsx": rows_xlsx(BIG),
                       s / "report.md": md_rows(BIG)}),
        "stats-xlsx": (lambda: stats(SMALL), lambda: stats(BIG), s / "statistics.xlsx",
                       {s / "big.csv": rows_csv(BIG), s / "statistics.xlsx": rows_xlsx(BIG),
                        s / "report.md": md_rows(BIG)}),
        "stats-md": (lambda: stats(SMALL), lambda: stats(MIDDLE), s / "report.md",
                     {s / "big.csv": rows_csv(MIDDLE), s / "statistics.xlsx": rows_xlsx(MIDDLE),
                      s / "report.md": md_rows(MIDDLE)}),
        "html": (lambda: html(SMALL), lambda: html(MIDDLE), out / "m.html",
                 {out / "m.html": ends(b"</html>")}),
        "png": (lambda: prints(SMALL, "png"), lambda: prints(MIDDLE, "png"), out / "p.png",
                {out / "p.png": ends(b"IEND\\xaeB`\\x82")}),
        "pdf": (lambda: prints(SMALL, "pdf"), lambda: prints(MIDDLE, "pdf"), out / "p.pdf",
                {out / "p.pdf": ends(b"%%EOF")}),
    }

    def state(path):
        try:
            st = os.stat(path)
            return (st.st_size, st.st_mtime_ns, st.st_ino)
        except FileNotFoundError:
            return None

    def kill_while_writing(func, watched):
        # fork a writer on a slow disk (fsync takes 0.3 s); SIGKILL it as soon as it writes
        before, prefix = state(watched), f".{watched.name}.part-"
        pid = os.fork()
        if pid == 0:
            real = os.fsync
            os.fsync = lambda fd: (time.sleep(0.3), real(fd))[1]
            try:
                func()
            finally:
                os._exit(0)
        deadline = time.time() + 300
        while time.time() < deadline:
            if os.waitpid(pid, os.WNOHANG)[0]:
                return False  # finished before it was seen writing
            if state(watched) != before or any(n.startswith(prefix)
                                               for n in os.listdir(watched.parent)):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return True
            time.sleep(0.0005)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        return False

    results = {}
    for kind, (old, new, watched, checks) in KINDS.items():
        old()
        kept = {p: p.read_bytes() for p in checks}
        hit = kill_while_writing(new, watched)
        outcome = {}
        for p, complete in checks.items():
            if p.exists() and p.read_bytes() == kept[p]:
                outcome[p.name] = "old"
            elif p.exists() and complete(p):
                outcome[p.name] = "new"
            else:
                outcome[p.name] = "damaged" if p.exists() else "missing"
        left = sorted(n for n in os.listdir(watched.parent) if ".part-" in n)
        old()  # the next write of the same files removes what the killed one left
        results[kind] = {"hit": hit, "outcome": outcome, "left_by_kill": left,
                         "left_after_next": sorted(n for n in os.listdir(watched.parent)
                                                   if ".part-" in n)}
    print(json.dumps(results))
    """
)

KILL_PROFILE = """slug = "robust"
code = "99"
name = "Kill test province"
planning_crs = "EPSG:9205"
layers = ["small", "big", "smallv", "bigv"]
"""


def _kill_store(root: Path) -> Path:
    """A store with tables of 10 and 200,000 rows and point layers of 10 and 200,000 points,
    written as files (what `gis export` reads), not through slow validated saves."""
    folder = root / "layers" / "robust"
    folder.mkdir(parents=True)
    (folder / "profile.toml").write_text(KILL_PROFILE, encoding="utf-8")
    rng = np.random.default_rng(20)
    for n, table, vector in ((10, "small", "smallv"), (200_000, "big", "bigv")):
        frame = pd.DataFrame(
            {"code": [f"c{i:06d}" for i in range(n)], "label": [f"dòng {i}" for i in range(n)]}
        )
        frame.to_csv(folder / f"{table}.csv", index=False, lineterminator="\n")
        xy = rng.uniform([430_000, 2_400_000], [560_000, 2_520_000], size=(n, 2))
        gdf = gpd.GeoDataFrame(frame, geometry=shapely.points(xy), crs="EPSG:9205")
        pyogrio.write_dataframe(gdf, folder / f"{vector}.geojson", driver="GeoJSON")
        columns = [{"name": "code", "dtype": "str"}, {"name": "label", "dtype": "str"}]
        prov = {"source": "tests/test_hostile.py", "licence": "CC0"}
        metas = {
            table: {
                "title": table,
                "kind": "table",
                "id_column": "code",
                "columns": columns,
                "provenance": prov,
            },
            vector: {
                "title": vector,
                "kind": "vector",
                "geometry_type": "Point",
                "crs": "EPSG:9205",
                "id_column": "code",
                "columns": columns,
                "provenance": prov,
            },
        }
        for name, meta in metas.items():
            (folder / f"{name}.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return root / "layers"


def test_every_output_is_whole_after_a_kill(tmp_path):
    """SIGKILL while writing each kind of output (a 12 MB CSV export left 260,704 of 1,000,000
    rows; an .xlsx export 0 bytes): the file is the old one or a complete new one, and what
    the killed writer left is removed by the next write."""
    layers = _kill_store(tmp_path)
    (tmp_path / "out").mkdir()
    cfg = tmp_path / "kill.json"
    cfg.write_text(json.dumps({"store": str(layers), "out": str(tmp_path / "out")}))
    proc = subprocess.run(
        [sys.executable, "-c", KILL_DRIVER, str(cfg)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(proc.stdout.splitlines()[-1])
    for kind, res in results.items():
        print(kind, res)
        assert res["hit"], f"{kind}: the writer was never caught writing"
        assert set(res["outcome"].values()) <= {"old", "new"}, (kind, res)
        assert res["left_after_next"] == [], (kind, res)
    assert results["export-xlsx"]["outcome"] == {"t.xlsx": "old"}  # killed early, in the write
    assert any(r["left_by_kill"] for r in results.values())  # there was something to clean


# --- values a file cannot hold, Z and M, the crs scan -------------------------------------------


def _digest(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_values_a_file_cannot_hold_are_refused(store_copy):
    """NUL was cut ("a\\x00b" stored as "a"), infinity saved as empty, 1e30 taken as an int."""
    from gis.errors import ValidationError

    kw = {"layers_dir": store_copy, **KW}
    before = _digest(store_copy)
    d = store.read_layer("districts_pre2025", **kw)
    nul = d.copy()
    nul.loc[nul.index[0], "qa_note"] = "a\x00b"
    with pytest.raises(ValidationError, match=r"'qa_note' = 'a\\x00b' holds a NUL character"):
        store.write_layer(nul, "districts_pre2025", **kw)
    inf = d.copy()
    inf.loc[inf.index[1], "area_km2"] = np.inf
    with pytest.raises(ValidationError, match=r"'area_km2' = inf is infinite"):
        store.write_layer(inf, "districts_pre2025", **kw)
    plants = store.read_layer("hydropower_plants", **kw)
    plants["resettled_households"] = plants["resettled_households"].astype(object)
    plants.loc[plants.index[0], "resettled_households"] = 2**70
    with pytest.raises(ValidationError, match="is too large for an int column"):
        store.write_layer(plants, "hydropower_plants", **kw)
    assert _digest(store_copy) == before


def test_a_carriage_return_does_not_split_a_table_row(store_copy):
    kw = {"layers_dir": store_copy, **KW}
    facts = store.read_layer("facts", **kw)
    meta = store.layer_meta("facts", **kw)
    text_col = next(
        c["name"]
        for c in meta["columns"]
        if c.get("dtype") == "str" and not c.get("allowed") and c["name"] != meta["id_column"]
    )
    facts.loc[facts.index[0], text_col] = "dòng một\rdòng hai\r\nba"
    store.write_layer(facts, "facts", **kw)
    back = store.read_layer("facts", **kw)
    assert len(back) == len(facts)
    assert back.loc[back.index[0], text_col] == "dòng một\ndòng hai\nba"


def test_heights_are_dropped_with_a_warning(tmp_path, store_copy):
    d = store.read_layer("districts_pre2025", layers_dir=store_copy, **KW)
    path = tmp_path / "d3.gpkg"
    pyogrio.write_dataframe(
        d.set_geometry(shapely.force_3d(d.geometry.values, 350.0), crs=d.crs), path
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from gis.cli import main; main()",
            "import",
            str(path),
            "--as",
            "districts_pre2025",
            "--layers",
            str(store_copy),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Warning:" in proc.stderr and "its geometries carry heights (Z)" in proc.stderr
    assert "so they are dropped" in proc.stderr
    assert not store.read_layer("districts_pre2025", layers_dir=store_copy, **KW).has_z.any()


@pytest.mark.parametrize("chunk", [1, 2, 5, 1 << 20])
def test_crs_member_scan_reads_in_chunks(chunk):
    import io

    from gis.io import _states_top_level_member

    cases = {
        '{"type": "FeatureCollection", "crs": {"type": "name"}, "features": []}': True,
        '{"features": [{"properties": {"crs": 1}}], "name": "crs"}': False,
        r'{"features": [{"a": "x\"crs"}], "crs": null}': True,
        r'{"features": [], "c\u0072s": 1}': True,
        r'{"a": "}", "b": "\\", "crs": 1}': True,
        "[1, 2]": None,
        '{"features": [' + " " * 5000 + "]}": False,
    }
    for text, expected in cases.items():
        assert _states_top_level_member(io.BytesIO(text.encode()), "crs", chunk) is expected, text


def test_two_imports_creating_one_layer_do_not_both_win(store_copy):
    """Both exited 0 and the last writer won; the second now sees the first (`gis import` of a
    new layer saves with if_version="")."""
    from gis.errors import ConflictError

    kw = {"layers_dir": store_copy, **KW}
    d = store.read_layer("districts_pre2025", **kw)
    meta = store.layer_meta("districts_pre2025", **kw)
    store.write_layer(d, "twin", meta=meta, if_version="", **kw)  # the first creates it
    before = _digest(store_copy)
    with pytest.raises(ConflictError, match="layer 'twin' was created meanwhile"):
        store.write_layer(d.iloc[:4], "twin", meta=meta, if_version="", check_rules=False, **kw)
    assert _digest(store_copy) == before


def test_restore_brings_a_version_back_with_its_schema(store_copy):
    """After a schema-changing save, restore refused earlier versions ("column ... missing")."""
    import copy

    kw = {"layers_dir": store_copy, **KW}
    v0 = store.layer_version("hydropower_plants", **kw)
    plants = store.read_layer("hydropower_plants", **kw)
    meta = copy.deepcopy(store.layer_meta("hydropower_plants", **kw))
    meta["columns"].append({"name": "checked", "dtype": "int", "description": "test column"})
    store.write_layer(plants.assign(checked=1), "hydropower_plants", meta=meta, **kw)
    v1 = store.layer_version("hydropower_plants", **kw)
    store.write_layer(plants.assign(checked=2), "hydropower_plants", **kw)  # same schema
    store.restore("hydropower_plants", v0, **kw)
    assert "checked" not in store.read_layer("hydropower_plants", **kw).columns
    columns = store.layer_meta("hydropower_plants", **kw)["columns"]
    assert "checked" not in [c["name"] for c in columns]
    assert "checked" in store.read_version("hydropower_plants", v1, **kw).columns
    store.restore("hydropower_plants", v1, **kw)  # through the log: v1's schema has "checked"
    assert (store.read_layer("hydropower_plants", **kw)["checked"] == 1).all()
