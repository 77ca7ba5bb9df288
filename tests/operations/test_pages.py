"""The phone pages: public sign-up, people on duty, my duties, the disinfection board,
supplies, HQ tasks, in zh-hans and en; each needs its permission; another area is a 404."""

from datetime import timedelta

from firstline import clock
from firstline.operations import services
from firstline.operations.models import Place, Round, Task, Volunteer


def _token(cast, areas):
    return services.signup_link_get(actor=cast.staff_c1, area=areas.c1).token


def test_the_sign_up_page_needs_no_login_and_thanks_without_echoing(client, cast, areas):
    url = f"/operations/signup/{_token(cast, areas)}/"
    assert client.get(url).status_code == 200
    r = client.post(url, {"name": "孙七", "phone": "13900139000", "kind": "volunteer"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "13900139000" not in html and "孙七" not in html
    assert Volunteer.objects.filter(phone="13900139000", confirmed_at__isnull=True).exists()


def test_the_sign_up_page_names_a_bad_field(client, cast, areas):
    url = f"/operations/signup/{_token(cast, areas)}/"
    client.cookies["django_language"] = "en"
    r = client.post(url, {"name": "孙七", "phone": "123", "kind": "volunteer"})
    assert r.status_code == 422
    assert "phone" in r.content.decode()


def test_an_unknown_sign_up_link_is_404(client, areas):
    assert client.get("/operations/signup/nope/").status_code == 404


def test_staff_confirm_from_the_people_page(web, cast, areas):
    v = Volunteer.objects.create(area=areas.c1, name="孙七", phone="13900139000",
                                 kind="volunteer", self_signed_up=True)
    page = web("staff_c1")
    html = page.get("/operations/volunteers/").content.decode()
    assert "孙七" in html and "139****9000" in html and "13900139000" not in html
    page.post("/operations/volunteers/?area=C1", {"action": "confirm", "volunteer": v.pk,
                                                   "area": "C1"})
    v.refresh_from_db()
    assert v.confirmed_at is not None


def test_the_people_page_of_another_community_is_404(web, cast, areas):
    assert web("staff_c1").get("/operations/volunteers/?area=C2").status_code == 404


def test_the_people_page_needs_operations_work(web, cast):
    assert web("gate_c1").get("/operations/volunteers/").status_code == 403


def test_the_board_records_a_round(web, cast, homes):
    page = web("staff_c1", "en")
    html = page.get("/operations/disinfection/").content.decode()
    assert "阳光花园 公共区域" in html and "Round done" in html
    from firstline.operations.models import Place

    place = Place.objects.get(kind="common_areas", compound=homes.c1.compound)
    page.post("/operations/disinfection/?area=C1", {"place": place.pk, "agent": "84消毒液"})
    assert Round.objects.filter(place=place).count() == 1
    assert "Nothing due now." in page.get("/operations/disinfection/?area=C1").content.decode()


def test_a_round_on_another_communitys_place_from_the_board_is_404(web, cast, homes):
    from firstline.operations.models import Place

    place = Place.objects.get(kind="common_areas", compound=homes.c2.compound)
    r = web("staff_c1").post("/operations/disinfection/", {"place": place.pk, "agent": "84"})
    assert r.status_code == 404
    assert not Round.objects.exists()


def test_hq_sends_a_task_and_a_community_reports_it_done(web, cast, areas):
    hq = web("hq", "en")
    due = (clock.localtime() + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    hq.post("/operations/tasks/", {"action": "send", "title": "排查", "areas": ["C1", "C2"],
                                   "due_at": due})
    assert Task.objects.count() == 2
    task = Task.objects.get(area=areas.c1)
    staff = web("staff_c1")
    html = staff.get("/operations/tasks/").content.decode()
    assert "排查" in html
    staff.post("/operations/tasks/", {"action": "done", "task": task.pk, "note": "已完成"})
    task.refresh_from_db()
    assert task.done_at is not None and task.note == "已完成"


def test_community_staff_cannot_send_from_the_tasks_page(web, cast, areas):
    due = (clock.localtime() + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    web("staff_c1").post("/operations/tasks/", {"action": "send", "title": "x",
                                                "areas": ["C1"], "due_at": due})
    assert not Task.objects.exists()


def test_the_supplies_page_issues(web, cast, supplies):
    services.stock_receive(actor=cast.staff_c1, store=supplies.c1, item=supplies.masks,
                           quantity=10)
    page = web("staff_c1")
    assert "一社区仓库" in page.get("/operations/stock/").content.decode()
    page.post("/operations/stock/", {"action": "issue", "store": "S-C1",
                                     "item": supplies.masks.pk, "quantity": "4", "to": "北门"})
    from firstline.operations.models import Stock

    assert Stock.objects.get(store=supplies.c1, item=supplies.masks).quantity == 6


def test_my_duties_page_for_a_volunteer_login(client, cast, areas, people):
    from firstline.accounts.models import User
    from tests.conftest import PASSWORD

    services.volunteer_login_create(actor=cast.staff_c1, volunteer=people.li, username="li4",
                                    password=PASSWORD)
    start = clock.now() - timedelta(minutes=5)
    a = services.assignment_create(actor=cast.staff_c1, volunteer=people.li, duty="patrol",
                                   starts_at=start, ends_at=start + timedelta(hours=2))
    assert client.login(username="li4", password=PASSWORD)
    assert "巡逻" in client.get("/operations/mine/").content.decode()
    client.post("/operations/mine/", {"assignment": a.pk, "action": "in"})
    a.refresh_from_db()
    assert a.checked_in_at is not None
    assert User.objects.get(username="li4").volunteer == people.li
    assert client.get("/operations/volunteers/").status_code == 403


def test_pages_render_in_every_language(web, cast, homes, supplies):
    for lang in ("zh-hans", "zh-hant", "en"):
        page = web("hq", lang)
        for url in ("/operations/volunteers/", "/operations/disinfection/",
                    "/operations/stock/", "/operations/tasks/"):
            assert page.get(url).status_code == 200, (lang, url)


def test_the_home_panel_counts_overdue_places_and_tasks(web, cast, homes):
    from firstline.people.models import Compound

    Compound.objects.update(created_at=clock.now() - timedelta(days=2))
    Place.objects.filter(kind="common_areas").update(created_at=clock.now() - timedelta(days=2))
    services.task_send(actor=cast.hq, title="排查", areas=[homes.c1.compound.area],
                       due_at=clock.now() + timedelta(hours=2))
    html = web("staff_c1", "en").get("/operations/panel/").content.decode()
    assert "1 place overdue for disinfection" in html
    assert "1 HQ task open" in html


def test_the_home_panel_needs_operations_manage(web, cast):
    assert web("grid_a").get("/operations/panel/").status_code == 403
