"""HTML pages: the resident's self-report page (no login) and the workers' pages.

Thin: parse, call a selector or a service, render. Refusals (RuleViolation) are shown on the
page; scope misses are 404s; role misses 403s.
"""

from datetime import date, timedelta
from functools import wraps

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_POST

from firstline import clock
from firstline.accounts.scope import area_scope, has_perm
from firstline.accounts.services import require_perm
from firstline.areas.models import Area, Level
from firstline.errors import InvalidInput, RuleViolation, form_refuse
from firstline.forms import typed_id
from firstline.people.models import Resident
from firstline.people.selectors import compound_get_for_user, compounds_visible_to
from firstline.texts import listing

from . import forms, schedule, selectors, services
from .models import (
    AlertStatus,
    Kind,
    ReadingSource,
    Reason,
    RoomStay,
    Status,
    TransferStatus,
)


def needs(perm):
    def deco(view):
        @wraps(view)
        @login_required
        def inner(request, *args, **kwargs):
            require_perm(request.user, perm)  # 403, and the scope is perm's
            return view(request, *args, **kwargs)
        return inner
    return deco


def _back(request, fallback):
    """Back to the page the form was on (only a path on this site: no open redirect)."""
    target = request.POST.get("next") or ""
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
            target, {request.get_host()}, require_https=request.is_secure()):
        target = fallback
    return redirect(target)


