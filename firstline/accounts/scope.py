"""The one scope primitive every query a user can trigger goes through.

Scope is **per permission**: for the permission in play, the subtrees of the user's role
assignments that GRANT it — never the union of all their areas. (A gate-duty of one community
who is also grid worker elsewhere sees nothing of the first community's residents: people.view
comes from the grid-worker role, so it reaches only that grid.) Outside it, an object does not
exist for them (404, the same answer as "missing").

The permission in play is the one named (`perm=`), else the last one `require_perm` granted
for this user object (a request's user: the view or endpoint's own check). With neither, the
scope is empty: no permission named, nothing visible.
"""

from functools import reduce
from operator import or_

from django.db.models import Q

from .roles import ALL_PERMS, ROLE_PERMS

# "Any of the user's roles": only for what every role may see of its own areas (the area tree).
ANY_ROLE = "*"


def perm_in_play(user) -> str | None:
    """The permission the current action was allowed by (set by accounts.services.require_perm)."""
    return getattr(user, "__dict__", {}).get("_perm_in_play")


def perm_put_in_play(user, perm: str) -> None:
    if hasattr(user, "__dict__"):
        user.__dict__["_perm_in_play"] = perm


def perm_or(user, perm: str | None, default: str) -> str:
    """The permission a selector scopes by: the one named, else the one in play, else the
    selector's own read permission (`default`)."""
    return perm or perm_in_play(user) or default


def scope_paths(user, perm: str | None = None) -> list[str]:
    """Materialized paths of the areas where the user holds `perm` (default: the permission
    in play) through one of their role assignments."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    perm = perm or perm_in_play(user)
    if perm is None:
        return []  # fail closed: a scope is always for a permission
    cache = user.__dict__.setdefault("_scope_cache", {})
    if perm not in cache:
        rows = _assignments(user)
        paths = sorted({p for role, p in rows
                        if perm == ANY_ROLE or perm in ROLE_PERMS.get(role, ())})
        # Drop paths already covered by an ancestor path: fewer OR terms.
        kept = []
        for p in paths:
            if not path_within(p, kept):
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
    """Rows whose area `field` lies inside one of the subtrees where the user holds `perm`
    (default: the permission in play).

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


def path_within(path: str, paths) -> bool:
    """Is the area at `path` inside a subtree rooted at one of `paths`? (`area_scope`, for an
    area already in hand.)"""
    return any(path.startswith(p) for p in paths)


def in_scope(user, area, perm: str | None = None) -> bool:
    """Does `area` (an Area or its path) lie in the user's scope for `perm`?"""
    if area is None:
        return False
    return path_within(area if isinstance(area, str) else area.path, scope_paths(user, perm))
