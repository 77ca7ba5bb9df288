from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from firstline import clock
from firstline.people.models import Resident
from firstline.people.vocab import (
    Symptom,  # noqa: F401 - one vocabulary, re-exported
    symptom_labels,
)
from firstline.texts import render


class Kind(models.TextChoices):
    HOME = "home", _("home isolation (居家隔离)")
    CENTRALIZED = "centralized", _("centralized quarantine (集中隔离)")


class Reason(models.TextChoices):
    RISK_AREA = "risk_area", _("returned from a risk area")
    CLOSE_CONTACT = "close_contact", _("close contact")
    SECONDARY_CONTACT = "secondary_contact", _("contact of a close contact")
    FEVER = "fever", _("fever")
    LOCKDOWN = "lockdown", _("building or compound lockdown")
    OTHER = "other", _("other")


class Status(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("isolation", "active")
    ENDED = "ended", _("ended")          # reached ends_on
    RELEASED = "released", _("released early")
    CANCELLED = "cancelled", _("cancelled")


# --- the query vocabulary: "in force", "restricting", "open" are defined here, once ----------
# Every reader (selectors, services, the report, the gate's snapshot) filters through these;
# the gate's one-statement SQL is tested against them (tests/access/test_gate_vocabulary.py).

def _local_day(at):
    return clock.localdate(at)


class IsolationQuerySet(models.QuerySet):
    def live(self):
        """Not cancelled: a cancelled isolation never held, on any day."""
        return self.exclude(status=Status.CANCELLED)

    def in_force(self, day):
        """In force on local `day`: starts_on <= day < the day it stopped (ended_on: released
        early, lockdown lifted, ends_on reached) or was planned to stop (ends_on). Dated: a past
        day gives the same answer later. The stored `status` goes stale as dates pass; this
        does not read it (except that cancelled ones never count)."""
        return self.live().filter(
            Q(ended_on__isnull=True, ends_on__gt=day) | Q(ended_on__gt=day), starts_on__lte=day)

    def touching(self, first, last):
        """In force on a local day of [first, last], or stopping on one of them (the report's
        days: isolations_ended counts the end day)."""
        return self.live().filter(
            Q(ended_on__isnull=True, ends_on__gte=first) | Q(ended_on__gte=first),
            starts_on__lte=last)

    def in_force_at(self, at):
        """In force at instant `at` (the gate judges a scan as of its moment): its local day
        lies in [starts_on, ends_on) and it had not been ended (released, lifted) by `at`."""
        day = _local_day(at)
        return self.live().filter(Q(ended_at__isnull=True) | Q(ended_at__gt=at),
                                  starts_on__lte=day, ends_on__gt=day)

    def holding(self, day):
        """Active and not at its end on local `day`, started or not yet: what keeps a resident
        from getting another isolation (one active a person), e.g. when a lockdown comes.
        One whose end has come is closed by the services before a new one starts."""
        return self.filter(status=Status.ACTIVE, ends_on__gt=day)

    def current(self, day):
        """Active and not past its end on `day` (today's worklists: stored status ACTIVE, so an
        isolation ended today no longer shows)."""
        return self.filter(status=Status.ACTIVE, starts_on__lte=day, ends_on__gt=day)

    def restricting(self, household, at):
        """Home isolations of a member keeping `household` in at `at` (centralized quarantine
        does not restrict the household)."""
        return self.in_force_at(at).filter(household=household, kind=Kind.HOME)


class LockdownQuerySet(models.QuerySet):
    def in_force_at(self, at):
        """Lockdowns holding at instant `at`: its local day in [starts_on, ends_on), not lifted
        by then."""
        day = _local_day(at)
        return self.filter(Q(lifted_at__isnull=True) | Q(lifted_at__gt=at),
                           starts_on__lte=day, ends_on__gt=day)

    def in_force(self, day):
        """Holding on local `day` and not lifted (today's boards)."""
        return self.filter(starts_on__lte=day, ends_on__gt=day, lifted_at__isnull=True)

    def covering(self, household):
        """Lockdowns of `household`'s building, or of its whole compound."""
        where = Q(compound_id=household.compound_id, building__isnull=True)
        if household.building_id:
            where |= Q(building_id=household.building_id)
        return self.filter(where)

    def restricting(self, household, at):
        return self.covering(household).in_force_at(at)


class AlertQuerySet(models.QuerySet):
    def open(self):
        """Not resolved yet (open or acknowledged): what the one-per-subject constraint holds."""
        return self.exclude(status=AlertStatus.RESOLVED)

    def open_at(self, at):
        """Opened by `at` and not resolved by then (judging a scan as of its moment)."""
        return self.filter(Q(resolved_at__isnull=True) | Q(resolved_at__gt=at), opened_at__lte=at)

    def fever(self):
        return self.filter(kind__in=FEVER_KINDS)

    def of_household(self, household):
        """The household's own alerts and its members'. The members are asked first: an OR
        across the join to residents would read the whole alert table, which grows all outbreak
        long; an OR of two indexed columns is two index lookups."""
        members = list(Resident.objects.filter(household=household)
                       .values_list("pk", flat=True))
        return self.filter(Q(household=household) | Q(resident_id__in=members))

    def restricting(self, household, at):
        """Fever alerts of `household` or a member open at `at` (rule "gate.fever_hold")."""
        return self.fever().of_household(household).open_at(at)


# Why a household may not go out, in the order they are checked (the gate's reasons);
# isolation.selectors.household_restriction asks each, and the gate is tested against all.
RESTRICTIONS = ("lockdown", "isolation", "fever_hold")


class Isolation(models.Model):
    """居家隔离 / 集中隔离 of one resident.

    Active on local dates starts_on <= d < ends_on, unless ended earlier (`ended_at`).
    `report_digest` is the SHA-256 of the self-report token; the token itself is never stored.
    It is made from `report_key` under the server's secret (services.common.link_token), so a
    worker can show the resident's link again without the database alone opening it.
    """

    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT,
                                 related_name="isolations", verbose_name=_("resident"))
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT,
                                  related_name="isolations", verbose_name=pgettext_lazy("isolation", "household"))
    grid = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("grid"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    reason = models.CharField(pgettext_lazy("isolation", "reason"), max_length=32, choices=Reason.choices)
    reason_note = models.CharField(_("reason note"), max_length=200, blank=True, default="")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), help_text=_("first day no longer isolated"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.ACTIVE)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.CharField(_("end reason"), max_length=200, blank=True, default="")
    # The local day the isolation actually stopped (early release / lockdown lifted / reached
    # ends_on); kept so a past day's report counts the same later.
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    # Local "HH:MM" times a reading is due each day; empty = rule "isolation.reading_times".
    reading_times = models.JSONField(_("reading times"), default=list, blank=True)
    # The quarantine site the person is at now (given a room there, or arrived there); cleared
    # when a transfer home or to hospital arrives.
    site = models.ForeignKey("QuarantineSite", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="isolations", verbose_name=_("quarantine site"))
    lockdown = models.ForeignKey("Lockdown", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="isolations", verbose_name=_("lockdown"))
    report_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # Blank for links made before they could be shown again: only a new link helps there.
    report_key = models.CharField(max_length=64, blank=True, default="")
    rule_version = models.CharField(max_length=32, blank=True, default="",
                                    help_text=_("the rule version that set the duration"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    objects = IsolationQuerySet.as_manager()

    class Meta:
        verbose_name = _("isolation")
        verbose_name_plural = _("isolations")
        constraints = [
            models.UniqueConstraint(fields=["resident"], condition=Q(status="active"),
                                    name="one_active_isolation_per_resident"),
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")),
                                   name="isolation_ends_after_start"),
        ]
        indexes = [
            models.Index(fields=["household", "status"]),
            models.Index(fields=["grid", "starts_on"]),
            models.Index(fields=["status", "ends_on"]),
        ]

    def __str__(self):
        return f"{self.resident} {self.get_kind_display()} {self.starts_on}–{self.ends_on}"


class Lockdown(models.Model):
    """封控: a building or a whole compound; every household in it goes under home isolation."""

    building = models.ForeignKey("people.Building", on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="lockdowns", verbose_name=_("building"))
    compound = models.ForeignKey("people.Compound", on_delete=models.PROTECT,
                                 related_name="lockdowns", verbose_name=_("compound"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    reason = models.CharField(pgettext_lazy("isolation", "reason"), max_length=200, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    objects = LockdownQuerySet.as_manager()

    class Meta:
        verbose_name = _("lockdown")
        verbose_name_plural = _("lockdowns")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")),
                                   name="lockdown_ends_after_start"),
            # The same lockdown twice (a double tap, two workers at once): lockdown_create's
            # overlap check is a lookup, these settle the race. Not "one unlifted lockdown per
            # place": a lockdown that ran out is never lifted, and one may follow another.
            models.UniqueConstraint(fields=["building", "starts_on", "ends_on"],
                                    condition=Q(lifted_at__isnull=True, building__isnull=False),
                                    name="one_open_lockdown_per_building"),
            models.UniqueConstraint(fields=["compound", "starts_on", "ends_on"],
                                    condition=Q(lifted_at__isnull=True, building__isnull=True),
                                    name="one_open_lockdown_per_compound"),
        ]

    def __str__(self):
        return f"{self.building or self.compound} {self.starts_on}–{self.ends_on}"

    @property
    def last_day(self):
        """The last locked-down day (ends_on is the first day free)."""
        return self.ends_on - timedelta(days=1)


class AlertKind(models.TextChoices):
    FEVER = "fever", _("fever")
    MISSED_REPORT = "missed_report", _("missed report")
    GATE_FEVER = "gate_fever", _("fever at the gate")
    SYMPTOMS = "symptoms", _("symptoms")
    HELP = "help", _("asked for help")
    LOW_STOCK = "low_stock", _("low stock")  # operations: a store's item at its threshold
    DOOR_FEVER = "door_fever", _("fever at a screening visit")
    RISK_RETURN = "risk_return", _("back from a risk area")


# Kinds that mean "this person has a fever": while one is open, the household does not go
# out (rule "gate.fever_hold").
FEVER_KINDS = (AlertKind.FEVER, AlertKind.GATE_FEVER, AlertKind.DOOR_FEVER)


class AlertStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("isolation", "open")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    RESOLVED = "resolved", _("resolved")


class Alert(models.Model):
    """Something a worker must act on: a fever reading, a missed report, fever at a gate."""

    kind = models.CharField(_("kind"), max_length=20, choices=AlertKind.choices)
    status = models.CharField(_("status"), max_length=16, choices=AlertStatus.choices,
                              default=AlertStatus.OPEN)
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="alerts", verbose_name=_("resident"))
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="alerts", verbose_name=pgettext_lazy("isolation", "household"))
    isolation = models.ForeignKey(Isolation, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="alerts")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("grid"), help_text=_("for scope: the grid"))
    # Language-free text only (numbers, times, names: "38.4 °C · 03-01 09:00"); a detail with
    # words is kept as facts (firstline.texts) and said in the reader's language. Rows written
    # before detail_facts existed keep their text here, shown as it was stored.
    detail = models.CharField(_("detail"), max_length=200, blank=True, default="")
    detail_facts = models.JSONField(default=dict, blank=True,
                                    help_text=_("the detail as a message and its parameters"))
    source = models.CharField(max_length=64, blank=True, default="",
                              help_text=_("what opened it, e.g. reading:12 or crossing:345"))
    due_key = models.CharField(max_length=64, null=True, blank=True, unique=True,
                               help_text=_("idempotency key of a scheduled check"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+", verbose_name=_("owner"))
    opened_at = models.DateTimeField(_("opened at"), default=clock.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True, default="")
    # An outcome the system writes ("a reading came in"), said in the reader's language.
    outcome_facts = models.JSONField(default=dict, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        # One alert not yet resolved per subject and kind, whoever reports it at once
        # (alert_open updates the one that won). Missed-report alerts are keyed by their
        # due_key instead; help requests are each their own alert.
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "resident"], name="one_open_alert_per_resident",
                condition=Q(resident__isnull=False, due_key__isnull=True)
                & ~Q(status="resolved") & ~Q(kind="help")),
            models.UniqueConstraint(
                fields=["kind", "household"], name="one_open_alert_per_household",
                condition=Q(resident__isnull=True, household__isnull=False,
                            due_key__isnull=True) & ~Q(status="resolved") & ~Q(kind="help")),
        ]
        indexes = [models.Index(fields=["status", "opened_at"]),
                   models.Index(fields=["area", "opened_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.opened_at:%Y-%m-%d %H:%M}"

    @property
    def display_detail(self) -> str:
        """The detail in the reader's language: its facts said now (firstline.texts); else
        symptom codes become their names, a missed report's due time its sentence, and the
        other kinds' numbers, times and names ("38.4 °C · 03-01 09:00") are shown as they are."""
        if self.detail_facts:
            return render(self.detail_facts, self.detail)
        if self.kind == AlertKind.SYMPTOMS and self.detail:
            return symptom_labels(self.detail)
        if self.kind == AlertKind.MISSED_REPORT and self.detail:
            return gettext("no reading for %(due)s") % {"due": self.detail}
        return self.detail

    @property
    def display_detail_beside_time(self) -> str:
        """display_detail for a line that already shows `opened_at`: a fever reading's time
        ("37.6 °C · 12-07 10:48") is left out when it is that same minute, so the card does not
        say it twice; a different time (a reading taken earlier, offline, or a later fever that
        updated the alert) stays."""
        detail = self.display_detail
        if self.kind == AlertKind.FEVER and self.opened_at is not None:
            when = f" · {clock.localtime(self.opened_at):%m-%d %H:%M}"
            if detail.endswith(when):
                return detail[:-len(when)]
        return detail

    @property
    def display_outcome(self) -> str:
        """The outcome as typed by the worker, or the system's, in the reader's language."""
        return render(self.outcome_facts, self.outcome)


# --- issue 6: readings, schedules, quarantine sites --------------------------------------------

class ReadingSource(models.TextChoices):
    SELF = "self", _("self-report")
    WORKER = "worker", _("entered by a worker")


class Reading(models.Model):
    """One temperature / symptoms reading (体温上报) of an isolated person."""

    isolation = models.ForeignKey(Isolation, on_delete=models.PROTECT, related_name="readings")
    taken_at = models.DateTimeField(_("taken at"))
    temperature = models.DecimalField(_("temperature"), max_digits=4, decimal_places=1)
    symptoms = models.JSONField(_("symptoms"), default=list, blank=True)
    fever = models.BooleanField(default=False)
    source = models.CharField(max_length=8, choices=ReadingSource.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+")
    rule_version = models.CharField(max_length=32, blank=True, default="",
                                    help_text=_("the fever threshold rule version"))
    created_at = models.DateTimeField(default=clock.now)  # the server's receipt time
    # The device's own time when it ran ahead and taken_at is the server's (CONTRACT "Time").
    device_at = models.DateTimeField(null=True, blank=True)
    # Sent by the phone that recorded it: a retry with the same id writes nothing again
    # (firstline.db.create_once).
    event_id = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("reading")
        verbose_name_plural = _("readings")
        indexes = [models.Index(fields=["isolation", "taken_at"]),
                   models.Index(fields=["taken_at"])]

    def __str__(self):
        return f"{self.temperature} °C {self.taken_at:%Y-%m-%d %H:%M}"

    @property
    def symptom_names(self) -> str:
        """The symptoms in the reader's language (the stored codes stay in the API)."""
        return symptom_labels(self.symptoms)

    @property
    def clock(self) -> str:
        from firstline import clock

        return "corrected" if clock.was_corrected(self.device_at, self.taken_at) else "ok"


class QuarantineSite(models.Model):
    """集中隔离点: a hotel or dormitory run as a quarantine site, owned by an area (scope)."""

    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("area"))
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True, default="")
    phone = models.CharField(pgettext_lazy("isolation", "phone"), max_length=20, blank=True, default="")
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("quarantine site")
        verbose_name_plural = _("quarantine sites")
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="site_unique")]

    def __str__(self):
        return self.name


