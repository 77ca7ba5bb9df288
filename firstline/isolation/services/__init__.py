"""Writes of the isolation app: isolations, readings, alerts, lockdowns, quarantine sites.

Every function is keyword-only, runs in one transaction, checks the actor's role, refuses with
RuleViolation (409) / InvalidInput (422), writes an audit row, and takes `now=` so tests pin
the clock. Numbers (days, fever threshold, reading times, grace) come from firstline.rules.

One module per topic: isolations, alerts (readings and alerts), lockdowns, sites (quarantine
sites, rooms, transfers); common holds what they share. This package re-exports every name.
"""

from firstline.errors import InvalidInput, RuleViolation

from .alerts import (
    _NO_OWNER,
    _open_alert,
    _open_alert_update,
    alert_acknowledge,
    alert_assign,
    alert_open,
    alert_resolve,
    check_missed_reports,
    default_owner,
    default_owners,
    door_findings_open,
    reading_record,
    self_report_allowed,
    self_report_flood_check,
)
from .common import (
    MAX_DAYS,
    MISSED_LOOKBACK_DAYS,
    ROOM_NUMBER_MAX,
    ROOM_NUMBER_RE,
    SELF_REPORTS_PER_HOUR,
    TOKEN_BYTES,
    _new_token,
    _now,
    _stay_end,
    link_token,
    text_field,
    token_digest,
)
from .isolations import (
    StartDefaults,
    _check_times,
    _days,
    _expire_for,
    _finish,
    _reason,
    _require_active,
    isolation_defaults,
    isolation_extend,
    isolation_for_token,
    isolation_reissue_link,
    isolation_release,
    isolation_show_link,
    isolation_start,
    isolations_expire,
    return_start,
)
from .lockdowns import LockdownPlan, lockdown_create, lockdown_lift, lockdown_plan
from .sites import (
    TRANSFER_NEXT,
    RoomsAdded,
    room_assign,
    room_mark_cleaned,
    room_set_closed,
    room_vacate,
    rooms_add,
    site_create,
    transfer_create,
    transfer_set_status,
)

# Every name the module had before it became a package, for its callers.
__all__ = [
    "InvalidInput", "RuleViolation", "MAX_DAYS", "MISSED_LOOKBACK_DAYS", "ROOM_NUMBER_MAX",
    "ROOM_NUMBER_RE", "SELF_REPORTS_PER_HOUR", "TOKEN_BYTES", "_new_token", "_now", "_stay_end",
    "text_field", "token_digest", "_check_times", "_days", "_expire_for", "_finish", "_reason",
    "_require_active", "isolation_extend", "isolation_for_token", "isolation_reissue_link",
    "isolation_release", "isolation_start", "isolations_expire", "StartDefaults",
    "isolation_defaults", "return_start", "isolation_show_link", "link_token", "_NO_OWNER", "_open_alert",
    "_open_alert_update", "alert_acknowledge", "alert_assign", "alert_open", "alert_resolve",
    "check_missed_reports", "default_owner", "default_owners", "door_findings_open",
    "reading_record", "self_report_allowed", "self_report_flood_check", "lockdown_create", "lockdown_lift",
    "lockdown_plan", "LockdownPlan", "RoomsAdded",
    "TRANSFER_NEXT", "room_assign", "room_mark_cleaned", "room_set_closed", "room_vacate",
    "rooms_add", "site_create", "transfer_create", "transfer_set_status",
]
