"""Roads from OpenStreetMap (gis.osm and `gis import FILE.osm.pbf`).

The extract is made here, in code: a few nodes and ways near real places of Lai Châu, at the
coordinates of ``layers/lai_chau/_sources/waypoints.csv`` (QL.4D Tam Đường – San Thàng – Lai
Châu city, its branch towards Bình Lư and Sa Pa over the provincial border, a ĐT.127 stub
near Mường Tè), with refs in the forms OSM mappers use, a footway, a residential street and a
track to be filtered out, and a way in Sa Pa (Lào Cai) to be clipped away. The same ways are
written as OSM XML and as OSM PBF (encoded below from the format's .proto; no osmium needed).
Synthetic data, no licence issue.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path
from xml.sax.saxutils import quoteattr

import geopandas as gpd
import pandas as pd
import pyproj
import pytest
import shapely
from conftest import REPO

from gis import osm
from gis.errors import CRSError, InputFileError, LayerError
from gis.plan import schematic_lines
from gis.store import read_layer, write_layer

# --- the extract ---------------------------------------------------------------------------------

WP = {  # lon, lat of waypoints.csv
    "tam_duong": (103.625, 22.345556),
    "san_thang": (103.499167, 22.3875),
    "lc_city": (103.461389, 22.397222),
    "binh_lu": (103.679444, 22.343889),
    "o_quy_ho": (103.7694, 22.3542),  # 3 m from the provincial boundary
    "sa_pa": (103.8175, 22.3475),  # Lào Cai
    "muong_te": (102.811111, 22.379444),
}
NODES = {
    1: WP["tam_duong"],
    2: (103.585, 22.362),
    3: (103.540, 22.380),
    4: WP["san_thang"],
    5: (103.480, 22.394),
    6: WP["lc_city"],
    7: (103.445, 22.405),  # QL.4D on towards Mường So: S07 is only started
    20: (103.462, 22.400),  # the other carriageway at Lai Châu city
    22: (103.520, 22.372),  # a bend of QL.4D before San Thàng, cut short by a slip road
    8: (103.655, 22.342),
    9: WP["binh_lu"],
    10: WP["o_quy_ho"],
    11: WP["sa_pa"],
    12: (102.820, 22.370),  # ĐT.127 stub at Mường Tè
    13: (102.860, 22.330),
    14: (103.462, 22.392),  # streets of Lai Châu city
    15: (103.466, 22.390),
    16: (103.620, 22.350),  # a track at Tam Đường
    17: (103.610, 22.360),
    18: (103.812, 22.340),  # a street of Sa Pa
    19: (103.822, 22.336),
}
QUOTED = 'Sa Pa "Lào Cai" => \\ 4D, x'  # quotes, '=>', a backslash and a comma in a tag value
WAYS = {  # id: (node ids, tags)
    101: (
        [1, 2, 3],
        {"highway": "primary", "ref": "QL4D", "name": "Quốc lộ 4D", "surface": "asphalt"},
    ),
    102: ([3, 22, 4], {"highway": "primary", "ref": "4D", "surface": "paved"}),
    103: ([4, 5], {"highway": "primary", "ref": "QL.4D"}),
    110: ([5, 6, 7], {"highway": "primary", "ref": "QL.4D", "oneway": "yes"}),  # dual
    111: ([7, 20, 5], {"highway": "primary", "ref": "QL.4D", "oneway": "yes"}),  # carriageway
    112: ([3, 4], {"highway": "primary_link", "ref": "QL4D"}),  # a link: not the road
    104: (
        [1, 8, 9, 10, 11],
        {"highway": "trunk", "ref": "QL 4D", "destination": QUOTED, "surface": "concrete"},
    ),
    105: ([12, 13], {"highway": "secondary", "ref": "TL127", "surface": "gravel"}),
    106: ([14, 15], {"highway": "footway"}),
    107: ([15, 6], {"highway": "residential", "name": "Đường Trần Phú"}),
    108: ([16, 17], {"highway": "track", "surface": "dirt"}),
    109: ([18, 19], {"highway": "secondary", "ref": "DT.152"}),
}
# ways of the default classes (links too) that are (partly) in Lai Châu
INSIDE = [101, 102, 103, 104, 105, 110, 111, 112]
TIMESTAMP = "2026-11-30T21:21:02Z"


def write_xml(path: Path, ways=WAYS, nodes=NODES, stamp=TIMESTAMP, sort=True) -> Path:
    """The extract as OSM XML; nodes sorted by id, the usual order, unless ``sort=False``."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<osm version="0.6" generator="tests/test_osm.py" timestamp="{stamp}">',
    ]
    meta = 'version="1" timestamp="2026-01-01T00:00:00Z"'
    order = sorted(nodes.items()) if sort else nodes.items()
    lines += [f'  <node id="{i}" {meta} lat="{lat}" lon="{lon}"/>' for i, (lon, lat) in order]
    for wid, (refs, tags) in ways.items():
        lines.append(f'  <way id="{wid}" {meta}>')
        lines += [f'    <nd ref="{r}"/>' for r in refs]
        lines += [f"    <tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items()]
        lines.append("  </way>")
    path.write_text("\n".join([*lines, "</osm>", ""]), encoding="utf-8")
    return path


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out)


