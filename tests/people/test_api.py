"""The roster API: scoped, paginated, masked; full reads audited."""

import pytest

from firstline.accounts.models import AuditEntry


def test_residents_list_is_masked_and_scoped(api, roster):
    res = api("grid_a").get("/api/v1/residents")
    assert res.status_code == 200
    body = res.json()
    assert body["count"] == 3
    item = next(i for i in body["items"] if i["id"] == roster.a1.pk)
    assert set(item) == {"id", "name", "id_number_masked", "phone_masked", "household", "grid"}
    assert item["id_number_masked"] == roster.a1.id_number[:3] + "*" * 11 + roster.a1.id_number[-4:]
    assert item["phone_masked"] == "138****1111"
    assert item["household"] == roster.h1.pk and item["grid"] == "G1a"


def test_residents_filter_by_area(api, roster):
    assert api("hq").get("/api/v1/residents", area="C2").json()["count"] == 1
    assert api("hq").get("/api/v1/residents", area="C1").json()["count"] == 4


@pytest.mark.parametrize("q,expected", [("王", 2), ("1111", 1), ("2222", 1)])
def test_residents_search_by_name_and_phone_tail(api, roster, q, expected):
    assert api("staff_c1").get("/api/v1/residents", q=q).json()["count"] == expected


def test_residents_search_by_id_tail(api, roster):
    tail = roster.b1.id_number[-6:]
    ids = [i["id"] for i in api("staff_c1").get("/api/v1/residents", q=tail).json()["items"]]
    assert roster.b1.pk in ids


def test_pagination(api, roster):
    body = api("hq").get("/api/v1/residents", page=2, page_size=2).json()
    assert body["count"] == 5 and len(body["items"]) == 2


def test_resident_detail_unmasked_with_permission_and_audited(api, roster, cast):
    res = api("staff_c1").get(f"/api/v1/residents/{roster.a1.pk}", reason="contact")
    assert res.status_code == 200
    body = res.json()
    assert body["id_number"] == roster.a1.id_number and body["masked"] is False
    assert body["phone"] == "13800001111"
    entry = AuditEntry.objects.get(object_type="people.resident", object_id=str(roster.a1.pk))
    assert entry.actor == cast.staff_c1 and entry.action == "resident.read_full"
    assert entry.via == "api"


def test_every_detail_read_writes_an_audit_row(api, roster):
    for _ in range(2):
        api("staff_c1").get(f"/api/v1/residents/{roster.a1.pk}", reason="contact")
    assert AuditEntry.objects.filter(object_id=str(roster.a1.pk)).count() == 2


def test_resident_detail_masked_without_full_permission(api, roster, cast):
    body = api("auditor").get(f"/api/v1/residents/{roster.a1.pk}").json()
    assert body["masked"] is True and "*" in body["id_number"] and body["phone"] == "138****1111"
    assert AuditEntry.objects.filter(actor=cast.auditor, action="resident.read_masked").exists()


def test_wrong_role_is_403(api, roster):
    for path in ("/api/v1/residents", f"/api/v1/residents/{roster.a1.pk}", "/api/v1/compounds",
                 "/api/v1/households"):
        res = api("gate_c1").get(path)
        assert res.status_code == 403, path
        assert res.json()["error"] == "forbidden"


def test_compounds_by_area(api, roster):
    body = api("hq").get("/api/v1/compounds", area="C1").json()
    assert {c["name"] for c in body["items"]} == {"阳光花园", "翰林华府"}
    assert set(body["items"][0]) == {"id", "name", "area"}
    assert body["items"][0]["area"] == "C1"


def test_grid_worker_sees_compounds_of_their_households(api, roster):
    body = api("grid_a").get("/api/v1/compounds").json()
    assert [c["name"] for c in body["items"]] == ["阳光花园"]


def test_households_with_member_counts(api, roster):
    body = api("staff_c1").get("/api/v1/households", compound=roster.h1.compound_id).json()
    by_id = {h["id"]: h for h in body["items"]}
    assert by_id[roster.h1.pk] == {"id": roster.h1.pk, "compound_id": roster.h1.compound_id,
                                   "building": "1", "building_id": roster.h1.building_id,
                                   "unit": "1", "room": "101", "members": 2}
    assert roster.h1.building_id is not None  # what POST /lockdowns {building_id} needs
    assert by_id[roster.h2.pk]["members"] == 1


