"""An item, a store, a working group or a donation receipt added twice at the same instant
(a double tap, two workers): one row; the loser gets the 409 a sequential duplicate gets,
never a 500."""

import pytest

from firstline.operations import services
from firstline.operations.models import Donation, Item, Store, WorkingGroup

from ..conftest import race_create


def _settled(add, made_type, field):
    _, answer = race_create(4, add, made_type)
    assert (answer.code, answer.status, answer.field) == ("duplicate", 409, field)


@pytest.mark.django_db(transaction=True)
def test_an_item_added_at_once_is_one_item(file_database, cast):
    _settled(lambda i: services.item_create(actor=cast.staff_c1, code="mask", name="口罩"),
             Item, "code")
    assert Item.objects.filter(code="mask").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_store_added_at_once_is_one_store(file_database, areas, cast):
    _settled(lambda i: services.store_create(actor=cast.staff_c1, code="S-C1", name="仓库",
                                             kind="community", area=areas.c1), Store, "code")
    assert Store.objects.filter(code="S-C1").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_working_group_added_at_once_is_one_group(file_database, areas, cast):
    _settled(lambda i: services.working_group_create(actor=cast.hq, area=areas.street,
                                                     name="物资保障组"), WorkingGroup,
             "name")
    assert WorkingGroup.objects.filter(area=areas.street, name="物资保障组").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_donation_receipt_recorded_at_once_is_one_donation(file_database, areas, cast):
    _settled(lambda i: services.donation_record(actor=cast.staff_c1, area=areas.c1,
                                                donor="张三", receipt_no="JZ-1", cash="100"),
             Donation, "receipt_no")
    assert Donation.objects.filter(area=areas.c1, receipt_no="JZ-1").count() == 1
