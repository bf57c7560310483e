"""Exchange with QGIS and MapInfo (issue 17, item 5): what GDAL 3.6 (QGIS 3.22 on Debian 12)
would read wrongly or GDAL would split, and what ``gis.io`` does instead (``gis._exchange``).

Files are written the way QGIS and MapInfo write them (GDAL options that give the same bytes;
see each test) and read back with pyogrio and, when installed, Debian's ``ogrinfo``
(``apt-get install gdal-bin``), the GDAL that QGIS uses there.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from shapely.geometry import MultiPoint, Point
from test_io import _cp1258

from gis.errors import InputFileError
from gis.io import read_vector, write_vector

OGRINFO = shutil.which("ogrinfo")


def _ogrinfo(path, *args: str) -> str:
    out = subprocess.run(
        [OGRINFO, "-al", *args, str(path)], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    return out.stdout + out.stderr


def _plants() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": ["HP01", "HP02", "HP03"],
            "name": ["Lai Châu", "Nậm Nhùn", "Sơn La"],
            "in_province": pd.array([True, True, False], dtype="boolean"),
            "checked": [True, False, True],
        },
        geometry=[Point(480000, 2470000), Point(490000, 2480000), Point(520000, 2400000)],
        crs="EPSG:9205",
    )


# --- KML: booleans and the id column --------------------------------------------------------


def test_kml_booleans_are_written_as_integers_gdal_3_6_reads(tmp_path):
    """LIBKML's type="bool" read as 0 for every plant in QGIS 3.22 (GDAL 3.6)."""
    with pytest.warns(
        RuntimeWarning,
        match=r"KML true/false columns 'in_province', 'checked' "
        r"are written as integers 1 \(true\) / 0 \(false\)",
    ):
        path = write_vector(_plants(), tmp_path / "plants.kml")
    text = path.read_text("utf-8")
    assert 'type="bool"' not in text and '<SimpleField name="in_province" type="int"/>' in text
    back = read_vector(path)
    assert back["in_province"].tolist() == [1, 1, 0] and back["checked"].tolist() == [1, 0, 1]
    if OGRINFO:
        out = _ogrinfo(path)
        assert "parsed incompletely" not in out
        assert out.count("in_province (Integer) = 1") == 2
        assert out.count("in_province (Integer) = 0") == 1


def test_kml_id_column_stays_a_field(tmp_path):
    """A column "id" became the Placemark id, which GDAL 3.6 does not read back: it vanished."""
    with pytest.warns(RuntimeWarning, match="KML true/false"):
        path = write_vector(_plants(), tmp_path / "plants.kml")
    assert '<SimpleField name="id" type="string"/>' in path.read_text("utf-8")
    back = read_vector(path)
    assert back["id"].tolist() == ["HP01", "HP02", "HP03"]
    assert [c for c in back.columns if c.startswith("__")] == []
    if OGRINFO:
        out = _ogrinfo(path)
        assert all(f"id (String) = HP0{i}" in out for i in (1, 2, 3))


def test_kml_placemark_ids_of_other_programs_still_read(tmp_path):
    """Google Earth writes ids as Placemark attributes only: they still come back as ``id``."""
    kml = (
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
        '<Document><Placemark id="gate-1"><name>Ma Lù Thàng</name><Point><coordinates>'
        "102.8,22.3</coordinates></Point></Placemark></Document></kml>"
    )
    (tmp_path / "ge.kml").write_text(kml, encoding="utf-8")
    back = read_vector(tmp_path / "ge.kml")
    assert back["id"].tolist() == ["gate-1"] and back["name"].tolist() == ["Ma Lù Thàng"]


# --- MapInfo TAB in Windows Vietnamese -------------------------------------------------------

NAMES = ["Xã Mường Tè", "Phường Đoàn Kết"]


def _cp1258_tab(tmp_path, charset: str):
    """A TAB with cp1258 bytes: QGIS (Save As, encoding windows-1258) writes Charset "Neutral"
    (GDAL has no MapInfo name for cp1258, measured with QGIS 3.22.16), MapInfo Pro writes
    "WindowsVietnamese". The bytes are written as Latin-1 text, so GDAL copies them as they are.
    """
    raw = gpd.GeoDataFrame(
        {"code": ["01", "02"], "ten": [_cp1258(n).decode("latin-1") for n in NAMES]},
        geometry=[Point(480000, 2470000), Point(490000, 2480000)],
        crs="EPSG:9205",
    )
    path = tmp_path / "x.tab"
    pyogrio.write_dataframe(raw, path, driver="MapInfo File", encoding="ISO-8859-1")
    head = path.read_bytes()
    assert b'Charset "Neutral"' in head and _cp1258(NAMES[0]) in (tmp_path / "x.dat").read_bytes()
    path.write_bytes(head.replace(b"Neutral", charset.encode()))
    return path


