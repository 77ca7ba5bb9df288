"""Dashboard, daily xlsx download and ledgers: allowed, wrong role (403), other area (404)."""

import io

import pytest
from openpyxl import load_workbook

from firstline.accounts.models import AuditEntry
from tests.conftest import export_download

from .conftest import D, local

DASH = "/reports/"


@pytest.fixture
def browser(web):
    return web


def test_dashboard_shows_the_days_figures_and_sub_areas(browser, facts):
    response = browser("hq").get(DASH, {"area": "99000101", "date": D.isoformat()})
    assert response.status_code == 200
    board = response.context["board"]
    cards = {c.key: c for c in board.cards}
    assert cards["residents"].value == 8
    assert cards["fever_alerts"].value == 3
    assert cards["isolations_ended"].value == 2
    assert [r.node.code for r in board.rows] == ["C1", "C2"]
    html = response.content.decode()
    assert "<svg" in html and "polyline" in html
    assert "一社区" in html


def test_change_since_yesterday(browser, facts):
    board = browser("hq").get(DASH, {"area": "C1", "date": D.isoformat()}).context["board"]
    cards = {c.key: c for c in board.cards}
    # r7 and r10 lived in C1 the day before; r10 left on D: 6 -> 5.
    assert cards["residents"].value == 5
    assert cards["residents"].delta == -1
    assert cards["centralized_isolation"].delta == 1


def test_fourteen_day_trend_per_figure(browser, facts):
    board = browser("hq").get(DASH, {"area": "99000101", "date": D.isoformat()}).context["board"]
    assert len(board.report.windows) == 14
    assert board.report.windows[-1].day == D
    assert board.report.root.total["residents"][-2] == 8  # r8 arrived late on D


def test_sub_areas_sort_by_a_figure(browser, facts):
    c = browser("hq")
    board = c.get(DASH, {"area": "99000101", "date": D.isoformat(), "sort": "residents",
                         "dir": "asc"}).context["board"]
    assert [r.node.code for r in board.rows] == ["C2", "C1"]
    board = c.get(DASH, {"area": "99000101", "date": D.isoformat(), "sort": "residents",
                         "dir": "desc"}).context["board"]
    assert [r.node.code for r in board.rows] == ["C1", "C2"]


def test_drill_down_links_to_each_sub_area(browser, facts):
    c = browser("hq")
    html = c.get(DASH, {"area": "99000101", "date": D.isoformat()}).content.decode()
    assert "?area=C1&amp;date=2020-02-10" in html
    html = c.get(DASH, {"area": "C1", "date": D.isoformat()}).content.decode()
    assert "?area=G1a&amp;date=2020-02-10" in html
    grid = c.get(DASH, {"area": "G1a", "date": D.isoformat()})
    assert grid.status_code == 200
    assert grid.context["board"].rows == []
    assert [a.code for a in grid.context["crumbs"]] == ["99000101", "C1", "G1a"]


def test_open_alerts_listed(browser, facts):
    board = browser("hq").get(DASH, {"area": "99000101", "date": D.isoformat()}).context["board"]
    assert len(board.alerts) == 5


def test_a_gate_fever_alert_names_its_household(browser, facts):
    from firstline.isolation.models import Alert

    household = facts.households[1]
    Alert.objects.create(kind="gate_fever", household=household, area=household.grid,
                         opened_at=local(D, 9), detail="北门 38.1°C")
    html = browser("hq").get(DASH, {"area": "99000101", "date": D.isoformat()}).content.decode()
    assert household.address in html


def test_dashboard_defaults_to_the_users_area(browser, facts):
    response = browser("staff_c1").get(DASH)
    assert response.status_code == 200
    assert response.context["area"].code == "C1"


def test_big_screen_view(browser, facts):
    response = browser("hq").get(DASH, {"area": "99000101", "view": "big"})
    assert b"bigscreen" in response.content
    assert b'http-equiv="refresh"' in response.content


def test_dashboard_wrong_role_is_403(browser, facts):
    for user in ("grid_a", "gate_c1", "auditor"):
        assert browser(user).get(DASH, {"area": "C1"}).status_code == 403, user


