"""The compound page's forms refused: the page again at 422 with what was typed, each error
beside its field (not a redirect and a banner that lose both), and nothing saved."""

import re

from firstline.access.models import Checkpoint, Crossing, Policy


def _label(html: str, name: str) -> str:
    """The <label> holding the input `name`: where its errors are said."""
    return next(m for m in re.findall(r'<label class="field">.*?</label>', html, re.S)
                if f'name="{name}"' in m)


def test_a_bad_quota_and_an_impossible_date_are_said_beside_them_and_kept(world, web):
    before = Policy.objects.filter(compound=world.compound).count()
    r = web("staff_c1", "en").post(f"/access/compounds/{world.compound.pk}/policy/", {
        "closed": "on", "out_quota": "abc", "window_days": "3", "starts_on": "2026-02-30"})
    html = r.content.decode()
    assert r.status_code == 422
    quota = _label(html, "out_quota")
    assert 'value="abc"' in quota and "Enter a whole number." in quota
    starts = _label(html, "starts_on")
    assert 'value="2026-02-30"' in starts and "Enter a valid date." in starts
    assert 'value="3"' in _label(html, "window_days")
    assert Policy.objects.filter(compound=world.compound).count() == before


def test_the_services_refusal_is_said_beside_its_field_in_chinese(world, web):
    r = web("staff_c1").post(f"/access/compounds/{world.compound.pk}/policy/", {
        "closed": "on", "out_quota": "1", "window_days": "2", "starts_on": "0001-01-01"})
    html = r.content.decode()
    assert r.status_code == 422
    starts = _label(html, "starts_on")
    assert 'value="0001-01-01"' in starts
    assert "周期起算日须是 1900 到 2199 年之间的日期。" in starts  # its label, not "starts_on"


def test_a_too_long_gate_name_is_said_beside_it_and_kept(world, web):
    name = "北" * 500
    r = web("staff_c1", "en").post(f"/access/compounds/{world.compound.pk}/checkpoints/",
                                   {"code": "HL-S", "name": name})
    html = r.content.decode()
    assert r.status_code == 422
    field = _label(html, "name")
    assert f'value="{name}"' in field
    assert "The gate&#x27;s name is at most 100 characters." in field
    assert 'value="HL-S"' in _label(html, "code")
    assert not Checkpoint.objects.filter(code="HL-S").exists()


def test_a_refused_visitor_is_the_form_again_at_422_as_typed(world, web):
    r = web("gate_c1", "en").post("/access/visitors/", {
        "checkpoint": world.gate.pk, "subject": "visitor", "direction": "in", "name": "王五",
        "temperature": "36.5", "purpose": "送药", "action": "turn_back"})
    html = r.content.decode()
    assert r.status_code == 422
    assert "Say why they were turned back." in _label(html, "turned_back_reason")
    assert 'value="王五"' in _label(html, "name")
    assert not Crossing.objects.exists()