def _zz(n: int) -> int:  # zigzag encoding of sint64
    return (n << 1) ^ (n >> 63)


def _field(num: int, value: int | bytes | str) -> bytes:
    if isinstance(value, int):
        return _varint(num << 3) + _varint(value)
    value = value.encode() if isinstance(value, str) else value
    return _varint(num << 3 | 2) + _varint(len(value)) + value


def _packed(num: int, values) -> bytes:
    return _field(num, b"".join(_varint(v) for v in values))


def _block(kind: str, payload: bytes) -> bytes:
    blob = _field(2, len(payload)) + _field(3, zlib.compress(payload))
    header = _field(1, kind) + _field(3, len(blob))
    return struct.pack(">I", len(header)) + header + blob


def write_pbf(path: Path, ways=WAYS, nodes=NODES, stamp: int | None = 1796073662) -> Path:
    """The same extract as OSM PBF (fileformat.proto / osmformat.proto, zlib blobs)."""
    head = _field(4, "OsmSchema-V0.6") + _field(16, "tests/test_osm.py")
    head += _field(32, stamp) if stamp is not None else b""
    strings = [""]

    def sid(s: str) -> int:
        if s not in strings:
            strings.append(s)
        return strings.index(s)

    node_msgs = b"".join(
        _field(
            1,
            _field(1, _zz(i)) + _field(8, _zz(round(lat * 1e7))) + _field(9, _zz(round(lon * 1e7))),
        )
        for i, (lon, lat) in sorted(nodes.items())
    )  # granularity 100 nanodegrees, offsets 0
    way_msgs = b""
    for wid, (refs, tags) in ways.items():
        deltas = [_zz(b - a) for a, b in zip([0, *refs[:-1]], refs, strict=True)]
        way_msgs += _field(
            3,
            _field(1, wid)
            + _packed(2, [sid(k) for k in tags])
            + _packed(3, [sid(v) for v in tags.values()])
            + _packed(8, deltas),
        )
    table = b"".join(_field(1, s) for s in strings)
    data = _field(1, table) + _field(2, node_msgs) + _field(2, way_msgs)
    path.write_bytes(_block("OSMHeader", head) + _block("OSMData", data))
    return path


@pytest.fixture(scope="module")
def extract(tmp_path_factory) -> Path:
    return write_xml(tmp_path_factory.mktemp("osm") / "lai_chau_test.osm")


@pytest.fixture(scope="module")
def province(store_copy_session) -> gpd.GeoDataFrame:
    return read_layer("province", province="lai_chau", layers_dir=store_copy_session)


@pytest.fixture(scope="module")
def roads(store_copy_session) -> gpd.GeoDataFrame:
    return read_layer("roads", province="lai_chau", layers_dir=store_copy_session)


