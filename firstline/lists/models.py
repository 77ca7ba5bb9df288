"""Lists from above (核查名单), one verification per person, cases and test results.

A list (Checklist) keeps the sender's own columns and rows; each row is matched to the
roster (by ID number, else name + phone, else name + address). Matched rows point at a
Verification: ONE open item per resident however many lists name them (a partial unique
constraint), answered once for all of them.
"""

import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from firstline.texts import render

_CASE_SOURCE = re.compile(r"case (\d+)")
_TEST_SOURCE = re.compile(r"test (\d+)")


def source_title(source: str) -> str:
    """A list's sender as the reader says it: a case's contacts list keeps the source
    "case N" (CONTRACT: the API answers it as stored) and reads "病例 N 的密切接触者" /
    "Contacts of case N"; any other sender is shown as sent."""
    found = _CASE_SOURCE.fullmatch(source or "")
    if found:
        return gettext("Contacts of case %(n)s") % {"n": found.group(1)}
    return source


def handover_title(source: str, street: str) -> str:
    """A hand-over list's name (转办): its origin's name and the street that handed it over,
    in the active language."""
    return gettext("%(source)s (handed over by %(street)s)") % {"source": source,
                                                              "street": street}


# A hand-over list's last column (转办说明: who handed the row over and why), stored in these
# words like the sender's own headers, its cells as "街道：why"; the exports say both in the
# reader's language (exports.sender_headers, handover_note below), as the list's page does.
HANDOVER_NOTE_COLUMN = "转办说明"


def handover_note(cell, street: str) -> str:
    """A 转办说明 cell in the language active: who handed the row over, and why when a why
    was given. Stored as "street：why" (or the street alone) in the words it was made with;
    a cell that is not in that form (none was, so far) is shown as it is."""
    text = str(cell or "")
    if not text:
        return ""
    if text == street or text.startswith(f"{street}："):
        why = text[len(street) + 1:]
    else:  # the street was renamed since
        street, _colon, why = text.partition("：")
        if not street:
            return text
    if not why:
        return pgettext("hand-over note", "Handed over by %(street)s") % {"street": street}
    return pgettext("hand-over note", "Handed over by %(street)s: %(why)s") % {
        "street": street, "why": why}


class Checklist(models.Model):
    """核查名单: one file pushed down from above (a manifest, returnees, close contacts)."""

    source = models.CharField(_("sent by"), max_length=100,
                              help_text=_("the department or case the list came from"))
    filename = models.CharField(_("file"), max_length=200, blank=True, default="")
    digest = models.CharField(max_length=64, help_text=_("sha256 of the file: a re-import "
                                                         "of the same file adds nothing"))
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("area"), help_text=_("whose list it is (scope)"))
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    columns = models.JSONField(_("columns"), default=list, help_text=_("the file's own headers"))
    mapping = models.JSONField(default=dict, help_text=_("{name|id_number|phone|address: "
                                                         "column index}"))
    rows = models.PositiveIntegerField(_("rows"), default=0)
    matched_by_id = models.PositiveIntegerField(default=0)
    matched_by_name_phone = models.PositiveIntegerField(default=0)
    matched_by_name_address = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    case = models.ForeignKey("Case", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="checklists")
    handover_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="handovers",
                                    help_text=_("the list whose rows another street handed "
                                                "over to this one"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("list to verify")
        verbose_name_plural = _("lists to verify")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["area", "source", "digest"],
                                               name="checklist_once_per_file")]

    def __str__(self):
        return f"{self.source} {self.filename}"

    @property
    def title(self) -> str:
        """The list's title in the reader's language: a case's contacts list as source_title
        says it; a hand-over list as its origin's title and the street that handed it over,
        said now (its stored `source`, kept for the API, is in the words it was made with)."""
        if self.handover_of_id is not None:
            origin = self.handover_of
            return handover_title(origin.title, origin.street_name)
        return source_title(self.source)

    @cached_property
    def street_name(self) -> str:
        """The name of the street the list belongs to (its own area when above streets).
        Read for many lists at once by lists.selectors.titles_read."""
        from firstline.areas.models import Level

        if self.area.level == Level.STREET:
            return self.area.name
        street = self.area.ancestors().filter(level=Level.STREET).first()  # path holds self
        return street.name if street else self.area.name

    @property
    def from_case(self) -> bool:
        """A case's contacts list (its file name, "case-N", is ours, not a sender's)."""
        return bool(_CASE_SOURCE.fullmatch(self.source or ""))

    @property
    def matched(self) -> int:
        return self.matched_by_id + self.matched_by_name_phone + self.matched_by_name_address


