"""The gate decides with its own one-statement SQL (a pre-filter: "could anything restrict this
household?") and its offline snapshot with its own candidate query; both must reach every
restriction the vocabulary defines (isolation.models: Isolation/Lockdown/Alert `.restricting`,
asked in the order of RESTRICTIONS by isolation.selectors.household_restriction).

For a grid of household states x scan instants (the day before, the first day, around an early
end, the last day, the day after), the vocabulary's answer, the gate's verdict and the offline
snapshot's restriction are the same — and are what the table says. A restriction added to the
vocabulary (RESTRICTIONS) without a state here fails `test_every_restriction_is_in_the_grid`;
with one, the grid shows whether the gate and the snapshot see it.
"""

from datetime import date

import pytest

from firstline.access.selectors import gate_snapshot_data
from firstline.isolation.models import (
    RESTRICTIONS,
    Alert,
    AlertKind,
    AlertStatus,
    Isolation,
    Lockdown,
)
from firstline.isolation.selectors import household_restriction
from firstline.people.models import Building, Resident

from .conftest import local

pytestmark = pytest.mark.django_db

# Scan instants (Asia/Shanghai). Restrictions below run from 2020-02-05 to ends_on 2020-02-08
# (the first day no longer restricted); an early end (release, lift, resolve) at 02-06 12:00.
AT = {
    "day_before": local(2020, 2, 4, 9),
    "first_day": local(2020, 2, 5, 0, 5),
    "before_early_end": local(2020, 2, 6, 11, 59),
    "after_early_end": local(2020, 2, 6, 12, 1),
    "last_day": local(2020, 2, 7, 23, 59),
    "day_after": local(2020, 2, 8, 0, 5),
}
START, END = date(2020, 2, 5), date(2020, 2, 8)
EARLY = local(2020, 2, 6, 12)
ISO, LCK, FEV, N = "isolation", "lockdown", "fever_hold", None


def _resident(household):
    return Resident.objects.create(name="张三", id_number="340421198001010010",
                                   sex="M", birth_date=date(1980, 1, 1), grid=household.grid,
                                   household=household)


def _isolation(w, **kw):
    fields = dict(resident=_resident(w.h1), household=w.h1, grid=w.h1.grid, kind="home",
                  reason="close_contact", starts_on=START, ends_on=END)
    Isolation.objects.create(**{**fields, **kw})


def _alert(w, kind, *, member=True, **kw):
    who = {"resident": _resident(w.h1)} if member else {"household": w.h1}
    Alert.objects.create(kind=kind, area=w.h1.grid, opened_at=local(2020, 2, 5, 8), **who, **kw)


# state: (how to make it, expected restriction at each instant of AT, in order)
STATES = {
    "nothing": (lambda w: None, [N, N, N, N, N, N]),
    "home_isolation": (lambda w: _isolation(w), [N, ISO, ISO, ISO, ISO, N]),
    "centralized_quarantine": (lambda w: _isolation(w, kind="centralized"),
                               [N, N, N, N, N, N]),
    "isolation_released_early": (
        lambda w: _isolation(w, status="released", ended_at=EARLY, ended_on=EARLY.date()),
        [N, ISO, ISO, N, N, N]),
    "isolation_cancelled": (
        lambda w: _isolation(w, status="cancelled", ended_at=EARLY, ended_on=START),
        [N, N, N, N, N, N]),
    # status still "active" after ends_on (the expiry job has not run): dates decide
    "isolation_stale_active": (
        lambda w: _isolation(w, starts_on=date(2020, 2, 1), ends_on=START),
        [ISO, N, N, N, N, N]),
    "building_lockdown": (
        lambda w: Lockdown.objects.create(building=w.b28, compound=w.compound,
                                          starts_on=START, ends_on=END),
        [N, LCK, LCK, LCK, LCK, N]),
    "compound_lockdown": (
        lambda w: Lockdown.objects.create(compound=w.compound, starts_on=START, ends_on=END),
        [N, LCK, LCK, LCK, LCK, N]),
    "lockdown_lifted": (
        lambda w: Lockdown.objects.create(compound=w.compound, starts_on=START, ends_on=END,
                                          lifted_at=EARLY),
        [N, LCK, LCK, N, N, N]),
    "other_building_lockdown": (
        lambda w: Lockdown.objects.create(
            building=Building.objects.create(compound=w.compound, name="29"),
            compound=w.compound, starts_on=START, ends_on=END),
        [N, N, N, N, N, N]),
    "gate_fever_of_household": (lambda w: _alert(w, AlertKind.GATE_FEVER, member=False),
                                [N, N, FEV, FEV, FEV, FEV]),
    "fever_reading_of_member": (lambda w: _alert(w, AlertKind.FEVER),
                                [N, N, FEV, FEV, FEV, FEV]),
    "door_fever_of_member": (lambda w: _alert(w, AlertKind.DOOR_FEVER),
                             [N, N, FEV, FEV, FEV, FEV]),
    "fever_resolved": (
        lambda w: _alert(w, AlertKind.FEVER, status=AlertStatus.RESOLVED, resolved_at=EARLY),
        [N, N, FEV, N, N, N]),
    "help_request": (lambda w: _alert(w, AlertKind.HELP), [N, N, N, N, N, N]),
}
CASES = [(state, moment, expected[i]) for state, (_make, expected) in STATES.items()
         for i, moment in enumerate(AT)]


def test_every_restriction_is_in_the_grid():
    shown = {expected for _s, _m, expected in CASES if expected}
    assert shown == set(RESTRICTIONS)


@pytest.mark.parametrize(("state", "moment", "expected"), CASES,
                         ids=[f"{s}-{m}" for s, m, _e in CASES])
def test_gate_and_snapshot_agree_with_the_vocabulary(world, scan, state, moment, expected):
    make, _table = STATES[state]
    make(world)
    at = AT[moment]
    assert household_restriction(world.h1, at) == expected
    crossing = scan(world.pass1, "out", at)
    assert crossing.reason == (expected or "ok")
    snapshot = gate_snapshot_data(world.gate, now=at, salt="s")
    assert snapshot["households"][str(world.h1.pk)]["restriction"] == expected
