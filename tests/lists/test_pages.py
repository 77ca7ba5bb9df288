"""The HTML pages: a grid worker's items, HQ's upload with column mapping, progress, export,
the dashboard block and the sign-off page."""

import io
import re
from datetime import timedelta

import pytest
from django.utils import translation
from openpyxl import load_workbook

from firstline import clock
from firstline.lists.models import Checklist, SourceMapping, Verification
from firstline.lists.services import checklist_import

from .conftest import write_csv

pytestmark = pytest.mark.time_sensitive  # today's date, deadlines, overdue


def _list(roster, tmp_path):
    path = write_csv(tmp_path / "l.csv", ["人名", "证件", "电话"],
                     [["王芳", roster.fang.id_number, ""], ["刘洋", "", "13600003333"]])
    return checklist_import(path=path, source="卫健委", deadline=clock.today(),
                            mapping={"name": 0, "id_number": 1, "phone": 2}).checklist


def test_grid_worker_sees_and_answers_an_item(web, roster, tmp_path):
    _list(roster, tmp_path)
    client = web("grid_a")
    page = client.get("/lists/items/")
    assert page.status_code == 200 and "王芳" in page.content.decode()
    assert "刘洋" not in page.content.decode()  # G1b's
    item = Verification.objects.get(resident=roster.fang)
    r = client.post(f"/lists/items/{item.pk}/", {"result": "reached", "temperature": "36.5"})
    assert r.status_code == 302
    assert Verification.objects.get(pk=item.pk).status == "done"


def test_the_mapping_pages_first_rows_keep_one_line_each(web, roster, tmp_path):
    """The file's first rows are shown as sent, in a table that scrolls sideways: a name is
    never broken one character a line on a phone (table.preview: white-space:nowrap)."""
    path = write_csv(tmp_path / "l.csv", ["序号", "姓名", "身份证号", "地址"],
                     [["1", "王芳", roster.fang.id_number, "安徽省淮南市凤台县阳光花园 1栋"]])
    with open(path, "rb") as fh:
        page = web("hq").post("/lists/upload/", {"file": fh, "source": "航班", "deadline": "",
                                                 "area": "99000101"}).content.decode()
    assert '<div class="table-wrap"><table class="preview">' in page
    from django.contrib.staticfiles import finders
    css = open(finders.find("firstline/app.css"), encoding="utf-8").read()
    assert "table.preview th, table.preview td { white-space:nowrap; }" in css


def test_the_lists_page_shows_each_list_as_a_card_on_a_phone(web, roster, tmp_path):
    """Six columns of figures on 390 px broke "已匹配" one character a line and the deadline
    as "12-" / "10": the lists are a table.cards (a card per list under 600 px)."""
    _list(roster, tmp_path)
    page = web("hq").get("/lists/").content.decode()
    assert '<table class="cards">' in page and "卫健委" in page


def test_progress_by_area_keeps_room_for_the_area_s_name(web, roster, tmp_path):
    """The list's progress and the dashboard's lists block squeezed the area's name to
    "东/城社/区" on a phone: both are table.figures, whose first column keeps room."""
    c = _list(roster, tmp_path)
    client = web("hq")
    assert '<table class="figures">' in client.get(f"/lists/{c.pk}/").content.decode()
    assert '<table class="figures">' in client.get("/lists/dashboard/").content.decode()
    from django.contrib.staticfiles import finders
    css = open(finders.find("firstline/app.css"), encoding="utf-8").read()
    assert "table.figures td:first-child { min-width:7em; }" in css



