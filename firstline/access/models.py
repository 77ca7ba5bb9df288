"""Closed management (封闭式管理): policies, checkpoints, passes, crossings, visitors, duty."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firstline import clock


class PolicyQuerySet(models.QuerySet):
    def in_force_at(self, at):
        """The versions that may be in force at instant `at`, the one in force first:
        `.in_force_at(at).first()` (None: the rule defaults). Among the versions in force
        by then (`effective_at <= at`) the last saved wins (the highest version, not the
        latest `effective_at`): a correction saved today overrides a change saved earlier
        for a later date, from that date on too."""
        return self.filter(effective_at__lte=at).order_by("-version")


class Policy(models.Model):
    """One version of a compound's rule of closed management.

    A PUT writes a new version, in force from `effective_at`: the next scan, or local
    midnight of `starts_on` when that is later (a rule saved for tomorrow leaves today's
    alone). The version in force at a scan is the last saved of those in force by then
    (`Policy.objects.in_force_at`); history stays.
    """

    compound = models.ForeignKey("people.Compound", on_delete=models.CASCADE,
                                 related_name="access_policies", verbose_name=_("compound"))
    version = models.PositiveIntegerField(_("version"))
    closed = models.BooleanField(_("closed"), default=True)
    out_quota = models.PositiveSmallIntegerField(_("trips out per household per window"))
    window_days = models.PositiveSmallIntegerField(_("window (days)"))
    starts_on = models.DateField(_("windows counted from"))
    effective_at = models.DateTimeField(_("in force from"), default=clock.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("closed-management policy")
        verbose_name_plural = _("closed-management policies")
        constraints = [
            models.UniqueConstraint(fields=["compound", "version"], name="policy_version_unique"),
            models.CheckConstraint(condition=Q(window_days__gte=1), name="policy_window_positive"),
        ]
        indexes = [models.Index(fields=["compound", "effective_at"])]

    def __str__(self):
        return f"{self.compound} v{self.version}"


class Checkpoint(models.Model):
    """卡口: a gate of a compound. Closing one is how "four gates reduced to one" is recorded."""

    compound = models.ForeignKey("people.Compound", on_delete=models.CASCADE,
                                 related_name="checkpoints", verbose_name=_("compound"))
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_open = models.BooleanField(_("open"), default=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ["compound_id", "code"]
        # Gates are told apart by name on the gate page ("compound · name"): one name a gate.
        constraints = [models.UniqueConstraint(fields=["compound", "name"],
                                               name="checkpoint_name_unique")]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Pass(models.Model):
    """出入证 of one household. At most one valid (not revoked) pass per household."""

    household = models.ForeignKey("people.Household", on_delete=models.CASCADE,
                                  related_name="passes", verbose_name=pgettext_lazy("access", "household"))
    code = models.CharField(_("code"), max_length=40, unique=True)
    issued_at = models.DateTimeField(_("issued at"), default=clock.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_reason = models.CharField(_("revoke reason"), max_length=100, blank=True, default="")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="+")

    class Meta:
        verbose_name = _("pass")
        verbose_name_plural = _("passes")
        constraints = [
            models.UniqueConstraint(fields=["household"], condition=Q(revoked_at__isnull=True),
                                    name="one_valid_pass_per_household"),
        ]

    def __str__(self):
        return f"{self.code[:6]}…"


class QuotaUse(models.Model):
    """Trips out a household took in one quota window. The gate takes a trip with one
    conditional upsert (`used < quota`), which is exact under any concurrency."""

    # No index of its own: the unique (household, window_start) below leads with the household
    # and serves every lookup by it; a second index cost each new window's row one more write.
    household = models.ForeignKey("people.Household", on_delete=models.CASCADE, related_name="+",
                                  db_index=False)
    window_start = models.DateField()
    used = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["household", "window_start"], name="quota_use_unique"),
        ]

    def __str__(self):
        return f"{self.household_id} {self.window_start}: {self.used}"


class Subject(models.TextChoices):
    RESIDENT = "resident", _("resident (pass)")
    VISITOR = "visitor", _("visitor")
    VEHICLE = "vehicle", _("vehicle")
    COURIER = "courier", _("courier / parcel")


class Direction(models.TextChoices):
    OUT = "out", _("out")
    IN = "in", _("in")


class Decision(models.TextChoices):
    ALLOW = "allow", _("allow")
    DENY = "deny", _("deny")


class Crossing(models.Model):
    """One judged event at a gate: a pass scan (allowed or denied), a visitor let in or turned
    back (劝返), a vehicle, a courier sent to the parcel point. Every gate scan is stored, also
    denials, so `event_id` returns the first answer and the daily report counts refusals."""

    event_id = models.UUIDField(unique=True)
    subject = models.CharField(max_length=10, choices=Subject.choices, default=Subject.RESIDENT)
    # No index for any foreign key: every gate scan writes every index of this table (10M
    # rows in a street), and no query looks crossings up by checkpoint, compound, household,
    # pass, policy or actor — they are read by day (the indexes below). The price: deleting
    # one of those rows (which PROTECT refuses anyway) scans the table to find its crossings.
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="crossings", db_index=False)
    compound = models.ForeignKey("people.Compound", on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="+", db_index=False)
    # For scope and the daily report: the compound's community (Compound.area).
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", db_index=False)
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="crossings", db_index=False)
    pass_obj = models.ForeignKey(Pass, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="crossings", db_column="pass_id", db_index=False)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    temperature = models.FloatField(null=True, blank=True)
    decision = models.CharField(max_length=5, choices=Decision.choices)
    reason = models.CharField(max_length=24)
    scanned_at = models.DateTimeField(help_text=_("as judged: the device's time, or the server's "
                                                  "when the device ran ahead"))
    day = models.DateField(help_text=_("local date of scanned_at"))
    recorded_at = models.DateTimeField(default=clock.now)  # the server's receipt time
    # What the device's clock said, when it said something else than scanned_at (a clock
    # running ahead is evidence kept, not the judge: CONTRACT.md "Time").
    device_at = models.DateTimeField(null=True, blank=True)
    window_start = models.DateField(null=True, blank=True)
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", db_index=False)
    rule_version = models.CharField(max_length=200, blank=True, default="")
    quota_left = models.PositiveSmallIntegerField(null=True, blank=True,
                                                  help_text=_("trips out left after this one"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+", db_index=False)
    via = models.CharField(max_length=8, default="api")

    class Meta:
        verbose_name = _("crossing")
        verbose_name_plural = _("crossings")
        indexes = [
            # Every reader asks for days: the daily report and the dashboard (crossings of
            # days in a subtree), the crossings ledger (a date range), the gate's "today"
            # panel (today, at the user's gates or of their households), the visitors page.
            # The day leads, so a day's rows are one range whatever the scope's shape (with
            # the area first the planner read all 10M rows for "today" in a street); the
            # report counts from the index alone (covering on PostgreSQL; `include` is
            # ignored elsewhere). A scan inserts at the end of today's range: hot pages.
            models.Index(fields=["day", "area"],
                         include=["decision", "direction", "reason", "subject"],
                         name="access_crossing_day_area"),
            # Visitors, vehicles and couriers, newest first per community (the visitors page,
            # GET /gate/visits): a partial index, which pass scans — nearly all rows — never
            # write.
            models.Index(fields=["area", "scanned_at"], condition=~Q(subject=Subject.RESIDENT),
                         name="access_crossing_visits"),
        ]

    def __str__(self):
        return f"{self.event_id} {self.decision} {self.reason}"


class OfflineVerdict(models.Model):
    """What a gate decided on its own while offline (from its signed snapshot), kept beside the
    server's judgement of record. A verdict that disagrees (e.g. one household let out at two
    gates while both were offline) is listed for duty staff, never dropped."""

    crossing = models.OneToOneField(Crossing, on_delete=models.CASCADE, related_name="offline")
    decision = models.CharField(_("decided offline"), max_length=5, choices=Decision.choices)
    reason = models.CharField(_("reason given offline"), max_length=24)
    # When the snapshot the gate decided from was made; null: no valid signature came with it.
    snapshot_at = models.DateTimeField(_("snapshot of"), null=True, blank=True)
    agrees = models.BooleanField(_("agrees with the server"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+", verbose_name=_("reviewed by"))

    class Meta:
        verbose_name = _("offline decision")
        verbose_name_plural = _("offline decisions")
        indexes = [models.Index(fields=["agrees", "reviewed_at"], name="access_offline_open")]

    def __str__(self):
        return f"{self.crossing_id} offline {self.decision}"


class GateVisit(models.Model):
    """The particulars of a visitor, vehicle or courier crossing (its Crossing row counts it).

    Personal data (name, phone) is collected only for tracing and masked in lists."""

    crossing = models.OneToOneField(Crossing, on_delete=models.CASCADE, related_name="visit")
    name = models.CharField(_("name"), max_length=50, blank=True, default="")
    phone = models.CharField(_("phone"), max_length=11, blank=True, default="")
    visiting = models.CharField(_("visiting (whom)"), max_length=100, blank=True, default="")
    household = models.ForeignKey("people.Household", on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="+", verbose_name=pgettext_lazy("access", "household"))
    purpose = models.CharField(_("reason"), max_length=200, blank=True, default="")
    plate = models.CharField(_("plate"), max_length=12, blank=True, default="")
    origin = models.CharField(_("coming from"), max_length=100, blank=True, default="")
    out_of_town = models.BooleanField(_("out-of-town plate"), default=False)
    verified = models.CharField(_("verified with"), max_length=100, blank=True, default="")
    turned_back_reason = models.CharField(_("reason turned back"), max_length=200, blank=True,
                                          default="")

    class Meta:
        verbose_name = _("visitor entry")
        verbose_name_plural = _("visitor entries")

    def __str__(self):
        return self.plate or self.name or str(self.crossing_id)


class Shift(models.Model):
    """值班: one duty shift at a checkpoint (e.g. 24 h in 3 shifts), with check-in/out."""

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.CASCADE, related_name="shifts",
                                   verbose_name=_("checkpoint"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                             blank=True, related_name="shifts", verbose_name=_("on duty"))
    name = models.CharField(_("on duty (name)"), max_length=50, blank=True, default="")
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    # Whom the person who checked in (`user`) stood in for: the name the shift was planned for
    # (顶班). Empty when they stood their own shift.
    covering_for = models.CharField(_("covering for"), max_length=50, blank=True, default="")

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["checkpoint_id", "starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                   name="shift_ends_after_start"),
        ]
        indexes = [models.Index(fields=["checkpoint", "starts_at"])]

    def __str__(self):
        return f"{self.checkpoint} {self.starts_at:%m-%d %H:%M}"
