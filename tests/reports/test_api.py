"""GET /api/v1/reports/daily: allowed, wrong role (403), other area (404), bad input (4xx)."""

from .conftest import D

URL = "/api/v1/reports/daily"


def test_street_staff_gets_the_street_report(api, facts):
    response = api("hq").get(URL, area="99000101", date="2020-02-10")
    assert response.status_code == 200
    body = response.json()
    assert body["area"] == "99000101"
    assert body["date"] == "2020-02-10"
    assert body["residents"] == 8
    assert [c["area"] for c in body["children"]] == ["C1", "C2"]
    assert body["children"][0]["children"][1]["area"] == "G1b"


def test_community_staff_gets_their_community(api, facts):
    response = api("staff_c1").get(URL, area="C1", date=D.isoformat())
    assert response.status_code == 200
    assert response.json()["fever_alerts"] == 2


def test_other_community_is_not_found(api, facts):
    response = api("staff_c2").get(URL, area="C1", date=D.isoformat())
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_parent_of_own_scope_is_not_found(api, facts):
    assert api("staff_c1").get(URL, area="99000101").status_code == 404


def test_unknown_area_is_not_found(api, facts):
    assert api("hq").get(URL, area="NOPE").status_code == 404


def test_role_without_reports_is_forbidden(api, facts):
    for user in ("grid_a", "gate_c1", "nobody"):
        response = api(user).get(URL, area="C1", date=D.isoformat())
        assert response.status_code == 403, user
        assert response.json()["error"] == "forbidden"


def test_bad_date_is_422(api, facts):
    for bad in ("2020-02-30", "10/02/2020", "yesterday", "2020-2-1x"):
        response = api("hq").get(URL, area="99000101", date=bad)
        assert response.status_code == 422, bad
        assert response.json()["error"] == "bad_date"


def test_a_future_date_is_422(api, facts):
    from datetime import timedelta

    from django.utils import timezone

    tomorrow = timezone.localdate() + timedelta(days=1)
    response = api("hq").get(URL, area="99000101", date=tomorrow.isoformat())
    assert response.status_code == 422
    assert response.json()["error"] == "future_date"
    today = api("hq").get(URL, area="99000101", date=timezone.localdate().isoformat())
    assert today.status_code == 200


def test_missing_area_is_422(api, facts):
    response = api("hq").get(URL)
    assert response.status_code == 422


def test_date_defaults_to_today(api, facts):
    from django.utils import timezone

    body = api("hq").get(URL, area="C2").json()
    assert body["date"] == timezone.localdate().isoformat()


def test_token_is_required(client, facts):
    assert client.get(URL, {"area": "C1"}).status_code == 401


def test_auditor_may_read_reports(api, facts):
    assert api("auditor").get(URL, area="C2", date=D.isoformat()).status_code == 200


def test_openapi_documents_the_report(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/reports/daily" in schema["paths"]
    assert "DailyReportOut" in schema["components"]["schemas"]
