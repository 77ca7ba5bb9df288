"""HTML pages of the roster: thin — parse, call a selector or service, render."""

import csv
import re
from datetime import timedelta
from itertools import islice

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from firstline import clock
from firstline.accounts.actions import PERSONAL_DATA_ACTIONS, AuditAction
from firstline.accounts.audit_texts import audit_details
from firstline.accounts.models import User
from firstline.accounts.scope import has_perm, in_scope
from firstline.accounts.services import require_perm
from firstline.areas.models import subtree_q
from firstline.areas.selectors import area_get_for_user, areas_visible_to
from firstline.errors import InvalidInput, RuleViolation, form_refuse
from firstline.forms import typed_id
from firstline.rules import rule

from . import exports, private_terms, services
from . import selectors as sel
from .forms import (
    PROVINCES,
    ExportForm,
    FullReadForm,
    MemberForm,
    ResponsibilityForm,
    RiskAreaEndForm,
    RiskAreaForm,
    UploadForm,
    VisitForm,
)
from .models import ImportJob, KeyPerson, KeyPersonCategory, Resident, Responsibility


def _perm(request, perm):
    require_perm(request.user, perm)


def _areas(user):
    return list(areas_visible_to(user).exclude(level__in=["city", "district"]).order_by("path"))


def _area_param(request, data=None):
    code = (request.GET if data is None else data).get("area", "").strip()
    return area_get_for_user(request.user, code) if code else None


def _search_url(request, params: dict, private: tuple[str, ...]) -> str:
    """This page's URL for these filters, an ID number or phone in a `private` one by
    reference (people.private_terms): never in the address bar, history or a log."""
    query = QueryDict(mutable=True)
    for key, value in params.items():
        if value:
            query[key] = (private_terms.url_value(request.session, value) if key in private
                          else value)
    return f"{request.path}?{query.urlencode()}" if query else request.path


def _private_in_url(request, key: str) -> bool:
    """A full page asked with a private term in its URL (typed by hand, an old link)."""
    value = request.GET.get(key, "").strip()
    return (not request.htmx and not value.startswith(private_terms.MARK)
            and private_terms.is_private(value))


def _page(request, qs, per_page=50, paginator=Paginator):
    return paginator(qs, per_page).get_page(request.GET.get("page"))


