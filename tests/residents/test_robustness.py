"""The public endpoints never answer 5xx, whatever arrives (hypothesis, schemathesis-style)."""

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firstline.rules.models import Rule

FIELDS = ["community", "name", "id_number", "phone", "compound", "building", "unit", "room",
          "from_province", "from_city", "returned_on", "transport", "transport_no", "symptoms",
          "what", "where", "contact"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=40), st.sampled_from(["C1", "2020-02-08", "湖北省",
                                                           "340104198001010010", "train",
                                                           "\x00", "９" * 18, "-1", "1e999"]))
values = st.one_of(scalars, st.lists(scalars, max_size=3),
                   st.dictionaries(st.text(max_size=5), scalars, max_size=3))
bodies = st.one_of(st.dictionaries(st.sampled_from(FIELDS), values, max_size=len(FIELDS)),
                   values)


@pytest.fixture
def unthrottled(place):
    from datetime import date

    for key in ("public.per_address", "public.per_device", "public.per_place"):
        Rule.objects.create(key=key, value=10**6, effective_from=date(2000, 1, 1))


@pytest.mark.parametrize("path", ["/api/v1/public/declarations", "/api/v1/public/tips"])
@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_public_endpoints_never_5xx(unthrottled, path, body):
    r = Client().post(path, json.dumps(body), content_type="application/json")
    assert r.status_code < 500, (body, r.content)
    if r.status_code >= 400:
        assert set(r.json()) == {"error", "detail"}


@pytest.mark.parametrize("raw", [b"", b"{", b"\xff\xfe", b"[]", b"null", b'{"community": 1}'])
@pytest.mark.parametrize("path", ["/api/v1/public/declarations", "/api/v1/public/tips"])
def test_broken_bodies_are_4xx(unthrottled, path, raw):
    r = Client().post(path, raw, content_type="application/json")
    assert 400 <= r.status_code < 500


@pytest.mark.parametrize("path", ["/api/v1/public/declarations", "/api/v1/public/tips"])
def test_a_cross_site_form_cannot_post(unthrottled, path):
    body = json.dumps({"community": "C1", "what": "x", "name": "x"})
    r = Client().post(path, body, content_type="text/plain")
    assert r.status_code in (415, 422)
    r = Client().post(path, {"community": "C1", "what": "x"})  # form-encoded
    assert 400 <= r.status_code < 500
