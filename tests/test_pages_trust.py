"""Pages of the trust pass: the 403 page, checkpoints by name, the resident page."""

import pytest


@pytest.mark.parametrize("lang, words", [("zh-hans", "无权访问"), ("en", "Not allowed"),
                                         ("zh-hant", "無權訪問")])
def test_the_403_page_is_styled_and_translated(web, lang, words):
    r = web("grid_a", lang).get("/people/import/")
    html = r.content.decode()
    assert r.status_code == 403
    assert words in html and 'name="viewport"' in html and "<h1>" in html
    assert "403 Forbidden" not in html


def test_the_api_403_stays_json(api):
    r = api("grid_a").post("/api/v1/checkpoints", {"code": "X", "compound_id": 1})
    assert r.status_code == 403 and r.json()["error"] == "forbidden"


# --- the auditor's search -----------------------------------------------------------------------

@pytest.fixture
def reads(cast, areas):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from firstline.accounts.models import AuditEntry, User
    from firstline.accounts.services import audit
    from tests.conftest import make_household
    from tests.people.conftest import make_resident

    User.objects.filter(pk=cast.staff_c1.pk).update(display_name="李书记")
    h = make_household(areas.g1a, room="101")
    shao, wang = make_resident(h, name="邵兰"), make_resident(h, name="王伟")
    a = audit(actor=cast.staff_c1, action="resident.read_full", obj=shao, detail="核实身份")
    b = audit(actor=cast.grid_a, action="resident.read_masked", obj=wang)
    sh = ZoneInfo("Asia/Shanghai")
    AuditEntry.objects.filter(pk=a.pk).update(at=datetime(2020, 2, 3, 10, tzinfo=sh))
    AuditEntry.objects.filter(pk=b.pk).update(at=datetime(2020, 2, 5, 10, tzinfo=sh))
    return shao, wang


def audit_rows(web, **params):
    html = web("auditor", "en").get("/people/audit/", params).content.decode()
    return html


def test_the_auditor_finds_reads_by_a_display_name(web, reads):
    html = audit_rows(web, who="李书记")
    assert "邵兰" in html and "王伟" not in html


def test_the_auditor_finds_reads_of_a_resident_by_name(web, reads):
    html = audit_rows(web, resident="邵兰")
    assert "邵兰" in html and "王伟" not in html


def test_the_auditor_filters_by_day_and_action(web, reads):
    html = audit_rows(web, **{"from": "2020-02-04", "to": "2020-02-05"})
    assert "王伟" in html and "邵兰" not in html
    html = audit_rows(web, action="resident.read_full")
    assert "邵兰" in html and "王伟" not in html


def test_a_bad_date_is_said_not_ignored(web, reads):
    assert "is not a date" in audit_rows(web, **{"from": "yesterday"})


def test_the_auditor_exports_the_filtered_log_as_xlsx(web, reads):
    import io

    from openpyxl import load_workbook

    r = web("auditor", "en").get("/people/audit/", {"who": "李书记", "format": "xlsx"})
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    values = [c.value for row in wb.active.iter_rows() for c in row]
    assert any("邵兰" in str(v) for v in values) and not any("王伟" in str(v) for v in values)
