"""Households split before the one-grid rule (the same address with members in two grids)
are merged into the household's grid by `firstline households merge`: counted once."""

from datetime import date

import pytest
import time_machine
from django.core.management import call_command

from firstline.accounts.models import AuditEntry
from firstline.people.models import Placement, Resident
from firstline.reports.selectors import daily_report

from ..conftest import local, make_household
from .conftest import make_resident


@pytest.fixture
def split(areas):
    """Room 101 of 阳光花园 (grid G1a) with one member filed under G1b, as imports before the
    rule did; and a household whose members are all in its grid."""
    h = make_household(areas.g1a, room="101")
    a = make_resident(h, name="王伟")
    b = make_resident(h, name="王芳")
    Resident.objects.filter(pk=b.pk).update(grid=areas.g1b)
    Placement.objects.filter(resident=b).update(grid=areas.g1b)
    whole = make_household(areas.g1a, room="102")
    make_resident(whole, name="李强")
    return type("Split", (), {"h": h, "a": a, "b": b, "whole": whole})


def households(areas, day):
    return daily_report(area=areas.c1, day=day)["households"]


def test_a_split_household_counts_once_after_the_merge_and_past_days_keep_theirs(areas, split):
    with time_machine.travel(local(2020, 2, 10, 10), tick=False):
        assert households(areas, date(2020, 2, 9)) == 3  # room 101 twice: the bug
        call_command("households_merge")
    with time_machine.travel(local(2020, 2, 11, 10), tick=False):
        assert households(areas, date(2020, 2, 10)) == 2
        assert households(areas, date(2020, 2, 9)) == 3  # a past day's report is unchanged
    split.b.refresh_from_db()
    assert split.b.grid == areas.g1a
    assert list(Placement.objects.filter(resident=split.b, until__isnull=True)
                .values_list("grid__code", "household")) == [("G1a", split.h.pk)]


def test_the_merge_is_audited_without_personal_data_and_idempotent(areas, split, capsys):
    call_command("households_merge")
    assert capsys.readouterr().out.strip() == "households 1, residents moved 1"
    [entry] = AuditEntry.objects.filter(action="household.merge_grids")
    assert (entry.object_id, entry.via) == (str(split.h.pk), "cli")
    assert entry.detail == "1 residents from grid G1b to grid G1a"
    call_command("households_merge")
    assert capsys.readouterr().out.strip() == "households 0, residents moved 0"
    assert AuditEntry.objects.filter(action="household.merge_grids").count() == 1
    assert Placement.objects.filter(resident=split.b).count() == 2


def test_a_dry_run_counts_and_writes_nothing(areas, split, capsys):
    call_command("households_merge", "--dry-run")
    assert capsys.readouterr().out.strip() == (
        "households 1, residents moved 1 (dry run: nothing written)")
    split.b.refresh_from_db()
    assert split.b.grid == areas.g1b
    assert not AuditEntry.objects.filter(action="household.merge_grids").exists()


def test_the_console_script_speaks_the_words(areas, split, capsys):
    from firstline.cli import main

    main(["firstline", "households", "merge"])
    assert "households 1, residents moved 1" in capsys.readouterr().out
