import hashlib
import unicodedata

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from gis.crs import to_crs
from gis.errors import ConflictError, CRSError, LayerError, LayerNotFoundError, ValidationError
from gis.store import (
    history,
    layer_meta,
    layer_path,
    layer_version,
    list_layers,
    read_cache,
    read_layer,
    restore,
    write_layer,
)

BASE = [
    "province",
    "districts_pre2025",
    "communes_2025",
    "commune_crosswalk",
    "hydropower_plants",
    "rivers",
    "border",
    "roads_legacy",
    "facts",
    "urban_areas_2030",
]


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.*")}


def test_catalogue_lists_base_layers_with_provenance(store_copy):
    cat = list_layers(province="lai_chau", layers_dir=store_copy)
    assert cat["name"].tolist()[: len(BASE)] == BASE
    rows = cat.set_index("name")
    assert rows.loc["districts_pre2025", "features"] == 8
    assert rows.loc["communes_2025", "features"] == 38
    assert rows.loc["commune_crosswalk", "features"] == 106
    assert rows.loc["urban_areas_2030", "features"] == 11
    assert (cat["source"].str.len() > 0).all() and (cat["licence"].str.len() > 0).all()
    assert "coarse" in rows.loc["roads_legacy", "accuracy"]


def test_read_layer_types_and_crs(store_copy):
    communes = read_layer("communes_2025", province="lai_chau", layers_dir=store_copy)
    assert communes.crs.to_epsg() == 9205
    assert communes["code"].iloc[0].startswith("0")  # codes stay text: "03388"
    assert set(communes["type"]) == {"Phường", "Xã"}
    assert communes["n_old_communes"].dtype == "Int64"
    table = read_layer("commune_crosswalk", province="lai_chau", layers_dir=store_copy)
    assert not hasattr(table, "geometry") and len(table) == 106
    assert table["code"].str.len().eq(5).all()


def test_read_cache_parses_once_and_hands_out_copies(store_copy, monkeypatch):
    import pyogrio

    parsed, real = [], pyogrio.read_dataframe
    monkeypatch.setattr(
        pyogrio, "read_dataframe", lambda *a, **k: parsed.append(1) or real(*a, **k)
    )

    def read():
        return read_layer("districts_pre2025", province="lai_chau", layers_dir=store_copy)

    plain = read()
    with read_cache():
        a = read()
        a.loc[a.index[0], "name"] = "changed by a caller"
        b = read()
        with read_cache():  # nested blocks share the outer cache
            c = read()
        assert len(parsed) == 2  # one parse outside, one inside the block
        assert b.equals(plain) and c.equals(plain) and b.attrs == plain.attrs
        # a save in between is seen: the cache is keyed on the file's bytes
        edited = plain.copy()
        edited.loc[edited.index[0], "name"] = "Huyện mới"
        write_layer(edited, "districts_pre2025", province="lai_chau", layers_dir=store_copy)
        n = len(parsed)  # (the save reads other layers to check its extent)
        assert read()["name"].iloc[0] == "Huyện mới"
        assert read()["name"].iloc[0] == "Huyện mới"
        assert len(parsed) == n + 1
    read()
    assert len(parsed) == n + 2  # the cache is gone after the block


def test_unknown_layer_lists_layers(store_copy):
    with pytest.raises(LayerNotFoundError, match=r"no layer 'railways'.*Layers: border, "):
        read_layer("railways", province="lai_chau", layers_dir=store_copy)


def test_write_reprojects_normalises_and_keeps_history(store_copy):
    kw = {"province": "lai_chau", "layers_dir": store_copy}
    districts = read_layer("districts_pre2025", **kw)
    v0 = layer_version("districts_pre2025", **kw)
    wgs = to_crs(districts, "EPSG:4326")
    wgs.loc[wgs["code"] == "107", "name"] = unicodedata.normalize("NFD", "Huyện Mường Tè")
    write_layer(wgs, "districts_pre2025", message="test edit", **kw)
    back = read_layer("districts_pre2025", **kw)
    assert back.crs.to_epsg() == 9205
    assert back.loc[back["code"] == "107", "name"].iloc[0] == "Huyện Mường Tè"  # NFC again
    # Reprojection there and back moves nothing by more than a centimetre or so.
    assert back.area.sum() == pytest.approx(districts.area.sum(), rel=1e-7)
    log = history("districts_pre2025", **kw)
    assert log["message"].iloc[-1] == "test edit" and log["previous"].iloc[-1] == v0
    # Logged counts: the name in NFD and the round trip through WGS 84 change no feature.
    assert log[["added", "removed", "modified"]].iloc[-1].tolist() == [0, 0, 0]
    restore("districts_pre2025", v0, **kw)
    assert layer_version("districts_pre2025", **kw) == v0