def mask_name(name: str) -> str:
    """张三 -> 张*, 欧阳娜娜 -> 欧**娜: enough for the family to recognise, little if leaked."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


# --- the resident's self-report page ----------------------------------------------------------

def _no_store(response):
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _invalid(request):
    # One answer for a wrong token, an ended isolation and a token that never existed.
    return _no_store(render(request, "isolation/report_invalid.html", status=404))


def report(request, token, *, help_form=None, status=200):
    """体温上报: the resident's own page. No login; the token in the URL is the key.
    "I need something" posts to the assistance app (assistance:self_report_help), which
    renders this page again with its form when the request needs correcting."""
    now = clock.now()
    iso = services.isolation_for_token(token, now=now)
    if iso is None:
        return _invalid(request)
    reading_form = forms.SelfReportForm()
    if request.method == "POST" and help_form is None:
        if request.POST.get("action") == "reading":
            reading_form = forms.SelfReportForm(request.POST)
            if reading_form.is_valid():
                try:
                    # The link's flood guard counts a new reading only: this form sent again
                    # (its event_id already saved) is answered with the first reading.
                    r = services.reading_record(
                        isolation=iso, temperature=reading_form.cleaned_data["temperature"],
                        symptoms=reading_form.cleaned_data["symptoms"], taken_at=now,
                        source=ReadingSource.SELF, now=now,
                        event_id=reading_form.cleaned_data["event_id"],
                        flood_guard=lambda: services.self_report_allowed(iso, now=now))
                except RuleViolation as exc:
                    # event_id_reused reaches OnceForm.add_error: said in words, a new id.
                    reading_form.add_error(exc.field if exc.field in reading_form.fields
                                           else None, exc.detail)
                    status = exc.status
                else:
                    return redirect(f"{request.path}?sent={'fever' if r.fever else 'reading'}")
            else:
                status = 422
        else:
            status = 400
    today = clock.localdate(now)
    slots = schedule.slots(iso, today)
    taken = list(iso.readings.filter(taken_at__gte=schedule.day_bounds(today)[0])
                 .values_list("taken_at", flat=True))
    next_due = next((s for s in slots if not schedule.answered(s, taken)), None)
    tomorrow = None
    if next_due is None:
        later = schedule.slots(iso, today + timedelta(days=1))
        tomorrow = later[0] if later else None
    context = {
        "iso": iso, "token": token, "name": mask_name(iso.resident.name),
        "reading_form": reading_form, "help_form": help_form,
        "sent": request.GET.get("sent", ""),
        "day_no": (today - iso.starts_on).days + 1,
        "days_total": (iso.ends_on - iso.starts_on).days,
        "last_day": iso.ends_on - timedelta(days=1),
        "today_readings": iso.readings.filter(taken_at__gte=schedule.day_bounds(today)[0])
        .order_by("-taken_at")[:6],
        "next_due": next_due, "slots": slots, "tomorrow": tomorrow,
        "open_help": request.GET.get("help") == "1" or help_form is not None,
    }
    return _no_store(render(request, "isolation/report.html", context, status=status))


# --- isolations ---------------------------------------------------------------------------

@needs("isolation.view")
def isolation_index(request):
    status = request.GET.get("status", "active")
    if status not in Status.values and status != "all":
        status = "active"
    kind = request.GET.get("kind", "")
    qs = selectors.isolation_list(request.user, status=None if status == "all" else status,
                                  kind=kind if kind in Kind.values else None,
                                  q=request.GET.get("q", "").strip()[:50])
    rows = list(qs[:200])
    today = selectors.today_status([i for i in rows if i.status == Status.ACTIVE])
    for iso in rows:
        iso.today = today.get(iso.pk, "")
    # Who needs a call first: fever, then missed, then still due (stable within each).
    rank = {"fever": 0, "missed": 1, "pending": 2}
    rows.sort(key=lambda i: rank.get(i.today, 3))
    return render(request, "isolation/index.html", {
        "isolations": rows, "count": qs.count(), "status": status, "kind": kind,
        "q": request.GET.get("q", ""), "statuses": Status.choices, "kinds": Kind.choices,
        "can_manage": has_perm(request.user, "isolation.manage"),
    })


@needs("isolation.manage")
def isolation_new(request):
    """Pick a resident (search), then the isolation form."""
    q = request.GET.get("q", "").strip()[:50]
    resident, existing = None, None
    in_scope = (Resident.objects.filter(area_scope(request.user, "grid"))
                .select_related("household__compound"))
    if request.method == "POST":
        rid = typed_id(request.POST.get("resident"))
        if rid is None:
            raise Http404
        resident = get_object_or_404(in_scope, pk=rid)
    elif (rid := typed_id(request.GET.get("resident"))) is not None:
        # ?resident=<id> (linked from a screening visit) prefills; a resident outside the
        # user's scope, or none, is simply not prefilled.
        resident = in_scope.filter(pk=rid).first()
    # Filled from what the door (or a confirmed return declaration) recorded: the return day
    # the days count from, where from and how; the worker checks and may change it.
    defaults = (services.isolation_defaults(resident=resident) if resident is not None
                else services.StartDefaults(starts_on=clock.today()))
    initial = {"starts_on": defaults.starts_on, "kind": Kind.HOME,
               "reason_note": defaults.reason_note}
    reason = request.GET.get("reason") or defaults.reason
    if reason in Reason.values:
        initial["reason"] = reason
    prefilled = _prefilled_text(defaults)
    # ?starts_on=YYYY-MM-DD&note=… (linked from a verification answer: the return day and
    # where from) prefill too; a bad date is simply not prefilled.
    asked = _asked_prefill(request.GET)
    if asked:
        initial.update(asked)
        prefilled = _("Filled in from the answer recorded: check it, change it if it is wrong.")
    form = forms.StartForm(request.POST or None, initial=initial)
    status = 200
    if request.method != "POST" and resident is not None:
        # Already isolated: said before the form is filled in, not after.
        existing = (selectors.isolations_visible_to(request.user)
                    .filter(resident=resident, status=Status.ACTIVE).first())
    if request.method == "POST" and resident is not None:
        if form.is_valid():
            try:
                iso = services.isolation_start(resident=resident, actor=request.user,
                                               **form.cleaned_data)
            except RuleViolation as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.detail)
                status = exc.status
                if exc.code == "already_isolated":
                    existing = (selectors.isolations_visible_to(request.user)
                                .filter(resident=resident, status=Status.ACTIVE).first())
            else:
                request.session[f"isolation-link-{iso.pk}"] = iso.report_token
                messages.success(request, _("Isolation started: %(name)s, %(kind)s.") % {
                    "name": resident.name, "kind": iso.get_kind_display()})
                return redirect("isolation:detail", iso.pk)
        else:
            status = 422
    matches = []
    if q and resident is None:
        matches = (Resident.objects.filter(area_scope(request.user, "grid"), name__contains=q)
                   .select_related("household__compound")[:30])
    return render(request, "isolation/new.html", {
        "form": form, "resident": resident, "q": q, "matches": matches, "existing": existing,
        "prefilled": prefilled}, status=status)


def _asked_prefill(params) -> dict:
    """The start form's values a link asked for: `starts_on` (an ISO date, not after
    today) and `note` (up to 200 characters)."""
    out = {}
    try:
        starts_on = date.fromisoformat(params.get("starts_on", ""))
    except ValueError:
        starts_on = None
    if starts_on is not None and starts_on <= clock.today():
        out["starts_on"] = starts_on
    note = " ".join(params.get("note", "").split())[:200]
    if note:
        out["reason_note"] = note
    return out


def _prefilled_text(defaults) -> str:
    """Where the form's values came from, so the worker checks them rather than trusts them."""
    if defaults.recorded_at is None:
        return ""
    text = _("Filled in from the return recorded at %(at)s: check it, change it if it is "
             "wrong.") % {"at": f"{clock.localtime(defaults.recorded_at):%m-%d %H:%M}"}
    if defaults.returned_on is not None and defaults.returned_on == defaults.starts_on:
        text = pgettext("two sentences", "%(first)s %(second)s") % {
            "first": text, "second": _("The isolation counts from the return day.")}
    return text


