"""Build tests/fixtures/stores/bac_ninh from the shared national file (run by maintainers).

``--regions-only`` skips the shared file and only rebuilds ``orientation_regions_pre2025`` from
the fixture's own districts and its (made-up, test-only) ``region_assignment_pre2025`` table.
"""

import sys
from pathlib import Path

import geopandas as gpd

from gis.store import write_layer

REGIONS_ONLY = "--regions-only" in sys.argv
ARGS = [a for a in sys.argv[1:] if a != "--regions-only"]
SRC = Path(ARGS[0] if ARGS else "../shared/data") / "vn_admin_pre2025.gpkg.zip"
ROOT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "stores"
PROV = {
    "source": "daohoangson/dvhcvn data/gis/27.json (commit 4b1b6b5), via the project's shared "
    "vn_admin_pre2025.gpkg.zip",
    "url": "https://github.com/daohoangson/dvhcvn",
    "licence": "GPL-3.0 (repository licence)",
    "date": "unit list 01/03/2025",
    "processing": "Filtered to province 27; reprojected to EPSG:9209; snapped to 1 cm.",
}


def col(name, dtype="str", **kw):
    return {
        "name": name,
        "dtype": dtype,
        "required": kw.get("required", False),
        "unique": kw.get("unique", False),
        "description": "",
    }


for layer, name in (
    () if REGIONS_ONLY else (("provinces", "province"), ("districts", "districts_pre2025"))
):
    gdf = gpd.read_file(f"/vsizip/{SRC}", layer=layer)
    key = "code" if layer == "provinces" else "province_code"
    gdf = gdf[gdf[key] == "27"][["code", "name", "type", "geometry"]]
    meta = {
        "title": f"Bắc Ninh {name}",
        "kind": "vector",
        "geometry_type": "Polygon",
        "crs": "EPSG:9209",
        "id_column": "code",
        "columns": [col("code", required=True, unique=True), col("name"), col("type")],
        "provenance": PROV,
    }
    write_layer(gdf, name, meta=meta, province="bac_ninh", layers_dir=ROOT, check_rules=False)
    print(name, len(gdf))

# Regions of the second province: data only (assignment table), same code as Lai Châu.
from gis.plan import regions  # noqa: E402
from gis.store import read_layer  # noqa: E402

kw = {"province": "bac_ninh", "layers_dir": ROOT}
assign = read_layer("region_assignment_pre2025", **kw)
reg = regions(read_layer("districts_pre2025", **kw), assign, assignment_id="district_code")
reg["source"] = "gis.plan.regions(districts_pre2025, region_assignment_pre2025) - TEST DATA"
meta = {
    "title": "Bắc Ninh test regions (made up, TEST DATA)",
    "kind": "vector",
    "geometry_type": "Polygon",
    "crs": "EPSG:9209",
    "id_column": "plan_region",
    "columns": [
        col("plan_region", required=True, unique=True),
        col("n_units", "int"),
        col("unit_codes"),
        col("area_km2", "float"),
        col("source", required=True),
    ],
    "provenance": {
        **PROV,
        "source": "dissolve of this fixture's districts_pre2025 by its "
        "made-up region_assignment_pre2025 (test data, not a plan)",
        "processing": "tools/make_test_fixtures.py --regions-only (gis.plan.regions)",
    },
    "accuracy": "as the districts (derived)",
}
write_layer(reg, "orientation_regions_pre2025", meta=meta, check_rules=False, **kw)
print("orientation_regions_pre2025", len(reg))
