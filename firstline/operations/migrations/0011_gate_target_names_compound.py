"""A gate duty's `target` names the compound too ("阳光花园 · 北门", as the gate page does):
every compound has a 北门, and "北门 (340421100001-1-N)" said which only by its code. Rewrites
the targets this app wrote itself (`str(checkpoint)`: "name (code)"); a target staff typed is
kept."""

from django.db import migrations


def forwards(apps, schema_editor):
    Assignment = apps.get_model("operations", "Assignment")
    Checkpoint = apps.get_model("access", "Checkpoint")
    rows = (Assignment.objects.filter(duty="gate", target_id__isnull=False)
            .values_list("pk", "target_id", "target"))
    gates = {}
    for pk, target_id, target in rows.iterator():
        if target_id not in gates:
            cp = (Checkpoint.objects.filter(pk=target_id).select_related("compound")
                  .first())
            gates[target_id] = cp
        cp = gates[target_id]
        if cp is None or target != f"{cp.name} ({cp.code})":
            continue
        label = f"{cp.compound.name} · {cp.name}"
        label = label if len(label) <= 100 else label[:99] + "…"
        Assignment.objects.filter(pk=pk).update(target=label)


class Migration(migrations.Migration):
    dependencies = [
        ("operations", "0010_round_event_id"),
        ("access", "0012_checkpoint_name_unique"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