@pytest.fixture(scope="module")
def osm_roads(extract, province) -> gpd.GeoDataFrame:
    return osm.read_osm_roads(extract, province)


def _planning_xy(lonlat):
    """Lon/lat to EPSG:9205 with PROJ's own registered VN-2000 transformation (not gis.crs)."""
    tr = pyproj.Transformer.from_crs(4326, 9205, always_xy=True)
    return [tr.transform(lon, lat) for lon, lat in lonlat]


def _geodesic_km(node_ids) -> float:
    lon, lat = zip(*(NODES[i] for i in node_ids), strict=True)
    return pyproj.Geod(ellps="WGS84").line_length(lon, lat) / 1000


# --- reading -------------------------------------------------------------------------------------


def test_default_classes_kept_others_dropped_and_clipped(osm_roads):
    assert osm_roads["osm_id"].tolist() == INSIDE  # no footway, residential, track; 109 clipped
    assert list(osm_roads.columns) == [
        "osm_id",
        "highway",
        "road_ref",
        "name",
        "surface",
        "road_class",
        "length_km",
        "geometry",
    ]
    assert osm_roads.crs.to_epsg() == 9205
    row = osm_roads.set_index("osm_id")
    assert row.loc[101, "name"] == "Quốc lộ 4D"
    assert row.loc[[101, 102, 103, 104, 105], "surface"].tolist() == [
        "paved",
        "paved",
        "unknown",
        "paved",
        "unpaved",
    ]
    assert row.loc[[101, 104, 105], "road_class"].tolist() == ["national", "national", "provincial"]


def test_extra_classes_on_request(extract, province):
    classes = osm.highway_classes(["track", "unclassified"])
    out = osm.read_osm_roads(extract, province, highways=classes)
    assert out["osm_id"].tolist() == sorted([*INSIDE, 108])
    track = out.set_index("osm_id").loc[108]
    assert (track["highway"], track["surface"], track["road_class"]) == (
        "track",
        "unpaved",
        "other",
    )
    out = osm.read_osm_roads(extract, province, highways=osm.highway_classes(["residential"]))
    assert 107 in set(out["osm_id"]) and 106 not in set(out["osm_id"])  # footway never


def test_pbf_and_xml_give_the_same_roads(tmp_path, extract, province, osm_roads):
    pbf = write_pbf(tmp_path / "lai_chau_test.osm.pbf")
    from_pbf = osm.read_osm_roads(pbf, province)
    pd.testing.assert_frame_equal(
        from_pbf.drop(columns="geometry"), osm_roads.drop(columns="geometry")
    )
    assert from_pbf.geometry.geom_equals_exact(osm_roads.geometry, tolerance=0.01).all()
    assert osm.extract_date(extract) == TIMESTAMP  # XML: the file's own timestamp
    os.utime(pbf, (1_780_000_000, 1_780_000_000))  # PBF: the date of the file (2026-05-28 UTC)
    assert osm.attribution(pbf) == (
        "OpenStreetMap contributors, ODbL-1.0, extract lai_chau_test.osm.pbf of 2026-05-28 "
        "(file date)"
    )


def test_lengths_against_geodesic_and_independent_projection(osm_roads):
    tm3 = pyproj.Proj("EPSG:9205")
    row = osm_roads.set_index("osm_id")
    for wid in (101, 102, 103, 105):  # wholly inside: not clipped
        nodes = [NODES[i] for i in WAYS[wid][0]]
        # TM-3 103°E shrinks lengths by its scale factor (0.9999 on the central meridian,
        # 0.99995 at Tam Đường, 62 km east of it): the geodesic length times the point scale
        # at the way's middle is the planning-CRS length to 1e-5.
        lon, lat = (sum(c) / len(nodes) for c in zip(*nodes, strict=True))
        scale = tm3.get_factors(lon, lat).meridional_scale
        expected_km = _geodesic_km(WAYS[wid][0]) * scale
        assert row.loc[wid, "geometry"].length / 1000 == pytest.approx(expected_km, rel=1e-5)
        assert row.loc[wid, "length_km"] == pytest.approx(expected_km, abs=0.0006)  # 1 m steps
        # PROJ's own VN-2000 transformation differs from the pinned shift by ~0.5 m, nearly a
        # constant offset: the lengths agree.
        xy = _planning_xy(nodes)
        assert row.loc[wid, "geometry"].length == pytest.approx(
            shapely.LineString(xy).length, abs=0.01
        )


