"""Read side of the roster, screening and key persons.

Two kinds of readers:

1. Users (views, API): every query goes through `area_scope(user, ...)`; outside scope is a
   404, the same answer as "missing". A resident, household or visit is in scope through its
   grid; a compound through its community or through a household in a grid in scope.

2. The daily report (firstline.reports), which has already checked that the user may see
   `area`. These count by LOCAL day (settings.TIME_ZONE, Asia/Shanghai) and by where each
   resident lived at the END of that day (the dated `Placement` history), so a past day's
   numbers stay the same after later moves:

   residents_in_area_on(area, day) -> int
       residents whose placement at the end of `day` is in a grid inside `area`'s subtree.
   households_in_area_on(area, day) -> int
       distinct households of those placements.
   key_person_counts(area, day) -> {category_code: n}
       key persons (KeyPerson facts open at the end of `day`) who lived inside `area` then;
       one resident counts once per category; every active category is present (0 too).
   households_visited(area, day) -> int
       distinct households in `area` screened during local `day`
       (ScreeningVisit.objects.screened(): someone reached; not "nobody home", not a
       confirmed return declaration).

   `area` is an `areas.Area`; the subtree is `subtree_q(area)`, so a grid, a
   community, a street... all work. `day` is a `datetime.date`.
"""

import functools
import re
from datetime import date, datetime, time, timedelta

from django.db.models import CharField, Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404

from firstline import clock
from firstline.accounts.models import AuditEntry
from firstline.accounts.scope import area_scope, perm_or
from firstline.areas.models import Area, subtree_q

from .models import (
    Compound,
    Household,
    ImportJob,
    KeyPerson,
    KeyPersonCategory,
    Placement,
    Resident,
    RiskArea,
    ScreeningVisit,
)

VIEW = "people.view"  # what a selector scopes by when no permission is named or in play

# --- local days -----------------------------------------------------------------------------


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of local `day` as aware datetimes."""
    tz = clock.zone()
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return start, end


def placements_in_area_on(area, day: date) -> QuerySet[Placement]:
    _start, end = day_bounds(day)
    return Placement.objects.current(end).filter(subtree_q(area, "grid"))


# --- for the daily report -------------------------------------------------------------------


def residents_in_area_on(area, day: date) -> int:
    return placements_in_area_on(area, day).values("resident_id").distinct().count()


def households_in_area_on(area, day: date) -> int:
    return placements_in_area_on(area, day).values("household_id").distinct().count()


def key_person_counts(area, day: date) -> dict[str, int]:
    _start, end = day_bounds(day)
    lived_here = placements_in_area_on(area, day).filter(resident_id=OuterRef("resident_id"))
    rows = (KeyPerson.objects.current(end)
            .filter(Exists(lived_here))
            .values("category__code")
            .annotate(n=Count("resident_id", distinct=True)))
    counts = {code: 0 for code in
              KeyPersonCategory.objects.filter(active=True).values_list("code", flat=True)}
    for row in rows:
        counts[row["category__code"]] = row["n"]
    return counts


def households_visited(area, day: date) -> int:
    start, end = day_bounds(day)
    return (ScreeningVisit.objects.screened().filter(subtree_q(area, "grid"),
                                                     visited_at__gte=start, visited_at__lt=end)
            .values("household_id").distinct().count())


# --- scoped reads for users -----------------------------------------------------------------


def residents_visible_to(user, perm: str | None = None) -> QuerySet[Resident]:
    return Resident.objects.filter(area_scope(user, "grid", perm_or(user, perm, VIEW)))


def resident_get_for_user(user, resident_id) -> Resident:
    qs = residents_visible_to(user).select_related("grid", "household", "household__compound")
    return get_object_or_404(qs, pk=resident_id)


def households_visible_to(user, perm: str | None = None) -> QuerySet[Household]:
    return Household.objects.filter(area_scope(user, "grid", perm_or(user, perm, VIEW)))


def household_get_for_user(user, household_id) -> Household:
    qs = households_visible_to(user).select_related("compound", "grid")
    return get_object_or_404(qs, pk=household_id)


def compounds_visible_to(user, perm: str | None = None) -> QuerySet[Compound]:
    perm = perm_or(user, perm, VIEW)
    via_households = (Household.objects.filter(area_scope(user, "grid", perm))
                      .values("compound_id"))
    return Compound.objects.filter(area_scope(user, "area", perm) | Q(pk__in=via_households))


def compounds_in_area(qs: QuerySet[Compound], area) -> QuerySet[Compound]:
    """Compounds in `area`'s subtree, or (for a grid) with a household in it."""
    in_grids = Household.objects.filter(subtree_q(area, "grid")).values("compound_id")
    return qs.filter(subtree_q(area, "area") | Q(pk__in=in_grids))


