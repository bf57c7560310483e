"""The national layer set (layers/_national): the 3,321 communes of 2025 as GeoParquet, the
crosswalk, and the store's GeoParquet format behind them."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from gis.errors import LayerError
from gis.store import (
    history,
    layer_path,
    list_layers,
    read_layer,
    read_version,
    restore,
    write_layer,
)

REPO = Path(__file__).resolve().parents[1]
NATIONAL = "_national"


@pytest.fixture(scope="module")
def communes():
    return read_layer("communes_2025", province=NATIONAL, layers_dir=REPO / "layers")


def test_communes_are_the_3321_of_2025(communes):
    assert len(communes) == 3321 and communes["code"].is_unique
    assert communes.crs.to_epsg() == 3405
    # The counts by type published with the reform: 2,611 xã, 697 phường, 13 đặc khu.
    assert communes["type"].value_counts().to_dict() == {"Xã": 2611, "Phường": 697, "Đặc khu": 13}
    assert communes["province_code"].nunique() == 34
    assert shapely.is_valid(communes.geometry.values).all()
    path = layer_path("communes_2025", province=NATIONAL, layers_dir=REPO / "layers")
    assert path.suffix == ".parquet" and path.stat().st_size < 30e6  # fits a git repository


def test_commune_areas_agree_with_the_province_layers(communes):
    """Areas (each in its province's TM-3 CRS) against the provinces' own full-precision layers,
    which the store measures independently: within the 0.18 % the 10 m simplification moved."""
    for slug, code in (("lai_chau", "12"), ("cao_bang", "04")):
        own = read_layer("communes_2025", province=slug, layers_dir=REPO / "layers")
        ours = communes[communes["province_code"] == code].set_index("code")
        assert set(ours.index) == set(own["code"])
        mine = own.set_index("code").geometry.area / 1e6
        rel = (ours["area_km2"] - mine.reindex(ours.index)).abs() / mine.reindex(ours.index)
        assert rel.max() < 0.0018, rel.idxmax()
    # Lai Châu is measured in its own TM-3 CRS (103°00', EPSG:9205), Cao Bằng in 105°45'.
    assert set(communes.loc[communes["province_code"] == "12", "tm3_epsg"]) == {9205}
    assert set(communes.loc[communes["province_code"] == "04", "tm3_epsg"]) == {9210}


def test_crosswalk_points_at_the_communes(communes):
    cw = read_layer("commune_crosswalk_2025", province=NATIONAL, layers_dir=REPO / "layers")
    assert len(cw) == 10604
    assert set(cw["new_code"]) == set(communes["code"])
    assert cw["old_part"].value_counts().to_dict() == {"full": 9592, "partial": 1012}
    flags = cw["qa_flag"].fillna("")
    assert flags.str.startswith("suspect").sum() == 21 and flags.str.startswith("check").sum() == 61


def test_catalogue_counts_parquet_features():
    cat = list_layers(province=NATIONAL, layers_dir=REPO / "layers").set_index("name")
    assert cat.loc["communes_2025", "features"] == 3321
    assert cat.loc["communes_2025", "licence"].startswith("MIT")


# ------------------------------------------------------------------ the GeoParquet format


def _small(store: Path):
    """Three real Lai Châu communes, written as a GeoParquet layer of a copied store."""
    gdf = read_layer("communes_2025", province="lai_chau", layers_dir=store).head(3)
    gdf = gdf[["code", "name", "geometry"]]
    meta = {
        "title": "three communes",
        "kind": "vector",
        "format": "geoparquet",
        "geometry_type": "MultiPolygon",
        "crs": "EPSG:9205",
        "id_column": "code",
        "columns": [{"name": "code", "dtype": "str", "unique": True}, {"name": "name"}],
        "provenance": {"source": "test", "licence": "MIT (layers/lai_chau)"},
    }
    write_layer(gdf, "three", meta=meta, province="lai_chau", layers_dir=store, message="t")
    return gdf


def test_parquet_layer_round_trips_with_history(store_copy):
    gdf = _small(store_copy)
    path = store_copy / "lai_chau" / "three.parquet"
    assert path.is_file() and not (store_copy / "lai_chau" / "three.geojson").exists()
    back = read_layer("three", province="lai_chau", layers_dir=store_copy)
    assert back.crs.to_epsg() == 9205 and list(back["code"]) == list(gdf["code"])
    assert back.geometry.area.sum() == pytest.approx(gdf.geometry.area.sum(), rel=1e-9)
    first = path.read_bytes()
    write_layer(back, "three", province="lai_chau", layers_dir=store_copy)  # unchanged data
    assert path.read_bytes() == first  # the same bytes: git sees no change

    edited = back.copy()
    edited.loc[0, "name"] = "Đổi tên"
    write_layer(edited, "three", province="lai_chau", layers_dir=store_copy, message="rename")
    log = history("three", province="lai_chau", layers_dir=store_copy)
    old = log["previous"].dropna().iloc[-1]
    assert (
        read_version("three", old, province="lai_chau", layers_dir=store_copy)["name"].iloc[0]
        == gdf["name"].iloc[0]
    )
    restore("three", old, province="lai_chau", layers_dir=store_copy)
    assert path.read_bytes() == first


def test_damaged_parquet_says_how_to_restore(store_copy):
    _small(store_copy)
    (store_copy / "lai_chau" / "three.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(LayerError, match=r"cannot read .*three\.parquet.*gis restore three"):
        read_layer("three", province="lai_chau", layers_dir=store_copy)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "shapefile"}, r"'format' is shapefile; a vector layer may say"),
        ({"kind": "table", "format": "geoparquet"}, r"'format' is geoparquet.*a table none"),
    ],
)
def test_unknown_format_is_refused(store_copy, change, message):
    meta_path = store_copy / "lai_chau" / "province.meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta_path.write_text(json.dumps({**meta, **change}), encoding="utf-8")
    with pytest.raises(LayerError, match=message):
        read_layer("province", province="lai_chau", layers_dir=store_copy)


def test_parquet_is_read_by_geopandas_directly():
    """Planners can open the file without the toolkit (GeoParquet 1.x metadata, CRS kept)."""
    path = REPO / "layers" / NATIONAL / "communes_2025.parquet"
    gdf = gpd.read_parquet(path, columns=["code", "geometry"])
    assert len(gdf) == 3321 and gdf.crs.to_epsg() == 3405
