"""The command line as a new user meets it: clear messages, exit codes, no traceback."""

import hashlib
import json
import os
import subprocess
import sys

import geopandas as gpd
import pytest
import shapely
from conftest import REPO

from gis.store import history, read_layer


def gis(*args, layers=None, env=None):
    """Run the real `gis` entry point in a subprocess; return (exit code, stdout, stderr)."""
    cmd = [sys.executable, "-c", "from gis.cli import main; main()", *args]
    if layers is not None:
        cmd += ["--layers", str(layers)]
    env = {**os.environ, **env} if env else None
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=600, env=env)
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    return proc.returncode, proc.stdout, proc.stderr


def _digest(folder):
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".history" not in p.parts
    }


def test_layers_shows_real_data_with_provenance(store_copy_session):
    code, out, _ = gis("layers", layers=store_copy_session)
    assert code == 0
    assert "Lai Châu (code 12), planning CRS EPSG:9205" in out
    assert "communes_2025" in out and "38 features" in out
    assert "licence: GPL-3.0" in out and "accuracy: coarse and outdated" in out
    # urban_areas declares no geometry type (it mixes points and polygons): show what it holds
    (urban,) = [line for line in out.splitlines() if line.startswith("urban_areas ")]
    assert urban.split()[:4] == ["urban_areas", "vector", "Point+Polygon", "28"]
    assert urban.index("Point+Polygon") == out.splitlines()[3].index("Polygon")  # aligned


def test_validate_all_passes(store_copy_session):
    from gis.profile import load_profile

    n = len(load_profile("lai_chau", layers_dir=store_copy_session).layers)
    code, out, _ = gis("validate", layers=store_copy_session)
    assert code == 0 and f"All {n} layer(s) valid." in out
    lines = out.splitlines()[:n]
    # aligned to the longest name, then the profile rules that checked each layer
    assert {line.index(" OK ") for line in lines} == {len("orientation_regions_pre2025 ")}
    assert (
        "orientation_regions_pre2025  OK  rules: partition, derived_regions, urban_in_unit, "
        "has_source" in lines
    )
    province = " OK  rules: area, partition x2, within, points_inside"
    assert any(line.startswith("province ") and line.endswith(province) for line in lines)
    assert any(line.startswith("facts ") and line.endswith("OK  rules: none") for line in lines)


def test_validate_says_rules_were_not_run_on_a_layer_with_errors(store_copy):
    path = store_copy / "lai_chau" / "urban_areas_2030.csv"
    header, first, *rest = path.read_text(encoding="utf-8").splitlines(keepends=True)
    column = header.rstrip("\n").split(",").index("urban_class_2030")
    first = ",".join("" if i == column else v for i, v in enumerate(first.split(",")))
    path.write_text("".join([header, first, *rest]), encoding="utf-8")
    code, out, _ = gis("validate", "urban_areas_2030", layers=store_copy)
    assert code == 1
    assert out.splitlines()[0].endswith(
        " error(s)  rules: foreign_key (not run: fix the errors first)"
    ), out


def _districts_file(tmp_path, store, mutate, name="d.gpkg", crs=True):
    d = read_layer("districts_pre2025", province="lai_chau", layers_dir=store)
    d = mutate(d)
    if not crs:
        d = d.set_crs(None, allow_override=True)
    path = tmp_path / name
    if crs:
        d.to_file(path)
    else:
        with pytest.warns(UserWarning, match="'crs' was not provided"):
            d.to_file(path)
    return path


def _bowtie(d):
    d.loc[d.index[2], "geometry"] = shapely.Polygon(
        [(500000, 2400000), (510000, 2410000), (510000, 2400000), (500000, 2410000)]
    )
    return d


@pytest.mark.parametrize(
    ("mutate", "kwargs", "expected"),
    [
        (_bowtie, {}, "[107] geometry: invalid geometry: Self-intersection"),
        (lambda d: d.drop(columns="plan_region"), {}, "column 'plan_region' is missing"),
        (lambda d: d, {"crs": False}, "does not state its coordinate reference system"),
        (lambda d: d.assign(plan_region="mountain"), {}, "'mountain' is not an allowed value"),
    ],
    ids=["invalid-geometry", "missing-column", "missing-crs", "bad-value"],
)
def test_broken_import_is_refused_and_store_untouched(
    tmp_path, store_copy, mutate, kwargs, expected
):
    path = _districts_file(tmp_path, store_copy, mutate, **kwargs)
    before = _digest(store_copy)
    code, _out, err = gis("import", str(path), "--as", "districts_pre2025", layers=store_copy)
    assert code == 1
    assert expected in err
    assert _digest(store_copy) == before