class CappedPaginator(Paginator):
    """Counts at most CAP rows (COUNT over LIMIT CAP + 1): a street of a million residents
    is "more than 10,000" — narrow it by area or search — instead of a count that reads the
    whole street on every page. Pages up to CAP rows are reachable."""

    CAP = 10_000

    @cached_property
    def count(self):
        n = self.object_list[:self.CAP + 1].count()
        self.capped = n > self.CAP
        return min(n, self.CAP)

    capped = False

    def page(self, number):
        """The page's ids first (the ordering index alone: an index-only scan past the rows
        before it), then those rows with their joins: page 200 of a street reads 10,000
        index entries, not 10,000 joined rows (a deferred join)."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        found = {o.pk: o for o in self.object_list.filter(pk__in=ids)}
        return self._get_page([found[i] for i in ids if i in found], number, self)


# --- residents and households ---------------------------------------------------------------

@login_required
def residents(request):
    _perm(request, "people.view")
    data, push = request.GET, None
    if request.method == "POST":
        # The search form posts, so that what was typed is never a URL by itself; the URL
        # then shown (pushed, or redirected to) names a name search, an ID number or phone
        # only by reference.
        data = request.POST
        push = _search_url(request, {k: data.get(k, "").strip() for k in ("area", "q")},
                           private=("q",))
        if not request.htmx:
            return redirect(push)
    elif _private_in_url(request, "q"):
        return redirect(_search_url(request, request.GET.dict(), private=("q",)))
    area = _area_param(request, data)
    q = private_terms.recall(request.session, data.get("q", "").strip())
    compound = typed_id(request.GET.get("compound"))
    household_ = typed_id(request.GET.get("household"))
    qs = sel.residents_in(
        sel.residents_visible_to(request.user), area=area,
        compound=(sel.compound_get_for_user(request.user, compound)
                  if compound is not None else None),
        household=(sel.household_get_for_user(request.user, household_)
                   if household_ is not None else None))
    qs = sel.resident_search(qs, q)
    # Grid by grid, household by household: the order of the index people_resident_grid_hh,
    # so a page is read from it rather than sorted out of the whole street.
    qs = qs.select_related("grid", "household", "household__compound").order_by(
        "grid_id", "household_id", "id")
    page = _page(request, qs, paginator=CappedPaginator)
    rows = [(r, services.mask_id_number(r.id_number), services.mask_phone(r.phone))
            for r in page]
    template = "people/residents.html#results" if request.htmx else "people/residents.html"
    response = render(request, template, {
        "page": page, "rows": rows, "q": q, "area": area, "areas": _areas(request.user),
        "pager_query": push.partition("?")[2] if push else None})
    if push:
        response["HX-Push-Url"] = push
    return response


@login_required
def resident(request, pk):
    """Masked by default; a POST with a reason (people.view_full) shows the full ID number and
    phone on that response only. Every opening is audited, the full read with its reason."""
    _perm(request, "people.view")
    r = sel.resident_get_for_user(request.user, pk)
    # Only where a role granting people.view_full covers this resident's grid.
    can_full = in_scope(request.user, r.grid, "people.view_full")
    full, status, pii = False, 200, {}
    reveal = FullReadForm(request.POST or None)
    if request.method == "POST":
        _perm(request, "people.view_full")
        if reveal.is_valid():
            try:
                pii = services.resident_read_full(
                    actor=request.user, resident=r, reason_code=reveal.cleaned_data["reason"],
                    reason_text=reveal.cleaned_data["reason_text"])
                full = True
            except RuleViolation as exc:
                reveal.add_error(exc.field if exc.field in reveal.fields else None, exc.detail)
        if not full:
            status = 422
    if not full:
        services.resident_read(actor=request.user, resident=r, unmask=False)
    facts = r.key_facts.select_related("category").order_by("-since")[:50]
    visits = r.visit_records.select_related("visit", "visit__worker").order_by(
        "-visit__visited_at")[:20]
    placements = r.placements.select_related("household", "household__compound", "grid")
    # Current isolation and open alerts come from the isolation app (it sits above people).
    panels = [panel(resident=r, user=request.user) for panel in services.RESIDENT_PANELS]
    response = render(request, "people/resident.html", {
        "panels": panels,
        "r": r, "full": full, "can_full": can_full, "reveal": reveal,
        "id_number": pii["id_number"] if full else services.mask_id_number(r.id_number),
        "phone": pii["phone"] if full else services.mask_phone(r.phone),
        "facts": facts, "visits": visits, "placements": placements.order_by("-since"),
        "responsibility": Responsibility.objects.filter(resident=r).first()}, status=status)
    if full:
        response["Cache-Control"] = "no-store"  # the full values are for this response only
    return response


@login_required
def household(request, pk):
    _perm(request, "people.view")
    h = sel.household_get_for_user(request.user, pk)
    members = [(r, services.mask_id_number(r.id_number), services.mask_phone(r.phone),
                [f.category.label for f in r.key_facts.all() if f.until is None])
               for r in h.residents.prefetch_related("key_facts__category").order_by("id")]
    visits = h.visits.select_related("worker").order_by("-visited_at")[:20]
    return render(request, "people/household.html", {
        "h": h, "members": members, "visits": visits,
        "can_screen": has_perm(request.user, "people.screen")})


# --- screening (入户摸排) ------------------------------------------------------------------

@login_required
def screening(request):
    """A grid worker's list: households in scope, the least recently visited first."""
    _perm(request, "people.screen")
    q = request.GET.get("q", "").strip()
    days = rule("screening.revisit_days").value
    since = clock.now() - timedelta(days=days)
    qs = (sel.households_visible_to(request.user)
          .annotate(members=Count("residents", distinct=True))
          .filter(members__gt=0).select_related("compound"))
    if q:
        qs = sel.households_matching(qs, q)
    # Ordered by the last visit that screened the household; a later attempt (nobody home,
    # a return declaration confirmed) is shown beside it, and does not move the household.
    qs = sel.households_with_last_visit(qs).order_by(
        F("last_visit").asc(nulls_first=True), "compound__name", "building_name", "unit", "room")
    page = _page(request, qs, 30)
    attempts = sel.visits_unscreened_since(page)
    for h in page:
        h.attempt = attempts.get(h.pk)
    return render(request, "people/screening.html", {
        "page": page, "q": q, "since": since, "days": days,
        "can_view_risk_areas": has_perm(request.user, "people.view")})


