"""Tests of gis.crosswalk: hand-computed overlaps in EPSG:9205, and tobler as a peer tool."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from affine import Affine

from gis.crosswalk import aggregate, via_table
from gis.crs import to_crs
from gis.errors import CRSError, LayerError

X0, Y0 = 500_000.0, 2_450_000.0


def box(x0, y0, x1, y1):
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def frame(codes, geoms, **cols):
    return gpd.GeoDataFrame({"code": codes, **cols}, geometry=geoms, crs="EPSG:9205")


def sources():
    # S1 west km2 with 1,000 people, S2 east km2 with 3,000
    return frame(
        ["S1", "S2"],
        [box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)],
        population=[1000.0, 3000.0],
        density_per_km2=[1000.0, 3000.0],
    )


def targets():
    return frame(["T1", "T2"], [box(0, 0, 500, 1000), box(500, 0, 2000, 1000)])


def test_extensive_and_intensive_by_area():
    out = aggregate(
        sources(), sources(), targets(), extensive=["population"], intensive=["density_per_km2"]
    )
    assert out["population"].tolist() == pytest.approx([500.0, 3500.0])
    assert out["population"].sum() == pytest.approx(4000.0)
    # T2: half a km2 at 1,000 and a km2 at 3,000
    assert out["density_per_km2"].tolist() == pytest.approx([1000.0, (500 + 3000) / 1.5])
    assert out["source_ids"].tolist() == ["S1", "S1;S2"]
    assert out["covered_pct"].tolist() == pytest.approx([100.0, 100.0])
    assert "Areal weighting in EPSG:9205" in out.attrs["method"]


def test_quarter_overlap_allocate_total_or_not():
    src = frame(["A"], [box(0, 0, 1000, 1000)], population=[400.0])
    tgt = frame(["B"], [box(500, 500, 1500, 1500)])  # 25 % of A, 25 % of B
    kept = aggregate(src, src, tgt, extensive=["population"])
    assert kept.loc[0, "population"] == pytest.approx(400.0)  # all of A goes to its only target
    assert kept.loc[0, "covered_pct"] == pytest.approx(25.0)
    lost = aggregate(src, src, tgt, extensive=["population"], allocate_total=False)
    assert lost.loc[0, "population"] == pytest.approx(100.0)


def test_missing_source_value_makes_targets_nan():
    src = sources()
    src.loc[1, "population"] = np.nan
    out = aggregate(src, src, targets(), extensive=["population"])
    assert out.loc[0, "population"] == pytest.approx(500.0)
    assert math.isnan(out.loc[1, "population"])


def test_slivers_can_be_dropped_and_values_table_separate():
    src = sources()
    tgt = frame(["T1", "T2"], [box(0, 0, 999, 1000), box(999, 0, 2000, 1000)])  # 1 m off
    values = pd.DataFrame({"code": ["S2", "S1"], "population": [3000, 1000]})  # other order
    exact = aggregate(values, src, tgt, extensive=["population"])
    assert exact["population"].tolist() == pytest.approx([999.0, 3001.0])
    snapped = aggregate(values, src, tgt, extensive=["population"], min_overlap_pct=0.5)
    assert snapped["population"].tolist() == pytest.approx([1000.0, 3000.0])
    assert snapped["source_ids"].tolist() == ["S1", "S2"]


def test_population_raster_weights(tmp_path):
    # S1's 1,000 people all live in its eastern half (x 500-1000 m); S2's spread evenly
    arr = np.zeros((10, 20), dtype="float32")
    arr[:, 5:10] = 20.0
    arr[:, 10:20] = 30.0
    path = tmp_path / "pop.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=20,
        height=10,
        count=1,
        dtype="float32",
        crs="EPSG:9205",
        transform=Affine(100.0, 0.0, X0, 0.0, -100.0, Y0 + 1000),
        nodata=-1.0,
    ) as ds:
        ds.write(arr, 1)
    out = aggregate(sources(), sources(), targets(), extensive=["population"], weight=path)
    assert out["population"].tolist() == pytest.approx([0.0, 4000.0])
    assert "pop.tif" in out.attrs["method"]


def test_sources_reprojected_and_errors():
    src4326 = to_crs(sources(), "EPSG:4326")
    out = aggregate(src4326, src4326, targets(), extensive=["population"])
    assert out["population"].tolist() == pytest.approx([500.0, 3500.0], rel=1e-5)
    with pytest.raises(CRSError, match="projected CRS in metres"):
        aggregate(sources(), sources(), to_crs(targets(), "EPSG:4326"), extensive=["population"])
    with pytest.raises(ValueError, match="at least one column"):
        aggregate(sources(), sources(), targets())
    with pytest.raises(LayerError, match="repeated code"):
        aggregate(pd.concat([sources(), sources()]), sources(), targets(), extensive=["population"])
    with pytest.raises(LayerError, match=r"no values for source unit\(s\) \['S2'\]"):
        aggregate(sources().iloc[:1], sources(), targets(), extensive=["population"])
    with pytest.raises(LayerError, match=r"already has column\(s\) \['population'\]"):
        aggregate(sources(), sources(), targets().assign(population=0), extensive=["population"])


def test_agrees_with_tobler_on_random_partitions():
    tobler = pytest.importorskip("tobler")
    rng = np.random.default_rng(3)
    frame_ = box(0, 0, 10_000, 10_000)

    def voronoi(n):
        pts = shapely.multipoints(rng.uniform([X0, Y0], [X0 + 10_000, Y0 + 10_000], (n, 2)))
        cells = shapely.get_parts(shapely.voronoi_polygons(pts, extend_to=frame_))
        return shapely.intersection(cells, frame_)

    src = frame([f"s{i}" for i in range(25)], voronoi(25))
    src["pop"] = rng.integers(100, 5000, len(src)).astype(float)
    src["rate"] = rng.uniform(0, 100, len(src))
    tgt = frame([f"t{i}" for i in range(9)], voronoi(9))
    ours = aggregate(src, src, tgt, extensive=["pop"], intensive=["rate"])
    theirs = tobler.area_weighted.area_interpolate(
        src, tgt, extensive_variables=["pop"], intensive_variables=["rate"]
    )
    # areas of the same intersections differ in the 8th digit (GEOS call order): 1e-6 is ample
    np.testing.assert_allclose(ours["pop"], theirs["pop"], rtol=1e-6)
    np.testing.assert_allclose(ours["rate"], theirs["rate"], rtol=1e-6)
    assert ours["pop"].sum() == pytest.approx(src["pop"].sum())


# --- via_table -----------------------------------------------------------------------------------


def crosswalk():
    return pd.DataFrame(
        {
            "code": ["03386", "03387", "03388"],
            "ward2025_code": ["03388", "03388", "03408"],
            "mapping_confidence": ["high", "high", "low"],
        }
    )


def old_values():
    return pd.DataFrame(
        {
            "code": ["03386", "03387", "03388"],
            "population": [100.0, 200.0, 300.0],
            "poverty_pct": [10.0, 40.0, 20.0],
        }
    )


def test_via_table_sums_and_weighted_means():
    out = via_table(
        old_values(),
        crosswalk(),
        extensive=["population"],
        intensive=["poverty_pct"],
        weight_column="population",
    ).set_index("ward2025_code")
    assert out.loc["03388", "population"] == 300.0
    assert out.loc["03388", "poverty_pct"] == pytest.approx((100 * 10 + 200 * 40) / 300)  # 30
    assert out.loc["03408", "poverty_pct"] == 20.0
    assert out.loc["03388", "source_ids"] == "03386;03387" and bool(out.loc["03388", "complete"])


def test_via_table_missing_values_are_nan_and_named():
    vals = old_values()
    vals.loc[1, "population"] = np.nan
    out = via_table(vals, crosswalk(), extensive=["population"]).set_index("ward2025_code")
    assert math.isnan(out.loc["03388", "population"])
    assert out.loc["03388", "sources_missing_values"] == "03387"
    assert out.loc["03408", "population"] == 300.0
    absent = via_table(old_values().iloc[:2], crosswalk(), extensive=["population"])
    assert absent.set_index("ward2025_code").loc["03408", "sources_missing_values"] == "03388"


def test_via_table_errors():
    with pytest.raises(ValueError, match="need weight_column"):
        via_table(old_values(), crosswalk(), intensive=["poverty_pct"])
    split = pd.concat([crosswalk(), crosswalk().iloc[:1].assign(ward2025_code="03408")])
    with pytest.raises(LayerError, match=r"maps old unit\(s\) \['03386'\] to several"):
        via_table(old_values(), split, extensive=["population"])
    as_int = old_values().assign(code=[3386, 3387, 3388])  # leading zeros lost in Excel
    with pytest.raises(LayerError, match="not in the crosswalk"):
        via_table(as_int, crosswalk(), extensive=["population"])


# --- end to end on the project's Lai Châu layers ------------------------------------------------


def test_districts_onto_2025_communes_match_the_official_mapping(store_copy_session):
    from gis.store import read_layer

    districts = read_layer("districts_pre2025", province="lai_chau", layers_dir=store_copy_session)
    communes = read_layer("communes_2025", province="lai_chau", layers_dir=store_copy_session)
    codes = districts["code"].astype(str).tolist()
    values = districts.assign(area_km2_poly=districts.area / 1e6)
    for code in codes:  # each district's area as its own extensive variable
        values[f"in_{code}"] = np.where(values["code"].astype(str) == code, values.area / 1e6, 0)
    cols = [f"in_{c}" for c in codes]
    out = aggregate(values, districts, communes, extensive=["area_km2_poly", *cols])
    # allocate_total keeps the districts' total although the two outlines differ along the border
    assert out["area_km2_poly"].sum() == pytest.approx(values["area_km2_poly"].sum())
    # independent check: the district sharing most area with each 2025 commune is one of the
    # old districts that Resolution 1670 lists for it (old_district_codes)
    dominant = out[cols].idxmax(axis=1).str.removeprefix("in_")
    listed = out["old_district_codes"].astype(str).str.split(";")
    assert all(d in ok for d, ok in zip(dominant, listed, strict=True))


def test_commune_crosswalk_layer_via_table(store_copy_session):
    from gis.store import read_layer

    cw = read_layer("commune_crosswalk", province="lai_chau", layers_dir=store_copy_session)
    out = via_table(cw.assign(units=1), cw, extensive=["units"])
    assert len(out) == 38 and out["units"].sum() == 106  # 106 communes merged into 38
