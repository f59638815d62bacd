"""Every setting is documented (datasette's habit): a new one without docs fails here."""

from pathlib import Path

from dashboard import config

DOC = Path(__file__).resolve().parents[2] / "docs" / "SETTINGS.md"


def test_every_setting_is_documented():
    text = DOC.read_text()
    missing = [s.env_var for s in config.SETTINGS if f"`{s.env_var}`" not in text]
    assert missing == []


def test_environment_overrides_default(monkeypatch):
    monkeypatch.setenv("DASHBOARD_CACHE_TIMEOUT", "5")
    assert config.get_int("cache_timeout") == 5
    monkeypatch.delenv("DASHBOARD_CACHE_TIMEOUT")
    assert config.get_int("cache_timeout") == 600
