"""A bearer token is checked on every request, in one query that also reads the user's roles:
nothing about the token, the user or their roles may be remembered from an earlier request."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from firstline.accounts.models import ApiToken, RoleAssignment
from firstline.accounts.services import token_create, token_revoke, token_user, user_assign


def get_area(token, code):
    return Client().get(f"/api/v1/areas/{code}", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_token_revoked_between_two_requests_stops_working_at_once(cast):
    plain, token = token_create(user=cast.staff_c1)
    assert get_area(plain, "C1").status_code == 200
    token_revoke(token=token)
    assert get_area(plain, "C1").status_code == 401


def test_a_role_added_after_a_request_applies_to_the_next(cast, areas):
    plain, _ = token_create(user=cast.staff_c1)
    assert get_area(plain, "C2").status_code == 404
    user_assign(username="staff_c1", role="community_staff", area=areas.c2)
    assert get_area(plain, "C2").status_code == 200


def test_a_role_removed_after_a_request_applies_to_the_next(cast):
    plain, _ = token_create(user=cast.staff_c1)
    assert get_area(plain, "C1").status_code == 200
    RoleAssignment.objects.filter(user=cast.staff_c1).delete()
    assert get_area(plain, "C1").status_code == 404


def test_token_user_is_a_full_user_with_every_assignment(cast, areas):
    user_assign(username="grid_a", role="gate_duty", area=areas.c2)
    plain, _ = token_create(user=cast.grid_a)
    user = token_user(plain)
    assert user.pk == cast.grid_a.pk and user.username == "grid_a" and user.is_active
    assert user.date_joined == type(user).objects.get(pk=user.pk).date_joined
    assert timezone.is_aware(user.date_joined)
    from firstline.accounts.scope import has_perm, scope_paths

    assert has_perm(user, "access.scan") and has_perm(user, "people.screen")
    assert scope_paths(user, "people.screen") == [areas.g1a.path]
    assert scope_paths(user, "access.scan") == sorted([areas.g1a.path, areas.c2.path])


def test_a_user_without_roles_still_authenticates_with_no_permissions(cast):
    plain, _ = token_create(user=cast.nobody)
    user = token_user(plain)
    assert user is not None and user.pk == cast.nobody.pk
    from firstline.accounts.scope import scope_paths, user_perms

    assert user_perms(user) == frozenset() and scope_paths(user) == []


def test_last_used_is_written_at_most_every_five_minutes(cast):
    plain, token = token_create(user=cast.staff_c1)
    token_user(plain)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    token_user(plain)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=6))
    token_user(plain)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first - timedelta(minutes=6)
