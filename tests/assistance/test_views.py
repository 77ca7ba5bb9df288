"""HTML pages: allowed, wrong role (403), other area (404), one-tap htmx logging."""

import pytest
from django.test import Client

from firstline.accounts.models import AuditEntry
from firstline.assistance.models import CareCall, PackageIssue, PackageKind, ServiceRequest
from firstline.assistance.services import (
    service_request_create,
    service_request_transition,
    stock_receive,
)

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def client_for(cast):
    def make(username):
        c = Client()
        c.force_login(getattr(cast, username))
        return c
    return make


@pytest.fixture
def req(world):
    return service_request_create(household=world.h1, kind="groceries", detail="米和油",
                                  source="self_report")


@pytest.mark.parametrize("url", ["/assistance/calls/", "/assistance/tasks/",
                                 "/assistance/requests/", "/assistance/stock/",
                                 "/assistance/calls/panel/", "/assistance/requests/new/"])
def test_pages_open_for_a_worker_and_are_403_for_gate_duty(client_for, world, url):
    assert client_for("grid_a").get(url).status_code == 200
    assert client_for("gate_c1").get(url).status_code == 403


def test_anonymous_is_sent_to_login(world):
    r = Client().get("/assistance/calls/")
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_call_list_shows_my_isolated_household_only(client_for, world):
    html = client_for("grid_a").get("/assistance/calls/").content.decode()
    assert world.h1.address in html
    assert world.h2.address not in html
    assert "13812345678" not in html and "138****5678" in html



def test_a_slot_badge_uses_the_full_width_colon_in_chinese(client_for, world):
    c = client_for("grid_a")
    c.cookies["django_language"] = "zh-hant"
    html = c.get("/assistance/calls/", HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()
    assert "上午：" in html and "上午:" not in html

def test_one_tap_logs_and_returns_the_card(client_for, world):
    r = client_for("grid_a").post("/assistance/calls/log/",
                                  {"household": world.h1.pk, "outcome": "ok",
                                   "slot": "morning"}, **HTMX)
    assert r.status_code == 200
    assert f'id="hh-{world.h1.pk}"' in r.content.decode()
    assert CareCall.objects.get().outcome == "ok"


def test_logging_without_htmx_redirects_back(client_for, world):
    r = client_for("grid_a").post("/assistance/calls/log/",
                                  {"household": world.h1.pk, "outcome": "no_answer"})
    assert r.status_code == 302


def test_logging_another_grid_is_404(client_for, world):
    r = client_for("grid_a").post("/assistance/calls/log/",
                                  {"household": world.h2.pk, "outcome": "ok"}, **HTMX)
    assert r.status_code == 404
    r = client_for("grid_a").post("/assistance/calls/log/", {"household": "x"}, **HTMX)
    assert r.status_code == 404


def test_bad_outcome_is_shown_on_the_card(client_for, world):
    r = client_for("grid_a").post("/assistance/calls/log/",
                                  {"household": world.h1.pk, "outcome": "meh"}, **HTMX)
    assert 'role="alert"' in r.content.decode()
    assert not CareCall.objects.exists()


@pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "plain"])
def test_a_too_long_call_note_is_said_beside_it_and_kept(client_for, world, headers):
    note = "血" * 201
    r = client_for("grid_a").post("/assistance/calls/log/",
                                  {"household": world.h1.pk, "outcome": "ok", "note": note},
                                  HTTP_ACCEPT_LANGUAGE="en", **headers)
    html = r.content.decode()
    assert r.status_code == 422
    card = html.split(f'id="hh-{world.h1.pk}"', 1)[1].split("</article>", 1)[0]
    box = card.split('<details class="note" open>', 1)[1].split("</details>", 1)[0]
    assert f'value="{note}"' in box and "at most 200 characters (got 201)" in box
    assert not CareCall.objects.exists()


def test_revealing_a_phone_is_audited(client_for, world):
    r = client_for("grid_a").post(f"/assistance/calls/phone/{world.r1.pk}/", **HTMX)
    assert "tel:13812345678" in r.content.decode()
    assert AuditEntry.objects.filter(action="people.phone_read",
                                     object_id=str(world.r1.pk)).exists()
    assert client_for("grid_a").post(f"/assistance/calls/phone/{world.r2.pk}/").status_code == 404
    assert client_for("grid_a").post(f"/assistance/calls/phone/{world.r4.pk}/").status_code == 404


