"""The gate page in Chromium: a keyboard-wedge scan, then offline scans queued in IndexedDB and
synced once when the network returns."""

from datetime import timedelta

import pytest
from django.utils import timezone

from firstline.access import services
from firstline.access.models import Crossing

from ..conftest import DESKTOP, PHONE, browser_login


@pytest.fixture
def today_policy(world, cast):
    # The fixture's policy starts in 2020; the browser scans now: 2 trips per window today.
    services.policy_set(compound=world.compound, closed=True, out_quota=2, window_days=1,
                        starts_on=timezone.localdate() - timedelta(days=3),
                        actor=cast.staff_c1)


@pytest.fixture
def temperature_optional(db):
    """For tests about something else (sync, scanners): rule gate.temperature_required off."""
    from datetime import date

    from firstline.rules.models import Rule

    Rule.objects.create(key="gate.temperature_required", value=False,
                        effective_from=date(2000, 1, 1), source="test: about sync")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_gate_asks_for_the_temperature_before_it_sends(world, today_policy, live_server,
                                                           new_page):
    page = new_page(viewport=PHONE, locale="en-US")
    browser_login(page, live_server, "gate_c1")
    page.goto(f"{live_server.url}/access/gate/?checkpoint=HL-N")
    page.keyboard.type(world.pass1.code)
    page.keyboard.press("Enter")
    page.wait_for_selector("#gate-result.deny")
    assert "Measure the temperature first" in page.locator("#gate-result").inner_text()
    assert page.input_value("#gate-code") == world.pass1.code  # kept: no need to scan again
    assert Crossing.objects.count() == 0
    page.fill("#gate-temp", "36.6")
    page.press("#gate-code", "Enter")
    page.wait_for_selector("#gate-result.allow")
    page.screenshot(path="/work/screens/trust/gate-verdict-phone-en.png")
    assert Crossing.objects.get().temperature == 36.6


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_scan_then_offline_scans_sync_once(world, today_policy, temperature_optional,
                                           live_server, new_page):
    page = new_page(viewport=PHONE, locale="en-US")
    browser_login(page, live_server, "gate_c1")
    page.goto(f"{live_server.url}/access/gate/?checkpoint=HL-N")
    code = page.locator("#gate-code")
    assert code.evaluate("el => el === document.activeElement")

    # A USB scanner types the code and Enter into the focused input.
    page.keyboard.type(world.pass1.code)
    page.keyboard.press("Enter")
    page.wait_for_selector("#gate-result.allow")
    assert "1" in page.locator("#gate-result .left").inner_text()
    page.screenshot(path="/work/screens/access/gate-allow-phone.png")

    page.context.set_offline(True)
    page.fill("#gate-temp", "36.6")
    page.press("#gate-temp", "Enter")
    page.keyboard.type(world.pass2.code)
    page.keyboard.press("Enter")
    page.keyboard.type(world.pass1.code.lower())
    page.keyboard.press("Enter")
    page.wait_for_selector("#gate-queue[data-count='2']")
    # Decided on the spot from the snapshot (2 trips a day, 1 taken): 放行, "decided offline".
    page.wait_for_selector("#gate-result.allow.offline")
    assert page.locator("#gate-log li.pending.offline-allow").count() == 2
    page.screenshot(path="/work/screens/access/gate-offline-phone.png")
    assert Crossing.objects.count() == 1

    page.context.set_offline(False)
    page.wait_for_selector("#gate-queue[data-count='0']", timeout=20000)
    page.wait_for_selector("#gate-log li.pending", state="detached")
    page.screenshot(path="/work/screens/access/gate-synced-phone.png")
    reasons = sorted(Crossing.objects.values_list("household_id", "reason"))
    assert reasons == sorted([(world.h1.pk, "ok"), (world.h2.pk, "ok"), (world.h1.pk, "ok")])
    assert Crossing.objects.filter(temperature=36.6).count() == 1
    # Syncing again (a reload re-reads the queue) records nothing new.
    page.reload()
    page.wait_for_selector("#gate-queue[data-count='0']")
    assert Crossing.objects.count() == 3


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_gate_denies_fever_on_a_desktop_in_chinese(world, today_policy, live_server, new_page):
    page = new_page(viewport=DESKTOP, locale="zh-CN")
    browser_login(page, live_server, "gate_c1")
    page.goto(f"{live_server.url}/access/gate/")
    page.fill("#gate-temp", "38.1")
    page.press("#gate-temp", "Enter")
    page.keyboard.type(world.pass1.code)
    page.keyboard.press("Enter")
    page.wait_for_selector("#gate-result.deny")
    page.wait_for_selector("#gate-log li.deny")  # the server's answer (not the local one)
    page.screenshot(path="/work/screens/access/gate-fever-desktop-zh.png")
    assert Crossing.objects.get().reason == "fever"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_typo_in_the_temperature_is_not_sent_as_a_pass_code(world, today_policy, live_server,
                                                              new_page):
    page = new_page(viewport=PHONE, locale="zh-CN")
    browser_login(page, live_server, "gate_c1")
    page.goto(f"{live_server.url}/access/gate/")
    page.fill("#gate-temp", "三十七")
    page.press("#gate-temp", "Enter")
    page.wait_for_selector("#gate-result.deny")
    assert page.input_value("#gate-temp") == "三十七"  # kept for correcting
    page.fill("#gate-temp", "36.6")
    page.press("#gate-temp", "Enter")
    page.keyboard.type(world.pass1.code)
    page.keyboard.press("Enter")
    page.wait_for_selector("#gate-log li.allow")
    assert [c.reason for c in Crossing.objects.all()] == ["ok"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_scan_with_a_word_for_a_temperature_is_held_not_recorded(world, today_policy,
                                                                   live_server, new_page):
    page = new_page(viewport=PHONE, locale="zh-CN")
    browser_login(page, live_server, "gate_c1")
    page.goto(f"{live_server.url}/access/gate/")
    page.fill("#gate-temp", "abc")
    page.fill("#gate-code", world.pass1.code)
    page.press("#gate-code", "Enter")
    page.wait_for_selector("#gate-result.deny")
    assert page.input_value("#gate-code") == world.pass1.code  # kept: no need to scan again
    page.fill("#gate-temp", "36.6")
    page.press("#gate-code", "Enter")
    page.wait_for_selector("#gate-log li.allow")
    assert [(c.reason, c.temperature) for c in Crossing.objects.all()] == [("ok", 36.6)]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_enter_with_nothing_scanned_clears_the_last_verdict(world, today_policy, live_server,
                                                            new_page):
    """The last person's refusal must not stay on screen as if it were the next one's."""
    page = new_page(viewport=PHONE, locale="en-US")
    browser_login(page, live_server, "gate_c1")
    page.goto(f"{live_server.url}/access/gate/?checkpoint=HL-N")
    page.fill("#gate-temp", "36.6")
    page.press("#gate-temp", "Enter")
    page.keyboard.type("NO-SUCH-PASS-CODE-123")
    page.keyboard.press("Enter")
    page.wait_for_selector("#gate-result.deny")
    page.fill("#gate-code", "")
    page.press("#gate-code", "Enter")
    page.wait_for_selector("#gate-result.idle")
    assert "Ready" in page.locator("#gate-result .verdict").inner_text()
    assert Crossing.objects.count() == 1  # the empty Enter sent nothing
