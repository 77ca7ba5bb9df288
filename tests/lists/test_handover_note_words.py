"""A hand-over list's 转办说明 column (who handed the row over, and why) is ours, not the
sender's: its header and its cells are said in the language of whoever downloads the list,
while what is stored (the column's header, the cell "街道：why") stays as it was written."""

import pytest
from django.urls import reverse

from firstline import clock
from firstline.areas.models import Area
from firstline.lists.models import Checklist, ChecklistRow
from firstline.lists.services import checklist_import

from .conftest import write_csv
from .test_routing import _handover_cells, _list, _route

pytestmark = pytest.mark.time_sensitive  # deadlines

SAID = {
    "zh-hans": {"header": "转办说明", "why": "测试街道转来：住东苑808", "no_why": "测试街道转来",
                "to": "转至"},
    "en": {"header": "Hand-over note", "why": "Handed over by 测试街道: 住东苑808",
           "no_why": "Handed over by 测试街道", "to": "Handed over to"},
}
STORED = ["测试街道：住东苑808", "测试街道"]


def _handed(api, roster, tmp_path, areas):
    """Rows 2 (赵敏, with a why) and 3 (无名氏, without) of our list handed over to 东街道."""
    c = _list(roster, tmp_path, areas)
    assert _route(api, c, 2, to_area="99000102", note="住东苑808").status_code == 200
    assert _route(api, c, 3, to_area="99000102").status_code == 200
    return Checklist.objects.get(handover_of=c)


def _stored(handed):
    return [r.values[-1] for r in ChecklistRow.objects.filter(checklist=handed)
            .order_by("number")]


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_handover_lists_export_says_the_note_in_the_readers_language(
        api, web, roster, areas, other, tmp_path, lang):
    handed = _handed(api, roster, tmp_path, areas)
    rows = _handover_cells(web("hq_east", lang).get(reverse("lists:export", args=[handed.pk])))
    said = SAID[lang]
    assert rows[0][:4] == ("姓名", "手机号", "地址", said["header"])  # the sender's own kept
    assert [r[3] for r in rows[1:]] == [said["why"], said["no_why"]]
    unsaid = SAID["en" if lang == "zh-hans" else "zh-hans"]
    cells = {str(v) for row in rows for v in row}
    assert not cells & {unsaid["header"], unsaid["why"], unsaid["no_why"]}
    # the stored list is as it was written
    handed.refresh_from_db()
    assert handed.columns == ["姓名", "手机号", "地址", "转办说明"]
    assert _stored(handed) == STORED


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_handover_list_handed_on_says_the_note_in_its_hand_over_export(
        api, web, roster, areas, other, tmp_path, lang):
    """东街道 cannot place 无名氏 either and sends the row on, outside Firstline: its hand-over
    list (转办清单) carries the note it came with, in the language of whoever downloads it."""
    handed = _handed(api, roster, tmp_path, areas)
    r = api("hq_east").post(f"/api/v1/checklists/{handed.pk}/rows/2/route",
                            {"routing": "other_street", "to_name": "外区某街道"})
    assert r.status_code == 200, r.content
    rows = _handover_cells(web("hq_east", lang).get(reverse("lists:handover",
                                                            args=[handed.pk])))
    said = SAID[lang]
    assert rows[0][3:5] == (said["header"], said["to"])
    assert [(r[0], r[3], r[4]) for r in rows[1:]] == [("无名氏", said["no_why"], "外区某街道")]
    assert _stored(handed) == STORED


def test_a_note_from_a_street_renamed_since_still_reads_in_the_readers_language(
        api, web, roster, areas, other, tmp_path):
    handed = _handed(api, roster, tmp_path, areas)
    Area.objects.filter(pk=areas.street.pk).update(name="新街道")
    rows = _handover_cells(web("hq_east", "en").get(reverse("lists:export", args=[handed.pk])))
    assert [r[3] for r in rows[1:]] == ["Handed over by 测试街道: 住东苑808",
                                        "Handed over by 测试街道"]


def test_a_row_with_more_cells_than_headers_keeps_its_note_under_the_note_column(
        api, web, roster, areas, other, tmp_path):
    """A sheet's row may run past its header row (a stray cell at the end). The hand-over list
    has the sender's headers and 转办说明: the note sits under 转办说明, not after a cell that
    has no header (where no download shows it); the stray cell stays on the sender's row."""
    path = write_csv(tmp_path / "l.csv", ["姓名", "手机号", "地址"],
                     [["赵敏", "137 1111 2222", "东苑808", "多出的格"]])
    c = checklist_import(path=path, source="铁路部门", deadline=clock.today(),
                         area=areas.street).checklist
    assert ChecklistRow.objects.get(checklist=c, number=1).values[-1] == "多出的格"
    assert _route(api, c, 1, to_area="99000102", note="住东苑808").status_code == 200
    handed = Checklist.objects.get(handover_of=c)
    assert _stored(handed) == ["测试街道：住东苑808"]
    rows = _handover_cells(web("hq_east", "zh-hans").get(reverse("lists:export",
                                                                 args=[handed.pk])))
    assert rows[1][:4] == ("赵敏", rows[1][1], "东苑808", "测试街道转来：住东苑808")
    assert "多出的格" in ChecklistRow.objects.get(checklist=c, number=1).values
