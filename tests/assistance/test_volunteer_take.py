"""A volunteer's own login takes an errand (我来办) from the new ones of its area: it saw only
the errands assigned to it, and /assistance/requests/ was 403. The list is masked (compound
and building, no room, no phone); taking is the grid workers' race-safe service: two at once,
one wins, the other is told someone else took it. Moving an errand along says so."""

import pytest
from django.test import Client

from firstline.assistance import services
from firstline.assistance.models import ServiceRequest
from firstline.errors import RuleViolation
from firstline.operations import services as operations
from tests.conftest import PASSWORD

from ..conftest import race

HTMX = {"HTTP_HX_REQUEST": "true"}
BOARD = "/assistance/requests/"


def login(user, lang="zh-hans"):
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


def _volunteer(cast, area, name, username, phone):
    person = operations.volunteer_create(actor=cast.admin, area=area, name=name, phone=phone,
                                         kind="volunteer")
    return operations.volunteer_login_create(actor=cast.admin, volunteer=person,
                                             username=username, password=PASSWORD)


@pytest.fixture
def wang(cast, areas):
    """王芳: a confirmed volunteer of C1 with a login of her own."""
    return _volunteer(cast, areas.c1, "王芳", "volunteer1", "13905541237")


@pytest.fixture
def li(cast, areas):
    """李强: another confirmed volunteer of C1."""
    return _volunteer(cast, areas.c1, "李强", "volunteer2", "13905541238")


@pytest.fixture
def req(world):
    return services.service_request_create(household=world.h1, kind="groceries",
                                           detail="大米10斤、青菜若干", source="self_report")


def test_a_volunteer_sees_the_new_errands_of_her_area_masked(cast, world, wang, req):
    c2 = services.service_request_create(household=world.h3, kind="medicine", detail="感冒药",
                                         source="self_report")
    given = services.service_request_create(household=world.h2, kind="medicine",
                                            detail="降压药一盒", source="self_report")
    services.service_request_assign(request=given, actor=cast.staff_c1, volunteer_name="周建国")
    r = login(wang).get(BOARD)
    assert r.status_code == 200
    html = r.content.decode()
    card = html.split(f'id="req-{req.pk}"', 1)[1].split("</article>", 1)[0]
    assert "阳光花园 1栋" in card and "大米10斤" in card
    assert "101室" not in card and "1单元" not in card  # no room until she takes it
    assert "138" not in card and "张三" not in card  # no phone, no name
    assert f'id="req-{given.pk}"' not in html  # someone runs it already
    assert f'id="req-{c2.pk}"' not in html  # another community's


def test_a_volunteer_takes_an_errand_and_finds_it_under_my_tasks(cast, world, wang, req):
    c = login(wang)
    r = c.post(f"/assistance/requests/{req.pk}/take/")
    assert r.status_code == 302 and r["Location"] == "/assistance/tasks/"
    req.refresh_from_db()
    assert (req.status, req.volunteer_id) == ("assigned", wang.pk)
    tasks = c.get("/assistance/tasks/").content.decode()
    assert f"#{req.pk} 号已由您认领" in tasks
    assert "阳光花园 1栋 1单元 101室" in tasks and "☎ 138****5678" in tasks
    assert f'id="req-{req.pk}"' not in c.get(BOARD).content.decode()


def test_a_volunteer_of_another_community_neither_sees_nor_takes_it(cast, areas, world, req):
    other = _volunteer(cast, areas.c2, "赵敏", "volunteer_c2", "13905541230")
    assert f'id="req-{req.pk}"' not in login(other).get(BOARD).content.decode()
    assert login(other).post(f"/assistance/requests/{req.pk}/take/").status_code == 404
    req.refresh_from_db()
    assert req.status == "new"


def test_a_sign_up_not_confirmed_cannot_take(cast, areas, world, req):
    from firstline.accounts.services import user_assign
    from firstline.operations.models import Volunteer

    user, _ = user_assign(username="signup", role="volunteer", area=areas.c1, password=PASSWORD)
    Volunteer.objects.create(area=areas.c1, name="孙丽", phone="13905541239", kind="volunteer",
                             user=user)
    r = login(user).post(f"/assistance/requests/{req.pk}/take/")
    assert r.status_code == 403 and "尚未确认" in r.content.decode()
    req.refresh_from_db()
    assert req.status == "new"


def test_the_second_volunteer_is_told_someone_else_took_it(cast, world, wang, li, req):
    assert login(wang).post(f"/assistance/requests/{req.pk}/take/").status_code == 302
    r = login(li).post(f"/assistance/requests/{req.pk}/take/")
    assert r.status_code == 409
    assert f"#{req.pk} 号需求刚刚已被别人认领，请另选一个。" in r.content.decode()
    r = login(li, "en").post(f"/assistance/requests/{req.pk}/take/")
    assert f"Someone else has just taken errand #{req.pk}; choose another." in \
        r.content.decode()
    req.refresh_from_db()
    assert req.volunteer_id == wang.pk


