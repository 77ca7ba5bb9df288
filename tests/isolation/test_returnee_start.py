"""Starting an isolation for a returnee found at the door: the form is filled from what the
door recorded, the alert cards link to it, and the isolation answers the returnee alert."""

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import translation

from firstline.accounts.models import AuditEntry
from firstline.isolation import services
from firstline.isolation.models import Alert, AlertStatus
from firstline.people.services import risk_area_add, screening_visit_record

from .conftest import local

pytestmark = pytest.mark.django_db

NOW = local(2020, 2, 10, 10)


def assert_resolved_as_isolated(alert, actor):
    """The returnee alert is resolved "已登记居家隔离", audited as resolved by `actor`."""
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED
    with translation.override("zh-hans"):
        assert alert.display_outcome == "已登记居家隔离"
    row = AuditEntry.objects.get(action="alert.resolve", object_id=str(alert.pk))
    assert row.actor == actor


@pytest.fixture
def door(cast, roster):
    """王伟 (a1) found at the door on 02-10, back from 湖北武汉 by train G1722 on 02-05 (a
    listed risk area): a "back from a risk area" alert is open for him."""
    risk_area_add(actor=cast.hq, province="湖北", city="武汉", since=date(2020, 1, 20))

    def visit(returned_on=date(2020, 2, 5), at=NOW, temperature="36.5"):
        with time_machine.travel(at, tick=False):
            return screening_visit_record(actor=cast.grid_a, household=roster.h1, people=[{
                "resident": roster.a1, "present": True, "from_province": "湖北",
                "from_city": "武汉", "returned_on": returned_on, "transport": "train",
                "transport_no": "G1722", "temperature": temperature}])
    visit.resident = roster.a1
    return visit


def test_start_defaults_count_from_the_return_and_say_where_from(door):
    door()
    d = services.isolation_defaults(resident=door.resident, now=NOW)
    assert d.starts_on == date(2020, 2, 5)
    assert d.reason == "risk_area"
    assert d.returned_on == date(2020, 2, 5)


def test_the_note_says_origin_date_and_transport_in_the_workers_language(door):
    door()
    with translation.override("zh-hans"):
        note = services.isolation_defaults(resident=door.resident, now=NOW).reason_note
    assert note == "自湖北武汉返回，2020-02-05，火车 G1722"


def test_a_return_older_than_the_isolation_length_starts_today(door):
    door(returned_on=date(2020, 1, 20))  # 21 days before 02-10: the 14 days are over
    d = services.isolation_defaults(resident=door.resident, now=NOW)
    assert d.starts_on == date(2020, 2, 10)
    assert "2020-01-20" in d.reason_note


def test_no_return_recorded_starts_today_with_no_note(cast, roster):
    d = services.isolation_defaults(resident=roster.b1, now=NOW)
    assert (d.starts_on, d.reason_note, d.reason) == (date(2020, 2, 10), "", "")


def test_the_start_form_is_filled_from_the_door(web, door):
    door()
    with time_machine.travel(NOW, tick=False):
        page = web("staff_c1").get(f"/isolation/new/?resident={door.resident.pk}")
    html = page.content.decode()
    assert 'name="starts_on" value="2020-02-05"' in html
    assert 'value="自湖北武汉返回，2020-02-05，火车 G1722"' in html
    assert '<option value="risk_area" selected>' in html


def test_starting_the_isolation_resolves_the_returnee_alert_audited(cast, door):
    door()
    alert = Alert.objects.get(kind="risk_return", resident=door.resident)
    assert alert.status == AlertStatus.OPEN
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        services.isolation_start(resident=door.resident, kind="home", reason="risk_area",
                                 starts_on=date(2020, 2, 5), actor=cast.staff_c1)
    assert_resolved_as_isolated(alert, cast.staff_c1)


def test_starting_the_isolation_leaves_a_fever_found_at_the_door_open(cast, door):
    door(temperature="38.0")
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        services.isolation_start(resident=door.resident, kind="home", reason="risk_area",
                                 starts_on=date(2020, 2, 5), actor=cast.staff_c1)
    assert Alert.objects.get(kind="door_fever").status == AlertStatus.OPEN


def test_a_lockdown_resolves_the_returnee_alerts_of_those_it_isolates_audited(cast, door):
    door()
    alert = Alert.objects.get(kind="risk_return", resident=door.resident)
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        services.lockdown_create(building=door.resident.household.building,
                                 starts_on=date(2020, 2, 10), actor=cast.staff_c1)
    assert_resolved_as_isolated(alert, cast.staff_c1)


def test_a_lockdown_leaves_the_returnee_alert_of_someone_keeping_their_own_isolation(
        cast, door):
    """Already isolated (a lockdown keeps it, starts none): the lockdown answers nothing."""
    door()
    alert = Alert.objects.get(kind="risk_return", resident=door.resident)
    with time_machine.travel(NOW, tick=False):
        services.isolation_start(resident=door.resident, kind="home", reason="close_contact",
                                 starts_on=date(2020, 2, 10), actor=cast.staff_c1)
    Alert.objects.filter(pk=alert.pk).update(status=AlertStatus.OPEN, resolved_at=None)
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        services.lockdown_create(building=door.resident.household.building,
                                 starts_on=date(2020, 2, 10), actor=cast.staff_c1)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_returnee_and_door_fever_cards_link_to_the_filled_form_for_who_may_start(web, door):
    door(temperature="38.0")
    rid = door.resident.pk
    # The alerts page and the home page's panel: the same cards, the same links.
    for path, hx in (("/isolation/alerts/", {}),
                     ("/isolation/alerts/panel/", {"HTTP_HX_REQUEST": "true"})):
        with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
            staff = web("staff_c1").get(path, **hx).content.decode()
            worker = web("grid_a").get(path, **hx).content.decode()
        assert f'href="/isolation/new/?resident={rid}"' in staff, path
        assert f'href="/isolation/new/?resident={rid}&amp;reason=fever"' in staff, path
        assert "/isolation/new/" not in worker  # a grid worker may not start isolations


def test_the_filled_form_says_an_active_isolation_before_it_is_filled_in(cast, web, door):
    door()
    with time_machine.travel(NOW, tick=False):
        iso = services.isolation_start(resident=door.resident, kind="home", reason="risk_area",
                                       starts_on=date(2020, 2, 5), actor=cast.staff_c1)
        html = web("staff_c1", "en").get(
            f"/isolation/new/?resident={door.resident.pk}").content.decode()
    assert "This resident already has an active isolation." in html
    assert f'href="/isolation/{iso.pk}/"' in html


def test_no_start_link_for_someone_already_isolated(cast, web, door):
    door(temperature="38.0")
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        services.isolation_start(resident=door.resident, kind="home", reason="risk_area",
                                 starts_on=date(2020, 2, 5), actor=cast.staff_c1)
        staff = web("staff_c1").get("/isolation/alerts/").content.decode()
    assert f"alert-{Alert.objects.get(kind='door_fever').pk}" in staff  # the fever stays
    assert "/isolation/new/?resident=" not in staff
