"""The screening form on a phone: big inputs, one visit recorded."""

import pytest

from firstline.people.models import KeyPerson, ScreeningVisit
from tests.conftest import PHONE, browser_login

from .conftest import make_household, make_resident


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_screening_form_on_a_phone(live_server, new_page, cast, areas):
    h = make_household(areas.g1a)
    r = make_resident(h, name="许兰")
    page = new_page(viewport=PHONE)
    browser_login(page, live_server, "grid_a")
    page.goto(f"{live_server.url}/people/screening/")
    page.click("a.household-link")
    temp = page.locator(f"input[name=m{r.pk}-temperature]")
    assert temp.bounding_box()["height"] >= 44
    page.fill(f"input[name=m{r.pk}-from_province]", "湖北")
    temp.fill("37.9")
    page.click("button[type=submit].primary")
    # a fever: the worker lands on the visit's follow-up page, not back on the list
    page.wait_for_url(f"{live_server.url}/people/screening/{h.pk}/done/*/")
    assert str(ScreeningVisit.objects.get().people.get().temperature) == "37.9"
    assert KeyPerson.objects.get(resident=r).category.code == "fever"
    card = page.locator(".followup")
    assert "许兰" in card.inner_text() and "发热 37.9\u00a0°C" in card.inner_text()
    # A grid worker cannot start an isolation: the community staff have the alert, linked.
    assert "已通知社区干部，由他们安排隔离。" in card.inner_text()
    card.get_by_role("link", name="查看预警：入户摸排发热").click()
    page.wait_for_url(f"{live_server.url}/isolation/alerts/?status=unresolved#alert-*")
    assert page.locator("li.alert.k-door_fever").filter(has_text="许兰").is_visible()
    assert page.locator("body").evaluate("b => b.scrollWidth") <= PHONE["width"]
