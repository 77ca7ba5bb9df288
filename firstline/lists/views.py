"""HTML pages: a grid worker's verification items (phone), HQ's lists (upload with column
mapping, progress, export). Thin: parse, call a selector or a service, render."""

import secrets
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from firstline import clock, taskqueue
from firstline.accounts.scope import area_scope, has_perm
from firstline.accounts.services import require_perm
from firstline.areas.models import Area
from firstline.errors import InvalidInput, RuleViolation, form_refuse
from firstline.forms import typed_id
from firstline.people.forms import FullReadForm
from firstline.people.vocab import Symptom, symptom_labels
from firstline.tabular import TableError

from . import exports, reading, selectors, services
from .forms import AnswerForm, CaseForm, TestResultForm
from .models import Result, SourceMapping
from .tasks import checklist_import_task


def needs(perm):
    def deco(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            require_perm(request.user, perm)
            return view(request, *args, **kwargs)

        return wrapper

    return deco


def _key_labels():
    return {"name": _("Name"), "id_number": _("ID number"), "phone": _("Phone"),
            "address": _("Address")}


# --- the grid worker's items -------------------------------------------------------------------

def _items_context(request):
    items = list(selectors.verification_list(request.user, status="open")[:200])
    sources = selectors.sources_of(items)
    today = clock.today()
    for v in items:
        _items_context_of(v, today=today, sources=sources.get(v.pk))
    return {"items": items, "results": Result.choices, "today": today,
            "symptom_choices": Symptom.choices, "open_count": _open_count(request.user)}


def _open_count(user) -> int:
    """The people left to reach (the page's count; the page lists the first 200)."""
    return selectors.verification_list(user, status="open").count()


def _items_context_of(v, *, today, sources=None):
    from firstline.people.services import mask_phone

    if sources is None:
        sources = selectors.sources_of([v]).get(v.pk, [])
    v.phone_masked = mask_phone(v.resident.phone)
    v.sources = sources
    v.overdue = v.due is not None and v.due < today
    v.fact = selectors.recent_fact(v.resident, today=today)
    # the fact's symptoms go with its one-tap answer (only the ticks the form offers)
    v.fact_symptoms = [c for c in (v.fact or {}).get("symptoms", "").split(",")
                       if c in Symptom.values]
    v.fact_symptom_names = symptom_labels(v.fact_symptoms)


@require_GET
@needs("lists.verify")
def items(request):
    context = _items_context(request)
    # ?answered=<id>: the item just answered (the answer's redirect), with what it offers
    # next ("登记隔离" for a return or an alert); the message said the rest.
    answered = typed_id(request.GET.get("answered"))
    if answered is not None:
        v = selectors.verifications_visible_to(request.user).filter(pk=answered).first()
        if v is not None:
            context["answered"] = v
            context["isolate_url"] = selectors.isolation_offer(request.user, v)
    return render(request, "lists/items.html", context)


@require_GET
@needs("lists.verify")
def items_panel(request):
    return render(request, "lists/panel.html", {"open": _open_count(request.user)})


@require_POST
@needs("lists.verify")
def item_answer(request, pk):
    """One outcome; a refused one comes back (422) on the item's form with what was typed,
    each error beside its field, and nothing recorded: the item's card alone for htmx (the
    browser stays on the list's URL), else the page. Recorded: the card says so (htmx) or
    the page, redirected to, does; either offers "登记隔离" when the answer asks for it."""
    v = selectors.verification_get_for_user(request.user, pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.verification_answer(verification=v, actor=request.user,
                                         **form.cleaned_data)
        except InvalidInput as exc:
            form_refuse(form, exc)
        except RuleViolation as exc:  # answered by someone else meanwhile: no form to fix
            said = f"{v.resident.name}: {exc.detail}"
            if request.htmx:
                return render(request, "lists/items.html#answered",
                              {"answered": v, "refusal": said, "oob": True,
                               "open_count": _open_count(request.user)},
                              status=exc.status if exc.status in (409, 422) else 409)
            messages.error(request, said)
            return redirect("lists:items")
        else:
            said = [_("%(name)s: recorded for every list.") % {"name": v.resident.name}]
            warnings = [_("%(name)s: alert raised — %(kind)s (%(detail)s).")
                        % {"name": v.resident.name, "kind": alert.get_kind_display(),
                           "detail": alert.display_detail}
                        for alert in getattr(v, "alerts", [])]  # said, not left to be found
            if request.htmx:
                return render(request, "lists/items.html#answered", {
                    "answered": v, "said": said, "warnings": warnings, "oob": True,
                    "open_count": _open_count(request.user),
                    "isolate_url": selectors.isolation_offer(request.user, v)})
            for text in said:
                messages.success(request, text)
            for text in warnings:
                messages.warning(request, text)
            return redirect(f"{reverse('lists:items')}?answered={v.pk}")
    if request.htmx:
        context = {"results": Result.choices, "symptom_choices": Symptom.choices}
        _items_context_of(v, today=clock.today())
        v.form = form
        return render(request, "lists/items.html#item", {**context, "v": v}, status=422)
    context = _items_context(request)
    refused = next((item for item in context["items"] if item.pk == v.pk), None)
    if refused is None:  # beyond the page's first items: shown first
        context["items"] = [v, *context["items"]]
        _items_context_of(v, today=context["today"])
        refused = v
    refused.form = form
    return render(request, "lists/items.html", context, status=422)


# --- HQ: lists ---------------------------------------------------------------------------------

@require_GET
@needs("lists.manage")
def lists_home(request):
    lists = selectors.checklists_with_progress(
        request.user, selectors.checklists_visible_to(request.user).select_related("area")
        .order_by("-created_at")[:100])
    return render(request, "lists/home.html", {"lists": lists})


def _upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "checklists"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _areas(user):
    return (Area.objects.filter(area_scope(user, None, "lists.manage")).exclude(level="grid")
            .order_by("path")[:200])


def _masked(cell: str) -> str:
    """The preview shows how the columns look, not whose numbers they are."""
    import re

    from firstline.people.services import mask_id_number, mask_phone

    text = cell.replace(" ", "")
    if re.fullmatch(r"\d{17}[\dXx]", text):
        return mask_id_number(text)
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 11 and re.fullmatch(r"[+\d\s\-()]+", cell):
        return mask_phone(digits[-11:])
    return cell


@require_http_methods(["GET", "POST"])
@needs("lists.manage")
def upload(request):
    """Step 1: the file, its sender, deadline and area. Step 2: map its columns (the
    sender's last mapping and the usual titles preselected). Step 3: import."""
    context = {"areas": _areas(request.user), "labels": _key_labels(), "error": ""}
    post = request.POST
    if request.method == "GET":
        return render(request, "lists/upload.html", context)
    context.update(source=post.get("source", ""), deadline=post.get("deadline", ""),
                   area=post.get("area", ""))
    try:  # said at the step where it was typed, before the file is read
        deadline = services.deadline_for_new_list(post.get("deadline"))
    except RuleViolation as exc:
        context["error"] = exc.detail
        if not post.get("token"):
            return render(request, "lists/upload.html", context, status=422)
        deadline = None
    token = post.get("token", "")
    if not token:
        upload = request.FILES.get("file")
        suffix = Path(getattr(upload, "name", "") or "").suffix.lower()
        if upload is None or suffix not in (".csv", ".txt", ".xlsx"):
            context["file_error"] = _("Choose a .csv or .xlsx file.")
            return render(request, "lists/upload.html", context, status=422)
        token = secrets.token_urlsafe(16) + suffix
        with open(_upload_dir() / token, "wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        context["filename"] = upload.name
    else:
        if "/" in token or ".." in token or not (_upload_dir() / token).exists():
            raise Http404
        context["filename"] = post.get("filename", "")
    path = _upload_dir() / token
    try:
        table = reading.read_table(path)
    except TableError as exc:
        path.unlink(missing_ok=True)
        context["file_error"] = exc.message  # beside the file field: choose another file
        return render(request, "lists/upload.html", context, status=422)
    if not table.rows:  # said now, not after the mapping step (the service refuses it too)
        path.unlink(missing_ok=True)
        context["file_error"] = _("file %(name)s: %(reason)s") % {
            "name": Path(context["filename"]).name[:100], "reason": _(services.EMPTY_FILE)}
        return render(request, "lists/upload.html", context, status=422)
    context.update(token=token, header=list(enumerate(table.header)),
                   sample=[(n, [_masked(c) for c in cells]) for n, cells in table.rows[:3]])
    typed = {key: typed_id(post.get(key)) for key in reading.KEYS}
    mapping = {key: index for key, index in typed.items() if index is not None}
    if context["error"]:  # the deadline, refused on the mapping step: fixed there
        context["mapping"] = mapping
        return render(request, "lists/map.html", context, status=422)
    if "confirm" not in post:
        remembered = SourceMapping.objects.filter(source=post.get("source", "").strip()) \
            .values_list("mapping", flat=True).first()
        context["mapping"] = reading.guess_mapping(table.header, remembered)
        return render(request, "lists/map.html", context)
    try:
        area = services.area_for_list(code=post.get("area") or None, actor=request.user)
        # Matching runs as a background task (`firstline worker`); this page only watches.
        queued = taskqueue.enqueue(
            checklist_import_task, field="file", path=str(path), source=post.get("source", ""),
            deadline=deadline.isoformat() if deadline else "", area_id=area.pk,
            actor_id=request.user.pk, mapping=mapping, filename=context["filename"],
            language=translation.get_language())
    except RuleViolation as exc:
        context["mapping"] = mapping
        context["error"] = exc.detail
        status = getattr(exc, "status", 422)
        return render(request, "lists/map.html", context, status=status if status >= 500 else 422)
    if not queued.is_finished:
        return redirect(f"{reverse('lists:upload_status')}?task={queued.id}")
    return _upload_outcome(request, context, queued, mapping=mapping)


def _upload_outcome(request, context, queued, *, mapping=None):
    """A finished import task: to the new list, or the form again with its error (the
    mapping page while the file is still at hand)."""
    from django_tasks import TaskResultStatus

    value = queued.return_value if queued.status == TaskResultStatus.SUCCESSFUL else {
        "error": _("The list could not be imported: upload it again."), "field": "file"}
    if "error" in value:
        if value.get("field") == "file":
            context["file_error"] = value["error"]
            return render(request, "lists/upload.html", context, status=422)
        context["error"] = value["error"]
        if mapping is not None:
            context["mapping"] = mapping
            return render(request, "lists/map.html", context, status=422)
        return render(request, "lists/upload.html", context, status=422)
    if not value["created"]:
        messages.info(request, _("This file was imported before: nothing was added."))
    return redirect("lists:checklist", value["checklist"])


@require_GET
@needs("lists.manage")
def upload_status(request):
    """Watches a list's import task (the worker matches it); refreshes itself until done."""
    queued = taskqueue.result(request.GET.get("task", ""))
    if queued is None or queued.kwargs.get("actor_id") != request.user.pk:
        raise Http404
    if not queued.is_finished:
        return render(request, "lists/upload_wait.html", {"filename": queued.kwargs["filename"]})
    context = {"areas": _areas(request.user), "labels": _key_labels(),
               "source": queued.kwargs["source"], "deadline": queued.kwargs["deadline"]}
    return _upload_outcome(request, context, queued)


@require_GET
@needs("lists.manage")
def checklist_page(request, pk):
    c = selectors.checklist_get_for_user(request.user, pk)
    return _checklist_render(request, c)


def _checklist_render(request, c, *, draft: dict | None = None, status: int = 200):
    """The list's page; `draft`: a refused routing of one row ({number, routing, to, note,
    error}), shown again on that row's form with what was typed."""
    progress = selectors.checklist_progress(request.user, c)
    unmatched = selectors.unmatched_rows_shown(c) if services.in_scope(
        request.user, c.area, "lists.manage") else []
    from .models import Routing

    return render(request, "lists/checklist.html",
                  {"c": c, "p": progress, "unmatched": unmatched, "today": clock.today(),
                   "routings": Routing.choices, "draft": draft or {},
                   "streets": selectors.streets_for_handover(c) if unmatched else [],
                   "handed": any(r.routed_at for r in unmatched),
                   "full_form": FullReadForm() if has_perm(request.user, "people.export_full")
                   else None}, status=status)


@require_http_methods(["GET", "POST"])
@needs("lists.manage")
def checklist_export(request, pk):
    """A GET: the masked list. A POST with a reason (the form on the list's page): unmasked,
    audited with the reason; a refused reason shows the form again (422, 403 without the
    permission)."""
    c = selectors.checklist_get_for_user(request.user, pk)
    return _reasoned_export(request, c, exports.checklist_xlsx, exports.export_filename(c))


@require_http_methods(["GET", "POST"])
@needs("lists.manage")
def checklist_handover(request, pk):
    """转办清单: the rows handed over to another street, for a street outside Firstline;
    masked, or unmasked with a reason as the list's export."""
    c = selectors.checklist_get_for_user(request.user, pk)
    if not services.in_scope(request.user, c.area, "lists.manage"):
        raise Http404
    return _reasoned_export(request, c, exports.handover_xlsx,
                            exports.handover_filename(c),
                            handover=True)


def _reasoned_export(request, c, build, filename: str, *, handover: bool = False):
    why = ""
    if request.method == "POST":
        form = FullReadForm(request.POST)
        try:
            why = exports.checklist_export_reason(
                actor=request.user, reason_code=request.POST.get("reason", ""),
                reason_text=request.POST.get("reason_text", ""), required=True)
        except InvalidInput as exc:
            return render(request, "lists/export_full.html",
                          {"c": c, "form": form, "error": exc.detail, "handover": handover},
                          status=422)
    path = build(checklist=c, actor=request.user, reason=why)
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=filename)
    path.unlink(missing_ok=True)  # the open handle keeps the data until it is sent
    return response


@require_GET
@login_required
def dashboard_panel(request):
    """The dashboard's block: the newest lists with done / due / overdue (htmx-loaded)."""
    from firstline.accounts.scope import has_perm

    if not has_perm(request.user, "lists.manage"):
        return render(request, "lists/dashboard_panel.html", {"lists": []})
    area = Area.objects.filter(code=request.GET.get("area", "")).first()
    lists = selectors.checklists_with_progress(
        request.user, selectors.checklists_visible_to(request.user).select_related("area")
        .order_by("-created_at")[:5])
    for c in lists:
        # the dashboard area's direct children: communities under a street, grids under one
        c.children = [a for a in c.progress["by_area"]
                      if area is not None and a["path"].startswith(area.path)
                      and a["path"].count("/") == area.path.count("/") + 1]
    return render(request, "lists/dashboard_panel.html", {"lists": lists})


@require_POST
@needs("lists.manage")
def row_route(request, pk, number):
    c = selectors.checklist_get_for_user(request.user, pk)
    row = selectors.unmatched_rows(c).filter(number=number).first()
    if row is None:
        raise Http404
    to = request.POST.get("to", "").strip()
    in_firstline = selectors.streets_for_handover(c).filter(code=to).exists()
    try:
        services.checklist_row_route(row=row, routing=request.POST.get("routing", ""),
                                     actor=request.user, to_area=to if in_firstline else "",
                                     to_name="" if in_firstline else to,
                                     note=request.POST.get("note", ""))
    except RuleViolation as exc:
        if exc.status == 404:
            raise Http404 from None
        # shown on the row's own form (the form's action ends in #row-N), with what was
        # typed; the API's field names (to_area, to_name) are not the page's words
        error = (_("To another street: type or pick the street under “to which street”, "
                   "then save.") if exc.code == "to_required" else exc.detail)
        return _checklist_render(request, c, status=exc.status, draft={
            "number": row.number, "routing": request.POST.get("routing", ""), "to": to,
            "note": request.POST.get("note", ""), "error": error})
    return redirect("lists:checklist", c.pk)


# --- cases -------------------------------------------------------------------------------------

def _contacts(text: str) -> list[dict]:
    """One contact a line: name, phone or ID number, address (commas, 、 or spaces)."""
    import re

    out = []
    for line in (text or "").splitlines():
        parts = [p for p in re.split(r"[,，、;；\t]+|\s{2,}", line.strip()) if p]
        if not parts:
            continue
        if len(parts) == 1 and " " in parts[0].replace("\u3000", " "):
            # typed with single spaces, as a phone keyboard does: the name is the first word,
            # the ID number and the phone are found by their digits, the rest is the address
            parts = _contact_words(parts[0].replace("\u3000", " "))
        contact = {"name": parts[0]}
        for part in parts[1:]:
            digits = re.sub(r"[\s\-+]", "", part)
            if reading.normalize_id_number(part)[:17].isdigit() and len(
                    reading.normalize_id_number(part)) == 18:
                contact["id_number"] = part
            elif digits.isdigit() and len(digits) >= 11:
                contact["phone"] = part
            else:
                contact["address"] = part
        out.append(contact)
    return out


_ID_IN_TEXT = r"(?<![\dXx])\d{6}\s?\d{8}\s?\d{3}[\dXx](?![\dXx])"
_PHONE_IN_TEXT = r"(?<!\d)(?:\+?86[\s-]?)?1\d{2}[\s-]?\d{4}[\s-]?\d{4}(?!\d)"


def _contact_words(line: str) -> list[str]:
    """`李四 13912345678 阳光花园 1栋` → [李四, 13912345678, 阳光花园 1栋]."""
    import re

    name, _sep, rest = line.strip().partition(" ")
    parts = [name]
    for pattern in (_ID_IN_TEXT, _PHONE_IN_TEXT):
        found = re.search(pattern, rest)
        if found:
            parts.append(found.group())
            rest = rest[:found.start()] + " " + rest[found.end():]
    rest = " ".join(rest.split())
    return [*parts, rest] if rest else parts


def _resident_by_id_number(form):
    from firstline.people.models import Resident

    number = reading.normalize_id_number(form.cleaned_data["id_number"])
    resident = Resident.objects.filter(id_number=number).select_related("grid").first()
    if resident is None:
        raise RuleViolation("not_found", _("No resident with this ID number in your areas."),
                            status=404, field="id_number")
    return resident


def _cases_page(request, *, case_form=None, test_form=None, status=200):
    from .models import CaseStatus

    today = clock.today()
    rows = list(selectors.cases_visible_to(request.user)
                .select_related("resident", "resident__household", "resident__household__compound")
                .prefetch_related("tests")
                .order_by("-on", "-pk")[:100])
    return render(request, "lists/cases.html", {
        "cases": rows, "statuses": CaseStatus.choices, "today": today,
        "case_form": case_form or CaseForm(today=today),
        "test_form": test_form or TestResultForm(today=today)}, status=status)


@require_http_methods(["GET", "POST"])
@needs("lists.manage")
def cases(request):
    """Cases in one's areas; record one (by the resident's ID number), and from each, in one
    step: its contacts as a list, its building locked down, the move to centralized. A
    refused record comes back (422) as typed, each error beside its field."""
    if request.method != "POST":
        return _cases_page(request)
    form = CaseForm(request.POST, today=clock.today())
    if form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_record(resident=_resident_by_id_number(form),
                                        status=data["status"], on=data["on"] or clock.today(),
                                        source=data["source"],
                                        contacts=_contacts(data["contacts"]),
                                        actor=request.user)
        except RuleViolation as exc:
            form_refuse(form, exc, fields={"resident_id": "id_number"})
        else:
            messages.success(request, (_("Case %(n)s recorded.") if case.created else
                                       _("Case %(n)s is already open for this resident: "
                                         "it was updated, not recorded twice."))
                             % {"n": case.pk})
            return redirect("lists:cases")
    return _cases_page(request, case_form=form, status=422)


@require_POST
@needs("lists.manage")
def test_result(request):
    """A nucleic-acid result by the resident's ID number; a positive one can make the case
    (confirmed or asymptomatic) in the same step. A refused one comes back (422) on the
    cases page as typed, each error beside its field."""
    form = TestResultForm(request.POST, today=clock.today())
    if form.is_valid():
        data = form.cleaned_data
        try:
            test = services.test_result_record(
                resident=_resident_by_id_number(form),
                sampled_on=data["sampled_on"] or clock.today(), result=data["result"],
                case_status=data["case"] or None, actor=request.user,
                event_id=data["event_id"])
        except RuleViolation as exc:
            form_refuse(form, exc, fields={"resident_id": "id_number"})
        else:
            if test.case_created:
                messages.success(request, _("Test recorded; case %(n)s made from it.")
                                 % {"n": test.case_id})
            elif test.case_id:
                messages.success(request, _("Test recorded on the open case %(n)s (no second "
                                            "case).") % {"n": test.case_id})
            elif test.prompt_case:
                messages.warning(request, _("Positive, and no open case: record it again with "
                                            "\"make the case\" or record the case above."))
            else:
                messages.success(request, _("Test recorded."))
            return redirect("lists:cases")
    return _cases_page(request, test_form=form, status=422)


@require_POST
@needs("lists.manage")
def case_step(request, pk, step):
    """A case's next step. Locking down the building and the move to centralized isolation
    are said first (the place, how many households and people, until when) and done only
    once confirmed (`confirm=1`): one stray tap never isolates a whole building."""
    case = selectors.case_get_for_user(request.user, pk)
    if step in ("lockdown", "transfer") and request.POST.get("confirm") != "1":
        try:
            plan = (services.case_lock_down_plan(case=case, actor=request.user)
                    if step == "lockdown" else None)
        except RuleViolation as exc:
            if exc.status == 404:
                raise Http404 from None
            messages.error(request, exc.detail)
            return redirect("lists:cases")
        return render(request, "lists/case_confirm.html",
                      {"case": case, "step": step, "plan": plan})
    try:
        if step == "contacts":
            result = services.case_contacts_list(case=case, actor=request.user)
            return redirect("lists:checklist", result.checklist.pk)
        if step == "lockdown":
            lockdown = services.case_lock_down(case=case, actor=request.user)
            messages.success(request, _("Locked down: %(n)s households under home isolation.")
                             % {"n": lockdown.households})
        elif step == "transfer":
            services.case_transfer(case=case, actor=request.user)
            messages.success(request, _("Moved to centralized isolation: plan the transport "
                                        "on the isolation pages."))
        else:
            raise Http404
    except RuleViolation as exc:
        if exc.status == 404:
            raise Http404 from None
        messages.error(request, exc.detail)
    return redirect("lists:cases")


@require_POST
@needs("lists.verify")
def item_phone(request, pk):
    """Show the phone of the person to call: a read of the phone alone, audited as such."""
    v = selectors.verification_get_for_user(request.user, pk)
    phone, full = services.verification_phone(verification=v, actor=request.user)
    return render(request, "lists/_phone.html", {"v": v, "phone": phone, "full": full})
