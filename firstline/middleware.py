import logging

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from firstline.plaintext import char_code, refused_char, unchecked


class RequestBeganMiddleware:
    """Note when a request arrived (`request.began_at`), before anything else runs: a write
    that answers "what lacked X when this call began" (passes/issue) compares it with what
    concurrent requests wrote. Taken first because the rest of a request (authentication's
    own bookkeeping write waiting on SQLite's one writer, parsing) can let a concurrent
    request finish before the view starts."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from firstline import clock

        request.began_at = clock.now()
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Content-Security-Policy (no inline scripts) and a few headers Django 5.2 lacks."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The API docs (Swagger UI, served from our static files) need inline styles; they get
        # a policy of their own rather than none.
        policy = (settings.CONTENT_SECURITY_POLICY_DOCS if request.path.startswith("/api/v1/docs")
                  else settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Content-Security-Policy", policy)
        # Pages and API answers carry personal data (a full read above all): no browser or
        # proxy keeps a copy. Static files (WhiteNoise, answered before this) keep theirs.
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("Permissions-Policy", "geolocation=(), microphone=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class ApiMethodNotAllowedMiddleware:
    """The API's 405s in its own error shape. ninja answers a wrong method on a known path with
    Django's plain-text HttpResponseNotAllowed, before any of the API's exception handlers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and request.path.startswith("/api/v1/") \
                and not response.get("Content-Type", "").startswith("application/json"):
            allowed = response.get("Allow", "")
            body = JsonResponse({"error": "method_not_allowed",
                                 "detail": _("Method %(method)s is not allowed here; use %(allowed)s.")
                                 % {"method": request.method, "allowed": allowed}}, status=405)
            body["Allow"] = allowed
            return body
        return response


