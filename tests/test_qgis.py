"""Tests of gis.qgis and gis.qgis_style: the styled GeoPackage and the QGIS project (issue 17,
item 6).

Without QGIS (CI installs only gdal-bin): the GeoPackage's styles and metadata are read with
sqlite3, pyogrio and Debian's ``ogrinfo``; the project by parsing its XML. With PyQGIS on the
system Python (``apt-get install qgis python3-qgis``), the project is opened in real QGIS.
Expected colours are the web maps' (``gis.maplabels``, the profile's ``[plan.regions]``)
converted by hand to QGIS's "r,g,b,alpha" (alpha = opacity x 255, rounded).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import textwrap
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pyogrio
import pytest
from conftest import LAYERS

from gis import store
from gis.cli import main
from gis.errors import InputFileError, LayerError
from gis.io import read_vector
from gis.qgis import GROUPS, export_geopackage, write_qgis_project

SE = "{http://www.opengis.net/se}"
OGC = "{http://www.opengis.net/ogc}"


@pytest.fixture(scope="module")
def gpkg(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("gpkg") / "plan.gpkg"
    layers = [
        "province",
        "orientation_regions_pre2025",
        "roads",
        "hydropower_plants",
        "urban_areas",
    ]
    return export_geopackage(path, layers=layers, province="lai_chau", layers_dir=LAYERS)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("project")
    return write_qgis_project(folder / "plan.qgz", province="lai_chau", layers_dir=LAYERS)


def _styles(gpkg: Path) -> dict[str, tuple]:
    with sqlite3.connect(gpkg) as con:
        rows = con.execute(
            "SELECT f_table_name, f_geometry_column, styleQML, styleSLD, "
            "useAsDefault FROM layer_styles"
        ).fetchall()
    return {r[0]: r[1:] for r in rows}


def _categories(qml: str) -> tuple[ET.Element, dict[str, ET.Element]]:
    root = ET.fromstring(qml.split("\n", 1)[1])
    renderer = root.find("renderer-v2")
    symbols = {s.get("name"): s for s in renderer.find("symbols")}
    return renderer, {c.get("value"): symbols[c.get("symbol")] for c in renderer.find("categories")}


def _option(symbol: ET.Element, name: str) -> str:
    return symbol.find(f".//Option[@name='{name}']").get("value")


# --- the GeoPackage -------------------------------------------------------------------------


def test_every_layer_has_a_default_qgis_style(gpkg):
    styles = _styles(gpkg)
    assert set(styles) == {
        "province",
        "orientation_regions_pre2025",
        "roads",
        "hydropower_plants",
        "urban_areas",
    }
    for geom_col, qml, sld, default in styles.values():
        assert geom_col == "geom" and default == 1
        assert qml.startswith("<!DOCTYPE qgis") and ET.fromstring(qml.split("\n", 1)[1]) is not None
        assert ET.fromstring(sld.split("\n", 1)[1]).tag.endswith("StyledLayerDescriptor")
    with sqlite3.connect(gpkg) as con:  # registered as QGIS and GDAL register it
        assert con.execute(
            "SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'"
        ).fetchone() == ("attributes",)


def test_regions_are_categorised_by_code_with_the_profile_colours(gpkg):
    """[plan.regions] of lai_chau: dynamic_economic #f6b26b, song_da_agroforestry #93c47d;
    fill opacity 0.55 (alpha 140), outline #333333 at 0.9 (alpha 230), 0.8 px."""
    renderer, cats = _categories(_styles(gpkg)["orientation_regions_pre2025"][1])
    assert renderer.get("type") == "categorizedSymbol" and renderer.get("attr") == '"plan_region"'
    assert _option(cats["dynamic_economic"], "color") == "246,178,107,140"
    assert _option(cats["song_da_agroforestry"], "color") == "147,196,125,140"
    assert _option(cats["dynamic_economic"], "outline_color") == "51,51,51,230"
    assert _option(cats["dynamic_economic"], "outline_width") == "0.8"
    assert _option(cats["dynamic_economic"], "outline_width_unit") == "Pixel"
    labels = {c.get("value"): c.get("label") for c in renderer.find("categories")}
    assert labels["dynamic_economic"] == "Vùng kinh tế động lực"
    sld = ET.fromstring(_styles(gpkg)["orientation_regions_pre2025"][2].split("\n", 1)[1])
    rule = next(
        r
        for r in sld.iter(f"{SE}Rule")
        if r.find(f".//{OGC}Literal") is not None
        and r.find(f".//{OGC}Literal").text == "dynamic_economic"
    )
    fill = {p.get("name"): p.text for p in rule.find(f".//{SE}Fill")}
    assert fill == {"fill": "#f6b26b", "fill-opacity": "0.55"}


