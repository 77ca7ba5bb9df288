"""The disinfection board: staff add a place (place_create, as the API) with errors beside
the fields; the board groups places by compound, the group of the next round to do first."""

import re

import time_machine

from firstline.operations import services
from firstline.operations.models import Place
from firstline.people.models import Compound
from tests.conftest import local


def test_staff_add_a_lift_from_the_board_and_it_is_due(web, cast, areas):
    sun = Compound.objects.create(area=areas.c1, name="阳光花园")
    page = web("staff_c1", "en")
    r = page.post("/operations/disinfection/?area=C1", {
        "action": "place", "kind": "lift", "name": "1栋电梯", "compound": sun.pk}, follow=True)
    p = Place.objects.get(name="1栋电梯")
    assert (p.kind, p.area, p.compound, p.created_by) == ("lift", areas.c1, sun, cast.staff_c1)
    html = r.content.decode()
    assert "Place added: 1栋电梯" in html and f'data-place="{p.pk}"' in html


def test_a_name_taken_is_said_beside_the_name_as_typed(web, cast, areas):
    services.place_create(actor=cast.staff_c1, area=areas.c1, kind="rubbish", name="东门垃圾点")
    r = web("staff_c1").post("/operations/disinfection/?area=C1", {
        "action": "place", "kind": "rubbish", "name": "东门垃圾点"})
    html = r.content.decode()
    assert r.status_code == 422
    assert re.search(r'<label class="field">点位名称<[^>]*>.*?<span class="error"[^>]*>'
                     r'[^<]*东门垃圾点', html, re.S)
    assert 'id="new-place" open' in html
    assert Place.objects.filter(name="东门垃圾点").count() == 1


def test_a_derived_kind_cannot_be_added_by_hand(web, cast, areas):
    r = web("staff_c1").post("/operations/disinfection/?area=C1", {
        "action": "place", "kind": "isolated_home", "name": "3栋101"})
    assert r.status_code == 422
    assert not Place.objects.exists()


def test_a_grid_worker_gets_no_form_and_cannot_add(web, cast, areas):
    page = web("grid_a")
    assert "new-place" not in page.get("/operations/disinfection/").content.decode()
    r = page.post("/operations/disinfection/", {"action": "place", "kind": "lift",
                                                "name": "电梯"})
    assert r.status_code == 403 and not Place.objects.exists()


def test_staff_cannot_add_a_place_in_another_community(web, cast, areas):
    r = web("staff_c1").post("/operations/disinfection/?area=C2", {
        "action": "place", "kind": "lift", "name": "电梯"})
    assert r.status_code == 404 and not Place.objects.exists()


def test_the_board_groups_places_by_compound_the_most_urgent_group_first(web, cast, areas):
    x = Compound.objects.create(area=areas.c1, name="幸福小区")
    y = Compound.objects.create(area=areas.c1, name="阳光花园")
    with time_machine.travel(local(2020, 2, 10, 8), tick=False):
        for compound, name in ((x, "幸福小区 1栋电梯"), (y, "阳光花园 1栋电梯")):
            services.place_create(actor=cast.staff_c1, area=areas.c1, kind="lift", name=name,
                                  compound=compound)
    with time_machine.travel(local(2020, 2, 10, 13), tick=False):
        # Added now: due by midnight, not overdue; alone it would come after both lifts.
        services.place_create(actor=cast.staff_c1, area=areas.c1, kind="rubbish",
                              name="幸福小区 垃圾点", compound=x)
        html = web("staff_c1").get("/operations/disinfection/?area=C1").content.decode()
    order = [html.index(n) for n in ("幸福小区 1栋电梯", "幸福小区 垃圾点", "阳光花园 1栋电梯")]
    assert order == sorted(order)
    assert html.count('<details class="compound"') == 2
