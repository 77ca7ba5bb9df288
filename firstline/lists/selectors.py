"""Read side of the lists app; every reader takes the acting user's scope for the permission
in play (lists.verify for a grid worker's items, lists.manage for lists and cases)."""

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import urlencode

from firstline import clock
from firstline.accounts.scope import area_scope, in_scope, scope_paths
from firstline.areas.models import subtree_q
from firstline.forms import typed_id
from firstline.rules import rule

from .models import (
    Case,
    Checklist,
    ChecklistRow,
    Result,
    Routing,
    Verification,
    VStatus,
    handover_note,
    source_title,
)


def verifications_visible_to(user, perm: str = "lists.verify"):
    return Verification.objects.filter(area_scope(user, "grid", perm))


def verification_list(user, *, area=None, status: str | None = "open"):
    qs = verifications_visible_to(user).select_related("resident", "resident__household",
                                                       "resident__household__compound")
    if area is not None:
        qs = qs.filter(subtree_q(area, "grid"))
    if status == "open":
        qs = qs.filter(status=VStatus.OPEN)
    elif status == "done":
        qs = qs.filter(status=VStatus.DONE)
    elif status == "overdue":
        qs = qs.filter(status=VStatus.OPEN, due__lt=clock.today())
    return qs.order_by("due", "pk")


def verification_get_for_user(user, pk) -> Verification:
    return get_object_or_404(verifications_visible_to(user).select_related(
        "resident", "resident__household", "grid"), pk=pk)


def isolation_offer(user, v: Verification, *, today: date | None = None) -> str:
    """The link "登记隔离" offers after an answer that says the person came back from
    somewhere (where from or when) or that opened an alert (a fever, a return from a risk
    area): the isolation start form, prefilled by its URL (isolation sits below lists and
    reads ?resident, ?reason, ?starts_on, ?note) — the start is the return day when it is
    within the rule's isolation days, the note where from, when and what the worker noted
    (isolation.services.return_start, the start form's own rule; IDs and phones masked).
    "" when the answer needs none or the user cannot start an isolation there."""
    from firstline.isolation.models import Alert
    from firstline.isolation.services import return_start
    from firstline.people.services import mask_in_text

    if v.status != VStatus.DONE or not in_scope(user, v.grid, "isolation.manage"):
        return ""
    kinds = set(Alert.objects.filter(source=f"verification:{v.pk}")
                .values_list("kind", flat=True))
    returned = v.result == Result.REACHED and bool(v.from_province or v.from_city
                                              or v.returned_on)
    if not (returned or kinds):
        return ""
    today = today or clock.today()
    params = {"resident": v.resident_id}
    if "risk_return" in kinds:
        params["reason"] = "risk_area"
    elif kinds & {"fever", "door_fever"}:
        params["reason"] = "fever"
    # The URL stays in browser history: an ID number or phone typed in the worker's note goes
    # masked (before the note is cut to length, so no part of one is left bare).
    starts_on, note = return_start(today=today, returned_on=v.returned_on,
                                   origin=f"{v.from_province}{v.from_city}",
                                   extra=mask_in_text(v.note))
    if starts_on is not None:
        params["starts_on"] = starts_on.isoformat()
    if note:
        params["note"] = note
    return f"{reverse('isolation:new')}?{urlencode(params)}"


def checklists_of(items) -> dict[int, list[int]]:
    """{verification id: [checklist ids]} in one query."""
    out = defaultdict(set)
    ids = [v.pk for v in items]
    for vid, cid in ChecklistRow.objects.filter(verification_id__in=ids).values_list(
            "verification_id", "checklist_id"):
        out[vid].add(cid)
    return {k: sorted(v) for k, v in out.items()}


