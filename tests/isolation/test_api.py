"""Every isolation endpoint: allowed, wrong role (403), other area (404), bad input (4xx)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from firstline.isolation import services
from firstline.isolation.models import Alert, Isolation, Room

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def create(api, user, resident, **kw):
    body = {"resident_id": resident.pk, "kind": "home", "reason": "close_contact",
            "starts_on": str(today())} | kw
    return api(user).post("/api/v1/isolations", body)


@pytest.fixture
def iso(api, cast, roster):
    r = create(api, "staff_c1", roster.a1)
    assert r.status_code == 201, r.content
    return Isolation.objects.get(pk=r.json()["id"])


@pytest.fixture
def other_iso(cast, roster):
    return services.isolation_start(resident=roster.d1, kind="home", reason="risk_area",
                                    starts_on=today(), actor=cast.staff_c2)


# --- POST /isolations -----------------------------------------------------------------------

def test_create_returns_id_ends_on_and_report_url(api, roster):
    r = create(api, "staff_c1", roster.a1)
    body = r.json()
    assert r.status_code == 201
    assert body["ends_on"] == str(today() + timedelta(days=14))
    assert "/isolation/r/" in body["report_url"] and body["report_url"].startswith("http")
    token = body["report_url"].rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 22  # >= 128 bits of URL-safe base64


def test_create_with_days(api, roster):
    r = create(api, "staff_c1", roster.a1, days=7, kind="centralized")
    assert r.json()["ends_on"] == str(today() + timedelta(days=7))


def test_second_active_isolation_is_409(api, roster, iso):
    r = create(api, "staff_c1", roster.a1)
    assert r.status_code == 409 and r.json()["error"] == "already_isolated"


def test_create_wrong_role_is_403(api, roster):
    assert create(api, "grid_a", roster.a1).status_code == 403
    assert create(api, "gate_c1", roster.a1).status_code == 403


def test_create_for_resident_of_other_area_is_404(api, roster):
    assert create(api, "staff_c2", roster.a1).status_code == 404


@pytest.mark.parametrize("change", [
    {"kind": "hotel"}, {"reason": "  "}, {"reason": "x" * 201}, {"days": 0}, {"days": "many"},
    {"starts_on": "2026-13-01"}, {"resident_id": "x"}, {"reading_times": ["25:00"]},
])
def test_create_bad_input_is_422(api, roster, change):
    r = create(api, "staff_c1", roster.a1, **change)
    assert r.status_code == 422 and "detail" in r.json()


@pytest.mark.parametrize("reason, code, note", [
    ("close_contact", "close_contact", ""),
    ("密切接触者", "close_contact", ""),
    ("Close contact", "close_contact", ""),
    ("close contact with a confirmed case", "other", "close contact with a confirmed case"),
])
def test_create_takes_the_reason_as_a_code_a_label_or_words(api, roster, reason, code, note):
    r = create(api, "staff_c1", roster.a1, reason=reason)
    assert r.status_code == 201, r.content
    iso = Isolation.objects.get(pk=r.json()["id"])
    assert (iso.reason, iso.reason_note) == (code, note)


def test_create_unknown_resident_is_404(api, roster):
    assert create(api, "staff_c1", roster.a1, resident_id=999999).status_code == 404


# --- list / detail / extend / release / link -------------------------------------------------

def test_list_is_scoped(api, iso, other_iso):
    ids = [i["id"] for i in api("staff_c1").get("/api/v1/isolations").json()["items"]]
    assert ids == [iso.pk]
    ids = [i["id"] for i in api("hq").get("/api/v1/isolations").json()["items"]]
    assert set(ids) == {iso.pk, other_iso.pk}
    assert api("gate_c1").get("/api/v1/isolations").status_code == 403
    assert api("staff_c1").get("/api/v1/isolations", area="C2").status_code == 404
    assert api("staff_c1").get("/api/v1/isolations", status="bogus").status_code == 422


def test_detail_has_days(api, iso, other_iso):
    r = api("grid_a").get(f"/api/v1/isolations/{iso.pk}")
    assert r.status_code == 200 and len(r.json()["days"]) == 14
    assert api("grid_a").get(f"/api/v1/isolations/{other_iso.pk}").status_code == 404
    assert api("gate_c1").get(f"/api/v1/isolations/{iso.pk}").status_code == 403


def test_extend_and_release(api, iso, other_iso):
    r = api("staff_c1").post(f"/api/v1/isolations/{iso.pk}/extend",
                             {"days": 3, "reason": "contact positive"})
    assert r.status_code == 200 and r.json()["ends_on"] == str(today() + timedelta(days=17))
    assert api("staff_c1").post(f"/api/v1/isolations/{iso.pk}/extend",
                                {"days": 3, "reason": ""}).status_code == 422
    assert api("grid_a").post(f"/api/v1/isolations/{iso.pk}/release",
                              {"reason": "x"}).status_code == 403
    assert api("staff_c1").post(f"/api/v1/isolations/{other_iso.pk}/release",
                                {"reason": "x"}).status_code == 404
    r = api("staff_c1").post(f"/api/v1/isolations/{iso.pk}/release", {"reason": "negative"})
    assert r.status_code == 200 and r.json()["status"] == "released"
    assert api("staff_c1").post(f"/api/v1/isolations/{iso.pk}/release",
                                {"reason": "again"}).status_code == 409


def test_reissue_link(api, iso, other_iso):
    r = api("grid_a").post(f"/api/v1/isolations/{iso.pk}/report-link")
    assert r.status_code == 200 and "/isolation/r/" in r.json()["report_url"]
    assert api("grid_a").post(f"/api/v1/isolations/{other_iso.pk}/report-link").status_code == 404
    assert api("gate_c1").post(f"/api/v1/isolations/{iso.pk}/report-link").status_code == 403


# --- readings -------------------------------------------------------------------------------

def reading(api, user, iso, **kw):
    return api(user).post(f"/api/v1/isolations/{iso.pk}/readings",
                          {"temperature": 36.6, "symptoms": []} | kw)


def test_reading_201_and_fever_opens_alert(api, iso):
    r = reading(api, "grid_a", iso, temperature=38.1, symptoms=["cough"])
    assert r.status_code == 201 and r.json()["fever"] is True
    alerts = api("grid_a").get("/api/v1/alerts", status="open", area="G1a").json()["items"]
    assert [(a["kind"], a["resident_id"]) for a in alerts] == [("fever", iso.resident_id)]
    assert {"id", "kind", "resident_id", "opened_at"} <= set(alerts[0])


@pytest.mark.parametrize("temperature", [365, 3.65, 33.9, 43.5])
def test_reading_out_of_range_is_422_with_a_clear_message(api, iso, temperature):
    r = reading(api, "grid_a", iso, temperature=temperature)
    assert r.status_code == 422
    assert r.json()["error"] == "bad_temperature" and "34.0" in r.json()["detail"]


def test_reading_that_is_not_a_number_says_so(api, iso):
    r = reading(api, "grid_a", iso, temperature="hot")
    assert r.status_code == 422 and r.json()["error"] == "bad_temperature"
    assert "36.5" in r.json()["detail"] and "34.0" not in r.json()["detail"]


def test_reading_bad_symptom_or_time_is_422(api, iso):
    assert reading(api, "grid_a", iso, symptoms=["sneezing-ish"]).status_code == 422
    assert reading(api, "grid_a", iso, taken_at="yesterday-ish").status_code == 422
    before = (timezone.now() - timedelta(days=3)).isoformat()
    assert reading(api, "grid_a", iso, taken_at=before).status_code == 422


def test_a_reading_with_an_unknown_symptom_names_it_and_the_symptoms_offered(api, iso):
    # the one wording of visits, readings and list answers (people.vocab.symptoms_check)
    r = reading(api, "grid_a", iso, symptoms=["cough", "hiccups"])
    assert (r.status_code, r.json()) == (422, {
        "error": "bad_symptom",
        "detail": "symptoms：hiccups 不是可选的症状（cough, sore_throat, fatigue, short_breath, "
                  "taste_smell, diarrhea, aches）。"})
    assert not iso.readings.exists()


def test_reading_for_an_ended_isolation_is_409(api, iso):
    api("staff_c1").post(f"/api/v1/isolations/{iso.pk}/release", {"reason": "negative"})
    assert reading(api, "grid_a", iso).status_code == 409


def test_reading_wrong_role_and_other_area(api, iso, other_iso):
    assert reading(api, "gate_c1", iso).status_code == 403
    assert reading(api, "grid_a", other_iso).status_code == 404
    assert reading(api, "staff_c2", iso).status_code == 404


def test_reading_list(api, iso):
    reading(api, "grid_a", iso)
    r = api("grid_a").get(f"/api/v1/isolations/{iso.pk}/readings")
    assert r.json()["count"] == 1


# --- alerts ---------------------------------------------------------------------------------

@pytest.fixture
def alert(api, iso):
    reading(api, "grid_a", iso, temperature=38.5)
    return Alert.objects.get()


def test_alerts_scoped(api, alert, cast, other_iso):
    services.reading_record(isolation=other_iso, temperature=39, taken_at=None,
                            actor=cast.staff_c2)
    assert api("staff_c2").get("/api/v1/alerts").json()["count"] == 1
    assert api("hq").get("/api/v1/alerts").json()["count"] == 2
    assert api("staff_c2").get("/api/v1/alerts", area="G1a").status_code == 404
    assert api("gate_c1").get("/api/v1/alerts").status_code == 403
    assert api("grid_a").get("/api/v1/alerts", status="nope").status_code == 422


def test_acknowledge_and_resolve(api, alert):
    r = api("grid_a").post(f"/api/v1/alerts/{alert.pk}/acknowledge")
    assert r.status_code == 200 and r.json()["status"] == "acknowledged"
    assert api("grid_a").post(f"/api/v1/alerts/{alert.pk}/resolve",
                              {"outcome": ""}).status_code == 422
    r = api("grid_a").post(f"/api/v1/alerts/{alert.pk}/resolve", {"outcome": "送发热门诊"})
    assert r.status_code == 200 and r.json()["status"] == "resolved"
    assert api("grid_a").get("/api/v1/alerts", status="open").json()["count"] == 0
    assert api("grid_a").post(f"/api/v1/alerts/{alert.pk}/resolve",
                              {"outcome": "again"}).status_code == 409


def test_assign_alert_to_a_worker_of_its_area(api, alert):
    r = api("staff_c1").post(f"/api/v1/alerts/{alert.pk}/assign", {"owner": "staff_c1"})
    assert r.status_code == 200 and r.json()["owner"] == "staff_c1"
    assert api("staff_c1").post(f"/api/v1/alerts/{alert.pk}/assign",
                                {"owner": "staff_c2"}).status_code == 422
    assert api("staff_c1").post(f"/api/v1/alerts/{alert.pk}/assign",
                                {"owner": "nobody-at-all"}).status_code == 422
    assert api("staff_c2").post(f"/api/v1/alerts/{alert.pk}/assign",
                                {"owner": "staff_c2"}).status_code == 404
    assert api("auditor").post(f"/api/v1/alerts/{alert.pk}/assign",
                               {"owner": "grid_a"}).status_code == 403


def test_alert_actions_wrong_role_and_other_area(api, alert):
    assert api("auditor").post(f"/api/v1/alerts/{alert.pk}/acknowledge").status_code == 403
    assert api("staff_c2").post(f"/api/v1/alerts/{alert.pk}/acknowledge").status_code == 404
    assert api("staff_c2").post(f"/api/v1/alerts/{alert.pk}/resolve",
                                {"outcome": "x"}).status_code == 404


# --- lockdowns ------------------------------------------------------------------------------

def test_lockdown_create_list_lift(api, roster):
    r = api("staff_c1").post("/api/v1/lockdowns", {"building_id": roster.h1.building_id,
                                                   "starts_on": str(today()), "days": 7})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["households"] == 2 and body["isolations_started"] == 3
    assert body["ends_on"] == str(today() + timedelta(days=7))
    listed = api("staff_c1").get("/api/v1/lockdowns", active=True).json()
    assert listed["count"] == 1
    r = api("staff_c1").post(f"/api/v1/lockdowns/{body['id']}/lift", {"reason": "all negative"})
    assert r.status_code == 200 and r.json()["lifted_at"]
    assert api("staff_c1").get("/api/v1/lockdowns", active=True).json()["count"] == 0


def test_lockdown_bad_input_role_and_scope(api, roster):
    def post(user, body):
        return api(user).post("/api/v1/lockdowns", {"starts_on": str(today())} | body)

    assert post("staff_c1", {}).status_code == 422
    assert post("staff_c1", {"compound_id": roster.compound.pk,
                             "building_id": roster.h1.building_id}).status_code == 422
    assert post("staff_c1", {"compound_id": roster.compound.pk, "days": -1}).status_code == 422
    assert post("grid_a", {"compound_id": roster.compound.pk}).status_code == 403
    assert post("staff_c2", {"compound_id": roster.compound.pk}).status_code == 404
    assert post("staff_c2", {"building_id": roster.h1.building_id}).status_code == 404
    r = post("staff_c1", {"compound_id": roster.compound.pk})
    assert api("staff_c2").post(f"/api/v1/lockdowns/{r.json()['id']}/lift").status_code == 404
    assert api("grid_a").post(f"/api/v1/lockdowns/{r.json()['id']}/lift").status_code == 403


# --- quarantine sites, rooms, transfers -----------------------------------------------------

def test_sites_rooms_assign_board_and_cleaning(api, roster):
    r = api("staff_c1").post("/api/v1/quarantine-sites", {"area": "C1", "name": "凤台宾馆"})
    assert r.status_code == 201
    site = r.json()["id"]
    r = api("staff_c1").post(f"/api/v1/quarantine-sites/{site}/rooms",
                             {"numbers": ["301", "302"]})
    assert r.status_code == 201 and len(r.json()) == 2
    iso = create(api, "staff_c1", roster.a1, kind="centralized").json()["id"]
    room = Room.objects.get(site_id=site, number="301").pk
    r = api("staff_c1").post(f"/api/v1/rooms/{room}/assign", {"isolation_id": iso})
    assert r.status_code == 201
    other = create(api, "staff_c1", roster.b1, kind="centralized").json()["id"]
    r = api("staff_c1").post(f"/api/v1/rooms/{room}/assign", {"isolation_id": other})
    assert r.status_code == 409 and r.json()["error"] == "room_taken"
    board = api("staff_c1").get(f"/api/v1/quarantine-sites/{site}/rooms").json()["items"]
    assert [(b["number"], b["status"], len(b["stays"])) for b in board] == [
        ("301", "occupied", 1), ("302", "available", 0)]
    assert api("staff_c1").post(f"/api/v1/rooms/{room}/cleaned").status_code == 409
    assert api("staff_c1").post(f"/api/v1/rooms/{room}/vacate").json()["status"] == "cleaning"
    assert api("grid_a").post(f"/api/v1/rooms/{room}/cleaned").status_code == 404  # not G1a's
    r = api("staff_c1").post(f"/api/v1/rooms/{room}/service", {"closed": True})
    assert r.status_code == 409 and r.json()["error"] == "room_not_free"
    assert api("staff_c1").post(f"/api/v1/rooms/{room}/service", {"closed": "x"}).status_code == 422
    assert api("staff_c1").post(f"/api/v1/rooms/{room}/cleaned").json()["status"] == "available"


def test_sites_scope_role_and_bad_input(api, roster):
    site = api("staff_c1").post("/api/v1/quarantine-sites", {"area": "C1", "name": "宾馆"}).json()
    assert api("staff_c1").post("/api/v1/quarantine-sites",
                                {"area": "C2", "name": "x"}).status_code == 404
    assert api("grid_a").post("/api/v1/quarantine-sites",
                              {"area": "G1a", "name": "x"}).status_code == 403
    assert api("staff_c1").post("/api/v1/quarantine-sites",
                                {"area": "C1", "name": " "}).status_code == 422
    assert api("staff_c2").get(f"/api/v1/quarantine-sites/{site['id']}/rooms").status_code == 404
    assert api("staff_c2").get("/api/v1/quarantine-sites").json()["count"] == 0
    assert api("staff_c1").post(f"/api/v1/quarantine-sites/{site['id']}/rooms",
                                {"numbers": []}).status_code == 422
    api("staff_c1").post(f"/api/v1/quarantine-sites/{site['id']}/rooms", {"numbers": ["1"]})
    room = Room.objects.get(number="1").pk
    assert api("staff_c2").post(f"/api/v1/rooms/{room}/cleaned").status_code == 404
    assert api("gate_c1").post(f"/api/v1/rooms/{room}/cleaned").status_code == 403
    assert api("staff_c1").post(f"/api/v1/rooms/{room}/assign",
                                {"isolation_id": "x"}).status_code == 422


def test_transfers(api, roster):
    site = api("staff_c1").post("/api/v1/quarantine-sites", {"area": "C1", "name": "宾馆"}).json()
    iso = create(api, "staff_c1", roster.a1, kind="centralized").json()["id"]
    body = {"isolation_id": iso, "from_place": "阳光花园1栋1单元101", "to_site_id": site["id"],
            "pickup_at": timezone.now().isoformat(), "vehicle": "皖D12345", "escort": "赵医生"}
    r = api("staff_c1").post("/api/v1/transfers", body)
    assert r.status_code == 201 and r.json()["status"] == "planned"
    t = r.json()["id"]
    assert api("grid_a").post(f"/api/v1/transfers/{t}/status",
                              {"status": "teleported"}).status_code == 422
    assert api("grid_a").post(f"/api/v1/transfers/{t}/status",
                              {"status": "arrived"}).json()["status"] == "arrived"
    assert api("grid_a").get("/api/v1/transfers").json()["count"] == 1
    assert api("grid_a").get("/api/v1/transfers", status="lost").status_code == 422
    assert api("staff_c2").get("/api/v1/transfers").json()["count"] == 0
    assert api("staff_c2").post(f"/api/v1/transfers/{t}/status",
                                {"status": "cancelled"}).status_code == 404
    assert api("grid_a").post("/api/v1/transfers", body).status_code == 403
    assert api("staff_c1").post("/api/v1/transfers", body | {"from_place": ""}).status_code == 422


def test_unauthenticated_is_401(client, roster):
    assert client.get("/api/v1/alerts").status_code == 401


def test_every_object_endpoint_is_404_for_another_area(api, cast, roster, areas):
    """staff_c2 (community C2) asks for C1's isolation, alert, lockdown, site, room, transfer."""
    iso = services.isolation_start(resident=roster.a1, kind="centralized", reason="risk_area",
                                   starts_on=today(), actor=cast.staff_c1)
    services.reading_record(isolation=iso, temperature=39, taken_at=None, actor=cast.grid_a)
    alert = Alert.objects.get()
    lockdown = services.lockdown_create(compound=roster.compound, starts_on=today(),
                                        actor=cast.staff_c1)
    site = services.site_create(area=areas.c1, name="宾馆", actor=cast.staff_c1)
    (room,) = services.rooms_add(site=site, numbers=["1"], actor=cast.staff_c1)
    transfer = services.transfer_create(isolation=iso, from_place="家", to_site=site,
                                        pickup_at=timezone.now(), actor=cast.staff_c1)
    c2 = api("staff_c2")
    gets = [f"/api/v1/isolations/{iso.pk}", f"/api/v1/isolations/{iso.pk}/readings",
            f"/api/v1/quarantine-sites/{site.pk}/rooms"]
    posts = [(f"/api/v1/isolations/{iso.pk}/extend", {"days": 1, "reason": "x"}),
             (f"/api/v1/isolations/{iso.pk}/release", {"reason": "x"}),
             (f"/api/v1/isolations/{iso.pk}/report-link", {}),
             (f"/api/v1/isolations/{iso.pk}/readings", {"temperature": 36.5}),
             (f"/api/v1/alerts/{alert.pk}/acknowledge", {}),
             (f"/api/v1/alerts/{alert.pk}/resolve", {"outcome": "x"}),
             (f"/api/v1/lockdowns/{lockdown.pk}/lift", {}),
             (f"/api/v1/quarantine-sites/{site.pk}/rooms", {"numbers": ["2"]}),
             (f"/api/v1/rooms/{room.pk}/assign", {"isolation_id": iso.pk}),
             (f"/api/v1/rooms/{room.pk}/vacate", {}),
             (f"/api/v1/rooms/{room.pk}/cleaned", {}),
             (f"/api/v1/rooms/{room.pk}/service", {"closed": True}),
             (f"/api/v1/transfers/{transfer.pk}/status", {"status": "arrived"}),
             ("/api/v1/transfers", {"isolation_id": iso.pk, "from_place": "x",
                                    "pickup_at": timezone.now().isoformat(), "to_place": "y"})]
    assert [(p, c2.get(p).status_code) for p in gets] == [(p, 404) for p in gets]
    assert [(p, c2.post(p, b).status_code) for p, b in posts] == [(p, 404) for p, _b in posts]
    for path in ("/api/v1/isolations", "/api/v1/alerts", "/api/v1/lockdowns",
                 "/api/v1/quarantine-sites", "/api/v1/transfers"):
        assert c2.get(path).json()["count"] == 0, path


