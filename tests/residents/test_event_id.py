"""A notice or a public tip sent again with its event_id (a phone retrying) is one row; a
tip's event_id never shows another person's tip."""

import uuid

import pytest
from django.test import Client

from firstline.accounts.models import AuditEntry
from firstline.residents.models import Notice, Tip
from firstline.residents.services import tip_submit
from tests.conftest import event_id_in, race

EVENT = "9c4d2e1f-6a7b-4c8d-9e0f-1a2b3c4d5e6f"


def _notice(api, who="staff_c1", **extra):
    return api(who).post("/api/v1/notices", {"title": "致全体居民的一封公开信",
                                             "body": "请大家少出门。", "areas": ["C1"],
                                             "event_id": EVENT, **extra})


def test_a_notice_sent_again_answers_the_first_and_writes_nothing(api, areas):
    first = _notice(api)
    audits = AuditEntry.objects.count()
    again = _notice(api)
    assert (first.status_code, again.status_code) == (201, 200), again.content
    assert again.json() == first.json()
    assert Notice.objects.count() == 1 and AuditEntry.objects.count() == audits


def test_an_event_id_used_for_another_notice_is_409(api, areas):
    assert _notice(api).status_code == 201
    r = _notice(api, title="第二封信")
    assert r.status_code == 409 and r.json()["error"] == "event_id_reused"
    assert Notice.objects.count() == 1


def tip(ip="10.0.0.1", **extra):
    body = {"community": "C1", "what": "2栋有人从武汉回来没有登记", "where": "阳光花园 2栋",
            "contact": "13812345678", "event_id": EVENT, **extra}
    return Client().post("/api/v1/public/tips", body, content_type="application/json",
                         REMOTE_ADDR=ip)


def test_a_tip_sent_again_answers_its_receipt_only(place):
    first = tip()
    again = tip()
    assert (first.status_code, again.status_code) == (201, 200), again.content
    assert again.json() == first.json() and list(again.json()) == ["receipt"]
    assert Tip.objects.count() == 1


def test_a_tips_event_id_sent_with_other_words_shows_nothing_of_the_first(place):
    receipt = tip().json()["receipt"]
    for other in ({"what": "别的事情"}, {"contact": "13900000000"}):
        r = tip(**other)
        assert r.status_code == 409 and r.json()["error"] == "event_id_reused"
        assert receipt not in r.content.decode()
    assert Tip.objects.count() == 1


def test_a_replayed_tip_counts_nothing_towards_the_throttle(place):
    from firstline.residents.models import PublicHit

    assert tip().status_code == 201
    hits = PublicHit.objects.count()
    assert tip().status_code == 200 and PublicHit.objects.count() == hits


@pytest.mark.django_db(transaction=True)
def test_the_same_tip_sent_by_five_threads_at_once_is_one_tip(file_database, roster_place,
                                                              areas):
    event = uuid.UUID(EVENT)

    def work(i):
        return tip_submit(community=areas.c1, what="2栋有人没有登记", contact="13812345678",
                          device="ip:10.0.0.1", event_id=event)

    results = race(5, work)
    assert all(isinstance(r, Tip) for r in results), results
    assert len({r.receipt for r in results}) == 1
    assert sorted(r.replayed for r in results) == [False] + [True] * 4
    assert Tip.objects.count() == 1


# --- the web forms ----------------------------------------------------------------------------

def test_the_notice_form_sent_twice_is_one_notice_and_a_normal_answer(place, web):
    client = web("staff_c1")
    event = event_id_in(client.get("/residents/notices/").content.decode())
    form = {"title": "公开信", "body": "少出门", "areas": ["C1"], "event_id": event}
    first = client.post("/residents/notices/", form)
    again = client.post("/residents/notices/", form)
    assert (first.status_code, again.status_code) == (302, 302)
    assert again["Location"] == first["Location"] == f"/residents/notices/{Notice.objects.get().pk}/"


def test_a_refused_notice_form_keeps_its_event_id(place, web):
    r = web("staff_c1").post("/residents/notices/", {"title": "", "body": "少出门",
                                                     "areas": ["C1"], "event_id": EVENT})
    assert r.status_code == 422 and event_id_in(r.content.decode()) == EVENT
    assert not Notice.objects.exists()


def test_the_public_tip_form_sent_twice_is_one_tip_with_the_same_receipt(place):
    client = Client()
    event = event_id_in(client.get("/residents/p/C1/tip/").content.decode())
    form = {"what": "有人聚集打牌", "where": "3栋楼下", "contact": "", "event_id": event}
    first = client.post("/residents/p/C1/tip/", form)
    again = client.post("/residents/p/C1/tip/", form)
    assert (first.status_code, again.status_code) == (200, 200)
    tip = Tip.objects.get()
    assert tip.receipt in first.content.decode() and tip.receipt in again.content.decode()


def test_a_refused_public_tip_keeps_its_event_id(place):
    r = Client().post("/residents/p/C1/tip/", {"what": "", "event_id": EVENT})
    assert r.status_code == 422 and event_id_in(r.content.decode()) == EVENT
    assert not Tip.objects.exists()
