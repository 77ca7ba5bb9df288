"""A kit kind added twice at the same instant (a double tap, two workers): one kind (and one
operations item for it); the loser gets the 409 a sequential duplicate gets, never a 500."""

import pytest

from firstline.assistance import services
from firstline.assistance.models import PackageKind
from firstline.operations.models import Item

from ..conftest import race_create


@pytest.mark.django_db(transaction=True)
def test_a_kit_kind_added_at_once_is_one_kind(file_database, cast):
    def add(i):
        return services.package_kind_create(name="老人包", contents="米 面 油",
                                            actor=cast.staff_c1)

    kind, answer = race_create(4, add, PackageKind)
    assert (answer.code, answer.status, answer.field) == ("duplicate", 409, "name")
    assert PackageKind.objects.filter(name="老人包").count() == 1
    assert list(Item.objects.filter(code__startswith="kit-").values_list("code", flat=True)) \
        == [f"kit-{kind.pk}"]
