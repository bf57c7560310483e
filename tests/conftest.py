"""Shared pytest fixtures."""

from __future__ import annotations

import importlib.util
import os

import pytest
from browser import Browser, find_chromium


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
