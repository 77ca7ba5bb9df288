"""The gate page offline, in Chromium on a phone: it decides by itself from its snapshot
(放行/禁止, marked "decided offline"), counts trips locally, serves its own shell from a service
worker, and syncs; the server's record matches, and a disagreement is listed for duty staff."""

import uuid
from datetime import timedelta

import pytest
import time_machine

from firstline import clock
from firstline.access import services
from firstline.access.models import Crossing, OfflineVerdict
from firstline.people.models import Household

from ..conftest import PHONE, browser_login

SHOTS = "/work/screens/field"


@pytest.fixture
def gate_world(world, cast):
    # One trip out per household per day, today.
    services.policy_set(compound=world.compound, closed=True, out_quota=1, window_days=1,
                        starts_on=clock.today() - timedelta(days=3), actor=cast.staff_c1)
    world.south = services.checkpoint_create(compound=world.compound, code="HL-S", name="南门",
                                             actor=cast.staff_c1)
    world.h3 = Household.objects.create(compound=world.compound, building=world.b28,
                                        building_name="28", unit="2", room="201",
                                        grid=world.h1.grid)
    (world.pass3,) = services.pass_issue(households=[world.h3], actor=cast.staff_c1)
    services.pass_revoke(pass_obj=world.pass3, actor=cast.staff_c1, reason="lost")
    return world


def scan(page, code, temperature="36.6"):
    """Measure, then scan (the rule gate.temperature_required is on, offline too)."""
    page.fill("#gate-temp", temperature)
    page.focus("#gate-code")
    page.keyboard.type(code)
    page.keyboard.press("Enter")