def test_clip_cuts_the_way_over_the_border(osm_roads, province):
    way = osm_roads.set_index("osm_id").loc[104]
    full_km = _geodesic_km(WAYS[104][0])
    inside_km = _geodesic_km([1, 8, 9])  # to Bình Lư; Ô Quy Hồ is 3 m from the boundary
    assert inside_km < way["length_km"] < full_km - 4  # the 5.6 km to Sa Pa are cut away
    outline = shapely.union_all(province.geometry.values)
    assert outline.buffer(0.01).covers(way["geometry"])
    assert way["length_km"] == pytest.approx(way["geometry"].length / 1000, abs=0.0005)


def test_tags_with_quotes_and_escapes():
    text = (
        '"ref"=>"QL4D","destination"=>"Sa Pa \\"Lào Cai\\" => \\\\ 4D, x",'
        '"name:en"=>"","fixme"=>NULL'
    )
    assert osm.parse_other_tags(text) == {"ref": "QL4D", "destination": QUOTED, "name:en": ""}
    assert osm.parse_other_tags(None) == {} and osm.parse_other_tags("") == {}


def test_nodes_not_sorted_by_id_are_read(tmp_path, province, osm_roads):
    """JOSM saves nodes in edit order; GDAL's default index refuses them, its fallback reads."""
    import pyogrio

    josm = write_xml(tmp_path / "josm.osm", sort=False)  # node 20 comes after node 7
    out = osm.read_osm_roads(josm, province)
    assert out["osm_id"].tolist() == osm_roads["osm_id"].tolist()
    assert pyogrio.get_gdal_config_option("OSM_USE_CUSTOM_INDEXING") is None  # restored


def test_gdal_other_tags_are_parsed_as_written(extract):
    import pyogrio

    raw = pyogrio.read_dataframe(extract, layer="lines", where="osm_id = '104'")
    tags = osm.parse_other_tags(raw["other_tags"].iloc[0])
    assert tags == {"ref": "QL 4D", "destination": QUOTED, "surface": "concrete"}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("QL4D", "QL.4D"),
        ("4D", "QL.4D"),
        ("QL.4D", "QL.4D"),
        ("QL 4D", "QL.4D"),
        ("ql.4d", "QL.4D"),
        ("QL-4D", "QL.4D"),
        ("Quốc lộ 4D", "QL.4D"),
        ("279", "QL.279"),
        ("ĐT127", "ĐT.127"),
        ("DT.127", "ĐT.127"),
        ("ĐT 127", "ĐT.127"),
        ("TL127", "ĐT.127"),
        ("đt.127", "ĐT.127"),
        ("\u00d0T127", "ĐT.127"),
        ("Tỉnh lộ 127", "ĐT.127"),
        ("CT05", "CT.05"),
        ("CT.5", "CT.05"),
        ("ct 05", "CT.05"),
        ("QL.4D;QL12", "QL.4D;QL.12"),
        ("QL4D; 4D ;QL.12", "QL.4D;QL.12"),
        ("AH14", "AH14"),
        ("Đường  Trần Phú", "Đường Trần Phú"),
        ("Đe\u0300o", "Đèo"),  # kept as given, but NFC
        ("", None),
        (None, None),
    ],
)
def test_normalise_ref(given, expected):
    assert osm.normalise_ref(given) == expected