def test_households_honour_area(api, roster):
    """?area= narrows the list to that area's subtree, as /residents and /compounds do."""
    def ids(**q):
        return {h["id"] for h in api("hq").get("/api/v1/households", **q).json()["items"]}

    assert ids(area="G1b") == {roster.h3.pk}
    assert ids(area="C2") == {roster.h4.pk}
    assert ids() == {roster.h1.pk, roster.h2.pk, roster.h3.pk, roster.h4.pk}


def test_households_of_an_area_outside_scope_is_404(api, roster):
    assert api("staff_c1").get("/api/v1/households", area="C2").status_code == 404
    assert api("staff_c1").get("/api/v1/households", area="nowhere").status_code == 404


def test_household_detail_lists_members_masked(api, roster):
    body = api("grid_a").get(f"/api/v1/households/{roster.h1.pk}").json()
    assert {r["name"] for r in body["residents"]} == {"王伟", "王芳"}
    assert all("*" in r["id_number_masked"] for r in body["residents"])


# Every list and detail, as a user of another area: 404 (detail, foreign filter) or empty.
OUT_OF_SCOPE = [
    ("staff_c2", lambda r: (f"/api/v1/residents/{r.a1.pk}", {})),
    ("staff_c2", lambda r: ("/api/v1/residents", {"area": "C1"})),
    ("staff_c2", lambda r: ("/api/v1/residents", {"compound": r.h1.compound_id})),
    ("staff_c2", lambda r: ("/api/v1/residents", {"household": r.h1.pk})),
    ("staff_c2", lambda r: (f"/api/v1/households/{r.h1.pk}", {})),
    ("staff_c2", lambda r: ("/api/v1/households", {"compound": r.h1.compound_id})),
    ("staff_c2", lambda r: ("/api/v1/compounds", {"area": "C1"})),
    ("grid_a", lambda r: (f"/api/v1/residents/{r.b1.pk}", {})),
    ("grid_a", lambda r: (f"/api/v1/households/{r.h3.pk}", {})),
    ("grid_a", lambda r: ("/api/v1/residents", {"area": "G1b"})),
    ("grid_a", lambda r: ("/api/v1/households", {"compound": r.h3.compound_id})),
]


@pytest.mark.parametrize("username,request_of", OUT_OF_SCOPE)
def test_out_of_scope_is_404(api, roster, username, request_of):
    path, params = request_of(roster)
    res = api(username).get(path, **params)
    assert res.status_code == 404
    assert res.json()["error"] == "not_found"


@pytest.mark.parametrize("path", ["/api/v1/residents", "/api/v1/households", "/api/v1/compounds"])
def test_out_of_scope_lists_hold_nothing_of_the_other_area(api, roster, path):
    items = api("staff_c2").get(path).json()["items"]
    assert all(i.get("grid") in (None, "G2a") for i in items)
    assert roster.a1.pk not in [i["id"] for i in items] or path != "/api/v1/residents"
    assert len(items) == 1


def test_unknown_resident_is_404(api, roster):
    assert api("hq").get("/api/v1/residents/999999").status_code == 404


def test_full_read_is_not_logged_for_lists(api, roster):
    api("hq").get("/api/v1/residents")
    assert not AuditEntry.objects.filter(action__startswith="resident.read").exists()


# --- screening visits and the key-person ledger over the API -----------------------------

import uuid  # noqa: E402

from firstline.people.models import ScreeningVisit  # noqa: E402


def _visit(roster, **extra):
    return {"household_id": roster.h1.pk, "visited_at": "2020-02-01T10:00:00+08:00",
            "people": [{"resident_id": roster.a1.pk, "temperature": 38.0,
                        "symptoms": ["cough"]},
                       {"resident_id": roster.a2.pk, "categories": ["elderly_alone"]}], **extra}


def test_visit_over_the_api_derives_key_persons(api, roster):
    res = api("grid_a").post("/api/v1/visits", _visit(roster))
    assert res.status_code == 201, res.content
    body = res.json()
    assert body["key_persons"] == {str(roster.a1.pk): ["fever"],
                                   str(roster.a2.pk): ["elderly_alone"]}
    ledger = api("staff_c1").get("/api/v1/key-persons", category="fever").json()
    assert ledger["count"] == 1 and ledger["items"][0]["resident_id"] == roster.a1.pk
    assert "*" in ledger["items"][0]["phone_masked"]


