"""A moment without an offset ("2026-12-08T09:00:00", as a form's datetime-local sends it) is
local time of FIRSTLINE_TIME_ZONE in every request body, as clock.parse_moment reads a typed
one: compared with one that names its offset, it was a TypeError and a 500."""

from datetime import datetime

from firstline import clock
from firstline.operations import services
from firstline.operations.models import Assignment


def test_an_assignment_from_moments_without_an_offset_is_in_local_time(api, cast, areas):
    li = services.volunteer_create(actor=cast.staff_c1, area=areas.c1, name="李四",
                                   phone="13800138001", kind="volunteer")
    r = api("staff_c1").post("/api/v1/assignments", {
        "volunteer_id": li.pk, "duty": "patrol", "starts_at": "2030-03-01T09:00:00",
        "ends_at": "2030-03-01T12:00:00+08:00"})
    assert r.status_code == 201, r.content
    a = Assignment.objects.get(pk=r.json()["id"])
    assert a.starts_at == datetime(2030, 3, 1, 9, tzinfo=clock.zone())
