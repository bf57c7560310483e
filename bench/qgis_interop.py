"""Open the toolkit's exports in real QGIS, headless, and print what QGIS reads.

Run with the system Python that has PyQGIS (not the project's venv)::

    apt-get install -y qgis python3-qgis      # QGIS 3.22 on Debian 12
    QT_QPA_PLATFORM=offscreen /usr/bin/python3 bench/qgis_interop.py [OUT_DIR]

The script first makes the exports with the project's venv (``.venv/bin/python``; ``gis export``
of a few layers to every format, and ``gis export --qgis-project``), together with the expected
values computed by the toolkit (``expected.json``: features, area or length in the planning CRS,
names, true values); then opens every file with PyQGIS and prints, per file: features, CRS, area
(km²) or length (km) in the planning CRS, whether the Vietnamese names read back exactly, the
true values of a boolean column, the renderer QGIS loaded (GeoPackage: the default style of
``layer_styles``) and the licence of the layer metadata; then the project: layers, groups,
validity, CRS, renderers. The output (Markdown) is kept in ``docs/interop.md``.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV_PYTHON = REPO / ".venv" / "bin" / "python"
LAYERS = {  # layer -> (what it tests, boolean column or None)
    "communes_2025": ("polygons, Vietnamese names", None),
    "hydropower_plants": ("points, true/false column", "in_province"),
    "pillar_sites": ("Points and one MultiPoint", None),
    "roads": ("lines, categories by class and status", None),
}
FORMATS = (".gpkg", ".shp", ".tab", ".kml", ".geojson", ".fgb")

_MAKE = r"""
import contextlib, io, json, sys
from pathlib import Path
import pandas as pd
from gis import store
from gis.cli import main
from gis.profile import load_profile
out, layers, formats = Path(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3])
profile = load_profile(None)
expected = {"planning_crs": profile.planning_crs, "province": profile.name, "layers": {}}
for name, flag in layers.items():
    gdf = store.read_layer(name, province=profile)
    names = sorted(str(v) for v in gdf["name"].dropna()) if "name" in gdf else []
    area = float(gdf.geometry.area.sum() / 1e6 or gdf.geometry.length.sum() / 1e3)
    true = int(gdf[flag].fillna(False).astype(bool).sum()) if flag else None
    c = gdf.geometry.centroid
    expected["layers"][name] = {"features": len(gdf), "area_km2": area, "names": names,
                                "centre": [float(c.x.mean()), float(c.y.mean())],
                                "true": true, "files": {}}
    for ext in formats:
        path = out / f"{name}{ext}"
        args = ["export", name, str(path)] + (["--shorten-fields"] if ext == ".shp" else [])
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            try:
                main(args)
                status = "written"
            except SystemExit as exc:
                status = f"refused (exit {exc.code})"
        notes = [line.split(": ", 2)[-1][:170] for line in err.getvalue().splitlines()
                 if line.startswith(("Warning:", "Error:"))]
        expected["layers"][name]["files"][ext] = {"status": status, "warnings": notes}
