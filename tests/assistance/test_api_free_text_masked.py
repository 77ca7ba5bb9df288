"""Errands over the API show their free text as the board does: a mobile or an ID number
typed into the detail or the receipt note is masked (mask_in_text)."""

from firstline.assistance import services


def test_the_api_lists_an_errand_with_typed_numbers_masked(api, cast, world):
    req = services.service_request_create(household=world.h1, kind="groceries",
                                          detail="买米，到了打13812345678", source="worker",
                                          actor=cast.staff_c1)
    item = next(i for i in api("staff_c1").get("/api/v1/service-requests").json()["items"]
                if i["id"] == req.pk)
    assert item["detail"] == "买米，到了打138****5678"
    one = api("staff_c1").get(f"/api/v1/service-requests/{req.pk}").json()
    assert one["detail"] == "买米，到了打138****5678"


def test_the_errands_to_take_mask_the_detail(api, cast, world):
    services.service_request_create(household=world.h1, kind="medicine",
                                    detail="药盒上身份证110101199003071234", source="worker",
                                    actor=cast.staff_c1)
    items = api("grid_a").get("/api/v1/service-requests/to-take").json()["items"]
    assert [i["detail"] for i in items] == ["药盒上身份证110***********1234"]
