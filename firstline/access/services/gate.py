"""The gate scan, the hottest path (DESIGN.md): judge, take a trip, record the crossing."""

import functools
import math
import uuid
from datetime import UTC, date, datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from firstline import clock
from firstline.accounts.scope import in_scope
from firstline.accounts.services import require_perm
from firstline.areas.models import Area
from firstline.db import facts_changed, is_unique_violation, prepared_cursor, retry_on_conflict
from firstline.errors import InvalidInput
from firstline.isolation.models import FEVER_KINDS, Alert, AlertKind, Isolation, Lockdown
from firstline.isolation.selectors import household_restriction
from firstline.isolation.services import alert_open
from firstline.people.models import Compound, Household, Resident
from firstline.rules import DEFAULTS
from firstline.rules.models import Rule
from firstline.rules.temperature import is_fever, temperature_in_range

from .. import selectors
from ..models import Checkpoint, Crossing, Decision, Direction, Pass, Policy, QuotaUse, Subject
from .common import pass_code_normalize
from .policies import QUOTA_RULES, _quota_rule, policy_next_change, quota_rule

# --- the gate scan --------------------------------------------------------------------------

SCAN_RULES = ("fever.threshold_c", "temperature.min_c", "temperature.max_c")
_DIRECTIONS = frozenset(Direction.values)


@retry_on_conflict
def gate_scan(*, actor, event_id: uuid.UUID, checkpoint: str, pass_code: str, direction: str,
              temperature: float | None, scanned_at: datetime | None, via: str = "api",
              now: datetime | None = None) -> Crossing:
    """Judge one scan as of `scanned_at` and record it, exactly once per `event_id`.

    Atomic: judge, take the quota (one conditional upsert), insert the crossing.
    The unique event_id settles repeats: a retry or a second sync of the same scan — even two
    arriving at the same instant — fails its insert, which undoes its quota (and alert) too,
    and it returns the stored first answer. (Checking for a stored answer first would cost
    every new scan a round trip for the sake of the rare retry.)

    On PostgreSQL every outcome is written by ONE statement (the quota's upsert rides in the
    crossing's INSERT as a data-modifying WITH; a fever's alert, the one outcome with two
    writes, opens its own transaction), so outside a caller's transaction a scan needs no
    BEGIN/COMMIT round trips: judge, write, done. Elsewhere (SQLite) one transaction
    around the judgement and its writes.
    """
    require_perm(actor, "access.scan")
    now = now or clock.now()
    # The device's clock is evidence: earlier is judged as of then (an offline gate syncing),
    # ahead of the server is filed and judged at the server's time (CONTRACT.md "Time").
    when = clock.device_time(scanned_at, now=now)
    if direction not in _DIRECTIONS:
        raise InvalidInput("invalid", _("direction must be \"out\" or \"in\"."), field="direction")
    judge = functools.partial(_judge, actor=actor, event_id=event_id, checkpoint_code=checkpoint,
                              pass_code=pass_code, direction=direction, temperature=temperature,
                              scanned_at=when.at, via=via, recorded_at=now,
                              device_at=when.sent if when.sent != when.at else None)
    try:
        if _one_statement_writes() and not connection.in_atomic_block:
            return judge()
        with transaction.atomic():
            return judge()
    except IntegrityError as exc:
        # Only the unique event_id says "sent before"; any other refusal stands as it is.
        done = (Crossing.objects.filter(event_id=event_id).first()
                if is_unique_violation(exc) else None)
        if done is None:
            raise
        return done


