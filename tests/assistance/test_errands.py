"""Errands (代购/代办) for those who run them: a volunteer's own login is given errands and sees
only those (what, where, a masked phone), and marks them bought/delivered; a grid worker takes
a new request of their grid (我来办) and is sent back to the board after filing one; the board
masks a named volunteer's phone."""

import pytest
from django.test import Client
from django.utils import translation

from firstline.accounts.services import user_assign
from firstline.assistance import selectors, services
from firstline.assistance.models import ServiceRequest
from firstline.operations import services as operations
from tests.conftest import PASSWORD

from ..conftest import race

HTMX = {"HTTP_HX_REQUEST": "true"}


def login(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def volunteer(cast, areas):
    """王芳: a confirmed volunteer of C1 with a login of her own (the `volunteer` role)."""
    person = operations.volunteer_create(actor=cast.staff_c1, area=areas.c1, name="王芳",
                                         phone="13905541237", kind="volunteer")
    return operations.volunteer_login_create(actor=cast.staff_c1, volunteer=person,
                                             username="volunteer1", password=PASSWORD)


@pytest.fixture
def req(world):
    return services.service_request_create(household=world.h1, kind="groceries",
                                           detail="大米10斤、青菜若干", source="self_report")


@pytest.fixture
def other(world):
    """A request of another household of C1, given to nobody."""
    return services.service_request_create(household=world.h2, kind="medicine",
                                           detail="降压药一盒", source="self_report")


# --- a volunteer's own login -------------------------------------------------------------------

def test_board_offers_a_confirmed_volunteer_with_a_login(cast, world, volunteer, req):
    html = login(cast.staff_c1).get("/assistance/requests/").content.decode()
    assert f'<option value="{volunteer.pk}">王芳</option>' in html


def test_a_volunteer_of_another_community_is_not_offered(cast, areas, world, volunteer):
    assert volunteer not in selectors.volunteers_for(cast.staff_c2)


def test_an_unconfirmed_volunteer_login_is_neither_offered_nor_assignable(cast, areas, world,
                                                                          req):
    from firstline.operations.models import Volunteer

    user, _ = user_assign(username="signup", role="volunteer", area=areas.c1, password=PASSWORD)
    Volunteer.objects.create(area=areas.c1, name="孙丽", phone="13905541239", kind="volunteer",
                             user=user)  # signed up, not confirmed
    assert user not in selectors.volunteers_for(cast.staff_c1)
    r = login(cast.staff_c1).post(f"/assistance/requests/{req.pk}/assign/",
                                  {"volunteer": user.pk}, **HTMX)
    assert r.status_code == 404
    with pytest.raises(Exception) as exc:
        services.service_request_assign(request=req, actor=cast.staff_c1, volunteer=user)
    assert exc.value.code == "volunteer_out_of_scope"


def test_staff_assign_an_errand_to_a_volunteer_login(cast, world, volunteer, req):
    r = login(cast.staff_c1).post(f"/assistance/requests/{req.pk}/assign/",
                                  {"volunteer": volunteer.pk}, **HTMX)
    assert r.status_code == 200 and 'role="alert"' not in r.content.decode()
    req.refresh_from_db()
    assert (req.status, req.volunteer) == ("assigned", volunteer)


def test_a_volunteer_sees_what_to_buy_where_and_a_masked_phone(cast, world, volunteer, req,
                                                              other):
    services.service_request_assign(request=req, actor=cast.staff_c1, volunteer=volunteer)
    services.service_request_assign(request=other, actor=cast.staff_c1, volunteer_name="周建国")
    html = login(volunteer).get("/assistance/tasks/").content.decode()
    assert "大米10斤、青菜若干" in html and world.h1.address in html
    assert "138****5678" in html and "13812345678" not in html  # 张三's, masked until tapped
    assert "/calls/phone/" not in html  # not the call list's: the errand's own reveal
    assert f"/assistance/requests/{req.pk}/phone/{world.r1.pk}/" in html
    assert "张三" not in html and world.r1.id_number not in html  # only what the errand needs
    assert "降压药一盒" not in html and world.h2.address not in html  # only her own


def test_a_worker_on_my_tasks_can_reveal_the_household_phone(cast, world, req):
    services.service_request_assign(request=req, actor=cast.staff_c1, volunteer=cast.grid_a)
    c = login(cast.grid_a)
    url = f"/assistance/requests/{req.pk}/phone/{world.r1.pk}/"
    assert url in c.get("/assistance/tasks/").content.decode()
    r = c.post(url, **HTMX)
    assert r.status_code == 200 and 'href="tel:13812345678"' in r.content.decode()
    assert _phone_reads(world.r1) == [(cast.grid_a.pk, f"Contact the person · errand {req.pk}")]


# --- a volunteer rings the household of her errand ---------------------------------------------

def _phone_reads(resident):
    from firstline.accounts.models import AuditEntry

    with translation.override("en"):  # the reason is kept as a message, said when read
        return [(e.actor_id, e.display_detail)
                for e in AuditEntry.objects.filter(action="people.phone_read",
                                                   object_type="people.resident",
                                                   object_id=str(resident.pk))]


def _reveal(user, req, resident):
    return login(user).post(f"/assistance/requests/{req.pk}/phone/{resident.pk}/", **HTMX)


def test_a_volunteer_reveals_the_phone_of_her_open_errand_audited(cast, world, volunteer, req):
    services.service_request_assign(request=req, actor=cast.staff_c1, volunteer=volunteer)
    r = _reveal(volunteer, req, world.r1)
    assert r.status_code == 200
    html = r.content.decode()
    assert 'href="tel:13812345678"' in html and world.r1.id_number not in html
    assert "张三" not in html
    assert _phone_reads(world.r1) == [(volunteer.pk, f"Contact the person · errand {req.pk}")]


def test_a_volunteer_reveals_it_while_bought_too(cast, world, volunteer, req):
    services.service_request_assign(request=req, actor=cast.staff_c1, volunteer=volunteer)
    services.service_request_transition(request=req, to="bought", actor=volunteer,
                                        amount="12", receipt_no="A1")
    assert _reveal(volunteer, req, world.r1).status_code == 200


def test_no_reveal_of_another_volunteers_errand(cast, areas, world, volunteer, req, other):
    person = operations.volunteer_create(actor=cast.staff_c1, area=areas.c1, name="陈磊",
                                         phone="13905541238", kind="volunteer")
    chen = operations.volunteer_login_create(actor=cast.staff_c1, volunteer=person,
                                             username="volunteer2", password=PASSWORD)
    services.service_request_assign(request=req, actor=cast.staff_c1, volunteer=volunteer)
    services.service_request_assign(request=other, actor=cast.staff_c1, volunteer=chen)
    assert _reveal(volunteer, other, world.r2).status_code == 404
    assert _reveal(chen, other, world.r2).status_code == 200  # hers to ring, not 王芳's
    # nor another household's resident through her own errand
    assert _reveal(volunteer, req, world.r2).status_code == 404
    assert _phone_reads(world.r2) == [(chen.pk, f"Contact the person · errand {other.pk}")]


def test_no_reveal_once_the_errand_is_delivered(cast, world, volunteer, req):
    services.service_request_assign(request=req, actor=cast.staff_c1, volunteer=volunteer)
    services.service_request_transition(request=req, to="bought", actor=volunteer, amount="42")
    services.service_request_transition(request=req, to="delivered", actor=volunteer)
    assert _reveal(volunteer, req, world.r1).status_code == 403
    assert _phone_reads(world.r1) == []


def test_no_reveal_once_the_errand_is_cancelled(cast, world, volunteer, req):
    services.service_request_assign(request=req, actor=cast.staff_c1, volunteer=volunteer)
    services.service_request_transition(request=req, to="cancelled", actor=cast.staff_c1,
                                        reason="家属已送达")
    assert _reveal(volunteer, req, world.r1).status_code == 403


def test_no_reveal_once_the_errand_is_reassigned(cast, world, volunteer, req):
    services.service_request_assign(request=req, actor=cast.staff_c1, volunteer=volunteer)
    assert _reveal(volunteer, req, world.r1).status_code == 200
    services.service_request_assign(request=req, actor=cast.staff_c1, volunteer=cast.grid_a)
    assert _reveal(volunteer, req, world.r1).status_code == 404
    assert _phone_reads(world.r1) == [(volunteer.pk, f"Contact the person · errand {req.pk}")]


def test_no_reveal_of_a_household_member_not_isolated(cast, world, volunteer, req):
    from .conftest import make_resident

    home = make_resident(world.h1, "孙八", phone="13700000000")  # lives there, not isolated
    services.service_request_assign(request=req, actor=cast.staff_c1, volunteer=volunteer)
    assert _reveal(volunteer, req, home).status_code == 404


def test_the_errand_grant_gives_the_phone_never_the_id_number(cast, world, volunteer, req):
    from django.core.exceptions import PermissionDenied

    from firstline.people.services import pii_read

    services.service_request_assign(request=req, actor=cast.staff_c1, volunteer=volunteer)
    grant = ("errand", req.pk)
    for fields in (["id_number"], ["phone", "id_number"]):
        with pytest.raises(PermissionDenied):
            pii_read(volunteer, world.r1, fields, f"errand {req.pk}", grant=grant)
    with pytest.raises(PermissionDenied):  # no grant named: her role reads no phone at all
        pii_read(volunteer, world.r1, ["phone"], f"errand {req.pk}")
    assert _phone_reads(world.r1) == []
    assert pii_read(volunteer, world.r1, ["phone"], f"errand {req.pk}", grant=grant) == {
        "phone": "13812345678"}



def test_an_errand_card_in_chinese_uses_full_width_colons(cast, volunteer, req):
    services.service_request_assign(request=req, actor=cast.staff_c1, volunteer=volunteer)
    c = login(volunteer)
    c.cookies["django_language"] = "zh-hant"
    html = c.get("/assistance/tasks/", HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()
    assert "住戶電話：" in html and "志工：" in html and "住戶電話:" not in html

def test_no_reveal_on_a_delivered_errands_card(cast, world, volunteer, req):
    services.service_request_assign(request=req, actor=cast.staff_c1, volunteer=volunteer)
    services.service_request_transition(request=req, to="bought", actor=volunteer, amount="42")
    services.service_request_transition(request=req, to="delivered", actor=volunteer)
    html = login(volunteer).get("/assistance/tasks/").content.decode()
    assert f"/phone/{world.r1.pk}/" not in html


def test_a_volunteer_marks_her_errand_bought_then_delivered(cast, world, volunteer, req):
    services.service_request_assign(request=req, actor=cast.staff_c1, volunteer=volunteer)
    c = login(volunteer)
    r = c.post(f"/assistance/requests/{req.pk}/status/",
               {"status": "bought", "amount": "58.5", "receipt_no": "A1",
                "next": "/assistance/tasks/"}, **HTMX)
    assert r.status_code == 200 and 'role="alert"' not in r.content.decode()
    c.post(f"/assistance/requests/{req.pk}/paid-back/", {"next": "/assistance/tasks/"})
    c.post(f"/assistance/requests/{req.pk}/status/", {"status": "delivered"})
    req.refresh_from_db()
    assert (req.status, str(req.amount), req.paid_back) == ("delivered", "58.50", True)


def test_a_volunteer_cannot_touch_an_errand_not_hers(cast, world, volunteer, req, other):
    services.service_request_assign(request=req, actor=cast.staff_c1, volunteer=volunteer)
    services.service_request_assign(request=other, actor=cast.staff_c1, volunteer_name="周建国")
    c = login(volunteer)
    assert c.post(f"/assistance/requests/{other.pk}/status/",
                  {"status": "delivered"}).status_code == 404
    assert c.post(f"/assistance/requests/{req.pk}/status/",
                  {"status": "cancelled", "reason": "x"}).status_code == 403
    assert c.post(f"/assistance/requests/{req.pk}/take/").status_code == 409  # hers already
    assert c.post(f"/assistance/requests/{other.pk}/take/").status_code == 409  # assigned
    assert c.post(f"/assistance/requests/{req.pk}/assign/",
                  {"volunteer_name": "x"}).status_code == 403


def test_a_reassigned_errand_is_no_longer_hers(cast, world, volunteer, req):
    services.service_request_assign(request=req, actor=cast.staff_c1, volunteer=volunteer)
    stale = ServiceRequest.objects.get(pk=req.pk)
    services.service_request_assign(request=req, actor=cast.staff_c1, volunteer=cast.grid_a)
    from django.http import Http404

    with pytest.raises(Http404):
        services.service_request_transition(request=stale, to="delivered", actor=volunteer)
    req.refresh_from_db()
    assert req.status == "assigned"


@pytest.mark.parametrize("url", ["/assistance/calls/", "/assistance/stock/",
                                 "/assistance/requests/new/"])
def test_a_volunteer_sees_nothing_else_of_assistance(volunteer, world, url):
    assert login(volunteer).get(url).status_code == 403


def test_a_volunteer_through_the_api_lists_only_her_errands(cast, world, volunteer, req, other):
    from tests.conftest import ApiClient

    services.service_request_assign(request=req, actor=cast.staff_c1, volunteer=volunteer)
    me = ApiClient(volunteer)
    items = me.get("/api/v1/service-requests").json()["items"]
    assert [i["id"] for i in items] == [req.pk]
    assert me.get(f"/api/v1/service-requests/{other.pk}").status_code == 404
    r = me.post(f"/api/v1/service-requests/{req.pk}/status", {"status": "bought",
                                                              "amount": "42"})
    assert r.status_code == 200 and r.json()["status"] == "bought"
    r = me.post(f"/api/v1/service-requests/{req.pk}/status", {"status": "delivered"})
    assert r.status_code == 200 and r.json()["status"] == "delivered"


def test_the_duties_page_leads_to_the_errands(cast, volunteer):
    from datetime import timedelta

    from firstline import clock

    start = clock.now()
    operations.assignment_create(actor=cast.staff_c1, volunteer=volunteer.volunteer,
                                 duty="delivery", starts_at=start,
                                 ends_at=start + timedelta(hours=2), target="隔离户代购送货")
    html = login(volunteer).get("/operations/mine/").content.decode()
    assert 'href="/assistance/tasks/"' in html


# --- a grid worker files and takes -------------------------------------------------------------

def test_filing_a_request_returns_to_the_board(cast, world):
    r = login(cast.grid_a).post("/assistance/requests/new/",
                                {"household": world.h1.pk, "kind": "groceries",
                                 "detail": "鸡蛋", "source": "worker"})
    assert (r.status_code, r["Location"]) == (302, "/assistance/requests/")


def test_filing_from_a_call_card_returns_to_the_calls(cast, world):
    r = login(cast.grid_a).post("/assistance/requests/new/",
                                {"household": world.h1.pk, "kind": "groceries",
                                 "detail": "鸡蛋", "source": "phone",
                                 "next": "/assistance/calls/"})
    assert r["Location"] == "/assistance/calls/"
    r = login(cast.grid_a).post("/assistance/requests/new/",
                                {"household": world.h1.pk, "kind": "groceries",
                                 "detail": "牛奶", "source": "phone",
                                 "next": "https://evil.example/assistance/calls/"})
    assert r["Location"] == "/assistance/requests/"


def test_a_grid_worker_takes_a_new_request_of_her_grid(cast, world, req):
    r = login(cast.grid_a).post(f"/assistance/requests/{req.pk}/take/", **HTMX)
    assert r.status_code == 200 and 'role="alert"' not in r.content.decode()
    req.refresh_from_db()
    assert (req.status, req.volunteer) == ("assigned", cast.grid_a)
    assert "大米10斤" in login(cast.grid_a).get("/assistance/tasks/").content.decode()


def test_the_board_offers_to_take_only_new_requests(cast, world, req, other):
    services.service_request_assign(request=other, actor=cast.staff_c1, volunteer_name="周建国")
    html = login(cast.staff_c1).get("/assistance/requests/").content.decode()
    assert f"/assistance/requests/{req.pk}/take/" in html
    assert f"/assistance/requests/{other.pk}/take/" not in html


def test_a_grid_worker_cannot_take_another_grids_request(cast, world, other):
    assert login(cast.grid_a).post(f"/assistance/requests/{other.pk}/take/").status_code == 404


def test_an_assigned_request_cannot_be_taken(cast, world, req):
    services.service_request_assign(request=req, actor=cast.staff_c1, volunteer_name="周建国")
    r = login(cast.grid_a).post(f"/assistance/requests/{req.pk}/take/", **HTMX)
    assert r.status_code == 409
    assert f"#{req.pk} 号需求刚刚已被别人认领，请另选一个。" in r.content.decode()
    req.refresh_from_db()
    assert (req.volunteer_id, req.volunteer_name) == (None, "周建国")


def test_taking_through_the_api(api, cast, world, req):
    r = api("grid_a").post(f"/api/v1/service-requests/{req.pk}/take")
    assert r.status_code == 200 and r.json()["volunteer_id"] == cast.grid_a.pk
    r = api("staff_c1").post(f"/api/v1/service-requests/{req.pk}/take")
    assert (r.status_code, r.json()["error"]) == (409, "bad_transition")


@pytest.mark.django_db(transaction=True)
def test_two_taking_at_once_one_gets_it(file_database, cast, areas):
    from firstline.people.models import Compound
    from tests.assistance.conftest import isolate, make_household, make_resident

    h = make_household(areas.g1a, Compound.objects.create(area=areas.c1, name="阳光花园"), "9")
    isolate(make_resident(h))
    req = services.service_request_create(household=h, kind="groceries", detail="米",
                                          source="self_report")
    takers = [cast.grid_a, cast.staff_c1, cast.hq, cast.admin]
    results = race(4, lambda i: services.service_request_take(
        request=ServiceRequest.objects.get(pk=req.pk), actor=takers[i]))
    won = [r for r in results if isinstance(r, ServiceRequest)]
    lost = [r for r in results if not isinstance(r, ServiceRequest)]
    assert len(won) == 1 and [e.code for e in lost] == ["bad_transition"] * 3, results
    req.refresh_from_db()
    assert req.volunteer == won[0].volunteer


# --- the board masks a named volunteer's phone -------------------------------------------------

def test_the_board_masks_a_named_volunteers_phone(cast, world, req):
    services.service_request_assign(request=req, actor=cast.staff_c1,
                                    volunteer_name="党员志愿者 周建国",
                                    volunteer_phone="13905541234")
    html = login(cast.grid_a).get("/assistance/requests/").content.decode()
    assert "139****1234" in html
    assert "13905541234" not in html and "tel:" not in html


# --- the same reveals over the API ---------------------------------------------------------------

def test_the_errand_lists_its_contacts_masked_and_the_volunteer_reveals_one_over_the_api(
        cast, world, volunteer, req):
    from tests.conftest import ApiClient

    services.service_request_assign(request=req, actor=cast.staff_c1, volunteer=volunteer)
    client = ApiClient(volunteer)
    detail = client.get(f"/api/v1/service-requests/{req.pk}").json()
    assert detail["contacts"] == [{"resident_id": world.r1.pk, "phone_masked": "138****5678"}]
    r = client.post(f"/api/v1/service-requests/{req.pk}/contacts/{world.r1.pk}/phone", {})
    assert r.status_code == 200, r.content
    assert r.json() == {"resident_id": world.r1.pk, "phone": "13812345678"}
    assert _phone_reads(world.r1) == [(volunteer.pk, f"Contact the person · errand {req.pk}")]
    from firstline.accounts.models import AuditEntry

    assert AuditEntry.objects.get(action="people.phone_read").via == "api"


def test_the_api_reveal_refuses_as_the_page_does(cast, world, volunteer, req, other):
    from tests.conftest import ApiClient

    services.service_request_assign(request=req, actor=cast.staff_c1, volunteer=volunteer)
    client = ApiClient(volunteer)
    url = "/api/v1/service-requests/{}/contacts/{}/phone"
    assert client.post(url.format(other.pk, world.r2.pk), {}).status_code == 404
    assert client.post(url.format(req.pk, world.r2.pk), {}).status_code == 404
    services.service_request_transition(request=req, to="bought", actor=volunteer, amount="42")
    services.service_request_transition(request=req, to="delivered", actor=volunteer)
    r = client.post(url.format(req.pk, world.r1.pk), {})
    assert r.status_code == 403 and r.json()["error"]
    assert _phone_reads(world.r1) == []


def test_a_worker_reveals_a_phone_for_the_care_call_over_the_api(cast, world, req):
    from tests.conftest import ApiClient

    r = ApiClient(cast.grid_a).post(f"/api/v1/care-calls/residents/{world.r1.pk}/phone", {})
    assert r.status_code == 200, r.content
    assert r.json() == {"resident_id": world.r1.pk, "phone": "13812345678"}
    assert _phone_reads(world.r1) == [(cast.grid_a.pk, "Contact the person · care call")]
    out = ApiClient(cast.staff_c2).post(f"/api/v1/care-calls/residents/{world.r1.pk}/phone", {})
    assert out.status_code == 404
