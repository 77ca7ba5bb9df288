"""The notice form's other-language versions say which language an error is about, beside
its input, and keep what was typed; the API's schema says the title's real limit (200)."""

import json

from django.test import Client

from firstline.residents.models import Notice


def publish(web, lang="en", **fields):
    return web("staff_c1", lang).post("/residents/notices/", {
        "title": "核酸检测通知", "body": "上午8点北门排队。", "areas": ["C1"], **fields})


def test_a_too_long_english_title_is_said_as_the_english_title_beside_it(place, web):
    r = publish(web, **{"title_en": "T" * 201, "title_zh-hant": "核酸檢測通知"})
    html = r.content.decode()
    assert r.status_code == 422 and not Notice.objects.exists()
    form = r.context["form"]
    assert form.errors == {"title_en": ["Title (English): at most 200 characters."]}
    assert 'name="title_en"' in html and "T" * 201 in html and "核酸檢測通知" in html
    assert "required" not in html


def test_the_traditional_title_is_named_in_chinese(place, web):
    r = publish(web, "zh-hans", **{"title_zh-hant": "長" * 201})
    assert r.context["form"].errors == {"title_zh-hant": ["标题（繁體中文）：最多 200 个字。"]}


def test_an_empty_title_with_an_english_one_is_required_alone(place, web):
    r = publish(web, title="", title_en="Testing tomorrow")
    assert r.context["form"].errors == {"title": ["Title: this field is required."]}


def test_the_versions_are_published(place, web):
    r = publish(web, **{"title_en": "Testing", "body_en": "8 am, north gate."})
    assert r.status_code == 302
    assert Notice.objects.get().translations == {
        "en": {"title": "Testing", "body": "8 am, north gate."}}


def test_the_schema_says_the_titles_limit(place, api):
    schemas = json.loads(Client().get("/api/v1/openapi.json").content)["components"]["schemas"]
    assert schemas["NoticeIn"]["properties"]["title"]["maxLength"] == 200
    assert schemas["NoticeVersion"]["properties"]["title"]["maxLength"] == 200
    assert schemas["NoticeIn"]["properties"]["body"]["maxLength"] == 20000  # as the service
    res = api("staff_c1").post("/api/v1/notices", {"title": "通" * 201, "body": "正文",
                                                   "areas": ["C1"]})
    assert res.status_code == 422 and res.json()["detail"].startswith("title: ")