@pytest.mark.parametrize(
    ("ref", "highway", "expected"),
    [
        ("QL.4D", "primary", "national"),
        ("ĐT.127;QL.12", "secondary", "national"),
        ("CT.05;QL.4D", "motorway", "expressway"),
        (None, "motorway_link", "expressway"),
        (None, "trunk", "other"),
        ("AH14", "trunk", "other"),
        ("ĐT.127", "primary", "provincial"),
    ],
)
def test_road_class(ref, highway, expected):
    assert osm.road_class(ref, highway) == expected


# --- errors --------------------------------------------------------------------------------------


def test_errors_of_reading(tmp_path, province):
    with pytest.raises(InputFileError, match=r"does not exist\. Download the extract"):
        osm.read_osm_roads(tmp_path / "vietnam-latest.osm.pbf", province)
    fake = tmp_path / "roads.osm.pbf"
    gpd.GeoDataFrame(geometry=[shapely.Point(103.4, 22.4)], crs=4326).to_file(
        tmp_path / "x.geojson"
    )
    fake.write_bytes((tmp_path / "x.geojson").read_bytes())
    with pytest.raises(InputFileError, match=r"not an OSM PBF file .*renamed"):
        osm.read_osm_roads(fake, province)
    xml = tmp_path / "roads.osm"
    xml.write_bytes((tmp_path / "x.geojson").read_bytes())
    with pytest.raises(InputFileError, match=r"not an OSM XML file \(no <osm> root"):
        osm.read_osm_roads(xml, province)
    with pytest.raises(InputFileError, match=r"compressed; .*\(bunzip2"):
        osm.read_osm_roads(tmp_path / "vietnam-latest.osm.bz2", province)


def test_error_no_roads_left(tmp_path, province):
    hanoi = write_xml(
        tmp_path / "hanoi.osm",
        ways={1: ([1, 2], {"highway": "trunk"})},
        nodes={1: (105.80, 21.00), 2: (105.85, 21.03)},
    )
    with pytest.raises(
        LayerError,
        match=r"no road of class\(es\) motorway, .*tertiary_link "
        r"in the bounding box .*\(bounding box lon 102\.\d+ \.\. 103\.\d+, lat "
        r"21\.\d+ \.\. 22\.\d+\)\. .*--highway",
    ):
        osm.read_osm_roads(hanoi, province)
    sapa = write_xml(tmp_path / "sapa.osm", ways={109: WAYS[109]})
    with pytest.raises(LayerError, match=r"inside the area \(all were cut away by the clip\)"):
        osm.read_osm_roads(sapa, province)
    paths = write_xml(tmp_path / "paths.osm", ways={106: WAYS[106], 108: WAYS[108]})
    with pytest.raises(LayerError, match=r"no road of class\(es\) motorway"):
        osm.read_osm_roads(paths, province)


def test_error_unknown_class_and_bad_area(extract, province):
    with pytest.raises(
        LayerError,
        match=r"unknown road class\(es\) \['footway'\]; use OSM "
        r"highway values among motorway, .*, unclassified, track, residential",
    ):
        osm.highway_classes(["track", "footway"])
    with pytest.raises(LayerError, match=r"unknown road class\(es\) \['path'\]"):
        osm.read_osm_roads(extract, province, highways=["primary", "path"])
    with pytest.raises(CRSError, match=r"the area to clip to.*need a projected CRS"):
        osm.read_osm_roads(extract, province.to_crs(4326))


# --- matching ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def matched(extract, roads):
    return osm.alignments_from_extract(extract, roads)


def test_line_merge_alone_cannot_give_the_segment(osm_roads):
    """Why match_alignments takes a shortest path: the dual carriageway at Lai Châu city."""
    ql4d = osm_roads[osm_roads["osm_id"].isin([101, 102, 103, 104, 110, 111])]
    assert shapely.line_merge(shapely.union_all(ql4d.geometry.values)).geom_type == (
        "MultiLineString"
    )