@needs("isolation.view")
def isolation_detail(request, pk):
    iso = selectors.isolation_get_for_user(request.user, pk)
    status = 200
    reading_form = forms.ReadingForm()
    leave_form = forms.LeaveTransferForm(initial={
        "pickup_at": clock.localtime().strftime("%Y-%m-%dT%H:%M")})
    stay = (RoomStay.objects.filter(isolation=iso, ended_at__isnull=True)
            .select_related("room__site").first())
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "leave":
                leave_form = forms.LeaveTransferForm(request.POST)
                _leave_transfer(request, iso, stay, leave_form)
            elif action == "transfer_status":
                t = selectors.transfer_get_for_user(
                    request.user, typed_id(request.POST.get("transfer")) or 0)
                if t.isolation_id != iso.pk:
                    raise Http404
                t, _room = _transfer_move_on(request, t)
                messages.success(request, _("Transfer of %(name)s: %(status)s.") % {
                    "name": iso.resident.name, "status": t.get_status_display()})
            elif action == "reading":
                reading_form = forms.ReadingForm(request.POST)
                if not reading_form.is_valid():
                    # Name the field: "测量时间: 输入一个有效的日期/时间。", not only "check it".
                    raise RuleViolation("invalid", " ".join(
                        f"{reading_form.fields[f].label}: {' '.join(e)}"
                        if f in reading_form.fields else " ".join(e)
                        for f, e in reading_form.errors.items()), status=422)
                d = reading_form.cleaned_data
                r = services.reading_record(isolation=iso, temperature=d["temperature"],
                                            symptoms=d["symptoms"], taken_at=d["taken_at"],
                                            source=ReadingSource.WORKER, actor=request.user,
                                            event_id=d["event_id"])
                # A fever (or symptoms) first: it raised an alert, a re-measure is due.
                warned = _reading_warning(request, r)
                if clock.was_corrected(r.device_at, r.taken_at):
                    # As the API's "clock": "corrected": a time ahead of the server's is filed
                    # at the server's time; the worker is told, not left to find out.
                    messages.warning(request, _(
                        "Reading recorded at %(at)s, not %(typed)s: a reading cannot be taken "
                        "in the future. Check the time if it was earlier today.")
                        % {"at": f"{clock.localtime(r.taken_at):%m-%d %H:%M}",
                           "typed": f"{clock.localtime(r.device_at):%m-%d %H:%M}"})
                elif not warned:
                    messages.success(request, _("Reading recorded."))
            elif action == "extend":
                f = forms.ExtendForm(request.POST)
                if not f.is_valid():
                    raise RuleViolation("invalid", _("Give the extra days and a reason."),
                                        status=422)
                services.isolation_extend(isolation=iso, actor=request.user, **f.cleaned_data)
                messages.success(request, _("Isolation extended."))
            elif action == "release":
                f = forms.ReasonForm(request.POST)
                if not f.is_valid():
                    raise RuleViolation("invalid", _("Give a reason for the early release."),
                                        status=422)
                services.isolation_release(isolation=iso, actor=request.user, **f.cleaned_data)
                messages.success(request, _("Released early."))
            elif action == "link":
                # A lost phone: the old link stops working (the button asks first).
                token = services.isolation_reissue_link(isolation=iso, actor=request.user)
                request.session[f"isolation-link-{iso.pk}"] = token
                messages.success(request, _("New link made; the old link no longer works."))
            elif action == "show_link":
                # Sent again (a resident who lost the message): the same link, audited.
                token = services.isolation_show_link(isolation=iso, actor=request.user)
                request.session[f"isolation-link-{iso.pk}"] = token
                request.session[f"isolation-link-{iso.pk}-again"] = True
            else:
                raise RuleViolation("invalid", _("Unknown action."), status=400)
        except RuleViolation as exc:
            if action == "leave":
                if exc.code != "invalid":  # the form's own errors are beside its fields already
                    form_refuse(leave_form, exc, fields={"to_site_id": "to_place"})
                status = exc.status
                iso = selectors.isolation_get_for_user(request.user, pk)
                return _detail_page(request, iso, stay=stay, reading_form=reading_form,
                                    leave_form=leave_form, status=status)
            if action == "reading" and exc.code != "invalid":
                # event_id_reused reaches OnceForm.add_error: said in words, a new id.
                reading_form.add_error(exc.field if exc.field in reading_form.fields else None,
                                       exc.detail)
            messages.error(request, reading_form.refused(exc) if action == "reading"
                           else exc.detail)
            status = exc.status
        else:
            return redirect("isolation:detail", iso.pk)
        iso = selectors.isolation_get_for_user(request.user, pk)
    return _detail_page(request, iso, stay=stay, reading_form=reading_form,
                        leave_form=leave_form, status=status)


