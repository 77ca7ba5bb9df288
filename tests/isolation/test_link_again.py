"""The self-report link shown again (to send it once more) without replacing it; a new link,
for a lost phone, only after saying the old one stops working."""

import pytest
from django.test import Client
from django.utils import timezone

from firstline.accounts.models import AuditEntry
from firstline.errors import RuleViolation
from firstline.isolation import services
from firstline.isolation.models import Isolation

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(cast, roster):
    iso = services.isolation_start(resident=roster.a1, kind="home", reason="risk_area",
                                   starts_on=timezone.localdate(), actor=cast.staff_c1)
    return iso


def test_showing_the_link_again_gives_the_link_the_resident_has(cast, live):
    token = services.isolation_show_link(isolation=live, actor=cast.grid_a)
    assert token == live.report_token
    assert Client().get(f"/isolation/r/{token}/").status_code == 200


def test_showing_the_link_again_is_audited_as_a_read(cast, live):
    services.isolation_show_link(isolation=live, actor=cast.grid_a)
    row = AuditEntry.objects.get(action="isolation.link_show")
    assert (row.actor, row.object_id) == (cast.grid_a, str(live.pk))


def test_a_link_made_before_links_could_be_shown_is_not_guessed(cast, live):
    Isolation.objects.filter(pk=live.pk).update(report_key="")
    with pytest.raises(RuleViolation) as exc:
        services.isolation_show_link(isolation=live, actor=cast.grid_a)
    assert exc.value.code == "link_not_recoverable"
    assert not AuditEntry.objects.filter(action="isolation.link_show").exists()


def test_the_link_shown_again_is_the_new_one_after_a_reissue(cast, live):
    new = services.isolation_reissue_link(isolation=live, actor=cast.grid_a)
    assert services.isolation_show_link(isolation=live, actor=cast.grid_a) == new


def test_the_page_shows_the_current_link_and_it_keeps_working(cast, web, live):
    c = web("grid_a", "en")
    r = c.post(f"/isolation/{live.pk}/", {"action": "show_link"})
    assert r.status_code == 302
    page = c.get(r["Location"]).content.decode()
    assert f"/isolation/r/{live.report_token}/" in page
    assert "it still works and nothing changed" in page
    assert Client().get(f"/isolation/r/{live.report_token}/").status_code == 200


def test_a_gate_duty_may_not_show_the_link(cast, web, live):
    # gate duty holds no isolation.record: the link is not theirs to hand out
    r = web("gate_c1").post(f"/isolation/{live.pk}/", {"action": "show_link"})
    assert r.status_code in (403, 404)
    assert not AuditEntry.objects.filter(action="isolation.link_show").exists()


def test_making_a_new_link_asks_first_that_the_old_stops_working(web, live):
    page = web("grid_a").get(f"/isolation/{live.pk}/").content.decode()
    form = page.split('value="link"', 1)[1].split("</form>", 1)[0]
    assert 'data-confirm="生成新链接？居民现有的链接将立即失效' in form


def test_the_api_shows_the_current_link_again(api, live):
    r = api("grid_a").get(f"/api/v1/isolations/{live.pk}/report-link")
    assert r.status_code == 200
    assert r.json()["report_url"].endswith(f"/isolation/r/{live.report_token}/")
    assert api("staff_c2").get(f"/api/v1/isolations/{live.pk}/report-link").status_code == 404
