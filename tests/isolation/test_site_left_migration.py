"""Migration 0015: someone whose last arrival was home or at a hospital, before arriving there
cleared the isolation's site, is at no site any more; someone who arrived at a site stays."""

import pytest
from django.db import connection
from django.utils import timezone

from firstline.isolation import services
from firstline.isolation.models import Isolation, Room


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_clears_the_site_of_someone_who_left_it(cast, roster, areas):
    from django.db.migrations.executor import MigrationExecutor

    site = services.site_create(area=areas.c1, name="凤台宾馆", actor=cast.staff_c1)
    services.rooms_add(site=site, numbers=["301"], actor=cast.staff_c1)
    left, stayed = (services.isolation_start(resident=r, kind="centralized",
                                             reason="close_contact",
                                             starts_on=timezone.localdate(), actor=cast.staff_c1)
                    for r in (roster.a1, roster.b1))
    services.room_assign(room=Room.objects.get(site=site), isolation=left, actor=cast.staff_c1)
    for iso, where in ((left, {"to_place": "市人民医院"}), (stayed, {"to_site": site})):
        t = services.transfer_create(isolation=iso, from_place="家", pickup_at=timezone.now(),
                                     actor=cast.staff_c1, **where)
        services.transfer_set_status(transfer=t, status="arrived", actor=cast.staff_c1)
    Isolation.objects.filter(pk=left.pk).update(site=site)  # as arrivals left it before 0015

    executor = MigrationExecutor(connection)
    executor.migrate([("isolation", "0014_transfer_cancel_reason")])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert dict(Isolation.objects.values_list("pk", "site_id")) == {left.pk: None,
                                                                    stayed.pk: site.pk}
