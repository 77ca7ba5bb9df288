"""转运 from the pages: one open transfer per person, home or to hospital from the person's page,
the room given on arrival, the person's room linked to the site board."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from firstline.isolation import selectors, services
from firstline.isolation.models import Room, RoomStatus, RoomStay, Transfer, TransferStatus
from tests.conftest import PASSWORD

from .conftest import plan

pytestmark = pytest.mark.django_db


def login(username):
    c = Client()
    assert c.login(username=username, password=PASSWORD)
    return c


@pytest.fixture
def site(cast, areas):
    """Overrides conftest's `site`: the name the pages show, rooms 301 and 302."""
    s = services.site_create(area=areas.c1, name="凤台宾馆集中隔离点", actor=cast.staff_c1)
    services.rooms_add(site=s, numbers=["301", "302"], actor=cast.staff_c1)
    return s


def in_room(cast, site, iso, number="301"):
    return services.room_assign(room=Room.objects.get(site=site, number=number), isolation=iso,
                                actor=cast.staff_c1)


def now_field():
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


# --- one open transfer per person ---------------------------------------------------------

def test_a_second_open_transfer_for_one_person_is_refused(cast, centralized_iso, site):
    plan(cast, centralized_iso, site)
    with pytest.raises(services.RuleViolation) as refused:
        plan(cast, centralized_iso, to_place="市人民医院")
    assert refused.value.code == "transfer_open" and refused.value.status == 409
    assert Transfer.objects.count() == 1


def test_a_cancelled_transfer_no_longer_blocks_a_new_one(cast, centralized_iso, site):
    services.transfer_set_status(transfer=plan(cast, centralized_iso, site), status="cancelled",
                                 actor=cast.staff_c1)
    assert plan(cast, centralized_iso, site).status == TransferStatus.PLANNED


def test_the_api_answers_a_second_open_transfer_with_409(api, cast, centralized_iso, site):
    plan(cast, centralized_iso, site)
    r = api("staff_c1").post("/api/v1/transfers", {
        "isolation_id": centralized_iso.pk, "from_place": "家", "to_site_id": site.pk,
        "pickup_at": timezone.now().isoformat()})
    assert r.status_code == 409 and r.json()["error"] == "transfer_open"


def test_board_leaves_out_someone_with_a_planned_transfer(cast, centralized_iso, site):
    plan(cast, centralized_iso, site)
    page = login("staff_c1").get(f"/isolation/sites/{site.pk}/").content.decode()
    offered = re.findall(r'<option value="(\d+)">王伟', page)
    assert offered == []


def test_board_offers_the_person_again_once_the_transfer_is_cancelled(cast, centralized_iso, site):
    services.transfer_set_status(transfer=plan(cast, centralized_iso, site), status="cancelled",
                                 actor=cast.staff_c1)
    page = login("staff_c1").get(f"/isolation/sites/{site.pk}/").content.decode()
    assert f'<option value="{centralized_iso.pk}">王伟' in page


# --- arrival offers the room ----------------------------------------------------------------

def test_arrived_with_a_room_picked_puts_the_person_in_it(cast, centralized_iso, site):
    t = plan(cast, centralized_iso, site)
    room = Room.objects.get(site=site, number="302")
    r = login("staff_c1").post(f"/isolation/sites/{site.pk}/", {
        "action": "transfer_status", "transfer": t.pk, "status": "arrived", "room": room.pk},
        follow=True, HTTP_ACCEPT_LANGUAGE="en")
    stay = RoomStay.objects.get(isolation=centralized_iso, ended_at__isnull=True)
    assert stay.room == room
    assert "Transfer of 王伟: arrived; in room 302." in r.content.decode()


