"""Admin: crossings (gate scans, visitors) are history — read-only. Passes, policies and
checkpoints change through the access pages and API, which check the role and audit."""

from django.contrib import admin

from .models import Crossing


@admin.register(Crossing)
class CrossingAdmin(admin.ModelAdmin):
    list_display = ("scanned_at", "subject", "direction", "decision", "reason", "checkpoint",
                    "temperature")
    list_filter = ("decision", "reason", "subject")
    date_hierarchy = "scanned_at"
    raw_id_fields = ("checkpoint", "household", "pass_obj", "policy", "actor", "compound", "area")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
