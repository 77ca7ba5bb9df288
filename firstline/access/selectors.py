"""Read side of closed management. Everything a user can trigger goes through `area_scope`."""


from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from firstline import clock
from firstline.accounts.scope import area_scope
from firstline.areas.models import subtree_q
from firstline.people.models import Compound, Household

from .models import (
    Checkpoint,
    Crossing,
    Decision,
    Direction,
    OfflineVerdict,
    Pass,
    Policy,
    QuotaUse,
    Shift,
    Subject,
)

# Denials that are not a person refused at the gate: a mistyped temperature (the guard
# measures again) and a misconfigured device (unknown checkpoint). Not in crossings_denied.
# A scan sent without a temperature (rule gate.temperature_required) is not a refusal either.
NOT_COUNTED_REASONS = ("bad_temperature", "checkpoint_unknown", "temperature_required")


def crossing_totals(qs) -> dict[str, int]:
    """{"out", "in", "denied", "turned_back"} of a queryset of crossings (the daily report's
    rules): "denied" are refused pass scans (crossings_denied), "turned_back" visitors,
    couriers and vehicles not admitted (visitors_turned_back, 劝返)."""
    allow = Q(decision=Decision.ALLOW)
    deny = Q(decision=Decision.DENY)
    resident = Q(subject=Subject.RESIDENT)
    row = qs.aggregate(
        out=Count("pk", filter=allow & Q(direction=Direction.OUT)),
        in_=Count("pk", filter=allow & Q(direction=Direction.IN)),
        denied=Count("pk", filter=deny & resident & ~Q(reason__in=NOT_COUNTED_REASONS)),
        turned_back=Count("pk", filter=deny & ~resident),
    )
    return {"out": row["out"], "in": row["in_"], "denied": row["denied"],
            "turned_back": row["turned_back"]}


def compounds_for(user, perm: str = "access.manage") -> QuerySet[Compound]:
    return Compound.objects.filter(area_scope(user, "area", perm)).select_related("area")


def compound_get_for_user(user, compound_id, perm: str = "access.manage") -> Compound:
    return get_object_or_404(compounds_for(user, perm), pk=compound_id)


def household_get_for_user(user, household_id, perm: str = "access.manage") -> Household:
    qs = Household.objects.filter(area_scope(user, "compound__area", perm))
    return get_object_or_404(qs.select_related("compound"), pk=household_id)


def policy_current(compound, at=None) -> Policy | None:
    """The policy version in force at `at` (now when omitted), or None (rule defaults)."""

    at = at or clock.now()
    return Policy.objects.filter(compound=compound).in_force_at(at).first()


def policy_upcoming(compound, at=None) -> list[Policy]:
    """The changes to come after `at` (now when omitted), in the order they come into force:
    the versions saved for a later day that no version saved after them overrides by their
    date (the last saved wins: such a one never applies)."""
    at = at or clock.now()
    current = policy_current(compound, at)
    return _upcoming(Policy.objects.filter(compound=compound, effective_at__gt=at),
                     current.version if current else 0)


def policy_upcoming_by_compound(compound_ids, at=None) -> dict[int, list[Policy]]:
    """policy_upcoming for many compounds in one query (a compound has a few versions):
    {compound_id: changes to come}, only for compounds with one."""
    at = at or clock.now()
    versions: dict[int, list[Policy]] = {}
    for p in Policy.objects.filter(compound_id__in=list(compound_ids)):
        versions.setdefault(p.compound_id, []).append(p)
    out = {}
    for compound_id, vs in versions.items():
        in_force = max((p.version for p in vs if p.effective_at <= at), default=0)
        upcoming = _upcoming([p for p in vs if p.effective_at > at], in_force)
        if upcoming:
            out[compound_id] = upcoming
    return out


def _upcoming(later, newest: int) -> list[Policy]:
    """Of the versions taking effect later, those that will apply, in order: each saved after
    the one in force before it (version `newest` now); of two for one moment, the last saved."""
    upcoming: list[Policy] = []
    for p in sorted(later, key=lambda p: (p.effective_at, p.version)):
        if p.version <= newest:
            continue
        if upcoming and upcoming[-1].effective_at == p.effective_at:
            upcoming[-1] = p  # two for the same moment: the last saved
        else:
            upcoming.append(p)
        newest = p.version
    return upcoming


def policy_history(compound) -> QuerySet[Policy]:
    return Policy.objects.filter(compound=compound).order_by("-version")


def policy_overridden(versions) -> dict[int, int]:
    """{version: the later-saved version already in force at its date} for the versions that
    never apply, of a compound's versions (all of them: the history's page may be cut)."""
    versions = sorted(versions, key=lambda p: p.version)
    out = {}
    for p in versions:
        in_force = max((q.version for q in versions if q.effective_at <= p.effective_at),
                       default=0)
        if in_force > p.version:
            out[p.version] = in_force
    return out


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
    return household_view(*row)


def household_view(pk, compound, building, unit, room, members) -> dict:
    """The verdict's household from its columns (also read by the gate's own statement)."""
    return {"id": pk, "address": Household.address_of(compound, building, unit, room),
            "compound": compound, "building": building,
            "unit": unit, "room": room, "members": members}


# --- the offline gate -----------------------------------------------------------------------