def _judge(*, actor, event_id, checkpoint_code, pass_code, direction, temperature, scanned_at,
           via, recorded_at, device_at) -> Crossing:
    day = clock.localdate(scanned_at)
    finite = temperature is not None and math.isfinite(temperature)
    # Ids, not instances, for the foreign keys: a related instance costs the gate a
    # descriptor's checks for nothing (the fever path, which reads the household, sets it).
    c = _crossing_new(event_id=event_id, subject=Subject.RESIDENT, direction=direction,
                      temperature=temperature if finite else None, scanned_at=scanned_at,
                      day=day, recorded_at=recorded_at, device_at=device_at,
                      actor_id=getattr(actor, "pk", None), via=via, decision=Decision.DENY,
                      reason="", rule_version="", id=None, checkpoint_id=None,
                      compound_id=None, area_id=None, household_id=None, pass_obj_id=None,
                      window_start=None, policy_id=None, quota_left=None)
    ops = connection.ops
    at_db, day_db = ops.adapt_datetimefield_value(scanned_at), ops.adapt_datefield_value(day)
    # One round trip: the open checkpoint, its community's path (scope), the policy version
    # in force at scanned_at, the rules in force on the local day, and the pass with its
    # household. Plain SQL that both databases run: this is the hottest path, round trips
    # dominate it, and the ORM would spend more CPU building these subqueries than the
    # database spends running them.
    with prepared_cursor() as cursor:
        cursor.execute(_gate_sql(), gate_params(day_db, at_db, pass_code, checkpoint_code))
        row = cursor.fetchone()
    if row is None or not in_scope(actor, row[3], "access.scan"):
        return _save(c, "checkpoint_unknown")
    checkpoint_id, compound_id, area_id, _path = row[:4]
    c.checkpoint_id, c.compound_id, c.area_id = checkpoint_id, compound_id, area_id
    value_field = Rule._meta.get_field("value")
    rules = {}
    for i, key in enumerate(GATE_RULES):
        pk, raw = row[10 + 2 * i], row[11 + 2 * i]
        rules[key] = ((DEFAULTS[key][0], "default") if pk is None
                      else (value_field.from_db_value(raw, None, connection), f"rule:{pk}"))
    versions = [f"{k}@{v}" for k, (_, v) in rules.items()
                if v != "default" and k in SCAN_RULES + HOLD_RULES]
    c.rule_version = " ".join(versions) or "default"
    if temperature is None and rule_on(rules["gate.temperature_required"][0]):
        # 人员进出一律测温: measure first; nothing is counted.
        return _save(c, "temperature_required")
    if temperature is not None and not (finite and temperature_in_range(
            temperature, rules["temperature.min_c"][0], rules["temperature.max_c"][0])):
        return _save(c, "bad_temperature")
    pass_id, household_id, h_compound, h_building, h_grid, issued, revoked = \
        row[_PASS_COLS:_PASS_COLS + 7]
    if pass_id is None or not issued:  # unknown, or not issued yet at scanned_at
        return _save(c, "pass_unknown")
    c.pass_obj_id, c.household_id = pass_id, household_id
    c.gate_household = selectors.household_view(household_id, *row[_PASS_COLS + 8:_PASS_COLS + 13])
    if revoked:
        return _save(c, "pass_revoked")
    if h_compound != compound_id:
        return _save(c, "wrong_compound")
    household = functools.partial(Household, pk=household_id, compound_id=h_compound,
                                  building_id=h_building, grid_id=h_grid)
    if finite and is_fever(temperature, threshold=rules["fever.threshold_c"][0]):
        c.household = household()  # the alert's grid worker is the household's
        with transaction.atomic(savepoint=False):  # two writes: the crossing and its alert
            crossing = _save(c, "fever")
            _open_gate_fever_alert(crossing, checkpoint_code=(checkpoint_code or "").strip())
        return crossing
    policy = None
    if row[4] is not None:
        starts_on = row[9] if isinstance(row[9], date) else date.fromisoformat(str(row[9]))
        policy = Policy(pk=row[4], compound_id=compound_id, version=row[5], closed=bool(row[6]),
                        out_quota=row[7], window_days=row[8], starts_on=starts_on)
    q = _quota_rule(policy, day, rules)
    # For scan_verdict's next window, without asking again: the rule's windows and the
    # version in force (a refusal alone asks when a later version takes over).
    c.gate_window_days, c.gate_policy_version = q.window_days, row[5] or 0
    c.gate_next_change = row[_PASS_COLS + 13]  # policy_next_change's, as the database gave it
    c.policy_id = policy.pk if policy is not None else None
    c.rule_version = f"{c.rule_version} {q.version}"[:200]
    window = q.window_start(day)
    c.window_start = window
    if direction == Direction.IN:
        if window is not None and _one_statement_writes():
            return _save_with_quota(c, "left", household_id=household_id, window=window,
                                    quota=q.quota)
        c.quota_left = _left(household_id, window, q.quota)
        return _save(c, "ok", allow=True)
    restriction = (household_restriction(household(), scanned_at,
                                         fever_hold=rule_on(rules["gate.fever_hold"][0]))
                   if row[_PASS_COLS + 7] else None)
    if restriction:
        return _save(c, restriction)
    if window is None:
        return _save(c, "ok", allow=True)
    if q.quota > 0 and _one_statement_writes():
        return _save_with_quota(c, "take", household_id=household_id, window=window,
                                quota=q.quota)
    used = take_trip(household_id=household_id, window_start=window, quota=q.quota)
    if used is None:
        c.quota_left = 0
        return _save(c, "quota_exhausted")
    c.quota_left = max(q.quota - used, 0)
    return _save(c, "ok", allow=True)


