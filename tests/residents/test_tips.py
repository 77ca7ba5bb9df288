"""举报: tip-offs from the public page or the staff form, verified by the grid worker."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from firstline.accounts.models import AuditEntry
from firstline.residents.models import Reward, Tip

from ..conftest import race

URL = "/api/v1/public/tips"


def tip(data=None, ip="10.0.0.1"):
    body = {"community": "C1", "what": "2栋有人从武汉回来没有登记", "where": "阳光花园 2栋",
            "contact": "13812345678"}
    body.update(data or {})
    return Client().post(URL, body, content_type="application/json", REMOTE_ADDR=ip)


def test_a_tip_answers_a_receipt_and_nothing_else(place):
    r = tip()
    assert r.status_code == 201
    assert list(r.json()) == ["receipt"]


def test_a_tip_is_a_task_for_the_grid_worker_of_the_place_with_a_deadline(place, areas):
    tip({"where": "阳光花园1栋门口"})
    t = Tip.objects.get()
    assert t.area == areas.g1a and t.compound.name == "阳光花园"
    assert t.due_at - t.created_at == timedelta(hours=24)


def test_a_tip_from_an_unknown_place_goes_to_the_community(place, areas):
    tip({"where": "菜市场"})
    assert Tip.objects.get().area == areas.c1


def test_the_grid_worker_lists_open_tips_with_the_contact_masked(place, api):
    tip({"where": "阳光花园 1栋"})
    items = api("grid_a").get("/api/v1/tips", area="G1a", status="open").json()["items"]
    assert len(items) == 1
    assert items[0]["contact_masked"] == "138****5678"
    assert "13812345678" not in str(items)


def test_a_full_read_of_the_contact_is_audited(place, api):
    tip({"where": "阳光花园 1栋"})
    t = Tip.objects.get()
    r = api("grid_a").get(f"/api/v1/tips/{t.pk}/contact", reason="reward")
    assert r.json() == {"contact": "13812345678"}
    entry = AuditEntry.objects.get(action="tip.contact_read")
    assert (entry.actor.username, entry.object_id) == ("grid_a", str(t.pk))


def test_a_valid_tip_records_one_reward_per_the_rule(place, api):
    tip({"where": "阳光花园 1栋"})
    t = Tip.objects.get()
    r = api("grid_a").post(f"/api/v1/tips/{t.pk}/verify", {"valid": True, "note": "属实"})
    assert r.status_code == 200, r.content
    assert r.json()["reward"] == {"item": "masks", "quantity": 10, "status": "owed", "how": "",
                                  "store": None}
    assert Reward.objects.get().quantity == 10


def test_the_reward_follows_the_rule_in_force(place, api):
    from datetime import date

    from firstline.rules.models import Rule

    Rule.objects.create(key="tips.reward", value={"item": "masks", "quantity": 20},
                        effective_from=date(2020, 2, 1), source="通知")
    tip({"where": "阳光花园 1栋"})
    api("grid_a").post(f"/api/v1/tips/{Tip.objects.get().pk}/verify", {"valid": True})
    assert Reward.objects.get().quantity == 20


def test_an_invalid_tip_earns_nothing(place, api):
    tip({"where": "阳光花园 1栋"})
    t = Tip.objects.get()
    r = api("grid_a").post(f"/api/v1/tips/{t.pk}/verify", {"valid": False, "note": "不实"})
    assert r.json()["status"] == "invalid"
    assert not Reward.objects.exists()


def test_a_tip_is_verified_once(place, api):
    tip({"where": "阳光花园 1栋"})
    t = Tip.objects.get()
    api("grid_a").post(f"/api/v1/tips/{t.pk}/verify", {"valid": True})
    again = api("grid_a").post(f"/api/v1/tips/{t.pk}/verify", {"valid": True})
    assert again.status_code == 409 and again.json()["error"] == "already_verified"
    assert Reward.objects.count() == 1


def test_duplicate_is_an_outcome(place, api):
    tip({"where": "阳光花园 1栋"})
    t = Tip.objects.get()
    r = api("grid_a").post(f"/api/v1/tips/{t.pk}/verify", {"outcome": "duplicate"})
    assert r.json()["status"] == "duplicate"


def test_wrong_role_is_refused(place, api):
    tip({"where": "阳光花园 1栋"})
    t = Tip.objects.get()
    assert api("gate_c1").get("/api/v1/tips").status_code == 403
    assert api("gate_c1").post(f"/api/v1/tips/{t.pk}/verify", {"valid": True}
                               ).status_code == 403
    assert api("auditor").get(f"/api/v1/tips/{t.pk}/contact").status_code == 403


def test_other_area_is_404(place, api):
    tip({"where": "阳光花园 1栋"})
    t = Tip.objects.get()
    assert api("staff_c2").get("/api/v1/tips").json()["count"] == 0
    assert api("staff_c2").post(f"/api/v1/tips/{t.pk}/verify", {"valid": True}
                                ).status_code == 404
    assert api("staff_c2").get(f"/api/v1/tips/{t.pk}/contact").status_code == 404
    assert not AuditEntry.objects.filter(action="tip.contact_read").exists()


def test_overdue_tips_are_listed_as_overdue(place, api, at_noon):
    tip({"where": "阳光花园 1栋"})
    at_noon.shift(timedelta(hours=25))
    items = api("grid_a").get("/api/v1/tips", status="overdue").json()["items"]
    assert len(items) == 1 and items[0]["overdue"] is True


def test_staff_take_down_a_tip_from_the_phone_line(place, web):
    r = web("staff_c1").post("/residents/tips/new/", {"community": "C1", "what": "有人聚集打牌",
                                                      "where": "阳光花园2栋"})
    assert r.status_code == 302
    t = Tip.objects.get()
    assert (t.source, t.created_by.username, t.area.code) == ("staff", "staff_c1", "G1b")


@pytest.mark.django_db(transaction=True)
def test_concurrent_confirmations_record_exactly_one_reward(file_database, areas, cast):
    from firstline.residents import services
    from firstline.residents.models import Tip as TipModel

    from ..conftest import make_household

    make_household(areas.g1a, building="1", unit="1", room="101")
    community = areas.c1
    t = services.tip_submit(community=community, what="有人未登记", where="阳光花园1栋",
                            device="ip:test")
    assert t.area == areas.g1a

    def verify(_i):
        return services.tip_verify(actor=cast.grid_a, tip=TipModel.objects.get(pk=t.pk),
                                   outcome="valid", note="并发")

    results = race(6, verify)
    won = [r for r in results if isinstance(r, TipModel)]
    refused = [r for r in results if getattr(r, "code", "") == "already_verified"]
    assert len(won) == 1, results
    assert len(refused) == 5, results
    assert Reward.objects.filter(tip_id=t.pk).count() == 1


def test_an_owed_reward_is_handed_over_once(place, api, web):
    tip({"where": "阳光花园 1栋"})
    t = Tip.objects.get()
    api("grid_a").post(f"/api/v1/tips/{t.pk}/verify", {"valid": True})
    c = web("grid_a")
    assert c.post(f"/residents/tips/{t.pk}/reward-issued/").status_code == 302
    reward = Reward.objects.get()
    assert (reward.status, reward.issued_by.username) == ("issued", "grid_a")
    c.post(f"/residents/tips/{t.pk}/reward-issued/")
    assert AuditEntry.objects.filter(action="tip.reward_issue").count() == 1
    assert web("staff_c2").post(f"/residents/tips/{t.pk}/reward-issued/").status_code == 404


def test_staff_of_another_community_cannot_take_down_a_tip_for_it(place, web):
    web("staff_c2").post("/residents/tips/new/", {"community": "C1", "what": "有人聚集"})
    assert not Tip.objects.exists()
    web("grid_a").post("/residents/tips/new/", {"community": "C1", "what": "有人聚集"})
    assert Tip.objects.get().created_by.username == "grid_a"


def test_the_full_contact_on_the_page_is_audited_and_kept_out_of_cookies(place, web):
    tip({"where": "阳光花园 1栋"})
    t = Tip.objects.get()
    c = web("grid_a")
    r = c.post(f"/residents/tips/{t.pk}/contact/", {"reason": "发奖励"})
    assert r.status_code == 200 and "13812345678" in r.content.decode()
    assert all("13812345678" not in m.value for m in r.cookies.values())
    assert AuditEntry.objects.get(action="tip.contact_read").detail == "发奖励"
    assert "13812345678" not in c.get("/residents/tips/").content.decode()
    assert web("gate_c1").post(f"/residents/tips/{t.pk}/contact/").status_code == 403


def test_closed_items_lose_their_personal_data_after_the_retention(place, api, at_noon):
    from firstline.residents.models import Declaration
    from firstline.residents.services import residents_deidentify

    from .conftest import declaration
    from .test_declarations import declare

    tip({"where": "阳光花园 1栋"})
    t = Tip.objects.get()
    api("grid_a").post(f"/api/v1/tips/{t.pk}/verify", {"valid": True})
    declare(declaration())
    api("grid_a").post(f"/api/v1/declarations/{Declaration.objects.get().pk}/confirm")
    tip({"where": "阳光花园 1栋", "what": "还没核实"})  # open: kept
    assert residents_deidentify() == {"declarations": 0, "tips": 0}
    at_noon.shift(timedelta(days=181))
    assert residents_deidentify() == {"declarations": 1, "tips": 1}
    d = Declaration.objects.get()
    assert (d.id_number, d.phone, d.status) == ("", "", "confirmed")
    assert Tip.objects.get(pk=t.pk).contact == ""
    assert Tip.objects.exclude(pk=t.pk).get().contact == "13812345678"
    assert residents_deidentify() == {"declarations": 0, "tips": 0}


def test_a_contact_read_is_on_the_auditors_page_of_the_tips_area_only(place, api, web, areas):
    from firstline.accounts.roles import Role
    from firstline.accounts.services import user_assign

    tip({"where": "阳光花园 1栋"})
    t = Tip.objects.get()
    api("grid_a").get(f"/api/v1/tips/{t.pk}/contact", reason="reward")
    html = web("auditor", "en").get("/people/audit/").content.decode()
    assert "Tipster&#x27;s contact read</td>" in html and f"Tip-off {t.pk}" in html
    user_assign(username="auditor_c2", role=Role.AUDITOR, area=areas.c2,
                password="pw-Firstline-1")
    other = web("auditor_c2", "en").get("/people/audit/").content.decode()
    assert "Tipster&#x27;s contact read</td>" not in other


def test_a_tip_taken_down_without_what_comes_back_as_typed(place, web):
    r = web("staff_c1").post("/residents/tips/new/", {"community": "C1", "what": " ",
                                                      "where": "阳光花园2栋", "contact": "老王"})
    html = r.content.decode()
    assert r.status_code == 422
    assert 'value="阳光花园2栋"' in html and 'value="老王"' in html
    assert re.search(r'<label class="field">内容<textarea[^>]*>.*?</textarea>'
                     r'<span class="error"', html, re.S)
    assert not Tip.objects.exists()


def test_the_staff_tip_form_sent_twice_is_one_tip_and_a_normal_answer(place, web):
    from tests.conftest import event_id_in

    client = web("staff_c1")
    event = event_id_in(client.get("/residents/tips/").content.decode())
    form = {"community": "C1", "what": "有人聚集打牌", "where": "阳光花园2栋", "event_id": event}
    first = client.post("/residents/tips/new/", form)
    again = client.post("/residents/tips/new/", form)
    assert (first.status_code, again.status_code) == (302, 302)
    assert again["Location"] == first["Location"]
    assert Tip.objects.count() == 1
