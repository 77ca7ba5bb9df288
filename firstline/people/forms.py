from django import forms
from django.utils.translation import gettext_lazy as _

from firstline.exportjobs.models import ExportJob
from firstline.rules.temperature import TemperatureField

from .models import RISK_LEVELS, KeyPersonCategory, Transport

PROVINCES = ("北京 天津 河北 山西 内蒙古 辽宁 吉林 黑龙江 上海 江苏 浙江 安徽 福建 江西 山东 河南 湖北 "
             "湖南 广东 广西 海南 重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆 香港 澳门 台湾").split()

def _symptoms():
    """One symptom vocabulary for the screening visit, the isolation reading and the
    self-report (isolation.models.Symptom); a fever is the temperature, not a tick."""
    from .vocab import Symptom

    return Symptom.choices


SYMPTOMS = _symptoms


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Roster file (.csv or .xlsx)"))
    dry_run = forms.BooleanField(label=_("Dry run: check only, write nothing"), required=False)


class VisitForm(forms.Form):
    nobody_home = forms.BooleanField(label=_("Nobody home"), required=False)
    by_phone = forms.BooleanField(label=_("Reached by phone"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class MemberForm(forms.Form):
    """What the visit found about one member. Nothing entered and not at home: not recorded."""

    present = forms.BooleanField(label=_("At home"), required=False)
    from_province = forms.CharField(label=_("Came from: province"), required=False,
                                    max_length=30)
    from_city = forms.CharField(label=_("Came from: city"), required=False, max_length=30)
    returned_on = forms.DateField(label=_("Returned on"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    transport = forms.ChoiceField(label=_("Transport"), required=False,
                                  choices=Transport.choices, widget=forms.RadioSelect)
    transport_no = forms.CharField(label=_("Train / flight / plate number"), required=False,
                                   max_length=30)
    symptoms = forms.MultipleChoiceField(label=_("Symptoms"), required=False, choices=SYMPTOMS,
                                         widget=forms.CheckboxSelectMultiple)
    temperature = TemperatureField(label=_("Temperature °C"), required=False)
    categories = forms.ModelMultipleChoiceField(
        label=_("Key-person categories"), required=False, to_field_name="code",
        queryset=KeyPersonCategory.objects.none(), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, resident=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.resident = resident
        # Categories derived from facts (risk area, fever) are ticked by the system.
        self.fields["categories"].queryset = KeyPersonCategory.objects.filter(active=True,
                                                                              auto="")
        self.fields["categories"].label_from_instance = lambda c: c.label

    def recorded(self) -> bool:
        d = self.cleaned_data
        return bool(d.get("present") or d.get("from_province") or d.get("from_city")
                    or d.get("temperature") is not None or d.get("symptoms")
                    or d.get("categories") or d.get("returned_on"))

    def entry(self) -> dict:
        d = self.cleaned_data
        return {"resident": self.resident, "present": d["present"],
                "from_province": d["from_province"], "from_city": d["from_city"],
                "returned_on": d["returned_on"], "transport": d["transport"] or "",
                "transport_no": d["transport_no"], "symptoms": d["symptoms"],
                "temperature": d["temperature"],
                "categories": [c.code for c in d["categories"]]}


class ResponsibilityForm(forms.Form):
    cadre = forms.ModelChoiceField(label=_("Responsible cadre"), required=False, queryset=None)
    grid_worker = forms.ModelChoiceField(label=_("Grid worker"), required=False, queryset=None)
    helper_name = forms.CharField(label=_("Doctor / volunteer"), required=False, max_length=50)
    helper_phone = forms.CharField(label=_("Doctor / volunteer phone"), required=False,
                                   max_length=20)

    def __init__(self, *args, cadres=None, workers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres
        self.fields["grid_worker"].queryset = workers


def _reason_fields():
    from .services import FULL_READ_REASONS, REASON_MAX

    return (forms.ChoiceField(label=_("Reason"), required=False,
                              choices=[("", "—"), *FULL_READ_REASONS]),
            forms.CharField(label=_("Reason (when other)"), required=False,
                            max_length=REASON_MAX))


class FullReadForm(forms.Form):
    """Why the full ID number and phone are needed; the service checks the choice."""

    reason, reason_text = _reason_fields()


class ExportForm(forms.Form):
    FORMATS = ExportJob.Format.choices
    area = forms.ChoiceField(label=_("Area"))
    format = forms.ChoiceField(label=_("Format"), choices=FORMATS)
    unmasked = forms.BooleanField(label=_("Unmasked ID numbers and phones (audited)"),
                                  required=False)

    def __init__(self, *args, areas=(), allow_unmasked=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [(a.code, f"{a.name} ({a.code})") for a in areas]
        if allow_unmasked:
            self.fields["reason"], self.fields["reason_text"] = _reason_fields()
        else:
            del self.fields["unmasked"]


class RiskAreaForm(forms.Form):
    """Parses the add form; the rules (province required, one active entry per place) are
    the service's, so the API or a script gets the same answers."""

    province = forms.CharField(label=_("Province"), required=False, max_length=30,
                               widget=forms.TextInput(attrs={"required": True,
                                                             "list": "provinces",
                                                             "autocomplete": "off"}))
    city = forms.CharField(label=_("City or county (empty: the whole province)"),
                           required=False, max_length=30,
                           widget=forms.TextInput(attrs={"list": "divisions",
                                                         "autocomplete": "off"}))
    level = forms.ChoiceField(label=_("Risk level"), required=False,
                              choices=[*RISK_LEVELS.items(), ("", "—")])
    since = forms.DateField(label=_("Listed from"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    source = forms.CharField(label=_("Source (document or notice)"), required=False,
                             max_length=200)


class RiskAreaEndForm(forms.Form):
    on = forms.DateField(label=_("Not listed from"), required=False)
