"""The visitor form (来访登记) says every mistake at once, each on its field; the visitor's
name and a gate's name are two words (姓名, 卡口名称)."""

import re

import pytest

from firstline.access.models import Crossing


@pytest.fixture
def login(web):
    return web


def _errors(html):
    """{field name: its error} as the form shows them."""
    found = {}
    for label in re.findall(r'<label class="field">(.*?)</label>', html, re.S):
        name = re.search(r'name="(\w+)"', label)
        error = re.search(r'<span class="error">(.*?)</span>', label, re.S)
        if name and error:
            found[name.group(1)] = error.group(1)
    return found


def test_every_missing_or_bad_field_is_reported_at_once(world, login):
    r = login("gate_c1", "en").post("/access/visitors/", {
        "checkpoint": world.gate.pk, "subject": "visitor", "direction": "in", "name": "",
        "phone": "1381234567", "purpose": "送药", "action": "admit"})
    assert r.status_code == 422
    errors = _errors(r.content.decode())
    assert set(errors) == {"name", "phone", "temperature"}, errors
    assert "11-digit" in errors["phone"]
    assert "Measure the temperature" in errors["temperature"]
    assert "name is required" in errors["name"]
    assert not Crossing.objects.exists()


def test_a_vehicle_without_a_plate_and_a_temperature_says_both(world, login):
    r = login("gate_c1").post("/access/visitors/", {
        "checkpoint": world.gate.pk, "subject": "vehicle", "direction": "in",
        "action": "admit"})
    assert set(_errors(r.content.decode())) == {"plate", "temperature"}


def test_a_good_visit_still_goes_through(world, login):
    r = login("gate_c1").post("/access/visitors/", {
        "checkpoint": world.gate.pk, "subject": "visitor", "direction": "in", "name": "王五",
        "phone": "138 1234 5678", "temperature": "36,5", "action": "admit"})
    assert r.status_code == 302
    assert Crossing.objects.get().visit.phone == "13812345678"


def test_the_visitor_name_is_a_persons_name_and_the_gate_name_a_gates(world, login):
    visitors = login("gate_c1").get("/access/visitors/").content.decode()
    assert re.search(r'<label class="field">姓名\s*<input[^>]*name="name"', visitors)
    compound = login("staff_c1").get(f"/access/compounds/{world.compound.pk}/").content.decode()
    assert re.search(r'<label class="field">卡口名称\s*<input[^>]*name="name"', compound)
    assert not re.search(r'<label[^>]*>姓名\s*<input[^>]*name="name"', compound)
    compound = login("staff_c1", "zh-hant").get(
        f"/access/compounds/{world.compound.pk}/").content.decode()
    assert re.search(r'<label class="field">卡口名稱\s*<input[^>]*name="name"', compound)
    compound = login("staff_c1", "en").get(
        f"/access/compounds/{world.compound.pk}/").content.decode()
    assert re.search(r'<label class="field">Gate name\s*<input[^>]*name="name"', compound)


# --- one pass at the gate: a refused form says everything at the top, turning back asks why ---

def _summary(html):
    """The list of what to correct at the top of a refused visitor form: [(href, text)]."""
    block = html.split('id="visit-errors"', 1)[1].split("</div>", 1)[0]
    return re.findall(r'<li>(?:<a href="([^"]+)">)?(.*?)</li>', block, re.S)


def test_a_car_turned_back_without_plate_or_reason_is_told_both_at_once(world, login):
    r = login("gate_c1").post("/access/visitors/", {
        "checkpoint": world.gate.pk, "subject": "vehicle", "direction": "in",
        "temperature": "36.7", "action": "turn_back"})
    html = r.content.decode()
    assert set(_errors(html)) == {"plate", "turned_back_reason"}
    assert _errors(html)["turned_back_reason"] == "请填写劝返原因。"
    summary = _summary(html)
    assert [href for href, _text in summary] == ["#id_plate", "#id_turned_back_reason"]
    assert "车牌号" in summary[0][1] and "车辆须登记车牌号。" in summary[0][1]
    # The summary comes before the first field: it is what a phone shows after the reload.
    assert html.index('id="visit-errors"') < html.index('name="checkpoint"')
    assert not Crossing.objects.exists()


def test_a_car_turned_back_with_plate_and_reason_is_logged(world, login):
    r = login("gate_c1").post("/access/visitors/", {
        "checkpoint": world.gate.pk, "subject": "vehicle", "direction": "in",
        "temperature": "36.7", "plate": "鄂A 88888", "out_of_town": "on",
        "turned_back_reason": "外地车辆一律劝返", "action": "turn_back"})
    assert r.status_code == 302
    c = Crossing.objects.get()
    assert (c.decision, c.reason, c.visit.plate) == ("deny", "turned_back", "鄂A88888")


def test_a_fever_turned_back_needs_no_reason_typed(world, login):
    # The rule says why (发热); the form does not ask the guard to type it again.
    r = login("gate_c1").post("/access/visitors/", {
        "checkpoint": world.gate.pk, "subject": "visitor", "direction": "in", "name": "王五",
        "temperature": "38.2", "action": "turn_back"})
    assert r.status_code == 302
    assert Crossing.objects.get().reason == "fever"


def test_a_courier_at_the_parcel_point_needs_no_reason(world, login):
    r = login("gate_c1").post("/access/visitors/", {
        "checkpoint": world.gate.pk, "subject": "courier", "direction": "in",
        "temperature": "36.4", "action": "turn_back"})
    assert r.status_code == 302
    assert Crossing.objects.get().reason == "parcel_point"


def test_the_plate_and_the_reason_are_not_folded_away(world, login):
    html = login("gate_c1").get("/access/visitors/").content.decode()
    folded = html.split('<details class="more"', 1)[1].split("</details>", 1)[0]
    assert 'name="verified"' in folded
    assert 'name="plate"' not in folded and 'name="turned_back_reason"' not in folded
    # The reason stands just before the buttons, saying when it is needed.
    before_buttons = html.split('name="action"', 1)[0].rsplit("</details>", 1)[1]
    assert 'name="turned_back_reason"' in before_buttons and "劝返时必填" in before_buttons


@pytest.mark.parametrize("lang, out, in_", [("zh-hans", "外出", "进入"), ("zh-hant", "外出", "進入")])
def test_the_visitors_page_names_a_direction_as_the_gate_does(world, login, lang, out, in_):
    web = login("gate_c1", lang)
    assert web.post("/access/visitors/", {
        "checkpoint": world.gate.pk, "subject": "visitor", "direction": "in", "name": "王五",
        "phone": "13812345678", "temperature": "36.5", "action": "admit"}).status_code == 302
    gate = web.get("/access/gate/").content.decode()
    assert re.search(rf'value="out"[^>]*> <span>{out}</span>', gate)
    assert re.search(rf'value="in"> <span>{in_}</span>', gate)
    visitors = web.get("/access/visitors/").content.decode()
    assert re.search(rf'<option value="out"[^>]*>{out}</option>', visitors)
    assert re.search(rf'<option value="in"[^>]*>{in_}</option>', visitors)
    assert f" · {in_}</td>" in visitors  # today's list
