"""Build ``tests/data/national_communes_3prov.parquet``: a small real national-layer sample.

The 2025 communes of three provinces of the shared national file (GSO codes 04, 11, 12),
reprojected to EPSG:3405 (VN-2000 / UTM 48N, as the national store layer), cleaned as a
coverage and simplified as one (40 m) to stay small, with 2019 census population where the
product has it: the commune census tables of the two profiles summed through their commune
crosswalks (old commune -> 2025 commune, no splits in either). The third province has no
population (NaN): the map must show "chưa có số liệu" for it.

Run from the repository root::

    PYTHONPATH=. .venv/bin/python tests/data/make_national_communes.py
"""

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from gis.crs import to_crs

REPO = Path(__file__).resolve().parents[2]
SOURCE = Path("/work/shared/data/vn_communes_2025.fgb")
OUT = Path(__file__).resolve().parent / "national_communes_3prov.parquet"
PROVINCE_CODES = ("04", "11", "12")
WITH_CENSUS = ("lai_chau", "cao_bang")
SIMPLIFY_M = 40.0


def census_by_2025_commune(slug: str) -> pd.DataFrame:
    census = pd.read_csv(REPO / "layers" / slug / "population_census_2019.csv", dtype={"code": str})
    crosswalk = pd.read_csv(REPO / "layers" / slug / "commune_crosswalk.csv", dtype=str)
    assert not crosswalk["code"].duplicated().any(), "a split commune: cannot sum simply"
    new = census["code"].map(dict(zip(crosswalk["code"], crosswalk["ward2025_code"], strict=True)))
    assert new.notna().all(), f"{slug}: census codes missing from the crosswalk"
    cols = ["population_persons", "population_urban_persons"]
    return census.assign(code=new).groupby("code")[cols].sum()


def main() -> None:
    communes = gpd.read_file(SOURCE)
    communes = communes[communes["province_code"].isin(PROVINCE_CODES)]
    communes = to_crs(communes, "EPSG:3405").sort_values("code").reset_index(drop=True)
    geoms = shapely.coverage_clean(communes.geometry.values)
    geoms = shapely.coverage_simplify(geoms, SIMPLIFY_M)
    communes = communes.set_geometry(gpd.GeoSeries(geoms, crs=communes.crs))
    assert shapely.coverage_is_valid(communes.geometry.values)
    pop = pd.concat([census_by_2025_commune(s) for s in WITH_CENSUS])
    communes = communes.join(pop, on="code")
    communes.to_parquet(OUT, compression="zstd")
    print(
        f"{OUT.name}: {len(communes)} communes, {OUT.stat().st_size / 1e3:.0f} kB, "
        f"{communes['population_persons'].notna().sum()} with population"
    )


if __name__ == "__main__":
    main()
