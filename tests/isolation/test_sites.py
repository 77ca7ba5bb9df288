import threading

import pytest
from django.db import connection

from firstline.isolation import services
from firstline.isolation.models import Isolation, Room, RoomStatus, RoomStay, TransferStatus

from .conftest import local, make_resident, start


@pytest.fixture
def site(cast, areas):
    """Overrides conftest's `site`: with an address and rooms 101, 102 (one bed) and 201 (two)."""
    s = services.site_create(area=areas.c1, name="凤台宾馆", address="淮河路8号", actor=cast.staff_c1)
    services.rooms_add(site=s, numbers=["101", "102"], actor=cast.staff_c1)
    services.rooms_add(site=s, numbers=["201"], beds=2, actor=cast.staff_c1)
    return s


def room(site, number):
    return Room.objects.get(site=site, number=number)


def central(cast, resident):
    return start(cast, resident, kind="centralized")


def assign(cast, site, number, iso, reason=""):
    return services.room_assign(room=room(site, number), isolation=iso, family_reason=reason,
                                actor=cast.staff_c1, now=local(2026, 3, 1, 12))


@pytest.mark.django_db
def test_first_person_takes_the_room(cast, roster, site):
    stay = assign(cast, site, "101", central(cast, roster.a1))
    assert stay.lead and room(site, "101").status == RoomStatus.OCCUPIED


@pytest.mark.django_db
def test_room_never_holds_two_unrelated_people(cast, roster, site):
    assign(cast, site, "201", central(cast, roster.a1))
    with pytest.raises(services.RuleViolation) as e:
        assign(cast, site, "201", central(cast, roster.b1), reason="we are friends")
    assert e.value.code == "room_taken"
    assert RoomStay.objects.filter(room=room(site, "201")).count() == 1


@pytest.mark.django_db
def test_family_may_share_with_a_reason_up_to_the_beds(cast, roster, site):
    assign(cast, site, "201", central(cast, roster.a1))
    with pytest.raises(services.InvalidInput):
        assign(cast, site, "201", central(cast, roster.a2))
    assign(cast, site, "201", Isolation.objects.get(resident=roster.a2), reason="母子同住")
    third = central(cast, make_resident(roster.h1, "王小宝"))
    with pytest.raises(services.RuleViolation) as e:
        assign(cast, site, "201", third, reason="family")
    assert e.value.code == "room_full"


@pytest.mark.django_db
def test_family_cannot_exceed_a_single_room(cast, roster, site):
    assign(cast, site, "101", central(cast, roster.a1))
    with pytest.raises(services.RuleViolation):
        assign(cast, site, "101", central(cast, roster.a2), reason="husband and wife")


@pytest.mark.django_db
def test_home_isolation_gets_no_room(cast, roster, site):
    with pytest.raises(services.RuleViolation) as e:
        assign(cast, site, "101", start(cast, roster.a1))
    assert e.value.code == "not_centralized"


@pytest.mark.django_db
def test_release_frees_the_room_for_cleaning_then_next_stay(cast, roster, site):
    iso = central(cast, roster.a1)
    assign(cast, site, "101", iso)
    services.isolation_release(isolation=iso, reason="negative", actor=cast.staff_c1,
                               now=local(2026, 3, 5))
    assert room(site, "101").status == RoomStatus.CLEANING
    with pytest.raises(services.RuleViolation) as e:
        assign(cast, site, "101", central(cast, roster.b1))
    assert e.value.code == "room_needs_cleaning"
    services.room_mark_cleaned(room=room(site, "101"), actor=cast.grid_a, now=local(2026, 3, 5, 14))
    assign(cast, site, "101", Isolation.objects.get(resident=roster.b1, status="active"))


@pytest.mark.django_db
def test_isolation_reaching_its_end_frees_the_room(cast, roster, site):
    iso = start(cast, roster.a1, kind="centralized", days=2)
    assign(cast, site, "101", iso)
    services.check_missed_reports(now=local(2026, 3, 3, 0, 5))
    assert room(site, "101").status == RoomStatus.CLEANING


@pytest.mark.django_db
def test_transfer_moves_through_its_statuses(cast, roster, site):
    iso = central(cast, roster.a1)
    t = services.transfer_create(isolation=iso, from_place="阳光花园1栋", to_site=site,
                                 pickup_at=local(2026, 3, 1, 15), vehicle="皖D·12345",
                                 escort="赵医生", actor=cast.staff_c1, now=local(2026, 3, 1, 12))
    services.transfer_set_status(transfer=t, status="en_route", actor=cast.grid_a)
    services.transfer_set_status(transfer=t, status="arrived", actor=cast.grid_a)
    iso.refresh_from_db()
    assert iso.site == site
    with pytest.raises(services.RuleViolation):
        services.transfer_set_status(transfer=t, status=TransferStatus.CANCELLED, actor=cast.grid_a)


@pytest.mark.django_db(transaction=True)
def test_two_workers_assigning_one_room_at_once_give_it_to_one(file_database, cast, roster,
                                                              site):
    first, second = central(cast, roster.a1), central(cast, roster.b1)
    target = room(site, "201")
    barrier = threading.Barrier(2)
    results = []

    def go(iso):
        try:
            barrier.wait()
            services.room_assign(room=target, isolation=iso, actor=cast.staff_c1,
                                 family_reason="", now=local(2026, 3, 1, 12))
            results.append("ok")
        except services.RuleViolation as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(iso,)) for iso in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "room_taken"]
    assert RoomStay.objects.filter(room=target, ended_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_room_out_of_service_takes_nobody_until_back(cast, roster, site):
    services.room_set_closed(room=room(site, "102"), closed=True, actor=cast.staff_c1)
    with pytest.raises(services.RuleViolation) as e:
        assign(cast, site, "102", central(cast, roster.a1))
    assert e.value.code == "room_closed"
    services.room_set_closed(room=room(site, "102"), closed=False, actor=cast.staff_c1)
    assign(cast, site, "102", Isolation.objects.get(resident=roster.a1))
    with pytest.raises(services.RuleViolation):
        services.room_set_closed(room=room(site, "102"), closed=True, actor=cast.staff_c1)