def test_progress_headers_are_capitalised_alike_in_english(web, roster, tmp_path):
    """"Matched | Done | due | overdue" read as two styles side by side: all four are headers
    ("已匹配 | 已核查 | 未逾期 | 已逾期" in Chinese, as before)."""
    c = _list(roster, tmp_path)
    for lang, heads in (("en", "<th>Matched</th><th>Done</th><th>Due</th><th>Overdue</th>"),
                        ("zh-hans", "<th>已匹配</th><th>已核查</th><th>未逾期</th><th>已逾期</th>")):
        client = web("hq", lang)
        for path in (f"/lists/{c.pk}/", "/lists/dashboard/"):
            assert heads in client.get(path).content.decode(), (lang, path)
    summary = web("hq", "en").get(f"/lists/{c.pk}/").content.decode()
    assert re.search(r"· Due \d+ · Overdue \d+</p>", summary)

def test_another_grids_item_is_404(web, roster, tmp_path):
    _list(roster, tmp_path)
    item = Verification.objects.get(resident=roster.liu)
    assert web("grid_a").post(f"/lists/items/{item.pk}/", {"result": "reached"}).status_code \
        == 404


def test_upload_maps_columns_and_remembers_them(web, roster, tmp_path):
    client = web("hq")
    path = write_csv(tmp_path / "l.csv", ["人名", "证件", "电话"],
                     [["王芳", roster.fang.id_number, ""]])
    with open(path, "rb") as fh:
        step2 = client.post("/lists/upload/", {"file": fh, "source": "航班", "deadline": "",
                                               "area": "99000101"})
    assert step2.status_code == 200
    token = step2.context["token"]
    done = client.post("/lists/upload/", {"token": token, "filename": "l.csv", "source": "航班",
                                          "deadline": "", "area": "99000101", "name": "0",
                                          "id_number": "1", "confirm": "1"})
    assert done.status_code == 302
    c = Checklist.objects.get()
    assert c.matched_by_id == 1
    assert SourceMapping.objects.get(source="航班").mapping == {"name": "人名", "id_number": "证件"}


def test_grid_worker_cannot_upload(web, roster):
    assert web("grid_a").get("/lists/upload/").status_code == 403


def test_progress_page_and_export(web, roster, tmp_path):
    c = _list(roster, tmp_path)
    client = web("hq")
    page = client.get(f"/lists/{c.pk}/")
    assert page.status_code == 200
    r = client.get(f"/lists/{c.pk}/export/")
    ws = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    assert list(ws.iter_rows(values_only=True))[0][-3:] == ("核查结果", "核查时间", "核查人")
    assert web("staff_c2").get(f"/lists/{c.pk}/export/").status_code == 200  # covers C2
    own = checklist_import(path=write_csv(tmp_path / "c2.csv", ["姓名", "手机号"],
                                          [["陈静", "15000004444"]]),
                           source="x", area=roster.chen.grid.parent).checklist
    assert web("staff_c1").get(f"/lists/{own.pk}/").status_code == 404


def test_dashboard_block_and_signoff_page(web, roster, tmp_path):
    _list(roster, tmp_path)
    client = web("hq")
    block = client.get("/lists/dashboard/", {"area": "99000101"}).content.decode()
    assert "卫健委" in block and "一社区" in block  # the street's communities, each
    day = (clock.today() - timedelta(days=1)).isoformat()
    page = client.get("/reports/signoff/", {"area": "C1", "date": day})
    assert page.status_code == 200
    r = client.post("/reports/signoff/", {"area": "C1", "date": day, "confirm": "1"})
    assert r.status_code == 302
    page = client.get("/reports/signoff/", {"area": "99000101", "date": day})
    html = page.content.decode()
    assert 'id="so-C1"' in html
    assert web("grid_a").get("/reports/signoff/").status_code == 403


def test_an_unmatched_row_is_routed_from_the_page(web, roster, tmp_path):
    path = write_csv(tmp_path / "u.csv", ["姓名", "手机号"], [["无名氏", "13000000000"]])
    c = checklist_import(path=path, source="x", area=roster.h1.grid.parent.parent).checklist
    r = web("hq").post(f"/lists/{c.pk}/rows/1/route/", {"routing": "unknown"})
    assert r.status_code == 302
    assert c.entries.get(number=1).routing == "unknown"
    # a street's list covers C1, but routing its rows is the street's business
    assert web("staff_c1").post(f"/lists/{c.pk}/rows/1/route/",
                                {"routing": "not_ours"}).status_code == 404
    assert c.entries.get(number=1).routing == "unknown"


