"""People on duty: register, public sign-up (报到) confirmed once, assignments that never
overlap, check-in/out, hours, and the volunteer login that sees only its own duties."""

from datetime import timedelta

import pytest
from django.test import override_settings

from firstline import clock
from firstline.access.models import Checkpoint, Shift
from firstline.operations import services
from firstline.operations.models import Assignment, Volunteer
from tests.conftest import local, race


def _link_token(cast, areas):
    return services.signup_link_get(actor=cast.staff_c1, area=areas.c1).token


def _span(hours_from_now=1, length=4):
    start = clock.now() + timedelta(hours=hours_from_now)
    return start.isoformat(), (start + timedelta(hours=length)).isoformat()


def test_staff_register_a_person_and_the_list_masks_the_phone(api):
    r = api("staff_c1").post("/api/v1/volunteers", {"name": "李四", "phone": "13800138001",
                                                    "kind": "party_member", "area": "C1"})
    assert r.status_code == 201, r.content
    [item] = api("staff_c1").get("/api/v1/volunteers", area="C1").json()["items"]
    assert item == {"id": r.json()["id"], "name": "李四", "phone_masked": "138****8001",
                    "kind": "party_member", "area": "C1", "on_duty": False, "confirmed": True,
                    "skills": "", "availability": ""}


def test_registering_needs_operations_manage(api):
    r = api("grid_a").post("/api/v1/volunteers", {"name": "李四", "phone": "13800138001",
                                                  "kind": "volunteer", "area": "G1a"})
    assert r.status_code == 403


def test_registering_in_another_community_is_404(api):
    r = api("staff_c1").post("/api/v1/volunteers", {"name": "李四", "phone": "13800138001",
                                                    "kind": "volunteer", "area": "C2"})
    assert r.status_code == 404


def test_another_areas_volunteer_is_404(api, people):
    assert api("staff_c1").get(f"/api/v1/volunteers/{people.wang.pk}").status_code == 404
    assert api("staff_c1").get("/api/v1/volunteers", area="C2").status_code == 404
    names = [v["name"] for v in api("staff_c1").get("/api/v1/volunteers").json()["items"]]
    assert "王五" not in names


def test_a_bad_phone_is_422_naming_the_field(api):
    r = api("staff_c1").post("/api/v1/volunteers", {"name": "李四", "phone": "12345",
                                                    "kind": "volunteer", "area": "C1"})
    assert r.status_code == 422
    assert "phone" in r.json()["detail"]


def test_an_empty_name_is_422_naming_the_field(api):
    r = api("staff_c1").post("/api/v1/volunteers", {"name": "  ", "phone": "13800138001",
                                                    "kind": "volunteer", "area": "C1"})
    assert r.status_code == 422
    assert "name" in r.json()["detail"]


def test_the_same_phone_twice_in_a_community_is_409(api, people):
    r = api("staff_c1").post("/api/v1/volunteers", {"name": "李四", "phone": "13800138001",
                                                    "kind": "volunteer", "area": "C1"})
    assert r.status_code == 409


def test_public_sign_up_needs_no_login_and_shows_nothing_back(client, cast, areas):
    token = _link_token(cast, areas)
    r = client.post("/api/v1/public/volunteer-signups",
                    {"token": token, "name": "孙七", "phone": "13900139000",
                     "kind": "party_member", "skills": "驾驶"}, content_type="application/json")
    assert r.status_code == 201
    assert r.json() == {"received": True}
    v = Volunteer.objects.get(phone="13900139000")
    assert v.area == areas.c1 and v.confirmed_at is None and v.self_signed_up


