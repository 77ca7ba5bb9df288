"""The self-report page (no login) and the workers' pages."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from firstline.isolation import services
from firstline.isolation.models import Alert, Isolation, Lockdown, Reading, Room, Transfer
from tests.conftest import PASSWORD

from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(cast, roster):
    """An isolation in force today, and its self-report URL."""
    iso = services.isolation_start(resident=roster.a1, kind="home", reason="risk_area",
                                   starts_on=timezone.localdate(), actor=cast.staff_c1)
    return iso, f"/isolation/r/{iso.report_token}/"


def login(username):
    c = Client()
    assert c.login(username=username, password=PASSWORD)
    return c


def test_report_page_opens_without_login_in_browser_language(live):
    _, url = live
    r = Client().get(url, HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert r.status_code == 200 and "体温" in r.content.decode()
    r = Client().get(url, HTTP_ACCEPT_LANGUAGE="en-US")
    assert "Send temperature" in r.content.decode()
    assert r["Cache-Control"] == "no-store"


def test_wrong_and_ended_tokens_get_the_same_404(cast, live):
    iso, url = live
    wrong = Client().get("/isolation/r/" + "A" * 32 + "/", HTTP_ACCEPT_LANGUAGE="en")
    services.isolation_release(isolation=iso, reason="negative", actor=cast.staff_c1)
    ended = Client().get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == ended.status_code == 404
    def page(r):  # the same page but for the per-response CSRF token and its own path
        text = re.sub(r'value="[^"]*"', "", r.content.decode())
        return text
    assert page(wrong) == page(ended)
    assert b"This link is not valid" in ended.content


def test_token_stops_working_when_the_isolation_reaches_its_end(cast, roster):
    iso = services.isolation_start(resident=roster.a1, kind="home", reason="risk_area",
                                   starts_on=local(2026, 3, 1).date(), days=2,
                                   actor=cast.staff_c1, now=local(2026, 3, 1))
    assert services.isolation_for_token(iso.report_token, now=local(2026, 3, 2, 23, 59))
    assert services.isolation_for_token(iso.report_token, now=local(2026, 3, 3, 0, 0)) is None


def test_reissued_link_replaces_the_old_one(cast, live):
    iso, url = live
    token = services.isolation_reissue_link(isolation=iso, actor=cast.grid_a)
    assert Client().get(url).status_code == 404
    assert Client().get(f"/isolation/r/{token}/").status_code == 200


def test_self_report_fever_opens_alert_and_says_so(live):
    iso, url = live
    c = Client()
    r = c.post(url, {"action": "reading", "temperature": "38.2", "symptoms": ["cough"]},
               HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 302 and r["Location"].endswith("?sent=fever")
    assert Reading.objects.get().source == "self"
    assert Alert.objects.get().kind == "fever"


def test_self_report_typo_is_shown_not_saved(live):
    _, url = live
    r = Client().post(url, {"action": "reading", "temperature": "365"},
                      HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 422 and b"between 34.0 and 43.0" in r.content
    assert not Reading.objects.exists()


def test_self_report_is_rate_limited_per_link(within_one_clock_hour, live):
    _, url = live
    c = Client()
    codes = [c.post(url, {"action": "reading", "temperature": "36.5"}).status_code
             for _ in range(services.SELF_REPORTS_PER_HOUR + 1)]
    assert codes[-1] == 429 and set(codes[:-1]) == {302}


def help_url(report_url):
    """"I need something" posts to the assistance app (isolation sits below it)."""
    return reverse("assistance:self_report_help", args=[report_url.rstrip("/").split("/")[-1]])


def test_i_need_something_creates_a_service_request(live):
    from firstline.assistance.models import ServiceRequest
    iso, url = live
    r = Client().post(help_url(url), {"kind": "groceries", "detail": "大米 5 斤"})
    assert r.status_code == 302 and r["Location"].endswith("?sent=help")
    req = ServiceRequest.objects.get()
    assert req.household == iso.household and req.source == "self_report"


def test_help_without_detail_is_refused_on_the_page(live):
    _, url = live
    r = Client().post(help_url(url), {"kind": "groceries", "detail": ""})
    assert r.status_code == 422


def test_home_panel_shows_the_workers_alerts_in_scope(cast, live, roster):
    iso, _ = live
    services.reading_record(isolation=iso, temperature=38.6, taken_at=None, actor=cast.grid_a)
    other = services.isolation_start(resident=roster.d1, kind="home", reason="risk_area",
                                     starts_on=timezone.localdate(), actor=cast.staff_c2)
    services.reading_record(isolation=other, temperature=39.1, taken_at=None,
                            actor=cast.staff_c2)
    home = login("grid_a").get("/")
    assert b"/isolation/alerts/panel/" in home.content
    panel = login("grid_a").get("/isolation/alerts/panel/", HTTP_HX_REQUEST="true")
    text = panel.content.decode()
    assert roster.a1.name in text and roster.d1.name not in text and "38.6" in text



def test_a_fever_card_keeps_the_number_and_its_unit_on_one_line(cast, live, api):
    """On a 390 px card "38.6 °C" broke as "38.6" / "°C": the pages join them with a no-break
    space (rules.temperature_text); the API's detail stays as stored, a plain space."""
    iso, url = live
    services.reading_record(isolation=iso, temperature=38.6, taken_at=None, actor=cast.grid_a)
    pages = [login("grid_a").get(path, **({"HTTP_HX_REQUEST": "true"} if "panel" in path
                                          else {})).content.decode()
             for path in ("/isolation/alerts/", "/isolation/alerts/panel/",
                          f"/isolation/{iso.pk}/")]
    pages.append(Client().get(url).content.decode())  # the self-report page's readings
    for page in pages:
        assert "38.6\u00a0°C" in page and "38.6 °C" not in page
    detail = api("grid_a").get("/api/v1/alerts").json()["items"][0]["detail"]
    assert detail.startswith("38.6 °C"), detail

