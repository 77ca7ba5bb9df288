"""One temperature parser and one fever test (firstline.rules.temperature, issue 12.2)."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from firstline.errors import InvalidInput
from firstline.rules.models import Rule
from firstline.rules.temperature import is_fever, temperature_number, temperature_parse


@pytest.mark.parametrize("typed", ["36.6", "36,6", "36.6℃", "36.6°C", "36.6 °C", "36.6度",
                                   "３６.６", "３６．６", "３６，６℃", " 36 .6 ", "36.6c",
                                   36.6, Decimal("36.6")])
def test_the_ways_people_type_36_6_are_36_6(typed):
    assert temperature_number(typed) == Decimal("36.6")


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_empty_is_none(empty):
    assert temperature_number(empty) is None


@pytest.mark.parametrize("words", ["abc", "三十七", "nan", "inf", "36.6.6", True])
def test_words_are_not_a_number_and_name_the_field(words):
    with pytest.raises(InvalidInput) as e:
        temperature_number(words, field="people[0].temperature")
    assert (e.value.code, e.value.field, e.value.status) == (
        "bad_temperature", "people[0].temperature", 422)


@pytest.mark.django_db
@pytest.mark.parametrize("typo", ["365", "3.65", "33.9", "43.1", "-1"])
def test_out_of_range_is_refused_in_the_users_language(typo):
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as e:
        temperature_parse(typo, on=date(2020, 2, 5))
    assert e.value.code == "bad_temperature" and e.value.field == "temperature"
    assert "体温" in e.value.detail and "34.0" in e.value.detail
    with translation.override("en"), pytest.raises(InvalidInput) as e:
        temperature_parse(typo, on=date(2020, 2, 5))
    assert e.value.detail.startswith("Temperature")


@pytest.mark.django_db
def test_required_refuses_empty():
    assert temperature_parse("", on=date(2020, 2, 5)) is None
    with pytest.raises(InvalidInput):
        temperature_parse("", on=date(2020, 2, 5), required=True)


@pytest.mark.django_db
def test_fever_is_the_rule_in_force_on_the_day():
    Rule.objects.create(key="fever.threshold_c", value=37.0, effective_from=date(2020, 3, 1))
    assert not is_fever(Decimal("37.2"), on=date(2020, 2, 29))
    assert is_fever(Decimal("37.3"), on=date(2020, 2, 29))  # at the threshold is a fever
    assert is_fever(Decimal("37.0"), on=date(2020, 3, 1))
    assert not is_fever(None, on=date(2020, 3, 1))
    assert is_fever(37.3, threshold=37.3) and not is_fever(float("nan"), threshold=37.3)


def test_a_float_and_a_decimal_of_the_same_tenth_compare_equal():
    # Decimal(37.3) is 37.2999…: compared naively a float reading at the threshold would not
    # be a fever against a Decimal rule (or would be one below it).
    assert is_fever(37.3, threshold=Decimal("37.3")) and is_fever(Decimal("37.3"), threshold=37.3)
    assert not is_fever(37.2, threshold=Decimal("37.3"))
    from firstline.rules.temperature import temperature_in_range
    assert temperature_in_range(43.0, Decimal("34.0"), Decimal("43.0"))
    assert not temperature_in_range(float("inf"), 34.0, 43.0)


@pytest.mark.parametrize("value", [Decimal("38.2"), 38.2, "38.2", Decimal("38.20")])
def test_a_page_says_a_temperature_with_its_unit_joined_by_a_no_break_space(value):
    from firstline.rules.temperature import temperature_text

    assert temperature_text(value) == "38.2\u00a0°C"


def test_nothing_recorded_is_said_as_nothing():
    from firstline.rules.temperature import temperature_text

    assert temperature_text(None) == temperature_text("") == ""


def test_temperatures_in_a_written_text_keep_their_unit_on_the_line():
    """An alert's detail as stored ("37.8 °C · …", the gate's "北门 38.1°C"): each temperature
    said as temperature_text says one, the rest untouched."""
    from firstline.rules.temperature import temperatures_unbroken

    assert (temperatures_unbroken("37.8 °C · 阳光花园 1栋 · 北门 38.1°C")
            == "37.8\u00a0°C · 阳光花园 1栋 · 北门 38.1\u00a0°C")
    assert temperatures_unbroken("no reading for 12-07 15:00") == "no reading for 12-07 15:00"
    assert temperatures_unbroken(None) == ""


def test_the_template_filters_say_it_and_still_escape():
    from django.template import Context, Template

    page = Template("{% load temperatures %}{{ t|celsius }}|{{ text|celsius_in_text }}").render(
        Context({"t": Decimal("37.3"), "text": "<b>38 °C</b>"}))
    assert page == "37.3\u00a0°C|&lt;b&gt;38\u00a0°C&lt;/b&gt;"
    from django.utils.safestring import mark_safe

    linked = Template("{% load temperatures %}{{ text|celsius_in_text }}").render(
        Context({"text": mark_safe('38 °C <a href="/x">see</a>')}))  # a message with a link
    assert linked == '38\u00a0°C <a href="/x">see</a>'