@login_required
def visit_new(request, household_id):
    _perm(request, "people.screen")
    h = sel.household_get_for_user(request.user, household_id)
    residents_ = list(h.residents.order_by("id"))
    open_codes = {}
    for fact in (KeyPerson.objects.current().filter(resident__in=residents_, source="visit")
                 .select_related("category")):
        open_codes.setdefault(fact.resident_id, []).append(fact.category.code)
    if request.method == "POST" and "add_person" in request.POST:
        # "+ Add a person": what was typed so far is kept (a draft in the session) and given
        # back when the worker returns to this form; nothing is checked or saved yet.
        _visit_draft_keep(request, h)
        return redirect("residents:member_add", household_id=h.pk)
    data = request.POST if request.method == "POST" else None
    form = VisitForm(data)
    members = [MemberForm(data, prefix=f"m{r.pk}", resident=r,
                          initial={"present": True, "categories": open_codes.get(r.pk, [])})
               for r in residents_]
    if data is None:
        _visit_draft_restore(request, h, [form, *members])
    if data is not None and form.is_valid() and all(m.is_valid() for m in members):
        nobody = form.cleaned_data["nobody_home"]
        recorded = [] if nobody else [m for m in members if m.recorded()]
        entries = [m.entry() for m in recorded]
        try:
            visit = services.screening_visit_record(actor=request.user, household=h, people=entries,
                                          nobody_home=nobody,
                                          by_phone=form.cleaned_data["by_phone"],
                                          note=form.cleaned_data["note"])
        except RuleViolation as exc:
            _visit_refuse(form, recorded, exc)
        else:
            messages.success(request, _("Visit recorded: %(address)s") % {"address": h.address})
            if services.visit_followups(visit=visit):
                return redirect("people:visit_done", household_id=h.pk, visit_id=visit.pk)
            return redirect(reverse("people:screening"))
    return render(request, "people/visit_form.html", {
        "h": h, "form": form, "members": members, "provinces": PROVINCES,
        "error_summary": _error_summary(form, members) if data is not None else []},
        status=422 if data is not None else 200)


def _visit_refuse(form, recorded, exc) -> None:
    """A refusal of the visit service beside the field it names: `people.1.returned_on` is the
    returned_on of the second member recorded (said by its label), others on the visit form."""
    where = re.fullmatch(r"people\.(\d+)\.(\w+)", exc.field or "")
    if where and int(where[1]) < len(recorded) and where[2] in recorded[0].fields:
        # "people.0.from_city: at most 30 characters." beside 来自城市 says the rest only
        words = exc.detail.removeprefix(exc.field).lstrip(":： ") or exc.detail
        recorded[int(where[1])].add_error(where[2], words)
    else:
        form_refuse(form, exc)


VISIT_DRAFT_MINUTES = 120  # a draft left longer than this is not given back


def _visit_draft_key(h) -> str:
    return f"people.visit_draft.{h.pk}"


def _visit_draft_keep(request, h) -> None:
    values = {k: request.POST.getlist(k) for k in request.POST
              if k not in ("csrfmiddlewaretoken", "add_person")}
    request.session[_visit_draft_key(h)] = {"at": clock.now().isoformat(), "values": values}


