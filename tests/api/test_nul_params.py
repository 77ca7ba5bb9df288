"""A NUL character (\\x00) in a path, query or form parameter of any API operation is a 422
`invalid` naming the parameter, in the body's words (firstline.api.refuse_nul_params) — the
same on SQLite (which would compare it silently) and PostgreSQL (which refuses such text)."""

import pytest

NUL_DETAIL_EN = "contains a NUL character (\\x00), which cannot be stored: remove it"


@pytest.mark.parametrize(("url", "param"), [
    ("/api/v1/residents?q=a%00b", "q"),
    ("/api/v1/residents?area=C1%00", "area"),
    ("/api/v1/compounds?area=%00", "area"),
    ("/api/v1/alerts?status=open&area=C%001", "area"),
    ("/api/v1/areas/C1%00", "code"),
])
def test_a_nul_in_a_parameter_is_a_422_naming_it(api, cast, url, param):
    a = api("staff_c1")
    r = a.client.get(url, HTTP_ACCEPT_LANGUAGE="en", **a._headers())
    assert r.status_code == 422, r.content
    assert r.json() == {"error": "invalid", "detail": f"{param}: {NUL_DETAIL_EN}"}


def test_a_nul_in_a_path_parameter_of_a_write_is_a_422_naming_it(api, cast):
    a = api("staff_c1")
    r = a.client.post("/api/v1/passes/ab%00cd/revoke", "{}", content_type="application/json",
                      HTTP_ACCEPT_LANGUAGE="en", **a._headers())
    assert r.status_code == 422, r.content
    assert r.json()["detail"] == f"code: {NUL_DETAIL_EN}"


def test_a_nul_in_a_parameters_name_is_named_with_it(api, cast):
    a = api("staff_c1")
    r = a.client.get("/api/v1/residents?q%00x=1", HTTP_ACCEPT_LANGUAGE="en", **a._headers())
    assert r.status_code == 422
    assert r.json()["detail"] == f"q\\x00x: {NUL_DETAIL_EN}"


def test_the_refusal_is_in_the_users_language(api, cast):
    a = api("staff_c1")
    r = a.client.get("/api/v1/residents?q=a%00b", HTTP_ACCEPT_LANGUAGE="zh-hans", **a._headers())
    assert r.status_code == 422
    assert r.json()["detail"].startswith("q: ") and "NUL" in r.json()["detail"]
    assert "remove it" not in r.json()["detail"]


def test_without_a_token_the_answer_is_still_401(client, cast):
    r = client.get("/api/v1/residents?q=a%00b")
    assert r.status_code == 401


def test_a_nul_in_a_multipart_form_field_is_named(api, cast, areas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    a = api("hq")
    csv = SimpleUploadedFile("l.csv", "姓名,身份证号\n张三,110101199003070000\n".encode(),
                             content_type="text/csv")
    r = a.client.post("/api/v1/checklists", {"file": csv, "source": "a\x00b",
                                              "area": areas.c1.code},
                      HTTP_ACCEPT_LANGUAGE="en", **a._headers())
    assert r.status_code == 422, r.content
    assert r.json()["detail"] == f"source: {NUL_DETAIL_EN}"