def test_roads_by_class_and_status_planned_dashed(gpkg):
    """ROAD_COLORS: national existing #d7301f, expressway planned #e7298a; lines 2 x weight 2
    = 4 px at opacity 1; planned dashed "8 6" px as on the web map."""
    renderer, cats = _categories(_styles(gpkg)["roads"][1])
    assert renderer.get("attr") == '"road_class" || \'|\' || "status"'
    assert _option(cats["national|existing"], "line_color") == "215,48,31,255"
    assert _option(cats["national|existing"], "line_width") == "4"
    assert _option(cats["national|existing"], "line_style") == "solid"
    assert _option(cats["expressway|planned"], "line_color") == "231,41,138,255"
    assert _option(cats["expressway|planned"], "customdash") == "8;6"
    assert "" in cats  # every other value: the web map's no-data grey


def test_urban_areas_by_class_of_2030(gpkg):
    """CLASS_STYLE: class II radius 15 px (size 30), #cb181d at 0.95; polygons as the symbol
    at a point inside (the web map draws their representative point)."""
    renderer, cats = _categories(_styles(gpkg)["urban_areas"][1])
    assert renderer.get("attr") == '"class_2030"'
    assert _option(cats["II"], "size") == "30" and _option(cats["II"], "color") == "203,24,29,242"


def test_title_description_and_licence_travel_with_each_layer(gpkg):
    metas = {
        n: store.layer_meta(n, province="lai_chau", layers_dir=LAYERS)
        for n in ("province", "hydropower_plants")
    }
    with sqlite3.connect(gpkg) as con:
        contents = dict(con.execute("SELECT table_name, identifier FROM gpkg_contents"))
        records = con.execute(
            "SELECT r.table_name, m.md_standard_uri, m.mime_type, m.metadata FROM "
            "gpkg_metadata m JOIN gpkg_metadata_reference r ON r.md_file_id = m.id WHERE "
            "r.reference_scope = 'table'"
        ).fetchall()
        extensions = con.execute(
            "SELECT table_name FROM gpkg_extensions WHERE extension_name = 'gpkg_metadata'"
        ).fetchall()
    assert {e[0] for e in extensions} == {"gpkg_metadata", "gpkg_metadata_reference"}
    for name, meta in metas.items():
        licence = meta["provenance"]["licence"]
        assert contents[name] == meta["title"]
        qgis = [r for r in records if r[0] == name and r[1] == "http://mrcc.com/qgis.dtd"]
        plain = [r for r in records if r[0] == name and r[2] == "text/plain"]
        assert len(qgis) == 1 and len(plain) == 1
        root = ET.fromstring(qgis[0][3])
        assert root.findtext("license") == licence and root.findtext("title") == meta["title"]
        assert f"licence: {licence}" in plain[0][3]
    assert "GPL-3.0" in metas["province"]["provenance"]["licence"]
    assert "CC BY-SA 4.0" in metas["hydropower_plants"]["provenance"]["licence"]
    info = pyogrio.read_info(gpkg, layer="province")  # GDAL hands QGIS the record this way
    assert info["layer_metadata"]["IDENTIFIER"] == metas["province"]["title"]
    assert any(v.startswith("<qgis") for v in info["layer_metadata"].values())


def test_data_reads_back(gpkg):
    for name in ("roads", "urban_areas"):
        stored = store.read_layer(name, province="lai_chau", layers_dir=LAYERS)
        back = pyogrio.read_dataframe(gpkg, layer=name)
        assert len(back) == len(stored) and back.crs.to_epsg() == 9205
        assert sorted(back["segment_id" if name == "roads" else "urban_id"]) == sorted(
            stored["segment_id" if name == "roads" else "urban_id"]
        )


@pytest.mark.skipif(not shutil.which("ogrinfo"), reason="needs Debian's ogrinfo (gdal-bin)")
def test_debian_gdal_reads_the_geopackage_and_its_metadata(gpkg):
    out = subprocess.run(
        ["ogrinfo", "-so", str(gpkg), "province"], capture_output=True, text=True, check=True
    )
    text = out.stdout + out.stderr
    assert "may only be partially supported" not in text  # GeoPackage 1.2, not 1.4
    assert "Feature Count: 1" in text and "<license>GPL-3.0" in text
    listing = subprocess.run(
        ["ogrinfo", "-q", str(gpkg)], capture_output=True, text=True, check=True
    ).stdout
    assert "layer_styles" in listing


def test_export_geopackage_refuses_tables_and_other_names(tmp_path):
    with pytest.raises(LayerError, match=r"'facts' is/are not vector layers.*`gis export TABLE"):
        export_geopackage(
            tmp_path / "x.gpkg", layers=["facts"], province="lai_chau", layers_dir=LAYERS
        )
    with pytest.raises(InputFileError, match=r"must end in \.gpkg"):
        export_geopackage(
            tmp_path / "x.sqlite", layers=["roads"], province="lai_chau", layers_dir=LAYERS
        )


