"""HTML pages: the worker's call list (phone), the request board (staff), my tasks (volunteer),
stock and care packages. Thin: parse, call a selector or a service, render (htmx partials)."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from firstline import clock
from firstline.accounts.scope import has_perm
from firstline.accounts.services import require_perm
from firstline.areas.models import Level
from firstline.areas.selectors import areas_visible_to
from firstline.errors import InvalidInput, RuleViolation
from firstline.forms import OnceForm
from firstline.isolation import services as isolation_services
from firstline.isolation import views as isolation_views
from firstline.middleware import unstorable
from firstline.people.selectors import households_matching

from . import selectors, services
from .forms import HelpForm
from .models import CallOutcome, PackageKind, RequestKind, RequestSource, RequestStatus


def needs(perm):
    """Logged in and holding `perm` (403 otherwise; objects outside scope are 404s)."""

    def deco(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            require_perm(request.user, perm)
            return view(request, *args, **kwargs)

        return wrapper

    return deco


def needs_any(*perms):
    """Logged in and holding one of `perms` (the first held is put in play); 403 otherwise."""

    def deco(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            held = next((p for p in perms if has_perm(request.user, p)), perms[0])
            require_perm(request.user, held)
            return view(request, *args, **kwargs)

        return wrapper

    return deco


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _page(request) -> int:
    """?page=N, from 1 to 100,000 (beyond, an offset no database takes: 2^63 was a 500)."""
    return min(max(1, _int(request.GET.get("page")) or 1), 100_000)


# --- care calls -------------------------------------------------------------------------------

def _slot_label(slot: str) -> str:
    return {"morning": pgettext("assistance", "morning"),
            "afternoon": pgettext("assistance", "afternoon"),
            "noon": pgettext("assistance", "noon"),
            "evening": pgettext("assistance", "evening")}.get(slot, slot)


def _call_context(request, data, row=None, error=""):
    labels = {s: _slot_label(s) for s in data["slots"]}
    for r in data["rows"]:
        r.slot_view = [(s, labels[s], call) for s, call in r.slots]
    return {"data": data, "outcomes": CallOutcome.choices,
            "slot_label": _slot_label(data["current"]), "row": row, "error": error}


CALLS_PER_PAGE = 50


@require_GET
@needs("assistance.work")
def calls(request):
    return _calls_page(request)


def _calls_page(request, *, refused=None, status=200):
    """The care-call list; `refused`, a household row whose call was refused (a plain form
    post), is shown first-page with its note as typed and the error beside it."""
    page = 1 if refused is not None else _page(request)
    data = selectors.care_call_list(request.user, offset=(page - 1) * CALLS_PER_PAGE,
                                    limit=CALLS_PER_PAGE)
    if refused is not None:
        rows = [r for r in data["rows"] if r.household.pk != refused.household.pk]
        data["rows"] = [refused, *rows]
    context = _call_context(request, data)
    context.update(page=page, has_next=page * CALLS_PER_PAGE < data["total"])
    return render(request, "assistance/calls.html", context, status=status)


@require_POST
@needs("assistance.work")
def call_log(request):
    household = selectors.household_get_for_user(request.user, _int(request.POST.get("household")))
    error = status = None
    try:
        services.care_call_log(household=household, outcome=request.POST.get("outcome", ""),
                               actor=request.user, note=request.POST.get("note", ""),
                               slot=request.POST.get("slot") or None)
    except RuleViolation as exc:
        error, status = exc, exc.status if exc.status in (409, 422) else 422
    data = selectors.care_call_list(request.user, household=household)
    row = data["rows"][0] if data["rows"] else None
    if row is not None and error is not None:
        # The note as typed, its error beside it; the others (outcome, slot) on the card.
        row.refusal_note = request.POST.get("note", "")
        row.refusal_note_error = error.errors.get("note", "")
        row.refusal_error = " ".join(d for f, d in error.errors.items() if f != "note")
    if not request.htmx:
        if row is not None and error is not None:
            return _calls_page(request, refused=row, status=status)
        if error is not None:
            messages.error(request, error.detail)
        return redirect("assistance:calls")
    context = _call_context(request, data, row=row)
    context["oob"] = True  # the card, and the header's count out of band
    if row is None:
        return render(request, "assistance/calls.html#gone", context)
    return render(request, "assistance/calls.html#card", context, status=status or 200)


@require_POST
@needs("assistance.work")
def call_phone(request, resident_id):
    """Reveal one isolated resident's phone to call them: a full read, audited with the
    chosen reason (the short select) and the call."""
    return _phone_reveal(request, resident_id, lambda reason: services.care_call_phone(
        actor=request.user, resident_id=resident_id, reason=reason))


def _phone_reveal(request, resident_id, reveal):
    """The number (a tel: link) in place of the reveal's form; an unlisted reason refused
    beside it (422), nothing revealed."""
    try:
        resident, phone = reveal(request.POST.get("reason", ""))
    except InvalidInput as exc:
        return render(request, "assistance/calls.html#phone_refused",
                      {"resident_id": resident_id, "error": exc.detail}, status=422)
    return render(request, "assistance/calls.html#phone", {"resident": resident, "phone": phone})


@require_GET
@needs("assistance.work")
def calls_panel(request):
    data = selectors.care_call_list(request.user, limit=0)
    return render(request, "assistance/panel_calls.html",
                  {"data": data, "slot_label": _slot_label(data["current"]),
                   "households": data["total"]})


# --- service requests -------------------------------------------------------------------------

STATUS_TABS = [("open", pgettext_lazy("assistance", "open")), ("delivered", RequestStatus.DELIVERED.label),
               ("cancelled", RequestStatus.CANCELLED.label)]


@require_POST
@needs_any("assistance.work", "assistance.own")
def errand_phone(request, pk, resident_id):
    """Reveal the phone of a resident of an errand's household (services.errand_phone)."""
    return _phone_reveal(request, resident_id, lambda reason: services.errand_phone(
        actor=request.user, request_id=pk, resident_id=resident_id, reason=reason))


