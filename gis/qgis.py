"""The plan on the planner's desktop: a styled GeoPackage and a QGIS project.

:func:`export_geopackage` writes store layers into one GeoPackage that opens styled in QGIS:

- a QGIS style per layer in the ``layer_styles`` table (the table QGIS itself writes: QML and
  SLD, ``useAsDefault``), matching the web maps (:mod:`gis.qgis_style`);
- title and description in ``gpkg_contents`` (``identifier``, ``description``: QGIS shows
  them as the layer's title and abstract);
- a metadata record per layer in ``gpkg_metadata`` / ``gpkg_metadata_reference`` (GeoPackage
  metadata extension): QGIS's own layer metadata XML (``http://mrcc.com/qgis.dtd``: title,
  abstract, licence, rights, source links, history, CRS), which QGIS >= 3.20 shows under Layer
  Properties > Metadata, and the same as plain text for other programs. The licence of each
  layer (GPL-3.0, CC BY-SA 4.0 ...) comes from its ``.meta.json`` provenance and travels with
  the data.

:func:`write_qgis_project` writes a QGIS project (``.qgz``: a zip of one ``.qgs`` XML) beside
such a GeoPackage: every vector layer of the province, grouped by its role in the profile
(administrative, orientation, urban, infrastructure, other), styled like the web maps, in the
planning CRS of the profile; a layer mixing geometry types (urban areas as points and
polygons) is one project layer per type, as QGIS opens it. The GeoPackage is referenced by a
relative path, so the two files can be copied together anywhere.

Verified with QGIS 3.22.16 (Debian 12), headless: ``bench/qgis_interop.py``, ``docs/interop.md``.
"""

from __future__ import annotations

import io
import os
import sqlite3
import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pyproj

from gis import store
from gis._writes import atomic_write
from gis.errors import InputFileError, LayerError
from gis.io import write_geopackage
from gis.profile import Profile, load_profile
from gis.qgis_style import (
    QGIS_VERSION,
    LayerStyle,
    geometry_kinds,
    labeling_xml,
    layer_style,
    renderer_xml,
    style_qml,
    style_sld,
)

__all__ = [
    "GROUPS",
    "ProjectLayer",
    "export_geopackage",
    "ogr_source",
    "project_layers",
    "save_project",
    "write_qgis_project",
]

#: Groups of the QGIS project, top (drawn last) to bottom, and the layer roles in each
#: (:data:`gis.profile.LAYER_ROLES`), top first; a layer with no role goes to the last group.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Đô thị", ("urban_areas",)),
    ("Hạ tầng", ("facilities", "hydropower", "roads", "roads_legacy", "rivers")),
    ("Hành chính", ("border", "province", "districts", "communes")),
    (
        "Định hướng",
        ("pillar_sites", "waypoints", "axis", "pillar_zones", "regions", "regions_2025"),
    ),
    ("Khác", ()),
)
#: Roles whose layers are off when the project opens (as on the web maps, or not on them).
HIDDEN_ROLES = ("roads_legacy", "pillar_zones", "regions_2025", "waypoints")
_QGIS_DTD = "http://mrcc.com/qgis.dtd"
_PLAIN_URI = "http://www.geopackage.org/spec/#metadata_plain_text"
_WKB = {
    "point": ("Point", "Point"),
    "line": ("Line", "LineString"),
    "polygon": ("Polygon", "Polygon"),
}
_GEOMETRY_TYPE = {"point": "Point", "line": "LineString", "polygon": "Polygon"}


@dataclass(frozen=True)
class ProjectLayer:
    """One layer of the project: a store layer, or its part of one geometry kind."""

    name: str  # the layer's key in ``frames`` (store layer, GeoPackage table)
    title: str
    group: str
    style: LayerStyle
    visible: bool
    source: str  # OGR data source relative to the project: ./plan.gpkg|layername=roads


def _role(profile: Profile, name: str) -> str | None:
    return next((r for r, n in profile.roles.items() if n == name), None)


