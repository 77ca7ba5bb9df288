"""Disinfection: places derived from other apps' data (every compound's common areas, homes
under isolation, locked-down buildings, vacated quarantine rooms) plus staff's own; due and
overdue in local time, across midnight; a round takes a place off the list until next due."""

from datetime import date, timedelta

import pytest
import time_machine

from firstline import clock
from firstline.isolation import services as iso_services
from firstline.operations import selectors, services
from firstline.operations.models import Place, Round
from tests.conftest import local, make_household


def _due(api_client, **params):
    r = api_client.get("/api/v1/disinfection/due", **params)
    assert r.status_code == 200, r.content
    return r.json()["items"]


def _compounds_exist_since(moment):
    from firstline.people.models import Compound

    Compound.objects.update(created_at=moment)
    Place.objects.filter(kind="common_areas").update(created_at=moment)  # made by the fixture


def test_a_compound_has_its_common_areas_from_the_moment_it_exists(api, homes):
    items = _due(api("staff_c1"), area="C1")
    assert [(i["kind"], i["place"]) for i in items] == [("common_areas", "阳光花园 公共区域")]
    assert set(items[0]) >= {"place_id", "place", "kind", "due_at", "overdue"}


def test_a_round_takes_the_place_off_the_list_until_its_next_due_time(api, homes):
    with time_machine.travel(local(2026, 3, 1, 9), tick=False):
        [item] = _due(api("staff_c1"), area="C1")
        r = api("staff_c1").post("/api/v1/disinfection/rounds",
                                 {"place_id": item["place_id"], "agent": "84消毒液",
                                  "done_at": local(2026, 3, 1, 9).isoformat()})
        assert r.status_code == 201, r.content
        assert _due(api("staff_c1"), area="C1") == []
    with time_machine.travel(local(2026, 3, 1, 12, 1), tick=False):
        [item] = _due(api("staff_c1"), area="C1")
        assert item["overdue"] is False
        assert item["due_at"].startswith("2026-03-02T00:00:00+08:00")


@pytest.mark.time_sensitive
def test_common_areas_done_yesterday_afternoon_are_not_overdue_after_midnight(api, cast, homes):
    with time_machine.travel(local(2026, 2, 27, 12), tick=False):
        place = selectors.places_in_force(homes.c1.compound.area, on=date(2026, 2, 27)).get()
        Place.objects.filter(pk=place.pk).update(created_at=local(2026, 2, 27, 8))
    services.round_record(actor=cast.staff_c1, place=place, agent="84消毒液",
                          done_at=local(2026, 2, 28, 13), now=local(2026, 2, 28, 13))
    with time_machine.travel(local(2026, 3, 1, 0, 5), tick=False):
        [item] = _due(api("staff_c1"), area="C1")
    assert item["overdue"] is False
    assert item["due_at"].startswith("2026-03-01T12:00:00+08:00")


@pytest.mark.time_sensitive
def test_common_areas_last_done_yesterday_morning_are_overdue_after_midnight(api, cast, homes):
    with time_machine.travel(local(2026, 2, 27, 12), tick=False):
        place = selectors.places_in_force(homes.c1.compound.area, on=date(2026, 2, 27)).get()
        Place.objects.filter(pk=place.pk).update(created_at=local(2026, 2, 27, 8))
    services.round_record(actor=cast.staff_c1, place=place, agent="84消毒液",
                          done_at=local(2026, 2, 28, 11), now=local(2026, 2, 28, 11))
    with time_machine.travel(local(2026, 3, 1, 0, 5), tick=False):
        [item] = _due(api("staff_c1"), area="C1")
    assert item["overdue"] is True
    assert item["due_at"].startswith("2026-03-01T00:00:00+08:00")


@pytest.mark.time_sensitive
def test_overdue_at_23_59_when_the_morning_passed_without_a_round(api, homes):
    _compounds_exist_since(local(2026, 2, 28, 8))
    with time_machine.travel(local(2026, 3, 1, 23, 59), tick=False):
        [item] = _due(api("staff_c1"), area="C1")
    assert item["overdue"] is True
    assert item["due_at"].startswith("2026-03-01T12:00:00+08:00")