def _visit_draft_restore(request, h, forms) -> None:
    """Fill the unbound visit forms with the kept draft (once: it is then forgotten). A
    member who was not on the form when the draft was kept (the person just added) keeps the
    defaults."""
    from datetime import datetime

    from django.http import QueryDict

    draft = request.session.pop(_visit_draft_key(h), None)
    if not draft:
        return
    try:
        at = datetime.fromisoformat(draft["at"])
    except (KeyError, TypeError, ValueError):
        return
    if clock.now() - at > timedelta(minutes=VISIT_DRAFT_MINUTES):
        return
    data = QueryDict(mutable=True)
    for key, values in (draft.get("values") or {}).items():
        data.setlist(key, [str(v) for v in values])
    for f in forms:
        names = {name: f.add_prefix(name) for name in f.fields}
        if not any(key in data for key in names.values()):
            continue
        f.initial = {name: f.fields[name].widget.value_from_datadict(data, {}, key)
                     for name, key in names.items()}


@login_required
def visit_done(request, household_id, visit_id):
    """After a visit: who needs follow-up and why, and what happened about it — the alerts
    that carry its findings (the isolation app's, linked), a fever alert's hold on the
    household — with a button to start home isolation (the isolation app's page, linked by
    name) for those who may start one there (isolation.manage, as that page and
    isolation_start require); others are told who has the alert."""
    _perm(request, "people.screen")
    h = sel.household_get_for_user(request.user, household_id)
    visit = get_object_or_404(h.visits, pk=visit_id)
    can_isolate = has_perm(request.user, "isolation.manage")
    start = reverse("isolation:new")
    alerts = services.visit_alerts(visit=visit, user=request.user)
    rows = []
    for f in services.visit_followups(visit=visit):
        why = {"fever"} if f.temperature is not None else set()
        if f.risk_place:
            why.add("risk_area")
        mine = [a for a in alerts if a.resident_id == f.resident.pk and a.finding in why]
        rows.append((f, f"{start}?resident={f.resident.pk}" if can_isolate else "", mine,
                     any(a.staff_notified for a in mine)))
    fever = [a for a in alerts if a.finding == "fever"
             and any(f.resident.pk == a.resident_id and f.temperature is not None
                     for f, *_ in rows)]
    return render(request, "people/visit_done.html", {
        "h": h, "visit": visit, "rows": rows, "can_isolate": can_isolate,
        "fever_alert": bool(fever), "fever_staff": any(a.staff_notified for a in fever),
        "fever_hold": any(a.holds_household for a in fever)})


def _error_summary(form, members) -> list[str]:
    """Every problem of the visit form, named "who · field: message", for the top of the page."""
    lines = []
    for f in [form, *members]:
        who = f"{f.resident.name} · " if getattr(f, "resident", None) else ""
        for name, errors in f.errors.items():
            label = f.fields[name].label if name in f.fields else ""
            for message in errors:
                lines.append(f"{who}{label}: {message}" if label else f"{who}{message}")
    return lines


@login_required
def panel(request):
    """Home-page panel: households due for a visit and open key persons, in scope."""
    _perm(request, "people.view")
    days = rule("screening.revisit_days").value
    due = sel.households_not_visited(request.user, days=days).count()
    keys = sel.key_persons_open(request.user).values("resident_id").distinct().count()
    return render(request, "people/_panel.html", {"due": due, "keys": keys, "days": days,
                                                  "can_screen": has_perm(request.user,
                                                                         "people.screen")})


# --- key persons and responsibility ---------------------------------------------------------

def _ledger(request):
    area = _area_param(request)
    qs = sel.key_persons_open(request.user)
    if area is not None:
        qs = qs.filter(subtree_q(area, "resident__grid"))
    code = request.GET.get("category", "")
    if code:
        qs = qs.filter(category__code=code)
    return area, code, qs.order_by("category__order", "resident__grid__code", "-since")


