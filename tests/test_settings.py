"""Every LUOSHI_* name the code reads is declared in config/settings.py and listed in the README.

The names are found by scanning the source (luoshi/, config/, bench/, tests/), so a new setting
read anywhere fails here until it has a default in config/settings.py (a setting, or an
environment variable read there) and a row in the README's "Configuration" table.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("luoshi", "config", "bench", "tests")
NAME = re.compile(r"\bLUOSHI_[A-Z0-9_]*[A-Z0-9]\b")

# Read straight from the environment by one command or fixture, never a setting: README only.
NOT_SETTINGS = {
    "LUOSHI_NEW_PASSWORD": "a password for `luoshi create-account`, read from its environment",
    "LUOSHI_CHROMIUM": "the browser the browser tests drive (tests/browser/conftest.py)",
}


def names_in_code() -> dict[str, str]:
    """Each LUOSHI_* name in the source files → the first file that mentions it."""
    found: dict[str, str] = {}
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*.py")):
            if path == Path(__file__).resolve() or ".venv" in path.parts:
                continue
            for name in NAME.findall(path.read_text(encoding="utf-8")):
                found.setdefault(name, str(path.relative_to(ROOT)))
    return found


def names_in_readme_table() -> set[str]:
    """The names in the first column of the README's configuration table."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            names.update(NAME.findall(line.split("|")[1]))
    return names


def declared_in_settings() -> set[str]:
    """Settings of that name, and environment variables config/settings.py reads."""
    source = (ROOT / "config" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r"""env(?:_int|_bool)?\(\s*["'](LUOSHI_[A-Z0-9_]+)["']""", source))
    return read | {name for name in dir(settings) if name.startswith("LUOSHI_")}


def test_the_scan_finds_the_known_settings() -> None:
    found = names_in_code()
    for name in ("LUOSHI_APPRAISAL", "LUOSHI_EVALUATION_POINTS", "LUOSHI_REPORT_OVERVIEW_PERIODS"):
        assert name in found


def test_every_name_read_is_declared_in_config_settings() -> None:
    declared = declared_in_settings()
    missing = {
        name: where
        for name, where in names_in_code().items()
        if name not in declared and name not in NOT_SETTINGS
    }
    assert missing == {}, f"declare these in config/settings.py: {missing}"


def test_every_name_read_is_in_the_readme_table() -> None:
    listed = names_in_readme_table()
    missing = {name: where for name, where in names_in_code().items() if name not in listed}
    assert missing == {}, f"list these in README.md, section Configuration: {missing}"


def test_every_declared_setting_is_in_the_readme_table() -> None:
    missing = declared_in_settings() - names_in_readme_table()
    assert missing == set(), f"list these in README.md, section Configuration: {missing}"


def test_settings_are_read_as_declared_not_with_a_fallback() -> None:
    """`getattr(settings, "LUOSHI_…", default)` would hide a second default beside the declared
    one; every read goes through the declared setting."""
    fallback = re.compile(r"getattr\(\s*settings\s*,\s*[\"']LUOSHI_")
    offenders = [
        str(path.relative_to(ROOT))
        for top in ("luoshi", "config")
        for path in sorted((ROOT / top).rglob("*.py"))
        if fallback.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