def _leave_transfer(request, iso, stay, form) -> None:
    """转运 from the site (home, hospital, elsewhere): transfer_create, as the API's
    `to_place`. A refusal raises for isolation_detail to show beside the fields."""
    if not has_perm(request.user, "isolation.manage"):
        raise PermissionDenied
    if not form.is_valid():
        raise RuleViolation("invalid", _("Check the fields marked."), status=422)
    d = form.cleaned_data
    site = stay.room.site if stay else iso.site
    here = f"{site.name} {stay.room.number}" if stay else (site.name if site else "")
    to_place = d["to_place"].strip() or iso.household.address  # home: the address is known
    t = services.transfer_create(
        isolation=iso, from_place=d["from_place"].strip() or here, to_place=to_place,
        pickup_at=d["pickup_at"], vehicle=d["vehicle"], escort=d["escort"],
        actor=request.user, event_id=d["event_id"])
    where = dict(form.fields["destination"].choices)[d["destination"]]
    messages.success(request, _("Transfer planned: %(name)s, %(where)s (%(to)s), pick-up at "
                                "%(from)s, %(time)s.") % {
        "name": iso.resident.name, "where": where, "to": t.to_place, "from": t.from_place,
        "time": date_format(clock.localtime(t.pickup_at), "m-d H:i")})


def _detail_page(request, iso, *, stay, reading_form, leave_form, status):
    token = request.session.pop(f"isolation-link-{iso.pk}", None)
    again = request.session.pop(f"isolation-link-{iso.pk}-again", False)
    link = (request.build_absolute_uri(reverse("isolation:report", args=[token]))
            if token else None)
    site = stay.room.site if stay else iso.site
    return render(request, "isolation/detail.html", {
        "iso": iso, "days": selectors.day_status(iso),
        "readings": iso.readings.select_related("recorded_by").order_by("-taken_at")[:30],
        "alerts": iso.alerts.order_by("-opened_at")[:20], "reading_form": reading_form,
        "extend_form": forms.ExtendForm(), "release_form": forms.ReasonForm(),
        "link": link, "link_qr": _qr(link) if link else None, "link_again": again,
        "is_active": iso.status == Status.ACTIVE and iso.ends_on > clock.today(),
        "can_manage": has_perm(request.user, "isolation.manage"),
        "can_record": has_perm(request.user, "isolation.record"),
        "stay": stay, "site": site, "leave_form": leave_form,
        "away": None if stay or site else selectors.last_arrival_away(iso),
        # The board's link only for someone who may open it (the site's area is theirs).
        "site_visible": site is not None and selectors.sites_visible_to(request.user)
        .filter(pk=site.pk).exists(),
        "transfers": iso.transfers.select_related("to_site").order_by("-pickup_at")[:10],
        # 安排转运 for someone at a site with no transfer open (a refused one stays shown).
        "offer_leave": site is not None and (leave_form.is_bound or not any(
            t.status in (TransferStatus.PLANNED, TransferStatus.EN_ROUTE)
            for t in iso.transfers.all())),
    }, status=status)


def _reading_warning(request, reading) -> bool:
    """A worker's reading that raised (or updated) an alert says so at the top of the page,
    with the way to the alert: a fever is not "recorded" like any other reading. No rule gives
    a re-measure interval, so it asks for a re-measure without one."""
    alert = selectors.reading_alert(request.user, reading)
    if alert is None:
        return False
    if reading.fever:
        text = _("%(t)s °C is a fever: a fever alert was raised for this resident. "
                 "Re-measure, and handle the alert.") % {"t": reading.temperature}
    else:
        text = _("Symptoms recorded: an alert was raised for this resident. Handle the alert.")
    messages.error(request, format_html('{} <a href="{}#alert-{}">{}</a>', text,
                                        reverse("isolation:alerts"), alert.pk,
                                        _("Open the alert")))
    return True


def _qr(url: str) -> str | None:
    """The link as an SVG QR code (data URI) the resident scans off the worker's phone."""
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


# --- alerts ---------------------------------------------------------------------------------

def _alert_rows(request, limit=None):
    qs = selectors.alert_list(request.user, status="unresolved")
    return qs[:limit] if limit else qs[:200]


@needs("isolation.view")
def alerts_panel(request):
    """The home-page panel: unresolved alerts in scope, newest first."""
    qs = selectors.alert_list(request.user, status="unresolved")
    template = "isolation/alerts.html#panel" if request.htmx else "isolation/alerts.html"
    alerts = list(qs[:15])
    return render(request, template, {"alerts": alerts, "count": qs.count(), "panel": True,
                                      "listed": "panel",
                                      "can_handle": has_perm(request.user, "alerts.handle"),
                                      **_isolate_links(request, alerts)})


def _isolate_links(request, alerts) -> dict:
    """For the alert cards' "start isolation" link: whether the user may start isolations,
    and which residents are already isolated (no link for them)."""
    can = has_perm(request.user, "isolation.manage")
    return {"can_isolate": can, "isolated": selectors.residents_isolated(
        a.resident_id for a in alerts if a.resident_id) if can else set()}