def test_dashboard_other_area_is_404(browser, facts):
    assert browser("staff_c2").get(DASH, {"area": "C1"}).status_code == 404


def test_dashboard_bad_date_is_422(browser, facts):
    assert browser("hq").get(DASH, {"area": "C1", "date": "2020-02-31"}).status_code == 422


def test_dashboard_needs_login(client, facts):
    assert client.get(DASH).status_code == 302


def test_home_panel(browser, facts):
    response = browser("hq").get("/reports/panel/")
    assert response.status_code == 200
    assert "测试街道" in response.content.decode()
    assert browser("grid_a").get("/reports/panel/").status_code == 403


def test_daily_xlsx_download(browser, facts):
    response = browser("staff_c1").get("/reports/daily.xlsx", {"area": "C1",
                                                                "date": D.isoformat()})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('daily-report-C1-2020-02-10.xlsx"')
    wb = load_workbook(io.BytesIO(response.content))
    text = " ".join(str(c.value) for row in wb.worksheets[0].iter_rows() for c in row
                    if c.value is not None)
    assert "staff_c1" in text  # who generated it
    assert "一社区第1网格" in text and "一社区第2网格" in text
    assert browser("staff_c2").get("/reports/daily.xlsx", {"area": "C1"}).status_code == 404
    assert browser("grid_a").get("/reports/daily.xlsx", {"area": "G1a"}).status_code == 403


def test_exports_page(browser, facts):
    assert browser("hq").get("/reports/exports/").status_code == 200
    assert browser("gate_c1").get("/reports/exports/").status_code == 403


def _ledger(client, kind, **params):
    # asked for on the page, written by the export job's task, downloaded by the asker
    response = export_download(client.get(f"/reports/exports/{kind}.xlsx", params))
    if response.status_code != 200:
        return response, None
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return response, [[c.value for c in row] for row in wb.worksheets[0].iter_rows()]


def test_isolation_ledger_is_masked_by_default(browser, facts):
    response, rows = _ledger(browser("hq"), "isolations", area="99000101",
                             **{"from": D.isoformat(), "to": D.isoformat()})
    assert response.status_code == 200
    names = {row[2] for row in rows}
    # in force or ending on D: i1, i6, i2 (starts D), i3 (ends D), i4 (released D); not i5
    assert {"居民1", "居民2", "居民4", "居民5", "居民6"} <= names
    assert "居民3" not in names
    text = " ".join(str(v) for row in rows for v in row if v)
    assert facts.residents[1].id_number not in text
    assert "110***********" in text
    assert "138****0001" in text


def _full_ledger(client, kind, **params):
    response = export_download(client.post(f"/reports/exports/{kind}.xlsx",
                                           {"full": "1", **params}))
    if response.status_code != 200:
        return response, None
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return response, [[c.value for c in row] for row in wb.worksheets[0].iter_rows()]


def test_full_ledger_needs_the_permission_and_a_reason_and_is_audited(browser, facts):
    period = {"from": D.isoformat(), "to": D.isoformat()}
    response, rows = _full_ledger(browser("hq"), "isolations", area="99000101",
                                  reason="transfer", **period)
    assert response.status_code == 200
    text = " ".join(str(v) for row in rows for v in row if v)
    assert facts.residents[1].id_number in text
    entry = AuditEntry.objects.get(action="reports.export_full:isolations", actor__username="hq")
    assert "转运隔离" in entry.detail  # the why, in the default language
    response, _rows = _full_ledger(browser("staff_c1"), "isolations", area="C1",
                                   reason="transfer")
    assert response.status_code == 403


def test_full_ledger_without_a_reason_or_by_a_link_is_refused(browser, facts):
    period = {"from": D.isoformat(), "to": D.isoformat()}
    no_reason, _rows = _full_ledger(browser("hq"), "isolations", area="99000101", **period)
    by_link, _rows = _ledger(browser("hq"), "isolations", area="99000101", full="1", **period)
    assert no_reason.status_code == 422 and by_link.status_code == 422
    assert not AuditEntry.objects.filter(action="reports.export_full:isolations").exists()
    # Not a dead end: the ledgers page again, this ledger's form filled in, the message by it.
    html = no_reason.content.decode()
    card = html.split('id="ledger-isolations"', 1)[1].split("</section>", 1)[0]
    assert 'role="alert"' in card and f'value="{D.isoformat()}"' in card
    assert 'name="full" value="1" checked' in card