class SourceMapping(models.Model):
    """The columns a sender uses, remembered for their next list."""

    source = models.CharField(max_length=100, unique=True)
    mapping = models.JSONField(default=dict, help_text=_("{name|id_number|phone|address: "
                                                         "header title}"))
    updated_at = models.DateTimeField()

    def __str__(self):
        return self.source


class Result(models.TextChoices):
    REACHED = "reached", _("reached")
    UNREACHABLE = "unreachable", _("unreachable")
    NOT_LIVING_HERE = "not_living_here", _("not living here")
    MOVED_OUT = "moved_out", pgettext_lazy("lists", "moved out")


class VStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("lists", "open")
    DONE = "done", pgettext_lazy("lists", "done")


class Verification(models.Model):
    """核查: one call or visit for one person, answering every list that names them."""

    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT,
                                 related_name="verifications", verbose_name=_("resident"))
    grid = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("grid"))
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+", verbose_name=_("grid worker"))
    status = models.CharField(_("status"), max_length=8, choices=VStatus.choices,
                              default=VStatus.OPEN)
    # 核查期限: the day this call or visit is due by (the earliest deadline of its lists)
    due = models.DateField(pgettext_lazy("lists", "due date"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=20, choices=Result.choices, blank=True,
                              default="")
    temperature = models.DecimalField(_("temperature"), max_digits=4, decimal_places=1,
                                      null=True, blank=True)
    symptoms = models.CharField(_("symptoms"), max_length=200, blank=True, default="")
    from_province = models.CharField(_("came from (province)"), max_length=30, blank=True,
                                     default="")
    from_city = models.CharField(_("came from (city)"), max_length=30, blank=True, default="")
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    # The recorded fact the answer was taken from ("visit:12", "reading:34"), when the worker
    # used one (selectors.recent_fact): a reference, never shown as text. db_default: items
    # go in by COPY on PostgreSQL, naming only the import's columns.
    source = models.CharField(max_length=64, blank=True, default="", db_default="",
                              help_text=_("the fact the answer was taken from, e.g. visit:12"))
    answered_at = models.DateTimeField(pgettext_lazy("lists", "verified at"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("verified by"))
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")
        constraints = [
            models.UniqueConstraint(fields=["resident"], condition=Q(status="open"),
                                    name="one_open_verification_per_resident"),
        ]
        indexes = [models.Index(fields=["grid", "status"])]

    def __str__(self):
        return f"{self.resident} {self.status}"


class Routing(models.TextChoices):
    PENDING = "", _("to route")
    NOT_OURS = "not_ours", _("not ours")
    UNKNOWN = "unknown", _("unknown person")
    OTHER_STREET = "other_street", _("to another street")


class MatchedBy(models.TextChoices):
    NONE = "", _("unmatched")
    ID = "id", _("ID number")
    NAME_PHONE = "name_phone", _("name + phone")
    NAME_ADDRESS = "name_address", _("name + address")


class ChecklistRow(models.Model):
    """One row of a list, as sent, and what it matched."""

    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="entries")
    number = models.PositiveIntegerField(_("row"))
    values = models.JSONField(default=list, help_text=_("the cells as sent"))
    name = models.CharField(_("name"), max_length=100, blank=True, default="")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="+")
    matched_by = models.CharField(_("matched by"), max_length=16, choices=MatchedBy.choices,
                                  blank=True, default="")
    verification = models.ForeignKey(Verification, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="entries")
    routing = models.CharField(_("routing"), max_length=16, choices=Routing.choices,
                               blank=True, default="")
    # Why the row matched nobody, as facts (firstline.texts: a message and its parameters)
    # said in the reader's language (reason_shown). Rows written before reason_facts existed
    # keep the text in the importer's language, shown as stored.
    reason = models.CharField(_("why unmatched"), max_length=200, blank=True, default="")
    reason_facts = models.JSONField(default=dict, blank=True,
                                    help_text=_("why unmatched, as a message and its "
                                                "parameters"))
    # "to another street": a hand-over, with where to and why
    routed_to = models.ForeignKey("areas.Area", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("handed over to"),
                                  help_text=_("a street in Firstline: the row joins a list there"))
    # db_default: rows go in by COPY on PostgreSQL, naming only the import's columns
    routed_to_name = models.CharField(_("handed over to"), max_length=100, blank=True,
                                      default="", db_default="", help_text=_("the street's name"))
    route_note = models.CharField(_("why handed over"), max_length=200, blank=True, default="",
                                  db_default="")
    handed_over = models.ForeignKey(Checklist, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="handed_from",
                                    help_text=_("the list the row joined in that street"))
    routed_at = models.DateTimeField(null=True, blank=True)
    routed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="+")

    class Meta:
        verbose_name = _("list row")
        verbose_name_plural = _("list rows")
        ordering = ["checklist", "number"]
        constraints = [models.UniqueConstraint(fields=["checklist", "number"],
                                               name="checklist_row_unique")]

    def __str__(self):
        return f"{self.checklist_id}:{self.number}"

    @property
    def reason_shown(self) -> str:
        """Why the row matched nobody, in the reader's language (the text of a row written
        before reasons were kept as facts, as it was stored)."""
        return render(self.reason_facts, self.reason)


