"""The Django admin's resident change page shows the ID number masked (audit F4); a new one
replaces it only when typed into the blank "New ID number" field."""

import random

from firstline.demo.fake import fake_id_number
from firstline.people.models import Resident
from firstline.people.services import mask_id_number

NEW_ID = fake_id_number(random.Random(77), serial=9)


def _payload(r, **changes):
    data = {"name": r.name, "new_id_number": "", "sex": r.sex,
            "birth_date": r.birth_date.isoformat(), "phone": r.phone, "residency": r.residency,
            "grid": r.grid_id, "household": r.household_id, "note": r.note,
            "created_at_0": r.created_at.strftime("%Y-%m-%d"), "created_at_1": "08:00:00",
            "updated_at_0": r.updated_at.strftime("%Y-%m-%d"), "updated_at_1": "08:00:00",
            "placements-TOTAL_FORMS": "0", "placements-INITIAL_FORMS": "0",
            "placements-MIN_NUM_FORMS": "0", "placements-MAX_NUM_FORMS": "1000"}
    data.update(changes)
    return data


def _url(r):
    return f"/admin/people/resident/{r.pk}/change/"


def test_the_change_page_shows_the_id_number_masked_only(web, roster):
    html = web("admin", "en").get(_url(roster.a1)).content.decode()
    assert mask_id_number(roster.a1.id_number) in html
    assert roster.a1.id_number not in html and "New ID number" in html


def test_saving_with_the_new_id_number_blank_keeps_the_id_number(web, roster):
    before = roster.a1.id_number
    r = web("admin", "en").post(_url(roster.a1), _payload(roster.a1, note="改过"))
    assert r.status_code == 302, r.content.decode()[:2000]
    roster.a1.refresh_from_db()
    assert (roster.a1.id_number, roster.a1.note) == (before, "改过")


def test_a_typed_new_id_number_replaces_it(web, roster):
    r = web("admin", "en").post(_url(roster.a1), _payload(roster.a1, new_id_number=NEW_ID))
    assert r.status_code == 302
    roster.a1.refresh_from_db()
    assert roster.a1.id_number == NEW_ID


def test_a_mistyped_new_id_number_is_refused_and_changes_nothing(web, roster):
    before = roster.a1.id_number
    bad = NEW_ID[:-1] + ("1" if NEW_ID[-1] != "1" else "2")
    r = web("admin", "en").post(_url(roster.a1), _payload(roster.a1, new_id_number=bad))
    assert r.status_code == 200 and "check digit" in r.content.decode()
    assert Resident.objects.get(pk=roster.a1.pk).id_number == before


def test_another_residents_id_number_is_refused(web, roster):
    r = web("admin", "en").post(_url(roster.a1),
                                _payload(roster.a1, new_id_number=roster.a2.id_number))
    assert r.status_code == 200
    assert "Another resident already has this ID number" in r.content.decode()
    assert Resident.objects.get(pk=roster.a1.pk).id_number != roster.a2.id_number
