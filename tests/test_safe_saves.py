"""Safe saves: a save killed at any moment, and two processes saving at once.

The writers run in separate processes, as a notebook and the CLI would. The kill test forks its
writers from a driver process that has already imported the toolkit, so each of the many
iterations costs a fraction of a second instead of a fresh interpreter start.
"""

import copy
import hashlib
import json
import subprocess
import sys
import textwrap

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import REPO

from gis import store

PROFILE = """slug = "robust"
code = "99"
name = "Robustness test province"
planning_crs = "EPSG:9205"
layers = ["points", "ledger"]
"""
POINTS_META = {
    "title": "synthetic points",
    "kind": "vector",
    "geometry_type": "Point",
    "crs": "EPSG:9205",
    "id_column": "pid",
    "columns": [
        {"name": "pid", "dtype": "int", "required": True, "unique": True},
        {"name": "label", "dtype": "str", "required": True},
    ],
    "provenance": {"source": "made by tests/test_safe_saves.py", "licence": "CC0"},
}
LEDGER_META = {
    "title": "one row per save",
    "kind": "table",
    "id_column": "entry",
    "columns": [
        {"name": "entry", "dtype": "str", "required": True, "unique": True},
        {"name": "writer", "dtype": "str", "required": True},
    ],
    "provenance": {"source": "made by tests/test_safe_saves.py", "licence": "CC0"},
}


def _points(n, label):
    rng = np.random.default_rng(len(label))
    xy = rng.uniform([430_000, 2_400_000], [560_000, 2_520_000], size=(n, 2))
    return gpd.GeoDataFrame(
        {"pid": np.arange(n), "label": [f"{label} điểm {i}" for i in range(n)]},
        geometry=shapely.points(xy),
        crs="EPSG:9205",
    )


@pytest.fixture
def robust_store(tmp_path):
    root = tmp_path / "layers"
    (root / "robust").mkdir(parents=True)
    (root / "robust" / "profile.toml").write_text(PROFILE, encoding="utf-8")
    return root


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


KILL_DRIVER = textwrap.dedent(
    """
    import json, os, random, signal, sys, time
    from pathlib import Path
    import pyogrio
    from gis import store

    root, n_iter, seed = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    kw = {"province": "robust", "layers_dir": root}
    versions = [pyogrio.read_dataframe(root / f"{v}.gpkg") for v in ("old", "new")]
    data = root / "robust" / "points.geojson"
    t0 = time.perf_counter()
    store.write_layer(versions[0], "points", **kw)
    cycle_s = time.perf_counter() - t0  # one save
    rng = random.Random(seed)
    records = []
    for i in range(n_iter):
        pid = os.fork()
        if pid == 0:  # the writer: save new, old, new, ... until killed
            k = 1
            while True:
                store.write_layer(versions[k % 2], "points", **kw)
                k += 1
        delay = rng.uniform(0.0, 2.5 * cycle_s)
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        rec = {"i": i, "delay_s": delay}
        leftovers = [p.name for p in data.parent.glob(".points.*")]
        rec["leftover_tmp"] = len(leftovers)
        try:
            layer = store.read_layer("points", **kw)
            rec["readable"], rec["features"] = True, len(layer)
            rec["version"] = layer.attrs["version"]
        except Exception as exc:
            rec["readable"], rec["error"] = False, repr(exc)
        try:
            rec["history_rows"] = len(store.history("points", **kw))
        except Exception as exc:
            rec["history_error"] = repr(exc)
        records.append(rec)
    print(json.dumps({"cycle_s": cycle_s, "records": records}))
    """
)


