"""Pages of the residents' side. Public (no login, no personal data shown back, CSRF token in
every form, throttled, no JavaScript needed): declare a return, file a tip-off, read and
acknowledge a notice. Staff: pending declarations, tip-offs to verify, notices and their
reach, printable posters. Thin: parse, call a selector or service, render."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from firstline import clock
from firstline.accounts.scope import area_scope, has_perm
from firstline.accounts.services import client_address
from firstline.areas.models import Area, Level
from firstline.errors import InvalidInput, RuleViolation, form_refuse
from firstline.forms import OnceForm, typed_id
from firstline.middleware import checks_own_text, field_labels
from firstline.people.models import Building, Compound, Residency, Transport
from firstline.people.selectors import household_get_for_user
from firstline.people.services import household_member_add, mask_id_number, mask_phone

from . import selectors as sel
from . import services
from .forms import NoticeForm, TipForm


def needs(perm):
    def deco(view):
        @wraps(view)
        @login_required
        def inner(request, *args, **kwargs):
            if not has_perm(request.user, perm):
                raise PermissionDenied(_("Your role does not allow this action."))
            return view(request, *args, **kwargs)
        return inner
    return deco


DEVICE_COOKIE = "fl_device"


def _device_id(request) -> str:
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    return value if len(value) == 22 and value.replace("-", "").replace("_", "").isalnum() \
        else ""


def _client(request) -> list[str]:
    """The throttle's keys for a public page: the network address, and the device's cookie
    (set on the first page it loads)."""
    keys = [f"ip:{client_address(request)}"]
    device = _device_id(request)
    if device:
        keys.append(f"dev:{device}")
    return keys


def _public(response, request=None):
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    if request is not None and not _device_id(request):
        import secrets

        response.set_cookie(DEVICE_COOKIE, secrets.token_urlsafe(16), max_age=365 * 86400,
                            httponly=True, samesite="Lax", secure=request.is_secure())
    return response


def _community_or_404(code) -> Area:
    area = Area.objects.filter(code=code, level=Level.COMMUNITY).first()
    if area is None:
        raise Http404
    return area


def _qr(url: str, scale: int = 4) -> str:
    import segno

    return segno.make(url, error="m").svg_data_uri(scale=scale, border=2)


DECLARATION_FIELDS = ["name", "id_number", "phone", "compound", "building", "unit", "room",
                      "from_province", "from_city", "returned_on", "transport", "transport_no",
                      "symptoms"]


def _communities(user, perm):
    """Communities in the user's scope or containing it (a grid worker's community)."""
    return (Area.objects.filter(area_scope(user, None, perm) | area_scope(user, "children", perm),
                                level=Level.COMMUNITY).distinct().order_by("code"))


# --- public pages -----------------------------------------------------------------------------

# The public pages' and the member page's inputs are written in their templates: their labels
# (the same words), for a refusal said before the view runs (a NUL character).
_PLACE_LABELS = {"compound": gettext_lazy("Compound"), "building": gettext_lazy("Building"),
                 "unit": gettext_lazy("Unit"), "room": gettext_lazy("Room")}
_PERSON_LABELS = {"name": gettext_lazy("Name"), "id_number": gettext_lazy("ID number"),
                  "phone": gettext_lazy("Mobile phone")}


@field_labels(**_PERSON_LABELS, **_PLACE_LABELS,
              from_province=gettext_lazy("Came from (province)"),
              from_city=gettext_lazy("Came from (city)"),
              returned_on=gettext_lazy("Returned on"), transport=gettext_lazy("Travelled by"),
              transport_no=gettext_lazy("Train / flight / plate number"),
              symptoms=gettext_lazy("Symptoms (fever, cough...), if any"))
@checks_own_text  # services.text says it on the form as typed
def declare(request, code):
    """返回登记, reached from the community's QR poster."""
    community = _community_or_404(code)
    values = {k: request.POST.get(k, "") for k in DECLARATION_FIELDS}
    errors, status = {}, 200
    if request.method == "POST":
        try:
            d = services.declaration_submit(community=community,
                                            device=_client(request), **values)
        except RuleViolation as exc:
            errors = {field or "form": detail for field, detail in exc.errors.items()}
            status = exc.status
        else:
            return _public(render(request, "residents/public_done.html",
                                  {"community": community, "receipt": d.receipt,
                                   "kind": "declaration"}), request)
    compounds = list(Compound.objects.filter(area=community).order_by("name")
                     .values_list("name", flat=True))
    return _public(render(request, "residents/public_declare.html", {
        "community": community, "v": values, "errors": errors, "compounds": compounds,
        "transports": [c for c in Transport.choices if c[0]], "today": clock.today()},
        status=status), request)


