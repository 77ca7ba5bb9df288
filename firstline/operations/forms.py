"""Forms of the operations pages: a refused form is shown again with what was typed, each
error next to its labelled field (the services still decide; these only parse and label)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firstline import clock
from firstline.apitypes import EARLIEST, LATEST
from firstline.errors import RuleViolation
from firstline.forms import OnceForm
from firstline.people.services import phone_normalize

from .models import DERIVED_KINDS, DonorKind, Duty, PlaceKind, VolunteerKind
from .services import gate_label


class LocalMomentField(forms.CharField):
    """A datetime-local input as an aware local moment (firstline.clock's reading of it)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            moment = clock.parse_moment(value)
        except ValueError:
            raise forms.ValidationError(_("Enter a date and time.")) from None
        if not EARLIEST <= clock.localtime(moment).date() <= LATEST:
            raise forms.ValidationError(
                _("Enter a date from %(first)d to %(last)d.")
                % {"first": EARLIEST.year, "last": LATEST.year})
        return moment


class RegisterForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    phone = forms.CharField(label=_("Mobile phone"), max_length=20,
                            widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=VolunteerKind.choices)
    skills = forms.CharField(label=_("Skills"), max_length=200, required=False)

    def clean_phone(self):
        try:  # the one phone rule, its message naming the label the user sees
            return phone_normalize(self.cleaned_data["phone"], field=str(self.fields["phone"].label),
                                   landline=True, required=True)
        except RuleViolation as exc:
            raise forms.ValidationError(exc.detail) from None


class AssignForm(forms.Form):
    volunteer = forms.TypedChoiceField(label=_("Person"), coerce=int)
    duty = forms.ChoiceField(label=_("Duty"), choices=Duty.choices)
    shift = forms.TypedChoiceField(label=_("Gate shift (for gate duty)"), coerce=int,
                                   required=False, empty_value=None)
    starts_at = LocalMomentField(label=_("From"), required=False)
    ends_at = LocalMomentField(label=_("Until"), required=False)
    target = forms.CharField(label=_("Where (building, route...)"), max_length=100,
                             required=False)

    def __init__(self, *args, people=(), shifts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].choices = [(v.pk, v.name) for v in people]
        self.fields["shift"].choices = [("", "—")] + [
            (s.pk, f"{gate_label(s.checkpoint)} {clock.localtime(s.starts_at):%m-%d %H:%M}–"
                   f"{clock.localtime(s.ends_at):%H:%M}") for s in shifts]

    def clean(self):
        data = super().clean()
        if data.get("shift"):
            return data  # a gate shift brings its own times
        starts, ends = data.get("starts_at"), data.get("ends_at")
        for name in ("starts_at", "ends_at"):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, _("Enter a date and time."))
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("“Until” must be after “From”."))
        return data


class StockForm(OnceForm):
    """Issue (to someone) or receive (into a store) one item, once per rendering of the page
    (a double tap records one movement). A receipt may be a donation: its donor, receipt
    number and whether the donor may be named on the public ledger (the service checks
    them, as for the API's `donation`)."""

    store = forms.ChoiceField(label=_("Store"))
    item = forms.TypedChoiceField(label=_("Item"), coerce=int)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1,
                                  widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    to = forms.CharField(label=_("To (who or where)"), max_length=200, required=False)
    note = forms.CharField(label=_("From (bought, allocated by...)"), max_length=200,
                           required=False)
    donor = forms.CharField(label=_("Donor (if donated)"), max_length=100, required=False)
    donor_kind = forms.ChoiceField(label=_("Donor is a"), choices=DonorKind.choices,
                                   initial=DonorKind.COMPANY, required=False)
    receipt_no = forms.CharField(label=_("Donation receipt number"), max_length=64,
                                 required=False)
    consent_named = forms.BooleanField(
        label=_("The donor agrees to be named on the public donation ledger"), required=False)

    DONATION = ("donor", "donor_kind", "receipt_no", "consent_named")

    def __init__(self, *args, stores=(), items=(), issuing=True, **kwargs):
        super().__init__(*args, **kwargs)
        # A store as a person reads it: its name, with its code where two share a name
        # (selectors.store_labels, set by the view as `label`).
        self.fields["store"].choices = [(s.code, getattr(s, "label", s.name)) for s in stores]
        self.fields["item"].choices = [(i.pk, i.name) for i in items]
        if issuing:
            self.fields["to"].required = True
            for name in ("note", *self.DONATION):
                del self.fields[name]
        else:
            del self.fields["to"]

    def donation(self) -> dict | None:
        """The donation part for services.stock_receive, or None when no donor nor receipt
        number was typed (goods bought or allocated)."""
        data = self.cleaned_data
        if not (data.get("donor") or data.get("receipt_no")):
            return None
        return {**{name: data[name] for name in self.DONATION},
                "donor_kind": data["donor_kind"] or DonorKind.PERSON}


