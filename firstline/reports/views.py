"""Dashboard, daily-report download and ledger exports. Thin: parse, select, render."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from firstline import clock
from firstline.accounts.scope import has_perm
from firstline.accounts.services import require_perm
from firstline.errors import InvalidInput
from firstline.people.forms import FullReadForm
from firstline.people.services import full_read_reason
from firstline.residents.selectors import notices_reach_for

from . import export_jobs, exports
from .dashboard import areas_for_picker, dashboard_build
from .selectors import (
    breadcrumbs,
    parse_day,
    report_area_for_user,
    report_compute,
    report_root_for_user,
)
from .submissions import chases_for_user
from .xlsx import daily_report_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _area_and_day(request, perm, params=None):
    """The requested area (default: the user's top area) and day; 403/404/422 as the API,
    a refused date named as the pages label it (日期), not as the query parameter."""
    params = request.GET if params is None else params
    require_perm(request.user, perm)
    code = params.get("area", "").strip()
    if not code:
        root = report_root_for_user(request.user, perm)
        if root is None:
            raise Http404
        code = root.code
    area = report_area_for_user(request.user, code, perm)
    day = parse_day(params.get("date"), field=_("Date"))
    return area, day


def _bad_date(request, exc, template="reports/error.html"):
    return render(request, template, {"error": exc.detail}, status=422)


def _who(user) -> str:
    name = getattr(user, "display_name", "") or ""
    return f"{name} ({user.username})" if name else user.username


@login_required
def dashboard(request):
    date_error = ""
    try:
        area, day = _area_and_day(request, "reports.dashboard")
    except InvalidInput as exc:
        # A mistyped or old ?date=: today's board, the reason beside the date picker in the
        # user's language (not a dead-end page naming the query parameter).
        # One sentence joined to the reason as each language does (Chinese: no space).
        date_error = _("%(reason)s Showing today instead.") % {"reason": exc.detail}
        area, day = _area_and_day(request, "reports.dashboard", {**request.GET.dict(),
                                                                 "date": ""})
    sort = request.GET.get("sort", "")
    descending = request.GET.get("dir", "desc") != "asc"
    board = dashboard_build(user=request.user, area=area, day=day, sort=sort,
                            descending=descending)
    big = request.GET.get("view") == "big"
    query = {"area": area.code, "date": day.isoformat()}
    context = {
        "board": board, "area": area, "day": day, "big": big,
        "crumbs": breadcrumbs(request.user, area, "reports.dashboard"),
        "prev_day": (day - timedelta(days=1)).isoformat(),
        "next_day": (day + timedelta(days=1)).isoformat()
        if day < clock.today() else "",
        "today": clock.today().isoformat(),
        "picker": areas_for_picker(request.user),
        "query": query,
        "can_export": has_perm(request.user, "reports.view"),
        "api_url": reverse("api:report_daily") + f"?area={area.code}&date={day.isoformat()}",
        "notices": notices_reach_for(request.user, area),
        "reminders": chases_for_user(request.user),
        "date_error": date_error,
    }
    return render(request, "reports/dashboard.html", context, status=422 if date_error else 200)


@login_required
def panel(request):
    """Home-page panel: today's headline figures for the user's top area."""
    require_perm(request.user, "reports.dashboard")
    root = report_root_for_user(request.user, "reports.dashboard")
    if root is None:
        return HttpResponse("")
    today = clock.today()
    report = report_compute(area=root, days=[today - timedelta(days=1), today],
                            cache_before=today)
    figures = ["residents", "home_isolation", "centralized_isolation", "fever_alerts",
               "readings_due", "readings_received", "crossings_out", "households_visited"]
    from .xlsx import figure_titles

    titles = figure_titles()
    items = [(titles[f], report.root.value(f), report.root.value(f) - report.root.value(f, 0))
             for f in figures]
    return render(request, "reports/panel.html", {"area": root, "items": items, "day": today,
                                                  "reminders": chases_for_user(request.user)})


@login_required
def daily_xlsx(request):
    try:
        area, day = _area_and_day(request, "reports.view")
    except InvalidInput as exc:
        return _bad_date(request, exc)
    data = daily_report_xlsx(report_compute(area=area, day=day), generated_by=_who(request.user))
    return _attachment(data, f"daily-report-{area.code}-{day.isoformat()}.xlsx")


def _attachment(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def exports_page(request):
    require_perm(request.user, "reports.view")
    root = report_root_for_user(request.user, "reports.view")
    if root is None:
        raise Http404
    return _exports_render(request, area=request.GET.get("area") or root.code)


def _exports_render(request, *, area: str, failed: dict | None = None, status: int = 200):
    """The ledgers page; after a refused request, that ledger's form comes back filled in,
    with the message beside it (no dead-end error page, nothing to type again)."""
    today = clock.today()
    return render(request, "reports/exports.html", {
        "picker": areas_for_picker(request.user, "reports.view"),
        "area": area,
        "date_from": (today - timedelta(days=13)).isoformat(), "date_to": today.isoformat(),
        "today": today.isoformat(),
        "can_full": has_perm(request.user, "people.export_full"),
        "reason_form": FullReadForm(),
        "failed": failed,
        "ledgers": exports.LEDGERS,
    }, status=status)


def _export_refused(request, kind, params, exc):
    if request.method != "POST":
        return _bad_date(request, exc)
    failed = {"kind": kind, "error": exc.detail, "from": params.get("from", ""),
              "to": params.get("to", ""), "full": params.get("full") == "1",
              "reason_form": FullReadForm(params)}
    return _exports_render(request, area=params.get("area", ""), failed=failed, status=422)


@login_required
def export_ledger(request, kind: str):
    if kind not in exports.LEDGERS:
        raise Http404
    # A masked ledger may be a plain link (GET); an unmasked one is asked for with the form
    # (POST, CSRF) and needs a reason, which goes into the audit row (DESIGN: who, whom,
    # when, why).
    params = request.POST if request.method == "POST" else request.GET
    try:
        area, _day = _area_and_day(request, "reports.view", params)
        date_from = parse_day(params.get("from"), field="from")
        date_to = parse_day(params.get("to"), field="to")
        if date_from > date_to:
            raise InvalidInput("bad_range", _("from: the first day is after the last day."))
        if (date_to - date_from).days > exports.MAX_DAYS:
            raise InvalidInput("bad_range", _("At most %(n)s days per export.")
                               % {"n": exports.MAX_DAYS})
    except InvalidInput as exc:
        return _export_refused(request, kind, params, exc)
    full = params.get("full") == "1"
    reason = ""
    if full:
        if not has_perm(request.user, "people.export_full"):
            raise PermissionDenied(_("Your role does not allow unmasked exports."))
        try:
            if request.method != "POST":
                raise InvalidInput("reason_required", _(
                    "Ask for an unmasked ledger with the form on the ledgers page: it needs "
                    "a reason."), field="full")
            reason = full_read_reason(code=params.get("reason", ""),
                                      text=params.get("reason_text", ""))
        except InvalidInput as exc:
            return _export_refused(request, kind, params, exc)
    job = export_jobs.ledger_export_ask(actor=request.user, kind=kind, area=area,
                                        date_from=date_from, date_to=date_to, full=full,
                                        reason=reason, generated_by=_who(request.user))
    return redirect("exportjobs:job", pk=job.pk)


# --- sign-off (上报) --------------------------------------------------------------------------

def _signoff_figures(report) -> dict:
    """The figures the report carries (the dashboard's, with their titles), for reading
    before signing: every figure, the isolations by reason, the key-person ledger."""
    from firstline.isolation.models import Reason

    from .selectors import FIGURES
    from .sources import key_person_category_titles
    from .xlsx import figure_titles

    root, titles = report.root, figure_titles()
    category_titles = key_person_category_titles()
    ledger = root.key_persons()
    return {
        "main": [(titles[f], root.value(f)) for f in FIGURES],
        "reasons": [(Reason(r).label, n) for r, n in root.isolations_by_reason().items()],
        "ledger": [(category_titles.get(c, c), ledger.get(c, 0))
                   for c in report.key_categories],
    }


@login_required
def signoff(request):
    """Which areas submitted their report for the day, when, what changed since and every
    version; submit (again) one's own; chase a late child. A GET shows, a POST acts (perm
    reports.submit)."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from firstline.errors import RuleViolation

    from .submissions import report_chase, report_submit

    params = request.POST if request.method == "POST" else request.GET
    try:
        area, day = _area_and_day(request, "reports.submit", params)
    except InvalidInput as exc:
        return _bad_date(request, exc)
    if request.method == "POST":
        action = params.get("action", "submit")
        try:
            if action == "chase":
                child = report_area_for_user(request.user, params.get("child", ""),
                                             "reports.submit")
                report_chase(area=child, day=day, actor=request.user)
                messages.success(request, _("Reminder sent to %(area)s: its staff see it on "
                                            "their dashboard.") % {"area": child.name})
            elif action == "submit" and not params.get("confirm"):
                # One tap freezes the day: the page asks to confirm (a checkbox, no JS).
                return _signoff_page(request, area, day, confirm_error=_(
                    "Tick “I have checked the figures above” before submitting."), status=422)
            else:
                sub = report_submit(area=area, day=day, actor=request.user,
                                    resubmit=action == "resubmit",
                                    note=params.get("note", ""))
                messages.success(request, _("Submitted (version %(version)s): the report of "
                                            "%(area)s for %(day)s is frozen.")
                                 % {"version": sub.version, "area": area.name, "day": day})
        except RuleViolation as exc:
            if exc.field == "note":  # the note again as typed, its error beside it
                return _signoff_page(request, area, day, note=params.get("note", ""),
                                     note_error=exc.detail, status=422)
            messages.error(request, exc.detail)
        except Http404:
            messages.error(request, _("Not found."))
        return redirect(f"{reverse('reports:signoff')}?area={area.code}&date={day}")
    return _signoff_page(request, area, day)


def _label_changes(rows) -> None:
    """Name each changed figure (corrections, and what a version changed) by the report's
    own title, as the workbook's columns have it, not by its JSON key."""
    from .sources import key_person_category_titles
    from .xlsx import figure_label

    category_titles = key_person_category_titles()
    for row in rows:
        for c in row["corrections"]:
            c["label"] = figure_label(c["figure"], category_titles)
        for version in row["history"]:
            for c in version["changes"]:
                c["label"] = figure_label(c["figure"], category_titles)


def _not_submitted(rows) -> str:
    """'16 communities have not submitted yet', said before the street confirms its own."""
    from firstline.areas.models import Level

    late = [r for r in rows[1:] if r["submits"] and not r["submitted_at"]]
    if not late:
        return ""
    count, total = len(late), sum(1 for r in rows[1:] if r["submits"])
    if all(r["level"] == Level.COMMUNITY for r in late):
        text = ngettext("%(count)s of %(total)s communities has not submitted its report yet.",
                        "%(count)s of %(total)s communities have not submitted their report "
                        "yet.", count)
    elif all(r["level"] == Level.STREET for r in late):
        text = ngettext("%(count)s of %(total)s streets has not submitted its report yet.",
                        "%(count)s of %(total)s streets have not submitted their report yet.",
                        count)
    else:
        text = ngettext("%(count)s of %(total)s areas below has not submitted its report yet.",
                        "%(count)s of %(total)s areas below have not submitted their report "
                        "yet.", count)
    return text % {"count": count, "total": total}


def _signoff_page(request, area, day, *, note: str = "", note_error: str = "",
                  confirm_error: str = "", status=200):
    """The sign-off page; `note` and `note_error`: a refused resubmission's note, shown again
    in its open form with the error beside it; `confirm_error`: a submission posted without
    its confirmation."""
    from .submissions import signoff_status

    report = report_compute(area=area, day=day)
    signed = signoff_status(area=area, day=day, report=report)
    rows = signed["nodes"]
    levels = {report.root.code: report.root.level,
              **{c.code: c.level for c in report.root.children}}
    for row in rows:
        row["level"] = levels.get(row["area"], "")
    _label_changes(rows)
    return render(request, "reports/signoff.html", {
        "area": area, "day": day, "status": signed, "rows": rows,
        "figures": _signoff_figures(report),
        "own": rows[0], "reminders": chases_for_user(request.user, day=day),
        "prev_day": (day - timedelta(days=1)).isoformat(),
        "crumbs": breadcrumbs(request.user, area, "reports.submit"),
        "not_submitted": _not_submitted(rows), "confirm_error": confirm_error,
        "note": note, "note_error": note_error}, status=status)
