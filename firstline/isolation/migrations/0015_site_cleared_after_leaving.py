"""An isolation whose person left its site for home or hospital (their last arrived transfer went
to no site, and they hold no room) is at no site any more: Isolation.site is cleared, as
transfer_set_status now does on such an arrival. Nothing else changes."""

from django.db import migrations


def clear_left_sites(apps, schema_editor):
    Isolation = apps.get_model("isolation", "Isolation")
    Transfer = apps.get_model("isolation", "Transfer")
    RoomStay = apps.get_model("isolation", "RoomStay")
    in_room = set(RoomStay.objects.filter(ended_at__isnull=True)
                  .values_list("isolation_id", flat=True))
    left = []
    for iso_id in (Isolation.objects.filter(site__isnull=False)
                   .values_list("pk", flat=True).iterator()):
        if iso_id in in_room:
            continue
        last = (Transfer.objects.filter(isolation_id=iso_id, status="arrived")
                .order_by("-status_at", "-pk").values_list("to_site_id", flat=True).first())
        if last is None and Transfer.objects.filter(isolation_id=iso_id,
                                                    status="arrived").exists():
            left.append(iso_id)
    Isolation.objects.filter(pk__in=left).update(site=None)


class Migration(migrations.Migration):

    dependencies = [
        ("isolation", "0014_transfer_cancel_reason"),
    ]

    operations = [
        migrations.RunPython(clear_left_sites, migrations.RunPython.noop),
    ]
