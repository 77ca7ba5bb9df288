"""The one mask function (people.services.mask_phone / mask_id_number) for templates:
{% load people_masks %} … {{ visitor.phone|masked_phone }}."""

from django import template

from firstline.people.services import mask_id_number, mask_in_text, mask_phone

register = template.Library()


@register.filter(name="masked_phone")
def masked_phone(value):
    """138****5678"""
    return mask_phone(value or "")


@register.filter(name="masked_id_number")
def masked_id_number(value):
    """110***********123X"""
    return mask_id_number(value or "")


@register.filter(name="masked_text")
def masked_text(value):
    """Free text with the ID numbers and mobiles typed into it masked (mask_in_text); still
    escaped by the template."""
    return mask_in_text(value or "")
