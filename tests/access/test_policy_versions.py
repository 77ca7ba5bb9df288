"""Policy versions over time: a rule saved for a later day comes into force at local midnight
of its start date (the version in force before holds until then, never "no quota"), and of
the versions in force by a moment the last saved wins. The gate's statement, the ORM lookup,
the offline snapshot, the API and the page all say the same.

The world's policy v1 (1 trip out every 2 days, windows from 02-04) is in force from 00:00
on 2020-02-04; on 02-06 its window is [02-06, 02-07]."""

from datetime import date, timedelta

import pytest
import time_machine

from firstline import clock
from firstline.access import selectors, services
from firstline.access.models import Policy, QuotaUse

from .conftest import local

pytestmark = pytest.mark.time_sensitive

D = date(2020, 2, 6)
# Saving at 00:05, 08:59 and 23:59 local (the tests' hours: DESIGN.md "Time").
SAVED_AT = [(0, 5), (8, 59), (23, 59)]


def at(day, hour=9, minute=0, second=0):
    return local(day.year, day.month, day.day, hour, minute, second)


def save(world, cast, when, **kw):
    """policy_set as a person saving at `when`: the clock says `when` (no `now=`)."""
    compound = kw.pop("compound", world.compound)
    rule = {"closed": True, "out_quota": 1, "window_days": 2, **kw}
    with time_machine.travel(when, tick=False):
        return services.policy_set(compound=compound, actor=cast.staff_c1, **rule)


# --- a rule saved for a later day -----------------------------------------------------------

@pytest.mark.parametrize("hour,minute", SAVED_AT)
def test_a_rule_saved_for_tomorrow_does_not_lift_todays_quota(world, scan, cast, hour, minute):
    assert scan(world.pass1, "out", at(D, 0, 1)).reason == "ok"  # v1's window [02-06, 02-07]
    v2 = save(world, cast, at(D, hour, minute), starts_on=D + timedelta(days=1))
    assert v2.effective_at == clock.day_start(D + timedelta(days=1))
    later = scan(world.pass1, "out", at(D, hour, minute, 30))
    assert (later.reason, later.policy) == ("quota_exhausted", world.policy)
    # A household that had not gone out today still goes by v1: one trip, not unlimited.
    assert scan(world.pass2, "out", at(D, hour, minute, 40)).quota_left == 0
    assert scan(world.pass2, "out", at(D, hour, minute, 50)).reason == "quota_exhausted"


@pytest.mark.parametrize("hour,minute", SAVED_AT)
def test_it_applies_from_local_midnight_of_its_first_day_with_a_fresh_window(
        world, scan, cast, hour, minute):
    tomorrow = D + timedelta(days=1)
    assert scan(world.pass1, "out", at(D, 0, 1)).reason == "ok"
    v2 = save(world, cast, at(D, hour, minute), starts_on=tomorrow, window_days=3)
    assert scan(world.pass1, "out", at(D, 23, 59, 59)).policy == world.policy
    first = scan(world.pass1, "out", at(tomorrow, 0, 0))
    assert (first.reason, first.policy, first.window_start) == ("ok", v2, tomorrow)
    again = scan(world.pass1, "out", at(tomorrow, 0, 5))
    assert (again.reason, again.window_start) == ("quota_exhausted", tomorrow)


def test_without_a_policy_the_rule_defaults_hold_until_the_first_one_begins(world, scan, cast):
    # 惠利花园 has no policy: the defaults, 1 trip every 2 days from 2020-01-24 ([02-05, 02-06]).
    def other(when):
        return scan(world.pass_other, "out", when, checkpoint="HY-1", actor=cast.staff_c2)

    v1 = save(world, cast, at(D, 10), compound=world.other, closed=False,
              starts_on=D + timedelta(days=1))
    assert other(at(D, 11)).reason == "ok"
    refused = other(at(D, 12))
    assert (refused.reason, refused.policy) == ("quota_exhausted", None)
    assert refused.rule_version.endswith("quota:default/default/default")
    opened = other(at(D + timedelta(days=1), 0, 5))  # the new rule: open, no quota
    assert (opened.reason, opened.policy, opened.quota_left) == ("ok", v1, None)