@login_required
def key_persons(request):
    _perm(request, "people.view")
    area, code, qs = _ledger(request)
    page = _page(request, qs)
    resp = {r.resident_id: r for r in Responsibility.objects.filter(
        resident_id__in=[k.resident_id for k in page]).select_related("cadre", "grid_worker")}
    rows = [(k, services.mask_phone(k.resident.phone), resp.get(k.resident_id)) for k in page]
    counts = dict(sel.key_persons_open(request.user).values_list("category__code")
                  .annotate(n=Count("resident", distinct=True)))
    categories = [(c, counts.get(c.code, 0)) for c in KeyPersonCategory.objects.filter(active=True)]
    return render(request, "people/key_persons.html", {
        "page": page, "rows": rows, "area": area, "code": code, "areas": _areas(request.user),
        "categories": categories, "can_assign": has_perm(request.user, "people.assign"),
        "can_export": has_perm(request.user, "people.export")})


@login_required
def key_persons_export(request):
    """The ledger as CSV: asked for here, written by the worker; the job page watches."""
    _perm(request, "people.export")
    area = _area_param(request)
    job = exports.key_persons_export_ask(
        actor=request.user, area=area or _top_area(request.user),
        category=request.GET.get("category", ""), whole_scope=area is None)
    return redirect("exportjobs:job", pk=job.pk)


def _top_area(user):
    areas = _areas(user)
    if not areas:
        raise Http404
    return areas[0]


def _users_covering(resident, roles):
    """Users with one of `roles` whose scope covers the resident's grid."""
    ids = list(resident.grid.ancestors().values_list("pk", flat=True)) + [resident.grid.pk]
    return (User.objects.filter(is_active=True, assignments__role__in=roles,
                                assignments__area_id__in=ids).distinct().order_by("username"))


@login_required
def responsibility(request, resident_id):
    _perm(request, "people.assign")
    r = sel.resident_get_for_user(request.user, resident_id)
    current = Responsibility.objects.filter(resident=r).first()
    initial = {}
    if current:
        initial = {"cadre": current.cadre, "grid_worker": current.grid_worker,
                   "helper_name": current.helper_name, "helper_phone": current.helper_phone}
    form = ResponsibilityForm(
        request.POST or None, initial=initial,
        cadres=_users_covering(r, ["community_staff", "street_staff"]),
        workers=_users_covering(r, ["grid_worker"]))
    if request.method == "POST" and form.is_valid():
        try:
            services.responsibility_set(actor=request.user, resident=r, **form.cleaned_data)
        except RuleViolation as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.detail)
        else:
            messages.success(request, _("Responsibility saved for %(name)s.") % {"name": r.name})
            return redirect(request.GET.get("next") or reverse("people:coverage"))
    return render(request, "people/responsibility.html", {"r": r, "form": form},
                  status=422 if request.method == "POST" else 200)


@login_required
def coverage(request):
    """三级包保 coverage: key persons lacking someone responsible; households not visited."""
    _perm(request, "people.view")
    area = _area_param(request)
    try:
        days = max(1, min(365, int(request.GET.get("days", ""))))
    except ValueError:
        days = rule("screening.revisit_days").value
    facts = sel.key_persons_open(request.user)
    if area is not None:
        facts = facts.filter(subtree_q(area, "resident__grid"))
    resident_ids = set(facts.values_list("resident_id", flat=True))
    complete = set(Responsibility.objects.filter(
        resident_id__in=resident_ids, cadre__isnull=False, grid_worker__isnull=False)
        .exclude(helper_name="").values_list("resident_id", flat=True))
    missing = (sel.residents_visible_to(request.user)
               .filter(pk__in=resident_ids - complete)
               .select_related("grid", "household", "household__compound").order_by("grid__code"))
    unvisited = sel.households_not_visited(request.user, days=days, area=area).annotate(
        members=Count("residents")).order_by("grid__code", "compound__name", "building_name",
                                             "unit", "room")
    return render(request, "people/coverage.html", {
        "area": area, "areas": _areas(request.user), "days": days,
        "missing": list(missing[:200]), "missing_count": missing.count(),
        "key_count": len(resident_ids),
        "unvisited": list(unvisited[:200]), "unvisited_count": unvisited.count(),
        "can_assign": has_perm(request.user, "people.assign")})


