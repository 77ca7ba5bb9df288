"""The staff and gate pages: allowed, wrong role (403), other area (404), and the actions."""

import re

import pytest

from firstline.access import services
from firstline.access.models import Checkpoint, Crossing, Pass, Policy, Shift
from firstline.people.models import Household


@pytest.fixture
def login(web):
    return web


def test_gate_page_for_gate_duty(world, login):
    r = login("gate_c1").get("/access/gate/")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="gate-code"' in html and "HL-N" in html and "HY-1" not in html
    assert "<script>" not in html  # CSP: no inline scripts



def test_gate_page_in_traditional_chinese_names_no_english_key(world, web):
    html = web("gate_c1", "zh-hant").get("/access/gate/").content.decode()
    assert "掃碼或輸入出入證編碼後按確認鍵" in html and "Enter" not in html

def test_gate_page_wrong_role_is_403(world, login):
    assert login("auditor").get("/access/gate/").status_code == 403


def test_index_lists_only_compounds_in_scope(world, login):
    html = login("staff_c1").get("/access/").content.decode()
    assert "翰林华府" in html and "惠利花园" not in html


def test_index_sends_gate_duty_to_the_gate(world, login):
    r = login("gate_c1").get("/access/")
    assert r.status_code == 302 and r.url.endswith("/access/gate/")


def test_compound_page_and_other_area(world, login):
    assert login("staff_c1").get(f"/access/compounds/{world.compound.pk}/").status_code == 200
    assert login("staff_c2").get(f"/access/compounds/{world.compound.pk}/").status_code == 404
    assert login("gate_c1").get(f"/access/compounds/{world.compound.pk}/").status_code == 403


def test_compound_page_loads_its_lockdown_panel(world, login):
    """Lockdowns are shown on the compound page: it pulls the isolation app's panel."""
    html = login("staff_c1").get(f"/access/compounds/{world.compound.pk}/").content.decode()
    assert f'hx-get="/isolation/compounds/{world.compound.pk}/lockdowns/"' in html


def test_save_policy_from_the_page(world, login):
    r = login("staff_c1").post(f"/access/compounds/{world.compound.pk}/policy/", {
        "closed": "on", "out_quota": "2", "window_days": "1", "starts_on": "2020-02-10"})
    assert r.status_code == 302
    assert Policy.objects.filter(compound=world.compound).latest("version").out_quota == 2


def test_add_and_close_a_checkpoint_from_the_page(world, login):
    c = login("staff_c1")
    c.post(f"/access/compounds/{world.compound.pk}/checkpoints/", {"code": "HL-S", "name": "南门"})
    cp = Checkpoint.objects.get(code="HL-S")
    c.post(f"/access/checkpoints/{cp.pk}/toggle/")
    cp.refresh_from_db()
    assert cp.is_open is False


def test_issue_revoke_and_reissue_from_the_page(world, login):
    h3 = Household.objects.create(compound=world.compound, building_name="28", unit="1",
                                  room="103", grid=world.h1.grid)
    c = login("staff_c1")
    c.post(f"/access/compounds/{world.compound.pk}/passes/issue/")
    assert Pass.objects.filter(household=h3, revoked_at__isnull=True).count() == 1
    c.post(f"/access/passes/{world.pass1.code}/revoke/", {"reissue": "1"})
    assert Pass.objects.filter(household=world.h1).count() == 2
    assert Pass.objects.filter(household=world.h1, revoked_at__isnull=True).count() == 1
    assert login("staff_c2").post(f"/access/passes/{world.pass2.code}/revoke/").status_code == 404


def test_print_sheet_has_qr_address_and_rule_in_chinese(world, login):
    c = login("staff_c1")
    c.cookies["django_language"] = "en"
    r = c.get(f"/access/compounds/{world.compound.pk}/passes/print/")
    html = r.content.decode()
    assert r.status_code == 200
    assert html.count('class="pass-card"') == 2
    assert "data:image/svg+xml" in html
    assert "翰林华府 28栋 1单元 101室" in html
    # The cards are in Chinese whatever the UI language: they go on residents' doors.
    assert "出入证" in html and "每户每 2 天限外出 1 次" in html


