"""返回登记: a resident declares a return; the grid worker of the address confirms it."""

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from firstline.accounts.models import AuditEntry
from firstline.people.models import KeyPerson, Resident, VisitPerson
from firstline.residents.models import Declaration

from .conftest import declaration, id_number

URL = "/api/v1/public/declarations"


def declare(data, client=None, ip="10.0.0.1"):
    return (client or Client()).post(URL, data, content_type="application/json",
                                     REMOTE_ADDR=ip)


def test_declaration_answers_a_receipt_and_nothing_else(place):
    r = declare(declaration())
    assert r.status_code == 201, r.content
    assert list(r.json()) == ["receipt"]
    assert Declaration.objects.get().receipt == r.json()["receipt"]


def test_declaration_for_an_id_on_the_roster_attaches_to_that_resident(place, api):
    declare(declaration(name="王伟", id_number=place.wang.id_number, room="101"))
    items = api("grid_a").get("/api/v1/declarations", area="G1a", status="pending").json()
    assert items["count"] == 1
    assert items["items"][0]["resident_id"] == place.wang.pk


def test_new_id_is_a_newcomer_only_after_confirmation(place, api):
    declare(declaration())
    item = api("grid_a").get("/api/v1/declarations").json()["items"][0]
    assert item["resident_id"] is None
    assert item["id_number_masked"] == id_number(10)[:3] + "*" * 11 + id_number(10)[-4:]
    assert not Resident.objects.filter(id_number=id_number(10)).exists()
    r = api("grid_a").post(f"/api/v1/declarations/{item['id']}/confirm")
    assert r.status_code == 200, r.content
    resident = Resident.objects.get(id_number=id_number(10))
    assert r.json()["resident_id"] == resident.pk
    assert r.json()["resident"]["name"] == "李娜" and r.json()["created"] is True
    assert resident.household == place.h102


def test_the_same_id_declared_twice_while_pending_is_one_item(place, api):
    declare(declaration(phone="13800138000"))
    declare(declaration(phone="13900139000", id_number=" " + id_number(10).lower() + " "))
    items = api("grid_a").get("/api/v1/declarations").json()
    assert items["count"] == 1
    d = Declaration.objects.get()
    assert (d.submissions, d.phone) == (2, "13900139000")


def test_the_database_keeps_one_pending_declaration_per_id(place):
    declare(declaration())
    d = Declaration.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Declaration.objects.create(receipt="D-XXXX-XXXX", community=d.community, area=d.area,
                                   name="x", id_number=d.id_number, from_province="湖北省",
                                   returned_on=d.returned_on)


def test_full_width_digits_and_lower_case_x_are_the_same_id(place):
    plain = id_number(10)
    wide = plain.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    assert declare(declaration(id_number=wide)).status_code == 201
    assert Declaration.objects.get().id_number == plain


def test_confirming_records_the_return_as_a_screening_visit_with_risk_area_key_person(
        place, api):
    declare(declaration(name="王伟", id_number=place.wang.id_number, room="101"))
    d = Declaration.objects.get()
    r = api("grid_a").post(f"/api/v1/declarations/{d.pk}/confirm")
    assert r.status_code == 200
    assert (r.json()["resident_id"], r.json()["created"], r.json()["moved"]) == (
        place.wang.pk, False, False)
    record = VisitPerson.objects.get(resident=place.wang)
    assert (record.from_city, record.from_risk_area, record.transport_no) == (
        "武汉市", True, "G1234")
    assert KeyPerson.objects.filter(resident=place.wang, category__code="risk_area",
                                    until__isnull=True).exists()
    assert AuditEntry.objects.filter(action="declaration.confirm").count() == 1


def test_a_confirmed_declaration_does_not_count_as_screening_the_household(place, api, cast):
    from firstline.people.selectors import households_not_visited

    declare(declaration(name="王伟", id_number=place.wang.id_number, room="101"))
    d = Declaration.objects.get()
    assert api("grid_a").post(f"/api/v1/declarations/{d.pk}/confirm").status_code == 200
    d.refresh_from_db()
    assert d.visit.source == "declaration"
    assert d.visit.household in set(households_not_visited(cast.grid_a, days=7))


def test_a_declaration_is_confirmed_once(place, api):
    declare(declaration())
    d = Declaration.objects.get()
    assert api("grid_a").post(f"/api/v1/declarations/{d.pk}/confirm").status_code == 200
    again = api("grid_a").post(f"/api/v1/declarations/{d.pk}/confirm")
    assert again.status_code == 409
    assert again.json()["error"] == "already_confirmed"


def test_after_confirmation_the_same_id_may_declare_again(place, api):
    declare(declaration())
    api("grid_a").post(f"/api/v1/declarations/{Declaration.objects.get().pk}/confirm")
    assert declare(declaration(returned_on="2020-02-09")).status_code == 201
    assert Declaration.objects.filter(status="pending").count() == 1


def test_a_newcomer_at_an_unknown_address_needs_a_household_to_confirm(place, api):
    declare(declaration(compound="不存在小区"))
    d = Declaration.objects.get()
    assert d.area.code == "C1" and d.household is None
    # the grid worker of G1a does not see it (no grid); the community's staff do
    assert api("grid_a").get("/api/v1/declarations").json()["count"] == 0
    r = api("staff_c1").post(f"/api/v1/declarations/{d.pk}/confirm")
    assert r.status_code == 422 and r.json()["error"] == "household_required"
    r = api("staff_c1").post(f"/api/v1/declarations/{d.pk}/confirm",
                             {"household_id": place.h201.pk, "residency": "temporary"})
    assert r.status_code == 200
    assert Resident.objects.get(id_number=id_number(10)).residency == "temporary"


