"""Property-based tests (hypothesis) of the geometry helpers, validators, store and text tools."""

from __future__ import annotations

import re
import tempfile
import unicodedata
from itertools import pairwise
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gis import store
from gis._decode import _badness, decode_frame
from gis.crs import to_crs
from gis.extent import check_extent
from gis.text import fold, to_legacy, to_nfc
from gis.validate import RULES, repair_geometries, validate_frame

FAST = settings(max_examples=40, deadline=None)

# Vietnamese letters (NFC), lower and upper case
VIET_LOWER = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)
VIET = VIET_LOWER + VIET_LOWER.upper()
words = st.text(alphabet=VIET, min_size=1, max_size=8)
names = st.lists(words, min_size=1, max_size=4).map(" ".join)

# Lai Châu's extent in lon/lat (measured from the province layer: 102.32-103.99, 21.69-22.82)
lons = st.floats(102.32, 103.99, allow_nan=False)
lats = st.floats(21.69, 22.82, allow_nan=False)

PROFILE = 'slug = "prop"\ncode = "98"\nname = "Property test"\nplanning_crs = "EPSG:9205"\n'
META = {
    "title": "points",
    "kind": "vector",
    "geometry_type": "Point",
    "crs": "EPSG:9205",
    "id_column": "pid",
    "columns": [
        {"name": "pid", "dtype": "int", "required": True, "unique": True},
        {"name": "name", "dtype": "str", "required": True},
    ],
    "provenance": {"source": "tests/test_properties.py", "licence": "CC0"},
}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(names, lons, lats), min_size=1, max_size=10))
def test_store_round_trip_keeps_text_and_geometry(rows):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "prop").mkdir()
        (root / "prop" / "profile.toml").write_text(PROFILE, encoding="utf-8")
        decomposed = [unicodedata.normalize("NFD", n) for n, _, _ in rows]  # as macOS delivers
        gdf = gpd.GeoDataFrame(
            {"pid": range(len(rows)), "name": decomposed},
            geometry=[shapely.Point(x, y) for _, x, y in rows],
            crs="EPSG:4326",
        )
        store.write_layer(gdf, "pts", meta=META, province="prop", layers_dir=root)
        back = store.read_layer("pts", province="prop", layers_dir=root)
    assert back["name"].tolist() == [to_nfc(n) for n, _, _ in rows]
    expected = to_crs(gdf, "EPSG:9205")
    shift_m = back.geometry.distance(expected.geometry.set_axis(back.index))
    assert shift_m.max() < 0.01


cuts = st.lists(st.integers(1, 49), min_size=0, max_size=5, unique=True).map(sorted)


def _grid(xcuts, ycuts, size_m=10_000.0, x0=480_000.0, y0=2_440_000.0):
    step = size_m / 50  # cut positions on a 200 m lattice: every cell >= 0.04 km²
    xs = [x0, *(x0 + c * step for c in xcuts), x0 + size_m]
    ys = [y0, *(y0 + c * step for c in ycuts), y0 + size_m]
    cells = [shapely.box(a, b, c, d) for a, c in pairwise(xs) for b, d in pairwise(ys)]
    square = shapely.box(x0, y0, x0 + size_m, y0 + size_m)
    return cells, square


def _partition(cells, square):
    units = gpd.GeoDataFrame(
        {"code": [str(i) for i in range(len(cells))]}, geometry=cells, crs="EPSG:9205"
    )
    outline = gpd.GeoDataFrame(geometry=[square], crs="EPSG:9205")
    frames = {"units": units, "outline": outline}
    rule = {"check": "partition", "layer": "units", "of": "outline", "id_column": "code"}
    return RULES["partition"](rule, frames.__getitem__)


@FAST
@given(cuts, cuts, st.data())
def test_grid_partition_has_no_gaps_and_a_removed_cell_is_its_gap(xcuts, ycuts, data):
    cells, square = _grid(xcuts, ycuts)
    assert _partition(cells, square) == []
    i = data.draw(st.integers(0, len(cells) - 1))
    problems = _partition(cells[:i] + cells[i + 1 :], square)
    assert len(problems) == 1
    gap_km2 = float(re.search(r"gaps of ([0-9.]+) km²", problems[0].message).group(1))
    assert gap_km2 == round(cells[i].area / 1e6, 3)


@FAST
@given(cuts, cuts, st.data())
def test_grid_partition_overlap_is_reported(xcuts, ycuts, data):
    cells, square = _grid(xcuts, ycuts)
    assume(len(cells) > 1)
    i = data.draw(st.integers(0, len(cells) - 1))
    grown = cells[i].buffer(150.0, join_style="mitre").intersection(square)
    problems = _partition([*cells[:i], grown, *cells[i + 1 :]], square)
    assert any("overlaps" in p.message for p in problems)


