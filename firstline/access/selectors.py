"""Read side of closed management. Everything a user can trigger goes through `area_scope`."""

from datetime import date

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from firstline.accounts.scope import area_scope
from firstline.people.models import Compound, Household

from .models import Checkpoint, Crossing, Decision, Direction, Pass, Policy, Shift

# Denials that are not a person refused at the gate: a mistyped temperature (the guard
# measures again) and a misconfigured device (unknown checkpoint). Not in crossings_denied.
NOT_COUNTED_REASONS = ("bad_temperature", "checkpoint_unknown")


def crossing_counts(area, day: date, *, subtree: bool = True) -> dict[str, int]:
    """Crossings on local `day` at the gates of compounds in `area` (its subtree by default;
    `subtree=False`: compounds whose community is exactly `area`).

    Counted by the compound's community (`Compound.area`), where the gate is — not by the
    household's grid — so visitors, vehicles and couriers (no household) count too, and a grid
    has no crossings of its own. Residents' pass scans, visitors, vehicles and couriers all
    count: "out"/"in" are allowed crossings, "denied" are refusals (quota, fever, isolation,
    visitors turned back 劝返, couriers sent to the parcel point) except NOT_COUNTED_REASONS.
    """
    qs = Crossing.objects.filter(day=day)
    qs = qs.filter(area__path__startswith=area.path) if subtree else qs.filter(area=area)
    return crossing_totals(qs)


def crossing_totals(qs) -> dict[str, int]:
    """{"out", "in", "denied"} of a queryset of crossings (the daily report's rules)."""
    allow = Q(decision=Decision.ALLOW)
    row = qs.aggregate(
        out=Count("pk", filter=allow & Q(direction=Direction.OUT)),
        in_=Count("pk", filter=allow & Q(direction=Direction.IN)),
        denied=Count("pk", filter=Q(decision=Decision.DENY) & ~Q(reason__in=NOT_COUNTED_REASONS)),
    )
    return {"out": row["out"], "in": row["in_"], "denied": row["denied"]}


def compounds_for(user, perm: str = "access.manage") -> QuerySet[Compound]:
    return Compound.objects.filter(area_scope(user, "area", perm)).select_related("area")


def compound_get_for_user(user, compound_id, perm: str = "access.manage") -> Compound:
    return get_object_or_404(compounds_for(user, perm), pk=compound_id)


def household_get_for_user(user, household_id, perm: str = "access.manage") -> Household:
    qs = Household.objects.filter(area_scope(user, "compound__area", perm))
    return get_object_or_404(qs.select_related("compound"), pk=household_id)


def policy_current(compound, at=None) -> Policy | None:
    """The policy version in force at `at` (now when omitted), or None (rule defaults)."""
    from django.utils import timezone

    at = at or timezone.now()
    return (Policy.objects.filter(compound=compound, effective_at__lte=at)
            .order_by("-effective_at", "-version").first())


def policy_history(compound) -> QuerySet[Policy]:
    return Policy.objects.filter(compound=compound).order_by("-version")


def checkpoints_for(user, perm: str = "access.scan") -> QuerySet[Checkpoint]:
    return (Checkpoint.objects.filter(area_scope(user, "compound__area", perm))
            .select_related("compound"))


def checkpoint_get_for_user(user, checkpoint_id, perm: str = "access.manage") -> Checkpoint:
    return get_object_or_404(checkpoints_for(user, perm), pk=checkpoint_id)


def passes_for(user, perm: str = "access.manage") -> QuerySet[Pass]:
    return (Pass.objects.filter(area_scope(user, "household__compound__area", perm))
            .select_related("household", "household__compound"))


def pass_get_for_user(user, code: str, perm: str = "access.manage") -> Pass:
    return get_object_or_404(passes_for(user, perm), code=code)


def crossings_for(user, perm: str = "access.scan") -> QuerySet[Crossing]:
    return (Crossing.objects.filter(area_scope(user, "area", perm))
            .select_related("checkpoint", "household", "household__compound"))


def crossings_concerning(user, perm: str = "access.scan") -> QuerySet[Crossing]:
    """Crossings at the user's gates, and those of the user's households at any gate: a grid
    worker, whose scope is a grid, sees their own households' trips (the gates belong to the
    community)."""
    return (Crossing.objects.filter(area_scope(user, "area", perm)
                                    | area_scope(user, "household__grid", perm))
            .select_related("checkpoint", "household", "household__compound"))


def shifts_for(user, perm: str = "access.duty") -> QuerySet[Shift]:
    return (Shift.objects.filter(area_scope(user, "checkpoint__compound__area", perm))
            .select_related("checkpoint", "user"))


def household_at_gate(household_id: int) -> dict | None:
    """What the guard checks the holder against: the address in its parts and how many live
    there. One round trip. Not scoped: it is only asked about the household of a crossing the
    user has just been judged allowed to make (gate_scan checks the checkpoint's scope)."""
    row = (Household.objects.filter(pk=household_id)
           .annotate(members=Count("residents"))
           .values_list("pk", "compound__name", "building_name", "unit", "room", "members")
           .first())
    if row is None:
        return None
    pk, compound, building, unit, room, members = row
    h = Household(pk=pk, compound=Compound(name=compound), building_name=building, unit=unit,
                  room=room)
    return {"id": pk, "address": h.address, "compound": compound, "building": building,
            "unit": unit, "room": room, "members": members}
