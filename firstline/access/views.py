"""Closed-management pages: the gate, compounds (policy, checkpoints, passes), the printable
pass sheet, visitors, duty. Thin: every rule is in services.py / selectors.py."""

from datetime import datetime, time, timedelta

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from firstline import clock
from firstline.accounts.scope import has_perm
from firstline.accounts.services import require_perm
from firstline.apitypes import day_in_range
from firstline.errors import RuleViolation, form_refuse

from . import selectors, services
from .forms import CheckpointForm, PlanForm, PolicyForm, VisitForm
from .models import Subject


def _fail(request, exc: RuleViolation):
    messages.error(request, exc.detail)


# --- compounds ------------------------------------------------------------------------------

@login_required
def index(request):
    if not has_perm(request.user, "access.manage"):
        if has_perm(request.user, "access.scan"):
            return redirect("access:gate")
        require_perm(request.user, "access.manage")
    compounds = (selectors.compounds_for(request.user)
                 .annotate(n_households=Count("households", distinct=True),
                           n_passes=Count("households__passes", distinct=True,
                                          filter=Q(households__passes__revoked_at__isnull=True)))
                 .order_by("area__path", "name"))
    compounds, now = list(compounds[:300]), clock.now()
    upcoming = selectors.policy_upcoming_by_compound((c.pk for c in compounds), now)
    rows = [{"compound": c, "policy": services.quota_rule(c.pk, now, clock.localdate(now)),
             "next": upcoming.get(c.pk, [None])[0], "checkpoints": list(c.checkpoints.all())}
            for c in compounds]
    return render(request, "access/index.html", {"rows": rows})


@login_required
def compound(request, compound_id: int):
    require_perm(request.user, "access.manage")
    c = selectors.compound_get_for_user(request.user, compound_id)
    return _compound_page(request, c)


def _compound_page(request, c, *, form=None, checkpoint_form=None, status=200):
    """The compound's page; `form` (the policy) or `checkpoint_form`, refused, is shown again as
    typed, each error beside its field (status 422)."""
    now = clock.now()
    current = selectors.policy_current(c, now)
    rule = services.quota_rule(c.pk, now, clock.localdate(now))
    versions = list(selectors.policy_history(c))
    overridden = selectors.policy_overridden(versions)
    history = [{"policy": p, "in_force": current is not None and p.pk == current.pk,
                "pending": p.effective_at > now, "overridden_by": overridden.get(p.version)}
               for p in versions[:20]]
    upcoming = selectors.policy_upcoming(c, now)
    # The form starts from the last change saved, so that saving it unchanged keeps that
    # change (the last saved wins: the rule in force now, saved again, would replace it).
    last = upcoming[-1] if upcoming else None
    if form is None:
        form = PolicyForm(initial={"closed": last.closed, "out_quota": last.out_quota,
                                   "window_days": last.window_days, "starts_on": last.starts_on}
                          if last else {"closed": rule.closed, "out_quota": rule.quota,
                                        "window_days": rule.window_days,
                                        "starts_on": rule.starts_on})
    households = (c.households.order_by("building_name", "unit", "room")
                  .prefetch_related("passes"))
    rows = []
    for h in households[:1000]:
        valid = next((p for p in h.passes.all() if p.revoked_at is None), None)
        rows.append({"household": h, "pass": valid})
    return render(request, "access/compound.html", {
        "compound": c, "current": current, "rule": rule, "form": form,
        "checkpoint_form": checkpoint_form or CheckpointForm(),
        "upcoming": upcoming, "form_from": last, "history": history,
        "checkpoints": c.checkpoints.all(),
        "rows": rows, "missing": sum(1 for r in rows if r["pass"] is None),
        "show_lockdowns": has_perm(request.user, "isolation.view"),
    }, status=status)


@login_required
@require_POST
def policy_save(request, compound_id: int):
    require_perm(request.user, "access.manage")
    c = selectors.compound_get_for_user(request.user, compound_id)
    form = PolicyForm(request.POST)
    if form.is_valid():
        try:
            now = clock.now()
            policy = services.policy_set(compound=c, actor=request.user, now=now,
                                         **form.cleaned_data)
        except RuleViolation as exc:
            form_refuse(form, exc)
        else:
            if policy.effective_at > now:  # saved for a later day
                moment = f"{clock.localtime(policy.effective_at):%Y-%m-%d %H:%M}"
                messages.success(request, _("Policy saved. It applies from %(moment)s; until "
                                            "then the rule in force now stays.")
                                 % {"moment": moment})
            else:
                messages.success(request, _("Policy saved. It applies from the next scan."))
            return redirect("access:compound", compound_id=c.pk)
    # Refused: the page again with the form as typed, each error beside its field.
    return _compound_page(request, c, form=form, status=422)