def test_board_offers_free_rooms_beside_arrived(cast, centralized_iso, site):
    plan(cast, centralized_iso, site)
    page = login("staff_c1").get(f"/isolation/sites/{site.pk}/",
                                 HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    row = page[page.index('value="transfer_status"'):]
    row = row[:row.index("</form>")]
    assert 'name="room"' in row and ">301<" in row and ">302<" in row


def test_a_room_taken_meanwhile_leaves_the_arrival_unrecorded(cast, roster, centralized_iso, site):
    t = plan(cast, centralized_iso, site)
    other = services.isolation_start(resident=roster.b1, kind="centralized",
                                     reason="close_contact", starts_on=timezone.localdate(),
                                     actor=cast.staff_c1)
    in_room(cast, site, other, "301")
    with pytest.raises(services.RuleViolation) as refused:
        services.transfer_set_status(transfer=t, status="arrived", actor=cast.staff_c1,
                                     room=Room.objects.get(site=site, number="301"))
    assert refused.value.code == "room_taken"
    t.refresh_from_db()
    assert t.status == TransferStatus.PLANNED


def test_a_room_of_another_site_is_refused_naming_the_room(cast, areas, centralized_iso, site):
    other = services.site_create(area=areas.c1, name="淮河宾馆", actor=cast.staff_c1)
    (room,) = services.rooms_add(site=other, numbers=["101"], actor=cast.staff_c1)
    with pytest.raises(services.InvalidInput) as refused:
        services.transfer_set_status(transfer=plan(cast, centralized_iso, site), status="arrived",
                                     actor=cast.staff_c1, room=room)
    assert refused.value.field == "room"


# --- home or to hospital, from the person's page --------------------------------------------

def test_person_page_plans_a_transfer_home_from_the_room(cast, roster, centralized_iso, site):
    in_room(cast, site, centralized_iso)
    r = login("staff_c1").post(f"/isolation/{centralized_iso.pk}/", {
        "action": "leave", "destination": "home", "to_place": "", "from_place": "",
        "pickup_at": now_field(), "vehicle": "皖D-1", "escort": ""},
        follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    (t,) = Transfer.objects.filter(isolation=centralized_iso)
    assert (t.to_site, t.to_place, t.from_place) == (None, roster.h1.address,
                                                      "凤台宾馆集中隔离点 301")
    assert "已安排转运：王伟，回家" in r.content.decode()


def test_person_page_hospital_without_a_name_is_422_beside_the_field_keeping_the_rest(
        cast, centralized_iso, site):
    in_room(cast, site, centralized_iso)
    r = login("staff_c1").post(f"/isolation/{centralized_iso.pk}/", {
        "action": "leave", "destination": "hospital", "to_place": "",
        "pickup_at": now_field(), "vehicle": "皖D-120", "escort": "赵医生"},
        HTTP_ACCEPT_LANGUAGE="en")
    page = r.content.decode()
    assert r.status_code == 422 and Transfer.objects.count() == 0
    assert "Name the hospital." in page
    assert 'value="皖D-120"' in page and 'value="赵医生"' in page


def test_person_page_refuses_a_second_open_transfer_on_the_form(cast, centralized_iso, site):
    in_room(cast, site, centralized_iso)
    plan(cast, centralized_iso, to_place="市人民医院")
    r = login("staff_c1").post(f"/isolation/{centralized_iso.pk}/", {
        "action": "leave", "destination": "hospital", "to_place": "市第二医院",
        "pickup_at": now_field()}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 409 and Transfer.objects.count() == 1
    assert "already has a transfer planned" in r.content.decode()


def test_person_page_offers_the_transfer_only_to_someone_at_a_site(cast, centralized_iso, site):
    c = login("staff_c1")
    assert 'value="leave"' not in c.get(f"/isolation/{centralized_iso.pk}/").content.decode()
    in_room(cast, site, centralized_iso)
    assert 'value="leave"' in c.get(f"/isolation/{centralized_iso.pk}/").content.decode()


def test_arriving_at_hospital_leaves_the_room_for_cleaning(cast, centralized_iso, site):
    stay = in_room(cast, site, centralized_iso)
    services.transfer_set_status(transfer=plan(cast, centralized_iso, to_place="市人民医院"),
                                 status="arrived", actor=cast.staff_c1)
    stay.refresh_from_db()
    assert stay.ended_at is not None
    assert Room.objects.get(pk=stay.room_id).status == RoomStatus.CLEANING


def test_person_page_moves_the_transfer_on(cast, centralized_iso, site):
    in_room(cast, site, centralized_iso)
    t = plan(cast, centralized_iso, to_place="市人民医院")
    login("grid_a").post(f"/isolation/{centralized_iso.pk}/", {
        "action": "transfer_status", "transfer": t.pk, "status": "en_route"})
    t.refresh_from_db()
    assert t.status == TransferStatus.EN_ROUTE


# --- the room links to the board --------------------------------------------------------------

def test_person_page_links_the_room_to_the_site_board(cast, centralized_iso, site):
    in_room(cast, site, centralized_iso)
    page = login("staff_c1").get(f"/isolation/{centralized_iso.pk}/").content.decode()
    assert f'<a href="/isolation/sites/{site.pk}/#room-301">凤台宾馆集中隔离点 301</a>' in page


def test_room_is_plain_text_for_someone_who_cannot_open_the_board(cast, centralized_iso, site):
    in_room(cast, site, centralized_iso)
    page = login("grid_a").get(f"/isolation/{centralized_iso.pk}/").content.decode()
    assert "凤台宾馆集中隔离点 301" in page and f"/isolation/sites/{site.pk}/" not in page


def test_board_says_why_a_second_transfer_is_refused(cast, centralized_iso, site):
    plan(cast, centralized_iso, to_place="市人民医院")
    r = login("staff_c1").post(f"/isolation/sites/{site.pk}/", {
        "action": "transfer", "isolation": centralized_iso.pk, "from_place": "",
        "pickup_at": now_field()}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 409 and Transfer.objects.count() == 1
    assert "此人已有一次转运" in r.content.decode()


# --- transfers away from the site, on its board ------------------------------------------------

def _outgoing(page):
    part = page[page.index('id="outgoing"'):]
    return part[:part.index("</table>")]


def test_board_lists_transfers_leaving_the_site_with_their_destination(cast, centralized_iso, site):
    in_room(cast, site, centralized_iso)
    t = plan(cast, centralized_iso, to_place="市人民医院")
    page = login("staff_c1").get(f"/isolation/sites/{site.pk}/",
                                 HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "从本隔离点转出" in page
    row = _outgoing(page)
    assert f'id="transfer-{t.pk}"' in row and "王伟" in row and "市人民医院" in row
    assert 'value="en_route"' in row and 'value="arrived"' in row
    assert 'name="room"' not in row  # a room is for arriving here, not for leaving


def test_board_leaves_transfers_coming_in_and_closed_ones_out_of_the_leaving_list(
        cast, roster, centralized_iso, site):
    in_room(cast, site, centralized_iso)
    services.transfer_set_status(transfer=plan(cast, centralized_iso, to_place="市人民医院"),
                                 status="cancelled", actor=cast.staff_c1)
    other = services.isolation_start(resident=roster.b1, kind="centralized",
                                     reason="close_contact", starts_on=timezone.localdate(),
                                     actor=cast.staff_c1)
    plan(cast, other, site)  # coming in
    row = _outgoing(login("staff_c1").get(f"/isolation/sites/{site.pk}/").content.decode())
    assert "transfer-" not in row


def test_someone_who_left_the_site_is_not_on_its_leaving_list_again(cast, centralized_iso, site):
    in_room(cast, site, centralized_iso)
    services.transfer_set_status(transfer=plan(cast, centralized_iso, to_place="家"),
                                 status="arrived", actor=cast.staff_c1)
    centralized_iso.refresh_from_db()
    assert centralized_iso.site_id is None  # home now, at no site
    t = plan(cast, centralized_iso, to_place="市人民医院")
    row = _outgoing(login("staff_c1").get(f"/isolation/sites/{site.pk}/").content.decode())
    assert f'id="transfer-{t.pk}"' not in row


def test_a_transfer_leaving_is_moved_on_from_the_board_and_the_room_waits_for_cleaning(
        cast, centralized_iso, site):
    stay = in_room(cast, site, centralized_iso)
    t = plan(cast, centralized_iso, to_place="市人民医院")
    c = login("staff_c1")
    c.post(f"/isolation/sites/{site.pk}/", {"action": "transfer_status", "transfer": t.pk,
                                             "status": "en_route"})
    r = c.post(f"/isolation/sites/{site.pk}/", {"action": "transfer_status", "transfer": t.pk,
                                                 "status": "arrived"},
               follow=True, HTTP_ACCEPT_LANGUAGE="en")
    t.refresh_from_db()
    assert t.status == TransferStatus.ARRIVED
    assert "Transfer of 王伟: arrived." in r.content.decode()
    assert Room.objects.get(pk=stay.room_id).status == RoomStatus.CLEANING


def test_someone_sent_home_or_to_hospital_is_not_waiting_for_a_room_until_brought_back(
        cast, centralized_iso, site):
    """The site board offers a room (or a transfer in) to those in centralized quarantine with
    no room and nothing on the way. Sent home to finish there, or to a hospital, they are not
    waiting for one; a transfer back to a site that arrives makes them so again."""
    def waiting():
        return list(selectors.centralized_awaiting_room(cast.staff_c1)
                    .values_list("pk", flat=True))

    assert waiting() == [centralized_iso.pk]  # started, not placed yet
    in_room(cast, site, centralized_iso)
    assert waiting() == []
    for away in ("市人民医院", "阳光花园1栋"):  # a hospital, then home
        services.transfer_set_status(transfer=plan(cast, centralized_iso, to_place=away),
                                     status="arrived", actor=cast.staff_c1)
        assert waiting() == []
    services.transfer_set_status(transfer=plan(cast, centralized_iso, site), status="arrived",
                                 actor=cast.staff_c1)
    assert waiting() == [centralized_iso.pk]  # back at the site, without a room yet


def test_the_persons_page_says_where_they_are_after_leaving_the_site(cast, roster,
                                                                     centralized_iso, site):
    """Still in centralized quarantine on paper, arrived home: the page says where they are
    now, in the reader's language; back at a site, the site again."""
    in_room(cast, site, centralized_iso)
    home = plan(cast, centralized_iso, to_place=roster.h1.address)
    services.transfer_set_status(transfer=home, status="arrived", actor=cast.staff_c1)
    home.refresh_from_db()
    day = timezone.localtime(home.status_at).strftime("%m-%d")
    c = login("staff_c1")
    page = c.get(f"/isolation/{centralized_iso.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert f"现在在：{roster.h1.address}（{day} 到达）" in page.content.decode()
    page = c.get(f"/isolation/{centralized_iso.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert f"Now at {roster.h1.address} (arrived {day})" in page.content.decode()
    services.transfer_set_status(transfer=plan(cast, centralized_iso, site), status="arrived",
                                 actor=cast.staff_c1)
    page = c.get(f"/isolation/{centralized_iso.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Now at" not in page and site.name in page
