"""Compile every .po catalogue under firstline/ into .mo files (run by `make demo`/`make test`).

Django's `compilemessages` needs GNU gettext's msgfmt, which a machine with only Python lacks;
polib writes the same .mo files. Fuzzy entries are skipped, as msgfmt does.
"""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent


def main() -> int:
    pos = sorted(ROOT.rglob("locale/*/LC_MESSAGES/*.po"))
    for path in pos:
        catalogue = polib.pofile(str(path))
        for entry in catalogue.fuzzy_entries():
            catalogue.remove(entry)
        catalogue.save_as_mofile(str(path.with_suffix(".mo")))
    print(f"compiled {len(pos)} message catalogues")
    return 0


if __name__ == "__main__":
    sys.exit(main())
