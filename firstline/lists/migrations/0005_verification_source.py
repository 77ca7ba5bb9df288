import re

from django.db import migrations, models

REFERENCE = re.compile(r"(visit|reading):\d+")


def references_out_of_notes(apps, schema_editor):
    """Answers taken from a recorded fact stored its reference ("visit:12") as the note, which
    the export upward then showed; it moves to `source` and the note is emptied."""
    Verification = apps.get_model("lists", "Verification")
    for pk, note in (Verification.objects.filter(note__regex=r"^(visit|reading):[0-9]+$")
                     .values_list("pk", "note").iterator()):
        if REFERENCE.fullmatch(note):
            Verification.objects.filter(pk=pk).update(source=note, note="")


class Migration(migrations.Migration):

    dependencies = [
        ('lists', '0004_testresult_event_id'),
    ]

    operations = [
        migrations.AddField(
            model_name='verification',
            name='source',
            field=models.CharField(blank=True, db_default='', default='', help_text='the fact the answer was taken from, e.g. visit:12', max_length=64),
        ),
        migrations.RunPython(references_out_of_notes, migrations.RunPython.noop),
    ]
