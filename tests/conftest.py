"""Shared fixtures: a temporary copy of the layer store, so tests never change layers/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
LAYERS = REPO / "layers"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _copy_store(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".history", "*.lock"))
    return dst


@pytest.fixture
def store_copy(tmp_path: Path) -> Path:
    """A writable copy of the repository's layers/ (root of the store, like --layers)."""
    return _copy_store(LAYERS, tmp_path / "layers")


@pytest.fixture(scope="session")
def store_copy_session(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of layers/ shared by read-only tests of a session (do not write to it)."""
    return _copy_store(LAYERS, tmp_path_factory.mktemp("store") / "layers")


@pytest.fixture
def two_provinces(tmp_path: Path) -> Path:
    """A store root holding Lai Châu and the tiny Bắc Ninh test profile."""
    root = _copy_store(LAYERS, tmp_path / "layers")
    _copy_store(FIXTURES / "stores" / "bac_ninh", root / "bac_ninh")
    return root
