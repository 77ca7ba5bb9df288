"""Screens of the trust pass on a phone (390×844) in zh-hans and en, saved under
/work/screens/trust/ to be looked at: the gate verdict, the visitor form with the
temperature (and a visitor with fever turned back), the 403 page, the auditor's search.
Each screen is also checked for what a look found wrong once: nothing scrolls sideways."""

from datetime import timedelta

import pytest
from django.utils import timezone

from firstline.access import services
from firstline.accounts.actions import AuditAction

from ..conftest import PHONE, browser_login

SHOTS = "/work/screens/trust"
LOCALES = {"zh-hans": "zh-CN", "en": "en-US"}


def fits(page):
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways: {width}px"


def labels_fit(page):
    """Each card label (a cell's data-label, shown beside it on a phone) fits in its cell: a
    label wrapping onto two lines must not run into the next row's."""
    overlaps = page.evaluate("""() => [...document.querySelectorAll(
        'table.cards > tbody > tr > td[data-label]')].filter(td => td.dataset.label &&
        getComputedStyle(td, '::before').content !== 'none' && td.offsetParent).filter(td => {
          const probe = document.createElement('div');
          const style = getComputedStyle(td, '::before');
          probe.style.cssText = `position:absolute;visibility:hidden;font:${style.font};` +
            `line-height:${style.lineHeight};width:${style.width}`;
          probe.textContent = td.dataset.label;
          document.body.appendChild(probe);
          const tall = probe.getBoundingClientRect().height;
          probe.remove();
          return td.getBoundingClientRect().height + 0.5 < tall;
        }).map(td => td.dataset.label)""")
    assert overlaps == [], f"labels running into the next row: {overlaps}"


def phone(new_page, live_server, username, lang):
    page = new_page(viewport=PHONE, locale=LOCALES[lang])
    page.context.add_cookies([{"name": "django_language", "value": lang,
                               "url": live_server.url}])
    browser_login(page, live_server, username)
    return page


@pytest.fixture
def today_policy(world, cast):
    services.policy_set(compound=world.compound, closed=True, out_quota=2, window_days=1,
                        starts_on=timezone.localdate() - timedelta(days=3),
                        actor=cast.staff_c1)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_gate_verdicts_on_a_phone(world, today_policy, live_server, new_page, lang):
    page = phone(new_page, live_server, "gate_c1", lang)
    page.goto(f"{live_server.url}/access/gate/?checkpoint=HL-N")
    page.fill("#gate-temp", "36.6")
    page.fill("#gate-code", world.pass1.code)
    page.press("#gate-code", "Enter")
    page.wait_for_selector("#gate-result.allow")
    fits(page)
    assert "HL-N" not in page.locator("#gate-result").inner_text()  # the gate by its name
    page.screenshot(path=f"{SHOTS}/gate-allow-{lang}.png", full_page=True)
    page.fill("#gate-temp", "38.2")
    page.fill("#gate-code", world.pass2.code)
    page.press("#gate-code", "Enter")
    page.wait_for_selector("#gate-result.deny")
    fits(page)
    page.screenshot(path=f"{SHOTS}/gate-fever-{lang}.png", full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_visitor_form_with_temperature_on_a_phone(world, live_server, new_page, lang):
    page = phone(new_page, live_server, "gate_c1", lang)
    page.goto(f"{live_server.url}/access/visitors/")
    temperature = page.locator("input[name=temperature]")
    assert temperature.is_visible()
    # Marked required (the rule is on by default); the vehicle and proof fields fold away.
    assert page.locator("label:has(input[name=temperature]) .req").is_visible()
    assert not page.locator("input[name=plate]").is_visible()
    fits(page)
    page.screenshot(path=f"{SHOTS}/visitor-form-{lang}.png", full_page=True)
    page.fill("input[name=name]", "访客甲")
    temperature.fill("38.5")
    page.fill("input[name=origin]", "湖北武汉")
    page.click("button[value=admit]")
    page.wait_for_load_state()
    fits(page)
    labels_fit(page)
    page.screenshot(path=f"{SHOTS}/visitor-fever-{lang}.png", full_page=True)
    assert page.locator("table.cards .badge.bad").count() == 1  # turned back, not let in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_403_page_on_a_phone(cast, live_server, new_page, lang):
    page = phone(new_page, live_server, "grid_a", lang)
    response = page.goto(f"{live_server.url}/people/import/")
    assert response.status == 403
    fits(page)
    assert page.locator("h1").inner_text() in ("无权访问", "Not allowed")
    page.screenshot(path=f"{SHOTS}/403-{lang}.png", full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_auditors_search_on_a_phone(cast, areas, live_server, new_page, lang):
    from firstline.accounts.models import User
    from firstline.accounts.services import audit
    from tests.conftest import make_household
    from tests.people.conftest import make_resident

    User.objects.filter(pk=cast.staff_c1.pk).update(display_name="李书记")
    h = make_household(areas.g1a, room="101")
    audit(actor=cast.staff_c1, action=AuditAction.RESIDENT_READ_FULL, obj=make_resident(h,
          name="邵兰"),
          detail="核实身份")
    audit(actor=cast.grid_a, action=AuditAction.RESIDENT_READ_MASKED, obj=make_resident(h,
          name="王伟"))
    page = phone(new_page, live_server, "auditor", lang)
    page.goto(f"{live_server.url}/people/audit/")
    page.fill("input[name=who]", "李书记")
    page.locator("input[name=who]").press("Enter")
    page.wait_for_url("**who=*")
    fits(page)
    text = page.locator("main").inner_text()
    assert "邵兰" in text and "王伟" not in text
    labels_fit(page)
    assert page.locator("label", has=page.locator("input[name=until], input[name=to]")
                        ).first.inner_text().strip() in ("结束", "To")
    page.screenshot(path=f"{SHOTS}/audit-search-{lang}.png", full_page=True)