@login_required
@require_POST
def checkpoint_add(request, compound_id: int):
    require_perm(request.user, "access.manage")
    c = selectors.compound_get_for_user(request.user, compound_id)
    form = CheckpointForm(request.POST)
    form.is_valid()  # no rule of its own: the service checks code and name
    try:
        services.checkpoint_create(compound=c, code=form.cleaned_data.get("code", ""),
                                   name=form.cleaned_data.get("name", ""), actor=request.user)
    except RuleViolation as exc:
        form_refuse(form, exc)
        return _compound_page(request, c, checkpoint_form=form, status=422)
    return redirect(reverse("access:compound", args=[c.pk]) + "#checkpoints")


@login_required
@require_POST
def checkpoint_toggle(request, checkpoint_id: int):
    require_perm(request.user, "access.manage")
    cp = selectors.checkpoint_get_for_user(request.user, checkpoint_id)
    services.checkpoint_set_open(checkpoint=cp, is_open=not cp.is_open, actor=request.user)
    return redirect(reverse("access:compound", args=[cp.compound_id]) + "#checkpoints")


@login_required
@require_POST
def passes_issue(request, compound_id: int):
    require_perm(request.user, "access.manage")
    c = selectors.compound_get_for_user(request.user, compound_id)
    new = services.pass_issue(households=list(c.households.all()), actor=request.user,
                              began=getattr(request, "began_at", None))
    messages.success(request, _("%(n)d passes issued.") % {"n": len(new)})
    return redirect(reverse("access:compound", args=[c.pk]) + "#passes")


@login_required
@require_POST
def pass_revoke(request, code: str):
    require_perm(request.user, "access.manage")
    p = selectors.pass_get_for_user(request.user, code)
    if request.POST.get("reissue"):
        services.pass_reissue(household=p.household, actor=request.user, reason="lost")
        messages.success(request, _("A new pass was issued; the lost one no longer works."))
    else:
        services.pass_revoke(pass_obj=p, actor=request.user,
                             reason=request.POST.get("reason", ""))
        messages.success(request, _("Pass revoked."))
    return redirect(reverse("access:compound", args=[p.household.compound_id]) + "#passes")


@login_required
def passes_print(request, compound_id: int):
    """A4 sheet of the compound's valid passes: QR, address, the quota rule (print CSS)."""
    require_perm(request.user, "access.manage")
    c = selectors.compound_get_for_user(request.user, compound_id)
    rule = services.quota_rule(c.pk, clock.now(), clock.today())
    passes = (selectors.passes_for(request.user).filter(household__compound=c,
                                                         revoked_at__isnull=True)
              .order_by("household__building_name", "household__unit", "household__room"))
    household = request.GET.get("household")
    if household:
        passes = passes.filter(household_id=household)
    # The code in groups of four, large enough to type when no camera reads the QR code
    # (spaces are ignored at the gate), and its last four as a short check code.
    cards = [{"pass": p, "qr": segno.make(p.code, error="m").svg_data_uri(scale=4, border=2),
              "groups": " ".join(p.code[i:i + 4] for i in range(0, len(p.code), 4)),
              "check": p.code[-4:]}
             for p in passes[:2000]]
    return render(request, "access/print.html", {"compound": c, "rule": rule, "cards": cards})


# --- the gate -------------------------------------------------------------------------------

@login_required
def gate(request):
    require_perm(request.user, "access.scan")
    checkpoints = list(selectors.checkpoints_for(request.user).filter(is_open=True)
                       .order_by("compound__name", "code")[:200])
    chosen = request.GET.get("checkpoint")
    if not chosen:
        # The gate of the shift this user is on now, if any.
        now = clock.now()
        shift = (selectors.shifts_for(request.user, "access.scan")
                 .filter(user=request.user, starts_at__lte=now, ends_at__gt=now,
                         checkpoint__is_open=True).first())
        chosen = shift.checkpoint.code if shift else None
    rules = services.rules_on(services.SCAN_RULES + services.HOLD_RULES, clock.today())
    response = render(request, "access/gate.html", {
        "checkpoints": checkpoints, "chosen": chosen,
        "reasons": {k: str(v) for k, v in services.REASONS.items()},
        "next_steps": {k: str(v) for k, v in services.NEXT_STEPS.items()},
        "tz": settings.TIME_ZONE, "snapshot_every_s": GATE_SNAPSHOT_EVERY_S,
        # The gate judges temperatures locally too while offline (shown as pending).
        "fever_c": rules["fever.threshold_c"][0], "min_c": rules["temperature.min_c"][0],
        "max_c": rules["temperature.max_c"][0],
        "temp_required": services.rule_on(rules["gate.temperature_required"][0]),
    })
    # The camera's QR reader, where the browser has none of its own, is WebAssembly (ZXing):
    # compiling it needs 'wasm-unsafe-eval' (WebAssembly only; JavaScript eval stays refused).
    response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY.replace(
        "script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", 1)
    return response