def sources_of(items) -> dict[int, list[str]]:
    """{verification id: [the titles of its lists]} for the worker's page, as the reader
    says them: a case's contacts list ("case N"), a hand-over list (Checklist.title)."""
    out = defaultdict(set)
    lists = {}
    for vid, cid, source, handover_of in ChecklistRow.objects.filter(
            verification_id__in=[v.pk for v in items]).values_list(
                "verification_id", "checklist_id", "checklist__source",
                "checklist__handover_of_id"):
        out[vid].add(cid)
        lists[cid] = source_title(source) if handover_of is None else None
    handovers = [cid for cid, title in lists.items() if title is None]
    for c in Checklist.objects.filter(pk__in=handovers).select_related("handover_of__area"):
        lists[c.pk] = c.title
    return {k: sorted({lists[c] for c in v}) for k, v in out.items()}


def recent_fact(resident, *, today: date | None = None) -> dict | None:
    """A fact recorded in the last N days (rule lists.recent_fact_days): a screening visit
    that reached the person, or an isolation reading (self-report). Offered as the answer
    so nobody is called again for what is already known."""
    from firstline.isolation.models import Reading
    from firstline.people.models import VisitPerson

    today = today or clock.today()
    days = int(rule("lists.recent_fact_days", on=today).value)
    since = clock.day_start(today - timedelta(days=days))
    visit = (VisitPerson.objects.filter(resident=resident, visit__visited_at__gte=since,
                                        present=True)
             .select_related("visit").order_by("-visit__visited_at").first())
    reading = (Reading.objects.filter(isolation__resident=resident, taken_at__gte=since)
               .order_by("-taken_at").first())
    facts = []
    if visit is not None:
        facts.append({"kind": "visit", "at": visit.visit.visited_at,
                      "temperature": visit.temperature, "from_province": visit.from_province,
                      "from_city": visit.from_city, "returned_on": visit.returned_on,
                      "symptoms": visit.symptoms, "source": f"visit:{visit.visit_id}"})
    if reading is not None:
        facts.append({"kind": "reading", "at": reading.taken_at,
                      "temperature": reading.temperature, "from_province": "",
                      "from_city": "", "returned_on": None,
                      "symptoms": ",".join(reading.symptoms or []),
                      "source": f"reading:{reading.pk}"})
    return max(facts, key=lambda f: f["at"]) if facts else None


def fact_is_of(resident, source: str) -> bool:
    """Whether `source` ("visit:12", "reading:34") names a recorded fact about `resident`."""
    from firstline.isolation.models import Reading
    from firstline.people.models import VisitPerson

    kind, _sep, text = (source or "").partition(":")
    pk = typed_id(text)
    if pk is None:
        return False
    if kind == "visit":
        return VisitPerson.objects.filter(visit_id=pk, resident=resident).exists()
    if kind == "reading":
        return Reading.objects.filter(pk=pk, isolation__resident=resident).exists()
    return False


# --- lists -------------------------------------------------------------------------------

def _covers(user, perm: str) -> Q:
    """Lists whose area lies in the user's scope, or above it (a street's list covers its
    communities: their staff see the part of it that is theirs)."""
    q = area_scope(user, "area", perm)
    for p in scope_paths(user, perm):
        parts = [x for x in p.strip("/").split("/") if x]
        ancestors = ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts))]
        if ancestors:
            q |= Q(area__path__in=ancestors)
    return q


def checklists_visible_to(user, perm: str = "lists.manage"):
    # a hand-over list's title names its origin and the origin's street (Checklist.title)
    return Checklist.objects.filter(_covers(user, perm)).select_related("handover_of__area")


def checklist_get_for_user(user, pk, perm: str = "lists.manage") -> Checklist:
    return get_object_or_404(checklists_visible_to(user, perm).select_related("area"), pk=pk)


