"""An isolation that ends takes its open transfers to a quarantine site with it: released (or
lifted, or expired by the job), each is cancelled in the same transaction, code
`isolation_ended` ("隔离已解除"), audited like a cancellation by hand. A transfer away from the
site (home, hospital) stays. One that reached its end day with no job run yet is shown on the
board as "隔离已到期", for a tap."""

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from firstline.accounts.models import AuditEntry
from firstline.isolation import services
from firstline.isolation.models import TransferStatus
from firstline.texts import render

from .conftest import plan

pytestmark = pytest.mark.django_db


def _end_day(iso):
    """Noon of the isolation's end day (it no longer holds; the job has not run)."""
    return timezone.localtime().replace(hour=12) + (iso.ends_on - timezone.localdate())


@pytest.mark.parametrize("moved_on", ["", TransferStatus.EN_ROUTE])
def test_release_cancels_an_open_transfer_to_a_site_and_audits_it(cast, centralized_iso, site,
                                                                  moved_on):
    t = plan(cast, centralized_iso, site)
    if moved_on:
        services.transfer_set_status(transfer=t, status=moved_on, actor=cast.staff_c1)
    services.isolation_release(isolation=centralized_iso, reason="核酸阴性，解除", actor=cast.staff_c1)
    t.refresh_from_db()
    assert (t.status, t.cancel_reason) == (TransferStatus.CANCELLED, "isolation_ended")
    row = AuditEntry.objects.filter(action="transfer.status", object_id=str(t.pk)).order_by("pk").last()
    assert row.actor_id == cast.staff_c1.pk
    with translation.override("zh-hans"):  # not whatever language an earlier test left on
        assert t.get_cancel_reason_display() == "隔离已解除"
        assert render(row.detail_facts) == "已取消：隔离已解除"


def test_release_leaves_a_transfer_home_or_to_hospital_open(cast, centralized_iso):
    t = plan(cast, centralized_iso, to_place="市人民医院")
    services.isolation_release(isolation=centralized_iso, reason="转院", actor=cast.staff_c1)
    t.refresh_from_db()
    assert (t.status, t.cancel_reason) == (TransferStatus.PLANNED, "")


def test_the_expiry_job_cancels_it_with_no_actor(cast, centralized_iso, site):
    t = plan(cast, centralized_iso, site)
    with time_machine.travel(_end_day(centralized_iso), tick=False):
        assert services.isolations_expire() == 1
    t.refresh_from_db()
    assert (t.status, t.cancel_reason) == (TransferStatus.CANCELLED, "isolation_ended")
    row = AuditEntry.objects.filter(action="transfer.status", object_id=str(t.pk)).order_by("pk").last()
    assert row.actor_id is None


@pytest.mark.parametrize("lang, word", [("zh-hans", "隔离已到期"), ("en", "isolation over")])
def test_board_marks_a_transfer_whose_isolation_reached_its_end_before_the_job(
        web, cast, centralized_iso, site, lang, word):
    plan(cast, centralized_iso, site)
    board = reverse("isolation:site", args=[site.pk])
    assert word not in web("staff_c1", lang).get(board).content.decode()
    with time_machine.travel(_end_day(centralized_iso), tick=False):
        html = web("staff_c1", lang).get(board).content.decode()
    assert word in html and 'value="cancelled"' in html  # the tap that closes it


def test_person_page_and_api_say_why(web, api, cast, centralized_iso, site):
    t = plan(cast, centralized_iso, site)
    services.isolation_release(isolation=centralized_iso, reason="核酸阴性，解除", actor=cast.staff_c1)
    detail = reverse("isolation:detail", args=[centralized_iso.pk])
    html = web("staff_c1").get(detail).content.decode()
    assert '<span class="badge">隔离已解除</span>' in html
    r = api("staff_c1").get("/api/v1/transfers")
    row = next(x for x in r.json()["items"] if x["id"] == t.pk)
    assert (row["status"], row["cancel_reason"]) == ("cancelled", "isolation_ended")
