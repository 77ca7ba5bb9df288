"""Operations (运行保障): people on duty, disinfection, supplies and donations, HQ tasks.

Every row hangs on an area (a community for people, places and most stores; a street for
the street's store and donations) so the one scope primitive filters it.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firstline import clock

# --- people on duty (党员报到 / 志愿者) --------------------------------------------------------

class VolunteerKind(models.TextChoices):
    PARTY_MEMBER = "party_member", _("party member (党员)")
    VOLUNTEER = "volunteer", _("volunteer (志愿者)")
    STAFF = "staff", pgettext_lazy("operations", "staff (工作人员)")


class Volunteer(models.Model):
    """A person who reports for duty to a community. Added by staff (confirmed at once) or by
    the public sign-up link (报到), then confirmed once by the community's staff."""

    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("community"))
    name = models.CharField(pgettext_lazy("operations", "name"), max_length=50)
    phone = models.CharField(pgettext_lazy("operations", "phone"), max_length=20)
    kind = models.CharField(_("kind"), max_length=16, choices=VolunteerKind.choices)
    skills = models.CharField(_("skills"), max_length=200, blank=True, default="")
    availability = models.CharField(_("availability"), max_length=200, blank=True, default="")
    self_signed_up = models.BooleanField(default=False)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="volunteer",
                                verbose_name=_("login"))
    # Bumped by every assignment write for this person: the row lock that serialises them.
    revision = models.PositiveIntegerField(default=0)
    signup_digest = models.CharField(max_length=64, blank=True, default="", db_index=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("person on duty")
        verbose_name_plural = _("people on duty")
        ordering = ["area_id", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["area", "phone"], name="volunteer_phone_unique"),
        ]

    def __str__(self):
        return self.name


class SignupLink(models.Model):
    """The public sign-up link of one community (报到). The token is what the QR code carries."""

    area = models.OneToOneField("areas.Area", on_delete=models.PROTECT, related_name="+")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=clock.now)

    def __str__(self):
        return f"{self.area_id}"


class Duty(models.TextChoices):
    GATE = "gate", _("gate (卡口)")
    BUILDING = "building", _("building (楼栋)")
    PATROL = "patrol", _("patrol (巡逻)")
    DELIVERY = "delivery", _("delivery (送货上门)")
    DISINFECTION = "disinfection", _("disinfection (消杀)")


