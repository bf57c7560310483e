"""Tests of gis._map_communes_national: the national commune map with detail loaded on demand.

Real data: ``tests/data/national_communes_3prov.parquet`` (139 communes of Cao Bằng, Điện Biên
and Lai Châu, 2019 census population for the two profile provinces, none for Điện Biên; built
by ``tests/data/make_national_communes.py``, see ``tests/data/README.md``).
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gis._frames import M2_PER_KM2
from gis._map_communes_national import (
    DETAIL_MAX_HAUSDORFF_M,
    NO_DATA_VI,
    WORK_CRS,
    commune_classes,
    coverage_levels,
    write_national_commune_map,
)
from gis.errors import CRSError, LayerError
from gis.profile import load_profile

DATA = Path(__file__).resolve().parent / "data" / "national_communes_3prov.parquet"
LAYERS = Path(__file__).resolve().parent.parent / "layers"
#: Aims of issue 16: the overview page of the whole country, and its first render.
BUDGET_MB = 5.0
NATIONAL_COMMUNES = 3321


@pytest.fixture(scope="module")
def communes() -> gpd.GeoDataFrame:
    c = gpd.read_parquet(DATA)
    return c.assign(area_km2=c.to_crs(WORK_CRS).geometry.area / M2_PER_KM2)


@pytest.fixture(scope="module")
def provinces(communes) -> pd.DataFrame:
    p = communes[["province_code", "province_name"]].drop_duplicates()
    return p.set_axis(["code", "name"], axis=1)


@pytest.fixture(scope="module")
def profiles():
    return [load_profile(s, layers_dir=LAYERS) for s in ("lai_chau", "cao_bang")]


@pytest.fixture(scope="module")
def levels(communes):
    return coverage_levels(communes.geometry)


@pytest.fixture(scope="module")
def built(communes, provinces, profiles, levels, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("national_communes")
    return write_national_commune_map(
        communes, provinces, out, levels=levels, highlight_codes=[p.code for p in profiles]
    )


def page_data(page: Path) -> dict:
    text = page.read_text(encoding="utf-8")
    return json.loads(re.search(r", D = (\{.*?\}), BUILD = ", text, flags=re.S).group(1))


# ----------------------------------------------------------------------------- geometry


def test_detail_level_stays_within_50_m_of_the_source(levels):
    assert levels.hausdorff_m["detail"] <= DETAIL_MAX_HAUSDORFF_M
    # the vertex-based distance with the edges densified (every 0.25 of a segment) as well
    dense = shapely.hausdorff_distance(levels.source, levels.detail, densify=0.25)
    assert dense.max() <= DETAIL_MAX_HAUSDORFF_M
    # and the overview is a real simplification, coarser than the detail
    n = {k: shapely.get_num_coordinates(getattr(levels, k)).sum() for k in ("overview", "detail")}
    assert n["overview"] < 0.5 * n["detail"]


@pytest.mark.parametrize("level", ["overview", "detail"])
def test_shared_edges_stay_shared(levels, level):
    geoms = getattr(levels, level)
    assert shapely.coverage_is_valid(geoms)
    # no overlaps: the areas add up to the area of the union
    union = shapely.coverage_union_all(geoms)
    assert abs(shapely.area(geoms).sum() - union.area) < 1.0  # m²
    # no new gaps: the union has the holes of the source's union, no more (1 m² slack)
    src_union = shapely.coverage_union_all(levels.clean)
    hole_area = shapely.area(shapely.difference(shapely.envelope(union), union))
    src_hole_area = shapely.area(shapely.difference(shapely.envelope(union), src_union))
    assert abs(union.area - src_union.area) / src_union.area < 0.002
    assert hole_area <= src_hole_area + 0.002 * src_union.area


def test_coverage_levels_cleans_a_broken_coverage():
    # two squares overlapping by 10 m: cleaned, then the edge is shared
    a, b = shapely.box(0, 0, 1000, 1000), shapely.box(990, 0, 2000, 1000)
    lv = coverage_levels(gpd.GeoSeries([a, b], crs=WORK_CRS), overview_m=100, detail_m=5)
    assert lv.cleaned and shapely.coverage_is_valid(lv.detail)
    assert lv.hausdorff_m["detail"] <= 10.0 + 1e-6


# ----------------------------------------------------------------------------- values


def test_classes_from_sums_with_missing_population():
    df = pd.DataFrame(
        {
            "population_persons": [1000, 4000, np.nan, 500],
            "population_urban_persons": [0, 1000, np.nan, 500],
            "area_km2": [100.0, 2.0, 50.0, 0.1],
        }
    )
    cls = commune_classes(df)
    assert cls["urban_pct"].tolist()[:2] == [0.0, 25.0]
    assert cls["urban_class"].tolist() == [0, 1, -1, 3]  # 0 %, > 0 to < 50 %, none, 100 %
    assert cls["density_class"].tolist() == [0, 4, -1, 5]  # 10, 2,000, none, 5,000 /km²


def test_page_values_and_legend(built, communes, profiles):
    data = page_data(built)
    assert len(data["code"]) == len(communes) == 139
    no_pop = communes["population_persons"].isna()
    assert no_pop.sum() == 45  # Điện Biên: no census in the product yet
    for view in data["views"].values():
        assert view["none"] == no_pop.sum()
        assert sum(view["counts"]) + view["none"] == len(communes)
    # Lai Châu's census total (layers/lai_chau/population_census_2019.csv) reaches the map
    census = pd.read_csv(LAYERS / "lai_chau" / "population_census_2019.csv")
    lc = communes["province_code"] == "12"
    assert communes.loc[lc, "population_persons"].sum() == census["population_persons"].sum()
    i = int(np.flatnonzero(lc & communes["population_persons"].notna())[0])
    row = communes.iloc[i]
    pop, share, density, area, estimate = data["values"][i]
    assert pop == f"{int(row['population_persons']):,}".replace(",", ".") + " người"
    assert share.endswith(" %") and density.endswith(" người/km²") and area.endswith(" km²")
    assert estimate == ""  # no split commune in Lai Châu
    j = int(np.flatnonzero(no_pop)[0])
    assert data["values"][j][:3] == [NO_DATA_VI] * 3
    # the profile provinces are highlighted, named from their profiles
    hl = {p["name"] for p in data["provinces"] if p["hl"]}
    assert hl == {p.name for p in profiles}


def test_sizes_scaled_to_the_country(built, communes):
    page_mb = built.stat().st_size / 1e6
    leaflet_mb = 0.16  # inlined Leaflet JS + CSS, paid once
    per_commune = (page_mb - leaflet_mb) / len(communes)
    assert leaflet_mb + per_commune * NATIONAL_COMMUNES < BUDGET_MB
    chunks = sorted((built.parent / f"{built.stem}_files").glob("*.js"))
    assert [c.stem for c in chunks] == ["04", "11", "12"]
    for c in chunks:
        assert c.stat().st_size < 1e6
        assert "http" not in c.read_text(encoding="utf-8")


def test_bad_input_is_refused(communes, provinces, tmp_path):
    with pytest.raises(LayerError, match=r"lack column\(s\) \['area_km2'\]"):
        write_national_commune_map(communes.drop(columns="area_km2"), provinces, tmp_path)
    with pytest.raises(LayerError, match=r"province_code\(s\) \['12'\] are not in"):
        write_national_commune_map(communes, provinces[provinces["code"] != "12"], tmp_path)
    with pytest.raises(CRSError, match="has no coordinate reference system"):
        write_national_commune_map(communes.set_crs(None, allow_override=True), provinces, tmp_path)
    assert not list(tmp_path.iterdir())


def test_rewrite_removes_stale_chunks(communes, provinces, levels, tmp_path):
    stale = tmp_path / "m_files" / "99.js"
    stale.parent.mkdir()
    stale.write_text("old")
    write_national_commune_map(communes, provinces, tmp_path, name="m", levels=levels)
    assert not stale.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.html", "m_files"]


# ----------------------------------------------------------------------------- browser


def _wait(driver, js: str, timeout_s: float = 15.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = driver.execute_script(js)
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {js}")


@pytest.mark.browser
def test_map_in_chromium(browser, built, communes, profiles):
    d = browser.driver
    d.get_log("browser")
    d.get(built.resolve().as_uri())
    _wait(d, "return window.gisCommuneMap && gisCommuneMap.ready")
    state = d.execute_script("return gisCommuneMap")
    # the overview draws every commune, and no chunk is loaded yet
    assert state["overview"] == len(communes) and state["detail"] == 0
    assert state["chunks"] == []
    assert state["ms"]["ready"] < 1500  # the page's own script, 139 communes
    text = d.execute_script("return document.body.innerText")
    assert "Chưa có số liệu dân số" in text and "Tỷ lệ dân số đô thị" in text
    for p in profiles:  # findable: listed first
        assert p.name in text
    browser_shot = d.save_screenshot
    browser_shot(str(Path(__file__).parent / "artifacts" / "national_communes_overview.png"))

    # the density view recolours the same features and swaps the legend
    d.execute_script("document.querySelector('input[value=density]').click()")
    assert "Mật độ dân số năm 2019 (người/km²)" in d.execute_script(
        "return document.querySelector('.gis-legend').innerText"
    )

    # pick Lai Châu in the list: its chunk loads, its communes draw from it
    lai = next(p for p in profiles if p.slug == "lai_chau")
    d.execute_script(
        "Array.from(document.querySelectorAll('.gis-find li'))"
        ".find(li => li.firstChild.textContent === arguments[0]).click()",
        lai.name,
    )
    _wait(d, f"return gisCommuneMap.chunks.includes('{lai.code}') && gisCommuneMap.detail > 0")
    state = d.execute_script("return gisCommuneMap")
    n_lai = int((communes["province_code"] == lai.code).sum())
    assert state["detail"] >= n_lai
    # the detailed edges are drawn: Lai Châu from its chunk, with more vertices
    assert state["levels"][lai.code] == "detail"
    v = state["vertices"]
    assert v["detail:" + lai.code] > 2 * v["overview:" + lai.code]
    d.save_screenshot(str(Path(__file__).parent / "artifacts" / "national_communes_detail.png"))

    # a commune popup: name, province, values with units
    d.execute_script("""
        var input = document.querySelector('.gis-find input');
        input.value = 'muong te'; input.dispatchEvent(new Event('input'));""")
    items = d.execute_script(
        "return Array.from(document.querySelectorAll('.gis-find li')).map(li => li.innerText)"
    )
    assert any("Mường Tè" in t for t in items), items
    d.execute_script(
        "Array.from(document.querySelectorAll('.gis-find li'))"
        ".find(li => li.innerText.indexOf('Xã Mường Tè') === 0).click()"
    )
    popup = _wait(
        d, "var p = document.querySelector('.leaflet-popup-content');return p && p.innerText"
    )
    for word in ("Xã Mường Tè", "Lai Châu", "người", "%", "người/km²", "km²"):
        assert word in popup
    time.sleep(0.3)  # the popup's pan
    d.save_screenshot(str(Path(__file__).parent / "artifacts" / "national_communes_popup.png"))

    # nothing outside file://, no console error
    scripts = d.execute_script(
        "return Array.from(document.querySelectorAll('script[src]')).map(s => s.src)"
    )
    folder = (built.parent / f"{built.stem}_files").as_uri()
    assert f"{folder}/{lai.code}.js" in scripts  # and its neighbours once zoomed in over them
    assert all(re.fullmatch(re.escape(folder) + r"/\d\d\.js", s) for s in scripts), scripts
    urls = d.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name).concat([location.href])"
    )
    assert all(u.startswith("file://") for u in urls), urls
    errors = [e for e in d.get_log("browser") if e.get("level") == "SEVERE"]
    assert errors == []
    # a chunk of another build (a stale file copied beside the page) is refused, not drawn
    d.execute_script("gisCommuneChunk('0000', '11', {ids: [0], geo: [[]], outline: []})")
    assert "11" in d.execute_script("return gisCommuneMap.failed")
    assert "không thuộc bản đồ này" in d.execute_script(
        "return document.querySelector('.gis-find .gis-status').textContent"
    )


def test_hostile_names_stay_text(communes, provinces, levels, tmp_path):
    hostile = '</script><script>alert(1)</script><!-- "x" & y'
    c = communes.assign(name=communes["name"].where(communes.index != 0, hostile))
    page = write_national_commune_map(c, provinces, tmp_path, levels=levels, title="<b>t</b>")
    text = page.read_text(encoding="utf-8")
    assert text.count("</script>") == 2  # Leaflet's and the page's own
    assert "<b>t</b>" not in text and "&lt;b&gt;t&lt;/b&gt;" in text
    assert page_data(page)["name"][0] == hostile


def test_apportioned_population_is_flagged(communes, provinces, levels, tmp_path):
    lc = communes.index[communes["population_persons"].notna()][0]
    c = communes.assign(apportioned_persons=0).copy()
    c.loc[lc, "apportioned_persons"] = 1234
    page = write_national_commune_map(c, provinces, tmp_path, levels=levels)
    values = page_data(page)["values"]
    assert values[lc][4] == "1.234 người (chia đều từ xã cũ bị tách)"
    assert all(v[4] == "" for i, v in enumerate(values) if i != lc)
