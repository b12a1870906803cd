"""Every string a person sees is translated: the catalogs are complete, current and not fuzzy."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "luoshi" / "locale"
LANGS = ["zh_Hans", "zh_Hant", "en"]


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_has_no_untranslated_or_fuzzy_entries(lang: str) -> None:
    po = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
    assert len(po) > 100
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"{lang}: untranslated: {untranslated[:20]}"
    assert not fuzzy, f"{lang}: fuzzy: {fuzzy[:20]}"


@pytest.mark.parametrize("lang", LANGS)
def test_compiled_catalog_matches_its_source(lang: str, tmp_path: Path) -> None:
    po_file = LOCALE / lang / "LC_MESSAGES" / "django.po"
    fresh = tmp_path / "django.mo"
    polib.pofile(str(po_file)).save_as_mofile(str(fresh))
    assert fresh.read_bytes() == po_file.with_suffix(".mo").read_bytes(), (
        f"{lang}: run `make messages` (or scripts/i18n.py compile) and commit the .mo file"
    )


def test_catalogs_cover_every_string_in_the_code(tmp_path: Path) -> None:
    """Extract the strings afresh from a copy of the code; each must be in the catalog."""
    if shutil.which("xgettext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("GNU gettext (xgettext) is needed in CI to check the catalogs")
        pytest.skip("xgettext is not installed")
    copy = tmp_path / "luoshi"
    shutil.copytree(
        ROOT / "luoshi",
        copy,
        ignore=shutil.ignore_patterns("static", "locale", "__pycache__", "tests", "*.mo", "*.po"),
    )
    (copy / "locale").mkdir()
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings",
        LUOSHI_DEBUG="1",
        LUOSHI_LOCALE_DIR=str(copy / "locale"),
        PYTHONPATH=str(ROOT),
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-location",
            "--ignore=static/*",
            "--ignore=tests/*",
            "--ignore=*/tests/*",
        ],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    extracted = polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    catalog = polib.pofile(str(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    known = {(e.msgctxt, e.msgid) for e in catalog if not e.obsolete}
    missing = [e.msgid for e in extracted if (e.msgctxt, e.msgid) not in known]
    assert not missing, f"strings missing from the catalogs (run `make messages`): {missing[:20]}"


def test_the_three_languages_really_differ() -> None:
    texts = {}
    for code in ("zh-hans", "zh-hant", "en"):
        with translation.override(code):
            texts[code] = str(translation.gettext("People"))
    assert texts["en"] == "People"
    assert texts["zh-hans"] == "人员"
    assert texts["zh-hant"] == "人員"
