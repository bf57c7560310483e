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
from datetime import date
from pathlib import Path
from typing import Any

import pyproj

from gis import settings
from gis.errors import ProfileError

__all__ = [
    "LAYER_ROLES",
    "Delivery",
    "Plan",
    "Profile",
    "list_profiles",
    "load_profile",
    "province_dir",
]

_REQUIRED = ("slug", "code", "name", "planning_crs")
#: Settings of the ``[report]`` table of a profile (``gis stats``) and their allowed values.
_REPORT_KEYS = {"language": settings.REPORT_LANGUAGES}

#: What each part of the statistics and maps reads (role -> default layer name). A profile
#: renames a layer in its ``[roles]`` table (``census = "population_2019"``); a role whose layer
#: the province does not have skips the tables and map parts that need it, with a note.
LAYER_ROLES: dict[str, str] = {
    "province": "province",
    "districts": "districts_pre2025",
    "communes": "communes_2025",
    "crosswalk": "commune_crosswalk",
    "census": "population_census_2019",
    "facts": "facts",
    "plan_targets": "plan_targets",
    "urban_areas": "urban_areas",
    "urban_areas_table": "urban_areas_2030",
    "regions": "orientation_regions_pre2025",
    "regions_2025": "orientation_regions_2025",
    "districts_regions": "region_assignment_pre2025",
    "communes_regions": "region_assignment_2025",
    "axis": "orientation_axis",
    "pillar_sites": "pillar_sites",
    "pillar_zones": "pillar_zones",
    "roads": "roads",
    "roads_legacy": "roads_legacy",
    "facilities": "facilities",
    "hydropower": "hydropower_plants",
    "rivers": "rivers",
    "border": "border",
    "waypoints": "plan_waypoints",
}
#: Corridor and catchment distances when a profile's ``[plan]`` does not set them (metres).
DEFAULT_DISTANCES_M = (5000.0, 10000.0, 20000.0)


@dataclass(frozen=True)
class Region:
    """A region of the plan's spatial orientation: its Vietnamese name and map colour."""

    name_vi: str
    color: str = "#cccccc"


@dataclass(frozen=True)
class Plan:
    """The plan a province's layers carry, from the profile's ``[plan]`` table.

    Everything here is the province's: a profile without ``[plan]`` gets ``Plan()``, whose
    ``document`` is None (the statistics then count every urban area and say so) and whose
    orientation names are empty (the orientation map is titled by the province only).

    Attributes
    ----------
    document : str or None
        The plan's decision as written in the ``source_document`` column of the urban areas
        (the version scored and counted).
    document_vi : str
        The same in Vietnamese, for maps.
    credit_vi : str
        Map credit of the plan's layers; ``credit_match`` are the texts that, found in a layer's
        provenance, credit it to the plan.
    orientation_vi : str
        The orientation's short name (a slogan), in map titles.
    axis_vi, regions_vi, pillars_vi : str
        Legend names of the orientation's parts.
    regions : dict of str to Region
        Region code (``plan_region`` column) -> name and colour.
    documents_vi : dict of str to str
        Vietnamese names of other documents in ``source_document``.
    corridor_distances_m : tuple of float
        Distances of the corridor and catchment bands (metres).
    corridor_share_m : float
        Distance of the corridor-share statistic map (metres).
    approved : datetime.date or None
        Date of the approval decision (``approved = 2023-12-07``): ``quyHoachBatDau`` of the
        Circular 04/2023 delivery (:mod:`gis.deliver`).
    period_end : datetime.date or None
        Last day of the plan period (``period_end = 2030-12-31``): ``quyHoachKetThuc``.
    """

    document: str | None = None
    document_vi: str = ""
    credit_vi: str = ""
    credit_match: tuple[str, ...] = ()
    orientation_vi: str = ""
    axis_vi: str = "Trục"
    regions_vi: str = "Vùng"
    pillars_vi: str = "Trụ cột"
    regions: dict[str, Region] = field(default_factory=dict)
    documents_vi: dict[str, str] = field(default_factory=dict)
    corridor_distances_m: tuple[float, ...] = DEFAULT_DISTANCES_M
    corridor_share_m: float = 10000.0
    approved: date | None = None
    period_end: date | None = None

    @property
    def region_vi(self) -> dict[str, str]:
        """Region code -> Vietnamese name."""
        return {code: r.name_vi for code, r in self.regions.items()}

    @property
    def region_colors(self) -> dict[str, str]:
        """Region code -> colour."""
        return {code: r.color for code, r in self.regions.items()}

    def document_name_vi(self, document: str) -> str:
        """Vietnamese name of a ``source_document`` value (the value itself when unknown)."""
        if document == self.document and self.document_vi:
            return self.document_vi
        return self.documents_vi.get(document, document)