def test_missing_objects_are_404(api):
    for path in ("/api/v1/isolations/999999", "/api/v1/quarantine-sites/999999/rooms"):
        assert api("hq").get(path).status_code == 404
    assert api("hq").post("/api/v1/alerts/999999/acknowledge").status_code == 404


def test_api_reading_temperature_comma_and_words(api, cast, roster):
    from django.utils import timezone

    from firstline.isolation import services as iso_services
    iso = iso_services.isolation_start(resident=roster.a1, kind="home", reason="risk_area",
                                       starts_on=timezone.localdate(), actor=cast.staff_c1)
    r = api("grid_a").post(f"/api/v1/isolations/{iso.pk}/readings", {"temperature": "36,7"})
    assert r.status_code == 201
    r = api("grid_a").post(f"/api/v1/isolations/{iso.pk}/readings", {"temperature": "abc"})
    assert r.status_code == 422 and "体温须为数字" in r.json()["detail"]
    assert "34.0" not in r.json()["detail"]


def test_an_unknown_isolation_kind_is_refused_naming_the_field_in_each_language(cast, roster):
    from django.utils import translation

    from firstline.errors import InvalidInput

    for lang, detail in [("zh-hans", "kind 必须是以下之一：home, centralized。"),
                         ("zh-hant", "kind 必須是以下之一：home, centralized。"),
                         ("en", "kind must be one of: home, centralized.")]:
        with translation.override(lang), pytest.raises(InvalidInput) as exc:
            services.isolation_start(resident=roster.d1, kind="hotel", reason="risk_area",
                                     starts_on=today(), actor=cast.staff_c2)
        assert (exc.value.code, exc.value.field, exc.value.detail) == ("bad_kind", "kind", detail)
    assert not Isolation.objects.exists()


