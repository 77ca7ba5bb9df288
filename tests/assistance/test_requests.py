from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from firstline.accounts.models import AuditEntry
from firstline.assistance.services import (
    service_request_assign,
    service_request_create,
    service_request_paid_back,
    service_request_transition,
)
from firstline.errors import InvalidInput, RuleViolation

from .conftest import local


@pytest.fixture
def req(world):
    return service_request_create(household=world.h1, kind="groceries", detail="米 10斤, 青菜",
                                  source="self_report", now=local(8))


def test_staff_assigns_to_a_volunteer_user_in_scope(req, cast):
    req = service_request_assign(request=req, actor=cast.staff_c1, volunteer=cast.grid_a,
                                 now=local(9))
    assert (req.status, req.volunteer, req.assigned_at) == ("assigned", cast.grid_a, local(9))


def test_staff_assigns_to_a_volunteer_without_account_by_name_and_phone(req, cast):
    req = service_request_assign(request=req, actor=cast.staff_c1, volunteer_name="党员 老周",
                                 volunteer_phone="13900001111")
    assert req.volunteer is None
    assert req.volunteer_label == "党员 老周"


def test_assign_needs_a_volunteer(req, cast):
    with pytest.raises(InvalidInput):
        service_request_assign(request=req, actor=cast.staff_c1)


def test_assign_rejects_a_bad_phone(req, cast):
    with pytest.raises(InvalidInput) as exc:
        service_request_assign(request=req, actor=cast.staff_c1, volunteer_name="老周",
                               volunteer_phone="12345")
    assert exc.value.field == "volunteer_phone"


def test_assign_rejects_a_volunteer_who_cannot_see_the_household(req, cast):
    with pytest.raises(InvalidInput) as exc:
        service_request_assign(request=req, actor=cast.staff_c1, volunteer=cast.staff_c2)
    assert exc.value.code == "volunteer_out_of_scope"


def test_grid_worker_cannot_assign(req, cast):
    with pytest.raises(PermissionDenied):
        service_request_assign(request=req, actor=cast.grid_a, volunteer=cast.grid_a)


def test_staff_of_another_community_gets_404(req, cast):
    with pytest.raises(Http404):
        service_request_assign(request=req, actor=cast.staff_c2, volunteer_name="x")


def test_full_path_new_assigned_bought_delivered_paid_back(req, cast):
    service_request_assign(request=req, actor=cast.staff_c1, volunteer=cast.grid_a)
    req = service_request_transition(request=req, to="bought", actor=cast.grid_a,
                                     amount="58.5", receipt_no="POS-0012", now=local(10))
    assert (req.status, req.amount, req.receipt_no, req.bought_at) == (
        "bought", Decimal("58.50"), "POS-0012", local(10))
    req = service_request_transition(request=req, to="delivered", actor=cast.grid_a,
                                     now=local(11))
    assert (req.status, req.delivered_at) == ("delivered", local(11))
    req = service_request_paid_back(request=req, actor=cast.grid_a)
    assert req.paid_back is True
    actions = set(AuditEntry.objects.filter(object_id=str(req.pk)).values_list("action",
                                                                                 flat=True))
    assert {"assistance.request_create", "assistance.request_assign",
            "assistance.request_bought", "assistance.request_delivered",
            "assistance.request_paid_back"} <= actions


def test_a_new_request_cannot_be_marked_bought(req, cast):
    with pytest.raises(RuleViolation) as exc:
        service_request_transition(request=req, to="bought", actor=cast.grid_a)
    assert exc.value.code == "bad_transition"


def test_a_delivered_request_cannot_be_cancelled(req, cast):
    service_request_assign(request=req, actor=cast.staff_c1, volunteer_name="老周")
    service_request_transition(request=req, to="bought", actor=cast.staff_c1, amount="20")
    service_request_transition(request=req, to="delivered", actor=cast.staff_c1)
    with pytest.raises(RuleViolation):
        service_request_transition(request=req, to="cancelled", actor=cast.staff_c1,
                                   reason="mistake")


def test_cancel_needs_a_reason_and_manage(req, cast):
    with pytest.raises(InvalidInput):
        service_request_transition(request=req, to="cancelled", actor=cast.staff_c1)
    with pytest.raises(PermissionDenied):
        service_request_transition(request=req, to="cancelled", actor=cast.grid_a, reason="x")
    req = service_request_transition(request=req, to="cancelled", actor=cast.staff_c1,
                                     reason="家属已送达")
    assert (req.status, req.cancel_reason) == ("cancelled", "家属已送达")


@pytest.mark.parametrize("amount", ["-1", "abc", "1e9", "NaN"])
def test_bad_amounts_are_invalid(req, cast, amount):
    service_request_assign(request=req, actor=cast.staff_c1, volunteer_name="老周")
    with pytest.raises(InvalidInput) as exc:
        service_request_transition(request=req, to="bought", actor=cast.staff_c1, amount=amount)
    assert exc.value.field == "amount"


def test_paid_back_needs_an_amount(world, cast):
    # a parcel: nothing bought, delivered without an amount, so nothing to pay back
    req = service_request_create(household=world.h1, kind="parcel", detail="快递",
                                 source="self_report", now=local(8))
    service_request_assign(request=req, actor=cast.staff_c1, volunteer_name="老周")
    service_request_transition(request=req, to="delivered", actor=cast.staff_c1)
    with pytest.raises(RuleViolation):
        service_request_paid_back(request=req, actor=cast.staff_c1)


def test_worker_outside_the_grid_cannot_create(world, cast):
    with pytest.raises(Http404):
        service_request_create(household=world.h3, kind="other", detail="x", source="worker",
                               actor=cast.grid_a)


def test_gate_duty_cannot_create(world, cast):
    with pytest.raises(PermissionDenied):
        service_request_create(household=world.h1, kind="other", detail="x", source="worker",
                               actor=cast.gate_c1)