@pytest.mark.parametrize("charset", ["Neutral", "WindowsVietnamese"])
def test_cp1258_tab_error_says_which_encoding(tmp_path, charset):
    """GDAL's message was "truncated, corrupt"; --encoding cp1258 reads the file."""
    path = _cp1258_tab(tmp_path, charset)
    with pytest.warns(RuntimeWarning) if charset != "Neutral" else _nothing():  # GDAL: no iconv
        with pytest.raises(
            InputFileError,
            match=rf"its text is not UTF-8 \(header: Charset "
            rf'"{charset}"\).*Read it with `--encoding cp1258`',
        ) as err:
            read_vector(path, crs="EPSG:9205")
    assert "corrupt" not in str(err.value)
    with pytest.warns(RuntimeWarning) if charset != "Neutral" else _nothing():
        back = read_vector(path, crs="EPSG:9205", encoding="cp1258")
    assert back["ten"].tolist() == NAMES


class _nothing:  # a context manager that expects nothing (warnings are errors in the tests)
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


# --- Points and MultiPoints -------------------------------------------------------------------


def _sites() -> gpd.GeoDataFrame:
    """Like pillar_sites: 11 points and a MultiPoint of 2 (a site at both ends of a road)."""
    points = [Point(480000 + 1000 * i, 2470000) for i in range(11)]
    geoms = [
        *points[:3],
        MultiPoint([(584006.54, 2472366.05), (564179.23, 2472055.88)]),
        *points[3:],
    ]
    return gpd.GeoDataFrame(
        {"site_id": [f"S{i:02d}" for i in range(12)]}, geometry=geoms, crs="EPSG:9205"
    )


def test_tab_refuses_multipoints_of_several_points(tmp_path):
    """GDAL's MapInfo writer made 13 features of 12, S03 twice; now the export is refused."""
    with pytest.raises(
        InputFileError,
        match=r"1 feature\(s\) \(rows 3\) are MultiPoints of "
        r"several points \(2 points\).*splits each.*Export to .gpkg",
    ):
        write_vector(_sites(), tmp_path / "sites.tab")
    assert not list(tmp_path.iterdir())


def test_tab_writes_one_point_multipoints_as_points(tmp_path):
    sites = _sites()
    sites.loc[3, "geometry"] = MultiPoint([(584006.54, 2472366.05)])
    back = read_vector(write_vector(sites, tmp_path / "sites.tab"))
    assert len(back) == 12 and set(back.geom_type) == {"Point"}
    assert back["site_id"].is_unique


def test_shapefile_of_points_and_multipoints_is_written_as_multipoints(tmp_path):
    """GDAL refused ("non-point (MULTIPOINT) geometry to point shapefile")."""
    with pytest.warns(
        RuntimeWarning,
        match=r"its 11 Point\(s\) are written as one-point "
        "MultiPoints",
    ):
        path = write_vector(_sites(), tmp_path / "sites.shp")
    back = read_vector(path)
    assert len(back) == 12 and set(back.geom_type) == {"MultiPoint"}
    assert shapely.get_num_geometries(back.geometry.values).tolist() == [1] * 3 + [2] + [1] * 8
    if OGRINFO:
        out = _ogrinfo(path, "-so")
        assert "Geometry: Multi Point" in out and "Feature Count: 12" in out


# --- dates ------------------------------------------------------------------------------------


def _dated() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "name": ["Xã Mường Tè", "Phường Đoàn Kết"],
            "approved": pd.to_datetime(["2023-12-07", None]).astype("datetime64[ms]"),
        },
        geometry=[Point(480000, 2470000), Point(490000, 2480000)],
        crs="EPSG:9205",
    )


