from datetime import date

from django.db import migrations
from django.db.models import Q

# firstline.apitypes.EARLIEST and LATEST as they were when this migration was written.
EARLIEST, LATEST = date(1900, 1, 1), date(2199, 12, 31)


def _outside(field: str) -> Q:
    return Q(**{f"{field}__lt": EARLIEST}) | Q(**{f"{field}__gt": LATEST})


def dates_into_range(apps, schema_editor):
    """Days outside 1900-01-01..2199-12-31 stored before every path refused them (the API's
    and the command line's deadline=9999-12-31, the answer form's returned_on=0001-01-01, the
    cases page's dates) made every later read of the row answer 500. They were typos:

    - a list's deadline (Checklist.deadline), an item's due date (Verification.due) and a
      verification's return date (Verification.returned_on) may be empty: set to NULL (no
      deadline, no return date known);
    - a case's date (Case.on) and a test's sample date (TestResult.sampled_on) are required:
      clamped to the nearest day in range (1900-01-01 or 2199-12-31), which shows the typo
      and reads.
    """
    Checklist = apps.get_model("lists", "Checklist")
    Verification = apps.get_model("lists", "Verification")
    Case = apps.get_model("lists", "Case")
    TestResult = apps.get_model("lists", "TestResult")
    Checklist.objects.filter(_outside("deadline")).update(deadline=None)
    Verification.objects.filter(_outside("due")).update(due=None)
    Verification.objects.filter(_outside("returned_on")).update(returned_on=None)
    for model, field in ((Case, "on"), (TestResult, "sampled_on")):
        model.objects.filter(**{f"{field}__lt": EARLIEST}).update(**{field: EARLIEST})
        model.objects.filter(**{f"{field}__gt": LATEST}).update(**{field: LATEST})


class Migration(migrations.Migration):
    dependencies = [("lists", "0005_verification_source")]

    operations = [migrations.RunPython(dates_into_range, migrations.RunPython.noop)]