@dataclass(frozen=True)
class Delivery:
    """How the plan is delivered as a Circular 04/2023 database (the profile's ``[delivery]``).

    Attributes
    ----------
    crs : str or None
        CRS of the delivered geodatabase, GML and metadata (``crs = "EPSG:9205"``); it must be
        on the VN-2000 datum (Art. 6.1 of the circular) and projected. The circular names no
        zone: a VN-2000 / UTM 6° zone (EPSG:3405, 3406) or the province's TM-3 zone. None: the
        planning CRS.
    package_name : str or None
        Name of the ``.gdb`` package, capitalised words without diacritics (``"BacGiang"``,
        Phụ lục III Mục 1). None: from the profile's ``name_ascii`` (else ``name``).
    map_scale : int or None
        Scale denominator of the thematic maps III.4-III.7 (``map_scale = 100000``): one of the
        topographic bases of Phụ lục I, 25000, 50000 or 100000, or 250000 for an A0 reduction
        the circular does not list [I]. None: the largest of the three whose sheet fits A0,
        else 1:100,000 on a larger sheet (:func:`gis.deliver_mapset.choose_scale`).
    """

    crs: str | None = None
    package_name: str | None = None
    map_scale: int | None = None


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
    plan : Plan
        The plan's document, orientation names, regions and distances (``[plan]``).
    roles : dict of str to str
        Role -> layer name: :data:`LAYER_ROLES` with the ``[roles]`` table applied.
    delivery : Delivery
        The ``[delivery]`` table (Circular 04/2023 database: CRS, package name).
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
    plan: Plan = field(default_factory=Plan)
    roles: dict[str, str] = field(default_factory=lambda: dict(LAYER_ROLES))
    extra: dict[str, Any] = field(default_factory=dict)
    delivery: Delivery = field(default_factory=Delivery)

    @property
    def delivery_crs(self) -> str:
        """CRS of the Circular 04/2023 delivery: ``[delivery] crs``, else the planning CRS."""
        return self.delivery.crs or self.planning_crs

    def layer(self, role: str) -> str:
        """Store layer name of a role (:data:`LAYER_ROLES`, renamed by ``[roles]``)."""
        try:
            return self.roles[role]
        except KeyError:
            raise ProfileError(
                f"unknown layer role {role!r}; known roles: {sorted(self.roles)}."
            ) from None


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


_PLAN_TEXT = (
    "document",
    "document_vi",
    "credit_vi",
    "orientation_vi",
    "axis_vi",
    "regions_vi",
    "pillars_vi",
)
_PLAN_DATES = ("approved", "period_end")
_PLAN_KEYS = {
    *_PLAN_TEXT,
    *_PLAN_DATES,
    "credit_match",
    "regions",
    "documents_vi",
    "corridor_distances_m",
    "corridor_share_m",
}
_DELIVERY_KEYS = ("crs", "package_name", "map_scale")
#: Scales ``[delivery] map_scale`` accepts: Phụ lục I III.2-III.12, and an A0 reduction [I].
DELIVERY_MAP_SCALES = (25_000, 50_000, 100_000, 250_000)


def _iso_date(value: object, where: str, path: Path) -> date:
    """A TOML date (``2023-12-07``) or ISO date text (``"2023-12-07"``) as a date."""
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ProfileError(
        f"{path}: {where} = {value!r} is not a date; write an ISO date, e.g. "
        f"{where.split()[-1]} = 2023-12-07 (year-month-day, no time)."
    )


