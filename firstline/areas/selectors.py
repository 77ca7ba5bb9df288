from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from firstline.accounts.scope import area_scope

from .models import Area


def areas_visible_to(user, perm: str | None = None) -> QuerySet[Area]:
    """Areas inside the user's scope for `perm` (default: the permission in play)."""
    return Area.objects.filter(area_scope(user, None, perm))


def area_get_for_user(user, code: str, perm: str | None = None) -> Area:
    """The area with `code` if it lies inside the user's scope for `perm` (default: the
    permission in play); 404 otherwise (same answer)."""
    return get_object_or_404(areas_visible_to(user, perm), code=code)


def area_subtree(area: Area) -> QuerySet[Area]:
    return Area.objects.subtree(area)
