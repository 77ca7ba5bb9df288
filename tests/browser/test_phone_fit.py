"""Every page in the menu of every role fits a 390 px phone: nothing scrolls sideways, in
zh-hans, zh-hant and en. Lists render as cards there (table.cards, firstline/static/app.css)."""

import uuid

import pytest

from firstline import clock
from firstline.access import services as access
from firstline.isolation import services as isolation
from firstline.people.models import Building, Compound, Household
from tests.conftest import PASSWORD, PHONE
from tests.isolation.conftest import make_resident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ["grid_a", "gate_c1", "staff_c1", "hq", "auditor", "admin"]
LANGS = ["zh-hans", "zh-hant", "en"]


@pytest.fixture
def lived_in(areas, cast):
    """A compound with long names, households, residents, passes, crossings, a visitor, an
    isolation: enough for every list to have rows."""
    compound = Compound.objects.create(area=areas.c1, name="翰林华府东区第二期（北区）",
                                       address="淮河路与宿州路交口东北角1号")
    b = Building.objects.create(compound=compound, name="28")
    households = [Household.objects.create(compound=compound, building=b, building_name="28",
                                           unit="1", room=f"{100 + i}", grid=areas.g1a)
                  for i in range(1, 4)]
    residents = [make_resident(h, name) for h, name in
                 zip(households, ["欧阳娜娜娜", "Aleksandra Wojciechowska-Kowalczyk", "张三"], strict=True)]
    gate = access.checkpoint_create(compound=compound, code="HL-NORTH-GATE-01",
                                    name="北门（东侧人行道口）", actor=cast.staff_c1)
    passes = access.pass_issue(households=households, actor=cast.staff_c1)
    for p, t in zip(passes, [36.5, 38.4, 36.9], strict=True):
        access.gate_scan(actor=cast.gate_c1, event_id=uuid.uuid4(), checkpoint=gate.code,
                         pass_code=p.code, direction="out", temperature=t,
                         scanned_at=clock.now())
    access.gate_visit_record(actor=cast.gate_c1, checkpoint=gate, subject="visitor", admitted=False,
                        temperature=36.7,
                        name="Aleksandra Wojciechowska", phone="13812345678",
                        visiting="28栋1单元101室", purpose="delivering medicine for an elder",
                        turned_back_reason="no health code and no invitation from the household")
    isolation.isolation_start(resident=residents[0], kind="home", reason="close_contact",
                              starts_on=clock.today(), actor=cast.staff_c1)
    return compound


def menu_urls(page, base):
    page.goto(f"{base}/")
    urls = page.eval_on_selector_all("nav.nav a", "els => els.map(e => e.getAttribute('href'))")
    return ["/"] + [u for u in urls if u and u.startswith("/") and u != "/"]


@pytest.mark.parametrize("role", ROLES)
def test_no_menu_page_scrolls_sideways_on_a_phone(role, lived_in, live_server, new_page):
    page = new_page(viewport=PHONE, locale="zh-CN")
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", role)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/")
    wide = []
    for lang in LANGS:
        page.context.add_cookies([{"name": "django_language", "value": lang,
                                   "url": live_server.url}])
        for url in menu_urls(page, live_server.url):
            page.goto(f"{live_server.url}{url}")
            page.wait_for_load_state("networkidle")
            width = page.evaluate("() => document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                name = url.strip("/").replace("/", "-") or "home"
                page.screenshot(path=f"/work/screens/field/wide-{role}-{lang}-{name}.png",
                                full_page=True)
                wide.append((lang, url, width))
    assert wide == []
