"""The API's JSON reader looks through a body once for what no text may hold — a NUL
character, half of a surrogate pair, an invisible control character — not once per kind: a
gate's offline batch of hundreds of scans is read on the hottest path."""

import uuid

import pytest
from django.test import RequestFactory
from django.utils import translation
from ninja.parser import Parser

from firstline.api import BodyUnstorable, api


class Looked(dict):
    """A JSON object that counts how often its members are looked through."""

    looks = 0

    def items(self):
        self.looks += 1
        return super().items()


class LookedList(list):
    looks = 0

    def __iter__(self):
        self.looks += 1
        return super().__iter__()


def _counted(value):
    if isinstance(value, dict):
        return Looked({k: _counted(v) for k, v in value.items()})
    if isinstance(value, list):
        return LookedList(_counted(v) for v in value)
    return value


def _containers(value):
    yield value
    for item in value.values() if isinstance(value, dict) else value:
        if isinstance(item, dict | list):
            yield from _containers(item)


def _batch(n):
    return {"scans": [{
        "event_id": str(uuid.uuid4()), "checkpoint": "北门", "pass_code": f"FL{i:06d}",
        "direction": "out", "temperature": 36.5, "scanned_at": "2020-02-10T10:00:00+08:00",
        "offline": {"decision": "allow", "reason": "ok"}} for i in range(n)]}


def _read(body, monkeypatch):
    """The API's parser on `body`, with every object and array in it counting its looks (the
    JSON text is decoded by ninja's own reader, which the count replaces)."""
    monkeypatch.setattr(Parser, "parse_body", lambda self, request: body)
    request = RequestFactory().post("/api/v1/gate/scans/batch", "{}",
                                     content_type="application/json")
    return api.parser.parse_body(request)


def test_a_clean_batch_of_scans_is_looked_through_once(monkeypatch):
    body = _counted(_batch(25))
    assert _read(body, monkeypatch) is body
    assert {c.looks for c in _containers(body)} == {1}


def test_a_refused_body_is_looked_through_once_too(monkeypatch):
    """A control character in the last scan, which a NUL or a surrogate half elsewhere would
    outrank: still one look at each object and array."""
    plain = _batch(25)
    plain["scans"][24]["checkpoint"] = "北\u202e门"
    body = _counted(plain)
    try:
        _read(body, monkeypatch)
    except BodyUnstorable as refused:
        assert refused.detail.startswith("scans.24.checkpoint: ")
    else:
        raise AssertionError("not refused")
    assert {c.looks for c in _containers(body)} == {1}


@pytest.mark.parametrize(("body", "told"), [
    ('{"a": "x\\u202e", "b": "\\ud800", "c": ["\\u0000"]}', "c.0: contains a NUL character"),
    ('{"a": "x\\u202e", "b": {"c": "\\ud800"}}', "b.c: contains half of a surrogate pair"),
    ('{"a": ["x\\u0001"], "b\\u0002": 1}', "b\x02: contains an invisible control character"),
    ('{"password": "\\u0001", "name": "\\u0002"}', "name: contains an invisible control"),
    ('{"password": "\\u0001\\u0000"}', "password: contains a NUL character")],
    ids=["nul-outranks-all", "surrogate-outranks-control", "keys-before-values",
         "password-left-as-sent", "but-not-a-nul"])
def test_one_look_tells_what_three_told(body, told):
    """Which refusal is told is as before the one walk: a NUL anywhere before a surrogate half
    anywhere before a control character; an object's keys before its values."""
    request = RequestFactory().post("/api/v1/x", body, content_type="application/json")
    with pytest.raises(BodyUnstorable) as refused, translation.override("en"):
        api.parser.parse_body(request)
    assert refused.value.detail.startswith(told)