def compound_get_for_user(user, compound_id) -> Compound:
    return get_object_or_404(compounds_visible_to(user), pk=compound_id)


def resident_search(qs: QuerySet[Resident], q: str) -> QuerySet[Resident]:
    """`q` matches the name (contains), the phone's tail or the ID number's tail; or, typed
    as an address ("凤凰城 1栋 1单元 502室", "1栋1单元502", "凤凰城 502"), the residents of the
    households it names (households_matching).

    On PostgreSQL trigram indexes serve the name, ID number and phone (contains / ends with),
    so a search at a million residents reads a few index pages, not the table."""
    from .services import ADDRESS_SUFFIXES

    q = (q or "").strip()
    if not q:
        return qs
    suffixes = [sfx for group in ADDRESS_SUFFIXES.values() for sfx in group]
    if " " in q or any(sfx in q for sfx in suffixes):
        households = households_matching(Household.objects.all(), q).order_by().values("id")
        return qs.filter(household_id__in=households)
    terms = Q(name__contains=q)
    if q.isdigit() or q[-1:].upper() == "X":
        tail = q.upper()
        terms |= Q(id_number__endswith=tail)
        if q.isdigit():
            terms |= Q(phone__endswith=q)
    return qs.filter(terms)


def residents_in(qs: QuerySet[Resident], *, area=None, compound=None, household=None):
    if area is not None:
        qs = qs.filter(subtree_q(area, "grid"))
    if compound is not None:
        qs = qs.filter(household__compound=compound)
    if household is not None:
        qs = qs.filter(household=household)
    return qs


def households_with_members(qs: QuerySet[Household]) -> QuerySet[Household]:
    return qs.annotate(members=Count("residents"))


def visits_visible_to(user, perm: str | None = None) -> QuerySet[ScreeningVisit]:
    return ScreeningVisit.objects.filter(area_scope(user, "grid", perm_or(user, perm, VIEW)))


def households_with_last_visit(qs: QuerySet[Household]) -> QuerySet[Household]:
    """`last_visit`: when each household was last screened (ScreeningVisit.objects.screened();
    None: never)."""
    screened = (ScreeningVisit.objects.screened().filter(household_id=OuterRef("pk"))
                .order_by("-visited_at").values("visited_at")[:1])
    return qs.annotate(last_visit=Subquery(screened))


def visits_unscreened_since(households) -> dict[int, ScreeningVisit]:
    """For each of `households` (annotated by households_with_last_visit), its latest visit
    when that did not screen the household (nobody home, a confirmed return declaration) and
    came after the last one that did: the attempt a list shows honestly beside the last visit."""
    ids = [h.pk for h in households]
    latest = (ScreeningVisit.objects.filter(household_id=OuterRef("pk"))
              .order_by("-visited_at", "-pk").values("pk")[:1])
    last_ids = (Household.objects.filter(pk__in=ids).annotate(v=Subquery(latest))
                .values_list("v", flat=True))
    by_household = {v.household_id: v for v in ScreeningVisit.objects.filter(
        pk__in=[v for v in last_ids if v is not None])}
    found = {}
    for h in households:
        v = by_household.get(h.pk)
        if v is not None and (h.last_visit is None or v.visited_at > h.last_visit):
            found[h.pk] = v
    return found


def key_persons_open(user, *, at: datetime | None = None) -> QuerySet[KeyPerson]:
    """The key-person ledger: facts open now (or at `at`) about residents in scope."""
    at = at or clock.now()
    return (KeyPerson.objects.current(at)
            .filter(area_scope(user, "resident__grid", perm_or(user, None, VIEW)))
            .select_related("resident", "resident__grid", "resident__household",
                            "resident__household__compound", "category"))


def households_not_visited(user, *, days: int, now: datetime | None = None,
                           area=None) -> QuerySet[Household]:
    """Households in scope with current residents not screened in the last `days` days (an
    attempt with nobody home or a confirmed return declaration does not count:
    ScreeningVisit.objects.screened())."""
    now = now or clock.now()
    since = now - timedelta(days=days)
    recent = ScreeningVisit.objects.screened().filter(household_id=OuterRef("pk"),
                                                      visited_at__gte=since)
    qs = households_visible_to(user).filter(Exists(Resident.objects.filter(
        household_id=OuterRef("pk"))))
    if area is not None:
        qs = qs.filter(subtree_q(area, "grid"))
    return qs.filter(~Exists(recent)).select_related("compound", "grid")


def import_jobs_visible_to(user) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(created_by=user)


# --- the risk-area list (中高风险地区) ----------------------------------------------------------
# One national list, not area-scoped: every user with people.view may read it.


def risk_areas_current(on: date) -> QuerySet[RiskArea]:
    """Entries not ended by local date `on` (listed today, or from a later date)."""
    return RiskArea.objects.not_delisted_by(on).order_by("province", "city", "since")


