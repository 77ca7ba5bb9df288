"""Vocabularies shared by every app that records what a person reports (people sits below
isolation, so the screening visit and the isolation reading share this one)."""

from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from firstline.errors import InvalidInput
from firstline.texts import listing


class Symptom(models.TextChoices):
    """One symptom vocabulary: screening visits, isolation readings, self-reports. A fever is
    the temperature, not a symptom to tick."""

    COUGH = "cough", _("cough")
    SORE_THROAT = "sore_throat", _("sore throat")
    FATIGUE = "fatigue", _("tiredness")
    BREATH = "short_breath", pgettext_lazy("isolation", "short of breath")
    TASTE_SMELL = "taste_smell", _("lost taste or smell")
    DIARRHEA = "diarrhea", _("diarrhoea")
    ACHES = "aches", _("muscle aches")


def symptom_labels(codes) -> str:
    """Symptom codes as the reader's words ("咳嗽、乏力", "cough, fatigue"): the one way symptoms are shown on
    pages, alerts and exports (the API keeps the codes). `codes` is a list or the
    comma-separated text screening visits and alerts store; an unknown code stays as it is."""
    if isinstance(codes, str):
        codes = [c for c in codes.split(",") if c.strip()]
    names = dict(Symptom.choices)
    return listing(names.get(code.strip(), code.strip()) for code in codes or ())


def symptoms_check(codes, *, field: str = "symptoms") -> None:
    """The one check of symptoms sent in (isolation readings, screening visits, list answers):
    any code outside Symptom is refused, 422 `bad_symptom` naming `field` and the first unknown
    word (cut to 40 characters) beside the codes offered. `codes` is a list, checked as sent
    (the caller stores what passed), or the comma-separated text a list answer sends
    ("cough, fatigue"), whose words are checked trimmed and whose empty ones are skipped."""
    if isinstance(codes, str):
        codes = [c.strip() for c in codes.split(",") if c.strip()]
    unknown = [c for c in codes if c not in Symptom.values]
    if unknown:
        raise InvalidInput(
            "bad_symptom",
            gettext("%(field)s: %(s)s is not one of the symptoms offered (%(known)s).")
            % {"field": field, "s": unknown[0][:40], "known": ", ".join(Symptom.values)},
            field=field)
