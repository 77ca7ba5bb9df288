import logging

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _


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
    range (?page=9223372036854775808, a day in year 1)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            for params in (request.GET, request.POST):
                for key, values in params.lists():
                    if "\x00" in key or any("\x00" in v for v in values):
                        return unstorable(request, _(
                            "“%(field)s” contains a NUL character (\\x00), which cannot be "
                            "stored: remove it.") % {"field": key.replace("\x00", "")[:40]})
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import DataError

        if request.path.startswith("/api/") or not isinstance(exception,
                                                               (DataError, OverflowError)):
            return None
        # the operator's trace (the error's text may quote what was typed: not logged)
        log.warning("out-of-range input answered 400: %s %s: %s", request.method, request.path,
                    type(exception).__name__)
        return unstorable(request, _("A number or a date in the request is out of range."))


def unstorable(request, problem: str):
    from django.shortcuts import render

    return render(request, "400.html", {"problem": problem}, status=400)
