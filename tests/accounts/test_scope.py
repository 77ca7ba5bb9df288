from firstline.accounts.roles import Role
from firstline.accounts.scope import ANY_ROLE, area_scope, has_perm, in_scope, scope_paths
from firstline.accounts.services import user_assign
from firstline.areas.models import Area


def visible_codes(user, perm=ANY_ROLE):
    return set(Area.objects.filter(area_scope(user, None, perm)).values_list("code", flat=True))


def test_grid_worker_sees_their_grid_only(cast):
    assert visible_codes(cast.grid_a) == {"G1a"}


def test_community_staff_sees_their_community_subtree(cast):
    assert visible_codes(cast.staff_c1) == {"C1", "G1a", "G1b"}


def test_scope_of_one_role_in_two_areas_is_both(cast, areas):
    user, _ = user_assign(username="grid_a", role="grid_worker", area=areas.g2a)
    user = type(user).objects.get(pk=user.pk)  # fresh: scope is cached per instance
    assert visible_codes(user, "people.view") == {"G1a", "G2a"}


# --- scope per permission: the areas of the roles that GRANT it -------------------------------

def two_roles(areas):
    """Gate duty of C1 and grid worker of G2a (the issue's leak)."""
    user, _ = user_assign(username="mixed", role=Role.GATE_DUTY, area=areas.c1)
    user_assign(username="mixed", role=Role.GRID_WORKER, area=areas.g2a)
    return type(user).objects.get(pk=user.pk)


def test_a_second_role_does_not_widen_the_first(cast, areas):
    user = two_roles(areas)
    assert visible_codes(user, "people.view") == {"G2a"}
    assert visible_codes(user, "people.view_full") == {"G2a"}
    assert visible_codes(user, "access.visitors") == {"C1", "G1a", "G1b"}
    assert not in_scope(user, areas.g1a, "alerts.handle")
    assert in_scope(user, areas.g1a, "access.visitors")


def test_no_permission_named_or_in_play_is_no_scope(cast):
    fresh = type(cast.staff_c1).objects.get(pk=cast.staff_c1.pk)
    assert scope_paths(fresh) == []


def test_require_perm_puts_the_permission_in_play(cast, areas):
    from firstline.accounts.services import require_perm

    user = two_roles(areas)
    require_perm(user, "access.visitors")
    assert visible_codes(user, None) == {"C1", "G1a", "G1b"}
    require_perm(user, "people.view")
    assert visible_codes(user, None) == {"G2a"}


def test_path_prefix_does_not_leak_into_a_sibling_with_a_longer_id(cast, areas):
    # /…/5/ must not match /…/50/: paths end with a separator.
    from firstline.areas.services import area_upsert

    for i in range(12):
        area_upsert(code=f"X{i}", name=f"x{i}", level="grid", parent=areas.c2)
    assert all(not c.startswith("X") for c in visible_codes(cast.grid_a))


def test_user_without_role_sees_nothing_and_may_nothing(cast):
    assert visible_codes(cast.nobody) == set()
    assert not has_perm(cast.nobody, "people.view")


def test_area_api_is_404_outside_scope_and_same_as_missing(api):
    client = api("staff_c1")
    assert client.get("/api/v1/areas/C1").status_code == 200
    outside = client.get("/api/v1/areas/C2")
    missing = client.get("/api/v1/areas/NOPE")
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json()


def test_area_api_shape(api):
    body = api("hq").get("/api/v1/areas/C1").json()
    assert body == {"code": "C1", "name": "一社区", "level": "community",
                    "parent_code": "99000101", "children": ["G1a", "G1b"]}


def test_unknown_api_path_is_a_json_404(api):
    response = api("hq").get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
