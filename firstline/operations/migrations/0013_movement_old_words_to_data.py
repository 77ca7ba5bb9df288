"""Issues written before 0012 said where they went in words baked in at write time, in the
language of the process that wrote them: "九个一 → household 3", "care package 5 → household
3" (a care kit), "Tip-off reward T123" / "举报奖励 T123" / "舉報獎勵 T123" (a tip-off reward),
"correction" / "更正" (a correction of kit stock). Those we recognise become data — the
household, the tip, the purpose — worded on display in the reader's language; the words go.
Any other text (typed by a user) stays as it is; so does a row whose household or tip no
longer exists."""

import re

from django.db import migrations

KIT = re.compile(r"^.* → household (\d+)$")
REWARD = re.compile(r"^(?:Tip-off reward|举报奖励|舉報獎勵) (\S+)$")
CORRECTION = {"correction", "更正"}


def forward(apps, schema_editor):
    Movement = apps.get_model("operations", "Movement")
    Household = apps.get_model("people", "Household")
    Tip = apps.get_model("residents", "Tip")
    rows = list(Movement.objects.filter(kind="issue", purpose="").exclude(to="")
                .values_list("pk", "to", "stock__item__code").order_by("pk"))
    for pk, to, item_code in rows:
        kit, reward = KIT.match(to), REWARD.match(to)
        if kit:
            household = Household.objects.filter(pk=int(kit.group(1))).first()
            if household is None:
                continue
            Movement.objects.filter(pk=pk).update(purpose="care_kit", household=household,
                                                    to="")
        elif reward:
            tip = Tip.objects.filter(receipt=reward.group(1)).first()
            if tip is None:
                continue
            Movement.objects.filter(pk=pk).update(purpose="tip_reward", tip=tip, to="")
        elif to in CORRECTION and item_code.startswith("kit-"):
            Movement.objects.filter(pk=pk).update(purpose="correction", to="")


class Migration(migrations.Migration):

    dependencies = [
        ("operations", "0012_movement_went_to_as_data"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
