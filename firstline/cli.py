"""The `firstline` console script: Firstline's own commands, and every Django command.

    firstline import areas FILE          -> manage.py import_areas FILE
    firstline import residents FILE      -> manage.py import_residents FILE
    firstline report daily --area CODE   -> manage.py report_daily --area CODE
    firstline user create USER ...       -> manage.py user_create USER ...
    firstline token create USER          -> manage.py token_create USER
    firstline demo [--no-serve]          -> manage.py demo
    firstline migrate / runserver / ...  -> as manage.py
"""

import os
import sys

GROUPS = {
    "import": {"areas", "residents"},
    "report": {"daily"},
    "user": {"create"},
    "token": {"create"},
}


def translate_argv(argv: list[str]) -> list[str]:
    """Map `firstline GROUP ACTION ...` onto the Django command `GROUP_ACTION ...`."""
    if len(argv) >= 2 and argv[1] in GROUPS:
        group = argv[1]
        if len(argv) < 3 or argv[2] not in GROUPS[group]:
            choices = ", ".join(sorted(GROUPS[group]))
            sys.stderr.write(f"usage: firstline {group} {{{choices}}} ...\n")
            raise SystemExit(2)
        return [argv[0], f"{group}_{argv[2]}", *argv[3:]]
    return argv


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firstline.settings")
    from django.core.management import execute_from_command_line

    argv = translate_argv(list(sys.argv if argv is None else argv))
    argv[0] = "firstline"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
