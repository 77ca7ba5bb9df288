"""Admin: read-only records. Isolations, readings, alerts, lockdowns and room stays change
only through the services (which check roles, keep the invariants and audit); sites and rooms
are edited on the isolation pages for the same reason."""

from django.contrib import admin

from .models import Alert, Isolation, Lockdown, QuarantineSite, Reading, Room, RoomStay, Transfer


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Isolation)
class IsolationAdmin(ReadOnly):
    list_display = ("pk", "kind", "reason", "grid", "starts_on", "ends_on", "status", "ended_on",
                    "rule_version")
    list_filter = ("kind", "status", "reason")
    exclude = ("report_digest", "report_key")
    raw_id_fields = ("resident", "household", "lockdown", "site")


@admin.register(Reading)
class ReadingAdmin(ReadOnly):
    list_display = ("pk", "isolation", "taken_at", "temperature", "fever", "source")
    list_filter = ("fever", "source")
    raw_id_fields = ("isolation",)


@admin.register(Alert)
class AlertAdmin(ReadOnly):
    list_display = ("pk", "kind", "status", "area", "opened_at", "owner", "resolved_at")
    list_filter = ("kind", "status")
    raw_id_fields = ("resident", "household", "isolation")


@admin.register(Lockdown)
class LockdownAdmin(ReadOnly):
    list_display = ("pk", "compound", "building", "starts_on", "ends_on", "lifted_at")


@admin.register(QuarantineSite)
class SiteAdmin(ReadOnly):
    list_display = ("name", "area", "address", "active")


@admin.register(Room)
class RoomAdmin(ReadOnly):
    list_display = ("site", "number", "floor", "beds", "status", "cleaned_at")
    list_filter = ("status",)


@admin.register(RoomStay)
class RoomStayAdmin(ReadOnly):
    list_display = ("room", "lead", "family_reason", "started_at", "ended_at")
    raw_id_fields = ("isolation", "resident", "household")


@admin.register(Transfer)
class TransferAdmin(ReadOnly):
    list_display = ("pk", "from_place", "to_site", "pickup_at", "vehicle", "status")
    list_filter = ("status",)