def test_print_sheet_other_area_is_404(world, login):
    assert login("staff_c2").get(
        f"/access/compounds/{world.compound.pk}/passes/print/").status_code == 404


def test_register_and_turn_back_visitors_from_the_page(world, login):
    c = login("gate_c1")
    r = c.post("/access/visitors/", {"checkpoint": world.gate.pk, "temperature": "36.5", "subject": "visitor",
                                     "direction": "in", "name": "王五", "phone": "13812345678",
                                     "visiting": "28-1-101", "purpose": "送药",
                                     "action": "admit"})
    assert r.status_code == 302
    r = c.post("/access/visitors/", {"checkpoint": world.gate.pk, "temperature": "36.5", "subject": "visitor",
                                     "direction": "in", "name": "赵六", "action": "turn_back"})
    assert r.status_code == 422 and "error" in r.content.decode()  # a reason is required
    c.post("/access/visitors/", {"checkpoint": world.gate.pk, "temperature": "36.5", "subject": "vehicle",
                                 "direction": "in", "plate": "皖A12345", "origin": "合肥",
                                 "out_of_town": "on", "turned_back_reason": "无单位证明",
                                 "action": "turn_back"})
    assert sorted(Crossing.objects.values_list("subject", "decision")) == [
        ("vehicle", "deny"), ("visitor", "allow")]
    html = c.get("/access/visitors/").content.decode()
    assert "138****5678" in html and "13812345678" not in html


def test_duty_page_plans_shifts_and_shows_gaps(world, login):
    c = login("staff_c1")
    html = c.get("/access/duty/?day=2020-02-05").content.decode()
    assert "00:00–24:00" in html  # nothing planned: the whole day is a gap
    c.post(f"/access/duty/checkpoints/{world.gate.pk}/plan/",
           {"day": "2020-02-05", "shifts": "3", "first_starts": "08:00"})
    assert Shift.objects.filter(checkpoint=world.gate).count() == 3
    html = c.get("/access/duty/?day=2020-02-05").content.decode()
    assert 'class="gap"' in html  # 00:00–08:00 of that day is not covered


def test_duty_check_in(world, login, cast):
    login("staff_c1").post(f"/access/duty/checkpoints/{world.gate.pk}/plan/",
                           {"day": "2020-02-05", "shifts": "3", "first_starts": "08:00"})
    shift = Shift.objects.filter(checkpoint=world.gate).first()
    import time_machine

    from .conftest import local
    with time_machine.travel(local(2020, 2, 5, 9), tick=False):  # while the shift is on
        login("gate_c1").post(f"/access/duty/shifts/{shift.pk}/", {"action": "in"})
    shift.refresh_from_db()
    assert shift.user == cast.gate_c1 and shift.checked_in_at is not None


def test_duty_page_wrong_role(world, login):
    assert login("auditor").get("/access/duty/").status_code == 403


