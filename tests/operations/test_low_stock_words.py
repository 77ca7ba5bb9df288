"""A low-stock alert is said in its reader's language, whoever's language it was written in."""

from django.utils import translation

from firstline.isolation.models import Alert


def _run_low(api, lang):
    staff = api("staff_c1")
    with translation.override(lang):  # the writer's language must not matter
        staff.post("/api/v1/stock/receive", {"store": "S-C1", "item": "mask", "quantity": 3})
        staff.post("/api/v1/stock/issue", {"store": "S-C1", "item": "mask", "quantity": 1,
                                           "to": "x"})
    return Alert.objects.get(kind="low_stock")


def test_a_low_stock_alert_written_in_chinese_reads_in_each_language(api, supplies):
    alert = _run_low(api, "zh-hans")
    said = {}
    for lang in ("zh-hans", "zh-hant", "en"):
        with translation.override(lang):
            said[lang] = Alert.objects.get(pk=alert.pk).display_detail
    assert said == {"zh-hans": "一社区仓库：口罩 仅剩 2（预警值 2）",
                    "zh-hant": "一社区仓库：口罩 僅剩 2（預警值 2）",
                    "en": "一社区仓库: 口罩 down to 2 (threshold 2)"}


def test_the_api_says_the_detail_in_the_requests_language(api, supplies):
    _run_low(api, "zh-hans")
    client = api("staff_c1")
    items = client.client.get("/api/v1/alerts", {"kind": "low_stock"},
                              HTTP_ACCEPT_LANGUAGE="en", **client._headers()).json()["items"]
    assert [a["detail"] for a in items] == ["一社区仓库: 口罩 down to 2 (threshold 2)"]
