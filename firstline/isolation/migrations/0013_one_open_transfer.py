from django.conf import settings
from django.db import migrations, models

OPEN = ("planned", "en_route")


def cancel_duplicates(apps, schema_editor):
    """A person given two open transfers before the constraint (two plans at once, a writer
    that skipped the lock): one stays open — the one on the way, else the newest — and each
    other one is cancelled as of now, with an audit entry naming the one kept. Nothing is
    deleted."""
    from firstline import clock

    Transfer = apps.get_model("isolation", "Transfer")
    AuditEntry = apps.get_model("accounts", "AuditEntry")
    now = clock.now()
    kept = {}
    rows = (Transfer.objects.filter(status__in=OPEN)
            .order_by("isolation_id", "-created_at", "-pk")
            .values_list("pk", "isolation_id", "status"))
    rows = sorted(rows, key=lambda r: (r[1], r[2] != "en_route"))  # stable: newest first
    for pk, isolation_id, _status in rows:
        if isolation_id not in kept:
            kept[isolation_id] = pk
            continue
        Transfer.objects.filter(pk=pk).update(status="cancelled", status_at=now)
        AuditEntry.objects.create(
            action="transfer.status", object_type="isolation.transfer", object_id=str(pk),
            detail=f"cancelled: a second open transfer; transfer {kept[isolation_id]} kept",
            via="migration", at=now)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0007_audit_link_show'),
        ('isolation', '0012_isolation_report_key'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(cancel_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='transfer',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['planned', 'en_route'])), fields=('isolation',), name='one_open_transfer_per_isolation'),
        ),
    ]
