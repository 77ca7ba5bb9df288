"""The shell: login, logout, the home page per role."""

import logging
import sys

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from firstline.accounts.forms import LoginForm
from firstline.accounts.nav import home_panels
from firstline.accounts.services import Throttled, login_check
from firstline.db import is_unavailable
from firstline.middleware import database_unavailable

log = logging.getLogger("firstline.faults")


def login_view(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = LoginForm(request.POST or None)
    status = 200
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and form.is_valid():
        try:
            user = login_check(request=request, username=form.cleaned_data["username"],
                               password=form.cleaned_data["password"])
        except Throttled:
            form.add_error(None, _("Too many failed attempts. Wait 15 minutes and try again."))
            status = 429
        else:
            if user is None:
                form.add_error(None, _("Wrong username or password."))
                status = 401
            else:
                login(request, user)
                if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
                    next_url = ""
                return redirect(next_url or "home")
    elif request.method == "POST":
        status = 400
    return render(request, "login.html", {"form": form, "next": next_url}, status=status)


@require_POST
def logout_view(request):
    logout(request)
    return redirect("login")


@login_required
def home(request):
    return render(request, "home.html", {"panels": home_panels(request.user)})


def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the self-report page)."""
    from django.templatetags.static import static

    return redirect(static("firstline/favicon.svg"))


def healthz(request):
    """For the load balancer and the operator: 200 when every backing service answers, else
    503 naming the one that is down ({"ok": false, "database": "down", ...})."""
    checks = {"database": _check_database()}
    if getattr(settings, "HEALTHZ_CHECK_CACHE", False):
        checks["cache"] = _check_cache()
    ok = all(v == "ok" for v in checks.values())
    response = JsonResponse({"ok": ok, **checks}, status=200 if ok else 503)
    response["Cache-Control"] = "no-store"
    if not ok:
        response["Retry-After"] = str(settings.DATABASE_RETRY_AFTER_SECONDS)
    return response


def _check_database() -> str:
    try:
        connection.close_if_health_check_failed()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down"; logged, not raised
        log.warning("healthz: database down: %s", exc)
        return "down"
    return "ok"


def _check_cache() -> str:
    """The shared cache (FIRSTLINE_REDIS_URL: the report cache and the flood guards)."""
    from django.core.cache import cache

    try:
        cache.set("firstline:healthz", "1", timeout=10)
        if cache.get("firstline:healthz") != "1":
            return "down"
    except Exception as exc:  # noqa: BLE001
        log.warning("healthz: cache down: %s", exc)
        return "down"
    return "ok"


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def handler404(request, exception=None):
    if _is_api(request):
        return JsonResponse({"error": "not_found", "detail": _("Not found.")}, status=404)
    return render(request, "404.html", status=404)


def handler500(request):
    # Never expected: bad input is answered with a 4xx. Kept plain: no template rendering that
    # could fail again. A database that failed outside a view (a middleware saving the session,
    # a context processor) is still a retryable 503, not a 500.
    exc = sys.exc_info()[1]
    if exc is not None and is_unavailable(exc):
        return database_unavailable(request, exc)
    if _is_api(request):
        return JsonResponse({"error": "server_error", "detail": "internal error"}, status=500)
    from django.http import HttpResponseServerError

    return HttpResponseServerError("<h1>500</h1>")