def _board_qs(request, tab):
    if tab == "open":
        return selectors.service_requests_list(request.user, open_only=True)
    return selectors.service_requests_list(request.user, status=tab)


def _back_to(request, targets, *pages) -> str:
    """The first of `targets` that is one of `pages` (URL names) on this site, else the first
    page: never an action URL (that answers GET with 405) nor another site."""
    paths = [reverse(p) for p in pages]
    for target in targets:
        target = target or ""
        if (target.split("?", 1)[0] in paths
                and url_has_allowed_host_and_scheme(target, {request.get_host()})):
            return target
    return paths[0]


def _board_next(request):
    """Where a card's non-htmx fallback post returns: the board page it was on."""
    return _back_to(request, (request.POST.get("next"),
                              request.htmx.current_url_abs_path if request.htmx else None),
                    "assistance:board", "assistance:tasks")


def _request_context(request, req, error=""):
    on_tasks = _board_next(request).startswith(reverse("assistance:tasks"))
    if on_tasks:  # My tasks shows whom to ring; the board does not
        selectors.errand_contacts(request.user, [req])
    return {"r": req, "error": error, "volunteers": _volunteers(request),
            "next": _board_next(request),
            "can_manage": has_perm(request.user, "assistance.manage") and not on_tasks,
            "can_take": has_perm(request.user, "assistance.work") and not on_tasks}


def _volunteers(request):
    if not has_perm(request.user, "assistance.manage"):
        return []
    cache = request.__dict__.setdefault("_volunteers", None)
    if cache is None:
        cache = request.__dict__["_volunteers"] = list(selectors.volunteers_for(request.user))
    return cache


@require_GET
@needs_any("assistance.work", "assistance.take")
def board(request):
    if not has_perm(request.user, "assistance.work"):
        return _take_page(request)  # a volunteer's login: the errands waiting for someone
    return _board_page(request)


def _take_page(request, *, error: str = "", status=200):
    """A volunteer's board: the new errands of their area nobody runs yet, each with what is
    needed and the compound and building (no room, no phone until taken), and 我来办."""
    items = list(selectors.errands_to_take(request.user)[:50])
    return render(request, "assistance/take.html", {"items": items, "error": error},
                  status=status)


def _with_refused(items: list, refused) -> list:
    """`items` with the refused request's card in its place (first if not among them)."""
    if refused is None:
        return items
    if any(r.pk == refused.pk for r in items):
        return [refused if r.pk == refused.pk else r for r in items]
    return [refused, *items]


