from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportSubmission(models.Model):
    """一日一报 signed off: the report of `area` for local day `day` as it was submitted.

    Frozen: the live report moves on as late facts arrive; a figure that differs from the
    stored one is shown as a correction, never written over it.
    """

    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("area"))
    day = models.DateField(_("date"))
    data = models.JSONField(help_text=_("the report's JSON as submitted"))
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("submitted by"))

    class Meta:
        verbose_name = _("submitted report")
        verbose_name_plural = _("submitted reports")
        constraints = [models.UniqueConstraint(fields=["area", "day"],
                                               name="report_submitted_once")]

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