def test_twice_a_day_is_a_rule_with_an_effective_date(api, cast, homes):
    from firstline.rules.models import Rule

    _compounds_exist_since(local(2026, 2, 28, 8, 30))
    Rule.objects.create(key="disinfection.per_day", effective_from=date(2026, 3, 1),
                        value={"common_areas": 3}, source="test: three times a day")
    with time_machine.travel(local(2026, 2, 28, 9), tick=False):
        [before] = _due(api("staff_c1"), area="C1")
    place = Place.objects.get(key=f"common:{homes.c1.compound_id}")
    services.round_record(actor=cast.staff_c1, place=place, agent="84消毒液",
                          done_at=local(2026, 3, 1, 7), now=local(2026, 3, 1, 7))
    with time_machine.travel(local(2026, 3, 1, 9), tick=False):
        [after] = _due(api("staff_c1"), area="C1")
    # Twice a day until 28 Feb (00-12, 12-24); three times from 1 March (00-08, 08-16, 16-24).
    assert before["due_at"].startswith("2026-02-28T12:00:00+08:00")
    assert (after["due_at"][:25], after["overdue"]) == ("2026-03-01T16:00:00+08:00", False)


def test_a_home_under_isolation_is_a_place_due_daily(api, cast, homes):
    from tests.isolation.conftest import make_resident

    iso_services.isolation_start(resident=make_resident(homes.c1), kind="home",
                                 reason="close_contact", starts_on=clock.today(),
                                 actor=cast.staff_c1)
    items = _due(api("staff_c1"), area="C1")
    assert {i["kind"] for i in items} == {"common_areas", "isolated_home"}
    [home] = [i for i in items if i["kind"] == "isolated_home"]
    assert home["due_at"].startswith((clock.today() + timedelta(days=1)).isoformat())


def test_a_lockdown_adds_its_buildings_and_lifting_it_removes_them(api, cast, homes):
    lock = iso_services.lockdown_create(building=homes.c1.building,
                                        starts_on=clock.today(), days=3, actor=cast.staff_c1)
    kinds = [i["kind"] for i in _due(api("staff_c1"), area="C1")]
    assert "building" in kinds
    iso_services.lockdown_lift(lockdown=lock, actor=cast.staff_c1)
    kinds = [i["kind"] for i in _due(api("staff_c1"), area="C1")]
    assert "building" not in kinds


def test_staff_add_a_place(api):
    r = api("staff_c1").post("/api/v1/disinfection/places",
                             {"area": "C1", "kind": "lift", "name": "3栋电梯"})
    assert r.status_code == 201
    assert "3栋电梯" in [i["place"] for i in _due(api("staff_c1"), area="C1")]


def test_a_derived_kind_cannot_be_added_by_hand(api):
    r = api("staff_c1").post("/api/v1/disinfection/places",
                             {"area": "C1", "kind": "common_areas", "name": "x"})
    assert r.status_code == 422 and "kind" in r.json()["detail"]


def test_another_communitys_places_are_404(api, homes):
    assert api("staff_c1").get("/api/v1/disinfection/due", area="C2").status_code == 404
    [c2] = _due(api("staff_c2"), area="C2")
    r = api("staff_c1").post("/api/v1/disinfection/rounds",
                             {"place_id": c2["place_id"], "agent": "84消毒液"})
    assert r.status_code == 404
    r = api("staff_c1").post("/api/v1/disinfection/places",
                             {"area": "C2", "kind": "lift", "name": "电梯"})
    assert r.status_code == 404


def test_the_due_list_needs_operations_work(api, homes):
    assert api("gate_c1").get("/api/v1/disinfection/due", area="C1").status_code == 403


def test_a_round_without_an_agent_is_422_naming_it(api, homes):
    [item] = _due(api("staff_c1"), area="C1")
    r = api("staff_c1").post("/api/v1/disinfection/rounds",
                             {"place_id": item["place_id"], "agent": " "})
    assert r.status_code == 422 and "agent" in r.json()["detail"]
    assert Round.objects.count() == 0


def test_a_round_dated_in_the_future_is_corrected(api, homes):
    [item] = _due(api("staff_c1"), area="C1")
    r = api("staff_c1").post("/api/v1/disinfection/rounds", {
        "place_id": item["place_id"], "agent": "84消毒液",
        "done_at": (clock.now() + timedelta(hours=3)).isoformat()})
    assert r.status_code == 201 and r.json()["clock"] == "corrected"
    assert Round.objects.get().done_at <= clock.now()


def test_hq_sees_overdue_places_of_every_community(api, homes):
    _compounds_exist_since(local(2026, 2, 28, 8))
    with time_machine.travel(local(2026, 3, 1, 12, 30), tick=False):
        items = _due(api("hq"), area="99000101", overdue="true")
    assert sorted(i["area"] for i in items) == ["C1", "C2"]
    assert all(i["overdue"] for i in items)