def _board_page(request, *, refused=None, status=200):
    """The board; `refused`, a request whose action was refused (a plain form post), is shown
    with what was typed and its errors (the tab and page come from the `next` it was on)."""
    query = request.GET
    if refused is not None:
        from django.http import QueryDict

        target = _board_next(request)
        query = QueryDict(target.split("?", 1)[1] if "?" in target else "")
    tab = query.get("status", "open")
    if tab not in dict(STATUS_TABS):
        tab = "open"
    qs = _board_qs(request, tab)
    total = qs.count()
    page = min(max(1, _int(query.get("page")) or 1), 100_000)
    items = _with_refused(list(qs[(page - 1) * 50: page * 50]), refused)
    tabs = [(t, label, _board_qs(request, t).count()) for t, label in STATUS_TABS]
    return render(request, "assistance/board.html", {
        "items": items, "tab": tab, "tabs": tabs, "total": total,
        "page": page, "has_next": page * 50 < total, "volunteers": _volunteers(request),
        "can_manage": has_perm(request.user, "assistance.manage"),
        "can_take": True,  # 我来办: a new request, by anyone working in its area
        "next": _board_next(request) if refused is not None else "",
    }, status=status)


@require_GET
@needs_any("assistance.work", "assistance.own")
def my_tasks(request):
    return _tasks_page(request)


def _tasks_page(request, *, refused=None, status=200):
    """The errands assigned to me (a worker, or a volunteer's own login): what to buy, where,
    and whom to ring; `refused`, as on the board."""
    items = _with_refused(
        list(selectors.service_requests_list(request.user, mine=True, open_only=True)), refused)
    selectors.errand_contacts(request.user, items)
    done = list(selectors.service_requests_list(request.user, mine=True,
                                                status=RequestStatus.DELIVERED)[:10])
    return render(request, "assistance/tasks.html", {
        "items": items, "done": done, "can_take": has_perm(request.user, "assistance.take"),
        "next": _board_next(request) if refused is not None else ""}, status=status)


def _request_card(request, req, error="", status=200, done=""):
    return render(request, "assistance/board.html#card",
                  {**_request_context(request, req, error), "done": done}, status=status)


# The card's typed fields: a refusal naming one is said beside it, the others on the card.
CARD_FIELDS = ("volunteer", "volunteer_name", "volunteer_phone", "amount", "receipt_no",
               "reason")


def _refused(request, req, exc: RuleViolation) -> None:
    """Mark `req` (its card) refused: what was typed (`refusal_values`, over what it holds),
    each field's error (`refusal_errors`) and the rest (`refusal_error`), for the card to
    show again."""
    values = {"volunteer": req.volunteer_id, "volunteer_name": req.volunteer_name,
              "volunteer_phone": req.volunteer_phone, "amount": "", "receipt_no": "",
              "reason": ""}
    for name in CARD_FIELDS:
        if name in request.POST:
            values[name] = (_int(request.POST[name]) if name == "volunteer"
                            else request.POST[name])
    req.refusal_values = values
    req.refusal_errors = {f: d for f, d in exc.errors.items() if f in CARD_FIELDS}
    req.refusal_error = " ".join(d for f, d in exc.errors.items() if f not in CARD_FIELDS)


def _act(request, pk, perm, action, done=None):
    """Run `action(req)` on a request in scope; a refusal is shown on the card, what was typed
    kept and each error beside its field: the card alone for htmx, else the page it was on.
    `done(req)`: what to say once it is done (on the card for htmx, else as a message)."""
    req = selectors.service_request_get_for_user(request.user, pk, perm)
    try:
        req = action(req)
    except RuleViolation as exc:
        req.refresh_from_db()
        _refused(request, req, exc)
        status = exc.status if exc.status in (409, 422) else 422
        if request.htmx:
            return _request_card(request, req, status=status)
        if _board_next(request).startswith(reverse("assistance:tasks")):
            return _tasks_page(request, refused=req, status=status)
        return _board_page(request, refused=req, status=status)
    said = done(req) if done else ""
    if not request.htmx:
        if said:
            messages.success(request, said)
        return redirect(_board_next(request))
    return _request_card(request, req, done=said)


def _status_done(req) -> str:
    """What a worker or volunteer is told once an errand moved (已购买 / 已送达 said nothing)."""
    if req.status == RequestStatus.BOUGHT:
        if req.amount is not None:
            return _("Errand #%(n)s marked bought (¥%(amount)s): take it to the door, then "
                     "mark it delivered.") % {"n": req.pk, "amount": req.amount}
        return _("Errand #%(n)s marked done: take it to the door, then mark it delivered.") \
            % {"n": req.pk}
    if req.status == RequestStatus.DELIVERED:
        if req.amount is not None and not req.paid_back:
            return _("Errand #%(n)s delivered. Mark it paid back once the household has "
                     "repaid ¥%(amount)s.") % {"n": req.pk, "amount": req.amount}
        return _("Errand #%(n)s delivered. Thank you.") % {"n": req.pk}
    if req.status == RequestStatus.CANCELLED:
        return _("Request #%(n)s cancelled.") % {"n": req.pk}
    return ""