def test_staff_record_a_case_and_make_its_contacts_a_list(web, roster):
    from firstline.lists.models import Case

    client = web("staff_c1")
    r = client.post("/lists/cases/", {"id_number": roster.wang.id_number, "status": "confirmed",
                                      "on": clock.today().isoformat(), "source": "县疾控",
                                      "contacts": "刘洋，136 0000 3333\n外地人, 13122223333"})
    assert r.status_code == 302, r.content[:300]
    case = Case.objects.get()
    assert case.contacts.count() == 2
    r = client.post(f"/lists/cases/{case.pk}/contacts/")
    assert r.status_code == 302
    c = Checklist.objects.get(source=f"case {case.pk}")
    assert (c.rows, c.matched_by_id, c.matched_by_name_phone, c.unmatched) == (3, 1, 1, 1)
    assert client.post(f"/lists/cases/{case.pk}/lockdown/", {"confirm": "1"}).status_code == 302
    page = client.get("/lists/cases/")
    assert "王伟" in page.content.decode()
    assert web("staff_c2").post(f"/lists/cases/{case.pk}/lockdown/").status_code == 404
    assert web("staff_c2").post(f"/lists/cases/{case.pk}/lockdown/",
                                {"confirm": "1"}).status_code == 404
    assert web("grid_a").get("/lists/cases/").status_code == 403