def test_windows_from_today_or_earlier_apply_from_the_next_scan(world, scan, cast):
    v2 = save(world, cast, at(D, 23, 59), starts_on=D, out_quota=2)
    v3 = save(world, cast, at(D, 23, 59, 30), starts_on=D - timedelta(days=10), out_quota=3)
    assert v2.effective_at == at(D, 23, 59) and v3.effective_at == at(D, 23, 59, 30)
    assert scan(world.pass1, "out", at(D, 23, 59, 45)).policy == v3


def test_nothing_is_carried_into_a_version_that_starts_later(world, scan, cast):
    """A version for a later day begins at its own midnight, with windows of its own: no trip
    of them can have been taken when it is saved, so saving counts none in."""
    tomorrow = D + timedelta(days=1)
    assert scan(world.pass1, "out", at(D, 9)).reason == "ok"
    # One-day windows from tomorrow: v1's [02-06, 02-07] trip is not one of them.
    save(world, cast, at(D, 10), starts_on=tomorrow, window_days=1)
    assert not QuotaUse.objects.filter(window_start=tomorrow).exists()
    c = scan(world.pass1, "out", at(tomorrow, 9))
    assert (c.reason, c.quota_left) == ("ok", 0)


def test_saved_today_with_windows_from_today_the_mornings_trip_still_counts(world, scan, cast):
    # The carry, unchanged for a version in force at once.
    assert scan(world.pass1, "out", at(D, 9)).reason == "ok"
    save(world, cast, at(D, 10), starts_on=D, window_days=1)
    assert scan(world.pass1, "out", at(D, 11)).reason == "quota_exhausted"


# --- the last saved wins --------------------------------------------------------------------

def test_a_correction_saved_later_overrides_a_pending_change(world, scan, cast):
    """v2 saved for tomorrow (open), then v3 saved for today: v3 holds today and tomorrow
    too — the last decision wins; v2 never applies."""
    tomorrow = D + timedelta(days=1)
    save(world, cast, at(D, 10), closed=False, starts_on=tomorrow)
    v3 = save(world, cast, at(D, 11), starts_on=D, window_days=1)
    assert scan(world.pass1, "out", at(D, 12)).policy == v3
    assert scan(world.pass1, "out", at(D, 13)).reason == "quota_exhausted"
    c = scan(world.pass1, "out", at(tomorrow, 9))
    assert (c.policy, c.reason) == (v3, "ok")
    assert scan(world.pass1, "out", at(tomorrow, 10)).reason == "quota_exhausted"
    assert selectors.policy_upcoming(world.compound, at(D, 12)) == []


def test_two_changes_for_later_days_apply_each_from_its_day(world, cast):
    v2 = save(world, cast, at(D, 10), starts_on=D + timedelta(days=1), out_quota=2)
    v3 = save(world, cast, at(D, 11), starts_on=D + timedelta(days=3), out_quota=3)
    rule = [services.quota_rule(world.compound.pk, at(D + timedelta(days=n)),
                                D + timedelta(days=n)).policy_id for n in range(5)]
    assert rule == [world.policy.pk, v2.pk, v2.pk, v3.pk, v3.pk]
    assert selectors.policy_upcoming(world.compound, at(D, 12)) == [v2, v3]


def test_a_change_saved_later_for_an_earlier_day_replaces_the_pending_one(world, cast):
    v2 = save(world, cast, at(D, 10), starts_on=D + timedelta(days=3), out_quota=2)
    v3 = save(world, cast, at(D, 11), starts_on=D + timedelta(days=1), out_quota=3)
    rule = [services.quota_rule(world.compound.pk, at(D + timedelta(days=n)),
                                D + timedelta(days=n)).policy_id for n in range(5)]
    assert rule == [world.policy.pk, v3.pk, v3.pk, v3.pk, v3.pk]
    assert selectors.policy_upcoming(world.compound, at(D, 12)) == [v3]
    versions = list(selectors.policy_history(world.compound))
    assert selectors.policy_overridden(versions) == {v2.version: v3.version}


def test_versions_are_numbered_in_the_order_they_are_saved(world, cast):
    save(world, cast, at(D, 10), starts_on=D + timedelta(days=5))
    save(world, cast, at(D, 11), starts_on=D)
    assert list(Policy.objects.filter(compound=world.compound).order_by("pk")
                .values_list("version", flat=True)) == [1, 2, 3]


# --- the gate's statement and the ORM agree -------------------------------------------------

