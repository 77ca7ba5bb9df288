"""What typed text may hold (firstline.plaintext), one rule for every field: a control
character (\\x01, ESC, a C1 control, DEL) or an invisible direction control (U+202E
RIGHT-TO-LEFT OVERRIDE, the isolates U+2066–U+2069) is refused where the input is read — a
page's posted field as a 400 naming the field by its label, an API body's string as a 422
`invalid` naming its JSON key — in the user's language, and nothing is written. Tab and line
breaks stay, as do the zero-width joiner and the direction marks; passwords and pass codes are
left as sent."""

import re
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RoutePattern
from ninja.params.models import BodyModel

from firstline.api import api as the_api
from firstline.assistance.models import PackageKind
from firstline.isolation.models import QuarantineSite
from firstline.lists.models import Checklist
from firstline.operations.models import Volunteer
from firstline.plaintext import refused_char
from firstline.residents.models import Notice
from tests.conftest import PASSWORD

RLO = "\u202e"
REFUSED_HERE = {  # the policy's characters, each refused on its own
    "soh": "\x01", "escape": "\x1b", "vertical-tab": "\x0b", "delete": "\x7f", "c1-csi": "\x9b",
    "lre": "\u202a", "rlo": RLO, "lri": "\u2066", "pdi": "\u2069"}
KEPT_HERE = {  # and what a real name, address or note holds
    "tab": "\t", "newline": "\n", "return": "\r", "zwj": "\u200d", "lrm": "\u200e",
    "rlm": "\u200f", "zwsp": "\u200b", "nbsp": "\xa0", "ideographic-space": "\u3000",
    "emoji": "👨\u200d👩\u200d👧", "line-separator": "\u2028"}


@pytest.mark.parametrize("char", REFUSED_HERE.values(), ids=REFUSED_HERE.keys())
def test_the_policy_refuses_control_and_direction_characters(char):
    assert refused_char(f"张{char}三") == char


@pytest.mark.parametrize("char", KEPT_HERE.values(), ids=KEPT_HERE.keys())
def test_the_policy_keeps_what_real_text_holds(char):
    assert refused_char(f"张{char}三") is None


# --- the pages --------------------------------------------------------------------------------

def _problem(r) -> str:
    return re.search(r'<p class="msg error">(.*?)</p>', r.content.decode(), re.S).group(1)


@pytest.mark.parametrize("lang, said", [
    ("zh-hans", "“姓名”含有不可见的控制字符（U+202E）：请删除。"),
    ("zh-hant", "「姓名」含有不可見的控制字元（U+202E）：請刪除。"),
    ("en", "“Name” contains an invisible control character (U+202E): remove it.")])
def test_a_volunteers_name_with_a_right_to_left_override_is_refused_naming_the_field(
        web, cast, areas, lang, said):
    r = web("staff_c1", lang).post("/operations/volunteers/?area=C1", {
        "action": "register", "area": "C1", "name": f"孙{RLO}七", "phone": "13800138000",
        "kind": "volunteer", "skills": ""})
    assert r.status_code == 400
    assert _problem(r) == said
    assert not Volunteer.objects.exists()


def test_a_quarantine_sites_address_with_a_control_character_is_refused(web, cast, areas):
    r = web("staff_c1", "en").post("/isolation/sites/", {
        "area": areas.c1.pk, "name": "凤台宾馆", "address": "凤台路\x011号", "phone": ""})
    assert r.status_code == 400
    assert _problem(r) == "“Address” contains an invisible control character (U+0001): remove it."
    assert not QuarantineSite.objects.exists()


def test_a_field_written_by_hand_in_its_template_is_refused_too(web, cast):
    # the stock page's "define a kit" inputs are no Django form: named as posted
    r = web("staff_c1", "en").post("/assistance/stock/", {
        "action": "kind", "name": "防疫包", "contents": f"口罩{RLO}10"})
    assert r.status_code == 400
    assert "“contents” contains an invisible control character (U+202E)" in _problem(r)
    assert not PackageKind.objects.exists()


def test_a_textarea_keeps_its_line_breaks_and_tabs(web, cast):
    r = web("staff_c1").post("/assistance/stock/", {
        "action": "kind", "name": "防疫包 👨\u200d👩\u200d👧",
        "contents": "口罩\t10 只\r\n消毒液\t1 瓶"})
    assert r.status_code == 302, r.content.decode()[:2000]
    kit = PackageKind.objects.get()
    assert kit.contents.splitlines() == ["口罩\t10 只", "消毒液\t1 瓶"]
    assert kit.name == "防疫包 👨\u200d👩\u200d👧"


def test_a_password_is_left_as_chosen(web, cast):
    from firstline.accounts.models import User

    new = "Qz\x01long-\u202esecret-99"
    r = web("staff_c1").post("/accounts/me/", {
        "action": "password", "old_password": PASSWORD,
        "new_password1": new, "new_password2": new})
    assert r.status_code == 302
    assert User.objects.get(username="staff_c1").check_password(new)


def _route(pattern) -> str | None:
    """A path matching a route (`sites/<int:pk>/` -> `sites/1/`), or None for a regex route."""
    if not isinstance(pattern, RoutePattern):
        return None
    route = str(pattern)
    for name, converter in pattern.converters.items():
        value = {"int": 1, "uuid": uuid.UUID(int=1)}.get(type(converter).__name__
                                                      .removesuffix("Converter").lower(), "x")
        route = re.sub(rf"<(\w+:)?{name}>", converter.to_url(value), route)
    return route


