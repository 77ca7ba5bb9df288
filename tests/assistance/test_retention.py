from datetime import timedelta

from firstline.assistance.models import CareCall, ServiceRequest
from firstline.assistance.services import (
    assistance_deidentify,
    care_call_log,
    service_request_assign,
    service_request_create,
    service_request_transition,
)

from .conftest import local


def test_closed_requests_and_old_call_notes_are_blanked_after_retention(world, cast):
    old = service_request_create(household=world.h1, kind="medicine", detail="降压药",
                                 source="self_report", now=local(8))
    service_request_assign(request=old, actor=cast.staff_c1, volunteer_name="老周",
                           volunteer_phone="13900001111")
    service_request_transition(request=old, to="bought", actor=cast.staff_c1, amount="35",
                               now=local(9))
    service_request_transition(request=old, to="delivered", actor=cast.staff_c1, now=local(9))
    still_open = service_request_create(household=world.h1, kind="other", detail="修水管",
                                        source="self_report", now=local(8))
    care_call_log(household=world.h1, outcome="needs_help", note="缺药", actor=cast.grid_a,
                  at=local(9))
    result = assistance_deidentify(now=local(10) + timedelta(days=181))
    assert result == {"requests": 1, "calls": 1}
    old.refresh_from_db()
    assert (old.detail, old.volunteer_name, old.volunteer_phone, old.status) == (
        "", "", "", "delivered")
    assert ServiceRequest.objects.get(pk=still_open.pk).detail == "修水管"
    assert CareCall.objects.get().note == ""
    assert assistance_deidentify(now=local(10) + timedelta(days=181)) == {"requests": 0,
                                                                          "calls": 0}


def test_nothing_is_blanked_inside_retention(world, cast):
    care_call_log(household=world.h1, outcome="ok", note="一切好", actor=cast.grid_a,
                  at=local(9))
    assert assistance_deidentify(now=local(10) + timedelta(days=30)) == {"requests": 0,
                                                                         "calls": 0}