@require_POST
@needs("assistance.manage")
def request_assign(request, pk):
    volunteer = None
    volunteer_id = _int(request.POST.get("volunteer"))
    if volunteer_id:
        volunteer = get_object_or_404(selectors.volunteers_for(request.user), pk=volunteer_id)
    return _act(request, pk, "assistance.manage", lambda req: services.service_request_assign(
        request=req, actor=request.user, volunteer=volunteer,
        volunteer_name=request.POST.get("volunteer_name", ""),
        volunteer_phone=request.POST.get("volunteer_phone", "")))


@require_POST
@needs_any("assistance.work", "assistance.take")
def request_take(request, pk):
    """我来办: take a new request of my area myself (a grid worker on the board; a
    volunteer's login on its list of errands waiting for someone, then to My tasks)."""
    if has_perm(request.user, "assistance.work"):
        return _act(request, pk, "assistance.work", lambda req: services.service_request_take(
            request=req, actor=request.user),
            done=lambda req: _("Errand #%(n)s is yours: it is under My tasks.") % {"n": req.pk})
    req = selectors.service_request_get_for_user(request.user, pk, "assistance.take")
    try:
        req = services.service_request_take(request=req, actor=request.user)
    except RuleViolation as exc:  # someone else took it meanwhile: say so on the list
        return _take_page(request, error=exc.detail, status=exc.status)
    messages.success(request, _("Errand #%(n)s is yours: it is under My tasks, with the "
                                "address and the household's phone.") % {"n": req.pk})
    return redirect("assistance:tasks")


@require_POST
@needs_any("assistance.work", "assistance.own")
def request_status(request, pk):
    return _act(request, pk, "assistance.work", lambda req: services.service_request_transition(
        request=req, to=request.POST.get("status", ""), actor=request.user,
        amount=request.POST.get("amount") or None,
        receipt_no=request.POST.get("receipt_no", ""),
        receipt_note=request.POST.get("receipt_note", ""),
        reason=request.POST.get("reason", "")), done=_status_done)


@require_POST
@needs_any("assistance.work", "assistance.own")
def request_paid_back(request, pk):
    return _act(request, pk, "assistance.work", lambda req: services.service_request_paid_back(
        request=req, actor=request.user),
        done=lambda req: _("Errand #%(n)s marked paid back.") % {"n": req.pk})


@needs("assistance.work")
def request_new(request):
    households = selectors.households_isolated(request.user, clock.today())
    error, values = "", {}
    once = OnceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        values = request.POST
        try:
            household = _household_chosen(households, request.POST.get("household"))
            req = services.service_request_create(
                household=household, kind=request.POST.get("kind", ""),
                detail=request.POST.get("detail", ""),
                source=request.POST.get("source") or RequestSource.WORKER, actor=request.user,
                event_id=once.event_id_sent())
        except RuleViolation as exc:
            error = once.refused(exc)
        else:
            messages.success(request, _("Request #%(id)s opened.") % {"id": req.pk})
            return redirect(_new_next(request))
    elif request.method != "GET":
        return unstorable(request, _("This page takes a form sent with POST (%(method)s was "
                                     "sent).") % {"method": request.method[:20]})
    sources = [(v, label) for v, label in RequestSource.choices if v != RequestSource.SELF_REPORT]
    q = request.GET.get("q", "")
    return render(request, "assistance/request_new.html", {
        "households": households_matching(households, q)[:300], "q": q,
        "kinds": RequestKind.choices, "sources": sources, "error": error, "values": values,
        "selected": _int(values.get("household") or request.GET.get("household")),
        "once": once, "next": _new_next(request)}, status=422 if error else 200)


def _new_next(request) -> str:
    """Where a new request's form returns: the page it was opened from (?next=, the board
    or the call list), else the board — where the request now is."""
    return _back_to(request, (request.POST.get("next"), request.GET.get("next")),
                    "assistance:board", "assistance:calls")


