"""gis.settings: a typo in a setting's name is an error naming the setting meant."""

from __future__ import annotations

import pytest

from gis import settings
from gis.errors import GisError, SettingsError


def test_unknown_setting_names_the_close_match():
    with pytest.raises(SettingsError, match=r"'HISTRY_KEEP'\. Did you mean 'HISTORY_KEEP'\?"):
        settings.HISTRY_KEEP = 5
    assert not hasattr(settings, "HISTRY_KEEP")


def test_unknown_setting_without_close_match_lists_the_settings():
    with pytest.raises(AttributeError, match=r"no setting 'COLOUR'\. The settings are: .*OUT_DIR"):
        settings.COLOUR = "red"


def test_settings_error_is_ours_and_the_builtin():
    assert issubclass(SettingsError, GisError)
    assert issubclass(SettingsError, AttributeError)


def test_known_setting_can_be_changed(monkeypatch):
    monkeypatch.setattr(settings, "HISTORY_KEEP", 3)
    assert settings.HISTORY_KEEP == 3
    settings.MAX_TEXT_CHARS = settings.MAX_TEXT_CHARS  # plain assignment works too