def test_segment_matched_to_its_ways(matched, roads, store_copy_session):
    report = matched.report.set_index("segment_id")
    assert report.loc["S06", "status"] == "matched"
    # the forms QL4D, 4D, QL.4D; one carriageway; not the slip road (112) nor the branch to
    # Sa Pa (104)
    assert report.loc["S06", "osm_ids"] == "101;102;103;110"
    line = matched.alignments.set_index("segment_id").loc["S06"]
    # hand computation: nodes 1-6 (Tam Đường to Lai Châu city, both ends on waypoints) on
    # way 102's bend, not on the shorter slip road 112
    expected_km = _geodesic_km([1, 2, 3, 22, 4, 5, 6])
    assert line.geometry.length / 1000 == pytest.approx(expected_km, rel=1e-4)
    assert report.loc["S06", "alignment_km"] == pytest.approx(expected_km, rel=1e-4)
    wp = read_layer("plan_waypoints", province="lai_chau", layers_dir=store_copy_session)
    wp = wp.set_index("id").geometry
    start, end = shapely.get_coordinates(line.geometry)[[0, -1]]
    assert shapely.Point(start).distance(wp["tam_duong"]) < 0.02  # oriented from → to
    assert shapely.Point(end).distance(wp["lc_city"]) < 0.02
    assert line["road_ref"] == "QL.4D"
    assert line["accuracy"].startswith("OpenStreetMap ways 101;102;103;110 (ref QL.4D)")
    assert line["source"] == (
        f"OpenStreetMap contributors, ODbL-1.0, extract lai_chau_test.osm of {TIMESTAMP}"
    )
    # the branch: Tam Đường – Bình Lư – Ô Quy Hồ – Sa Pa, over the border (not clipped)
    assert report.loc["S11", "status"] == "matched" and report.loc["S11", "osm_ids"] == "104"
    assert matched.alignments.crs == roads.crs


def test_unmatched_segments_say_why(matched, store_copy_session):
    report = matched.report.set_index("segment_id")
    assert set(report.index) == {f"S{i:02d}" for i in range(1, 17)}
    assert set(matched.alignments["segment_id"]) == {"S06", "S11"}  # nothing invented
    detail = report["detail"]
    for sid in ("S01", "S14", "S15"):  # a connector, a planned expressway, a tunnel
        assert detail[sid].startswith("not a road number (QL.n, ĐT.n, CT.nn; a planned road")
    assert report.loc["S14", "road_ref"] == "Cao tốc Bảo Hà – Lai Châu (quy hoạch)"
    assert detail["S05"] == "no OSM way with ref QL.32 within 5 km of the schematic line"
    # QL.4D reaches 1.7 km past Lai Châu city towards Mường So: S07 is only begun in OSM
    wp = read_layer("plan_waypoints", province="lai_chau", layers_dir=store_copy_session)
    far_km = (
        wp.set_index("id").geometry["muong_so"].distance(shapely.Point(_planning_xy([NODES[7]])[0]))
        / 1000
    )
    assert f"pass {far_km:.1f} km from 'muong_so' (> 3 km): OSM holds only part" in detail["S07"]
    # the ĐT.127 stub is at Mường Tè; S10's other end (Nậm Nhùn) is far from it
    assert "ref ĐT.127 pass" in detail["S10"] and "'nam_nhun'" in detail["S10"]
    assert (report["status"] == "unmatched").sum() == 14


def test_gap_between_ways_is_reported_not_bridged(extract, roads, osm_roads):
    gap = osm_roads[osm_roads["osm_id"] != 102]  # QL.4D without San Thàng's part
    out = osm.match_alignments(gap, roads)
    s06 = out.report.set_index("segment_id").loc["S06"]
    assert s06["status"] == "unmatched"
    gap_km = shapely.LineString(_planning_xy([NODES[3], NODES[4]])).length / 1000
    assert f"do not connect 'tam_duong' to 'lc_city' (gap of {gap_km:.1f} km)" in s06["detail"]
    assert "S06" not in set(out.alignments["segment_id"])


