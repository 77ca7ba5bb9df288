from django import template

from firstline.assistance.selectors import mask_phone as _mask

register = template.Library()


@register.filter
def mask_phone(value):
    """138****5678"""
    return _mask(value or "")
