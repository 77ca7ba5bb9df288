from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from firstline.accounts.scope import area_scope

from .models import Area


def areas_visible_to(user) -> QuerySet[Area]:
    return Area.objects.filter(area_scope(user, None))


def area_get_for_user(user, code: str) -> Area:
    """The area with `code` if it lies inside the user's scope; 404 otherwise (same answer)."""
    return get_object_or_404(areas_visible_to(user), code=code)


def area_subtree(area: Area) -> QuerySet[Area]:
    return Area.objects.filter(path__startswith=area.path)
