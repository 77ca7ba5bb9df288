"""After a screening visit: the members who need follow-up (fever, came from a risk area) are
shown with why, and a button to start home isolation for those allowed to start one
(isolation.manage: community staff); a grid worker is told to notify the community staff."""

from datetime import date

import pytest
from django.urls import reverse

from firstline.people.models import RiskArea, ScreeningVisit

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
    assert "王伟" in html and "发热 37.8 °C" in html
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


def test_a_grid_worker_who_cannot_start_isolation_is_told_to_notify_staff(web, roster):
    c = web("grid_a")
    res = save_visit(c, roster.h1, member(roster.a1, temperature="38.2"))
    html = c.get(res["Location"]).content.decode()
    assert "发热 38.2 °C" in html and "请通知社区干部安排隔离" in html
    assert reverse("isolation:new") not in html


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
    assert "fever 37.8 °C" in html and "Start home isolation" in html