def test_declared_id_on_the_roster_elsewhere_is_moved_on_confirmation(place, api):
    declare(declaration(community="C1", name="陈静", id_number=place.chen.id_number))
    d = Declaration.objects.get()
    # The declared address (1-1-102) is in G1a: its grid worker confirms, she moves there.
    r = api("grid_a").post(f"/api/v1/declarations/{d.pk}/confirm")
    assert r.status_code == 200
    assert (r.json()["moved"], r.json()["created"]) == (True, False)
    place.chen.refresh_from_db()
    assert place.chen.household == place.h102


def test_wrong_role_is_refused(place, api):
    declare(declaration())
    d = Declaration.objects.get()
    assert api("gate_c1").get("/api/v1/declarations").status_code == 403
    assert api("gate_c1").post(f"/api/v1/declarations/{d.pk}/confirm").status_code == 403
    assert api("auditor").get("/api/v1/declarations").status_code == 403


def test_other_area_is_404(place, api):
    declare(declaration())
    d = Declaration.objects.get()
    assert api("staff_c2").get("/api/v1/declarations").json()["count"] == 0
    assert api("staff_c2").get("/api/v1/declarations", area="C1").status_code == 404
    assert api("staff_c2").post(f"/api/v1/declarations/{d.pk}/confirm").status_code == 404


@pytest.mark.parametrize("field,value,code", [
    ("id_number", "340104198001010011", "bad_id_number"),  # wrong check digit
    ("id_number", "", "id_number_required"),
    ("phone", "12345", "bad_phone"),
    ("name", "", "required"),
    ("from_province", "", "required"),
    ("returned_on", "2020-02-30", "bad_date"),
    ("returned_on", "", "required"),
    ("returned_on", "2020-03-01", "returned_on_future"),
    ("transport", "rocket", "bad_transport"),
    ("name", "x" * 51, "too_long"),
    ("symptoms", "a\x00b", "invalid"),
    ("community", "G1a", "unknown_community"),
])
def test_bad_input_is_a_422_naming_the_field(place, field, value, code):
    r = declare(declaration(**{field: value}))
    assert r.status_code == 422, r.content
    assert r.json()["error"] == code
    assert not Declaration.objects.exists()


def test_messages_speak_the_visitors_language(place):
    r = Client().post(URL, declaration(phone="1"), content_type="application/json",
                      HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "手机号" in r.json()["detail"]


def test_an_impossible_return_date_is_said_with_its_label_and_what_was_typed(place):
    r = Client().post(URL, declaration(returned_on="2020-02-30"), content_type="application/json",
                      HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.json() == {"error": "bad_date", "detail": "返回日期：2020-02-30 不是日期（YYYY-MM-DD）。"}


def test_too_many_declarations_from_one_network_address_are_throttled(place):
    client = Client()
    codes = [declare(declaration(id_number=id_number(100 + i), room=str(500 + i)),
                     client).status_code for i in range(31)]
    assert codes[:30] == [201] * 30  # rule public.per_address: phones share addresses (NAT)
    assert codes[30] == 429
    assert declare(declaration(id_number=id_number(200)), ip="10.0.0.2").status_code == 201


def test_too_many_declarations_for_one_home_address_are_throttled(place):
    codes = [declare(declaration(id_number=id_number(300 + i)), ip=f"10.1.0.{i}").status_code
             for i in range(6)]
    assert codes == [201] * 5 + [429]


def test_a_newcomer_added_at_the_door_meanwhile_shows_as_on_the_roster(place, api):
    declare(declaration())
    api("grid_a").post(f"/api/v1/households/{place.h102.pk}/members",
                       {"name": "李娜", "id_number": id_number(10)})
    item = api("grid_a").get("/api/v1/declarations").json()["items"][0]
    assert item["resident_id"] == Resident.objects.get(id_number=id_number(10)).pk


def test_a_confirmed_return_from_a_risk_area_opens_a_risk_return_alert(place, api):
    # The same alert a screening visit raises (CONTRACT.md "Findings reach someone"): for the
    # household's grid, with the resident and household, once.
    from firstline.isolation.models import Alert

    declare(declaration(name="王伟", id_number=place.wang.id_number, room="101"))
    d = Declaration.objects.get()
    assert not Alert.objects.filter(kind="risk_return").exists()
    assert api("grid_a").post(f"/api/v1/declarations/{d.pk}/confirm").status_code == 200
    alert = Alert.objects.get(kind="risk_return")
    assert (alert.resident, alert.household, alert.area) == (place.wang, place.h101,
                                                             place.h101.grid)
    assert "武汉" in alert.detail and "2020-02-08" in alert.detail
    assert alert.source.startswith("visit:")
    assert [a["kind"] for a in api("grid_a").get("/api/v1/alerts").json()["items"]] == [
        "risk_return"]


def test_a_return_older_than_the_isolation_period_opens_no_alert(place, api):
    from firstline.isolation.models import Alert

    declare(declaration(name="王伟", id_number=place.wang.id_number, room="101",
                        returned_on="2020-01-20"))
    d = Declaration.objects.get()
    assert api("grid_a").post(f"/api/v1/declarations/{d.pk}/confirm").status_code == 200
    assert not Alert.objects.filter(kind="risk_return").exists()
