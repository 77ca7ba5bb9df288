"""Translator's helper: complete the en and zh_Hant catalogues from zh_Hans.

    .venv/bin/pip install opencc      # once; a translator's tool, not a run-time dependency
    .venv/bin/python tools/i18n_fill.py firstline/people/locale

- en: every msgstr is the English msgid (the source strings are English).
- zh_Hant: every empty msgstr gets the zh_Hans translation converted character by character
  (OpenCC "s2t": 社区 -> 社區, never Taiwan phrasing such as 社群). Review the result.
Fuzzy flags are removed only where this script wrote the translation.
"""

import sys
from pathlib import Path

import polib


def main(locale_dir: str) -> int:
    import opencc

    s2t = opencc.OpenCC("s2t")
    base = Path(locale_dir)
    hans = polib.pofile(str(base / "zh_Hans/LC_MESSAGES/django.po"))
    by_id = {(e.msgctxt, e.msgid): e for e in hans}
    en_path, hant_path = base / "en/LC_MESSAGES/django.po", base / "zh_Hant/LC_MESSAGES/django.po"
    en = polib.pofile(str(en_path))
    for e in en:
        if e.msgid_plural:
            e.msgstr_plural = {0: e.msgid, 1: e.msgid_plural}
        else:
            e.msgstr = e.msgid
        if "fuzzy" in e.flags:
            e.flags.remove("fuzzy")
    en.save()
    hant = polib.pofile(str(hant_path))
    missing = 0
    for e in hant:
        source = by_id.get((e.msgctxt, e.msgid))
        if e.msgid_plural:
            if not any(e.msgstr_plural.values()) and source and any(source.msgstr_plural.values()):
                e.msgstr_plural = {k: s2t.convert(v) for k, v in source.msgstr_plural.items()}
                if "fuzzy" in e.flags:
                    e.flags.remove("fuzzy")
        elif (not e.msgstr or "fuzzy" in e.flags) and source and source.msgstr \
                and "fuzzy" not in source.flags:
            e.msgstr = s2t.convert(source.msgstr)
            if "fuzzy" in e.flags:
                e.flags.remove("fuzzy")
        if not (e.msgstr or any(e.msgstr_plural.values())):
            missing += 1
    hant.save()
    untranslated = [e.msgid for e in hans if not e.translated()]
    print(f"en: {len(en)} entries; zh_Hant: {missing} still empty; "
          f"zh_Hans untranslated: {len(untranslated)}")
    for msgid in untranslated[:20]:
        print("  zh_Hans missing:", msgid[:80])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
