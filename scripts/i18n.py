#!/usr/bin/env python
"""Maintain the translation catalogs without needing GNU gettext's msgfmt.

    python scripts/i18n.py extract   # makemessages for zh_Hans, zh_Hant, en (needs xgettext)
    python scripts/i18n.py derive    # en := msgid; zh_Hant := to_traditional(zh_Hans)
    python scripts/i18n.py compile   # .po -> .mo with polib (committed: installs need no msgfmt)

Source strings are English; zh_Hans is translated by people; zh_Hant is derived from zh_Hans and
may be corrected by hand (an entry whose msgstr differs from the derived text and is marked with
the translator comment "manual" is kept).

The Traditional text is written with the Taiwan/Hong Kong standard forms: OpenCC's ``s2tw``
config (考核, 為, 啟; plain ``s2t`` writes the older 考覈, 爲, 啓), then the correction table
`luoshi.core.text.TRADITIONAL_CORRECTIONS` of variant forms (the same conversion zh-Hant pages use
for data). tests/test_i18n.py fails on any variant form left in the zh_Hant catalog.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's luoshi, not another one installed in the venv

from luoshi.core.text import to_traditional  # noqa: E402

LOCALE = ROOT / "luoshi" / "locale"
LANGS = ["zh_Hans", "zh_Hant", "en"]


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "django.po"


def extract() -> None:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings", LUOSHI_DEBUG="1")
    args = [
        sys.executable,
        "-m",
        "django",
        "makemessages",
        "--no-location",
        "--no-obsolete",
        "--ignore=static/*",
        "--ignore=tests/*",
        "--ignore=*/tests/*",
    ]
    for lang in LANGS:
        args += ["-l", lang]
    subprocess.run(args, cwd=ROOT / "luoshi", env=env, check=True)  # noqa: S603


HEADERS = {"zh_Hans": "zh_Hans", "zh_Hant": "zh_Hant", "en": "en"}


def _tidy_header(po: polib.POFile, lang: str) -> None:
    po.metadata_is_fuzzy = False
    po.header = "Luoshi translation catalog. Source strings are English."
    po.metadata["Project-Id-Version"] = "luoshi"
    po.metadata["Language"] = HEADERS[lang]
    po.metadata["Language-Team"] = lang
    po.metadata["Last-Translator"] = "Luoshi developers"
    po.metadata["PO-Revision-Date"] = po.metadata.get("POT-Creation-Date", "")
    po.metadata.pop("Report-Msgid-Bugs-To", None)


def derive() -> None:
    hans = {(e.msgctxt, e.msgid): e for e in polib.pofile(str(po_path("zh_Hans")))}
    hant = polib.pofile(str(po_path("zh_Hant")))
    for entry in hant:
        if "manual" in (entry.tcomment or ""):
            continue
        source = hans.get((entry.msgctxt, entry.msgid))
        if source is None:
            continue
        entry.msgstr = to_traditional(source.msgstr) if source.msgstr else ""
        if source.msgid_plural:
            entry.msgstr_plural = {k: to_traditional(v) for k, v in source.msgstr_plural.items()}
        if "fuzzy" in entry.flags and "fuzzy" not in source.flags:
            entry.flags.remove("fuzzy")
    _tidy_header(hant, "zh_Hant")
    hant.save()
    hans_po = polib.pofile(str(po_path("zh_Hans")))
    _tidy_header(hans_po, "zh_Hans")
    hans_po.save()
    en = polib.pofile(str(po_path("en")))
    for entry in en:
        if entry.msgid_plural:
            entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
        else:
            entry.msgstr = entry.msgid
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    _tidy_header(en, "en")
    en.save()


def compile_all() -> None:
    for lang in LANGS:
        po = polib.pofile(str(po_path(lang)))
        po.save_as_mofile(str(po_path(lang).with_suffix(".mo")))


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    actions = {"extract": extract, "derive": derive, "compile": compile_all}
    if command not in actions:
        sys.exit(__doc__)
    actions[command]()
