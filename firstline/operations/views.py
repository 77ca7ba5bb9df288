"""HTML pages for operations, phone first: the public sign-up (报到), people on duty, my
duties (a volunteer's login), the disinfection board, supplies, HQ tasks, and the public
donation ledger. Thin: parse, call a selector or a service, render."""

from datetime import timedelta
from functools import wraps

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from firstline import clock
from firstline.accounts.scope import area_scope, has_perm, in_scope
from firstline.accounts.services import client_address, require_perm
from firstline.areas.models import Area, Level
from firstline.errors import RuleViolation, form_refuse
from firstline.people.services import mask_phone

from . import forms, selectors, services
from .models import Item, SignupLink


def needs(perm):
    def deco(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            require_perm(request.user, perm)
            return view(request, *args, **kwargs)
        return wrapper
    return deco


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _areas(user, perm, levels=(Level.COMMUNITY,)):
    return list(Area.objects.filter(area_scope(user, None, perm), level__in=levels)
                .order_by("path"))


def _chosen_area(request, perm, levels=(Level.COMMUNITY,)):
    """?area=CODE inside the scope, else the user's first area of those levels, else their
    top area (a grid worker: their grid)."""
    code = request.GET.get("area") or request.POST.get("area")
    if code:
        return selectors.area_for_user(request.user, code, perm)
    choices = _areas(request.user, perm, levels)
    if choices:
        return choices[0]
    top = Area.objects.filter(area_scope(request.user, None, perm)).order_by("depth").first()
    if top is None:
        raise Http404
    return top


def _local_input(value: str):
    """A datetime-local field's value as an aware local moment (None if empty/bad)."""
    try:
        return clock.parse_moment(value)
    except (TypeError, ValueError):
        return None


# --- public sign-up (报到) --------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def signup(request, token):
    link = SignupLink.objects.select_related("area").filter(token=str(token)[:64]).first()
    if link is None:
        raise Http404
    form = forms.SignupForm(request.POST or None, auto_id="signup-%s")
    ctx = {"community": link.area, "form": form}
    status = 200
    if request.method == "POST":
        status = 422  # a refused form comes back as typed, each error beside its field
        if form.is_valid():
            try:
                services.volunteer_sign_up(token=token, address=client_address(request),
                                           **form.cleaned_data)
            except RuleViolation as exc:
                form_refuse(form, exc)
                status = exc.status
            else:
                ctx["done"], status = True, 200
    return render(request, "operations/signup.html", ctx, status=status)


# --- people on duty ---------------------------------------------------------------------------

@needs("operations.work")
@require_http_methods(["GET", "POST"])
def volunteers(request):
    user = request.user
    area = _chosen_area(request, "operations.work")
    can_manage = has_perm(user, "operations.manage")
    now = clock.now()
    people = list(selectors.volunteers_list(user, area=area))
    confirmed = [v for v in people if v.confirmed_at is not None]
    shifts = _open_shifts(area, now) if can_manage and area.level == Level.COMMUNITY else []
    register_form = forms.RegisterForm(auto_id="reg-%s")
    assign_form = forms.AssignForm(people=confirmed, shifts=shifts, auto_id="assign-%s")
    back = redirect(f"{reverse('operations:volunteers')}?area={area.code}")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "confirm":
            try:
                v = selectors.volunteer_get_for_user(user, _int(request.POST.get("volunteer")),
                                                     "operations.manage")
                services.volunteer_confirm(actor=user, volunteer=v)
                messages.success(request, _("%(name)s is confirmed.") % {"name": v.name})
            except RuleViolation as exc:
                messages.error(request, exc.detail)
            return back
        if action == "register":
            register_form = forms.RegisterForm(request.POST, auto_id="reg-%s")
            if register_form.is_valid():
                target = selectors.area_for_user(user, request.POST.get("area", ""),
                                                 "operations.manage")
                try:
                    services.volunteer_create(actor=user, area=target,
                                              **register_form.cleaned_data)
                except RuleViolation as exc:
                    form_refuse(register_form, exc)
                else:
                    messages.success(request, _("Registered."))
                    return back
        elif action == "assign":
            assign_form = forms.AssignForm(request.POST, people=confirmed, shifts=shifts,
                                           auto_id="assign-%s")
            if assign_form.is_valid():
                data = assign_form.cleaned_data
                v = selectors.volunteer_get_for_user(user, data["volunteer"],
                                                     "operations.manage")
                shift = next((s for s in shifts if s.pk == data["shift"]), None)
                try:
                    services.assignment_create(
                        actor=user, volunteer=v, duty=data["duty"], shift=shift,
                        starts_at=data["starts_at"], ends_at=data["ends_at"],
                        target=data["target"])
                except RuleViolation as exc:
                    form_refuse(assign_form, exc, fields={"target_id": "target"})
                else:
                    messages.success(request, _("%(name)s is assigned.") % {"name": v.name})
                    return back
        else:
            return back
    pending = [v for v in people if v.confirmed_at is None]
    for v in people:
        v.phone_masked = mask_phone(v.phone)
    today = clock.today()
    assignments = list(selectors.assignments_list(user, area=area, day=today))
    ctx = {"area": area, "areas": _areas(user, "operations.work"), "pending": pending,
           "confirmed": confirmed, "assignments": assignments, "can_manage": can_manage,
           "on_duty": sum(1 for v in confirmed if v.on_duty),
           "roll": selectors.honour_roll(user, area=area, now=now, limit=10),
           "register_form": register_form, "assign_form": assign_form}
    if can_manage and area.level == Level.COMMUNITY:
        link = services.signup_link_get(actor=user, area=area)
        url = request.build_absolute_uri(reverse("operations:signup", args=[link.token]))
        ctx["signup_url"] = url
        ctx["signup_qr"] = segno.make(url, error="m").svg_data_uri(scale=4, border=2)
        ctx["shifts"] = shifts
    # A refused form is shown again, as typed, with its errors: 422 as on every other page.
    return render(request, "operations/volunteers.html", ctx,
                  status=422 if request.method == "POST" else 200)


def _open_shifts(area, now):
    """Gate shifts of the community in the next two days that nobody is assigned to yet."""
    from firstline.access.models import Shift

    return list(Shift.objects.filter(
        checkpoint__compound__area=area, ends_at__gt=now,
        starts_at__lt=now + timedelta(days=2), assignments__isnull=True)
        .select_related("checkpoint__compound").order_by("starts_at")[:30])


@login_required
@require_http_methods(["GET", "POST"])
def mine(request):
    """A volunteer's own duties (also any user linked to a registered person)."""
    user = request.user
    if request.method == "POST":
        a = selectors.assignment_get_for_user(user, _int(request.POST.get("assignment")))
        try:
            if request.POST.get("action") == "out":
                services.assignment_check_out(actor=user, assignment=a)
            else:
                services.assignment_check_in(actor=user, assignment=a)
        except RuleViolation as exc:
            messages.error(request, exc.detail)
        return redirect("operations:mine")
    rows = list(selectors.assignments_list(user, mine=True).filter(
        ends_at__gt=clock.now() - timedelta(days=1))[:50])
    if not rows and not has_perm(user, "operations.own"):
        require_perm(user, "operations.own")
    # A delivery duty's errands (what to buy, for whom) are assistance's "My tasks".
    return render(request, "operations/mine.html", {
        "assignments": rows, "errands": has_perm(user, "assistance.own")})


# --- disinfection board -----------------------------------------------------------------------

@needs("operations.work")
@require_http_methods(["GET", "POST"])
def board(request):
    user = request.user
    area = _chosen_area(request, "operations.work",
                        levels=(Level.COMMUNITY,) if not has_perm(user, "operations.dispatch")
                        else (Level.STREET, Level.COMMUNITY))
    # Staff add places (lifts, rubbish points, used-mask bins) to a community they manage.
    can_add = area.level == Level.COMMUNITY and in_scope(user, area, "operations.manage")
    compounds = list(selectors.compounds_of(area)) if can_add else []
    place_form = forms.PlaceForm(compounds=compounds, auto_id="place-%s")
    refused = None  # (place id, its form as typed) after a refused round
    back = redirect(f"{reverse('operations:board')}?area={area.code}")
    if request.method == "POST" and request.POST.get("action") == "place":
        if not can_add:
            require_perm(user, "operations.manage")
            raise Http404
        place_form = forms.PlaceForm(request.POST, compounds=compounds, auto_id="place-%s")
        if place_form.is_valid():
            data = place_form.cleaned_data
            try:
                p = services.place_create(
                    actor=user, area=area, kind=data["kind"], name=data["name"],
                    compound=next((c for c in compounds if c.pk == data["compound"]), None))
            except RuleViolation as exc:
                form_refuse(place_form, exc)
            else:
                messages.success(request, _("Place added: %(place)s") % {"place": p.name})
                return back
    elif request.method == "POST":
        place = selectors.place_get_for_user(user, _int(request.POST.get("place")))
        form = forms.RoundForm(request.POST, auto_id=False)
        if form.is_valid():
            try:
                services.round_record(actor=user, place=place, **form.cleaned_data)
            except RuleViolation as exc:
                form_refuse(form, exc)
            else:
                messages.success(request, _("Round recorded: %(place)s") % {"place": place.name})
                return back
        refused = (place.pk, form)
    overdue_only = request.GET.get("overdue") == "1"
    items = selectors.disinfection_due(user, area=area, overdue_only=overdue_only)
    groups = []
    for i, (name, dues) in enumerate(selectors.due_by_compound(items)):
        rows = [(d, refused[1] if refused and refused[0] == d.place.pk
                 else forms.RoundForm(auto_id=False)) for d in dues]
        overdue = sum(1 for d in dues if d.overdue)
        # The group of the next round to do is open, and every group with an overdue place
        # (and the one whose round was refused); the rest fold away under their names.
        is_open = i == 0 or overdue or any(f.is_bound for _d, f in rows)
        groups.append({"name": name, "rows": rows, "overdue": overdue,
                       "due": len(dues) - overdue, "open": is_open})
    return render(request, "operations/board.html", {
        "area": area, "areas": _areas(user, "operations.work", (Level.STREET, Level.COMMUNITY)),
        "items": items, "groups": groups, "overdue_only": overdue_only,
        "overdue_count": sum(1 for d in items if d.overdue),
        "can_add": can_add, "place_form": place_form, "place_open": place_form.is_bound},
        status=422 if request.method == "POST" else 200)


# --- supplies ---------------------------------------------------------------------------------

def _labelled(rows, labels: dict) -> list:
    """Stock rows, each with its store as a person reads it (`store_label`)."""
    rows = list(rows)
    missing = {r.store.code for r in rows} - labels.keys()
    labels = {**labels, **selectors.store_labels(missing)}
    for r in rows:
        r.store_label = labels[r.store.code]
    return rows


@needs("operations.work")
@require_http_methods(["GET", "POST"])
def stock(request):
    user = request.user
    stores = list(selectors.stores_visible_to(user).order_by("code"))
    labels = selectors.store_labels(s.code for s in stores)
    for s in stores:
        s.label = labels[s.code]
    items = list(Item.objects.order_by("code"))
    can_manage = has_perm(user, "operations.manage")
    issue_form = forms.StockForm(stores=stores, items=items, auto_id="issue-%s")
    receive_form = forms.StockForm(stores=stores, items=items, issuing=False,
                                   auto_id="receive-%s")
    item_form = forms.ItemForm(auto_id="item-%s")
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "item":
        require_perm(user, "operations.manage")
        item_form = forms.ItemForm(request.POST, auto_id="item-%s")
        if item_form.is_valid():
            try:
                item = services.item_create(actor=user, **item_form.cleaned_data)
            except RuleViolation as exc:
                form_refuse(item_form, exc)
            else:
                messages.success(request, _("Added to the catalogue: %(name)s")
                                 % {"name": item.name})
                return redirect("operations:stock")
    elif request.method == "POST":
        receiving = action == "receive"
        form = forms.StockForm(request.POST, stores=stores, items=items, issuing=not receiving,
                               auto_id="receive-%s" if receiving else "issue-%s")
        if receiving:
            receive_form = form
        else:
            issue_form = form
        if form.is_valid():
            data = form.cleaned_data
            store = selectors.store_get_for_user(user, data["store"])
            item = next(i for i in items if i.pk == data["item"])
            donation = form.donation() if receiving else None
            try:
                if receiving:
                    row = services.stock_receive(
                        actor=user, store=store, item=item, quantity=data["quantity"],
                        note=data["note"], donation=donation, event_id=data["event_id"])
                else:
                    row = services.stock_issue(actor=user, store=store, item=item,
                                               quantity=data["quantity"], to=data["to"],
                                               event_id=data["event_id"])
            except RuleViolation as exc:
                form_refuse(form, exc)
            else:
                messages.success(request, services.stock_words(
                    item=item, quantity=data["quantity"], store=store, receiving=receiving,
                    to=data.get("to", ""), donor=(donation or {}).get("donor", ""),
                    replayed=row.replayed))
                return redirect("operations:stock")
    return render(request, "operations/stock.html", {
        "rows": _labelled(selectors.stock_list(user), labels), "stores": stores, "items": items,
        "issue_form": issue_form, "receive_form": receive_form, "item_form": item_form,
        "receive_open": receive_form.is_bound, "item_open": item_form.is_bound,
        "history": selectors.movements_recent(user, limit=20), "can_manage": can_manage},
        status=422 if request.method == "POST" else 200)


def ledger(request, code):
    """The public donation ledger of a street (no login): names only with consent."""
    street = get_object_or_404(Area, code=str(code)[:32], level=Level.STREET)
    rows = []
    for d in selectors.donations_public(street)[:500]:
        items = [(m.stock.item.name, m.delta) for m in d.movements.all()]
        rows.append({"d": d, "donor": d.donor if d.consent_named else _("Anonymous donor"),
                     "items": items})
    return render(request, "operations/ledger.html", {"street": street, "rows": rows})


# --- HQ tasks ---------------------------------------------------------------------------------

@needs("operations.manage")
@require_http_methods(["GET", "POST"])
def tasks(request):
    user = request.user
    can_dispatch = has_perm(user, "operations.dispatch")
    targets = _areas(user, "operations.dispatch", (Level.STREET, Level.COMMUNITY)) \
        if can_dispatch else []
    groups = list(selectors.working_groups_visible_to(user)) if can_dispatch else []
    send_form = forms.TaskSendForm(targets=targets, groups=groups, auto_id="send-%s")
    refused_group = refused_task = None  # (street code | task id, its form as typed)
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "send":
        require_perm(user, "operations.dispatch")
        send_form = forms.TaskSendForm(request.POST, targets=targets, groups=groups,
                                       auto_id="send-%s")
        if send_form.is_valid():
            data = send_form.cleaned_data
            try:
                sent = services.task_send(
                    actor=user, title=data["title"], detail=data["detail"],
                    areas=[a for a in targets if a.code in data["areas"]],
                    due_at=data["due_at"], group=request.POST.get("group", ""),
                    groups=[g for g in groups if g.pk in data["groups"]],
                    event_id=data["event_id"])
            except RuleViolation as exc:
                form_refuse(send_form, exc)
            else:
                messages.success(request, _("Task sent to %(n)d receivers.") % {"n": len(sent)})
                return redirect("operations:tasks")
    elif action == "group":
        area = selectors.area_for_user(user, request.POST.get("area", ""),
                                       "operations.dispatch")
        candidates = list(selectors.working_group_candidates(area))
        form = forms.WorkingGroupForm(request.POST, candidates=candidates,
                                      auto_id=f"group-{area.code}-%s")
        if form.is_valid():
            try:
                group = services.working_group_create(
                    actor=user, area=area, name=form.cleaned_data["name"],
                    members=[u for u in candidates if u.pk in form.cleaned_data["members"]])
            except RuleViolation as exc:
                form_refuse(form, exc)
            else:
                messages.success(request, _("Working group %(name)s set up.")
                                 % {"name": group.name})
                return redirect("operations:tasks")
        refused_group = (area.code, form)
    elif action == "done":
        task = selectors.task_get_for_user(user, _int(request.POST.get("task")))
        form = forms.TaskDoneForm(request.POST, request.FILES, auto_id=f"done-{task.pk}-%s")
        if form.is_valid():
            try:
                services.task_done(actor=user, task=task, note=form.cleaned_data["note"],
                                   file=form.cleaned_data["file"])
            except RuleViolation as exc:
                form_refuse(form, exc)
            else:
                messages.success(request, _("Reported done."))
                return redirect("operations:tasks")
        refused_task = (task.pk, form)
    elif request.method == "POST":  # acknowledge: one button, nothing typed
        if action == "ack":
            task = selectors.task_get_for_user(user, _int(request.POST.get("task")))
            services.task_acknowledge(actor=user, task=task)
        return redirect("operations:tasks")
    now = clock.now()
    # Working groups belong to a street: each street HQ may dispatch to, with who may join.
    streets = []
    for a in _areas(user, "operations.dispatch", (Level.STREET,)) if can_dispatch else []:
        candidates = list(selectors.working_group_candidates(a))
        streets.append((a, candidates, refused_group[1]
                        if refused_group and refused_group[0] == a.code
                        else forms.WorkingGroupForm(candidates=candidates,
                                                    auto_id=f"group-{a.code}-%s")))
    rows = list(selectors.tasks_list(user)[:200])
    for t in rows:
        t.status = t.status_at(now)
        t.done_form = (refused_task[1] if refused_task and refused_task[0] == t.pk
                       else forms.TaskDoneForm(auto_id=f"done-{t.pk}-%s"))
    return render(request, "operations/tasks.html", {
        "rows": rows, "can_dispatch": can_dispatch, "send_form": send_form,
        "by_area": selectors.tasks_by_area(user, moment=now) if can_dispatch else [],
        "groups": groups, "streets": streets,
        "group_open": refused_group is not None,
        "overdue": sum(1 for t in rows if t.status == "overdue")},
        status=422 if send_form.errors or refused_group or refused_task else 200)


@needs("operations.manage")
def task_file(request, pk):
    """The file of a task's report, for those who see the task (its area's staff, HQ)."""
    from django.http import FileResponse

    task = selectors.task_get_for_user(request.user, pk)
    if not task.file:
        raise Http404
    try:
        handle = task.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=task.file_type or "application/octet-stream",
                            filename=task.file_name or task.file.name.rsplit("/", 1)[-1],
                            as_attachment=not task.file_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@needs("operations.manage")
def panel(request):
    """Home-page panel: places overdue for disinfection, HQ tasks open/overdue, on duty now."""
    user = request.user
    area = _chosen_area(request, "operations.work", levels=(Level.STREET, Level.COMMUNITY))
    now = clock.now()
    overdue = selectors.disinfection_due(user, area=area, moment=now, overdue_only=True)
    tasks = [t.status_at(now) for t in selectors.tasks_list(user, moment=now).filter(
        done_at__isnull=True)]
    on_duty = selectors.volunteers_list(user, area=area, on_duty=True).count()
    return render(request, "operations/panel.html", {
        "area": area, "overdue": len(overdue), "tasks_open": tasks.count("open"),
        "tasks_overdue": tasks.count("overdue"), "on_duty": on_duty})