def test_a_vacated_quarantine_room_is_due_once_and_its_round_makes_it_available(
        api, cast, areas):
    from firstline.isolation.models import QuarantineSite, Room, RoomStatus, RoomStay

    site = QuarantineSite.objects.create(area=areas.c1, name="如家酒店")
    room = Room.objects.create(site=site, number="201", status=RoomStatus.CLEANING)
    assert not RoomStay.objects.filter(room=room).exists()
    services.places_refresh()  # made through the ORM: the scheduled refresh makes its place
    items = [i for i in _due(api("staff_c1"), area="C1") if i["kind"] == "quarantine_room"]
    assert [i["place"] for i in items] == ["如家酒店 201"]
    r = api("staff_c1").post("/api/v1/disinfection/rounds",
                             {"place_id": items[0]["place_id"], "agent": "过氧乙酸"})
    assert r.status_code == 201
    room.refresh_from_db()
    assert room.status == RoomStatus.AVAILABLE
    assert not [i for i in _due(api("staff_c1"), area="C1") if i["kind"] == "quarantine_room"]


def test_a_grid_worker_records_a_round_at_an_isolated_home_of_their_grid(api, cast, homes):
    from tests.isolation.conftest import make_resident

    iso_services.isolation_start(resident=make_resident(homes.c1), kind="home",
                                 reason="close_contact", starts_on=clock.today(),
                                 actor=cast.staff_c1)
    [home] = _due(api("grid_a"), area="G1a")
    assert home["kind"] == "isolated_home" and home["area"] == "G1a"
    r = api("grid_a").post("/api/v1/disinfection/rounds", {"place_id": home["place_id"],
                                                          "agent": "84消毒液"})
    assert r.status_code == 201


# --- places are made by writes, never by a read -------------------------------------------

def _writes(run):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        run()
    # The bearer token's "last used" stamp is the API's bookkeeping, not the board's. The
    # prepared statements (firstline.db.prepared_cursor: the token lookup, on PostgreSQL) are
    # recorded without their text (None); on these pages that is only the token lookup.
    return [q["sql"] for q in ctx.captured_queries
            if (q["sql"] or "").lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
            and "accounts_apitoken" not in q["sql"]]


def test_listing_the_board_writes_no_rows(api, web, cast, areas):
    make_household(areas.g1a, compound_name="新建小区")  # through the ORM: no event
    staff = api("staff_c1")
    assert _writes(lambda: staff.get("/api/v1/disinfection/due", area="C1")) == []
    page = web("staff_c1")
    assert _writes(lambda: page.get("/operations/disinfection/?area=C1")) == []
    assert _writes(lambda: api("hq").get("/api/v1/reports/daily", area="99000101")) == []
    assert not Place.objects.exists()
    # ...until the worker's hourly refresh (or an event) makes it.
    from firstline.operations.tasks import places_refresh_task
    from firstline.worker import SCHEDULE

    assert "firstline.operations.tasks.places_refresh_task" in {p.task for p in SCHEDULE}
    assert places_refresh_task.call() >= 1
    assert [i["place"] for i in _due(staff, area="C1")] == ["新建小区 公共区域"]


def test_an_imported_compound_has_its_common_areas_before_anyone_looks(areas, tmp_path):
    from firstline.people.services import residents_import
    from tests.residents.conftest import id_number

    roster = tmp_path / "roster.csv"
    roster.write_text("姓名,身份证号,手机号,网格,小区,楼栋,单元,房号,人员类型,备注\n"
                      f"张三,{id_number(1)},,G1a,幸福家园,1,1,101,常住,\n", encoding="utf-8")
    assert residents_import(roster).imported == 1
    assert list(Place.objects.values_list("kind", "name")) == [
        ("common_areas", "幸福家园 公共区域")]


def test_an_isolation_and_a_lockdown_make_their_places_when_they_happen(cast, areas):
    from tests.isolation.conftest import make_resident

    household = make_household(areas.g1a)
    iso_services.isolation_start(resident=make_resident(household), kind="home",
                                 reason="close_contact", starts_on=clock.today(),
                                 actor=cast.staff_c1)
    assert Place.objects.filter(kind="isolated_home", household=household).exists()
    iso_services.lockdown_create(building=household.building, starts_on=clock.today(), days=3,
                                 actor=cast.staff_c1)
    assert Place.objects.filter(kind="building", building=household.building).exists()


# --- a place is one row per name in its community ---------------------------------------------

def test_a_place_added_twice_is_409_duplicate(api):
    body = {"area": "C1", "kind": "lift", "name": "3栋电梯"}
    assert api("staff_c1").post("/api/v1/disinfection/places", body).status_code == 201
    r = api("staff_c1").post("/api/v1/disinfection/places", body)
    assert r.status_code == 409, r.content
    assert r.json()["error"] == "duplicate" and "3栋电梯" in r.json()["detail"]
    assert Place.objects.filter(name="3栋电梯").count() == 1