@needs("isolation.view")
def alerts_page(request):
    status = request.GET.get("status", "unresolved")
    if status not in (*AlertStatus.values, "unresolved"):
        status = "unresolved"
    return _alerts_page(request, status)


def _alerts_page(request, status, *, refused=None, error="", outcome="", back="", code=200):
    """The alerts list; `refused`, an alert whose resolution was refused, is shown with the
    outcome as typed and the error beside it (first if the list would not reach it)."""
    qs = selectors.alert_list(request.user, status=status)
    alerts = list(qs[:200])
    if refused is not None and all(a.pk != refused.pk for a in alerts):
        alerts.insert(0, refused)
    return render(request, "isolation/alerts.html", {
        "alerts": alerts, "count": qs.count(), "status": status, "panel": False,
        "listed": status,
        "statuses": [("unresolved", _("to handle")), *AlertStatus.choices],
        "can_handle": has_perm(request.user, "alerts.handle"),
        **_isolate_links(request, alerts),
        "refused": refused.pk if refused is not None else None, "refused_error": error,
        "refused_outcome": outcome, "back": back}, status=code)


@require_POST
@needs("alerts.handle")
def alert_action(request, pk, action):
    alert = selectors.alert_get_for_user(request.user, pk)
    error, status = "", 200
    try:
        if action == "ack":
            alert = services.alert_acknowledge(alert=alert, actor=request.user)
        else:
            form = forms.OutcomeForm(request.POST)
            alert = services.alert_resolve(
                alert=alert, actor=request.user,
                outcome=form.data.get("outcome") or form.data.get("outcome_choice") or "")
    except RuleViolation as exc:
        error, status = exc.detail, exc.status
    if request.htmx:
        alert = selectors.alert_get_for_user(request.user, pk)
        listed = request.POST.get("list", "")
        shown = "unresolved" if listed == "panel" else listed
        if not error and shown in (*AlertStatus.values, "unresolved"):
            # The card was in a list this alert has now left (resolved from 待处理, acknowledged
            # from 未接手): a line where it was, and the list's count, in the same answer.
            qs = selectors.alert_list(request.user, status=shown)
            if not qs.filter(pk=alert.pk).exists():
                return render(request, "isolation/alerts.html#gone", {
                    "a": alert, "count": qs.count(), "panel": listed == "panel", "oob": True})
        # A refusal (409/422) is swapped in too (base.html's htmx responseHandling): the
        # message shows on the card, beside the outcome box.
        return render(request, "isolation/alerts.html#alert", {
            "a": alert, "error": error, "can_handle": True, "listed": listed,
            **_isolate_links(request, [alert]),
            "outcome": request.POST.get("outcome", "") if error else "",
            "back": _back(request, reverse("isolation:alerts")).url}, status=status)
    if error and action != "ack":
        # Without htmx: the list again, the outcome as typed and the error beside it (a
        # banner after a redirect lost both). `next` is kept for the form's next try.
        back = _back(request, reverse("isolation:alerts")).url
        return _alerts_page(request, "unresolved",
                            refused=selectors.alert_get_for_user(request.user, pk),
                            error=error, outcome=request.POST.get("outcome", ""), back=back,
                            code=status)
    if error:
        messages.error(request, error)
    return _back(request, reverse("isolation:alerts"))


# --- lockdowns ------------------------------------------------------------------------------

def _compound_choices(user):
    return [("", _("— choose a compound —"))] + [
        (c.pk, f"{c.name} · {c.area.name}")
        for c in compounds_visible_to(user).select_related("area").order_by("name")[:500]]


def _lockdown_form(request, data, compound=None):
    """The lockdown form; the building list is the chosen compound's (htmx reloads it)."""
    if compound is None:
        picked = typed_id((data or {}).get("compound") or request.GET.get("compound"))
        if picked is not None:
            compound = compounds_visible_to(request.user).filter(pk=picked).first()
    form = forms.LockdownForm(data, initial={"starts_on": clock.today(),
                                             "compound": compound.pk if compound else None})
    form.fields["compound"].choices = _compound_choices(request.user)
    form.fields["compound"].widget.attrs.update({
        "hx-get": reverse("isolation:lockdowns"), "hx-trigger": "change",
        "hx-select": "#id_building", "hx-target": "#id_building", "hx-swap": "outerHTML"})
    buildings = selectors.building_choices(compound) if compound else []
    form.fields["building"].widget.choices = [("", _("whole compound"))] + buildings
    return form


def _lockdown_target(request, form):
    """(compound, building) of a valid form; a building not in the compound is a form error."""
    d = form.cleaned_data
    compound = compound_get_for_user(request.user, d["compound"])
    building = None
    if d["building"].strip():
        building = selectors.building_find(compound, d["building"])
        if building is None:
            form.add_error("building", _("No building %(b)s in %(c)s.")
                           % {"b": d["building"].strip(), "c": compound.name})
    return compound, building


