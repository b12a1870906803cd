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


def test_traditional_catalog_uses_the_taiwan_and_hong_kong_standard_forms() -> None:
    """issue 15 finding 8: zh_Hant wrote 考核 as 考覈 (OpenCC's s2t) in 99 strings."""
    from luoshi.core.text import TRADITIONAL_CORRECTIONS, to_traditional

    po = polib.pofile(str(LOCALE / "zh_Hant" / "LC_MESSAGES" / "django.po"))
    variants = set(TRADITIONAL_CORRECTIONS)
    wrong = []
    for entry in po:
        texts = [entry.msgstr, *entry.msgstr_plural.values()]
        if any(ch in variants for text in texts for ch in text):
            wrong.append(entry.msgstr)
    assert not wrong, f"variant forms in zh_Hant: {wrong[:10]}"
    assert sum("考核" in e.msgstr for e in po) > 50
    assert to_traditional("考核委员会审核启动") == "考核委員會審核啟動"
    with translation.override("zh-hant"):
        assert str(translation.gettext("Appraisal")) == "考核"


def test_a_msgid_with_context_variants_is_rendered_differently_in_each() -> None:
    """issue 15 finding 7: a context exists only where the word's rendering differs.

    For every msgid the zh_Hans catalog holds in two or more contexts (no context counts as one),
    no two of its renderings are equal: an equal pair is a context that does not disambiguate
    (or a rendering copied without looking at the place it is shown).
    """
    po = polib.pofile(str(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    by_msgid: dict[str, list[polib.POEntry]] = {}
    for entry in po:
        if not entry.obsolete:
            by_msgid.setdefault(entry.msgid, []).append(entry)
    same = []
    for msgid, entries in by_msgid.items():
        if len(entries) < 2:
            continue
        seen: dict[str, str | None] = {}
        for entry in entries:
            if entry.msgstr in seen:
                same.append((msgid, seen[entry.msgstr], entry.msgctxt, entry.msgstr))
            seen[entry.msgstr] = entry.msgctxt
    assert not same, f"msgids rendered identically in two contexts: {same}"


@pytest.mark.parametrize(
    ("context", "msgid", "hans"),
    [
        ("open a record", "Open", "查看"),
        ("appraisal cycle status", "Open", "进行中"),
        ("feedback kind", "Final", "办结反馈"),
        ("feedback status", "Accepted", "已通过"),
        ("item status", "Accepted", "已签收"),
        ("sender", "From", "发送人"),
        ("appraisal cycle tab", "Dashboard", "概览"),
    ],
)
def test_ambiguous_words_have_the_rendering_of_their_place(
    context: str, msgid: str, hans: str
) -> None:
    """issue 15 finding 7: "Open" was 开始, "Final" 已确定, "Accepted" 已签收, "From" 起
    wherever they were shown."""
    with translation.override("zh-hans"):
        assert str(translation.pgettext(context, msgid)) == hans