def _household_chosen(households, value):
    """The household picked in the form (no default: an untouched form files nothing)."""
    if not _int(value):
        raise RuleViolation("household_required", _("Choose the household."), status=422,
                            field="household")
    return get_object_or_404(households, pk=_int(value))


# --- stock and care packages ------------------------------------------------------------------

@needs("assistance.work")
def stock(request):
    can_manage = has_perm(request.user, "assistance.manage")
    today = clock.today()
    error = ""
    action = request.POST.get("action") if request.method == "POST" else None
    once = OnceForm(request.POST if action == "issue" else None)  # the issue form's
    if request.method == "POST":
        try:
            if action == "receive":
                require_perm(request.user, "assistance.manage")
                area = get_object_or_404(areas_visible_to(request.user),
                                         pk=_int(request.POST.get("area")))
                kind = get_object_or_404(PackageKind, pk=_int(request.POST.get("kind")))
                quantity = _int((request.POST.get("quantity") or "").strip())
                if quantity is None:
                    raise RuleViolation("bad_quantity", _("The quantity must be a whole number, "
                                                          "not zero."), status=422,
                                        field="quantity")
                services.stock_receive(kind=kind, area=area, quantity=quantity,
                                       actor=request.user, note=request.POST.get("note", ""))
                messages.success(request, _("Stock updated."))
            elif action == "issue":
                if not _int(request.POST.get("household")):
                    raise RuleViolation("household_required", _("Choose the household."),
                                        status=422, field="household")
                household = selectors.household_get_for_user(request.user,
                                                              _int(request.POST.get("household")))
                kind = get_object_or_404(PackageKind, pk=_int(request.POST.get("kind")))
                services.package_issue(kind=kind, household=household, actor=request.user,
                                       override_reason=request.POST.get("override_reason", ""),
                                       event_id=once.event_id_sent())
                messages.success(request, _("%(kit)s issued to %(address)s.")
                                 % {"kit": kind.name, "address": household.address})
            elif action == "kind":
                require_perm(request.user, "assistance.manage")
                services.package_kind_create(name=request.POST.get("name", ""),
                                             contents=request.POST.get("contents", ""),
                                             actor=request.user)
                messages.success(request, _("Kit defined."))
            elif not action:
                return unstorable(request, _("The form sent no action (give a kit, receive "
                                             "stock or define a kit): reload the page and "
                                             "send it again."))
            else:
                return unstorable(request, _("“%(action)s” is not something this page does "
                                             "(give a kit, receive stock or define a kit): "
                                             "reload the page and send it again.")
                                  % {"action": action[:40]})
        except RuleViolation as exc:
            error = once.refused(exc) if action == "issue" else exc.detail
        else:
            return redirect("assistance:stock")
    holders = (areas_visible_to(request.user).filter(level__in=[Level.STREET, Level.COMMUNITY])
               if can_manage else [])
    return render(request, "assistance/stock.html", {
        "stocks": selectors.stock_visible_to(request.user),
        "kinds": selectors.package_kinds(),
        "households": households_matching(
            selectors.households_isolated(request.user, today), request.GET.get("q", ""))[:300],
        "q": request.GET.get("q", ""),
        "issues": selectors.package_issues_visible_to(request.user)[:20],
        "holders": holders, "can_manage": can_manage, "error": error, "once": once,
        "selected": _int(request.GET.get("household") or request.POST.get("household")),
    }, status=422 if error else 200)



@require_POST
def self_report_help(request, token):
    """"I need something" from an isolated resident's self-report page (no login; the token
    is the key): a service request for the household, then back to the page."""
    now = clock.now()
    iso = isolation_services.isolation_for_token(token, now=now)
    if iso is None:
        return isolation_views.report(request, token)
    form, status = HelpForm(request.POST), 422
    if form.is_valid():
        try:
            # The link's flood guard counts a new request only: this form sent again (its
            # event_id already saved) is answered with the first request, not counted.
            services.service_request_create(
                household=iso.household, kind=form.cleaned_data["kind"],
                detail=form.cleaned_data["detail"], source=RequestSource.SELF_REPORT,
                actor=None, isolation=iso, now=now, event_id=form.cleaned_data["event_id"],
                flood_guard=lambda: isolation_services.self_report_allowed(iso, now=now))
        except RuleViolation as exc:
            form.add_error(None, form.refused(exc))
            status = exc.status
        else:
            return redirect(reverse("isolation:report", args=[token]) + "?sent=help")
    return isolation_views.report(request, token, help_form=form, status=status)