def test_an_unknown_alert_kind_is_a_422_naming_it_not_an_empty_list(api, cast):
    r = api("grid_a").get("/api/v1/alerts", kind="abc")
    assert r.status_code == 422 and r.json()["detail"].startswith("kind")
    assert api("grid_a").get("/api/v1/alerts", kind="gate_fever").status_code == 200


def test_transfers_honour_area(api, roster, cast):
    """?area= narrows the transfers to that area's subtree (street staff: both communities)."""
    def plan(staff, resident):
        iso = create(api, staff, resident, kind="centralized").json()["id"]
        return api(staff).post("/api/v1/transfers", {
            "isolation_id": iso, "from_place": "家", "to_place": "医院",
            "pickup_at": timezone.now().isoformat(),
        }).json()["id"]

    t1, t2 = plan("staff_c1", roster.a1), plan("staff_c2", roster.d1)
    def ids(**q):
        return {t["id"] for t in api("hq").get("/api/v1/transfers", **q).json()["items"]}

    assert ids() == {t1, t2}
    assert ids(area="C1") == {t1}
    assert ids(area="G2a") == {t2}


def test_transfers_of_an_area_outside_scope_is_404(api, roster):
    assert api("staff_c1").get("/api/v1/transfers", area="C2").status_code == 404