@field_labels(what=gettext_lazy("What did you see?"), compound=gettext_lazy("Compound"),
              building=gettext_lazy("Building"), where=gettext_lazy("Where (in your words)"),
              contact=gettext_lazy("Your phone (optional, for the reward)"))
@checks_own_text
def tip(request, code):
    """举报: a tip-off from a resident."""
    community = _community_or_404(code)
    values = {k: request.POST.get(k, "") for k in ("what", "compound", "building", "where",
                                                   "contact")}
    compounds = list(Compound.objects.filter(area=community).order_by("name"))
    errors, status = {}, 200
    once = OnceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        compound = next((c for c in compounds if str(c.pk) == values["compound"]), None)
        try:
            t = services.tip_submit(community=community, what=values["what"],
                                    where=values["where"], contact=values["contact"],
                                    compound=compound, building=values["building"],
                                    device=_client(request), event_id=once.event_id_sent())
        except RuleViolation as exc:
            field = "form" if exc.field in ("", "event_id") else exc.field
            errors[field] = once.refused(exc)
            status = exc.status
        else:
            return _public(render(request, "residents/public_done.html",
                                  {"community": community, "receipt": t.receipt,
                                   "kind": "tip"}), request)
    return _public(render(request, "residents/public_tip.html", {
        "community": community, "v": values, "errors": errors, "compounds": compounds,
        "once": once}, status=status), request)


def notice_public(request, token):
    """The notice, for anyone with its link; a household acknowledges it (已读回执)."""
    notice = sel.notice_for_token(token)
    if notice is None:
        raise Http404
    households = services.notice_households(notice)
    compounds = list(Compound.objects.filter(pk__in=households.values("compound_id"))
                     .order_by("name"))
    building = None
    if typed_id(request.GET.get("b")) is not None:
        building = Building.objects.filter(pk=typed_id(request.GET["b"]),
                                           compound__in=compounds).first()
    values = {k: request.POST.get(k, "") for k in ("compound", "building", "unit", "room")}
    if building is not None and request.method != "POST":
        values.update(compound=str(building.compound_id), building=building.name)
    errors, status, done = {}, 200, request.GET.get("ack") == "1"
    if request.method == "POST":
        try:
            household = services.notice_household_find(
                notice=notice, compound_id=values["compound"], building=values["building"],
                unit=values["unit"], room=values["room"])
            services.notice_acknowledge(notice=notice, household=household,
                                        device=_client(request))
        except RuleViolation as exc:
            errors[exc.field or "form"] = exc.detail
            status = exc.status
        else:
            return redirect(f"{request.path}?ack=1")
    from django.utils.translation import get_language

    title, body = notice.in_language(get_language() or "")
    return _public(render(request, "residents/public_notice.html", {
        "notice": notice, "title": title, "body": body, "compounds": compounds, "v": values,
        "errors": errors, "done": done, "attachments": notice.attachments.all()},
        status=status), request)


def notice_attachment_public(request, token, pk):
    """A notice's attached file, for anyone with the notice's link. Served with the type its
    content was found to be, never sniffed, never run as a page."""
    from django.http import FileResponse

    attachment = sel.notice_attachment_for_token(token, pk)
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=attachment.content_type,
                            filename=attachment.name, as_attachment=False)
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@needs("people.screen")
def panel(request):
    """Home-page panel: declarations waiting and tip-offs to verify (overdue ones), in scope."""
    now = clock.now()
    tips_open = sel.tips_in(sel.tips_visible_to(request.user), status="open")
    return render(request, "residents/_panel.html", {
        "declarations": sel.declarations_in(sel.declarations_visible_to(request.user),
                                            status="pending").count(),
        "tips": tips_open.count(), "overdue": tips_open.filter(due_at__lt=now).count()})


# --- staff: declarations ------------------------------------------------------------------------

@needs("people.screen")
def declarations(request):
    return _declarations_page(request)


