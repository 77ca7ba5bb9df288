"""Pages of the trust pass: the 403 page, checkpoints by name, the resident page."""

import pytest

from firstline.accounts.actions import AuditAction


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
    import time_machine

    # Written at those moments (an entry cannot be backdated: the database refuses UPDATE).
    sh = ZoneInfo("Asia/Shanghai")
    with time_machine.travel(datetime(2020, 2, 3, 10, tzinfo=sh), tick=False):
        audit(actor=cast.staff_c1, action=AuditAction.RESIDENT_READ_FULL, obj=shao, detail="核实身份")
    with time_machine.travel(datetime(2020, 2, 5, 10, tzinfo=sh), tick=False):
        audit(actor=cast.grid_a, action=AuditAction.RESIDENT_READ_MASKED, obj=wang)
    assert AuditEntry.objects.count() == 2
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



def test_the_audit_page_in_traditional_chinese_says_search_as_taiwan_does(web, cast):
    html = web("auditor", "zh-hant").get("/people/audit/").content.decode()
    assert "按身分證號或手機號碼搜尋居民（後台）" in html and "搜索" not in html

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


# --- the resident page ----------------------------------------------------------------------------

@pytest.fixture
def shao(cast, areas):
    from tests.conftest import make_household
    from tests.people.conftest import make_resident

    return make_resident(make_household(areas.g1a, room="101"), name="邵兰",
                         phone="13800001111")


def test_the_resident_page_shows_isolation_alerts_and_tap_to_call(web, cast, shao):
    from datetime import timedelta

    from firstline import clock
    from firstline.isolation.services import isolation_start
    from firstline.people.services import screening_visit_record

    isolation_start(resident=shao, kind="home", reason="close_contact",
                    starts_on=clock.today(), actor=cast.staff_c1)
    screening_visit_record(actor=cast.grid_a, household=shao.household,
                 people=[{"resident": shao, "temperature": "37.8"}])
    c = web("staff_c1", "en")
    html = c.get(f"/people/residents/{shao.pk}/").content.decode()
    assert "In isolation from" in html and "fever at a screening visit" in html
    # the first day free, as the resident's own page counts it (not "until", read as the last)
    assert f"free from {(clock.today() + timedelta(days=14)).isoformat()}" in html
    assert "tel:" not in html  # masked: nothing to call yet
    html = c.post(f"/people/residents/{shao.pk}/", {"reason": "verify_identity"}).content.decode()
    assert 'href="tel:13800001111"' in html


def test_view_full_held_elsewhere_does_not_reveal_here(web, cast, areas, shao):
    """Auditor of the street (people.view) + grid worker of G2a (view_full there only)."""
    from firstline.accounts.services import user_assign
    from tests.conftest import PASSWORD

    user_assign(username="two_roles", role="auditor", area=areas.street, password=PASSWORD)
    user_assign(username="two_roles", role="grid_worker", area=areas.g2a)
    c = web("two_roles", "en")
    assert "Show full ID and phone" not in c.get(f"/people/residents/{shao.pk}/").content.decode()
    r = c.post(f"/people/residents/{shao.pk}/", {"reason": "verify_identity"})
    assert r.status_code == 403 and "13800001111" not in r.content.decode()


def test_one_symptom_vocabulary_for_visits_and_readings(api, cast, shao):
    from firstline.isolation.models import Symptom
    from firstline.people.forms import MemberForm

    assert [c for c, _label in MemberForm().fields["symptoms"].choices] == Symptom.values
    r = api("grid_a").post("/api/v1/visits", {
        "household_id": shao.household_id,
        "people": [{"resident_id": shao.pk, "symptoms": ["breath"]}]})
    assert r.status_code == 422 and r.json()["error"] == "bad_symptom"
    r = api("grid_a").post("/api/v1/visits", {
        "household_id": shao.household_id,
        "people": [{"resident_id": shao.pk, "symptoms": ["short_breath", "cough"]}]})
    assert r.status_code == 201
