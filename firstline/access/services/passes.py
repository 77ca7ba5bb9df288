"""Passes (出入证): issue, revoke, reissue."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from firstline import clock
from firstline.accounts.actions import AuditAction
from firstline.accounts.services import audit, require_perm
from firstline.db import is_unique_violation, retry_on_conflict
from firstline.errors import RuleViolation

from ..models import Pass
from .common import pass_code_new

# --- passes 出入证 ----------------------------------------------------------------------------

PASS_ISSUE_ATTEMPTS = 5


def pass_issue(*, households, actor, now: datetime | None = None,
               began: datetime | None = None) -> list[Pass]:
    """One valid pass for each given household that lacks one. Answers the valid passes of the
    households that lacked one when this call began, in household order — whether this call
    or a concurrent one issued them — so clerks issuing for one compound at once (a double
    click, two offices) all get the same answer (CONTRACT.md "Faults"); a call made after
    they finished answers [] (nothing lacked a pass). The audit names only what this call
    issued. `began`: when the call began (a request's arrival, `request.began_at`; default
    now): a pass issued after it was issued by a call running beside this one."""
    require_perm(actor, "access.manage")
    began = began or clock.now()
    ids = sorted({h.pk for h in households})  # one order for every caller: no deadlock
    # What lacked a pass when this call began: read before the transaction, which on SQLite
    # (BEGIN IMMEDIATE) waits for a concurrent issuer to commit, and outside the retries;
    # a pass issued after `began` (by a call that was running beside this one) counts too.
    had = {h for h, at in _valid_passes(ids).values_list("household_id", "issued_at")
           if at <= began}
    lacking = [h for h in ids if h not in had]
    if not lacking:
        return []
    return _pass_issue(ids=ids, lacking=lacking, actor=actor, now=now)


def _valid_passes(ids):
    return Pass.objects.filter(household_id__in=ids, revoked_at__isnull=True)


@retry_on_conflict
@transaction.atomic
def _pass_issue(*, ids: list[int], lacking: list[int], actor,
                now: datetime | None) -> list[Pass]:
    # Issued when written (not when the call began): a call that began before then was
    # running beside this one and answers these passes too.
    now = now or clock.now()
    for attempt in range(PASS_ISSUE_ATTEMPTS):
        have = set(_valid_passes(ids).values_list("household_id", flat=True))
        new = [Pass(household_id=h, code=pass_code_new(), issued_at=now,
                    issued_by=actor if getattr(actor, "pk", None) else None)
               for h in ids if h not in have]
        try:
            # A concurrent issue for the same households (two clerks, a double click) trips
            # the partial unique constraint one_valid_pass_per_household: undo this round
            # and issue again to the households still lacking a pass, as a second call
            # made just after the first would.
            with transaction.atomic():
                Pass.objects.bulk_create(new, batch_size=500)
            break
        except IntegrityError as exc:
            if not is_unique_violation(exc):
                raise
            if attempt == PASS_ISSUE_ATTEMPTS - 1:
                raise RuleViolation("busy", _("Passes for these households are being issued "
                                              "by someone else right now; try again.")) from None
    if new:
        audit(actor=actor, action=AuditAction.ACCESS_PASS_ISSUE, object_type="access.pass",
              object_id=str(len(new)), detail=f"{len(new)} passes")
    answered = set(lacking) | {p.household_id for p in new}
    return list(_valid_passes(sorted(answered)).order_by("household_id"))


@transaction.atomic
def pass_revoke(*, pass_obj: Pass, actor, reason: str = "", now: datetime | None = None) -> Pass:
    require_perm(actor, "access.manage")
    now = now or clock.now()
    if pass_obj.revoked_at is None:
        Pass.objects.filter(pk=pass_obj.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoke_reason=(reason or "")[:100])
        pass_obj.revoked_at = now
        pass_obj.revoke_reason = (reason or "")[:100]
        audit(actor=actor, action=AuditAction.ACCESS_PASS_REVOKE, obj=pass_obj, detail=reason)
    return pass_obj


@transaction.atomic
def pass_reissue(*, household, actor, reason: str = "lost", now: datetime | None = None) -> Pass:
    """补办: revoke the household's valid pass (lost) and issue a new one."""
    require_perm(actor, "access.manage")
    now = now or clock.now()
    for old in Pass.objects.select_for_update().filter(household=household,
                                                        revoked_at__isnull=True):
        pass_revoke(pass_obj=old, actor=actor, reason=reason, now=now)
    return pass_issue(households=[household], actor=actor, now=now)[0]
