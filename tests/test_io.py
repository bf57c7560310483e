"""Tests of gis.io: round trips per format, Vietnamese text, encodings, every error message.

Fixtures are built in code: three polygons (one ring with a hole each) in EPSG:9205 near Lai Châu
(N 2 470 000 m is about 22.3 degrees N on the 103 degrees E meridian).
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import unicodedata
import zipfile

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from shapely.geometry import Point, Polygon

from gis.crs import to_crs
from gis.errors import CRSError, InputFileError
from gis.io import (
    READ_ONLY_FORMATS,
    SUPPORTED_FORMATS,
    read_vector,
    restore_long_names,
    write_vector,
)

NAMES = ["Phường Đoàn Kết", "Xã Sìn Hồ", "Mường Tè"]

# Largest distance (m, in EPSG:9205 after reading back) allowed per format, with its cause:
TOLERANCE_M = {
    ".gpkg": 1e-9,  # binary doubles: exact
    ".shp": 1e-9,
    ".fgb": 1e-9,
    # 7 decimals of a degree (<= 0.55 cm north, 0.52 cm east) + 1.3 mm inverse datum shift
    # (measured 6.8 mm)
    ".geojson": 0.01,
    ".json": 0.01,
    ".kml": 0.002,  # 15 digits, so only the 1.3 mm of the VN-2000 -> WGS 84 -> VN-2000 trip
    ".tab": 0.002,  # 32-bit integers over data +- 1000 km: 0.5 mm steps (measured 1.0 mm)
}
NATIVE_CRS = {".geojson": 4326, ".json": 4326, ".kml": 4326}  # others keep EPSG:9205


def _polygons() -> gpd.GeoDataFrame:
    outer = [
        (480000.12, 2470000.34),
        (486000.56, 2470100.78),
        (485500.9, 2476000.1),
        (479800.3, 2475500.5),
    ]
    hole = [
        (482000.0, 2472000.0),
        (483000.0, 2472000.0),
        (483000.0, 2473000.0),
        (482000.0, 2473000.0),
    ]
    first = Polygon(outer, [hole])
    polys = [
        first,
        shapely.affinity.translate(first, 20000.25, 15000.5),
        shapely.affinity.translate(first, -30000.75, 40000.125),
    ]
    return gpd.GeoDataFrame(
        {"name": NAMES, "population": [12034, 3400, 56789], "area_km2": [1.25, 33.5, 120.75]},
        geometry=polys,
        crs="EPSG:9205",
    )


@pytest.fixture
def gdf() -> gpd.GeoDataFrame:
    return _polygons()


def _max_distance_m(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> float:
    back = to_crs(a, "EPSG:9205")
    return max(x.hausdorff_distance(y) for x, y in zip(back.geometry, b.geometry, strict=True))


# --- round trips ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ext", "driver"),
    [(e, None) for e in TOLERANCE_M] + [(".kml", "KML")],
)
def test_round_trip(tmp_path, gdf, ext, driver):
    path = write_vector(gdf, tmp_path / f"communes{ext}", driver=driver)
    assert path == tmp_path / f"communes{ext}"
    back = read_vector(path)
    assert back.crs.to_epsg() == NATIVE_CRS.get(ext, 9205)
    assert list(back.columns) == ["name", "population", "area_km2", "geometry"]
    assert back["name"].tolist() == NAMES
    assert all(unicodedata.is_normalized("NFC", n) for n in back["name"])
    assert back["population"].tolist() == [12034, 3400, 56789]
    assert back["population"].dtype.kind == "i"
    np.testing.assert_allclose(back["area_km2"], [1.25, 33.5, 120.75], rtol=0, atol=1e-12)
    assert not back.has_z.any()
    assert _max_distance_m(back, gdf) <= TOLERANCE_M[ext]
    assert gdf.crs.to_epsg() == 9205  # input untouched


def test_geojson_is_rfc7946_lon_lat(tmp_path, gdf):
    path = write_vector(gdf, tmp_path / "c.geojson")
    text = path.read_text("utf-8")
    assert '"crs"' not in text  # RFC 7946 has no crs member: always lon/lat
    x, y = read_vector(path).geometry.iloc[0].exterior.coords[0]
    assert 102.5 < x < 103.0 and 22.0 < y < 22.5  # Lai Châu, lon first


def test_zipped_shapefile(tmp_path, gdf):
    write_vector(gdf, tmp_path / "c.shp")
    archive = tmp_path / "c.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            zf.write(tmp_path / f"c{ext}", f"folder/c{ext}")
    back = read_vector(archive)
    assert back["name"].tolist() == NAMES and back.crs.to_epsg() == 9205


def test_zipped_geopackage(tmp_path, gdf):
    write_vector(gdf, tmp_path / "c.gpkg")
    with zipfile.ZipFile(tmp_path / "c.gpkg.zip", "w") as zf:
        zf.write(tmp_path / "c.gpkg", "c.gpkg")
        zf.writestr("README.txt", "source: test fixture")
    back = read_vector(tmp_path / "c.gpkg.zip")
    assert back["name"].tolist() == NAMES and back.crs.to_epsg() == 9205


def test_tab_written_utf8_with_vn2000_datum(tmp_path, gdf):
    path = write_vector(gdf, tmp_path / "c.tab")
    header = path.read_bytes()[:200].decode("ascii")
    assert "!charset UTF-8" in header and 'Charset "UTF-8"' in header
    assert "Phường Đoàn Kết".encode() in (tmp_path / "c.dat").read_bytes()
    assert read_vector(path).crs.to_epsg() == 9205


_TONES = "\u0300\u0301\u0303\u0309\u0323"  # the five tone marks, combining in cp1258


def _cp1258(text: str) -> bytes:
    """Windows-1258 bytes as Vietnamese Windows software writes them: the vowel with its
    breve, circumflex or horn precomposed, the tone mark combining after it."""
    out = b""
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            d = unicodedata.normalize("NFD", ch)
            tone = "".join(m for m in d[1:] if m in _TONES)
            base = unicodedata.normalize("NFC", d[0] + "".join(m for m in d[1:] if m not in _TONES))
            out += base.encode("cp1258") + tone.encode("cp1258")
    return out


@pytest.mark.parametrize("cpg", ["1258", "CP1258", "windows-1258"])
def test_cp1258_shapefile_with_cpg_keeps_every_letter(tmp_path, cpg):
    """QGIS saves Windows-1258 shapefiles with a .cpg "1258"; GDAL's iconv then drops the last
    letter of each value and field name ("Xã Mường Tè" -> "Xã Mường T", "code" -> "cod")."""
    names = ["Xã Mường Tè", "Phường Đoàn Kết"]
    raw = gpd.GeoDataFrame(
        {
            "code": ["01", "02"],
            _cp1258("tên").decode("latin-1"): [_cp1258(n).decode("latin-1") for n in names],
        },
        geometry=[Point(0, 0), Point(1, 1)],
        crs="EPSG:9205",
    )
    pyogrio.write_dataframe(raw, tmp_path / "x.shp", encoding="ISO-8859-1")  # the bytes as is
    (tmp_path / "x.cpg").write_text(cpg, encoding="ascii")
    back = read_vector(tmp_path / "x.shp")
    assert list(back.columns) == ["code", "tên", "geometry"]
    assert back["tên"].tolist() == names and back["code"].tolist() == ["01", "02"]


def test_tab_integers_are_integer_fields_that_gdal_3_6_reads(tmp_path, gdf):
    """int64 became MapInfo LargeInt, which QGIS 3.22 / GDAL 3.6 cannot parse (issue 17)."""
    data = gdf.assign(count=np.array([1, 2, 2**31 - 1], dtype="int64"))
    path = write_vector(data, tmp_path / "c.tab")
    assert (
        pyogrio.read_info(path)["dtypes"][list(pyogrio.read_info(path)["fields"]).index("count")]
        == "int32"
    )
    assert "Integer" in (tmp_path / "c.tab").read_text(encoding="utf-8")
    assert "LargeInt" not in (tmp_path / "c.tab").read_text(encoding="utf-8")
    assert read_vector(path)["count"].tolist() == [1, 2, 2**31 - 1]
    if shutil.which("ogrinfo"):  # Debian's GDAL (3.6 on Debian 12), what QGIS there uses
        out = subprocess.run(
            ["ogrinfo", "-so", "-al", str(path)], capture_output=True, text=True, check=False
        )
        assert out.returncode == 0 and "Failed to parse" not in out.stdout + out.stderr
        assert "Feature Count: 3" in out.stdout


def test_tab_reports_every_value_it_cannot_hold(tmp_path, gdf):
    data = gdf.assign(
        area_ha=[1.5, np.nan, np.nan],
        ok=pd.array([True, None, False]),
        note=["x" * 300, "ngắn", None],
        empty=np.nan,
    )
    with pytest.warns(RuntimeWarning) as caught:
        write_vector(data, tmp_path / "c.tab")
    (message,) = [str(w.message) for w in caught if "MapInfo TAB changes data" in str(w.message)]
    assert "2 empty value(s) of 'area_ha' become 0" in message
    assert "1 empty value(s) of 'ok' become F" in message
    assert "1 value(s) of 'note' are cut to 254 bytes" in message
    assert "'empty'" not in message  # an all-empty column is written as text: nothing changes
    assert message.endswith("Export to .gpkg to keep every value.")


def test_tab_without_losses_writes_without_warning(tmp_path, gdf):
    write_vector(gdf.assign(n=[1, 2, 3]), tmp_path / "c.tab")  # warnings are errors in tests


def test_tab_in_degrees(tmp_path, gdf):
    path = write_vector(to_crs(gdf, "EPSG:4326"), tmp_path / "c.tab")
    back = read_vector(path)
    assert back.crs.to_epsg() == 4326
    assert _max_distance_m(back, gdf) <= 0.003  # measured 1.6 mm (BOUNDS of +- 10 degrees)


def test_tab_with_wgs84_datum_and_tm3_parameters_needs_a_stated_crs(tmp_path, gdf):
    """GDAL's (and QGIS's) TAB writer puts VN-2000 / TM-3 on the WGS 84 datum: read as written
    it lands about 222 m off in Lai Châu (issue 17), so the user must say which it is."""
    gdf.to_file(tmp_path / "plain.tab", driver="MapInfo File")
    with pytest.raises(
        CRSError,
        match=r"parameters of VN-2000 / TM-3 \(EPSG:9205: k 0.9999, "
        r"false easting 500 km\) but on the WGS 84 datum.*lie 22\d m apart "
        r"here. Say which it is: `--crs EPSG:9205`",
    ) as err:
        read_vector(tmp_path / "plain.tab")
    vn2000 = read_vector(tmp_path / "plain.tab", crs="EPSG:9205")
    assert vn2000.crs.to_epsg() == 9205 and _max_distance_m(vn2000, gdf) < 0.02
    keep = re.search(r"--crs '([^']+)'` to keep WGS 84", str(err.value)).group(1)
    wgs = read_vector(tmp_path / "plain.tab", crs=keep)
    assert wgs.crs.to_epsg() is None and "1984" in wgs.crs.datum.name  # WGS 84, as stated


def test_kml_types(tmp_path, gdf):
    data = gdf.assign(flag=[True, False, True])
    with pytest.warns(RuntimeWarning, match="written as integers 1"):  # GDAL 3.6 reads bools as 0
        back = read_vector(write_vector(data, tmp_path / "c.kml"))
    assert back["population"].dtype == "int32"  # written as int32, not int64 (= string)
    assert back["flag"].tolist() == [1, 0, 1]  # tests/test_io_exchange.py
    big = gdf.assign(population=[2**40, 1, 2])  # does not fit int32: KML stores it as text
    back = read_vector(write_vector(big, tmp_path / "big.kml"))
    assert back["population"].tolist() == [str(2**40), "1", "2"]


def test_overwrite_is_atomic_and_removes_stale_parts(tmp_path, gdf):
    write_vector(gdf, tmp_path / "c.shp")
    (tmp_path / "c.qix").write_bytes(b"old spatial index")  # left by another program
    write_vector(gdf.iloc[:1], tmp_path / "c.shp")
    assert len(read_vector(tmp_path / "c.shp")) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "c.cpg",
        "c.dbf",
        "c.prj",
        "c.shp",
        "c.shx",
    ]
    write_vector(gdf, tmp_path / "c.gpkg")
    write_vector(gdf.iloc[:2], tmp_path / "c.gpkg")
    assert len(read_vector(tmp_path / "c.gpkg")) == 2
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_failed_export_leaves_old_file_and_no_temp(tmp_path, gdf):
    write_vector(gdf, tmp_path / "c.shp")
    mixed = gpd.GeoDataFrame(
        {"name": ["a", "b"]}, geometry=[Point(0, 0), gdf.geometry[0]], crs="EPSG:9205"
    )
    with pytest.raises(InputFileError, match=r"cannot export .*c\.shp' as Shapefile"):
        write_vector(mixed, tmp_path / "c.shp")
    assert read_vector(tmp_path / "c.shp")["name"].tolist() == NAMES
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


# --- Vietnamese text -----------------------------------------------------------------------


def test_nfd_input_is_normalised(tmp_path, gdf):
    nfd = gdf.assign(name=[unicodedata.normalize("NFD", n) for n in NAMES]).rename(
        columns={"area_km2": unicodedata.normalize("NFD", "diện_tích")}
    )
    assert nfd["name"].tolist() != NAMES
    pyogrio.write_dataframe(nfd, tmp_path / "nfd.gpkg")  # as macOS tools deliver it
    back = read_vector(tmp_path / "nfd.gpkg")
    assert back["name"].tolist() == NAMES
    assert "diện_tích" in back.columns
    exported = read_vector(write_vector(nfd, tmp_path / "out.fgb"))  # export writes NFC too
    assert exported["name"].tolist() == NAMES


def _shapefile_without_cpg(tmp_path, gdf, encoding: str):
    pyogrio.write_dataframe(gdf, tmp_path / "s.shp", encoding=encoding)  # GDAL's iconv
    (tmp_path / "s.cpg").unlink()
    return tmp_path / "s.shp"


def test_shapefile_without_cpg_utf8(tmp_path, gdf):
    path = _shapefile_without_cpg(tmp_path, gdf, "UTF-8")
    assert read_vector(path)["name"].tolist() == NAMES


def test_shapefile_without_cpg_falls_back_to_cp1258(tmp_path, gdf):
    path = _shapefile_without_cpg(tmp_path, gdf, "CP1258")
    with pytest.warns(UserWarning, match="no .cpg file and its text is not UTF-8; decoded it"):
        back = read_vector(path)
    assert back["name"].tolist() == NAMES
    # why io.py decodes in Python: GDAL's iconv drops the last letter
    gdal = pyogrio.read_dataframe(path, encoding="CP1258")
    assert list(gdal.columns) == ["nam", "populatio", "area_km2", "geometry"]  # a digit is kept
    assert gdal["nam"].tolist() == ["Phường Đoàn Kế", "Xã Sìn Hồ", "Mường T"]
    assert read_vector(path, encoding="cp1258")["name"].tolist() == NAMES


def test_shapefile_wrong_encoding(tmp_path, gdf):
    path = _shapefile_without_cpg(tmp_path, gdf, "CP1258")
    with pytest.raises(
        InputFileError, match=r"cannot decode column 'name' of .* as utf-8: value 'Ph"
    ):
        read_vector(path, encoding="utf-8")
    with pytest.raises(InputFileError, match="unknown encoding 'klingon'; use one of auto"):
        read_vector(path, encoding="klingon")


def test_csv_table(tmp_path):
    nfd = unicodedata.normalize("NFD", "Mường Tè")
    (tmp_path / "t.csv").write_text(
        f"code,name,value,note\n03124,{nfd},1.5,\n00302,Sìn Hồ,2,x\n", encoding="utf-8-sig"
    )
    table = read_vector(tmp_path / "t.csv")
    assert not isinstance(table, gpd.GeoDataFrame)
    assert table["code"].tolist() == ["03124", "00302"]  # zero-padded codes stay text
    assert table["name"].tolist() == ["Mường Tè", "Sìn Hồ"]
    assert table["value"].tolist() == [1.5, 2.0]
    assert table["note"].isna().tolist() == [True, False]


def test_csv_not_utf8(tmp_path):
    (tmp_path / "t.csv").write_bytes("name\nLai Châu\n".encode("cp1258"))
    with pytest.warns(UserWarning, match=r"not UTF-8; decoded it as cp1258.*column\(s\) name"):
        assert read_vector(tmp_path / "t.csv")["name"].tolist() == ["Lai Châu"]
    with pytest.raises(InputFileError, match=r"cannot read .* as utf-8 text"):
        read_vector(tmp_path / "t.csv", encoding="utf-8")
    assert read_vector(tmp_path / "t.csv", encoding="cp1258")["name"].tolist() == ["Lai Châu"]


# --- CRS -----------------------------------------------------------------------------------


@pytest.fixture
def no_prj(tmp_path, gdf):
    write_vector(gdf, tmp_path / "c.shp")
    (tmp_path / "c.prj").unlink()
    return tmp_path / "c.shp"


def test_no_crs_is_refused(no_prj):
    with pytest.raises(CRSError, match=r"does not state its .*--crs EPSG:9205.*\.prj file"):
        read_vector(no_prj)


def test_crs_argument_sets_missing_crs(no_prj, gdf):
    back = read_vector(no_prj, crs="EPSG:9205")
    assert back.crs.to_epsg() == 9205
    assert _max_distance_m(back, gdf) == 0


def test_crs_argument_never_overrides(tmp_path, gdf):
    path = write_vector(gdf, tmp_path / "c.gpkg")
    assert read_vector(path, crs="EPSG:9205").crs.to_epsg() == 9205  # same: fine
    with pytest.raises(CRSError, match=r"VN-2000 / TM-3 103-00 .* EPSG:4326 was given. Drop"):
        read_vector(path, crs="EPSG:4326")


def test_unknown_crs_argument(no_prj):
    with pytest.raises(CRSError, match=r"unknown CRS 'EPSG:99999'; give an EPSG code"):
        read_vector(no_prj, crs="EPSG:99999")


def test_gdal_warnings_name_the_file(tmp_path, gdf):
    path = write_vector(gdf, tmp_path / "c.gpkg")
    data = bytearray(path.read_bytes())
    data[68:72] = b"\x00\x00\x00\x01"  # SQLite application_id: no longer "GPKG"
    path.write_bytes(bytes(data))
    with pytest.warns(RuntimeWarning, match=r"c\.gpkg: GPKG: bad application_id"):
        back = read_vector(path)
    assert back["name"].tolist() == NAMES


def test_geojson_crs84_matches_epsg4326(tmp_path, gdf):
    path = write_vector(gdf, tmp_path / "c.geojson")
    assert read_vector(path, crs="EPSG:4326").crs.to_epsg() == 4326


def _geojson_without_crs_member(path, gdf):
    pyogrio.write_dataframe(gdf, path, driver="GeoJSON")  # in metres, with a "crs" member
    doc = json.loads(path.read_text(encoding="utf-8"))
    del doc["crs"]
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_geojson_in_metres_without_crs_member_takes_crs_argument(tmp_path, gdf):
    path = _geojson_without_crs_member(tmp_path / "m.geojson", gdf)
    with pytest.raises(CRSError, match=r"without a \"crs\" member.*no \.prj.*--crs EPSG:9205"):
        read_vector(path)
    back = read_vector(path, crs="EPSG:9205")
    assert back.crs.to_epsg() == 9205
    assert _max_distance_m(back, gdf) == 0


def test_geojson_in_degrees_without_crs_member_stays_lon_lat(tmp_path, gdf):
    path = _geojson_without_crs_member(tmp_path / "d.geojson", to_crs(gdf, "EPSG:4326"))
    assert read_vector(path).crs.to_epsg() == 4326
    with pytest.raises(CRSError, match=r"states its CRS as WGS 84 .* Drop"):
        read_vector(path, crs="EPSG:9205")


# --- read errors ---------------------------------------------------------------------------


def test_missing_file(tmp_path):
    with pytest.raises(InputFileError, match=r"nope\.gpkg' does not exist"):
        read_vector(tmp_path / "nope.gpkg")


def test_empty_file(tmp_path):
    (tmp_path / "e.geojson").touch()
    with pytest.raises(InputFileError, match=r"e\.geojson' is empty \(0 bytes\)"):
        read_vector(tmp_path / "e.geojson")


@pytest.mark.parametrize("ext", [".gpkg", ".geojson", ".fgb", ".tab"])
def test_truncated_file(tmp_path, gdf, ext):
    full = write_vector(gdf, tmp_path / f"full{ext}").read_bytes()
    (tmp_path / f"cut{ext}").write_bytes(full[: len(full) // 2])
    with pytest.raises(InputFileError, match=r"cut\.\w+': the file is truncated, corrupt"):
        read_vector(tmp_path / f"cut{ext}")


def test_not_really_that_format(tmp_path):
    (tmp_path / "x.fgb").write_text("hello")
    with pytest.raises(InputFileError, match=r"not a \.fgb file \(FlatGeobuf\): its content looks"):
        read_vector(tmp_path / "x.fgb")


def test_unknown_extension(tmp_path):
    (tmp_path / "x.dwg").write_text("x")
    with pytest.raises(InputFileError, match=r"unknown file type '\.dwg'.*\.gpkg \(GeoPackage\)"):
        read_vector(tmp_path / "x.dwg")


@pytest.mark.parametrize(("part", "role"), [(".dbf", "attribute table"), (".shx", "index")])
def test_shapefile_missing_part(tmp_path, gdf, part, role):
    write_vector(gdf, tmp_path / "c.shp")
    (tmp_path / f"c{part}").unlink()
    with pytest.raises(InputFileError, match=f"has no \\{part} file \\(its {role}\\)"):
        read_vector(tmp_path / "c.shp")


def test_zip_problems(tmp_path, gdf):
    write_vector(gdf, tmp_path / "c.shp")
    with zipfile.ZipFile(tmp_path / "nodbf.zip", "w") as zf:
        for ext in (".shp", ".shx", ".prj"):
            zf.write(tmp_path / f"c{ext}", f"c{ext}")
    with pytest.raises(InputFileError, match=r"has no \.dbf file"):
        read_vector(tmp_path / "nodbf.zip")
    with zipfile.ZipFile(tmp_path / "two.zip", "w") as zf:
        zf.write(tmp_path / "c.shp", "a.shp")
        zf.write(tmp_path / "c.shp", "b.shp")
    with pytest.raises(InputFileError, match=r"exactly one data file .*found: a\.shp, b\.shp"):
        read_vector(tmp_path / "two.zip")
    (tmp_path / "bad.zip").write_text("not a zip")
    with pytest.raises(
        InputFileError, match=r"is not a \.zip file .*: its content looks like plain text"
    ):
        read_vector(tmp_path / "bad.zip")


def test_multi_layer_geopackage(tmp_path, gdf):
    path = tmp_path / "m.gpkg"
    pyogrio.write_dataframe(gdf, path, layer="communes")
    pyogrio.write_dataframe(gdf.iloc[:1], path, layer="districts")
    with pytest.raises(InputFileError, match=r"holds 2 layers: communes, districts.*--layer"):
        read_vector(path)
    with pytest.raises(InputFileError, match=r"no layer 'roads'; its layers are: communes, dis"):
        read_vector(path, layer="roads")
    assert len(read_vector(path, layer="districts")) == 1


# --- write errors --------------------------------------------------------------------------


def test_write_unknown_extension(tmp_path, gdf):
    with pytest.raises(InputFileError, match=r"unsupported extension '\.dxf'.*\.fgb"):
        write_vector(gdf, tmp_path / "c.dxf")
    with pytest.raises(InputFileError, match=r"unsupported extension '\.zip'"):
        write_vector(gdf, tmp_path / "c.zip")


def test_supported_formats_documented():
    assert set(READ_ONLY_FORMATS) < set(SUPPORTED_FORMATS)
    writable = {d for e, (d, _) in SUPPORTED_FORMATS.items() if e not in READ_ONLY_FORMATS}
    drivers = pyogrio.list_drivers(write=True)
    assert writable <= set(drivers)


def test_write_needs_crs_geometry_and_folder(tmp_path, gdf):
    with pytest.raises(CRSError, match="'c' has no coordinate reference system"):
        write_vector(gdf.set_crs(None, allow_override=True), tmp_path / "c.gpkg")
    with pytest.raises(InputFileError, match="cannot export a table without geometry"):
        write_vector(pd.DataFrame({"a": [1]}), tmp_path / "c.gpkg")
    with pytest.raises(InputFileError, match=r"folder '.*nowhere' does not exist"):
        write_vector(gdf, tmp_path / "nowhere" / "c.gpkg")


def test_shapefile_long_field_names(tmp_path, gdf, caplog):
    long = gdf.rename(columns={"population": "population_2024", "area_km2": "diện_tích_km2"})
    with pytest.raises(
        InputFileError,
        match=r"limited to 10 bytes .*population_2024, diện_tích_km2\. Rename them \(suggested: "
        r"population_2024 -> population, diện_tích_km2 -> diện_tí\)",
    ):
        write_vector(long, tmp_path / "c.shp")
    assert not list(tmp_path.iterdir())
    with caplog.at_level(logging.WARNING, logger="gis.io"):
        back = read_vector(write_vector(long, tmp_path / "c.shp", shorten_fields=True))
    assert "shapefile field names shortened" in caplog.text
    assert list(back.columns) == ["name", "population", "diện_tí", "geometry"]
    assert back["population"].tolist() == [12034, 3400, 56789]


def test_shortened_names_stay_unique(tmp_path, gdf):
    data = gdf.assign(population_2024=1, population_2025=2)  # "population" is taken
    back = read_vector(write_vector(data, tmp_path / "c.shp", shorten_fields=True))
    assert list(back.columns)[3:5] == ["populati_1", "populati_2"]
    assert back["populati_2"].tolist() == [2, 2, 2]


def test_restore_long_names_maps_shortened_fields_back():
    columns = ["name", "population_2024", "population_2025", "old_district_codes"]
    shortened = pd.DataFrame(columns=["name", "population", "populati_1", "old_distri"])
    back, renames = restore_long_names(shortened, columns)  # names of shorten_fields=True
    assert list(back.columns) == columns
    assert renames == {
        "population": "population_2024",
        "populati_1": "population_2025",
        "old_distri": "old_district_codes",
    }
    cut = pd.DataFrame(columns=["name", "old_distri", "extra"])  # extra: left for validation
    assert restore_long_names(cut, columns)[1] == {"old_distri": "old_district_codes"}


def test_restore_long_names_refuses_an_ambiguous_field():
    # "Population" takes the plain 10-byte name, so the export names the others populati_1/_2;
    # a file whose fields were merely cut to 10 bytes has "population": which year?
    columns = ["Population", "population_2024", "population_2025"]
    cut = pd.DataFrame(columns=["Population", "population"])
    with pytest.raises(InputFileError, match=r"'population' -> 'population_2024' or 'popul"):
        restore_long_names(cut, columns)


def test_no_gdal_trace_in_messages(tmp_path):
    (tmp_path / "x.gpkg").write_bytes(b"SQLite format 3\x00" + os.urandom(200))
    with pytest.raises(InputFileError) as info:
        read_vector(tmp_path / "x.gpkg")
    assert "\n" not in str(info.value) and "Traceback" not in str(info.value)
