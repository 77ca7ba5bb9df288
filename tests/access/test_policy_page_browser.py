"""The compound's policy on a phone (390×844) in zh-hans and en, with a change saved for
tomorrow: the rule in force now, "from tomorrow 00:00: …" below it, and the history's "in force
from". Screens under /work/screens/policy/ to be looked at."""

from datetime import timedelta

import pytest

from firstline import clock
from firstline.access import services

from ..conftest import PHONE, browser_login

SHOTS = "/work/screens/policy"
LOCALES = {"zh-hans": "zh-CN", "en": "en-US"}
WORDS = {"zh-hans": ("当前执行：", "起：", "尚未生效", "执行中"),
         "en": ("In force now:", "From ", "not yet in force", "in force")}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.time_sensitive
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_policy_card_shows_the_rule_now_and_the_change_to_come(ten_oclock, world, cast,
                                                                  live_server, new_page, lang):
    # At 10:00: begun at 23:59:59, "from tomorrow" was in force by the time the page showed
    # it, and the card had no change to come.
    today = clock.today()
    services.policy_set(compound=world.compound, closed=True, out_quota=1, window_days=2,
                        starts_on=today - timedelta(days=3), actor=cast.staff_c1)
    services.policy_set(compound=world.compound, closed=True, out_quota=1, window_days=3,
                        starts_on=today + timedelta(days=1), actor=cast.staff_c1)
    page = new_page(viewport=PHONE, locale=LOCALES[lang])
    page.context.add_cookies([{"name": "django_language", "value": lang,
                               "url": live_server.url}])
    browser_login(page, live_server, "staff_c1")
    page.goto(f"{live_server.url}/access/compounds/{world.compound.pk}/#policy")
    card = page.locator("#policy")
    now, soon, pending, in_force = WORDS[lang]
    assert now in card.locator("#policy-now").inner_text()
    nxt = card.locator(".policy-next").inner_text()
    assert soon in nxt and f"{today + timedelta(days=1):%Y-%m-%d} 00:00" in nxt
    history = card.locator("details table").inner_text()
    assert pending in history and in_force in history
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways: {width}px"
    card.screenshot(path=f"{SHOTS}/compound-policy-pending-{lang}.png")
