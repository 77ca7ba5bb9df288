from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firstline.errors import RuleViolation
from firstline.people.services import phone_normalize
from firstline.rules.temperature import TemperatureField

from .models import Direction, Subject


class PolicyForm(forms.Form):
    closed = forms.BooleanField(label=_("Closed (封闭管理)"), required=False)
    out_quota = forms.IntegerField(label=_("Trips out per household"), min_value=0, max_value=100)
    window_days = forms.IntegerField(label=_("per how many days"), min_value=1, max_value=366)
    starts_on = forms.DateField(label=_("Windows counted from"),
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class CheckpointForm(forms.Form):
    """A gate to add. No rule of its own: checkpoint_create checks code and name (for the API
    too); its refusal is put beside the field it names."""

    code = forms.CharField(label=_("Code"), required=False, strip=False, widget=forms.TextInput(
        attrs={"required": True, "maxlength": 40}))
    # A gate's name (compound.html); a visitor's is pgettext "visitor".
    name = forms.CharField(label=pgettext_lazy("checkpoint", "Name"), required=False,
                           strip=False, widget=forms.TextInput(
                               attrs={"maxlength": 100, "placeholder": _("North gate")}))


class VisitForm(forms.Form):
    checkpoint = forms.ModelChoiceField(label=_("Checkpoint"), queryset=None, empty_label=None)
    subject = forms.ChoiceField(label=_("Who is at the gate"), choices=[
        (Subject.VISITOR, _("visitor")), (Subject.VEHICLE, _("vehicle")),
        (Subject.COURIER, _("courier / parcel"))])
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices,
                                  initial=Direction.IN)
    # 人员进出一律测温: asked first; the service refuses a missing one under the rule.
    temperature = TemperatureField(label=_("Temperature (°C)"), required=False)
    # "Name" alone is also a gate's name (compound.html): a person's name here (姓名).
    name = forms.CharField(label=pgettext_lazy("visitor", "Name"), max_length=50, required=False)
    phone = forms.CharField(label=_("Mobile"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric"}))
    visiting = forms.CharField(label=_("Visiting whom (building-unit-room)"), max_length=100,
                               required=False)
    purpose = forms.CharField(label=_("Purpose of visit"), max_length=200, required=False)
    plate = forms.CharField(label=_("Plate"), max_length=12, required=False)
    origin = forms.CharField(label=_("Coming from"), max_length=100, required=False)
    out_of_town = forms.BooleanField(label=_("Out-of-town plate"), required=False)
    verified = forms.CharField(label=_("Verified with (e.g. employer's letter)"), max_length=100,
                               required=False)
    turned_back_reason = forms.CharField(label=_("Reason for turning back (劝返)"),
                                         max_length=200, required=False)

    # Shown under "Vehicle, proof, turning back", folded until needed: the common case (a
    # person on foot) is the first eight fields.
    MORE = ("plate", "out_of_town", "verified", "turned_back_reason")

    def __init__(self, *args, checkpoints, temperature_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # The service refuses a crossing without one under the rule; the page says so first.
        self.fields["temperature"].marked_required = temperature_required
        self.fields["checkpoint"].queryset = checkpoints.select_related("compound")
        self.fields["checkpoint"].label_from_instance = lambda cp: f"{cp.compound.name} · {cp.name}"

    def clean_phone(self):
        try:  # the service's one phone rule, said on the field with the others
            return phone_normalize(self.cleaned_data["phone"], field="phone")
        except RuleViolation as exc:
            raise forms.ValidationError(exc.detail) from None

    def clean(self):
        """Every missing field at once, each on its field (the service checks again, one at a
        time, for the API): a visitor's name, a vehicle's plate, the temperature while the
        rule asks for one."""
        data = super().clean()
        subject = data.get("subject")
        if subject == Subject.VISITOR and not (data.get("name") or "").strip():
            self.add_error("name", _("A visitor's name is required."))
        if subject == Subject.VEHICLE and not (data.get("plate") or "").strip():
            self.add_error("plate", _("A vehicle needs its plate number."))
        if (self.fields["temperature"].marked_required and "temperature" not in self.errors
                and data.get("temperature") is None):
            self.add_error("temperature",
                           _("Measure the temperature first (everyone crossing is measured)."))
        return data

    def first_fields(self):
        return [f for f in self if f.name not in self.MORE]

    def more_fields(self):
        return [f for f in self if f.name in self.MORE]

    def more_open(self) -> bool:
        """Unfolded when one of them holds a value or an error (a re-shown form)."""
        return any(f.errors or (self.is_bound and f.value() not in (None, "", False))
                   for f in self.more_fields())


class PlanForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    # The counts shifts_plan accepts (equal shifts covering 24 h): a choice, not a guess.
    shifts = forms.TypedChoiceField(label=_("Shifts in 24 h"), coerce=int, initial=3,
                                    error_messages={"invalid_choice": _(
                                        "The number of shifts must divide 24 hours.")})
    first_starts = forms.TimeField(label=_("First shift starts"), initial="08:00",
                                   widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

    def __init__(self, *args, **kwargs):
        from django.utils.translation import gettext

        super().__init__(*args, **kwargs)
        self.fields["shifts"].choices = [
            (n, gettext("%(n)d × %(h)d h") % {"n": n, "h": 24 // n})
            for n in range(1, 25) if 24 % n == 0]
