"""Households: one grid per household, and newcomers found at the door."""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from firstline import clock
from firstline.accounts.actions import AuditAction
from firstline.accounts.scope import in_scope
from firstline.accounts.services import audit, require_perm
from firstline.areas.models import Area
from firstline.db import is_unique_violation
from firstline.errors import InvalidInput, RuleViolation, check_all

from ..models import Household, Placement, Resident
from ..phones import phone_normalize
from .addresses import FULL_WIDTH

# --- one grid per household (households split before the rule) ---------------------------


@dataclass
class GridMerge:
    households: int = 0  # households whose members were in more than one grid
    residents: int = 0  # residents moved into their household's grid
    dry_run: bool = False

    @property
    def summary(self) -> str:
        return (f"households {self.households}, residents moved {self.residents}"
                + (" (dry run: nothing written)" if self.dry_run else ""))


def households_merge_grids(*, actor=None, dry_run: bool = False, via: str = "cli",
                           now: datetime | None = None) -> GridMerge:
    """A household belongs to one grid (CONTRACT.md); rosters imported before that rule may
    have put members of one address in two grids (the same room listed under each), and the
    daily report then counts the household once per grid. Each such household keeps its own
    `grid`; the members placed elsewhere move into it from `now` (their placement closed and
    a new one opened, so past days' reports keep their numbers). One transaction and one
    audit row (`household.merge_grids`, no personal data) per household; running it again
    finds nothing to do."""
    from django.db.models import F

    now = now or clock.now()
    stray = (set(Resident.objects.exclude(grid_id=F("household__grid_id"))
                 .values_list("household_id", flat=True))
             | set(Placement.objects.filter(until__isnull=True)
                   .exclude(grid_id=F("household__grid_id"))
                   .values_list("household_id", flat=True)))
    result = GridMerge(dry_run=dry_run)
    codes = dict(Area.objects.values_list("pk", "code"))
    for household_id in sorted(stray):
        with transaction.atomic():
            household = Household.objects.select_for_update().get(pk=household_id)
            grid = household.grid_id
            members = Resident.objects.filter(household=household)
            placed = Placement.objects.filter(household=household, until__isnull=True)
            moving = set(members.exclude(grid_id=grid).values_list("pk", flat=True)) | set(
                placed.exclude(grid_id=grid).values_list("resident_id", flat=True))
            if not moving:
                continue
            grids_from = sorted({codes.get(g, str(g)) for g in
                                 members.filter(pk__in=moving).values_list("grid_id", flat=True)}
                                | {codes.get(g, str(g)) for g in
                                   placed.filter(resident_id__in=moving).exclude(grid_id=grid)
                                   .values_list("grid_id", flat=True)})
            result.households += 1
            result.residents += len(moving)
            if dry_run:
                continue
            Resident.objects.filter(pk__in=moving).update(grid_id=grid, updated_at=now)
            Placement.objects.filter(resident_id__in=moving, until__isnull=True).update(
                until=now)
            Placement.objects.bulk_create([
                Placement(resident_id=pk, household=household, grid_id=grid, since=now)
                for pk in sorted(moving)])
            audit(actor=actor, action=AuditAction.HOUSEHOLD_MERGE_GRIDS, obj=household, via=via,
                  detail=f"{len(moving)} residents from grid {','.join(grids_from)} "
                         f"to grid {codes.get(grid, grid)}")
    return result


# --- newcomers found at the door (and confirmed return declarations) -------------------------


def id_number_normalize(value) -> str:
    """An ID number as stored: blanks removed, full-width digits and a lower-case x turned
    into their plain forms (`１１０１０５ １９９０…ｘ` → `110105…X`)."""
    return "".join(str(value or "").translate(FULL_WIDTH).split()).upper()


def id_number_check(value, *, field: str = "id_number") -> str:
    """The normalised ID number, or InvalidInput naming `field` (the roster import's check:
    18 characters, a birth date, the GB 11643 check digit)."""
    from ..importer import id_number_problem

    id_number = id_number_normalize(value)
    if not id_number:
        raise InvalidInput("id_number_required", _("The ID number is empty."), field=field)
    problem = id_number_problem(id_number)
    if problem:
        raise InvalidInput("bad_id_number", problem, field=field)
    return id_number


@dataclass(frozen=True)
class MemberAdded:
    resident: object
    created: bool  # a newcomer to the roster
    moved_from: str  # the address they were on the roster at, when this is a move ("" if not)