def test_panel_counts_calls_remaining(client_for, world):
    html = client_for("grid_a").get("/assistance/calls/panel/").content.decode()
    assert "/assistance/calls/" in html


def test_board_assign_and_deliver(client_for, world, req, cast):
    staff = client_for("staff_c1")
    assert world.h1.address in staff.get("/assistance/requests/").content.decode()
    r = staff.post(f"/assistance/requests/{req.pk}/assign/",
                   {"volunteer": cast.grid_a.pk}, **HTMX)
    assert r.status_code == 200
    req.refresh_from_db()
    assert (req.status, req.volunteer) == ("assigned", cast.grid_a)
    worker = client_for("grid_a")
    assert f"#{req.pk}" in worker.get("/assistance/tasks/").content.decode()
    worker.post(f"/assistance/requests/{req.pk}/status/",
                {"status": "bought", "amount": "45.5", "receipt_no": "R1"}, **HTMX)
    worker.post(f"/assistance/requests/{req.pk}/status/", {"status": "delivered"}, **HTMX)
    worker.post(f"/assistance/requests/{req.pk}/paid-back/", **HTMX)
    req.refresh_from_db()
    assert (req.status, str(req.amount), req.paid_back) == ("delivered", "45.50", True)


def test_board_refusal_is_shown_on_the_card(client_for, req):
    r = client_for("grid_a").post(f"/assistance/requests/{req.pk}/status/",
                                  {"status": "delivered"}, **HTMX)
    assert r.status_code == 409 and 'role="alert"' in r.content.decode()


def _field(html: str, name: str) -> str:
    """The <label class="field"> holding the input `name`: where its error is said."""
    import re

    return next(m for m in re.findall(r'<label class="field">.*?</label>', html, re.S)
                if f'name="{name}"' in m)


@pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "plain"])
def test_a_bad_volunteer_phone_is_said_beside_it_and_the_typed_name_kept(client_for, req,
                                                                        headers):
    """手机号无效: the card (htmx) or the board (a plain post) again at 422, the name and phone
    as typed and the error beside the phone; nothing assigned."""
    r = client_for("staff_c1").post(f"/assistance/requests/{req.pk}/assign/",
                                    {"volunteer_name": "志愿者甲", "volunteer_phone": "12345",
                                     "next": "/assistance/requests/?status=open"},
                                    HTTP_ACCEPT_LANGUAGE="zh-hans", **headers)
    html = r.content.decode()
    assert r.status_code == 422
    card = html.split(f'id="req-{req.pk}"', 1)[1].split("</article>", 1)[0]
    assert 'value="志愿者甲"' in _field(card, "volunteer_name")
    phone = _field(card, "volunteer_phone")
    assert 'value="12345"' in phone and '<span class="error" role="alert">' in phone
    assert "手机号" in phone.split('class="error"', 1)[1]
    assert 'name="next" value="/assistance/requests/?status=open"' in card
    req.refresh_from_db()
    assert (req.status, req.volunteer_name) == ("new", "")


@pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "plain"])
def test_a_too_long_cancel_reason_is_said_beside_it_and_kept(client_for, req, headers):
    reason = "因" * 201
    r = client_for("staff_c1").post(f"/assistance/requests/{req.pk}/status/",
                                    {"status": "cancelled", "reason": reason},
                                    HTTP_ACCEPT_LANGUAGE="en", **headers)
    html = r.content.decode()
    assert r.status_code == 422
    card = html.split(f'id="req-{req.pk}"', 1)[1].split("</article>", 1)[0]
    field = _field(card, "reason")
    assert f'value="{reason}"' in field and "at most 200 characters" in field
    assert '<details class="act" open><summary>Cancel…' in card
    req.refresh_from_db()
    assert req.status == "new"


def test_board_actions_wrong_role_and_other_area(client_for, req):
    assert client_for("grid_a").post(f"/assistance/requests/{req.pk}/assign/",
                                     {"volunteer_name": "x"}).status_code == 403
    assert client_for("staff_c2").post(f"/assistance/requests/{req.pk}/assign/",
                                       {"volunteer_name": "x"}).status_code == 404
    assert client_for("staff_c2").post(f"/assistance/requests/{req.pk}/status/",
                                       {"status": "delivered"}).status_code == 404
    assert client_for("gate_c1").post(f"/assistance/requests/{req.pk}/paid-back/"
                                      ).status_code == 403
    assert req.pk not in [r.pk for r in client_for("staff_c2").get(
        "/assistance/requests/").context["items"]]


