"""A gate shift is named "compound · gate" wherever a person is put on it: every compound has
its 北门 (the assign form's choices, the assignment's `where` that today's duties show)."""

import importlib
from datetime import timedelta

from firstline import clock
from firstline.access.models import Checkpoint, Shift
from firstline.operations import services
from firstline.operations.forms import AssignForm
from firstline.operations.models import Assignment
from firstline.people.models import Compound


def _gate(homes, name="阳光花园"):
    compound = homes.c1.compound if name == "阳光花园" else Compound.objects.create(
        area=homes.c1.compound.area, name=name)
    cp = Checkpoint.objects.create(compound=compound, code=f"{compound.pk}-N", name="北门")
    start = clock.now() + timedelta(hours=1)
    return Shift.objects.create(checkpoint=cp, starts_at=start, ends_at=start + timedelta(hours=8))


def test_the_shift_choices_name_the_compound(homes):
    a, b = _gate(homes), _gate(homes, "幸福里")
    labels = dict(AssignForm(shifts=[a, b]).fields["shift"].choices)
    assert labels[a.pk].startswith("阳光花园 · 北门 ")
    assert labels[b.pk].startswith("幸福里 · 北门 ")


def test_the_assignment_names_the_compound(cast, people, homes):
    shift = _gate(homes)
    a = services.assignment_create(actor=cast.staff_c1, volunteer=people.li, duty="gate",
                                   shift=shift, starts_at=None, ends_at=None)
    assert a.target == "阳光花园 · 北门"
    a = services.assignment_create(
        actor=cast.staff_c1, volunteer=people.zhao, duty="gate", target_id=shift.checkpoint_id,
        starts_at=shift.starts_at, ends_at=shift.ends_at)
    assert a.target == "阳光花园 · 北门"


def test_the_migration_renames_the_targets_it_wrote(cast, people, homes):
    shift = _gate(homes)
    cp = shift.checkpoint
    a = services.assignment_create(actor=cast.staff_c1, volunteer=people.li, duty="gate",
                                   shift=shift, starts_at=None, ends_at=None)
    typed = services.assignment_create(
        actor=cast.staff_c1, volunteer=people.zhao, duty="gate", target_id=cp.pk,
        target="北门外侧帐篷", starts_at=shift.starts_at, ends_at=shift.ends_at)
    Assignment.objects.filter(pk=a.pk).update(target=f"{cp.name} ({cp.code})")  # as before
    from django.apps import apps

    importlib.import_module("firstline.operations.migrations.0011_gate_target_names_compound") \
        .forwards(apps, None)
    a.refresh_from_db()
    typed.refresh_from_db()
    assert (a.target, typed.target) == ("阳光花园 · 北门", "北门外侧帐篷")