def _declarations_page(request, refused: tuple | None = None, status_code: int = 200):
    """The pending declarations; `refused` (see _refusal_place): a confirmation refused,
    shown on its row with what the worker chose and each error beside its field."""
    qs = (sel.declarations_visible_to(request.user).filter(status="pending")
          .select_related("household", "resident", "area").order_by("created_at"))
    rows = []
    pending = list(qs[:200])
    # A person on the roster declaring another address is moved there on confirmation.
    moves = {d.pk for d in pending
             if d.on_roster and d.household_id and d.household_id != d.roster_household}
    known = sel.roster_residencies(request.user, [d.on_roster for d in pending
                                                  if d.pk in moves])
    for d in pending:
        households = _households_to_choose(request.user, d)
        # What the row's form asks: the household (from a list, or its ID typed) only for a
        # newcomer whose address is not on the roster; the residency for any newcomer, and
        # for a move, preselected with the person's own so that confirming never resets it
        # (of a person the worker may not see: "keep as on the roster", telling nothing).
        asks = ("select" if households else
                "typed" if not d.household_id and not d.on_roster else "")
        moved = d.pk in moves
        fields = {"form"} | ({"household"} if asks else set()) | (
            {"residency"} if moved or not d.on_roster else set())
        rows.append({"d": d, "id_masked": mask_id_number(d.id_number),
                     "phone_masked": mask_phone(d.phone), "households": households,
                     "household_field": asks, "fields": fields, "moves": moved,
                     "residency_keep": moved and d.on_roster not in known,
                     "residency_now": known.get(d.on_roster, "") if moved else ""})
    error = _refusal_place(rows, "d", refused)
    for r in rows:
        r["residency_chosen"] = r["v"].get("residency", r["residency_now"])
    return render(request, "residents/declarations.html", {
        "rows": rows, "residencies": Residency.choices, "error": error,
        "communities": _communities(request.user, "people.screen")}, status=status_code)


def _refusal_place(rows: list, key: str, refused: tuple | None) -> str:
    """Put a row form's refused POST on its row. `refused`: (pk, the values sent, the
    RuleViolation, {the service's name of a field: the form's}). The row gets `v` (the values,
    to show again) and `errors` {field: words}: beside the fields its form shows (`fields`),
    the rest under "form", above them. When the row shows no form (confirmed or verified
    meanwhile, or in another list) the words are returned, for the top of the page."""
    for row in rows:
        row["v"], row["errors"] = {}, {}
    if refused is None:
        return ""
    pk, values, exc, names = refused
    row = next((r for r in rows if r[key].pk == pk and "form" in r["fields"]), None)
    if row is None:
        return " ".join(exc.errors.values())
    row["v"] = values
    for field, detail in exc.errors.items():
        name = names.get(field, "form")
        name = name if name in row["fields"] else "form"
        row["errors"][name] = " ".join(filter(None, [row["errors"].get(name), detail]))
    return ""


def _households_to_choose(user, d) -> list:
    """For a newcomer whose address is not on the roster: the households of the declared
    compound the worker may add to (none when the compound is unknown too)."""
    if d.household_id or d.on_roster or not d.compound:
        return []
    from firstline.people.selectors import households_visible_to

    return list(households_visible_to(user).filter(compound__area=d.community,
                                                   compound__name=d.compound)
                .select_related("compound").order_by("building_name", "unit", "room")[:300])


@needs("people.screen")
@require_POST
def declaration_confirm(request, pk):
    d = sel.declaration_get_for_user(request.user, pk)
    values = {k: request.POST.get(k, "").strip()[:20] for k in ("household", "residency")}
    names = {"household_id": "household", "household": "household", "residency": "residency"}
    try:
        household = _household_typed(request.user, values["household"])
        d = services.declaration_confirm(actor=request.user, declaration=d, household=household,
                                         residency=values["residency"])
    except RuleViolation as exc:
        return _declarations_page(request, refused=(d.pk, values, exc, names),
                                  status_code=exc.status)
    messages.success(request, _("Confirmed: %(name)s's return is recorded.") % {"name": d.name})
    return redirect("residents:declarations")


def _household_typed(user, typed: str):
    """The household a confirmation form names (chosen, or its ID typed), None when empty. A
    typo and a household outside the worker's areas get the same words, beside the field."""
    if not typed:
        return None
    try:
        if typed_id(typed) is not None:
            return household_get_for_user(user, typed_id(typed))
    except Http404:
        pass
    raise InvalidInput("unknown_household", _("No household with this ID in your area."),
                       field="household")


# --- staff: tip-offs --------------------------------------------------------------------------

@needs("people.screen")
def tips(request):
    return _tips_page(request)


