"""A 422 `invalid` speaks the request's language: pydantic's errors are told in our own words
(firstline.api.validation), after the field's JSON name, which stays as sent; a body that is not
JSON at all says so in the same language. Before, every such detail was pydantic's English."""

import json

import pytest
from django.test import Client
from django.utils import translation
from pydantic import BaseModel, HttpUrl, ValidationError, field_validator

from firstline.accounts.services import token_create
from firstline.api.validation import MESSAGES, validation_detail
from firstline.people.models import Compound

SCAN = {"event_id": "9d9e6f0e-3c55-4a0e-9a43-8d1f2b1c0a11", "checkpoint": "N", "pass_code": "x",
        "direction": "out", "temperature": 36.4, "scanned_at": "2020-02-05T09:00:00+08:00"}
POLICY = {"closed": True, "out_quota": 1, "window_days": 2, "starts_on": "2020-02-04"}
POLICY_PATH = "/api/v1/compounds/{compound}/policy"


@pytest.fixture
def send(cast, areas):
    """send(lang, method, path, body) -> (status, answer) with Accept-Language: lang."""
    compound = Compound.objects.create(area=areas.c1, name="翰林华府")
    token, _ = token_create(user=cast.staff_c1, label="test")
    client = Client()

    def send(lang, method, path, body):
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        r = getattr(client, method)(path.format(compound=compound.pk), data,
                                    content_type="application/json",
                                    HTTP_AUTHORIZATION=f"Bearer {token}",
                                    HTTP_ACCEPT_LANGUAGE=lang)
        return r.status_code, r.json()

    return send


CASES = [  # (what, method, path, body, zh-hans detail, en detail)
    ("missing field", "post", "/api/v1/checkpoints", {"compound_id": 1},
     "code: 必填", "code: required"),
    ("not a number", "post", "/api/v1/checkpoints", {"code": "N", "compound_id": "abc"},
     "compound_id: 须为整数", "compound_id: must be a whole number"),
    ("wrong type (int_type)", "post", "/api/v1/checkpoints", {"code": "N", "compound_id": []},
     "compound_id: 须为整数", "compound_id: must be a whole number"),
    ("a fraction (strict ids: int_type)", "post", "/api/v1/checkpoints",
     {"code": "N", "compound_id": 1.5},
     "compound_id: 须为整数", "compound_id: must be a whole number"),
    ("too long", "post", "/api/v1/checkpoints", {"code": "N" * 41, "compound_id": 1},
     "code: 太长：最多 40 个字", "code: too long: at most 40 characters"),
    ("empty", "post", "/api/v1/checkpoints", {"code": "", "compound_id": 1},
     "code: 不能为空", "code: must not be empty"),
    ("below the range", "put", POLICY_PATH, {**POLICY, "window_days": 0},
     "window_days: 须不小于 1", "window_days: must be at least 1"),
    ("above the range", "put", POLICY_PATH, {**POLICY, "out_quota": 101},
     "out_quota: 须不大于 100", "out_quota: must be at most 100"),
    ("no such day", "put", POLICY_PATH, {**POLICY, "starts_on": "2020-02-31"},
     "starts_on: 须为日期，例如 2020-02-05", "starts_on: must be a date such as 2020-02-05"),
    ("a date as a number (ours)", "put", POLICY_PATH, {**POLICY, "starts_on": 0},
     "starts_on: 须为日期，例如 2020-02-05", "starts_on: must be a date such as 2020-02-05"),
    ("a day out of range (ours)", "put", POLICY_PATH, {**POLICY, "starts_on": "0001-01-01"},
     "starts_on: 须为 1900 年至 2199 年之间的日期", "starts_on: must be a day from 1900 to 2199"),
    ("not a boolean", "put", POLICY_PATH, {**POLICY, "closed": "maybe"},
     "closed: 须为 true 或 false", "closed: must be true or false"),
    ("bad choice", "post", "/api/v1/gate/scans", {**SCAN, "direction": "up"},
     "direction: 须为以下之一：out, in", "direction: must be one of: out, in"),
    ("bad moment", "post", "/api/v1/gate/scans", {**SCAN, "scanned_at": "yesterday"},
     "scanned_at: 须为日期和时间，例如 2020-02-05T09:00:00+08:00",
     "scanned_at: must be a date and time such as 2020-02-05T09:00:00+08:00"),
    ("bad uuid", "post", "/api/v1/gate/scans", {**SCAN, "event_id": "nope"},
     "event_id: 须为 UUID，例如 123e4567-e89b-12d3-a456-426614174000",
     "event_id: must be a UUID such as 123e4567-e89b-12d3-a456-426614174000"),
    ("a temperature neither number nor text (ours)", "post", "/api/v1/gate/visits",
     {"checkpoint_id": 1, "kind": "visitor", "admitted": True, "temperature": []},
     "temperature: 须为数字，例如 36.6", "temperature: must be a number such as 36.6"),
    ("not a list", "post", "/api/v1/gate/scans/batch", {"scans": {}},
     "scans: 须为列表", "scans: must be a list"),
    ("nested, several", "post", "/api/v1/gate/scans/batch",
     {"scans": [SCAN, {**SCAN, "direction": "up", "pass_code": None}]},
     "scans.1.pass_code: 须为文本; scans.1.direction: 须为以下之一：out, in",
     "scans.1.pass_code: must be text; scans.1.direction: must be one of: out, in"),
]


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize(("what", "method", "path", "body", "zh", "en"), CASES,
                         ids=[c[0] for c in CASES])
