"""Closed management (封闭式管理): the writes. The gate scan is the hottest path (DESIGN.md).

One module per topic: policies, checkpoints, passes, gate (the scan), offline, visitors,
duty; common holds the scan reasons, pass codes and rules in force. This package re-exports
every name, so `from firstline.access.services import X` keeps working."""

from .checkpoints import checkpoint_create, checkpoint_set_open
from .common import (
    PASS_CODE_BYTES,
    REASONS,
    _rules_query,
    pass_code_new,
    pass_code_normalize,
    rules_on,
)
from .duty import (
    _is_manager,
    check_in_opens,
    duty_gaps,
    planned_for_someone_else,
    shift_attendance_record,
    shift_check_in,
    shift_check_out,
    shift_create,
    shift_name_set,
    shifts_plan,
)
from .gate import (
    _PASS_COLS,
    GATE_RULES,
    HOLD_RULES,
    NEXT_STEPS,
    SCAN_RULES,
    _checkpoint_label,
    _crossing_fields,
    _crossing_insert_sql,
    _crossing_quota_sql,
    _crossing_special_values,
    _gate_sql,
    _judge,
    _late,
    _left,
    _one_statement_writes,
    _open_gate_fever_alert,
    _save,
    _save_with_quota,
    clock_verdict,
    gate_scan,
    rule_on,
    scan_answer,
    scan_verdict,
    take_trip,
)
from .offline import (
    SNAPSHOT_SIGNING_SALT,
    gate_snapshot,
    offline_verdict_record,
    offline_verdict_review,
    pass_code_digest,
    snapshot_moment,
)
from .passes import PASS_ISSUE_ATTEMPTS, pass_issue, pass_reissue, pass_revoke
from .policies import (
    QUOTA_RULES,
    QuotaRule,
    _quota_rule,
    policy_next_change,
    policy_set,
    quota_left,
    quota_rule,
)
from .visitors import (
    _visit_temperature,
    gate_visit_record,
    visit_turn_back_by_rule,
    visits_deidentify,
)

# Every name the module had before it became a package, for its callers.
__all__ = [
    "PASS_CODE_BYTES", "REASONS", "_rules_query", "pass_code_new", "pass_code_normalize",
    "rules_on", "QUOTA_RULES", "QuotaRule", "_quota_rule", "policy_next_change", "policy_set",
    "quota_left", "quota_rule", "checkpoint_create", "checkpoint_set_open", "PASS_ISSUE_ATTEMPTS",
    "pass_issue", "pass_reissue", "pass_revoke", "GATE_RULES", "HOLD_RULES", "NEXT_STEPS",
    "SCAN_RULES", "_PASS_COLS", "_checkpoint_label", "_crossing_fields", "_crossing_insert_sql",
    "_crossing_quota_sql", "_crossing_special_values", "_gate_sql", "_judge", "_late", "_left",
    "_one_statement_writes", "_open_gate_fever_alert", "_save", "_save_with_quota",
    "clock_verdict", "gate_scan", "rule_on", "scan_answer", "scan_verdict", "take_trip",
    "SNAPSHOT_SIGNING_SALT", "gate_snapshot", "offline_verdict_record",
    "offline_verdict_review", "pass_code_digest", "snapshot_moment", "_visit_temperature",
    "gate_visit_record", "visit_turn_back_by_rule", "visits_deidentify", "_is_manager", "duty_gaps",
    "check_in_opens", "planned_for_someone_else", "shift_attendance_record", "shift_check_in",
    "shift_check_out", "shift_create", "shift_name_set", "shifts_plan",
]