def _page_paths(patterns=None, prefix=""):
    for p in get_resolver().url_patterns if patterns is None else patterns:
        route = _route(p.pattern)
        if route is None and not (isinstance(p, URLResolver) and str(p.pattern) in ("^", "")):
            continue
        path = prefix + (route or "")
        if isinstance(p, URLResolver):
            yield from _page_paths(p.url_patterns, path)
        elif isinstance(p, URLPattern) and not path.startswith("api/"):
            yield "/" + path


def test_every_page_refuses_it_in_any_field_before_its_view_runs(cast, areas):
    """Every page a form can be posted to — each Django form, each input written by hand in a
    template, the admin's — refuses it, whatever the field is called: a new field is covered
    without a line of its own. Only the public forms that say it on the form are left to
    their own check (tests/residents/test_plaintext_public.py)."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(cast.admin)  # a superuser: every page, the admin's too, lets it in
    paths = sorted(set(_page_paths()))
    assert len(paths) > 100 and "/operations/volunteers/" in paths
    own, missed = [], []
    for path in paths:
        if getattr(resolve(path).func, "checks_own_text", False):
            own.append(path)
            continue
        r = client.post(path, {"some_new_field": f"a{RLO}b"})
        if r.status_code != 400 or "“some_new_field” contains an invisible control" \
                not in r.content.decode():
            missed.append((path, r.status_code))
    assert missed == []
    assert own == ["/residents/p/x/declare/", "/residents/p/x/tip/"]


# --- the API ----------------------------------------------------------------------------------

@pytest.mark.parametrize("lang, said", [
    ("zh-hans", "name: 含有不可见的控制字符（U+202E）：请删除"),
    ("zh-hant", "name: 含有不可見的控制字元（U+202E）：請刪除"),
    ("en", "name: contains an invisible control character (U+202E): remove it")])
def test_an_api_body_with_a_right_to_left_override_is_a_422_naming_the_key(api, cast, lang, said):
    r = api("staff_c1").client.post(
        "/api/v1/quarantine-sites", {"area": "C1", "name": f"凤台{RLO}宾馆"},
        content_type="application/json", HTTP_ACCEPT_LANGUAGE=lang, **api("staff_c1")._headers())
    assert r.status_code == 422
    assert r.json() == {"error": "invalid", "detail": said}
    assert not QuarantineSite.objects.exists()


def test_a_control_character_deep_in_a_body_is_named_where_it_is(api, cast, areas):
    r = api("hq").client.post(
        "/api/v1/notices", {"title": "少出门", "body": "x", "areas": ["C1", "C\x012"]},
        content_type="application/json", HTTP_ACCEPT_LANGUAGE="en", **api("hq")._headers())
    assert r.status_code == 422
    assert r.json()["detail"] == ("areas.1: contains an invisible control character (U+0001): "
                                  "remove it")
    assert not Notice.objects.exists()


def test_an_api_body_keeps_line_breaks_tabs_and_joiners(api, cast, areas):
    body = "第一条：少出门\n\t第二条：戴口罩 👨\u200d👩\u200d👧\u200e"
    r = api("hq").post("/api/v1/notices", {"title": "通知", "body": body, "areas": ["C1"]})
    assert r.status_code in (200, 201), r.content
    assert Notice.objects.get().body == "第一条：少出门\n第二条：戴口罩 👨\u200d👩\u200d👧\u200e"


def test_a_multipart_form_field_is_refused_as_a_body_is(api, cast, areas, tmp_path):
    csv = "序号,姓名,身份证号\n1,王芳,110101199001011234\n".encode()
    r = api("hq").client.post(
        "/api/v1/checklists", {"file": _upload("list.csv", csv), "source": f"市{RLO}指挥部"},
        HTTP_ACCEPT_LANGUAGE="en", **api("hq")._headers())
    assert r.status_code == 422
    assert r.json()["detail"] == ("source: contains an invisible control character (U+202E): "
                                  "remove it")
    assert not Checklist.objects.exists()


def _upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_a_pass_code_is_judged_as_scanned_not_refused(api, cast):
    """A scanner may add a group separator to what it read; the gate judges the code (here:
    no such pass) rather than refusing the scan, which would hold up a gate's offline queue."""
    r = api("gate_c1").post("/api/v1/gate/scans", {
        "event_id": str(uuid.uuid4()), "checkpoint": "X", "pass_code": "\x1dABCD\x1e",
        "direction": "out", "temperature": None, "scanned_at": "2020-02-10T10:00:00+08:00"})
    assert r.status_code == 200 and r.json()["decision"] == "deny", r.content


def test_every_api_operation_with_a_body_refuses_it(api, cast):
    """The JSON reader of the one API object refuses it for every operation that reads a body,
    whatever the key is called: a new field, a new operation is covered without a line."""
    client = api("admin")
    checked, missed = 0, []
    for router_prefix, router in the_api._routers:
        for route, path_view in router.path_operations.items():
            for op in path_view.operations:
                if not any(issubclass(m, BodyModel) for m in op.models):
                    continue
                path = "/api/v1" + router_prefix.rstrip("/") + re.sub(r"\{[^}]+\}", "1", route)
                for method in op.methods:
                    r = client.client.generic(
                        method, path, '{"some_new_key": "a\\u202eb"}',
                        content_type="application/json", HTTP_ACCEPT_LANGUAGE="en",
                        **client._headers())
                    checked += 1
                    if r.status_code != 422 or not r.json()["detail"].startswith(
                            "some_new_key: contains an invisible control character"):
                        missed.append((method, path, r.status_code))
    assert checked > 30
    assert missed == []