class Assignment(models.Model):
    """One stretch of duty of one person. Never overlapping another of the same person."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT,
                                  related_name="assignments")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    duty = models.CharField(_("duty"), max_length=16, choices=Duty.choices)
    target_id = models.PositiveIntegerField(null=True, blank=True)
    target = models.CharField(_("where"), max_length=100, blank=True, default="")
    shift = models.ForeignKey("access.Shift", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="assignments")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    # Set at check-in: the assignment's end + rule "volunteers.checkout_grace_minutes" then in
    # force. Without a check-out by this time the duty ends by itself ("no check-out"): the
    # person is no longer on duty, and hours count to the assignment's end.
    check_in_until = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")),
                                   name="assignment_ends_after_start"),
        ]
        indexes = [models.Index(fields=["volunteer", "starts_at"]),
                   models.Index(fields=["area", "checked_in_at"])]

    def __str__(self):
        return f"{self.volunteer} {self.duty} {self.starts_at:%m-%d %H:%M}"

    def _until(self):
        return self.check_in_until or self.ends_at

    def on_duty_at(self, moment) -> bool:
        """Checked in by `moment`, not checked out by then, and the duty (with its grace) not
        over without a check-out."""
        return (self.checked_in_at is not None and self.checked_in_at <= moment
                and (self.checked_out_at is None or self.checked_out_at > moment)
                and moment < self._until())

    @property
    def on_duty(self) -> bool:
        return self.on_duty_at(clock.now())

    def no_checkout_at(self, moment) -> bool:
        """Checked in but never checked out within the grace: the duty ended by itself."""
        if self.checked_in_at is None:
            return False
        if self.checked_out_at is not None:
            return self.checked_out_at > self._until()
        return moment >= self._until()

    @property
    def no_checkout(self) -> bool:
        return self.no_checkout_at(clock.now())

    def counted_end(self, moment):
        """Where the hours of this duty stop as of `moment`: the check-out; the assignment's
        end when there was no check-out; `moment` while still on duty."""
        if self.checked_in_at is None:
            return None
        if self.no_checkout_at(moment):
            return max(self.ends_at, self.checked_in_at)
        return self.checked_out_at or moment


# --- disinfection (消杀) -----------------------------------------------------------------------

class PlaceKind(models.TextChoices):
    COMMON_AREAS = "common_areas", _("common areas (公共区域)")
    BUILDING = "building", _("building (楼栋)")
    LIFT = "lift", _("lift (电梯)")
    RUBBISH = "rubbish", _("rubbish point (垃圾点)")
    WASTE_MASKS = "waste_masks", _("used-mask bin (废弃口罩收集点)")
    CHECKPOINT = "checkpoint", _("checkpoint (卡口)")
    QUARANTINE_ROOM = "quarantine_room", _("quarantine room (隔离房间)")
    ISOLATED_HOME = "isolated_home", _("isolated home (居家隔离户)")
    OTHER = "other", _("other")


# Kinds that are derived from other apps' data (never added by hand).
DERIVED_KINDS = (PlaceKind.COMMON_AREAS, PlaceKind.ISOLATED_HOME, PlaceKind.QUARANTINE_ROOM)


class Place(models.Model):
    """A place to disinfect. Derived places (a compound's common areas, an isolated home, a
    locked-down building, a vacated quarantine room) are made as they are first needed and
    carry the key of what they stand for; staff add the rest (lifts, rubbish points...)."""

    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("community"))
    kind = models.CharField(_("kind"), max_length=20, choices=PlaceKind.choices)
    name = models.CharField(_("name"), max_length=100)
    compound = models.ForeignKey("people.Compound", on_delete=models.CASCADE, null=True,
                                 blank=True, related_name="+")
    building = models.ForeignKey("people.Building", on_delete=models.CASCADE, null=True,
                                 blank=True, related_name="+")
    household = models.ForeignKey("people.Household", on_delete=models.CASCADE, null=True,
                                  blank=True, related_name="+")
    room = models.ForeignKey("isolation.Room", on_delete=models.CASCADE, null=True,
                             blank=True, related_name="+")
    # "derived:<kind>:<id>" for places standing for another app's object; null for staff's.
    key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("place to disinfect")
        verbose_name_plural = _("places to disinfect")
        ordering = ["area_id", "name", "pk"]
        constraints = [
            # Staff's places: one per name in a community (derived ones are keyed by `key`).
            models.UniqueConstraint(fields=["area", "name"], condition=models.Q(key__isnull=True),
                                    name="operations_place_staff_name"),
        ]

    def __str__(self):
        return self.name


class Round(models.Model):
    """One disinfection round (一次消杀) of one place."""

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="rounds")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    done_at = models.DateTimeField(_("done at"))
    agent = models.CharField(_("agent"), max_length=100)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                           blank=True, related_name="+")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    # Sent by the phone or the form that recorded it: a retry with the same id writes
    # nothing again (firstline.db.create_once).
    event_id = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("disinfection round")
        verbose_name_plural = _("disinfection rounds")
        indexes = [models.Index(fields=["place", "done_at"]),
                   models.Index(fields=["area", "done_at"])]

    def __str__(self):
        return f"{self.place_id} {self.done_at:%m-%d %H:%M}"


# --- supplies and donations (物资与捐赠) -------------------------------------------------------

class Item(models.Model):
    """A kind of supply: masks, protective suits, 84 disinfectant, sprayers, thermometers..."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    unit = models.CharField(pgettext_lazy("operations", "unit"), max_length=20, blank=True, default="")
    low_at = models.PositiveIntegerField(_("low-stock threshold"), default=0)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["code"]

    def __str__(self):
        return self.name


class StoreKind(models.TextChoices):
    STREET = "street", _("street store")
    COMMUNITY = "community", _("community store")
    CHECKPOINT = "checkpoint", _("checkpoint")
    SITE = "site", _("quarantine site")


class Store(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=StoreKind.choices)
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("area"))

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        ordering = ["area_id", "code"]

    def __str__(self):
        return self.name


class Stock(models.Model):
    """How much of one item a store holds. Never negative: taken with one conditional
    UPDATE (quantity >= n), as the gate takes its quota."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="stock")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="stock")
    quantity = models.BigIntegerField(_("quantity"), default=0)
    low_at = models.PositiveIntegerField(_("low-stock threshold"), null=True, blank=True)

    class Meta:
        verbose_name = _("stock")
        verbose_name_plural = _("stock")
        constraints = [
            models.UniqueConstraint(fields=["store", "item"], name="ops_stock_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="ops_stock_not_negative"),
        ]

    def __str__(self):
        return f"{self.store_id}/{self.item_id}: {self.quantity}"


class DonorKind(models.TextChoices):
    PERSON = "person", _("person")
    COMPANY = "company", _("company")


class Donation(models.Model):
    """A gift of items or cash (yuan), with its receipt number; named in the public ledger
    only with the donor's consent."""

    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("received by"))
    donor = models.CharField(_("donor"), max_length=100)
    donor_kind = models.CharField(_("donor kind"), max_length=16, choices=DonorKind.choices,
                                  default=DonorKind.PERSON)
    consent_named = models.BooleanField(_("may be named"), default=False)
    receipt_no = models.CharField(_("receipt number"), max_length=64)
    cash = models.DecimalField(_("cash (yuan)"), max_digits=12, decimal_places=2, null=True,
                               blank=True)
    purpose = models.CharField(_("where it went"), max_length=200, blank=True, default="")
    received_at = models.DateTimeField(_("received at"), default=clock.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["area", "receipt_no"], name="donation_receipt_unique"),
            models.CheckConstraint(condition=Q(cash__isnull=True) | Q(cash__gt=0),
                                   name="donation_cash_positive"),
        ]

    def __str__(self):
        return self.receipt_no


