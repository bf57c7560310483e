import hashlib
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

from gis.crs import to_crs
from gis.edit import (
    add_features,
    diff,
    diff_versions,
    open_layer,
    problems_frame,
    save_layer,
    undo,
)
from gis.errors import ConflictError, CRSError, LayerError, ValidationError
from gis.store import check_layer, history, layer_path, layer_version, restore, write_layer

PLANTS = "hydropower_plants"


def _digest(folder):
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file()
    }


@pytest.fixture
def kw(store_copy):
    return {"province": "lai_chau", "layers_dir": store_copy}


def _edit_plants(plants):
    """Move hp02 by (300 m, 400 m), rename hp03, remove hp04, add hp99: counts by hand 1/1/2."""
    out = plants.copy()
    hp02 = out["plant_id"] == "hp02"
    out.loc[hp02, "geometry"] = out.loc[hp02].geometry.translate(xoff=300.0, yoff=400.0)
    out.loc[out["plant_id"] == "hp03", "name"] = "Nậm Na 2 (đổi tên)"
    out = out[out["plant_id"] != "hp04"]
    new = gpd.GeoDataFrame(
        {"plant_id": ["hp99"], "name": ["Thủy điện thử"], "capacity_mw": [12.5]},
        geometry=[Point(103.45, 22.40)],
        crs="EPSG:4326",
    )
    return add_features(out, new)


def test_open_layer_remembers_version_and_id(kw):
    plants = open_layer(PLANTS, **kw)
    assert plants.attrs["version"] == layer_version(PLANTS, **kw)
    assert plants.attrs["id_column"] == "plant_id"
    assert plants.crs.to_epsg() == 9205


def test_add_features_reprojects_keeps_attrs_and_dtypes(kw):
    plants = open_layer(PLANTS, **kw)
    before = plants.copy()
    edited = _edit_plants(plants)
    pd.testing.assert_frame_equal(plants, before)  # input untouched
    assert edited.attrs == plants.attrs
    assert edited.crs == plants.crs
    assert edited["resettled_households"].dtype == "Int64"
    added = edited[edited["plant_id"] == "hp99"]
    assert added.geometry.iloc[0].equals_exact(
        to_crs(gpd.GeoSeries([Point(103.45, 22.40)], crs="EPSG:4326"), "EPSG:9205").iloc[0], 1e-6
    )
    with pytest.raises(LayerError, match="GeoDataFrame with a geometry and crs="):
        add_features(plants, pd.DataFrame({"plant_id": ["x"]}))


def test_diff_counts_points_by_hand(kw):
    plants = open_layer(PLANTS, **kw)
    d = diff(plants, _edit_plants(plants))
    assert d[["plant_id", "change", "columns"]].to_dict("records") == [
        {"plant_id": "hp99", "change": "added", "columns": ""},
        {"plant_id": "hp04", "change": "removed", "columns": ""},
        {"plant_id": "hp02", "change": "modified", "columns": "geometry"},
        {"plant_id": "hp03", "change": "modified", "columns": "name"},
    ]
    moved = d.set_index("plant_id")
    assert moved.loc["hp02", "moved_m"] == pytest.approx(500.0)  # 3-4-5 triangle
    assert moved.loc["hp02", "max_shift_m"] == pytest.approx(500.0)
    assert moved.loc["hp03", "moved_m"] == 0.0
    assert "area_change_m2" not in d.columns and "length_change_m" not in d.columns


def _squares():
    return gpd.GeoDataFrame(
        {"id": ["a", "b"], "kind": ["x", "y"]},
        geometry=[box(0, 0, 100, 100), box(500, 0, 600, 100)],
        crs="EPSG:9205",
    )


def test_diff_polygons_area_and_shift_by_hand():
    old = _squares()
    new = old.copy()
    new.loc[0, "geometry"] = box(0, 0, 100, 200)  # 1 ha -> 2 ha, centroid (50,50) -> (50,100)
    new.loc[1, "kind"] = "z"
    d = diff(old, new, id_column="id").set_index("id")
    assert d.loc["a", "columns"] == "geometry"
    assert d.loc["a", "area_change_m2"] == pytest.approx(10_000.0)
    assert d.loc["a", "moved_m"] == pytest.approx(50.0)
    assert d.loc["a", "max_shift_m"] == pytest.approx(100.0)  # corner (100,200) is 100 m away
    assert d.loc["b", "columns"] == "kind" and d.loc["b", "area_change_m2"] == 0.0
    gone = diff(old, new.iloc[[1]], id_column="id").set_index("id")
    assert gone.loc["a", "change"] == "removed"
    assert gone.loc["a", "area_change_m2"] == pytest.approx(-10_000.0)


