from importlib import import_module

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from firstline import views
from firstline.api import api


def _gate_first(urls):
    """The API's URL patterns with the gate's scan endpoints first. Django tries a request's
    path against the patterns in order, and ninja lists one per operation, app by app: a scan
    (the hottest path) was tried against ~30 of them first (~40 µs a request). The two
    routes are exact paths no other pattern matches, so nothing else resolves otherwise."""
    patterns, app_name, namespace = urls
    hot = [p for p in patterns if p.name in ("gate_scan", "gate_scan_batch")]
    return [*hot, *(p for p in patterns if p not in hot)], app_name, namespace


urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("api/v1/", _gate_first(api.urls)),
    # One login, one throttle: the admin's own login form would be a second, unthrottled path.
    path("admin/login/", views.admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("exports/", include(("firstline.exportjobs.urls", "exportjobs"))),
]

# Each app's HTML pages, under its own prefix and namespace.
for _app in ("areas", "accounts", "people", "access", "isolation", "assistance", "operations",
             "residents", "lists", "reports"):
    _module = import_module(f"firstline.{_app}.urls")
    if getattr(_module, "urlpatterns", None):
        urlpatterns.append(path(f"{_app}/", include((_module.urlpatterns, _app))))

handler403 = "firstline.views.handler403"
handler404 = "firstline.views.handler404"
handler500 = "firstline.views.handler500"