def _plan_dates(table: dict[str, Any], path: Path) -> dict[str, date]:
    """The ``approved`` and ``period_end`` dates of ``[plan]``, checked."""
    dates = {k: _iso_date(table[k], f"[plan] {k}", path) for k in _PLAN_DATES if k in table}
    if len(dates) == 2 and dates["period_end"] <= dates["approved"]:
        raise ProfileError(
            f"{path}: [plan] period_end ({dates['period_end']}) is not after approved "
            f"({dates['approved']}); period_end is the last day of the plan period, e.g. "
            "2030-12-31."
        )
    return dates


def _delivery_settings(data: dict[str, Any], path: Path) -> Delivery:
    """Check and read the ``[delivery]`` table: only known names; a VN-2000 projected CRS."""
    import re

    from gis.crs import is_vn2000

    table = data.get("delivery", {})
    if not isinstance(table, dict):
        raise ProfileError(
            f"{path}: 'delivery' must be a table: write [delivery] then crs = \"...\"."
        )
    unknown = sorted(set(table) - set(_DELIVERY_KEYS))
    if unknown:
        raise ProfileError(
            f"{path}: unknown setting(s) {unknown} in [delivery]; allowed: {list(_DELIVERY_KEYS)}."
        )
    crs = table.get("crs")
    if crs is not None:
        try:
            parsed = pyproj.CRS.from_user_input(crs)
        except pyproj.exceptions.CRSError:
            parsed = None
        if (
            not isinstance(crs, str)
            or parsed is None
            or not parsed.is_projected
            or (not is_vn2000(parsed))
        ):
            raise ProfileError(
                f"{path}: [delivery] crs = {crs!r} is not a projected VN-2000 CRS; Circular "
                "04/2023/TT-BKHĐT (Art. 6.1) requires VN-2000: use a VN-2000 / UTM zone "
                "(EPSG:3405 zone 48N, EPSG:3406 zone 49N) or the province's TM-3 zone (the "
                'planning CRS), e.g. crs = "EPSG:9205".'
            )
    name = table.get("package_name")
    if name is not None and not re.fullmatch(r"[A-Z][A-Za-z0-9]*", str(name)):
        raise ProfileError(
            f"{path}: [delivery] package_name = {name!r} must be capitalised words joined without "
            'diacritics, spaces or signs (Phụ lục III Mục 1), e.g. package_name = "BacGiang".'
        )
    scale = table.get("map_scale")
    if scale is not None and (type(scale) is not int or scale not in DELIVERY_MAP_SCALES):
        raise ProfileError(
            f"{path}: [delivery] map_scale = {scale!r} is not a scale of the map set; use "
            "25000, 50000 or 100000 (the topographic bases of Phụ lục I, by the province's size) "
            "or 250000 (an A0 reduction), e.g. map_scale = 100000; leave it out to choose the "
            "largest that fits A0."
        )
    return Delivery(crs=crs, package_name=name, map_scale=scale)