def test_validate_repair_fixes_a_stored_layer(store_copy):
    """A layer broken outside the toolkit (a GeoJSON edited by hand): `gis validate LAYER
    --repair` repairs it, saves it with history, and the layer is valid again."""
    import pyogrio

    d = read_layer("districts_pre2025", province="lai_chau", layers_dir=store_copy)
    ring = list(d.geometry.iloc[2].geoms[0].exterior.coords)
    ring.insert(2, ring[0])  # the Mường Tè ring returns to its start: self-intersection
    d.loc[d.index[2], "geometry"] = shapely.MultiPolygon([shapely.Polygon(ring)])
    path = store_copy / "lai_chau" / "districts_pre2025.geojson"
    pyogrio.write_dataframe(d, path, driver="GeoJSON")
    code, out, err = gis("validate", "districts_pre2025", layers=store_copy)
    assert code == 1 and "invalid" in out.lower()
    code, out, err = gis("validate", "districts_pre2025", "--repair", layers=store_copy)
    assert code == 0, err
    assert "repaired 107:" in out and "1 geometry(ies) repaired in 'districts_pre2025'." in out
    assert read_layer(
        "districts_pre2025", province="lai_chau", layers_dir=store_copy
    ).is_valid.all()
    saves = history("districts_pre2025", province="lai_chau", layers_dir=store_copy)
    assert saves["message"].iloc[-1] == "gis validate --repair"


def test_import_repair_fixes_and_reports(tmp_path, store_copy):
    d = read_layer("districts_pre2025", province="lai_chau", layers_dir=store_copy)
    # A self-touching ring of the real Mường Tè polygon: make it invalid by adding a spike.
    geom = d.geometry.iloc[2].geoms[0]
    ring = list(geom.exterior.coords)
    ring.insert(2, ring[0])  # returns to the start: ring self-intersection
    d.loc[d.index[2], "geometry"] = shapely.MultiPolygon([shapely.Polygon(ring)])
    assert not d.is_valid.iloc[2]
    path = tmp_path / "d.gpkg"
    d.to_file(path)
    code, out, err = gis(
        "import", str(path), "--as", "districts_pre2025", "--repair", layers=store_copy
    )
    assert code == 0, err
    assert "repaired 107:" in out
    assert read_layer(
        "districts_pre2025", province="lai_chau", layers_dir=store_copy
    ).is_valid.all()


def test_import_new_layer_needs_provenance(tmp_path, store_copy):
    pts = gpd.GeoDataFrame(
        {"name": ["Cửa khẩu Ma Lù Thàng"]}, geometry=[shapely.Point(103.17, 22.58)], crs=4326
    )
    path = tmp_path / "gates.geojson"
    pts.to_file(path)
    code, _, err = gis("import", str(path), "--as", "gates", layers=store_copy)
    assert code == 1 and "--source and --licence" in err
    assert err.count("\n") == 1 and "Usage:" not in err  # one line, no usage dump
    code, _out, err = gis(
        "import",
        str(path),
        "--as",
        "gates",
        "--source",
        "test",
        "--licence",
        "CC0",
        layers=store_copy,
    )
    assert code == 0, err
    gates = read_layer("gates", province="lai_chau", layers_dir=store_copy)
    assert gates.crs.to_epsg() == 9205 and gates["name"].iloc[0] == "Cửa khẩu Ma Lù Thàng"
    meta = json.loads((store_copy / "lai_chau" / "gates.meta.json").read_text())
    assert meta["provenance"]["licence"] == "CC0" and meta["geometry_type"] == "Point"


def test_export_then_reimport_round_trip(tmp_path, store_copy):
    out = tmp_path / "communes.gpkg"
    code, _, err = gis("export", "communes_2025", str(out), layers=store_copy)
    assert code == 0, err
    code, _, err = gis("import", str(out), "--as", "communes_2025", layers=store_copy)
    assert code == 0, err
    back = read_layer("communes_2025", province="lai_chau", layers_dir=store_copy)
    assert len(back) == 38 and "Phường Đoàn Kết" in set(back["full_name"])


