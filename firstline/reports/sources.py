"""Report sources of the apps beside the core counts (people: key persons and screening
visits; access: gate crossings; operations: disinfection, duty, tasks; residents: notices).

Each source is one grouped query over the whole subtree (see selectors.grouped_counts). The
definitions agree with the owning apps' own per-area selectors
(people.selectors.key_person_counts / households_visited, ...); tests/reports checks that.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery

from firstline.access.models import Crossing
from firstline.people.models import KeyPerson, KeyPersonCategory, Placement, ScreeningVisit
from firstline.residents.models import NoticeAck

from .selectors import KEY_PREFIX, Row, Window, grouped_counts

# --- people: key persons (重点人员) and screening visits (入户摸排) -------------------------

def key_person_categories() -> list[str]:
    return list(KeyPersonCategory.objects.filter(active=True).order_by("order", "code")
                .values_list("code", flat=True))


def key_person_category_titles() -> dict[str, str]:
    return {c.code: c.label for c in KeyPersonCategory.objects.all()}


def key_persons_source(area_ids, windows: list[Window]) -> Iterable[Row]:
    """Key persons open at the end of the day, by category, in the grid the resident lived in
    then; a resident counts once per category.

    Driven by the key-person table (thousands of rows, not the million placements): each
    open fact looks up its resident's placement at 24:00 through the (resident, since) index,
    once (the grid is computed in a materialized step, then filtered and grouped: filtering
    on the annotation directly made PostgreSQL look every placement up twice). One query per
    day.
    """
    from django.db import connections

    for index, w in enumerate(windows):
        grid = Subquery(Placement.objects.current(w.end).filter(resident_id=OuterRef("resident_id"))
                        .order_by("-since").values("grid_id")[:1])
        placed = (KeyPerson.objects.current(w.end).annotate(placed_grid=grid).order_by()
                  .values("resident_id", "placed_grid", category_code=F("category__code")))
        sql, params = placed.query.sql_with_params()
        ids = list(area_ids) if isinstance(area_ids, list) else None
        connection = connections[placed.db]
        materialized = "MATERIALIZED " if connection.vendor == "postgresql" else ""
        query = (f'WITH placed AS {materialized}({sql}) '
                 'SELECT "placed_grid", "category_code", COUNT(DISTINCT "resident_id") '
                 'FROM placed')
        if ids is None:
            sub, sub_params = area_ids.query.sql_with_params()
            query += f' WHERE "placed_grid" IN ({sub})'
            params = (*params, *sub_params)
        query += ' GROUP BY "placed_grid", "category_code"'
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            rows = cursor.fetchall()
        wanted = set(ids) if ids is not None else None
        for grid_id, code, n in rows:
            if grid_id is not None and (wanted is None or grid_id in wanted):
                yield grid_id, KEY_PREFIX + code, index, n


def visits_source(area_ids: QuerySet, windows: list[Window]) -> Iterable[Row]:
    """Households screened during the day (distinct, per grid): the visits that count are
    people's one definition, ScreeningVisit.objects.screened()."""
    qs = ScreeningVisit.objects.screened().filter(
        grid_id__in=area_ids, visited_at__gte=windows[0].start, visited_at__lt=windows[-1].end)
    yield from grouped_counts(qs, "grid_id", {
        "households_visited": lambda w: Q(visited_at__gte=w.start, visited_at__lt=w.end)},
        windows, count="household_id", distinct=True)


# --- access: gate crossings (出入登记) ------------------------------------------------------

def crossings_source(area_ids: QuerySet, windows: list[Window]) -> Iterable[Row]:
    """Crossings on the day at the gates of compounds, counted in the compound's community
    (where the gate is; visitors and couriers have no household). Allowed "out"/"in";
    refusals except those access does not count (a mistyped temperature, a bad device)."""
    from firstline.access.selectors import NOT_COUNTED_REASONS
    qs = Crossing.objects.filter(area_id__in=area_ids, day__gte=windows[0].day,
                                 day__lte=windows[-1].day)
    # crossings_denied: pass scans refused; visitors_turned_back (劝返): visitors, couriers
    # and vehicles not admitted. Two figures, never one sum (HQ reports 劝返 upward).
    resident = Q(subject="resident")
    denied = Q(decision="deny") & resident & ~Q(reason__in=NOT_COUNTED_REASONS)
    turned_back = Q(decision="deny") & ~resident
    if len(windows) == 1:
        allow = Q(decision="allow")
        yield from grouped_counts(qs, "area_id", {
            "crossings_out": lambda w: allow & Q(direction="out"),
            "crossings_in": lambda w: allow & Q(direction="in"),
            "crossings_denied": lambda w: denied,
            "visitors_turned_back": lambda w: turned_back,
        }, windows)
        return
    # Several days (the dashboard's trends): crossings carry their local day, so group by it
    # rather than test every row against every day.
    index = {w.day: i for i, w in enumerate(windows)}
    allow = Q(decision="allow")
    for row in (qs.order_by().values("area_id", "day")
                .annotate(out=Count("area_id", filter=allow & Q(direction="out")),
                          in_=Count("area_id", filter=allow & Q(direction="in")),
                          denied=Count("area_id", filter=denied),
                          turned_back=Count("area_id", filter=turned_back))):
        i = index.get(row["day"])
        if i is None:
            continue
        for figure, key in (("crossings_out", "out"), ("crossings_in", "in_"),
                            ("crossings_denied", "denied"),
                            ("visitors_turned_back", "turned_back")):
            if row[key]:
                yield row["area_id"], figure, i, row[key]


# --- operations: disinfection, people on duty, HQ tasks (运行保障) -------------------------

def operations_source(area_ids: QuerySet, windows: list[Window]) -> Iterable[Row]:
    """Rounds done, places overdue, people on duty and tasks overdue, with the operations
    app's own definitions (operations.selectors.report_rows)."""
    from firstline.operations.selectors import report_rows

    yield from report_rows(area_ids, windows)
# --- residents: notices' read receipts (宣传覆盖) ------------------------------------------

def notices_source(area_ids: QuerySet, windows: list[Window]) -> Iterable[Row]:
    """Households (in their grid) that acknowledged at least one notice by the end of the
    day: the 宣传全覆盖 figure HQ reports upward (reach = households_informed / households)."""
    qs = NoticeAck.objects.filter(household__grid_id__in=area_ids, at__lt=windows[-1].end)
    yield from grouped_counts(qs, "household__grid_id", {
        "households_informed": lambda w: Q(at__lt=w.end)}, windows, count="household_id",
        distinct=True)


# --- registry --------------------------------------------------------------------------------

SOURCES = [key_persons_source, visits_source, crossings_source, operations_source,
           notices_source]
