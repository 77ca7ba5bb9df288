"""The stock page's history words where a care kit or a correction went in the reader's
language: the movement records the household (or that it was a correction) as data, never
words baked in when it was written."""

import pytest

from firstline.assistance.models import PackageKind
from firstline.assistance.services import package_issue, stock_receive
from firstline.operations.models import Movement
from firstline.operations.selectors import movement_to_words


@pytest.fixture
def kit(db):
    return PackageKind.objects.create(name="九个一", contents="联系卡、体温计、口罩")


def _history(web, lang):
    html = web("staff_c1", lang).get("/operations/stock/").content.decode()
    return html.split('id="history"', 1)[1]


def test_a_kit_issue_names_its_household_by_address_in_the_readers_language(
        world, cast, kit, areas, web):
    stock_receive(kind=kit, area=areas.c1, quantity=2, actor=cast.staff_c1)
    package_issue(kind=kit, household=world.h1, actor=cast.grid_a)
    issue = Movement.objects.get(kind="issue")
    assert (issue.purpose, issue.household, issue.to) == ("care_kit", world.h1, "")
    zh, en = _history(web, "zh-hans"), _history(web, "en")
    assert f"发给 {world.h1.address}" in zh and "household" not in zh
    assert f"to {world.h1.address}" in en and "→" not in en


def test_a_kit_issue_read_outside_the_households_grid_shows_compound_and_building_only(
        world, cast, kit, areas):
    stock_receive(kind=kit, area=areas.c1, quantity=1, actor=cast.staff_c1)
    package_issue(kind=kit, household=world.h1, actor=cast.grid_a)
    issue = Movement.objects.get(kind="issue")
    h = world.h1
    shown = movement_to_words(issue, people_paths=[])
    assert shown == h.address_of(h.compound.name, h.building_name, "", "")
    assert h.room and f"{h.room}室" not in shown
    assert movement_to_words(issue, people_paths=[areas.c1.path]) == h.address


def test_a_correction_is_worded_for_the_reader_and_its_note_stays_as_typed(
        world, cast, kit, areas, web):
    stock_receive(kind=kit, area=areas.c1, quantity=5, actor=cast.staff_c1)
    stock_receive(kind=kit, area=areas.c1, quantity=-1, actor=cast.staff_c1, note="盘点少一套")
    stock_receive(kind=kit, area=areas.c1, quantity=-1, actor=cast.staff_c1)
    assert list(Movement.objects.filter(kind="issue").order_by("pk")
                .values_list("purpose", "to")) == [("correction", "盘点少一套"),
                                                   ("correction", "")]
    zh, en = _history(web, "zh-hans"), _history(web, "en")
    assert "<br>更正：盘点少一套" in zh and "<br>更正\n" in zh
    assert "<br>correction: 盘点少一套" in en and "<br>correction\n" in en