HOLD_RULES = ("gate.temperature_required", "gate.fever_hold")
GATE_RULES = SCAN_RULES + QUOTA_RULES + HOLD_RULES
_PASS_COLS = 10 + 2 * len(GATE_RULES)  # where the pass's columns start in the gate row


def rule_on(value) -> bool:
    """A switch rule's value: true/false, also as "on"/"off", "1"/"0" typed in the admin."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "on", "yes")
    return bool(value)


def gate_params(day, at, pass_code: str, checkpoint_code: str) -> list:
    """The parameters of _gate_sql, in its order: the local day and the moment judged (as the
    database takes them), the pass code as typed, the checkpoint's code."""
    return ([day] * (2 * len(GATE_RULES)) + [at] * 2 + [day] * 2 + [at] * 6
            + [pass_code_normalize(pass_code), (checkpoint_code or "").strip()[:40], True])


@functools.cache
def _gate_sql() -> str:
    t = {m: connection.ops.quote_name(m._meta.db_table)
         for m in (Checkpoint, Compound, Area, Policy, Rule, Pass, Household, Lockdown,
                   Isolation, Alert, Resident)}
    fever_kinds = ", ".join(f"'{k}'" for k in FEVER_KINDS)
    open_fever = (f"al.kind IN ({fever_kinds}) AND al.opened_at <= %s "
                  f"AND (al.resolved_at IS NULL OR al.resolved_at > %s)")
    rules = ", ".join(
        f"(SELECT r.id FROM {t[Rule]} r WHERE r.key = '{k}' AND r.effective_from <= %s "
        f"ORDER BY r.effective_from DESC LIMIT 1), "
        f"(SELECT r.value FROM {t[Rule]} r WHERE r.key = '{k}' AND r.effective_from <= %s "
        f"ORDER BY r.effective_from DESC LIMIT 1)" for k in GATE_RULES)
    return (
        f"SELECT c.id, c.compound_id, k.area_id, a.path, "
        f"p.id, p.version, p.closed, p.out_quota, p.window_days, p.starts_on, {rules}, "
        f"ps.id, ps.household_id, h.compound_id, h.building_id, h.grid_id, "
        f"CASE WHEN ps.issued_at <= %s THEN 1 ELSE 0 END, "
        f"CASE WHEN ps.revoked_at IS NOT NULL AND ps.revoked_at <= %s THEN 1 ELSE 0 END, "
        # Could a lockdown, an isolation or an open fever alert of a member (the fever hold)
        # restrict this household at all? Only then ask the isolation app
        # (household_restriction), which alone decides.
        f"CASE WHEN EXISTS (SELECT 1 FROM {t[Lockdown]} l WHERE l.compound_id = h.compound_id "
        f"AND l.ends_on > %s) OR EXISTS (SELECT 1 FROM {t[Isolation]} i "
        f"WHERE i.household_id = h.id AND i.ends_on > %s) "
        # The household's alerts and its members', as two lookups by index: one OR across
        # both (al.household_id = h.id OR al.resident_id IN (...)) reads the whole alert
        # table, which grows all outbreak long (19 ms a scan at 100,000 alerts).
        f"OR EXISTS (SELECT 1 FROM {t[Alert]} al WHERE al.household_id = h.id AND {open_fever}) "
        f"OR EXISTS (SELECT 1 FROM {t[Resident]} rs JOIN {t[Alert]} al "
        f"ON al.resident_id = rs.id WHERE rs.household_id = h.id AND {open_fever}) "
        f"THEN 1 ELSE 0 END, "
        # What the verdict shows the guard (selectors.household_at_gate), in the same round
        # trip: the household's address and how many live there.
        f"hk.name, h.building_name, h.unit, h.room, "
        f"(SELECT COUNT(*) FROM {t[Resident]} rm WHERE rm.household_id = h.id), "
        # For a refusal's next window (scan_verdict), in the same round trip: when the
        # compound's policy changes next (policies.policy_next_change: the earliest
        # effective_at after the moment of a version saved after the one in force).
        f"(SELECT MIN(p3.effective_at) FROM {t[Policy]} p3 WHERE p3.compound_id = c.compound_id "
        f"AND p3.effective_at > %s AND p3.version > COALESCE(p.version, 0)) "
        f"FROM {t[Checkpoint]} c JOIN {t[Compound]} k ON k.id = c.compound_id "
        f"JOIN {t[Area]} a ON a.id = k.area_id "
        # The version in force (Policy.objects.in_force_at): of those in force by then, the
        # last saved — not the one with the latest effective_at. Read by an index of the
        # compound's versions ((compound, effective_at) or the unique (compound, version):
        # the planner's choice; a compound has a few), tests/access/test_gate_plan.py.
        f"LEFT JOIN {t[Policy]} p ON p.id = (SELECT p2.id FROM {t[Policy]} p2 "
        f"WHERE p2.compound_id = c.compound_id AND p2.effective_at <= %s "
        f"ORDER BY p2.version DESC LIMIT 1) "
        f"LEFT JOIN {t[Pass]} ps ON ps.code = %s "
        f"LEFT JOIN {t[Household]} h ON h.id = ps.household_id "
        f"LEFT JOIN {t[Compound]} hk ON hk.id = h.compound_id "
        f"WHERE c.code = %s AND c.is_open = %s")