def test_diff_lines_length_by_hand():
    old = gpd.GeoDataFrame(
        {"id": ["r1"]}, geometry=[LineString([(0, 0), (1000, 0)])], crs="EPSG:9205"
    )
    new = old.copy()
    new.loc[0, "geometry"] = LineString([(0, 0), (1500, 0)])
    d = diff(old, new, id_column="id")
    assert d.loc[0, "length_change_m"] == pytest.approx(500.0)
    assert d.loc[0, "moved_m"] == pytest.approx(250.0)  # midpoint 500 -> 750
    assert d.loc[0, "max_shift_m"] == pytest.approx(500.0)


def test_diff_tolerance_and_reprojection_round_trip(kw):
    old = _squares()
    new = old.copy()
    new.loc[0, "geometry"] = box(0.004, 0, 100.004, 100)  # 4 mm: below the 1 cm tolerance
    assert diff(old, new, id_column="id").empty
    new.loc[0, "geometry"] = box(0.02, 0, 100.02, 100)
    assert diff(old, new, id_column="id")["id"].tolist() == ["a"]
    assert diff(old, new, id_column="id", tolerance_m=0.05).empty
    # The same layer in lon/lat is the same layer: no change once reprojected back.
    districts = open_layer("districts_pre2025", **kw)
    assert diff(districts, to_crs(districts, "EPSG:4326")).empty


def test_diff_attribute_nulls_and_types():
    old = _squares().assign(n=pd.array([1, None], dtype="Int64"), v=[np.nan, 2.0])
    new = old.copy()
    new["n"] = [1.0, np.nan]  # same numbers, other dtype
    assert diff(old, new, id_column="id").empty
    new.loc[1, "v"] = np.nan
    new["extra"] = [None, "note"]
    d = diff(old, new, id_column="id")
    assert d[["id", "columns"]].to_dict("records") == [{"id": "b", "columns": "v, extra"}]


def test_diff_errors():
    old = _squares()
    with pytest.raises(LayerError, match="Pass id_column=, one of: id, kind, geometry"):
        diff(old, old)
    with pytest.raises(LayerError, match="id column 'code' is missing from the old frame"):
        diff(old, old, id_column="code")
    dup = old.assign(id=["a", "a"])
    with pytest.raises(LayerError, match=r"new frame has 2 empty or repeated value.*: a"):
        diff(old, dup, id_column="id")
    with pytest.raises(CRSError, match="measuring how far features moved"):
        diff(old.to_crs("EPSG:4326"), old, id_column="id")
    with pytest.raises(LayerError, match="new frame has no geometry"):
        diff(old, pd.DataFrame(old.drop(columns="geometry")), id_column="id")


def test_save_writes_log_with_counts(kw):
    plants = open_layer(PLANTS, **kw)
    saved = save_layer(_edit_plants(plants), PLANTS, message="four edits", **kw)
    assert saved.attrs["version"] == layer_version(PLANTS, **kw) != plants.attrs["version"]
    assert len(saved) == len(plants)  # one added, one removed
    entry = history(PLANTS, **kw).iloc[-1]
    assert (entry["message"], entry["added"], entry["removed"], entry["modified"]) == (
        "four edits",
        1,
        1,
        2,
    )
    assert entry["previous"] == plants.attrs["version"]
    back = diff_versions(PLANTS, plants.attrs["version"][:16], **kw)
    assert back["change"].value_counts().to_dict() == {"modified": 2, "added": 1, "removed": 1}
    # The saved frame carries the new version: a second edit saves without conflict.
    again = saved.copy()
    again.loc[again["plant_id"] == "hp99", "capacity_mw"] = 13.0
    save_layer(again, PLANTS, message="capacity", **kw)
    assert history(PLANTS, **kw)["modified"].tolist() == [2, 1]


def test_concurrent_edit_is_refused(kw, store_copy):
    first = open_layer(PLANTS, **kw)
    second = open_layer(PLANTS, **kw)
    a = first.copy()
    a.loc[a["plant_id"] == "hp05", "status"] = "Dừng"
    save_layer(a, PLANTS, message="notebook A", **kw)
    after_a = _digest(store_copy / "lai_chau")
    b = second.copy()
    b.loc[b["plant_id"] == "hp06", "status"] = "Dừng"
    with pytest.raises(
        ConflictError,
        match=r"changed on disk since you opened it.*Nothing was written.*'notebook A'.*"
        r"0 added, 0 removed, 1 modified \(hp05\)",
    ):
        save_layer(b, PLANTS, message="notebook B", **kw)
    assert _digest(store_copy / "lai_chau") == after_a