def _tips_page(request, revealed: dict | None = None, error: str = "", status_code: int = 200,
               tip_form=None, refused: tuple | None = None):
    status = request.GET.get("status", "open")
    if status not in ("open", "valid", "invalid", "duplicate", "overdue"):
        status = "open"
    now = clock.now()
    qs = sel.tips_in(sel.tips_visible_to(request.user), status=status, now=now)
    rows = [{"t": t, "contact": services.tip_contact_masked(t),
             "overdue": t.status == "open" and t.due_at < now,
             "reward": services.reward_text(getattr(t, "reward", None)),
             "full": (revealed or {}).get(t.pk, ""),
             # The outcome form, while the tip is open.
             "fields": {"form", "outcome", "note"} if t.status == "open" else set()}
            for t in qs.select_related("area", "community", "compound", "reward__store")
            .order_by("due_at")[:200]]
    previews = {}  # what "valid" pays, per community, said before the worker confirms
    for r in rows:
        if r["fields"]:
            c = r["t"].community
            if c.pk not in previews:
                previews[c.pk] = services.reward_preview(c, on=clock.localdate(now))
            r["reward_preview"] = previews[c.pk]
    error = _refusal_place(rows, "t", refused) or error
    communities = _communities(request.user, "people.screen")
    return render(request, "residents/tips.html", {
        "rows": rows, "status": status, "communities": communities, "error": error,
        "tip_form": tip_form or TipForm(communities=communities, auto_id="tip-%s"),
        "can_full": has_perm(request.user, "people.view_full")}, status=status_code)


@needs("people.screen")
@require_POST
def tip_new(request):
    communities = list(_communities(request.user, "people.screen"))
    form = TipForm(request.POST, communities=communities, auto_id="tip-%s")
    if form.is_valid():
        data = form.cleaned_data
        community = next(c for c in communities if c.code == data.pop("community"))
        try:
            t = services.tip_submit(community=community, actor=request.user, **data)
        except RuleViolation as exc:
            form_refuse(form, exc)
        else:
            messages.success(request, _("Tip-off %(receipt)s recorded.")
                             % {"receipt": t.receipt})
            return redirect("residents:tips")
    return _tips_page(request, tip_form=form, status_code=422)


@needs("people.screen")
@require_POST
def tip_verify(request, pk):
    t = sel.tip_get_for_user(request.user, pk)
    values = {k: request.POST.get(k, "") for k in ("outcome", "note")}
    try:
        services.tip_verify(actor=request.user, tip=t, **values)
    except RuleViolation as exc:
        return _tips_page(request, refused=(t.pk, values, exc, {"outcome": "outcome",
                                                                "note": "note"}),
                          status_code=exc.status)
    t.refresh_from_db()
    messages.success(request, services.verdict_words(t))
    return redirect("residents:tips")


@needs("people.screen")
@require_POST
def reward_issue(request, pk):
    t = sel.tip_get_for_user(request.user, pk)
    try:
        reward = services.reward_issue(actor=request.user, tip=t)
    except RuleViolation as exc:
        return _tips_page(request, error=exc.detail, status_code=exc.status)
    if reward.replayed:
        # The button tapped twice, the form sent again: what the worker wanted is done.
        messages.success(request, _("The reward of %(receipt)s was already handed over.")
                         % {"receipt": t.receipt})
    else:
        messages.success(request, _("Reward of %(receipt)s handed over.")
                         % {"receipt": t.receipt})
    return redirect(f"{reverse('residents:tips')}?status=valid")


@needs("people.view_full")
@require_POST
def tip_contact(request, pk):
    t = sel.tip_get_for_user(request.user, pk)
    try:
        contact = services.tip_contact_read(actor=request.user, tip=t,
                                            reason=request.POST.get("reason", "")[:100])
    except InvalidInput as exc:
        return _tips_page(request, error=exc.detail, status_code=422)
    # Shown on this answer only: not through messages, which may keep it in a cookie.
    return _tips_page(request, revealed={t.pk: contact})


# --- staff: notices and posters -----------------------------------------------------------------

@needs("people.view")
def notices(request):
    can_manage = has_perm(request.user, "people.manage")
    areas = (list(Area.objects.filter(area_scope(request.user, None, "people.manage"),
                                      level__in=[Level.COMMUNITY, Level.GRID]).order_by("path"))
             if can_manage else [])
    form = NoticeForm(request.POST or None, request.FILES or None, areas=areas,
                      initial={"areas": sel.notice_areas_default(areas)}, auto_id="notice-%s")
    kept = []
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("Your role does not allow this action."))
        tokens = request.POST.getlist("kept")
        if form.is_valid():
            data = form.cleaned_data
            try:
                notice = services.notice_publish(
                    actor=request.user, title=data["title"], body=data["body"],
                    areas=[a for a in areas if a.code in data["areas"]],
                    translations=form.translations(),
                    attachments=data["attachments"], kept=tokens, event_id=data["event_id"])
            except RuleViolation as exc:
                form_refuse(form, exc, fields={
                    "file": "attachments",
                    **{f"translations.{lang}.{key}": f"{key}_{lang}"
                       for lang in form.VERSIONS for key in ("title", "body")}})
            else:
                return redirect("residents:notice", pk=notice.pk)
        kept = _notice_files_kept(request, form, tokens)
    rows = [{"n": n, **services.notice_reach(n)}
            for n in sel.notices_visible_to(request.user)[:50]]
    versions = form.versions()
    return render(request, "residents/notices.html", {
        "rows": rows, "areas": areas, "form": form, "versions": versions, "kept": kept,
        "versions_open": any(f.value() or f.errors for f in versions)},
        status=422 if form.errors else 200)


