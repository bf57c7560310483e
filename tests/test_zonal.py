"""Tests of gis.zonal on small GeoTIFFs written in tmp_path (answers known by construction)."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine
from exactextract import exact_extract

from gis.crs import to_crs
from gis.errors import LayerError, RasterError
from gis.zonal import WORLDCOVER_CLASSES, slope_deg, zonal_stats

X0, Y0, CELL = 500_000.0, 2_500_000.0, 100.0  # top-left corner in EPSG:9205, 100 m cells


def write_tif(path, arr, *, crs="EPSG:9205", nodata=-9999.0, cell=CELL, x0=X0, y0=Y0):
    arr = np.asarray(arr)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=arr.shape[0],
        width=arr.shape[1],
        count=1,
        dtype=arr.dtype,
        crs=crs,
        transform=Affine(cell, 0.0, x0, 0.0, -cell, y0),
        nodata=nodata,
    ) as ds:
        ds.write(arr, 1)
    return path


def units(*boxes, crs="EPSG:9205", codes=None):
    codes = codes or [f"u{i}" for i in range(len(boxes))]
    return gpd.GeoDataFrame({"code": codes}, geometry=[shapely.box(*b) for b in boxes], crs=crs)


@pytest.fixture
def ones(tmp_path):
    return write_tif(tmp_path / "ones.tif", np.ones((10, 10), dtype="float32"))


def test_aligned_square_sums_cells(ones):
    u = units((X0, Y0 - 300, X0 + 300, Y0))  # 3 x 3 cells
    out = zonal_stats(u, ones, stats=("sum", "mean", "count"), prefix="pop")
    assert out.loc[0, "pop_sum"] == pytest.approx(9.0)  # 90,000 m2 / 10,000 m2
    assert out.loc[0, "pop_mean"] == pytest.approx(1.0)
    assert out.loc[0, "pop_count"] == pytest.approx(9.0)
    assert out.loc[0, "pop_valid_pct"] == pytest.approx(100.0)


def test_half_cell_overlap_weights_by_coverage(tmp_path):
    arr = np.tile(np.arange(1, 11, dtype="float32"), (10, 1))  # value = column index + 1
    path = write_tif(tmp_path / "cols.tif", arr)
    # top row, x from 50 m to 350 m: half of cell 1, cells 2 and 3, half of cell 4
    u = units((X0 + 50, Y0 - 100, X0 + 350, Y0))
    out = zonal_stats(u, path, stats=("sum", "mean", "count"), prefix="v")
    assert out.loc[0, "v_sum"] == pytest.approx(0.5 * 1 + 2 + 3 + 0.5 * 4)
    assert out.loc[0, "v_count"] == pytest.approx(3.0)
    assert out.loc[0, "v_mean"] == pytest.approx(7.5 / 3.0)


def test_units_in_other_crs_are_reprojected_not_the_raster(ones):
    u = to_crs(units((X0, Y0 - 300, X0 + 300, Y0)), "EPSG:4326")
    out = zonal_stats(u, ones, stats=("sum",), prefix="pop")
    assert out.crs.to_epsg() == 4326  # the output keeps the units' CRS and geometry
    assert out.geometry.equals(u.geometry)
    # straight edges in lon/lat are not straight in TM-3: a few m2 differ out of 90,000 m2
    assert out.loc[0, "pop_sum"] == pytest.approx(9.0, rel=1e-4)
    assert out.attrs["zonal_stats"]["raster_crs"] == "EPSG:9205"


def test_categorical_gives_class_shares(tmp_path):
    arr = np.full((10, 10), 10, dtype="uint8")
    arr[:, 5:] = 40
    path = write_tif(tmp_path / "lc.tif", arr, nodata=0)
    u = units(
        (X0 + 300, Y0 - 200, X0 + 700, Y0),  # 2 columns of each class
        (X0, Y0 - 200, X0 + 200, Y0),  # only class 10
    )
    out = zonal_stats(u, path, categorical=True, class_names=WORLDCOVER_CLASSES, prefix="lc")
    assert out["lc_tree_cover_pct"].tolist() == pytest.approx([50.0, 100.0])
    assert out["lc_cropland_pct"].tolist() == pytest.approx([50.0, 0.0])
    plain = zonal_stats(u, path, categorical=True, prefix="lc")
    assert {"lc_10_pct", "lc_40_pct"} <= set(plain.columns)


def test_matches_exactextract_called_directly(tmp_path):
    rng = np.random.default_rng(42)
    arr = rng.gamma(2.0, 50.0, size=(40, 30)).astype("float32")
    path = write_tif(tmp_path / "rand.tif", arr)
    polys = [
        shapely.Point(X0 + rng.uniform(300, 2700), Y0 - rng.uniform(300, 3700)).buffer(
            rng.uniform(120, 900)
        )
        for _ in range(6)
    ]
    u = gpd.GeoDataFrame({"code": list("abcdef")}, geometry=polys, crs="EPSG:9205")
    u.index = [60, 50, 40, 30, 20, 10]  # a non-default index must stay aligned
    ours = zonal_stats(u, path, stats=("sum", "mean"), prefix="x")
    theirs = exact_extract(str(path), u, ["sum", "mean"], include_cols=["code"], output="pandas")
    theirs = theirs.set_index("code").loc[ours["code"]]
    np.testing.assert_allclose(ours["x_sum"], theirs["sum"], rtol=1e-9)
    np.testing.assert_allclose(ours["x_mean"], theirs["mean"], rtol=1e-9)


def test_small_memory_window_gives_same_result(tmp_path):
    rng = np.random.default_rng(7)
    path = write_tif(tmp_path / "r.tif", rng.random((50, 50)).astype("float32"))
    u = units((X0 + 130, Y0 - 4870, X0 + 4890, Y0 - 20))
    big = zonal_stats(u, path, stats=("sum",), prefix="x")
    small = zonal_stats(u, path, stats=("sum",), prefix="x", max_cells_in_memory=100)
    seq = zonal_stats(u, path, stats=("sum",), prefix="x", strategy="raster-sequential")
    assert small.loc[0, "x_sum"] == pytest.approx(big.loc[0, "x_sum"], rel=1e-9)
    assert seq.loc[0, "x_sum"] == pytest.approx(big.loc[0, "x_sum"], rel=1e-9)


def test_unit_outside_raster_is_nan_not_zero(ones):
    u = units((X0, Y0 - 300, X0 + 300, Y0), (X0 + 5000, Y0, X0 + 5300, Y0 + 300))
    out = zonal_stats(u, ones, stats=("sum",), prefix="pop")
    assert out.loc[0, "pop_sum"] == pytest.approx(9.0)
    assert math.isnan(out.loc[1, "pop_sum"])
    assert out.loc[1, "pop_valid_pct"] == 0.0


def test_nodata_cells_are_excluded_and_reported(tmp_path):
    arr = np.ones((10, 10), dtype="float32")
    arr[:, :5] = -99999.0  # WorldPop-style fill, not declared in the file
    path = write_tif(tmp_path / "fill.tif", arr, nodata=None)
    u = units((X0, Y0 - 200, X0 + 1000, Y0))  # 20 cells, half of them fill
    with pytest.warns(UserWarning, match="declares no nodata"):
        naive = zonal_stats(u, path, stats=("sum",), prefix="pop")
    assert naive.loc[0, "pop_sum"] == pytest.approx(10 * 1 + 10 * -99999.0)
    out = zonal_stats(u, path, stats=("sum",), prefix="pop", nodata=-99999.0)
    assert out.loc[0, "pop_sum"] == pytest.approx(10.0)
    assert out.loc[0, "pop_valid_pct"] == pytest.approx(50.0)


def test_nodata_nan_mask_band_and_override_are_excluded_by_every_read_path(tmp_path):
    # the toolkit reads windows unmasked when the band's only mask is its nodata value (exactextract
    # then drops nodata and NaN itself) and masked otherwise: all paths must exclude the same cells
    arr = np.arange(1, 101, dtype="float32").reshape(10, 10)
    arr[0, :4] = -9999.0  # declared nodata
    arr[1, :3] = np.nan
    arr[2, :2] = -1.0  # a second fill value, given as an override
    u = units((X0, Y0 - 1000, X0 + 1000, Y0), (X0 + 50, Y0 - 450, X0 + 650, Y0 - 50))
    plain = write_tif(tmp_path / "plain.tif", arr)
    out = zonal_stats(u, plain, stats=("sum", "count"), prefix="v")
    valid = np.isfinite(arr) & (arr != -9999.0)
    assert out.loc[0, "v_sum"] == pytest.approx(arr[valid].sum())
    assert out.loc[0, "v_count"] == pytest.approx(valid.sum())
    theirs = exact_extract(str(plain), u, ["sum", "count"], output="pandas")  # masked reads
    np.testing.assert_allclose(out["v_sum"], theirs["sum"], rtol=1e-12)
    # an override different from the declared value: both are excluded (masked path)
    both = zonal_stats(u, plain, stats=("sum",), prefix="v", nodata=-1.0)
    assert both.loc[0, "v_sum"] == pytest.approx(arr[valid & (arr != -1.0)].sum())
    # an internal mask band (no nodata value) is honoured
    masked = tmp_path / "maskband.tif"
    with rasterio.Env(GDAL_TIFF_INTERNAL_MASK=True):
        write_tif(masked, np.nan_to_num(arr, nan=5.0), nodata=None)
        with rasterio.open(masked, "r+") as ds:
            keep = np.full((10, 10), 255, dtype="uint8")
            keep[:, 9] = 0  # last column masked out
            ds.write_mask(keep)
    got = zonal_stats(u, masked, stats=("sum",), prefix="v")
    expected = np.nan_to_num(arr, nan=5.0)[:, :9].sum()
    assert got.loc[0, "v_sum"] == pytest.approx(expected)


def test_empty_unit_is_nan_and_does_not_stop_the_others(ones, tmp_path):
    u = gpd.GeoDataFrame(
        {"code": ["a", "empty"]},
        geometry=[shapely.box(X0, Y0 - 300, X0 + 300, Y0), shapely.Polygon()],
        crs="EPSG:9205",
    )
    out = zonal_stats(u, ones, stats=("sum",), prefix="pop")
    assert out.loc[0, "pop_sum"] == pytest.approx(9.0)
    assert out["pop_sum"].iloc[1:].isna().all()
    lc = write_tif(tmp_path / "lc.tif", np.full((10, 10), 10, dtype="uint8"), nodata=0)
    cat = zonal_stats(u, lc, categorical=True, prefix="lc")
    assert cat["lc_10_pct"].iloc[0] == pytest.approx(100.0)
    assert cat["lc_10_pct"].iloc[1:].isna().all()


def test_gdal_block_cache_is_bounded_during_the_call_and_restored(ones, monkeypatch):
    import gis.zonal

    seen = []

    def spy(*args, **kwargs):
        seen.append(rasterio.env.get_gdal_config("GDAL_CACHEMAX"))
        return exact_extract(*args, **kwargs)

    monkeypatch.setattr(gis.zonal, "exact_extract", spy)
    before = rasterio.env.get_gdal_config("GDAL_CACHEMAX")
    u = units((X0, Y0 - 300, X0 + 300, Y0))
    zonal_stats(u, ones, stats=("sum",), prefix="pop", gdal_cache_mb=16)
    zonal_stats(u, ones, stats=("sum",), prefix="pop", gdal_cache_mb=None)
    assert seen == [16 * 2**20, before]
    assert rasterio.env.get_gdal_config("GDAL_CACHEMAX") == before
    with pytest.raises(ValueError, match="at least 1"):
        zonal_stats(u, ones, gdal_cache_mb=0.01)


def test_raster_without_crs_is_refused(tmp_path, ones):
    path = write_tif(tmp_path / "nocrs.tif", np.ones((3, 3), dtype="float32"), crs=None)
    with pytest.raises(RasterError, match="has no CRS"):
        zonal_stats(units((X0, Y0 - 100, X0 + 100, Y0)), path)


def test_crs_mix_up_is_named(ones):
    # lon/lat numbers labelled as VN-2000 metres: they land 500 km away from the raster
    u = units((103.0, 22.3, 103.01, 22.31), crs="EPSG:9205")
    with pytest.raises(RasterError, match=r"likely a CRS mix-up: units in EPSG:9205, raster in"):
        zonal_stats(u, ones)


def test_bad_inputs_are_refused(ones, tmp_path):
    u = units((X0, Y0 - 100, X0 + 100, Y0))
    with pytest.raises(ValueError, match="choose from"):
        zonal_stats(u, ones, stats=("total",))
    with pytest.raises(RasterError, match="does not exist"):
        zonal_stats(u, tmp_path / "missing.tif")
    clash = u.assign(pop_sum=1.0)
    with pytest.raises(LayerError, match=r"already has column\(s\) \['pop_sum'\]"):
        zonal_stats(clash, ones, stats=("sum",), prefix="pop")
    with pytest.raises(LayerError, match="not unique"):
        twice = units(*[(X0, Y0 - 100, X0 + 100, Y0)] * 2, codes=["a", "a"])
        zonal_stats(twice, ones, id_column="code")
    pts = gpd.GeoDataFrame(geometry=[shapely.Point(X0, Y0)], crs="EPSG:9205")
    with pytest.raises(LayerError, match="must hold polygons"):
        zonal_stats(pts, ones)


def test_input_is_not_modified(ones):
    u = units((X0, Y0 - 300, X0 + 300, Y0))
    before = u.copy()
    zonal_stats(u, ones, prefix="pop")
    assert list(u.columns) == list(before.columns)
    assert u.geom_equals(before).all()


def test_slope_of_a_plane(tmp_path):
    x = np.arange(20) * 30.0
    dem = np.tile(0.1 * x, (15, 1)).astype("float32")  # rises 10 m per 100 m eastwards
    src = write_tif(tmp_path / "dem.tif", dem, cell=30.0)
    out = slope_deg(src, tmp_path / "slope.tif")
    with rasterio.open(out) as ds:
        s = ds.read(1)
        assert ds.crs.to_epsg() == 9205 and ds.nodata == -9999.0
    assert s == pytest.approx(math.degrees(math.atan(0.1)), abs=1e-4)  # 5.7106 deg


def test_slope_refuses_degrees(tmp_path):
    src = write_tif(
        tmp_path / "dem4326.tif",
        np.zeros((3, 3), dtype="float32"),
        crs="EPSG:4326",
        cell=0.001,
        x0=103.0,
        y0=22.3,
    )
    with pytest.raises(RasterError, match="needs cell sizes in metres"):
        slope_deg(src, tmp_path / "s.tif")


def test_progress_is_plain_lines_in_a_log_and_silent_by_default(ones, capsys):
    """Not a terminal (CI log): one line per tenth with counts; no bar, same result."""
    u = units(*[(X0 + 100 * i, Y0 - 100, X0 + 100 * (i + 1), Y0) for i in range(10)])
    quiet = zonal_stats(u, ones, stats=("sum",), prefix="pop")
    assert capsys.readouterr().err == ""
    shown = zonal_stats(u, ones, stats=("sum",), prefix="pop", progress=True)
    err = capsys.readouterr().err
    assert "[zonal statistics] 10 of 10 units" in err and "\r" not in err
    assert shown.equals(quiet)