# --- risk areas (中高风险地区) --------------------------------------------------------------

RECENTLY_ENDED_DAYS = 30


def _risk_area_form(data=None):
    return RiskAreaForm(data, initial={"since": clock.today(), "level": "high"})


def _risk_areas_page(request, form, *, error="", status=200):
    today = clock.today()
    return render(request, "people/risk_areas.html", {
        "form": form, "error": error, "today": today, "provinces": PROVINCES,
        "current": list(sel.risk_areas_current(today)),
        "ended": list(sel.risk_areas_ended(today, days=RECENTLY_ENDED_DAYS)),
        "ended_days": RECENTLY_ENDED_DAYS,
        "can_edit": has_perm(request.user, "people.risk_areas")}, status=status)


@login_required
def risk_areas(request):
    """The risk-area list the screening visits match; street/HQ staff add entries here."""
    _perm(request, "people.view")
    if request.method != "POST":
        return _risk_areas_page(request, _risk_area_form())
    _perm(request, "people.risk_areas")
    form = _risk_area_form(request.POST)
    if form.is_valid():
        try:
            area = services.risk_area_add(actor=request.user, **form.cleaned_data)
        except RuleViolation as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.detail)
        else:
            messages.success(request, _("Listed as a risk area: %(place)s from %(since)s.")
                             % {"place": area.place_label, "since": area.since.isoformat()})
            return redirect("people:risk_areas")
    return _risk_areas_page(request, form, status=422)


@login_required
def risk_area_end(request, pk):
    _perm(request, "people.risk_areas")
    if request.method != "POST":
        return redirect("people:risk_areas")
    area = sel.risk_area_get(pk)
    form = RiskAreaEndForm(request.POST)
    if not form.is_valid():
        return _risk_areas_page(request, _risk_area_form(), error=" ".join(form.errors["on"]),
                                status=422)
    try:
        services.risk_area_end(actor=request.user, risk_area=area,
                               on=form.cleaned_data["on"] or clock.today())
    except RuleViolation as exc:
        return _risk_areas_page(request, _risk_area_form(), error=exc.detail, status=exc.status)
    messages.success(request, _("Taken off the risk-area list: %(place)s.")
                     % {"place": area.place_label})
    return redirect("people:risk_areas")


# --- import ---------------------------------------------------------------------------------

@login_required
def import_upload(request):
    _perm(request, "people.import")
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 422 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_job_submit(actor=request.user,
                                             upload=form.cleaned_data["file"],
                                             dry_run=form.cleaned_data["dry_run"])
        except RuleViolation as exc:  # incl. the queue down: 503, nothing started
            form.add_error("file", exc.detail)
            status = exc.status if exc.status >= 500 else 422
        else:
            return redirect("people:import_job", pk=job.pk)
    jobs = sel.import_jobs_visible_to(request.user)[:10]
    return render(request, "people/import.html",
                  {"form": form, "jobs": jobs, "guide": services.roster_template_guide(),
                   "notes": services.template_notes()}, status=status)


