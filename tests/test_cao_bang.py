"""Cao Bằng, the second province: its layers against figures known independently.

Checks the census against the published total, the 2019 -> 01/03/2025 -> 2025 unit chain
(every census unit in exactly one unit, every unit with people), the unit counts, the outline's
area against the official figure in the planning CRS (EPSG:9210), the pinned VN-2000 datum shift
for that CRS, the profile's rules, and the provenance of every layer. Runs on a copy of
``layers/cao_bang`` only (about 5 MB), so it stays fast.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pyproj
import pytest
from pyproj.transformer import TransformerGroup

from gis.census import aggregate_population
from gis.crs import is_vn2000, transformer
from gis.profile import load_profile
from gis.store import layer_meta, list_layers, read_layer
from gis.targets import targets_in_force
from gis.validate import validate_province

SLUG = "cao_bang"
SOURCES = Path(__file__).resolve().parent.parent / "layers" / SLUG / "_sources"
#: GSO 2019 Population and Housing Census, Cao Bằng (DOMAIN.md; shared population/SOURCES.md).
CENSUS_TOTAL = 530_341
#: Area listed with Resolution 202/2025/QH15 (DOMAIN.md); Decision 1486/QĐ-TTg gives 6,700.3.
OFFICIAL_AREA_KM2 = 6700.39


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store root holding a copy of layers/cao_bang (read-only use)."""
    dst = tmp_path_factory.mktemp("cao_bang") / "layers"
    shutil.copytree(SOURCES.parent, dst / SLUG, ignore=shutil.ignore_patterns(".history", "*.lock"))
    return dst


def _read(name: str, root: Path):
    return read_layer(name, province=SLUG, layers_dir=root)


def test_profile(root):
    p = load_profile(SLUG, layers_dir=root)
    assert (p.code, p.name, p.planning_crs) == ("04", "Cao Bằng", "EPSG:9210")
    assert p.official_area_km2 == OFFICIAL_AREA_KM2 and p.official_area_source


def test_census_total_is_the_published_one(root):
    census = _read("population_census_2019", root)
    assert len(census) == 199  # commune-level units on 01/04/2019
    assert census["census_id"].is_unique
    assert census["population_persons"].sum() == CENSUS_TOTAL
    parts = census["population_urban_persons"] + census["population_rural_persons"]
    assert (parts == census["population_persons"]).all()
    # census urban = phường + thị trấn of 2019 (8 + 14 units)
    urban = census[census["type"].isin(["Phường", "Thị trấn"])]
    assert len(urban) == 22
    assert census["population_urban_persons"].sum() == urban["population_persons"].sum() == 123_407


def test_every_census_unit_lands_in_one_unit_and_every_unit_gets_people(root):
    census = _read("population_census_2019", root)
    crosswalk = _read("commune_crosswalk", root)
    communes = _read("communes_2025", root)
    # 199 census units -> the 161 units of 01/03/2025, each at least one census unit
    assert set(census["code"]) == set(crosswalk["code"])
    per_unit = aggregate_population(census, "code")
    assert len(per_unit) == 161 and (per_unit["population_persons"] > 0).all()
    # -> the 56 communes of 2025 through the crosswalk (no old unit split across communes)
    assert crosswalk["code"].is_unique
    to_2025 = census["code"].map(crosswalk.set_index("code")["ward2025_code"])
    per_commune = aggregate_population(census, to_2025)
    assert set(per_commune.index) == set(communes["code"])
    assert (per_commune["population_persons"] > 0).all()
    assert per_commune["population_persons"].sum() == CENSUS_TOTAL
    # -> the 10 districts (sums of whole units too)
    per_district = aggregate_population(census, "district_code")
    assert len(per_district) == 10
    assert per_district["population_persons"].sum() == CENSUS_TOTAL


def test_matching_table_is_the_layer_and_says_its_evidence(root):
    """_sources/census_2019_units.csv gives each census unit its unit, change and evidence."""
    table = pd.read_csv(SOURCES / "census_2019_units.csv", dtype=str, keep_default_na=False)
    census = _read("population_census_2019", root)
    assert len(table) == 199 and table["census_id"].is_unique
    got = census.set_index("census_id")[["code", "district_code"]]
    assert got.equals(table.set_index("census_id").loc[got.index, ["code", "district_code"]])
    changed = table[table["evidence"] != "code_retained"]
    assert len(changed) == 38  # 199 units of 2019 - 161 of 01/03/2025
    assert set(changed["evidence"]) <= {"secondary_text", "inferred_name_code", "spatial"}
    assert (changed["source"] != "").all()
    # merges known only from GSO reference points say so
    spatial = changed[changed["evidence"] == "spatial"]
    assert spatial["source"].str.startswith("not sourced").all()


def test_unit_counts(root):
    communes = _read("communes_2025", root)
    assert len(communes) == 56
    assert communes["type"].value_counts().to_dict() == {"Xã": 53, "Phường": 3}
    assert len(_read("districts_pre2025", root)) == 10
    crosswalk = _read("commune_crosswalk", root)
    assert len(crosswalk) == 161
    assert crosswalk["type"].value_counts().to_dict() == {"Xã": 139, "Thị trấn": 14, "Phường": 8}
    # every 2025 commune lists its old communes, the same as the crosswalk
    listed = communes.set_index("code")["old_commune_codes"].str.split(";").explode()
    assert sorted(listed) == sorted(crosswalk["code"])