def _group(role: str | None) -> str:
    return next((g for g, roles in GROUPS if role in roles), GROUPS[-1][0])


def _rank(role: str | None) -> int:
    order = [r for _, roles in GROUPS for r in roles]
    return order.index(role) if role in order else len(order)


def ogr_source(container: str, layer: str, kind: str | None = None) -> str:
    """QGIS data source of ``layer`` in ``container`` (a GeoPackage or a .gdb folder).

    ``kind`` ("point", "line", "polygon") names the geometry type of a layer that mixes them,
    as QGIS opens such a layer once per type.
    """
    part = f"|geometrytype={_GEOMETRY_TYPE[kind]}" if kind else ""
    return f"./{container}|layername={layer}{part}"


def project_layers(
    frames: dict[str, gpd.GeoDataFrame], metas: dict[str, dict], profile: Profile, gpkg: str
) -> list[ProjectLayer]:
    """The project's layers in GeoPackage ``gpkg``, top first: group, then role (:data:`GROUPS`)."""
    out = []
    for name in sorted(frames, key=lambda n: (_rank(_role(profile, n)), n)):
        gdf, role = frames[name], _role(profile, name)
        kinds = geometry_kinds(gdf) or ["point"]
        for kind in sorted(kinds, key=["point", "line", "polygon"].index):
            title = metas[name].get("title") or name
            if len(kinds) > 1:
                title = f"{title} ({_GEOMETRY_TYPE[kind]})"
            source = ogr_source(gpkg, name, kind if len(kinds) > 1 else None)
            style = layer_style(name, gdf, profile, geometry=kind)
            out.append(
                ProjectLayer(name, title, _group(role), style, role not in HIDDEN_ROLES, source)
            )
    return out


# ----------------------------------------------------------------------------- metadata


def _metadata_fields(meta: dict) -> dict[str, str]:
    prov = meta.get("provenance") or {}
    return {
        k: str(v)
        for k, v in {
            "title": meta.get("title", ""),
            "description": meta.get("description", ""),
            "source": prov.get("source", ""),
            "url": prov.get("url", ""),
            "licence": prov.get("licence", ""),
            "date": prov.get("date", ""),
            "processing": prov.get("processing", ""),
            "accuracy": meta.get("accuracy", ""),
        }.items()
        if v
    }


def _abstract(meta: dict) -> str:
    f = _metadata_fields(meta)
    parts = [f.get("description", "")]
    parts += [f"Source: {f['source']}" if "source" in f else ""]
    parts += [f"Licence: {f['licence']}" if "licence" in f else ""]
    parts += [f"Accuracy: {f['accuracy']}" if "accuracy" in f else ""]
    return "\n".join(p for p in parts if p)


def _qgis_metadata(parent: ET.Element, name: str, meta: dict, crs: pyproj.CRS, profile: Profile):
    """Fill ``parent`` with QGIS layer metadata (QgsLayerMetadata's XML elements)."""
    f = _metadata_fields(meta)
    ET.SubElement(parent, "identifier").text = f"{profile.slug}/{name}"
    ET.SubElement(parent, "parentidentifier").text = profile.slug
    ET.SubElement(parent, "language").text = "vie"
    ET.SubElement(parent, "type").text = "dataset"
    ET.SubElement(parent, "title").text = f.get("title", name)
    ET.SubElement(parent, "abstract").text = _abstract(meta)
    keywords = ET.SubElement(parent, "keywords", vocabulary="gis")
    ET.SubElement(keywords, "keyword").text = profile.name
    ET.SubElement(parent, "contact")
    links = ET.SubElement(parent, "links")
    if "url" in f:
        ET.SubElement(
            links,
            "link",
            name=f.get("source", "source")[:200],
            type="WWW:LINK",
            url=f["url"],
            description="source",
            format="",
            mimeType="",
            size="",
        )
    if "processing" in f:
        ET.SubElement(parent, "history").text = f["processing"]
    ET.SubElement(parent, "fees")
    if "licence" in f:
        ET.SubElement(parent, "rights").text = f"Licence: {f['licence']}"
        ET.SubElement(parent, "license").text = f["licence"]
    ET.SubElement(parent, "encoding").text = "UTF-8"
    _spatialrefsys(ET.SubElement(parent, "crs"), crs)
    return parent