_TEMPLATE_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@login_required
def import_template(request, fmt):
    """The roster file to start from, in the user's language (services.roster_template_*)."""
    _perm(request, "people.import")
    build = services.roster_template_xlsx if fmt == "xlsx" else services.roster_template_csv
    response = HttpResponse(build(actor=request.user), content_type=_TEMPLATE_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="roster-template.{fmt}"'
    return response


def _job(request, pk) -> ImportJob:
    _perm(request, "people.import")
    return get_object_or_404(sel.import_jobs_visible_to(request.user), pk=pk)


def _job_context(job):
    rejected = []
    if job.state == ImportJob.State.DONE and (job.rejected or job.file_error):
        path = services.import_job_errors_path(job)
        if path.exists():
            with open(path, encoding="utf-8-sig", newline="") as fh:
                rejected = list(islice(csv.DictReader(fh), 200))
    return {"job": job, "rejected": rejected,
            # A killed command-line run is over (only uploads resume on the page's polls).
            "running": job.state in (ImportJob.State.PENDING, ImportJob.State.RUNNING)
            and not (job.source == ImportJob.Source.CLI and job.interrupted)}


@login_required
def import_job(request, pk):
    job = _job(request, pk)
    return render(request, "people/import_job.html", _job_context(job))


@login_required
def import_job_progress(request, pk):
    """Polled by the job page: shows where the import is (a worker does the work)."""
    job = _job(request, pk)
    return render(request, "people/import_job.html#progress", _job_context(job))


@login_required
def import_job_errors(request, pk):
    job = _job(request, pk)
    path = services.import_job_errors_path(job)
    if not path.exists():
        raise Http404
    return FileResponse(open(path, "rb"), as_attachment=True,
                        filename=f"{job.filename}.errors.csv", content_type="text/csv")


# --- export ---------------------------------------------------------------------------------

@login_required
def export(request):
    """Masked exports may be a GET; an unmasked one is a POST with a reason (audited). Either
    way the file is written by the worker (an export job): this redirects to its page."""
    _perm(request, "people.export")
    allow = has_perm(request.user, "people.export_full")
    areas = _areas(request.user)
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = ExportForm(data, areas=areas, allow_unmasked=allow)
    if data is not None and form.is_valid():
        area = area_get_for_user(request.user, form.cleaned_data["area"])
        unmasked = bool(form.cleaned_data.get("unmasked"))
        fmt = form.cleaned_data["format"]
        try:
            if unmasked and request.method != "POST":
                raise InvalidInput("reason_required", _(
                    "Reason: an unmasked export is asked for with the form, giving a reason."),
                    field="reason")
            job = exports.roster_export_ask(
                actor=request.user, area=area, unmasked=unmasked, fmt=fmt,
                reason_code=form.cleaned_data.get("reason", ""),
                reason_text=form.cleaned_data.get("reason_text", ""))
        except RuleViolation as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.detail)
        else:
            return redirect("exportjobs:job", pk=job.pk)
    return render(request, "people/export.html", {"form": form, "allow_unmasked": allow},
                  status=422 if data is not None else 200)


# --- audit ----------------------------------------------------------------------------------

# What the auditor reads instead of the stored codes: every action is an AuditAction member
# (rows written before a code joined the vocabulary fall back to the code).
AUDIT_ACTIONS = dict(AuditAction.choices)
AUDIT_OBJECTS = {
    "people.resident": pgettext_lazy("audit object", "Resident"),
    "areas.area": pgettext_lazy("audit object", "Area"),
    "lists.checklist": pgettext_lazy("audit object", "Verification list"),
    "residents.tip": pgettext_lazy("audit object", "Tip-off"),
}
AUDIT_VIA = {
    "web": pgettext_lazy("audit via", "web page"),
    "api": pgettext_lazy("audit via", "API"),
    "cli": pgettext_lazy("audit via", "command line"),
    "admin": pgettext_lazy("audit via", "Django admin"),
}


