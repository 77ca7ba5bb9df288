"""The typed vocabulary of audit actions for reads and exports of personal data (issue 12.3).

Stored values are the ones the audit log already holds (the auditor's search and CONTRACT.md
rely on them); code names the member, never a free-text string."""

from django.db import models
from django.utils.translation import pgettext_lazy


class AuditAction(models.TextChoices):
    RESIDENT_READ_FULL = "resident.read_full", pgettext_lazy(
        "audit action", "Full read of ID number and phone")
    RESIDENT_READ_MASKED = "resident.read_masked", pgettext_lazy(
        "audit action", "Record opened (masked)")
    PHONE_READ = "people.phone_read", pgettext_lazy("audit action",
                                                    "Phone number read (care call)")
    TIP_CONTACT_READ = "tip.contact_read", pgettext_lazy("audit action",
                                                         "Tipster's contact read")
    ROSTER_EXPORT = "roster.export", pgettext_lazy("audit action", "Roster export (masked)")
    ROSTER_EXPORT_FULL = "roster.export_full", pgettext_lazy("audit action",
                                                             "Roster export (unmasked)")
    EXPORT_FULL_KEY_PERSONS = "reports.export_full:key-persons", pgettext_lazy(
        "audit action", "Key-person ledger export (unmasked)")
    EXPORT_FULL_ISOLATIONS = "reports.export_full:isolations", pgettext_lazy(
        "audit action", "Isolation ledger export (unmasked)")
    EXPORT_FULL_CROSSINGS = "reports.export_full:crossings", pgettext_lazy(
        "audit action", "Crossings ledger export (unmasked)")
    CHECKLIST_EXPORT = "checklist.export", pgettext_lazy("audit action",
                                                         "Verification list export (核查)")
    RESIDENT_SEARCH_FULL = "resident.search_full", pgettext_lazy(
        "audit action", "Resident search by ID or phone (admin)")


# The actions that hand out a full ID number or phone of one resident (people.services.pii_read).
PII_READ_ACTIONS = (AuditAction.RESIDENT_READ_FULL, AuditAction.PHONE_READ)
