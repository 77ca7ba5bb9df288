"""Forms of the staff pages of residents: a refused one comes back as typed, each error beside
its field (the services decide; these parse and label)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class TipForm(forms.Form):
    """A tip-off taken down by staff (from the phone line)."""

    community = forms.ChoiceField(label=_("Community"))
    # No max_length: the service says the limit rather than the browser cutting a paste.
    what = forms.CharField(label=_("What"), widget=forms.Textarea(attrs={"rows": 3}))
    where = forms.CharField(label=_("Where"), required=False)
    contact = forms.CharField(label=_("Contact"), required=False)

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(c.code, c.name) for c in communities]