def titles_read(checklists) -> list:
    """Read what the titles of `checklists` say (Checklist.title) for all of them at once:
    each hand-over list's origin (and its origin's, for a list handed over again) and the
    street of each origin's area — a few queries however many lists there are. Answers the
    lists, their `title` then asking nothing more of the database."""
    from firstline.areas.models import Area, Level

    checklists = list(checklists)
    origins, todo = {}, [c for c in checklists if c.handover_of_id is not None]
    while todo:
        missing = {c.handover_of_id for c in todo if not Checklist.handover_of.is_cached(c)}
        loaded = Checklist.objects.select_related("area").in_bulk(missing) if missing else {}
        for c in todo:
            if c.handover_of_id in loaded:
                c.handover_of = loaded[c.handover_of_id]
            origins[c.handover_of_id] = c.handover_of
        todo = [o for o in {c.handover_of_id: c.handover_of for c in todo}.values()
                if o.handover_of_id is not None and o.handover_of_id not in origins]
    ids = {int(p) for o in origins.values() if o.area.level != Level.STREET
           for p in o.area.path.strip("/").split("/") if p}
    streets = {a.pk: a for a in Area.objects.filter(pk__in=ids, level=Level.STREET)} if ids else {}
    for o in origins.values():
        if o.area.level == Level.STREET or "street_name" in o.__dict__:
            continue
        found = [streets[int(p)] for p in o.area.path.strip("/").split("/")
                 if p and int(p) in streets]
        o.street_name = min(found, key=lambda a: a.depth).name if found else o.area.name
    return checklists


def checklists_with_progress(user, checklists) -> list:
    """`checklists` read for a page of lists: titles (titles_read) and each one's `progress`
    (checklists_progress), a few queries however many lists there are."""
    checklists = titles_read(checklists)
    progress = checklists_progress(user, checklists)
    for c in checklists:
        c.progress = progress[c.pk]
    return checklists


def checklist_progress(user, checklist: Checklist, *, today: date | None = None,
                       perm: str = "lists.manage") -> dict:
    """{rows, matched, done, overdue, by_area: [{code, name, level, matched, done, due,
    overdue}]}: figures over the rows the user may see (all of them for the list's own
    area and above; a community's own part otherwise)."""
    return checklists_progress(user, [checklist], today=today, perm=perm)[checklist.pk]


def checklists_progress(user, checklists, *, today: date | None = None,
                        perm: str = "lists.manage") -> dict[int, dict]:
    """{checklist id: checklist_progress(...)} for many lists in a few queries, however many
    lists there are."""
    from django.db.models import Count

    from firstline.areas.models import Area

    today = today or clock.today()
    paths = scope_paths(user, perm)
    whole = {c.pk for c in checklists if any(c.area.path.startswith(p) for p in paths)}
    part = [c.pk for c in checklists if c.pk not in whole]
    seen = Q(checklist_id__in=whole)
    if part:
        seen |= Q(checklist_id__in=part) & area_scope(user, "resident__grid", perm)
    rows = ChecklistRow.objects.filter(seen)
    data = list(rows.filter(resident__isnull=False).values_list(
        "checklist_id", "verification__grid_id", "verification__status", "verification__due"))
    counted = dict(rows.filter(checklist_id__in=part).values("checklist_id")
                   .annotate(n=Count("pk")).values_list("checklist_id", "n")) if part else {}
    grids = {g for _c, g, _s, _d in data}
    areas = {a.pk: a for a in Area.objects.filter(pk__in=grids).select_related("parent")}
    by_list = defaultdict(list)
    for c, *fact in data:
        by_list[c].append(fact)
    return {c.pk: _progress(by_list[c.pk], areas, today,
                            rows=c.rows if c.pk in whole else counted.get(c.pk, 0))
            for c in checklists}


