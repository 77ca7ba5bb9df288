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
    assert r.status_code == 200
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