def take_trip(*, household_id: int, window_start: date, quota: int) -> int | None:
    """Take one trip out of the household's window: `used` afterwards, or None if used up.

    One statement, exact under any concurrency on PostgreSQL and SQLite: the unique key
    (household, window_start) settles who creates the row, and the conditional update
    (`used < quota`) is re-checked on the row's latest version under its row lock. (It is
    DESIGN.md's insert-then-conditional-UPDATE in a single round trip.)"""
    if quota <= 0:
        return None
    table = connection.ops.quote_name(QuotaUse._meta.db_table)
    with prepared_cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (household_id, window_start, used) VALUES (%s, %s, 1) "
            f"ON CONFLICT (household_id, window_start) DO UPDATE SET used = {table}.used + 1 "
            f"WHERE {table}.used < %s RETURNING used",
            [household_id, connection.ops.adapt_datefield_value(window_start), quota])
        row = cursor.fetchone()
    return row[0] if row else None


def _left(household_id: int, window: date | None, quota: int) -> int | None:
    if window is None:
        return None
    with prepared_cursor() as cursor:
        cursor.execute(f"SELECT used FROM {connection.ops.quote_name(QuotaUse._meta.db_table)} "
                       f"WHERE household_id = %s AND window_start = %s",
                       [household_id, connection.ops.adapt_datefield_value(window)])
        row = cursor.fetchone()
    return max(quota - (row[0] if row else 0), 0)


