"""Documented defaults of the toolkit.

Functions read these only for defaults; every one can be overridden by a keyword argument (and
most by a CLI option). Change them at run time with ``gis.settings.NAME = value``; assigning a
name that is not a setting raises :class:`gis.errors.SettingsError` naming the closest setting,
so a typo (``gis.settings.HISTRY_KEEP = 5``) is an error, not a silently ignored new attribute.

Attributes
----------
LAYERS_DIR : pathlib.Path
    Root of the layer store; one sub-folder per province profile. Overridden by the environment
    variable ``GIS_LAYERS_DIR`` and the CLI option ``--layers``. Default: ``layers/`` of the
    repository.
PROVINCE : str
    Slug of the default province profile (folder name under ``LAYERS_DIR``). Overridden by
    ``GIS_PROVINCE`` and ``--province``. Default: the slug in ``default_province.txt`` of
    ``LAYERS_DIR``.
DISPLAY_CRS : str
    CRS of web maps (Leaflet works in WGS 84 lon/lat). Default ``"EPSG:4326"``.
STORAGE_COORD_DECIMALS_M : int
    Decimals kept when a layer in a metric CRS is written (2 = 1 cm, far below survey accuracy of
    any shipped layer and small enough to keep files diffable). Default 2.
STORAGE_COORD_DECIMALS_DEG : int
    Decimals kept for layers stored in degrees (6 = about 0.1 m). Default 6.
UNCHANGED_GEOMETRY_TOLERANCE_M : float
    On a save, a feature (matched by the layer's id column) whose geometry differs from the
    stored one only in form (Polygon vs one-part MultiPolygon, ring start or orientation, order
    of parts) and by at most this distance at every vertex keeps its stored geometry, so that
    re-importing an exported Shapefile, MapInfo TAB or WGS 84 GeoJSON (6 decimals, about 0.1 m)
    of unchanged data changes nothing in the file. Default 0.1 (m).
HISTORY_KEEP : int
    Number of previous versions of each layer kept in ``<province>/.history/``. Default 20.
MAX_TEXT_CHARS : int
    Longest text value a layer may hold (characters). Longer values are refused by validation:
    they are pasted documents or hostile input, break diff review and map popups, and no
    shipped layer comes near (longest: 229 characters, a note of ``facts``). Default 10,000.
EXTENT_MARGIN_KM : float
    How far outside the province's bounding box (the ``province`` layer) a feature may lie
    before a save is refused as misplaced (swapped axes, wrong CRS, another province).
    Shipped layers reach 39.3 km (``plan_waypoints``, road ends beyond the border; hydropower
    plants on the border rivers 23.3 km). Default 50.
MAPS_DIR : pathlib.Path
    Where ``gis build`` writes maps. Default ``maps/`` of the repository.
OUT_DIR : pathlib.Path
    Where ``gis stats`` writes tables and the report. Default ``out/`` of the repository.
REPORT_LANGUAGE : str
    Language of what ``gis stats`` writes (``report.md``, ``statistics.xlsx``, the CSV files):
    ``"en"`` or ``"vi"`` (see ``REPORT_LANGUAGES``). A profile overrides it with
    ``[report] language = "vi"`` in ``profile.toml``, the CLI with ``--language`` or
    ``--vietnamese``. Default ``"en"``: English outputs keep the codes of the tables
    (``districts_pre2025``, ``met``), which scripts and tests compare.
REPORT_LANGUAGES : tuple of str
    The languages the outputs can be written in. Vietnamese text comes from
    ``gis/data/translations_vi.csv``.
"""

from __future__ import annotations

import difflib
import os
import sys
import types
from pathlib import Path

from gis.errors import SettingsError

__all__ = [
    "DISPLAY_CRS",
    "EXTENT_MARGIN_KM",
    "HISTORY_KEEP",
    "LAYERS_DIR",
    "MAPS_DIR",
    "MAX_TEXT_CHARS",
    "OUT_DIR",
    "PROVINCE",
    "REPORT_LANGUAGE",
    "REPORT_LANGUAGES",
    "REPO_ROOT",
    "STORAGE_COORD_DECIMALS_DEG",
    "STORAGE_COORD_DECIMALS_M",
    "UNCHANGED_GEOMETRY_TOLERANCE_M",
]

REPO_ROOT: Path = Path(__file__).resolve().parent.parent
LAYERS_DIR: Path = Path(os.environ.get("GIS_LAYERS_DIR", REPO_ROOT / "layers"))
#: The default province is data too: the slug in default_province.txt of the layer store.
_DEFAULT_PROVINCE_FILE = LAYERS_DIR / "default_province.txt"
PROVINCE: str = os.environ.get("GIS_PROVINCE") or (
    _DEFAULT_PROVINCE_FILE.read_text(encoding="utf-8").strip()
    if _DEFAULT_PROVINCE_FILE.is_file()
    else ""
)
DISPLAY_CRS: str = "EPSG:4326"
STORAGE_COORD_DECIMALS_M: int = 2
STORAGE_COORD_DECIMALS_DEG: int = 6
UNCHANGED_GEOMETRY_TOLERANCE_M: float = 0.1
HISTORY_KEEP: int = 20
MAX_TEXT_CHARS: int = 10_000
EXTENT_MARGIN_KM: float = 50.0
MAPS_DIR: Path = Path(os.environ.get("GIS_MAPS_DIR", REPO_ROOT / "maps"))
OUT_DIR: Path = Path(os.environ.get("GIS_OUT_DIR", REPO_ROOT / "out"))
REPORT_LANGUAGES: tuple[str, ...] = ("en", "vi")
REPORT_LANGUAGE: str = "en"


class _Settings(types.ModuleType):
    """This module's type: assigning a name that is not a setting raises (geopandas ``_config``).

    Names starting with ``_`` are the module's own and stay free to set.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if not name.startswith("_") and name not in __all__:
            close = difflib.get_close_matches(name, __all__, n=1)
            hint = f"Did you mean {close[0]!r}? " if close else ""
            raise SettingsError(
                f"gis.settings has no setting {name!r}. {hint}The settings are: "
                f"{', '.join(__all__)}."
            )
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Settings
