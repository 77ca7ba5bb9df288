"""Admin: kit kinds are edited here; stock, requests, calls and issues are read-only records
(they change only through the services, which audit and keep stock exact)."""

from django.contrib import admin

from .models import CareCall, PackageIssue, PackageKind, ServiceRequest


@admin.register(PackageKind)
class PackageKindAdmin(admin.ModelAdmin):
    list_display = ("name", "active", "contents")
    list_filter = ("active",)
    search_fields = ("name",)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ReadOnly):
    list_display = ("pk", "kind", "status", "grid", "source", "created_at", "delivered_at")
    list_filter = ("status", "kind", "source")


@admin.register(CareCall)
class CareCallAdmin(ReadOnly):
    list_display = ("household", "day", "slot", "outcome", "attempts", "worker", "at")
    list_filter = ("outcome", "slot")
    date_hierarchy = "day"


@admin.register(PackageIssue)
class PackageIssueAdmin(ReadOnly):
    list_display = ("kind", "household", "grid", "issued_by", "issued_at", "override_reason")
    list_filter = ("kind",)
