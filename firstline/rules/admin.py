from django.contrib import admin

from .models import Rule


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ("key", "value", "effective_from", "source")
    list_filter = ("key",)