class ItemForm(forms.Form):
    """A new kind of supply in the catalogue (services.item_create, as POST /items)."""

    code = forms.CharField(label=pgettext_lazy("item", "Code"), max_length=40,
                           widget=forms.TextInput(attrs={"placeholder": "goggles"}))
    name = forms.CharField(label=pgettext_lazy("item", "Name"), max_length=100)
    unit = forms.CharField(label=pgettext_lazy("item", "Unit"), max_length=20, required=False)
    low_at = forms.IntegerField(label=_("Warn when stock is down to"), min_value=0,
                                max_value=1_000_000_000, initial=0,
                                widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


class PlaceForm(forms.Form):
    """A place staff add to the disinfection board (services.place_create, as POST
    /disinfection/places): a lift, a rubbish point, a used-mask bin..."""

    kind = forms.ChoiceField(label=_("Kind of place"))
    name = forms.CharField(label=pgettext_lazy("place", "Name"), max_length=100,
                           widget=forms.TextInput(attrs={"placeholder": "1栋电梯"}))
    compound = forms.TypedChoiceField(label=_("Compound"), coerce=int, required=False,
                                      empty_value=None)

    def __init__(self, *args, compounds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, label) for k, label in PlaceKind.choices
                                       if k not in DERIVED_KINDS]
        self.fields["compound"].choices = [("", "—")] + [(c.pk, c.name) for c in compounds]


class TaskSendForm(OnceForm):
    """HQ sends a task to areas and/or working groups (once per rendering of the form)."""

    title = forms.CharField(label=_("Title"), max_length=100)
    detail = forms.CharField(label=_("Detail"), required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))
    areas = forms.MultipleChoiceField(label=_("To"), required=False,
                                      widget=forms.CheckboxSelectMultiple)
    groups = forms.TypedMultipleChoiceField(label=_("To"), coerce=int, required=False,
                                            widget=forms.CheckboxSelectMultiple)
    due_at = LocalMomentField(label=_("Due"))

    def __init__(self, *args, targets=(), groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["areas"].choices = [(a.code, a.name) for a in targets]
        self.fields["groups"].choices = [(g.pk, f"{g.name} ({g.area.name})") for g in groups]


class RoundForm(OnceForm):
    """一次消杀 on the board: the agent used (the service says its limit); once per rendering."""

    agent = forms.CharField(label=_("Agent"), initial="84消毒液")


class TaskDoneForm(forms.Form):
    """A receiving area reports a task done: a note and optionally a file (the service checks
    both; a refused report comes back with the note as typed — a browser never keeps a chosen
    file, so the file's error says to choose it again)."""

    note = forms.CharField(label=_("Note"), required=False,
                           widget=forms.TextInput(attrs={"maxlength": 500}))
    file = forms.FileField(label=_("File (optional)"), required=False, widget=forms.FileInput(
        attrs={"accept": "application/pdf,image/jpeg,image/png,image/gif,image/webp"}))


class _OfferedChoices(forms.TypedMultipleChoiceField):
    """A choice that was not offered (a forged id) is dropped, not joined nor refused."""

    def clean(self, value):
        offered = {str(k) for k, _label in self.choices}
        return super().clean([v for v in (value or []) if str(v) in offered])


class WorkingGroupForm(forms.Form):
    """A new working group of a street, with members among those who may see its tasks."""

    name = forms.CharField(label=pgettext_lazy("working group", "Name"), required=False,
                           widget=forms.TextInput(attrs={"maxlength": 50,
                                                         "placeholder": "物资保障组"}))
    members = _OfferedChoices(label=pgettext_lazy("working group", "Members"), coerce=int, required=False,
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(u.pk, u.display_name or u.get_username())
                                          for u in candidates]


class SignupForm(forms.Form):
    """The public 报到 form: the service checks every field (all its errors at once)."""

    name = forms.CharField(label=_("Name"), required=False, widget=forms.TextInput(
        attrs={"maxlength": 50, "autocomplete": "name"}))
    phone = forms.CharField(label=_("Mobile phone"), required=False, widget=forms.TextInput(
        attrs={"type": "tel", "maxlength": 20, "inputmode": "tel", "autocomplete": "tel"}))
    # Not a ChoiceField: a kind outside the two is the service's to refuse, with the others.
    kind = forms.CharField(label=_("I am"), required=False, initial=VolunteerKind.VOLUNTEER,
                           widget=forms.RadioSelect(choices=[
                               (k, k.label) for k in (VolunteerKind.PARTY_MEMBER,
                                                      VolunteerKind.VOLUNTEER)]))
    skills = forms.CharField(label=_("Skills (e.g. driving, medical, first aid)"), required=False,
                             widget=forms.TextInput(attrs={"maxlength": 200}))
    availability = forms.CharField(label=_("When you can help"), required=False,
                                   widget=forms.TextInput(attrs={"maxlength": 200}))
