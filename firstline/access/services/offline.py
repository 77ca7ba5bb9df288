"""The offline gate: signed snapshots and verdicts given without the server."""

import hashlib
import json
import secrets
from datetime import datetime

from django.core import signing
from django.db import transaction
from django.utils.translation import gettext as _

from firstline import clock
from firstline.accounts.actions import AuditAction
from firstline.accounts.services import audit, require_perm
from firstline.errors import InvalidInput

from .. import selectors
from ..models import Checkpoint, Crossing, Decision, OfflineVerdict
from .common import pass_code_normalize

# --- the offline gate -----------------------------------------------------------------------

SNAPSHOT_SIGNING_SALT = "firstline.access.gate_snapshot"


def pass_code_digest(salt: str, code: str) -> str:
    """How a snapshot carries a pass code: SHA-256 of salt:CODE, 96 bits in hex. The gate
    hashes what it scans the same way (gate.js); the snapshot never holds a usable code."""
    raw = f"{salt}:{pass_code_normalize(code)}".encode()
    return hashlib.sha256(raw).hexdigest()[:24]


def gate_snapshot(*, actor, checkpoint: Checkpoint, now: datetime | None = None) -> dict:
    """The checkpoint's snapshot for deciding offline, signed by the server.

    The signature (Django's signing, SECRET_KEY) covers the checkpoint, the moment and a digest
    of the content; the gate sends it back with each decision it made offline, so the server
    knows which snapshot of its own a decision came from (and that it is one)."""
    require_perm(actor, "access.scan")
    now = now or clock.now()
    salt = secrets.token_hex(8)
    data = selectors.gate_snapshot_data(checkpoint, now=now, salt=salt)
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
    data["signature"] = signing.dumps({"cp": checkpoint.pk, "at": data["generated_at"],
                                       "d": digest}, salt=SNAPSHOT_SIGNING_SALT)
    return data


def snapshot_moment(signature: str | None, checkpoint_id: int | None) -> datetime | None:
    """When the signed snapshot was made; None when the signature is missing, forged, or of
    another checkpoint."""
    if not signature:
        return None
    try:
        data = signing.loads(signature, salt=SNAPSHOT_SIGNING_SALT)
        if data.get("cp") != checkpoint_id:
            return None
        return datetime.fromisoformat(data["at"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError):
        return None


def offline_verdict_record(*, crossing: Crossing, decision: str, reason: str,
                           snapshot: str | None = None) -> OfflineVerdict:
    """Keep what the gate decided offline beside the server's judgement of `crossing`.
    Once per crossing: a second sync of the same event_id changes nothing."""
    if decision not in Decision.values:
        raise InvalidInput("invalid", _("offline.decision must be \"allow\" or \"deny\"."),
                           field="offline.decision")
    verdict, _created = OfflineVerdict.objects.get_or_create(crossing=crossing, defaults={
        "decision": decision, "reason": (reason or "")[:24],
        "snapshot_at": snapshot_moment(snapshot, crossing.checkpoint_id),
        "agrees": decision == crossing.decision})
    return verdict


@transaction.atomic
def offline_verdict_review(*, verdict: OfflineVerdict, actor,
                           now: datetime | None = None) -> OfflineVerdict:
    """Duty staff have looked into a disagreement (and, say, called the household)."""
    require_perm(actor, "access.duty")
    if verdict.reviewed_at is None:
        verdict.reviewed_at = now or clock.now()
        verdict.reviewed_by = actor
        verdict.save(update_fields=["reviewed_at", "reviewed_by"])
        audit(actor=actor, action=AuditAction.ACCESS_OFFLINE_REVIEW, obj=verdict.crossing)
    return verdict
