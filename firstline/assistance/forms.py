"""Forms of the assistance app."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firstline.errors import RuleViolation
from firstline.forms import OnceForm
from firstline.isolation.services import text_field

from .models import RequestKind


class HelpForm(OnceForm):
    """"I need something" on an isolated resident's self-report page (no login); sent again
    by the browser, it is still one request (OnceForm)."""

    kind = forms.ChoiceField(label=_("What do you need?"), widget=forms.RadioSelect,
                             choices=RequestKind.choices)
    # No max_length: a browser's maxlength cuts a paste silently; the service says the limit.
    detail = forms.CharField(label=pgettext_lazy("isolation", "Details"),
                             widget=forms.Textarea(attrs={"rows": 3}))

    def clean_detail(self):
        try:
            return text_field(self.cleaned_data["detail"], field="detail",
                              label=self.fields["detail"].label, limit=500)
        except RuleViolation as exc:
            raise forms.ValidationError(exc.detail) from None