# --- the project ----------------------------------------------------------------------------


def _qgs(qgz: Path) -> ET.Element:
    with zipfile.ZipFile(qgz) as zf:
        assert zf.namelist() == ["plan.qgs"]
        text = zf.read("plan.qgs").decode("utf-8")
    assert text.startswith("<!DOCTYPE qgis")
    return ET.fromstring(text.split("\n", 1)[1])


def test_project_holds_every_vector_layer_grouped_in_the_planning_crs(project):
    qgz, gpkg = project
    root = _qgs(qgz)
    assert root.findtext("projectCrs/spatialrefsys/authid") == "EPSG:9205"  # profile
    assert root.findtext("properties/SpatialRefSys/ProjectionsEnabled") == "1"
    catalogue = store.list_layers(province="lai_chau", layers_dir=LAYERS)
    vectors = set(catalogue.loc[catalogue["kind"] == "vector", "name"])
    tables = {str(n) for n in pyogrio.list_layers(gpkg)[:, 0]}
    assert tables == vectors | {"layer_styles"}
    groups = {
        g.get("name"): [la.get("source") for la in g.iter("layer-tree-layer")]
        for g in root.find("layer-tree-group").findall("layer-tree-group")
    }
    assert list(groups) == [g for g, _ in GROUPS if g in groups]
    assert any("layername=orientation_regions_pre2025" in s for s in groups["Định hướng"])
    assert any("layername=roads" in s for s in groups["Hạ tầng"])
    assert any("layername=province" in s for s in groups["Hành chính"])
    assert any("layername=urban_areas" in s for s in groups["Đô thị"])
    used = {s.split("layername=")[1].split("|")[0] for ss in groups.values() for s in ss}
    assert used == vectors


def test_project_datasources_exist_relative_to_the_project(project):
    qgz, gpkg = project
    root = _qgs(qgz)
    assert root.findtext("properties/Paths/Absolute") == "false"
    tables = {str(n) for n in pyogrio.list_layers(gpkg)[:, 0]}
    layers = root.find("projectlayers").findall("maplayer")
    assert len(layers) == len(list(root.iter("layer-tree-layer")))
    for layer in layers:
        source = layer.findtext("datasource")
        file, *options = source.split("|")
        assert (qgz.parent / file).resolve() == gpkg.resolve()
        assert options[0].removeprefix("layername=") in tables
        assert layer.findtext("srs/spatialrefsys/authid") == "EPSG:9205"
        assert layer.find("renderer-v2") is not None and layer.findtext("provider") == "ogr"
    mixed = [
        la.findtext("datasource") for la in layers if "geometrytype=" in la.findtext("datasource")
    ]
    assert "./plan.gpkg|layername=urban_areas|geometrytype=Point" in mixed
    assert "./plan.gpkg|layername=urban_areas|geometrytype=Polygon" in mixed


def test_project_styles_and_visibility_follow_the_web_maps(project):
    root = _qgs(project[0])
    by_source = {la.findtext("datasource"): la for la in root.iter("maplayer")}
    regions = by_source["./plan.gpkg|layername=orientation_regions_pre2025"]
    assert regions.find("renderer-v2").get("attr") == '"plan_region"'
    checked = {la.get("source"): la.get("checked") for la in root.iter("layer-tree-layer")}
    assert checked["./plan.gpkg|layername=roads_legacy"] == "Qt::Unchecked"  # off on the map
    assert checked["./plan.gpkg|layername=roads"] == "Qt::Checked"
    licence = regions.findtext("resourceMetadata/license")
    assert (
        licence
        == store.layer_meta("orientation_regions_pre2025", province="lai_chau", layers_dir=LAYERS)[
            "provenance"
        ]["licence"]
    )


def test_cli_writes_the_project_and_styled_geopackages(tmp_path, capsys):
    main(["export", "--qgis-project", str(tmp_path / "plan.qgz"), "--layers", str(LAYERS)])
    assert (tmp_path / "plan.qgz").is_file() and (tmp_path / "plan.gpkg").is_file()
    assert "wrote QGIS project" in capsys.readouterr().out
    main(["export", "roads", str(tmp_path / "roads.gpkg"), "--layers", str(LAYERS)])
    assert set(_styles(tmp_path / "roads.gpkg")) == {"roads"}
    assert len(read_vector(tmp_path / "roads.gpkg")) == 16  # layer_styles is not a layer
    with pytest.raises(SystemExit) as exit_:
        main(
            ["export", "roads", "--qgis-project", str(tmp_path / "p.qgz"), "--layers", str(LAYERS)]
        )
    assert exit_.value.code == 2 and "give no LAYER" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["export", "--qgis-project", str(tmp_path / "p.txt"), "--layers", str(LAYERS)])
    assert exit_.value.code == 1 and "must end in .qgz" in capsys.readouterr().err