@pytest.mark.parametrize("ext", [".gpkg", ".shp", ".tab", ".geojson"])
def test_dates_are_written_as_date_fields(tmp_path, ext):
    """pyogrio wrote DateTime (GeoPackage, TAB) or text (Shapefile "2023-12-07T00:00:00.000")."""
    path = write_vector(_dated(), tmp_path / f"d{ext}")
    info = pyogrio.read_info(path)
    assert info["ogr_types"][list(info["fields"]).index("approved")] == "OFTDate"
    back = read_vector(path)
    assert back["approved"].iloc[0] == pd.Timestamp("2023-12-07")
    assert pd.isna(back["approved"].iloc[1]) and back["name"].tolist() == _dated()["name"].tolist()
    if OGRINFO:
        out = _ogrinfo(path)
        assert "approved: Date" in out and "approved (Date) = 2023/12/07" in out
        assert "partially supported" not in out  # GeoPackage 1.2, which GDAL 3.6 knows


def test_kml_dates_stay_text(tmp_path):
    back = read_vector(write_vector(_dated(), tmp_path / "d.kml"))
    assert back["approved"].iloc[0] == "2023-12-07T00:00:00"


def test_qgis_date_field_is_imported_as_date_and_exported_as_date(tmp_path, store_copy):
    """A GeoPackage saved by QGIS with a Date field (written here by GDAL from a GeoJSON whose
    "2023-12-07" GDAL types as Date, as QGIS's Date field is) became a text column."""
    from gis.cli import main
    from gis.store import layer_meta, read_layer

    src = tmp_path / "plans.geojson"
    feature = {
        "type": "Feature",
        "properties": {"name": "Khu A", "approved": "2023-12-07"},
        "geometry": {"type": "Point", "coordinates": [103.3, 22.4]},
    }
    src.write_text(
        json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8"
    )
    gpkg = tmp_path / "plans.gpkg"
    if shutil.which("ogr2ogr"):  # Debian's GDAL 3.6, the GDAL of QGIS 3.22
        subprocess.run(["ogr2ogr", str(gpkg), str(src)], check=True)
    else:
        data = pyogrio.read_dataframe(src)
        pyogrio.write_dataframe(
            data.assign(approved=data["approved"].dt.date), gpkg, use_arrow=True
        )
    assert pyogrio.read_info(gpkg)["ogr_types"][1] == "OFTDate"
    main(
        [
            "import",
            str(gpkg),
            "--as",
            "plan_dates",
            "--source",
            "test",
            "--licence",
            "CC0-1.0",
            "--layers",
            str(store_copy),
        ]
    )
    meta = layer_meta("plan_dates", province="lai_chau", layers_dir=store_copy)
    assert {c["name"]: c["dtype"] for c in meta["columns"]}["approved"] == "date"
    stored = (store_copy / "lai_chau" / "plan_dates.geojson").read_text("utf-8")
    assert '"approved": "2023-12-07"' in stored
    data = read_layer("plan_dates", province="lai_chau", layers_dir=store_copy)
    assert data["approved"].tolist() == [pd.Timestamp("2023-12-07")]
    out = tmp_path / "out.shp"
    main(["export", "plan_dates", str(out), "--layers", str(store_copy)])
    info = pyogrio.read_info(out)
    assert info["ogr_types"][list(info["fields"]).index("approved")] == "OFTDate"


def test_date_columns_accept_date_text_and_refuse_other_text(store_copy):
    from gis.errors import ValidationError
    from gis.store import read_layer, write_layer

    meta = {
        "title": "dated",
        "kind": "vector",
        "geometry_type": "Point",
        "crs": "EPSG:9205",
        "id_column": "name",
        "columns": [
            {"name": "name", "dtype": "str", "required": True, "unique": True},
            {"name": "approved", "dtype": "date", "required": False},
        ],
        "provenance": {"source": "test", "licence": "CC0-1.0", "date": "", "processing": "test"},
    }
    data = gpd.GeoDataFrame(
        {"name": ["A", "B"], "approved": ["2023-12-07", None]},
        geometry=[Point(480000, 2470000), Point(490000, 2480000)],
        crs="EPSG:9205",
    )
    write_layer(data, "dated", meta=meta, province="lai_chau", layers_dir=store_copy, if_version="")
    back = read_layer("dated", province="lai_chau", layers_dir=store_copy)
    assert back["approved"].iloc[0] == pd.Timestamp("2023-12-07") and pd.isna(back["approved"][1])
    with pytest.raises(ValidationError, match=r"'approved' = .*2023-13-45.* is not a date"):
        write_layer(
            data.assign(approved=["2023-13-45", None]),
            "dated",
            meta=meta,
            province="lai_chau",
            layers_dir=store_copy,
        )