def test_the_same_name_in_another_community_is_another_place(api):
    body = {"kind": "lift", "name": "3栋电梯"}
    assert api("staff_c1").post("/api/v1/disinfection/places",
                                {**body, "area": "C1"}).status_code == 201
    assert api("staff_c2").post("/api/v1/disinfection/places",
                                {**body, "area": "C2"}).status_code == 201


def test_the_database_holds_one_staff_place_per_name(areas):
    from django.db import IntegrityError, transaction

    Place.objects.create(area=areas.c1, kind="lift", name="3栋电梯")
    with pytest.raises(IntegrityError), transaction.atomic():
        Place.objects.create(area=areas.c1, kind="lift", name="3栋电梯")


@pytest.mark.django_db(transaction=True)
def test_the_same_place_added_at_once_is_one_place(file_database, cast, areas):
    from firstline.errors import RuleViolation

    from ..conftest import race

    def work(i):
        from firstline.accounts.models import User

        return services.place_create(actor=User.objects.get(username="staff_c1"),
                                     area=areas.c1, kind="lift", name="3栋电梯")

    results = race(4, work)
    made = [r for r in results if isinstance(r, Place)]
    refused = [r for r in results if isinstance(r, RuleViolation) and r.code == "duplicate"]
    assert (len(made), len(refused)) == (1, 3), results
    assert Place.objects.filter(area=areas.c1, name="3栋电梯").count() == 1


# --- a filter that names nothing is a 404 ------------------------------------------------------

def test_rounds_of_an_unknown_or_unseen_place_are_404(api, homes):
    [c2] = _due(api("staff_c2"), area="C2")
    [c1] = _due(api("staff_c1"), area="C1")
    staff = api("staff_c1")
    assert staff.get("/api/v1/disinfection/rounds", place=-1).status_code == 404
    assert staff.get("/api/v1/disinfection/rounds", place=c2["place_id"]).status_code == 404
    assert staff.get("/api/v1/disinfection/rounds", place=c1["place_id"]).status_code == 200


@pytest.mark.hour_free
@pytest.mark.django_db(transaction=True)
def test_places_added_twice_before_the_rule_are_renamed_not_lost(cast, areas):
    """Migration 0007: duplicates made before the constraint keep their rounds; the later
    ones get their id after the name. Names and pks only, no hour:
    the whole suite runs it, not each pinned hour (pinned.py: hour_free)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("operations", "0006_working_groups")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    OldPlace = executor.loader.project_state(before).apps.get_model("operations", "Place")
    first = OldPlace.objects.create(area_id=areas.c1.pk, kind="lift", name="3栋电梯")
    second = OldPlace.objects.create(area_id=areas.c1.pk, kind="lift", name="3栋电梯")
    other = OldPlace.objects.create(area_id=areas.c2.pk, kind="lift", name="3栋电梯")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    names = dict(Place.objects.filter(pk__in=[first.pk, second.pk, other.pk])
                 .values_list("pk", "name"))
    assert names == {first.pk: "3栋电梯", second.pk: f"3栋电梯 ({second.pk})",
                     other.pk: "3栋电梯"}


@pytest.mark.hour_free
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("long", ["阳光花园三号楼东侧地下车库电梯" * 6 + "旁边的消防通道", "电梯"],
                         ids=["cut", "short"])
def test_a_place_renamed_to_a_name_already_held_takes_the_next_free_one(cast, areas, long):
    """Migration 0007: "name (id)" may be another place's name already — a place really
    named so, or a long name once cut to 90 characters; the renamed place then takes
    "(id-2)", and the place holding the name keeps it, whichever sorts first. Names and pks
    only, no hour: the whole suite runs it, not each pinned hour (pinned.py: hour_free)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("operations", "0006_working_groups")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    OldPlace = executor.loader.project_state(before).apps.get_model("operations", "Place")
    first = OldPlace.objects.create(area_id=areas.c1.pk, kind="lift", name=long)
    second = OldPlace.objects.create(area_id=areas.c1.pk, kind="lift", name=long)
    holder = OldPlace.objects.create(area_id=areas.c1.pk, kind="lift",
                                     name=f"{long[:90]} ({second.pk})")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    names = dict(Place.objects.filter(pk__in=[first.pk, second.pk, holder.pk])
                 .values_list("pk", "name"))
    assert names == {first.pk: long, second.pk: f"{long[:90]} ({second.pk}-2)",
                     holder.pk: f"{long[:90]} ({second.pk})"}
