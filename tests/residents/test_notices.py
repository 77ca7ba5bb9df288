"""Notices and reach (宣传全覆盖): published to areas, acknowledged by households once."""

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from firstline.residents.models import Notice, NoticeAck


def publish(api, who="staff_c1", areas=("C1",)):
    return api(who).post("/api/v1/notices", {"title": "致全体居民的一封公开信",
                                             "body": "请大家少出门，不聚集。\n出门戴口罩。",
                                             "areas": list(areas)})


def ack(url, compound, building="1", unit="1", room="101", client=None, ip="10.0.0.9"):
    c = client or Client()
    return c.post(url, {"compound": compound.pk, "building": building, "unit": unit,
                        "room": room}, REMOTE_ADDR=ip)


def test_a_notice_is_published_with_a_public_url(place, api):
    r = publish(api)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["url"].startswith("http://testserver/residents/n/")
    assert Client().get(body["url"]).status_code == 200


def test_reach_counts_the_households_of_the_areas(place, api):
    nid = publish(api).json()["id"]
    assert api("staff_c1").get(f"/api/v1/notices/{nid}").json()["households"] == 3
    assert api("staff_c1").get(f"/api/v1/notices/{nid}").json()["acknowledged"] == 0


def test_a_household_acknowledging_twice_counts_once(place, api):
    body = publish(api).json()
    compound = place.h101.compound
    assert ack(body["url"], compound, room="101").status_code == 302
    assert ack(body["url"], compound, building="1栋", unit="1单元", room="101室",
               ip="10.0.0.10").status_code == 302
    ack(body["url"], compound, room="102")
    reach = api("staff_c1").get(f"/api/v1/notices/{body['id']}").json()
    assert (reach["households"], reach["acknowledged"]) == (3, 2)
    assert {"compound": "阳光花园", "building": "1", "households": 2,
            "acknowledged": 2} in reach["buildings"]


def test_the_database_keeps_one_receipt_per_household(place, api):
    notice = Notice.objects.get(pk=publish(api).json()["id"])
    NoticeAck.objects.create(notice=notice, household=place.h101)
    with pytest.raises(IntegrityError), transaction.atomic():
        NoticeAck.objects.create(notice=notice, household=place.h101)


def test_an_address_outside_the_notice_is_refused_on_the_page(place, api):
    body = publish(api).json()
    r = ack(body["url"], place.h301.compound, building="3", room="301")
    assert r.status_code == 422
    assert not NoticeAck.objects.exists()


def test_the_page_needs_no_login_and_shows_no_personal_data(place, api):
    body = publish(api).json()
    page = Client().get(body["url"]).content.decode()
    assert "致全体居民的一封公开信" in page
    assert place.wang.name not in page and place.wang.id_number not in page


def test_an_unknown_notice_link_is_404(place):
    assert Client().get("/residents/n/nope/").status_code == 404


def test_wrong_role_cannot_publish(place, api):
    assert publish(api, who="grid_a", areas=("G1a",)).status_code == 403
    assert publish(api, who="gate_c1").status_code == 403


def test_other_area_is_404(place, api):
    assert publish(api, who="staff_c2", areas=("C1",)).status_code == 404
    nid = publish(api).json()["id"]
    assert api("staff_c2").get(f"/api/v1/notices/{nid}").status_code == 404
    assert api("grid_a").get(f"/api/v1/notices/{nid}").status_code == 200


def test_the_poster_carries_a_qr_to_the_page(place, api, web):
    nid = publish(api).json()["id"]
    page = web("staff_c1").get(f"/residents/notices/{nid}/poster/?building="
                               f"{place.h101.building_id}").content.decode()
    assert "data:image/svg+xml" in page
    assert f"?b={place.h101.building_id}" in page


def test_reach_per_building_on_the_notice_page(place, api, web):
    body = publish(api).json()
    ack(body["url"], place.h101.compound, room="101")
    page = web("staff_c1").get(f"/residents/notices/{body['id']}/").content.decode()
    assert "1 / 2" in page  # building 1: 101 of 101, 102


def test_a_notice_reads_in_the_visitors_language_when_it_has_one(place, api):
    body = api("staff_c1").post("/api/v1/notices", {
        "title": "致全体居民的一封公开信", "body": "少出门", "areas": ["C1"],
        "translations": {"zh-hant": {"title": "致全體居民的一封公開信", "body": "少出門"},
                         "en": {"title": "An open letter to all residents",
                                "body": "Stay home."}}}).json()
    c = Client()
    c.cookies["django_language"] = "en"
    assert "An open letter to all residents" in c.get(body["url"]).content.decode()
    c.cookies["django_language"] = "zh-hant"
    assert "致全體居民的一封公開信" in c.get(body["url"]).content.decode()
    c.cookies["django_language"] = "zh-hans"
    assert "致全体居民的一封公开信" in c.get(body["url"]).content.decode()


def test_an_unknown_language_is_a_422(place, api):
    r = api("staff_c1").post("/api/v1/notices", {"title": "x", "body": "y", "areas": ["C1"],
                                                 "translations": {"fr": {"title": "x"}}})
    assert r.status_code == 422 and r.json()["error"] == "bad_language"


def _selected(html: str) -> list[str]:
    import re

    select = html.split('name="areas"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="([^"]+)" selected>', select)


def test_a_new_notice_goes_to_the_authors_whole_community_unless_they_choose(place, web):
    """发给以下区域的住户 started empty, so the first 发布 was refused (请至少选择一个区域)."""
    page = web("staff_c1").get("/residents/notices/").content.decode()
    assert _selected(page) == ["C1"]  # the community, not each of its grids again


def test_a_street_notice_goes_to_each_of_its_communities_by_default(place, web):
    assert _selected(web("hq").get("/residents/notices/").content.decode()) == ["C1", "C2"]


def test_the_form_as_it_comes_publishes_at_the_first_tap(place, web):
    import re

    client = web("staff_c1")
    page = client.get("/residents/notices/").content.decode()
    event = re.search(r'name="event_id" value="([^"]+)"', page).group(1)
    r = client.post("/residents/notices/", {"title": "关于明日全员核酸检测的通知",
                                            "body": "上午8点北门排队。", "event_id": event,
                                            "areas": _selected(page)})
    assert r.status_code == 302
    assert [a.code for a in Notice.objects.get().areas.all()] == ["C1"]


def test_a_refused_notice_keeps_the_areas_the_author_chose(place, web):
    r = web("staff_c1").post("/residents/notices/", {"title": "", "body": "正文",
                                                     "areas": ["G1a"]})
    assert r.status_code == 422 and _selected(r.content.decode()) == ["G1a"]
