"""A transfer (转运) sent again with its event_id (a phone retrying, a form sent twice) is one
transfer."""

import uuid

import pytest
from django.utils import timezone

from firstline.accounts.models import AuditEntry
from firstline.isolation import services
from firstline.isolation.models import Transfer
from tests.conftest import event_id_in, race

EVENT = "3b8e0f2a-7c4d-4e1b-9a6f-5d2c1b0a9e8f"


def _post(api, iso, site, **extra):
    return api("staff_c1").post("/api/v1/transfers", {
        "isolation_id": iso.pk, "from_place": "阳光花园1栋1单元101", "to_site_id": site.pk,
        "pickup_at": "2026-03-01T15:00:00+08:00", "vehicle": "皖D12345", "event_id": EVENT,
        **extra})


def test_a_transfer_sent_again_answers_the_first_and_writes_nothing(api, centralized_iso, site):
    first = _post(api, centralized_iso, site)
    audits = AuditEntry.objects.count()
    again = _post(api, centralized_iso, site)
    assert (first.status_code, again.status_code) == (201, 200), again.content
    assert again.json() == first.json()
    assert Transfer.objects.count() == 1 and AuditEntry.objects.count() == audits


def test_an_event_id_used_for_another_transfer_is_409(api, centralized_iso, site):
    assert _post(api, centralized_iso, site).status_code == 201
    r = _post(api, centralized_iso, site, vehicle="皖D99999")
    assert r.status_code == 409 and r.json()["error"] == "event_id_reused"
    assert Transfer.objects.count() == 1


def test_a_bad_event_id_is_422_naming_it(api, centralized_iso, site):
    r = _post(api, centralized_iso, site, event_id="not-a-uuid")
    assert r.status_code == 422 and "event_id" in r.content.decode()
    assert not Transfer.objects.exists()


def test_the_board_transfer_form_sent_twice_is_one_transfer_and_a_normal_answer(
        web, centralized_iso, site):
    client = web("staff_c1")
    event = event_id_in(client.get(f"/isolation/sites/{site.pk}/").content.decode())
    form = {"action": "transfer", "isolation": centralized_iso.pk, "from_place": "阳光花园1栋",
            "pickup_at": "2026-03-01T15:00", "vehicle": "", "escort": "", "event_id": event}
    first = client.post(f"/isolation/sites/{site.pk}/", form)
    again = client.post(f"/isolation/sites/{site.pk}/", form)
    assert (first.status_code, again.status_code) == (302, 302)
    assert Transfer.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_transfer_sent_by_five_threads_at_once_is_one_transfer(file_database, cast,
                                                                         roster, areas):
    iso = services.isolation_start(resident=roster.a1, kind="centralized",
                                   reason="close_contact", starts_on=timezone.localdate(),
                                   actor=cast.staff_c1)
    site = services.site_create(area=areas.c1, name="凤台宾馆", actor=cast.staff_c1)
    pickup = timezone.now()
    event = uuid.UUID(EVENT)

    def work(i):
        from firstline.accounts.models import User

        return services.transfer_create(isolation=iso, from_place="阳光花园1栋", to_site=site,
                                        pickup_at=pickup, actor=User.objects.get(
                                            username="staff_c1"), event_id=event)

    results = race(5, work)
    assert all(isinstance(r, Transfer) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert sorted(r.replayed for r in results) == [False] + [True] * 4
    assert Transfer.objects.count() == 1
