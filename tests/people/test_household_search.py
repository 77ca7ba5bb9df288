"""Finding a household by typing its address the way pages show it (凤凰城 1栋 1单元 502室)."""

import pytest

from firstline.people.models import Household
from firstline.people.selectors import households_matching

from .conftest import make_household, make_resident


@pytest.fixture
def flats(areas):
    a = make_household(areas.g1a, "凤凰城", building="1", unit="1", room="502")
    b = make_household(areas.g1a, "凤凰城", building="2", unit="1", room="502")
    c = make_household(areas.g1a, "阳光花园", building="1", unit="2", room="502")
    make_resident(a, name="王伟")
    return a, b, c


@pytest.mark.parametrize("typed, expected", [
    ("502", {0, 1, 2}),
    ("502室", {0, 1, 2}),
    ("凤凰城 502", {0, 1}),
    ("凤凰城 1栋 1单元 502室", {0}),
    ("1栋1单元502", {0}),
    ("５０２", {0, 1, 2}),
    ("凤凰城 2栋", {1}),
    ("阳光花园 502", {2}),
    ("王伟", {0}),
    ("凤凰城 503", set()),
])
def test_addresses_as_pages_show_them(flats, typed, expected):
    found = set(households_matching(Household.objects.all(), typed))
    assert found == {flats[i] for i in expected}, typed


def test_screening_says_no_match_rather_than_no_households(web, roster):
    html = web("grid_a").get("/people/screening/", {"q": "不存在的小区"}).content.decode()
    assert "没有符合的住户" in html and "您的区域内没有住户" not in html
