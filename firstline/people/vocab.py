"""Vocabularies shared by every app that records what a person reports (people sits below
isolation, so the screening visit and the isolation reading share this one)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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