def test_a_visit_says_whether_it_screened_the_household(api, roster):
    """source and screened: a visit where someone answered screens the household; an attempt
    with nobody home does not (ScreeningVisit.objects.screened(), the one definition)."""
    answered = api("grid_a").post("/api/v1/visits", _visit(roster)).json()
    attempt = api("grid_a").post("/api/v1/visits", {
        "household_id": roster.a1.household_id, "nobody_home": True, "people": []})
    assert attempt.status_code == 201, attempt.content
    assert (answered["source"], answered["screened"]) == ("screening", True)
    assert (attempt.json()["source"], attempt.json()["screened"]) == ("screening", False)
    fetched = api("grid_a").get(f"/api/v1/visits/{attempt.json()['id']}").json()
    assert fetched["screened"] is False
    assert set(ScreeningVisit.objects.screened().values_list("pk", flat=True)) == {answered["id"]}


def test_the_same_event_id_twice_records_one_visit(api, roster):
    event = str(uuid.uuid4())
    first = api("grid_a").post("/api/v1/visits", _visit(roster, event_id=event))
    again = api("grid_a").post("/api/v1/visits", _visit(roster, event_id=event))
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and ScreeningVisit.objects.count() == 1


def test_an_event_id_of_another_households_visit_is_409_showing_nothing_of_it(api, roster):
    event = str(uuid.uuid4())
    assert api("grid_a").post("/api/v1/visits", _visit(roster, event_id=event)).status_code == 201
    other = {"household_id": roster.h2.pk, "people": [{"resident_id": roster.a3.pk}],
             "event_id": event}
    r = api("grid_a").post("/api/v1/visits", other)
    assert (r.status_code, r.json()) == (409, {"error": "event_id_reused",
                                               "detail": "该 event_id 已用于另一户。"})
    assert ScreeningVisit.objects.count() == 1


def test_visit_api_refusals(api, roster):
    assert api("gate_c1").post("/api/v1/visits", _visit(roster)).status_code == 403
    assert api("staff_c2").post("/api/v1/visits", _visit(roster)).status_code == 404
    bad = _visit(roster)
    bad["people"][0]["temperature"] = 365
    res = api("grid_a").post("/api/v1/visits", bad)
    assert res.status_code == 422 and res.json()["error"] == "bad_temperature"
    other = _visit(roster)
    other["people"] = [{"resident_id": roster.b1.pk}]
    assert api("grid_a").post("/api/v1/visits", other).status_code == 422
    assert not ScreeningVisit.objects.exists()


def test_a_visit_with_an_unknown_symptom_names_it_and_the_symptoms_offered(api, roster):
    # the one wording of visits, readings and list answers (people.vocab.symptoms_check)
    bad = _visit(roster)
    bad["people"][0]["symptoms"] = ["cough", "hiccups"]
    r = api("grid_a").post("/api/v1/visits", bad)
    assert (r.status_code, r.json()) == (422, {
        "error": "bad_symptom",
        "detail": "symptoms：hiccups 不是可选的症状（cough, sore_throat, fatigue, short_breath, "
                  "taste_smell, diarrhea, aches）。"})
    assert not ScreeningVisit.objects.exists()


def test_visit_and_ledger_out_of_scope(api, roster):
    v = api("grid_a").post("/api/v1/visits", _visit(roster)).json()
    assert api("staff_c2").get(f"/api/v1/visits/{v['id']}").status_code == 404
    assert api("staff_c1").get(f"/api/v1/visits/{v['id']}").status_code == 200
    assert api("staff_c2").get("/api/v1/key-persons").json()["count"] == 0
    assert api("staff_c2").get("/api/v1/key-persons", area="C1").status_code == 404


@pytest.mark.parametrize("url,param", [("/api/v1/households", "compound"),
                                       ("/api/v1/residents", "compound"),
                                       ("/api/v1/residents", "household")])
def test_a_filter_naming_no_such_object_is_a_404_not_everything(api, roster, url, param):
    # ?compound=0 was read as "no filter" and listed every household in scope
    assert api("staff_c1").get(url, **{param: 0}).status_code == 404


def test_an_unknown_key_person_category_is_a_422_naming_the_known_ones(api, roster):
    r = api("staff_c1").get("/api/v1/key-persons", category="abc")
    assert r.status_code == 422
    assert r.json()["detail"].startswith("category") and "fever" in r.json()["detail"]


def test_a_visit_naming_someone_of_another_household_says_so_in_chinese(api, roster):
    body = {"household_id": roster.h1.pk, "people": [{"resident_id": 99999999}]}
    r = api("grid_a").post("/api/v1/visits", body)
    assert r.status_code == 422 and r.json()["error"] == "not_member"
    assert r.json()["detail"] == "居民 99999999 不在此户。"
