"""After a screening visit: the members who need follow-up (fever, came from a risk area) are
shown with why, and a button to start home isolation for those allowed to start one
(isolation.manage: community staff); a grid worker is told to notify the community staff."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from firstline.isolation.models import Alert
from firstline.people.models import RiskArea, ScreeningVisit

from ..conftest import local

PASSWORD = "pw-Firstline-1"



@pytest.fixture
def wuhan(db):
    return RiskArea.objects.create(province="湖北", city="武汉", since=date(2020, 1, 1))


def member(resident, **fields):
    data = {f"m{resident.pk}-present": "on", f"m{resident.pk}-transport": ""}
    data.update({f"m{resident.pk}-{k}": v for k, v in fields.items()})
    return data


def save_visit(client, household, *members):
    data = {}
    for m in members:
        data.update(m)
    return client.post(f"/people/screening/{household.pk}/", data)


def start_isolation_url(resident):
    return reverse("isolation:new") + f"?resident={resident.pk}"


def test_a_fever_leads_to_the_follow_up_page_with_start_isolation(web, roster):
    c = web("staff_c1")
    res = save_visit(c, roster.h1, member(roster.a1, temperature="37.8"),
                     member(roster.a2, temperature="36.5"))
    visit = ScreeningVisit.objects.get()
    done = f"/people/screening/{roster.h1.pk}/done/{visit.pk}/"
    assert res.status_code == 302 and res["Location"] == done
    html = c.get(done).content.decode()
    assert "王伟" in html and "发热 37.8\u00a0°C" in html
    assert "开始居家隔离" in html and start_isolation_url(roster.a1) in html
    assert "王芳" not in html and start_isolation_url(roster.a2) not in html
    assert c.get(start_isolation_url(roster.a1)).status_code == 200  # the button's page opens


def test_coming_from_a_risk_area_is_a_reason_too(web, roster, wuhan):
    c = web("staff_c1")
    res = save_visit(c, roster.h1, member(roster.a2, from_province="湖北", from_city="武汉",
                                          returned_on="2020-01-20"))
    html = c.get(res["Location"]).content.decode()
    assert "王芳" in html and "来自风险地区 湖北武汉" in html
    assert start_isolation_url(roster.a2) in html


def test_nobody_to_follow_up_goes_back_to_the_list(web, roster):
    res = save_visit(web("grid_a"), roster.h1, member(roster.a1, temperature="36.6"))
    assert res.status_code == 302 and res["Location"] == reverse("people:screening")


def alert_link(alert):
    return f"/isolation/alerts/?status=unresolved#alert-{alert.pk}"


def test_a_fever_says_its_alert_reached_the_grid_worker_and_staff_and_holds_the_household(
        web, roster):
    c = web("grid_a")
    res = save_visit(c, roster.h1, member(roster.a1, temperature="38.2"))
    html = c.get(res["Location"]).content.decode()
    alert = Alert.objects.get(kind="door_fever", resident=roster.a1)
    assert "已发出发热预警，网格员和社区干部都已收到。" in html
    assert "预警处理完毕前，该户不得外出。" in html
    assert alert_link(alert) in html and "查看预警：入户摸排发热" in html


def test_a_grid_worker_is_told_the_staff_have_the_alert_instead_of_a_dead_end(web, roster):
    # 请通知社区干部安排隔离 came with nothing to do: the grid worker cannot start an isolation
    # (403), and the community staff above the grid already have the alert in their list.
    c = web("grid_a")
    res = save_visit(c, roster.h1, member(roster.a1, temperature="38.2"))
    html = c.get(res["Location"]).content.decode()
    assert "发热 38.2\u00a0°C" in html and "已通知社区干部，由他们安排隔离。" in html
    assert "请通知社区干部安排隔离" not in html
    assert reverse("isolation:new") not in html
    # What it says is true: the staff of the community see that alert.
    alert = Alert.objects.get(kind="door_fever", resident=roster.a1)
    alerts = web("staff_c1").get("/isolation/alerts/").content.decode()
    assert f'id="alert-{alert.pk}"' in alerts


def test_without_community_staff_over_the_grid_nobody_is_said_to_be_notified(
        web, roster, cast):
    cast.staff_c1.is_active = False
    cast.staff_c1.save()
    c = web("grid_a")
    res = save_visit(c, roster.h1, member(roster.a1, temperature="38.2"))
    html = c.get(res["Location"]).content.decode()
    assert "已发出发热预警。" in html and "社区干部都已收到" not in html
    assert "已通知社区干部" not in html and "请通知社区干部安排隔离" in html


def test_a_risk_area_return_shows_its_alert_and_no_fever_hold(web, roster, wuhan):
    with time_machine.travel(local(2020, 2, 3, 10), tick=False):
        c = web("grid_a")
        res = save_visit(c, roster.h1, member(roster.a2, from_province="湖北", from_city="武汉",
                                              returned_on="2020-01-30"))
        html = c.get(res["Location"]).content.decode()
    alert = Alert.objects.get(kind="risk_return", resident=roster.a2)
    assert "来自风险地区 湖北武汉" in html
    assert alert_link(alert) in html and "查看预警：中高风险地区返回" in html
    assert "发热预警" not in html and "不得外出" not in html
    assert "已通知社区干部，由他们安排隔离。" in html


def test_a_return_long_ago_raises_no_alert_and_the_page_claims_none(web, roster, wuhan):
    with time_machine.travel(local(2020, 3, 3, 10), tick=False):
        c = web("grid_a")
        res = save_visit(c, roster.h1, member(roster.a2, from_province="湖北", from_city="武汉",
                                              returned_on="2020-01-20"))
        html = c.get(res["Location"]).content.decode()
    assert not Alert.objects.exists()
    assert "预警" not in html.split("<main", 1)[1]
    assert "已通知社区干部" not in html and "请通知社区干部" not in html


def test_a_second_visit_while_the_fever_alert_is_open_links_that_alert(web, roster):
    c = web("grid_a")
    save_visit(c, roster.h1, member(roster.a1, temperature="38.2"))
    again = save_visit(c, roster.h1, member(roster.a1, temperature="38.5"))
    alert = Alert.objects.get(kind="door_fever", resident=roster.a1)  # updated, not another
    html = c.get(again["Location"]).content.decode()
    assert alert_link(alert) in html and "已发出发热预警" in html


def test_follow_up_page_other_area_wrong_role_and_other_household(web, roster):
    res = save_visit(web("grid_a"), roster.h1, member(roster.a1, temperature="38.0"))
    visit = ScreeningVisit.objects.get()
    assert web("staff_c2").get(res["Location"]).status_code == 404
    assert web("gate_c1").get(res["Location"]).status_code == 403
    assert web("grid_a").get(
        f"/people/screening/{roster.h2.pk}/done/{visit.pk}/").status_code == 404


def test_follow_up_page_in_english(web, roster):
    c = web("staff_c1", lang="en")
    res = save_visit(c, roster.h1, member(roster.a1, temperature="37.8"))
    html = c.get(res["Location"]).content.decode()
    assert "fever 37.8\u00a0°C" in html and "Start home isolation" in html