class DatabaseUnavailableMiddleware:
    """Database trouble in a view (connection refused or reset, a server restarting, a
    terminated connection, a race that outlived its retries) answers 503 with Retry-After —
    JSON on the API, a friendly translated page elsewhere — never a 500. Django closes the
    broken connection at the end of the request and, with CONN_HEALTH_CHECKS, the next
    request opens a fresh one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from firstline.db import is_unavailable

        if not is_unavailable(exception):
            return None
        return database_unavailable(request, exception)


log = logging.getLogger("firstline.faults")


def database_unavailable_logged(request, exc) -> None:
    """One warning line per refused request (the operator's signal), not a 500's traceback."""
    log.warning("database unavailable, answered 503: %s %s: %s: %s", request.method,
                request.path, type(exc).__name__, (str(exc).strip().splitlines() or [""])[0])


def database_unavailable(request, exc):
    """503 with Retry-After: JSON on the API, a short translated page elsewhere. Renders
    nothing that needs the database (no user, no navigation, no session)."""
    from django.template.loader import render_to_string
    from django.utils.translation import get_language

    database_unavailable_logged(request, exc)
    retry = str(settings.DATABASE_RETRY_AFTER_SECONDS)
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"error": "unavailable",
             "detail": _("The database is unavailable for a moment. Send the same request "
                         "again shortly.")}, status=503)
    else:
        response = HttpResponse(
            render_to_string("503.html", {"retry_after": retry, "LANGUAGE_CODE": get_language(),
                                          "path": request.get_full_path(),
                                          "reload": request.method in ("GET", "HEAD")}),
            status=503)
    response["Retry-After"] = retry
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # the warning above is its log line, not a 5xx ERROR
    return response


class UnstorableInputMiddleware:
    """Input that no database stores answers 400 with a page naming it, never a 500, on the
    pages (the API answers 422 itself, firstline.api): a NUL character in a form field or in
    the address (PostgreSQL refuses it in text), and a number or date out of the database's
    range (?page=9223372036854775808, a day in year 1). So does a posted field holding what no
    typed text may hold (firstline.plaintext: a control character, a right-to-left override),
    for every form of every page — but on a view marked `checks_own_text`, which says it on
    its form. A field is named by its label, in the user's language, when the view's form is
    known (`nul_field_label`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Here rather than in __call__: the view (and so its form) is known.
        if request.path.startswith("/api/") or asks_for_login(view_func, request):
            return None
        for params in (request.GET, request.POST):
            for key, values in params.lists():
                if "\x00" in key or any("\x00" in v for v in values):
                    field = nul_field_label(view_func, key, request)
                    return unstorable(request, _(
                        "“%(field)s” contains a NUL character (\\x00), which cannot be "
                        "stored: remove it.") % {"field": field})
        if getattr(view_func, "checks_own_text", False):
            return None
        for key, values in request.POST.lists():
            char = next((c for v in values if (c := refused_char(v)) is not None), None)
            if char is not None and not unchecked(key):
                field = nul_field_label(view_func, key, request)
                return unstorable(request, _(
                    "“%(field)s” contains an invisible control character (%(char)s): "
                    "remove it.") % {"field": field, "char": char_code(char)})
        return None

    def process_exception(self, request, exception):
        from django.db import DataError

        if request.path.startswith("/api/") or not isinstance(exception,
                                                               (DataError, OverflowError)):
            return None
        # the operator's trace (the error's text may quote what was typed: not logged)
        log.warning("out-of-range input answered 400: %s %s: %s", request.method, request.path,
                    type(exception).__name__)
        return unstorable(request, _("A number or a date in the request is out of range."))


def asks_for_login(view_func, request) -> bool:
    """Whether the view sends this request to a login page before it reads any input: an admin
    page to one not let into the admin, any other view with a login gate (`login_url`, the mark
    Django's login_required and user_passes_test put on their views for LoginRequiredMiddleware)
    to one not signed in. Its gate answers then, NUL or not: a field's label is not told to
    whoever has not signed in."""
    model_admin = getattr(view_func, "model_admin", None)
    site = getattr(view_func, "admin_site", None) or getattr(model_admin, "admin_site", None)
    if site is not None:
        return not site.has_permission(request)
    if not hasattr(view_func, "login_url"):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


def checks_own_text(view):
    """For a view whose service refuses what firstline.plaintext refuses itself, on the form
    as typed (a public form: residents.services.text), rather than on the 400 page."""
    view.checks_own_text = True
    return view


def unstorable(request, problem: str):
    from django.shortcuts import render

    return render(request, "400.html", {"problem": problem}, status=400)


def field_labels(**labels):
    """For a view whose inputs are written by hand in its template (no Django form): their
    labels, `name=gettext_lazy("...")`, for what is said about a field before the view runs
    (a NUL character, UnstorableInputMiddleware)."""

    def mark(view):
        view.field_labels = labels
        return view

    return mark


def nul_field_label(view_func, key: str, request) -> str:
    """The label, in the active language, of the form field posted as `key` to `view_func`:
    the view's own `field_labels`, else the field of the form class its module uses that best
    fits what was sent (a prefixed form's `m12-from_city` is its `from_city`); else the
    name as sent, without the NUL and cut short. Forms that fit equally well but label the
    field differently (a gate's "Name" and a visitor's) are not guessed between: the name as
    sent."""
    plain = key.replace("\x00", "")[:40]
    if "\x00" in key:
        return plain
    names = [key, key.split("-", 1)[1]] if "-" in key else [key]
    labels = getattr(view_func, "field_labels", None) or {}
    for name in names:
        if name in labels:
            return capfirst(str(labels[name]))
    sent = {k for params in (request.GET, request.POST) for k in params}
    sent |= {k.split("-", 1)[1] for k in sent if "-" in k}
    best, said = -1, set()
    for form_class in _view_form_classes(view_func):
        fields = _form_fields(form_class)
        name = next((n for n in names if n in fields), None)
        if name is None:
            continue
        score = len(sent & set(fields))
        label = fields[name].label
        label = capfirst(str(label)) if label else name
        if score > best:
            best, said = score, {label}
        elif score == best:
            said.add(label)
    return said.pop() if len(said) == 1 else plain


def _view_form_classes(view_func) -> list:
    """The Django form classes in the module that defines the view (the forms it builds),
    those it imports by name and those of a forms module it imports (`from . import forms`)."""
    import sys
    from types import ModuleType

    from django import forms

    while hasattr(view_func, "__wrapped__"):
        view_func = view_func.__wrapped__
    module = sys.modules.get(getattr(view_func, "__module__", ""), None)
    if module is None:
        return []
    project = __name__.split(".", 1)[0]
    if module.__name__.split(".", 1)[0] != project:  # Django's own (the admin): name as sent
        return []
    values = list(vars(module).values())
    for value in list(values):  # the project's own forms modules, never django.forms
        if (isinstance(value, ModuleType) and value.__name__.rsplit(".", 1)[-1] == "forms"
                and value.__name__.split(".", 1)[0] == project):
            values += vars(value).values()
    found = []
    for value in values:
        if (isinstance(value, type) and issubclass(value, forms.BaseForm)
                and value not in (forms.Form, forms.ModelForm, forms.BaseForm)
                and value not in found):
            found.append(value)
    return found


def _form_fields(form_class) -> dict:
    """A form's fields with those its __init__ adds (a notice's title_en): an unbound form
    made with no arguments, or the declared fields when it needs some."""
    try:
        return dict(form_class().fields)
    except Exception:  # a form needing its view's arguments: its declared fields still name
        return dict(form_class.base_fields)