def test_today_panel_counts_the_gates_in_scope(world, login, scan, cast):
    from django.utils import timezone

    now = timezone.now()
    services.policy_set(compound=world.compound, closed=False, out_quota=1, window_days=1,
                        starts_on=timezone.localdate(), actor=cast.staff_c1)
    scan(world.pass1, "out", now)
    scan(world.pass1, "in", now, temperature=38.5)
    r = login("gate_c1").get("/access/today/", HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and "<html" not in html
    assert "<b>1</b>" in html and ("Fever" in html or "发热" in html)
    assert login("auditor").get("/access/today/").status_code == 403


def test_gate_page_preselects_the_gate_of_my_current_shift(world, login, cast):
    from datetime import timedelta

    from django.utils import timezone

    other = services.checkpoint_create(compound=world.compound, code="HL-A", name="A门",
                                       actor=cast.staff_c1)
    now = timezone.now()
    services.shift_create(checkpoint=world.gate, starts_at=now - timedelta(hours=1),
                          ends_at=now + timedelta(hours=1), actor=cast.staff_c1,
                          user=cast.gate_c1)
    html = login("gate_c1").get("/access/gate/").content.decode()
    assert 'data-chosen="HL-N"' in html and other.code in html
    assert '<option value="HL-N" selected>' in html


def test_today_panel_shows_a_grid_worker_their_households_trips(world, login, scan, cast):
    """A grid worker's scope is a grid, the gates belong to the community: the panel counts
    the trips of the worker's own households (h1 is in G1a, h2 in G1b)."""
    from django.utils import timezone

    now = timezone.now()
    services.policy_set(compound=world.compound, closed=False, out_quota=5, window_days=1,
                        starts_on=timezone.localdate(), actor=cast.staff_c1)
    scan(world.pass1, "out", now)
    scan(world.pass2, "out", now)
    scan(world.pass2, "out", now)
    html = login("grid_a").get("/access/today/", HTTP_HX_REQUEST="true").content.decode()
    assert "<b>1</b>" in html and "<b>2</b>" not in html


def test_print_sheet_code_is_in_groups_of_four_with_a_check_code(world, login):
    html = login("staff_c1").get(
        f"/access/compounds/{world.compound.pk}/passes/print/").content.decode()
    code = world.pass1.code
    assert " ".join(code[i:i + 4] for i in range(0, 24, 4)) in html
    assert f"核对码 <b>{code[-4:]}</b>" in html


def test_a_plan_for_year_one_is_refused_beside_the_day_and_kept(world, login):
    r = login("staff_c1", "en").post(f"/access/duty/checkpoints/{world.gate.pk}/plan/",
                                     {"day": "0001-01-01", "shifts": "3",
                                      "first_starts": "07:30"})
    html = r.content.decode()
    assert r.status_code == 422
    assert "0001-01-01 is not a date from 1900 to 2199." in html
    assert 'value="07:30"' in html
    assert not Shift.objects.exists()


def test_a_plan_whose_shifts_do_not_divide_the_day_is_said_not_dropped(world, login):
    r = login("staff_c1", "en").post(f"/access/duty/checkpoints/{world.gate.pk}/plan/",
                                     {"day": "2020-02-05", "shifts": "5",
                                      "first_starts": "08:00"})
    assert r.status_code == 422
    assert "must divide 24 hours" in r.content.decode()
    r = login("staff_c1", "en").post(f"/access/duty/checkpoints/{world.gate.pk}/plan/",
                                     {"day": "2020-02-05", "shifts": "3", "first_starts": "25:00"})
    assert r.status_code == 422 and "Enter a valid time." in r.content.decode()
    assert not Shift.objects.exists()


def test_the_duty_page_of_year_one_shows_today_not_a_500(world, login):
    assert login("staff_c1").get("/access/duty/?day=0001-01-01").status_code == 200


def test_the_plan_offers_the_shift_counts_that_divide_the_day(world, login):
    html = login("staff_c1", "en").get("/access/duty/").content.decode()
    counts = re.findall(r'<option value="(\d+)"[^>]*>\1 × \d+ h</option>', html)
    assert counts[:8] == ["1", "2", "3", "4", "6", "8", "12", "24"]
    assert '<option value="3" selected>3 × 8 h</option>' in html


def test_the_home_panel_lists_refusals_one_reason_a_line(world, cast, scan, web):
    from django.utils import timezone

    now = timezone.now()
    scan("NO-SUCH-PASS", "out", now)
    scan("NO-SUCH-PASS", "out", now)
    scan(world.pass1, "out", now, temperature=38.0)
    assert Crossing.objects.filter(decision="deny").count() == 3
    html = web("gate_c1", "en").get("/access/today/").content.decode()
    items = re.findall(r"<li><span>(.*?)</span> <b>(\d+)</b></li>",
                       html.split('class="today-reasons"', 1)[1].split("</ul>", 1)[0])
    assert [n for _reason, n in items] == ["2", "1"]