def test_new_request_form(client_for, world):
    r = client_for("grid_a").post("/assistance/requests/new/",
                                  {"household": world.h1.pk, "kind": "medicine",
                                   "detail": "降压药", "source": "phone"})
    assert r.status_code == 302
    assert ServiceRequest.objects.get().source == "phone"
    r = client_for("grid_a").post("/assistance/requests/new/",
                                  {"household": world.h1.pk, "kind": "medicine", "detail": ""})
    assert r.status_code == 422
    r = client_for("grid_a").post("/assistance/requests/new/",
                                  {"household": world.h3.pk, "kind": "medicine", "detail": "x"})
    assert r.status_code == 404


def test_stock_page_issue_and_receive(client_for, world, areas, cast):
    kit = PackageKind.objects.create(name="九个一")
    staff = client_for("staff_c1")
    r = staff.post("/assistance/stock/", {"action": "receive", "area": areas.c1.pk,
                                          "kind": kit.pk, "quantity": "5"})
    assert r.status_code == 302
    r = client_for("grid_a").post("/assistance/stock/", {"action": "issue",
                                                         "household": world.h1.pk,
                                                         "kind": kit.pk})
    assert r.status_code == 302
    assert PackageIssue.objects.count() == 1
    r = client_for("grid_a").post("/assistance/stock/", {"action": "issue",
                                                         "household": world.h1.pk,
                                                         "kind": kit.pk})
    assert r.status_code == 422
    assert client_for("grid_a").post("/assistance/stock/", {
        "action": "receive", "area": areas.c1.pk, "kind": kit.pk,
        "quantity": "5"}).status_code == 403
    assert client_for("staff_c1").post("/assistance/stock/", {
        "action": "receive", "area": areas.c2.pk, "kind": kit.pk,
        "quantity": "5"}).status_code == 404
    assert client_for("staff_c1").post("/assistance/stock/", {
        "action": "receive", "area": areas.c1.pk, "kind": kit.pk,
        "quantity": "lots"}).status_code == 422
    assert client_for("grid_a").post("/assistance/stock/", {"action": "bogus"}).status_code == 400
    stock_receive(kind=kit, area=areas.c1, quantity=1, actor=cast.staff_c1)