def test_acknowledge_and_resolve_from_the_panel(cast, live):
    iso, _ = live
    services.reading_record(isolation=iso, temperature=38.6, taken_at=None, actor=cast.grid_a)
    alert = Alert.objects.get()
    c = login("grid_a")
    r = c.post(f"/isolation/alerts/{alert.pk}/ack/", HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and b"s-acknowledged" in r.content
    r = c.post(f"/isolation/alerts/{alert.pk}/resolve/", {"outcome": ""}, HTTP_HX_REQUEST="true")
    assert r.status_code == 422 and b'class="error' in r.content
    r = c.post(f"/isolation/alerts/{alert.pk}/resolve/", {"outcome": "复测 36.8"})
    assert r.status_code == 302
    alert.refresh_from_db()
    assert alert.status == "resolved" and alert.outcome == "复测 36.8"


def test_alert_actions_scope_and_role(cast, live, roster):
    iso, _ = live
    services.reading_record(isolation=iso, temperature=38.6, taken_at=None, actor=cast.grid_a)
    alert = Alert.objects.get()
    assert login("staff_c2").post(f"/isolation/alerts/{alert.pk}/ack/").status_code == 404
    assert login("auditor").post(f"/isolation/alerts/{alert.pk}/ack/").status_code == 403
    assert login("gate_c1").get("/isolation/alerts/").status_code == 403


@pytest.mark.parametrize("path", ["/isolation/", "/isolation/alerts/", "/isolation/lockdowns/",
                                  "/isolation/sites/", "/isolation/new/?q=王"])
def test_worker_pages_render(cast, live, path):
    assert login("staff_c1").get(path).status_code == 200


def test_pages_redirect_anonymous_to_login(live):
    assert Client().get("/isolation/").status_code == 302


def test_detail_page_scope_and_worker_reading(cast, live):
    iso, _ = live
    assert login("staff_c2").get(f"/isolation/{iso.pk}/").status_code == 404
    c = login("grid_a")
    assert c.get(f"/isolation/{iso.pk}/").status_code == 200
    r = c.post(f"/isolation/{iso.pk}/", {"action": "reading", "temperature": "36.7"})
    assert r.status_code == 302 and Reading.objects.get().recorded_by == cast.grid_a
    r = c.post(f"/isolation/{iso.pk}/", {"action": "reading", "temperature": "3.67"})
    assert r.status_code == 422


def test_start_from_the_page_shows_the_link_once(cast, roster):
    c = login("staff_c1")
    r = c.post("/isolation/new/", {"resident": roster.b1.pk, "kind": "home",
                                   "reason": "close_contact",
                                   "starts_on": str(timezone.localdate())})
    assert r.status_code == 302
    page = c.get(r["Location"]).content.decode()
    assert "/isolation/r/" in page and "data:image/svg+xml" in page
    assert "/isolation/r/" not in c.get(r["Location"]).content.decode()



def test_start_from_the_page_says_it_started(cast, roster):
    c = login("staff_c1")
    r = c.post("/isolation/new/", {"resident": roster.b1.pk, "kind": "home",
                                   "reason": "close_contact",
                                   "starts_on": str(timezone.localdate())},
               HTTP_ACCEPT_LANGUAGE="zh-hant", follow=True)
    assert f"已開始隔離：{roster.b1.name}，居家隔離。" in r.content.decode()

def test_lockdown_from_the_page_and_compound_partial(cast, roster):
    c = login("staff_c1")
    r = c.post("/isolation/lockdowns/", {"compound": roster.compound.pk, "building": "1",
                                         "starts_on": str(timezone.localdate()), "days": "",
                                         "reason": "确诊病例", "confirm": "1"})
    assert r.status_code == 302
    part = c.get(f"/isolation/compounds/{roster.compound.pk}/lockdowns/")
    assert part.status_code == 200 and b"badge bad" in part.content
    assert login("staff_c2").get(
        f"/isolation/compounds/{roster.compound.pk}/lockdowns/").status_code == 404
    assert login("grid_a").post("/isolation/lockdowns/", {}).status_code == 403


def test_empty_lockdown_form_locks_nothing(cast, roster):
    c = login("staff_c1")
    page = c.get("/isolation/lockdowns/").content.decode()
    assert re.search(r'<select name="compound"[^>]*>\s*<option value="" selected', page)
    r = c.post("/isolation/lockdowns/", {"compound": "", "building": "", "reason": "",
                                         "starts_on": str(timezone.localdate()), "confirm": "1"},
               HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 422 and not Lockdown.objects.exists()
    r = c.post("/isolation/lockdowns/", {"compound": roster.compound.pk, "reason": " ",
                                         "starts_on": str(timezone.localdate()), "confirm": "1"})
    assert r.status_code == 422 and not Lockdown.objects.exists()


def test_lockdown_building_is_picked_from_the_compound_and_confirmed(cast, roster):
    c = login("staff_c1")
    r = c.get(f"/isolation/lockdowns/?compound={roster.compound.pk}", HTTP_HX_REQUEST="true")
    assert '<option value="1">1栋</option>' in r.content.decode()  # as addresses read
    assert '<option value="2">2栋</option>' in r.content.decode()
    data = {"compound": roster.compound.pk, "building": "1栋", "reason": "确诊病例",
            "starts_on": str(timezone.localdate())}
    r = c.post("/isolation/lockdowns/", data, HTTP_ACCEPT_LANGUAGE="en")
    text = r.content.decode()
    assert r.status_code == 200 and not Lockdown.objects.exists()
    assert roster.compound.name in text and "building 1" in text
    assert "2 households: 3 people go under home isolation" in text
    r = c.post("/isolation/lockdowns/", {**data, "building": "1号楼", "confirm": "1"})
    assert r.status_code == 302
    lockdown = Lockdown.objects.get()
    assert lockdown.building.name == "1" and lockdown.reason == "确诊病例"
    r = c.post("/isolation/lockdowns/", {**data, "building": "9栋"}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 422 and "No building 9栋" in r.content.decode()


def test_lockdown_confirmation_counts_what_the_lockdown_does_and_says_the_last_day(
        cast, roster):
    """One of building 1's three residents is in centralized quarantine already: the
    confirmation says 2 people go under home isolation and 1 keeps their isolation, and both
    it and the result name the last day (14 days from today: the 14th day is the last)."""
    from datetime import timedelta

    from django.utils.formats import date_format
    from django.utils.translation import override

    today = timezone.localdate()
    services.isolation_start(resident=roster.a2, kind="centralized", reason="close_contact",
                             starts_on=today, actor=cast.staff_c1)
    c = login("staff_c1")
    data = {"compound": roster.compound.pk, "building": "1", "reason": "确诊病例",
            "starts_on": str(today), "days": "14"}
    with override("en"):
        last = date_format(today + timedelta(days=13), "MONTH_DAY_FORMAT")
        free = date_format(today + timedelta(days=14), "MONTH_DAY_FORMAT")
    text = c.post("/isolation/lockdowns/", data, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2 households: 2 people go under home isolation" in text
    assert ("1 person is already isolated and keeps that isolation: 1 in centralized "
            "quarantine.") in text
    assert f"through {last} (that day included); lifted from {free}" in text
    r = c.post("/isolation/lockdowns/", {**data, "confirm": "1"}, HTTP_ACCEPT_LANGUAGE="en",
               follow=True)
    done = r.content.decode()
    assert Isolation.objects.filter(lockdown__isnull=False).count() == 2
    assert "2 households, 2 people now in home isolation" in done
    assert "1 person is already isolated" in done
    assert f"Locked down through {last} (that day included); lifted from {free}" in done
    with override("zh-hans"):
        last_zh = date_format(today + timedelta(days=13), "MONTH_DAY_FORMAT")
    zh = c.post("/isolation/lockdowns/", {**data, "building": "2"},
                HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert last_zh in zh and "（含当天）" in zh


def test_occupancy_board_assign_and_clean(cast, roster, areas):
    site = services.site_create(area=areas.c1, name="凤台宾馆", actor=cast.staff_c1)
    c = login("staff_c1")
    assert c.post(f"/isolation/sites/{site.pk}/", {"action": "rooms", "numbers": "101-103",
                                                   "beds": 1}).status_code == 302
    iso = services.isolation_start(resident=roster.a1, kind="centralized", reason="close_contact",
                                   starts_on=timezone.localdate(), actor=cast.staff_c1)
    room = Room.objects.get(number="102")
    r = c.post(f"/isolation/sites/{site.pk}/", {"action": "assign", "room": room.pk,
                                                "isolation": iso.pk})
    assert r.status_code == 302
    board = c.get(f"/isolation/sites/{site.pk}/").content.decode()
    assert roster.a1.name in board
    assert login("staff_c2").get(f"/isolation/sites/{site.pk}/").status_code == 404
    r = c.post(f"/isolation/sites/{site.pk}/", {"action": "assign", "room": room.pk,
                                                "isolation": 999999})
    assert r.status_code in (404, 422)
    assert (timezone.localdate() + timedelta(days=14)) == iso.ends_on


def test_next_never_leaves_the_site(cast, roster):
    lockdown = services.lockdown_create(compound=roster.compound,
                                        starts_on=timezone.localdate(), actor=cast.staff_c1)
    r = login("staff_c1").post(f"/isolation/lockdowns/{lockdown.pk}/lift/",
                               {"next": "https://evil.example/x"})
    assert r["Location"] == "/isolation/lockdowns/"


def test_compound_partial_returns_to_the_page_it_is_shown_on(cast, roster):
    r = login("staff_c1").get(f"/isolation/compounds/{roster.compound.pk}/lockdowns/",
                              HTTP_HX_REQUEST="true",
                              HTTP_HX_CURRENT_URL=f"http://testserver/access/compounds/"
                                                  f"{roster.compound.pk}/")
    assert f'value="/access/compounds/{roster.compound.pk}/"' in r.content.decode()


def test_board_close_and_reopen_a_room(cast, areas):
    site = services.site_create(area=areas.c1, name="宾馆", actor=cast.staff_c1)
    (room,) = services.rooms_add(site=site, numbers=["9"], actor=cast.staff_c1)
    c = login("staff_c1")
    assert c.post(f"/isolation/sites/{site.pk}/", {"action": "close", "room": room.pk}
                  ).status_code == 302
    assert Room.objects.get(pk=room.pk).status == "closed"
    assert c.post(f"/isolation/sites/{site.pk}/", {"action": "close", "room": room.pk}
                  ).status_code == 409
    c.post(f"/isolation/sites/{site.pk}/", {"action": "reopen", "room": room.pk})
    assert Room.objects.get(pk=room.pk).status == "available"


def test_list_puts_who_has_not_reported_first(cast, roster):
    from firstline.isolation.selectors import today_status
    at = local(2026, 3, 2, 12)
    quiet = services.isolation_start(resident=roster.a1, kind="home", reason="risk_area",
                                     starts_on=at.date() - timedelta(days=1), actor=cast.staff_c1,
                                     now=local(2026, 3, 1, 7))
    good = services.isolation_start(resident=roster.b1, kind="home", reason="risk_area",
                                    starts_on=at.date(), actor=cast.staff_c1,
                                    now=local(2026, 3, 2, 7))
    hot = services.isolation_start(resident=roster.c1, kind="home", reason="risk_area",
                                   starts_on=at.date(), actor=cast.staff_c1,
                                   now=local(2026, 3, 2, 7))
    services.reading_record(isolation=good, temperature=36.4, taken_at=local(2026, 3, 2, 9),
                            actor=cast.grid_a, now=local(2026, 3, 2, 9))
    services.reading_record(isolation=hot, temperature=38.4, taken_at=local(2026, 3, 2, 9),
                            actor=cast.grid_a, now=local(2026, 3, 2, 9))
    assert today_status([quiet, good, hot], now=at) == {
        quiet.pk: "missed", good.pk: "pending", hot.pk: "fever"}


@pytest.mark.parametrize("model", ["isolation", "reading", "alert", "lockdown",
                                   "quarantinesite", "room", "roomstay", "transfer"])
def test_admin_lists_render_read_only(cast, live, model):
    r = login("admin").get(f"/admin/isolation/{model}/")
    assert r.status_code == 200 and f"/admin/isolation/{model}/add/" not in r.content.decode()


def test_alert_text_is_in_the_readers_language(cast, live):
    from django.utils import translation

    iso, _ = live
    services.reading_record(isolation=iso, temperature=36.9, symptoms=["cough"], taken_at=None,
                            actor=cast.grid_a)
    alert = Alert.objects.get()
    with translation.override("en"):
        assert alert.display_detail == "cough"
    with translation.override("zh-hans"):
        assert alert.display_detail == "咳嗽"


def test_readings_table_shows_symptoms_in_the_readers_language(cast, live):
    """The detail page's readings show 咳嗽 on a Chinese page, not the stored code."""
    iso, _ = live
    services.reading_record(isolation=iso, temperature=36.9, symptoms=["cough", "fatigue"],
                            taken_at=None, actor=cast.grid_a)
    c = login("grid_a")
    zh = c.get(f"/isolation/{iso.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    readings = zh.split('<table class="cards">')[1].split("</table>")[0]
    assert "咳嗽、乏力" in readings and "cough" not in readings
    en = c.get(f"/isolation/{iso.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "cough, tiredness" in en


def test_symptom_labels_take_a_list_or_stored_text_and_keep_unknown_codes():
    from django.utils import translation

    from firstline.people.vocab import symptom_labels

    with translation.override("zh-hans"):
        assert symptom_labels(["cough", "sore_throat"]) == symptom_labels("cough,sore_throat")
        assert symptom_labels("cough,sneezing") == "咳嗽、sneezing"
        assert symptom_labels([]) == symptom_labels("") == ""


def test_too_long_outcome_is_refused_not_cut(cast, live):
    iso, _ = live
    services.reading_record(isolation=iso, temperature=38.6, taken_at=None, actor=cast.grid_a)
    alert = Alert.objects.get()
    r = login("grid_a").post(f"/isolation/alerts/{alert.pk}/resolve/", {"outcome": "复" * 201},
                             HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    assert "Outcome is too long: at most 200 characters (got 201)" in r.content.decode()
    alert.refresh_from_db()
    assert alert.status != "resolved" and alert.outcome == ""


def test_too_long_help_text_is_refused_not_cut(live):
    _, url = live
    r = Client().post(help_url(url), {"kind": "groceries", "detail": "米" * 501},
                      HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = r.content.decode()
    assert r.status_code == 422 and "具体内容过长：最多 500 个字，现有 501 个" in text
    assert 'maxlength="500"' not in text
    from firstline.assistance.models import ServiceRequest
    assert not ServiceRequest.objects.exists()


def test_rooms_are_checked_and_existing_ones_named(cast, areas):
    site = services.site_create(area=areas.c1, name="宾馆", actor=cast.staff_c1)
    c = login("staff_c1")
    for bad, says in [("abc", "abc is not a room number"),
                      ("3" * 300, "at most 20 characters")]:
        r = c.post(f"/isolation/sites/{site.pk}/", {"action": "rooms", "numbers": bad, "beds": 1},
                   HTTP_ACCEPT_LANGUAGE="en")
        assert r.status_code == 422 and says in r.content.decode(), bad
        assert not Room.objects.exists()
    c.post(f"/isolation/sites/{site.pk}/", {"action": "rooms", "numbers": "301", "beds": 1})
    r = c.post(f"/isolation/sites/{site.pk}/", {"action": "rooms", "numbers": "301 302",
                                                "beds": 1}, HTTP_ACCEPT_LANGUAGE="en",
               follow=True)
    text = r.content.decode()
    assert "Rooms added: 302." in text and "Already there, left as they were: 301." in text
    assert sorted(Room.objects.values_list("number", flat=True)) == ["301", "302"]


def test_blank_outcome_shows_the_message_beside_the_outcome_box(cast, live):
    iso, _ = live
    services.reading_record(isolation=iso, temperature=38.6, taken_at=None, actor=cast.grid_a)
    alert = Alert.objects.get()
    r = login("grid_a").post(f"/isolation/alerts/{alert.pk}/resolve/", {"outcome": "   "},
                             HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    # a 422 that base.html's htmx responseHandling swaps into the card
    assert r.status_code == 422
    form = r.content.decode().split('name="outcome"', 1)[1].split("</form>", 1)[0]
    assert "Say what happened (the outcome)." in form and 'aria-invalid="true"' in form
    alert.refresh_from_db()
    assert alert.status != "resolved"


@pytest.mark.parametrize("typed, says", [
    ("", "Say what happened (the outcome)."),
    ("复" * 201, "Outcome is too long: at most 200 characters (got 201)")])
def test_a_refused_outcome_without_htmx_is_kept_beside_its_error(cast, live, typed, says):
    """The plain form post (no JavaScript): the list again at 422, the outcome as typed in the
    alert's box and the error under it; it was a redirect, a banner and the outcome lost."""
    iso, _ = live
    services.reading_record(isolation=iso, temperature=38.6, taken_at=None, actor=cast.grid_a)
    alert = Alert.objects.get()
    r = login("grid_a").post(f"/isolation/alerts/{alert.pk}/resolve/",
                             {"outcome": typed, "next": "/isolation/alerts/?status=open"},
                             HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 422
    card = r.content.decode().split(f'id="alert-{alert.pk}"', 1)[1].split("</li>", 1)[0]
    form = card.split("/resolve/", 1)[1].split("</form>", 1)[0]
    assert f'value="{typed}"' in form and says in form
    assert '<input type="hidden" name="next" value="/isolation/alerts/?status=open">' in form
    alert.refresh_from_db()
    assert alert.status != "resolved" and alert.outcome == ""


def test_comma_temperature_is_accepted_and_words_are_not_a_number(cast, live):
    iso, url = live
    r = Client().post(url, {"action": "reading", "temperature": "36,6"})
    assert r.status_code == 302 and str(Reading.objects.get().temperature) == "36.6"
    for word in ("三十七", "abc"):
        r = Client().post(url, {"action": "reading", "temperature": word},
                          HTTP_ACCEPT_LANGUAGE="en")
        text = r.content.decode()
        assert r.status_code == 422 and "must be a number such as 36.5" in text
        assert "between" not in text
    r = login("grid_a").post(f"/isolation/{iso.pk}/", {"action": "reading", "temperature": "37,1"})
    assert r.status_code == 302 and Reading.objects.filter(temperature="37.1").exists()
    r = login("grid_a").post(f"/isolation/{iso.pk}/", {"action": "reading", "temperature": "abc"},
                             HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 422 and "体温须为数字" in r.content.decode()


def test_start_day_counts_the_first_reports(cast, roster):
    from firstline.isolation import selectors
    # created at 10:00, after the 09:00 due time: the 10:30 report answers the 15:00 one
    iso = services.isolation_start(resident=roster.a1, kind="home", reason="risk_area",
                                   starts_on=local(2026, 3, 1).date(), actor=cast.staff_c1,
                                   now=local(2026, 3, 1, 10))
    services.reading_record(isolation=iso, temperature="36.5", taken_at=local(2026, 3, 1, 10, 30),
                            source="self", now=local(2026, 3, 1, 10, 30))
    first = selectors.day_status(iso, now=local(2026, 3, 1, 18))[0]
    assert (first["received"], first["due"], first["status"]) == (1, 1, "ok")
    # created at 16:00, after the day's last due time: the cell shows the readings, not 0/0
    late = services.isolation_start(resident=roster.b1, kind="home", reason="risk_area",
                                    starts_on=local(2026, 3, 1).date(), actor=cast.staff_c1,
                                    now=local(2026, 3, 1, 16))
    services.reading_record(isolation=late, temperature="36,6", taken_at=local(2026, 3, 1, 16, 30),
                            source="self", now=local(2026, 3, 1, 16, 30))
    first = selectors.day_status(late, now=local(2026, 3, 1, 18))[0]
    assert (first["due"], first["readings"]) == (0, 1)


def test_bad_taken_at_names_the_field(cast, live):
    iso, _ = live
    r = login("grid_a").post(f"/isolation/{iso.pk}/", {"action": "reading", "temperature": "36.5",
                                                       "taken_at": "昨天"},
                             HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = r.content.decode()
    assert r.status_code == 422 and "测量时间:" in text and not Reading.objects.exists()


def test_already_isolated_links_to_the_isolation(cast, live, roster):
    iso, _ = live
    r = login("staff_c1").post("/isolation/new/", {
        "resident": roster.a1.pk, "kind": "home", "reason": "risk_area",
        "starts_on": str(timezone.localdate())})
    assert r.status_code == 409 and f'href="/isolation/{iso.pk}/"' in r.content.decode()


def test_new_isolation_prefills_the_resident_in_scope_only(cast, roster):
    page = login("staff_c1").get(f"/isolation/new/?resident={roster.a1.pk}")
    assert page.status_code == 200
    assert f'name="resident" value="{roster.a1.pk}"' in page.content.decode()
    other = login("staff_c1").get(f"/isolation/new/?resident={roster.d1.pk}")
    assert other.status_code == 200 and roster.d1.name not in other.content.decode()
    assert 'name="q"' in other.content.decode()


def test_reason_other_needs_a_note_on_the_page(cast, roster):
    c = login("staff_c1")
    form = {"resident": roster.b1.pk, "kind": "home", "reason": "other",
            "starts_on": str(timezone.localdate())}
    r = c.post("/isolation/new/", form, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 422
    assert re.search(r'name="reason_note".*?<span class="error"[^>]*>[^<]*“其他”', r.content.decode(),
                     re.S)
    r = c.post("/isolation/new/", {**form, "reason_note": "同楼栋出现阳性"})
    assert r.status_code == 302


def test_a_reading_time_in_the_future_is_recorded_as_now_and_said(cast, live):
    from firstline import clock

    iso, _ = live
    typed = clock.localtime(clock.now() + timedelta(hours=3))
    r = login("grid_a").post(f"/isolation/{iso.pk}/", {
        "action": "reading", "temperature": "36.5", "taken_at": f"{typed:%Y-%m-%dT%H:%M}"},
        HTTP_ACCEPT_LANGUAGE="en", follow=True)
    reading = Reading.objects.get()
    assert abs(reading.taken_at - clock.now()) < timedelta(minutes=1)
    assert f"not {typed:%m-%d %H:%M}: a reading cannot be taken in the future" in \
        r.content.decode()


def test_the_board_offers_a_person_never_given_a_room_and_not_one_in_a_room(cast, roster, areas):
    site = services.site_create(area=areas.c1, name="凤台宾馆", actor=cast.staff_c1)
    services.rooms_add(site=site, numbers=["101"], actor=cast.staff_c1)
    waiting = services.isolation_start(resident=roster.a1, kind="centralized",
                                       reason="close_contact", starts_on=timezone.localdate(),
                                       actor=cast.staff_c1)
    housed = services.isolation_start(resident=roster.b1, kind="centralized",
                                      reason="close_contact", starts_on=timezone.localdate(),
                                      actor=cast.staff_c1)
    services.room_assign(room=Room.objects.get(number="101"), isolation=housed,
                         actor=cast.staff_c1)
    page = login("staff_c1").get(f"/isolation/sites/{site.pk}/").content.decode()
    offered = re.findall(r'<option value="(\d+)"', page)
    assert str(waiting.pk) in offered and str(housed.pk) not in offered


def test_board_says_what_each_room_action_did_and_asks_before_vacating(cast, roster, areas):
    site = services.site_create(area=areas.c1, name="凤台宾馆", actor=cast.staff_c1)
    (room,) = services.rooms_add(site=site, numbers=["301"], actor=cast.staff_c1)
    iso = services.isolation_start(resident=roster.a1, kind="centralized", reason="close_contact",
                                   starts_on=timezone.localdate(), actor=cast.staff_c1)
    c = login("staff_c1")
    url = f"/isolation/sites/{site.pk}/"
    page = c.post(url, {"action": "assign", "room": room.pk, "isolation": iso.pk},
                  follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "王伟 已入住 301 房间。" in page
    assert 'data-confirm="301 房间退房？' in page
    page = c.post(url, {"action": "vacate", "room": room.pk}, follow=True,
                  HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Room 301 vacated; it waits for cleaning." in page


def test_board_transfer_picks_up_at_home_when_no_place_is_typed(cast, roster, areas):
    site = services.site_create(area=areas.c1, name="凤台宾馆", actor=cast.staff_c1)
    iso = services.isolation_start(resident=roster.a1, kind="centralized", reason="close_contact",
                                   starts_on=timezone.localdate(), actor=cast.staff_c1)
    r = login("staff_c1").post(f"/isolation/sites/{site.pk}/", {
        "action": "transfer", "isolation": iso.pk, "from_place": "",
        "pickup_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "vehicle": "皖D-1"},
        follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    (t,) = Transfer.objects.filter(isolation=iso)
    assert t.from_place == roster.h1.address
    assert "已安排转运：王伟" in r.content.decode()


def test_board_transfer_refusal_names_the_field(cast, roster, areas):
    site = services.site_create(area=areas.c1, name="凤台宾馆", actor=cast.staff_c1)
    iso = services.isolation_start(resident=roster.a1, kind="centralized", reason="close_contact",
                                   starts_on=timezone.localdate(), actor=cast.staff_c1)
    r = login("staff_c1").post(f"/isolation/sites/{site.pk}/", {
        "action": "transfer", "isolation": iso.pk, "pickup_at": ""},
        HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 422
    assert "Pick-up time: This field is required." in r.content.decode()
