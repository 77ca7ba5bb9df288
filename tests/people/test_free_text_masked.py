"""Free text is listed with the ID numbers and mobiles typed into it masked (audit F6),
through the one mask function; a full read shows a resident's note as typed."""

import pytest

from firstline.people.services import mask_in_text

ID = "110101199003071234"


@pytest.mark.parametrize("typed, shown", [
    ("联系13812345678速来", "联系138****5678速来"),
    (f"身份证{ID} 已核", "身份证110***********1234 已核"),
    ("他的身份证11010119900307123x", "他的身份证110***********123x"),
    ("打 +86 138-1234-5678 找他", "打 138****5678 找他"),
    ("电话 138 1234 5678。", "电话 138****5678。"),
])
def test_id_numbers_and_mobiles_inside_free_text_are_masked(typed, shown):
    assert mask_in_text(typed) == shown


@pytest.mark.parametrize("typed", [
    "2栋有人从武汉回来没有登记",
    "订单号 1381234567890",          # 13 digits: not a mobile
    "门牌12345678901234567890",      # 20 digits: not an ID number
    "座机 010-62345678",             # a landline is not a mobile
    "体温 37.2，2 人",
])
def test_other_numbers_in_free_text_stay_as_typed(typed):
    assert mask_in_text(typed) == typed


def test_the_residents_page_masks_a_note_unless_read_in_full(web, roster):
    roster.a1.note = f"母亲身份证 {ID}，电话 13912345678"
    roster.a1.save(update_fields=["note"])
    client = web("staff_c1")
    masked = client.get(f"/people/residents/{roster.a1.pk}/").content.decode()
    assert ID not in masked and "13912345678" not in masked
    assert "110***********1234" in masked and "139****5678" in masked
    full = client.post(f"/people/residents/{roster.a1.pk}/", {"reason": "contact"})
    assert ID in full.content.decode() and "13912345678" in full.content.decode()


def test_the_household_page_lists_a_visit_note_masked(web, cast, roster):
    from firstline.people.models import ScreeningVisit

    ScreeningVisit.objects.create(household=roster.h1, grid=roster.h1.grid,
                                  worker=cast.grid_a, note="住户留了手机13712345678")
    html = web("grid_a").get(f"/people/households/{roster.h1.pk}/").content.decode()
    assert "137****5678" in html and "13712345678" not in html