# How often an online gate page takes a fresh offline snapshot (also on reconnect, and after
# syncing scans it decided offline).
GATE_SNAPSHOT_EVERY_S = 180


def gate_sw(request):
    """The gate page's service worker, served under /access/gate/ so that its scope covers the
    page (a worker's scope cannot reach above its own URL). No login: it holds no data."""
    response = render(request, "access/gate-sw.js", {"gate_url": reverse("access:gate"),
                                                     "static_url": settings.STATIC_URL},
                      content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


# --- decisions made offline ----------------------------------------------------------------

@login_required
def offline(request):
    """Decisions gates made offline that the server judged otherwise (e.g. one household let
    out at two gates while both were offline): for duty staff to follow up."""
    require_perm(request.user, "access.duty")
    show_reviewed = request.GET.get("reviewed") == "1"
    rows = selectors.offline_disagreements(request.user, reviewed=show_reviewed)[:300]
    return render(request, "access/offline.html", {
        "rows": rows, "show_reviewed": show_reviewed,
        "reasons": {k: str(v) for k, v in services.REASONS.items()}})


@login_required
@require_POST
def offline_review(request, verdict_id: int):
    require_perm(request.user, "access.duty")
    v = get_object_or_404(selectors.offline_disagreements(request.user, reviewed=None),
                          pk=verdict_id)
    services.offline_verdict_review(verdict=v, actor=request.user)
    messages.success(request, _("Marked as reviewed."))
    return redirect(reverse("access:offline"))


# --- visitors -------------------------------------------------------------------------------

@login_required
def visitors(request):
    require_perm(request.user, "access.visitors")
    checkpoints = selectors.checkpoints_for(request.user, "access.visitors").filter(is_open=True)
    day = clock.today()
    admitted = request.POST.get("action") != "turn_back"
    form = VisitForm(request.POST or None, checkpoints=checkpoints, day=day,
                     turning_back=request.method == "POST" and not admitted,
                     temperature_required=services.rule_on(services.rules_on(
                         ("gate.temperature_required",), day)[
                         "gate.temperature_required"][0]))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        cp = data.pop("checkpoint")
        try:
            c = services.gate_visit_record(actor=request.user, checkpoint=cp, admitted=admitted,
                                      **data)
        except RuleViolation as exc:
            form_refuse(form, exc)
        else:
            if c.reason in ("fever", "risk_area"):
                # The rule turned them back, whatever button was pressed: say so loudly.
                messages.error(request, f"{services.REASONS[c.reason]} · "
                                        f"{c.visit.turned_back_reason}")
            else:
                messages.success(request, _("Registered.") if c.decision == "allow"
                                 else _("Turned back."))
            return redirect(reverse("access:visitors") + f"?checkpoint={cp.pk}")
    today = clock.today()
    recent = (selectors.crossings_for(request.user, "access.visitors")
              .exclude(subject=Subject.RESIDENT).filter(day=today)
              .select_related("visit").order_by("-scanned_at")[:100])
    # Refused (the form's own checks or the service's): the form again as typed at 422, as the
    # other refused forms of access answer.
    return render(request, "access/visitors.html", {"form": form, "recent": recent,
                                                    "today": today},
                  status=422 if request.method == "POST" else 200)


# --- duty -----------------------------------------------------------------------------------

@login_required
def duty(request):
    require_perm(request.user, "access.duty")
    try:
        day = datetime.strptime(request.GET.get("day", ""), "%Y-%m-%d").date()
    except ValueError:
        day = clock.today()
    if not day_in_range(day):  # ?day=0001-01-01: the day before it was a 500
        day = clock.today()
    return _duty_page(request, day)


def _duty_page(request, day, *, plan_form=None, plan_checkpoint=None, status=200):
    """The day's boards; `plan_form`, a refused plan, is shown again under its checkpoint."""
    now = clock.now()
    tz = clock.zone()
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = start + timedelta(days=1)
    fresh = PlanForm(initial={"day": day, "shifts": 3}, auto_id=False)
    boards, early = [], {}
    # Only open gates are staffed; closed ones have no roster.
    for cp in (selectors.checkpoints_for(request.user, "access.duty").filter(is_open=True)
               .order_by("compound__name", "code")[:100]):
        shifts = list(selectors.shifts_for(request.user)
                      .filter(checkpoint=cp, starts_at__lt=end, ends_at__gt=start))
        gaps = [(f"{clock.localtime(a):%H:%M}",
                 "24:00" if b >= end else f"{clock.localtime(b):%H:%M}")
                for a, b in services.duty_gaps(shifts, start, end)]
        for s in shifts:  # what the row's button says and when it opens
            s.planned_for = services.planned_for_someone_else(s, request.user)
            s.opens_at = (services.check_in_opens(s, early=early) if s.checked_in_at is None
                          else None)
        boards.append({
            "checkpoint": cp, "shifts": shifts, "gaps": gaps,
            # "On duty now" only on a day that holds now, or that has a shift running now:
            # another day's roster said "nobody" beside a guard standing at the gate.
            "says_now": start <= now < end or any(s.starts_at <= now < s.ends_at for s in shifts),
            "on_now": [s for s in shifts if s.starts_at <= now < s.ends_at],
            "plan_form": plan_form if plan_checkpoint == cp.pk else fresh,
        })
    # The gate where I stand a shift this day first: not under the empty boards of the others.
    boards.sort(key=lambda b: not any(s.user_id == request.user.pk for s in b["shifts"]))
    return render(request, "access/duty.html", {
        "day": day, "prev": day - timedelta(days=1), "next": day + timedelta(days=1),
        "boards": boards, "now": now,
        "can_plan": has_perm(request.user, "access.manage"),
    }, status=status)


@login_required
@require_POST
def duty_plan(request, checkpoint_id: int):
    require_perm(request.user, "access.manage")
    cp = selectors.checkpoint_get_for_user(request.user, checkpoint_id)
    form = PlanForm(request.POST, auto_id=False)
    if form.is_valid():
        day = form.cleaned_data["day"]
        try:
            made = services.shifts_plan(checkpoint=cp, day=day, actor=request.user,
                                        shifts=form.cleaned_data["shifts"],
                                        first_starts=form.cleaned_data["first_starts"])
        except RuleViolation as exc:
            form_refuse(form, exc)
        else:
            messages.success(request, _("%(n)d shifts added.") % {"n": len(made)})
            return redirect(reverse("access:duty") + f"?day={day:%Y-%m-%d}")
    # Refused: the form again as typed, its errors beside its fields (it was dropped silently).
    day = form.cleaned_data.get("day") if hasattr(form, "cleaned_data") else None
    return _duty_page(request, day if day and day_in_range(day) else clock.today(),
                      plan_form=form, plan_checkpoint=cp.pk, status=422)


@login_required
@require_POST
def duty_check(request, shift_id: int):
    require_perm(request.user, "access.duty")
    shift = get_object_or_404(selectors.shifts_for(request.user), pk=shift_id)
    action = request.POST.get("action")
    try:
        if action == "in":
            services.shift_check_in(shift=shift, actor=request.user,
                                    covering=request.POST.get("covering") == "1")
        elif action == "out":
            services.shift_check_out(shift=shift, actor=request.user)
        else:
            raise Http404
    except RuleViolation as exc:
        _fail(request, exc)
    day = clock.localdate(shift.starts_at)
    return redirect(reverse("access:duty") + f"?day={day:%Y-%m-%d}")


@login_required
def today(request):
    """Today at the gates (home-page panel): trips out and in, refusals by reason."""
    require_perm(request.user, "access.scan")
    day = clock.today()
    qs = selectors.crossings_concerning(request.user).filter(day=day)
    totals = selectors.crossing_totals(qs)
    denials = [(str(services.REASONS.get(r, r)), n) for r, n in
               qs.filter(decision="deny").exclude(reason__in=selectors.NOT_COUNTED_REASONS)
               .values_list("reason").annotate(n=Count("pk")).order_by("-n")]
    template = "access/today.html#panel" if request.htmx else "access/today.html"
    return render(request, template, {"day": day, "totals": totals, "denials": denials})
