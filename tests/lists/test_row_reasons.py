"""Why an unmatched row matched nobody is said in the reader's language — on the list's page,
in the answered list's export and on the API — kept as facts, not in the importer's words;
a row written before keeps its text."""

import io

import pytest
from django.db import connection
from django.utils import translation
from openpyxl import load_workbook

from firstline.lists.models import ChecklistRow
from firstline.lists.services import checklist_import

from .conftest import write_csv

NOBODY = {"zh-hans": "花名册中没有此身份证号、姓名＋手机号或姓名＋地址的居民。",
          "en": "No resident with this ID number, name and phone, or name and address."}


def _cells(response) -> list[tuple]:
    assert response.status_code == 200
    return list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
                .iter_rows(values_only=True))


def _row_html(page: str, number: int) -> str:
    row = page[page.index(f'id="row-{number}"'):]
    return row[:row.index("</tr>")]


@pytest.fixture
def imported_in_chinese(roster, tmp_path, areas, cast):
    """A list imported while a zh-hans user worked: 王芳 matched, 无名氏 matched nobody."""
    path = write_csv(tmp_path / "l.csv", ["姓名", "手机号", "身份证号"],
                     [["王芳", "13900002222", roster.fang.id_number],
                      ["无名氏", "电话空号", "11010519800101123X"]])
    with translation.override("zh-hans"):
        return checklist_import(path=path, source="铁路部门", area=areas.street,
                                actor=cast.hq).checklist


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_why_a_row_matched_nobody_is_said_in_the_readers_language(imported_in_chinese, web,
                                                                  api, lang):
    c = imported_in_chinese
    row = c.entries.get(number=2)
    assert row.reason == "" and row.reason_facts["m"] == NOBODY["en"]  # facts, not words
    other = NOBODY["en" if lang == "zh-hans" else "zh-hans"]
    page = web("hq", lang).get(f"/lists/{c.pk}/").content.decode()
    assert NOBODY[lang] in _row_html(page, 2) and other not in page
    sent = _cells(web("hq", lang).get(f"/lists/{c.pk}/export/"))
    assert NOBODY[lang] in sent[2][3] and other not in sent[2][3]
    body = api("hq").client.get(f"/api/v1/checklists/{c.pk}/unmatched",
                                HTTP_AUTHORIZATION=f"Bearer {api('hq').token}",
                                HTTP_ACCEPT_LANGUAGE=lang).json()
    [item] = body["items"]
    assert item["reason"] == NOBODY[lang] and set(item) >= {"number", "name", "routing"}


def test_a_row_written_before_reasons_were_facts_still_shows_its_text(imported_in_chinese,
                                                                      web):
    c = imported_in_chinese
    ChecklistRow.objects.filter(checklist=c, number=2).update(
        reason="旧的原因：名单写错了", reason_facts={})
    page = web("hq", "en").get(f"/lists/{c.pk}/").content.decode()
    assert "旧的原因：名单写错了" in _row_html(page, 2)
    sent = _cells(web("hq", "en").get(f"/lists/{c.pk}/export/"))
    assert "旧的原因：名单写错了" in sent[2][3]


def test_the_migration_gives_a_stored_reason_its_facts(imported_in_chinese):
    """A row written in any of the site's languages before reasons were facts is said in the
    reader's language after the upgrade; a text the matcher never wrote stays as it is."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("firstline.lists.migrations.0007_row_reason_facts")
    c = imported_in_chinese
    ChecklistRow.objects.filter(checklist=c, number=2).update(reason=NOBODY["zh-hans"],
                                                              reason_facts={})
    ChecklistRow.objects.filter(checklist=c, number=1).update(reason="别的话", reason_facts={})
    migration.reasons_to_facts(apps, connection.schema_editor())
    with translation.override("en"):
        assert c.entries.get(number=2).reason_shown == NOBODY["en"]
        assert c.entries.get(number=1).reason_shown == "别的话"