def test_change_outside_toolkit_is_refused(kw):
    plants = open_layer(PLANTS, **kw)
    path = layer_path(PLANTS, **kw)
    path.write_bytes(path.read_bytes().replace("Nậm Na 3".encode(), "Nậm Na III".encode()))
    with pytest.raises(ConflictError, match="changed outside the toolkit"):
        save_layer(plants, PLANTS, message="stale", **kw)


def test_frame_without_version_is_refused(kw):
    plants = open_layer(PLANTS, **kw)
    new = gpd.GeoDataFrame(
        {"plant_id": ["hp99"], "name": ["Thủy điện thử"]},
        geometry=[Point(480000, 2480000)],
        crs=9205,
    )
    concatenated = pd.concat([plants, new], ignore_index=True)  # drops .attrs
    assert "version" not in concatenated.attrs
    with pytest.raises(LayerError, match=r"does not say which version.*add_features"):
        save_layer(concatenated, PLANTS, message="x", **kw)


def test_invalid_save_is_refused_and_store_untouched(kw, store_copy):
    before = _digest(store_copy)
    urban = open_layer("urban_areas_2030", **kw)
    bad = urban.copy()
    bad.loc[0, "urban_class_2030"] = "VI"
    bad.loc[1, "urban_area"] = bad.loc[2, "urban_area"]
    problems = problems_frame(check_layer(bad, "urban_areas_2030", **kw))
    assert set(problems["check"]) == {"schema"}
    assert problems["message"].str.contains("'VI' is not an allowed value").sum() == 1
    assert problems["message"].str.contains("is not unique").sum() == 1  # once per value
    assert problems.loc[problems["message"].str.contains("VI"), "hint"].iloc[0] == (
        "use one of: I, II, III, IV, V"
    )
    with pytest.raises(ValidationError, match="'VI' is not an allowed value") as err:
        save_layer(bad, "urban_areas_2030", message="bad", **kw)
    assert len(err.value.problems) == 2
    assert _digest(store_copy) == before
    assert check_layer(urban, "urban_areas_2030", **kw) == []
    assert problems_frame([]).columns.tolist() == [
        "severity",
        "feature",
        "check",
        "message",
        "hint",
    ]


def test_add_features_refuses_lat_lon_order(kw):
    """A point written (lat, lon) has latitude 103°: refused where it is added, with the fix
    (it used to reproject to infinity and be reported twice by the check)."""
    plants = open_layer(PLANTS, **kw)
    swapped = gpd.GeoDataFrame(
        {"plant_id": ["hp99"], "name": ["Thủy điện thử"], "capacity_mw": [12.5]},
        geometry=[Point(22.40, 103.45)],  # (lat, lon) instead of (lon, lat)
        crs="EPSG:4326",
    )
    with pytest.raises(
        CRSError,
        match=r"1 new feature\(s\) lie beyond ±90° latitude .* at x 22.4, y 103.45: longitude "
        r"and latitude look swapped. Give points as Point\(longitude, latitude\): in Việt "
        r"Nam x \(longitude\) is 102 to 118 and y \(latitude\) 7 to 24",
    ):
        add_features(plants, swapped)


def test_check_finds_a_point_with_swapped_x_y_outside_the_province(kw, store_copy):
    """The one check (the store's, also run by save_layer) includes the province outline: a
    point with easting and northing exchanged lies outside Lai Châu (``gis.edit.check_layer``
    used to skip the outline)."""
    before = _digest(store_copy)
    plants = open_layer(PLANTS, **kw)
    x, y = plants.geometry.iloc[0].x, plants.geometry.iloc[0].y
    swapped = gpd.GeoDataFrame(
        {"plant_id": ["hp99"], "name": ["Thủy điện thử"], "capacity_mw": [12.5]},
        geometry=[Point(y, x)],  # (northing, easting) instead of (easting, northing)
        crs=plants.crs,
    )
    edited = add_features(plants, swapped)
    problems = problems_frame(check_layer(edited, PLANTS, **kw))
    assert set(problems["feature"]) == {"hp99"} and (problems["severity"] == "error").all()
    assert problems["message"].iloc[0].startswith("lies outside Lai Châu (lon 102.32-103.99")
    with pytest.raises(ValidationError, match=r"hp99.*lies outside Lai Châu"):
        save_layer(edited, PLANTS, message="swapped", **kw)
    assert _digest(store_copy) == before


def test_check_reports_a_missing_crs_as_a_problem(kw):
    plants = open_layer(PLANTS, **kw)
    naked = plants.set_crs(None, allow_override=True)
    problems = problems_frame(check_layer(naked, PLANTS, **kw))
    assert "crs" in set(problems["check"])