def risk_areas_ended(on: date, *, days: int = 30) -> QuerySet[RiskArea]:
    """Entries that ended in the `days` days up to `on`, most recent first."""
    return RiskArea.objects.filter(until__lte=on, until__gt=on - timedelta(days=days)).order_by(
        "-until", "province", "city")


def risk_area_get(pk) -> RiskArea:
    return get_object_or_404(RiskArea, pk=pk)


@functools.cache
def _address_parts():
    """Numbers with the suffix that says which part they are (the normalisers' suffixes),
    or words."""
    from .services import ADDRESS_SUFFIXES

    suffixes = sorted((sfx for group in ADDRESS_SUFFIXES.values() for sfx in group),
                      key=len, reverse=True)
    return re.compile(r"([0-9]+[A-Za-z]?|[A-Za-z][0-9]+)\s*(" + "|".join(suffixes)
                      + r")?|([^\s0-9]+)")


def households_matching(qs: QuerySet, text: str) -> QuerySet:
    """Households matching what a worker types, the way pages show addresses: "502",
    "502室", "凤凰城 502", "凤凰城 1栋 1单元 502室", "1栋1单元502", full-width "５０２", or a
    resident's name. Every part must match: 栋 parts the building, 单元 the unit, 室/号 the
    room, bare numbers any of them, words the compound or a member's name."""
    from .services import ADDRESS_SUFFIXES, FULL_WIDTH

    text = (text or "").translate(FULL_WIDTH).strip()[:60]
    for number, suffix, word in _address_parts().findall(text):
        if word:
            qs = qs.filter(Q(compound__name__contains=word) | Q(residents__name__contains=word))
        elif suffix in ADDRESS_SUFFIXES["building"]:
            qs = qs.filter(building_name__iexact=number)
        elif suffix in ADDRESS_SUFFIXES["unit"]:
            qs = qs.filter(unit__iexact=number)
        elif suffix:
            qs = qs.filter(room__iexact=number)
        else:
            qs = qs.filter(Q(room__startswith=number) | Q(building_name__iexact=number)
                           | Q(unit__iexact=number))
    return qs.distinct() if text else qs


# --- the personal-data audit ----------------------------------------------------------------

# Audit rows about the objects of apps above this one (a verification list's export, a
# tipster's contact read): each such app registers, in its AppConfig.ready, its object type
# with a function giving the ids (as text) of its objects that a user's `perm` covers. The
# audit page lists those rows to the auditors of those areas.
AUDIT_OBJECT_SCOPES: dict = {}


def audit_object_scope(object_type: str, ids_for) -> None:
    """Register `ids_for(user, perm) -> QuerySet of text ids` for the audit rows about
    `object_type` ("lists.checklist")."""
    AUDIT_OBJECT_SCOPES[object_type] = ids_for


def text_ids(qs: QuerySet):
    """A queryset's primary keys as text: audit rows keep their object's id as text."""
    return qs.annotate(sid=Cast("pk", CharField())).values("sid")


# Personal data read or exported for a whole area (keyed by the area's code).
AREA_PII_ACTIONS = ("roster.", "reports.export_full")


def audit_entries_visible_to(user, perm: str = "audit.view") -> QuerySet:
    """The audit rows about personal data in the user's scope for `perm`: about residents,
    about areas (roster and unmasked ledger exports), about other apps' objects registered in
    AUDIT_OBJECT_SCOPES, and the admin's resident searches: the admin is not area-scoped, so
    each search's row is about the narrowest area holding what it found (shown to that
    area's auditors, like an area's export); a search that found nothing, or rows written
    before searches named an area, is about no area and shown only to auditors of a whole
    tree (a root area)."""
    areas = Area.objects.filter(area_scope(user, None, perm))
    area_actions = Q(action__startswith=AREA_PII_ACTIONS[0])
    for prefix in AREA_PII_ACTIONS[1:]:
        area_actions |= Q(action__startswith=prefix)
    searches = Q(action="resident.search_full", object_type="areas.area",
                 object_id__in=areas.values("code"))
    if areas.filter(parent__isnull=True).exists():
        searches |= Q(action="resident.search_full", object_id="")
    q = (Q(object_type="people.resident", object_id__in=text_ids(residents_visible_to(user, perm)))
         | searches
         | (Q(object_type="areas.area") & area_actions
            # ledger exports before 2026-12 stored the area's id instead of its code
            & (Q(object_id__in=areas.values("code"))
               | Q(action__startswith="reports.", object_id__in=text_ids(areas)))))
    for object_type, ids_for in AUDIT_OBJECT_SCOPES.items():
        q |= Q(object_type=object_type, object_id__in=ids_for(user, perm))
    return AuditEntry.objects.filter(q).select_related("actor")
