"""The national picture of Resolution 06-NQ/TW: layers/_national, the statistics table
``national_urbanisation`` and the national web map.

Expected figures are the published ones (population/SOURCES.md of the shared data, DOMAIN.md):
2019 census 96,208,984 people, 33,122,548 urban (34.43 %); Hồ Chí Minh City 8,993,082 at 79.2 %;
Lai Châu 460,196 / 81,889 (17.79 %); Cao Bằng 530,341.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import shapely
from conftest import REPO

from gis.maps import MAP_BUDGET_BYTES, build_maps, read_manifest
from gis.profile import list_profiles, load_profile
from gis.stats import compute_statistics
from gis.store import layer_meta, read_layer, write_layer
from gis.validate import validate_province
from gis.webmap import external_resources

NATIONAL = "_national"
ALL_LAYERS = (
    "provinces_2019",
    "provinces_2025",
    "urbanisation_targets",
    "communes_2025",
    "commune_crosswalk_2025",
    "census_2019",
    "census_merges_2019_2024",
    "census_2019_unmatched",
    "crosswalk_decisions",
)
SLUG = "do_thi_hoa_toan_quoc"
TOTAL, URBAN = 96_208_984, 33_122_548
SHARE = 100.0 * URBAN / TOTAL  # 34.4277... %


def _read(name: str, root: Path):
    return read_layer(name, province=NATIONAL, layers_dir=root)


def _decoded(path: Path) -> str:
    """The page with JSON's \\uXXXX escapes decoded (legend, layer names, labels in scripts)."""
    page = path.read_text(encoding="utf-8")
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), page)


# ----------------------------------------------------------------------------- the store


def test_national_folder_is_not_a_province(store_copy_session):
    assert NATIONAL not in list_profiles(layers_dir=store_copy_session)
    assert "lai_chau" in list_profiles(layers_dir=store_copy_session)
    profile = load_profile(NATIONAL, layers_dir=store_copy_session)  # but the store reads it
    assert profile.planning_crs == "EPSG:3405"
    assert profile.layers == ALL_LAYERS


def test_national_layers_are_valid(store_copy_session):
    results = validate_province(province=NATIONAL, layers_dir=store_copy_session)
    assert set(results) == set(ALL_LAYERS)
    assert not [p for probs in results.values() for p in probs if p.severity == "error"]


def test_2019_census_totals_are_the_published_ones(store_copy_session):
    p19 = _read("provinces_2019", store_copy_session)
    assert len(p19) == 63 and p19["code"].is_unique
    assert p19.crs.to_epsg() == 3405
    for col in ("population_persons", "population_urban_persons", "population_rural_persons"):
        assert str(p19[col].dtype) == "Int64", col  # persons are whole numbers
    assert int(p19["population_persons"].sum()) == TOTAL
    assert int(p19["population_urban_persons"].sum()) == URBAN
    assert round(SHARE, 2) == 34.43
    assert (
        p19["population_urban_persons"] + p19["population_rural_persons"]
        == p19["population_persons"]
    ).all()
    by = p19.set_index("code")
    assert int(by.loc["79", "population_persons"]) == 8_993_082
    assert round(by.loc["79", "urban_pct"], 1) == 79.2
    assert int(by.loc["12", "population_persons"]) == 460_196
    assert int(by.loc["12", "population_urban_persons"]) == 81_889
    assert by.loc["12", "urban_pct"] == pytest.approx(17.79)
    assert int(by.loc["04", "population_persons"]) == 530_341
    assert by.loc["12", "name"] == "Lai Châu" and by.loc["04", "name"] == "Cao Bằng"


def test_quang_ninh_comes_from_the_2025_survey_and_says_so(store_copy_session):
    p19 = _read("provinces_2019", store_copy_session).set_index("code")
    assert "sapnhap" in p19.loc["22", "geometry_source"]
    assert (p19.drop(index="22")["geometry_source"].str.startswith("dvhcvn")).all()
    processing = layer_meta("provinces_2019", province=NATIONAL, layers_dir=store_copy_session)[
        "provenance"
    ]["processing"]
    assert "did not change in 2025" in processing and "different surveys" in processing
    assert "Area change" in processing  # the simplification is measured and stated


