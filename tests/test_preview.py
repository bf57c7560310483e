import geopandas as gpd
import matplotlib
import pytest
from shapely.geometry import LineString, Point, box

from gis.crs import to_crs
from gis.errors import CRSError, LayerError
from gis.preview import preview_map
from gis.store import read_layer

matplotlib.use("Agg")


def test_preview_draws_base_overlays_labels_and_legends(store_copy_session):
    kw = {"province": "lai_chau", "layers_dir": store_copy_session}
    districts = read_layer("districts_pre2025", **kw)
    plants = read_layer("hydropower_plants", **kw)
    rivers = read_layer("rivers", **kw)
    ax = preview_map(
        districts, rivers, plants, column="plan_region", label="name", title="Lai Châu"
    )
    ax.figure.canvas.draw()  # a missing Vietnamese glyph would warn (an error under pytest)
    texts = {t.get_text() for t in ax.texts}
    assert "Huyện Mường Tè" in texts and len(ax.texts) == 8
    legends = [c for c in ax.get_children() if isinstance(c, matplotlib.legend.Legend)]
    entries = {t.get_text() for lg in legends for t in lg.get_texts()}
    assert {"rivers", "hydropower_plants", "dynamic_economic", "song_da_agroforestry"} <= entries
    # Drawn in longitude/latitude (not metres): the axes frame the districts' lon/lat bounds.
    west, south, east, north = to_crs(districts, "EPSG:4326").total_bounds
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    assert x0 <= west < east <= x1 and y0 <= south < north <= y1
    assert x1 - x0 < 2 and y1 - y0 < 1.5  # the rivers and plants beyond it do not widen it
    matplotlib.pyplot.close(ax.figure)


def test_preview_errors():
    squares = gpd.GeoDataFrame({"id": ["a"]}, geometry=[box(0, 0, 1, 1)], crs="EPSG:9205")
    with pytest.raises(LayerError, match="'name' is not a column of the base layer; columns: id"):
        preview_map(squares, label="name")
    no_crs = gpd.GeoDataFrame(geometry=[Point(0, 0), LineString([(0, 0), (1, 1)])])
    with pytest.raises(CRSError, match="'layer 1' has no coordinate reference system"):
        preview_map(squares, no_crs)


def test_preview_zooms_to_features(store_copy_session):
    kw = {"province": "lai_chau", "layers_dir": store_copy_session}
    districts = read_layer("districts_pre2025", **kw)
    plants = read_layer("hydropower_plants", **kw)
    one = plants[plants["plant_id"] == "hp02"]
    ax = preview_map(districts, one, zoom_to=one)
    lon, lat = to_crs(one, "EPSG:4326").geometry.iloc[0].coords[0]
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    assert x0 < lon < x1 and y0 < lat < y1
    assert x1 - x0 == pytest.approx(0.02) and y1 - y0 == pytest.approx(0.02)  # 1 km each side
    matplotlib.pyplot.close(ax.figure)
