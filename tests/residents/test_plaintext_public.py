"""The residents' public forms refuse what no typed text may hold (firstline.plaintext) through
their own text check (residents.services.text), beside the field, with what was typed kept —
not on the 400 page every other form answers with (firstline.middleware.checks_own_text)."""

from django.test import Client

from firstline.residents.models import Declaration, Tip

RLO = "\u202e"


def test_a_public_form_says_it_on_the_form_as_typed(place):
    """The residents' public forms refuse the same characters through their own text check,
    beside the field, with what was typed kept (firstline.middleware.checks_own_text)."""
    r = Client(HTTP_ACCEPT_LANGUAGE="en").post("/residents/p/C1/tip/", {
        "what": f"有人聚集{RLO}打牌", "where": "3栋楼下", "contact": ""})
    assert r.status_code == 422
    assert "contains a control character" in r.content.decode()
    assert "3栋楼下" in r.content.decode()
    assert not Tip.objects.exists()
    r = Client().post("/residents/p/C1/declare/", {"name": "王\x9b五"})
    assert r.status_code == 422 and not Declaration.objects.exists()
