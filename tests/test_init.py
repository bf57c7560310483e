"""`gis init`: a new province from the national data files, on a small extract of them.

The extract (tests/fixtures/national_extract/, cut by tools/make_national_extract.py) holds the
rows of Lai Châu (12), Cao Bằng (04) and Tuyên Quang (08, merged in 2025 from 02 and 08) in the
layout of the national data folder, so no test reads the project's shared data. Expected values
come from elsewhere: the official area of Lai Châu, the published census totals, the EPSG
registry, and the curated census layer of layers/cao_bang.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pandas as pd
import pyproj
import pytest
from conftest import FIXTURES, LAYERS, REPO

from gis.census import match_census_names
from gis.crs import VN2000_TOWGS84, tm3_epsg
from gis.errors import CRSError, InputFileError, ProfileError
from gis.newprovince import NATIONAL_FILES, init_province, tm3_meridians
from gis.store import layer_meta, read_layer
from gis.validate import validate_province

EXTRACT = FIXTURES / "national_extract"
LAI_CHAU_OFFICIAL_KM2 = 9068.73  # area listed with Resolution 202/2025/QH15 (DOMAIN.md)
LAI_CHAU_CENSUS = (460_196, 81_889)  # 2019 census, persons: total, urban (GSO)


def gis(*args, env=None):
    """Run the real `gis` entry point; return (exit code, stdout, stderr), never a traceback."""
    cmd = [sys.executable, "-c", "from gis.cli import main; main()", *args]
    env = {**os.environ, **(env or {})}
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=900, env=env)
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture(scope="module")
def lai_chau(tmp_path_factory):
    """Lai Châu initialised from the extract: (layers dir, InitResult)."""
    root = tmp_path_factory.mktemp("init") / "layers"
    return root, init_province("lai_chau_new", "12", EXTRACT, layers_dir=root)


def test_extract_is_small_and_complete():
    files = [p for p in EXTRACT.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 3_000_000
    assert {p.relative_to(EXTRACT).as_posix() for p in files} == {
        rel for rel, _ in NATIONAL_FILES.values()
    }


def test_lai_chau_profile(lai_chau):
    root, result = lai_chau
    p = result.profile
    assert (p.slug, p.code, p.name, p.planning_crs) == (
        "lai_chau_new",
        "12",
        "Lai Châu",
        "EPSG:9205",
    )
    assert p.extra["name_ascii"] == "Lai Chau"
    assert p.official_area_km2 is None  # not in the national files: said in a comment
    text = (root / "lai_chau_new" / "profile.toml").read_text(encoding="utf-8")
    assert "Resolution 202/2025/QH15" in text and "Circular 973/2001/TT-TCĐC" in text
    assert "rtk.com.vn" in text and "EPSG:9205 (VN-2000 / TM-3 103-00)" in text
    assert "Measured at init" in text  # the tolerances say what they were measured on
    assert p.layers == (
        "province",
        "districts_pre2025",
        "communes_2025",
        "commune_crosswalk",
        "population_census_2019",
    )
    checks = sorted(r["check"] for r in p.rules)
    assert checks.count("foreign_key") == 7 and "partition" in checks and "within" in checks


def test_lai_chau_layers(lai_chau):
    root, _ = lai_chau
    communes = read_layer("communes_2025", province="lai_chau_new", layers_dir=root)
    assert len(communes) == 38 and communes.crs.to_epsg() == 9205
    assert set(communes["type"]) == {"Xã", "Phường"}
    province = read_layer("province", province="lai_chau_new", layers_dir=root)
    area = province.area.sum() / 1e6
    assert abs(area / LAI_CHAU_OFFICIAL_KM2 - 1) < 0.01, area
    assert abs(communes["area_km2"].sum() / area - 1) < 0.001
    districts = read_layer("districts_pre2025", province="lai_chau_new", layers_dir=root)
    assert len(districts) == 8
    problems = validate_province(province="lai_chau_new", layers_dir=root)
    assert not [q for qs in problems.values() for q in qs if q.severity == "error"], problems


def test_crosswalk_rows_are_kept_as_they_are(lai_chau):
    root, _ = lai_chau
    layer = read_layer("commune_crosswalk", province="lai_chau_new", layers_dir=root)
    national = pd.read_csv(
        EXTRACT / "vn_communes_crosswalk_2025.csv", dtype=str, keep_default_na=False
    )
    national = national[national["province_code"] == "12"].reset_index(drop=True)
    assert len(layer) == len(national) == 106
    pairs = {
        "code": "old_code",
        "ward2025_code": "new_code",
        "name": "old_name",
        "old_part": "old_part",
        "qa_flag": "qa_flag",
        "suggested_new_code": "suggested_new_code",
    }
    for mine, theirs in pairs.items():
        assert layer[mine].fillna("").tolist() == national[theirs].tolist(), mine


def test_lai_chau_census_match(lai_chau):
    root, result = lai_chau
    c = result.census
    assert (c.population, c.urban) == LAI_CHAU_CENSUS  # every unit of the province is counted
    assert c.units == 108 and c.matched == 106
    # the two communes merged in 2020 (Nậm Loỏng into Sùng Phài, Ma Li Chải into Vàng Ma Chải):
    # not matched by name, listed with their people, not dropped silently
    assert sorted(zip(c.unmatched["name"], c.unmatched["population_persons"], strict=True)) == [
        ("MaLiChải", 1_967),
        ("NậmLoỏng", 2_381),
    ]
    assert c.population_matched == 460_196 - 1_967 - 2_381 == 455_848
    assert round(c.share_pct, 2) == 99.06
    assert c.urban_matched == 81_889  # both merged communes were rural
    layer = read_layer("population_census_2019", province="lai_chau_new", layers_dir=root)
    assert layer["population_persons"].sum() == 455_848
    sung_phai = layer[layer["name"] == "Sùng Phài"].iloc[0]  # moved to Lai Châu city in 2020
    assert sung_phai["code"] == "03403"
    assert sung_phai["match_method"] == "folded name, district changed"
    meta = layer_meta("population_census_2019", province="lai_chau_new", layers_dir=root)
    listed = {
        u["name"]: u["population_persons"] for u in meta["provenance"]["unmatched_census_units"]
    }
    assert listed == {"NậmLoỏng": 2_381, "MaLiChải": 1_967}
    assert "99.06 %" in meta["provenance"]["processing"]
    assert "Xã NậmLoỏng (Lai Châu) 2,381 persons" in meta["notes"]
    lines = "\n".join(result.lines())
    assert "455,848 of 460,196 persons (99.06 %)" in lines and "NậmLoỏng" in lines


def test_schema_matches_cao_bang(lai_chau):
    """Same column names and types as layers/cao_bang for the same layers (a few documented
    columns the national files cannot fill are left out)."""
    root, result = lai_chau
    left_out = {"communes_2025": {"area_km2_source"}}
    for name in result.layers:
        ours = layer_meta(name, province="lai_chau_new", layers_dir=root)
        theirs = json.loads((LAYERS / "cao_bang" / f"{name}.meta.json").read_text("utf-8"))
        assert ours["kind"] == theirs["kind"] and ours.get("id_column") == theirs["id_column"]
        assert ours.get("geometry_type") == theirs.get("geometry_type")
        our_cols = {c["name"]: c["dtype"] for c in ours["columns"]}
        for col in theirs["columns"]:
            if col["name"] in left_out.get(name, ()):
                assert col["name"] not in our_cols
                continue
            assert our_cols.get(col["name"]) == col["dtype"], (name, col["name"])
        for key in ("source", "url", "licence"):
            assert ours["provenance"].get(key), (name, key)


def test_cao_bang_crs_and_census_against_the_curated_layer(tmp_path):
    result = init_province("cb", "4", EXTRACT, layers_dir=tmp_path)
    assert result.profile.planning_crs == "EPSG:9210" and result.profile.code == "04"
    c = result.census
    assert (c.units, c.population, c.urban) == (199, 530_341, 123_407)  # = published census
    assert round(c.share_pct, 2) == 85.31  # 38 communes dissolved in 2020 and renamed ones
    # every name match agrees with the hand-checked layer of layers/cao_bang (overrides and all)
    ours = read_layer("population_census_2019", province="cb", layers_dir=tmp_path)
    curated = pd.read_csv(LAYERS / "cao_bang" / "population_census_2019.csv", dtype=str)
    both = ours.merge(curated, on="census_id", suffixes=("", "_curated"))
    assert len(both) == len(ours) == 152
    assert (both["code"] == both["code_curated"]).all()


def test_meridian_table():
    t = tm3_meridians()
    assert len(t) == 63 and t["province_code_2019"].is_unique
    dms = dict(zip(t["name"], t["central_meridian"], strict=True))
    known = {
        "Lai Châu": "103°00'",
        "Cao Bằng": "105°45'",
        "Sơn La": "104°00'",
        "Lào Cai": "104°45'",
        "Hà Giang": "105°30'",
        "Tuyên Quang": "106°00'",
        "Lạng Sơn": "107°15'",
        "Quảng Ninh": "107°45'",
        "Hải Phòng": "105°45'",
        "Hà Nội": "105°00'",
    }  # DOMAIN.md
    assert {k: dms[k] for k in known} == known
    assert (t["source"] != "").all() and (t["source_url"].str.startswith("https://")).all()
    sourced = t.dropna(subset=["central_meridian_deg"])
    # every sourced meridian has an EPSG code, so no province needs a custom definition
    assert all(tm3_epsg(d) for d in sourced["central_meridian_deg"])
    assert (t["source_url"].str.contains("rtk.com.vn")).sum() == 44  # rows readable there


def test_ha_noi_meridian_is_registered_as_epsg_5897():
    """Hà Nội's 105°00' (DOMAIN.md expected a custom definition): EPSG registers it as
    VN-2000 / TM-3 zone 482 (EPSG:5897), the same projection as the custom TM-3 definition."""
    row = tm3_meridians().set_index("province_code_2019").loc["01"]
    assert (row["name"], row["central_meridian"]) == ("Hà Nội", "105°00'")
    assert tm3_epsg(row["central_meridian_deg"]) == 5897
    custom = pyproj.CRS.from_proj4(
        "+proj=tmerc +lat_0=0 +lon_0=105 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 "
        f"+towgs84={VN2000_TOWGS84} +units=m +no_defs"
    )
    lon, lat = 105.8342, 21.0278  # Hà Nội, on the VN-2000 datum
    a = pyproj.Transformer.from_crs(custom.geodetic_crs, custom, always_xy=True)
    b = pyproj.Transformer.from_crs("EPSG:4756", "EPSG:5897", always_xy=True)
    xa, ya = a.transform(lon, lat)
    xb, yb = b.transform(lon, lat)
    assert abs(xa - xb) < 0.001 and abs(ya - yb) < 0.001
    assert tm3_epsg(103.25) is None  # a meridian EPSG does not register


def test_merged_province_is_refused_without_crs(tmp_path):
    with pytest.raises(CRSError) as err:
        init_province("tq", "08", EXTRACT, layers_dir=tmp_path)
    msg = str(err.value)
    assert "formed in 2025 from 2 provinces of 2019" in msg
    assert "02 Hà Giang: 105°30' (EPSG:9209)" in msg
    assert "08 Tuyên Quang: 106°00' (EPSG:9211)" in msg
    assert "--crs" in msg and not (tmp_path / "tq").exists()
    result = init_province("tq", "08", EXTRACT, crs="EPSG:9211", layers_dir=tmp_path)
    assert result.profile.planning_crs == "EPSG:9211"
    assert "given with --crs" in (tmp_path / "tq" / "profile.toml").read_text("utf-8")


def test_crs_option_overrides_and_is_checked(tmp_path):
    result = init_province("lc", "12", EXTRACT, crs="EPSG:3405", layers_dir=tmp_path)
    assert result.profile.planning_crs == "EPSG:3405"
    custom = f"+proj=tmerc +lon_0=103 +k=0.9999 +x_0=500000 +ellps=WGS84 +towgs84={VN2000_TOWGS84}"
    for crs, text in (
        (custom, "has no EPSG code"),
        ("EPSG:4326", "not a projected CRS"),
        ("nonsense", "not a CRS PROJ knows"),
    ):
        with pytest.raises(CRSError, match=text):
            init_province("other", "12", EXTRACT, crs=crs, layers_dir=tmp_path)
    assert not (tmp_path / "other").exists()


def test_errors(tmp_path):
    with pytest.raises(ProfileError, match=r"Valid codes: 04 Cao Bằng, 08 Tuyên Quang, 12 Lai"):
        init_province("x", "99", EXTRACT, layers_dir=tmp_path)
    with pytest.raises(ProfileError, match="is not allowed"):
        init_province("Lai Chau", "12", EXTRACT, layers_dir=tmp_path)
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "keep.txt").write_text("mine")
    with pytest.raises(ProfileError, match="already exists: gis init never overwrites"):
        init_province("taken", "12", EXTRACT, layers_dir=tmp_path)
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["keep.txt"]
    partial = tmp_path / "national"
    shutil.copytree(EXTRACT, partial)
    (partial / "population" / "vn_ward_population_2019_census.csv").unlink()
    with pytest.raises(InputFileError) as err:
        init_province("x", "12", partial, layers_dir=tmp_path)
    assert "lacks 1 file(s)" in str(err.value)
    assert "population/vn_ward_population_2019_census.csv: the 2019 census" in str(err.value)
    (partial / "population" / "vn_ward_population_2019_census.csv").write_text("a,b\n1,2\n")
    with pytest.raises(InputFileError, match="lacks column"):
        init_province("x", "12", partial, layers_dir=tmp_path)
    assert not (tmp_path / "x").exists()  # nothing left behind


def test_match_census_names_leaves_ambiguous_units_unmatched():
    census = pd.DataFrame(
        {"district_2019": ["A", "A"], "type": ["Xã", "Xã"], "name": ["TânLập", "PhúcLợi"]}
    )
    units = pd.DataFrame(
        {
            "district_name": ["Huyện B", "Huyện C"],
            "type": ["Xã", "Xã"],
            "name": ["Xã Tân Lập", "Xã Tân Lập"],
            "code": ["1", "2"],
        }
    )
    out = match_census_names(census, units)
    assert out["code"].isna().all()  # two "Tân Lập" elsewhere: no guess
    assert out["match_source"].tolist() == ["no unit of that name in the list"] * 2


def test_cli_init_validate_build(tmp_path):
    layers = tmp_path / "layers"
    code, out, err = gis(
        "init",
        "lai_chau_cli",
        "--province-code",
        "12",
        "--from",
        str(EXTRACT),
        "--layers",
        str(layers),
    )
    assert code == 0, err
    assert "planning CRS EPSG:9205" in out and "communes_2025" in out and "38 rows" in out
    assert "455,848 of 460,196 persons (99.06 %)" in out
    code, out, err = gis(
        "init",
        "lai_chau_cli",
        "--province-code",
        "12",
        "--from",
        str(EXTRACT),
        "--layers",
        str(layers),
    )
    assert code == 1 and "already exists" in err
    code, out, err = gis(
        "init",
        "x",
        "--province-code",
        "12",
        "--from",
        str(tmp_path / "none"),
        "--layers",
        str(layers),
    )
    assert code == 1 and "does not exist" in err
    code, out, _ = gis("validate", "--province", "lai_chau_cli", "--layers", str(layers))
    assert code == 0 and "All 5 layer(s) valid." in out
    env = {"GIS_OUT_DIR": str(tmp_path / "out"), "GIS_MAPS_DIR": str(tmp_path / "maps")}
    code, out, err = gis("build", "--province", "lai_chau_cli", "--layers", str(layers), env=env)
    assert code == 0, err
    assert "built Lai Châu" in out and (tmp_path / "maps" / "index.html").exists()
    assert (tmp_path / "out" / "report.md").exists()


def test_every_new_layer_cites_its_source_in_both_languages(lai_chau):
    """The Vietnamese report prints provenance.source_vi: gis init writes it for every layer."""
    root, _ = lai_chau
    metas = sorted((root / "lai_chau_new").glob("*.meta.json"))
    assert metas
    for path in metas:
        prov = json.loads(path.read_text("utf-8"))["provenance"]
        assert prov["source"] and prov.get("source_vi"), path.name
        assert prov["source_vi"] != prov["source"], path.name
        assert (
            "Tổng điều tra" in prov["source_vi"]
            or "thanglequoc" in prov["source_vi"]
            or ("dvhcvn" in prov["source_vi"])
        ), path.name
