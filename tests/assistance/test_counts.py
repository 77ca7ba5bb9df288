from firstline.assistance.models import PackageKind
from firstline.assistance.selectors import assistance_counts
from firstline.assistance.services import (
    care_call_log,
    package_issue,
    service_request_assign,
    service_request_create,
    service_request_transition,
    stock_receive,
)

from .conftest import DAY, local


def test_counts_for_an_area_and_day(world, cast, areas):
    a = service_request_create(household=world.h1, kind="other", detail="x",
                               source="self_report", now=local(8))
    service_request_create(household=world.h3, kind="other", detail="y", source="self_report",
                           now=local(8))
    service_request_assign(request=a, actor=cast.staff_c1, volunteer_name="老周")
    service_request_transition(request=a, to="delivered", actor=cast.staff_c1, now=local(10))
    care_call_log(household=world.h1, outcome="ok", actor=cast.grid_a, at=local(9))
    kit = PackageKind.objects.create(name="九个一")
    stock_receive(kind=kit, area=areas.c1, quantity=3, actor=cast.staff_c1)
    package_issue(kind=kit, household=world.h1, actor=cast.grid_a, now=local(11))
    assert assistance_counts(areas.c1, DAY) == {"requests_opened": 1, "requests_delivered": 1,
                                                "care_calls": 1, "packages_issued": 1}
    assert assistance_counts(areas.street, DAY)["requests_opened"] == 2
    assert assistance_counts(areas.c2, DAY)["care_calls"] == 0
