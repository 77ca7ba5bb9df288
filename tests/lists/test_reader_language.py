"""Lists in the reader's language: a case's contacts list is titled for the reader (its
source stays "case N" for the API), the answered list's export follows the asking user's
language, and an answer's symptoms are the page's vocabulary."""

import io
from urllib.parse import unquote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from firstline import clock
from firstline.lists.models import Checklist, Verification
from firstline.lists.services import case_contacts_list, case_record, checklist_import

from .conftest import write_csv

pytestmark = pytest.mark.time_sensitive

TITLE = {"zh-hans": "病例 {n} 的密切接触者", "en": "Contacts of case {n}"}


def _contacts_list(roster, cast):
    case = case_record(resident=roster.wang, status="confirmed", on=clock.today(),
                       actor=cast.staff_c1)
    return case, case_contacts_list(case=case, actor=cast.staff_c1).checklist


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_case_contacts_list_is_titled_in_the_readers_language(web, roster, cast, lang):
    case, checklist = _contacts_list(roster, cast)
    assert checklist.source == f"case {case.pk}"  # the stored value, as CONTRACT answers it
    title = TITLE[lang].format(n=case.pk)
    client = web("staff_c1", lang)
    for url in (reverse("lists:home"), reverse("lists:checklist", args=[checklist.pk])):
        page = client.get(url).content.decode()
        assert title in page, url
        assert f">case {case.pk}<" not in page and f"case-{case.pk}" not in page, url


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_worker_sees_the_contacts_list_by_its_title(web, roster, cast, lang):
    case, _ = _contacts_list(roster, cast)
    item = Verification.objects.get(resident=roster.fang)  # 王伟's household
    page = web("grid_a", lang).get(reverse("lists:items")).content.decode()
    card = page[page.index(f'id="v-{item.pk}"'):]
    assert f'<span class="badge">{TITLE[lang].format(n=case.pk)}</span>' in card


def test_the_case_list_api_keeps_its_source(api, roster, cast):
    _, checklist = _contacts_list(roster, cast)
    body = api("staff_c1").get(f"/api/v1/checklists/{checklist.pk}").json()
    assert body["source"] == f"case {checklist.case_id}"


EXPORT = {
    "zh-hans": (["人名", "证件", "车次", "核查结果", "核查时间", "核查人"], "已联系上", "未核查",
                "核查结果.xlsx"),
    "en": (["人名", "证件", "车次", "Verification result", "Verified at", "Verified by"],
           "Reached", "Not verified yet", "verification results.xlsx"),
}


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_answered_list_export_follows_the_users_language(web, roster, cast, tmp_path,
                                                             lang):
    from firstline.lists.services import verification_answer

    path = write_csv(tmp_path / "l.csv", ["人名", "证件", "车次"],
                     [["王芳", roster.fang.id_number, "G1"],
                      ["刘洋", roster.liu.id_number, "=HYPERLINK(\"x\")"]])
    checklist = checklist_import(path=path, source="铁路部门",
                                 mapping={"name": 0, "id_number": 1}).checklist
    verification_answer(verification=Verification.objects.get(resident=roster.fang),
                        result="reached", actor=cast.grid_a)
    r = web("hq", lang).get(reverse("lists:export", args=[checklist.pk]))
    assert r.status_code == 200
    header, reached, pending, suffix = EXPORT[lang]
    assert f"l-{suffix}" in unquote(r["Content-Disposition"])
    ws = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    rows = [[c if c is not None else "" for c in row] for row in ws.iter_rows(values_only=True)]
    assert rows[0] == header
    assert rows[1][3] == reached and rows[1][5] == "grid_a"
    assert rows[2][2] == "'=HYPERLINK(\"x\")"  # still escaped
    assert rows[2][3] == pending
    assert Verification.objects.get(resident=roster.fang).result == "reached"  # as stored


@pytest.mark.parametrize("lang, detail", [
    ("zh-hans", "symptoms：hiccups 不是可选的症状（cough, sore_throat, fatigue, short_breath, "
                "taste_smell, diarrhea, aches）。"),
    ("en", "symptoms: hiccups is not one of the symptoms offered (cough, sore_throat, fatigue, "
           "short_breath, taste_smell, diarrhea, aches).")])
def test_the_api_refuses_a_symptom_the_page_does_not_offer(api, roster, tmp_path, lang, detail):
    path = write_csv(tmp_path / "l.csv", ["姓名", "身份证号"], [["王芳", roster.fang.id_number]])
    checklist_import(path=path, source="x")
    item = Verification.objects.get(resident=roster.fang)
    client = api("grid_a")
    r = client.client.post(f"/api/v1/verifications/{item.pk}/outcome",
                           {"result": "reached", "symptoms": "cough,hiccups"},
                           content_type="application/json", HTTP_ACCEPT_LANGUAGE=lang,
                           **client._headers())
    assert r.status_code == 422, r.content
    assert r.json()["error"] == "bad_symptom" and r.json()["detail"] == detail
    assert Verification.objects.get(pk=item.pk).status == "open"


def test_the_api_keeps_valid_symptoms_as_sent(api, roster, tmp_path):
    path = write_csv(tmp_path / "l.csv", ["姓名", "身份证号"], [["王芳", roster.fang.id_number]])
    checklist_import(path=path, source="x")
    item = Verification.objects.get(resident=roster.fang)
    r = api("grid_a").post(f"/api/v1/verifications/{item.pk}/outcome",
                           {"result": "reached", "symptoms": "cough,fatigue"})
    assert r.status_code == 200, r.content
    assert Verification.objects.get(pk=item.pk).symptoms == "cough,fatigue"


def test_no_list_is_titled_case_n_when_sent_as_another_source(roster, tmp_path):
    path = write_csv(tmp_path / "l.csv", ["姓名", "身份证号"], [["王芳", roster.fang.id_number]])
    checklist = checklist_import(path=path, source="case study 3").checklist
    assert Checklist.objects.get(pk=checklist.pk).title == "case study 3"
