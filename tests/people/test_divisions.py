"""Risk areas below the province (GB/T 2260 cities and counties, people.divisions): picked
from the data, matched by the code's prefix — a county inside a listed city is covered."""

from datetime import date

import pytest

from firstline.errors import InvalidInput
from firstline.people.divisions import division_label, division_of
from firstline.people.models import RiskArea
from firstline.people.services import (
    risk_area_add,
    risk_area_in_text,
    risk_area_match,
    screening_visit_record,
)

from .conftest import local

ON = date(2020, 2, 1)


def came_from(cast, roster, province, city) -> bool:
    v = screening_visit_record(actor=cast.grid_a, household=roster.h1,
                               visited_at=local(2020, 2, 1, 9),
                               people=[{"resident": roster.a1, "from_province": province,
                                        "from_city": city}])
    return v.people.get().from_risk_area


@pytest.mark.parametrize(("province", "city", "code"), [
    ("湖北", "武汉", "4201"), ("湖北省", "武汉市江岸区", "420102"), ("", "湖北武汉", "4201"),
    ("北京市", "朝阳区", "110105"), ("", "北京", "11"), ("湖北", "仙桃", "429004"),
    ("广东", "东莞", "4419"), ("廣東", "深圳", "4403"),
    ("湖北", "武漢市江岸區", "420102"), ("臺灣", "", "71"), ("內蒙古", "呼和浩特", "1501"),
    ("陝西", "乾县", "610424"), ("湖北", "", "42"),
    ("湖北", "武含", "42"), ("胡北", "武汉", None)])
def test_typed_places_are_read_as_divisions(province, city, code):
    assert division_of(province, city) == code


def test_a_county_inside_a_listed_city_is_covered(cast, roster):
    risk_area_add(actor=cast.hq, province="湖北", city="武汉", since=ON)
    assert came_from(cast, roster, "湖北省", "武汉市江岸区") is True
    assert came_from(cast, roster, "湖北", "江岸区") is True
    assert came_from(cast, roster, "湖北", "孝感") is False


def test_a_listed_county_covers_that_county_only(cast, roster):
    area = risk_area_add(actor=cast.hq, province="湖北", city="江岸区", since=ON)
    assert (area.code, area.province, area.city, area.county) == ("420102", "湖北省",
                                                                  "武汉市", "江岸区")
    assert area.place_label == "湖北省武汉市江岸区"
    assert risk_area_match(province="湖北", city="武汉市江岸区", on=ON) == area
    assert risk_area_match(province="湖北", city="武汉市武昌区", on=ON) is None
    assert risk_area_match(province="湖北", city="武汉", on=ON) is None  # which district?


def test_a_listed_province_covers_its_counties_and_a_municipality_its_districts(cast):
    hubei = risk_area_add(actor=cast.hq, province="湖北", since=ON)
    beijing = risk_area_add(actor=cast.hq, province="北京", since=ON)
    assert risk_area_match(province="", city="仙桃市", on=ON) == hubei
    assert risk_area_match(province="北京市", city="朝阳区", on=ON) == beijing
    assert risk_area_match(province="辽宁", city="朝阳", on=ON) is None


def test_a_risk_area_is_picked_by_its_code(cast):
    area = risk_area_add(actor=cast.hq, code="110105", since=ON)
    assert (area.province, area.city, area.county) == ("北京市", "", "朝阳区")
    with pytest.raises(InvalidInput) as bad:
        risk_area_add(actor=cast.hq, code="429999", since=ON)
    assert bad.value.field == "code"


@pytest.mark.parametrize("city", ["武含", "<script>", "江岸区X区", "孝感"])
def test_a_city_or_county_not_in_the_province_is_refused_at_the_field(cast, client, city):
    client.force_login(cast.hq)
    client.cookies["django_language"] = "en"
    response = client.post("/people/risk-areas/", {"province": "浙江", "city": city,
                                                  "level": "high", "since": "2020-01-23"})
    assert response.status_code == 422
    assert "is not a city or county of 浙江省 (GB/T 2260)" in response.content.decode()
    assert not RiskArea.objects.exists()


def test_the_same_division_listed_twice_is_refused_whatever_its_spelling(cast):
    from firstline.errors import RuleViolation

    risk_area_add(actor=cast.hq, province="湖北", city="武汉市", since=ON)
    with pytest.raises(RuleViolation):
        risk_area_add(actor=cast.hq, code="4201", since=ON)


def test_a_visitor_from_a_county_of_a_listed_city_is_matched_at_the_gate(cast):
    area = risk_area_add(actor=cast.hq, province="湖北", city="武汉", since=ON)
    assert risk_area_in_text("武汉市江岸区", on=ON) == area
    assert risk_area_in_text("湖北孝感", on=ON) is None


def test_the_migration_codes_areas_listed_by_names(cast, roster):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("firstline.people.migrations.0013_risk_area_division_code")
    old = RiskArea.objects.create(province="湖北", city="武汉", since=ON)
    typo = RiskArea.objects.create(province="湖北", city="武含", since=ON)
    migration.code_existing(apps, None)
    migration.code_existing(apps, None)  # idempotent
    old.refresh_from_db()
    typo.refresh_from_db()
    assert (old.code, old.province, old.city) == ("4201", "湖北省", "武汉市")
    assert typo.code == ""  # unread: matched by its names as before
    assert came_from(cast, roster, "湖北", "武汉市江岸区") is True


def test_labels_skip_the_pseudo_cities_of_municipalities():
    assert division_label("110105") == "北京市朝阳区"
    assert division_label("429004") == "湖北省仙桃市"