# --- real QGIS ------------------------------------------------------------------------------


def _pyqgis() -> str | None:
    python = shutil.which("python3", path="/usr/bin") or shutil.which("python3")
    if python is None:
        return None
    ok = subprocess.run([python, "-c", "import qgis.core"], capture_output=True, check=False)
    return python if ok.returncode == 0 else None


PYQGIS = _pyqgis()


@pytest.mark.skipif(
    PYQGIS is None,
    reason="needs PyQGIS on the system Python: apt-get install "
    "-y qgis python3-qgis (Debian 12: QGIS 3.22)",
)
def test_project_opens_styled_in_real_qgis(project):
    qgz, gpkg = project
    script = textwrap.dedent(f"""
        import os, sys
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from qgis.core import QgsApplication, QgsProject, QgsVectorLayer
        app = QgsApplication([], False); app.initQgis()
        p = QgsProject.instance(); assert p.read({str(qgz)!r})
        layers = list(p.mapLayers().values())
        print("crs", p.crs().authid())
        print("layers", len(layers), sum(la.isValid() for la in layers))
        by = {{la.source().split("layername=")[1]: la for la in layers}}
        print("regions", by["orientation_regions_pre2025"].renderer().type(),
              by["orientation_regions_pre2025"].featureCount())
        direct = QgsVectorLayer({str(gpkg)!r} + "|layername=roads", "roads", "ogr")
        print("default_style", direct.renderer().type(), len(direct.renderer().categories()))
        print("licence", direct.metadata().licenses()[0][:5])
        names = sorted(f["name"] for f in by["communes_2025"].getFeatures())
        print("names", "|".join(names[:3]))
        sys.stdout.flush(); os._exit(0)
    """)
    out = subprocess.run(
        [PYQGIS, "-c", script], capture_output=True, text=True, check=False, timeout=300
    )
    lines = dict(line.split(" ", 1) for line in out.stdout.splitlines() if " " in line)
    assert lines.get("crs") == "EPSG:9205", out.stdout + out.stderr[-2000:]
    total, valid = lines["layers"].split()
    assert total == valid and int(total) >= 16
    assert lines["regions"] == "categorizedSymbol 2"
    assert lines["default_style"].startswith("categorizedSymbol")
    assert lines["licence"] == "mixed"
    stored = store.read_layer("communes_2025", province="lai_chau", layers_dir=LAYERS)
    assert lines["names"] == "|".join(sorted(stored["name"])[:3])


# --- styles of synthetic layers -------------------------------------------------------------


def test_layer_without_role_gets_the_web_maps_default_colour():
    """MapLayer's default #3b6fb6 at fill opacity 0.6 (alpha 153), outline #333333."""
    import geopandas as gpd
    from shapely.geometry import box

    from gis.profile import load_profile
    from gis.qgis_style import layer_style, style_qml, style_sld

    gdf = gpd.GeoDataFrame({"code": ["a"]}, geometry=[box(0, 0, 1000, 1000)], crs="EPSG:9205")
    style = layer_style("my_zones", gdf, load_profile("lai_chau", layers_dir=LAYERS))
    root = ET.fromstring(style_qml(style).split("\n", 1)[1])
    renderer = root.find("renderer-v2")
    assert renderer.get("type") == "singleSymbol"
    assert _option(renderer, "color") == "59,111,182,153"
    assert _option(renderer, "outline_color") == "51,51,51,230"
    assert root.findtext("layerGeometryType") == "2"
    assert "#3b6fb6" in style_sld(style, "my_zones")


def test_pillar_zones_are_outlines_in_the_pillar_colour(gpkg, tmp_path):
    """PILLAR_COLORS agriculture #33a02c; hollow: no fill, outline 2 px in that colour."""
    path = export_geopackage(
        tmp_path / "z.gpkg", layers=["pillar_zones"], province="lai_chau", layers_dir=LAYERS
    )
    renderer, cats = _categories(_styles(path)["pillar_zones"][1])
    assert renderer.get("attr") == '"pillar"'
    assert _option(cats["agriculture"], "style") == "no"
    assert _option(cats["agriculture"], "outline_color") == "51,160,44,230"
    assert _option(cats["agriculture"], "outline_width") == "2"


def test_context_lines_match_the_web_maps(gpkg):
    """The province outline is a line on the web map: 2 x weight 1.6 = 3.2 px, #222222."""
    root = ET.fromstring(_styles(gpkg)["province"][1].split("\n", 1)[1])
    renderer = root.find("renderer-v2")
    assert _option(renderer, "outline_color") == "34,34,34,230"
    assert _option(renderer, "outline_width") == "3.2" and _option(renderer, "style") == "no"
