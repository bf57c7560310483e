"""Tests of gis.maplayer: Vietnamese number format, legend classes, light display copies."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from mapfixtures import X0, Y0, make_squares, make_units_38
from shapely.geometry import box

from gis import maplayer
from gis.crs import to_crs
from gis.errors import CRSError, LayerError
from gis.maplayer import (
    NO_DATA_LABEL,
    MapLayer,
    display_copy,
    format_vi,
    layer_legend,
    point_keys,
    stacked_radii,
)


@pytest.fixture
def squares() -> gpd.GeoDataFrame:
    return make_squares()


@pytest.fixture(scope="module")
def units_38() -> gpd.GeoDataFrame:
    return make_units_38()


# ----------------------------------------------------------------------------- formatting


def test_format_vi_uses_vietnamese_separators():
    assert format_vi(9068.73) == "9.068,73"
    assert format_vi(1234567) == "1.234.567"
    assert format_vi(12.50) == "12,5"
    assert format_vi(12.5, decimals=2, trim=False) == "12,50"
    assert format_vi(float("nan")) == "–"
    assert format_vi(None) == "–"
    assert format_vi("Mường Tè") == "Mường Tè"


# ----------------------------------------------------------------------------- legend


def test_choropleth_classes_match_hand_computed_breaks(squares):
    # Fisher-Jenks with 2 classes on 560, 1200, 3400: the best split puts 3400 alone
    # (within-class squared deviations 204,800 vs 2,420,000 for the other split).
    colors, entries = layer_legend(MapLayer(squares, "Dân số", column="pop", k=2))
    assert [e[0] for e in entries] == ["560 – 1.200", "1.200 – 3.400", NO_DATA_LABEL]
    assert colors.iloc[0] == colors.iloc[2] != colors.iloc[1]
    assert colors.iloc[3] == entries[-1][1]


def test_a_class_after_a_one_value_class_starts_above_it(squares):
    """Urban shares: many communes at 0 % form a class of their own; the next class does not
    start at "0,0" again (the print map read "0,0 %", then "0,0 – 29,8 %")."""
    data = squares.assign(pct=[0.0, 0.0, 30.0, 60.0])
    _, entries = layer_legend(MapLayer(data, "Tỷ lệ", column="pct", k=3, unit="%", decimals=1))
    # Fisher-Jenks, 3 classes on 4 values: {0, 0}, {30}, {60}; upper bounds 0, 30, 60
    assert [e[0] for e in entries] == ["0,0 %", "trên 0,0 – 30,0 %", "30,0 – 60,0 %"]


def test_quantiles_scheme_and_k_capped_at_distinct_values(squares):
    _, entries = layer_legend(MapLayer(squares, "Dân số", column="pop", scheme="Quantiles", k=9))
    assert len(entries) == 3 + 1  # 3 distinct values, plus "no data"


def test_category_colours_and_override(squares):
    colors, entries = layer_legend(
        MapLayer(squares, "Loại", column="type", colors={"Phường": "#ff0000"})
    )
    assert dict(entries)["Phường"] == "#ff0000"
    assert list(colors[squares["type"] == "Phường"]) == ["#ff0000", "#ff0000"]
    assert [lbl for lbl, _ in entries] == ["Phường", "Xã"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"column": "nope"}, r"column\(s\) \['nope'\] not found"),
        ({"fields": {"nope": "X"}}, "not found"),
        ({"column": "pop", "scheme": "Foo"}, "scheme 'Foo' failed.*FisherJenks"),
        ({"column": "type", "kind": "choropleth"}, "needs a numeric column"),
        ({"column": "area_km2"}, "1 distinct value"),
        ({"kind": "category"}, "needs a column"),
        ({"kind": "heat"}, "kind 'heat' unknown"),
        ({"column": "type", "cmap": "nocolormap"}, "colormap 'nocolormap' unknown"),
    ],
)
def test_layer_errors_say_what_to_do(squares, kwargs, match):
    with pytest.raises(LayerError, match=match):
        layer_legend(MapLayer(squares, "Lớp", **kwargs))


# ----------------------------------------------------------------------------- geometry


def test_display_copy_is_wgs84_rounded_and_only_needed_columns(squares):
    out = display_copy(squares, columns=["name"], decimals=5)
    assert out.crs == "EPSG:4326"
    assert list(out.columns) == ["name", "geometry"]
    coords = shapely.get_coordinates(out.geometry.values)
    assert np.allclose(coords, np.round(coords, 5), rtol=0, atol=1e-12)
    # position kept: the same corner through the toolkit's pinned transformation, within 1 m
    ref = shapely.get_coordinates(to_crs(squares, "EPSG:4326").geometry.values)
    assert np.abs(coords[:5] - ref[:5]).max() < 1e-5
    assert squares.crs == "EPSG:9205" and "secret" in squares  # input untouched


def test_display_copy_needs_metres_to_simplify(squares):
    with pytest.raises(CRSError, match="simplification in metres need a projected CRS"):
        display_copy(to_crs(squares, "EPSG:4326"), simplify_m=30, name="xa")
    assert len(display_copy(to_crs(squares, "EPSG:4326"), simplify_m=0)) == 4


def test_coverage_simplification_keeps_shared_edges(units_38):
    out = display_copy(units_38, simplify_m=100)
    before = shapely.get_num_coordinates(units_38.geometry.values).sum()
    after = shapely.get_num_coordinates(out.geometry.values).sum()
    assert after < before / 10  # it did simplify
    # neighbours still share whole edges: no gaps, no overlaps
    back = to_crs(out, "EPSG:9205").geometry.values
    assert shapely.coverage_is_valid(back)
    total = shapely.area(back).sum()
    assert shapely.union_all(back).area == pytest.approx(total, rel=1e-9)
    # the shared boundaries are still there, as lines
    tree = shapely.STRtree(units_38.geometry.values)
    i, j = tree.query(units_38.geometry.values, predicate="touches")
    pairs = [(a, b) for a, b in zip(i, j, strict=True) if a < b]
    shared = [shapely.intersection(back[a], back[b]) for a, b in pairs]
    assert sum(s.length > 0 for s in shared) >= 0.9 * len(pairs)
    # whereas simplifying each polygon on its own opens gaps and overlaps
    alone = display_copy(units_38, simplify_m=100, coverage=False)
    assert not shapely.coverage_is_valid(to_crs(alone, "EPSG:9205").geometry.values)


def test_coverage_simplification_is_reused_for_the_same_geometries(units_38, monkeypatch):
    calls = []
    real = maplayer._coverage_simplify
    monkeypatch.setattr(maplayer, "_SIMPLIFIED", maplayer.OrderedDict())
    monkeypatch.setattr(
        maplayer, "_coverage_simplify", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    first = display_copy(units_38, simplify_m=100)
    # another frame holding the same geometry objects (as the maps' .assign / .copy make)
    again = display_copy(units_38.assign(extra=1).copy(), simplify_m=100)
    assert len(calls) == 1
    assert shapely.equals_exact(again.geometry.values, first.geometry.values).all()
    display_copy(units_38, simplify_m=50)  # another tolerance: simplified again
    moved = units_38.set_geometry(units_38.translate(1.0, 0.0))  # new geometries
    display_copy(moved, simplify_m=100)
    assert len(calls) == 3
    for i in range(maplayer._SIMPLIFIED_MAX + 2):  # the cache stays bounded
        display_copy(units_38.set_geometry(units_38.translate(float(i + 2), 0.0)), simplify_m=100)
    assert len(maplayer._SIMPLIFIED) == maplayer._SIMPLIFIED_MAX


def test_coverage_true_on_overlapping_polygons_raises(squares):
    overlapping = squares.copy()
    overlapping.loc[0, "geometry"] = box(X0, Y0, X0 + 2500, Y0 + 2000)
    with pytest.raises(LayerError, match=r"not a valid polygon coverage.*coverage=False"):
        display_copy(overlapping, coverage=True, name="xa")
    assert len(display_copy(overlapping, coverage=None)) == 4  # auto: per-polygon fallback


def test_small_overlap_is_cleaned_into_a_coverage(squares):
    """A 1 m x 2 km overlap (2,000 m²): more than 30 m squared (900 m²), but 0.05 % of the 4 km²
    square, under CLEAN_MAX_SHARE: cleaned and simplified as a coverage, not polygon by polygon."""
    overlapping = squares.copy()
    overlapping.loc[0, "geometry"] = box(X0, Y0, X0 + 2001, Y0 + 2000)
    geoms = overlapping.geometry.values
    assert not shapely.coverage_is_valid(geoms)
    assert shapely.intersection(geoms[0], geoms[1]).area == pytest.approx(2000.0)
    out = display_copy(overlapping, simplify_m=30, coverage=True, name="xa")
    assert shapely.coverage_is_valid(to_crs(out, "EPSG:9205").geometry.values)
    # A larger share (the 25 % overlap above) still refuses: cleaning would redraw a unit.
    assert maplayer.CLEAN_MAX_SHARE * 4e6 < 1e6


def test_stacked_radii_rings_symbols_at_one_place():
    keys = [(1, 2), (5, 5), (1, 2), None, (1, 2)]
    radii = stacked_radii(keys, [7, 7, 7, 3, 5], ring=4)
    # last drawn (on top) keeps its radius; each one under it is a 4 px ring around the rest
    assert radii.tolist() == [13.0, 7.0, 9.0, 3.0, 5.0]
    assert stacked_radii([(0, 0), (0, 0)], [12, 5], ring=4).tolist() == [12.0, 5.0]  # visible
    with pytest.raises(LayerError, match="2 keys but 1 radii"):
        stacked_radii([None, None], [1])


def test_fixed_symbols_keep_their_size_and_make_room_above_others():
    # an urban class (fixed) under a facility, over another facility, at one place
    keys = [(0, 0), (0, 0), (0, 0), (9, 9)]
    radii = stacked_radii(keys, [7, 9.5, 5, 9.5], ring=4, fixed=[False, True, False, True])
    assert radii.tolist() == [13.5, 9.5, 5.0, 9.5]  # the class keeps 9.5; the ring grows past it
    with pytest.raises(LayerError, match="2 radii but 1 fixed flags"):
        stacked_radii([None, None], [1, 2], fixed=[True])


def test_radii_by_layer_counts_stack_false_layers_as_fixed():
    from gis.maplayer import radii_by_layer

    spot = gpd.GeoDataFrame(geometry=[shapely.Point(X0, Y0)], crs="EPSG:9205")
    now = MapLayer(spot, "Hiện trạng", radius=6.5, hollow=True, stack=False)
    later = MapLayer(spot, "Đến 2030", radius=9.5, stack=False)
    gate = MapLayer(spot, "Cửa khẩu", radius=7.0)
    radii = radii_by_layer([later, now, gate], [spot, spot, spot], decimals=0)
    # the classes keep their size whatever is drawn over them; the gate is on top
    assert [r.tolist() for r in radii] == [[9.5], [6.5], [7.0]]
    radii = radii_by_layer([gate, later], [spot, spot], decimals=0)
    assert [r.tolist() for r in radii] == [[13.5], [9.5]]  # a ring around the class


def test_point_keys_round_coordinates_and_skip_other_geometries():
    gdf = gpd.GeoDataFrame(
        geometry=[
            shapely.Point(1.000001, 2),
            shapely.Point(1, 2),
            shapely.LineString([(0, 0), (1, 1)]),
        ],
        crs="EPSG:9205",
    )
    assert point_keys(gdf, 3) == [(1.0, 2.0), (1.0, 2.0), None]