def _plain_metadata(name: str, meta: dict, profile: Profile) -> str:
    f = _metadata_fields(meta)
    lines = [f"layer: {name}", f"province: {profile.name}"]
    lines += [f"{k}: {v}" for k, v in f.items()]
    return "\n".join(lines) + "\n"


_METADATA_DDL = (
    "CREATE TABLE IF NOT EXISTS gpkg_metadata (id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC NOT "
    "NULL, md_scope TEXT NOT NULL DEFAULT 'dataset', md_standard_uri TEXT NOT NULL, mime_type "
    "TEXT NOT NULL DEFAULT 'text/xml', metadata TEXT NOT NULL DEFAULT '')",
    "CREATE TABLE IF NOT EXISTS gpkg_metadata_reference (reference_scope TEXT NOT NULL, "
    "table_name TEXT, column_name TEXT, row_id_value INTEGER, timestamp DATETIME NOT NULL "
    "DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), md_file_id INTEGER NOT NULL, "
    "md_parent_id INTEGER, CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES "
    "gpkg_metadata(id), CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES "
    "gpkg_metadata(id))",
)
#: The table QGIS creates to store styles in a GeoPackage (QgsOgrProviderUtils, QGIS 3.22).
_STYLES_DDL = (
    "CREATE TABLE IF NOT EXISTS layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT, "
    "f_table_catalog TEXT(256), f_table_schema TEXT(256), f_table_name TEXT(256), "
    "f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT, "
    "useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30), update_time "
    "DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"
)


