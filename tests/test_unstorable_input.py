"""Input no database stores is bad input, answered in the user's language and naming it —
never a 500 (a NUL character, half of a surrogate pair, a number or a date out of range)."""

import pytest

from firstline.isolation.models import QuarantineSite


@pytest.mark.parametrize("url", ["/people/?q=a%00b", "/isolation/?q=%00",
                                 "/operations/volunteers/?area=a%00b"])
def test_a_nul_in_the_address_is_a_400_naming_the_field(web, cast, url):
    r = web("staff_c1", "en").get(url)
    assert r.status_code == 400
    text = r.content.decode()
    assert "NUL character" in text and "Nothing was saved" in text
    assert f"“{url.split('?')[1].split('=')[0]}”" in text


def test_a_nul_in_a_form_field_is_a_400_in_the_users_language(web, cast):
    r = web("staff_c1").post("/operations/volunteers/", {"action": "register", "area": "a\x00b"})
    assert r.status_code == 400
    assert "NUL 字符" in r.content.decode() or "NUL" in r.content.decode()
    assert "无法保存" in r.content.decode()


@pytest.mark.parametrize("url", ["/assistance/requests/?page=9223372036854775808",
                                 "/assistance/calls/?page=9223372036854775808"])
def test_a_page_number_beyond_the_database_is_the_last_page_kept(web, cast, url):
    assert web("staff_c1", "en").get(url).status_code == 200


def test_a_day_the_calendar_cannot_step_back_from_is_refused_on_the_page_not_a_500(web, cast):
    # The dashboard now says so beside its date picker (tests/reports/test_views.py has the
    # wording); what stays here: never a 500.
    r = web("hq", "en").get("/reports/?date=0001-01-01")
    assert r.status_code == 422 and "0001-01-01" in r.content.decode()


@pytest.mark.parametrize("error", ["DataError", "OverflowError"])
def test_a_value_out_of_the_databases_range_met_by_a_page_is_a_400(rf, cast, error):
    # The net under every page: whatever page a number too large for its column still reaches
    # (the pages guard their own, so no address reaches it today) answers 400, not 500.
    from django import db

    from firstline.middleware import UnstorableInputMiddleware

    exc = getattr(db, error, None) or OverflowError
    request = rf.get("/people/")
    request.user = cast.staff_c1
    answer = UnstorableInputMiddleware(lambda r: None).process_exception(request, exc("x"))
    assert answer.status_code == 400
    assert "out of range" in answer.content.decode() or "超出范围" in answer.content.decode()
    api = rf.get("/api/v1/residents")
    assert UnstorableInputMiddleware(lambda r: None).process_exception(api, exc("x")) is None


def test_half_a_surrogate_pair_in_json_is_a_422(api, cast, areas):
    body = '{"area": "' + areas.c1.code + '", "name": "\\ud800x"}'
    r = api("hq").client.post("/api/v1/quarantine-sites", body, content_type="application/json",
                              **api("hq")._headers())
    assert r.status_code == 422, r.content
    assert r.json()["error"] == "invalid"
    assert r.json()["detail"].startswith("name: ")
    assert not QuarantineSite.objects.exists()


@pytest.mark.parametrize("path, body, where", [
    # the area was read before anything named the text: the answer named no field
    ("/api/v1/reports/daily/submit", '{"area": "\\udc00C1"}', "area"),
    ("/api/v1/notices", '{"title": "x", "body": "x", "areas": ["C1", "\\ud800"]}', "areas.1"),
])
def test_half_a_surrogate_pair_is_named_where_it_is(api, cast, areas, path, body, where):
    r = api("hq").client.post(path, body, content_type="application/json",
                              HTTP_ACCEPT_LANGUAGE="zh-hans", **api("hq")._headers())
    assert r.status_code == 422, r.content
    assert r.json()["error"] == "invalid"
    assert r.json()["detail"] == where + ": 含有不成对的代理项（U+D800–U+DFFF），不是字符：请删除"


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
                                    "1899-12-31T12:00:00+08:00"])
def test_a_moment_outside_the_years_this_system_can_mean_is_a_422(api, cast, moment):
    import uuid

    r = api("gate_c1").post("/api/v1/gate/scans", {
        "event_id": str(uuid.uuid4()), "checkpoint": "X", "pass_code": "X",
        "direction": "out", "temperature": 36.5, "scanned_at": moment})
    assert r.status_code == 422, r.content
    assert "scanned_at" in r.json()["detail"]


def test_a_nul_in_a_json_key_is_named_with_the_key(api, cast, areas):
    body = '{"area": "' + areas.c1.code + '", "na\\u0000me": "x"}'
    r = api("hq").client.post("/api/v1/quarantine-sites", body, content_type="application/json",
                              HTTP_ACCEPT_LANGUAGE="en", **api("hq")._headers())
    assert r.status_code == 422, r.content
    assert r.json()["detail"] == ("na\\x00me: contains a NUL character (\\x00), which cannot be "
                                  "stored: remove it")


def test_a_malformed_upload_to_the_api_is_a_400_in_the_error_shape(api, cast):
    """multipart/form-data without its boundary: JSON like every other refusal, not Django's
    HTML page and a logged traceback."""
    r = api("hq").client.post("/api/v1/checklists", b"x", content_type="multipart/form-data",
                              **api("hq")._headers())
    assert r.status_code == 400
    assert r["Content-Type"] == "application/json; charset=utf-8"
    assert r.json()["error"] == "bad_request" and "multipart/form-data" in r.json()["detail"]
