import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from firstline.assistance.models import PackageIssue, PackageKind
from firstline.assistance.services import package_issue, stock_receive
from firstline.errors import InvalidInput, RuleViolation
from firstline.operations.models import Movement, Stock

from ..conftest import race
from .conftest import make_household

NINE = "九个一 (联系卡、倡议书、慰问信、体温计、消毒液、口罩、米、油、蔬菜)"


@pytest.fixture
def kit(db):
    return PackageKind.objects.create(name="九个一", contents=NINE)


def test_receiving_stock_adds_and_records_a_movement(world, cast, kit, areas):
    stock = stock_receive(kind=kit, area=areas.c1, quantity=20, actor=cast.staff_c1,
                          note="区民政局调拨")
    stock = stock_receive(kind=kit, area=areas.c1, quantity=5, actor=cast.staff_c1)
    assert stock.quantity == 25
    # One stock model: the kit is an operations item in the community's own store.
    assert (stock.item.package_kind, stock.store.area, stock.store.kind) == (kit, areas.c1,
                                                                             "community")
    assert list(Movement.objects.values_list("kind", "delta").order_by("pk")) == [
        ("receive", 20), ("receive", 5)]


def test_a_correction_cannot_take_stock_below_zero(world, cast, kit, areas):
    stock_receive(kind=kit, area=areas.c1, quantity=3, actor=cast.staff_c1)
    with pytest.raises(RuleViolation):
        stock_receive(kind=kit, area=areas.c1, quantity=-4, actor=cast.staff_c1)
    assert Stock.objects.get().quantity == 3


def test_stock_is_held_by_a_street_or_community_only(world, cast, kit, areas):
    with pytest.raises(InvalidInput):
        stock_receive(kind=kit, area=areas.g1a, quantity=3, actor=cast.staff_c1)


def test_grid_worker_cannot_receive_stock(world, cast, kit, areas):
    with pytest.raises(PermissionDenied):
        stock_receive(kind=kit, area=areas.c1, quantity=3, actor=cast.grid_a)


def test_staff_cannot_stock_another_community(world, cast, kit, areas):
    with pytest.raises(Http404):
        stock_receive(kind=kit, area=areas.c2, quantity=3, actor=cast.staff_c1)


def test_issuing_takes_one_from_the_community_stock_first(world, cast, kit, areas):
    stock_receive(kind=kit, area=areas.c1, quantity=2, actor=cast.staff_c1)
    stock_receive(kind=kit, area=areas.street, quantity=10, actor=cast.hq)
    issue = package_issue(kind=kit, household=world.h1, actor=cast.grid_a)
    assert issue.store.area == areas.c1
    assert Stock.objects.get(store__area=areas.c1).quantity == 1
    assert Movement.objects.filter(stock__store__area=areas.c1, kind="issue").count() == 1


def test_when_the_community_runs_out_the_street_stock_is_used(world, cast, kit, areas):
    stock_receive(kind=kit, area=areas.street, quantity=10, actor=cast.hq)
    issue = package_issue(kind=kit, household=world.h1, actor=cast.grid_a)
    assert issue.store.area == areas.street
    assert Stock.objects.get(store__area=areas.street).quantity == 9


def test_no_stock_is_insufficient_stock(world, cast, kit, areas):
    stock_receive(kind=kit, area=areas.c2, quantity=10, actor=cast.staff_c2)  # not C1's
    with pytest.raises(RuleViolation) as exc:
        package_issue(kind=kit, household=world.h1, actor=cast.grid_a)
    assert exc.value.code == "insufficient_stock"


def test_a_household_gets_a_kit_once(world, cast, kit, areas):
    stock_receive(kind=kit, area=areas.c1, quantity=10, actor=cast.staff_c1)
    package_issue(kind=kit, household=world.h1, actor=cast.grid_a)
    with pytest.raises(RuleViolation) as exc:
        package_issue(kind=kit, household=world.h1, actor=cast.grid_a)
    assert exc.value.code == "already_issued"
    assert Stock.objects.get().quantity == 9


def test_staff_override_with_a_reason_issues_a_second_kit(world, cast, kit, areas):
    stock_receive(kind=kit, area=areas.c1, quantity=10, actor=cast.staff_c1)
    package_issue(kind=kit, household=world.h1, actor=cast.grid_a)
    with pytest.raises(PermissionDenied):
        package_issue(kind=kit, household=world.h1, actor=cast.grid_a, override_reason="延长隔离")
    second = package_issue(kind=kit, household=world.h1, actor=cast.staff_c1,
                           override_reason="隔离延长7天")
    assert second.override_reason == "隔离延长7天"
    assert PackageIssue.objects.count() == 2
    assert Stock.objects.get().quantity == 8


def test_worker_cannot_issue_outside_the_grid(world, cast, kit, areas):
    stock_receive(kind=kit, area=areas.c1, quantity=10, actor=cast.staff_c1)
    with pytest.raises(Http404):
        package_issue(kind=kit, household=world.h2, actor=cast.grid_a)



@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_never_take_stock_below_zero(file_database, world, cast, kit, areas):
    stock_receive(kind=kit, area=areas.c1, quantity=3, actor=cast.staff_c1)
    households = [make_household(areas.g1a, world.compound1, f"9{i:02d}") for i in range(8)]
    results = race(8, lambda i: package_issue(kind=kit, household=households[i],
                                               actor=cast.grid_a))
    issued = [r for r in results if isinstance(r, PackageIssue)]
    refused = [r for r in results if isinstance(r, RuleViolation)]
    assert len(issued) == 3, results
    assert len(refused) == 5 and {r.code for r in refused} == {"insufficient_stock"}
    assert Stock.objects.get().quantity == 0
    assert PackageIssue.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_issues_to_one_household_give_one_kit(file_database, world, cast, kit, areas):
    stock_receive(kind=kit, area=areas.c1, quantity=10, actor=cast.staff_c1)
    results = race(6, lambda i: package_issue(kind=kit, household=world.h1, actor=cast.grid_a))
    issued = [r for r in results if isinstance(r, PackageIssue)]
    assert len(issued) == 1, results
    assert all(isinstance(r, RuleViolation) and r.code == "already_issued"
               for r in results if r not in issued)
    assert Stock.objects.get().quantity == 9
