"""Build tests/fixtures/stores/bac_ninh from the shared national file (run by maintainers)."""

import sys
from pathlib import Path

import geopandas as gpd

from gis.store import write_layer

SRC = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data") / "vn_admin_pre2025.gpkg.zip"
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
    return {"name": name, "dtype": dtype, "required": kw.get("required", False),
            "unique": kw.get("unique", False), "description": ""}  # fmt: skip


for layer, name in (("provinces", "province"), ("districts", "districts_pre2025")):
    gdf = gpd.read_file(f"/vsizip/{SRC}", layer=layer)
    key = "code" if layer == "provinces" else "province_code"
    gdf = gdf[gdf[key] == "27"][["code", "name", "type", "geometry"]]
    meta = {"title": f"Bắc Ninh {name}", "kind": "vector", "geometry_type": "Polygon",
            "crs": "EPSG:9209", "id_column": "code",
            "columns": [col("code", required=True, unique=True), col("name"), col("type")],
            "provenance": PROV}  # fmt: skip
    write_layer(gdf, name, meta=meta, province="bac_ninh", layers_dir=ROOT, check_rules=False)
    print(name, len(gdf))
