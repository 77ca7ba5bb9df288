"""The public pages: no login, phone-first, under 100 KB, no JavaScript, CSRF-safe, throttled."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

from firstline.residents.models import Declaration, Tip

from .conftest import declaration, id_number

PAGES = ["/residents/p/C1/declare/", "/residents/p/C1/tip/"]


def _static_bytes(html: str) -> int:
    import re

    total = 0
    for href in re.findall(r'href="/static/([^"]+\.css)"', html):
        total += Path(finders.find(href)).stat().st_size
    return total


@pytest.mark.parametrize("path", PAGES)
def test_public_page_is_small_and_needs_no_script(place, path):
    r = Client().get(path)
    assert r.status_code == 200
    html = r.content.decode()
    assert "<script" not in html
    assert len(r.content) + _static_bytes(html) < 100_000
    assert r["Cache-Control"] == "no-store"


@pytest.mark.parametrize("lang,word", [("zh-hans", "返回登记"), ("zh-hant", "返回登記"),
                                       ("en", "Declare your return")])
def test_declare_page_speaks_three_languages(place, lang, word):
    c = Client()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    assert word in c.get(PAGES[0]).content.decode()


def test_an_unknown_community_is_404(place):
    assert Client().get("/residents/p/NOPE/declare/").status_code == 404
    assert Client().get("/residents/p/G1a/tip/").status_code == 404


def _csrf_client(path):
    c = Client(enforce_csrf_checks=True)
    c.get(path)
    return c, c.cookies["csrftoken"].value


def test_the_declare_form_posts_with_its_csrf_token(place):
    c, token = _csrf_client(PAGES[0])
    data = declaration()
    data.pop("community")
    r = c.post(PAGES[0], {**data, "csrfmiddlewaretoken": token})
    assert r.status_code == 200
    d = Declaration.objects.get()
    assert d.receipt in r.content.decode()
    assert d.id_number not in r.content.decode()


def test_a_form_post_without_csrf_token_is_refused(place):
    c = Client(enforce_csrf_checks=True)
    data = declaration()
    data.pop("community")
    assert c.post(PAGES[0], data).status_code == 403
    assert not Declaration.objects.exists()


def test_bad_input_is_shown_on_the_form(place):
    data = declaration(id_number="123")
    data.pop("community")
    r = Client().post(PAGES[0], data, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 422
    assert "18" in r.content.decode()


def test_the_tip_form_files_a_tip(place):
    compound = place.h101.compound
    r = Client().post(PAGES[1], {"what": "有人聚集", "compound": compound.pk, "building": "1",
                                 "contact": ""})
    assert r.status_code == 200
    assert Tip.objects.get().area.code == "G1a"


def _declare_on_page(client, i):
    data = declaration(id_number=id_number(600 + i), room=str(700 + i))
    data.pop("community")
    return client.post(PAGES[0], data).status_code


def test_the_page_is_throttled_per_device(place):
    phone = Client()
    assert "fl_device" in phone.get(PAGES[0]).cookies
    codes = [_declare_on_page(phone, i) for i in range(6)]
    assert codes == [200] * 5 + [429]  # rule public.per_device
    other_phone = Client()  # same network address, another device: not held back
    assert _declare_on_page(other_phone, 9) == 200


def test_the_community_poster_has_both_qr_codes(place, web):
    page = web("grid_a").get("/residents/posters/C1/").content.decode()
    assert page.count("data:image/svg+xml") == 2
    assert "/residents/p/C1/declare/" in page and "/residents/p/C1/tip/" in page
    assert web("staff_c2").get("/residents/posters/C1/").status_code == 404


def test_every_mistake_is_shown_at_once_each_beside_its_field(place):
    """A resident on a phone with three mistakes sees all three, not one per try."""
    import re

    data = declaration(id_number="123", phone="12", returned_on="2999-01-01")
    data.pop("community")
    r = Client().post(PAGES[0], data, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 422
    html = r.content.decode()
    assert len(re.findall(r'<span class="error" role="alert">', html)) == 3, html
    assert "The return date is in the future." in html
    assert not Declaration.objects.exists()
