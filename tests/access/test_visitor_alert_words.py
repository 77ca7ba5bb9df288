"""A visitor turned back with fever opens an alert that names the gate and the kind of visit
in the reader's language — never the internal code ("visitor")."""

from django.utils import translation

from firstline.isolation.models import Alert


def test_the_visitor_fever_alert_reads_in_each_language(world, api, web):
    api("gate_c1").post("/api/v1/gate/visits", {
        "kind": "visitor", "admitted": True, "name": "王五", "origin": "合肥",
        "checkpoint_id": world.gate.pk, "temperature": 38.0})
    alert = Alert.objects.get(kind="gate_fever")
    said = {}
    for lang in ("zh-hans", "zh-hant", "en"):
        with translation.override(lang):
            said[lang] = alert.display_detail
    assert said == {"zh-hans": "翰林华府 北门 · 访客 38.0 °C",
                    "zh-hant": "翰林华府 北门 · 訪客 38.0 °C",
                    "en": "翰林华府 北门 · visitor 38.0 °C"}
    page = web("staff_c1", "zh-hant").get("/isolation/alerts/").content.decode()
    assert "翰林华府 北门 · 訪客 38.0\u00a0°C" in page and " visitor " not in page
