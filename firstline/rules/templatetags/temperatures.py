"""The one way a page says a temperature (rules.temperature.temperature_text):
{% load temperatures %} … {{ reading.temperature|celsius }} → "38.2 °C" with a no-break space,
{{ alert.display_detail_beside_time|celsius_in_text }} for a text with temperatures in it."""

from django import template
from django.utils.safestring import SafeData, mark_safe

from firstline.rules.temperature import temperature_text, temperatures_unbroken

register = template.Library()


@register.filter(name="celsius", is_safe=True)
def celsius(value):
    """38.2 → "38.2\u00a0°C"; None → ""."""
    return temperature_text(value)


@register.filter(name="celsius_in_text")
def celsius_in_text(value):
    """A text with temperatures in it, each said as `celsius` says one ("37.8 °C · 阳光花园"
    → "37.8\u00a0°C · 阳光花园"). Escaped by the template as ever, unless the text was already
    safe (a message carrying a link, a blocktranslate … asvar): a no-break space put after a
    digit makes nothing unsafe, so it stays safe rather than escaped twice."""
    text = str(value) if value is not None else ""
    said = temperatures_unbroken(text)
    return mark_safe(said) if isinstance(text, SafeData) else said
