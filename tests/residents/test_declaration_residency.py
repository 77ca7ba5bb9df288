"""Confirming a return declaration of a person on the roster at another address moves them;
the move never silently overwrites their residency (暂住 / 流动 stay what they are unless the
worker chooses otherwise, on a form showing the current one)."""

import re

from firstline.people.models import Resident
from firstline.residents import services
from firstline.residents.models import Declaration

from .conftest import declaration
from .test_declarations import declare
from .test_staff_forms import row, selected


def a_temporary_resident_declaring_another_address(place):
    """王伟 (G1a, 1-1-101, 暂住) declares his return to 1-1-102, also in G1a."""
    Resident.objects.filter(pk=place.wang.pk).update(residency="temporary")
    declare(declaration(name="王伟", id_number=place.wang.id_number, room="102"))
    return Declaration.objects.get()


def residency_of(person):
    return Resident.objects.get(pk=person.pk).residency


def test_a_move_on_confirmation_keeps_the_persons_residency(place, cast):
    d = a_temporary_resident_declaring_another_address(place)
    confirmed = services.declaration_confirm(actor=cast.grid_a, declaration=d)
    assert confirmed.moved is True
    assert Resident.objects.get(pk=place.wang.pk).household == place.h102
    assert residency_of(place.wang) == "temporary"


def test_a_move_on_confirmation_takes_the_residency_the_worker_chose(place, cast):
    d = a_temporary_resident_declaring_another_address(place)
    services.declaration_confirm(actor=cast.grid_a, declaration=d, residency="floating")
    assert residency_of(place.wang) == "floating"


def test_a_move_through_the_api_without_a_residency_keeps_it(place, api):
    d = a_temporary_resident_declaring_another_address(place)
    r = api("grid_a").post(f"/api/v1/declarations/{d.pk}/confirm")
    assert r.status_code == 200 and r.json()["moved"] is True
    assert residency_of(place.wang) == "temporary"


def test_a_member_moved_at_the_door_without_a_residency_keeps_it(place, api):
    """The owner's rule (people's household_member_add), which the confirmation goes through."""
    Resident.objects.filter(pk=place.wang.pk).update(residency="floating")
    r = api("grid_a").post(f"/api/v1/households/{place.h102.pk}/members",
                           {"name": "王伟", "id_number": place.wang.id_number})
    assert r.status_code == 200 and r.json()["moved"] is True
    assert residency_of(place.wang) == "floating"


def test_the_page_asks_the_residency_of_a_move_with_the_current_one_chosen(place, web):
    d = a_temporary_resident_declaring_another_address(place)
    form = row(web("grid_a").get("/residents/declarations/").content.decode(),
               f"declaration-{d.pk}")
    assert selected(form, "residency", "temporary")


def test_the_page_form_sent_as_drawn_keeps_the_residency(place, web):
    d = a_temporary_resident_declaring_another_address(place)
    c = web("grid_a")
    form = row(c.get("/residents/declarations/").content.decode(), f"declaration-{d.pk}")
    chosen = re.search(r'<select name="residency".*?<option value="([^"]*)" selected>', form,
                       re.S).group(1)
    r = c.post(f"/residents/declarations/{d.pk}/confirm/", {"residency": chosen})
    assert r.status_code == 302
    assert Resident.objects.get(pk=place.wang.pk).household == place.h102
    assert residency_of(place.wang) == "temporary"


def test_the_page_moves_with_the_residency_the_worker_chose(place, web):
    d = a_temporary_resident_declaring_another_address(place)
    r = web("grid_a").post(f"/residents/declarations/{d.pk}/confirm/", {"residency": "permanent"})
    assert r.status_code == 302
    assert residency_of(place.wang) == "permanent"


def test_a_move_from_outside_the_workers_areas_offers_to_keep_it_and_tells_nothing(place, web):
    """陈静 is on C2's roster (流动); grid_a does not see her record, so not her residency."""
    Resident.objects.filter(pk=place.chen.pk).update(residency="floating")
    declare(declaration(name="陈静", id_number=place.chen.id_number, room="102"))
    d = Declaration.objects.get()
    c = web("grid_a", "en")
    form = row(c.get("/residents/declarations/").content.decode(), f"declaration-{d.pk}")
    assert selected(form, "residency", "")
    assert not any(selected(form, "residency", v) for v in ("permanent", "temporary",
                                                            "floating"))
    assert c.post(f"/residents/declarations/{d.pk}/confirm/",
                  {"residency": ""}).status_code == 302
    assert residency_of(place.chen) == "floating"


def test_a_person_confirmed_at_their_own_address_is_not_asked_the_residency(place, web):
    declare(declaration(name="王伟", id_number=place.wang.id_number, room="101"))
    d = Declaration.objects.get()
    form = row(web("grid_a").get("/residents/declarations/").content.decode(),
               f"declaration-{d.pk}")
    assert 'name="residency"' not in form