def test_sign_up_is_confirmed_once(client, api, cast, areas):
    token = _link_token(cast, areas)
    client.post("/api/v1/public/volunteer-signups", {"token": token, "name": "孙七",
                                                     "phone": "13900139000"},
                content_type="application/json")
    [pending] = api("staff_c1").get("/api/v1/volunteers", confirmed=False).json()["items"]
    first = api("staff_c1").post(f"/api/v1/volunteers/{pending['id']}/confirm")
    assert first.status_code == 200 and first.json()["confirmed"] is True
    second = api("staff_c1").post(f"/api/v1/volunteers/{pending['id']}/confirm")
    assert second.status_code == 409
    assert second.json()["error"] == "already_confirmed"


def test_a_sign_up_cannot_be_confirmed_by_another_communitys_staff(client, api, cast, areas):
    client.post("/api/v1/public/volunteer-signups", {"token": _link_token(cast, areas),
                                                     "name": "孙七", "phone": "13900139000"},
                content_type="application/json")
    v = Volunteer.objects.get(phone="13900139000")
    assert api("staff_c2").post(f"/api/v1/volunteers/{v.pk}/confirm").status_code == 404


def test_signing_up_twice_with_one_phone_adds_one_person(client, cast, areas):
    token = _link_token(cast, areas)
    for _ in range(2):
        r = client.post("/api/v1/public/volunteer-signups",
                        {"token": token, "name": "孙七", "phone": "13900139000"},
                        content_type="application/json")
        assert r.status_code == 201
    assert Volunteer.objects.filter(phone="13900139000").count() == 1


def test_public_sign_up_is_throttled(client, cast, areas):
    token = _link_token(cast, areas)
    codes = [client.post("/api/v1/public/volunteer-signups",
                         {"token": token, "name": "孙七", "phone": f"1390013900{i}"},
                         content_type="application/json").status_code for i in range(7)]
    assert codes[:5] == [201] * 5
    assert codes[5:] == [429, 429]


def test_sign_up_with_an_unknown_link_is_404(client, cast):
    r = client.post("/api/v1/public/volunteer-signups",
                    {"token": "nope", "name": "孙七", "phone": "13900139000"},
                    content_type="application/json")
    assert r.status_code == 404


def test_sign_up_with_a_bad_phone_is_422(client, cast, areas):
    r = client.post("/api/v1/public/volunteer-signups",
                    {"token": _link_token(cast, areas), "name": "孙七", "phone": "abc"},
                    content_type="application/json")
    assert r.status_code == 422 and "phone" in r.json()["detail"]


def test_an_unconfirmed_person_cannot_be_assigned(client, api, cast, areas):
    client.post("/api/v1/public/volunteer-signups", {"token": _link_token(cast, areas),
                                                     "name": "孙七", "phone": "13900139000"},
                content_type="application/json")
    v = Volunteer.objects.get(phone="13900139000")
    start, end = _span()
    r = api("staff_c1").post("/api/v1/assignments", {"volunteer_id": v.pk, "duty": "patrol",
                                                     "starts_at": start, "ends_at": end})
    assert r.status_code == 409 and r.json()["error"] == "not_confirmed"


def test_an_overlapping_assignment_of_the_same_person_is_409(api, people):
    staff = api("staff_c1")
    start, end = _span(1, 4)
    assert staff.post("/api/v1/assignments", {"volunteer_id": people.li.pk, "duty": "patrol",
                                              "starts_at": start,
                                              "ends_at": end}).status_code == 201
    later_start, later_end = _span(3, 4)
    r = staff.post("/api/v1/assignments", {"volunteer_id": people.li.pk, "duty": "delivery",
                                           "starts_at": later_start, "ends_at": later_end})
    assert r.status_code == 409 and r.json()["error"] == "overlap"


def test_back_to_back_assignments_do_not_overlap(api, people):
    staff = api("staff_c1")
    a_start, a_end = _span(1, 4)
    b_start, b_end = _span(5, 4)
    for s, e in ((a_start, a_end), (b_start, b_end)):
        r = staff.post("/api/v1/assignments", {"volunteer_id": people.li.pk, "duty": "patrol",
                                               "starts_at": s, "ends_at": e})
        assert r.status_code == 201