coords = st.tuples(st.floats(0, 100, allow_nan=False), st.floats(0, 100, allow_nan=False))


@FAST
@given(st.lists(st.lists(coords, min_size=3, max_size=12), min_size=1, max_size=6))
def test_repair_geometries_output_is_always_valid(rings):
    geoms = [shapely.Polygon(r) for r in rings]
    gdf = gpd.GeoDataFrame({"id": range(len(geoms))}, geometry=geoms, crs="EPSG:9205")
    fixed, report = repair_geometries(gdf, id_column="id")
    assert fixed.is_valid.all()
    assert len(report) == int((~gdf.is_valid).sum())
    assert set(fixed.geom_type) <= {"Polygon", "MultiPolygon"}
    assert gdf.geometry.tolist() == geoms  # input untouched


@FAST
@given(st.lists(st.tuples(lons, lats), min_size=1, max_size=50))
def test_to_crs_round_trip_within_1cm_across_lai_chau(points):
    pts = gpd.GeoDataFrame(geometry=[shapely.Point(p) for p in points], crs="EPSG:4326")
    metric = to_crs(pts, "EPSG:9205")
    back = to_crs(to_crs(metric, "EPSG:4326"), "EPSG:9205")
    assert metric.distance(back).max() < 0.01
    geod = pyproj.Geod(ellps="WGS84")
    there = to_crs(metric, "EPSG:4326")
    _, _, dist_m = geod.inv(pts.geometry.x, pts.geometry.y, there.geometry.x, there.geometry.y)
    assert np.max(dist_m) < 0.01


@FAST
@given(st.text(max_size=30) | names)
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)


@FAST
@given(names)
def test_fold_ignores_case_and_normal_form(name):
    assert fold(name.upper()) == fold(name) == fold(unicodedata.normalize("NFD", name))


@FAST
@given(
    st.lists(
        st.sampled_from(["Huyện", "Thị xã", "Quận", None, "", "huyện", "Huyện "]),
        min_size=1,
        max_size=20,
    )
)
def test_each_disallowed_value_is_reported_once(values):
    meta = {"kind": "table", "columns": [{"name": "type", "allowed": ["Huyện", "Thị xã"]}]}
    problems = validate_frame(pd.DataFrame({"type": values}), "t", meta)
    bad = sum(v is not None and v not in ("Huyện", "Thị xã") for v in values)
    assert sum("is not an allowed value" in p.message for p in problems) == bad


@FAST
@given(st.lists(st.tuples(lons, lats), min_size=1, max_size=20))
def test_extent_accepts_points_in_the_province_box_and_names_swaps(points):
    outline = gpd.GeoDataFrame(geometry=[shapely.box(102.32, 21.69, 103.99, 22.82)], crs=4326)
    pts = gpd.GeoDataFrame(geometry=[shapely.Point(p) for p in points], crs="EPSG:4326")
    assert check_extent(pts, outline) == []
    swapped = pts.set_geometry(shapely.transform(pts.geometry.values, lambda c: c[:, ::-1]))
    (problem,) = check_extent(swapped, outline)
    assert "coordinates look swapped (lat, lon)" in problem.message


UNTONED = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
TONED = "".join(c for c in VIET_LOWER if c not in UNTONED)


@st.composite
def syllables(draw):
    """A lower-case syllable with at most one tone mark, as Vietnamese writes them."""
    letters = draw(st.lists(st.sampled_from(UNTONED), min_size=1, max_size=5))
    if draw(st.booleans()):
        letters.insert(draw(st.integers(0, len(letters))), draw(st.sampled_from(TONED)))
    return "".join(letters)


lower_names = st.lists(syllables(), min_size=2, max_size=4).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(st.lists(lower_names, min_size=5, max_size=12), st.sampled_from(["tcvn3", "vni"]))
def test_auto_decoding_finds_the_legacy_encoding_of_a_column(column, encoding):
    """Whenever the bytes do not also read as plausible cp1258 Vietnamese (then the file is
    ambiguous: "aaù" is cp1258 for "aaù" and VNI for "aá"), the legacy encoding is found."""
    raw = [to_legacy(n, encoding) for n in column]
    assume(any(not r.isascii() for r in raw))
    assume(_badness(raw, "cp1258") > 0)
    df = pd.DataFrame({"name": raw})
    out, report = decode_frame(df, None, Path("x.shp"))
    assert out["name"].tolist() == column
    assert report[0]["encoding"] == encoding