def _notice_files_kept(request, form, tokens) -> list:
    """A refused notice: the files kept before (still there) and those just chosen, kept for
    the next try; a file that cannot be kept says why beside the field."""
    kept = services.notice_uploads_pending(actor=request.user, tokens=tokens, strict=False)
    if len(kept) < len(set(filter(None, tokens))) and "attachments" not in form.errors:
        try:
            services.notice_uploads_pending(actor=request.user, tokens=tokens)
        except RuleViolation as exc:
            form_refuse(form, exc, fields={"file": "attachments"})
    new, refusals = services.notice_uploads_keep(actor=request.user,
                                                 files=request.FILES.getlist("attachments"))
    if "attachments" not in form.errors:
        for reason in refusals:
            form.add_error("attachments", reason)
    return kept + new


@needs("people.view")
def notice(request, pk, error: str = "", status: int = 200):
    n = sel.notice_get_for_user(request.user, pk)
    url = request.build_absolute_uri(reverse("residents:notice_public", args=[n.token]))
    return render(request, "residents/notice.html", {
        "n": n, "url": url, "reach": services.notice_reach(n),
        "buildings": services.notice_reach_by_building(n),
        "attachments": n.attachments.all(), "error": error,
        "can_manage": has_perm(request.user, "people.manage")}, status=status)


@needs("people.manage")
@require_POST
def notice_attach(request, pk):
    n = sel.notice_get_for_user(request.user, pk, "people.manage")
    try:
        services.notice_attach(actor=request.user, notice=n, file=request.FILES.get("file"))
    except RuleViolation as exc:
        return notice(request, pk, error=exc.detail, status=exc.status)
    messages.success(request, _("File attached."))
    return redirect("residents:notice", pk=n.pk)


@needs("people.view")
def notice_poster(request, pk):
    """A4: the notice's text and a QR to its page (one per building door with ?building=)."""
    n = sel.notice_get_for_user(request.user, pk)
    url = request.build_absolute_uri(reverse("residents:notice_public", args=[n.token]))
    building = None
    if typed_id(request.GET.get("building")) is not None:
        building = Building.objects.filter(pk=typed_id(request.GET["building"])).first()
        if building is not None:
            url += f"?b={building.pk}"
    return render(request, "residents/poster_notice.html", {
        "n": n, "url": url, "qr": _qr(url, 6), "building": building})


@needs("people.view")
def community_poster(request, code):
    """A4 poster for a community's doors: QR codes to declare a return and to file a tip."""
    community = Area.objects.filter(area_scope(request.user, None, "people.view")
                                    | area_scope(request.user, "children", "people.view"),
                                    code=code, level=Level.COMMUNITY).first()
    if community is None:
        raise Http404
    declare_url = request.build_absolute_uri(reverse("residents:declare", args=[code]))
    tip_url = request.build_absolute_uri(reverse("residents:tip", args=[code]))
    return render(request, "residents/poster_community.html", {
        "community": community, "declare_url": declare_url, "tip_url": tip_url,
        "declare_qr": _qr(declare_url, 6), "tip_qr": _qr(tip_url, 6)})


# --- staff: a newcomer found at the door -------------------------------------------------------

@needs("people.screen")
@field_labels(**_PERSON_LABELS, residency=gettext_lazy("residency"))
def member_add(request, household_id):
    household = household_get_for_user(request.user, household_id)
    values = {k: request.POST.get(k, "") for k in ("name", "id_number", "phone", "residency")}
    errors = {}
    status = 200
    if request.method == "POST":
        try:
            added = household_member_add(actor=request.user, household=household, **values)
        except RuleViolation as exc:
            errors = {field or "form": detail for field, detail in exc.errors.items()}
            status = exc.status
        else:
            if added.created:
                messages.success(request, _("%(name)s was added to this household.")
                                 % {"name": added.resident.name})
            else:
                messages.warning(request, _("%(name)s moved here from %(old)s: the roster now "
                                            "shows this household.")
                                 % {"name": added.resident.name, "old": added.moved_from})
            return redirect("people:visit_new", household_id=household.pk)
    return render(request, "residents/member_add.html", {
        "household": household, "v": values, "errors": errors,
        "residencies": Residency.choices}, status=status)
