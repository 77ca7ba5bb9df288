"""The demo gives every operations page something to show, once."""

from firstline.demo import build
from firstline.operations import demo
from firstline.operations.models import (
    Assignment,
    Donation,
    Movement,
    Place,
    Round,
    Stock,
    Task,
    Volunteer,
)


def _counts():
    return tuple(m.objects.count() for m in (Volunteer, Assignment, Place, Round, Stock,
                                             Movement, Donation, Task))


def test_demo_populates_once(db):
    import time_machine

    from tests.conftest import local

    with time_machine.travel(local(2026, 3, 1, 12), tick=True):
        _populate_twice()


def _populate_twice():
    ctx = build(residents_per_grid=2)
    first = _counts()
    volunteers, assignments, places, rounds, stock, movements, donations, tasks = first
    assert volunteers == 6 and assignments >= 3 and rounds == 1
    assert donations == 2 and tasks == 3 and stock >= 5
    assert Volunteer.objects.filter(confirmed_at__isnull=True).count() == 1
    assert Volunteer.objects.filter(user__username="volunteer1").exists()
    assert "volunteer1" in ctx.users
    demo.populate(ctx)
    assert _counts() == first
