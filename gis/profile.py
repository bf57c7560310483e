"""Province profiles: a province is data, not code.

A profile is the file ``<layers_dir>/<slug>/profile.toml``: the province's code and names, its
planning CRS, its official area, the layers it is expected to hold (in catalogue order), the
topology rules its layers must obey and, optionally, a ``[report]`` table (``language = "vi"``:
``gis stats`` writes its outputs in Vietnamese; unknown names and values are refused). Adding a
province means adding a folder with a profile and its layers; no code changes. See
``layers/lai_chau/profile.toml`` for a commented example.

A folder whose name starts with ``_`` is not a province: ``layers/_national/`` holds national
data every province draws from (the 63 provinces of 2019 and 34 of 2025 with the census urban
share, urbanisation targets; written by ``tools/import_national.py``). It has a
``profile.toml`` of its own (slug ``_national``, planning CRS EPSG:3405 VN-2000 / UTM 48N for
Vietnam-wide display) so the store reads and validates it like any other folder
(``load_profile("_national")``), but :func:`list_profiles` skips it, so nothing lists or treats
it as a province.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyproj

from gis import settings
from gis.errors import ProfileError

__all__ = ["Profile", "list_profiles", "load_profile", "province_dir"]

_REQUIRED = ("slug", "code", "name", "planning_crs")
#: Settings of the ``[report]`` table of a profile (``gis stats``) and their allowed values.
_REPORT_KEYS = {"language": settings.REPORT_LANGUAGES}


@dataclass(frozen=True)
class Profile:
    """A province profile (see module docstring).

    Attributes
    ----------
    slug : str
        Folder name, ASCII (``"lai_chau"``).
    code : str
        Province code of the General Statistics Office (``"12"``).
    name : str
        Vietnamese name (``"Lai Châu"``).
    planning_crs : str
        Projected metric CRS for areas and lengths (``"EPSG:9205"``); layers are stored in it.
    path : pathlib.Path
        Folder holding the profile and its layers.
    official_area_km2 : float or None
        Official natural area, with ``official_area_source``.
    layers : tuple of str
        Expected layer names, in catalogue order.
    rules : tuple of dict
        Topology and consistency rules (see :mod:`gis.validate`).
    report_language : str or None
        Language of the statistics outputs, from ``[report] language`` (``"en"`` or ``"vi"``);
        None when the profile does not say (then :data:`gis.settings.REPORT_LANGUAGE`).
    """

    slug: str
    code: str
    name: str
    planning_crs: str
    path: Path
    official_area_km2: float | None = None
    official_area_source: str = ""
    layers: tuple[str, ...] = ()
    rules: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    report_language: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def province_dir(province: str | None = None, *, layers_dir: str | Path | None = None) -> Path:
    """Return the folder of ``province`` (default :data:`gis.settings.PROVINCE`)."""
    root = Path(layers_dir) if layers_dir is not None else Path(settings.LAYERS_DIR)
    return root / (province or settings.PROVINCE)


def list_profiles(*, layers_dir: str | Path | None = None) -> list[str]:
    """Return the slugs of all provinces that have a ``profile.toml`` under ``layers_dir``.

    Folders whose name starts with ``_`` (``_national``: data shared by every province) are not
    provinces and are left out.
    """
    root = Path(layers_dir) if layers_dir is not None else Path(settings.LAYERS_DIR)
    return sorted(
        p.parent.name for p in root.glob("*/profile.toml") if not p.parent.name.startswith("_")
    )


def _report_settings(data: dict[str, Any], path: Path) -> dict[str, str]:
    """Check the ``[report]`` table: only known names, each with an allowed value."""
    table = data.get("report", {})
    if "language" in data:
        raise ProfileError(
            f"{path}: 'language' belongs in the [report] table: write [report] then "
            f"language = {data['language']!r} (allowed: {list(settings.REPORT_LANGUAGES)})."
        )
    if not isinstance(table, dict):
        raise ProfileError(f"{path}: 'report' must be a table, e.g. [report] language = \"vi\".")
    unknown = sorted(set(table) - set(_REPORT_KEYS))
    if unknown:
        raise ProfileError(
            f"{path}: unknown setting(s) {unknown} in [report]; allowed: {sorted(_REPORT_KEYS)}."
        )
    for key, value in table.items():
        if value not in _REPORT_KEYS[key]:
            raise ProfileError(
                f"{path}: [report] {key} = {value!r} is not allowed; use one of "
                f"{list(_REPORT_KEYS[key])}."
            )
    return table


def load_profile(province: str | None = None, *, layers_dir: str | Path | None = None) -> Profile:
    """Read and check a province profile.

    Parameters
    ----------
    province : str, optional
        Profile slug; default :data:`gis.settings.PROVINCE`.
    layers_dir : path, optional
        Root of the layer store; default :data:`gis.settings.LAYERS_DIR`.

    Returns
    -------
    Profile

    Raises
    ------
    ProfileError
        If the profile is missing, is not valid TOML, lacks a required key, names an
        unknown CRS or a non-metric planning CRS, or has an unknown name or value in its
        ``[report]`` table.

    Examples
    --------
    >>> load_profile("lai_chau").planning_crs
    'EPSG:9205'
    """
    folder = province_dir(province, layers_dir=layers_dir)
    path = folder / "profile.toml"
    if not path.is_file():
        known = list_profiles(layers_dir=folder.parent)
        raise ProfileError(
            f"no province profile at {path}. Known provinces under {folder.parent}: "
            f"{', '.join(known) or 'none'}. Pick one with --province, or create "
            f"{path.name} (copy layers/lai_chau/profile.toml and edit it)."
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path} is not valid UTF-8 TOML: {exc}. Fix the file.") from None
    missing = [k for k in _REQUIRED if k not in data]
    if missing:
        raise ProfileError(f"{path} lacks required key(s) {missing}; add them (see lai_chau).")
    if data["slug"] != folder.name:
        raise ProfileError(
            f"{path}: slug '{data['slug']}' differs from its folder name '{folder.name}'; "
            "make them equal."
        )
    try:
        crs = pyproj.CRS.from_user_input(data["planning_crs"])
    except pyproj.exceptions.CRSError:
        raise ProfileError(
            f"{path}: planning_crs '{data['planning_crs']}' is not a CRS PROJ knows; "
            "use an EPSG code such as 'EPSG:9205'."
        ) from None
    if not crs.is_projected:
        raise ProfileError(
            f"{path}: planning_crs {data['planning_crs']} is not projected; areas need metres. "
            "Use the provincial VN-2000 / TM-3 zone (e.g. EPSG:9205 for Lai Châu)."
        )
    known = {
        "report",
        "slug",
        "code",
        "name",
        "planning_crs",
        "official_area_km2",
        "official_area_source",
        "layers",
        "rules",
    }
    return Profile(
        slug=data["slug"],
        code=str(data["code"]),
        name=data["name"],
        planning_crs=data["planning_crs"],
        path=folder,
        official_area_km2=data.get("official_area_km2"),
        official_area_source=data.get("official_area_source", ""),
        layers=tuple(data.get("layers", ())),
        rules=tuple(data.get("rules", ())),
        report_language=_report_settings(data, path).get("language"),
        extra={k: v for k, v in data.items() if k not in known},
    )