def _save(c: Crossing, reason: str, *, allow: bool = False) -> Crossing:
    """Insert the judged crossing (a plain INSERT: the ORM's per-save machinery costs the gate
    as much CPU as the whole judgement; no signals listen to crossings)."""
    c.reason = reason
    c.decision = Decision.ALLOW if allow else Decision.DENY
    params = [_db_value(f, getattr(c, f.attname)) for f in _crossing_fields()]
    with prepared_cursor() as cursor:
        cursor.execute(_crossing_insert_sql(), params)
        if connection.features.can_return_columns_from_insert:
            c.pk = cursor.fetchone()[0]
        else:  # SQLite before 3.35
            c.pk = cursor.lastrowid
    c._state.adding, c._state.db = False, connection.alias
    _late(c)
    return c


def _late(c: Crossing) -> None:
    """A crossing of a day already closed (an offline gate syncing late): the figures stored
    for that day are computed again (reports.store; the INSERT sends no post_save)."""
    if c.day is not None and c.day < clock.today():
        facts_changed.send(sender=Crossing, areas=[c.area_id], since=c.day)


def _one_statement_writes() -> bool:
    """Whether the database takes a quota and inserts a crossing in one statement (a
    data-modifying WITH: PostgreSQL)."""
    return connection.vendor == "postgresql"


def _save_with_quota(c: Crossing, kind: str, *, household_id: int, window: date,
                     quota: int) -> Crossing:
    """PostgreSQL: insert the crossing and, in the same statement, either
    - "take": take one trip out of the household's window — the upsert of take_trip, exact
      under any concurrency — and record "ok" or "quota_exhausted" by its outcome; or
    - "left": read the trips left (a crossing "in" takes none).
    One statement, so atomic by itself: a duplicate event_id undoes the trip taken."""
    c.reason, c.decision = "ok", Decision.ALLOW  # "take" may turn out a refusal
    special = _crossing_special_values(kind)
    fields = _crossing_fields()
    window_db = connection.ops.adapt_datefield_value(window)
    params = [household_id, window_db, quota] if kind == "take" else []
    for f in fields:
        if f.attname in special:
            params.extend({"take": [quota, quota],
                           "left": [quota, household_id, window_db]}[kind]
                          if f.attname == "quota_left" else [])
        else:
            params.append(_db_value(f, getattr(c, f.attname)))
    with prepared_cursor() as cursor:
        cursor.execute(_crossing_quota_sql(kind), params)
        c.pk, c.decision, c.reason, c.quota_left = cursor.fetchone()
    c._state.adding, c._state.db = False, connection.alias
    _late(c)
    return c


def _crossing_special_values(kind: str) -> dict[str, str]:
    """Columns of the crossing computed by the statement itself, as SQL expressions."""
    quotause = connection.ops.quote_name(QuotaUse._meta.db_table)
    if kind == "take":
        took = "EXISTS (SELECT 1 FROM took)"
        return {
            "decision": f"CASE WHEN {took} THEN '{Decision.ALLOW}' ELSE '{Decision.DENY}' END",
            "reason": f"CASE WHEN {took} THEN 'ok' ELSE 'quota_exhausted' END",
            # exhausted: quota - quota = 0
            "quota_left": "GREATEST(%s - COALESCE((SELECT used FROM took), %s), 0)",
        }
    return {"quota_left": f"(SELECT GREATEST(%s - COALESCE(MAX(u.used), 0), 0) FROM {quotause} "
                          f"u WHERE u.household_id = %s AND u.window_start = %s)"}


