"""Forms of the staff pages of residents: a refused one comes back as typed, each error beside
its field (the services decide; these parse and label)."""

from django import forms
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from firstline.forms import OnceForm


class TipForm(OnceForm):
    """A tip-off taken down by staff (from the phone line); sent again by the browser, it is
    still one tip-off (OnceForm)."""

    community = forms.ChoiceField(label=_("Community"))
    # No max_length: the service says the limit rather than the browser cutting a paste.
    what = forms.CharField(label=_("What"), widget=forms.Textarea(attrs={"rows": 3}))
    where = forms.CharField(label=_("Where"), required=False)
    contact = forms.CharField(label=_("Contact"), required=False)

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(c.code, c.name) for c in communities]


class _MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class _MultipleFileField(forms.FileField):
    """Several files in one input (the service checks each: type by content, size)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", _MultipleFileInput(attrs={
            "accept": "application/pdf,image/jpeg,image/png,image/gif,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(_MultipleFileField, self).clean(f, initial) for f in files if f]


class NoticeForm(OnceForm):
    """A notice to publish: the service checks title, text and areas together (every error
    at once, each beside its field); the other languages' versions stay plain inputs."""

    title = forms.CharField(label=_("Title"), required=False,
                            widget=forms.TextInput(attrs={"maxlength": 200}))
    body = forms.CharField(label=_("Text"), required=False,
                           widget=forms.Textarea(attrs={"rows": 8}))
    attachments = _MultipleFileField(
        label=_("Attachments (PDF or images, up to 5 MB each)"), required=False)
    areas = forms.MultipleChoiceField(label=_("For the households of"), required=False,
                                      widget=forms.SelectMultiple(attrs={"size": 4}))
    # The other languages' versions (optional), each labelled with its language; named as the
    # page always sent them (title_zh-hant, body_en...). Lengths are the service's to say.
    VERSIONS = ("zh-hant", "en")

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["areas"].choices = [(a.code, a.name) for a in areas]
        for language in self.VERSIONS:
            name = get_language_info(language)["name_local"]
            self.fields[f"title_{language}"] = forms.CharField(
                label=_("%(field)s (%(language)s)") % {"field": _("Title"), "language": name}, required=False,
                widget=forms.TextInput(attrs={"maxlength": 200}))
            self.fields[f"body_{language}"] = forms.CharField(
                label=_("%(field)s (%(language)s)") % {"field": _("Text"), "language": name}, required=False,
                widget=forms.Textarea(attrs={"rows": 4}))

    def versions(self) -> list:
        """The versions' fields for the page: title and text of each language in turn."""
        return [self[f"{key}_{language}"] for language in self.VERSIONS
                for key in ("title", "body")]

    def translations(self) -> dict:
        return {language: {"title": self.cleaned_data[f"title_{language}"],
                           "body": self.cleaned_data[f"body_{language}"]}
                for language in self.VERSIONS}
