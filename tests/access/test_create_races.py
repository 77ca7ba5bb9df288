"""Checkpoints: a gate added twice at the same instant is one gate, the loser getting the 409
a sequential duplicate gets (never a 500); two gates of one compound never share a name (the
gate page tells them apart by it), which the database now holds too."""

import pytest
from django.db import IntegrityError, transaction

from firstline.access import services
from firstline.access.models import Checkpoint
from firstline.errors import RuleViolation

from ..conftest import race_create


def _settled(add):
    _, answer = race_create(4, add, Checkpoint)
    assert (answer.code, answer.status) == ("duplicate", 409)
    return answer


@pytest.mark.django_db(transaction=True)
def test_a_gate_added_at_once_is_one_gate(file_database, world, cast):
    answer = _settled(lambda i: services.checkpoint_create(compound=world.compound,
                                                           code="HL-S", name="南门",
                                                           actor=cast.staff_c1))
    assert answer.field == "code"
    assert Checkpoint.objects.filter(code="HL-S").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_gates_named_alike_at_once_are_one_gate(file_database, world, cast):
    # Other codes, one name: the name's constraint settles it, the loser hears of the name.
    answer = _settled(lambda i: services.checkpoint_create(
        compound=world.compound, code=f"HL-S{i}", name="南门",
        actor=cast.staff_c1))
    assert answer.field == "name"
    assert Checkpoint.objects.filter(compound=world.compound, name="南门").count() == 1


@pytest.mark.django_db
def test_a_gate_name_is_unique_in_its_compound_only(world, cast):
    with pytest.raises(RuleViolation) as refused:
        services.checkpoint_create(compound=world.compound, code="HL-N2", name="北门",
                                   actor=cast.staff_c1)
    assert (refused.value.code, refused.value.status, refused.value.field) == (
        "duplicate", 409, "name")
    # The same name at another compound is another gate.
    services.checkpoint_create(compound=world.other, code="HY-N", name="北门",
                               actor=cast.staff_c2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Checkpoint.objects.create(compound=world.compound, code="HL-X", name="北门")


@pytest.mark.django_db(transaction=True)
def test_gates_named_alike_before_the_rule_are_renamed_not_lost(areas):
    """Migration 0012: of gates of one compound sharing a name, the first keeps it; the later
    ones get their id after the name. Gates of other compounds keep theirs."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from firstline.people.models import Compound

    one = Compound.objects.create(area=areas.c1, name="翰林华府")
    two = Compound.objects.create(area=areas.c2, name="惠利花园")
    before = [("access", "0011_quota_use_one_index")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    OldCheckpoint = executor.loader.project_state(before).apps.get_model("access", "Checkpoint")
    first = OldCheckpoint.objects.create(compound_id=one.pk, code="A-1", name="北门")
    second = OldCheckpoint.objects.create(compound_id=one.pk, code="A-2", name="北门")
    other = OldCheckpoint.objects.create(compound_id=two.pk, code="B-1", name="北门")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    names = dict(Checkpoint.objects.filter(pk__in=[first.pk, second.pk, other.pk])
                 .values_list("pk", "name"))
    assert names == {first.pk: "北门", second.pk: f"北门 ({second.pk})", other.pk: "北门"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("long", ["翰林华府北侧临时便民通道" * 8, "北门"], ids=["cut", "short"])
def test_a_gate_renamed_to_a_name_already_held_takes_the_next_free_one(areas, long):
    """Migration 0012: "name (id)" may be another gate's name already — a gate really named
    "北门 (7)", or a long name once cut to 90 characters; the renamed gate then takes
    "(id-2)", and the gate holding the name keeps it, whichever sorts first."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from firstline.people.models import Compound

    one = Compound.objects.create(area=areas.c1, name="翰林华府")
    before = [("access", "0011_quota_use_one_index")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    OldCheckpoint = executor.loader.project_state(before).apps.get_model("access", "Checkpoint")
    first = OldCheckpoint.objects.create(compound_id=one.pk, code="A-1", name=long)
    second = OldCheckpoint.objects.create(compound_id=one.pk, code="A-2", name=long)
    holder = OldCheckpoint.objects.create(compound_id=one.pk, code="A-3",
                                          name=f"{long[:90]} ({second.pk})")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    names = dict(Checkpoint.objects.filter(pk__in=[first.pk, second.pk, holder.pk])
                 .values_list("pk", "name"))
    assert names == {first.pk: long, second.pk: f"{long[:90]} ({second.pk}-2)",
                     holder.pk: f"{long[:90]} ({second.pk})"}