def test_another_persons_assignment_at_the_same_time_is_fine(api, people):
    start, end = _span()
    for v in (people.li, people.zhao):
        r = api("staff_c1").post("/api/v1/assignments", {"volunteer_id": v.pk, "duty": "gate",
                                                         "starts_at": start, "ends_at": end})
        assert r.status_code == 201


def test_an_assignment_ending_before_it_starts_is_422_naming_ends_at(api, people):
    start, end = _span()
    r = api("staff_c1").post("/api/v1/assignments", {"volunteer_id": people.li.pk,
                                                     "duty": "patrol", "starts_at": end,
                                                     "ends_at": start})
    assert r.status_code == 422 and "ends_at" in r.json()["detail"]


def test_assigning_another_communitys_person_is_404(api, people):
    start, end = _span()
    r = api("staff_c1").post("/api/v1/assignments", {"volunteer_id": people.wang.pk,
                                                     "duty": "patrol", "starts_at": start,
                                                     "ends_at": end})
    assert r.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_concurrent_overlapping_assignments_let_exactly_one_through(file_database, cast,
                                                                     areas):
    v = services.volunteer_create(actor=cast.staff_c1, area=areas.c1, name="李四",
                                  phone="13800138001", kind="volunteer")
    start = clock.now() + timedelta(hours=1)

    def work(i):
        from firstline.accounts.models import User

        actor = User.objects.get(username="staff_c1")
        return services.assignment_create(
            actor=actor, volunteer=Volunteer.objects.get(pk=v.pk), duty="patrol",
            starts_at=start + timedelta(minutes=i), ends_at=start + timedelta(hours=2))

    results = race(8, work)
    made = [r for r in results if isinstance(r, Assignment)]
    refused = [r for r in results if getattr(r, "code", "") == "overlap"]
    assert len(made) == 1, results
    assert len(refused) == 7, results
    assert Assignment.objects.filter(volunteer=v).count() == 1


def test_check_in_and_out_make_on_duty(api, people):
    staff = api("staff_c1")
    start, end = _span(-1, 4)
    a = staff.post("/api/v1/assignments", {"volunteer_id": people.li.pk, "duty": "patrol",
                                           "starts_at": start, "ends_at": end}).json()["id"]
    assert staff.post(f"/api/v1/assignments/{a}/check-in").json()["on_duty"] is True
    on = staff.get("/api/v1/volunteers", area="C1", on_duty="true").json()["items"]
    assert [v["name"] for v in on] == ["李四"]
    assert staff.post(f"/api/v1/assignments/{a}/check-out").json()["on_duty"] is False
    assert staff.get("/api/v1/volunteers", area="C1", on_duty="true").json()["count"] == 0


def test_checking_out_before_in_is_409(api, people):
    start, end = _span()
    a = api("staff_c1").post("/api/v1/assignments", {"volunteer_id": people.li.pk,
                                                     "duty": "patrol", "starts_at": start,
                                                     "ends_at": end}).json()["id"]
    assert api("staff_c1").post(f"/api/v1/assignments/{a}/check-out").status_code == 409


def test_hours_add_up_on_the_honour_roll(api, cast, people):
    import time_machine

    start = local(2026, 3, 1, 8)
    with time_machine.travel(start - timedelta(hours=1), tick=False):
        a = services.assignment_create(actor=cast.staff_c1, volunteer=people.li, duty="patrol",
                                       starts_at=start, ends_at=start + timedelta(hours=4))
        b = services.assignment_create(actor=cast.staff_c1, volunteer=people.zhao, duty="gate",
                                       starts_at=start, ends_at=start + timedelta(hours=4))
    services.assignment_check_in(actor=cast.staff_c1, assignment=a, now=start)
    services.assignment_check_out(actor=cast.staff_c1, assignment=a,
                                  now=start + timedelta(hours=3, minutes=30))
    services.assignment_check_in(actor=cast.staff_c1, assignment=b, now=start)
    services.assignment_check_out(actor=cast.staff_c1, assignment=b,
                                  now=start + timedelta(hours=1))
    roll = api("staff_c1").get("/api/v1/honour-roll", area="C1").json()["items"]
    assert [(r["name"], r["hours"]) for r in roll] == [("李四", 3.5), ("赵六", 1.0)]


