"""One phone normaliser on phonenumbers (people.services.phone_normalize, issue 12.2), used by
the roster, declarations, the gate's visitors, volunteers and lists."""

import pytest
from django.utils import translation

from firstline.errors import InvalidInput
from firstline.people.services import phone_normalize


@pytest.mark.parametrize("typed", ["13800138000", "138 0013 8000", "138-0013-8000",
                                   "+86 138 0013 8000", "+86-13800138000", "0086 13800138000",
                                   "8613800138000", "１３８００１３８０００", "（138）0013 8000",
                                   " 13800138000\t"])
def test_a_mobile_typed_any_way_is_its_eleven_digits(typed):
    assert phone_normalize(typed) == "13800138000"


@pytest.mark.parametrize("typed", ["0551-62661234", "(0551) 6266 1234", "+86 551 6266 1234",
                                   "０５５１－６２６６１２３４"])
def test_a_landline_with_its_area_code_where_allowed(typed):
    assert phone_normalize(typed, landline=True) == "055162661234"
    with pytest.raises(InvalidInput):
        phone_normalize(typed)  # a roster phone is a mobile (its column holds 11)


@pytest.mark.parametrize("bad", ["12345678901", "1380013800", "138001380001", "13800138000x",
                                 "15400000000", "62661234", "5551234", "+1 650 253 0000",
                                 "abc", "138-0013-800O"])
def test_messy_or_wrong_numbers_are_422_naming_the_field(bad):
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as e:
        phone_normalize(bad, field="volunteer_phone", landline=True)
    assert (e.value.code, e.value.field, e.value.status) == ("bad_phone", "volunteer_phone", 422)
    assert "手机号" in e.value.detail


def test_empty_is_empty_unless_required():
    assert phone_normalize("  ") == "" and phone_normalize(None) == ""
    with pytest.raises(InvalidInput):
        phone_normalize("", required=True)


def test_lenient_keeps_a_list_cell_that_is_no_number_for_matching():
    assert phone_normalize("+86 138 0013 8000", lenient=True) == "13800138000"
    assert phone_normalize("12345", lenient=True) == "12345"
