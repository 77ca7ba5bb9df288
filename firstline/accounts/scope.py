"""The one scope primitive every query a user can trigger goes through.

A user's scope is the union of the subtrees of the areas they are assigned to. Outside it,
an object does not exist for them (404, the same answer as "missing").
"""

from functools import reduce
from operator import or_

from django.db.models import Q

from .roles import ALL_PERMS, ROLE_PERMS


def scope_paths(user, perm: str | None = None) -> list[str]:
    """Materialized paths of the areas the user is assigned to (optionally: with `perm`)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cache = user.__dict__.setdefault("_scope_cache", {})
    if perm not in cache:
        rows = _assignments(user)
        paths = sorted({p for role, p in rows if perm is None or perm in ROLE_PERMS.get(role, ())})
        # Drop paths already covered by an ancestor path: fewer OR terms.
        kept = []
        for p in paths:
            if not any(p.startswith(k) for k in kept):
                kept.append(p)
        cache[perm] = kept
    return cache[perm]


def assignments_prefill(user, rows: list[tuple[str, str]]) -> None:
    """Give a freshly loaded user object its (role, area path) assignments, read in the same
    query that loaded it (accounts.services.token_user): scope_paths and user_perms then
    need no query of their own. Only for a user object made for one request."""
    user.__dict__["_assignments"] = list(rows)


def _assignments(user) -> list[tuple[str, str]]:
    prefilled = user.__dict__.get("_assignments")
    if prefilled is not None:
        return prefilled
    return list(user.assignments.values_list("role", "area__path"))


def area_scope(user, field: str | None, perm: str | None = None) -> Q:
    """Rows whose area `field` lies inside one of the user's assigned subtrees.

    `field` is the lookup to an Area from the model queried ("grid", "compound__area");
    None means the model queried is Area itself.
    """
    prefix = f"{field}__" if field else ""
    terms = (Q(**{f"{prefix}path__startswith": p}) for p in scope_paths(user, perm))
    return reduce(or_, terms, Q(pk__in=[]))


def user_perms(user) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cache = user.__dict__.setdefault("_perm_cache", None)
    if cache is None:
        prefilled = user.__dict__.get("_assignments")
        roles = ({role for role, _path in prefilled} if prefilled is not None
                 else set(user.assignments.values_list("role", flat=True)))
        cache = frozenset().union(*(ROLE_PERMS.get(r, frozenset()) for r in roles))
        if user.is_superuser:
            cache = ALL_PERMS
        user.__dict__["_perm_cache"] = cache
    return cache


def has_perm(user, perm: str) -> bool:
    return perm in user_perms(user)


def in_scope(user, area, perm: str | None = None) -> bool:
    return area is not None and any(area.path.startswith(p) for p in scope_paths(user, perm))
