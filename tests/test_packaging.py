"""How triage is installed and started: its distribution name, `python -m triage`, the versions
of its dependencies, and shell completion as the README documents it."""

import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

README = Path(__file__).parents[1] / "README.md"
DISTRIBUTION = "triage-papers"


def requirement(name):
    found = [Requirement(text) for text in metadata.requires(DISTRIBUTION) or []]
    return next(item for item in found if item.name == name and not item.marker)


def test_the_distribution_has_its_own_name_and_installs_the_triage_command():
    # "triage" on the package index is an unrelated project: `pipx install triage` is not us
    distribution = metadata.distribution(DISTRIBUTION)
    [script] = [e for e in distribution.entry_points if e.group == "console_scripts"]
    assert (script.name, script.value) == ("triage", "triage.cli:main")


def triage(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "triage", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def test_python_dash_m_triage_is_the_triage_command():
    result = triage("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"triage, version {metadata.version(DISTRIBUTION)}\n"
    assert triage("--help").stdout.startswith("Usage: triage [OPTIONS] [COMMAND] [ARGS]...")


def test_sqlite_utils_is_bounded_to_the_major_version_the_tests_run_on():
    # 4.x changed how transactions work; an untested major must not install by itself
    allowed = requirement("sqlite-utils").specifier
    installed = metadata.version("sqlite-utils")
    assert installed in allowed
    major = int(installed.split(".")[0])
    assert f"{major + 1}.0" not in allowed and f"{major - 1}.99" not in allowed


def test_shell_completion_works_as_the_readme_says():
    readme = README.read_text(encoding="utf-8")
    for shell in ("bash", "zsh", "fish"):
        assert f"_TRIAGE_COMPLETE={shell}_source triage" in readme
        script = triage(env={"_TRIAGE_COMPLETE": f"{shell}_source"})
        assert script.returncode == 0 and "_TRIAGE_COMPLETE" in script.stdout

    def complete(line):
        words = line.split(" ")
        env = {"_TRIAGE_COMPLETE": "bash_complete", "COMP_WORDS": line}
        return triage(env={**env, "COMP_CWORD": str(len(words) - 1)}).stdout.splitlines()

    assert complete("triage ex") == ["plain,export"]
    assert complete("triage export diffusion -video --format ") == [
        "plain,markdown",
        "plain,bibtex",
        "plain,json",
    ]
