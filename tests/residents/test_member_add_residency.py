"""The "+ Add a person" page's residency: its first choice, selected until the worker picks
one, is empty ("not asked"), so that a move keeps the person's 常住/暂住/流动 and a newcomer is
常住 (household_member_add). The form is sent as the browser sends it: the residency is the
selected option's value, or the first option's when none is selected."""

import re

import pytest

from firstline.people.models import Resident

from .conftest import id_number


def page_url(h):
    return f"/residents/households/{h.pk}/members/new/"


def residency_sent(html: str) -> str:
    """The value a browser sends for the page's residency select as drawn."""
    select = re.search(r'<select name="residency"[^>]*>(.*?)</select>', html, re.S).group(1)
    options = re.findall(r'<option value="([^"]*)"([^>]*)>', select)
    return next((value for value, attrs in options if "selected" in attrs), options[0][0])


def add(client, household, **fields):
    html = client.get(page_url(household)).content.decode()
    return client.post(page_url(household), {"residency": residency_sent(html), **fields})


def test_a_move_sent_as_drawn_keeps_a_temporary_residents_residency(place, web):
    Resident.objects.filter(pk=place.wang.pk).update(residency="temporary")
    r = add(web("grid_a"), place.h102, name="王伟", id_number=place.wang.id_number)
    assert r.status_code == 302
    place.wang.refresh_from_db()
    assert (place.wang.household, place.wang.residency) == (place.h102, "temporary")


def test_a_newcomer_sent_as_drawn_is_permanent(place, web):
    r = add(web("grid_a"), place.h102, name="赵敏", id_number=id_number(40))
    assert r.status_code == 302
    assert Resident.objects.get(id_number=id_number(40)).residency == "permanent"


def test_a_residency_the_worker_picks_is_given_to_a_move(place, web):
    Resident.objects.filter(pk=place.wang.pk).update(residency="temporary")
    r = web("grid_a").post(page_url(place.h102), {"name": "王伟", "residency": "floating",
                                                  "id_number": place.wang.id_number})
    assert r.status_code == 302
    place.wang.refresh_from_db()
    assert place.wang.residency == "floating"


def test_a_refused_form_keeps_the_residency_picked(place, web):
    r = web("grid_a").post(page_url(place.h102), {"name": "", "residency": "floating",
                                                  "id_number": id_number(40)})
    assert r.status_code == 422
    assert residency_sent(r.content.decode()) == "floating"


@pytest.mark.parametrize(("lang", "label"), [
    ("zh-hans", "未询问：按花名册所记（新增人员为常住）"),
    ("zh-hant", "未詢問：依花名冊所記（新增人員為常住）"),
    ("en", "not asked: as on the roster (newcomer: permanent)"),
])
def test_the_empty_choice_is_labelled_in_the_workers_language(place, web, lang, label):
    html = web("grid_a", lang=lang).get(page_url(place.h102)).content.decode()
    assert f'<option value="" selected>{label}</option>' in html