def _day_words(day) -> str:
    return date_format(day, "MONTH_DAY_FORMAT")


def _lockdown_days_text(last_day, ends_on) -> str:
    """The end said as a worker says it: the last locked-down day, and the first day free
    (ends_on, as the API gives it)."""
    return _("Locked down through %(last)s (that day included); lifted from %(free)s.") % {
        "last": _day_words(last_day), "free": _day_words(ends_on)}


def _already_text(plan) -> str:
    """Who keeps an isolation of their own, by kind: not counted among those the lockdown
    puts under home isolation."""
    if not plan.already_isolated:
        return ""
    parts = []
    if plan.already.get(Kind.CENTRALIZED):
        parts.append(_("%(n)d in centralized quarantine") % {"n": plan.already[Kind.CENTRALIZED]})
    if plan.already.get(Kind.HOME):
        parts.append(_("%(n)d at home for another reason") % {"n": plan.already[Kind.HOME]})
    return ngettext("%(n)d person is already isolated and keeps that isolation: %(parts)s.",
                    "%(n)d people are already isolated and keep their isolation: %(parts)s.",
                    plan.already_isolated) % {
        "n": plan.already_isolated, "parts": listing(parts)}


@needs("isolation.view")
def lockdown_index(request):
    form = _lockdown_form(request, request.POST or None)
    status, confirm = 200, None
    if request.method == "POST":
        if not has_perm(request.user, "isolation.manage"):
            raise PermissionDenied
        if form.is_valid():
            compound, building = _lockdown_target(request, form)
            d = form.cleaned_data
            if form.errors:
                status = 422
            elif request.POST.get("confirm") != "1":
                # Say what will be done before anything is: the place, who goes under home
                # isolation (the service's own plan), who keeps an isolation, until when.
                try:
                    plan = services.lockdown_plan(
                        compound=None if building else compound, building=building,
                        starts_on=d["starts_on"], days=d["days"])
                except InvalidInput as exc:
                    form.add_error(exc.field if exc.field in form.fields else None, exc.detail)
                    status = 422
                else:
                    confirm = {"plan": plan, "already": _already_text(plan),
                               "data": {k: v for k, v in request.POST.items()
                                        if k in (*form.fields, "next")}}
            else:
                try:
                    lockdown = services.lockdown_create(
                        compound=None if building else compound, building=building,
                        starts_on=d["starts_on"], days=d["days"], reason=d["reason"],
                        actor=request.user)
                except RuleViolation as exc:
                    form.add_error(None, exc.detail)
                    status = exc.status
                else:
                    plan = lockdown.plan
                    text = _("Locked down: %(h)d households, %(n)d people now in home "
                             "isolation.") % {"h": plan.households, "n": plan.people}
                    # One message, its sentences joined as the language does (Chinese: no
                    # space).
                    for more in (_already_text(plan),
                                 _lockdown_days_text(plan.last_day, plan.ends_on)):
                        if more:
                            text = pgettext("two sentences", "%(first)s %(second)s") % {
                                "first": text, "second": more}
                    messages.success(request, text)
                    return _back(request, reverse("isolation:lockdowns"))
        else:
            status = 422
    qs = selectors.lockdowns_visible_to(request.user).order_by("-starts_on", "-id")
    return render(request, "isolation/lockdowns.html", {
        "form": form, "lockdowns": qs[:100], "today": clock.today(), "confirm": confirm,
        "can_manage": has_perm(request.user, "isolation.manage")}, status=status)


@require_POST
@needs("isolation.manage")
def lockdown_lift(request, pk):
    lockdown = selectors.lockdown_get_for_user(request.user, pk)
    try:
        services.lockdown_lift(lockdown=lockdown, actor=request.user,
                               reason=request.POST.get("reason", ""))
        messages.success(request, _("Lockdown lifted; its isolations ended."))
    except RuleViolation as exc:
        messages.error(request, exc.detail)
    return _back(request, reverse("isolation:lockdowns"))


@needs("isolation.view")
def compound_lockdowns(request, compound_id):
    """Partial for the compound page: lockdowns of this compound, lift / start buttons."""
    compound = compound_get_for_user(request.user, compound_id)
    lockdowns = selectors.lockdowns_visible_to(request.user).filter(compound=compound)
    return render(request, "isolation/compound_lockdowns.html", {
        "compound": compound, "current": selectors.lockdowns_in_force(lockdowns),
        "past": lockdowns.exclude(pk__in=selectors.lockdowns_in_force(lockdowns))
        .order_by("-starts_on")[:5],
        "can_manage": has_perm(request.user, "isolation.manage"),
        # Loaded with htmx into another app's compound page: come back to that page.
        "back": (request.htmx.current_url_abs_path if request.htmx else None)
        or request.get_full_path(),
        "form": _compound_form(request, compound)})