@pytest.mark.slow
def test_save_killed_at_random_moments_leaves_old_or_new(robust_store):
    kw = {"province": "robust", "layers_dir": robust_store}
    old, new = _points(20_000, "old"), _points(20_000, "new")
    old.to_file(robust_store / "old.gpkg")
    new.to_file(robust_store / "new.gpkg")
    path = store.write_layer(new, "points", meta=POINTS_META, **kw)
    h_new = _sha(path)
    store.write_layer(old, "points", **kw)
    h_old = _sha(path)
    assert h_old != h_new
    n_iter = 50
    proc = subprocess.run(
        [sys.executable, "-c", KILL_DRIVER, str(robust_store), str(n_iter), "8"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.splitlines()[-1])
    records = result["records"]
    assert len(records) == n_iter
    bad = [r for r in records if not r["readable"] or r["version"] not in (h_old, h_new)]
    assert bad == [], bad
    assert all(r["features"] == 20_000 for r in records)
    assert all("history_error" not in r for r in records), records
    outcomes = pd.Series(["old" if r["version"] == h_old else "new" for r in records])
    # Both outcomes occur, so kills did land on either side of the final rename.
    assert set(outcomes) == {"old", "new"}, outcomes.value_counts()
    # A later save removes what killed saves left behind.
    store.write_layer(new, "points", **kw)
    assert list((robust_store / "robust").glob(".points.*")) == []
    assert _sha(path) == h_new
    print(
        f"kill test: {n_iter} kills, save {result['cycle_s']:.2f} s; outcomes "
        f"{outcomes.value_counts().to_dict()}; kills that left a temporary file: "
        f"{sum(r['leftover_tmp'] > 0 for r in records)}"
    )


CONCURRENT_WRITER = textwrap.dedent(
    """
    import json, sys, time
    import pandas as pd
    from gis import store
    from gis.errors import ConflictError

    root, writer, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    kw = {"province": "robust", "layers_dir": root}
    conflicts = 0
    start = float(sys.argv[4])
    while time.time() < start:  # both writers start together
        time.sleep(0.001)
    for k in range(n):
        while True:
            table = store.read_layer("ledger", **kw)
            row = pd.DataFrame({"entry": [f"{writer}-{k}"], "writer": [writer]})
            try:
                store.write_layer(pd.concat([table, row], ignore_index=True), "ledger",
                                  if_version=table.attrs["version"], **kw)
                break
            except ConflictError:
                conflicts += 1
    print(json.dumps({"writer": writer, "conflicts": conflicts}))
    """
)


def test_concurrent_read_modify_write_never_loses_an_update(robust_store):
    import time

    kw = {"province": "robust", "layers_dir": robust_store}
    seed = pd.DataFrame({"entry": ["seed"], "writer": ["test"]})
    store.write_layer(seed, "ledger", meta=LEDGER_META, **kw)
    n = 40
    start = time.time() + 3.0
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CONCURRENT_WRITER, str(robust_store), w, str(n), str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        for w in ("A", "B")
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [e for _, e in outs]
    conflicts = {json.loads(o)["writer"]: json.loads(o)["conflicts"] for o, _ in outs}
    ledger = store.read_layer("ledger", **kw)
    expected = {"seed"} | {f"{w}-{k}" for w in "AB" for k in range(n)}
    assert set(ledger["entry"]) == expected
    assert len(ledger) == 2 * n + 1
    log = store.history("ledger", **kw)
    assert len(log) == 2 * n + 1  # every save logged
    print(f"concurrent saves: {2 * n} updates, conflicts retried: {conflicts}")


def _kill_when_writing(monkeypatch, target_suffix):
    """Make the save die (as if killed) when it is about to replace a file ending so."""
    real = store._atomic_write_bytes

    def dying(path, write):
        if str(path).endswith(target_suffix):
            raise SystemExit("killed")
        return real(path, write)

    monkeypatch.setattr(store, "_atomic_write_bytes", dying)


def _with_new_column(kw):
    plants = store.read_layer("hydropower_plants", **kw)
    meta = copy.deepcopy(store.layer_meta("hydropower_plants", **kw))
    meta["columns"].append({"name": "checked", "dtype": "int", "description": "test column"})
    return plants.assign(checked=1), meta


def test_schema_change_killed_between_data_and_meta_reads_as_new(store_copy, monkeypatch):
    kw = {"province": "lai_chau", "layers_dir": store_copy}
    old_meta_text = (store_copy / "lai_chau" / "hydropower_plants.meta.json").read_text()
    edited, meta = _with_new_column(kw)
    _kill_when_writing(monkeypatch, ".meta.json")  # the data file is replaced, the meta is not
    with pytest.raises(SystemExit):
        store.write_layer(edited, "hydropower_plants", meta=meta, **kw)
    monkeypatch.undo()
    assert (store_copy / "lai_chau" / "hydropower_plants.meta.json").read_text() == old_meta_text
    # Read as the new version with its new schema, not new data under the old schema.
    assert store.layer_meta("hydropower_plants", **kw)["columns"][-1]["name"] == "checked"
    back = store.read_layer("hydropower_plants", **kw)
    assert str(back["checked"].dtype) == "Int64" and (back["checked"] == 1).all()
    # The next save under the lock completes the pair and removes the journal.
    store.write_layer(back, "hydropower_plants", message="after a killed save", **kw)
    assert "checked" in (store_copy / "lai_chau" / "hydropower_plants.meta.json").read_text()
    assert not list((store_copy / "lai_chau" / ".history").glob("hydropower_plants.pending*"))


def test_schema_change_killed_before_data_reads_as_old(store_copy, monkeypatch):
    kw = {"province": "lai_chau", "layers_dir": store_copy}
    folder = store_copy / "lai_chau"
    before = {p.name: p.read_bytes() for p in folder.glob("hydropower_plants*")}
    edited, meta = _with_new_column(kw)
    _kill_when_writing(monkeypatch, "hydropower_plants.geojson")  # journal written, data not
    with pytest.raises(SystemExit):
        store.write_layer(edited, "hydropower_plants", meta=meta, **kw)
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in folder.glob("hydropower_plants*")} == before
    assert "checked" not in store.read_layer("hydropower_plants", **kw).columns
    assert store.layer_meta("hydropower_plants", **kw)["columns"][-1]["name"] != "checked"
    # The next save drops the stale journal: the killed save never happened.
    plants = store.read_layer("hydropower_plants", **kw)
    store.write_layer(plants, "hydropower_plants", message="after a killed save", **kw)
    assert not list((folder / ".history").glob("hydropower_plants.pending*"))
    assert "checked" not in (folder / "hydropower_plants.meta.json").read_text()