def test_invalid_write_leaves_store_untouched(store_copy):
    kw = {"province": "lai_chau", "layers_dir": store_copy}
    before = _digest(store_copy / "lai_chau")
    districts = read_layer("districts_pre2025", **kw)
    bad = districts.drop(columns=["plan_region"])
    bowtie = shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    bad.loc[bad.index[0], "geometry"] = bowtie
    with pytest.raises(ValidationError) as err:
        write_layer(bad, "districts_pre2025", **kw)
    text = str(err.value)
    assert "column 'plan_region' is missing" in text
    assert "Self-intersection" in text and "[105]" in text  # all problems, with feature id
    assert _digest(store_copy / "lai_chau") == before


def test_write_without_crs_is_refused(store_copy):
    kw = {"province": "lai_chau", "layers_dir": store_copy}
    districts = read_layer("districts_pre2025", **kw)
    naked = gpd.GeoDataFrame(
        pd.DataFrame(districts.drop(columns="geometry")), geometry=list(districts.geometry)
    )
    with pytest.raises(CRSError, match="has no coordinate reference system"):
        write_layer(naked, "districts_pre2025", **kw)


def test_conflicting_save_is_refused(store_copy):
    kw = {"province": "lai_chau", "layers_dir": store_copy}
    mine = read_layer("urban_areas_2030", **kw)
    theirs = read_layer("urban_areas_2030", **kw)
    theirs.loc[0, "status"] = "edited by a colleague"
    write_layer(theirs, "urban_areas_2030", if_version=theirs.attrs["version"], **kw)
    mine.loc[1, "status"] = "my edit"
    with pytest.raises(ConflictError, match="changed on disk since you read it"):
        write_layer(mine, "urban_areas_2030", if_version=mine.attrs["version"], **kw)
    assert read_layer("urban_areas_2030", **kw).loc[0, "status"] == "edited by a colleague"


def test_bad_layer_name(store_copy):
    with pytest.raises(LayerError, match="not allowed; use lower-case ASCII"):
        write_layer(
            pd.DataFrame({"a": [1]}),
            "Đường bộ",
            meta={"kind": "table"},
            province="lai_chau",
            layers_dir=store_copy,
        )


def test_restore_unknown_version(store_copy):
    with pytest.raises(LayerError, match="no kept version 'abc' of layer 'facts'"):
        restore("facts", "abc", province="lai_chau", layers_dir=store_copy)


def test_meta_and_path(store_copy):
    meta = layer_meta("roads_legacy", province="lai_chau", layers_dir=store_copy)
    assert meta["legacy"] is True and meta["provenance"]["licence"].startswith("CC BY-SA")
    path = layer_path("facts", province="lai_chau", layers_dir=store_copy)
    assert path.name == "facts.csv"


@pytest.mark.parametrize("name", ["communes_2025", "districts_pre2025", "pillar_zones", "province"])
def test_saving_unchanged_data_gives_the_same_bytes(store_copy, name):
    from gis.edit import open_layer, save_layer

    kw = {"province": "lai_chau", "layers_dir": store_copy}
    path = layer_path(name, **kw)
    before = path.read_bytes()
    for _ in range(2):  # twice in a row: a save must not drift either
        save_layer(open_layer(name, **kw), name, message="unchanged", **kw)
        assert path.read_bytes() == before


def test_one_feature_edit_changes_one_line(store_copy):
    kw = {"province": "lai_chau", "layers_dir": store_copy}
    path = layer_path("communes_2025", **kw)
    before = path.read_bytes().splitlines()
    communes = read_layer("communes_2025", **kw)
    edited = communes.index[communes["code"] == "03388"]
    communes.loc[edited, "geometry"] = communes.loc[edited].translate(xoff=0.5)
    write_layer(communes, "communes_2025", **kw)
    after = path.read_bytes().splitlines()
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert len(changed) == 1 and b'"code": "03388"' in after[changed[0]]


def test_unknown_layer_advice_is_a_real_command(store_copy):
    import re

    from gis.cli import cli

    with pytest.raises(LayerNotFoundError) as info:
        read_layer("railways", province="lai_chau", layers_dir=store_copy)
    command = re.search(r"`(gis import [^`]*)`", str(info.value)).group(1)
    assert "--as railways" in command
    options = {o for p in cli.commands["import"].params for o in p.opts}
    assert set(re.findall(r"--[a-z-]+", command)) <= options