def test_a_volunteer_login_sees_only_its_own_assignments(api, cast, people):
    from firstline.accounts.models import User
    from tests.conftest import ApiClient

    start, end = _span()
    staff = api("staff_c1")
    mine = staff.post("/api/v1/assignments", {"volunteer_id": people.li.pk, "duty": "patrol",
                                              "starts_at": start, "ends_at": end}).json()["id"]
    other = staff.post("/api/v1/assignments", {"volunteer_id": people.zhao.pk,
                                               "duty": "patrol", "starts_at": start,
                                               "ends_at": end}).json()["id"]
    r = staff.post(f"/api/v1/volunteers/{people.li.pk}/login",
                   {"username": "li4", "password": "pw-Firstline-1"})
    assert r.status_code == 201
    li = ApiClient(User.objects.get(username="li4"))
    items = li.get("/api/v1/assignments").json()["items"]
    assert [a["id"] for a in items] == [mine]
    assert li.post(f"/api/v1/assignments/{mine}/check-in").status_code == 200
    assert li.post(f"/api/v1/assignments/{other}/check-in").status_code == 404
    assert [a["id"] for a in li.get("/api/v1/assignments", volunteer=people.li.pk)
            .json()["items"]] == [mine]  # its own person, by id
    assert li.get("/api/v1/assignments", volunteer=people.zhao.pk).status_code == 404
    assert li.get("/api/v1/volunteers").status_code == 403
    assert li.get("/api/v1/residents").status_code in (403, 404)


def test_a_gate_assignment_names_the_registered_person_on_the_shift(api, cast, people, homes):
    cp = Checkpoint.objects.create(compound=homes.c1.compound, code="C1-N", name="北门")
    start = clock.now() + timedelta(hours=1)
    shift = Shift.objects.create(checkpoint=cp, starts_at=start,
                                 ends_at=start + timedelta(hours=8))
    r = api("staff_c1").post("/api/v1/assignments", {"volunteer_id": people.li.pk,
                                                     "duty": "gate", "shift_id": shift.pk})
    assert r.status_code == 201, r.content
    a = Assignment.objects.get(pk=r.json()["id"])
    shift.refresh_from_db()
    assert a.shift == shift and a.target_id == cp.pk
    assert (a.starts_at, a.ends_at) == (shift.starts_at, shift.ends_at)
    assert shift.name == "李四"


def test_a_gate_assignment_to_a_checkpoint_plans_its_shift(api, people, homes):
    cp = Checkpoint.objects.create(compound=homes.c1.compound, code="C1-N", name="北门")
    start, end = _span()
    r = api("staff_c1").post("/api/v1/assignments", {"volunteer_id": people.li.pk,
                                                     "duty": "gate", "target_id": cp.pk,
                                                     "starts_at": start, "ends_at": end})
    assert r.status_code == 201
    shift = Shift.objects.get(checkpoint=cp)
    assert shift.name == "李四" and shift.assignments.get().volunteer == people.li


def test_a_shift_of_another_community_is_refused(api, people, homes):
    cp = Checkpoint.objects.create(compound=homes.c2.compound, code="C2-N", name="北门")
    start = clock.now() + timedelta(hours=1)
    shift = Shift.objects.create(checkpoint=cp, starts_at=start,
                                 ends_at=start + timedelta(hours=8))
    r = api("staff_c1").post("/api/v1/assignments", {"volunteer_id": people.li.pk,
                                                     "duty": "gate", "shift_id": shift.pk})
    assert r.status_code == 422 and "shift_id" in r.json()["detail"]


