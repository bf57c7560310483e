"""The plan as the official planning database (Circular 04/2023/TT-BKHĐT): `gis deliver`.

Lai Châu is delivered once into a temporary folder (from a copy of the store: the delivery
updates the ID register in the province folder), read back with pyogrio, then broken on copies.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from conftest import LAYERS
from test_cli import gis

from gis.circular04 import ID_PATTERN, field_specs, load_mapping, themes
from gis.deliver import _representation, deliver_province
from gis.deliver_check import _check_crs, check_delivery
from gis.errors import ProfileError
from gis.profile import load_profile

PACKAGE = "LaiChau.gdb"
GMD = "{http://www.isotc211.org/2005/gmd}"
GCO = "{http://www.isotc211.org/2005/gco}"


@pytest.fixture(scope="module")
def delivered(tmp_path_factory):
    """(store root, delivery folder, report) of one delivery of Lai Châu."""
    root = tmp_path_factory.mktemp("deliver")
    store = root / "layers"
    shutil.copytree(LAYERS, store, ignore=shutil.ignore_patterns(".history", "*.lock"))
    # the location map only: the thematic maps are tested in test_deliver_maps.py
    report = deliver_province("lai_chau", root / "out", layers_dir=store, maps=("III.1",))
    return store, root / "out", report


def _datasets(gdb: Path) -> dict[str, str]:
    items = pyogrio.read_dataframe(
        gdb, layer="GDB_Items", read_geometry=False, LIST_ALL_TABLES="YES"
    )
    out = {}
    for path in items["Path"].dropna():
        parts = [p for p in str(path).split("\\") if p]
        if len(parts) == 2:
            out[parts[1]] = parts[0]
    return out


def _ids(gdb: Path) -> dict[str, dict[str, str]]:
    """Layer -> {source layer/key: maDoiTuong}."""
    out = {}
    for name, _ in pyogrio.list_layers(gdb):
        df = pyogrio.read_dataframe(gdb, layer=name, read_geometry=False)
        out[name] = dict(zip(df["lopGoc"] + "/" + df["maGoc"], df["maDoiTuong"], strict=True))
    return out


def _errors(out_dir, profile=None):
    return [
        p for ps in check_delivery(out_dir, profile).values() for p in ps if p.severity == "error"
    ]


def test_delivery_reads_back_with_themes_names_ids_and_mandatory_fields(delivered):
    store, out, report = delivered
    gdb = out / PACKAGE
    profile = load_profile("lai_chau", layers_dir=store)
    assert report.package == gdb and report.problems == []
    # FEATURE_DATASET needs GDAL >= 3.6; pyogrio 0.13.0 bundles GDAL 3.12.4
    assert tuple(map(int, report.gdal_version.split(".")[:2])) >= (3, 6)
    layers = {str(n): str(g) for n, g in pyogrio.list_layers(gdb)}
    # measured: 19 layers, 113 features in 7 of the 14 themes
    assert len(layers) == 19 and sum(x.features for x in report.layers) == 113
    datasets = _datasets(gdb)
    assert set(datasets) == set(layers)
    assert set(datasets.values()) == {
        "KinhTeXaHoiDauTu",
        "XayDung",
        "CongThuong",
        "NongNghiepPhatTrienNongThon",
        "TaiNguyenMoiTruong",
        "VanHoaTheThaoDuLich",
        "GiaoThongVanTai",
    }
    assert datasets["HienTrangDoThi_P"] == "XayDung"  # MH01: the circular's own example
    geometry = {"A": "MultiPolygon", "P": "Point", "L": "MultiLineString"}
    seen = set()
    for name, geom in layers.items():
        assert geom == geometry[name[-1]], name
        info = pyogrio.read_info(gdb, layer=name)
        assert info["crs"] == "EPSG:9205"
        df = pyogrio.read_dataframe(gdb, layer=name)
        for spec in field_specs():
            if spec.required == "yes":
                assert df[spec.name].notna().all() and (df[spec.name] != "").all(), (name, spec)
        assert all(f[0].islower() and f.isascii() and f.isalnum() for f in info["fields"])
        theme = next(t for t in themes().values() if t.dataset == datasets[name])
        for value in df["maDoiTuong"]:
            m = ID_PATTERN.fullmatch(value)
            assert m and m.group(1) + m.group(2) == "T12" and m.group(3) == theme.letter, value
            assert value not in seen
            seen.add(value)
        assert set(df["quyHoachBatDau"].dt.date) == {profile.plan.approved}
        assert set(df["quyHoachKetThuc"].dt.date) == {profile.plan.period_end}
        assert df["nguon"].str.len().gt(0).all()
    urban = pyogrio.read_dataframe(gdb, layer="HienTrangDoThi_P")
    assert urban["maDoiTuong"].str.startswith("T12-MH01-").all() and len(urban) == 8


def test_symbol_only_rule(delivered):
    _, out, _ = delivered
    gdb = out / PACKAGE
    # The border economic zone has a legal basis for its boundary in its row: Decision 1185
    zone = pyogrio.read_dataframe(gdb, layer="HienTrangKhuKinhTe_A")
    assert zone["hinhThucTheHien"].tolist() == ["ranh giới"]
    assert "1185/QĐ-TTg ngày 19/06/2025 phê duyệt quy hoạch chung" in zone["canCuPhapLy"][0]
    assert zone["canCuXacDinh"][0].startswith("suy ra: cột source")
    # The city's urban area is stored as its ward polygons, with no legal basis for the urban
    # boundary in the data: a symbol at a point inside it, never a polygon layer
    layers = {str(n) for n, _ in pyogrio.list_layers(gdb)}
    assert not {"DinhHuongDoThi_A", "HienTrangDoThi_A"} & layers
    urban = pyogrio.read_dataframe(gdb, layer="DinhHuongDoThi_P")
    assert len(urban) == 11 and (urban["hinhThucTheHien"] == "ký hiệu").all()
    city = urban[urban["canCuXacDinh"].str.contains("không trích căn cứ pháp lý")]
    assert len(city) == 1 and city["canCuPhapLy"].fillna("").eq("").all()
    ward = gpd.read_file(LAYERS / "lai_chau" / "urban_areas.geojson")
    polygon = ward.loc[ward["urban_id"] == city["maGoc"].iloc[0], "geometry"].iloc[0]
    assert polygon.contains(city.geometry.iloc[0])  # the expected location is inside
    # projects are always symbols: planned roads (expected alignment) and the airport
    for name in ("DinhHuongDuongBo_L", "DinhHuongCangHangKhong_P", "DinhHuongKhuCongNghiep_P"):
        df = pyogrio.read_dataframe(gdb, layer=name, read_geometry=False)
        assert (df["hinhThucTheHien"] == "ký hiệu").all(), name
    # no polygon layer holds a symbol
    for name in (n for n in layers if n.endswith("_A")):
        df = pyogrio.read_dataframe(gdb, layer=name, read_geometry=False)
        assert (df["hinhThucTheHien"] == "ranh giới").all(), name


def test_representation_from_layer_columns_and_derivation():
    profile = load_profile("lai_chau")
    (row,) = [r for r in load_mapping(profile) if r.layer == "DinhHuongKhuKinhTe"]
    square = shapely.box(0, 0, 10, 10)
    own = pd.Series({"representation": "boundary", "legal_basis": "QĐ 1/QĐ-UBND"})
    assert _representation(row, own, square, None) == (
        "ranh giới",
        "QĐ 1/QĐ-UBND",
        "cột representation và legal_basis của lớp",
    )
    no_basis = pd.Series({"representation": "boundary", "legal_basis": ""})
    assert _representation(row, no_basis, square, None)[0] == "ký hiệu"
    cited = pd.Series(
        {
            "source": "Quyết định 12/QĐ-TTg ngày 01/02/2024 phê duyệt quy hoạch "
            "phân khu Khu X; báo chí"
        }
    )
    shown, basis, _ = _representation(row, cited, square, None)
    assert shown == "ranh giới" and basis.endswith("quy hoạch phân khu Khu X")
    # the provincial plan being delivered is no legal basis for a boundary of its own
    assert _representation(row, cited, square, "12/QĐ-TTg")[0] == "ký hiệu"
    press = pd.Series({"source": "báo chí: khu kinh tế 500 ha"})
    assert _representation(row, press, square, None)[0] == "ký hiệu"
    assert _representation(row, cited, shapely.Point(1, 1), None)[0] == "ký hiệu"


def test_redelivery_keeps_ids_and_new_features_get_new_numbers(delivered, tmp_path):
    store, out, _ = delivered
    register = store / "lai_chau" / "circular04_ids.csv"
    before_register = register.read_bytes()
    first = _ids(out / PACKAGE)
    report = deliver_province("lai_chau", tmp_path / "again", layers_dir=store, maps=False)
    assert report.new_ids == 0 and register.read_bytes() == before_register
    assert _ids(tmp_path / "again" / PACKAGE) == first
    # the shipped register gives the same IDs as this delivery (layers unchanged since)
    shipped = pd.read_csv(LAYERS / "lai_chau" / "circular04_ids.csv", dtype=str)
    rows = pd.read_csv(register, dtype=str)
    cols = ["type_code", "source_layer", "source_key", "sequence"]
    assert rows[cols].equals(shipped[cols])
    # drop one feature and add one: the others keep their ID, the new one gets the next number
    copy = tmp_path / "layers"
    shutil.copytree(store, copy, ignore=shutil.ignore_patterns(".history", "*.lock"))
    path = copy / "lai_chau" / "hydropower_plants.geojson"
    plants = gpd.read_file(path)
    plants = plants[plants["plant_id"] != "hp02"].copy()
    extra = plants.iloc[[0]].copy()
    extra["plant_id"], extra["name"] = "hp99", "Nậm Mới"
    from gis.store import write_layer

    write_layer(
        pd.concat([plants, extra], ignore_index=True),
        "hydropower_plants",
        province="lai_chau",
        layers_dir=copy,
    )
    report = deliver_province("lai_chau", tmp_path / "changed", layers_dir=copy, maps=False)
    assert report.new_ids == 1
    changed = _ids(tmp_path / "changed" / PACKAGE)
    old = first["HienTrangNguonDien_P"]
    assert "hydropower_plants/hp02" not in changed["HienTrangNguonDien_P"]
    assert changed["HienTrangNguonDien_P"]["hydropower_plants/hp99"] == "T12-NH02-00000009"
    assert {k: v for k, v in changed["HienTrangNguonDien_P"].items() if k in old} == {
        k: v for k, v in old.items() if k != "hydropower_plants/hp02"
    }
    assert {k: v for k, v in changed.items() if k != "HienTrangNguonDien_P"} == {
        k: v for k, v in first.items() if k != "HienTrangNguonDien_P"
    }


def test_gml_and_iso_metadata_beside_the_geodatabase(delivered):
    _, out, report = delivered
    for layer in report.layers:
        gml = pyogrio.read_dataframe(out / "gml" / f"{layer.name}.gml")
        assert len(gml) == layer.features and gml.crs.to_epsg() == 9205
        assert set(gml["maDoiTuong"]) == set(
            pyogrio.read_dataframe(out / PACKAGE, layer=layer.name, read_geometry=False)[
                "maDoiTuong"
            ]
        )
        root = ET.parse(out / "metadata" / f"{layer.name}.xml").getroot()
        texts = [e.text for e in root.iter(f"{GCO}CharacterString")]
        assert "EPSG:9205" in texts and "VN-2000 / TM-3 103-00" in texts
        assert root.find(f".//{GMD}EX_GeographicBoundingBox") is not None
        begin = root.find(".//{http://www.opengis.net/gml/3.2}beginPosition").text
        assert begin == "2023-12-07"
        west = float(root.find(f".//{GMD}westBoundLongitude/{GCO}Decimal").text)
        assert 102.0 < west < 104.5  # Lai Châu, in WGS 84
    package = ET.parse(out / "metadata" / "LaiChau.xml").getroot()
    assert package.find(f".//{GMD}MD_ScopeCode").get("codeListValue") == "series"


def _break(out: Path, tmp_path: Path, layer: str, change, new_name: str | None = None) -> Path:
    """A copy of the delivery with one layer changed (and perhaps renamed)."""
    copy = tmp_path / "broken"
    shutil.copytree(out, copy)
    gdb = copy / PACKAGE
    dataset = _datasets(gdb)[layer]
    df = change(pyogrio.read_dataframe(gdb, layer=layer))
    pyogrio.write_dataframe(
        df,
        gdb,
        layer=new_name or layer,
        driver="OpenFileGDB",
        layer_options={"FEATURE_DATASET": dataset},
    )
    return copy


def test_check_fails_on_a_bad_id(delivered, tmp_path):
    _, out, _ = delivered
    profile = load_profile("lai_chau")

    def bad(df):
        df.loc[0, "maDoiTuong"] = "T12-MH1-00000001"
        return df

    errors = _errors(_break(out, tmp_path, "HienTrangDoThi_P", bad), profile)
    assert [(p.layer, p.check) for p in errors] == [("HienTrangDoThi_P", "id")]
    assert "'T12-MH1-00000001' is not of the form T12-MH01-00000001" in str(errors[0])


def test_check_fails_on_a_duplicate_or_foreign_id(delivered, tmp_path):
    _, out, _ = delivered

    def dup(df):
        df.loc[1, "maDoiTuong"] = df.loc[0, "maDoiTuong"]
        df.loc[2, "maDoiTuong"] = "T04-MH01-00000003"  # another province's code
        return df

    errors = _errors(_break(out, tmp_path, "HienTrangDoThi_P", dup), load_profile("lai_chau"))
    text = "\n".join(map(str, errors))
    assert "is not unique" in text and "has database code T04, expected T12" in text


def test_check_fails_on_a_missing_mandatory_field(delivered, tmp_path):
    _, out, _ = delivered
    broken = _break(out, tmp_path, "RanhGioiXa_A", lambda df: df.drop(columns="quyHoachKetThuc"))
    errors = _errors(broken)
    assert [(p.layer, p.check) for p in errors] == [("RanhGioiXa_A", "mandatory")]
    assert "mandatory field quyHoachKetThuc is missing" in errors[0].message


def test_check_fails_on_an_empty_mandatory_field(delivered, tmp_path):
    _, out, _ = delivered

    def empty(df):
        df.loc[3, "ten"] = None
        return df

    errors = _errors(_break(out, tmp_path, "RanhGioiXa_A", empty))
    assert len(errors) == 1 and "mandatory field ten is empty in 1 feature(s)" in str(errors[0])


def test_check_fails_on_a_wrong_layer_name_and_geometry(delivered, tmp_path):
    _, out, _ = delivered
    broken = _break(out, tmp_path, "HienTrangCuaKhau_P", lambda df: df, new_name="cua_khau")
    for folder, suffix in (("gml", "gml"), ("metadata", "xml")):
        shutil.copy(
            broken / folder / f"HienTrangCuaKhau_P.{suffix}", broken / folder / f"cua_khau.{suffix}"
        )
    errors = _errors(broken)  # the copy also repeats the IDs of HienTrangCuaKhau_P
    assert {(p.layer, p.check) for p in errors} == {("cua_khau", "name"), ("cua_khau", "id")}
    assert "layer name 'cua_khau' is not TenLop_A|P|L" in str(errors[0])
    # a point layer named _A, and a polygon shown by symbol
    broken2 = _break(
        out, tmp_path / "b", "HienTrangCuaKhau_P", lambda df: df, new_name="HienTrangCuaKhau_A"
    )
    messages = "\n".join(map(str, _errors(broken2)))
    assert "geometry Point but suffix _A means Polygon or MultiPolygon" in messages


def test_check_fails_on_a_polygon_shown_by_symbol(delivered, tmp_path):
    _, out, _ = delivered
    broken = _break(
        out, tmp_path, "HienTrangKhuKinhTe_A", lambda df: df.assign(hinhThucTheHien="ký hiệu")
    )
    errors = _errors(broken, load_profile("lai_chau"))
    assert [(p.layer, p.check) for p in errors] == [("HienTrangKhuKinhTe_A", "symbol")]
    assert "delivered as a point, _P (Art. 8.2.a)" in str(errors[0])


def test_check_crs_is_vn2000():
    # the feature dataset fixes its layers' CRS (GDAL refuses another), so a foreign CRS can only
    # come from another tool: the rule itself
    assert "is not on VN-2000" in str(_check_crs("X_A", "EPSG:32648", None)[0])
    assert _check_crs("X_A", "EPSG:3405", None) == []
    assert "not the delivery CRS EPSG:9205" in str(_check_crs("X_A", "EPSG:3405", "EPSG:9205")[0])
    assert "states no coordinate reference system" in str(_check_crs("X_A", None, None)[0])


def test_cli_deliver_and_check(delivered, tmp_path):
    store, out, _ = delivered
    code, stdout, _ = gis("deliver", "--check", str(out), layers=store)
    assert code == 0 and "conforms: 19 layer(s) checked" in stdout
    broken = _break(out, tmp_path, "HienTrangDoThi_P", lambda df: df.assign(maDoiTuong="X-1"))
    code, stdout, stderr = gis("deliver", "--check", str(broken), layers=store)
    assert code == 1 and "8 error(s) in the delivery" in stderr
    assert "ERROR HienTrangDoThi_P [X-1] id: maDoiTuong 'X-1' is not of the form" in stdout
    code, stdout, _ = gis(
        "deliver", "--province", "cao_bang", "--maps", "III.1", str(tmp_path / "cb"), layers=store
    )
    assert code == 0 and "CaoBang.gdb: 2 layer(s), 57 feature(s)" in stdout
    code, _, stderr = gis("deliver", str(store / "lai_chau" / "out"), layers=store)
    assert code == 1 and "inside the layer store" in stderr


def test_delivery_crs_is_a_profile_setting(tmp_path):
    store = tmp_path / "layers"
    shutil.copytree(LAYERS, store, ignore=shutil.ignore_patterns(".history", "*.lock"))
    path = store / "lai_chau" / "profile.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('[delivery]\ncrs = "EPSG:9205"', '[delivery]\ncrs = "EPSG:3405"'),
        encoding="utf-8",
    )
    profile = load_profile("lai_chau", layers_dir=store)
    assert profile.delivery_crs == "EPSG:3405"
    report = deliver_province(profile, tmp_path / "out", maps=False)
    assert report.problems == [] and report.crs_name == "VN-2000 / UTM zone 48N"
    gdb = tmp_path / "out" / PACKAGE
    assert pyogrio.read_info(gdb, layer="RanhGioiTinh_A")["crs"] == "EPSG:3405"
    # the same delivery checked against the profile's planning CRS is refused
    path.write_text(text, encoding="utf-8")
    errors = _errors(tmp_path / "out", load_profile("lai_chau", layers_dir=store))
    assert {p.check for p in errors} == {"crs", "metadata"}
    assert "is not the delivery CRS EPSG:9205" in str(errors[0])


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("[delivery]\nzone = 48\n", r"unknown setting\(s\) \['zone'\] in \[delivery\]"),
        ('[delivery]\ncrs = "EPSG:4326"\n', "is not a projected VN-2000 CRS"),
        ('[delivery]\ncrs = "EPSG:32648"\n', "is not a projected VN-2000 CRS"),
        ('[delivery]\npackage_name = "Lai Châu"\n', "capitalised words joined"),
        ('[plan]\napproved = "07/12/2023"\n', r"\[plan\] approved = '07/12/2023' is not a date"),
        ("[plan]\napproved = 2023-12-07T10:00:00\n", "is not a date"),
        ("[plan]\napproved = 2023-12-07\nperiod_end = 2020-12-31\n", "is not after approved"),
        ("[delivery]\nmap_scale = 200000\n", r"map_scale = 200000 is not a scale of the map set"),
        ('[delivery]\nmap_scale = "100000"\n', "map_scale = '100000' is not a scale"),
    ],
)
def test_profile_delivery_settings_are_checked(tmp_path, extra, message):
    folder = tmp_path / "x"
    folder.mkdir()
    base = 'slug = "x"\ncode = "99"\nname = "X"\nplanning_crs = "EPSG:9205"\n'
    (folder / "profile.toml").write_text(base + extra, encoding="utf-8")
    with pytest.raises(ProfileError, match=message):
        load_profile("x", layers_dir=tmp_path)


def test_map_scale_is_a_profile_setting(tmp_path, monkeypatch):
    """[delivery] map_scale reaches the map set: the province chooses, no code changes."""
    import gis.deliver_mapset

    store = tmp_path / "layers"
    shutil.copytree(LAYERS, store, ignore=shutil.ignore_patterns(".history", "*.lock"))
    path = store / "lai_chau" / "profile.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("[delivery]\n", "[delivery]\nmap_scale = 250000\n"), encoding="utf-8"
    )
    profile = load_profile("lai_chau", layers_dir=store)
    assert profile.delivery.map_scale == 250_000
    asked = {}
    monkeypatch.setattr(gis.deliver_mapset, "map_set", lambda *a, **kw: asked.update(kw) or [])
    deliver_province(profile, tmp_path / "out", maps=("III.7",), check=False)
    assert asked == {"codes": ("III.7",), "scale": 250_000}
    assert load_profile("lai_chau").delivery.map_scale is None  # Lai Châu: 1:100,000 chosen


def test_profile_plan_dates():
    lai_chau, cao_bang = load_profile("lai_chau"), load_profile("cao_bang")
    assert (str(lai_chau.plan.approved), str(lai_chau.plan.period_end)) == (
        "2023-12-07",
        "2030-12-31",
    )
    assert str(cao_bang.plan.approved) == "2023-11-24"
    assert cao_bang.delivery_crs == cao_bang.planning_crs == "EPSG:9210"


def test_delivery_needs_the_plan_dates(tmp_path):
    store = tmp_path / "layers"
    shutil.copytree(
        LAYERS / "cao_bang", store / "cao_bang", ignore=shutil.ignore_patterns(".history", "*.lock")
    )
    path = store / "cao_bang" / "profile.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("approved = 2023-11-24\n", ""), encoding="utf-8"
    )
    with pytest.raises(ProfileError, match=r"\[plan\] lacks \['approved'\]"):
        deliver_province("cao_bang", tmp_path / "out", layers_dir=store)
    assert not (tmp_path / "out").exists()


def test_province_mapping_overrides_the_default(tmp_path):
    store = tmp_path / "layers"
    shutil.copytree(
        LAYERS / "cao_bang", store / "cao_bang", ignore=shutil.ignore_patterns(".history", "*.lock")
    )
    header = (
        (LAYERS.parent / "gis" / "data" / "circular04_mapping.csv")
        .read_text(encoding="utf-8")
        .splitlines()[0]
    )
    own = store / "cao_bang" / "circular04_mapping.csv"
    # Art. 11.2: the province maps its communes to a layer of its own, and drops the outline
    own.write_text(
        header + "\ncommunes,,L,K,07,DonViHanhChinhXa,boundary,,name,maXa=code,"
        "địa giới hành chính,I,own row\nprovince,,,,,,,,,,,I,not delivered: mine\n",
        encoding="utf-8",
    )
    report = deliver_province("cao_bang", tmp_path / "out", layers_dir=store, maps=False)
    assert [(x.name, x.type_code, x.features) for x in report.layers] == [
        ("DonViHanhChinhXa_A", "LK07", 56)
    ]
    assert ("province", 1, "mine") in report.not_delivered
    own.write_text(header + "\ncommunes,,L,K,7,Xa,boundary,,name,,,I,\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="line 2: type_no '7' is not two digits"):
        deliver_province("cao_bang", tmp_path / "out", layers_dir=store)


def test_debian_gdal_opens_the_geodatabase(delivered):
    """Debian's GDAL (3.6 on bookworm; what QGIS on Debian uses) lists the theme datasets."""
    ogrinfo = shutil.which("ogrinfo")
    if ogrinfo is None:
        reason = "ogrinfo not installed (apt-get install gdal-bin)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {reason}: tasks.py installs gdal-bin")
        pytest.skip(reason)
    _, out, _ = delivered
    groups = subprocess.run(
        [ogrinfo, "-ro", "-so", str(out / PACKAGE)], capture_output=True, text=True, timeout=300
    )
    assert groups.returncode == 0, groups.stderr
    assert (
        "Group XayDung:\n  Layer: DinhHuongDoThi_P (Point)\n  Layer: HienTrangDoThi_P "
        "(Point)" in groups.stdout
    )
    assert groups.stdout.count("Group ") == 7 and groups.stdout.count("Layer: ") == 19
    proc = subprocess.run(
        [ogrinfo, "-ro", "-so", "-al", str(out / PACKAGE)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Layer name: HienTrangKhuKinhTe_A" in proc.stdout
    assert "maDoiTuong: String" in proc.stdout and "quyHoachBatDau: DateTime" in proc.stdout
    assert 'ID["EPSG",9205]' in proc.stdout


def test_location_map_as_georeferenced_geotiff(delivered):
    """Phụ lục I III.1 at 1:1,000,000, 300 dpi, georeferenced in the delivery CRS."""
    import numpy as np
    import rasterio

    _, out, report = delivered
    path, pdf = report.maps
    assert path == out / "maps" / "SoDoViTriCacMoiQuanHe_III1.tif"
    assert pdf == path.with_suffix(".pdf") and pdf.read_bytes()[:5] == b"%PDF-"
    with rasterio.open(path) as tif:
        assert tif.crs.to_epsg() == 9205 and tif.count == 3
        tags = tif.tags()
        assert tags["TIFFTAG_XRESOLUTION"] == "300" and tags["SCALE"] == "1:1000000"
        # one pixel is 1/300 inch on paper: 84.67 m of ground at 1:1,000,000
        assert tif.res == pytest.approx((1e6 * 0.0254 / 300,) * 2)
        # measured: a sheet of 272 x 317 mm, 3211 x 3743 pixels
        assert (tif.width, tif.height) == (3211, 3743)
        zone = pyogrio.read_dataframe(out / PACKAGE, layer="HienTrangKhuKinhTe_A")
        inside = zone.geometry.iloc[0].representative_point()
        row, col = tif.index(inside.x, inside.y)
        rgb = tif.read(window=((row, row + 1), (col, col + 1)))[:, 0, 0]
    # the economic zone's fill is drawn where the geotransform puts the zone (±1 pixel)
    assert np.abs(rgb.astype(int) - [0xF4, 0xB6, 0xC2]).max() <= 12, rgb
    gdalinfo = shutil.which("gdalinfo")
    if gdalinfo:  # Debian's GDAL reads the georeferencing too
        info = subprocess.run([gdalinfo, str(path)], capture_output=True, text=True, timeout=120)
        assert 'PROJCRS["VN-2000 / TM-3 103-00"' in info.stdout
        assert "Pixel Size = (84.666666666666" in info.stdout
        info = subprocess.run([gdalinfo, str(pdf)], capture_output=True, text=True, timeout=120)
        assert 'PROJCRS["VN-2000 / TM-3 103-00"' in info.stdout and "DPI=300" in info.stdout


def _project_xml(out: Path) -> ET.Element:
    import zipfile

    with zipfile.ZipFile(out / "LaiChau.qgz") as zf:
        assert zf.namelist() == ["LaiChau.qgs"]
        return ET.fromstring(zf.read("LaiChau.qgs").decode().split("\n", 1)[1])


def test_qgis_project_of_the_delivery(delivered):
    """LaiChau.qgz beside LaiChau.gdb: every layer once, by theme, points over lines over areas."""
    _, out, report = delivered
    assert report.project == out / "LaiChau.qgz"
    root = _project_xml(out)
    assert root.find("projectCrs/spatialrefsys/authid").text == "EPSG:9205"
    sources = [el.text for el in root.iter("datasource")]
    gdb_layers = sorted(name for name, _ in pyogrio.list_layers(out / PACKAGE))
    assert sorted(s.removeprefix("./LaiChau.gdb|layername=") for s in sources) == gdb_layers
    # the relative source opens the delivered layer with its features
    layer = sources[0].split("layername=")[1]
    assert len(pyogrio.read_dataframe(out / PACKAGE, layer=layer)) == next(
        x.features for x in report.layers if x.name == layer
    )
    groups = {
        g.get("name"): [leaf.get("source").split("=")[1] for leaf in g.findall("layer-tree-layer")]
        for g in root.find("layer-tree-group").findall("layer-tree-group")
    }
    datasets = _datasets(out / PACKAGE)
    for group, members in groups.items():
        assert {datasets[m] for m in members} == {group.rsplit("(", 1)[1].rstrip(")")}, group
    assert "Xây dựng (XayDung)" in groups and len(groups) == 7
    kinds = {el.find("id").text: el.get("geometry") for el in root.iter("maplayer")}
    order = root.find("layer-tree-group/custom-order")
    assert order.get("enabled") == "1"
    drawn = [kinds[item.text] for item in order]
    assert drawn == sorted(drawn, key=["Point", "Line", "Polygon"].index) and len(drawn) == 19
    # planned layers dashed, in their theme's colour
    by_name = {el.find("datasource").text.split("=")[1]: el for el in root.iter("maplayer")}
    planned = by_name["DinhHuongDuongBo_L"].find(".//Option[@name='line_style']")
    existing = by_name["HienTrangDuongBo_L"].find(".//Option[@name='line_style']")
    assert (planned.get("value"), existing.get("value")) == ("dash", "solid")
    color = by_name["HienTrangDuongBo_L"].find(".//Option[@name='line_color']").get("value")
    assert color.startswith("211,84,0,")  # theme S, #d35400 in circular04_themes.csv


def test_qgis_project_of_the_delivery_opens_in_real_qgis(delivered):
    from test_qgis import PYQGIS

    if PYQGIS is None:
        pytest.skip("needs PyQGIS on the system Python: apt-get install -y qgis python3-qgis")
    _, out, report = delivered
    script = (
        "import os, sys\n"
        "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from qgis.core import QgsApplication, QgsProject\n"
        "app = QgsApplication([], False); app.initQgis()\n"
        f"p = QgsProject.instance(); assert p.read({str(out / 'LaiChau.qgz')!r})\n"
        "layers = list(p.mapLayers().values())\n"
        "print('crs', p.crs().authid())\n"
        "print('valid', sum(la.isValid() for la in layers), len(layers))\n"
        "print('features', sum(la.featureCount() for la in layers))\n"
        "print('order', p.layerTreeRoot().hasCustomLayerOrder())\n"
        "sys.stdout.flush(); os._exit(0)\n"
    )
    proc = subprocess.run(
        [PYQGIS, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    lines = dict(line.split(" ", 1) for line in proc.stdout.splitlines() if " " in line)
    assert lines.get("crs") == "EPSG:9205", proc.stdout + proc.stderr[-2000:]
    assert lines["valid"] == "19 19"
    assert int(lines["features"]) == sum(x.features for x in report.layers)
    assert lines["order"] == "True"
