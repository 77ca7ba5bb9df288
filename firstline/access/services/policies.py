"""Compound policies: closed or not, and the out-trip quota per household."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db import connection, transaction
from django.utils.translation import gettext as _

from firstline import clock
from firstline.accounts.actions import AuditAction
from firstline.accounts.services import audit, require_perm
from firstline.apitypes import EARLIEST, LATEST, day_in_range
from firstline.errors import InvalidInput

from ..models import Crossing, Decision, Direction, Policy, QuotaUse, Subject
from .common import rules_on

# --- policies -------------------------------------------------------------------------------

@transaction.atomic
def policy_set(*, compound, closed: bool, out_quota: int, window_days: int, starts_on: date,
               actor, now: datetime | None = None) -> Policy:
    """A new policy version for the compound, in force from the next scan — or, when its
    windows start on a later day, from local midnight starting `starts_on`: saving "from
    tomorrow, 1 trip every 2 days" leaves today under the version in force now (or the rule
    defaults), never without a quota. Of the versions in force by a moment, the last saved
    wins (Policy.objects.in_force_at): a correction saved now overrides a pending change
    from its date too."""
    require_perm(actor, "access.manage")
    if out_quota < 0 or out_quota > 100:
        raise InvalidInput("bad_quota", _("out_quota must be between 0 and 100."), field="out_quota")
    if window_days < 1 or window_days > 366:
        raise InvalidInput("bad_window", _("window_days must be between 1 and 366."),
                           field="window_days")
    if not day_in_range(starts_on):  # a typo; year 1's midnight is no moment in UTC either
        raise InvalidInput("bad_starts_on", _("starts_on must be a date from %(first)d to "
                                              "%(last)d.") % {"first": EARLIEST.year,
                                                              "last": LATEST.year},
                           field="starts_on")
    now = now or clock.now()
    effective_at = max(now, clock.day_start(starts_on).astimezone(UTC))  # stored in UTC
    # Lock the compound's versions so two concurrent PUTs get distinct version numbers.
    last = (Policy.objects.select_for_update().filter(compound=compound)
            .order_by("-version").first())
    policy = Policy.objects.create(
        compound=compound, version=(last.version + 1) if last else 1, closed=closed,
        out_quota=out_quota, window_days=window_days, starts_on=starts_on,
        effective_at=effective_at, created_by=actor if getattr(actor, "pk", None) else None)
    if effective_at == now:
        # In force at once, maybe mid-window. A version for a later day starts with a fresh
        # window at its own midnight: no trip of its windows can have been taken yet.
        _carry_trips(policy, day=clock.localdate(now))
    audit(actor=actor, action=AuditAction.ACCESS_POLICY_SET, obj=policy,
          detail=f"closed={closed} quota={out_quota}/{window_days}d from {starts_on}, "
                 f"in force from {effective_at.isoformat(timespec='seconds')}")
    return policy


def _carry_trips(policy: Policy, *, day: date) -> None:
    """Trips already taken count in the new version's window (CONTRACT.md: windows are calendar
    periods from `starts_on`, and every "out" in one counts). A version whose window holding
    `day` starts on another date than the old one's would otherwise begin every household at
    zero: tightening the rule at noon would hand everyone who went out that morning a fresh
    trip. So the counter of that window is set to the household's trips out allowed in its
    days, whichever version judged them (never lowered: one statement, exact against scans
    counted meanwhile under the same window). Trips judged later under an older version (an
    offline gate syncing scans from before the change) count in the old version's window only.
    """
    start = _quota_rule(policy, day).window_start(day)
    if start is None:
        return
    qn, ops = connection.ops.quote_name, connection.ops
    quota, crossing = qn(QuotaUse._meta.db_table), qn(Crossing._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quota} (household_id, window_start, used) "
            f"SELECT household_id, %s, COUNT(*) FROM {crossing} "
            # (day, area) leads the crossings' index; the compound's crossings are its area's.
            f"WHERE day >= %s AND day < %s AND area_id = %s AND compound_id = %s "
            f"AND household_id IS NOT NULL AND subject = %s AND direction = %s "
            f"AND decision = %s GROUP BY household_id "
            f"ON CONFLICT (household_id, window_start) DO UPDATE SET used = "
            f"CASE WHEN excluded.used > {quota}.used THEN excluded.used ELSE {quota}.used END",
            [ops.adapt_datefield_value(start), ops.adapt_datefield_value(start),
             ops.adapt_datefield_value(start + timedelta(days=policy.window_days)),
             policy.compound.area_id, policy.compound_id, Subject.RESIDENT, Direction.OUT,
             Decision.ALLOW])


@dataclass(frozen=True)
class QuotaRule:
    closed: bool
    quota: int
    window_days: int
    starts_on: date
    policy_id: int | None
    version: str

    def window_start(self, day: date) -> date | None:
        """First day of the quota window holding local `day`; None when no quota applies.
        (A version comes into force at the earliest at 00:00 on its start date, so `day`
        precedes it only for a version saved for a later day before that rule, whose day had
        come when migration access.0013 ran: scans of those days were judged so then.)"""
        if not self.closed or day < self.starts_on:
            return None
        offset = (day - self.starts_on).days // self.window_days * self.window_days
        return self.starts_on + timedelta(days=offset)


def quota_rule(compound_id: int, at: datetime, day: date) -> QuotaRule:
    """The compound's policy in force at `at`, or the rule defaults (closed, 1 per 2 days)."""
    policy = Policy.objects.filter(compound_id=compound_id).in_force_at(at).first()
    return _quota_rule(policy, day)


def policy_next_change(compound_id: int, at: datetime, *,
                       in_force_version: int | None = None) -> datetime | None:
    """When the compound's policy changes next after `at`: the earliest `effective_at` of a
    version saved after the one in force (one saved before it never applies: the last saved
    wins). None when no change is pending. `in_force_version` (0: none in force), when the
    caller has just read it, saves asking for it again."""
    if in_force_version is None:
        current = Policy.objects.filter(compound_id=compound_id).in_force_at(at).first()
        in_force_version = current.version if current else 0
    return (Policy.objects.filter(compound_id=compound_id, effective_at__gt=at,
                                  version__gt=in_force_version)
            .order_by("effective_at").values_list("effective_at", flat=True).first())


QUOTA_RULES = ("pass.out_quota", "pass.window_days", "pass.windows_from")


def _quota_rule(policy, day: date, rules: dict | None = None) -> QuotaRule:
    if policy is not None:
        return QuotaRule(policy.closed, policy.out_quota, policy.window_days, policy.starts_on,
                         policy.pk, f"policy:{policy.pk}v{policy.version}")
    r = rules or rules_on(QUOTA_RULES, day)
    return QuotaRule(True, int(r["pass.out_quota"][0]), int(r["pass.window_days"][0]),
                     date.fromisoformat(str(r["pass.windows_from"][0])), None,
                     "quota:" + "/".join(r[k][1] for k in QUOTA_RULES))


def quota_left(household, at: datetime | None = None) -> int | None:
    """Trips out the household has left in the window holding `at`; None when unlimited."""
    at = at or clock.now()
    day = clock.localdate(at)
    q = quota_rule(household.compound_id, at, day)
    start = q.window_start(day)
    if start is None:
        return None
    used = (QuotaUse.objects.filter(household=household, window_start=start)
            .values_list("used", flat=True).first() or 0)
    return max(q.quota - used, 0)
