from ninja import Router, Schema

from firstline.accounts.scope import ANY_ROLE

from .selectors import area_get_for_user

router = Router()


class AreaOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None
    children: list[str]


@router.get("/areas/{code}", response=AreaOut, summary="One area and its direct children")
def area_detail(request, code: str):
    # Every role sees the tree of its own areas (names and codes only).
    area = area_get_for_user(request.user, code, ANY_ROLE)
    return {
        "code": area.code,
        "name": area.name,
        "level": area.level,
        "parent_code": area.parent.code if area.parent_id else None,
        "children": list(area.children.order_by("code").values_list("code", flat=True)),
    }
