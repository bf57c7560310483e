"""Provincial spatial planning toolkit for Vietnam.

The planner's workflow, from a notebook (``import gis``), by step:

- the province and its layers: :func:`load_profile`, :func:`list_profiles`,
  :func:`list_layers`, :func:`layer_meta`, :func:`read_layer`;
- editing a layer: :func:`open_layer`, :func:`add_features`, :func:`check_layer` (with
  :func:`problems_frame` for a table), :func:`diff`, :func:`save_layer`; its history:
  :func:`history`, :func:`diff_versions`, :func:`undo`, :func:`restore`; drawing on a map:
  :func:`draw_map`, :func:`drawn_features`; scripts save with :func:`write_layer`;
- files from and to other programs (QGIS, MapInfo, Excel): :func:`import_file`,
  :func:`read_vector`, :func:`write_vector`, :func:`export_geopackage`,
  :func:`write_qgis_project`;
- checks: :func:`validate_layer`, :func:`validate_province`;
- coverage analysis (in the planning CRS): :func:`within_distance`, :func:`corridor_coverage`,
  :func:`road_density`, :func:`road_graph`, :func:`network_distance_catchment`,
  :func:`rural_access_index`;
- numbers: :func:`compute_statistics`, :func:`write_statistics`, :func:`contents_table`;
- maps: :func:`preview_map` (in the notebook), :class:`MapLayer`, :func:`web_map`,
  :func:`save_map`, :func:`print_map` (one map of your own), :func:`build_maps` (the product
  web maps and prints);
- the whole job: :func:`build_province` (what ``gis build`` does), :func:`build_national`;
  an amendment: :func:`review_changes`, :func:`write_review`;
- the official database (Circular 04/2023/TT-BKHĐT): :func:`deliver_province`,
  :func:`check_delivery`;
- coordinates: :func:`to_crs` with the pinned VN-2000 datum shift; Vietnamese text:
  :func:`fold`, :func:`fix_legacy_columns`; errors: :class:`GisError` and its subclasses.

Each name lives in one module (``gis.edit.save_layer`` is ``gis.save_layer``); the modules are
imported when a name is first used, so ``import gis`` does not load folium or matplotlib.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from gis.errors import (
    ConflictError,
    CRSError,
    GisError,
    InputFileError,
    LayerError,
    LayerNotFoundError,
    ProfileError,
    RasterError,
    ValidationError,
)

#: Public name -> the module that defines it (imported on first use).
_HOMES: dict[str, str] = {
    "VN2000_TOWGS84": "gis.crs",
    "to_crs": "gis.crs",
    "load_profile": "gis.profile",
    "list_profiles": "gis.profile",
    "list_layers": "gis.store",
    "layer_meta": "gis.store",
    "read_layer": "gis.store",
    "write_layer": "gis.store",
    "check_layer": "gis.store",
    "history": "gis.store",
    "restore": "gis.store",
    "open_layer": "gis.edit",
    "add_features": "gis.edit",
    "problems_frame": "gis.edit",
    "diff": "gis.edit",
    "diff_versions": "gis.edit",
    "save_layer": "gis.edit",
    "undo": "gis.edit",
    "draw_map": "gis.draw",
    "drawn_features": "gis.draw",
    "import_file": "gis.transfer",
    "read_vector": "gis.io",
    "write_vector": "gis.io",
    "export_geopackage": "gis.qgis",
    "write_qgis_project": "gis.qgis",
    "validate_layer": "gis.validate",
    "validate_province": "gis.validate",
    "within_distance": "gis.coverage",
    "corridor_coverage": "gis.coverage",
    "road_density": "gis.coverage",
    "road_graph": "gis.coverage",
    "network_distance_catchment": "gis.coverage",
    "rural_access_index": "gis.coverage",
    "compute_statistics": "gis.stats",
    "write_statistics": "gis.report",
    "contents_table": "gis.report",
    "preview_map": "gis.preview",
    "MapLayer": "gis.maplayer",
    "web_map": "gis.webmap",
    "save_map": "gis.webmap",
    "print_map": "gis.printmap",
    "build_maps": "gis.maps",
    "build_province": "gis.build",
    "build_national": "gis.build",
    "review_changes": "gis.review",
    "write_review": "gis.review",
    "deliver_province": "gis.deliver",
    "check_delivery": "gis.deliver_check",
    "fold": "gis.text",
    "fix_legacy_columns": "gis.text",
}

__all__ = [
    "VN2000_TOWGS84",
    "CRSError",
    "ConflictError",
    "GisError",
    "InputFileError",
    "LayerError",
    "LayerNotFoundError",
    "MapLayer",
    "ProfileError",
    "RasterError",
    "ValidationError",
    "add_features",
    "build_maps",
    "build_national",
    "build_province",
    "check_delivery",
    "check_layer",
    "compute_statistics",
    "contents_table",
    "corridor_coverage",
    "deliver_province",
    "diff",
    "diff_versions",
    "draw_map",
    "drawn_features",
    "export_geopackage",
    "fix_legacy_columns",
    "fold",
    "history",
    "import_file",
    "layer_meta",
    "list_layers",
    "list_profiles",
    "load_profile",
    "network_distance_catchment",
    "open_layer",
    "preview_map",
    "print_map",
    "problems_frame",
    "read_layer",
    "read_vector",
    "restore",
    "review_changes",
    "road_density",
    "road_graph",
    "rural_access_index",
    "save_layer",
    "save_map",
    "to_crs",
    "undo",
    "validate_layer",
    "validate_province",
    "web_map",
    "within_distance",
    "write_layer",
    "write_qgis_project",
    "write_review",
    "write_statistics",
    "write_vector",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'gis' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # the next use does not come here
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))


if TYPE_CHECKING:  # for type checkers and IDEs: the same names, imported eagerly
    from gis.build import build_national, build_province
    from gis.coverage import (
        corridor_coverage,
        network_distance_catchment,
        road_density,
        road_graph,
        rural_access_index,
        within_distance,
    )
    from gis.crs import VN2000_TOWGS84, to_crs
    from gis.deliver import deliver_province
    from gis.deliver_check import check_delivery
    from gis.draw import draw_map, drawn_features
    from gis.edit import (
        add_features,
        diff,
        diff_versions,
        open_layer,
        problems_frame,
        save_layer,
        undo,
    )
    from gis.io import read_vector, write_vector
    from gis.maplayer import MapLayer
    from gis.maps import build_maps
    from gis.preview import preview_map
    from gis.printmap import print_map
    from gis.profile import list_profiles, load_profile
    from gis.qgis import export_geopackage, write_qgis_project
    from gis.report import contents_table, write_statistics
    from gis.review import review_changes, write_review
    from gis.stats import compute_statistics
    from gis.store import (
        check_layer,
        history,
        layer_meta,
        list_layers,
        read_layer,
        restore,
        write_layer,
    )
    from gis.text import fix_legacy_columns, fold
    from gis.transfer import import_file
    from gis.validate import validate_layer, validate_province
    from gis.webmap import save_map, web_map
