"""Pieces shared by the apps' HTML forms.

A form that creates something carries a hidden `event_id` (CONTRACT.md "Faults"): made when
the page is rendered, sent with the form, and sent again as it was when the browser resends
the same form (back and submit, "confirm form resubmission", a slow network). The service
then answers the first row (firstline.db.create_once) instead of writing a second one."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from firstline.errors import RuleViolation


def typed_id(value) -> int | None:
    """A row's id as typed in an address or a form field, or None. Decimal digits only, at
    most 18 of them: `str.isdigit()` also passes "²" and "①", which int() refuses, and int()
    refuses 4,300 digits and more — each a 500 where a page checked isdigit() and then looked
    the row up. None reads as "no such row" (a 404, or nothing picked)."""
    text = str(value if value is not None else "").strip()
    if text.isdecimal() and len(text) <= 18:
        return int(text)
    return None


class EventIdField(forms.UUIDField):
    """Hidden, a new uuid4 each time an unbound form is rendered; a posted value that is not a
    UUID (a hand-made request) reads as none, and the create then happens as before."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, initial=uuid.uuid4, **kwargs)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            return None


class OnceForm(forms.Form):
    """A form whose create happens once per rendering of the page: subclass it (or use it
    alone beside hand-written inputs, rendering `{{ once.event_id }}`). "_form_errors.html"
    renders its hidden input. A refused form re-rendered keeps the event_id it was sent with
    (nothing was written); one refused as `event_id_reused` gets a new one (see `refused`)."""

    event_id = EventIdField()

    def event_id_sent(self):
        """The UUID this form was sent with, or None."""
        self.is_valid()
        return getattr(self, "cleaned_data", {}).get("event_id")

    def refused(self, exc: RuleViolation) -> str:
        """The words to show for a service's refusal, for a view that shows them itself
        (form_refuse reaches `add_error` below)."""
        if exc.code != "event_id_reused":
            return exc.detail
        self._renew()
        return str(REUSED)

    def add_error(self, field, error):
        # `event_id_reused`: the same form sent again with other content (the back button,
        # then an edit). Said in the form's own terms, with a new event_id, so that sending
        # it once more creates it.
        if field == "event_id":
            self._renew()
            field, error = None, str(REUSED)
        super().add_error(field, error)

    def _renew(self):
        self.data = self.data.copy()
        self.data[self.add_prefix("event_id")] = str(uuid.uuid4())


REUSED = gettext_lazy("This form was already sent once with other content, which was saved. "
                      "Check it; to save this one too, send the form again.")
