"""``gis build`` redoes only what an edit touched, and its outputs equal a full build's.

Asserted from the build's record (``build_record.json``) and result, never from timing: a build
after no change recomputes nothing and validates nothing; after moving one urban area it
validates ``urban_areas`` only, recomputes the tables that read it and redraws the maps that show
it, and keeps the corridor maps and their prints; then a forced full build into other folders
writes the same bytes (``statistics.xlsx`` aside: its file properties carry the time of writing,
so its cells are compared).
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
import shapely
from conftest import LAYERS, copy_store

from gis import settings
from gis.build import RECORD_NAME, build_province
from gis.cli import main
from gis.profile import load_profile
from gis.store import read_layer, write_layer


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("build") / "layers"
    for slug in ("lai_chau", "_national"):
        copy_store(LAYERS / slug, root / slug)
    return root


@pytest.fixture(scope="module")
def builds(store, tmp_path_factory):
    """Full build, no-op build, edit (one urban area moved 1.2 km), incremental build."""
    out = tmp_path_factory.mktemp("outputs")
    profile = load_profile("lai_chau", layers_dir=store)
    dirs = {"stats_dir": out / "out", "maps_dir": out / "maps"}
    first = build_province(profile, **dirs)
    noop = build_province(profile, **dirs)
    urban = read_layer("urban_areas", province=profile)
    row = urban.index[urban.geom_type == "Point"][0]
    urban.loc[row, "geometry"] = shapely.affinity.translate(urban.loc[row, "geometry"], 1200.0)
    write_layer(urban, "urban_areas", province=profile, message="test: move one urban area")
    edited = build_province(profile, **dirs)
    full = build_province(
        profile, stats_dir=out / "out_full", maps_dir=out / "maps_full", force=True
    )
    return {
        "first": first,
        "noop": noop,
        "edited": edited,
        "full": full,
        "out": out,
        "profile": profile,
    }


def test_first_build_is_full_and_recorded(builds):
    first = builds["first"]
    assert first.reason == "no record of a previous build"
    assert len(first.tables_redone) == 12 and first.tables_kept == []
    assert len(first.maps_redone) == 10 and first.maps_kept == []
    record = json.loads((builds["out"] / "out" / RECORD_NAME).read_text(encoding="utf-8"))
    assert "urban_areas" in record["tables"]["urban_system"]
    assert "urban_areas" not in record["tables"]["unit_areas"]
    assert "_national" in record["tables"]["national_urbanisation"]


def test_build_after_no_change_does_nothing(builds):
    noop = builds["noop"]
    assert noop.reason == "" and noop.validated == []
    assert noop.tables_redone == [] and len(noop.tables_kept) == 12
    assert noop.maps_redone == [] and len(noop.maps_kept) == 10


def test_edit_redoes_exactly_what_read_the_edited_layer(builds):
    edited = builds["edited"]
    record = json.loads((builds["out"] / "out" / RECORD_NAME).read_text(encoding="utf-8"))
    assert edited.validated == ["urban_areas"]
    readers = {k for k, names in record["tables"].items() if "urban_areas" in names}
    assert set(edited.tables_redone) == readers
    assert {"urban_system", "urban_classification", "catchments"} <= readers
    assert not {"unit_areas", "population", "road_density"} & readers
    manifest = json.loads((builds["out"] / "maps" / "maps.json").read_text(encoding="utf-8"))
    showing = {m["slug"] for m in manifest["maps"] if "urban_areas" in m["store_layers"]}
    assert set(edited.maps_redone) == showing == {"dinh_huong", "do_thi", "vung_phuc_vu"}
    assert "tk_hanh_lang" in edited.maps_kept  # the corridor map and its print are kept


def _files(folder: Path) -> list[str]:
    return sorted(
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and p.name != RECORD_NAME and ".cache" not in p.parts
    )


@pytest.mark.parametrize("kind", ["out", "maps"])
def test_incremental_outputs_equal_a_full_build(builds, kind):
    inc, full = builds["out"] / kind, builds["out"] / f"{kind}_full"
    assert _files(inc) == _files(full) and _files(inc)
    for name in _files(inc):
        if name == "statistics.xlsx":
            a, b = (openpyxl.load_workbook(d / name) for d in (inc, full))
            assert a.sheetnames == b.sheetnames
            for sheet in a.sheetnames:
                assert list(a[sheet].values) == list(b[sheet].values), sheet
            continue
        assert (inc / name).read_bytes() == (full / name).read_bytes(), name


def test_cli_build_says_what_it_kept(builds, store, capsys, monkeypatch):
    monkeypatch.setattr(settings, "OUT_DIR", builds["out"] / "out")
    monkeypatch.setattr(settings, "MAPS_DIR", builds["out"] / "maps")
    main(["build", "--province", "lai_chau", "--layers", str(store)])
    said = capsys.readouterr().out
    assert "no layer changed since the last build: not validated again" in said
    assert "statistics: 0 table(s) computed, 12 unchanged" in said
    assert "maps: 0 drawn, 10 unchanged" in said


def test_an_output_changed_by_hand_is_written_again(builds):
    """The record holds the outputs' hashes: a hand-edited or deleted output is redone."""
    out, maps = builds["out"] / "out", builds["out"] / "maps"
    (out / "unit_areas.csv").write_text("edited by hand\n", encoding="utf-8")
    (maps / "ha_tang.html").unlink()
    again = build_province(builds["profile"], stats_dir=out, maps_dir=maps)
    assert again.validated == [] and again.tables_redone == []  # from the cache
    assert again.maps_redone == ["ha_tang"]
    for kind, name in (("out", "unit_areas.csv"), ("maps", "ha_tang.html")):
        full = builds["out"] / f"{kind}_full" / name
        assert (builds["out"] / kind / name).read_bytes() == full.read_bytes(), name
