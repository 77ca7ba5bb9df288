"""The ninja API object (`/api/v1/`): auth, error mapping, and every app's router."""

from functools import wraps

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, InterfaceError, OperationalError
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer, django_auth

from firstline.accounts.services import token_user
from firstline.api.validation import (
    body_not_json,
    body_refusal,
    control_detail,
    nul_detail,
    validation_detail,
)
from firstline.errors import RuleViolation
from firstline.middleware import database_unavailable_logged
from firstline.plaintext import refused_char, unchecked


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


# The error answers every operation may give, documented once in the schema (they come from
# the exception handlers below, not from each operation's `response=`).
ERROR_RESPONSES = {
    "400": "The request body cannot be read: not JSON, or a malformed upload (`bad_request`).",
    "401": "A valid API token is required (`unauthorized`).",
    "403": "The user's roles do not allow this operation (`forbidden`).",
    "404": "Missing, or outside the user's areas: the same answer (`not_found`).",
    "409": "A business rule refuses it (e.g. `event_id_reused`, `not_your_shift`).",
    "415": "A file of a type this operation does not take (`bad_file_type`), or a public "
           "form's body that is not JSON (`unsupported_media_type`).",
    "422": "Bad input, naming the field (`invalid`, or a specific code).",
    "429": "Too many attempts (`throttled`).",
    "503": "The database is unavailable; retry (`unavailable`).",
}


class FirstlineAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Error"] = {
            "title": "Error", "type": "object", "required": ["error", "detail"],
            "properties": {"error": {"type": "string", "title": "Error code"},
                           "detail": {"type": "string", "title": "In the user's language"}}}
        ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, text in ERROR_RESPONSES.items():
                    if status == "401" and operation.get("security") == []:
                        continue
                    responses.setdefault(status, {"description": text, "content": ref})
        return schema


class BodyNotJSON(Exception):
    """A request body no JSON reader can read; ninja turns it into HttpError(400) "Cannot
    parse request body" (English), raised from this."""


class BodyUnstorable(Exception):
    """A JSON string (or key) holding a NUL character (PostgreSQL refuses it, SQLite would keep
    it silently), half of a surrogate pair ("\\ud800": valid JSON, no character; it failed
    wherever the text was first encoded, unnamed, perhaps after other rows were written), or
    a character no typed text may hold (firstline.plaintext: a control character, a
    right-to-left override). Refused here, once for every operation and both databases,
    naming where it is (`scans.1.pass_code: …`): `detail` is the answer's."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class JSONParser(Parser):
    def parse_body(self, request):
        try:
            data = super().parse_body(request)
        except (ValueError, RecursionError) as exc:
            # json.JSONDecodeError, UnicodeDecodeError; an integer of more digits than Python
            # converts (ValueError); arrays nested thousands deep (RecursionError)
            raise BodyNotJSON(exc) from exc
        detail = body_refusal(data)  # one walk over the body, whatever it holds
        if detail is not None:
            raise BodyUnstorable(detail)
        return data


api = FirstlineAPI(
    title="Firstline API",
    parser=JSONParser(),
    version="1",
    urls_namespace="api",
    auth=[TokenAuth(), django_auth],
    docs_url="/docs",
)


class ParamHasNUL(Exception):
    """A path, query or form parameter holding a NUL character: refused as the body's
    (BodyHasNUL) are, naming the parameter, before any view queries with it — PostgreSQL
    would refuse the text unnamed, SQLite would compare or keep it silently."""

    def __init__(self, where: str):
        super().__init__(where)
        self.where = where


def params_nul_where(request) -> str | None:
    """The name of the first parameter with a NUL character in its name or value: the path's
    (`code`), then the query's (`q`), then a multipart form's (`source`); else None."""
    match = getattr(request, "resolver_match", None)
    params = [(match.kwargs if match else {}).items(), request.GET.lists()]
    if request.method == "POST" and request.content_type in ("multipart/form-data",
                                                             "application/x-www-form-urlencoded"):
        params.append(request.POST.lists())
    for items in params:
        for key, values in items:
            values = values if isinstance(values, list) else [values]
            if "\x00" in key or any(isinstance(v, str) and "\x00" in v for v in values):
                return key.replace("\x00", "\\x00")
    return None


class FormFieldRefused(Exception):
    """A multipart or urlencoded form field holding a character no typed text may hold
    (firstline.plaintext), as a JSON body's is refused (BodyUnstorable)."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


def form_control_where(request) -> tuple[str, str] | None:
    """The first form field (name, character) whose value holds a character no typed text
    may hold (firstline.plaintext) — passwords and pass codes left as sent — else None. Path
    and query parameters are not typed text to keep: not looked into."""
    if request.method != "POST" or request.content_type not in (
            "multipart/form-data", "application/x-www-form-urlencoded"):
        return None
    for key, values in request.POST.lists():
        if unchecked(key):
            continue
        for value in values:
            char = refused_char(value)
            if char is not None:
                return key, char
    return None


