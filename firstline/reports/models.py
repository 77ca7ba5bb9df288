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
