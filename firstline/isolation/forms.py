from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firstline.forms import OnceForm
from firstline.rules.temperature import TemperatureField

from .models import Kind, Reason, Symptom, TransferStatus


class SelfReportForm(OnceForm):
    """The resident's temperature on the self-report link (no login; the time is the
    server's); sent again by the browser, it is still one reading (OnceForm)."""

    temperature = TemperatureField(label=_("Temperature (°C)"))
    symptoms = forms.MultipleChoiceField(label=_("Symptoms"), choices=Symptom.choices,
                                         required=False, widget=forms.CheckboxSelectMultiple)


class ReadingForm(SelfReportForm):
    """A worker's reading on the isolation's page: the resident's fields and the time it was
    taken; sent again by the browser (back and submit, "confirm form resubmission"), it is
    still one reading (OnceForm)."""

    taken_at = forms.DateTimeField(label=_("Taken at"), required=False,
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))


class StartForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    reason = forms.ChoiceField(label=pgettext_lazy("isolation", "Reason"), choices=Reason.choices)
    reason_note = forms.CharField(label=_("Note"), max_length=200, required=False)
    starts_on = forms.DateField(label=_("Starts on"),
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    days = forms.IntegerField(label=_("Days"), required=False, min_value=1, max_value=60,
                              help_text=_("empty: the current rule"))


class ExtendForm(forms.Form):
    days = forms.IntegerField(label=_("Extra days"), min_value=1, max_value=60)
    reason = forms.CharField(label=pgettext_lazy("isolation", "Reason"), max_length=200)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=pgettext_lazy("isolation", "Reason"), max_length=200)


class OutcomeForm(forms.Form):
    outcome = forms.CharField(label=pgettext_lazy("isolation", "Outcome"), max_length=200)


class LockdownForm(forms.Form):
    # No default compound: a tap on 封控 with an untouched form must not lock the first one.
    compound = forms.TypedChoiceField(label=_("Compound"), coerce=int, empty_value=None)
    # The option values are building names (unique per compound); a typed "1栋" also matches.
    building = forms.CharField(label=_("Building (empty: the whole compound)"), max_length=50,
                               required=False, widget=forms.Select)
    starts_on = forms.DateField(label=_("Starts on"),
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    days = forms.IntegerField(label=_("Days"), required=False, min_value=1, max_value=60,
                              help_text=_("empty: the current rule"))
    reason = forms.CharField(label=pgettext_lazy("isolation", "Reason"), max_length=200)


class SiteForm(forms.Form):
    area = forms.TypedChoiceField(label=_("Run by"), coerce=int)
    name = forms.CharField(label=pgettext_lazy("isolation", "Name"), max_length=100)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    phone = forms.CharField(label=pgettext_lazy("isolation", "Phone"), max_length=20, required=False)


class RoomsForm(forms.Form):
    numbers = forms.CharField(label=_("Room numbers"), max_length=2000,
                              help_text=_("separated by spaces or commas; 301-320 for a range"))
    beds = forms.IntegerField(label=_("Beds"), min_value=1, max_value=6, initial=1)
    floor = forms.CharField(label=_("Floor"), max_length=10, required=False)

    def clean_numbers(self):
        out = []
        for part in self.cleaned_data["numbers"].replace("，", ",").replace(",", " ").split():
            if "-" in part and all(p.isdigit() for p in part.split("-", 1)):
                lo, hi = (int(p) for p in part.split("-", 1))
                if hi < lo or hi - lo > 500:
                    raise forms.ValidationError(_("Bad range %(r)s.") % {"r": part})
                out.extend(str(n) for n in range(lo, hi + 1))
            else:
                out.append(part)
        if not out:
            raise forms.ValidationError(_("Give at least one room number."))
        return out


class AssignForm(forms.Form):
    isolation = forms.TypedChoiceField(label=_("Person"), coerce=int)
    family_reason = forms.CharField(label=_("Why together (family only)"), max_length=200,
                                    required=False)


class TransferForm(OnceForm):
    """A transfer planned on the site board; sent again by the browser, still one (OnceForm)."""

    isolation = forms.TypedChoiceField(label=_("Person"), coerce=int)
    from_place = forms.CharField(label=_("Pick up at"), max_length=200, required=False,
                                 help_text=_("Left empty: the person's home address."))
    pickup_at = forms.DateTimeField(label=_("Pick-up time"),
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    vehicle = forms.CharField(label=_("Vehicle"), max_length=50, required=False)
    escort = forms.CharField(label=_("Escort"), max_length=100, required=False)


class TransferStatusForm(forms.Form):
    status = forms.ChoiceField(choices=TransferStatus.choices)


class LeaveTransferForm(OnceForm):
    """转运 from the site, on the person's page: home, to hospital or elsewhere; sent again by
    the browser, still one (OnceForm). The service (transfer_create) is the API's."""

    HOME, HOSPITAL, OTHER = "home", "hospital", "other"
    destination = forms.ChoiceField(
        label=_("Where to"), widget=forms.RadioSelect, initial=HOME,
        choices=[(HOME, pgettext_lazy("transfer to", "Home")),
                 (HOSPITAL, pgettext_lazy("transfer to", "Hospital")),
                 (OTHER, pgettext_lazy("transfer to", "Another place"))])
    to_place = forms.CharField(label=_("Destination"), max_length=200, required=False,
                               help_text=_("Home left empty: the person's home address. "
                                           "Hospital: its name."))
    from_place = forms.CharField(label=_("Pick up at"), max_length=200, required=False,
                                 help_text=_("Left empty: the site and room."))
    pickup_at = forms.DateTimeField(label=_("Pick-up time"),
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                               format="%Y-%m-%dT%H:%M"))
    vehicle = forms.CharField(label=_("Vehicle"), max_length=50, required=False)
    escort = forms.CharField(label=_("Escort"), max_length=100, required=False)

    def clean(self):
        data = super().clean()
        where = data.get("destination")
        if where == self.HOSPITAL and not data.get("to_place", "").strip():
            self.add_error("to_place", _("Name the hospital."))
        elif where == self.OTHER and not data.get("to_place", "").strip():
            self.add_error("to_place", _("Say where the person is taken."))
        return data