@functools.cache
def _crossing_quota_sql(kind: str) -> str:
    qn = connection.ops.quote_name
    fields = _crossing_fields()
    special = _crossing_special_values(kind)
    values = ", ".join(special.get(f.attname, "%s") for f in fields)
    table = qn(QuotaUse._meta.db_table)
    head = ""
    if kind == "take":
        head = (f"WITH took AS (INSERT INTO {table} (household_id, window_start, used) "
                f"VALUES (%s, %s, 1) ON CONFLICT (household_id, window_start) DO UPDATE "
                f"SET used = {table}.used + 1 WHERE {table}.used < %s RETURNING used) ")
    return (f"{head}INSERT INTO {qn(Crossing._meta.db_table)} "
            f"({', '.join(qn(f.column) for f in fields)}) VALUES ({values}) "
            f"RETURNING {qn(Crossing._meta.pk.column)}, decision, reason, quota_left")


def _db_value(field, value):
    """The crossing's value as its field sends it to the database: the field's own
    conversion for dates, times and ids; str, int, float and None go as they are (what the
    conversion returns for them), which spares the gate ~20 conversion calls a scan. On
    PostgreSQL a date, an aware datetime and a UUID go as they are too: there the fields'
    conversions return them unchanged (adapt_date*field_value, a native uuid; a naive
    datetime still goes through its field, which warns and makes it aware)."""
    kind = type(value)
    if value is None or kind in _AS_IS:
        return value
    if kind in _NATIVE and (kind is not datetime or value.tzinfo is not None) \
            and connection.vendor == "postgresql":
        return value
    return field.get_db_prep_save(value, connection)


_AS_IS = frozenset((str, int, float, bool))
_NATIVE = frozenset((date, datetime, uuid.UUID))


def _crossing_new(**values) -> Crossing:
    """A Crossing from its concrete fields' values, given by attname, built positionally:
    Model.__init__'s fast path, a third of the keyword path's CPU (which looks up every
    field's default and descriptor; ~35 µs a scan). A field not given gets its default."""
    return Crossing(*[values[f.attname] if f.attname in values else f.get_default()
                      for f in Crossing._meta.concrete_fields])


@functools.cache
def _crossing_fields():
    return [f for f in Crossing._meta.concrete_fields if not f.primary_key]