def test_a_case_s_lockdown_and_transfer_are_said_first_and_done_only_once_confirmed(web,
                                                                                   roster):
    """One stray tap on 封控所在楼栋 must not isolate a whole building: the first POST says
    the place, households and people and writes nothing; the confirmed one does it."""
    from firstline.isolation.models import Isolation, Lockdown
    from firstline.lists.models import Case

    client = web("staff_c1")
    assert client.post("/lists/cases/", {"id_number": roster.wang.id_number,
                                          "status": "confirmed",
                                          "on": clock.today().isoformat()}).status_code == 302
    case = Case.objects.get()
    with translation.override("zh-hans"):
        ask = client.post(f"/lists/cases/{case.pk}/lockdown/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert ask.status_code == 200
    text = ask.content.decode()
    assert "人将居家隔离" in text and 'name="confirm" value="1"' in text
    assert not Lockdown.objects.exists() and not Isolation.objects.exists()
    assert client.post(f"/lists/cases/{case.pk}/lockdown/", {"confirm": "1"}).status_code == 302
    assert Lockdown.objects.count() == 1
    moved = Isolation.objects.filter(resident=roster.wang, kind="centralized")
    assert client.post(f"/lists/cases/{case.pk}/transfer/").status_code == 200
    assert not moved.exists()
    assert client.post(f"/lists/cases/{case.pk}/transfer/", {"confirm": "1"}).status_code == 302
    assert moved.count() == 1


def test_the_cases_page_says_a_second_record_updated_the_open_case(web, roster):
    from firstline.lists.models import Case

    client = web("staff_c1")
    form = {"id_number": roster.wang.id_number, "status": "suspected",
            "on": clock.today().isoformat()}
    assert client.post("/lists/cases/", form).status_code == 302
    r = client.post("/lists/cases/", {**form, "status": "confirmed"}, follow=True)
    case = Case.objects.get()
    assert case.status == "confirmed"
    assert f"病例 {case.pk} 已在该居民名下开立：已更新" in r.content.decode()


def test_a_case_for_someone_elsewhere_is_refused_on_the_form(web, roster):
    r = web("staff_c2").post("/lists/cases/", {"id_number": roster.wang.id_number,
                                               "status": "confirmed"})
    assert r.status_code == 422


def test_the_phone_to_call_is_shown_masked_and_revealed_with_an_audit_row(web, roster,
                                                                         tmp_path):
    from firstline.accounts.models import AuditEntry

    _list(roster, tmp_path)
    client = web("grid_a")
    page = client.get("/lists/items/").content.decode()
    assert "139****2222" in page and "13900002222" not in page
    item = Verification.objects.get(resident=roster.fang)
    r = client.post(f"/lists/items/{item.pk}/phone/")
    assert 'href="tel:13900002222"' in r.content.decode()
    # the phone alone was shown: logged as a phone read, not as a read of the ID number too
    [entry] = AuditEntry.objects.filter(object_id=str(roster.fang.pk))
    assert entry.action == "people.phone_read"
    with translation.override("zh-hans"):
        assert entry.display_detail == f"核查任务 {item.pk}"
    other = Verification.objects.get(resident=roster.liu)
    assert client.post(f"/lists/items/{other.pk}/phone/").status_code == 404


def test_a_deadline_in_the_past_is_refused_where_it_was_typed(web, roster, tmp_path):
    client = web("hq")
    path = write_csv(tmp_path / "l.csv", ["人名", "证件"], [["王芳", roster.fang.id_number]])
    past = (clock.today() - timedelta(days=1)).isoformat()
    with open(path, "rb") as fh:
        r = client.post("/lists/upload/", {"file": fh, "source": "航班", "deadline": "2019-03-01",
                                           "area": "99000101"})
    assert r.status_code == 422
    assert "截止日期：2019-03-01 已经过去，请填写今天或以后的日期。" in r.content.decode()
    with open(path, "rb") as fh:
        step2 = client.post("/lists/upload/", {"file": fh, "source": "航班", "deadline": "",
                                               "area": "99000101"})
    r = client.post("/lists/upload/", {"token": step2.context["token"], "filename": "l.csv",
                                       "source": "航班", "deadline": past, "area": "99000101",
                                       "name": "0", "id_number": "1", "confirm": "1"})
    assert r.status_code == 422 and 'type="date" name="deadline"' in r.content.decode()
    assert not Checklist.objects.exists()


def test_contacts_typed_with_single_spaces_are_read_as_name_phone_address(web, roster):
    """A phone keyboard types `刘洋 13600003333 某小区` with single spaces: the phone is the
    phone, not part of the name (which the list's page shows, unmasked), and the contact
    is matched by name + phone."""
    from firstline.lists.models import Case

    client = web("staff_c1")
    r = client.post("/lists/cases/", {"id_number": roster.wang.id_number, "status": "confirmed",
                                      "on": clock.today().isoformat(),
                                      "contacts": "刘洋 136 0000 3333 阳光花园 1栋\n"
                                                  "外地人 13122223333"})
    assert r.status_code == 302, r.content[:300]
    case = Case.objects.get()
    contacts = {c.name: c for c in case.contacts.all()}
    assert set(contacts) == {"刘洋", "外地人"}
    assert contacts["刘洋"].address == "阳光花园 1栋"
    client.post(f"/lists/cases/{case.pk}/contacts/")
    c = Checklist.objects.get(source=f"case {case.pk}")
    assert c.matched_by_name_phone == 1


def test_an_answer_that_opens_an_alert_says_so_to_the_worker(web, roster, tmp_path):
    """37.8 °C recorded on a call opens a fever alert: the worker who typed it is told on
    the spot, not left to find it on another page."""
    _list(roster, tmp_path)
    item = Verification.objects.get(resident=roster.fang)
    client = web("grid_a")
    r = client.post(f"/lists/items/{item.pk}/", {"result": "reached", "temperature": "37.8"},
                    follow=True)
    said = [str(m) for m in r.context["messages"]]
    assert any("37.8" in m and "预警" in m for m in said), said


def test_the_export_masks_a_phone_sent_with_spaces_as_its_digits(web, roster, tmp_path):
    path = write_csv(tmp_path / "s.csv", ["姓名", "手机号"], [["王芳", "130 2628 9268"]])
    c = checklist_import(path=path, source="x", mapping={"name": 0, "phone": 1},
                         area=roster.h1.grid.parent.parent).checklist
    r = web("hq").get(f"/lists/{c.pk}/export/")
    ws = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][1] == "130****9268"


