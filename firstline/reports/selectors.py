"""The daily report (一日一报), computed from recorded facts — never typed.

How a report is computed (see docs/reports.md):
- Days are local days (settings.TIME_ZONE): day D runs from local midnight to the next.
- Stocks (residents, households, isolations) are counted as they stood at the end of day D
  (截至 24 时); flows (started, ended, readings, alerts, crossings, visits) count the facts
  dated inside day D.
- Every fact is attached to one area (usually a grid; a checkpoint's compound hangs on a
  community). One grouped query per source counts the facts of the whole subtree per area
  and per day; the tree is then rolled up in Python, so a node's count is its own facts plus
  the sum of its children's. The queries do not depend on the number of sub-areas.
- The daily report is never cached: a past day reported again gives the same numbers because
  every fact is dated (placements have since/until, isolations starts_on/ends_on/ended_at,
  ...), and a late fact (an offline gate syncing tomorrow) lands in the day it happened. The
  dashboard's trends read closed days from stored figures (reports.store), which every late
  or corrected fact invalidates.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Case, Count, DateTimeField, F, Q, QuerySet, TextField, When
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404
from django.utils import timezone

from firstline import clock
from firstline.accounts.scope import area_scope
from firstline.accounts.services import require_perm
from firstline.areas.models import Area

# The figures of the contract, in its order. key_persons is a {category: n} mapping.
FIGURES = (
    "residents", "households", "home_isolation", "centralized_isolation",
    "isolations_started", "isolations_ended", "readings_due", "readings_received",
    "fever_alerts", "crossings_out", "crossings_in", "crossings_denied", "households_visited",
    # operations (运行保障)
    "disinfection_rounds", "disinfection_overdue", "volunteers_on_duty", "tasks_overdue",
    "households_informed",
    # access: 劝返 (visitors, couriers, vehicles not admitted), apart from crossings_denied
    "visitors_turned_back",
)
KEY_PREFIX = "key_persons:"
# An extension (not in the contract's list, added beside it): the people in isolation at the
# end of the day by the reason they are isolated, home and centralized together, so that
# "close contacts in isolation" is read from isolations, not from the key-person ledger.
REASON_PREFIX = "isolations_by_reason:"
TREND_DAYS = 14


@dataclass(frozen=True)
class Window:
    """One local day as an aware [start, end) interval."""

    day: date
    start: datetime
    end: datetime


def window(day: date) -> Window:
    tz = timezone.get_default_timezone()
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return Window(day, start, end)


# --- sources --------------------------------------------------------------------------------
# A source yields (area_id, figure, day_index, n) for the facts of the areas in `area_ids`
# (a subquery of Area ids) on each window. It runs one grouped query, whatever the number of
# areas or days.

Row = tuple[int, str, int, int]
Source = Callable[[QuerySet, list[Window]], Iterable[Row]]


def grouped_counts(qs: QuerySet, area_field: str, figures: dict[str, Callable[[Window], Q]],
                   windows: list[Window], *, count: str = "",
                   distinct: bool = False) -> Iterator[Row]:
    """One GROUP BY `area_field` query with a filtered COUNT per (figure, window).

    Counts `area_field` itself by default (never null in a group), not the primary key: an
    index holding the area, the day and the filtered columns then answers the query alone
    (index-only scan)."""
    count = count or area_field
    annotations = {}
    for condition in figures.values():
        for w in windows:
            annotations[f"n{len(annotations)}"] = Count(count, filter=condition(w),
                                                        distinct=distinct)
    keys = [(figure, index) for figure in figures for index in range(len(windows))]
    for row in qs.order_by().values(area_field).annotate(**annotations):
        for (figure, index), name in zip(keys, annotations, strict=True):
            if row[name]:
                yield row[area_field], figure, index, row[name]


def residents_source(area_ids: QuerySet, windows: list[Window]) -> Iterable[Row]:
    """Residents and households by where each resident was placed at the end of the day.

    A resident who moves grids mid-day counts once, in the grid they moved to. One pass over
    the placements: grouped by (grid, household) inside, by grid outside, so the households
    are counted without a COUNT(DISTINCT) per grid (with an index on placement (grid,
    household) INCLUDE (since, until) this is an index-only scan).
    """
    from django.db import connections, transaction

    from firstline.people.models import Placement, held_at

    last, first = windows[-1], windows[0]
    # Held at the end of some day: since < last end, until >= first end.
    qs = Placement.objects.filter(grid_id__in=area_ids).overlapping(first.end, last.end)
    inner = (qs.order_by().values("grid_id", "household_id")
             .annotate(**{f"c{i}": Count("grid_id", filter=held_at(w.end))
                          for i, w in enumerate(windows)}))
    sql, params = inner.query.sql_with_params()
    sums = ", ".join(f'SUM("c{i}"), SUM(CASE WHEN "c{i}" > 0 THEN 1 ELSE 0 END)'
                     for i in range(len(windows)))
    connection = connections[inner.db]
    with transaction.atomic(using=inner.db), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Aggregate in index order (people_placement_grid_hh: grid, household INCLUDE
            # since, until): an index-only scan feeding two streaming group aggregates, no
            # hash of one group per household. The planner's costs sit on a knife edge
            # between this and a seq scan + two hash aggregates, which measured 2x slower
            # (about 250 vs 510 ms for 1M placements): rule the hash out for this query
            # only (SET LOCAL: this transaction only). Should the hash still be chosen
            # (e.g. the index missing), let it fit in memory rather than spill to disk.
            cursor.execute("SET LOCAL enable_hashagg = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(f'SELECT "grid_id", {sums} FROM ({sql}) AS placed GROUP BY "grid_id"',
                       params)
        rows = cursor.fetchall()
    for grid_id, *values in rows:
        for i in range(len(windows)):
            residents, households = values[2 * i], values[2 * i + 1]
            if residents:
                yield grid_id, "residents", i, int(residents)
                yield grid_id, "households", i, int(households)


def residents_changes(area_ids: QuerySet, before: Window, after: Window) -> Iterable[Row]:
    """The change of residents and households per grid from the end of `before` to the end of
    `after` (a later day): (grid_id, figure, 0, change), the change possibly negative.

    The dashboard's day shown is the stored day before it plus this change, which reads only
    the placements that began or ended in between (indexes people_placement (grid, since) and
    people_placement_until) and the other placements of their (grid, household) pairs
    (index-only, on people_placement_grid_hh), instead of every placement of the subtree. A
    placement that neither began nor ended in between is held at both ends or at neither, so
    only the pairs it touched can change; per pair, the residents held at each end give both
    figures (a household counts in a grid while one of its members is placed there).
    """
    from django.db import connections

    from firstline.people.models import Placement

    start, end = before.end, after.end
    touched = (Placement.objects.filter(grid_id__in=area_ids)
               .filter(Q(since__gte=start, since__lt=end) | Q(until__gte=start, until__lt=end))
               .values("grid_id", "household_id").distinct().order_by("grid_id", "household_id"))
    sql, params = touched.query.sql_with_params()
    connection = connections[touched.db]
    ends = [connection.ops.adapt_datetimefield_value(v) for v in (start, start, end, end)]
    table = connection.ops.quote_name(Placement._meta.db_table)
    held = 'p."since" < %s AND (p."until" IS NULL OR p."until" >= %s)'
    # The pairs, in index order, drive a nested loop of index lookups (materialized on
    # PostgreSQL so that the order is kept: sorted, the lookups were ~30% cheaper); the few
    # thousand pairs of a day cost far less than the pass over every placement that
    # residents_source makes.
    materialized = "MATERIALIZED " if connection.vendor == "postgresql" else ""
    query = (
        f'WITH touched AS {materialized}({sql}) '
        'SELECT "grid_id", SUM("held_after" - "held_before"), '
        'SUM(CASE WHEN "held_after" > 0 THEN 1 ELSE 0 END '
        '- CASE WHEN "held_before" > 0 THEN 1 ELSE 0 END) FROM ('
        f'SELECT p."grid_id" AS "grid_id", COUNT(CASE WHEN {held} THEN 1 END) AS "held_before", '
        f'COUNT(CASE WHEN {held} THEN 1 END) AS "held_after" '
        f'FROM touched JOIN {table} p ON p."grid_id" = touched."grid_id" '
        'AND p."household_id" = touched."household_id" '
        'GROUP BY p."grid_id", p."household_id") AS pairs GROUP BY "grid_id"')
    with connection.cursor() as cursor:
        cursor.execute(query, [*params, *ends])
        rows = cursor.fetchall()
    for grid_id, residents, households in rows:
        if residents:
            yield grid_id, "residents", 0, int(residents)
        if households:
            yield grid_id, "households", 0, int(households)


def isolations_source(area_ids: QuerySet, windows: list[Window]) -> Iterable[Row]:
    """Isolations and readings, with the isolation app's own definitions (its `schedule`
    module, also used by the self-report page and the missed-report job):

    - in force on day d: starts_on <= d < end day (ended_on, else ends_on); cancelled never
      count; by kind: home_isolation / centralized_isolation
    - isolations_started: starts_on is d; isolations_ended: the end day is d
    - readings_due: the due times of d for each isolation in force (its own reading times,
      else the rule's), readings_received: those answered in time

    Two queries (isolations overlapping the days, their readings) whatever the number of
    sub-areas or days; the rule values are read once per day, not once per isolation.
    """
    from django.db import connections

    from firstline.isolation import schedule
    from firstline.isolation.models import Isolation, Kind, Reading

    first, last = windows[0], windows[-1]
    overlapping = Isolation.objects.touching(first.day, last.day).filter(grid_id__in=area_ids)
    # Plain tuples, not model instances: a street has thousands of isolations in force.
    # Converting thousands of values costs more than the query: reading_times comes as its
    # JSON text, parsed only when not empty; created_at only when it falls inside the days
    # (created before the first day, it precedes every due time of the days: None below).
    recent = Case(When(created_at__gte=first.start, then=F("created_at")), default=None,
                  output_field=DateTimeField())
    isolations = [
        (*row[:8], json.loads(row[8]) if row[8] not in ("[]", None) else [])
        for row in overlapping.order_by().values_list(
            "id", "grid_id", "kind", "starts_on", "ends_on", "ended_on", "ended_at", recent,
            Cast("reading_times", TextField()))]
    if not isolations:
        return
    graces = {w.day: schedule.grace_for(w.day) for w in windows}
    templates: dict[tuple, list] = {}

    def day_slots(times: list, day: date) -> list:
        """schedule.slots of an isolation in force all day with these reading times; each
        isolation then keeps the due times between its creation and its end, as slots()
        does. Computed once per (times, day), not once per isolation."""
        key = (tuple(times or ()), day)
        if key not in templates:
            always = _AlwaysInForce(day, list(times or ()))
            templates[key] = schedule.slots(always, day, grace=graces[day])
        return templates[key]

    # Readings: for isolations on the rule's reading times, the database counts the readings
    # in each slot's window (one row of small integers per isolation); for the few with their
    # own times, the reading times are fetched and matched in Python.
    # The readings of the subtree's isolations taken in the days' windows (index on taken_at,
    # joined to the isolation by id): a day's few thousand readings, not one index descent per
    # isolation. Rows of isolations not in `isolations` (cancelled, not touching the days)
    # are looked up by nobody below.
    readings = Reading.objects.filter(isolation__grid_id__in=area_ids,
                                      taken_at__gte=first.start,
                                      taken_at__lt=last.end + max(graces.values()))
    windows_default = {(i, j): slot for i, w in enumerate(windows)
                       for j, slot in enumerate(day_slots([], w.day))}
    in_slot: dict[int, dict] = {}
    if windows_default:
        grouped = (readings.order_by().values("isolation_id")
                   .annotate(**{f"a{i}_{j}": Count("pk", filter=Q(taken_at__gte=slot.opens_at,
                                                                  taken_at__lt=slot.deadline))
                                for (i, j), slot in windows_default.items()}))
        # Plain rows from the cursor: a street's isolations x 14 days x the due times are
        # tens of thousands of small integers, which Django's per-value converters would cost
        # more than the query. Columns: isolation_id, then the annotations in order.
        sql, params = grouped.query.sql_with_params()
        names = [f"a{i}_{j}" for (i, j) in windows_default]
        with connections[grouped.db].cursor() as cursor:
            cursor.execute(sql, params)
            for row in cursor.fetchall():
                in_slot[row[0]] = dict(zip(names, row[1:], strict=True))
    custom = [iso[0] for iso in isolations if iso[8]]
    taken: dict[int, list] = defaultdict(list)
    if custom:
        for iso_id, at in (readings.filter(isolation_id__in=custom).order_by()
                           .values_list("isolation_id", "taken_at")):
            taken[iso_id].append(at)

    for index, w in enumerate(windows):
        counts: dict[tuple[int, str], int] = defaultdict(int)
        for (iso_id, grid_id, kind, starts_on, ends_on, ended_on, ended_at, created_at,
             reading_times) in isolations:
            stop = ended_on or ends_on  # schedule.end_day
            if starts_on == w.day:
                counts[grid_id, "isolations_started"] += 1
            if stop == w.day:
                counts[grid_id, "isolations_ended"] += 1
            if not starts_on <= w.day < stop:
                continue
            figure = "home_isolation" if kind == Kind.HOME else "centralized_isolation"
            counts[grid_id, figure] += 1
            due = [(j, slot) for j, slot in enumerate(day_slots(reading_times, w.day))
                   if (created_at is None or slot.due_at >= created_at)
                   and (ended_at is None or slot.due_at < ended_at)]
            counts[grid_id, "readings_due"] += len(due)
            if not due:
                continue
            if reading_times:
                mine = taken.get(iso_id, ())
                answered = sum(1 for _j, slot in due if schedule.answered(slot, mine))
            else:
                row = in_slot.get(iso_id)
                answered = sum(1 for j, _slot in due if row and row[f"a{index}_{j}"])
            counts[grid_id, "readings_received"] += answered
        for (grid_id, figure), n in counts.items():
            if n:
                yield grid_id, figure, index, n


@dataclass
class _AlwaysInForce:
    """Stands for an isolation in force all of `day` (for schedule.slots templates)."""

    day: date
    reading_times: list
    status: str = "active"
    ended_on: date | None = None
    ended_at: datetime | None = None
    created_at: datetime = datetime(1970, 1, 1, tzinfo=UTC)

    @property
    def starts_on(self) -> date:
        return self.day

    @property
    def ends_on(self) -> date:
        return self.day + timedelta(days=1)


def fever_alerts_source(area_ids: QuerySet, windows: list[Window]) -> Iterable[Row]:
    """Fever alerts (any kind: at home, at the gate, at a screening visit) opened that day."""
    from firstline.isolation.models import Alert

    qs = Alert.objects.fever().filter(area_id__in=area_ids, opened_at__gte=windows[0].start,
                                      opened_at__lt=windows[-1].end)
    yield from grouped_counts(qs, "area_id", {
        "fever_alerts": lambda w: Q(opened_at__gte=w.start, opened_at__lt=w.end)}, windows)


def isolation_reasons_source(area_ids: QuerySet, windows: list[Window]) -> Iterable[Row]:
    """Isolations in force at the end of each day, by reason: the in-force test of
    isolations_source (starts_on <= d < the end day; cancelled never count), so the reasons
    of a day add up to home_isolation + centralized_isolation. One query. Not stored with
    the closed days' figures (reports.store): counted from the facts on every view."""
    from firstline.isolation.models import Isolation

    first, last = windows[0], windows[-1]
    rows = (Isolation.objects.touching(first.day, last.day).filter(grid_id__in=area_ids)
            .order_by().values_list("grid_id", "reason", "starts_on", "ends_on", "ended_on"))
    counts: dict[tuple[int, str, int], int] = defaultdict(int)
    for grid_id, reason, starts_on, ends_on, ended_on in rows:
        stop = ended_on or ends_on
        for index, w in enumerate(windows):
            if starts_on <= w.day < stop:
                counts[grid_id, reason, index] += 1
    for (grid_id, reason, index), n in counts.items():
        yield grid_id, REASON_PREFIX + reason, index, n


def isolation_reasons() -> list[str]:
    """Every reason code, in the isolation app's order (each listed, 0 too)."""
    from firstline.isolation.models import Reason

    return list(Reason.values)


def all_sources() -> list[Source]:
    from . import sources

    return [residents_source, isolations_source, isolation_reasons_source,
            fever_alerts_source, *sources.SOURCES]


# --- the tree -------------------------------------------------------------------------------

@dataclass
class Node:
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    path: str
    children: list[Node] = field(default_factory=list)
    own: dict[str, list[int]] = field(default_factory=dict)
    total: dict[str, list[int]] = field(default_factory=dict)

    def value(self, figure: str, index: int = -1) -> int:
        values = self.total.get(figure)
        return values[index] if values else 0

    def key_persons(self, index: int = -1) -> dict[str, int]:
        return {f.removeprefix(KEY_PREFIX): v[index] for f, v in sorted(self.total.items())
                if f.startswith(KEY_PREFIX)}

    def isolations_by_reason(self, index: int = -1) -> dict[str, int]:
        """{reason: n} in force at the end of the day; every reason listed, 0 too."""
        out = {r: 0 for r in isolation_reasons()}
        out.update({f.removeprefix(REASON_PREFIX): v[index] for f, v in self.total.items()
                    if f.startswith(REASON_PREFIX)})
        return out


@dataclass
class Report:
    """The figures of an area's whole subtree over consecutive local days (the last is the
    report's day)."""

    root: Node
    windows: list[Window]
    nodes: dict[int, Node]
    key_categories: list[str]

    @property
    def day(self) -> date:
        return self.windows[-1].day

    def node(self, code: str) -> Node | None:
        return next((n for n in self.nodes.values() if n.code == code), None)

    def as_json(self, node: Node | None = None, index: int = -1) -> dict:
        """The contract's shape; each child has the same shape, down to the grids."""
        node = node or self.root
        out = {"area": node.code, "date": self.windows[index].day.isoformat()}
        for figure in FIGURES[:2]:
            out[figure] = node.value(figure, index)
        kp = {c: 0 for c in self.key_categories}
        kp.update(node.key_persons(index))
        out["key_persons"] = kp
        for figure in FIGURES[2:]:
            out[figure] = node.value(figure, index)
            if figure == "centralized_isolation":
                out["isolations_by_reason"] = node.isolations_by_reason(index)
        out["children"] = [self.as_json(child, index) for child in node.children]
        return out


def key_person_categories() -> list[str]:
    from . import sources

    return sources.key_person_categories()


# Sources run side by side on this many connections (PostgreSQL, outside a transaction).
# 1 = one after the other: on the 2-core benchmark machine, shared with other work, parallel
# connections only competed for the same cores (bench/daily_report.py --parallel N measures
# it); a database server with cores to spare may set it higher.
PARALLEL_SOURCES = 1
# Up to this many areas, PostgreSQL gets the subtree's ids as a literal list (a hashed
# `= ANY(...)` test per row) rather than a join to the areas table on every fact row.
LITERAL_IDS_MAX = 5000


def _area_ids(area: Area, nodes: dict):
    from django.db import connection

    if connection.vendor == "postgresql" and len(nodes) <= LITERAL_IDS_MAX:
        return sorted(nodes)
    return Area.objects.subtree(area).values("id")


def _run_sources(sources: list[Source], area_ids: QuerySet, windows: list[Window]) -> list:
    """Each source's rows. With PARALLEL_SOURCES > 1, on PostgreSQL, outside a transaction,
    the sources run side by side on their own connections (the report's wall time becomes
    that of its slowest query). Inside a transaction (tests, a caller's atomic block) they run
    one after the other so they all see the same uncommitted data."""
    from django.db import connection, connections

    if (connection.vendor != "postgresql" or connection.in_atomic_block
            or PARALLEL_SOURCES < 2 or len(sources) < 2):
        return [list(source(area_ids, windows)) for source in sources]
    from concurrent.futures import ThreadPoolExecutor

    def run(source):
        try:
            return list(source(area_ids, windows))
        finally:
            connections.close_all()  # this thread's connections only

    with ThreadPoolExecutor(max_workers=min(PARALLEL_SOURCES, len(sources))) as pool:
        return list(pool.map(run, sources))


def stored_sources() -> list[Source]:
    """The sources whose figures of closed days may be stored (reports.store), invalidated
    by a late or corrected fact: every fact they count carries its dates and area. Notices'
    reach stays live (it counts households in their current grid; one cheap query).
    Operations' disinfection_overdue reads places derived from isolations in force and the
    places' current `active` flag: stored, it is the figure as computed once the day closed
    (recomputed when a round, place, task, duty or isolation of that day changes)."""
    from . import sources

    return [residents_source, isolations_source, fever_alerts_source,
            sources.key_persons_source, sources.visits_source, sources.crossings_source,
            sources.operations_source]


def report_compute(*, area: Area, days: list[date] | None = None, day: date | None = None,
                   sources: list[Source] | None = None, cache_before: date | None = None,
                   cache_seconds: int = 600) -> Report:
    """Compute every figure for `area`'s subtree on `days` (consecutive or not; default:
    the one day `day`, default today).

    `cache_before`: the figures of closed days before it (and before today) may come from
    the stored figures (reports.store: DayFigures, exact, invalidated by any late or
    corrected fact) and are stored when computed. Only the dashboard's trends use it; the
    daily report itself (API, CLI, xlsx) is always computed from the facts.
    (`cache_seconds` is no longer used: stored figures do not expire, they are invalidated.)
    """
    if days is None:
        days = [day or clock.today()]
    windows = [window(d) for d in days]
    rows = (Area.objects.subtree(area)
            .values_list("id", "code", "name", "level", "parent_id", "path").order_by("path"))
    nodes = {r[0]: Node(*r) for r in rows}
    for node in nodes.values():
        if node.id != area.id and node.parent_id in nodes:
            nodes[node.parent_id].children.append(node)
    for node in nodes.values():
        node.children.sort(key=lambda n: n.code)
    area_ids = _area_ids(area, nodes)
    width = len(windows)
    own: dict[int, dict[int, dict]] = {i: defaultdict(dict) for i in range(width)}

    def add(rows_of_sources, indexes: list[int], into=own):
        for rows in rows_of_sources:
            for area_id, figure, index, n in rows:
                if area_id in nodes:
                    figures = into[indexes[index]][area_id]
                    figures[figure] = figures.get(figure, 0) + n

    chosen = sources if sources is not None else all_sources()
    closed: list[int] = []
    if cache_before is not None and sources is None:
        limit = min(cache_before, clock.today())
        closed = [i for i, w in enumerate(windows) if w.day < limit]
    if not closed:
        add(_run_sources(chosen, area_ids, windows), list(range(width)))
    else:
        from . import store

        kept = stored_sources()
        live = [s for s in chosen if s not in kept]
        open_ = [i for i in range(width) if i not in closed]
        # An open day right after a closed one (the dashboard's day shown) takes its residents
        # and households from that day's stored figures plus the placements changed since
        # (residents_changes): the one stock whose full count passes over every placement.
        following = [i for i in open_ if i - 1 in closed
                     and windows[i - 1].day == windows[i].day - timedelta(days=1)]
        # Live sources on every day; stored sources on the open days (today).
        add(_run_sources(live, area_ids, windows), list(range(width)))
        if open_:
            counted = [s for s in kept if s is not residents_source]
            add(_run_sources(counted, area_ids, [windows[i] for i in open_]), open_)
            full = [i for i in open_ if i not in following]
            if full:
                add(_run_sources([residents_source], area_ids, [windows[i] for i in full]),
                    full)
            for i in following:
                add([residents_changes(area_ids, windows[i - 1], windows[i])], [i])
        # Stored sources on closed days: from DayFigures, computing what is missing.
        seen_epoch = store.epoch()
        found = store.stored(nodes, [windows[i].day for i in closed])
        missing_days = [i for i in closed
                        if any((windows[i].day, a) not in found for a in nodes)]
        missing_areas = sorted({a for i in missing_days for a in nodes
                                if (windows[i].day, a) not in found})
        if missing_days:
            fresh: dict[int, dict[int, dict]] = {i: defaultdict(dict) for i in missing_days}
            # The whole subtree on the days with something missing (a source such as
            # operations' reads the subtree from its top area, not an arbitrary id list).
            add(_run_sources(kept, area_ids, [windows[i] for i in missing_days]),
                missing_days, into=fresh)
            computed = {(windows[i].day, a): dict(fresh[i].get(a, {}))
                        for i in missing_days for a in missing_areas
                        if (windows[i].day, a) not in found}
            store.store(computed, seen_epoch=seen_epoch)
            found.update(computed)
        for i in closed:
            for a in nodes:
                for figure, n in (found.get((windows[i].day, a)) or {}).items():
                    figures = own[i][a]
                    figures[figure] = figures.get(figure, 0) + n
        for i in following:  # the day before's stock plus the change added above
            for a in nodes:
                before = found.get((windows[i - 1].day, a)) or {}
                for figure in ("residents", "households"):
                    if before.get(figure):
                        figures = own[i][a]
                        figures[figure] = figures.get(figure, 0) + before[figure]
    for index, per_area in own.items():
        for area_id, figures in per_area.items():
            node = nodes.get(area_id)
            if node is None:
                continue
            for figure, n in figures.items():
                node.own.setdefault(figure, [0] * width)[index] += n
    # Roll up: deepest first, so a node's children are complete before it is summed.
    for node in sorted(nodes.values(), key=lambda n: -n.path.count("/")):
        total = {f: list(v) for f, v in node.own.items()}
        for child in node.children:
            for figure, values in child.total.items():
                acc = total.setdefault(figure, [0] * width)
                for i, v in enumerate(values):
                    acc[i] += v
        node.total = total
    return Report(root=nodes[area.id], windows=windows, nodes=nodes,
                  key_categories=key_person_categories())


def daily_report(*, area: Area, day: date | None = None) -> dict:
    """The contract's JSON for one area and one local day."""
    return report_compute(area=area, day=day).as_json()


# --- scoped access --------------------------------------------------------------------------

def report_area_for_user(user, code: str, perm: str = "reports.view") -> Area:
    """The area if the user's role allows `perm` and the area lies in their scope.

    A missing role is a 403 (PermissionDenied); an area outside scope (or unknown) a 404.
    Scope counts only the assignments whose role carries `perm`.
    """
    require_perm(user, perm)
    return get_object_or_404(Area.objects.filter(area_scope(user, None, perm)), code=code)


def report_root_for_user(user, perm: str = "reports.dashboard") -> Area | None:
    """The highest area the user may report on (their first assignment carrying `perm`)."""
    return Area.objects.filter(area_scope(user, None, perm)).order_by("depth", "code").first()


def breadcrumbs(user, area: Area, perm: str) -> list[Area]:
    """The ancestors of `area` the user may open, root first, then `area`."""
    return [a for a in area.ancestors() if Area.objects.filter(
        area_scope(user, None, perm), pk=a.pk).exists()]


def parse_day(text: str | None, *, field: str = "date") -> date:
    """A YYYY-MM-DD local date (apitypes.date_read) from 1900 to today; today when empty.
    Anything else is a 422 (InvalidInput)."""
    from django.utils.translation import gettext as _

    from firstline.apitypes import EARLIEST, date_read
    from firstline.errors import InvalidInput

    day = date_read(text, field=field)
    if day is None:
        return clock.today()
    if day < EARLIEST:  # 0001-01-01: a typo, and the day before it is no date at all
        raise InvalidInput("bad_date", _("%(field)s: %(value)s is not a date from %(first)d to "
                                         "today.") % {"field": field, "value": day.isoformat(),
                                                      "first": EARLIEST.year}, field=field)
    if day > clock.today():
        raise InvalidInput("future_date", _("%(field)s: %(value)s is in the future; a report "
                                            "covers days that have begun.")
                           % {"field": field, "value": day.isoformat()}, field=field)
    return day