def test_alignments_replace_the_schematic_segment(matched, store_copy_session):
    """What tools/build_plan_layers.py does with the layer: S06 takes the OSM line."""
    src = store_copy_session / "lai_chau" / "_sources"
    seg = pd.read_csv(src / "road_segments.csv", dtype=str)
    wp = read_layer("plan_waypoints", province="lai_chau", layers_dir=store_copy_session)
    built = schematic_lines(seg, wp, alignments=matched.alignments).set_index("segment_id")
    assert built.loc["S06", "geometry_source"].startswith("OpenStreetMap contributors, ODbL")
    assert built.loc["S06", "accuracy"].startswith("OpenStreetMap ways 101;102;103;110")
    assert built.loc["S06", "geometry"].equals(
        matched.alignments.set_index("segment_id").geometry["S06"]
    )
    assert built.loc["S05", "accuracy"] == "schematic"


def test_combine_keeps_surveyed_lines(matched):
    survey = gpd.GeoDataFrame(
        {
            "segment_id": ["S06", "S11"],
            "accuracy": ["survey ±10 m", "OpenStreetMap ways 9"],
            "source": ["field survey", "old OSM import"],
        },
        geometry=[shapely.LineString([(0, 0), (1, 1)])] * 2,
        crs=9205,
    )
    combined, kept = osm.combine_alignments(survey, matched.alignments)
    assert kept == ["S06"]
    by_id = combined.set_index("segment_id")
    assert by_id.loc["S06", "source"] == "field survey"  # a survey wins over OSM
    assert by_id.loc["S11", "source"].startswith("OpenStreetMap contributors")  # old OSM: replaced
    assert osm.combine_alignments(None, matched.alignments)[1] == []


# --- command line --------------------------------------------------------------------------------


def gis(*args, layers):
    """Run the real `gis` entry point in a subprocess; return (exit code, stdout, stderr)."""
    cmd = [sys.executable, "-c", "from gis.cli import main; main()", *args, "--layers", str(layers)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=300, env=env)
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    return proc.returncode, proc.stdout, proc.stderr


def run(capsys, *args, layers):
    """Run the CLI in this process (fast); return (exit code, stdout, stderr)."""
    from gis.cli import main

    try:
        main([*args, "--layers", str(layers)])
        code = 0
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out
    return code, out.out, out.err


def test_cli_imports_osm_roads_and_alignments(tmp_path, store_copy):
    pbf = write_pbf(tmp_path / "vietnam-latest.osm.pbf")
    os.utime(pbf, (1_780_000_000, 1_780_000_000))
    code, out, err = gis(
        "import", str(pbf), "--as", "osm_roads", "--highway", "track", layers=store_copy
    )
    assert code == 0, err
    assert "kept 9 way(s) of Lai Châu" in out and "track 1" in out
    layer = read_layer("osm_roads", province="lai_chau", layers_dir=store_copy)
    assert sorted(layer["osm_id"]) == sorted([*INSIDE, 108])
    meta = json.loads((store_copy / "lai_chau" / "osm_roads.meta.json").read_text())
    prov = meta["provenance"]
    assert prov["licence"] == "ODbL-1.0" and prov["date"] == "2026-05-28 (file date)"
    assert prov["source"] == "OpenStreetMap contributors; extract vietnam-latest.osm.pbf"
    assert meta["id_column"] == "osm_id" and "track" in meta["title"]

    code, out, err = gis("import", str(pbf), "--as", "road_alignments", layers=store_copy)
    assert code == 0, err
    lines = {line.split()[0]: line.split() for line in out.splitlines() if line[:1] == "S"}
    assert lines["S06"][:5] == ["S06", "QL.4D", "matched", "101;102;103;110", "17.8"]
    assert lines["S05"][:3] == ["S05", "QL.32", "unmatched"]
    assert "not a road number" in " ".join(lines["S14"])
    assert "matched 2 of 16 segment(s); unmatched ones stay schematic." in out
    assert "python tools/build_plan_layers.py" in out
    al = read_layer("road_alignments", province="lai_chau", layers_dir=store_copy)
    assert sorted(al["segment_id"]) == ["S06", "S11"]


