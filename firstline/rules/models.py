from django.db import models
from django.utils.translation import gettext_lazy as _


class Rule(models.Model):
    """One version of a rule's value: effective from a date, with the document it came from.

    Epidemic rules change (14 days, then 7+3, then 5+3); code reads them through
    `firstline.rules.rule()` and records the version that produced a decision.
    """

    key = models.CharField(_("rule"), max_length=64)
    value = models.JSONField(_("value"))
    effective_from = models.DateField(_("effective from"))
    source = models.CharField(_("source document"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        constraints = [
            models.UniqueConstraint(fields=["key", "effective_from"], name="rule_key_from_unique")
        ]
        indexes = [models.Index(fields=["key", "-effective_from"])]

    def __str__(self):
        return f"{self.key}={self.value} ({self.effective_from})"
