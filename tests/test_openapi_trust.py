"""The OpenAPI schema documents the right bodies (unique names) and the error answers."""

import json
from collections import Counter

from django.test import Client

from firstline.api import api


def test_schema_component_names_are_unique_per_class():
    # Two classes of one name would share one component and document one body for both.
    from ninja import Schema

    def walk(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)

    names = Counter(c.__name__ for c in set(walk(Schema))
                    if c.__module__.startswith("firstline."))
    assert [n for n, k in names.items() if k > 1] == []


def test_the_gate_visit_body_is_documented_with_temperature():
    schema = api.get_openapi_schema()
    body = schema["paths"]["/api/v1/gate/visits"]["post"]["requestBody"]["content"][
        "application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "temperature" in schema["components"]["schemas"][body]["properties"]
    assert "checkpoint_id" in schema["components"]["schemas"][body]["properties"]


def test_every_operation_documents_its_4xx_answers(db):
    schema = json.loads(Client().get("/api/v1/openapi.json").content)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert {"403", "404", "422"} <= set(operation["responses"]), (method, path)
    assert schema["components"]["schemas"]["Error"]["required"] == ["error", "detail"]


def test_a_number_for_a_date_is_422_not_1970(api, areas, cast):
    from firstline.access import services
    from firstline.people.models import Compound

    compound = Compound.objects.create(area=areas.c1, name="翰林华府")
    cp = services.checkpoint_create(compound=compound, code="HL-N", name="北门",
                                    actor=cast.staff_c1)
    c = api("staff_c1")
    r = c.post(f"/api/v1/checkpoints/{cp.pk}/shifts/plan", {"day": 0, "shifts": 3})
    assert r.status_code == 422 and "day" in r.json()["detail"]
    r = c.put(f"/api/v1/compounds/{compound.pk}/policy",
              {"closed": True, "out_quota": 1, "window_days": 2, "starts_on": 0})
    assert r.status_code == 422 and "starts_on" in r.json()["detail"]
    assert c.get("/api/v1/shifts", day="0").status_code == 422
    r = c.post(f"/api/v1/checkpoints/{cp.pk}/shifts/plan", {"day": "2020-02-05", "shifts": 3})
    assert r.status_code == 201
