"""An id typed in an address or a form field that is "digits" to str.isdigit() but no number
to int() — a superscript "²", a circled "①", 5,000 nines — is no such row: the page answers
as for any unknown id (nothing picked, or a 404), never a 500."""

import pytest

from firstline.forms import typed_id

ODD = ["²", "①", "9" * 5000]


@pytest.mark.parametrize("value, expected", [
    ("12", 12), (" 12 ", 12), ("１２", 12), ("0", 0), ("9" * 18, 10**18 - 1),
    ("9" * 19, None), ("²", None), ("①", None), ("", None), (None, None), ("-1", None),
    ("1e3", None), ("12a", None)])
def test_a_typed_id_is_decimal_digits_and_at_most_eighteen(value, expected):
    assert typed_id(value) == expected


@pytest.mark.parametrize("typed", ODD)
@pytest.mark.parametrize("user, url, param", [
    ("staff_c1", "/isolation/new/", "resident"),
    ("staff_c1", "/isolation/lockdowns/", "compound"),
    ("staff_c1", "/lists/items/", "answered"),
    ("staff_c1", "/people/", "compound"),
    ("staff_c1", "/people/", "household"),
    ("auditor", "/people/audit/", "resident"),
])
def test_an_odd_id_in_the_address_is_no_such_row(web, cast, user, url, param, typed):
    r = web(user, "en").get(url, {param: typed}, follow=True)
    assert r.status_code == 200


@pytest.mark.parametrize("typed", ODD)
def test_an_odd_resident_posted_to_start_an_isolation_is_a_404(web, cast, typed):
    assert web("staff_c1", "en").post("/isolation/new/", {"resident": typed}).status_code == 404


@pytest.mark.parametrize("typed", ODD)
def test_an_odd_compound_posted_for_a_lockdown_is_refused_on_the_form(web, cast, typed):
    r = web("staff_c1", "en").post("/isolation/lockdowns/", {"compound": typed,
                                                             "starts_on": "2020-02-10"})
    assert r.status_code in (400, 422)
    assert "compound" in r.content.decode().lower()


@pytest.mark.parametrize("typed", ODD)
@pytest.mark.parametrize("action, field", [("assign", "room"), ("cleaned", "room"),
                                           ("transfer_status", "transfer")])
def test_an_odd_room_or_transfer_on_the_site_board_is_a_404(web, cast, areas, typed, action,
                                                            field):
    from firstline.isolation import services

    site = services.site_create(area=areas.c1, name="凤台宾馆", actor=cast.staff_c1)
    services.rooms_add(site=site, numbers=["301"], actor=cast.staff_c1)
    r = web("staff_c1", "en").post(f"/isolation/sites/{site.pk}/", {"action": action,
                                                                    field: typed})
    assert r.status_code == 404


@pytest.mark.parametrize("typed", ODD)
def test_an_odd_building_on_a_notice_and_its_poster_is_no_building(web, client, cast, areas,
                                                                  typed):
    from firstline.residents import services

    notice = services.notice_publish(actor=cast.staff_c1, title="通知", body="明早检测。",
                                     areas=[areas.c1])
    assert client.get(f"/residents/n/{notice.token}/", {"b": typed}).status_code == 200
    r = web("staff_c1", "en").get(f"/residents/notices/{notice.pk}/poster/", {"building": typed})
    assert r.status_code == 200


@pytest.mark.parametrize("typed", ODD)
def test_an_odd_store_id_in_the_api_is_a_4xx(api, cast, typed):
    r = api("staff_c1").get("/api/v1/stock", store=typed)
    assert r.status_code in (404, 422), r.content