def test_the_gate_and_the_orm_name_the_same_version_at_every_moment(world, scan, cast):
    save(world, cast, at(D, 10), starts_on=D + timedelta(days=2))              # v2
    save(world, cast, at(D, 11), starts_on=D + timedelta(days=1))              # v3
    save(world, cast, at(D, 12), starts_on=D + timedelta(days=4), closed=False)  # v4
    save(world, cast, at(D + timedelta(days=1), 12), starts_on=D + timedelta(days=3))  # v5
    moments = [at(D + timedelta(days=n), h, m) for n in range(-3, 6)
               for h, m in ((0, 0), (0, 5), (10, 30), (23, 59))]
    for moment in moments:
        crossing = scan(world.pass1, "in", moment)  # "in": judged, nothing taken
        orm = selectors.policy_current(world.compound, moment)
        assert crossing.policy_id == (orm.pk if orm else None), moment
        assert crossing.policy_id == services.quota_rule(
            world.compound.pk, moment, clock.localdate(moment)).policy_id, moment


def test_a_household_refused_today_is_told_the_day_the_new_rule_begins(world, scan, cast):
    tomorrow = D + timedelta(days=1)
    assert scan(world.pass1, "out", at(D, 9)).reason == "ok"
    refused = scan(world.pass1, "out", at(D, 9, 30))
    assert services.scan_verdict(refused)["next_window"] == D + timedelta(days=2)  # v1's
    save(world, cast, at(D, 10), starts_on=tomorrow)
    refused = scan(world.pass1, "out", at(D, 11))
    assert services.scan_verdict(refused)["next_window"] == tomorrow
    # The same answer for the stored crossing (an event_id sent again).
    replay = services.gate_scan(actor=cast.gate_c1, event_id=refused.event_id,
                                checkpoint="HL-N", pass_code=world.pass1.code,
                                direction="out", temperature=36.5, scanned_at=at(D, 11))
    assert not hasattr(replay, "gate_window_days")
    assert services.scan_verdict(replay)["next_window"] == tomorrow


def test_a_change_overridden_before_it_begins_is_no_next_window(world, scan, cast):
    save(world, cast, at(D, 10), starts_on=D + timedelta(days=1), closed=False)
    save(world, cast, at(D, 10, 30), starts_on=D)  # v3: the same rule as v1, from now on
    assert scan(world.pass1, "out", at(D, 11)).reason == "ok"
    refused = scan(world.pass1, "out", at(D, 11, 30))
    assert services.scan_verdict(refused)["next_window"] == D + timedelta(days=2)
    assert services.policy_next_change(world.compound.pk, at(D, 11, 30)) is None


# --- the offline gate's snapshot ------------------------------------------------------------

def test_the_snapshot_carries_the_change_to_come_with_its_moment(world, cast):
    tomorrow = D + timedelta(days=1)
    save(world, cast, at(D, 10), starts_on=tomorrow, out_quota=2, window_days=1)
    data = services.gate_snapshot(actor=cast.gate_c1, checkpoint=world.gate, now=at(D, 23, 50))
    assert data["quota"]["window_start"] == D.isoformat()  # v1, in force now
    assert data["quota"]["quota"] == 1
    assert data["quota_next"] == [{"from": "2020-02-06T16:00:00.000+00:00", "closed": True,
                                   "quota": 2, "window_days": 1,
                                   "starts_on": tomorrow.isoformat()}]
    # Once it has begun it is the snapshot's rule, and nothing is left to come.
    data = services.gate_snapshot(actor=cast.gate_c1, checkpoint=world.gate,
                                  now=at(tomorrow, 0, 5))
    assert (data["quota"]["quota"], data["quota_next"]) == (2, [])


def test_the_snapshot_leaves_out_a_change_that_will_never_apply(world, cast):
    save(world, cast, at(D, 10), starts_on=D + timedelta(days=1), closed=False)
    save(world, cast, at(D, 11), starts_on=D)
    data = services.gate_snapshot(actor=cast.gate_c1, checkpoint=world.gate, now=at(D, 12))
    assert data["quota_next"] == []


# --- the API --------------------------------------------------------------------------------

