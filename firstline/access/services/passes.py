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


@retry_on_conflict
@transaction.atomic
def pass_issue(*, households, actor, now: datetime | None = None) -> list[Pass]:
    """One valid pass for each given household that lacks one. Returns the new passes."""
    require_perm(actor, "access.manage")
    now = now or clock.now()
    ids = sorted({h.pk for h in households})  # one order for every caller: no deadlock
    for attempt in range(PASS_ISSUE_ATTEMPTS):
        have = set(Pass.objects.filter(household_id__in=ids, revoked_at__isnull=True)
                   .values_list("household_id", flat=True))
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
    return new


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
