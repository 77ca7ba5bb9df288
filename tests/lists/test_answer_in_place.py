"""An answer on the items page: refused in place for htmx (the browser stays on the list's
URL), and an answer saying the person came back from somewhere offers "登记隔离", the
isolation start form prefilled by its URL."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from firstline import clock
from firstline.lists.models import Verification
from firstline.lists.services import checklist_import

from .conftest import write_csv

pytestmark = pytest.mark.time_sensitive

HTMX = {"HTTP_HX_REQUEST": "true"}


def _item(roster, tmp_path):
    path = write_csv(tmp_path / "l.csv", ["姓名", "身份证号"], [["王芳", roster.fang.id_number]])
    checklist_import(path=path, source="铁路部门", deadline=clock.today())
    return Verification.objects.get(resident=roster.fang)


def _returned(day):
    return {"result": "reached", "temperature": "36.5", "from_province": "湖北",
            "from_city": "武汉", "returned_on": day.isoformat(), "note": "火车 G1722"}


def _offer(html: str) -> str:
    start = html.index('href="/isolation/new/?') + len('href="')
    return html[start:html.index('"', start)].replace("&amp;", "&")


def test_a_refused_answer_comes_back_as_the_card_alone_for_htmx(web, roster, tmp_path):
    item = _item(roster, tmp_path)
    r = web("grid_a").post(reverse("lists:item_answer", args=[item.pk]),
                           _returned(clock.today() + timedelta(days=2)), **HTMX)
    assert r.status_code == 422
    html = r.content.decode()
    assert html.lstrip().startswith(f'<article class="card vitem" id="v-{item.pk}">')
    assert "<html" not in html and "返回日期不能晚于今天。" in html
    assert 'value="湖北"' in html  # what was typed, kept
    assert f'hx-post="{reverse("lists:item_answer", args=[item.pk])}"' in html
    assert Verification.objects.get(pk=item.pk).status == "open"


@pytest.mark.parametrize("lang, said, button", [
    ("zh-hans", "王芳：已为所有名单记录。", "登记隔离"),
    ("en", "王芳: recorded for every list.", "Start isolation")])
def test_an_answer_with_a_return_offers_isolation_prefilled(web, roster, tmp_path, lang, said,
                                                            button):
    item = _item(roster, tmp_path)
    back = clock.today() - timedelta(days=3)
    r = web("staff_c1", lang).post(reverse("lists:item_answer", args=[item.pk]),
                                   _returned(back), **HTMX)
    assert r.status_code == 200
    html = r.content.decode()
    assert html.lstrip().startswith(f'<article class="card answered" id="v-{item.pk}">')
    assert said in html and f">{button}</a>" in html
    query = parse_qs(urlsplit(_offer(html)).query)
    assert query["resident"] == [str(roster.fang.pk)]
    assert query["starts_on"] == [back.isoformat()]
    origin, sep = {"zh-hans": ("自湖北武汉返回", "，"), "en": ("returned from 湖北武汉", ", ")}[lang]
    assert query["note"] == [sep.join([origin, back.isoformat(), "火车 G1722"])]


def test_a_phone_typed_in_the_note_goes_masked_into_the_offer(web, roster, tmp_path):
    item = _item(roster, tmp_path)
    answer = _returned(clock.today() - timedelta(days=3)) | {"note": "联系 13812345678"}
    r = web("staff_c1").post(reverse("lists:item_answer", args=[item.pk]), answer, **HTMX)
    link = _offer(r.content.decode())
    note = parse_qs(urlsplit(link).query)["note"][0]
    assert "13812345678" not in link and note.endswith("联系 138****5678")


def test_the_isolation_form_takes_the_offer(web, roster, tmp_path):
    item = _item(roster, tmp_path)
    back = clock.today() - timedelta(days=3)
    client = web("staff_c1")
    r = client.post(reverse("lists:item_answer", args=[item.pk]), _returned(back))
    assert r.status_code == 302 and r.url == f"{reverse('lists:items')}?answered={item.pk}"
    page = client.get(r.url).content.decode()  # the offer, after the redirect too
    form = client.get(_offer(page)).content.decode()
    assert f'value="{back.isoformat()}"' in form
    assert f'value="自湖北武汉返回，{back.isoformat()}，火车 G1722"' in form
    assert "已按登记的核查结果填写" in form


def test_a_grid_worker_without_isolation_rights_is_not_offered_it(web, roster, tmp_path):
    item = _item(roster, tmp_path)
    r = web("grid_a").post(reverse("lists:item_answer", args=[item.pk]),
                           _returned(clock.today() - timedelta(days=3)), **HTMX)
    assert r.status_code == 200 and "/isolation/new/" not in r.content.decode()


def test_an_answer_without_a_return_offers_nothing(web, roster, tmp_path):
    item = _item(roster, tmp_path)
    r = web("staff_c1").post(reverse("lists:item_answer", args=[item.pk]),
                             {"result": "reached", "temperature": "36.5"}, **HTMX)
    assert r.status_code == 200 and "/isolation/new/" not in r.content.decode()


def test_the_isolation_form_ignores_a_bad_or_future_start(web, roster):
    client = web("staff_c1")
    today = clock.today()
    for bad in ("2026-13-01", (today + timedelta(days=1)).isoformat()):
        form = client.get(reverse("isolation:new"),
                          {"resident": roster.fang.pk, "starts_on": bad}).content.decode()
        assert f'value="{bad}"' not in form and f'value="{today.isoformat()}"' in form


@pytest.mark.parametrize("lang, before, after", [
    ("zh-hans", "待联系 2 人", "待联系 1 人"),
    ("en", "2 people to reach", "1 person to reach")])
def test_an_answer_in_place_sends_the_new_count_out_of_band(web, roster, tmp_path, lang,
                                                           before, after):
    path = write_csv(tmp_path / "l.csv", ["姓名", "身份证号"],
                     [["王芳", roster.fang.id_number], ["王伟", roster.wang.id_number]])
    checklist_import(path=path, source="铁路部门", deadline=clock.today())
    item = Verification.objects.get(resident=roster.fang)
    client = web("grid_a", lang)
    assert before in client.get(reverse("lists:items")).content.decode()
    r = client.post(reverse("lists:item_answer", args=[item.pk]),
                    {"result": "reached", "temperature": "36.5"}, **HTMX)
    assert r.status_code == 200
    html = r.content.decode()
    count = html[html.index('id="items-count"'):]
    assert 'hx-swap-oob="true"' in count[:60] and after in count
