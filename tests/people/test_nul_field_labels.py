"""A NUL character (\\x00) typed into a page's form is refused before the view runs
(firstline.middleware.UnstorableInputMiddleware), naming the field by the label the user sees,
in their language — the form's field label, or a hand-written page's `field_labels` — and by
its HTML name only when no field of the view's forms has that name, or when forms that fit
what was sent equally well label it differently."""

import pytest

NUL = "a\x00b"


def _named(response, label):
    assert response.status_code == 400, response.status_code
    return f"“{label}”" in response.content.decode()


@pytest.mark.parametrize(("lang", "label"), [("zh-hans", "身份证号"), ("en", "ID number")])
def test_a_case_forms_id_number_is_named_by_its_label(web, cast, lang, label):
    r = web("staff_c1", lang).post("/lists/cases/", {"id_number": NUL, "status": "confirmed"})
    assert _named(r, label)


@pytest.mark.parametrize(("lang", "label"), [("zh-hans", "来自：城市"), ("en", "Came from: city")])
def test_a_prefixed_member_field_of_a_visit_is_named_by_its_label(web, cast, roster, lang, label):
    r = web("grid_a", lang).post(f"/people/screening/{roster.h1.pk}/",
                                 {"note": "", f"m{roster.a1.pk}-from_city": NUL,
                                  f"m{roster.a1.pk}-present": "on"})
    assert _named(r, label)


@pytest.mark.parametrize(("lang", "label"), [("zh-hans", "身份证号"), ("en", "ID number")])
def test_a_hand_written_public_form_names_its_label(client, cast, areas, lang, label):
    client.cookies["django_language"] = lang
    r = client.post(f"/residents/p/{areas.c1.code}/declare/",
                    {"name": "张三", "id_number": NUL, "from_province": "湖北"})
    assert _named(r, label)


@pytest.mark.parametrize(("lang", "label"), [("zh-hans", "手机号"), ("en", "Mobile phone")])
def test_the_member_page_names_its_label(web, cast, roster, lang, label):
    r = web("grid_a", lang).post(f"/residents/households/{roster.h1.pk}/members/new/",
                                 {"name": "张三", "phone": NUL})
    assert _named(r, label)


def test_a_name_no_form_field_has_is_named_as_sent(web, cast):
    r = web("staff_c1", "en").post("/lists/cases/", {"zzz_unknown": NUL})
    assert _named(r, "zzz_unknown")
    assert "NUL character" in r.content.decode()


@pytest.mark.parametrize(("lang", "gate"), [("zh-hans", "卡口名称"), ("en", "Gate name")])
def test_forms_that_fit_alike_but_label_the_field_apart_are_not_guessed_between(
        web, cast, lang, gate):
    # a gate's "Name" (CheckpointForm) and a visitor's (VisitForm): the page may be either
    r = web("staff_c1", lang).post("/access/visitors/", {"name": "x\x00"})
    assert _named(r, "name")
    assert gate not in r.content.decode()


@pytest.mark.parametrize(("lang", "label"), [("zh-hans", "数量"), ("en", "Quantity")])
def test_the_forms_of_a_forms_module_the_views_import_name_their_fields(web, cast, lang, label):
    # operations.views does `from . import forms`: the stock page's issue form is StockForm
    r = web("staff_c1", lang).post("/operations/stock/", {
        "action": "issue", "event_id": "", "store": "S-C1", "item": "1", "quantity": NUL,
        "to": "北门"})
    assert _named(r, label)


@pytest.mark.parametrize("url", ["/lists/cases/", "/operations/volunteers/", "/",
                                 "/admin/people/resident/add/"])
def test_an_anonymous_post_to_a_login_page_gets_the_login_redirect_not_a_field_label(
        client, cast, url):
    # The view's own login gate answers first, with or without a NUL: field labels are not
    # told to whoever is not signed in.
    plain = client.post(url, {"id_number": "ab", "area": "ab"})
    r = client.post(url, {"id_number": NUL, "area": NUL})
    assert plain.status_code == 302
    assert (r.status_code, r["Location"]) == (302, plain["Location"])


@pytest.mark.parametrize(("lang", "label"), [("zh-hans", "用户名"), ("en", "Username")])
def test_the_login_form_still_names_its_field(client, cast, lang, label):
    client.cookies["django_language"] = lang
    assert _named(client.post("/login/", {"username": NUL, "password": "x"}), label)


@pytest.mark.parametrize(("lang", "label"), [("zh-hans", "体温（°C）"), ("en", "Temperature (°C)")])
def test_the_residents_self_report_page_still_names_its_field(client, cast, roster, lang, label):
    from django.utils import timezone

    from firstline.isolation import services

    iso = services.isolation_start(resident=roster.a1, kind="home", reason="risk_area",
                                   starts_on=timezone.localdate(), actor=cast.staff_c1)
    client.cookies["django_language"] = lang
    r = client.post(f"/isolation/r/{iso.report_token}/", {"action": "reading",
                                                          "temperature": NUL})
    assert _named(r, label)


def test_an_admin_page_names_a_nul_field_as_sent_not_a_500(web, cast):
    # the admin's views are Django's: no form of this project is guessed at, and none of
    # Django's own is built to find out
    r = web("admin", "en").post("/admin/people/resident/add/", {"name": NUL})
    assert _named(r, "name")
