"""``gis build``: validate a province's layers, write its statistics and maps, redo what changed.

A build records what each output was made from in ``build_record.json`` beside the outputs (the
statistics folder and the maps folder): a fingerprint (sha256 of the data file and its
``.meta.json``) of every layer each table and map read or found missing, of the profile, of the
national layers (``layers/_national``: the national table and map, and the locator of every
print) and of the toolkit itself (its code and data tables). The next build compares:

- validation is skipped when no layer, the profile and the toolkit are as last validated; after
  an edit only the changed layers and the profile rules that name them are validated
  (:func:`gis.validate.validate_province`, ``layers=``);
- a statistics table is recomputed when one of the layers it read changed; the others come from
  the previous build's cache (``.cache/tables.pkl`` beside the tables) and the CSV files,
  ``statistics.xlsx`` and ``report.md`` are written again only if some table changed;
- a map (with its prints) is drawn again when one of the layers it read changed
  (:func:`gis.maps.build_maps`, ``keep=``); ``index.html`` and ``maps.json`` are rewritten from
  the kept and the new entries.

A change of the profile or of the toolkit rebuilds everything; ``force=True`` (``gis build
--force``) too. The outputs are the same bytes as those of a full build (``tests/test_build.py``
compares them), except ``statistics.xlsx``, whose file properties carry the time it was written.

The heavy libraries are imported by the steps that need them: a build after no change reads
file hashes and the two records only.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from gis import settings
from gis._writes import atomic_write
from gis.profile import Profile, list_profiles, load_profile

__all__ = [
    "RECORD_NAME",
    "BuildResult",
    "build_national",
    "build_province",
    "fingerprints",
    "national_indicators",
    "national_population",
    "toolkit_fingerprint",
]

if TYPE_CHECKING:
    import pandas as pd

    from gis.report import Sources

#: Name of the record written beside the outputs.
RECORD_NAME = "build_record.json"
#: Version of the record's layout; another version is ignored (a full build).
RECORD_VERSION = 1
#: Key of the national layers in a record (as ``gis.maps`` names them in ``maps.json``).
NATIONAL = "_national"
_TABLE_CACHE = Path(".cache") / "tables.pkl"


@dataclass
class BuildResult:
    """What a build did: problems found, outputs redone and kept.

    Attributes
    ----------
    validated : list of str
        Layers validated (empty: nothing changed since the last validation).
    problems : dict
        :func:`gis.validate.validate_province` results of the validated layers.
    tables_redone, tables_kept : list of str
        Statistics tables computed in this build, and taken from the previous one.
    maps_redone, maps_kept : list of str
        Map slugs drawn in this build, and kept from the previous one.
    stats_dir, maps_dir : Path
        Where the outputs are.
    reason : str
        Why everything was rebuilt ("" when the build was incremental).
    """

    validated: list[str] = field(default_factory=list)
    problems: dict = field(default_factory=dict)
    tables_redone: list[str] = field(default_factory=list)
    tables_kept: list[str] = field(default_factory=list)
    maps_redone: list[str] = field(default_factory=list)
    maps_kept: list[str] = field(default_factory=list)
    stats_dir: Path | None = None
    maps_dir: Path | None = None
    reason: str = ""
    tables: dict = field(default_factory=dict)  # the tables computed (all, after a full build)
    maps: list = field(default_factory=list)  # the entries of maps.json

    @property
    def n_errors(self) -> int:
        return sum(p.severity == "error" for ps in self.problems.values() for p in ps)


def _sha(*paths: Path) -> str | None:
    """sha256 over the bytes of the files that exist, None if none does."""
    digest, found = hashlib.sha256(), False
    for path in paths:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
            found = True
    return digest.hexdigest() if found else None


def toolkit_fingerprint() -> str:
    """sha256 of the toolkit's code and data tables (``gis/**/*.py``, ``gis/data/*``): a change
    of either may change any output."""
    root = Path(__file__).resolve().parent
    files = sorted([*root.rglob("*.py"), *root.glob("data/*")])
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


#: The files of a layer in the store (gis.store): its data in one of three formats, and its meta.
_LAYER_FILES = ("geojson", "parquet", "csv", "meta.json")


def fingerprints(profile: Profile) -> dict[str, str | None]:
    """Fingerprint of every layer of the province (data file and ``.meta.json``; None when the
    layer is absent), of the profile (``"profile.toml"``) and of the national layers
    (``"_national"``: every file of ``layers/_national``)."""
    folder = profile.path
    names = {p.name.removesuffix(".meta.json") for p in folder.glob("*.meta.json")}
    names |= set(profile.layers) | set(profile.roles.values())
    out = {
        name: _sha(*(folder / f"{name}.{ext}" for ext in _LAYER_FILES)) for name in sorted(names)
    }
    out["profile.toml"] = _sha(folder / "profile.toml")
    national = folder.parent / NATIONAL
    out[NATIONAL] = _sha(*sorted(p for p in national.glob("*") if p.is_file()))
    return out


def _read_record(folder: Path) -> dict:
    try:
        record = json.loads((folder / RECORD_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) and record.get("version") == RECORD_VERSION else {}


def _write_record(folder: Path, record: dict) -> None:
    text = json.dumps({"version": RECORD_VERSION, **record}, indent=1, sort_keys=True) + "\n"
    atomic_write(folder / RECORD_NAME, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _same(names, now: dict, then: dict) -> bool:
    """True if every named input has the same fingerprint now as in the record."""
    return all(now.get(n) == then.get(n) for n in names)


def _national_names(names) -> set[str]:
    """The record keys of a set of layer names ("_national/provinces_2025" -> "_national")."""
    return {NATIONAL if n.startswith(f"{NATIONAL}/") else n for n in names}


def build_province(
    province: str | Profile | None = None,
    *,
    layers_dir: str | Path | None = None,
    stats_dir: str | Path | None = None,
    maps_dir: str | Path | None = None,
    force: bool = False,
    language: str | None = None,
    on_phase: Callable[[str], None] | None = None,
) -> BuildResult:
    """Validate the layers of a province, then write its statistics and maps, redoing only what
    changed since the last build (see the module docstring).

    Parameters
    ----------
    province : str or Profile, optional
        Province profile (default :data:`gis.settings.PROVINCE`).
    layers_dir : path, optional
        Root of the layer store.
    stats_dir, maps_dir : path, optional
        Output folders (default :data:`gis.settings.OUT_DIR`, :data:`gis.settings.MAPS_DIR`).
    force : bool
        Rebuild everything.
    language : str, optional
        Language of the statistics outputs (default: the profile's ``[report] language``).
    on_phase : callable, optional
        Called with the name of each phase as it starts (the CLI prints it).

    Returns
    -------
    BuildResult
        With ``n_errors > 0`` the layers are invalid and nothing was written.
    """
    profile = load_profile(province, layers_dir=layers_dir)
    say = on_phase or (lambda _: None)
    stats_out = Path(settings.OUT_DIR if stats_dir is None else stats_dir)
    maps_out = Path(settings.MAPS_DIR if maps_dir is None else maps_dir)
    result = BuildResult(stats_dir=stats_out, maps_dir=maps_out)
    now = fingerprints(profile)
    toolkit = toolkit_fingerprint()
    language = language or profile.report_language
    base = {"toolkit": toolkit, "province": profile.slug, "language": language or "en"}

    stats_record, maps_record = _read_record(stats_out), _read_record(maps_out)
    if force:
        result.reason = "--force"
    elif not stats_record or not maps_record:
        result.reason = "no record of a previous build"
    elif any(stats_record.get(k) != v for k, v in base.items()) or any(
        maps_record.get(k) != v for k, v in base.items()
    ):
        result.reason = "the toolkit, the province or the language changed"
    elif now["profile.toml"] != stats_record.get("layers", {}).get("profile.toml"):
        result.reason = "profile.toml changed"
    full = bool(result.reason)

    # --- validation: the layers that changed since the last valid build
    then = stats_record.get("layers", {}) if not full else {}
    changed = sorted(
        n for n in now if n not in ("profile.toml", NATIONAL) and now[n] != then.get(n)
    )
    if full or changed:
        from gis.store import read_cache
        from gis.validate import validate_province

        say("validate")
        with read_cache():
            result.problems = validate_province(province=profile, layers=None if full else changed)
        result.validated = sorted(result.problems)
        if result.n_errors:
            return result

    # --- statistics
    say("statistics")
    tables_then = stats_record.get("tables", {}) if not full else {}
    files = [f"{k}.csv" for k in tables_then] + ["statistics.xlsx", "report.md", str(_TABLE_CACHE)]
    unchanged = [k for k, names in tables_then.items() if _same(names, now, then)]
    if (
        tables_then
        and len(unchanged) == len(tables_then)
        and _hashes(stats_out, files) == stats_record.get("outputs")
    ):
        # nothing to do (and the outputs are those written): not even imports
        result.tables_kept = list(tables_then)
        tables_record = tables_then
    else:
        tables_record = _statistics(
            profile, stats_out, language, now, unchanged, tables_then, result
        )
    files = [f"{k}.csv" for k in tables_record]
    files += ["statistics.xlsx", "report.md", str(_TABLE_CACHE)]
    _write_record(
        stats_out,
        {**base, "layers": now, "tables": tables_record, "outputs": _hashes(stats_out, files)},
    )

    # --- maps
    say("maps")
    maps_then = maps_record.get("layers", {}) if not full else {}
    entries = _map_entries(maps_out) if maps_then else []

    written = maps_record.get("outputs", {}) if maps_then else {}

    def inputs_same(entry: dict) -> bool:
        """The map read the same layers as last time, and its files are those it wrote."""
        names = _national_names([*entry.get("store_layers", []), *entry.get("missing_layers", [])])
        if entry.get("print"):
            names.add(NATIONAL)  # the locator map of the print
        files = _map_files([entry])
        return _same(names, now, maps_then) and _hashes(maps_out, files) == {
            f: written.get(f) for f in files
        }

    if (
        entries
        and all(map(inputs_same, entries))
        and _hashes(maps_out, ["index.html", "maps.json"])
        == {f: written.get(f) for f in ("index.html", "maps.json")}
    ):  # nothing to do
        result.maps_kept = [e["slug"] for e in entries]
    else:
        from gis.maps import MAPS, build_maps

        def keep(entry: dict) -> bool:
            kept = inputs_same(entry)
            (result.maps_kept if kept else result.maps_redone).append(entry["slug"])
            return kept

        build_maps(province=profile, out_dir=maps_out, keep=keep if maps_then else None)
        seen = set(result.maps_kept) | set(result.maps_redone)
        result.maps_redone += [spec.slug for spec in MAPS if spec.slug not in seen]
    result.maps = _map_entries(maps_out)
    files = [*_map_files(result.maps), "index.html", "maps.json"]
    _write_record(maps_out, {**base, "layers": now, "outputs": _hashes(maps_out, files)})
    return result


def _map_files(entries: list[dict]) -> list[str]:
    """The files of maps.json entries: each map's HTML and its prints."""
    return [e["file"] for e in entries if e.get("file")] + [
        f"print/{p}" for e in entries for p in e.get("print", [])
    ]


def _hashes(folder: Path, names: list[str]) -> dict[str, str | None]:
    """sha256 of each named file of ``folder`` (None: missing): an output changed or removed
    since the build wrote it is written again."""
    return {name: _sha_bytes(folder / name) for name in names}


def _sha_bytes(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def _map_entries(folder: Path) -> list[dict]:
    """The maps of ``maps.json`` in ``folder`` ([] if absent or unreadable)."""
    try:
        entries = json.loads((folder / "maps.json").read_text(encoding="utf-8"))["maps"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    return entries if all(isinstance(e, dict) and "slug" in e for e in entries) else []


def _statistics(profile, out: Path, language, now, unchanged, tables_then, result) -> dict:
    """Compute the tables whose inputs changed, take the others from the cache, write all."""
    from gis.report import write_statistics
    from gis.stats import TABLES, compute_statistics

    cache = out / _TABLE_CACHE
    cached: dict = {}
    if unchanged and cache.is_file():
        try:
            cached = pickle.loads(cache.read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
            cached = {}
    keys = [key for spec in TABLES for key in spec.keys]
    result.tables_kept = [k for k in keys if k in unchanged and k in cached]
    todo = [k for k in keys if k not in result.tables_kept]
    read: dict[str, set[str]] = {}
    fresh = compute_statistics(profile, tables=todo, read=read) if todo else {}
    national = {k for spec in TABLES if spec.national for k in spec.keys}
    record = {k: tables_then[k] for k in result.tables_kept}
    for key in fresh:
        record[key] = sorted(read.get(key, set()) | ({NATIONAL} if key in national else set()))
    result.tables_redone = list(fresh)
    tables = {key: fresh[key] if key in fresh else cached[key] for key in keys}
    write_statistics(tables, out, language=language, title=f"Statistics: {profile.name}")
    blob = pickle.dumps(tables, protocol=pickle.HIGHEST_PROTOCOL)
    cache.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(cache, lambda tmp: tmp.write_bytes(blob))
    result.tables = tables
    return record


@dataclass
class NationalResult:
    """What :func:`build_national` wrote and measured.

    Attributes
    ----------
    tables : dict of str to DataFrame
        ``national_communes`` (one row per 2025 commune), ``national_provinces`` (34 provinces
        and the country) and ``national_urban_classes`` (communes per urban-share class).
    stats_dir, map_file : Path
        Where the tables and the map are (``map_file`` None when the map was not drawn).
    seconds : dict of str to float
        Wall time of each phase.
    """

    tables: dict = field(default_factory=dict)
    stats_dir: Path | None = None
    map_file: Path | None = None
    seconds: dict = field(default_factory=dict)


#: Phases of :func:`build_national`, in order.
NATIONAL_PHASES = ("read layers", "census to 2025 communes", "indicators", "tables", "map")


def national_population(layers: dict) -> pd.DataFrame:
    """The 2019 census summed per 2025 commune (``code`` and the population columns) from the
    national layers ``census_2019``, ``commune_crosswalk_2025`` and ``crosswalk_decisions``.

    Unmatched census units (4, 17,741 people) are left out here; they are listed in
    ``census_2019_unmatched`` and counted per province as ``unplaced_persons`` by
    :func:`gis.national.province_table`.
    """
    from gis.census import population_by_2025_commune

    population = population_by_2025_commune(
        layers["census_2019"],
        layers["commune_crosswalk_2025"],
        decisions=layers["crosswalk_decisions"],
        unmatched="drop",
    )
    return population.rename_axis("code").reset_index()


def national_indicators(
    *,
    layers_dir: str | Path | None = None,
    client=None,
    npartitions: int | None = None,
    steps=None,
) -> tuple:
    """Read the national layers and compute the indicators of every 2025 commune.

    Returns ``(indicators, provinces, target_pct)``: :func:`gis.national.commune_indicators` of
    the 3,321 communes (GeoDataFrame, EPSG:3405), the 2025 provinces layer and the national
    target (%) of ``urbanisation_targets``. With ``client`` or ``npartitions`` the indicators are
    computed on dask-geopandas partitions (:func:`gis.scale.map_units`), with the same result.
    ``steps``: a :class:`gis._progress.Steps` to report and time the phases.
    """
    from gis._progress import Steps
    from gis.national import commune_indicators
    from gis.store import read_layer

    steps = steps or Steps(NATIONAL_PHASES, desc="national", quiet=True)
    profile = load_profile(NATIONAL, layers_dir=layers_dir)
    with steps("read layers"):
        layers = {
            name: read_layer(name, province=profile)
            for name in (
                "communes_2025",
                "commune_crosswalk_2025",
                "census_2019",
                "crosswalk_decisions",
                "provinces_2025",
                "urbanisation_targets",
            )
        }
    with steps("census to 2025 communes"):
        population = national_population(layers)
    with steps("indicators"):
        communes = layers["communes_2025"]
        if client is None and npartitions is None:
            indicators = commune_indicators(communes, population)
        else:
            from gis.scale import map_units

            indicators = map_units(
                commune_indicators, communes, population, client=client, npartitions=npartitions
            )
    targets = layers["urbanisation_targets"].set_index("target_id")
    target_pct = float(targets.loc["national_2030", "target_pct"])
    return indicators, layers["provinces_2025"], target_pct


def national_sources(layers_dir: str | Path | None = None) -> Sources:
    """The "Sources" line of the national tables, in English and in Vietnamese: each layer's
    ``provenance.source`` and ``licence`` (``source_vi`` and ``licence_vi`` for Vietnamese)."""
    from gis.report import Sources
    from gis.store import layer_meta

    provenance = {
        name: layer_meta(name, province=NATIONAL, layers_dir=layers_dir).get("provenance", {})
        for name in ("communes_2025", "commune_crosswalk_2025", "census_2019")
    }
    return Sources(
        "; ".join(
            f"{NATIONAL}/{name} [{p.get('source', '')}; {p.get('licence', '')}]"
            for name, p in provenance.items()
        ),
        "; ".join(
            f"lớp `{NATIONAL}/{name}` [{p.get('source_vi') or p.get('source', '')}; "
            f"{p.get('licence_vi') or p.get('licence', '')}]"
            for name, p in provenance.items()
        ),
    )


def build_national(
    *,
    layers_dir: str | Path | None = None,
    stats_dir: str | Path | None = None,
    maps_dir: str | Path | None = None,
    client=None,
    npartitions: int | None = None,
    quiet: bool = False,
    language: str = "vi",
) -> NationalResult:
    """Write the national tables and the national commune map (``gis build --national``).

    Parameters
    ----------
    layers_dir : path, optional
        Root of the layer store (``layers/_national`` is read).
    stats_dir, maps_dir : path, optional
        Output folders (default ``<OUT_DIR>/_national`` and ``<MAPS_DIR>/_national``).
    client, npartitions : optional
        Compute the commune indicators on dask-geopandas partitions (see
        :func:`national_indicators`); the tables are the same.
    quiet : bool
        No progress output.
    language : {"vi", "en"}
        Language of the report and workbook (CSV files keep English column names).
    """
    from gis._map_communes_national import write_national_commune_map
    from gis._progress import Steps
    from gis.national import national_tables
    from gis.report import write_statistics
    from gis.store import layer_meta

    stats_out = Path(settings.OUT_DIR / NATIONAL if stats_dir is None else stats_dir)
    maps_out = Path(settings.MAPS_DIR / NATIONAL if maps_dir is None else maps_dir)
    steps = Steps(NATIONAL_PHASES, desc="national", quiet=quiet)
    indicators, provinces, target_pct = national_indicators(
        layers_dir=layers_dir, client=client, npartitions=npartitions, steps=steps
    )
    result = NationalResult(stats_dir=stats_out, seconds=steps.seconds)
    with steps("tables"):
        result.tables = national_tables(
            indicators, provinces, target_pct=target_pct, sources=national_sources(layers_dir)
        )
        write_statistics(result.tables, stats_out, language=language, title="Statistics: Việt Nam")
    with steps("map"):
        root = load_profile(NATIONAL, layers_dir=layers_dir).path.parent
        highlight = [
            load_profile(slug, layers_dir=root).code for slug in list_profiles(layers_dir=root)
        ]  # the provinces of the store: outlined and listed first
        prov = layer_meta("communes_2025", province=NATIONAL, layers_dir=layers_dir)["provenance"]
        credit = (
            f"Ranh giới xã, phường 2025: {prov.get('url', '')} (giấy phép "
            f"{prov.get('licence', '').split(' (')[0]}); dân "
            "số: Tổng điều tra dân số và nhà ở 01/04/2019 (Tổng cục Thống kê), ghép về xã, phường "
            "2025 qua danh mục 01/03/2025"
        )
        result.map_file = write_national_commune_map(
            indicators, provinces, maps_out, highlight_codes=highlight, source=credit
        )
    return result