def test_a_volunteer_takes_through_the_api(cast, world, wang, li, req):
    from tests.conftest import ApiClient

    r = ApiClient(wang).post(f"/api/v1/service-requests/{req.pk}/take", {})
    assert r.status_code == 200 and r.json()["status"] == "assigned"
    r = ApiClient(li).post(f"/api/v1/service-requests/{req.pk}/take", {})
    assert r.status_code == 409 and r.json()["error"] == "bad_transition"


@pytest.mark.django_db(transaction=True)
def test_two_volunteers_taking_at_once_one_gets_it(file_database, cast, areas, world):
    """Real threads, each with its own connection, on SQLite (a file, WAL) and PostgreSQL."""
    wang = _volunteer(cast, areas.c1, "王芳", "volunteer1", "13905541237")
    li = _volunteer(cast, areas.c1, "李强", "volunteer2", "13905541238")
    req = services.service_request_create(household=world.h1, kind="groceries",
                                          detail="大米", source="self_report")
    takers = [wang, li]

    def take(i):
        fresh = ServiceRequest.objects.get(pk=req.pk)
        return services.service_request_take(request=fresh, actor=takers[i])

    results = race(2, take)
    won = [r for r in results if isinstance(r, ServiceRequest)]
    lost = [r for r in results if isinstance(r, RuleViolation)]
    assert (len(won), len(lost)) == (1, 1), results
    assert (lost[0].status, lost[0].code) == (409, "bad_transition")
    req.refresh_from_db()
    assert req.status == "assigned" and req.volunteer_id == won[0].volunteer_id
    assert req.volunteer_id in (wang.pk, li.pk)


# --- moving an errand along says so; the amount comes before delivered -----------------------

def test_bought_and_delivered_are_confirmed_on_the_card(cast, world, wang, req):
    services.service_request_take(request=req, actor=wang)
    c = login(wang)
    r = c.post(f"/assistance/requests/{req.pk}/status/",
               {"status": "bought", "amount": "56.5", "next": "/assistance/tasks/"}, **HTMX)
    assert f"#{req.pk} 号已标记为已购买（¥56.50）" in r.content.decode()
    r = c.post(f"/assistance/requests/{req.pk}/status/",
               {"status": "delivered", "next": "/assistance/tasks/"})
    assert r.status_code == 302
    page = c.get("/assistance/tasks/").content.decode()
    assert f"#{req.pk} 号已送达。住户还款 ¥56.50 后请标记已还款。" in page


def test_an_errand_with_something_to_buy_asks_the_amount_before_delivered(cast, world, wang,
                                                                          req):
    services.service_request_take(request=req, actor=wang)
    tasks = login(wang).get("/assistance/tasks/").content.decode()
    card = tasks.split(f'id="req-{req.pk}"', 1)[1].split("</article>", 1)[0]
    assert 'name="amount"' in card and " required" in card.split('name="amount"', 1)[1] \
        .split(">", 1)[0]
    assert 'value="delivered"' not in card  # bought (with the amount) first


def test_a_parcel_may_go_straight_to_delivered(cast, world, wang):
    parcel = services.service_request_create(household=world.h1, kind="parcel",
                                             detail="取快递", source="self_report")
    services.service_request_take(request=parcel, actor=wang)
    tasks = login(wang).get("/assistance/tasks/").content.decode()
    card = tasks.split(f'id="req-{parcel.pk}"', 1)[1].split("</article>", 1)[0]
    assert 'value="delivered"' in card


# --- the same list through the API: GET /api/v1/service-requests/to-take -----------------------

TO_TAKE = "/api/v1/service-requests/to-take"


def test_the_api_lists_the_errands_to_take_masked_as_the_page(cast, world, wang, req):
    from tests.conftest import ApiClient

    services.service_request_create(household=world.h3, kind="medicine", detail="感冒药",
                                    source="self_report")  # another community's
    given = services.service_request_create(household=world.h2, kind="medicine",
                                            detail="降压药一盒", source="self_report")
    services.service_request_assign(request=given, actor=cast.staff_c1, volunteer_name="周建国")
    r = ApiClient(wang).get(TO_TAKE)
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 1 and [i["id"] for i in body["items"]] == [req.pk]
    item = body["items"][0]
    assert set(item) == {"id", "kind", "detail", "compound", "building", "created_at"}
    assert (item["compound"], item["building"], item["detail"]) == ("阳光花园", "1",
                                                                   "大米10斤、青菜若干")
    assert "101" not in r.content.decode() and "138" not in r.content.decode()


def test_the_api_list_to_take_is_the_volunteer_roles_area_only(cast, areas, world, wang, req):
    """A second role elsewhere (gate duty of C2) does not widen it to C2's errands."""
    from firstline.accounts.services import user_assign
    from tests.conftest import ApiClient

    services.service_request_create(household=world.h3, kind="medicine", detail="感冒药",
                                    source="self_report")
    user_assign(username=wang.username, role="gate_duty", area=areas.c2)
    assert [i["id"] for i in ApiClient(wang).get(TO_TAKE).json()["items"]] == [req.pk]


def test_the_api_list_to_take_is_refused_without_a_taking_role(cast, req):
    from tests.conftest import ApiClient

    assert ApiClient(cast.gate_c1).get(TO_TAKE).status_code == 403
