"""The staff pages: allowed, wrong role (403) and other area (404)."""

from firstline.people.models import Resident
from firstline.residents.models import Declaration, Notice

from .conftest import declaration
from .test_declarations import declare


def test_grid_worker_confirms_on_the_declarations_page(place, web):
    declare(declaration())
    c = web("grid_a")
    page = c.get("/residents/declarations/").content.decode()
    assert "李娜" in page and "138****8000" in page and "/residents/posters/C1/" in page
    d = Declaration.objects.get()
    assert c.post(f"/residents/declarations/{d.pk}/confirm/").status_code == 302
    assert Resident.objects.filter(name="李娜", household=place.h102).exists()


def test_declarations_page_wrong_role_and_other_area(place, web):
    declare(declaration())
    d = Declaration.objects.get()
    assert web("gate_c1").get("/residents/declarations/").status_code == 403
    assert "李娜" not in web("staff_c2").get("/residents/declarations/").content.decode()
    assert web("staff_c2").post(f"/residents/declarations/{d.pk}/confirm/").status_code == 404
    assert Declaration.objects.get().status == "pending"


def test_staff_publish_a_notice_on_the_page(place, web):
    r = web("staff_c1").post("/residents/notices/", {"title": "公开信", "body": "少出门",
                                                     "areas": ["C1"]})
    notice = Notice.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/residents/notices/{notice.pk}/"
    assert "3 户中已有 0 户已读" in web("staff_c1").get(r["Location"]).content.decode()


def test_a_grid_worker_may_not_publish(place, web):
    assert web("grid_a").post("/residents/notices/", {"title": "x", "body": "y",
                                                      "areas": ["G1a"]}).status_code == 403
    assert not Notice.objects.exists()


def test_a_notice_of_another_community_is_404(place, web):
    web("staff_c2").post("/residents/notices/", {"title": "公开信", "body": "少出门",
                                                 "areas": ["C2"]})
    notice = Notice.objects.get()
    assert web("staff_c1").get(f"/residents/notices/{notice.pk}/").status_code == 404
    assert web("staff_c1").get(f"/residents/notices/{notice.pk}/poster/").status_code == 404


def test_member_add_page_wrong_role_and_other_area(place, web):
    assert web("gate_c1").get(f"/residents/households/{place.h102.pk}/members/new/"
                              ).status_code == 403
    assert web("grid_a").get(f"/residents/households/{place.h201.pk}/members/new/"
                             ).status_code == 404


def test_tips_page_lists_only_the_workers_area(place, web):
    from .test_tips import tip

    tip({"where": "阳光花园 2栋"})  # G1b
    assert "阳光花园 2栋" not in web("grid_a").get("/residents/tips/").content.decode()
    assert "阳光花园 2栋" in web("staff_c1").get("/residents/tips/").content.decode()
    assert web("gate_c1").get("/residents/tips/").status_code == 403


def test_home_panel_counts_what_waits_for_the_worker(place, web, at_noon):
    from datetime import timedelta

    from .test_tips import tip

    declare(declaration())
    tip({"where": "阳光花园 1栋"})
    at_noon.shift(timedelta(hours=25))
    page = web("grid_a", lang="en").get("/residents/panel/").content.decode()
    assert "<b>1</b> return declarations to confirm" in page
    assert "<b>1</b> tip-offs to verify" in page and "1 overdue" in page
    assert web("gate_c1").get("/residents/panel/").status_code == 403
    assert "<b>0</b>" in web("staff_c2", lang="en").get("/residents/panel/").content.decode()


def test_a_newcomer_at_an_unknown_room_is_placed_in_a_household_chosen_from_the_compound(
        place, web):
    declare(declaration(room="999"))  # 阳光花园 1-1-999 is not on the roster
    c = web("staff_c1")
    page = c.get("/residents/declarations/").content.decode()
    assert f'<option value="{place.h201.pk}">' in page
    d = Declaration.objects.get()
    assert c.post(f"/residents/declarations/{d.pk}/confirm/",
                  {"household": place.h201.pk}).status_code == 302
    assert Resident.objects.get(name="李娜").household == place.h201


def _beside(html, label, error):
    """`error` is shown inside the <label> that starts with `label`."""
    import re

    return re.search(rf'<label class="field">{re.escape(label)}<.*?'
                     rf'<span class="error"[^>]*>[^<]*{re.escape(error)}', html, re.S)


def test_a_refused_notice_keeps_what_was_typed_with_every_error_beside_its_field(place, web):
    r = web("staff_c1", "en").post("/residents/notices/", {
        "title": " ", "body": "请居民少出门", "title_en": "Stay home", "areas": []})
    html = r.content.decode()
    assert r.status_code == 422
    assert _beside(html, "Title", "Title: this field is required.")
    assert _beside(html, "For the households of", "Choose at least one area.")
    assert "请居民少出门</textarea>" in html and 'value="Stay home"' in html
    assert not Notice.objects.exists()


def test_a_notice_for_an_area_outside_the_list_is_refused_beside_the_areas(place, web):
    r = web("staff_c1").post("/residents/notices/", {"title": "公开信", "body": "少出门",
                                                     "areas": ["C2"]})
    assert r.status_code == 422
    assert _beside(r.content.decode(), "发给以下区域的住户", "C2")
    assert not Notice.objects.exists()
