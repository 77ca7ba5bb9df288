"""The daily report and dashboard gain disinfection_rounds, disinfection_overdue,
volunteers_on_duty and tasks_overdue — derived, summed up the tree; the old fields stay."""

from datetime import timedelta

import time_machine

from firstline.operations import services
from firstline.operations.models import Place
from firstline.reports.selectors import daily_report
from tests.conftest import local

CONTRACT = {"area", "date", "residents", "households", "key_persons", "home_isolation",
            "centralized_isolation", "isolations_started", "isolations_ended", "readings_due",
            "readings_received", "fever_alerts", "crossings_out", "crossings_in",
            "crossings_denied", "households_visited", "children"}
NEW = {"disinfection_rounds", "disinfection_overdue", "volunteers_on_duty", "tasks_overdue"}


def test_the_report_keeps_its_fields_and_gains_four(api, areas):
    body = api("hq").get("/api/v1/reports/daily", area="99000101", date="2026-03-01").json()
    assert CONTRACT | NEW <= set(body)
    assert all(body[f] == 0 for f in NEW)


def test_the_figures_are_derived_and_summed_up_the_tree(api, cast, areas, people, homes):
    from firstline.people.models import Compound

    Compound.objects.update(created_at=local(2026, 3, 1, 8))
    Place.objects.filter(kind="common_areas").update(created_at=local(2026, 3, 1, 8))
    with time_machine.travel(local(2026, 3, 1, 9), tick=False):
        hq = api("hq")
        [c1_place] = [i for i in hq.get("/api/v1/disinfection/due", area="C1").json()["items"]]
        api("staff_c1").post("/api/v1/disinfection/rounds",
                             {"place_id": c1_place["place_id"], "agent": "84消毒液"})
        a = services.assignment_create(actor=cast.staff_c1, volunteer=people.li, duty="patrol",
                                       starts_at=local(2026, 3, 1, 9),
                                       ends_at=local(2026, 3, 1, 13))
        services.assignment_check_in(actor=cast.staff_c1, assignment=a)
        hq.post("/api/v1/tasks", {"title": "排查", "areas": ["C1", "C2"],
                                  "due_at": local(2026, 3, 1, 10).isoformat()})
    with time_machine.travel(local(2026, 3, 1, 11), tick=False):
        api("staff_c2").post("/api/v1/tasks/" + str(
            api("staff_c2").get("/api/v1/tasks").json()["items"][0]["id"]) + "/done",
            {"note": "迟了"})
        report = daily_report(area=areas.street, day=local(2026, 3, 1).date())
    c1, c2 = report["children"]
    assert (c1["area"], c1["disinfection_rounds"], c1["volunteers_on_duty"],
            c1["tasks_overdue"]) == ("C1", 1, 1, 1)
    # C2's common areas passed the morning without a round: overdue from noon (not yet at 11).
    assert (c2["disinfection_rounds"], c2["disinfection_overdue"], c2["tasks_overdue"]) \
        == (0, 0, 0)
    assert report["disinfection_rounds"] == 1 and report["volunteers_on_duty"] == 1
    assert report["tasks_overdue"] == 1
    with time_machine.travel(local(2026, 3, 1, 12, 30), tick=False):
        later = daily_report(area=areas.street, day=local(2026, 3, 1).date())
    # C1 was done in the morning (due again by midnight); C2 was not: overdue since noon.
    assert [c["disinfection_overdue"] for c in later["children"]] == [0, 1]
    assert later["disinfection_overdue"] == 1
    # A past day counts at its end: the person checked in at 09:00 for 09–13 never checked
    # out, so their duty ended at 13:00 + the grace (60 min): not on duty at midnight.
    with time_machine.travel(local(2026, 3, 2, 9) + timedelta(hours=1), tick=False):
        past = daily_report(area=areas.street, day=local(2026, 3, 1).date())
    assert past["volunteers_on_duty"] == 0 and past["disinfection_rounds"] == 1


def test_the_dashboard_shows_the_new_figures(web, cast, areas):
    page = web("hq", "en").get("/reports/dashboard/")
    if page.status_code == 404:
        page = web("hq", "en").get("/reports/")
    assert page.status_code == 200
    assert "Disinfection rounds" in page.content.decode()


def test_the_report_reads_the_disinfection_rules_once_not_once_a_place(areas):
    """At a million residents a street's report ran 6,694 queries (the rule was read once a
    place): the number of queries must not grow with the number of compounds."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from firstline.operations.selectors import report_rows
    from firstline.people.models import Compound
    from firstline.reports.selectors import Window

    def queries(n_compounds):
        for i in range(Compound.objects.count(), n_compounds):
            Compound.objects.create(area=areas.c1, name=f"小区{i}")
        services.places_refresh()
        Compound.objects.update(created_at=local(2026, 2, 1, 8))
        Place.objects.filter(kind="common_areas").update(created_at=local(2026, 2, 1, 8))
        day = local(2026, 3, 1, 0).date()
        window = Window(day=day, start=local(2026, 3, 1, 0), end=local(2026, 3, 2, 0))
        with time_machine.travel(local(2026, 3, 2, 9), tick=False), \
                CaptureQueriesContext(connection) as ctx:
            rows = report_rows([areas.c1.pk, areas.street.pk], [window])
        return len(ctx.captured_queries), rows

    report_rows([areas.c1.pk], [])  # nothing to do, nothing read
    few, _ = queries(3)
    many, rows = queries(30)
    assert many == few
    assert ("disinfection_overdue" in {r[1] for r in rows})  # 30 common areas without a round
