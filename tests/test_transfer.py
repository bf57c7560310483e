"""The pipelines of `gis import`, `gis validate FILE` and `gis export` called from Python, as a
notebook does (gis.transfer): same checks, same report lines as the command line prints."""

import geopandas as gpd
import pytest
import shapely

from gis.errors import LayerError
from gis.store import read_layer
from gis.transfer import check_file, export_layer, import_file


def test_export_and_import_a_shapefile_from_python(tmp_path, store_copy):
    where = {"province": "lai_chau", "layers_dir": store_copy}
    before = read_layer("districts_pre2025", **where)
    shp = tmp_path / "d.shp"
    said = []
    assert (
        export_layer("districts_pre2025", shp, shorten_fields=True, on_message=said.append, **where)
        == shp
    )
    assert "field 'province_code' -> 'province_c'" in said

    check = check_file(shp, "districts_pre2025", **where)
    assert check.features == 8 and check.errors == 0 and check.raster is None
    assert (
        "field 'province_c' -> column 'province_code' (shapefile names are cut to 10 "
        "bytes)" in check.messages
    )

    result = import_file(shp, "districts_pre2025", **where)
    assert (result.name, result.features, result.new_layer) == ("districts_pre2025", 8, False)
    assert result.messages[-1] == (
        f"imported 8 feature(s) from {shp} as 'districts_pre2025' -> {result.path}"
    )
    back = read_layer("districts_pre2025", **where)
    assert list(back.columns) == list(before.columns) and len(back) == 8


def test_import_a_new_layer_from_python(tmp_path, store_copy):
    where = {"province": "lai_chau", "layers_dir": store_copy}
    gates = gpd.GeoDataFrame(
        {"name": ["Cửa khẩu Ma Lù Thàng"]}, geometry=[shapely.Point(103.17, 22.58)], crs=4326
    )
    path = tmp_path / "gates.geojson"
    gates.to_file(path)
    with pytest.raises(LayerError, match="say where it comes from with --source and --licence"):
        import_file(path, "gates", **where)
    result = import_file(path, "gates", source="test", licence="CC0", title="Border gates", **where)
    assert result.new_layer and result.features == 1
    saved = read_layer("gates", **where)
    assert saved.crs.to_epsg() == 9205 and saved["name"].iloc[0] == "Cửa khẩu Ma Lù Thàng"