# --- cases and test results ---------------------------------------------------------------

class CaseStatus(models.TextChoices):
    SUSPECTED = "suspected", _("suspected")
    CONFIRMED = "confirmed", pgettext_lazy("case status", "confirmed")  # 确诊
    ASYMPTOMATIC = "asymptomatic", _("asymptomatic")
    RULED_OUT = "ruled_out", _("ruled out")


class Case(models.Model):
    """病例: a suspected / confirmed / asymptomatic case (or one ruled out) on a resident."""

    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT,
                                 related_name="cases", verbose_name=_("resident"))
    grid = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=CaseStatus.choices)
    on = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=200, blank=True, default="",
                              help_text=_("who reported it: a hospital, a test result..."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-on", "-pk"]
        constraints = [  # the services also lock the resident (status moves in order)
            models.UniqueConstraint(fields=["resident"],
                                    condition=~Q(status=CaseStatus.RULED_OUT),
                                    name="one_open_case_per_resident"),
        ]

    def __str__(self):
        return f"{self.resident} {self.get_status_display()} {self.on}"

    @property
    def source_shown(self) -> str:
        """Who reported it, in the reader's language: a case opened by a positive test keeps
        the source "test N" and reads "核酸检测 N" / "test result N"."""
        found = _TEST_SOURCE.fullmatch(self.source or "")
        if found:
            return gettext("test result %(n)s") % {"n": found.group(1)}
        return self.source


class CaseContact(models.Model):
    """A close contact named on a case (密接), matched to the roster when the list is made."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=30, blank=True, default="")
    phone = models.CharField(_("phone"), max_length=30, blank=True, default="")
    address = models.CharField(_("address"), max_length=200, blank=True, default="")
    note = models.CharField(_("note"), max_length=200, blank=True, default="")

    def __str__(self):
        return self.name


class TestResult(models.Model):
    """核酸检测: one nucleic-acid test of a resident."""

    class Outcome(models.TextChoices):
        NEGATIVE = "negative", _("negative")
        POSITIVE = "positive", _("positive")

    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT,
                                 related_name="test_results", verbose_name=_("resident"))
    grid = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    sampled_on = models.DateField(_("sample date"))
    result = models.CharField(_("result"), max_length=10, choices=Outcome.choices)
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="tests")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField()
    # Sent by the phone or the form that asked: a retry with the same id writes nothing
    # again (firstline.db.create_once).
    event_id = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("test result")
        verbose_name_plural = _("test results")

    def __str__(self):
        return f"{self.resident_id} {self.sampled_on} {self.result}"
