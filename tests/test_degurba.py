"""Tests of gis.degurba on constructed grids with hand-known answers."""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
from affine import Affine

from gis.degurba import degree_of_urbanisation, degurba_classes
from gis.errors import RasterError

KM = Affine(1000.0, 0.0, 400_000.0, 0.0, -1000.0, 2_500_000.0)  # 1 km cells in EPSG:9205


def grid(n=20):
    return np.zeros((n, n))


def by_class(out, name):
    return out[out["degurba_class"] == name].reset_index(drop=True)


def test_6x6_block_of_2000_is_an_urban_centre():
    g = grid()
    g[5:11, 5:11] = 2000.0  # 36 km2, 72,000 inhabitants
    out = degree_of_urbanisation(g, transform=KM, crs="EPSG:9205")
    centres = by_class(out, "urban_centre")
    assert len(centres) == 1 and len(by_class(out, "urban_cluster")) == 0
    assert centres.loc[0, "population"] == 72_000
    assert centres.loc[0, "n_cells"] == 36
    assert centres.loc[0, "geometry"].area == pytest.approx(36e6)
    assert centres.loc[0, "density_per_km2"] == 2000
    rural = by_class(out, "rural")
    assert rural.loc[0, "n_cells"] == 400 - 36 and rural.loc[0, "population"] == 0
    assert out.crs.to_epsg() == 9205
    assert "urban centre = rook-contiguous cells >= 1500" in out.loc[0, "definition"]


def test_3x3_block_of_1600_is_a_cluster_not_a_centre():
    g = grid()
    g[2:5, 2:5] = 1600.0  # 14,400 < 50,000
    codes, centre_id, _cluster_id = degurba_classes(g)
    assert centre_id.max() == 0
    assert (codes[2:5, 2:5] == 2).all() and (codes == 2).sum() == 9
    out = degree_of_urbanisation(g, transform=KM, crs="EPSG:9205")
    assert by_class(out, "urban_cluster").loc[0, "population"] == 14_400


def test_centres_need_rook_contiguity():
    g = grid()
    g[2:6, 2:6] = 2000.0  # 32,000
    g[6:10, 6:10] = 2000.0  # 32,000, touching the first block at one corner only
    _codes, centre_id, _ = degurba_classes(g)
    assert centre_id.max() == 0  # two rook groups of 32,000 each: no centre
    out = degree_of_urbanisation(g, transform=KM, crs="EPSG:9205")
    clusters = by_class(out, "urban_cluster")
    assert len(clusters) == 1  # queen contiguity joins them into one cluster of 64,000
    assert clusters.loc[0, "population"] == 64_000


def test_clusters_use_queen_contiguity():
    g = grid()
    g[2:4, 2:4] = 700.0  # 2,800
    g[4:6, 4:6] = 700.0  # 2,800, diagonal neighbour: 5,600 together
    codes, _, cluster_id = degurba_classes(g)
    assert (codes == 2).sum() == 8 and cluster_id.max() == 1
    apart = grid()
    apart[2:4, 2:4] = 700.0
    apart[5:7, 5:7] = 700.0  # one empty cell between: 2,800 each, below 5,000
    codes, _, _ = degurba_classes(apart)
    assert (codes == 2).sum() == 0 and (codes == 1).all()


def test_cluster_ring_around_a_centre_excludes_centre_cells():
    g = grid()
    g[4:12, 4:12] = 400.0  # ring of 28 cells at 400
    g[5:11, 5:11] = 2000.0  # centre of 36 cells
    out = degree_of_urbanisation(g, transform=KM, crs="EPSG:9205")
    assert by_class(out, "urban_centre").loc[0, "population"] == 72_000
    ring = by_class(out, "urban_cluster")
    assert len(ring) == 1 and ring.loc[0, "n_cells"] == 28
    assert ring.loc[0, "population"] == 28 * 400


