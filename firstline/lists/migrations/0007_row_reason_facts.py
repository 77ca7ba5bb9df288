from django.conf import settings
from django.db import migrations, models
from django.utils import translation

# The reasons the matcher wrote as text in the importer's language before they were kept as
# facts (lists.services.Matcher), as they were when this migration was written.
REASONS = [
    "No resident with this ID number, name and phone, or name and address.",
    "On the roster of another area.",
    "Several residents have this name and phone.",
    "Several residents have this name at this address.",
]


def reasons_to_facts(apps, schema_editor):
    """A row written before keeps its text (the fallback) and, when the text is one of the
    matcher's sentences in one of the site's languages, gains its facts: it is then said in
    each reader's language like a row written after. Any other text is shown as stored."""
    ChecklistRow = apps.get_model("lists", "ChecklistRow")
    said: dict[str, str] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for msgid in REASONS:
                said.setdefault(translation.gettext(msgid), msgid)
    for text, msgid in said.items():
        ChecklistRow.objects.filter(reason=text).update(reason_facts={"m": msgid})


class Migration(migrations.Migration):

    dependencies = [
        ('lists', '0006_dates_in_range'),
    ]

    operations = [
        migrations.AddField(
            model_name='checklistrow',
            name='reason_facts',
            field=models.JSONField(blank=True, default=dict, help_text='why unmatched, as a message and its parameters'),
        ),
        migrations.RunPython(reasons_to_facts, migrations.RunPython.noop),
    ]
