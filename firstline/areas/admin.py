from django.contrib import admin

from .models import Area


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "depth")
    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
    readonly_fields = ("path", "depth")

    def save_model(self, request, obj, form, change):
        from .services import area_path_refresh

        super().save_model(request, obj, form, change)
        if "parent" in form.changed_data or not change:
            area_path_refresh(obj)