def test_gap_is_filled():
    g = grid()
    g[5:12, 5:12] = 2000.0
    g[8, 8] = 0.0  # a 1 km2 hole; the block holds 48 x 2,000 = 96,000
    _, centre_id, _ = degurba_classes(g, smooth_edges=False)
    assert (centre_id > 0).sum() == 49
    _, centre_id, _ = degurba_classes(g, smooth_edges=False, fill_gaps_max_km2=0)
    assert (centre_id > 0).sum() == 48
    big_hole = grid(30)
    big_hole[2:20, 2:20] = 2000.0
    big_hole[6:10, 6:10] = 0.0  # 16 km2: not below the 15 km2 limit
    _, centre_id, _ = degurba_classes(big_hole, smooth_edges=False)
    assert (centre_id > 0).sum() == 18 * 18 - 16


def test_edges_smoothed_by_majority_rule_until_stable():
    g = grid()
    g[4:12, 4:12] = 2000.0
    g[4, 8] = 0.0  # 2-cell deep notch in the top edge: (5, 8) has 7 neighbours in the centre,
    g[5, 8] = 0.0  # (4, 8) only 4 until (5, 8) joins, then 5
    _, centre_id, _ = degurba_classes(g, fill_gaps_max_km2=0)
    assert (centre_id > 0).sum() == 64  # both added: the rule was iterated
    _, centre_id, _ = degurba_classes(g, fill_gaps_max_km2=0, smooth_edges=False)
    assert (centre_id > 0).sum() == 62
    out = degree_of_urbanisation(g, transform=KM, crs="EPSG:9205", fill_gaps_max_km2=0)
    assert by_class(out, "urban_centre").loc[0, "population"] == 62 * 2000


def test_two_centres_do_not_merge_by_smoothing():
    g = grid(30)
    g[2:10, 2:10] = 2000.0  # 128,000
    g[2:10, 11:19] = 2000.0  # 128,000, one empty column between
    _, centre_id, _ = degurba_classes(g)
    assert centre_id.max() == 2
    assert (centre_id == 1).sum() + (centre_id == 2).sum() == 128
    assert (centre_id[:, 10] == 0).all()  # each gap cell has only 3 neighbours in either centre


def test_nodata_cells_are_class_zero():
    g = grid()
    g[0, :] = np.nan
    codes, _, _ = degurba_classes(g)
    assert (codes[0] == 0).all() and (codes[1:] == 1).all()


def test_geotiff_input_and_grid_checks(tmp_path):
    g = grid().astype("float32")
    g[5:11, 5:11] = 2000.0
    g[0, 0] = -200.0  # nodata marker

    def write(path, transform, crs):
        with rasterio.open(
            path,
            "w",
            driver="GTiff",
            width=20,
            height=20,
            count=1,
            dtype="float32",
            crs=crs,
            transform=transform,
            nodata=-200.0,
        ) as ds:
            ds.write(g, 1)
        return path

    out = degree_of_urbanisation(write(tmp_path / "pop.tif", KM, "EPSG:9205"))
    assert by_class(out, "urban_centre").loc[0, "population"] == 72_000
    assert out["n_cells"].sum() == 399  # the nodata cell is in no class
    fine = Affine(100.0, 0.0, 400_000.0, 0.0, -100.0, 2_500_000.0)
    with pytest.raises(RasterError, match="DEGURBA thresholds are defined on 1 km"):
        degree_of_urbanisation(write(tmp_path / "fine.tif", fine, "EPSG:9205"))
    deg = Affine(0.0083333, 0.0, 103.0, 0.0, -0.0083333, 22.5)
    with pytest.raises(RasterError, match="degrees"):
        degree_of_urbanisation(write(tmp_path / "deg.tif", deg, "EPSG:4326"))
    with pytest.raises(RasterError, match="needs transform="):
        degree_of_urbanisation(g)


def test_unknown_rule_is_refused():
    with pytest.raises(TypeError, match="unknown rule"):
        degree_of_urbanisation(grid(), transform=KM, crs="EPSG:9205", centre_min=1)


def test_urban_module_reexports_degurba():
    import gis.urban

    assert gis.urban.degree_of_urbanisation is degree_of_urbanisation