def _compound_form(request, compound):
    form = _lockdown_form(request, None, compound=compound)
    form.fields["compound"].choices = [(compound.pk, compound.name)]
    for attr in ("hx-get", "hx-trigger", "hx-select", "hx-target", "hx-swap"):
        form.fields["compound"].widget.attrs.pop(attr, None)
    return form


# --- quarantine sites -----------------------------------------------------------------------

def _site_area_choices(user):
    qs = Area.objects.filter(area_scope(user, None, "isolation.manage"),
                             level__in=[Level.STREET, Level.COMMUNITY, Level.DISTRICT])
    return [(a.pk, a.name) for a in qs.order_by("path")[:300]]


@needs("isolation.view")
def site_index(request):
    form = forms.SiteForm(request.POST or None)
    form.fields["area"].choices = _site_area_choices(request.user)
    status = 200
    if request.method == "POST":
        if not has_perm(request.user, "isolation.manage"):
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            area = get_object_or_404(Area.objects.filter(area_scope(request.user, None)),
                                     pk=d["area"])
            try:
                site = services.site_create(area=area, name=d["name"], address=d["address"],
                                            phone=d["phone"], actor=request.user)
            except RuleViolation as exc:
                form.add_error(None, exc.detail)
                status = exc.status
            else:
                return redirect("isolation:site", site.pk)
        else:
            status = 422
    sites = []
    for site in selectors.sites_visible_to(request.user).order_by("name"):
        board = selectors.occupancy_board(site)
        sites.append({"site": site, "rooms": len(board),
                      "free": sum(1 for r in board if r["room"].status == "available"),
                      "people": sum(len(r["stays"]) for r in board)})
    return render(request, "isolation/sites.html", {
        "sites": sites, "form": form,
        "can_manage": has_perm(request.user, "isolation.manage")}, status=status)


