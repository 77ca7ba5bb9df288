from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ExportJob(models.Model):
    """One export asked for on a page: built by a task into a file under EXPORTS_DIR, served
    to its owner only, deleted once `expires_at` has passed (worker SCHEDULE)."""

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("export status", "Waiting for the worker")
        RUNNING = "running", pgettext_lazy("export status", "Being written")
        DONE = "done", pgettext_lazy("export status", "Ready to download")
        FAILED = "failed", pgettext_lazy("export status", "Failed")
        EXPIRED = "expired", pgettext_lazy("export status", "Expired (file deleted)")

    class Format(models.TextChoices):
        XLSX = "xlsx", _("Excel (.xlsx)")
        CSV_GBK = "csv-gbk", _("CSV, GBK (old Excel)")
        CSV_UTF8 = "csv-utf8", _("CSV, UTF-8 with BOM")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="export_jobs")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=40)  # a registry name: "roster", "ledger:isolations"
    format = models.CharField(max_length=20, choices=Format.choices)
    params = models.JSONField(default=dict, blank=True)  # the kind's own (dates, category)
    unmasked = models.BooleanField(default=False)
    reason = models.CharField(max_length=255, blank=True)  # the audited why of an unmasked one
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_written = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=200)  # what the download is called
    size = models.PositiveBigIntegerField(default=0)
    error = models.CharField(max_length=255, blank=True)
    # Characters the file's encoding cannot hold (GBK: emoji, rare name characters 生僻字),
    # written as "?": how many, and the first few of them, so the owner knows and asks again.
    lost_chars = models.PositiveIntegerField(default=0)
    lost_sample = models.CharField(max_length=40, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)  # a task is writing until then
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("export")
        indexes = [models.Index(fields=["owner", "-created_at"]),
                   models.Index(fields=["status", "expires_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(unmasked=False) | ~Q(reason=""),
                                   name="exportjob_unmasked_has_reason"),
        ]

    def __str__(self):
        return f"{self.kind} {self.area_id} #{self.pk}"

    def expired_at(self, now) -> bool:
        """Whether the file is gone or may no longer be downloaded at `now`."""
        return self.status == self.Status.EXPIRED or (self.status == self.Status.DONE
                                                      and self.expires_at <= now)

    @property
    def running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
