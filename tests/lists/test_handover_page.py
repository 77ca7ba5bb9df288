"""The page of a list handed over from another street says, on each row, who handed it over
and why (its 转办说明, in the reader's language) — what the receiving street routes on — and,
when no row matched a resident, says so instead of an empty progress table."""

import pytest

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