def _build_tool():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "build_plan_layers", REPO / "tools" / "build_plan_layers.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
def test_rebuild_takes_the_osm_alignment_and_validates(store_copy, capsys, extract):
    code, _, err = run(capsys, "import", str(extract), "--as", "road_alignments", layers=store_copy)
    assert code == 0, err
    assert _build_tool().main("lai_chau", store_copy) == 0  # the profile's rules pass
    assert "validation: 0 error(s)" in capsys.readouterr().out
    kw = {"province": "lai_chau", "layers_dir": store_copy}
    roads = read_layer("roads", **kw).set_index("segment_id")
    axis = read_layer("orientation_axis", **kw).set_index("segment_id")
    assert roads.loc["S06", "accuracy"].startswith("OpenStreetMap ways 101;102;103;110")
    assert axis.loc["S06", "geometry_source"].startswith("OpenStreetMap contributors, ODbL-1.0")
    assert roads.loc["S06", "geometry"].length / 1000 == pytest.approx(
        _geodesic_km([1, 2, 3, 22, 4, 5, 6]), rel=1e-4
    )
    assert roads.loc["S07", "accuracy"] == "schematic"


def test_cli_errors(tmp_path, store_copy, capsys, extract):
    code, _, err = run(
        capsys, "import", str(tmp_path / "vn.osm.pbf"), "--as", "osm_roads", layers=store_copy
    )
    assert code == 1 and "does not exist" in err and err.count("\n") == 1
    code, _, err = run(
        capsys,
        "import",
        str(extract),
        "--as",
        "osm_roads",
        "--highway",
        "footway",
        layers=store_copy,
    )
    assert code == 1 and "unknown road class(es) ['footway']" in err
    code, _, err = run(capsys, "import", str(extract), "--as", "roads", layers=store_copy)
    assert code == 2 and "--as osm_roads" in err and "--as road_alignments" in err
    code, _, err = run(
        capsys, "import", str(extract), "--as", "osm_roads", "--crs", "EPSG:9205", layers=store_copy
    )
    assert code == 2 and "--crs" in err
    sapa = write_xml(tmp_path / "sapa.osm", ways={109: WAYS[109]})
    code, _, err = run(capsys, "import", str(sapa), "--as", "osm_roads", layers=store_copy)
    assert code == 1 and "cut away by the clip" in err
    assert not (store_copy / "lai_chau" / "osm_roads.geojson").exists()


def test_cli_alignments_keep_a_survey_and_refuse_if_none_match(
    tmp_path, store_copy, capsys, extract
):
    kw = {"province": "lai_chau", "layers_dir": store_copy}
    meta = osm.layer_meta(
        "road_alignments", source="field survey", licence="CC0", extract=extract, crs="EPSG:9205"
    )
    wp = read_layer("plan_waypoints", **kw).set_index("id").geometry
    survey = gpd.GeoDataFrame(
        {
            "segment_id": ["S06"],
            "road_ref": ["QL.4D"],
            "accuracy": ["survey ±10 m"],
            "source": ["field survey"],
        },
        geometry=[shapely.LineString([wp["tam_duong"], wp["lc_city"]])],
        crs=9205,
    )
    write_layer(survey, "road_alignments", meta=meta, **kw)
    code, out, err = run(
        capsys, "import", str(extract), "--as", "road_alignments", layers=store_copy
    )
    assert code == 0, err
    assert "kept S06 from the existing road_alignments (not OpenStreetMap)" in out
    al = read_layer("road_alignments", **kw).set_index("segment_id")
    assert al.loc["S06", "source"] == "field survey" and "S11" in al.index

    ql32 = write_xml(tmp_path / "ql32.osm", ways={105: WAYS[105]})  # ĐT.127 stub only
    code, _, err = run(capsys, "import", str(ql32), "--as", "road_alignments", layers=store_copy)
    assert code == 1 and "no segment of 'roads' matched" in err and "Nothing was written" in err