main(["export", "--qgis-project", str(out / "plan.qgz")])
(out / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1))
"""


def make_exports(out: Path) -> dict:
    """Export the layers with the venv's ``gis`` and return the expected values."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    flags = {k: v[1] for k, v in LAYERS.items()}
    run = subprocess.run(
        [str(VENV_PYTHON), "-c", _MAKE, str(out), json.dumps(flags), json.dumps(FORMATS)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in (run.stdout + run.stderr).splitlines():
        if line.startswith(("Error", "Warning")):
            print(f"    gis: {line[:200]}", file=sys.stderr)
    if run.returncode != 0:
        raise SystemExit(f"making the exports failed:\n{run.stderr[-2000:]}")
    return json.loads((out / "expected.json").read_text(encoding="utf-8"))


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from qgis.core import (
        Qgis,
        QgsApplication,
        QgsCoordinateReferenceSystem,
        QgsCoordinateTransform,
        QgsLayerTreeGroup,
        QgsMapRendererSequentialJob,
        QgsMapSettings,
        QgsProject,
        QgsVectorLayer,
    )
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="interop-"))
    out.mkdir(parents=True, exist_ok=True)
    expected = make_exports(out)
    app = QgsApplication([], False)
    app.initQgis()
    planning = QgsCoordinateReferenceSystem(expected["planning_crs"])
    ctx = QgsProject.instance().transformContext()

    def read(layer: QgsVectorLayer, flag: str | None) -> dict:
        tr = None
        if layer.crs() != planning:
            tr = QgsCoordinateTransform(layer.crs(), planning, ctx)
        area, names, true, xs, ys = 0.0, [], 0, [], []
        fields = layer.fields().names()
        label = "name" if "name" in fields else "Name"  # KML: the Placemark name
        flag = next((f for f in fields if flag and flag.startswith(f)), flag)  # .shp: cut
        for f in layer.getFeatures():
            g = f.geometry()
            if tr is not None:
                g.transform(tr)
            area += g.area() / 1e6 or g.length() / 1e3
            centre = g.centroid().asPoint()
            xs.append(centre.x())
            ys.append(centre.y())
            if label in fields and f[label] not in (None, ""):
                names.append(str(f[label]))
            if (
                flag
                and flag in fields
                and f[flag] not in (None, "")
                and (f[flag] is True or str(f[flag]).lower() in ("1", "true", "t"))
            ):
                true += 1
        centre = (sum(xs) / len(xs), sum(ys) / len(ys)) if xs else (0.0, 0.0)
        return {"area_km2": area, "names": sorted(names), "true": true, "centre": centre}

    print(f"QGIS {Qgis.QGIS_VERSION} (headless, {sys.executable}); GDAL of QGIS: ", end="")
    from osgeo import gdal

    print(gdal.__version__)
    print()
    print(
        "| file | QGIS reads | features (exp.) | CRS | km² or km (exp.) | shift m | names | true "
        "(exp.) | style | licence | toolkit said |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, spec in expected["layers"].items():
        flag = LAYERS[name][1]
        for ext, made in spec["files"].items():
            said = "; ".join(made["warnings"])[:150] or "–"
            if made["status"] != "written":
                print(f"| {name}{ext} |" + " – |" * 9 + f" {made['status']}: {said} |")
                continue
            path = out / f"{name}{ext}"
            layer = QgsVectorLayer(str(path), name, "ogr")
            if not layer.isValid():
                print(f"| {name}{ext} | **not valid** | | | | | | | | | {said} |")
                continue
            got = read(layer, flag)
            differ = sum(a != b for a, b in zip(got["names"], spec["names"], strict=False))
            if got["names"] == spec["names"]:
                names_ok = "exact"
            elif len(got["names"]) == len(spec["names"]):
                names_ok = f"**{differ} differ**"
            else:
                names_ok = f"**{len(got['names'])} of {len(spec['names'])}**"
            true = f"{got['true']} ({spec['true']})" if flag else "–"
            dx, dy = (a - b for a, b in zip(got["centre"], spec["centre"], strict=True))
            shift = (dx * dx + dy * dy) ** 0.5  # mean of the centroids, read vs stored
            renderer = layer.renderer().type() if layer.renderer() else "none"
            licence = "; ".join(layer.metadata().licenses())[:40] or "–"
            crs = layer.crs().authid() or layer.crs().description()
            cells = [
                f"{name}{ext}",
                "valid",
                f"{layer.featureCount()} ({spec['features']})",
                crs,
                f"{got['area_km2']:,.3f} ({spec['area_km2']:,.3f})",
                f"{shift:.3f}",
                names_ok,
                true,
                renderer,
                licence,
                said,
            ]
            print("| " + " | ".join(cells) + " |")

    project = QgsProject.instance()
    qgz = out / "plan.qgz"
    ok = project.read(str(qgz))
    layers = list(project.mapLayers().values())
    print()
    print(
        f"Project {qgz.name}: read {ok}; CRS {project.crs().authid()} "
        f"({project.crs().description()}); {len(layers)} layers, "
        f"{sum(la.isValid() for la in layers)} valid."
    )
    print()
    print("| group | layer | valid | features | renderer | categories | labels | licence |")
    print("|---|---|---|---|---|---|---|---|")
    root = project.layerTreeRoot()
    for group in root.children():
        if not isinstance(group, QgsLayerTreeGroup):
            continue
        for node in group.findLayers():
            la = node.layer()
            rend = la.renderer()
            cats = len(rend.categories()) if rend and rend.type() == "categorizedSymbol" else "–"
            print(
                f"| {group.name()} | {la.name()} | {la.isValid()} | {la.featureCount()} | "
                f"{rend.type() if rend else 'none'} | {cats} | {la.labelsEnabled()} | "
                f"{'; '.join(la.metadata().licenses())[:40] or '–'} |"
            )
    gpkg = out / "plan.gpkg"  # the SLD of each layer, as another program would take it
    with sqlite3.connect(gpkg) as con:
        slds = con.execute("SELECT f_table_name, styleSLD FROM layer_styles").fetchall()
    loaded = []
    for name, sld in slds:
        (out / "style.sld").write_text(sld, encoding="utf-8")
        layer = QgsVectorLayer(f"{gpkg}|layername={name}", name, "ogr")
        ok = layer.loadSldStyle(str(out / "style.sld"))[1]
        rules = (
            layer.renderer().rootRule().children()
            if ok and layer.renderer().type() == ("RuleRenderer")
            else []
        )
        loaded.append(
            f"{name} {'ok' if ok else 'FAILED'}" + (f" ({len(rules)} rules)" if rules else "")
        )
    print(f"\nSLD of layer_styles loaded by QGIS: {'; '.join(loaded)}.")
    settings = QgsMapSettings()  # a picture of the project as it opens, to compare by eye
    settings.setLayers([n.layer() for n in root.findLayers() if n.isVisible()])
    settings.setDestinationCrs(project.crs())
    view = project.viewSettings().defaultViewExtent()
    settings.setExtent(settings.fullExtent() if view.isNull() else view)
    print(f"\nDefault view: {view.toString(0)} ({view.crs().authid()}).")
    settings.setOutputSize(QSize(1400, 1100))
    settings.setBackgroundColor(QColor("#f4f1ea"))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    job.renderedImage().save(str(out / "plan.png"))
    print(f"\nRendered the project as it opens: {out / 'plan.png'}.")
    project.clear()
    sys.stdout.flush()
    os._exit(0)  # QgsApplication.exitQgis() crashes after a project was read (QGIS 3.22)


if __name__ == "__main__":
    main()