@functools.cache
def _crossing_insert_sql() -> str:
    qn = connection.ops.quote_name
    fields = _crossing_fields()
    sql = (f"INSERT INTO {qn(Crossing._meta.db_table)} "
           f"({', '.join(qn(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    if connection.features.can_return_columns_from_insert:
        sql += f" RETURNING {qn(Crossing._meta.pk.column)}"
    return sql


def _checkpoint_label(checkpoint_id, code: str) -> str:
    """"翰林华府 北门": the gate by the names a worker reading the alert knows — never the
    internal code (the code alone only for a gate without a name)."""
    row = (Checkpoint.objects.filter(pk=checkpoint_id)
           .values_list("compound__name", "name").first())
    if not row or not row[1]:
        return code
    return f"{row[0]} {row[1]}" if row[0] else row[1]


def _open_gate_fever_alert(crossing: Crossing, *, checkpoint_code: str) -> Alert:
    """Fever at the gate: an alert for the household's grid workers. No personal data in it.

    One open alert a household, as for readings at home: a person turned back who tries
    again (or another gate) updates it with the latest gate and temperature instead of
    filling the worker's list with copies; every attempt stays in the crossings."""
    detail = f"{_checkpoint_label(crossing.checkpoint_id, checkpoint_code)} " \
             f"{crossing.temperature:.1f}°C"
    # The owner is the household's grid worker (alert_open's default): a fever at the gate
    # is handed to someone by name, not left in a list nobody is told about.
    return alert_open(kind=AlertKind.GATE_FEVER, area=crossing.household.grid,
                      household=crossing.household, detail=detail,
                      source=f"crossing:{crossing.pk}", opened_at=crossing.scanned_at)


def scan_answer(c: Crossing) -> dict:
    """The API answer of a stored crossing; the same for every retry of its event_id.
    `clock` is "corrected" when the device's time ran ahead and the server's was used."""
    return {"event_id": c.event_id, "decision": c.decision, "reason": c.reason,
            "crossing_id": c.pk, "remaining": c.quota_left, "clock": clock_verdict(c.device_at,
                                                                                   c.scanned_at)}


def _db_datetime(value) -> datetime | None:
    """A timestamp read by hand-written SQL, as the ORM would give it: aware (SQLite gives
    text in UTC)."""
    if value is None or isinstance(value, datetime) and value.tzinfo is not None:
        return value
    if not isinstance(value, datetime):
        value = parse_datetime(str(value))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def clock_verdict(device_at: datetime | None, judged_at: datetime) -> str:
    """"corrected" when a device's moment was replaced by the server's, else "ok"."""
    return "corrected" if clock.was_corrected(device_at, judged_at) else "ok"


# What the guard does next, in words, for each refusal (the verdict a guard can act on).
NEXT_STEPS = {
    "fever": gettext_lazy(
        "Do not let them through. Keep them apart from others, masked, and wait for the grid "
        "worker, who has been notified; if they are very unwell call 120."),
    "quota_exhausted": gettext_lazy(
        "Do not let them out. For an urgent need (a doctor, medicine) call the grid worker; "
        "otherwise the next trip is possible when the new period starts."),
    "pass_unknown": gettext_lazy(
        "Check the code typed against the card. Still unknown: do not let them through; send "
        "them to the community staff to get a pass."),
    "pass_revoked": gettext_lazy(
        "This card was replaced or withdrawn: keep it, do not let them through, and send them "
        "to the community staff for the household's current pass."),
    "isolation": gettext_lazy(
        "The household is under home isolation: no one goes out. Their needs go through the "
        "grid worker (errands, medicine)."),
    "lockdown": gettext_lazy(
        "The building or compound is locked down: no one goes out. Call the grid worker for "
        "urgent needs."),
    "wrong_compound": gettext_lazy(
        "This pass is for another compound: they must use their own compound's gate."),
    "checkpoint_unknown": gettext_lazy(
        "This gate is closed or unknown: choose your gate at the top of the page, or ask the "
        "community staff."),
    "bad_temperature": gettext_lazy(
        "Measure again and type the temperature (for example 36.5), then scan again."),
    "fever_hold": gettext_lazy(
        "Someone in this household has a fever alert not yet resolved: no one goes out until "
        "the grid worker closes it. Coming in is allowed."),
    "temperature_required": gettext_lazy(
        "Take their temperature, type it, then scan again."),
}


def scan_verdict(c: Crossing) -> dict:
    """scan_answer, plus what a guard acts on: whose household (address, members), trips
    left, for a refusal what to do next in words, and for a fever who was told."""
    out = scan_answer(c)
    # Judged just now: the household came with the judgement's own statement (_gate_sql).
    out["household"] = getattr(c, "gate_household", None) or (
        selectors.household_at_gate(c.household_id) if c.household_id else None)
    out["next_step"] = str(NEXT_STEPS.get(c.reason, "")) if c.decision == Decision.DENY else ""
    out["next_window"] = None
    out["notified"] = None
    if c.reason == "quota_exhausted" and c.window_start and c.compound_id:
        # Judged just now: the rule came with the judgement; a stored crossing (a repeated
        # event_id) asks for the rule in force at its scan.
        if hasattr(c, "gate_window_days"):
            days = c.gate_window_days
            change = _db_datetime(c.gate_next_change)
        else:
            days = quota_rule(c.compound_id, c.scanned_at, c.day).window_days
            change = policy_next_change(c.compound_id, c.scanned_at)
        out["next_window"] = c.window_start + timedelta(days=days)
        if change is not None:
            # A pending version takes over at its own midnight, with a fresh window.
            out["next_window"] = min(out["next_window"], clock.localdate(change))
    if c.reason in ("fever", "fever_hold") and c.household_id:
        alert = (Alert.objects.open().filter(household_id=c.household_id,
                                             kind=AlertKind.GATE_FEVER).select_related("owner")
                 .order_by("pk").first())
        if alert is not None and alert.owner is not None:
            out["notified"] = str(alert.owner)
    return out
