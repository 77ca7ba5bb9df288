from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from firstline import clock

from .models import ApiToken, AuditEntry, RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1
    raw_id_fields = ("area",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [RoleAssignmentInline]
    list_display = ("username", "display_name", "is_active", "last_login")
    fieldsets = BaseUserAdmin.fieldsets + ((_("Firstline"), {"fields": ("display_name", "phone")}),)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "hint", "label", "created_at", "expires_at", "revoked_at",
                    "last_used_at")
    readonly_fields = ("digest", "hint", "created_at", "last_used_at")
    actions = ["revoke"]

    @admin.action(description=_("Revoke selected tokens"))
    def revoke(self, request, queryset):

        queryset.filter(revoked_at__isnull=True).update(revoked_at=clock.now())

    def has_add_permission(self, request):
        return False  # tokens are created with `firstline token create` or POST /auth/token


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_id", "via")
    list_filter = ("action", "via")
    search_fields = ("object_id", "actor__username")

    def has_change_permission(self, request, obj=None):
        return False  # append-only

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "area")
    list_filter = ("role",)
    raw_id_fields = ("user", "area")
