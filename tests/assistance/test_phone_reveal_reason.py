"""A phone revealed for a care call or an errand is audited with the reason the worker chose
in the full read's short select ("Contact the person" preselected: still one tap) and the
task (audit F3)."""

import pytest
from django.test import Client
from django.utils import translation

from firstline.accounts.models import AuditEntry
from firstline.assistance import services
from tests.conftest import ApiClient

HTMX = {"HTTP_HX_REQUEST": "true"}


def login(user):
    c = Client()
    c.force_login(user)
    return c


def _reads(resident, lang="en"):
    with translation.override(lang):
        return [e.display_detail for e in AuditEntry.objects.filter(
            action="people.phone_read", object_id=str(resident.pk))]


@pytest.fixture
def req(world):
    return services.service_request_create(household=world.h1, kind="groceries",
                                           detail="大米10斤", source="self_report")


def test_the_care_call_reveal_offers_the_reasons_with_contact_preselected(cast, world):
    html = login(cast.grid_a).get("/assistance/calls/").content.decode()
    form = html.split(f'id="ph-{world.r1.pk}"', 1)[1].split("</form>", 1)[0]
    assert '<select name="reason"' in form
    assert '<option value="contact" selected>' in form
    assert 'value="verify_identity"' in form and 'value="other"' not in form


def test_the_errand_reveal_offers_the_same_select(cast, world, req):
    services.service_request_assign(request=req, actor=cast.staff_c1, volunteer=cast.grid_a)
    html = login(cast.grid_a).get("/assistance/tasks/").content.decode()
    form = html.split(f'id="ph-{world.r1.pk}"', 1)[1].split("</form>", 1)[0]
    assert '<option value="contact" selected>' in form


def test_a_care_call_reveal_is_audited_with_the_chosen_reason_and_the_call(cast, world):
    r = login(cast.grid_a).post(f"/assistance/calls/phone/{world.r1.pk}/",
                                {"reason": "verify_identity"}, **HTMX)
    assert "tel:13812345678" in r.content.decode()
    assert _reads(world.r1) == ["Verify identity · care call"]
    assert _reads(world.r1, "zh-hans") == ["核实身份 · 暖心电话"]


def test_an_errand_reveal_is_audited_with_the_chosen_reason_and_the_errand(cast, world, req):
    services.service_request_assign(request=req, actor=cast.staff_c1, volunteer=cast.grid_a)
    login(cast.grid_a).post(f"/assistance/requests/{req.pk}/phone/{world.r1.pk}/",
                            {"reason": "transfer"}, **HTMX)
    assert _reads(world.r1) == [f"Transfer to isolation · errand {req.pk}"]


def test_a_reveal_without_a_reason_takes_contact(cast, world):
    login(cast.grid_a).post(f"/assistance/calls/phone/{world.r1.pk}/", **HTMX)
    assert _reads(world.r1) == ["Contact the person · care call"]


@pytest.mark.parametrize("reason", ["other", "nonsense"])
def test_an_unlisted_reason_is_refused_naming_the_field_and_reveals_nothing(cast, world,
                                                                             reason):
    r = login(cast.grid_a).post(f"/assistance/calls/phone/{world.r1.pk}/", {"reason": reason},
                                HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 422
    assert "Reason: choose one of the listed reasons." in r.content.decode()
    assert "13812345678" not in r.content.decode()
    assert _reads(world.r1) == []


def test_the_api_reveals_take_a_reason_too(cast, world, req):
    services.service_request_assign(request=req, actor=cast.staff_c1, volunteer=cast.grid_a)
    api = ApiClient(cast.grid_a)
    r = api.post(f"/api/v1/care-calls/residents/{world.r1.pk}/phone?reason=verify_identity", {})
    assert r.status_code == 200 and r.json()["phone"] == "13812345678"
    r = api.post(f"/api/v1/service-requests/{req.pk}/contacts/{world.r1.pk}/phone", {})
    assert r.status_code == 200
    bad = api.post(f"/api/v1/care-calls/residents/{world.r1.pk}/phone?reason=x", {})
    assert bad.status_code == 422 and bad.json()["error"] == "bad_reason"
    assert sorted(_reads(world.r1)) == [f"Contact the person · errand {req.pk}",
                                        "Verify identity · care call"]
