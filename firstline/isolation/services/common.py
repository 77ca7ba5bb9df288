"""What the isolation services share: link tokens, the clock, text fields, limits, and
ending a room stay."""

import base64
import hashlib
import re
import secrets
from datetime import datetime

from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from firstline import clock, events
from firstline.accounts.actions import AuditAction
from firstline.accounts.services import audit
from firstline.errors import InvalidInput
from firstline.texts import N_, message, word

from ..models import (
    Room,
    RoomStatus,
    RoomStay,
    Transfer,
    TransferCancelReason,
    TransferStatus,
)

TOKEN_BYTES = 24            # 192 random bits in the self-report link
MAX_DAYS = 60               # longer than any rule ever used; a typo guard, not a rule
SELF_REPORTS_PER_HOUR = 12  # per link; a resident reports twice a day, this only stops floods
MISSED_LOOKBACK_DAYS = 2    # the missed-report job looks this far back (a job that did not run)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def link_token(key: str) -> str:
    """The self-report token of a link key: an HMAC of the key under the server's secret
    (SECRET_KEY), so a worker can show the same link again while the database alone (its
    digest and key) opens no one's page."""
    mac = salted_hmac("firstline.isolation.report-link", key, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(mac[:TOKEN_BYTES]).decode("ascii")


def _new_token() -> tuple[str, str, str]:
    """(plain token, its digest, the key it is made from): a new self-report link."""
    key = secrets.token_urlsafe(TOKEN_BYTES)
    plain = link_token(key)
    return plain, token_digest(plain), key


def _now(now: datetime | None) -> datetime:
    return now or clock.now()


def text_field(value, *, field: str, label, limit: int) -> str:
    """The stripped text, or InvalidInput naming the field and the limit: never cut silently."""
    value = str(value or "").strip()
    if len(value) > limit:
        raise InvalidInput("too_long", _("%(field)s is too long: at most %(max)d characters "
                                         "(got %(n)d).")
                           % {"field": label, "max": limit, "n": len(value)}, field=field)
    return value


ROOM_NUMBER_RE = re.compile(r"^[A-Za-z]{0,2}-?\d{1,6}[A-Za-z]?$")
ROOM_NUMBER_MAX = 20


def _stay_end(stay: RoomStay, *, at: datetime) -> None:
    stay.ended_at = at
    stay.save(update_fields=["ended_at"])
    if not RoomStay.objects.filter(room_id=stay.room_id, ended_at__isnull=True).exists():
        Room.objects.filter(pk=stay.room_id).update(status=RoomStatus.CLEANING)
        events.announce("room_vacated", area=Room.objects.select_related("site__area").get(
            pk=stay.room_id).site.area)


def _transfers_cancel(iso, *, actor, at: datetime) -> int:
    """An isolation that ends (released, lifted, expired): its open transfers to a quarantine
    site (planned or on the way) are cancelled, code `isolation_ended` ("隔离已解除"), each
    audited as a transfer cancelled by hand is (actor None: the expiry job). A transfer away
    from the site (home, hospital) stays: it is how the person leaves."""
    done = 0
    for t in Transfer.objects.open().select_for_update().filter(isolation_id=iso.pk,
                                                                to_site__isnull=False):
        t.status = TransferStatus.CANCELLED
        t.status_at = at
        t.cancel_reason = TransferCancelReason.ISOLATION_ENDED
        t.save(update_fields=["status", "status_at", "cancel_reason"])
        audit(actor=actor, action=AuditAction.TRANSFER_STATUS, obj=t,
              detail=message(N_("cancelled: %(why)s"),
                             why=word(TransferCancelReason.ISOLATION_ENDED.label)))
        done += 1
    return done