def test_a_stock_post_without_a_known_action_is_a_400_page_that_says_so(client_for, world):
    """It was a bare, empty 400: the page now says what is wrong, in the user's language."""
    r = client_for("grid_a").post("/assistance/stock/", {"action": "bogus"},
                                  HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400
    assert ("“bogus” is not something this page does (give a kit, receive stock or define a "
            "kit): reload the page and send it again.") in r.content.decode()
    r = client_for("grid_a").post("/assistance/stock/", {}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 400
    assert "表单没有带上操作" in r.content.decode()


def test_defining_a_kit_without_the_right_is_403_not_400(client_for, world):
    r = client_for("grid_a").post("/assistance/stock/", {"action": "kind", "name": "爱心包"})
    assert r.status_code == 403 and not PackageKind.objects.exists()


def test_a_new_request_sent_with_put_is_a_400_page_that_says_so(client_for, world):
    r = client_for("grid_a").put("/assistance/requests/new/", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400
    assert "This page takes a form sent with POST (PUT was sent)." in r.content.decode()


@pytest.mark.parametrize("model", ["packagekind", "servicerequest", "carecall", "packageissue"])
def test_admin_lists_open(client_for, world, model):
    r = client_for("admin").get(f"/admin/assistance/{model}/")
    assert r.status_code == 200


def test_too_long_request_is_refused_naming_the_field(client_for, world):
    r = client_for("grid_a").post("/assistance/requests/new/",
                                  {"household": world.h1.pk, "kind": "groceries",
                                   "detail": "米" * 501, "source": "phone"},
                                  HTTP_ACCEPT_LANGUAGE="en")
    text = r.content.decode()
    assert r.status_code == 422
    assert "What is needed is too long: at most 500 characters (got 501)" in text
    assert 'maxlength="500"' not in text and not ServiceRequest.objects.exists()


def test_card_updated_in_place_keeps_next_on_the_board(client_for, world, req, cast):
    c = client_for("staff_c1")
    r = c.post(f"/assistance/requests/{req.pk}/assign/",
               {"volunteer_name": "志愿者甲", "next": "/assistance/requests/?status=open"},
               HTTP_HX_CURRENT_URL="http://testserver/assistance/requests/?status=open", **HTMX)
    html = r.content.decode()
    assert r.status_code == 200
    assert f'value="/assistance/requests/{req.pk}/' not in html
    assert 'name="next" value="/assistance/requests/?status=open"' in html
    service_request_transition(request=req, to="bought", actor=cast.staff_c1, amount="30")
    r = c.post(f"/assistance/requests/{req.pk}/status/", {"status": "delivered",
                                                          "next": "https://evil.example/"})
    assert r.status_code == 302 and r["Location"] == "/assistance/requests/"


def test_long_unbroken_text_wraps_on_the_board(client_for, world):
    from django.contrib.staticfiles import finders
    css = open(finders.find("assistance/assistance.css"), encoding="utf-8").read()
    assert "overflow-wrap:anywhere" in css.replace(": ", ":")
    assert ".reqgrid > * { min-width:0; }" in css


@pytest.mark.parametrize("url", ["/assistance/requests/new/", "/assistance/stock/"])
def test_household_is_not_preselected_and_can_be_searched(client_for, world, cast, url):
    import re
    from datetime import timedelta

    from django.utils import timezone

    from .conftest import isolate, make_household, make_resident
    other = make_household(world.h1.grid, world.compound1, "909")
    isolate(make_resident(other, "孙八"), starts_on=timezone.localdate() - timedelta(days=1))
    html = client_for("staff_c1").get(url).content.decode()
    select = re.search(r'<select name="household" id="household" required>(.*?)</select>',
                       html, re.S).group(1)
    assert re.match(r'\s*<option value="" selected>', select)
    assert select.count(" selected") == 1
    found = client_for("staff_c1").get(url + "?q=909", **HTMX).content.decode()
    assert "909" in found and world.h1.address not in found.split('id="household"')[1]
    found = client_for("staff_c1").get(url + "?q=孙八").content.decode()
    assert other.address in found


def test_request_without_a_household_says_so(client_for, world):
    r = client_for("grid_a").post("/assistance/requests/new/",
                                  {"household": "", "kind": "groceries", "detail": "米",
                                   "source": "phone"}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 422 and "Choose the household." in r.content.decode()
    r = client_for("grid_a").post("/assistance/stock/", {"action": "issue", "household": "",
                                                         "kind": "1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 422 and "Choose the household." in r.content.decode()
    assert not ServiceRequest.objects.exists() and not PackageIssue.objects.exists()


def test_receiving_too_many_kits_says_too_large(client_for, world, areas):
    kind = PackageKind.objects.create(name="爱心包")
    r = client_for("staff_c1").post("/assistance/stock/", {
        "action": "receive", "area": areas.c1.pk, "kind": kind.pk, "quantity": "1000000000"},
        HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = r.content.decode()
    assert r.status_code == 422 and "数量过大" in text and "1000000" in text
    assert "非零整数" not in text


def test_a_bought_errand_without_its_amount_asks_for_it_before_delivered(client_for, req,
                                                                         cast):
    """Bought with no amount (an older errand): the card's Delivered form asks for it, and
    the service's refusal is shown beside it."""
    from firstline.assistance.services import service_request_assign

    service_request_assign(request=req, actor=cast.staff_c1, volunteer=cast.grid_a)
    service_request_transition(request=req, to="bought", actor=cast.grid_a)
    worker = client_for("grid_a")
    url = f"/assistance/requests/{req.pk}/status/"
    r = worker.post(url, {"status": "delivered"}, **HTMX)
    html = r.content.decode()
    assert r.status_code == 422 and "请先填写金额" in html
    assert 'name="amount"' in html and 'aria-invalid="true"' in html
    r = worker.post(url, {"status": "delivered", "amount": "18"}, **HTMX)
    req.refresh_from_db()
    assert (r.status_code, req.status, str(req.amount)) == (200, "delivered", "18.00")
