"""An id, a count or an amount in a request body is a JSON integer: pydantic's lax mode read
`{"household_id": true}` as household 1 and `false` as 0, `"12"` as 12 and `1.0` as 1. Every
request body of every operation is walked (nested schemas too), so a new field is covered the
day it is added; query and path parameters arrive as text and keep reading `?household=12`."""

import types
import typing

import pytest
from pydantic import BaseModel, ValidationError

from firstline.api import api as ninja_api


def _leaves(annotation):
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _leaves(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, tuple, dict):
        return [leaf for arg in typing.get_args(annotation) for leaf in _leaves(arg)]
    return [annotation]


def _is_list(annotation):
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_is_list(a) for a in typing.get_args(annotation))
    return typing.get_origin(annotation) is list


def _body_fields():
    """(schema, field name, leaf type, is a list) for every number field of every body."""
    seen, found = set(), []

    def walk(model):
        if model in seen:
            return
        seen.add(model)
        for name, field in model.model_fields.items():
            leaves = _leaves(field.annotation)
            for leaf in leaves:
                if isinstance(leaf, type) and issubclass(leaf, BaseModel):
                    walk(leaf)
                elif leaf is int and str in leaves:
                    continue  # a code or an id (CodeOrId): text is a code, a number an id
                elif leaf in (int, float):
                    found.append((model, name, leaf, _is_list(field.annotation)))

    for _prefix, router in ninja_api._routers:
        for view in router.path_operations.values():
            for operation in view.operations:
                for model in operation.models:
                    if model.__name__ == "BodyParams":
                        walk(model)
    return found


FIELDS = _body_fields()
INT_FIELDS = [(m, n, lst) for m, n, leaf, lst in FIELDS if leaf is int]
FLOAT_FIELDS = [(m, n, lst) for m, n, leaf, lst in FIELDS if leaf is float]


def _refused(model, name, value, as_list):
    try:
        model.model_validate({name: [value] if as_list else value})
    except ValidationError as exc:
        return any(e["loc"] and e["loc"][0] == name for e in exc.errors())
    return False


def _ids(fields):
    return [f"{m.__name__}.{n}" for m, n, *_ in fields]


def test_the_walk_finds_the_bodies_numbers():
    names = set(_ids(INT_FIELDS))
    assert {"VisitIn.household_id", "VisitPersonIn.resident_id", "CaseIn.resident_id",
            "PlaceIn.compound_id", "ReceiveIn.quantity", "TaskIn.groups"} <= names
    assert "ScanIn.temperature" in set(_ids(FLOAT_FIELDS))


@pytest.mark.parametrize(("model", "name", "as_list"), INT_FIELDS, ids=_ids(INT_FIELDS))
@pytest.mark.parametrize("value", [True, False, "12", 1.0, 2.5], ids=repr)
def test_an_integer_field_takes_only_a_json_integer(model, name, as_list, value):
    assert _refused(model, name, value, as_list), f"{model.__name__}.{name} took {value!r}"


@pytest.mark.parametrize(("model", "name", "as_list"),
                         [f for f in INT_FIELDS if f[1].endswith("_id") or f[1] == "groups"],
                         ids=_ids([f for f in INT_FIELDS if f[1].endswith("_id")
                                   or f[1] == "groups"]))
@pytest.mark.parametrize("value", [0, -1])
def test_an_id_names_a_row_from_1(model, name, as_list, value):
    assert _refused(model, name, value, as_list)


@pytest.mark.parametrize(("model", "name", "as_list"), FLOAT_FIELDS, ids=_ids(FLOAT_FIELDS))
@pytest.mark.parametrize("value", [True, False], ids=repr)
def test_a_temperature_is_never_true_or_false(model, name, as_list, value):
    assert _refused(model, name, value, as_list)


@pytest.mark.parametrize(("model", "name", "as_list"), FLOAT_FIELDS, ids=_ids(FLOAT_FIELDS))
def test_a_temperature_stays_lax(model, name, as_list):
    assert not _refused(model, name, 36.6, as_list)
    assert not _refused(model, name, "36.6", as_list)
    assert not _refused(model, name, 37, as_list)


def test_true_as_a_household_writes_nothing(api, areas):
    from firstline.people.models import Household, ScreeningVisit
    from tests.conftest import make_household

    h = make_household(areas.g1a)
    Household.objects.filter(pk=h.pk).update(id=1)  # the household lax mode read `true` as
    r = api("grid_a").post("/api/v1/visits", {"household_id": True, "nobody_home": True})
    assert r.status_code == 422, r.content
    assert r.json()["error"] == "invalid" and "household_id" in r.json()["detail"]
    assert not ScreeningVisit.objects.exists()


def test_a_query_filter_still_reads_its_id_from_text(api, areas):
    from tests.conftest import make_household

    h = make_household(areas.g1a)
    r = api("staff_c1").get("/api/v1/households", compound=str(h.compound_id))
    assert r.status_code == 200 and [x["id"] for x in r.json()["items"]] == [h.pk]