def test_outline_area_within_one_percent_in_planning_crs(root):
    province = _read("province", root)
    assert province.crs.to_epsg() == 9210
    area_km2 = province.area.sum() / 1e6
    # measured 6,703.06 km² (+0.04 %); the outline is the dissolve of the 2025 communes
    assert area_km2 == pytest.approx(OFFICIAL_AREA_KM2, rel=0.01)
    communes = _read("communes_2025", root)
    assert communes.union_all().area / 1e6 == pytest.approx(area_km2, abs=0.01)


def test_epsg_9210_is_the_cao_bang_tm3_zone_with_the_pinned_shift():
    crs = pyproj.CRS("EPSG:9210")
    assert crs.name == "VN-2000 / TM-3 105-45" and is_vn2000(crs)
    params = {p.name: p.value for p in crs.coordinate_operation.params}
    assert params["Longitude of natural origin"] == 105.75  # 105°45', Circular 973/2001
    assert params["Scale factor at natural origin"] == 0.9999
    assert params["False easting"] == 500_000
    # A point on the central meridian is x = 500 000 m exactly (projection only).
    to_geo = pyproj.Transformer.from_crs(9210, 4756, always_xy=True)
    assert to_geo.transform(500_000, 2_505_000)[0] == pytest.approx(105.75, abs=1e-12)
    # Control point: phường Hợp Giang, Cao Bằng city (GSO reference point 22°39'57"N
    # 106°15'25"E taken as VN-2000), in VN-2000 / TM-3 105-45 metres.
    lon, lat = 106 + 15 / 60 + 25 / 3600, 22 + 39 / 60 + 57 / 3600
    x, y = pyproj.Transformer.from_crs(4756, 9210, always_xy=True).transform(lon, lat)
    assert (x, y) == pytest.approx((552_095.557, 2_507_369.460), abs=0.001)
    ours = transformer("EPSG:9210", "EPSG:4326").transform(x, y)
    group = TransformerGroup("EPSG:9210", "EPSG:4326", always_xy=True).transformers
    (reg2,) = [t for t in group if "VN-2000 to WGS 84 (2)" in t.description]
    (reg1,) = [t for t in group if "VN-2000 to WGS 84 (1)" in t.description]
    geod = pyproj.Geod(ellps="WGS84")
    # the pinned 2007 parameters (Decision 05/2007/QĐ-BTNMT) = PROJ's registered (2): 0.000 m;
    # the older set (1) lands 0.67 m away, which is why gis.crs pins one
    assert geod.inv(*ours, *reg2.transform(x, y))[2] < 0.001
    assert 0.3 < geod.inv(*ours, *reg1.transform(x, y))[2] < 1.0
    # the shift is applied: VN-2000 and WGS 84 coordinates differ by 223.9 m here
    assert geod.inv(*ours, lon, lat)[2] == pytest.approx(223.9, abs=0.5)


def test_validate_passes(root):
    results = validate_province(province=SLUG, layers_dir=root)
    errors = {k: [str(p) for p in v if p.severity == "error"] for k, v in results.items()}
    assert {k: v for k, v in errors.items() if v} == {}
    assert set(results) == set(load_profile(SLUG, layers_dir=root).layers)


def test_every_layer_says_its_source_and_licence(root):
    for name in list_layers(province=SLUG, layers_dir=root)["name"]:
        prov = layer_meta(name, province=SLUG, layers_dir=root)["provenance"]
        assert prov.get("source") and prov.get("licence") and prov.get("date"), name


def test_plan_targets_follow_the_schema_and_never_invent_a_figure(root):
    targets = _read("plan_targets", root)
    again = targets_in_force(targets.drop(columns=["in_force", "superseded_by"]))
    assert again["in_force"].tolist() == targets["in_force"].tolist()
    # the urbanisation target of Plan 218-KH/TU (seed 003) has no figure: 'the national average'
    seed = targets[targets["indicator_id"] == "urbanisation_national_average_kh218"].iloc[0]
    assert pd.isna(seed["target_value"]) and seed["status"] == "missing"
    assert "mức trung bình toàn quốc" in seed["target_text"]
    # every figure has a source; every row without one says which source would give it
    assert (targets["source"].fillna("") != "").all()
    missing = targets[targets["target_value"].isna()]
    assert missing["note"].fillna("").str.len().gt(0).all()
    facts = _read("facts", root)
    assert (facts["source_url"].fillna("") != "").all()


def test_statistics_of_cao_bang_sum_to_the_census_and_name_what_is_missing():
    """A province without plan layers: census tables complete, the rest says which layer."""
    from gis.stats import compute_statistics

    tables = compute_statistics("cao_bang")
    pop = tables["population"].groupby("unit_system")["population_persons"].agg(["sum", "count"])
    assert pop.loc["communes_2025"].tolist() == [530_341, 56]
    assert pop.loc["districts_pre2025"].tolist() == [530_341, 10]
    status = tables["urban_system"]["status"].iloc[0]
    assert status == "layer urban_areas missing; layer urban_areas_2030 missing"
    # no published area in the layers: the table says which source would give it, and never
    # compares the polygons with their own computed area (it did: diff 0.0 on 56 communes)
    areas = tables["unit_areas"].set_index("unit_system")
    communes = areas.loc["communes_2025"]
    assert communes["reference_area_km2"].isna().all() and communes["diff_pct"].isna().all()
    assert (
        communes["reference_source"]
        == "none: give communes_2025 a column area_km2_official (the natural area published "
        "with the 2025 arrangement of the communes)"
    ).all()
    assert (
        areas.loc["districts_pre2025", "reference_source"]
        == "none: add the district's area_natural to facts (e.g. from the provincial "
        "statistical yearbook)"
    ).all()
