"""National statistics (gis.national): census urban share and density of the 2025 communes and
provinces, checked against the published 2019 census and hand computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import lai_chau_population_2025

from gis.errors import LayerError
from gis.national import class_counts, commune_indicators, national_tables, province_table
from gis.store import read_layer


@pytest.fixture(scope="module")
def lai_chau(store_copy_session):
    def read(name):
        return read_layer(name, province="lai_chau", layers_dir=store_copy_session)

    communes = read("communes_2025").assign(province_code="12", province_name="Lai Châu")
    return commune_indicators(communes, lai_chau_population_2025(store_copy_session))


def test_lai_chau_communes_sum_to_the_published_census(lai_chau):
    # 2019 census, Lai Châu: 460,196 people, 81,889 urban (17.79 %), population/SOURCES.md.
    assert int(lai_chau["population_persons"].sum()) == 460_196
    assert int(lai_chau["population_urban_persons"].sum()) == 81_889
    assert lai_chau["population_persons"].notna().all()


def test_share_and_density_by_hand(lai_chau):
    row = lai_chau.set_index("code").loc["03388"]  # Phường Đoàn Kết
    assert row["urban_pct"] == pytest.approx(
        100 * row["population_urban_persons"] / row["population_persons"]
    )
    assert row["density_persons_per_km2"] == pytest.approx(
        row["population_persons"] / row["area_km2"]
    )
    # A commune made only of 2019 xã has no urban people: class 0 %.
    rural = lai_chau[lai_chau["population_urban_persons"] == 0]
    assert (rural["urban_share_class"] == "0 %").all() and len(rural) > 0


def test_classes_follow_the_definition():
    df = pd.DataFrame(
        {
            "code": list("abcde"),
            "province_code": ["1", "1", "1", "2", "2"],
            "area_km2": [1.0] * 5,
        }
    )
    pop = pd.DataFrame(
        {
            "code": list("abcd"),
            "population_persons": [10, 10, 10, 10],
            "population_urban_persons": [0, 4, 5, 10],
            "population_rural_persons": [10, 6, 5, 0],
        }
    )
    out = commune_indicators(df, pop)
    assert out["urban_share_class"].tolist() == [
        "0 %",
        "> 0 – < 50 %",
        "50 – < 100 %",
        "100 %",
        "no census data",
    ]
    counts = class_counts(out).set_index("province_code")
    assert counts.loc["VN"].tolist() == [1, 1, 1, 1, 1]
    assert counts.loc["2", "no census data"] == 1


def test_province_table_totals_and_unplaced_people(lai_chau):
    provinces = pd.DataFrame(
        {
            "code": ["12"],
            "name": ["Lai Châu"],
            "population_persons": [460_196 + 100],
            "population_urban_persons": [81_889],
        }
    )
    table = province_table(lai_chau, provinces, target_pct=50.0).set_index("code")
    assert int(table.loc["12", "unplaced_persons"]) == 100  # people the communes do not hold
    assert table.loc["12", "urban_pct"] == pytest.approx(100 * 81_889 / 460_196)
    assert table.loc["12", "gap_to_target_2030_pct_points"] == pytest.approx(
        50 - 100 * 81_889 / 460_196
    )
    assert table.loc["VN", "communes"] == 38
    km2 = lai_chau["area_km2"].sum()
    assert table.loc["12", "density_persons_per_km2"] == pytest.approx(460_196 / km2)


def test_tables_are_labelled(lai_chau):
    provinces = pd.DataFrame(
        {
            "code": ["12"],
            "name": ["Lai Châu"],
            "population_persons": [460_196],
            "population_urban_persons": [81_889],
        }
    )
    tables = national_tables(lai_chau, provinces, target_pct=50.0, sources="test")
    assert set(tables) == {"national_communes", "national_provinces", "national_urban_classes"}
    for frame in tables.values():
        assert all(frame.attrs[k] for k in ("title", "definition", "unit_system", "sources"))
    assert "0 of 1 provinces above 50 %" in tables["national_provinces"].attrs["definition"]
    assert "geometry" not in tables["national_communes"].columns


def test_missing_columns_are_named():
    with pytest.raises(LayerError, match="area_km2"):
        commune_indicators(pd.DataFrame({"code": ["1"]}), pd.DataFrame())


def test_zero_area_or_population_gives_no_value():
    out = commune_indicators(
        pd.DataFrame({"code": ["a"], "area_km2": [0.0]}),
        pd.DataFrame(
            {
                "code": ["a"],
                "population_persons": [0],
                "population_urban_persons": [0],
                "population_rural_persons": [0],
            }
        ),
    )
    assert np.isnan(out["urban_pct"].iloc[0]) and np.isnan(out["density_persons_per_km2"].iloc[0])


# ------------------------------------------------------------------ the whole country


@pytest.fixture(scope="module")
def national(store_copy_session):
    from gis.build import national_indicators

    return national_indicators(layers_dir=store_copy_session)


def test_every_province_equals_the_census(national):
    """Each of the 34 provinces holds its 2019 census total (provinces_2025, re-aggregated from
    the published 63) minus only the people of the 4 unmatched census units."""
    indicators, provinces, target = national
    table = province_table(indicators, provinces, target_pct=target).set_index("code")
    assert target == 50.0  # Resolution 06-NQ/TW: > 50 % by 2030
    assert int(table.loc["VN", "census_persons"]) == 96_208_984
    assert int(table.loc["VN", "population_persons"]) == 96_191_243
    assert int(table.loc["VN", "population_urban_persons"]) == 33_122_548  # all placed
    unplaced = table["unplaced_persons"].drop("VN")
    assert unplaced[unplaced > 0].to_dict() == {"37": 1_697, "52": 1_124, "75": 4_886, "86": 10_034}
    assert int(table.loc["12", "population_persons"]) == 460_196  # Lai Châu, published
    assert int(table.loc["04", "population_persons"]) == 530_341  # Cao Bằng, published
    assert table.loc["VN", "communes"] == 3321


def test_dask_partitions_give_the_same_national_result(national, store_copy_session):
    from gis.build import national_indicators

    indicators, _, _ = national
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        cluster.get_client() as client,
    ):
        on_dask, _, _ = national_indicators(layers_dir=store_copy_session, client=client)
    pd.testing.assert_frame_equal(
        pd.DataFrame(on_dask.drop(columns="geometry")),
        pd.DataFrame(indicators.drop(columns="geometry")),
        check_exact=True,
    )
    threads, _, _ = national_indicators(layers_dir=store_copy_session, npartitions=4)
    assert threads.drop(columns="geometry").equals(indicators.drop(columns="geometry"))


def test_national_report_reads_in_vietnamese(national, tmp_path, store_copy_session):
    """Every line in Vietnamese, the sources line too (its file paths and repositories aside):
    the layers' provenance.source_vi and licence_vi."""
    from test_report_vi import _english, _without_paths

    from gis.build import national_sources
    from gis.report import sheet_name, write_statistics

    indicators, provinces, target = national
    sources = national_sources(store_copy_session)
    tables = national_tables(indicators, provinces, target_pct=target, sources=sources)
    written = write_statistics(tables, tmp_path, language="vi", title="Statistics: Việt Nam")
    text = written["report"].read_text(encoding="utf-8")
    assert text.startswith("# Thống kê: Việt Nam")
    lines = [
        _without_paths(ln) if ln.startswith("- **Nguồn dữ liệu:**") else ln
        for ln in text.splitlines()
    ]
    assert any("Tổng điều tra dân số" in ln and "kho mã nguồn" in ln for ln in lines)
    left = [(ln[:100], _english(ln)) for ln in lines if _english(ln)]
    assert not left, left[:5]
    assert "3 trong số 34 tỉnh, thành phố trên 50 %" in text
    # the 3,321 communes are in the CSV and the workbook, not printed in the report
    sheet = sheet_name("national_communes", "vi")
    assert (
        f"3.321 dòng, quá nhiều để đọc ở đây: xem tệp `national_communes.csv` hoặc trang "
        f"“{sheet}” của tệp `statistics.xlsx`." in text
    )
    assert len(text.encode()) < 20_000 and text.count("\n|") < 100
    assert len(pd.read_csv(written["national_communes"])) == 3321