def test_put_for_a_later_day_answers_its_moment_and_get_the_rule_in_force(world, api):
    client = api("staff_c1")  # its token is made now, not in 2020
    url = f"/api/v1/compounds/{world.compound.pk}/policy"
    with time_machine.travel(at(D, 23, 59), tick=False):
        put = client.put(url, {"closed": True, "out_quota": 1, "window_days": 2,
                               "starts_on": "2020-02-07"}).json()
        got = client.get(url).json()
        history = client.get(f"{url}/history").json()["items"]
    assert (put["version"], put["pending"], put["effective_at"]) == (
        2, True, "2020-02-06T16:00:00Z")
    assert put["next"]["version"] == 2
    # GET: the version in force now, every field as before, and the change to come.
    assert (got["version"], got["pending"], got["source"], got["starts_on"]) == (
        1, False, "policy", "2020-02-04")
    assert got["next"] == {"version": 2, "closed": True, "out_quota": 1, "window_days": 2,
                           "starts_on": "2020-02-07", "effective_at": "2020-02-06T16:00:00Z"}
    assert [(h["version"], h["pending"], h["next"]) for h in history] == [
        (2, True, None), (1, False, None)]
    with time_machine.travel(at(D + timedelta(days=1), 0, 5), tick=False):
        got = client.get(url).json()
    assert (got["version"], got["pending"], got["next"]) == (2, False, None)


def test_history_says_which_version_never_applies(world, api, cast):
    save(world, cast, at(D, 10), starts_on=D + timedelta(days=1), closed=False)  # v2
    save(world, cast, at(D, 11), starts_on=D)  # v3
    client = api("staff_c1")
    with time_machine.travel(at(D, 12), tick=False):
        items = client.get(f"/api/v1/compounds/{world.compound.pk}/policy/history").json()[
            "items"]
    assert [(h["version"], h["overridden_by"]) for h in items] == [(3, None), (2, 3), (1, None)]


# --- the page -------------------------------------------------------------------------------

@pytest.mark.parametrize("language,words", [
    ("zh-hans", ["自 2020-02-07 00:00 起：", "尚未生效", "当前执行："]),
    ("en", ["From 2020-02-07 00:00:", "not yet in force", "In force now:"]),
    ("zh-hant", ["自 2020-02-07 00:00 起：", "尚未生效", "目前執行："]),
])
def test_the_compound_page_shows_the_rule_in_force_and_the_change_to_come(
        world, cast, web, language, words):
    save(world, cast, at(D, 10), starts_on=D + timedelta(days=1), out_quota=2, window_days=3)
    client = web("staff_c1", language)
    with time_machine.travel(at(D, 12), tick=False):
        html = client.get(f"/access/compounds/{world.compound.pk}/").content.decode()
    for w in words:
        assert w in html, w
    now_part = html.split('id="policy-now"', 1)[1].split("</p>", 1)[0]
    assert "v1" in now_part and "2020-02-04" in now_part
    nxt = html.split('class="policy-next"', 1)[1].split("</p>", 1)[0]
    assert "v2" in nxt and "2020-02-07" in nxt and "3" in nxt


def test_the_page_history_says_a_replaced_change_never_applies(world, cast, web):
    save(world, cast, at(D, 10), starts_on=D + timedelta(days=1), closed=False)  # v2
    save(world, cast, at(D, 11), starts_on=D)  # v3
    with time_machine.travel(at(D, 12), tick=False):
        html = web("staff_c1", "en").get(f"/access/compounds/{world.compound.pk}/").content
    row = html.decode().split('<tr data-version="2">', 1)[1].split("</tr>", 1)[0]
    assert "never applies: v3, saved later, is in force by then" in row
    assert 'class="policy-next"' not in html.decode()  # nothing is to come


def test_a_start_date_out_of_this_systems_days_is_refused_beside_the_form(world, web):
    r = web("staff_c1", "en").post(f"/access/compounds/{world.compound.pk}/policy/", {
        "closed": "on", "out_quota": "1", "window_days": "2", "starts_on": "0001-01-01"})
    assert r.status_code == 422
    assert "Windows counted from must be a date from 1900 to 2199." in r.content.decode()
    assert Policy.objects.filter(compound=world.compound).count() == 1


def test_saving_for_a_later_day_says_from_when(world, web):
    client = web("staff_c1", "en")
    with time_machine.travel(at(D, 12), tick=False):
        r = client.post(f"/access/compounds/{world.compound.pk}/policy/", {
            "closed": "on", "out_quota": "1", "window_days": "2", "starts_on": "2020-02-07"},
            follow=True)
    assert "It applies from 2020-02-07 00:00; until then the rule in force now stays." in \
        r.content.decode()


