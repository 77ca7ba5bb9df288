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


@register.simple_tag
def phone_reveal_reasons():
    """The short select of a phone reveal: [(code, label, preselected)], the full read's
    reasons but "other", "Contact the person" preselected (services.PHONE_REVEAL_REASONS)."""
    from firstline.assistance.services import PHONE_REVEAL_DEFAULT, PHONE_REVEAL_REASONS

    return [(code, label, code == PHONE_REVEAL_DEFAULT) for code, label in PHONE_REVEAL_REASONS]
