"""Forms of the lists pages: a refused form is shown again with what was typed, each error
beside its labelled field, in the user's language (the services still decide; these only
parse and label). The labels are the models' own words, so a service's message naming a
field (`returned_on`, `sampled_on`) is said with the label the user sees (errors.form_refuse).
"""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from firstline.apitypes import date_parse
from firstline.errors import InvalidInput
from firstline.forms import OnceForm
from firstline.people.forms import SYMPTOMS
from firstline.texts import listing

from .models import CaseStatus, Result, TestResult, Verification


def _label(model, name: str):
    return capfirst(model._meta.get_field(name).verbose_name)


class DayField(forms.CharField):
    """A date input read by date_parse: the same words and the same bound (1900 to
    2199) as the API and the command line."""

    widget = forms.DateInput(attrs={"type": "date"})

    def to_python(self, value):
        value = super().to_python(value)
        try:
            return date_parse(value, field="", label=str(self.label))
        except InvalidInput as exc:
            raise forms.ValidationError(exc.detail) from None


class _Offered:
    """A refusal that names the field and the offered choices by their labels, never codes."""

    def validate(self, value):
        try:
            super().validate(value)
        except forms.ValidationError:
            raise forms.ValidationError(
                _("%(field)s: choose one of %(choices)s.")
                % {"field": self.label, "choices": listing(label for _v, label in self.choices
                                                           if _v)}) from None


class OfferedChoiceField(_Offered, forms.ChoiceField):
    """A choice among the offered ones."""


class OfferedMultipleChoiceField(_Offered, forms.MultipleChoiceField):
    """Ticks among the offered choices."""


class AnswerForm(forms.Form):
    """The outcome of one verification item (the buttons send `result`; the one-tap answer
    from a recorded fact sends its `source` too)."""

    result = OfferedChoiceField(label=_label(Verification, "result"), choices=Result.choices)
    temperature = forms.CharField(label=_label(Verification, "temperature"), required=False)
    # The symptom ticks of the screening visit and the isolation reading (one vocabulary);
    # stored as the visit stores them: codes joined by commas, as the API sends them.
    symptoms = OfferedMultipleChoiceField(label=_label(Verification, "symptoms"),
                                          required=False, choices=SYMPTOMS,
                                          widget=forms.CheckboxSelectMultiple)
    from_province = forms.CharField(label=_label(Verification, "from_province"),
                                    required=False, max_length=30)
    from_city = forms.CharField(label=_label(Verification, "from_city"), required=False,
                                max_length=30)
    returned_on = DayField(label=_label(Verification, "returned_on"), required=False)
    note = forms.CharField(label=_label(Verification, "note"), required=False, max_length=200)
    source = forms.CharField(label=gettext_lazy("Source"), required=False,
                             widget=forms.HiddenInput)

    MORE = ("symptoms", "from_province", "from_city", "returned_on", "note")  # folded

    def clean_symptoms(self) -> str:
        return ",".join(self.cleaned_data["symptoms"])

    def more_open(self) -> bool:
        """Whether the folded part holds something typed or refused (shown open then)."""
        return any(self.data.get(name) or name in self.errors for name in self.MORE)


class CaseForm(forms.Form):
    """Record a case by the resident's ID number."""

    id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=30)
    status = OfferedChoiceField(label=gettext_lazy("Status"), choices=CaseStatus.choices)
    on = DayField(label=gettext_lazy("Date"), required=False)
    source = forms.CharField(label=gettext_lazy("Source"), max_length=200, required=False,
                             widget=forms.TextInput(
                                 attrs={"placeholder": gettext_lazy("e.g. county CDC")}))
    contacts = forms.CharField(
        label=gettext_lazy("Close contacts, one a line: name, phone or ID number, address"),
        required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, today=None, **kwargs):
        kwargs.setdefault("auto_id", "case-%s")  # two forms on one page: ids of their own
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = today.isoformat() if today else None


class TestResultForm(OnceForm):
    """A nucleic-acid result by the resident's ID number (once per rendering of the form)."""

    id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=30)
    sampled_on = DayField(label=_label(TestResult, "sampled_on"), required=False)
    result = OfferedChoiceField(label=_label(TestResult, "result"),
                                choices=TestResult.Outcome.choices)
    case = OfferedChoiceField(label=gettext_lazy("If positive"), required=False, choices=[
        ("", gettext_lazy("only record the result")),
        ("confirmed", gettext_lazy("make the case: confirmed")),
        ("asymptomatic", gettext_lazy("make the case: asymptomatic"))])

    def __init__(self, *args, today=None, **kwargs):
        kwargs.setdefault("auto_id", "test-%s")
        super().__init__(*args, **kwargs)
        self.fields["sampled_on"].initial = today.isoformat() if today else None