@needs("isolation.view")
def site_board(request, pk):
    """The occupancy board (房态图): every room, its status and who is in it."""
    site = selectors.site_get_for_user(request.user, pk)
    user = request.user
    status = 200
    rooms_form = forms.RoomsForm(initial={"beds": 1})
    transfer_form = forms.TransferForm(initial={"pickup_at": clock.localtime()
                                                .strftime("%Y-%m-%dT%H:%M")})
    # No room now and no transfer open: someone planned or on the way is not sent twice, and
    # is offered a room on arrival (已到达).
    waiting = selectors.centralized_awaiting_room(user)
    choices = [(i.pk, f"{i.resident.name} · {i.household.address}") for i in waiting[:300]]
    transfer_form.fields["isolation"].choices = choices
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "rooms":
                if not has_perm(user, "isolation.manage"):
                    raise PermissionDenied
                rooms_form = forms.RoomsForm(request.POST)
                if not rooms_form.is_valid():
                    raise RuleViolation("invalid", " ".join(
                        f"{rooms_form.fields[f].label}: {' '.join(e)}" if f in rooms_form.fields
                        else " ".join(e) for f, e in rooms_form.errors.items()), status=422)
                added = services.rooms_add(site=site, actor=user, **rooms_form.cleaned_data)
                if added:
                    messages.success(request, _("Rooms added: %(rooms)s.")
                                     % {"rooms": ", ".join(r.number for r in added)})
                if added.existing:
                    messages.warning(request, _("Already there, left as they were: %(rooms)s.")
                                     % {"rooms": ", ".join(added.existing)})
            elif action == "transfer":
                transfer_form = forms.TransferForm(request.POST)
                # Anyone centralized may be sent: the service refuses a second open transfer
                # (409, said on the board) and answers the form sent again with the first.
                transfer_form.fields["isolation"].choices = choices + [
                    (i, i) for i in selectors.isolations_visible_to(user)
                    .filter(kind=Kind.CENTRALIZED, status=Status.ACTIVE)
                    .values_list("pk", flat=True)[:300]]
                if not transfer_form.is_valid():
                    raise RuleViolation("invalid", " ".join(
                        f"{transfer_form.fields[f].label}: {' '.join(e)}"
                        if f in transfer_form.fields else " ".join(e)
                        for f, e in transfer_form.errors.items()), status=422)
                d = transfer_form.cleaned_data
                iso = selectors.isolation_get_for_user(user, d.pop("isolation"))
                # Usually picked up at home: the address is known, not typed again.
                d["from_place"] = d["from_place"].strip() or iso.household.address
                t = services.transfer_create(isolation=iso, to_site=site, actor=user, **d)
                messages.success(request, _("Transfer planned: %(name)s, %(time)s.") % {
                    "name": iso.resident.name,
                    "time": date_format(clock.localtime(t.pickup_at), "m-d H:i")})
            elif action in ("assign", "cleaned", "vacate", "close", "reopen"):
                room = selectors.room_get_for_user(user, typed_id(request.POST.get("room")) or 0)
                if room.site_id != site.pk:
                    raise Http404
                who = ""
                if action == "assign":
                    f = forms.AssignForm(request.POST)
                    f.fields["isolation"].choices = [(c, c) for c, _l in choices] + [
                        (i, i) for i in selectors.isolations_visible_to(user)
                        .filter(kind=Kind.CENTRALIZED, status=Status.ACTIVE)
                        .values_list("pk", flat=True)[:300]]
                    if not f.is_valid():
                        raise RuleViolation("invalid", _("Pick a person."), status=422)
                    iso = selectors.isolation_get_for_user(user, f.cleaned_data["isolation"])
                    services.room_assign(room=room, isolation=iso, actor=user,
                                         family_reason=f.cleaned_data["family_reason"])
                    done, who = _("%(name)s is in room %(room)s."), iso.resident.name
                elif action == "cleaned":
                    services.room_mark_cleaned(room=room, actor=user)
                    done = _("Room %(room)s cleaned; it is free again.")
                elif action in ("close", "reopen"):
                    services.room_set_closed(room=room, closed=action == "close", actor=user)
                    done = (_("Room %(room)s is out of service.") if action == "close"
                            else _("Room %(room)s is back in service."))
                else:
                    services.room_vacate(room=room, actor=user)
                    done = _("Room %(room)s vacated; it waits for cleaning.")
                messages.success(request, done % {"room": room.number,
                                                  "name": who})
            elif action == "transfer_status":
                t = selectors.transfer_get_for_user(
                    user, typed_id(request.POST.get("transfer")) or 0)
                t, room = _transfer_move_on(request, t)
                if room is not None:
                    messages.success(request, _("Transfer of %(name)s: %(status)s; in room "
                                                "%(room)s.") % {
                        "name": t.isolation.resident.name, "status": t.get_status_display(),
                        "room": room.number})
                else:
                    messages.success(request, _("Transfer of %(name)s: %(status)s.") % {
                        "name": t.isolation.resident.name, "status": t.get_status_display()})
            else:
                raise RuleViolation("invalid", _("Unknown action."), status=400)
        except RuleViolation as exc:
            messages.error(request, transfer_form.refused(exc) if action == "transfer"
                           else exc.detail)
            status = exc.status
        else:
            return redirect("isolation:site", site.pk)
    board = selectors.occupancy_board(site)
    floors = {}
    for row in board:
        floors.setdefault(row["room"].floor or row["room"].number[:-2] or "—", []).append(row)
    counts = {s: sum(1 for r in board if r["room"].status == s)
              for s in ("available", "occupied", "cleaning", "closed")}
    transfers = (selectors.transfers_visible_to(user).filter(to_site=site)
                 .exclude(status__in=[TransferStatus.ARRIVED, TransferStatus.CANCELLED])
                 .order_by("pickup_at"))
    outgoing = selectors.transfers_leaving_site(user, site)
    free_rooms = [r["room"] for r in board if r["room"].status == "available"
                  or (r["room"].status == "occupied" and len(r["stays"]) < r["room"].beds)]
    empty_rooms = [r["room"] for r in board if r["room"].status == "available"]
    return render(request, "isolation/site.html", {
        "site": site, "free_rooms": free_rooms, "empty_rooms": empty_rooms, "floors": sorted(floors.items()), "counts": counts,
        "people": sum(len(r["stays"]) for r in board), "waiting": choices,
        "rooms_form": rooms_form, "transfer_form": transfer_form, "transfers": transfers,
        "outgoing": outgoing, "today": clock.today(),
        "can_manage": has_perm(user, "isolation.manage"),
        "can_record": has_perm(user, "isolation.record")}, status=status)


def _transfer_move_on(request, transfer):
    """已到达 / 出发 / 取消 from a form: the status, and on arrival the room picked beside the
    button, if any (one service call: the arrival and the room together or neither)."""
    status = request.POST.get("status", "")
    room_id = str(request.POST.get("room", "")).strip()
    room = (selectors.room_get_for_user(request.user, typed_id(room_id) or 0)
            if room_id and status == TransferStatus.ARRIVED else None)
    t = services.transfer_set_status(transfer=transfer, actor=request.user, status=status,
                                     room=room)
    return t, room


def resident_panel(*, resident, user) -> str:
    """The top of the resident page (people): the current isolation and open alerts, for a
    user who may see isolations where the resident lives."""
    from django.template.loader import render_to_string

    from firstline.accounts.scope import in_scope

    if not in_scope(user, resident.grid, "isolation.view"):
        return ""
    isolation = (selectors.isolations_visible_to(user, "isolation.view")
                 .filter(resident=resident, status="active").first())
    alerts = (selectors.alerts_visible_to(user, "isolation.view").filter(resident=resident)
              .exclude(status="resolved").order_by("-opened_at")[:20])
    return render_to_string("isolation/_resident_panel.html",
                            {"isolation": isolation, "alerts": list(alerts)})
