"""Cut tests/fixtures/national_extract/ from the national data folder (run by maintainers).

The fixture has the layout ``gis init`` reads (see ``gis.newprovince.NATIONAL_FILES``) but only
the rows of three 2025 provinces, so tests need no shared data folder (CI has none)::

    PYTHONPATH=. .venv/bin/python tools/make_national_extract.py ../shared/data

* 12 Lai Châu and 04 Cao Bằng: every row of the four files (their communes, crosswalk rows,
  districts and 2019 census units);
* 08 Tuyên Quang (merged in 2025 from 02 Hà Giang and 08 Tuyên Quang): likewise, for the test of
  the refusal of a merged province without ``--crs``.

Geometries are made smaller, as the national file itself was made from the full one: commune
polygons coverage-simplified (shapely ``coverage_simplify``, shared edges kept) at
``SIMPLIFY_M`` in EPSG:3405 per province, districts simplified likewise. Areas then move by
well under 0.1 % per province (printed). Rows and attributes are not altered. Output about
1.1 MB (the test checks < 3 MB).
"""

from __future__ import annotations

import argparse
import io
import shutil
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from gis.census import name_key
from gis.crs import to_crs
from gis.newprovince import NATIONAL_FILES

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "national_extract"
PROVINCES_2025 = ("04", "08", "12")
SIMPLIFY_M = 100.0


def _simplified(gdf: gpd.GeoDataFrame, by: str) -> gpd.GeoDataFrame:
    """``gdf`` coverage-simplified at SIMPLIFY_M metres, group by group (a province each)."""
    metric = to_crs(gdf, "EPSG:3405")
    parts = []
    for _, group in metric.groupby(by, sort=False):
        geoms = shapely.coverage_simplify(group.geometry.to_numpy(), SIMPLIFY_M)
        parts.append(group.set_geometry(gpd.GeoSeries(geoms, index=group.index, crs=group.crs)))
    out = pd.concat(parts).loc[gdf.index]
    before, after = metric.area.groupby(metric[by]).sum(), out.area.groupby(out[by]).sum()
    for key in before.index:
        print(f"  {by} {key}: area {100 * (after[key] / before[key] - 1):+.4f} %")
    return to_crs(gpd.GeoDataFrame(out, crs="EPSG:3405"), "EPSG:4326")


def main(national: Path) -> None:
    src = {key: national / rel for key, (rel, _) in NATIONAL_FILES.items()}
    if OUT.exists():
        shutil.rmtree(OUT)
    (OUT / "population").mkdir(parents=True)

    crosswalk = pd.read_csv(src["crosswalk"], dtype=str, keep_default_na=False)
    crosswalk = crosswalk[crosswalk["province_code"].isin(PROVINCES_2025)]
    crosswalk.to_csv(OUT / NATIONAL_FILES["crosswalk"][0], index=False, lineterminator="\n")
    old_provinces = sorted(set(crosswalk["old_province_code"]))
    print(f"crosswalk: {len(crosswalk)} rows; 2019 provinces {old_provinces}")

    codes = ", ".join(f"'{c}'" for c in PROVINCES_2025)
    communes = pyogrio.read_dataframe(src["communes"], where=f"province_code IN ({codes})")
    print(f"communes: {len(communes)}")
    communes = _simplified(communes, "province_code")
    pyogrio.write_dataframe(communes, OUT / NATIONAL_FILES["communes"][0], driver="FlatGeobuf")

    gpkg_name = src["admin"].name.removesuffix(".zip")
    buffer = OUT / gpkg_name
    for layer, key in (("provinces", "code"), ("districts", "province_code")):
        frame = pyogrio.read_dataframe(f"/vsizip/{src['admin']}/{gpkg_name}", layer=layer)
        frame = frame[frame[key].isin(old_provinces)]
        print(f"{layer}: {len(frame)}")
        frame = _simplified(frame, key)
        append = layer != "provinces"
        pyogrio.write_dataframe(frame, buffer, layer=layer, driver="GPKG", append=append)
    with zipfile.ZipFile(OUT / NATIONAL_FILES["admin"][0], "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(buffer, gpkg_name)
    buffer.unlink()

    census = pd.read_csv(src["census"], dtype=str, keep_default_na=False)
    names = {
        name_key(n.removeprefix("Tỉnh ").removeprefix("Thành phố "))
        for n in crosswalk["old_province_name"]
    }
    census = census[census["city"].map(name_key).isin(names)]
    print(f"census: {len(census)} units of {sorted(set(census['city']))}")
    text = io.StringIO()
    census.to_csv(text, index=False, lineterminator="\n")
    (OUT / NATIONAL_FILES["census"][0]).write_text(text.getvalue(), encoding="utf-8")
    size = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"wrote {OUT} ({size / 1e6:.2f} MB)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("national", type=Path, nargs="?", default=Path("../shared/data"))
    main(parser.parse_args().national)