def test_key_person_ledger(browser, facts):
    response, rows = _ledger(browser("hq"), "key-persons", area="99000101",
                             **{"from": D.isoformat(), "to": D.isoformat()})
    assert response.status_code == 200
    names = [row[2] for row in rows]
    assert {"居民1", "居民7", "居民6", "居民5"} <= set(names)


def test_crossings_per_checkpoint_per_day(browser, facts):
    response, rows = _ledger(browser("hq"), "crossings", area="99000101",
                             **{"from": D.isoformat(), "to": D.isoformat()})
    assert response.status_code == 200
    by_gate = {row[2]: row for row in rows if row[2] in ("C1-N", "C2-S")}
    assert by_gate["C1-N"][5:8] == [2, 1, 1]
    assert by_gate["C2-S"][5:8] == [0, 1, 1]
    assert by_gate["C2-S"][8] == 1  # the fever denial


def test_ledger_scope_and_input(browser, facts):
    c = browser("staff_c2")
    assert _ledger(c, "crossings", area="C1")[0].status_code == 404
    assert _ledger(c, "crossings", area="C2", **{"from": "x"})[0].status_code == 422
    assert _ledger(c, "crossings", area="C2", **{"from": "2020-02-10",
                                                 "to": "2020-02-01"})[0].status_code == 422
    assert c.get("/reports/exports/nope.xlsx", {"area": "C2"}).status_code == 404


def test_report_is_never_served_from_the_dashboard_cache(browser, facts, api):
    from datetime import timedelta

    from .conftest import crossing

    c = browser("hq")
    c.get(DASH, {"area": "99000101", "date": D.isoformat()})  # caches D-13 .. D-2
    earlier = D - timedelta(days=5)
    from firstline.access.models import Checkpoint

    # An offline gate syncs a crossing of five days ago.
    crossing(Checkpoint.objects.get(code="C1-N"), "out", local_dt(earlier, 9))
    body = api("hq").get("/api/v1/reports/daily", area="99000101",
                         date=earlier.isoformat()).json()
    assert body["crossings_out"] == 1


def local_dt(day, hh):
    from .conftest import local

    return local(day, hh)


def test_a_bad_dashboard_date_is_said_beside_the_date_in_the_users_language(browser, facts):
    r = browser("hq").get(DASH, {"area": "C1", "date": "2020-02-31"})  # zh-hans by default
    html = r.content.decode()
    assert r.status_code == 422
    assert "日期：2020-02-31 不是日期（YYYY-MM-DD）。已改为显示今天的数据。" in html
    assert "date：" not in html
    assert r.context["board"] is not None  # the board, not a dead-end page


def test_a_dashboard_date_in_year_one_is_refused_not_a_500(browser, facts):
    r = browser("hq").get(DASH, {"area": "C1", "date": "0001-01-01"})
    assert r.status_code == 422
    assert "0001-01-01 不在 1900 年至今天之间" in r.content.decode()


def test_the_bad_date_alert_joins_its_sentences_as_english_does(browser, facts):
    html = browser("hq", "en").get(DASH, {"area": "C1", "date": "2020-02-31"}).content.decode()
    assert "Date: 2020-02-31 is not a date (YYYY-MM-DD). Showing today instead." in html


def test_dashboard_shows_isolations_by_reason_apart_from_the_key_person_ledger(browser, facts):
    from firstline.isolation.models import Reason

    response = browser("hq").get(DASH, {"area": "99000101", "date": D.isoformat()})
    cards = {c.key: c for c in response.context["board"].reason_cards}
    close = cards["isolations_by_reason:close_contact"]
    html = response.content.decode()
    section = html.split('id="isolation-reasons"', 1)[1].split("</section>", 1)[0]
    assert section.count('<article class="fig">') == len(Reason.choices)
    assert f"<h3>{close.title}</h3>" in section
    assert f'<p class="value">{close.value}</p>' in section
