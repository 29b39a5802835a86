"""Every test runs with its own cache, config, backups and default DB: nothing touches the user's dirs."""

import pytest


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("TRIAGE_CACHE_DIR", str(home / "cache"))
    monkeypatch.setenv("TRIAGE_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("TRIAGE_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("TRIAGE_DB", str(home / "data" / "triage.db"))
    monkeypatch.setenv("TRIAGE_BACKUP_DIR", str(home / "backups"))
    return home