def _plan_settings(data: dict[str, Any], path: Path) -> Plan:
    """Check and read the ``[plan]`` table: only known names, each of the right kind."""
    table = data.get("plan", {})
    if not isinstance(table, dict):
        raise ProfileError(f"{path}: 'plan' must be a table: write [plan] then its settings.")
    unknown = sorted(set(table) - _PLAN_KEYS)
    if unknown:
        raise ProfileError(
            f"{path}: unknown setting(s) {unknown} in [plan]; allowed: {sorted(_PLAN_KEYS)}."
        )
    for key in _PLAN_TEXT:
        if key in table and not isinstance(table[key], str):
            raise ProfileError(f"{path}: [plan] {key} must be text in quotes.")
    regions = {}
    for code, region in table.get("regions", {}).items():
        if (
            not isinstance(region, dict)
            or set(region) - {"name_vi", "color"}
            or ("name_vi" not in region)
        ):
            raise ProfileError(
                f"{path}: [plan.regions.{code}] needs name_vi (and may set color), e.g. "
                f'name_vi = "Vùng phía Bắc" and color = "#f6b26b".'
            )
        regions[code] = Region(**region)
    distances = table.get("corridor_distances_m", DEFAULT_DISTANCES_M)
    if (
        not isinstance(distances, list | tuple)
        or not 1 <= len(distances) <= 3
        or not all(isinstance(d, int | float) and d > 0 for d in distances)
    ):
        raise ProfileError(
            f"{path}: [plan] corridor_distances_m must be a list of one to three positive "
            "distances in metres (the maps have three band colours), e.g. [5000, 10000, 20000]."
        )
    share = table.get("corridor_share_m", 10000.0)
    if not isinstance(share, int | float) or share <= 0:
        raise ProfileError(f"{path}: [plan] corridor_share_m must be a positive distance (m).")
    return Plan(
        **{k: table[k] for k in _PLAN_TEXT if k in table},
        credit_match=tuple(table.get("credit_match", ())),
        regions=regions,
        documents_vi=dict(table.get("documents_vi", {})),
        corridor_distances_m=tuple(float(d) for d in sorted(distances)),
        corridor_share_m=float(share),
        **_plan_dates(table, path),
    )


def _role_settings(data: dict[str, Any], path: Path) -> dict[str, str]:
    """The ``[roles]`` table applied to :data:`LAYER_ROLES`; unknown roles are refused."""
    table = data.get("roles", {})
    unknown = sorted(set(table) - set(LAYER_ROLES)) if isinstance(table, dict) else ["?"]
    if unknown:
        raise ProfileError(
            f"{path}: unknown role(s) {unknown} in [roles]; known roles: {sorted(LAYER_ROLES)} "
            '(write e.g. [roles] census = "population_2019").'
        )
    return {**LAYER_ROLES, **{k: str(v) for k, v in table.items()}}


def load_profile(
    province: str | Profile | None = None, *, layers_dir: str | Path | None = None
) -> Profile:
    """Read and check a province profile.

    Every function of the toolkit that takes ``province`` (a slug or a :class:`Profile`) and
    ``layers_dir`` resolves them here, so a notebook can load a profile once and pass it on.

    Parameters
    ----------
    province : str or Profile, optional
        Profile slug; default :data:`gis.settings.PROVINCE`. A :class:`Profile` is returned as
        it is (``layers_dir`` is then ignored: the profile knows its folder).
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
    if isinstance(province, Profile):
        return province
    if not (province or settings.PROVINCE):
        root = Path(layers_dir) if layers_dir is not None else Path(settings.LAYERS_DIR)
        known = list_profiles(layers_dir=root)
        raise ProfileError(
            f"no province given and {root} has no default_province.txt: pick one with "
            f"--province (or GIS_PROVINCE); provinces under {root}: {', '.join(known) or 'none'}."
        )
    folder = province_dir(province, layers_dir=layers_dir)
    path = folder / "profile.toml"
    if not path.is_file():
        known = list_profiles(layers_dir=folder.parent)
        raise ProfileError(
            f"no province profile at {path}. Known provinces under {folder.parent}: "
            f"{', '.join(known) or 'none'}. Pick one with --province, or start one with "
            "`gis init SLUG --province-code CODE --from DIR`."
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path} is not valid UTF-8 TOML: {exc}. Fix the file.") from None
    missing = [k for k in _REQUIRED if k not in data]
    if missing:
        raise ProfileError(
            f"{path} lacks required key(s) {missing}; add them (see the profiles under "
            f"{folder.parent})."
        )
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
            "Use the province's VN-2000 / TM-3 zone (gis/data/tm3_meridians.csv gives each "
            "province's central meridian)."
        )
    known = {
        "plan",
        "roles",
        "report",
        "delivery",
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
        plan=_plan_settings(data, path),
        roles=_role_settings(data, path),
        extra={k: v for k, v in data.items() if k not in known},
        delivery=_delivery_settings(data, path),
    )
