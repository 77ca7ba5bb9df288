"""A care package sent again with its event_id (a phone retrying, a form sent twice) is one
kit handed over — also a staff override, which no once-per-household rule stops."""

import uuid

import pytest

from firstline.accounts.models import AuditEntry
from firstline.assistance.models import PackageIssue, PackageKind
from firstline.assistance.services import package_issue, stock_receive
from firstline.operations.models import Stock
from tests.conftest import event_id_in, race

EVENT = "6e2d4c1a-8b3f-4a7e-9c5d-1f0e2d3c4b5a"


@pytest.fixture
def kit(world, cast, areas):
    kind = PackageKind.objects.create(name="九个一")
    stock_receive(kind=kind, area=areas.c1, quantity=10, actor=cast.staff_c1)
    return kind


def _post(api, world, kit, who="grid_a", **extra):
    return api(who).post("/api/v1/care-packages", {"household_id": world.h1.pk,
                                                   "kind_id": kit.pk, "event_id": EVENT,
                                                   **extra})


def test_a_package_sent_again_answers_the_first_and_takes_no_second_kit(api, world, kit):
    first = _post(api, world, kit)
    audits = AuditEntry.objects.count()
    again = _post(api, world, kit)
    assert (first.status_code, again.status_code) == (201, 200), again.content
    assert again.json() == first.json()
    assert PackageIssue.objects.count() == 1 and AuditEntry.objects.count() == audits
    assert Stock.objects.get().quantity == 9


def test_an_override_sent_again_is_one_second_kit(api, world, kit, cast):
    package_issue(kind=kit, household=world.h1, actor=cast.grid_a)
    first = _post(api, world, kit, who="staff_c1", override_reason="隔离延长7天")
    again = _post(api, world, kit, who="staff_c1", override_reason="隔离延长7天")
    assert (first.status_code, again.status_code) == (201, 200), again.content
    assert PackageIssue.objects.count() == 2 and Stock.objects.get().quantity == 8


def test_an_event_id_used_for_another_package_is_409(api, world, kit):
    assert _post(api, world, kit).status_code == 201
    r = _post(api, world, kit, household_id=world.h4.pk)  # another household of grid_a
    assert r.status_code == 409 and r.json()["error"] == "event_id_reused"
    assert PackageIssue.objects.count() == 1


def test_a_bad_event_id_is_422_naming_it(api, world, kit):
    r = _post(api, world, kit, event_id="not-a-uuid")
    assert r.status_code == 422 and "event_id" in r.content.decode()
    assert not PackageIssue.objects.exists()


def test_the_issue_form_sent_twice_is_one_kit_and_a_normal_answer(web, world, kit):
    client = web("grid_a")
    event = event_id_in(client.get("/assistance/stock/").content.decode())
    form = {"action": "issue", "household": world.h1.pk, "kind": kit.pk, "event_id": event}
    first = client.post("/assistance/stock/", form)
    again = client.post("/assistance/stock/", form)
    assert (first.status_code, again.status_code) == (302, 302)
    assert PackageIssue.objects.count() == 1 and Stock.objects.get().quantity == 9


@pytest.mark.django_db(transaction=True)
def test_the_same_package_sent_by_five_threads_at_once_is_one_kit(file_database, world, cast,
                                                                   areas):
    kind = PackageKind.objects.create(name="九个一")
    stock_receive(kind=kind, area=areas.c1, quantity=10, actor=cast.staff_c1)
    event = uuid.UUID(EVENT)

    def work(i):
        from firstline.accounts.models import User

        return package_issue(kind=kind, household=world.h1, event_id=event,
                             actor=User.objects.get(username="grid_a"))

    results = race(5, work)
    assert all(isinstance(r, PackageIssue) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert sorted(r.replayed for r in results) == [False] + [True] * 4
    assert PackageIssue.objects.count() == 1 and Stock.objects.get().quantity == 9
