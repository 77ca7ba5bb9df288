"""Alerts keep facts, not sentences: what the system writes is said in each reader's language
(firstline.texts); rows written before keep their stored text."""

import pytest
from django.utils import translation

from firstline.isolation import services
from firstline.isolation.models import Alert, AlertKind
from firstline.texts import message, render

from .conftest import local, start

pytestmark = pytest.mark.django_db


def test_the_outcome_of_a_missed_report_answered_late_reads_in_each_language(cast, roster):
    iso = start(cast, roster.a1)
    services.check_missed_reports(now=local(2026, 3, 1, 11, 30))
    with translation.override("zh-hans"):
        services.reading_record(isolation=iso, temperature=36.5, taken_at=local(2026, 3, 1, 11, 40),
                                actor=cast.grid_a, now=local(2026, 3, 1, 11, 40))
    alert = Alert.objects.get(kind=AlertKind.MISSED_REPORT)
    with translation.override("en"):
        assert alert.display_outcome == "a reading came in"
    with translation.override("zh-hant"):
        assert alert.display_outcome != "a reading came in"


def test_an_alert_written_before_facts_were_kept_shows_its_stored_text(cast, roster):
    old = Alert.objects.create(kind=AlertKind.LOW_STOCK, area=roster.h1.grid,
                               detail="城北社区物资库：额温枪 仅剩 2（预警值 3）")
    with translation.override("en"):
        assert old.display_detail == "城北社区物资库：额温枪 仅剩 2（预警值 3）"


def test_a_second_finding_replaces_the_facts_of_the_open_alert(cast, roster):
    first = services.alert_open(kind=AlertKind.GATE_FEVER, area=roster.h1.grid,
                                household=roster.h1, detail=message("%(t)s °C", t="38.0"))
    again = services.alert_open(kind=AlertKind.GATE_FEVER, area=roster.h1.grid,
                                household=roster.h1, detail="北门 38.6°C")
    assert again.pk == first.pk
    assert Alert.objects.get(pk=first.pk).display_detail == "北门 38.6°C"


def test_a_translation_naming_another_parameter_falls_back_to_the_english_sentence():
    assert render(message("%(n)s rows", n=3)) == "3 rows"
    assert render({"m": "%(missing)s rows", "p": {"n": 3}}) == "%(missing)s rows"
    assert render({}, "stored") == "stored"
