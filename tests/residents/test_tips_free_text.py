"""The tip-offs list masks an ID number or mobile typed into a tip's text (audit F6)."""

from .test_tips import tip


def test_the_tips_list_masks_numbers_typed_into_the_tip(place, web):
    tip({"what": "2栋住户身份证110101199003071234，电话13812345678", "where": "阳光花园 1栋"})
    html = web("staff_c1").get("/residents/tips/").content.decode()
    assert "110101199003071234" not in html and "电话13812345678" not in html
    assert "110***********1234" in html and "138****5678" in html
