"""Reads of the residents' side, always through the acting user's scope for the permission
in play (a declaration or tip-off belongs to its area: the grid of the place, or the
community when the place is not on the roster)."""

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from firstline.accounts.scope import area_scope, scope_paths
from firstline.areas.models import Area, subtree_q

from .models import Declaration, Notice, NoticeAttachment, Tip

SCREEN = "people.screen"


def declarations_visible_to(user, perm: str = SCREEN) -> QuerySet[Declaration]:
    """Scoped; `on_roster` is the resident with the declared ID number now (a newcomer added
    at the door after the declaration came in is matched too), `roster_household` their
    household (a declared household other than it is a move)."""
    from firstline.people.models import Resident

    person = Resident.objects.filter(id_number=OuterRef("id_number"))
    return (Declaration.objects.filter(area_scope(user, "area", perm))
            .annotate(on_roster=Subquery(person.values("pk")[:1]),
                      roster_household=Subquery(person.values("household_id")[:1])))


def roster_residencies(user, resident_ids, perm: str = SCREEN) -> dict:
    """{resident id: residency} of the residents the user may see for `perm`; the others
    are absent (a person on another area's roster: the worker learns nothing of the record)."""
    from firstline.people.selectors import residents_visible_to

    return dict(residents_visible_to(user, perm).filter(pk__in=list(resident_ids))
                .values_list("pk", "residency"))


def declaration_get_for_user(user, pk) -> Declaration:
    return get_object_or_404(declarations_visible_to(user), pk=pk)


def declarations_in(qs: QuerySet[Declaration], *, area: Area | None = None,
                    status: str = "") -> QuerySet[Declaration]:
    if area is not None:
        qs = qs.filter(subtree_q(area, "area"))
    if status:
        qs = qs.filter(status=status)
    return qs


def tips_visible_to(user, perm: str = SCREEN) -> QuerySet[Tip]:
    return Tip.objects.filter(area_scope(user, "area", perm))


def tip_get_for_user(user, pk) -> Tip:
    return get_object_or_404(tips_visible_to(user).select_related("area", "reward__store"), pk=pk)


def tips_in(qs: QuerySet[Tip], *, area: Area | None = None, status: str = "",
            now=None) -> QuerySet[Tip]:
    if area is not None:
        qs = qs.filter(subtree_q(area, "area"))
    if status == "overdue":
        qs = qs.filter(status="open", due_at__lt=now)
    elif status:
        qs = qs.filter(status=status)
    return qs


def notice_areas_default(areas) -> list[str]:
    """The areas a new notice goes to unless the author chooses: the top ones of those they
    may publish to (their whole community; a street's staff, each of its communities), not
    the grids inside them."""
    paths = [a.path for a in areas]
    return [a.code for a in areas
            if not any(a.path != p and a.path.startswith(p) for p in paths)]


def notices_visible_to(user, perm: str = "people.view") -> QuerySet[Notice]:
    """Notices for an area inside the user's scope, or for an area containing it (a grid
    worker sees the community's notice: it is for the households of their grid too)."""
    ancestors = {p[: i + 1] for p in scope_paths(user, perm)
                 for i, c in enumerate(p) if c == "/" and i > 0}
    through = Notice.areas.through.objects.filter(notice_id=OuterRef("pk")).filter(
        area_scope(user, "area", perm) | Q(area__path__in=ancestors))
    return Notice.objects.filter(Exists(through))


def notice_get_for_user(user, pk, perm: str = "people.view") -> Notice:
    return get_object_or_404(notices_visible_to(user, perm), pk=pk)


def notice_for_token(token: str) -> Notice | None:
    if not token or len(token) > 32:
        return None
    return Notice.objects.filter(token=token).first()


def notice_attachment_for_token(token: str, pk) -> NoticeAttachment | None:
    """An attachment of the notice with this link (public: the link is the key)."""
    notice = notice_for_token(token)
    if notice is None:
        return None
    return NoticeAttachment.objects.filter(notice=notice, pk=pk).first()


def notices_reach_for(user, area: Area, *, limit: int = 3) -> list[dict]:
    """The latest notices the user sees that reach `area`, with their reach inside it and
    per building: the dashboard's 宣传覆盖 section."""
    from .services import notice_reach, notice_reach_by_building

    rows = []
    for notice in notices_visible_to(user, "reports.dashboard")[:limit * 3]:
        reach = notice_reach(notice, within=area)
        if reach["households"]:
            rows.append({"notice": notice, **reach,
                         "buildings": notice_reach_by_building(notice, within=area)})
        if len(rows) == limit:
            break
    return rows
