"""One person, one call: one open item however many lists name them; one outcome answers
them all; two workers at once record one outcome; findings open alerts."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from firstline import clock
from firstline.errors import RuleViolation
from firstline.isolation.models import Alert
from firstline.lists import selectors
from firstline.lists.models import ChecklistRow, Verification
from firstline.lists.services import checklist_import, verification_answer

from ..conftest import race
from .conftest import write_csv

pytestmark = pytest.mark.time_sensitive  # today's date, deadlines, overdue


def two_lists(roster, tmp_path):
    a = write_csv(tmp_path / "rail.csv", ["姓名", "身份证号"],
                  [["王芳", roster.fang.id_number], ["刘洋", roster.liu.id_number]])
    b = write_csv(tmp_path / "health.csv", ["联系人", "电话", "住址"],
                  [["王芳", "139 0000 2222", ""]])
    first = checklist_import(path=a, source="铁路部门", deadline=date(2030, 3, 5))
    second = checklist_import(path=b, source="卫健委", deadline=date(2030, 3, 3),
                              mapping={"name": 0, "phone": 1})
    return first.checklist, second.checklist


def test_a_person_on_two_lists_from_two_senders_is_one_item(roster, tmp_path):
    rail, health = two_lists(roster, tmp_path)
    items = Verification.objects.filter(resident=roster.fang)
    assert items.count() == 1
    item = items.get()
    assert selectors.checklists_of([item])[item.pk] == sorted([rail.pk, health.pk])
    assert item.due == date(2030, 3, 3)  # the earliest deadline


def test_twice_on_one_list_is_one_item(roster, tmp_path):
    path = write_csv(tmp_path / "l.csv", ["姓名", "身份证号"],
                     [["王芳", roster.fang.id_number], ["王芳", roster.fang.id_number]])
    checklist_import(path=path, source="x")
    assert Verification.objects.filter(resident=roster.fang).count() == 1


def test_the_item_goes_to_the_grid_worker_of_the_household(roster, tmp_path, cast):
    two_lists(roster, tmp_path)
    assert Verification.objects.get(resident=roster.fang).worker == cast.grid_a
    assert Verification.objects.get(resident=roster.liu).worker == cast.grid_b


def test_one_outcome_answers_every_list(roster, tmp_path, cast):
    rail, health = two_lists(roster, tmp_path)
    item = Verification.objects.get(resident=roster.fang)
    verification_answer(verification=item, result="reached", temperature="36.6",
                        actor=cast.grid_a)
    rows = ChecklistRow.objects.filter(resident=roster.fang)
    assert {r.checklist_id for r in rows} == {rail.pk, health.pk}
    assert all(r.verification.status == "done" and r.verification.result == "reached"
               for r in rows)


def test_the_database_allows_one_open_item_per_resident(roster, tmp_path):
    from django.db import IntegrityError, transaction

    two_lists(roster, tmp_path)
    with pytest.raises(IntegrityError), transaction.atomic():
        Verification.objects.create(resident=roster.fang, grid=roster.fang.grid,
                                    created_at=clock.now())


def test_a_new_list_after_the_answer_opens_a_new_item(roster, tmp_path, cast):
    two_lists(roster, tmp_path)
    verification_answer(verification=Verification.objects.get(resident=roster.fang),
                        result="reached", actor=cast.grid_a)
    path = write_csv(tmp_path / "later.csv", ["姓名", "身份证号"], [["王芳", roster.fang.id_number]])
    checklist_import(path=path, source="公安")
    assert Verification.objects.filter(resident=roster.fang, status="open").count() == 1
    assert Verification.objects.filter(resident=roster.fang).count() == 2


def test_a_second_answer_is_refused(roster, tmp_path, cast):
    two_lists(roster, tmp_path)
    item = Verification.objects.get(resident=roster.fang)
    verification_answer(verification=item, result="reached", actor=cast.grid_a)
    with pytest.raises(RuleViolation) as exc:
        verification_answer(verification=item, result="unreachable", actor=cast.grid_a)
    assert exc.value.code == "already_answered"
    assert Verification.objects.get(pk=item.pk).result == "reached"


def test_another_grids_worker_cannot_answer(roster, tmp_path, cast):
    two_lists(roster, tmp_path)
    item = Verification.objects.get(resident=roster.fang)
    with pytest.raises(RuleViolation) as exc:
        verification_answer(verification=item, result="reached", actor=cast.grid_b)
    assert exc.value.status == 404


def test_a_fever_on_the_call_opens_a_fever_alert_that_says_the_call(roster, tmp_path, cast):
    """Nobody visited: not `door_fever` (入户摸排发热), the plain `fever`, its detail naming
    the verification call."""
    from django.utils import translation

    two_lists(roster, tmp_path)
    item = Verification.objects.get(resident=roster.fang)
    verification_answer(verification=item, result="reached", temperature="38.1",
                        actor=cast.grid_a)
    alert = Alert.objects.get(resident=roster.fang)
    assert alert.kind == "fever" and alert.area == roster.fang.grid
    assert alert.owner == cast.grid_a
    with translation.override("zh-hans"):
        assert alert.display_detail == "38.1 °C，核查电话中发现"
    with translation.override("en"):
        assert alert.display_detail == "38.1 °C, found on a verification call (核查)"


@pytest.mark.time_sensitive
def test_a_return_from_a_listed_risk_area_within_the_period_opens_risk_return(roster, tmp_path,
                                                                            cast):
    from firstline.people.models import RiskArea

    today = clock.today()
    RiskArea.objects.create(province="湖北省", city="武汉市", level="high",
                            since=today - timedelta(days=30))
    two_lists(roster, tmp_path)
    item = Verification.objects.get(resident=roster.fang)
    verification_answer(verification=item, result="reached", from_province="湖北省",
                        from_city="武汉市", returned_on=today - timedelta(days=3),
                        actor=cast.grid_a)
    assert Alert.objects.filter(resident=roster.fang, kind="risk_return").count() == 1


def test_a_return_long_ago_opens_nothing(roster, tmp_path, cast):
    from firstline.people.models import RiskArea

    today = clock.today()
    RiskArea.objects.create(province="湖北省", city="武汉市", since=today - timedelta(days=90))
    two_lists(roster, tmp_path)
    verification_answer(verification=Verification.objects.get(resident=roster.fang),
                        result="reached", from_province="湖北省", from_city="武汉市",
                        returned_on=today - timedelta(days=40), actor=cast.grid_a)
    assert not Alert.objects.exists()


def test_a_recent_screening_visit_is_offered_as_the_answer(roster, tmp_path, cast):
    from firstline.people.services import screening_visit_record

    screening_visit_record(actor=cast.grid_a, household=roster.h1,
                 people=[{"resident": roster.fang, "temperature": "36.4"}])
    two_lists(roster, tmp_path)
    fact = selectors.recent_fact(roster.fang)
    assert fact["kind"] == "visit" and fact["temperature"] == Decimal("36.4")
    assert selectors.recent_fact(roster.wang) is None


@pytest.mark.django_db(transaction=True)
def test_concurrent_outcomes_on_one_item_record_one(file_database, roster, tmp_path, cast):
    two_lists(roster, tmp_path)
    item = Verification.objects.get(resident=roster.fang)
    results = ["reached", "unreachable", "not_living_here", "moved_out"] * 2

    def work(i):
        try:
            verification_answer(verification=Verification.objects.get(pk=item.pk),
                                result=results[i], actor=cast.grid_a)
            return "ok"
        except RuleViolation as exc:
            return exc.code

    outcomes = race(8, work)
    assert sorted(outcomes) == ["already_answered"] * 7 + ["ok"]
    from firstline.accounts.models import AuditEntry

    assert AuditEntry.objects.filter(action="verification.answer").count() == 1


@pytest.mark.django_db(transaction=True)
def test_overlapping_lists_imported_at_once_make_one_item_each(file_database, roster, tmp_path):
    paths = [write_csv(tmp_path / f"l{i}.csv", ["姓名", "身份证号", "序"],
                       [["王芳", roster.fang.id_number, str(i)],
                        ["刘洋", roster.liu.id_number, str(i)]]) for i in range(4)]

    def work(i):
        return checklist_import(path=paths[i], source=f"部门{i}").rows

    assert race(4, work) == [2, 2, 2, 2]
    assert Verification.objects.filter(resident=roster.fang, status="open").count() == 1
    assert Verification.objects.filter(resident=roster.liu, status="open").count() == 1
    assert ChecklistRow.objects.filter(resident=roster.fang).values(
        "verification").distinct().count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_file_imported_at_once_is_one_list(file_database, roster, tmp_path):
    from firstline.lists.models import Checklist

    path = write_csv(tmp_path / "same.csv", ["姓名", "身份证号"],
                     [["王芳", roster.fang.id_number], ["刘洋", roster.liu.id_number]])

    def work(i):
        return checklist_import(path=path, source="卫健委").checklist.pk

    ids = race(4, work)
    assert all(isinstance(i, int) for i in ids), ids
    assert len(set(ids)) == 1
    assert Checklist.objects.count() == 1
    assert ChecklistRow.objects.count() == 2
    assert Verification.objects.filter(status="open").count() == 2
