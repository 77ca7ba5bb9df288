from django.apps import apps

from firstline.demo import build


def firstline_counts():
    return {m._meta.label: m.objects.count() for m in apps.get_models()
            if m._meta.app_label in {"areas", "accounts", "people", "access", "isolation",
                                     "assistance", "operations", "reports", "rules"}
            and m._meta.model_name not in {"loginfailure", "auditentry", "apitoken"}}


def test_demo_is_a_fengtai_like_street_with_every_role(db):
    ctx = build(residents_per_grid=2)
    assert len(ctx.communities) == 17
    assert len(ctx.grids) == 57
    assert {role for role, _area in ctx.users.values()} == {
        "admin", "street_staff", "community_staff", "grid_worker", "gate_duty", "auditor",
        "volunteer"}


def test_second_demo_run_adds_nothing(db):
    build(residents_per_grid=2)
    first = firstline_counts()
    build(residents_per_grid=2)
    assert firstline_counts() == first


def test_a_second_demo_run_prints_the_same_logins(db):
    first = build(residents_per_grid=2).users
    assert build(residents_per_grid=2).users == first


def test_fake_id_numbers_are_valid_resident_ids():
    import random

    from stdnum.cn import ric

    from firstline.demo.fake import fake_id_number

    rng = random.Random(1)
    for _ in range(500):
        number = fake_id_number(rng)
        # The GB 11643 check digit and a real birth date (stdnum's is_valid also wants the
        # region code in its own list, which lacks many real county codes).
        assert ric.calc_check_digit(number) == number[17]
        assert ric.get_birth_date(number)


def test_volunteer1_logs_in_to_an_errand_in_my_tasks(db):
    """operations' demo makes the login before assistance's gives it an errand; once."""
    from firstline.assistance.models import ServiceRequest

    errands = ServiceRequest.objects.filter(volunteer__username="volunteer1")
    build(residents_per_grid=2)
    assert [r.status for r in errands] == ["assigned"]  # on the first run already
    build(residents_per_grid=2)
    assert [r.status for r in errands] == ["assigned"]
