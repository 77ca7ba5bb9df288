"""Help for isolated households: 代购/代办 requests, 暖心电话 care calls, 九个一 care packages.

Scope: every row carries the grid it belongs to, so the one scope primitive
(`accounts.scope.area_scope`) filters it. Care kits have no stock of their own: a kit kind is an
operations item, held and counted in operations' stores (one stock model).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firstline import clock


class RequestKind(models.TextChoices):
    GROCERIES = "groceries", pgettext_lazy("assistance", "groceries")
    MEDICINE = "medicine", pgettext_lazy("assistance", "medicine")
    BILLS = "bills", pgettext_lazy("assistance", "gas / electricity bills")
    PARCEL = "parcel", pgettext_lazy("assistance", "parcel")
    OTHER = "other", pgettext_lazy("assistance", "other")


class RequestSource(models.TextChoices):
    SELF_REPORT = "self_report", pgettext_lazy("assistance", "self-report page")
    WORKER = "worker", pgettext_lazy("assistance", "worker")
    PHONE = "phone", pgettext_lazy("assistance", "phone call")


class RequestStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("assistance", "new")
    ASSIGNED = "assigned", pgettext_lazy("assistance", "assigned")
    BOUGHT = "bought", pgettext_lazy("assistance", "bought / done")
    DELIVERED = "delivered", pgettext_lazy("assistance", "delivered")
    CANCELLED = "cancelled", pgettext_lazy("assistance", "cancelled")


OPEN_STATUSES = (RequestStatus.NEW, RequestStatus.ASSIGNED, RequestStatus.BOUGHT)
BUYING_KINDS = (RequestKind.GROCERIES, RequestKind.MEDICINE, RequestKind.BILLS)


class ServiceRequest(models.Model):
    """代购/代办: something an isolated household needs fetched, paid or done.

    The volunteer is either a user (`volunteer`) or, for the party-member volunteers (党员志愿者)
    who have no account, a name and phone typed by staff; both may be set.
    """

    household = models.ForeignKey("people.Household", on_delete=models.PROTECT,
                                  related_name="service_requests", verbose_name=_("household"))
    isolation = models.ForeignKey("isolation.Isolation", on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="service_requests",
                                  verbose_name=_("isolation"))
    grid = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("grid"), help_text=_("for scope: the household's grid"))
    kind = models.CharField(_("kind"), max_length=16, choices=RequestKind.choices)
    detail = models.CharField(_("what is needed"), max_length=500)
    source = models.CharField(_("source"), max_length=16, choices=RequestSource.choices)
    status = models.CharField(_("status"), max_length=16, choices=RequestStatus.choices,
                              default=RequestStatus.NEW)
    volunteer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="assistance_tasks",
                                  verbose_name=_("volunteer"))
    volunteer_name = models.CharField(_("volunteer name"), max_length=50, blank=True, default="")
    volunteer_phone = models.CharField(_("volunteer phone"), max_length=11, blank=True,
                                       default="")
    amount = models.DecimalField(_("amount (yuan)"), max_digits=9, decimal_places=2, null=True,
                                 blank=True)
    receipt_no = models.CharField(_("receipt number"), max_length=64, blank=True, default="")
    receipt_note = models.CharField(_("receipt note"), max_length=200, blank=True, default="")
    paid_back = models.BooleanField(_("paid back"), default=False)
    paid_back_at = models.DateTimeField(_("paid back at"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancel reason"), max_length=200, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    bought_at = models.DateTimeField(_("bought at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # Sent by the phone or the form that asked: a retry with the same id writes nothing
    # again (firstline.db.create_once).
    event_id = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        constraints = [
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gte=0),
                                   name="service_request_amount_not_negative"),
        ]
        indexes = [
            models.Index(fields=["grid", "status"]),
            models.Index(fields=["household", "status"]),
            models.Index(fields=["volunteer", "status"]),
            models.Index(fields=["created_at"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def volunteer_label(self) -> str:
        if self.volunteer_id:
            user = self.volunteer
            return getattr(user, "display_name", "") or user.get_username()
        return self.volunteer_name

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def buys(self) -> bool:
        """Something is paid for (groceries, medicine, bills): the page asks for the amount
        and marks it bought before it can be delivered, so that it can be paid back."""
        return self.kind in BUYING_KINDS


class CallOutcome(models.TextChoices):
    OK = "ok", pgettext_lazy("assistance", "all well")
    NO_ANSWER = "no_answer", pgettext_lazy("assistance", "no answer")
    NEEDS_HELP = "needs_help", pgettext_lazy("assistance", "needs help")
    SYMPTOMS = "symptoms", pgettext_lazy("assistance", "symptoms")


class CareCall(models.Model):
    """暖心电话: one call to an isolated household in one slot (morning/afternoon) of a local day.

    One row per (household, day, slot); logging again (a no-answer called back) updates it and
    counts the attempt.
    """

    household = models.ForeignKey("people.Household", on_delete=models.PROTECT,
                                  related_name="care_calls", verbose_name=_("household"))
    grid = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("grid"))
    day = models.DateField(_("day"))
    slot = models.CharField(_("slot"), max_length=16)
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("worker"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=CallOutcome.choices)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=1)
    at = models.DateTimeField(_("called at"), default=clock.now)
    rule_version = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        verbose_name = _("care call")
        verbose_name_plural = _("care calls")
        constraints = [
            models.UniqueConstraint(fields=["household", "day", "slot"],
                                    name="one_care_call_per_household_slot"),
        ]
        indexes = [models.Index(fields=["grid", "day"])]

    def __str__(self):
        return f"{self.household_id} {self.day} {self.slot} {self.outcome}"


class PackageKind(models.Model):
    """A care-package kit, e.g. 九个一 (contact card, letter, thermometer, disinfectant, masks,
    rice, oil, vegetables...)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    contents = models.TextField(_("contents"), blank=True, default="")
    active = models.BooleanField(_("active"), default=True)
    # One stock model: a kit is an operations item, held in operations' stores.
    item = models.OneToOneField("operations.Item", on_delete=models.PROTECT, null=True,
                                blank=True, related_name="package_kind",
                                verbose_name=_("item"))

    class Meta:
        verbose_name = _("package kind")
        verbose_name_plural = _("package kinds")
        ordering = ["name"]

    def __str__(self):
        return self.name


class PackageIssue(models.Model):
    """One kit handed to one household, taken from one store of operations (the household's
    community's, else the street's); the store's ledger has the matching issue movement.

    A household receives a kind once; a second issue needs a staff override with a reason
    (the partial unique constraint settles concurrent first issues).
    """

    kind = models.ForeignKey(PackageKind, on_delete=models.PROTECT, related_name="issues",
                             verbose_name=_("package kind"))
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT,
                                  related_name="care_packages", verbose_name=_("household"))
    grid = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("grid"))
    store = models.ForeignKey("operations.Store", on_delete=models.PROTECT,
                              related_name="care_packages", verbose_name=_("store"))
    override_reason = models.CharField(_("override reason"), max_length=200, blank=True,
                                       default="")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("issued by"))
    issued_at = models.DateTimeField(_("issued at"), default=clock.now)
    # The device's id of this issue, sent again with each retry (firstline.db.create_once).
    event_id = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("care package")
        verbose_name_plural = _("care packages")
        constraints = [
            models.UniqueConstraint(fields=["kind", "household"],
                                    condition=Q(override_reason=""),
                                    name="one_package_kind_per_household"),
        ]
        indexes = [models.Index(fields=["grid", "issued_at"])]

    def __str__(self):
        return f"{self.kind} → {self.household_id}"
