from django import template

from firstline.people.services import mask_phone as _mask

register = template.Library()


@register.filter(name="mask_phone")
def phone_masked_filter(value):
    """138****5678"""
    return _mask(value or "")


@register.simple_tag
def self_report_help_form():
    """A blank "I need something" form for the isolation app's self-report page, which
    cannot import this app (isolation sits below assistance: docs in pyproject's layers)."""
    from firstline.assistance.forms import HelpForm

    return HelpForm()