def test_34_provinces_take_each_of_the_63_once_and_sum_to_the_census(store_copy_session):
    p19 = _read("provinces_2019", store_copy_session)
    p25 = _read("provinces_2025", store_copy_session)
    assert len(p25) == 34 and p25["code"].is_unique
    members = [c for codes in p25["merged_from_codes"] for c in codes.split(";")]
    assert sorted(members) == sorted(p19["code"])  # every one of the 63 exactly once
    # and the 2019 layer says the same (its province_2025_code)
    back = {
        c: code
        for code, codes in zip(p25["code"], p25["merged_from_codes"], strict=True)
        for c in codes.split(";")
    }
    assert dict(zip(p19["code"], p19["province_2025_code"], strict=True)) == back
    assert int(p25["population_persons"].sum()) == TOTAL
    assert int(p25["population_urban_persons"].sum()) == URBAN
    sums = p19.groupby("province_2025_code")[
        ["population_persons", "population_urban_persons"]
    ].sum()
    mine = p25.set_index("code")[["population_persons", "population_urban_persons"]]
    pd.testing.assert_frame_equal(
        sums.sort_index(), mine.sort_index(), check_names=False, check_dtype=False
    )
    lai_chau = p25.set_index("code").loc["12"]
    assert lai_chau["merged_from_codes"] == "12" and int(lai_chau["population_persons"]) == 460_196


def test_registration_based_2025_population_is_never_used(store_copy_session):
    p25 = _read("provinces_2025", store_copy_session)
    people = [c for c in p25.columns if "pop" in c]
    assert people == ["population_persons", "population_urban_persons", "population_rural_persons"]
    assert int(p25["population_persons"].sum()) == TOTAL  # not the 113.6 million registered
    meta = layer_meta("provinces_2025", province=NATIONAL, layers_dir=store_copy_session)
    assert "population_2025_pkg is deliberately NOT included" in meta["provenance"]["processing"]


def test_boundaries_are_a_light_valid_coverage(store_copy_session):
    for name in ("provinces_2019", "provinces_2025"):
        path = store_copy_session / NATIONAL / f"{name}.geojson"
        assert path.stat().st_size < 2_000_000, name  # well under 2 MB (1.04 and 0.80 MB)
        geoms = _read(name, store_copy_session).geometry.values
        assert shapely.is_valid(geoms).all() and shapely.coverage_is_valid(geoms), name


def test_targets_carry_their_documents(store_copy_session):
    t = _read("urbanisation_targets", store_copy_session).set_index("target_id")
    national = t.loc["national_2030"]
    assert (national["target_pct"], national["comparison"], national["target_year"]) == (
        50.0,
        ">",
        "2030",
    )
    assert "06-NQ/TW" in national["document"] and "148/NQ-CP" in national["document"]
    cao_bang = t.loc["cao_bang_national_average"]
    assert cao_bang["target_rule"] == "national_average" and pd.isna(cao_bang["target_pct"])
    assert "003_571b6cb6d2f6b262.txt" in cao_bang["source"]
    lai_chau = t.loc["lai_chau_2030_draft"]
    assert lai_chau["target_pct"] == 30.0 and lai_chau["status"] == "draft"
    assert "002_b55bb9fd07f1da44.txt" in lai_chau["source"]
    region = t.loc["northern_midlands_2030"]
    assert region["target_pct"] == 40.0 and "96/NQ-CP" in region["document"]
    assert len(region["scope_codes"].split(";")) == 14


#: The tools that write layers/_national, in the order they run (a later one reads earlier ones).
IMPORT_TOOLS = ("tools/import_national.py", "tools/import_national_communes.py")


