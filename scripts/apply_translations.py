#!/usr/bin/env python
"""Fill zh_Hans msgstrs from a Python file of {msgid: msgstr} (T) and plural {msgid: msgstr} (P).

    python scripts/apply_translations.py path/to/translations.py

Only empty or fuzzy entries are filled; existing translations are kept. Prints what is still
untranslated.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "luoshi/locale/zh_Hans/LC_MESSAGES/django.po"


def main(source: str) -> None:
    data = runpy.run_path(source)
    singular, plural = data.get("T", {}), data.get("P", {})
    contextual = data.get("C", {})  # {(msgctxt, msgid): msgstr}
    po = polib.pofile(str(PO))
    for entry in po:
        fuzzy = "fuzzy" in entry.flags
        if entry.msgid_plural:
            if entry.msgid in plural and (fuzzy or not any(entry.msgstr_plural.values())):
                entry.msgstr_plural = {0: plural[entry.msgid]}
                if fuzzy:
                    entry.flags.remove("fuzzy")
        elif entry.msgctxt and (entry.msgctxt, entry.msgid) in contextual:
            if fuzzy or not entry.msgstr:
                entry.msgstr = contextual[(entry.msgctxt, entry.msgid)]
                if fuzzy:
                    entry.flags.remove("fuzzy")
        elif not entry.msgctxt and entry.msgid in singular and (fuzzy or not entry.msgstr):
            entry.msgstr = singular[entry.msgid]
            if fuzzy:
                entry.flags.remove("fuzzy")
    po.save()
    for entry in po.untranslated_entries() + po.fuzzy_entries():
        print("untranslated:", entry.msgid)


if __name__ == "__main__":
    main(sys.argv[1])
