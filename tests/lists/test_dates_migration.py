"""Migration 0006: days outside 1900..2199 stored before every path refused them (a list's
deadline=9999-12-31 from the API, a return date 0001-01-01 from the answer form, a case or a
sample dated year 1 from the cases page) are fixed, and the reads that answered 500 answer."""

from datetime import UTC, date, datetime

import pytest

AT = datetime(2026, 3, 1, 2, tzinfo=UTC)


@pytest.mark.django_db(transaction=True)
def test_dates_out_of_range_are_emptied_or_clamped_and_read_again(roster, api):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from firstline.lists.models import Case, Checklist, TestResult, Verification

    before = [("lists", "0005_verification_source")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldChecklist = old.get_model("lists", "Checklist")
    OldRow = old.get_model("lists", "ChecklistRow")
    OldVerification = old.get_model("lists", "Verification")
    OldCase = old.get_model("lists", "Case")
    OldTest = old.get_model("lists", "TestResult")

    def checklist(deadline, digest):
        return OldChecklist.objects.create(source="县防控办", filename="l.csv", digest=digest,
                                           area_id=roster.fang.grid.parent_id,
                                           deadline=deadline, columns=["姓名"], mapping={},
                                           rows=1, matched_by_id=1, created_at=AT)

    far = checklist(date(9999, 12, 31), "a")
    early = checklist(date(1, 1, 1), "b")
    fine = checklist(date(2199, 12, 31), "c")
    item = OldVerification.objects.create(resident_id=roster.fang.pk,
                                          grid_id=roster.fang.grid_id, due=date(1, 1, 1),
                                          created_at=AT)
    answered = OldVerification.objects.create(
        resident_id=roster.wang.pk, grid_id=roster.wang.grid_id, due=date(2026, 3, 5),
        status="done", result="reached", returned_on=date(1, 1, 1), created_at=AT)
    OldRow.objects.create(checklist_id=early.pk, number=1, values=["王芳"], name="王芳",
                          resident_id=roster.fang.pk, matched_by="id", verification_id=item.pk)
    case = OldCase.objects.create(resident_id=roster.li.pk, grid_id=roster.li.grid_id,
                                  status="suspected", on=date(1, 1, 1), created_at=AT)
    late = OldCase.objects.create(resident_id=roster.liu.pk, grid_id=roster.liu.grid_id,
                                  status="suspected", on=date(9999, 12, 31), created_at=AT)
    test = OldTest.objects.create(resident_id=roster.li.pk, grid_id=roster.li.grid_id,
                                  sampled_on=date(1, 1, 1), result="negative", created_at=AT)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    deadlines = dict(Checklist.objects.values_list("pk", "deadline"))
    assert deadlines == {far.pk: None, early.pk: None, fine.pk: date(2199, 12, 31)}
    assert Verification.objects.get(pk=item.pk).due is None
    kept = Verification.objects.get(pk=answered.pk)
    assert (kept.due, kept.returned_on, kept.status) == (date(2026, 3, 5), None, "done")
    assert Case.objects.get(pk=case.pk).on == date(1900, 1, 1)
    assert Case.objects.get(pk=late.pk).on == date(2199, 12, 31)
    assert TestResult.objects.get(pk=test.pk).sampled_on == date(1900, 1, 1)

    hq = api("hq")
    assert hq.get(f"/api/v1/checklists/{early.pk}").status_code == 200
    for status in ("open", "overdue", "done", "all"):
        r = hq.get("/api/v1/verifications", area="99000101", status=status)
        assert r.status_code == 200, (status, r.content)
    assert hq.get("/api/v1/cases").status_code == 200
