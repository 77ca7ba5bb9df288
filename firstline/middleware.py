from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _


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
