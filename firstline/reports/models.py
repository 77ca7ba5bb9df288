from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReportSubmission(models.Model):
    """一日一报 signed off: the report of `area` for local day `day` as it was submitted.

    Frozen: the live report moves on as late facts arrive; a figure that differs from the
    stored one is shown as a correction, never written over it. A resubmission is a new
    version (1, 2, ...); the earlier versions are kept and the latest is the one that counts.
    """

    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("area"))
    day = models.DateField(_("date"))
    version = models.PositiveIntegerField(_("version"), default=1)
    data = models.JSONField(help_text=_("the report's JSON as submitted"))
    note = models.CharField(_("note"), max_length=200, blank=True, default="",
                            help_text=_("why it was submitted again"))
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("submitted by"))

    class Meta:
        verbose_name = _("submitted report")
        verbose_name_plural = _("submitted reports")
        ordering = ["area", "day", "version"]
        constraints = [models.UniqueConstraint(fields=["area", "day", "version"],
                                               name="report_submission_version_once")]

    def __str__(self):
        return f"{self.area_id} {self.day} v{self.version}"


class ReportChase(models.Model):
    """催报: the level above asked an area for its report of `day` (a person, or the
    automatic reminder at the rule's hour). Shown to the area's staff until they submit."""

    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("area"))
    day = models.DateField(_("date"))
    chased_at = models.DateTimeField(_("chased at"))
    chased_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+",
                                  verbose_name=_("chased by"),
                                  help_text=_("empty: the automatic reminder"))
    automatic = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("reminder to submit")
        verbose_name_plural = _("reminders to submit")
        ordering = ["-chased_at"]
        constraints = [models.UniqueConstraint(fields=["area", "day"], condition=Q(automatic=True),
                                               name="report_chase_automatic_once")]
        indexes = [models.Index(fields=["day", "area"])]

    def __str__(self):
        return f"{self.area_id} {self.day}"


class DayFigures(models.Model):
    """An area's own figures (its facts only, not its sub-areas') for one closed local day,
    from the sources whose facts are all dated (selectors.STORED_SOURCES): stored on the first
    read of the day by the dashboard, so its 14-day trend does not count a million rows per
    day again. A late or corrected fact dated on or before the day deletes the rows it
    touches (reports.store), and the next read computes them afresh. Today is never stored.
    """

    area = models.ForeignKey("areas.Area", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    figures = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "area"],
                                               name="report_day_figures_once")]

    def __str__(self):
        return f"{self.area_id} {self.day}"


class FiguresEpoch(models.Model):
    """One row counting invalidations of DayFigures: a computation that saw the counter change
    while it ran does not store what it computed (it may predate the correction)."""

    n = models.BigIntegerField(default=0)

    def __str__(self):
        return str(self.n)