class RoomStatus(models.TextChoices):
    AVAILABLE = "available", _("available")
    OCCUPIED = "occupied", _("occupied")
    CLEANING = "cleaning", _("to be cleaned")
    CLOSED = "closed", _("out of service")


class Room(models.Model):
    """A room of a quarantine site. One person per room; a family only with a stated reason."""

    site = models.ForeignKey(QuarantineSite, on_delete=models.PROTECT, related_name="rooms")
    number = models.CharField(pgettext_lazy("isolation", "room"), max_length=20)
    floor = models.CharField(_("floor"), max_length=10, blank=True, default="")
    beds = models.PositiveSmallIntegerField(_("beds"), default=1)
    status = models.CharField(_("status"), max_length=16, choices=RoomStatus.choices,
                              default=RoomStatus.AVAILABLE)
    cleaned_at = models.DateTimeField(_("cleaned at"), null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("isolation", "room")
        verbose_name_plural = _("rooms")
        ordering = ["site", "floor", "number"]
        constraints = [
            models.UniqueConstraint(fields=["site", "number"], name="room_unique"),
            models.CheckConstraint(condition=Q(beds__gte=1), name="room_has_a_bed"),
        ]

    def __str__(self):
        return f"{self.site} {self.number}"


class RoomStay(models.Model):
    """One person's stay in a room. The first occupant is the `lead`; anyone else staying in
    the room at the same time must be of the lead's household and the stay names why
    (a child with a parent, a carer). The partial unique constraint keeps one lead per room."""

    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="stays")
    isolation = models.ForeignKey(Isolation, on_delete=models.PROTECT, related_name="stays")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="+")
    lead = models.BooleanField(default=True)
    family_reason = models.CharField(_("why together"), max_length=200, blank=True, default="")
    started_at = models.DateTimeField(pgettext_lazy("isolation", "from"), default=clock.now)
    ended_at = models.DateTimeField(pgettext_lazy("isolation", "until"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")

    class Meta:
        verbose_name = _("room stay")
        verbose_name_plural = _("room stays")
        constraints = [
            models.UniqueConstraint(fields=["room"], condition=Q(ended_at__isnull=True, lead=True),
                                    name="one_lead_per_room"),
            models.UniqueConstraint(fields=["isolation"], condition=Q(ended_at__isnull=True),
                                    name="one_room_per_isolation"),
            models.CheckConstraint(condition=Q(lead=True) | ~Q(family_reason=""),
                                   name="sharing_needs_a_reason"),
        ]
        indexes = [models.Index(fields=["room", "ended_at"])]

    def __str__(self):
        return f"{self.room} {self.resident}"


class TransferStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    EN_ROUTE = "en_route", _("on the way")
    ARRIVED = "arrived", _("arrived")
    CANCELLED = "cancelled", _("cancelled")


class TransferCancelReason(models.TextChoices):
    """Why a transfer was cancelled, when the system cancelled it (by hand: none)."""
    ISOLATION_ENDED = "isolation_ended", _("isolation ended")


class TransferQuerySet(models.QuerySet):
    def open(self):
        """Planned or on the way: not arrived, not cancelled (one such per person)."""
        return self.filter(status__in=[TransferStatus.PLANNED, TransferStatus.EN_ROUTE])


class Transfer(models.Model):
    """转运: taking a person to a quarantine site (or from it, to hospital or home)."""

    isolation = models.ForeignKey(Isolation, on_delete=models.PROTECT, related_name="transfers")
    from_place = models.CharField(pgettext_lazy("isolation", "from"), max_length=200)
    to_site = models.ForeignKey(QuarantineSite, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="transfers", verbose_name=_("to site"))
    to_place = models.CharField(_("to"), max_length=200, blank=True, default="")
    pickup_at = models.DateTimeField(_("pick-up time"))
    vehicle = models.CharField(_("vehicle"), max_length=50, blank=True, default="")
    escort = models.CharField(_("escort"), max_length=100, blank=True, default="")
    status = models.CharField(_("status"), max_length=16, choices=TransferStatus.choices,
                              default=TransferStatus.PLANNED)
    status_at = models.DateTimeField(null=True, blank=True)
    # Cancelled by the system (the isolation ended): why, as a code said on display.
    cancel_reason = models.CharField(_("why cancelled"), max_length=32, blank=True, default="",
                                     choices=TransferCancelReason.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    # The device's id of this plan, sent again with each retry (firstline.db.create_once).
    event_id = models.UUIDField(null=True, blank=True, unique=True)

    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        indexes = [models.Index(fields=["status", "pickup_at"])]
        # One open transfer (planned or on the way) per person, i.e. per their isolation (a
        # person has one active isolation): transfer_create's lookup under the person's row
        # lock answers 409 transfer_open; this settles a writer that skips the lock.
        constraints = [
            models.UniqueConstraint(fields=["isolation"],
                                    condition=Q(status__in=["planned", "en_route"]),
                                    name="one_open_transfer_per_isolation"),
        ]

    def __str__(self):
        return f"{self.from_place} → {self.to_site or self.to_place} {self.pickup_at:%m-%d %H:%M}"
