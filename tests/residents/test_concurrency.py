"""Real threads against the real database (PostgreSQL in CI; SQLite on a file): the same ID
declared at once is one pending item; one household tapping "read" at once counts once."""

import pytest

from firstline.residents import services
from firstline.residents.models import Declaration, NoticeAck

from ..conftest import make_household, race
from .conftest import id_number

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_same_id_declared_at_once_is_one_pending_item(file_database, areas):
    make_household(areas.g1a, building="1", unit="1", room="101")

    def submit(i):
        return services.declaration_submit(
            community=areas.c1, name="李娜", id_number=id_number(10), phone="13800138000",
            compound="阳光花园", building="1", unit="1", room=str(900 + i),
            from_province="湖北省", returned_on=services.clock.today(), device=f"ip:{i}")

    results = race(5, submit)
    assert all(isinstance(r, Declaration) for r in results), results
    assert Declaration.objects.count() == 1
    assert Declaration.objects.get().submissions == 5


def test_one_household_acknowledging_at_once_counts_once(file_database, areas, cast):
    household = make_household(areas.g1a, building="1", unit="1", room="101")
    notice = services.notice_publish(actor=cast.staff_c1, title="公开信", body="少出门",
                                     areas=[areas.c1])

    results = race(6, lambda i: services.notice_acknowledge(notice=notice, household=household,
                                                             device=f"ip:{i}"))
    assert sorted(results) == [False] * 5 + [True], results
    assert NoticeAck.objects.count() == 1


def test_a_reward_handed_over_by_several_taps_at_once_is_handed_over_once(file_database, areas,
                                                                         cast):
    from firstline.accounts.models import AuditEntry
    from firstline.residents.models import Reward, Tip

    make_household(areas.g1a, building="1", unit="1", room="101")
    t = services.tip_submit(community=areas.c1, what="有人未登记", where="阳光花园1栋",
                            device="ip:test")
    services.tip_verify(actor=cast.grid_a, tip=t, outcome="valid")  # no store: owed

    results = race(4, lambda i: services.reward_issue(actor=cast.grid_a,
                                                      tip=Tip.objects.get(pk=t.pk)))
    # Every tap is answered with the reward handed over; one of them handed it over.
    assert all(isinstance(r, Reward) and r.status == "issued" for r in results), results
    assert sorted(r.replayed for r in results) == [False, True, True, True]
    assert AuditEntry.objects.filter(action="tip.reward_issue").count() == 1
    assert Reward.objects.filter(tip_id=t.pk).count() == 1