class MoveKind(models.TextChoices):
    RECEIVE = "receive", _("received")
    MOVE_OUT = "move_out", _("moved out")
    MOVE_IN = "move_in", _("moved in")
    ISSUE = "issue", _("issued")
    COUNT = "count", _("counted")


class MovePurpose(models.TextChoices):
    """What an issue went to when Firstline itself issued it: recorded as data (the household,
    the tip) and worded on display in the reader's language — never words stored at write
    time. "" is an issue typed by hand: `to` says where it went, as typed."""
    TYPED = "", _("as typed")
    CARE_KIT = "care_kit", _("care kit to a household")
    TIP_REWARD = "tip_reward", _("tip-off reward")
    CORRECTION = "correction", _("correction")


class Movement(models.Model):
    """One change of one stock row; the ledger the quantity is the sum of."""

    stock = models.ForeignKey(Stock, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("kind"), max_length=16, choices=MoveKind.choices)
    delta = models.BigIntegerField(_("change"))
    # As typed by a user (an issue's receiver, a receipt's or a correction's note), or a store
    # code for a move; never words of ours (see `purpose`).
    to = models.CharField(pgettext_lazy("operations", "to"), max_length=200, blank=True, default="")
    purpose = models.CharField(_("went to"), max_length=16, choices=MovePurpose.choices,
                               blank=True, default=MovePurpose.TYPED)
    household = models.ForeignKey("people.Household", on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="+", verbose_name=_("household"))
    tip = models.ForeignKey("residents.Tip", on_delete=models.SET_NULL, null=True, blank=True,
                            related_name="+", verbose_name=_("tip-off"))
    donation = models.ForeignKey(Donation, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="movements")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+")
    at = models.DateTimeField(default=clock.now)
    # Sent by the phone or the form that asked (a receipt, an issue, a move's outgoing half):
    # a retry or a double tap with the same id moves nothing again.
    event_id = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        indexes = [models.Index(fields=["stock", "at"])]

    def __str__(self):
        return f"{self.stock_id} {self.delta:+d}"


# --- HQ tasks (任务下达) -----------------------------------------------------------------------

class WorkingGroup(models.Model):
    """One of HQ's working groups (指挥部工作组: 综合协调组, 物资保障组, 宣传组...): a name and its
    members (users), in the street whose HQ set it up. A task can be sent to it."""

    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("street"))
    name = models.CharField(_("name"), max_length=50)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                     related_name="working_groups", verbose_name=_("members"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")
        ordering = ["area_id", "name"]
        constraints = [models.UniqueConstraint(fields=["area", "name"],
                                               name="working_group_name_unique")]

    def __str__(self):
        return self.name


class Task(models.Model):
    """One task sent by HQ to one area, or to one working group (then `area` is the group's
    street); a task to several is one row per receiver, sharing a `batch`."""

    batch = models.CharField(max_length=32, db_index=True)
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("area"))
    title = models.CharField(_("title"), max_length=100)
    # A working group of HQ (指挥部工作组, e.g. 综合协调组) the task is for, in its area.
    group = models.CharField(_("working group"), max_length=50, blank=True, default="")
    working_group = models.ForeignKey(WorkingGroup, on_delete=models.PROTECT, null=True,
                                      blank=True, related_name="tasks")
    detail = models.TextField(_("detail"), max_length=2000, blank=True, default="")
    due_at = models.DateTimeField(_("due at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                        null=True, blank=True, related_name="+")
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                null=True, blank=True, related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True, default="")
    # The done report's file: PDF or image, checked by content (firstline.uploads), stored
    # under MEDIA_ROOT with our own name; `file_name` is the name shown, `file_type` the type
    # found in the content.
    file = models.FileField(_("file"), upload_to="tasks/%Y/%m/", blank=True, default="")
    file_name = models.CharField(max_length=100, blank=True, default="")
    file_type = models.CharField(max_length=50, blank=True, default="")
    # On the first task of a batch only: sent by the phone or the form that asked, a retry
    # with the same id writes nothing again (firstline.db.create_once).
    event_id = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["area", "done_at", "due_at"])]

    def __str__(self):
        return self.title

    def status_at(self, moment) -> str:
        if self.done_at is not None:
            return "done"
        return "overdue" if moment >= self.due_at else "open"