@login_required
def audit_log(request):
    """Who read or exported whose personal data, for residents and areas in scope."""
    _perm(request, "audit.view")
    qs = sel.audit_entries_visible_to(request.user)
    # Search as an auditor thinks: by the person's login or display name (李书记), by the
    # resident's name (邵兰) or number, by day and by action; nothing typed is ignored.
    who = request.GET.get("who", "").strip()[:100]
    if who:
        qs = qs.filter(Q(actor__username__iexact=who) | Q(actor__display_name__icontains=who)
                       | Q(actor__username__icontains=who))
    if request.method == "POST":  # the filter form posts: a typed number is never a URL
        keys = ("who", "resident", "action", "from", "to")
        return redirect(_search_url(request, {k: request.POST.get(k, "").strip() for k in keys},
                                    private=("resident",)))
    if _private_in_url(request, "resident"):
        return redirect(_search_url(request, request.GET.dict(), private=("resident",)))
    rid = private_terms.recall(request.session,
                               request.GET.get("resident", "").strip())[:100]
    if (number := typed_id(rid)) is not None:  # a resident's number, leading zeros or not
        qs = qs.filter(object_type="people.resident", object_id=str(number))
    elif rid:
        ids = sel.text_ids(sel.residents_visible_to(request.user).filter(name__icontains=rid))
        qs = qs.filter(object_type="people.resident", object_id__in=ids)
    action = request.GET.get("action", "").strip()
    if action in AUDIT_ACTIONS:
        qs = qs.filter(action=action)
    problems = []
    day_from, day_to = (_audit_day(request, key, problems) for key in ("from", "to"))
    if day_from and day_to and day_to < day_from:  # said, not an empty list that looks like "nobody"
        problems.append(_("To: %(to)s is before From: %(from)s; no day lies between them.")
                        % {"to": day_to.isoformat(), "from": day_from.isoformat()})
    if day_from:
        qs = qs.filter(at__gte=clock.day_start(day_from))
    if day_to:
        qs = qs.filter(at__lt=clock.day_start(day_to + timedelta(days=1)))
    if request.GET.get("format") == "xlsx":
        return _audit_xlsx(request, qs.order_by("-at"))
    page = _page(request, qs.order_by("-at"))
    names = dict(Resident.objects.filter(
        pk__in=[int(e.object_id) for e in page if e.object_type == "people.resident"
                and e.object_id.isdigit()]).values_list("pk", "name"))
    rows = [{"e": e, "action": AUDIT_ACTIONS.get(e.action, e.action),
             "object": AUDIT_OBJECTS.get(e.object_type, e.object_type),
             "via": AUDIT_VIA.get(e.via, e.via), "detail": detail,
             "name": (names.get(int(e.object_id)) if e.object_type == "people.resident"
                      and e.object_id.isdigit() else None)}
            for e, detail in zip(page, audit_details(page), strict=True)]
    return render(request, "people/audit.html", {
        "page": page, "rows": rows, "who": who, "resident": rid, "action": action,
        "actions": sorted(((a.value, str(a.label)) for a in PERSONAL_DATA_ACTIONS),
                          key=lambda x: x[1]),
        "day_from": request.GET.get("from", ""), "day_to": request.GET.get("to", ""),
        "problems": problems, "query": request.GET.urlencode()})


def _audit_day(request, key, problems):
    from datetime import date

    raw = request.GET.get(key, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        problems.append(_("%(value)s is not a date such as 2020-02-05.") % {"value": raw[:20]})
        return None


def _audit_xlsx(request, qs):
    """The filtered audit log as a workbook for the auditor's report (at most 100,000 rows;
    the export itself is audited)."""
    from firstline.accounts.services import audit

    audit(actor=request.user, action=AuditAction.AUDIT_EXPORT, object_type="accounts.auditentry",
          detail=request.GET.urlencode()[:200])
    entries = list(qs.select_related("actor")[:100_000])
    names = dict(Resident.objects.filter(
        pk__in=[int(e.object_id) for e in entries if e.object_type == "people.resident"
                and e.object_id.isdigit()]).values_list("pk", "name"))

    def rows():
        yield [_("When"), _("Who"), _("Action"), _("Whom / what"),
               pgettext("audit column", "Detail"), _("Via")]
        for e, detail in zip(entries, audit_details(entries), strict=True):
            name = (names.get(int(e.object_id)) if e.object_type == "people.resident"
                    and e.object_id.isdigit() else None)
            yield [clock.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                   str(e.actor) if e.actor else pgettext("audit actor", "system"),
                   str(AUDIT_ACTIONS.get(e.action, e.action)),
                   f"{name} (#{e.object_id})" if name else
                   f"{AUDIT_OBJECTS.get(e.object_type, e.object_type)} {e.object_id}",
                   services.mask_in_text(detail), str(AUDIT_VIA.get(e.via, e.via))]

    path = services.xlsx_file(rows(), title="audit")
    return FileResponse(open(path, "rb"), as_attachment=True,
                        filename=f"audit-{clock.today().isoformat()}.xlsx")