def test_checking_in_to_a_gate_assignment_checks_in_its_shift(api, cast, people, homes):
    cp = Checkpoint.objects.create(compound=homes.c1.compound, code="C1-N", name="北门")
    start = clock.now() - timedelta(minutes=10)
    shift = Shift.objects.create(checkpoint=cp, starts_at=start,
                                 ends_at=start + timedelta(hours=8))
    a = api("staff_c1").post("/api/v1/assignments", {"volunteer_id": people.li.pk,
                                                     "duty": "gate",
                                                     "shift_id": shift.pk}).json()["id"]
    api("staff_c1").post(f"/api/v1/assignments/{a}/check-in")
    shift.refresh_from_db()
    assert shift.checked_in_at is not None and shift.checked_out_at is None
    api("staff_c1").post(f"/api/v1/assignments/{a}/check-out")
    shift.refresh_from_db()
    assert shift.checked_out_at is not None


@override_settings(TRUST_X_FORWARDED_FOR=True, TRUSTED_PROXIES=["10.0.0.2"])
def test_the_sign_up_throttle_counts_the_client_behind_the_proxy_not_the_proxy(cast, areas):
    """Behind the reverse proxy every request comes from 10.0.0.2: counting REMOTE_ADDR would
    throttle the whole community at the 6th sign-up, and a forged left-most header would
    escape it. The client is the right-most untrusted address, as for the login throttle."""
    from django.test import Client

    token = _link_token(cast, areas)

    def sign_up(i, client_ip, forged="9.9.9.9"):
        return Client().post("/api/v1/public/volunteer-signups",
                             {"token": token, "name": "孙七", "phone": f"139001390{i:02d}"},
                             content_type="application/json", REMOTE_ADDR="10.0.0.2",
                             HTTP_X_FORWARDED_FOR=f"{forged}.{i}, {client_ip}, 10.0.0.2")

    codes = [sign_up(i, "203.0.113.9", forged="8.8.8").status_code for i in range(7)]
    assert codes == [201] * 5 + [429, 429]  # forging the left part does not escape it
    assert sign_up(10, "198.51.100.7").status_code == 201  # another phone behind the proxy
    page = Client().post(f"/operations/signup/{token}/", {
        "name": "周八", "phone": "13900139020", "kind": "volunteer"},
        REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.2")
    assert page.status_code == 429  # the page counts the same address as the API


def _duty_8_to_12(cast, people):
    import time_machine

    start = local(2026, 3, 2, 8)
    with time_machine.travel(start - timedelta(hours=1), tick=False):
        a = services.assignment_create(actor=cast.staff_c1, volunteer=people.li, duty="patrol",
                                       starts_at=start, ends_at=start + timedelta(hours=4))
    services.assignment_check_in(actor=cast.staff_c1, assignment=a, now=start)
    return a, start


def test_someone_who_never_checks_out_leaves_duty_at_the_end_plus_grace(api, cast, people):
    import time_machine

    a, start = _duty_8_to_12(cast, people)
    staff = api("staff_c1")
    with time_machine.travel(start + timedelta(hours=4, minutes=59), tick=False):
        assert staff.get("/api/v1/volunteers", area="C1", on_duty="true").json()["count"] == 1
    with time_machine.travel(start + timedelta(hours=5), tick=False):  # 12:00 + 60 min grace
        assert staff.get("/api/v1/volunteers", area="C1", on_duty="true").json()["count"] == 0
        got = next(x for x in staff.get("/api/v1/assignments", area="C1").json()["items"]
                   if x["id"] == a.pk)
        assert (got["on_duty"], got["no_checkout"], got["checked_out_at"]) == (False, True, None)
        roll = staff.get("/api/v1/honour-roll", area="C1").json()["items"]
        assert [(r["name"], r["hours"]) for r in roll] == [("李四", 4.0)]  # to 12:00, not now
        from firstline.operations.selectors import report_rows

        assert [r for r in report_rows([a.area_id], []) if r[1] == "volunteers_on_duty"] == []


def test_the_grace_is_a_rule_decided_at_check_in(api, cast, people):
    from datetime import date

    import time_machine

    from firstline.rules.models import Rule

    Rule.objects.create(key="volunteers.checkout_grace_minutes", value=0,
                        effective_from=date(2020, 1, 1), source="测试")
    a, start = _duty_8_to_12(cast, people)
    with time_machine.travel(start + timedelta(hours=4), tick=False):
        assert api("staff_c1").get("/api/v1/volunteers", area="C1",
                                   on_duty="true").json()["count"] == 0


def test_a_check_out_after_the_grace_counts_to_the_end_and_says_so(api, cast, people, web):
    import time_machine

    a, start = _duty_8_to_12(cast, people)
    services.assignment_check_out(actor=cast.staff_c1, assignment=a,
                                  now=start + timedelta(hours=9))
    a.refresh_from_db()
    assert a.no_checkout_at(start + timedelta(hours=10)) is True
    roll = api("staff_c1").get("/api/v1/honour-roll", area="C1").json()["items"]
    assert [(r["name"], r["hours"]) for r in roll] == [("李四", 4.0)]
    with time_machine.travel(start + timedelta(hours=10), tick=False):
        page = web("staff_c1", lang="en").get("/operations/volunteers/?area=C1")
        assert "no check-out" in page.content.decode()


def test_assignments_of_an_unknown_or_unseen_person_are_404(api, people):
    staff = api("staff_c1")
    assert staff.get("/api/v1/assignments", volunteer=-1).status_code == 404
    assert staff.get("/api/v1/assignments", volunteer=people.wang.pk).status_code == 404  # C2
    r = staff.get("/api/v1/assignments", volunteer=people.li.pk)
    assert r.status_code == 200 and r.json()["count"] == 0


# --- a grid's code (CONTRACT.md: `area: CODE`; grid workers recruit in their grid) -----------
# Kept at the grid's community (see docs/operations.md): phones are once per community, gate
# duty is at the community's checkpoints, sign-up links are per community.

def test_a_person_registered_with_a_grids_code_is_201_and_listed_under_its_community(api):
    r = api("staff_c1").post("/api/v1/volunteers", {"name": "李四", "phone": "13800138001",
                                                    "kind": "volunteer", "area": "G1a"})
    assert r.status_code == 201, r.content
    [item] = api("staff_c1").get("/api/v1/volunteers", area="C1").json()["items"]
    assert (item["id"], item["area"]) == (r.json()["id"], "C1")


def test_a_phone_registered_in_a_community_and_again_in_its_grid_is_409(api, people):
    r = api("staff_c1").post("/api/v1/volunteers", {"name": "李四", "phone": "13800138001",
                                                    "kind": "volunteer", "area": "G1a"})
    assert r.status_code == 409


def test_another_communitys_grid_is_404(api):
    r = api("staff_c1").post("/api/v1/volunteers", {"name": "李四", "phone": "13800138001",
                                                    "kind": "volunteer", "area": "G2a"})
    assert r.status_code == 404


def test_staff_of_a_grid_alone_cannot_register_at_its_community(areas, people):
    """Someone managing only a grid would make a person kept at the community — one they could
    not see afterwards — and be told of phones registered outside their grid: refused as
    before, the grid named as not a community, nothing written."""
    from firstline.accounts.roles import Role
    from firstline.accounts.services import user_assign
    from firstline.errors import InvalidInput

    grid_staff, _ = user_assign(username="staff_g1a", role=Role.COMMUNITY_STAFF, area=areas.g1a,
                                password="x" * 12)
    before = Volunteer.objects.count()
    with pytest.raises(InvalidInput) as refused:
        services.volunteer_create(actor=grid_staff, area=areas.g1a, name="李四",
                                  phone="13800138001", kind="volunteer")
    assert (refused.value.code, refused.value.field) == ("not_a_community", "area")
    assert Volunteer.objects.count() == before
