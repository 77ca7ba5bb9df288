"""A newcomer found at the door: POST /api/v1/households/{id}/members."""

from firstline.accounts.models import AuditEntry
from firstline.people.models import Placement, Resident

from .conftest import id_number


def url(h):
    return f"/api/v1/households/{h.pk}/members"


def test_a_newcomer_joins_the_household(place, api):
    r = api("grid_a").post(url(place.h102), {"name": "赵敏", "id_number": id_number(40),
                                             "phone": "13700137000", "residency": "temporary"})
    assert r.status_code == 201, r.content
    assert r.json()["created"] is True and r.json()["moved"] is False
    resident = Resident.objects.get(id_number=id_number(40))
    assert (resident.household, resident.grid, resident.residency) == (
        place.h102, place.h102.grid, "temporary")
    assert Placement.objects.filter(resident=resident, until__isnull=True).count() == 1
    assert AuditEntry.objects.filter(action="resident.add").count() == 1


def test_an_id_on_the_roster_elsewhere_is_a_move_not_a_duplicate(place, api):
    r = api("grid_a").post(url(place.h102), {"name": "王伟", "id_number": place.wang.id_number})
    assert r.status_code == 200
    body = r.json()
    assert body["moved"] is True and body["created"] is False
    assert "101" in body["moved_from"]
    assert Resident.objects.filter(id_number=place.wang.id_number).count() == 1
    place.wang.refresh_from_db()
    assert place.wang.household == place.h102
    placements = Placement.objects.filter(resident=place.wang).order_by("since")
    assert [p.until is None for p in placements] == [False, True]


def test_a_member_already_here_is_a_409(place, api):
    r = api("grid_a").post(url(place.h101), {"name": "王伟", "id_number": place.wang.id_number})
    assert r.status_code == 409
    assert r.json()["error"] == "already_member"


def test_the_id_is_validated_as_on_import(place, api):
    r = api("grid_a").post(url(place.h102), {"name": "赵敏", "id_number": "340104198001010011"})
    assert r.status_code == 422
    assert r.json()["error"] == "bad_id_number"
    assert not Resident.objects.filter(name="赵敏").exists()


def test_a_lower_case_x_and_spaces_are_accepted(place, api):
    number = next(id_number(i) for i in range(50, 999) if id_number(i).endswith("X"))
    spaced = number[:6] + " " + number[6:-1] + "x"
    assert api("grid_a").post(url(place.h102), {"name": "赵敏", "id_number": spaced}
                              ).status_code == 201
    assert Resident.objects.filter(id_number=number).exists()


def test_wrong_role_is_refused(place, api):
    assert api("gate_c1").post(url(place.h102), {"name": "赵敏", "id_number": id_number(40)}
                               ).status_code == 403


def test_other_area_is_404(place, api):
    assert api("grid_a").post(url(place.h201), {"name": "赵敏", "id_number": id_number(40)}
                              ).status_code == 404
    assert api("staff_c2").post(url(place.h102), {"name": "赵敏", "id_number": id_number(40)}
                                ).status_code == 404


def test_the_visit_page_offers_to_add_a_person(place, web):
    c = web("grid_a")
    page = c.get(f"/people/screening/{place.h102.pk}/")
    assert 'name="add_person"' in page.content.decode()
    sent = c.post(f"/people/screening/{place.h102.pk}/", {"note": "", "add_person": "1"})
    assert sent.url == f"/residents/households/{place.h102.pk}/members/new/"


def test_the_add_page_says_a_move_is_a_move(place, web):
    c = web("grid_a", lang="en")
    r = c.post(f"/residents/households/{place.h102.pk}/members/new/",
               {"name": "王伟", "id_number": place.wang.id_number, "residency": "permanent"},
               follow=True)
    assert "moved here from" in r.content.decode()


def test_an_id_outside_the_workers_areas_under_another_name_is_refused_and_tells_nothing(
        place, api):
    r = api("grid_a").post(url(place.h102), {"name": "别人", "id_number": place.chen.id_number})
    assert r.status_code == 409 and r.json()["error"] == "id_number_elsewhere"
    assert "陈静" not in r.content.decode() and "凤凰城" not in r.content.decode()
    place.chen.refresh_from_db()
    assert place.chen.household == place.h301
    assert not AuditEntry.objects.filter(action="resident.move").exists()


def test_an_id_outside_the_workers_areas_with_its_name_moves_without_the_old_address(
        place, api):
    r = api("grid_a").post(url(place.h102), {"name": "陈静", "id_number": place.chen.id_number})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["moved"] is True and "凤凰城" not in body["moved_from"]
    assert "301" not in body["moved_from"]
    place.chen.refresh_from_db()
    assert place.chen.household == place.h102


def test_the_add_page_shows_every_field_error_at_once(place, web):
    r = web("grid_a", lang="en").post(
        f"/residents/households/{place.h102.pk}/members/new/",
        {"name": "", "id_number": "340104198001010011", "phone": "123",
         "residency": "nomad"})
    html = r.content.decode()
    assert r.status_code == 422
    assert html.count('<span class="error" role="alert">') == 4
    assert "Unknown residency type" in html and "Phone invalid" in html
    assert 'value="123"' in html
    assert not Resident.objects.filter(phone="123").exists()

