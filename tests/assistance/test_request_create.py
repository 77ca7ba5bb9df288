import pytest

from firstline.assistance.models import ServiceRequest
from firstline.assistance.services import service_request_create
from firstline.errors import InvalidInput, RuleViolation

from .conftest import local


def test_resident_without_login_creates_a_self_report_request(world):
    req = service_request_create(household=world.h1, kind="medicine", detail="降压药 一盒",
                                 source="self_report", isolation=world.i1, now=local(9))
    assert req.status == "new"
    assert req.grid_id == world.h1.grid_id
    assert req.created_by is None
    assert req.isolation == world.i1


def test_self_report_without_active_isolation_is_refused(world):
    with pytest.raises(RuleViolation) as exc:
        service_request_create(household=world.h4, kind="groceries", detail="米",
                               source="self_report", now=local(9))
    assert exc.value.code == "not_isolated"


def test_anonymous_request_must_come_from_self_report(world):
    with pytest.raises(InvalidInput):
        service_request_create(household=world.h1, kind="groceries", detail="米",
                               source="worker", now=local(9))


def test_unknown_kind_is_invalid(world):
    with pytest.raises(InvalidInput) as exc:
        service_request_create(household=world.h1, kind="pizza", detail="x",
                               source="self_report", now=local(9))
    assert exc.value.field == "kind"


def test_self_report_open_requests_are_capped_by_rule(world):
    for _ in range(5):
        service_request_create(household=world.h1, kind="other", detail="x",
                               source="self_report", now=local(9))
    with pytest.raises(RuleViolation) as exc:
        service_request_create(household=world.h1, kind="other", detail="x",
                               source="self_report", now=local(9))
    assert exc.value.code == "too_many_open_requests"
    assert ServiceRequest.objects.count() == 5


def test_worker_creates_a_request_for_a_household_in_their_grid(world, cast):
    req = service_request_create(household=world.h1, kind="bills", detail="电费 100元",
                                 source="worker", actor=cast.grid_a, now=local(9))
    assert req.created_by == cast.grid_a
    assert req.isolation is not None


@pytest.mark.django_db(transaction=True)
def test_simultaneous_self_reports_never_exceed_the_cap(file_database, world):
    """Eight taps at once from one household's self-report page: the open-request cap holds."""
    from firstline.rules import rule

    from ..conftest import race

    cap = rule("assistance.self_report_open_max").value
    results = race(8, lambda i: service_request_create(
        household=world.h1, kind="other", detail=f"第{i}件", source="self_report",
        now=local(9)))
    made = [r for r in results if isinstance(r, ServiceRequest)]
    refused = [r for r in results if isinstance(r, RuleViolation)]
    assert len(made) == cap and len(refused) == 8 - cap, results
    assert {r.code for r in refused} == {"too_many_open_requests"}
    assert ServiceRequest.objects.filter(household=world.h1).count() == cap
