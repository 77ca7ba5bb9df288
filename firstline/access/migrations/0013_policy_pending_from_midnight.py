"""A policy version saved for a later day comes into force at local midnight of its start
date (services.policy_set), no longer when it was saved.

Versions saved before that rule for a day still to come were put in force at once, and until
their date they lifted the quota altogether ("no quota before the start date"): a tightening
saved for tomorrow let everyone out today. Those still waiting for their date are given the
moment they come into force now, so the version in force before them (or the rule defaults)
holds until then. Versions whose date has come are left as they were: the scans judged by
them keep their record, and the history stays what happened."""

from django.db import migrations


def pending_from_midnight(apps, schema_editor):
    from firstline import clock

    Policy = apps.get_model("access", "Policy")
    now = clock.now()
    for policy in Policy.objects.filter(starts_on__gt=clock.localdate(now)):
        midnight = clock.day_start(policy.starts_on)
        if policy.effective_at < midnight:
            policy.effective_at = midnight
            policy.save(update_fields=["effective_at"])


class Migration(migrations.Migration):

    dependencies = [
        ("access", "0012_checkpoint_name_unique"),
    ]

    operations = [
        migrations.RunPython(pending_from_midnight, migrations.RunPython.noop, elidable=True),
    ]