def test_shapefile_export_with_short_fields_imports_back(tmp_path, store_copy):
    out = tmp_path / "x.shp"
    code, _, err = gis("export", "communes_2025", str(out), layers=store_copy)
    assert code == 1 and "`gis export ... --shorten-fields`" in err and "shorten_fields=" in err
    code, _, err = gis("export", "communes_2025", str(out), "--shorten-fields", layers=store_copy)
    assert code == 0, err
    before = read_layer("communes_2025", province="lai_chau", layers_dir=store_copy)
    code, stdout, err = gis("import", str(out), "--as", "communes_2025", layers=store_copy)
    assert code == 0, err
    assert "field 'area_km2_s' -> column 'area_km2_source'" in stdout
    back = read_layer("communes_2025", province="lai_chau", layers_dir=store_copy)
    assert list(back.columns) == list(before.columns)
    assert back.drop(columns="geometry").equals(before.drop(columns="geometry"))


@pytest.mark.parametrize("command", ["import", "validate"])
def test_csv_into_a_point_layer_says_csv_is_a_table(tmp_path, store_copy, command):
    path = tmp_path / "facilities.csv"
    path.write_text("facility_id,kind,name,lon,lat\nf99,mine,Mỏ đất hiếm,103.3,22.3\n")
    before = _digest(store_copy)
    code, out, err = gis(command, str(path), "--as", "facilities", layers=store_copy)
    assert code == 1, out + err
    assert "a CSV is read as a table only" in err and "'facilities' is a vector layer" in err
    assert "GeoDataFrame" not in out + err and _digest(store_copy) == before


@pytest.mark.parametrize(
    ("args", "code", "expected"),
    [
        (["import", "nowhere.gpkg", "--as", "x"], 1, "nowhere.gpkg"),
        (["info", "railways"], 1, "no layer 'railways'"),
        (["layers", "--province", "ha_giang"], 1, "no province profile"),
        (["validate", "--repair"], 2, "--repair needs a LAYER"),
        (["export", "facts", "facts.kml"], 2, "is a table"),
        (["import", "x.gpkg", "--as", "x", "--licnce", "CC0"], 2, "No such option '--licnce'"),
        (["restore", "facts"], 2, "name the VERSION to bring back: `gis history facts` lists"),
        (["undo", "rivers"], 1, "nothing to undo for layer 'rivers': it has no history"),
    ],
)
def test_user_errors_are_one_line_messages(store_copy_session, args, code, expected):
    rc, _, err = gis(*args, layers=store_copy_session)
    assert rc == code and expected in err


def _import_one_change(tmp_path, store):
    """Change one cell of urban_areas_2030 and save it with `gis import` (one history entry)."""
    u = read_layer("urban_areas_2030", province="lai_chau", layers_dir=store)
    u.loc[0, "status"] = "changed"
    path = tmp_path / "u.csv"
    u.to_csv(path, index=False)
    assert gis("import", str(path), "--as", "urban_areas_2030", layers=store)[0] == 0


def test_history_undo_and_restore(tmp_path, store_copy):
    data = store_copy / "lai_chau" / "urban_areas_2030.csv"
    original = data.read_bytes()
    _import_one_change(tmp_path, store_copy)
    imported = data.read_bytes()
    code, out, _ = gis("history", "urban_areas_2030", layers=store_copy)
    header, row = out.splitlines()
    assert code == 0 and header.split()[:6] == [
        "time",
        "message",
        "features",
        "added",
        "removed",
        "modified",
    ]
    assert "import" in row and row.split()[4:7] == ["0", "0", "1"]  # counts logged by the import
    code, _, err = gis("restore", "urban_areas_2030", layers=store_copy)
    assert code == 2 and "`gis undo urban_areas_2030`" in err and data.read_bytes() == imported
    code, out, err = gis("undo", "urban_areas_2030", layers=store_copy)
    assert code == 0, err
    assert out.startswith("undid the last save of 'urban_areas_2030': back to version ")
    assert data.read_bytes() == original
    version = hashlib.sha256(imported).hexdigest()[:16]
    code, out, err = gis("restore", "urban_areas_2030", version, layers=store_copy)
    assert code == 0 and out.startswith("restored 'urban_areas_2030' -> "), err
    u2 = read_layer("urban_areas_2030", province="lai_chau", layers_dir=store_copy)
    assert u2.loc[0, "status"] == "changed" and data.read_bytes() == imported