def _member_fields(*, name, id_number, phone, residency):
    """The newcomer's fields, each checked (all of them: the form shows every error at once)."""
    from ..models import residency_read

    def name_check():
        text = " ".join(str(name or "").split())
        if not text:
            raise InvalidInput("name_required", pgettext("person", "The name is empty."),
                               field="name")
        if len(text) > 50:
            raise InvalidInput("bad_name", _("Too long: at most %(n)d characters.") % {"n": 50},
                               field="name")
        return text

    def residency_check():
        code = residency_read(residency)
        if code is None:
            raise InvalidInput("bad_residency", _("Unknown residency type: use permanent, "
                                                  "temporary or floating."),
                               field="residency")
        return code

    values = check_all(name=name_check, id_number=lambda: id_number_check(id_number),
                       phone=lambda: phone_normalize(phone), residency=residency_check)
    return values["name"], values["id_number"], values["phone"], values["residency"]


@transaction.atomic
def household_member_add(*, actor, household, name: str, id_number: str, phone: str = "",
                         residency: str = "", now: datetime | None = None) -> MemberAdded:
    """A person found at the door who is not on this household's roster (新增人员).

    The ID is validated as the roster import does. An ID already on the roster elsewhere is a
    move (the old placement closes, a new one opens), never a second person, and keeps the
    person's residency unless one is given (empty: a newcomer is 常住 permanent); the same ID
    already in this household is a 409 `already_member`. Outside the actor's areas the move
    needs the name on record too (else 409 `id_number_elsewhere`), and says only that it came
    from another area's roster."""
    from firstline import clock

    from ..importer import birth_date_of, sex_of
    from ..models import Placement, Resident

    require_perm(actor, "people.screen")
    if not in_scope(actor, household.grid, "people.screen"):
        raise RuleViolation("not_found", _("Not found."), status=404)
    now = now or clock.now()
    residency_given = bool(str(residency or "").strip())
    name, id_number, phone, residency = _member_fields(name=name, id_number=id_number,
                                                       phone=phone, residency=residency)
    existing = Resident.objects.select_for_update().filter(id_number=id_number).first()
    if existing is None:
        try:
            with transaction.atomic():
                resident = Resident.objects.create(
                    name=name, id_number=id_number, sex=sex_of(id_number),
                    birth_date=birth_date_of(id_number), phone=phone, residency=residency,
                    grid=household.grid, household=household, created_at=now, updated_at=now)
        except IntegrityError as exc:  # added at the same instant by another door: the same person
            if not is_unique_violation(exc):
                raise
            existing = Resident.objects.select_for_update().get(id_number=id_number)
        else:
            Placement.objects.create(resident=resident, household=household,
                                     grid=household.grid, since=now)
            audit(actor=actor, action=AuditAction.RESIDENT_ADD, obj=resident)
            return MemberAdded(resident=resident, created=True, moved_from="")
    if existing.household_id == household.pk:
        raise RuleViolation("already_member",
                            _("%(name)s is already on this household's roster.")
                            % {"name": existing.name})
    moved_from, old_household = existing.household.address, existing.household_id
    if not in_scope(actor, existing.grid, "people.screen"):
        # On the roster outside the actor's areas: the person at the door, ID card in hand,
        # moves here, but the actor learns nothing of that record — not its name, not the
        # address it leaves. A name that differs from it is refused (a mistyped ID would
        # otherwise take a stranger off another community's roster).
        if name != " ".join(existing.name.split()):
            raise RuleViolation(
                "id_number_elsewhere",
                _("This ID number is on the roster of another area under a different name. "
                  "Check the ID card and the name typed; if both are right, ask the street "
                  "office to correct the record."), status=409)
        moved_from = _("another area's roster")
    Placement.objects.current().filter(resident=existing).update(until=now)
    Placement.objects.create(resident=existing, household=household, grid=household.grid,
                             since=now)
    existing.household, existing.grid = household, household.grid
    if residency_given:
        # An empty residency is "not asked", not 常住: a move never resets 暂住 or 流动.
        existing.residency = residency
    if phone:
        existing.phone = phone
    existing.updated_at = now
    existing.save(update_fields=["household", "grid", "residency", "phone", "updated_at"])
    audit(actor=actor, action=AuditAction.RESIDENT_MOVE, obj=existing,
          detail=f"household {old_household} -> {household.pk}")
    return MemberAdded(resident=existing, created=False, moved_from=moved_from)
