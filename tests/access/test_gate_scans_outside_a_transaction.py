"""The gate scan as a device calls it: no transaction around it. On PostgreSQL each outcome is
then written by one statement (the quota's upsert inside the crossing's INSERT), with no
BEGIN/COMMIT; these rules must hold there exactly as inside a caller's transaction (the rest
of tests/access runs inside one)."""

import uuid

import pytest

from firstline.access import services
from firstline.access.models import Crossing, QuotaUse
from firstline.isolation.models import Alert

from .conftest import local

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_quota_allows_once_then_refuses_and_coming_in_reports_what_is_left(world, scan):
    first = scan(world.pass1, "out")
    assert (first.decision, first.reason, first.quota_left) == ("allow", "ok", 0)
    second = scan(world.pass1, "out", local(2020, 2, 5, 10))
    assert (second.decision, second.reason, second.quota_left) == ("deny", "quota_exhausted", 0)
    back = scan(world.pass1, "in", local(2020, 2, 5, 11))
    assert (back.decision, back.reason, back.quota_left) == ("allow", "ok", 0)
    assert QuotaUse.objects.get(household=world.h1).used == 1
    stored = {c.pk: (c.decision, c.reason, c.quota_left) for c in Crossing.objects.all()}
    assert stored == {first.pk: ("allow", "ok", 0), second.pk: ("deny", "quota_exhausted", 0),
                      back.pk: ("allow", "ok", 0)}


def test_coming_in_before_going_out_leaves_the_whole_quota(world, scan, cast):
    services.policy_set(compound=world.compound, closed=True, out_quota=2, window_days=2,
                        starts_on=local(2020, 2, 4).date(), actor=cast.staff_c1,
                        now=local(2020, 2, 2, 8))
    assert scan(world.pass1, "in").quota_left == 2
    assert scan(world.pass1, "out", local(2020, 2, 5, 10)).quota_left == 1
    assert scan(world.pass1, "in", local(2020, 2, 5, 11)).quota_left == 1



def test_a_replayed_refusal_stays_the_stored_answer(world, scan):
    scan(world.pass1, "out")
    event = uuid.uuid4()
    a = scan(world.pass1, "out", local(2020, 2, 5, 10), event_id=event)
    assert a.reason == "quota_exhausted"
    b = scan(world.pass1, "out", local(2020, 2, 5, 10), event_id=event)
    assert services.scan_answer(b) == services.scan_answer(a)
    assert QuotaUse.objects.get(household=world.h1).used == 1


def test_a_replayed_fever_opens_one_alert(world, scan):
    event = uuid.uuid4()
    assert scan(world.pass1, "out", event_id=event, temperature=38).reason == "fever"
    assert scan(world.pass1, "out", event_id=event, temperature=38).reason == "fever"
    assert Alert.objects.count() == 1
    assert Crossing.objects.filter(event_id=event).count() == 1


def test_refusals_without_a_quota_are_recorded_once_each(world, scan):
    unknown = scan("NOPE", "out")
    assert (unknown.decision, unknown.reason) == ("deny", "pass_unknown")
    wrong = scan(world.pass_other, "out")
    assert wrong.reason == "wrong_compound"
    assert Crossing.objects.filter(decision="deny").count() == 2
    assert not QuotaUse.objects.exists()
