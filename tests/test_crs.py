import geopandas as gpd
import pyproj
import pytest
import shapely
from pyproj.transformer import TransformerGroup

from gis.crs import VN2000_TOWGS84, is_vn2000, require_crs, require_metric_crs, to_crs, transformer
from gis.errors import CRSError

# Control point: Lai Châu city centre, VN-2000 / TM-3 103-00 (EPSG:9205) metres.
CONTROL_9205 = (546991.57, 2477623.92)


def _proj_registered_2007():
    """PROJ's registered 'VN-2000 to WGS 84 (2)' (the 2007 parameters, coordinate frame)."""
    group = TransformerGroup("EPSG:9205", "EPSG:4326", always_xy=True)
    (t,) = [t for t in group.transformers if "VN-2000 to WGS 84 (2)" in t.description]
    return t


def _metres_apart(lonlat_a, lonlat_b):
    geod = pyproj.Geod(ellps="WGS84")
    return geod.inv(*lonlat_a, *lonlat_b)[2]


def test_pinned_transformation_agrees_with_proj_registered_2007_parameters():
    ours = transformer("EPSG:9205", "EPSG:4326").transform(*CONTROL_9205)
    proj = _proj_registered_2007().transform(*CONTROL_9205)
    # Measured: 0.000 m (same parameters, opposite rotation convention).
    assert _metres_apart(ours, proj) < 0.001


def test_rotation_sign_convention_matters_half_a_metre():
    # The published (coordinate-frame) signs used as if they were position-vector: wrong.
    dx, dy, dz, rx, ry, rz, s = (float(v) for v in VN2000_TOWGS84.split(","))
    wrong = f"{dx},{dy},{dz},{-rx},{-ry},{-rz},{s}"
    crs_wrong = pyproj.CRS.from_proj4(
        f"+proj=tmerc +lon_0=103 +k=0.9999 +x_0=500000 +ellps=WGS84 +towgs84={wrong} +units=m"
    )
    bad = pyproj.Transformer.from_crs(crs_wrong, "EPSG:4326", always_xy=True)
    ours = transformer("EPSG:9205", "EPSG:4326").transform(*CONTROL_9205)
    shift = _metres_apart(ours, bad.transform(*CONTROL_9205))
    assert 0.2 < shift < 1.0  # DOMAIN.md: "shifts positions by ~0.5 m"


def test_to_crs_round_trip_and_copy():
    g = gpd.GeoDataFrame({"name": ["Lai Châu"]}, geometry=[shapely.Point(*CONTROL_9205)], crs=9205)
    wgs = to_crs(g, "EPSG:4326")
    back = to_crs(wgs, "EPSG:9205")
    assert g.crs.to_epsg() == 9205  # input untouched
    assert wgs.crs.to_epsg() == 4326
    assert back.geometry.iloc[0].distance(g.geometry.iloc[0]) < 0.01  # metres


def test_is_vn2000():
    assert is_vn2000("EPSG:9205") and is_vn2000("EPSG:3405") and is_vn2000(4756)
    assert not is_vn2000("EPSG:4326") and not is_vn2000("EPSG:32648") and not is_vn2000(None)


def test_missing_crs_message_tells_how_to_state_it():
    g = gpd.GeoSeries([shapely.Point(0, 0)])
    with pytest.raises(CRSError, match=r"has no coordinate reference system.*set_crs"):
        require_crs(g, name="roads")


def test_metric_crs_required_for_areas():
    g = gpd.GeoSeries([shapely.Point(103, 22)], crs=4326)
    with pytest.raises(CRSError, match=r"'units' is in EPSG:4326 \(degrees\).*projected"):
        require_metric_crs(g, name="units")
    assert require_metric_crs(to_crs(g, 9205), name="units").to_epsg() == 9205