@pytest.mark.browser
@pytest.mark.time_sensitive
@pytest.mark.django_db(transaction=True)
def test_offline_gate_decides_syncs_and_lists_the_disagreement(ten_oclock, gate_world, cast,
                                                                live_server, new_page):
    w = gate_world
    page = new_page(viewport=PHONE, locale="zh-CN")
    page.clock.set_fixed_time(clock.now())  # the phone's clock beside the server's
    browser_login(page, live_server, "gate_c1")
    page.goto(f"{live_server.url}/access/gate/?checkpoint=HL-N")
    page.wait_for_selector("#gate-snapshot:not([data-at=''])")
    # The service worker controls the page and holds its shell.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.wait_for_function("() => caches.open('firstline-gate-v1').then(c => c.match('/access/gate/'))"
                           ".then(r => !!r)")

    # Meanwhile household 1 went out by the south gate (its snapshot here still says 1 left).
    # Now, not earlier: the policy above is in force from the moment it was set, and a scan
    # before it would be judged by the default rule's window (on some days a different one).
    south_at = clock.now()
    services.gate_scan(actor=cast.gate_c1, event_id=uuid.uuid4(), checkpoint="HL-S",
                       pass_code=w.pass1.code, direction="out", temperature=36.5,
                       scanned_at=south_at)

    def scan_at(seconds, code):
        """Each offline scan a second after the last, on the phone's clock."""
        page.clock.set_fixed_time(south_at + timedelta(seconds=seconds))
        scan(page, code)

    page.context.set_offline(True)
    scan_at(1, w.pass2.code)
    page.wait_for_selector("#gate-result.allow.offline")
    assert "28栋 1单元 102室" in page.inner_text("#gate-result .household")
    assert "离线判定" in page.inner_text("#gate-result .mode")
    page.screenshot(path=f"{SHOTS}/gate-offline-allow-zh.png")

    scan_at(2, w.pass2.code)  # the same household again: its one trip is taken
    page.wait_for_selector("#gate-result.deny.offline[data-reason=quota_exhausted]")
    page.screenshot(path=f"{SHOTS}/gate-offline-quota-zh.png")

    scan_at(3, w.pass3.code)  # revoked before the snapshot
    page.wait_for_selector("#gate-result.deny.offline[data-reason=pass_revoked]")

    scan_at(4, w.pass1.code)  # what this gate knows says yes; the server will say no
    page.wait_for_selector("#gate-result.allow.offline[data-reason=ok] .household:has-text('101室')")
    page.wait_for_selector("#gate-queue[data-count='4']")
    assert Crossing.objects.count() == 1  # nothing reached the server

    page.reload()  # offline: the service worker serves the page
    page.wait_for_selector("#gate-code")
    page.wait_for_selector("#gate-queue[data-count='4']")
    page.screenshot(path=f"{SHOTS}/gate-offline-reloaded-zh.png")

    ten_oclock.move_to(south_at + timedelta(minutes=1))  # the scans are behind the server
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#gate-queue[data-count='0']", timeout=20000)
    at_north = sorted(Crossing.objects.filter(checkpoint__code="HL-N")
                      .values_list("household_id", "decision", "reason"))
    assert at_north == sorted([
        (w.h2.pk, "allow", "ok"), (w.h2.pk, "deny", "quota_exhausted"),
        (w.h3.pk, "deny", "pass_revoked"), (w.h1.pk, "deny", "quota_exhausted")])
    assert OfflineVerdict.objects.count() == 4
    assert [(v.crossing.household_id, v.decision, v.crossing.reason) for v in
            OfflineVerdict.objects.filter(agrees=False)] == [(w.h1.pk, "allow", "quota_exhausted")]
    assert all(v.snapshot_at is not None for v in OfflineVerdict.objects.all())

    page.goto(f"{live_server.url}/access/offline/")
    rows = page.locator("#offline-list tbody tr[data-event]")
    assert rows.count() == 1
    assert "28栋 1单元 101室" in rows.first.inner_text()
    page.screenshot(path=f"{SHOTS}/offline-disagreements-zh.png", full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_server_answering_503_is_treated_as_offline(gate_world, live_server, new_page):
    page = new_page(viewport=PHONE, locale="en-US")
    browser_login(page, live_server, "gate_c1")
    page.goto(f"{live_server.url}/access/gate/?checkpoint=HL-N")
    page.wait_for_selector("#gate-snapshot:not([data-at=''])")
    page.route("**/api/v1/gate/scans**", lambda route: route.fulfill(
        status=503, headers={"Retry-After": "1"}, content_type="application/json",
        body='{"error": "unavailable", "detail": "try again"}'))
    scan(page, gate_world.pass2.code)
    page.wait_for_selector("#gate-result.allow.offline")
    assert "Decided offline" in page.inner_text("#gate-result .mode")
    page.screenshot(path=f"{SHOTS}/gate-503-allow-en.png")
    page.unroute("**/api/v1/gate/scans**")
    page.wait_for_selector("#gate-queue[data-count='0']", timeout=20000)
    assert OfflineVerdict.objects.get().agrees is True


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_offline_gate_judges_scans_after_midnight_by_the_rule_saved_for_that_day(
        world, cast, live_server, new_page):
    """Open today; "from tomorrow, one trip a day" saved in the evening. A gate that went
    offline before midnight lets household 2 out as often as today's rule allows, and from
    00:00 by the new rule: one trip, then quota_exhausted. The server agrees with each."""

    today = clock.today()
    tomorrow = today + timedelta(days=1)
    with time_machine.travel(clock.at(today, "23:50"), tick=True) as traveller:
        services.policy_set(compound=world.compound, closed=False, out_quota=1, window_days=1,
                            starts_on=today - timedelta(days=3), actor=cast.staff_c1)
        services.policy_set(compound=world.compound, closed=True, out_quota=1, window_days=1,
                            starts_on=tomorrow, actor=cast.staff_c1)
        page = new_page(viewport=PHONE, locale="zh-CN")
        page.clock.set_fixed_time(clock.at(today, "23:51"))
        browser_login(page, live_server, "gate_c1")
        page.goto(f"{live_server.url}/access/gate/?checkpoint=HL-N")
        page.wait_for_selector("#gate-snapshot:not([data-at=''])")

        page.context.set_offline(True)
        code = world.pass2.code
        for n, minute in enumerate(("23:58", "23:59"), 1):  # today's rule: open, no quota
            page.clock.set_fixed_time(clock.at(today, minute))
            scan(page, code)
            page.wait_for_selector(f"#gate-queue[data-count='{n}']")
            page.wait_for_selector("#gate-result.allow.offline")
        page.clock.set_fixed_time(clock.at(tomorrow, "00:01"))
        scan(page, code)  # the new rule's first window: one trip
        page.wait_for_selector("#gate-queue[data-count='3']")
        page.wait_for_selector("#gate-result.allow.offline[data-reason=ok]")
        page.clock.set_fixed_time(clock.at(tomorrow, "00:02"))
        scan(page, code)
        page.wait_for_selector("#gate-queue[data-count='4']")
        page.wait_for_selector("#gate-result.deny.offline[data-reason=quota_exhausted]")
        page.screenshot(path=f"{SHOTS}/gate-offline-after-midnight-zh.png")
        assert Crossing.objects.count() == 0  # nothing reached the server

        # The server's clock passes midnight too; the gate comes back and syncs.
        traveller.move_to(clock.at(tomorrow, "00:05"))
        page.context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        page.wait_for_selector("#gate-queue[data-count='0']", timeout=20000)

    judged = list(Crossing.objects.order_by("scanned_at")
                  .values_list("decision", "reason", "policy__version"))
    assert judged == [("allow", "ok", 2), ("allow", "ok", 2), ("allow", "ok", 3),
                      ("deny", "quota_exhausted", 3)]  # v1 is the world's, from 2020
    assert OfflineVerdict.objects.count() == 4
    assert not OfflineVerdict.objects.filter(agrees=False).exists()
