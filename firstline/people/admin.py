from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from firstline.accounts.actions import AuditAction

from . import services
from .importer import id_number_problem
from .models import (
    Building,
    Compound,
    Household,
    ImportJob,
    KeyPerson,
    KeyPersonCategory,
    Placement,
    Resident,
    Responsibility,
    RiskArea,
    ScreeningVisit,
    VisitPerson,
)


@admin.register(Compound)
class CompoundAdmin(admin.ModelAdmin):
    list_display = ("name", "area", "address")
    search_fields = ("name", "area__name", "area__code")
    raw_id_fields = ("area",)


class BuildingAdminForm(forms.ModelForm):
    class Meta:
        model = Building
        fields = ["compound", "name"]

    def clean_name(self):
        return services.building_name_normalize(self.cleaned_data["name"])


class HouseholdAdminForm(forms.ModelForm):
    """1栋 2单元 102室 typed here is the household 1/2/102, as on import."""

    class Meta:
        model = Household
        fields = ["compound", "building", "building_name", "unit", "room", "grid"]

    def clean(self):
        data = super().clean()
        data["building_name"], data["unit"], data["room"] = (
            services.household_address_normalize(building=data.get("building_name", ""),
                                                 unit=data.get("unit", ""),
                                                 room=data.get("room", "")))
        return data


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    form = BuildingAdminForm
    list_display = ("name", "compound")
    search_fields = ("name", "compound__name")
    raw_id_fields = ("compound",)


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    form = HouseholdAdminForm
    list_display = ("__str__", "grid", "created_at")
    search_fields = ("compound__name", "building_name", "room")
    raw_id_fields = ("compound", "building", "grid")
    list_select_related = ("compound", "grid")


class PlacementInline(admin.TabularInline):
    model = Placement
    extra = 0
    raw_id_fields = ("household", "grid")


class ResidentAdminForm(forms.ModelForm):
    """The ID number is never sent to the page (audit F4): the page shows it masked, and a
    blank "New ID number" replaces it only when typed (checked as an import checks it)."""

    new_id_number = forms.CharField(
        label=_("New ID number"), required=False, max_length=40,
        help_text=_("Leave empty to keep the ID number shown masked above; type a new one "
                    "only to replace it."))

    class Meta:
        model = Resident
        fields = ["name", "sex", "birth_date", "phone", "residency", "grid", "household",
                  "note", "created_at", "updated_at"]  # never id_number

    def clean_new_id_number(self):
        value = "".join(self.cleaned_data.get("new_id_number", "").split()).upper()
        if not value:
            if self.instance.pk is None:
                raise ValidationError(_("Type the ID number."))
            return ""
        problem = id_number_problem(value)
        if problem:
            raise ValidationError(problem)
        if Resident.objects.exclude(pk=self.instance.pk).filter(id_number=value).exists():
            raise ValidationError(_("Another resident already has this ID number."))
        return value

    def clean(self):
        data = super().clean()
        if data.get("new_id_number"):
            self.instance.id_number = data["new_id_number"]
        return data


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    """The ID number is shown masked (mask_id_number) and replaced only by typing a new one
    (ResidentAdminForm); the phone is shown as stored, so opening the page is a full read."""

    form = ResidentAdminForm
    readonly_fields = ("id_number_masked",)
    fields = ("name", "id_number_masked", "new_id_number", "sex", "birth_date", "phone",
              "residency", "grid", "household", "note", "created_at", "updated_at")

    @admin.display(description=_("ID number"))
    def id_number_masked(self, obj):
        return (services.mask_id_number(obj.id_number) if obj is not None else "") or "—"

    list_display = ("name", "sex", "birth_date", "residency", "grid", "household")
    list_filter = ("residency", "sex")
    search_fields = ("name", "=id_number", "phone")
    raw_id_fields = ("grid", "household")
    list_select_related = ("grid", "household__compound")
    inlines = [PlacementInline]

    # Full reads in the admin are audited like any other (who, whom, when, via "admin").
    def change_view(self, request, object_id, form_url="", extra_context=None):
        from firstline.accounts.services import audit

        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and getattr(response, "status_code", 0) == 200:
            audit(actor=request.user, action=AuditAction.RESIDENT_READ_FULL,
                  object_type="people.resident",
                  object_id=str(object_id)[:64], detail="admin change page", via="admin")
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        query = request.GET.get("q", "").strip()
        if query and getattr(response, "status_code", 0) == 200:
            # The search term may be an ID number or a phone: not written to the log. The
            # row is about the area of what was found, for that area's auditors to see.
            cl = getattr(response, "context_data", {}).get("cl")
            if cl is not None:
                services.resident_search_audit(actor=request.user, found=cl.queryset,
                                               count=cl.result_count)
            else:
                services.resident_search_audit(actor=request.user,
                                               found=Resident.objects.none(), count=0)
        return response


@admin.register(Placement)
class PlacementAdmin(admin.ModelAdmin):
    list_display = ("resident", "household", "grid", "since", "until")
    raw_id_fields = ("resident", "household", "grid")


@admin.register(RiskArea)
class RiskAreaAdmin(admin.ModelAdmin):
    list_display = ("province", "city", "level", "since", "until", "source")
    list_filter = ("level",)
    search_fields = ("province", "city")


@admin.register(KeyPersonCategory)
class KeyPersonCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_zh_hant", "name_en", "auto", "order", "active")
    list_editable = ("order", "active")


class HistoryReadOnly:
    """History rows (screening visits, key-person facts) are evidence: read-only here, and
    corrected only through the services, which record who and why."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class VisitPersonInline(HistoryReadOnly, admin.StackedInline):
    model = VisitPerson
    extra = 0
    raw_id_fields = ("resident",)


@admin.register(ScreeningVisit)
class VisitAdmin(HistoryReadOnly, admin.ModelAdmin):
    list_display = ("household", "worker", "visited_at", "nobody_home", "by_phone")
    raw_id_fields = ("household", "grid", "worker")
    date_hierarchy = "visited_at"
    inlines = [VisitPersonInline]


@admin.register(KeyPerson)
class KeyPersonAdmin(HistoryReadOnly, admin.ModelAdmin):
    list_display = ("resident", "category", "since", "until", "source")
    list_filter = ("category", "source")
    raw_id_fields = ("resident", "source_visit", "closed_by_visit")


@admin.register(Responsibility)
class ResponsibilityAdmin(admin.ModelAdmin):
    list_display = ("resident", "cadre", "grid_worker", "helper_name", "updated_at")
    raw_id_fields = ("resident", "cadre", "grid_worker", "updated_by")


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("filename", "created_by", "state", "dry_run", "imported", "updated",
                    "rejected", "created_at")
    list_filter = ("state",)
    readonly_fields = ("path", "lease_until")