def refuse_nul_params(view_func):
    """Every operation (api.add_decorator below): after authentication and the schema's own
    checks, before the view runs."""

    @wraps(view_func)
    def checked(request, *args, **kwargs):
        where = params_nul_where(request)
        if where is not None:
            raise ParamHasNUL(where)
        found = form_control_where(request)
        if found is not None:
            raise FormFieldRefused(control_detail(*found))
        return view_func(request, *args, **kwargs)

    return checked


api.add_decorator(refuse_nul_params, mode="operation")


def error(request, status: int, code: str, detail) -> object:
    return api.create_response(request, {"error": code, "detail": str(detail)}, status=status)


@api.exception_handler(ValidationError)
def on_validation(request, exc):
    # pydantic's words are English only; firstline.api.validation tells each error's type in
    # the request's language, after the field's JSON name (`scans.0.temperature: ...`).
    return error(request, 422, "invalid", validation_detail(exc.errors))


@api.exception_handler(ParamHasNUL)
def on_param_nul(request, exc):
    return error(request, 422, "invalid", nul_detail(exc.where))


@api.exception_handler(FormFieldRefused)
def on_form_field_refused(request, exc):
    return error(request, 422, "invalid", exc.detail)


@api.exception_handler(AuthenticationError)
def on_auth(request, exc):
    return error(request, 401, "unauthorized", _("A valid API token is required."))


@api.exception_handler(Http404)
def on_404(request, exc):
    return error(request, 404, "not_found", _("Not found."))


@api.exception_handler(PermissionDenied)
def on_403(request, exc):
    return error(request, 403, "forbidden", str(exc) or _("Your role does not allow this action."))


@api.exception_handler(RuleViolation)
def on_rule(request, exc):
    return error(request, exc.status, exc.code, exc.detail)


@api.exception_handler(DjangoValidationError)
def on_django_validation(request, exc):
    return error(request, 422, "invalid", "; ".join(exc.messages))


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def on_out_of_range(request, exc):
    # An id or number too large for the database column (e.g. ?compound=99999999999999999999):
    # bad input, not a server fault. PostgreSQL also refuses text with a NUL character.
    if "NUL" in str(exc):
        return error(request, 422, "invalid", _("Text in the request contains a NUL character."))
    return error(request, 422, "invalid", _("A number in the request is out of range."))


@api.exception_handler(UnicodeEncodeError)
def on_unstorable_text(request, exc):
    # A JSON string with half of a surrogate pair ("\ud800"): valid JSON, no character.
    return error(request, 422, "invalid",
                 _("Text in the request contains an invalid character (half of a surrogate "
                   "pair, U+D800–U+DFFF)."))


@api.exception_handler(MultiPartParserError)
def on_malformed_upload(request, exc):
    # multipart/form-data without a boundary, or cut short: the client's fault, said as JSON
    # (Django would answer its HTML 400 page and log a traceback).
    return error(request, 400, "bad_request",
                 _("The upload cannot be read: send the file as multipart/form-data with its "
                   "boundary."))


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def on_database_unavailable(request, exc):
    # The database refused, dropped or lost the connection (or a race outlived its retries):
    # not the request's fault and not a bug. 503 says "send it again" — with the same
    # event_id, which makes the retry safe (CONTRACT.md "Faults").
    database_unavailable_logged(request, exc)
    response = error(request, 503, "unavailable",
                     _("The database is unavailable for a moment. Send the same request "
                       "again shortly."))
    response["Retry-After"] = str(settings.DATABASE_RETRY_AFTER_SECONDS)
    response._has_been_logged = True  # logged above as one warning line, not a 5xx ERROR
    return response


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    if isinstance(exc.__cause__, BodyNotJSON):  # malformed JSON: said in the user's language
        return error(request, 400, "bad_request", body_not_json(exc.__cause__.__cause__))
    if isinstance(exc.__cause__, BodyUnstorable):
        return error(request, 422, "invalid", exc.__cause__.detail)
    code = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
            405: "method_not_allowed", 409: "conflict", 422: "invalid",
            429: "throttled"}.get(exc.status_code, "error")
    return error(request, exc.status_code, code, exc.message)


def _mount():
    from importlib import import_module

    for app in ("accounts", "areas", "people", "access", "isolation", "assistance",
                "operations", "residents", "lists", "reports"):
        module = import_module(f"firstline.{app}.api")
        router = getattr(module, "router", None)
        if router is None:  # an app's api module imported before this one: it would vanish
            raise ImproperlyConfigured(
                f"firstline.{app}.api has no router yet: import firstline.api before it.")
        api.add_router("", router, tags=[app])


_mount()
