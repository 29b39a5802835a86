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


@pytest.fixture(scope="module", params=["fast", "fallback"])
def whoosh_mode(request):
    """Runs a search test module twice: with the Whoosh fast paths, then with Whoosh's own
    writer, postings and storage (as when its internals change), so both stay correct."""
    from triage.search import fastpaths

    with pytest.MonkeyPatch.context() as patch:
        if request.param == "fallback":
            patch.setenv(fastpaths.SWITCH, "0")
        else:
            patch.delenv(fastpaths.SWITCH, raising=False)
        reason = fastpaths.fallback_reason()
        assert (reason is None) is (request.param == "fast"), reason
        yield request.param
