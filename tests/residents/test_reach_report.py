"""宣传覆盖: households that acknowledged a notice, in the daily report and on the dashboard."""

from datetime import date, timedelta

from django.test import Client

from firstline.reports.selectors import daily_report


def _publish_and_ack(api, place, rooms=("101",)):
    body = api("staff_c1").post("/api/v1/notices", {"title": "致全体居民的一封公开信",
                                                    "body": "少出门", "areas": ["C1"]}).json()
    for i, room in enumerate(rooms):
        Client().post(body["url"], {"compound": place.h101.compound_id, "building": "1",
                                    "unit": "1", "room": room}, REMOTE_ADDR=f"10.9.0.{i}")
    return body


def test_daily_report_counts_households_informed_per_grid_and_sums_up(place, api, areas):
    _publish_and_ack(api, place, rooms=("101", "102", "101"))
    report = daily_report(area=areas.street, day=date(2020, 2, 10))
    c1 = next(c for c in report["children"] if c["area"] == "C1")
    g1a = next(c for c in c1["children"] if c["area"] == "G1a")
    assert (g1a["households_informed"], c1["households_informed"],
            report["households_informed"]) == (2, 2, 2)
    assert c1["households"] == 3


def test_households_informed_is_cumulative_and_not_before_the_receipt(place, api, areas):
    _publish_and_ack(api, place)
    assert daily_report(area=areas.c1, day=date(2020, 2, 9))["households_informed"] == 0
    assert daily_report(area=areas.c1, day=date(2020, 2, 11))["households_informed"] == 1


def test_the_api_report_carries_the_figure(place, api):
    _publish_and_ack(api, place)
    r = api("staff_c1").get("/api/v1/reports/daily", area="C1", date="2020-02-10")
    assert r.json()["households_informed"] == 1


def test_the_dashboard_shows_reach_per_building(place, api, web, at_noon):
    _publish_and_ack(api, place)
    page = web("staff_c1").get("/reports/?area=C1").content.decode()
    assert "致全体居民的一封公开信" in page
    assert "1 / 2" in page  # building 1: one of its two households


def test_a_past_day_reads_the_same_the_next_day(place, api, areas, at_noon):
    _publish_and_ack(api, place)
    at_noon.shift(timedelta(days=1))
    assert daily_report(area=areas.c1, day=date(2020, 2, 10))["households_informed"] == 1
