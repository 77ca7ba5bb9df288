from typing import Any

from ninja import Field, Schema
from ninja.pagination import PaginationBase


class Paged(PaginationBase):
    """`?page=` from 1, `?page_size=` up to 500 → {"items": [...], "count": total}."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int = Field(50, ge=1, le=500)

    class Output(Schema):
        items: list[Any]
        count: int

    items_attribute = "items"

    def paginate_queryset(self, queryset, pagination: Input, **params):
        offset = (pagination.page - 1) * pagination.page_size
        return {
            "items": list(queryset[offset : offset + pagination.page_size]),
            "count": len(queryset) if isinstance(queryset, list) else queryset.count(),
        }
