"""An ID number or phone typed into a web search never becomes a URL (privacy audit F1): the
residents search and the audit page's resident filter post; the URL shown afterwards carries
such a term by a reference kept in the session, a name as itself (shareable)."""

import re

import pytest

from firstline.people import services

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _digits_in(url: str) -> list[str]:
    return re.findall(r"\d{4,}", url)


def test_the_residents_search_form_posts(web, roster):
    html = web("staff_c1").get("/people/").content.decode()
    form = re.search(r"<form [^>]*hx-target=\"#results\"[^>]*>", html).group(0)
    assert 'method="post"' in form and "hx-post=" in form and "hx-push-url" not in form


def test_an_id_number_searched_is_found_but_not_put_in_the_url(web, roster):
    client = web("staff_c1")
    r = client.post("/people/", {"q": roster.a1.id_number, "area": ""})
    assert r.status_code == 302 and _digits_in(r["Location"]) == []
    page = client.get(r["Location"]).content.decode()
    assert "王伟" in page and "王芳" not in page
    assert services.mask_id_number(roster.a1.id_number) in page


def test_a_phone_searched_with_htmx_pushes_a_url_without_it(web, roster):
    client = web("staff_c1")
    r = client.post("/people/", {"q": "13900002222", "area": "C1"}, **HTMX)
    assert r.status_code == 200 and "王芳" in r.content.decode()
    assert "area=C1" in r["HX-Push-Url"] and _digits_in(r["HX-Push-Url"]) == []
    # the pushed URL is what the back button and a reload ask: the same search
    assert "王芳" in client.get(r["HX-Push-Url"]).content.decode()


def test_a_name_search_stays_in_the_url(web, roster):
    r = web("staff_c1").post("/people/", {"q": "王伟"})
    assert r.status_code == 302 and "q=%E7%8E%8B%E4%BC%9F" in r["Location"]


def test_an_id_number_typed_into_the_url_is_taken_out_of_it(web, roster):
    r = web("staff_c1").get("/people/", {"q": roster.a1.id_number})
    assert r.status_code == 302 and _digits_in(r["Location"]) == []


def test_the_reference_means_nothing_in_another_session(web, roster):
    r = web("staff_c1").post("/people/", {"q": roster.a1.id_number})
    page = web("staff_c1").get(r["Location"]).content.decode()
    assert roster.a1.id_number not in page


def test_the_audit_filter_keeps_a_number_out_of_the_url(web, roster, cast):
    services.resident_read(actor=cast.staff_c1, resident=roster.a1, unmask=False)
    client = web("auditor")
    number = str(roster.a1.pk).rjust(4, "0")  # a resident number, typed as 4 digits or more
    r = client.post("/people/audit/", {"resident": number, "who": "staff_c1"})
    assert r.status_code == 302 and _digits_in(r["Location"]) == []
    assert "who=staff_c1" in r["Location"]
    assert f"(#{roster.a1.pk})" in client.get(r["Location"]).content.decode()
    typed = client.get("/people/audit/", {"resident": number})
    assert typed.status_code == 302 and _digits_in(typed["Location"]) == []