def test_table_layer_attribute_edit(kw):
    urban = open_layer("urban_areas_2030", **kw)
    edited = urban.copy()
    name = edited.loc[edited["urban_class_2030"] == "III", "urban_area"].iloc[0]
    edited.loc[edited["urban_area"] == name, "urban_class_2030"] = "II"
    d = diff(urban, edited)
    assert d.to_dict("records") == [
        {"urban_area": name, "change": "modified", "columns": "urban_class_2030"}
    ]
    save_layer(edited, "urban_areas_2030", message="class II proposal", **kw)
    assert (
        open_layer("urban_areas_2030", **kw).set_index("urban_area").loc[name, "urban_class_2030"]
        == "II"
    )


def test_undo_restores_bytes_step_by_step(kw):
    path = layer_path(PLANTS, **kw)
    v0 = path.read_bytes()
    plants = open_layer(PLANTS, **kw)
    one = save_layer(_edit_plants(plants), PLANTS, message="one", **kw)
    v1 = path.read_bytes()
    two = one.copy()
    two.loc[two["plant_id"] == "hp01", "capacity_mw"] = 0.7
    save_layer(two, PLANTS, message="two", **kw)
    back = undo(PLANTS, **kw)
    assert path.read_bytes() == v1
    assert back.attrs["version"] == hashlib.sha256(v1).hexdigest()
    undo(PLANTS, **kw)  # a second undo goes further back, it does not redo "two"
    assert path.read_bytes() == v0
    entries = history(PLANTS, **kw)
    assert entries["message"].tolist() == ["one", "two", "undo: two", "undo: one"]
    assert entries[["added", "removed", "modified"]].iloc[3].tolist() == [1, 1, 2]  # reversed
    with pytest.raises(LayerError, match="every save in its history is already undone"):
        undo(PLANTS, **kw)


def test_undo_errors(kw):
    with pytest.raises(LayerError, match="nothing to undo for layer 'rivers': it has no history"):
        undo("rivers", **kw)
    plants = open_layer(PLANTS, **kw)
    save_layer(_edit_plants(plants), PLANTS, message="one", **kw)
    path = layer_path(PLANTS, **kw)
    path.write_bytes(path.read_bytes() + b"\n")
    with pytest.raises(ConflictError, match="changed outside the toolkit after its last logged"):
        undo(PLANTS, **kw)


def test_history_counts_saves_made_outside_save_layer(kw):
    plants = open_layer(PLANTS, **kw)
    write_layer(_edit_plants(plants), PLANTS, message="via the store", **kw)
    restore(PLANTS, plants.attrs["version"], **kw)  # what `gis restore LAYER VERSION` does
    entries = history(PLANTS, **kw)
    assert entries[["added", "removed", "modified"]].to_numpy().tolist() == [[1, 1, 2], [1, 1, 2]]
    assert entries["undo_of"].isna().all()
    # The counts are written when the save is made: history only reads the log.
    log_file = layer_path(PLANTS, **kw).parent / ".history" / PLANTS / "log.jsonl"
    logged = [json.loads(line) for line in log_file.read_text(encoding="utf-8").splitlines()]
    assert [(e["added"], e["removed"], e["modified"]) for e in logged] == [(1, 1, 2), (1, 1, 2)]


def test_history_of_an_entry_logged_without_counts(kw):
    """A save logged before the store recorded counts shows them empty."""
    folder = layer_path(PLANTS, **kw).parent / ".history" / PLANTS
    folder.mkdir(parents=True)
    entry = {
        "time": "2026-01-01T00:00:00+00:00",
        "layer": PLANTS,
        "version": "a" * 64,
        "previous": "b" * 64,
        "message": "old save",
        "features": 7,
    }
    (folder / "log.jsonl").write_text(json.dumps(entry) + "\n", encoding="utf-8")
    h = history(PLANTS, **kw)
    assert h.columns.tolist() == [
        "time",
        "message",
        "features",
        "added",
        "removed",
        "modified",
        "version",
        "previous",
        "undo_of",
    ]
    assert h[["added", "removed", "modified"]].isna().all(axis=None)
    assert h["message"].tolist() == ["old save"]


def test_restore_needs_a_version(kw):
    with pytest.raises(LayerError, match=r"name the version.*`gis undo hydropower_plants`"):
        restore(PLANTS, None, **kw)


def test_diff_versions_unknown_version(kw):
    with pytest.raises(LayerError, match="no kept version 'abc' of layer 'hydropower_plants'"):
        diff_versions(PLANTS, "abc", **kw)
