"""居民端: what residents send in without an account — return declarations (返回登记),
tip-offs (举报) and the rewards they earn — and the notices staff publish to households with
their read receipts (已读回执). Throttle hits for the public endpoints live here too."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from firstline import clock
from firstline.people.models import Transport


class DeclarationStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    CONFIRMED = "confirmed", _("confirmed")


class Declaration(models.Model):
    """返回登记: a resident declares their own return. Pending until the grid worker of the
    address confirms it; the same ID number is one pending item (the database says so)."""

    receipt = models.CharField(_("receipt"), max_length=16, unique=True)
    community = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("community"))
    # The grid of the address when the household is known, else the community: the scope.
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("area"))
    household = models.ForeignKey("people.Household", on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="+", verbose_name=_("household"))
    resident = models.ForeignKey("people.Resident", on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="declarations",
                                 verbose_name=_("resident"))
    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18)
    phone = models.CharField(_("phone"), max_length=11, blank=True, default="")
    compound = models.CharField(_("compound"), max_length=100, blank=True, default="")
    building = models.CharField(_("building"), max_length=50, blank=True, default="")
    unit = models.CharField(_("unit"), max_length=20, blank=True, default="")
    room = models.CharField(_("room"), max_length=20, blank=True, default="")
    from_province = models.CharField(_("came from (province)"), max_length=30)
    from_city = models.CharField(_("came from (city)"), max_length=30, blank=True, default="")
    returned_on = models.DateField(_("returned on"))
    transport = models.CharField(_("transport"), max_length=16, choices=Transport.choices,
                                 blank=True, default="")
    transport_no = models.CharField(_("train / flight / plate number"), max_length=30,
                                    blank=True, default="")
    symptoms = models.CharField(_("symptoms"), max_length=200, blank=True, default="")
    status = models.CharField(_("status"), max_length=16, choices=DeclarationStatus.choices,
                              default=DeclarationStatus.PENDING)
    submissions = models.PositiveIntegerField(_("times declared"), default=1)
    created_at = models.DateTimeField(_("declared at"), default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    visit = models.ForeignKey("people.ScreeningVisit", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")

    class Meta:
        verbose_name = _("return declaration")
        verbose_name_plural = _("return declarations")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["id_number"],
                                    condition=models.Q(status="pending"),
                                    name="one_pending_declaration_per_id"),
        ]
        indexes = [models.Index(fields=["status", "area"])]

    def __str__(self):
        return self.receipt


class TipStatus(models.TextChoices):
    OPEN = "open", _("to verify")
    VALID = "valid", _("valid")
    INVALID = "invalid", _("invalid")
    DUPLICATE = "duplicate", _("duplicate")


class Tip(models.Model):
    """举报: a lead from a resident (public page) or taken down by staff (phone line). Each is
    a verification task for the grid worker of the place, due by `due_at`."""

    receipt = models.CharField(_("receipt"), max_length=16, unique=True)
    community = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("community"))
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("area"))
    compound = models.ForeignKey("people.Compound", on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+", verbose_name=_("compound"))
    building = models.ForeignKey("people.Building", on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+", verbose_name=_("building"))
    what = models.TextField(_("what"), max_length=1000)
    where = models.CharField(_("where"), max_length=200, blank=True, default="")
    contact = models.CharField(_("contact"), max_length=50, blank=True, default="")
    status = models.CharField(_("status"), max_length=16, choices=TipStatus.choices,
                              default=TipStatus.OPEN)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    source = models.CharField(_("source"), max_length=16, default="public",
                              choices=[("public", _("public page")), ("staff", _("staff"))])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("received at"), default=clock.now)
    due_at = models.DateTimeField(_("verify by"))
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    # Sent by the phone or the form that asked: a retry with the same id writes nothing
    # again (firstline.db.create_once).
    event_id = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("tip-off")
        verbose_name_plural = _("tip-offs")
        ordering = ["due_at"]
        indexes = [models.Index(fields=["status", "area"])]

    def __str__(self):
        return self.receipt


class Reward(models.Model):
    """The reward a valid tip earns (每条有效线索奖励10个口罩): one per tip, by the database.
    Issued from the operations stock of the tip's community store when it holds enough (at
    verification, when stock arrives, or by the button); otherwise owed, and the button may
    record it handed over by hand. `how` and `store` say which, for the ledger."""

    tip = models.OneToOneField(Tip, on_delete=models.PROTECT, related_name="reward")
    item = models.CharField(_("item"), max_length=50)
    quantity = models.PositiveIntegerField(_("quantity"))
    status = models.CharField(_("status"), max_length=16, default="owed",
                              choices=[("owed", _("owed")), ("issued", _("issued"))])
    rule_version = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(default=clock.now)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")
    how = models.CharField(_("issued how"), max_length=16, blank=True, default="",
                           choices=[("", _("not yet")), ("stock", _("from stock")),
                                    ("by_hand", _("by hand"))])
    store = models.ForeignKey("operations.Store", on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+", verbose_name=_("from store"))

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gt=0),
                                              name="reward_quantity_positive")]

    def __str__(self):
        return f"{self.tip} {self.quantity} {self.item}"


class Notice(models.Model):
    """A notice to residents (e.g. 致全体居民的一封公开信), for the households of `areas`."""

    token = models.CharField(max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=20000)
    # The same notice in other languages: {"zh-hant": {"title", "body"}, "en": {...}}; the
    # page shows the visitor's language when there is one, else the text above.
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    areas = models.ManyToManyField("areas.Area", related_name="+", verbose_name=_("areas"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("published at"), default=clock.now)
    # Sent by the phone or the form that asked: a retry with the same id writes nothing
    # again (firstline.db.create_once).
    event_id = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    def in_language(self, language: str) -> tuple[str, str]:
        """(title, body) in `language` when the notice has it, else as published."""
        version = (self.translations or {}).get(language) or {}
        return version.get("title") or self.title, version.get("body") or self.body


class NoticeAttachment(models.Model):
    """A file attached to a notice (a scanned letter, a poster image): PDF or image, checked by
    content (firstline.uploads), stored under MEDIA_ROOT with a name chosen by us, served to
    anyone with the notice's link (the public page, the posters' QR)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="notices/%Y/%m/")
    name = models.CharField(_("name"), max_length=100)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self):
        return self.name


class NoticeAck(models.Model):
    """已读回执: one household has read one notice; counted once (the database says so)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="acks")
    household = models.ForeignKey("people.Household", on_delete=models.CASCADE,
                                  related_name="+")
    at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        constraints = [models.UniqueConstraint(fields=["notice", "household"],
                                               name="one_ack_per_household")]

    def __str__(self):
        return f"{self.notice_id}/{self.household_id}"


class PublicHit(models.Model):
    """One accepted submission to a public endpoint, counted per key (address, device, place)
    in a sliding window. In the database so several app processes throttle together."""

    kind = models.CharField(max_length=32)
    key = models.CharField(max_length=200)
    at = models.DateTimeField(default=clock.now)

    class Meta:
        indexes = [models.Index(fields=["kind", "key", "at"])]

    def __str__(self):
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"