def test_an_unmatched_row_shows_its_masked_phone_and_id_number_and_its_address(web, roster,
                                                                               tmp_path):
    """Deciding 查无此人 or 转至他街 needs more than the name; never the full numbers."""
    path = write_csv(tmp_path / "u.csv", ["姓名", "手机号", "身份证号", "住址"],
                     [["无名氏", "130 2628 9268", "11010519800101123X", "幸福里 8 栋 302"]])
    c = checklist_import(path=path, source="x", area=roster.h1.grid.parent.parent).checklist
    page = web("hq").get(f"/lists/{c.pk}/").content.decode()
    row = page[page.index('id="row-1"'):]
    row = row[:row.index("</tr>")]
    assert "130****9268" in row and "110***********123X" in row and "幸福里 8 栋 302" in row
    assert "13026289268" not in page and "11010519800101123X" not in page


def test_the_worker_ticks_symptoms_on_the_item_as_on_a_screening_visit(web, roster, tmp_path):
    """The verify form asks symptoms with the screening visit's ticks; they are recorded
    through the same service and said in words in the answered list (核查结果)."""
    c = _list(roster, tmp_path)
    client = web("grid_a")
    page = client.get("/lists/items/").content.decode()
    assert 'type="checkbox" name="symptoms" value="cough"' in page
    item = Verification.objects.get(resident=roster.fang)
    r = client.post(f"/lists/items/{item.pk}/",
                    {"result": "reached", "symptoms": ["cough", "fatigue"]})
    assert r.status_code == 302
    assert Verification.objects.get(pk=item.pk).symptoms == "cough,fatigue"
    ws = load_workbook(io.BytesIO(b"".join(web("hq").get(
        f"/lists/{c.pk}/export/").streaming_content))).active
    found = next(row for row in ws.iter_rows(values_only=True) if row[0] == "王芳")
    assert "咳嗽、乏力" in found[-3]


def test_a_symptom_not_offered_is_refused_beside_the_ticks(web, roster, tmp_path):
    _list(roster, tmp_path)
    item = Verification.objects.get(resident=roster.fang)
    r = web("grid_a").post(f"/lists/items/{item.pk}/",
                           {"result": "reached", "symptoms": ["cough", "hiccups"]})
    assert r.status_code == 422
    page = r.content.decode()
    box = page[page.index('<fieldset class="symptoms">'):]
    box = box[:box.index("</fieldset>")]
    assert "症状：" in box and 'role="alert"' in box
    assert 'value="cough" checked' in box  # what was ticked is kept
    assert Verification.objects.get(pk=item.pk).status == "open"


def test_a_visit_s_symptoms_go_with_its_one_tap_answer(web, roster, tmp_path, cast):
    from firstline.people.services import screening_visit_record

    screening_visit_record(actor=cast.grid_a, household=roster.h1, people=[
        {"resident": roster.fang, "temperature": "36.4", "symptoms": "cough"}])
    _list(roster, tmp_path)
    page = web("grid_a").get("/lists/items/").content.decode()
    fact = page[page.index('class="fact"'):]
    fact = fact[:fact.index("</form>")]
    assert '<input type="hidden" name="symptoms" value="cough">' in fact and "咳嗽" in fact


def test_a_fever_heard_on_a_call_is_not_said_to_be_from_a_screening_visit(web, roster, tmp_path):
    _list(roster, tmp_path)
    item = Verification.objects.get(resident=roster.fang)
    r = web("grid_a").post(f"/lists/items/{item.pk}/",
                           {"result": "reached", "temperature": "37.8"}, follow=True)
    said = " ".join(str(m) for m in r.context["messages"])
    assert "入户摸排" not in said and "37.8 °C，核查电话中发现" in said, said
    # said on the page with the number and its unit on one line (rules.temperature)
    assert "37.8\u00a0°C，核查电话中发现" in r.content.decode()


