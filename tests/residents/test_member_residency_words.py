"""POST /households/{id}/members takes a residency as its code or its word in any of the three
languages (the roster import's one mapping); a refusal lists the codes, in the client's
language (a fuzz run: "常住" was refused with a message offering 常住)."""

import pytest

from firstline.people.models import Resident

from .conftest import id_number


def send(api, household, residency, lang="en", seq=50):
    client = api("grid_a")
    return client.client.post(
        f"/api/v1/households/{household.pk}/members",
        {"name": "赵敏", "id_number": id_number(seq), "residency": residency},
        content_type="application/json", HTTP_ACCEPT_LANGUAGE=lang, **client._headers())


@pytest.mark.parametrize("said,code", [("常住", "permanent"), ("暫住", "temporary"),
                                       ("流动", "floating"), ("Floating", "floating"),
                                       (" temporary ", "temporary"), ("", "permanent")])
def test_a_code_or_a_word_in_any_language_is_taken(place, api, said, code):
    res = send(api, place.h102, said)
    assert res.status_code == 201, res.content
    assert Resident.objects.get(id_number=id_number(50)).residency == code


@pytest.mark.parametrize("lang,detail", [
    ("en", "Unknown residency type: use permanent, temporary or floating."),
    ("zh-hans", "未知的人员类型：请填写 permanent（常住）、temporary（暂住）或 floating（流动）。"),
])
def test_an_unknown_residency_lists_the_codes_in_the_clients_language(place, api, lang, detail):
    res = send(api, place.h102, "tourist", lang=lang)
    assert res.status_code == 422
    assert res.json() == {"error": "bad_residency", "detail": detail}
    assert not Resident.objects.filter(id_number=id_number(50)).exists()