def _progress(data, areas, today, *, rows) -> dict:
    per = {}

    def bump(area, status, due):
        entry = per.setdefault(area.pk, {"code": area.code, "name": area.name,
                                         "level": area.level, "path": area.path,
                                         "matched": 0, "done": 0, "due": 0, "overdue": 0})
        entry["matched"] += 1
        if status == VStatus.DONE:
            entry["done"] += 1
        elif due is not None and due < today:
            entry["overdue"] += 1
        else:
            entry["due"] += 1

    totals = {"matched": 0, "done": 0, "due": 0, "overdue": 0}
    for grid, status, due in data:
        totals["matched"] += 1
        if status == VStatus.DONE:
            totals["done"] += 1
        elif due is not None and due < today:
            totals["overdue"] += 1
        else:
            totals["due"] += 1
        area = areas.get(grid)
        if area is None:
            continue
        bump(area, status, due)
        if area.parent is not None:
            bump(area.parent, status, due)
    return {"rows": rows, **totals, "by_area": sorted(per.values(), key=lambda e: e["path"])}


def checklist_rows_for_export(checklist: Checklist, user=None, perm: str = "lists.manage"):
    """Every row for a user whose scope holds the list's area; for a community covered by a
    street's list, only the rows of its own residents."""
    rows = ChecklistRow.objects.filter(checklist=checklist)
    if user is not None and not any(checklist.area.path.startswith(p)
                                    for p in scope_paths(user, perm)):
        rows = rows.filter(area_scope(user, "resident__grid", perm))
    return rows.select_related("verification", "verification__answered_by", "routed_by") \
        .order_by("number")


def handed_over_rows(checklist: Checklist):
    """The rows of `checklist` handed over to another street (the hand-over export)."""
    return ChecklistRow.objects.filter(checklist=checklist, routing=Routing.OTHER_STREET,
                                       resident__isnull=True) \
        .select_related("routed_by").order_by("number")


def streets_for_handover(checklist: Checklist):
    """The other streets in Firstline a row of `checklist` can be handed over to."""
    from firstline.areas.models import Area, Level

    own = [p for p in checklist.area.path.strip("/").split("/") if p]
    return (Area.objects.filter(level=Level.STREET).exclude(pk__in=own)
            .exclude(subtree_q(checklist.area)).order_by("code"))


def unmatched_rows(checklist: Checklist):
    return ChecklistRow.objects.filter(checklist=checklist, resident__isnull=True) \
        .order_by("number")


def unmatched_rows_shown(checklist: Checklist, *, limit: int = 200) -> list[ChecklistRow]:
    """The unmatched rows for the list's page, each with what routing them is decided on:
    `phone_masked`, `id_masked` (the one mask functions) and `address`, from the columns the
    list was mapped with ("" where the list has no such column); on a hand-over list,
    `handover_note`: who handed the row over and why (its 转办说明, in the reader's language)."""
    from firstline.people.services import mask_id_number, mask_phone

    mapping = checklist.mapping or {}
    rows = list(unmatched_rows(checklist)[:limit])
    street = checklist.handover_of.street_name if checklist.handover_of_id else None
    note_col = len(checklist.columns) - 1
    for row in rows:
        cells = {key: _cell(row.values, mapping.get(key))
                 for key in ("phone", "id_number", "address")}
        row.phone_masked = mask_phone(cells["phone"])
        row.id_masked = mask_id_number(cells["id_number"])
        row.address = cells["address"]
        row.handover_note = handover_note(_cell(row.values, note_col), street) \
            if street is not None else ""
    return rows


def _cell(values, col) -> str:
    return str(values[col] or "").strip() if col is not None and col < len(values) else ""


# --- cases -------------------------------------------------------------------------------

def cases_visible_to(user, perm: str = "lists.manage"):
    return Case.objects.filter(area_scope(user, "grid", perm))


def case_get_for_user(user, pk) -> Case:
    return get_object_or_404(cases_visible_to(user).select_related(
        "resident", "resident__household", "grid"), pk=pk)


def area_for_user(user, code: str, perm: str):
    from firstline.areas.models import Area

    return get_object_or_404(Area.objects.filter(area_scope(user, None, perm)), code=code)


def resident_for_user(user, pk, perm: str = "lists.manage"):
    from firstline.people.models import Resident

    return get_object_or_404(Resident.objects.filter(area_scope(user, "grid", perm))
                             .select_related("grid", "household"), pk=pk)