def test_a_fever_said_on_the_answered_card_keeps_its_unit_on_the_line(web, roster, tmp_path):
    """On a 390 px card "38.2 °C" wrapped as "38.2" / "°C": the number and its unit are
    joined by a no-break space in what the worker is told."""
    _list(roster, tmp_path)
    item = Verification.objects.get(resident=roster.fang)
    r = web("grid_a").post(f"/lists/items/{item.pk}/", {"result": "reached",
                                                        "temperature": "38.2"},
                           HTTP_HX_REQUEST="true")
    card = r.content.decode()
    assert r.status_code == 200 and "38.2\u00a0°C" in card and "38.2 °C" not in card


def test_a_call_s_fever_alert_offers_to_start_isolation(web, roster, tmp_path):
    """As the screening visit's fever did: the alert card links to the isolation form."""
    from firstline.isolation.models import Alert

    _list(roster, tmp_path)
    item = Verification.objects.get(resident=roster.fang)
    web("grid_a").post(f"/lists/items/{item.pk}/", {"result": "reached", "temperature": "37.8"})
    alert = Alert.objects.get(resident=roster.fang)
    page = web("staff_c1").get("/isolation/alerts/").content.decode()
    card = page[page.index(f'id="alert-{alert.pk}"'):]
    card = card[:card.index("</li>")]
    assert f"/isolation/new/?resident={roster.fang.pk}&amp;reason=fever" in card


def test_the_lists_page_asks_the_database_as_often_for_twelve_lists_as_for_three(
        web, roster, areas, tmp_path):
    # hand-over lists' titles (their origin's street) and each list's progress are read for
    # all the lists at once, not list by list
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = web("staff_c1", "en")

    def add(k):
        path = write_csv(tmp_path / f"l{k}.csv", ["人名", "证件", "电话"],
                         [["王芳", roster.fang.id_number, ""], ["刘洋", "", f"1360000{k:04d}"]])
        origin = checklist_import(path=path, source=f"卫健委{k}", deadline=clock.today(),
                                  area=areas.c1,
                                  mapping={"name": 0, "id_number": 1, "phone": 2}).checklist
        Checklist.objects.create(source=f"转办{k}", digest=f"handover {k}", area=areas.c1,
                                 handover_of=origin, created_at=clock.now())

    def page():
        with CaptureQueriesContext(connection) as queries:
            r = client.get("/lists/")
        assert r.status_code == 200
        return r.content.decode(), len(queries)

    for k in range(3):
        add(k)
    text, three = page()
    assert f"卫健委2 (handed over by {areas.street.name})" in text
    for k in range(3, 12):
        add(k)
    text, twelve = page()
    assert f"卫健委11 (handed over by {areas.street.name})" in text
    assert twelve == three


def test_a_list_handed_over_twice_is_titled_from_what_was_read_at_once(
        cast, roster, areas, tmp_path, django_assert_num_queries):
    from firstline.lists.selectors import checklists_visible_to, titles_read

    origin = _list(roster, tmp_path)
    once = Checklist.objects.create(source="一次", digest="once", area=areas.c1,
                                    handover_of=origin, created_at=clock.now())
    twice = Checklist.objects.create(source="两次", digest="twice", area=areas.c2,
                                     handover_of=once, created_at=clock.now())
    [read] = titles_read(checklists_visible_to(cast.hq).filter(pk=twice.pk))
    with translation.override("en"):
        slow = Checklist.objects.get(pk=twice.pk).title  # asked list by list
        with django_assert_num_queries(0):
            title = read.title
    assert title == slow == (f"卫健委 (handed over by {origin.area.name}) "
                             f"(handed over by {areas.street.name})")
