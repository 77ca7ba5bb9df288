import uuid
from datetime import date

import pytest

from firstline.access import services as access
from firstline.isolation import services
from firstline.isolation.models import Isolation, Reason, Status
from firstline.isolation.selectors import household_restriction

from .conftest import local, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def gate(cast, roster):
    access.checkpoint_create(compound=roster.compound, code="N1", name="北门", actor=cast.staff_c1)
    passes = access.pass_issue(households=[roster.h1, roster.h2, roster.h3], actor=cast.staff_c1,
                               now=local(2026, 2, 1))

    def scan(household, at, direction="out"):
        p = next(p for p in passes if p.household_id == household.pk)
        c = access.gate_scan(actor=cast.gate_c1, event_id=uuid.uuid4(), checkpoint="N1",
                             pass_code=p.code, direction=direction, temperature=36.5,
                             scanned_at=at, now=at)  # received as scanned
        return c.decision, c.reason

    return scan


def lock(cast, *, building=None, compound=None):
    return services.lockdown_create(building=building, compound=compound,
                                    starts_on=date(2026, 3, 1), actor=cast.staff_c1,
                                    now=local(2026, 3, 1, 10))


def test_building_lockdown_isolates_every_resident_of_its_households(cast, roster):
    lockdown = lock(cast, building=roster.h1.building)
    assert (lockdown.households, lockdown.isolations_started) == (2, 3)
    isolated = set(Isolation.objects.filter(lockdown=lockdown).values_list("resident", flat=True))
    assert isolated == {roster.a1.pk, roster.a2.pk, roster.b1.pk}
    assert set(Isolation.objects.filter(lockdown=lockdown).values_list("reason", "kind")) == {
        (Reason.LOCKDOWN, "home")}
    assert lockdown.ends_on == date(2026, 3, 15)


def test_plan_counts_exactly_whom_the_lockdown_isolates(cast, roster):
    """The page's confirmation reads lockdown_plan; lockdown_create does what it says: the
    people in centralized quarantine or already at home for another reason keep theirs, one
    whose isolation ended is taken."""
    start(cast, roster.a2, kind="centralized")                        # keeps it
    start(cast, roster.c1, kind="home")                               # keeps it
    start(cast, roster.b1, starts_on=date(2026, 2, 10), days=14,      # ended on 02-24
          now=local(2026, 2, 10, 8))
    plan = services.lockdown_plan(compound=roster.compound, starts_on=date(2026, 3, 1),
                                  now=local(2026, 3, 1, 10))
    assert (plan.households, plan.people, plan.already) == (3, 2, {"centralized": 1, "home": 1})
    assert {r.pk for r in plan.residents} == {roster.a1.pk, roster.b1.pk}
    assert (plan.ends_on, plan.last_day) == (date(2026, 3, 15), date(2026, 3, 14))
    lockdown = lock(cast, compound=roster.compound)
    assert (lockdown.households, lockdown.isolations_started, lockdown.already_isolated) == (
        plan.households, plan.people, plan.already_isolated)
    assert set(Isolation.objects.filter(lockdown=lockdown)
               .values_list("resident", flat=True)) == {r.pk for r in plan.residents}
    assert lockdown.last_day == plan.last_day


def test_lockdown_denies_out_with_reason_lockdown_and_lift_allows_again(cast, roster, gate):
    assert gate(roster.h1, local(2026, 3, 1, 9)) == ("allow", "ok")
    lockdown = lock(cast, compound=roster.compound)
    assert gate(roster.h2, local(2026, 3, 1, 11)) == ("deny", "lockdown")
    assert gate(roster.h3, local(2026, 3, 1, 11)) == ("deny", "lockdown")
    services.lockdown_lift(lockdown=lockdown, actor=cast.staff_c1, now=local(2026, 3, 4, 12))
    assert gate(roster.h2, local(2026, 3, 4, 12, 1)) == ("allow", "ok")
    assert not Isolation.objects.filter(lockdown=lockdown, status=Status.ACTIVE).exists()


def test_offline_scan_synced_after_lift_is_judged_at_its_time(cast, roster):
    lockdown = lock(cast, compound=roster.compound)
    services.lockdown_lift(lockdown=lockdown, actor=cast.staff_c1, now=local(2026, 3, 4, 12))
    assert household_restriction(roster.h1, local(2026, 3, 4, 11, 59)) == "lockdown"
    assert household_restriction(roster.h1, local(2026, 3, 4, 12, 0)) is None


def test_building_lockdown_leaves_other_buildings_free(cast, roster):
    lock(cast, building=roster.h1.building)
    assert household_restriction(roster.h1, local(2026, 3, 2)) == "lockdown"
    assert household_restriction(roster.h3, local(2026, 3, 2)) is None


def test_home_isolation_restricts_household_and_centralized_does_not(cast, roster):
    start(cast, roster.a1)
    start(cast, roster.b1, kind="centralized")
    assert household_restriction(roster.h1, local(2026, 3, 2)) == "isolation"
    assert household_restriction(roster.h2, local(2026, 3, 2)) is None


def test_resident_already_isolated_keeps_their_isolation(cast, roster):
    own = start(cast, roster.a1)
    lockdown = lock(cast, building=roster.h1.building)
    assert lockdown.isolations_started == 2
    own.refresh_from_db()
    assert own.status == Status.ACTIVE and own.lockdown is None


def test_second_lockdown_of_the_same_place_is_refused(cast, roster):
    lock(cast, compound=roster.compound)
    with pytest.raises(services.RuleViolation):
        lock(cast, compound=roster.compound)


def test_lift_twice_is_refused(cast, roster):
    lockdown = lock(cast, compound=roster.compound)
    services.lockdown_lift(lockdown=lockdown, actor=cast.staff_c1, now=local(2026, 3, 2))
    with pytest.raises(services.RuleViolation):
        services.lockdown_lift(lockdown=lockdown, actor=cast.staff_c1, now=local(2026, 3, 2))


def test_lift_keeps_an_isolation_extended_on_its_own(cast, roster):
    lockdown = lock(cast, building=roster.h1.building)
    own = Isolation.objects.get(lockdown=lockdown, resident=roster.a1)
    services.isolation_extend(isolation=own, days=7, reason="family member positive",
                              actor=cast.staff_c1, now=local(2026, 3, 5))
    services.lockdown_lift(lockdown=lockdown, actor=cast.staff_c1, now=local(2026, 3, 6))
    assert Isolation.objects.get(pk=own.pk).status == Status.ACTIVE
    assert household_restriction(roster.h1, local(2026, 3, 6, 12)) == "isolation"
    assert household_restriction(roster.h2, local(2026, 3, 6, 12)) is None