def test_import_reproduces_the_layers(tmp_path):
    """The import tools on the shared data write the shipped files byte for byte, and every
    shipped file is written by one of them."""
    shared = Path(os.environ.get("GIS_SHARED_DATA", REPO.parent / "shared" / "data"))
    if not (shared / "population" / "vn_provinces63_2019_census_urban.csv").is_file():
        pytest.skip(f"shared data not found at {shared} (set GIS_SHARED_DATA)")
    out = ""
    for tool in IMPORT_TOOLS:
        proc = subprocess.run(
            [sys.executable, tool, str(shared), "--layers", str(tmp_path)],
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=600,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        assert proc.returncode == 0, proc.stderr
        out += proc.stdout
    assert "96,208,984 people, 33,122,548 urban (34.43 %)" in out
    assert "communes_2025: 3,321 units" in out

    def listing(folder: Path) -> list[str]:
        return sorted(f.name for f in folder.iterdir() if f.is_file() and f.name[0] not in ".#")

    written = listing(tmp_path / NATIONAL)
    # census_2019*, census_merges_*, crosswalk_decisions: tools/import_national_census.py, which
    # needs the vietnamadminunits wheel (tests/test_national_census.py checks its layers)
    assert set(written) <= set(listing(REPO / "layers" / NATIONAL))
    assert "communes_2025.parquet" in written and "provinces_2025.geojson" in written
    for name in written:
        assert (tmp_path / NATIONAL / name).read_bytes() == (
            REPO / "layers" / NATIONAL / name
        ).read_bytes(), name


# ----------------------------------------------------------------------------- the table


@pytest.fixture(scope="module")
def table(store_copy_session) -> pd.DataFrame:
    return compute_statistics("lai_chau", layers_dir=store_copy_session)["national_urbanisation"]


def test_table_is_labelled_and_integer(table):
    for key in ("title", "definition", "unit_system", "sources"):
        assert table.attrs[key], key
    assert "_national" in table.attrs["sources"] and "provinces_2019 [" in table.attrs["sources"]
    assert str(table["population_persons"].dtype) == "Int64"
    assert str(table["population_urban_persons"].dtype) == "Int64"


def test_table_national_rows_and_ranks(table):
    for system, n in (("provinces_2019", 63), ("provinces_2025", 34)):
        rows = table[table["unit_system"] == system]
        national = rows[rows["row_kind"] == "national (reference)"].iloc[0]
        assert int(national["population_persons"]) == TOTAL
        assert int(national["population_urban_persons"]) == URBAN
        assert national["urban_pct"] == pytest.approx(SHARE)
        provinces = rows[rows["row_kind"] == "province"]
        assert len(provinces) == n
        assert sorted(provinces["rank_urban_pct"]) == list(range(1, n + 1))  # no ties here
        assert ((provinces["national_urban_pct"] - SHARE).abs() < 1e-9).all()
        assert (provinces["target_2030_pct"] == 50.0).all()
        gap = 50.0 - provinces["urban_pct"]
        assert (provinces["gap_to_target_2030_pct_points"] - gap).abs().max() < 1e-9
    hcm = table.query("unit_system == 'provinces_2019' and code == '79'").iloc[0]
    assert int(hcm["population_persons"]) == 8_993_082 and round(hcm["urban_pct"], 1) == 79.2


def test_table_highlights_the_profile_and_target_provinces(table):
    """Lai Châu (profile code 12) and Cao Bằng (a row in urbanisation_targets), in 2019 and in
    2025 (both kept their boundary: merged_from_codes is the province itself); nothing else."""
    marked = table[table["highlight"].fillna("") != ""]
    got = {(r.unit_system, r.code): r.highlight for r in marked.itertuples()}
    assert set(got) == {
        ("provinces_2019", "12"),
        ("provinces_2019", "04"),
        ("provinces_2025", "12"),
        ("provinces_2025", "04"),
    }
    for system in ("provinces_2019", "provinces_2025"):
        assert got[(system, "12")].startswith("current province (profile)")
        assert "has a target" in got[(system, "12")]
        assert got[(system, "04")] == "has a target (urbanisation_targets)"
    lai_chau = table.query("unit_system == 'provinces_2019' and code == '12'").iloc[0]
    assert (int(lai_chau["population_persons"]), int(lai_chau["population_urban_persons"])) == (
        460_196,
        81_889,
    )
    assert round(lai_chau["urban_pct"], 2) == 17.79
    assert lai_chau["rank_urban_pct"] == 44  # 43 of the 63 provinces are more urban
    cao_bang = table.query("unit_system == 'provinces_2025' and code == '04'").iloc[0]
    assert cao_bang["rank_urban_pct"] == 17


def test_cao_bang_target_is_the_national_average_resolved_from_the_data(table):
    row = table.query("target_id == 'cao_bang_national_average'").iloc[0]
    assert row["row_kind"] == "target indicator"
    assert row["target_pct"] == pytest.approx(SHARE)  # the national census share, 34.43 %
    assert row["urban_pct"] == pytest.approx(100 * 123_407 / 530_341)  # Cao Bằng, 23.27 %
    assert row["gap_to_target_pct_points"] == pytest.approx(SHARE - 100 * 123_407 / 530_341)
    assert row["note"].startswith("target resolved from the data")
    assert row["status"] == "not reached in the 2019 census"
    national = table.query("target_id == 'national_2030'").iloc[0]
    assert national["target_pct"] == 50.0
    assert national["gap_to_target_pct_points"] == pytest.approx(50.0 - SHARE)
    lai_chau = table.query("target_id == 'lai_chau_2030_draft'").iloc[0]
    assert lai_chau["gap_to_target_pct_points"] == pytest.approx(30.0 - 100 * 81_889 / 460_196)


def test_merged_province_is_highlighted_through_the_merged_list(store_copy_session):
    """A profile of pre-2025 Lào Cai (code 10) marks the 2025 Lào Cai (code 15, from 10 and
    15, Yên Bái)."""
    profile = dataclasses.replace(
        load_profile("lai_chau", layers_dir=store_copy_session), code="10"
    )
    table = compute_statistics(profile)["national_urbanisation"]
    current = table[table["highlight"].str.startswith("current", na=False)]
    assert {(r.unit_system, r.code) for r in current.itertuples()} == {
        ("provinces_2019", "10"),
        ("provinces_2025", "15"),
    }
    assert current.query("unit_system == 'provinces_2025'")["merged_from_codes"].iloc[0] == "10;15"


@pytest.mark.parametrize("remove", ["folder", "urbanisation_targets"])
def test_missing_national_layer_says_which_and_how_to_get_it(store_copy, remove):
    if remove == "folder":
        shutil.rmtree(store_copy / NATIONAL)
        expected = ["provinces_2019", "provinces_2025", "urbanisation_targets"]
    else:
        for f in (store_copy / NATIONAL).glob(f"{remove}.*"):
            f.unlink()
        expected = [remove]
    table = compute_statistics("lai_chau", layers_dir=store_copy)["national_urbanisation"]
    assert list(table.columns) == ["status"] and len(table) == 1
    status = table["status"].iloc[0]
    for name in expected:
        assert f"layer _national/{name} missing" in status
    assert "python tools/import_national.py" in status
    assert table.attrs["definition"].startswith("Not computed")


# ----------------------------------------------------------------------------- the map


@pytest.fixture(scope="module")
def built(store_copy_session, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("national") / "maps"
    build_maps(province="lai_chau", layers_dir=store_copy_session, out_dir=out, prints=False)
    return out


def test_map_is_offline_light_vietnamese_and_indexed(built):
    path = built / f"{SLUG}.html"
    size = path.stat().st_size
    assert size < MAP_BUDGET_BYTES  # 0.84 MB measured
    entry = next(m for m in read_manifest(built)["maps"] if m["slug"] == SLUG)
    assert entry["bytes"] == size and entry["missing_layers"] == []
    assert entry["store_layers"] == [
        "_national/provinces_2019",
        "_national/provinces_2025",
        "_national/urbanisation_targets",
    ]
    page = _decoded(path)
    assert external_resources(page) == []
    # class breaks at the national share and the target, one legend per view
    for text in (
        "34,43 % (cả nước) – dưới 50 %",
        "50 % (mục tiêu 2030) – dưới 70 %",
        "63 tỉnh, thành phố",
        "34 tỉnh, thành phố",
        "Ranh giới tỉnh Lai Châu",
        "Tỉnh có mục tiêu đô thị hóa riêng (2019): Cao Bằng",
        "Lai Châu: 17,8 %",
        "Cao Bằng: 23,3 %",
        "bằng mức cả nước",
    ):
        assert text in page, text
    aliases = re.findall(r"let aliases\s*=\s*\[(.*?)\];", page, flags=re.S)
    labels = {a for block in aliases for a in re.findall(r'"((?:[^"\\]|\\.)*)"', block)}
    assert {
        "Tên",
        "Dân số 2019 (người)",
        "Dân số đô thị 2019 (người)",
        "Tỷ lệ dân số đô thị (%)",
    } <= labels
    assert not [a for a in labels if re.fullmatch(r"[a-z0-9_]+", a)]
    # tooltips: persons as Vietnamese integers, the share with a decimal comma
    props = [json.loads(p) for p in re.findall(r'"properties": (\{[^{}]*\})', page)]
    lai_chau = next(p for p in props if p.get("name") == "Lai Châu" and "population_persons" in p)
    assert (lai_chau["population_persons"], lai_chau["population_urban_persons"]) == (
        "460.196",
        "81.889",
    )
    assert lai_chau["urban_pct"] == "17,79"
    index = (built / "index.html").read_text(encoding="utf-8")
    assert f'href="{SLUG}.html"' in index and "Đô thị hóa toàn quốc" in index


def test_map_text_is_html_escaped(store_copy, tmp_path):
    p19 = _read("provinces_2019", store_copy)
    p19.loc[p19["code"] == "04", "name"] = "<img src=x onerror=alert(1)>"
    write_layer(p19, "provinces_2019", province=NATIONAL, layers_dir=store_copy, message="test")
    build_maps(province="lai_chau", layers_dir=store_copy, out_dir=tmp_path, prints=False)
    page = _decoded(tmp_path / f"{SLUG}.html")
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_map_without_national_layers_is_reported(store_copy, tmp_path):
    shutil.rmtree(store_copy / NATIONAL)
    build_maps(province="lai_chau", layers_dir=store_copy, out_dir=tmp_path, prints=False)
    entry = next(m for m in read_manifest(tmp_path)["maps"] if m["slug"] == SLUG)
    assert entry["file"] is None
    assert entry["missing_layers"] == [
        "_national/provinces_2019",
        "_national/provinces_2025",
        "_national/urbanisation_targets",
    ]
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "Không dựng được" in index and "Đô thị hóa toàn quốc" in index


@pytest.mark.browser
def test_national_map_in_chromium(browser, built):
    report = browser.open(built / f"{SLUG}.html", screenshot=f"maps_{SLUG}.png")
    assert report.leaflet == "1.9.4"
    assert report.paths >= 63 + 2  # the 63 provinces and the two outlines
    assert report.errors == []
    assert report.screenshot.stat().st_size > 10_000
    for text in (
        "Đô thị hóa toàn quốc",
        "34,43 % (cả nước) – dưới 50 %: 7 tỉnh",
        "Ranh giới tỉnh Lai Châu",
        "Lai Châu: 17,8 %",
        "Cao Bằng: 23,3 %",
    ):
        assert text in report.text, text
    assert "34 tỉnh, thành phố (ranh giới 2025" not in report.text  # the 2025 view is off
    # switch to the 2025 view: its legend, outlines and labels replace the 2019 ones
    from selenium.webdriver.common.action_chains import ActionChains

    drv = browser.driver
    control = drv.find_element("css selector", ".leaflet-control-layers")
    ActionChains(drv).move_to_element(control).perform()
    radios = drv.find_elements("css selector", ".leaflet-control-layers-base input")
    assert len(radios) == 2
    ActionChains(drv).move_to_element(radios[1]).click().perform()
    drv.implicitly_wait(0)
    legend = ""
    for _ in range(30):
        legend = drv.execute_script("return document.querySelector('.gis-legend').innerText")
        if "ranh giới 2025" in legend:
            break
        drv.execute_script("return new Promise(r => setTimeout(r, 100))")
    assert "ranh giới 2025" in legend and "ranh giới 2019" not in legend
    assert "70 – 100 %: 1 tỉnh" in legend  # Hồ Chí Minh City with Bình Dương, Bà Rịa-Vũng Tàu
    checked = {
        e.find_element("xpath", "..").text.strip(): e.is_selected()
        for e in drv.find_elements("css selector", ".leaflet-control-layers-overlays input")
    }
    assert checked["Ranh giới tỉnh Lai Châu – tỉnh lập quy hoạch (2025)"] is True
    assert checked["Ranh giới tỉnh Lai Châu – tỉnh lập quy hoạch (2019)"] is False
    drv.save_screenshot(str(report.screenshot.with_name(f"maps_{SLUG}_2025.png")))
