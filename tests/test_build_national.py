"""`gis build --national`: the national tables and commune map from layers/_national, as a user
runs it (a subprocess; stderr is a pipe, as in a CI log)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]


def _gis(*args: str, out: Path, layers: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIS_OUT_DIR": str(out / "out"), "GIS_MAPS_DIR": str(out / "maps")}
    return subprocess.run(
        [sys.executable, "-m", "gis.cli", *args, "--layers", str(layers)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=600,
    )


@pytest.fixture(scope="module")
def built(store_copy_session, tmp_path_factory):
    out = tmp_path_factory.mktemp("national")
    return out, _gis("build", "--national", out=out, layers=store_copy_session)


def test_writes_the_tables_and_the_map(built):
    out, proc = built
    assert proc.returncode == 0, proc.stderr
    assert "96,191,243 people placed of 96,208,984 in the census; urban 34.43 %" in proc.stdout
    tables = out / "out" / "_national"
    provinces = pd.read_csv(tables / "national_provinces.csv", dtype=str, encoding="utf-8-sig")
    assert len(provinces) == 35 and provinces["Mã"].iloc[-1] == "VN"  # Vietnamese headers
    communes = pd.read_csv(tables / "national_communes.csv", dtype=str, encoding="utf-8-sig")
    assert len(communes) == 3321 and communes["Mã"].is_unique
    page = out / "maps" / "_national" / "xa_phuong_toan_quoc.html"
    chunks = list((page.parent / "xa_phuong_toan_quoc_files").glob("*.js"))
    assert page.stat().st_size < 5 * 2**20 and len(chunks) == 34  # overview aim ≤ 5 MB


def test_phases_are_plain_lines_in_a_log(built):
    _, proc = built
    phases = [ln for ln in proc.stderr.splitlines() if ln.startswith("[national]")]
    assert phases == [
        "[national] read layers",
        "[national] census to 2025 communes",
        "[national] indicators",
        "[national] tables",
        "[national] map",
    ]
    assert "\r" not in proc.stderr


def test_missing_national_layer_is_a_message_not_a_traceback(store_copy, tmp_path):
    for f in (store_copy / "_national").glob("census_2019.*"):
        f.unlink()
    proc = _gis("build", "--national", "--quiet", out=tmp_path, layers=store_copy)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "no layer 'census_2019'" in proc.stderr
    assert "[national]" not in proc.stderr  # --quiet