def _form_values(html: str) -> dict:
    """The policy form's fields as the browser would post them back unchanged."""
    import re

    form = html.split('id="policy"', 1)[1].split("</form>", 1)[0]
    values = {name: value for name, value in
              re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', form)}
    if re.search(r'<input[^>]*name="closed"[^>]*checked', form):
        values["closed"] = "on"
    values.pop("csrfmiddlewaretoken", None)  # the test client needs none
    return values


def test_the_form_saved_unchanged_keeps_the_change_waiting_for_its_day(world, cast, web):
    """The form starts from the last change saved, not the rule in force: saving it as it
    comes (the last saved wins) must not replace tomorrow's change by today's rule."""
    save(world, cast, at(D, 10), starts_on=D + timedelta(days=1), out_quota=2, window_days=3)
    client = web("staff_c1", "en")
    with time_machine.travel(at(D, 12), tick=False):
        html = client.get(f"/access/compounds/{world.compound.pk}/").content.decode()
        values = _form_values(html)
        assert values == {"out_quota": "2", "window_days": "3", "starts_on": "2020-02-07",
                          "closed": "on"}
        assert "The form below changes the rule from 2020-02-07 00:00." in html
        client.post(f"/access/compounds/{world.compound.pk}/policy/", values)
    tomorrow = Policy.objects.filter(compound=world.compound).in_force_at(at(D + timedelta(1)))
    assert (tomorrow.first().out_quota, tomorrow.first().window_days) == (2, 3)


def test_the_form_starts_from_the_rule_in_force_when_no_change_waits(world, web):
    with time_machine.travel(at(D, 12), tick=False):
        html = web("staff_c1", "en").get(f"/access/compounds/{world.compound.pk}/").content
    assert _form_values(html.decode()) == {"out_quota": "1", "window_days": "2",
                                           "starts_on": "2020-02-04", "closed": "on"}
    assert "policy-form-from" not in html.decode()


@pytest.mark.parametrize("language,words", [
    ("zh-hans", "自 02-07 00:00 起："), ("en", "From 02-07 00:00:")])
def test_the_compound_list_shows_the_change_to_come(world, cast, web, language, words):
    save(world, cast, at(D, 10), starts_on=D + timedelta(days=1), out_quota=2, window_days=3)
    save(world, cast, at(D, 10, 5), compound=world.other, starts_on=D + timedelta(days=2),
         closed=False)
    save(world, cast, at(D, 10, 6), compound=world.other, starts_on=D)  # overrides it
    with time_machine.travel(at(D, 12), tick=False):
        html = web("staff_c1", language).get("/access/").content.decode()
    row = html.split(f'href="/access/compounds/{world.compound.pk}/"', 1)[1].split("</tr>")[0]
    assert words in row and "2 " in row.split(words, 1)[1]
    assert html.count(words) == 1  # the other compound's change never applies


# --- versions saved before the rule ---------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_versions_still_waiting_for_their_day_are_put_in_force_at_its_midnight(areas):
    """Migration 0013: a version saved before the rule for a day still to come was in force
    at once (and lifted the quota until its day); it now waits for its day's midnight. One
    whose day has come keeps the moment it was judged by."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from firstline.people.models import Compound

    one = Compound.objects.create(area=areas.c1, name="翰林华府")
    two = Compound.objects.create(area=areas.c2, name="惠利花园")
    before = [("access", "0012_checkpoint_name_unique")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    OldPolicy = executor.loader.project_state(before).apps.get_model("access", "Policy")
    rule = {"closed": True, "out_quota": 1, "window_days": 2}
    waiting = OldPolicy.objects.create(compound_id=one.pk, version=1, **rule,
                                       starts_on=D + timedelta(days=1), effective_at=at(D, 10))
    begun = OldPolicy.objects.create(compound_id=two.pk, version=1, **rule,
                                     starts_on=D - timedelta(days=1),
                                     effective_at=at(D - timedelta(days=3), 10))

    with time_machine.travel(at(D, 23, 59), tick=False):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

    moments = dict(Policy.objects.filter(pk__in=[waiting.pk, begun.pk])
                   .values_list("pk", "effective_at"))
    assert moments == {waiting.pk: clock.day_start(D + timedelta(days=1)),
                       begun.pk: at(D - timedelta(days=3), 10)}
