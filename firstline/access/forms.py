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

    def __init__(self, *args, **kwargs):
        # Ids of its own: the compound's page also holds the lockdown form (its starts_on).
        kwargs.setdefault("auto_id", "policy-%s")
        super().__init__(*args, **kwargs)


class CheckpointForm(forms.Form):
    """A gate to add. No rule of its own: checkpoint_create checks code and name (for the API
    too); its refusal is put beside the field it names."""

    code = forms.CharField(label=_("Code"), required=False, strip=False, widget=forms.TextInput(
        attrs={"required": True, "maxlength": 40}))
    # A gate's name (compound.html); a visitor's is pgettext "visitor".
    name = forms.CharField(label=pgettext_lazy("checkpoint", "Name"), required=False,
                           strip=False, widget=forms.TextInput(
                               attrs={"maxlength": 100, "placeholder": _("North gate")}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "checkpoint-%s")  # one page with the policy's form
        super().__init__(*args, **kwargs)


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

    # The page's groups (visitors.html): the common case (a person on foot) is the first
    # nine fields; a vehicle's plate shows when the kind is "vehicle" (visitors.js; always
    # without JavaScript); the proof is folded until needed; the reason for turning back
    # stands beside the buttons, asked before "turn back" is pressed.
    VEHICLE = ("plate", "out_of_town")
    MORE = ("verified",)
    TURN_BACK = ("turned_back_reason",)

    def __init__(self, *args, checkpoints, temperature_required: bool = False,
                 turning_back: bool = False, day=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The service refuses a crossing without one under the rule; the page says so first.
        self.fields["temperature"].marked_required = temperature_required
        self.fields["checkpoint"].queryset = checkpoints.select_related("compound")
        self.fields["checkpoint"].label_from_instance = lambda cp: f"{cp.compound.name} · {cp.name}"
        self.turning_back, self.day = turning_back, day
        self.fields["turned_back_reason"].required_when = _("required when turning back")

    def clean_phone(self):
        try:  # the service's one phone rule, said on the field with the others
            return phone_normalize(self.cleaned_data["phone"], field="phone")
        except RuleViolation as exc:
            raise forms.ValidationError(exc.detail) from None

    def clean(self):
        """Every missing field at once, each on its field (the service checks again, one at a
        time, for the API): a visitor's name, a vehicle's plate, the temperature while the
        rule asks for one, and the reason when turning back (劝返) someone no rule turns back
        by itself (a fever, a risk area say their own)."""
        from .services import visit_turn_back_by_rule

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
        if (self.turning_back and subject in (Subject.VISITOR, Subject.VEHICLE)
                and not (data.get("turned_back_reason") or "").strip()
                and visit_turn_back_by_rule(temperature=data.get("temperature"),
                                            origin=data.get("origin") or "",
                                            day=self.day) is None):
            self.add_error("turned_back_reason", _("Say why they were turned back."))
        return data

    def _group(self, names):
        return [self[n] for n in names]

    def first_fields(self):
        grouped = self.VEHICLE + self.MORE + self.TURN_BACK
        return [f for f in self if f.name not in grouped]

    def vehicle_fields(self):
        return self._group(self.VEHICLE)

    def more_fields(self):
        return self._group(self.MORE)

    def turn_back_fields(self):
        return self._group(self.TURN_BACK)

    def more_open(self) -> bool:
        """The proof unfolded when it holds a value or an error (a re-shown form)."""
        return any(f.errors or (self.is_bound and f.value() not in (None, "", False))
                   for f in self.more_fields())

    def error_summary(self) -> list[dict]:
        """Every error of a refused form, for the top of the page: each names its field and
        links to it (the form is longer than a phone's screen)."""
        lines = [{"id": None, "label": "", "message": m} for m in self.non_field_errors()]
        for f in self:
            lines += [{"id": f.id_for_label, "label": f.label, "message": m} for m in f.errors]
        return lines


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
