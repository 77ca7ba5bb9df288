"""The risk-area list (中高风险地区), kept by street/HQ staff on /people/risk-areas/: what is on
it on a visit's day decides whether the person "returned from a risk area"."""

import re
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from firstline.accounts.models import AuditEntry
from firstline.errors import InvalidInput, RuleViolation
from firstline.people.models import RiskArea
from firstline.people.services import risk_area_add, risk_area_end, screening_visit_record

from ..conftest import race
from .conftest import local

PAGE = "/people/risk-areas/"


def add(client, **fields):
    data = {"province": "湖北省", "city": "武汉市", "level": "high", "since": "2020-01-23",
            "source": "国务院联防联控机制 2020-01-23"}
    data.update(fields)
    return client.post(PAGE, data)


def flagged(cast, household, resident, at) -> bool:
    v = screening_visit_record(actor=cast.grid_a, household=household, visited_at=at,
                     people=[{"resident": resident, "from_province": "湖北", "from_city": "武汉"}])
    return v.people.get().from_risk_area


def field_errors(html: str, name: str) -> list[str]:
    """The error messages rendered inside the <label> of the input `name`."""
    label = re.search(rf'<label class="field">[^<]*<[^>]*name="{name}"[^>]*>(.*?)</label>', html,
                      re.S)
    assert label, f"no field {name}"
    return re.findall(r'<span class="error">(.*?)</span>', label.group(1))


def test_added_area_is_listed_and_flags_visits_from_that_place_from_since(cast, client, roster):
    client.force_login(cast.hq)
    assert add(client).status_code == 302
    assert "武汉市" in client.get(PAGE).content.decode()
    assert flagged(cast, roster.h1, roster.a1, local(2020, 1, 23, 9)) is True
    assert flagged(cast, roster.h1, roster.a2, local(2020, 1, 22, 9)) is False


def test_same_place_listed_twice_while_active_is_refused_naming_the_entry(cast, client):
    client.force_login(cast.hq)
    add(client)
    response = add(client, province="湖北 ", city="武汉", since="2020-02-01")
    assert response.status_code == 422
    assert "湖北省武汉市已列入风险地区（自 2020-01-23 起）" in response.content.decode()
    assert RiskArea.objects.count() == 1


def test_ended_listing_stops_flagging_visits_from_its_until(cast, client, roster):
    client.force_login(cast.hq)
    add(client)
    area = RiskArea.objects.get()
    response = client.post(f"{PAGE}{area.pk}/end/", {"on": "2020-03-10"})
    assert response.status_code == 302
    assert flagged(cast, roster.h1, roster.a1, local(2020, 3, 10, 9)) is False
    assert flagged(cast, roster.h1, roster.a2, local(2020, 3, 9, 20)) is True


def test_community_staff_sees_the_list_but_cannot_change_it(cast, client):
    risk_area_add(actor=cast.hq, province="浙江省", city="温州市", level="medium",
                  since=date(2020, 1, 28))
    area = RiskArea.objects.get()
    client.force_login(cast.staff_c1)
    page = client.get(PAGE).content.decode()
    assert "温州市" in page and 'name="province"' not in page and "/end/" not in page
    assert add(client).status_code == 403
    assert client.post(f"{PAGE}{area.pk}/end/").status_code == 403
    assert RiskArea.objects.get().until is None


def test_grid_worker_reaches_the_list_from_the_screening_page(cast, client):
    client.force_login(cast.grid_a)
    assert PAGE in client.get("/people/screening/").content.decode()
    assert client.get(PAGE).status_code == 200


def test_empty_province_is_shown_at_the_field(cast, client):
    client.force_login(cast.hq)
    response = add(client, province="  ")
    assert response.status_code == 422
    assert field_errors(response.content.decode(), "province") == ["请填写省份，如：湖北。"]
    assert not RiskArea.objects.exists()


def test_bad_date_is_shown_at_the_field_in_the_users_language(cast, client):
    client.force_login(cast.hq)
    client.cookies["django_language"] = "en"
    response = add(client, since="2020-02-30")
    assert response.status_code == 422
    assert field_errors(response.content.decode(), "since") == ["Enter a valid date."]
    assert not RiskArea.objects.exists()


def test_typed_names_are_stored_trimmed(cast):
    area = risk_area_add(actor=cast.hq, province=" 湖北省 ", city="孝感市\t", level="",
                         since=date(2020, 1, 24))
    assert (area.province, area.city) == ("湖北省", "孝感市")


def test_a_place_can_be_listed_again_after_its_listing_ended(cast):
    first = risk_area_add(actor=cast.hq, province="湖北", city="", since=date(2020, 1, 23))
    risk_area_end(actor=cast.hq, risk_area=first, on=date(2020, 3, 10))
    with pytest.raises(RuleViolation):
        risk_area_add(actor=cast.hq, province="湖北省", since=date(2020, 3, 9))
    again = risk_area_add(actor=cast.hq, province="湖北省", since=date(2020, 3, 10))
    assert again.until is None


def test_ending_before_the_listing_started_is_refused(cast):
    area = risk_area_add(actor=cast.hq, province="湖北", since=date(2020, 1, 23))
    with pytest.raises(InvalidInput) as exc:
        risk_area_end(actor=cast.hq, risk_area=area, on=date(2020, 1, 22))
    assert exc.value.code == "end_before_start"


def test_ending_twice_is_refused(cast, client):
    area = risk_area_add(actor=cast.hq, province="湖北", since=date(2020, 1, 23))
    risk_area_end(actor=cast.hq, risk_area=area, on=date(2020, 3, 10))
    client.force_login(cast.hq)
    response = client.post(f"{PAGE}{area.pk}/end/", {"on": "2020-03-12"})
    assert response.status_code == 409
    assert "2020-03-10" in response.content.decode()
    area.refresh_from_db()
    assert area.until == date(2020, 3, 10)


def test_adding_and_ending_are_audited_with_the_actor(cast):
    area = risk_area_add(actor=cast.hq, province="湖北", city="武汉", since=date(2020, 1, 23))
    risk_area_end(actor=cast.hq, risk_area=area, on=date(2020, 3, 10))
    rows = AuditEntry.objects.filter(object_type="people.riskarea", object_id=str(area.pk))
    assert sorted(rows.values_list("action", "actor__username")) == [
        ("risk_area.add", "hq"), ("risk_area.end", "hq")]


def test_only_street_staff_and_admins_may_keep_the_list(cast):
    for user in (cast.staff_c1, cast.grid_a, cast.auditor):
        with pytest.raises(PermissionDenied):
            risk_area_add(actor=user, province="湖北", since=date(2020, 1, 23))
    assert risk_area_add(actor=cast.admin, province="湖北", since=date(2020, 1, 23))


@pytest.mark.django_db(transaction=True)
def test_two_staff_listing_the_same_place_at_once_make_one_entry(file_database, cast):
    # "湖北省" and "湖北" name one place: both checks ran before either insert, so both passed.
    results = race(6, lambda i: risk_area_add(actor=cast.hq, province="湖北省" if i % 2 else "湖北",
                                              city="武汉市", level="high",
                                              since=date(2020, 1, 23)))
    refused = [r for r in results if isinstance(r, RuleViolation)]
    assert len(refused) == 5, results
    assert all(r.code == "already_listed" for r in refused)
    assert RiskArea.objects.count() == 1
