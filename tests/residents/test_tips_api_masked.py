"""The tips the API lists show their free text as the page does: a mobile or an ID number
typed into what, where or the verification note is masked (mask_in_text)."""

from firstline.residents import services


def test_the_api_lists_a_tip_with_typed_numbers_masked(api, areas, cast):
    t = services.tip_submit(community=areas.c1, what="3栋有人刚回来，电话13812345678",
                            where="身份证110101199003071234那户", device="ip:test")
    items = api("staff_c1").get("/api/v1/tips").json()["items"]
    item = next(i for i in items if i["id"] == t.pk)
    assert item["what"] == "3栋有人刚回来，电话138****5678"
    assert item["where"] == "身份证110***********1234那户"
    one = api("staff_c1").get(f"/api/v1/tips/{t.pk}").json()
    assert one["what"] == item["what"]


def test_the_api_masks_the_verification_note(api, areas, cast):
    t = services.tip_submit(community=areas.c1, what="有人未登记", device="ip:test")
    services.tip_verify(actor=cast.staff_c1, tip=t, outcome="invalid", note="已电话13912345678核实")
    one = api("staff_c1").get(f"/api/v1/tips/{t.pk}").json()
    assert one["note"] == "已电话139****5678核实"
