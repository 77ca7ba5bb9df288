"""A screening visit's text and return date as given or refused, never cut or taken on trust
(a fuzz run: 10,000 characters of note or city answered 201 and kept 200 / 30; a return on
9999-12-31 was saved). One rule for the form, the API and any other caller: the service's."""

import json
from datetime import date

import pytest
from django.test import Client

from firstline.errors import InvalidInput
from firstline.people.models import ScreeningVisit, VisitPerson, VisitSource
from firstline.people.services import screening_visit_record

from .conftest import local

VISITED = local(2020, 2, 1, 10)


def record(cast, roster, at=VISITED, note="", source=VisitSource.SCREENING, **person):
    return screening_visit_record(actor=cast.grid_a, household=roster.h1, visited_at=at,
                                  note=note, source=source,
                                  people=[{"resident": roster.a1, **person}])


@pytest.mark.parametrize("field,limit", [("from_province", 30), ("from_city", 30),
                                         ("transport_no", 30), ("symptoms", 200)])
def test_the_service_refuses_too_long_text_naming_the_members_field(cast, roster, field, limit):
    # symptoms as words are a declaration's (a screening visit's are codes: bad_symptom)
    source = VisitSource.DECLARATION if field == "symptoms" else VisitSource.SCREENING
    with pytest.raises(InvalidInput) as exc:
        record(cast, roster, source=source, **{field: "长" * (limit + 1)})
    assert (exc.value.code, exc.value.field) == ("too_long", f"people.0.{field}")
    assert not ScreeningVisit.objects.exists() and not VisitPerson.objects.exists()


def test_the_service_refuses_a_too_long_note_and_keeps_one_at_the_limit(cast, roster):
    with pytest.raises(InvalidInput) as exc:
        record(cast, roster, note="记" * 201)
    assert (exc.value.code, exc.value.field) == ("too_long", "note")
    assert record(cast, roster, note="记" * 200, from_city="武" * 30).note == "记" * 200
    assert VisitPerson.objects.get().from_city == "武" * 30


def test_the_api_refuses_a_long_city_naming_it_in_the_clients_language(api, roster):
    body = {"household_id": roster.h1.pk,
            "people": [{"resident_id": roster.a1.pk, "from_city": "长" * 10000}]}
    client = api("grid_a")
    res = client.client.post("/api/v1/visits", body, content_type="application/json",
                             HTTP_ACCEPT_LANGUAGE="zh-hans", **client._headers())
    assert res.status_code == 422, res.content
    assert res.json()["detail"] == "people.0.from_city: 太长：最多 30 个字"
    assert not ScreeningVisit.objects.exists()


def test_the_api_refuses_a_long_note(api, roster):
    res = api("grid_a").post("/api/v1/visits", {"household_id": roster.h1.pk,
                                                "note": "长" * 10000})
    assert res.status_code == 422 and res.json()["detail"].startswith("note: ")
    assert not ScreeningVisit.objects.exists()


def test_the_schema_says_the_lengths(db):
    schemas = json.loads(Client().get("/api/v1/openapi.json").content)["components"]["schemas"]
    person, visit = schemas["VisitPersonIn"]["properties"], schemas["VisitIn"]["properties"]
    assert {k: person[k]["maxLength"] for k in ("from_province", "from_city", "transport_no")} \
        == {"from_province": 30, "from_city": 30, "transport_no": 30}
    assert visit["note"]["maxLength"] == 200


# --- the return date: it already happened (as the resident's own declaration says) --------


def test_a_return_after_the_day_of_the_visit_is_refused(cast, roster):
    with pytest.raises(InvalidInput) as exc:
        record(cast, roster, returned_on=date(2020, 2, 2))
    assert (exc.value.code, exc.value.field) == ("returned_on_future", "people.0.returned_on")
    assert not ScreeningVisit.objects.exists()


def test_a_return_on_the_day_of_a_backfilled_visit_is_kept(cast, roster):
    record(cast, roster, returned_on=date(2020, 2, 1))
    assert VisitPerson.objects.get().returned_on == date(2020, 2, 1)


def test_the_api_refuses_a_return_in_2199(api, roster):
    res = api("grid_a").post("/api/v1/visits", {
        "household_id": roster.h1.pk,
        "people": [{"resident_id": roster.a1.pk, "returned_on": "2199-12-31"}]})
    assert res.status_code == 422 and res.json()["error"] == "returned_on_future"
    assert "people.0.returned_on" in res.json()["detail"]
    assert not ScreeningVisit.objects.exists()


def test_the_form_says_a_return_in_9999_beside_the_field(cast, roster, web):
    res = web("grid_a", "en").post(f"/people/screening/{roster.h1.pk}/", {
        f"m{roster.a1.pk}-present": "on", f"m{roster.a1.pk}-returned_on": "9999-12-31"})
    assert res.status_code == 422 and not ScreeningVisit.objects.exists()
    errors = res.context["members"][0].errors["returned_on"]
    assert len(errors) == 1 and errors[0].startswith("the return date 9999-12-31 is after the "
                                                     "day of the visit")
    assert "people.0" not in res.content.decode()
