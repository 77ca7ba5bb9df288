"""Report sources from the apps built alongside reports (people: key persons and screening
visits; isolation: readings; access: gate crossings).

Each source is one grouped query over the whole subtree (see selectors.grouped_counts); it is
used once its app's model exists. Until then its figures are 0 and `missing()` names them
(the dashboard says so). The definitions agree with the owning apps' own per-area selectors
(people.selectors.key_person_counts / households_visited, ...); tests/reports checks that.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from .selectors import KEY_PREFIX, Row, Window, grouped_counts


def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


# --- people: key persons (重点人员) and screening visits (入户摸排) -------------------------

def key_person_categories() -> list[str]:
    model = _model("people.KeyPersonCategory")
    if model is None:
        return []
    return list(model.objects.filter(active=True).order_by("order", "code")
                .values_list("code", flat=True))


def key_person_category_titles() -> dict[str, str]:
    model = _model("people.KeyPersonCategory")
    if model is None:
        return {}
    return {c.code: c.label for c in model.objects.all()}


def key_persons_source(area_ids: QuerySet, windows: list[Window]) -> Iterable[Row]:
    """Key persons open at the end of the day, by category, in the grid the resident lived in
    then; a resident counts once per category.

    Driven by the key-person table (thousands of rows, not the million placements): each
    open fact looks up its resident's placement at 24:00 through the (resident, since) index.
    One query per day.
    """
    KeyPerson = _model("people.KeyPerson")
    Placement = _model("people.Placement")
    for index, w in enumerate(windows):
        grid = Subquery(Placement.objects.current(w.end).filter(resident_id=OuterRef("resident_id"))
                        .order_by("-since").values("grid_id")[:1])
        rows = (KeyPerson.objects.current(w.end)
                .annotate(placed_grid=grid).filter(placed_grid__in=area_ids)
                .order_by().values("placed_grid", "category__code")
                .annotate(n=Count("resident_id", distinct=True)))
        for row in rows:
            yield row["placed_grid"], KEY_PREFIX + row["category__code"], index, row["n"]


def visits_source(area_ids: QuerySet, windows: list[Window]) -> Iterable[Row]:
    """Households with a screening visit during the day (distinct, per grid)."""
    ScreeningVisit = _model("people.ScreeningVisit")
    qs = ScreeningVisit.objects.filter(grid_id__in=area_ids, visited_at__gte=windows[0].start,
                              visited_at__lt=windows[-1].end)
    yield from grouped_counts(qs, "grid_id", {
        "households_visited": lambda w: Q(visited_at__gte=w.start, visited_at__lt=w.end)},
        windows, count="household_id", distinct=True)


# --- access: gate crossings (出入登记) ------------------------------------------------------

def crossings_source(area_ids: QuerySet, windows: list[Window]) -> Iterable[Row]:
    """Crossings on the day at the gates of compounds, counted in the compound's community
    (where the gate is; visitors and couriers have no household). Allowed "out"/"in";
    refusals except those access does not count (a mistyped temperature, a bad device)."""
    Crossing = _model("access.Crossing")
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
    NoticeAck = _model("residents.NoticeAck")
    qs = NoticeAck.objects.filter(household__grid_id__in=area_ids, at__lt=windows[-1].end)
    yield from grouped_counts(qs, "household__grid_id", {
        "households_informed": lambda w: Q(at__lt=w.end)}, windows, count="household_id",
        distinct=True)


# --- registry --------------------------------------------------------------------------------

SOURCES = [
    # (model that must exist, figures it gives, source)
    ("people.KeyPerson", ["key_persons"], key_persons_source),
    ("people.ScreeningVisit", ["households_visited"], visits_source),
    ("access.Crossing", ["crossings_out", "crossings_in", "crossings_denied",
                         "visitors_turned_back"], crossings_source),
    ("operations.Round", ["disinfection_rounds", "disinfection_overdue", "volunteers_on_duty",
                          "tasks_overdue"], operations_source),
    ("residents.NoticeAck", ["households_informed"], notices_source),
]
PENDING: list = [
    # (model, figures) whose source app has not landed yet
]


def available() -> list:
    return [source for label, _figures, source in SOURCES if _model(label) is not None]


def missing() -> list[str]:
    """Figures that are not computed yet because their source model does not exist."""
    out = []
    for label, figures, *_rest in [*SOURCES, *PENDING]:
        if _model(label) is None or len(_rest) == 0:
            out.extend(figures)
    return out
