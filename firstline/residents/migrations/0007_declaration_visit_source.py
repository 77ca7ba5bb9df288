"""The visits recorded by confirming a return declaration before people 0016 are marked as a
declaration's (source "declaration"): one member's return told by phone never screened the
household, and the households they made look visited are due for a visit again."""

from django.db import migrations


def mark(apps, schema_editor):
    Declaration = apps.get_model("residents", "Declaration")
    ScreeningVisit = apps.get_model("people", "ScreeningVisit")
    ScreeningVisit.objects.filter(
        pk__in=Declaration.objects.filter(visit__isnull=False).values("visit_id")
    ).update(source="declaration")


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0016_visit_source"),
        ("residents", "0006_notice_tip_event_id"),
    ]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