def gate_snapshot_data(checkpoint: Checkpoint, *, now, salt: str) -> dict:
    """What a gate needs to decide alone for a while (docs/access.md "An offline gate"): its
    compound's passes (codes hashed with `salt`, revoked ones marked), each household's
    address, members, trips left in the current window and restriction now, the quota rule and
    the temperature rules. Household restrictions are the isolation app's own judgement
    (household_restriction), asked only of households a lockdown, isolation or gate fever
    could concern."""
    from firstline import clock
    from firstline.isolation.models import Alert, Isolation, Kind, Lockdown
    from firstline.isolation.selectors import household_restriction

    from . import services

    day = clock.localdate(now)
    compound = checkpoint.compound
    q = services.quota_rule(compound.pk, now, day)
    window = q.window_start(day)
    from firstline.rules import DEFAULTS

    # gate.temperature_required (issue 11) where that rule exists: an offline gate refuses a
    # scan without a temperature as the server would.
    optional = tuple(k for k in ("gate.temperature_required",) if k in DEFAULTS)
    rules = services.rules_on(services.SCAN_RULES + ("gate.offline_max_age_hours",) + optional,
                              day)
    used = {}
    if window is not None:
        used = dict(QuotaUse.objects.filter(household__compound=compound, window_start=window)
                    .values_list("household_id", "used"))
    households = {}
    rows = (Household.objects.filter(compound=compound).annotate(members=Count("residents"))
            .values_list("pk", "building_id", "building_name", "unit", "room", "members"))
    building_of = {}
    for pk, building_id, building, unit, room, members in rows:
        h = Household(pk=pk, compound=compound, building_name=building, unit=unit, room=room)
        building_of[pk] = building_id
        households[str(pk)] = {
            "address": h.address, "building": building, "unit": unit, "room": room,
            "members": members,
            "left": None if window is None else max(q.quota - used.get(pk, 0), 0),
            "restriction": None,
        }
    if Lockdown.objects.restricting(Household(compound_id=compound.pk, building_id=None),
                                    now).exists():
        for h in households.values():
            h["restriction"] = "lockdown"  # the whole compound: household_restriction's first answer
    else:
        # Candidates through the same vocabulary household_restriction asks (each model's
        # `restricting`), for the whole compound at once; it then decides each.
        candidates = set(Isolation.objects.in_force_at(now)
                         .filter(household__compound=compound, kind=Kind.HOME)
                         .values_list("household_id", flat=True))
        for pair in (Alert.objects.fever().open_at(now)
                     .filter(Q(household__compound=compound)
                             | Q(resident__household__compound=compound))
                     .values_list("household_id", "resident__household_id")):
            candidates.update(pair)
        locked = set(Lockdown.objects.in_force_at(now)
                     .filter(compound=compound, building__isnull=False)
                     .values_list("building_id", flat=True))
        candidates |= {pk for pk, b in building_of.items() if b in locked}
        for pk in candidates:
            if pk is None or str(pk) not in households:
                continue
            stub = Household(pk=pk, compound_id=compound.pk, building_id=building_of[pk])
            households[str(pk)]["restriction"] = household_restriction(stub, now)
    passes = {}
    for code, household_id, revoked_at in (Pass.objects.filter(household__compound=compound)
                                           .values_list("code", "household_id", "revoked_at")):
        digest = services.pass_code_digest(salt, code)
        revoked = revoked_at is not None and revoked_at <= now
        if digest not in passes or not revoked:  # a household's valid pass wins a clash
            passes[digest] = [household_id, 1 if revoked else 0]
    return {
        "checkpoint": checkpoint.code, "checkpoint_name": checkpoint.name,
        "compound": compound.name, "generated_at": now.isoformat(timespec="milliseconds"), "day": day.isoformat(),
        "max_age_hours": rules["gate.offline_max_age_hours"][0], "salt": salt,
        "rules": {"fever_c": rules["fever.threshold_c"][0],
                  "min_c": rules["temperature.min_c"][0], "max_c": rules["temperature.max_c"][0],
                  "temperature_required": bool(rules["gate.temperature_required"][0])
                  if optional else False},
        "quota": {"closed": q.closed, "quota": q.quota, "window_days": q.window_days,
                  "starts_on": q.starts_on.isoformat(),
                  "window_start": window.isoformat() if window else None},
        # The changes saved for a later day, each in force from its moment (local midnight
        # of its start date): a gate offline across that midnight judges by the new rule,
        # with a fresh window (no trip of it can be in `households.left`).
        "quota_next": [{"from": p.effective_at.isoformat(timespec="milliseconds"),
                        "closed": p.closed, "quota": p.out_quota,
                        "window_days": p.window_days, "starts_on": p.starts_on.isoformat()}
                       for p in policy_upcoming(compound, now)],
        "passes": passes, "households": households,
    }


def offline_verdicts_for(user, perm: str = "access.duty") -> QuerySet[OfflineVerdict]:
    return (OfflineVerdict.objects.filter(area_scope(user, "crossing__area", perm))
            .select_related("crossing", "crossing__checkpoint", "crossing__household",
                            "crossing__household__compound", "reviewed_by"))


def offline_disagreements(user, *, area=None, reviewed: bool | None = False):
    """Offline decisions the server judged otherwise, newest first (for duty staff)."""
    qs = offline_verdicts_for(user).filter(agrees=False)
    if area is not None:
        qs = qs.filter(subtree_q(area, "crossing__area"))
    if reviewed is not None:
        qs = qs.filter(reviewed_at__isnull=not reviewed)
    return qs.order_by("-crossing__scanned_at", "-pk")
