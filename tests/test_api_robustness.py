"""Bad input is normal input: every API operation, fed malformed values field by field,
answers a 4xx with {"error", "detail"} — never a 5xx. The operations are read from the
OpenAPI schema, so a new endpoint is covered the day it is added."""

import uuid

import pytest

from firstline.api import api as ninja_api

BAD_VALUES = ["abc", "", -1, 0, 10**20, 3.65, None, [], {}, "2026-13-45", "🙂" * 300]


def _resolve(schema, components):
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    if "anyOf" in schema:
        options = [s for s in schema["anyOf"] if s.get("type") != "null"]
        return _resolve(options[0], components) if options else {"type": "null"}
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _resolve(schema["allOf"][0], components)
    return schema


def _sample(schema, components):
    schema = _resolve(schema, components)
    if "enum" in schema:
        return schema["enum"][0]
    kind, fmt = schema.get("type"), schema.get("format", "")
    if kind == "integer":
        return 1
    if kind == "number":
        return 36.5
    if kind == "boolean":
        return True
    if kind == "array":
        return []
    if kind == "object":
        return {k: _sample(v, components) for k, v in schema.get("properties", {}).items()}
    if fmt == "date":
        return "2026-11-23"
    if fmt == "date-time":
        return "2026-11-23T09:00:00+08:00"
    if fmt == "uuid":
        return str(uuid.uuid4())
    return "x"


def _operations():
    schema = ninja_api.get_openapi_schema()
    components = schema.get("components", {}).get("schemas", {})
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            body = None
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                body = _resolve(content["application/json"]["schema"], components)
            query = [p for p in op.get("parameters", []) if p["in"] == "query"]
            yield method, path, body, query, components


OPERATIONS = list(_operations())


def _paths(path):
    if "{" not in path:
        return [path]
    import re

    return [re.sub(r"\{[^}]+\}", value, path) for value in ("1", "999999999", "abc", "-1")]


def _requests(method, path, body, query, components):
    for url in _paths(path):
        if method == "get":
            yield url, None, {}
            for param in query:
                for bad in ("abc", "-1", "0", "99999999999999999999", "2026-02-30", ""):
                    yield url, None, {param["name"]: bad}
        else:
            base = _sample(body, components) if body else {}
            yield url, base, {}
            yield url, [], {}
            if isinstance(base, dict):
                for field in list(base):
                    for bad in BAD_VALUES:
                        yield url, {**base, field: bad}, {}
                yield url, {}, {}


@pytest.mark.django_db(transaction=True)
def test_malformed_input_never_gives_a_5xx():
    """One test over every operation, against the demo jurisdiction (so ids like 1 exist and
    requests reach the business rules), as the demo admin who may do everything."""
    from firstline.accounts.models import User
    from firstline.demo import build
    from tests.conftest import ApiClient

    build(residents_per_grid=2)
    client = ApiClient(User.objects.get(username="admin"))
    failures = []
    for method, path, body, query, components in OPERATIONS:
        for url, payload, params in _requests(method, path, body, query, components):
            if method == "get":
                response = client.client.get(url, params, **client._headers())
            else:
                response = getattr(client.client, method)(
                    url, payload, content_type="application/json", **client._headers())
            if response.status_code >= 500:
                failures.append((method, url, payload, params, response.status_code))
            elif (response.status_code >= 400
                  and response["Content-Type"].startswith("application/json")
                  and not {"error", "detail"} <= set(response.json())):
                failures.append((method, url, payload, params, response.content[:200]))
    assert not failures, f"{len(failures)} bad answers, first ones: {failures[:5]}"


def test_an_app_api_imported_too_early_is_an_error_not_missing_routes(monkeypatch):
    # Importing firstline.<app>.api before firstline.api leaves that module half-built when
    # the API mounts the routers: its routes used to vanish silently (every call a 404).
    import importlib
    import types

    from django.core.exceptions import ImproperlyConfigured

    import firstline.api

    monkeypatch.setattr(importlib, "import_module", lambda name: types.ModuleType(name))
    with pytest.raises(ImproperlyConfigured, match=r"firstline\.accounts\.api has no router"):
        firstline.api._mount()


@pytest.mark.django_db
def test_a_wrong_method_on_any_path_answers_in_the_error_shape(client):
    schema = ninja_api.get_openapi_schema()
    methods = {"get", "post", "put", "patch", "delete"}
    for path, ops in schema["paths"].items():
        wrong = sorted(methods - set(ops))[0]
        url = path.replace("{", "").replace("}", "")  # any value: the method is refused first
        response = getattr(client, wrong)(url)
        assert response.status_code == 405, (wrong, url)
        assert response.json()["error"] == "method_not_allowed", (wrong, url)
        assert response["Allow"], url


def test_every_list_is_paginated():
    # CONTRACT: every list is {"items": [...], "count": total}; a bare JSON array is not.
    schema = ninja_api.get_openapi_schema()
    bare = [f"{method.upper()} {path}" for path, ops in schema["paths"].items()
            for method, op in ops.items()
            if op.get("responses", {}).get(200, {}).get("content", {})
            .get("application/json", {}).get("schema", {}).get("type") == "array"]
    assert bare == []


@pytest.mark.django_db
def test_a_nul_character_is_named_as_such():
    # The same on both databases (SQLite would compare it silently, PostgreSQL refuse it
    # unnamed): a 422 naming the parameter, in the body's words (tests/api/test_nul_params.py).
    from firstline.accounts.models import User
    from firstline.demo import build
    from tests.conftest import ApiClient

    build(residents_per_grid=1)
    response = ApiClient(User.objects.get(username="admin")).get("/api/v1/residents", q="张\x00三")
    assert response.status_code == 422
    assert response.json()["error"] == "invalid"
    assert response.json()["detail"].startswith("q: ") and "NUL" in response.json()["detail"]