def _describe(path: Path, frames, metas, profile: Profile) -> None:
    """Add title, description, metadata records and default styles to a written GeoPackage."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    con = sqlite3.connect(path)
    try:
        with con:
            for ddl in (*_METADATA_DDL, _STYLES_DDL):
                con.execute(ddl)
            con.executemany(
                "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, "
                "definition, scope) SELECT ?, NULL, 'gpkg_metadata', "
                "'http://www.geopackage.org/spec120/#extension_metadata', 'read-write' WHERE "
                "NOT EXISTS (SELECT 1 FROM gpkg_extensions WHERE table_name = ? AND "
                "extension_name = 'gpkg_metadata')",
                [(t, t) for t in ("gpkg_metadata", "gpkg_metadata_reference")],
            )
            con.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
                "last_change) SELECT 'layer_styles', 'attributes', 'layer_styles', '', ? "
                "WHERE NOT EXISTS (SELECT 1 FROM gpkg_contents WHERE table_name = "
                "'layer_styles')",
                (now,),
            )
            for name, gdf in frames.items():
                meta = metas[name]
                f = _metadata_fields(meta)
                con.execute(
                    "UPDATE gpkg_contents SET identifier = ?, description = ? WHERE table_name = ?",
                    (f.get("title", name), _abstract(meta), name),
                )
                geom_col = con.execute(
                    "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (name,)
                ).fetchone()[0]
                root = _qgis_metadata(
                    ET.Element("qgis", version=QGIS_VERSION), name, meta, gdf.crs, profile
                )
                records = [
                    (_QGIS_DTD, "text/xml", ET.tostring(root, encoding="unicode")),
                    (_PLAIN_URI, "text/plain", _plain_metadata(name, meta, profile)),
                ]
                for uri, mime, text in records:
                    cur = con.execute(
                        "INSERT INTO gpkg_metadata (md_scope, md_standard_uri, "
                        "mime_type, metadata) VALUES ('dataset', ?, ?, ?)",
                        (uri, mime, text),
                    )
                    con.execute(
                        "INSERT INTO gpkg_metadata_reference (reference_scope, "
                        "table_name, timestamp, md_file_id) VALUES ('table', ?, ?, ?)",
                        (name, now, cur.lastrowid),
                    )
                style = layer_style(name, gdf, profile)
                con.execute(
                    "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                    "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, "
                    "description, owner, ui, update_time) VALUES ('', '', ?, ?, ?, ?, ?, 1, ?, "
                    "'', NULL, ?)",
                    (
                        name,
                        geom_col,
                        name,
                        style_qml(style),
                        style_sld(style, name),
                        f"as on the web maps of gis build{'; ' + style.note if style.note else ''}",
                        now,
                    ),
                )
    finally:
        con.close()


def _store_layers(profile: Profile, layers: list[str] | None) -> tuple[dict, dict]:
    """Read the vector layers (all of the province, or ``layers``) and their metadata."""
    catalogue = store.list_layers(province=profile)
    vectors = [
        str(n) for n, k in zip(catalogue["name"], catalogue["kind"], strict=True) if k == "vector"
    ]
    names = vectors if layers is None else list(layers)
    tables = [n for n in names if n not in vectors]
    if tables:
        raise LayerError(
            f"{', '.join(map(repr, tables))} is/are not vector layers of {profile.name}; a "
            f"GeoPackage and a QGIS project hold vector layers: {', '.join(vectors)}. Export a "
            "table with `gis export TABLE FILE.csv`."
        )
    frames = {n: store.read_layer(n, province=profile) for n in names}
    metas = {n: store.layer_meta(n, province=profile) for n in names}
    return {n: f for n, f in frames.items() if isinstance(f, gpd.GeoDataFrame)}, metas


def export_geopackage(
    path: str | os.PathLike,
    *,
    layers: list[str] | None = None,
    province: str | Profile | None = None,
    layers_dir: str | os.PathLike | None = None,
) -> Path:
    """Export store layers to one GeoPackage with QGIS styles and metadata, atomically.

    Parameters
    ----------
    path : path-like
        Target ``.gpkg``.
    layers : list of str, optional
        Layers to export; default every vector layer of the province.
    province, layers_dir
        Profile and store root (defaults: :mod:`gis.settings`).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    LayerError, LayerNotFoundError
        A layer is a table or does not exist.
    InputFileError
        Not a ``.gpkg`` path, or its folder does not exist.
    """
    profile = load_profile(province, layers_dir=layers_dir)
    frames, metas = _store_layers(profile, layers)
    return write_geopackage(frames, path, finish=lambda tmp: _describe(tmp, frames, metas, profile))


# ----------------------------------------------------------------------------- the project


def _short_id(text: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, text).hex[:8]


def _spatialrefsys(parent: ET.Element, crs: pyproj.CRS) -> ET.Element:
    srs = ET.SubElement(parent, "spatialrefsys", nativeFormat="Wkt")
    ET.SubElement(srs, "wkt").text = crs.to_wkt()
    ET.SubElement(srs, "proj4").text = ""  # QGIS reads the WKT
    epsg = crs.to_epsg()
    ET.SubElement(srs, "srsid").text = "0"
    ET.SubElement(srs, "srid").text = str(epsg or 0)
    ET.SubElement(srs, "authid").text = f"EPSG:{epsg}" if epsg else ""
    ET.SubElement(srs, "description").text = crs.name
    ET.SubElement(srs, "projectionacronym").text = "tmerc" if crs.is_projected else "longlat"
    ET.SubElement(srs, "ellipsoidacronym").text = ""
    ET.SubElement(srs, "geographicflag").text = "true" if crs.is_geographic else "false"
    return srs


def _extent(parent: ET.Element, bounds) -> None:
    ext = ET.SubElement(parent, "extent")
    for key, value in zip(("xmin", "ymin", "xmax", "ymax"), bounds, strict=True):
        ET.SubElement(ext, key).text = f"{float(value):.3f}"


def _project_xml(
    layers: list[ProjectLayer],
    frames,
    metas,
    profile: Profile,
    crs: pyproj.CRS,
    title: str,
    render_order=None,
) -> bytes:
    root = ET.Element("qgis", projectname=title, version=QGIS_VERSION)
    ET.SubElement(root, "homePath", path="")
    ET.SubElement(root, "title").text = title
    _spatialrefsys(ET.SubElement(root, "projectCrs"), crs)
    ids = {id(la): f"{la.name}_{la.style.geometry}_{_short_id(la.title)}" for la in layers}

    tree = ET.SubElement(root, "layer-tree-group")
    ET.SubElement(tree, "customproperties")
    for group in dict.fromkeys(la.group for la in layers):  # in the order of ``layers``
        members = [la for la in layers if la.group == group]
        node = ET.SubElement(
            tree, "layer-tree-group", name=group, checked="Qt::Checked", expanded="1"
        )
        ET.SubElement(node, "customproperties")
        for la in members:
            checked = "Qt::Checked" if la.visible else "Qt::Unchecked"
            leaf = ET.SubElement(
                node,
                "layer-tree-layer",
                id=ids[id(la)],
                name=la.title,
                source=la.source,
                providerKey="ogr",
                expanded="0",
                checked=checked,
            )
            ET.SubElement(leaf, "customproperties")
    if render_order is not None:  # QGIS's "control rendering order": top first
        custom = ET.SubElement(tree, "custom-order", enabled="1")
        for la in render_order:
            ET.SubElement(custom, "item").text = ids[id(la)]
    canvas = ET.SubElement(root, "mapcanvas", name="theMapCanvas", annotationsVisible="1")
    ET.SubElement(canvas, "units").text = "meters"
    everything = [f.to_crs(crs).total_bounds for f in frames.values() if len(f)]
    outline = frames.get(profile.roles.get("province", ""))
    bounds = (
        outline.to_crs(crs).total_bounds
        if outline is not None and len(outline)
        else [
            min(b[0] for b in everything),
            min(b[1] for b in everything),
            max(b[2] for b in everything),
            max(b[3] for b in everything),
        ]
    )
    _extent(canvas, bounds)
    view = ET.SubElement(root, "ProjectViewSettings", UseProjectScales="0")
    ET.SubElement(view, "Scales")
    default = ET.SubElement(
        view,
        "DefaultViewExtent",
        **{
            k: f"{float(v):.3f}"
            for k, v in zip(("xmin", "ymin", "xmax", "ymax"), bounds, strict=True)
        },
    )
    _spatialrefsys(default, crs)
    ET.SubElement(canvas, "rotation").text = "0"
    _spatialrefsys(ET.SubElement(canvas, "destinationsrs"), crs)
    project = ET.SubElement(root, "projectlayers")
    for la in layers:
        gdf = frames[la.name]
        wkb = _WKB[la.style.geometry]
        kinds = gdf.geom_type.str.replace("Multi", "")
        multi = gdf.geom_type[kinds == _GEOMETRY_TYPE[la.style.geometry]].str.startswith("Multi")
        el = ET.SubElement(
            project,
            "maplayer",
            type="vector",
            geometry=wkb[0],
            wkbType=("Multi" if multi.any() else "") + wkb[1],
            labelsEnabled="1" if la.style.label_field else "0",
            styleCategories="AllStyleCategories",
            autoRefreshEnabled="0",
            hasScaleBasedVisibilityFlag="0",
        )
        _extent(el, gdf.total_bounds if len(gdf) else (0, 0, 0, 0))
        ET.SubElement(el, "id").text = ids[id(la)]
        ET.SubElement(el, "datasource").text = la.source
        ET.SubElement(el, "layername").text = la.title
        _spatialrefsys(ET.SubElement(el, "srs"), gdf.crs)
        _qgis_metadata(
            ET.SubElement(el, "resourceMetadata"), la.name, metas[la.name], gdf.crs, profile
        )
        ET.SubElement(el, "provider", encoding="UTF-8").text = "ogr"
        el.append(renderer_xml(la.style))
        labels = labeling_xml(la.style)
        if labels is not None:
            el.append(labels)
        ET.SubElement(el, "blendMode").text = "0"
        ET.SubElement(el, "featureBlendMode").text = "0"
        ET.SubElement(el, "layerOpacity").text = "1"
    order = ET.SubElement(root, "layerorder")
    for la in layers:
        ET.SubElement(order, "layer", id=ids[id(la)])
    props = ET.SubElement(root, "properties")
    paths = ET.SubElement(props, "Paths")
    ET.SubElement(paths, "Absolute", type="bool").text = "false"
    srs = ET.SubElement(props, "SpatialRefSys")  # QGIS reads <projectCrs> only when this is 1
    ET.SubElement(srs, "ProjectionsEnabled", type="int").text = "1"
    ET.SubElement(srs, "ProjectCrs", type="QString").text = crs.to_string()
    body = ET.tostring(root, encoding="unicode")
    return f"<!DOCTYPE qgis PUBLIC '{_QGIS_DTD}' 'SYSTEM'>\n{body}\n".encode()


def write_qgis_project(
    path: str | os.PathLike,
    *,
    province: str | Profile | None = None,
    layers_dir: str | os.PathLike | None = None,
) -> tuple[Path, Path]:
    """Write a QGIS project of the province's vector layers and the GeoPackage it opens.

    The GeoPackage (:func:`export_geopackage`, styles and metadata included) is written beside
    the project with the same name (``plan.qgz`` -> ``plan.gpkg``) and referenced by a relative
    path. Layers are grouped by role (:data:`GROUPS`), styled like the web maps, and the
    project is in the profile's planning CRS.

    Parameters
    ----------
    path : path-like
        Target ``.qgz`` (a ``.qgs`` is written as plain XML).
    province, layers_dir
        Profile and store root (defaults: :mod:`gis.settings`).

    Returns
    -------
    (Path, Path)
        The project and the GeoPackage.

    Raises
    ------
    InputFileError
        Not a ``.qgz``/``.qgs`` path, or its folder does not exist.
    """
    path = Path(path)
    if path.suffix.lower() not in (".qgz", ".qgs"):
        raise InputFileError(
            f"cannot write the QGIS project '{path}': its name must end in .qgz (zipped, what "
            "QGIS saves) or .qgs (plain XML), e.g. `gis export --qgis-project plan.qgz`."
        )
    if not path.parent.is_dir():
        raise InputFileError(f"cannot write '{path}': folder '{path.parent}' does not exist.")
    profile = load_profile(province, layers_dir=layers_dir)
    frames, metas = _store_layers(profile, None)
    gpkg = path.with_suffix(".gpkg")
    write_geopackage(frames, gpkg, finish=lambda tmp: _describe(tmp, frames, metas, profile))
    layers = project_layers(frames, metas, profile, gpkg.name)
    crs = pyproj.CRS.from_user_input(profile.planning_crs)
    project = save_project(
        path, layers, frames, metas, profile, crs=crs, title=f"Quy hoạch tỉnh {profile.name}"
    )
    return project, gpkg


def save_project(
    path: str | os.PathLike,
    layers: list[ProjectLayer],
    frames: dict[str, gpd.GeoDataFrame],
    metas: dict[str, dict],
    profile: Profile,
    *,
    crs: pyproj.CRS,
    title: str,
    render_order: list[ProjectLayer] | None = None,
) -> Path:
    """Write a QGIS project of ``layers`` (top first, grouped in that order) atomically.

    ``frames`` and ``metas`` (title, provenance, licence: the layer metadata QGIS shows) are
    keyed by :attr:`ProjectLayer.name`; the layers' data sources are relative to the project,
    so it travels with the files it opens. ``path`` ending in ``.qgz`` is zipped as QGIS saves
    it, ``.qgs`` is plain XML. ``render_order`` (top first: the same layers in another order)
    draws them in that order whatever their groups, QGIS's "control rendering order".
    """
    path = Path(path)
    xml = _project_xml(layers, frames, metas, profile, crs, title, render_order)

    def _write(tmp: Path) -> None:
        if path.suffix.lower() == ".qgs":
            tmp.write_bytes(xml)
            return
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(path.with_suffix(".qgs").name, xml)
        tmp.write_bytes(buf.getvalue())

    return atomic_write(path, _write)