def test_each_common_error_in_the_clients_language(send, lang, what, method, path, body, zh, en):
    status, answer = send(lang, method, path, body)
    assert (status, answer) == (422, {"error": "invalid", "detail": zh if lang == "zh-hans"
                                      else en})


def test_traditional_chinese_too(send):
    status, answer = send("zh-hant", "post", "/api/v1/checkpoints",
                          {"code": "N" * 41, "compound_id": "abc"})
    assert answer == {"error": "invalid", "detail": "code: 太長：最多 40 個字; compound_id: 須為整數"}


@pytest.mark.parametrize(("lang", "detail"), [
    ("zh-hans", "请求内容不是有效的 JSON（第 1 行第 10 列）。"),
    ("en", "The request body is not valid JSON (line 1, column 10)."),
])
def test_a_body_that_is_not_json(send, lang, detail):
    # ninja's own answer was 400 "Cannot parse request body", in English whatever the language
    assert send(lang, "post", "/api/v1/checkpoints", '{"code": ') == (
        400, {"error": "bad_request", "detail": detail})


def test_a_body_that_is_not_text(send):
    assert send("zh-hans", "post", "/api/v1/checkpoints", b"\xff\xfe\x00") == (
        400, {"error": "bad_request", "detail": "请求内容不是有效的 JSON。"})


@pytest.mark.parametrize(("body", "detail"), [
    ("[" * 100_000 + "]" * 100_000, "请求内容嵌套过深，无法读取。"),
    ('{"code": "N", "compound_id": ' + "9" * 5000 + "}", "请求内容中的数字位数过多。"),
])
def test_a_json_body_this_server_does_not_read_is_said_in_the_clients_language(
        send, body, detail):
    assert send("zh-hans", "post", "/api/v1/checkpoints", body) == (
        400, {"error": "bad_request", "detail": detail})


def test_a_field_called_body_is_named(cast, areas):
    """A notice's text is its field `body`: the detail names it like any other field (the
    location's leading "body" is ninja's, the field's own is kept)."""
    token, _ = token_create(user=cast.staff_c1, label="test")
    r = Client().post("/api/v1/notices", json.dumps({"title": "t", "body": 123,
                                                      "areas": [areas.c1.code]}),
                      content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}",
                      HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 422 and r.json()["detail"].startswith("body: ")


def test_a_nul_in_a_volunteers_name_names_the_field(cast, areas):
    token, _ = token_create(user=cast.staff_c1, label="test")
    r = Client().post("/api/v1/volunteers", json.dumps({
        "name": "王\u0000芳", "phone": "13905541237", "kind": "volunteer", "area": areas.c1.code}),
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 422
    # refused by the API's one reading of a body, whatever the operation and the database
    assert r.json()["detail"] == "name: 含有 NUL 字符（\\x00），无法保存：请删除"


def _errors(model, data):
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return caught.value.errors()


def test_a_type_not_in_the_table_keeps_pydantics_words():
    class Link(BaseModel):
        url: HttpUrl

    errors = _errors(Link, {"url": "no link"})
    assert errors[0]["type"] not in MESSAGES
    with translation.override("zh-hans"):
        assert validation_detail(errors) == f"url: {errors[0]['msg']}"


def test_our_validators_words_come_through_translated_without_pydantics_prefix():
    from django.utils.translation import gettext as _

    class Thing(BaseModel):
        code: str

        @field_validator("code")
        @classmethod
        def known(cls, value):
            raise ValueError(_("Not found."))

    with translation.override("zh-hans"):
        assert validation_detail(_errors(Thing, {"code": "x"})) == "code: 未找到。"
    with translation.override("en"):
        assert validation_detail(_errors(Thing, {"code": "x"})) == "code: Not found."
