"""The `firstline` console script: Firstline's own commands, and every Django command.

    firstline import areas FILE          -> manage.py import_areas FILE
    firstline import residents FILE      -> manage.py import_residents FILE
    firstline import checklist FILE ...  -> manage.py import_checklist FILE ...
    firstline report daily --area CODE   -> manage.py report_daily --area CODE
    firstline user create USER ...       -> manage.py user_create USER ...
    firstline token create USER          -> manage.py token_create USER
    firstline households merge           -> manage.py households_merge
    firstline demo [--no-serve]          -> manage.py demo
    firstline worker [--batch]           -> manage.py worker (background tasks, the schedule)
    firstline migrate / runserver / ...  -> as manage.py

Exit codes as the contract has them: an unknown command is a usage error (2; Django's
own utility says 1), and the usage text names a command as it is typed (`firstline import
areas`, not `firstline import_areas`).
"""

import os
import sys

GROUPS = {
    "import": {"areas", "residents", "checklist"},
    "report": {"daily"},
    "user": {"create"},
    "token": {"create"},
    "households": {"merge"},
}
SPOKEN = {f"{group}_{action}": f"{group} {action}"
          for group, actions in GROUPS.items() for action in actions}


def _group_usage(group: str) -> str:
    return f"usage: firstline {group} {{{', '.join(sorted(GROUPS[group]))}}} ...\n"


def translate_argv(argv: list[str]) -> list[str]:
    """Map `firstline GROUP ACTION ...` onto the Django command `GROUP_ACTION ...`."""
    if len(argv) >= 4 and argv[1] == "help" and f"{argv[2]}_{argv[3]}" in SPOKEN:
        return [argv[0], "help", f"{argv[2]}_{argv[3]}", *argv[4:]]
    if len(argv) >= 2 and argv[1] in GROUPS:
        group = argv[1]
        if len(argv) >= 3 and argv[2] in ("-h", "--help"):
            sys.stdout.write(_group_usage(group))
            raise SystemExit(0)
        if len(argv) < 3 or argv[2] not in GROUPS[group]:
            sys.stderr.write(_group_usage(group))
            raise SystemExit(2)
        return [argv[0], f"{group}_{argv[2]}", *argv[3:]]
    return argv


def _utility(argv: list[str]):
    from django.core.management import ManagementUtility

    class Utility(ManagementUtility):
        def fetch_command(self, subcommand):
            try:
                command = super().fetch_command(subcommand)
            except SystemExit as exc:
                # Django exits 1 after "Unknown command: ..."; for us that is a usage error.
                raise SystemExit(2 if exc.code == 1 else exc.code) from None
            spoken = SPOKEN.get(subcommand)
            if spoken:
                # argparse's prog is "<prog_name> <subcommand>": show the words one types.
                create_parser = command.create_parser
                command.create_parser = (
                    lambda prog_name, _subcommand, **kwargs:
                    create_parser(prog_name, spoken, **kwargs))
            return command

    return Utility(argv)


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firstline.settings")
    argv = translate_argv(list(sys.argv if argv is None else argv))
    argv[0] = "firstline"
    _utility(argv).execute()


if __name__ == "__main__":
    main()
