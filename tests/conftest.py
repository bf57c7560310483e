"""Shared fixtures: a temporary copy of the layer store, so tests never change layers/; a
headless browser with the network off, for web maps."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest
from browser import Browser, find_chromium

REPO = Path(__file__).resolve().parent.parent
LAYERS = REPO / "layers"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def copy_store(src: Path, dst: Path) -> Path:
    """Copy a store folder (or one province) without its history and locks."""
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".history", "*.lock"))
    return dst


def lai_chau_population_2025(layers_dir: Path):
    """Lai Châu's 2019 census summed per 2025 commune (code, population_persons, ...): the
    commune crosswalk applied to whole census units, as `gis stats` does."""
    from gis.census import aggregate_population
    from gis.store import read_layer

    census = read_layer("population_census_2019", province="lai_chau", layers_dir=layers_dir)
    crosswalk = read_layer("commune_crosswalk", province="lai_chau", layers_dir=layers_dir)
    to_2025 = crosswalk.set_index("code")["ward2025_code"]
    population = aggregate_population(census, census["code"].map(to_2025))
    return population.rename_axis("code").reset_index()


@pytest.fixture
def store_copy(tmp_path: Path) -> Path:
    """A writable copy of the repository's layers/ (root of the store, like --layers)."""
    return copy_store(LAYERS, tmp_path / "layers")


@pytest.fixture(scope="session")
def store_copy_session(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of layers/ shared by read-only tests of a session (do not write to it)."""
    return copy_store(LAYERS, tmp_path_factory.mktemp("store") / "layers")


@pytest.fixture
def two_provinces(tmp_path: Path) -> Path:
    """A store root holding Lai Châu and the tiny Bắc Ninh test profile."""
    root = copy_store(LAYERS, tmp_path / "layers")
    copy_store(FIXTURES / "stores" / "bac_ninh", root / "bac_ninh")
    return root


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium with no network (see ``tests/browser.py``).

    Skipped with a reason when Chromium or chromedriver is not installed; on CI (``CI=true``)
    a missing browser fails the test instead, because CI must install it.
    """
    chromium, driver = find_chromium()
    reason = None
    if not (chromium and driver):
        reason = (
            f"headless Chromium not available (chromium: {chromium}, chromedriver: {driver}); "
            "install it with `apt-get install chromium chromium-driver`"
        )
    elif importlib.util.find_spec("selenium") is None:
        reason = "selenium not installed (pip install 'selenium>=4.20')"
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    b = Browser(chromium, driver)
    yield b
    b.close()
