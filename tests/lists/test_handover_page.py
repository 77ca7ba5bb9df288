"""The page of a list handed over from another street says, on each row, who handed it over
and why (its 转办说明, in the reader's language) — what the receiving street routes on — and,
when no row matched a resident, says so instead of an empty progress table."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from firstline.lists.models import Checklist
from firstline.lists.services import checklist_import

from .conftest import write_csv

SAID = {"zh-hans": ("转办说明", "测试街道转来：电话确认住东区", "还没有行匹配到居民"),
        "en": ("Hand-over note", "Handed over by 测试街道: 电话确认住东区",
               "No row matched a resident yet")}


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_handover_list_page_says_who_handed_each_row_over_and_why(api, web, roster, areas,
                                                                      other, tmp_path, lang):
    path = write_csv(tmp_path / "l.csv", ["姓名", "手机号", "地址"],
                     [["无名氏", "13000000000", "不详"]])
    c = checklist_import(path=path, source="铁路部门", area=areas.street).checklist
    r = api("hq").post(f"/api/v1/checklists/{c.pk}/rows/1/route",
                       {"routing": "other_street", "to_area": "99000102",
                        "note": "电话确认住东区"})
    assert r.status_code == 200, r.content
    handed = Checklist.objects.get(handover_of=c)
    page = web("hq_east", lang).get(f"/lists/{handed.pk}/").content.decode()
    label, note, nobody = SAID[lang]
    row = page[page.index('id="row-1"'):]
    row = row[:row.index("</tr>")]
    assert f'<td data-label="{label}">{note}</td>' in row
    assert nobody in page and 'class="figures"' not in page
    # the sender's own page has no such column
    assert label not in web("hq", lang).get(f"/lists/{c.pk}/").content.decode().split(
        'id="row-1"')[1].split("</tr>")[0]


FROM = {"zh-hans": "测试街道于 2020-02-10 09:30 转来", "zh-hant": "测试街道於 2020-02-10 09:30 轉來",
        "en": "Handed over by 测试街道 on 2020-02-10 09:30"}


@pytest.mark.parametrize("lang", FROM)
def test_the_receiving_street_sees_where_the_list_came_from_not_the_senders_file(
        api, web, roster, areas, other, tmp_path, lang):
    """Under a hand-over list's title: the street that handed it over and when (local time),
    not the sender's file name, a file the receiving street never had; the sender's own list
    keeps its file name."""
    path = write_csv(tmp_path / "铁路名单.csv", ["姓名", "手机号", "地址"],
                     [["无名氏", "13000000000", "不详"]])
    c = checklist_import(path=path, source="铁路部门", area=areas.street).checklist
    assert c.filename == "铁路名单.csv"
    handed_at = datetime(2020, 2, 10, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(handed_at, tick=False):
        r = api("hq").post(f"/api/v1/checklists/{c.pk}/rows/1/route",
                           {"routing": "other_street", "to_area": "99000102"})
    assert r.status_code == 200, r.content
    handed = Checklist.objects.get(handover_of=c)
    page = web("hq_east", lang).get(f"/lists/{handed.pk}/").content.decode()
    subtitle = page[page.index("</h1>"):page.index('<p class="summary">')]
    assert FROM[lang] in subtitle and "铁路名单.csv" not in subtitle
    own = web("hq", lang).get(f"/lists/{c.pk}/").content.decode()
    assert "铁路名单.csv" in own[own.index("</h1>"):own.index('<p class="summary">')]