@pytest.mark.parametrize("suffix", [".shp", ".geojson"])
def test_reimporting_an_unchanged_export_changes_nothing(tmp_path, store_copy, suffix):
    """A Shapefile turns one-part MultiPolygons into Polygons and reorders rings; a GeoJSON
    export is WGS 84 at 6 decimals (about 0.1 m). Neither may show as 38 changed features."""
    data = store_copy / "lai_chau" / "communes_2025.geojson"
    before = data.read_bytes()
    out = tmp_path / f"x{suffix}"
    code, _, err = gis("export", "communes_2025", str(out), "--shorten-fields", layers=store_copy)
    assert code == 0, err
    code, _, err = gis("import", str(out), "--as", "communes_2025", layers=store_copy)
    assert code == 0, err
    assert data.read_bytes() == before
    # A real edit made in the exported file still lands, and only on its own feature's line.
    edited = gpd.read_file(out)
    edited.loc[edited["code"] == "03388", "name"] = "Đoàn Kết (sửa)"
    edited.to_file(out, encoding="utf-8")
    code, _, err = gis("import", str(out), "--as", "communes_2025", layers=store_copy)
    assert code == 0, err
    old_lines, new_lines = before.decode().splitlines(), data.read_bytes().decode().splitlines()
    changed = [n for o, n in zip(old_lines, new_lines, strict=True) if o != n]
    assert len(changed) == 1 and '"code": "03388"' in changed[0] and "(sửa)" in changed[0]


def test_info_is_readable_and_json_on_request(store_copy_session):
    code, out, err = gis("info", "communes_2025", layers=store_copy_session)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "communes_2025: Commune-level units from 1 July 2025 (38: 2 phường, 36 xã)"
    assert "  kind       vector, 38 features, geometry Polygon" in lines
    assert "  CRS        EPSG:9205" in lines
    assert "             lon 102.3207 .. 103.9851, lat 21.6857 .. 22.8112" in lines
    assert "  last save  - (no saves with the toolkit yet)" in lines
    assert any(line.split() == ["type", "str", "yes", "Phường,", "Xã"] for line in lines)
    assert "  licence    MIT (repository); underlying map © its publisher" in lines
    assert "{" not in out  # no JSON by default
    code, out, _ = gis("info", "urban_areas", layers=store_copy_session)
    assert "  kind       vector, 28 features, geometry mixed (data: Point+Polygon)" in out
    assert "special, I, II, … (+3)" in out  # allowed values abbreviated
    code, out, _ = gis("info", "communes_2025", "--json", layers=store_copy_session)
    meta = store_copy_session / "lai_chau" / "communes_2025.meta.json"
    assert code == 0 and json.loads(out) == json.loads(meta.read_text(encoding="utf-8"))


def test_info_shows_version_and_last_save(tmp_path, store_copy):
    _import_one_change(tmp_path, store_copy)
    code, out, err = gis("info", "urban_areas_2030", layers=store_copy)
    assert code == 0, err
    digest = hashlib.sha256((store_copy / "lai_chau" / "urban_areas_2030.csv").read_bytes())
    assert f"  version    {digest.hexdigest()[:12]}" in out.splitlines()
    (save,) = [line for line in out.splitlines() if line.startswith("  last save  20")]
    assert ": import /" in save and save.endswith(" (1 save(s); `gis history urban_areas_2030`)")


def test_build_ends_with_a_summary_and_where_the_outputs_are(tmp_path, store_copy):
    out, maps = tmp_path / "out", tmp_path / "maps"
    code, stdout, err = gis(
        "build", layers=store_copy, env={"GIS_OUT_DIR": str(out), "GIS_MAPS_DIR": str(maps)}
    )
    assert code == 0, err
    lines = stdout.splitlines()
    assert "25 layer(s) valid (16 vector, 9 table); `gis layers` shows the catalogue." in lines
    assert "licence:" not in stdout and "source:" not in stdout  # no catalogue again
    assert lines[-1] == (
        f"built Lai Châu: statistics and report in {out}, maps in {maps} "
        f"(open {maps / 'index.html'})"
    )
    assert (out / "report.md").exists() and (maps / "index.html").exists()


def test_an_unexpected_error_is_one_line_not_a_traceback(monkeypatch, capsys, store_copy):
    """A bug (here: the statistics raise TypeError) gives one line and exit 1; GIS_DEBUG=1 shows
    the traceback."""
    import gis.stats
    from gis.cli import main

    def broken(*args, **kwargs):
        raise TypeError("'NoneType' object is not subscriptable")

    monkeypatch.setattr(gis.stats, "compute_statistics", broken)
    monkeypatch.delenv("GIS_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_:
        main(["stats", "--layers", str(store_copy)])
    err = capsys.readouterr().err
    assert exit_.value.code == 1 and "Traceback" not in err
    assert err.startswith("Error: unexpected TypeError: 'NoneType' object is not subscriptable.")
    assert "GIS_DEBUG=1" in err and len(err.strip().splitlines()) == 1
    monkeypatch.setenv("GIS_DEBUG", "1")
    with pytest.raises(TypeError):
        main(["stats", "--layers", str(store_copy)])
