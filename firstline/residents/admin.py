"""Admin: read-only records. Declarations, tips, rewards and receipts change only through the
services (which check scope, keep one pending item per ID and one reward per tip, and audit)."""

from django.contrib import admin

from .models import Declaration, Notice, NoticeAck, Reward, Tip


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Declaration)
class DeclarationAdmin(ReadOnly):
    list_display = ("receipt", "area", "status", "returned_on", "created_at")
    list_filter = ("status",)
    exclude = ("id_number", "phone")  # personal data: read through the audited pages


@admin.register(Tip)
class TipAdmin(ReadOnly):
    list_display = ("receipt", "area", "status", "due_at", "created_at")
    list_filter = ("status", "source")
    exclude = ("contact",)


@admin.register(Reward)
class RewardAdmin(ReadOnly):
    list_display = ("tip", "item", "quantity", "status", "created_at", "issued_at")
    list_filter = ("status",)


@admin.register(Notice)
class NoticeAdmin(ReadOnly):
    list_display = ("title", "created_at", "created_by")
    exclude = ("token",)


@admin.register(NoticeAck)
class NoticeAckAdmin(ReadOnly):
    list_display = ("notice", "household", "at")
