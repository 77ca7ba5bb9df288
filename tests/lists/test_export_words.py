"""The answered list goes back up in words (核查结果): what the worker found — temperature,
where from, when back, the note, the reason a row was routed — and nothing internal (no
"visit:12"). The answer taken from a recorded fact keeps that fact as a reference."""

import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from firstline import clock
from firstline.errors import InvalidInput
from firstline.lists.models import Verification
from firstline.lists.services import verification_answer
from firstline.people.services import screening_visit_record

from .test_api import _list, upload

pytestmark = pytest.mark.time_sensitive


def results(api, checklist_id) -> dict[str, str]:
    """{name: 核查结果} of the export."""
    r = api("hq").get(f"/api/v1/checklists/{checklist_id}/export")
    ws = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    col = rows[0].index("核查结果")
    return {row[1]: row[col] for row in rows[1:]}


@pytest.fixture
def answered(api, web, roster, tmp_path, cast):
    """The walk: 王芳 answered from a screening visit with the page's 用此作为核查结果 button,
    刘洋 answered by typing, row 4 (nobody) routed as unknown with why."""
    visit = screening_visit_record(actor=cast.grid_a, household=roster.h1,
                                   people=[{"resident": roster.fang, "temperature": "36.5"}])
    c = upload(api("hq"), _list(roster, tmp_path)).json()["id"]
    page = web("grid_a").get("/lists/items/").content.decode()
    fang = Verification.objects.get(resident=roster.fang)
    form = page[page.index('class="fact"', page.index(f'id="v-{fang.pk}"')):]
    form = form[:form.index("</form>")]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    assert fields["source"] == f"visit:{visit.pk}" and fields.get("note", "") == ""
    web("grid_a").post(f"/lists/items/{fang.pk}/", fields)
    liu = Verification.objects.get(resident=roster.liu)
    back = clock.today() - timedelta(days=2)
    web("grid_b").post(f"/lists/items/{liu.pk}/", {
        "result": "reached", "temperature": "36.7", "from_province": "湖北",
        "from_city": "武汉", "returned_on": back.isoformat(), "note": ""})
    api("hq").post(f"/api/v1/checklists/{c}/rows/4/route",
                   {"routing": "unknown", "note": "电话空号"})
    return c, visit, back


def test_a_fact_used_as_the_answer_is_kept_as_a_reference_not_as_the_note(answered, roster):
    _c, visit, _back = answered
    fang = Verification.objects.get(resident=roster.fang)
    assert (fang.status, fang.note, fang.source) == ("done", "", f"visit:{visit.pk}")


def test_the_export_says_in_words_what_was_found_and_nothing_internal(answered, api):
    c, _visit, back = answered
    found = results(api, c)
    assert found["王芳"] == "已联系上；体温 36.5℃；取自入户排查记录"
    assert found["刘洋"] == f"已联系上；体温 36.7℃；来自 湖北 武汉；{back.isoformat()} 返回"
    assert not any("visit:" in (text or "") for text in found.values())


def test_the_why_of_a_row_routed_unknown_goes_up_with_it(answered, api):
    c, _visit, _back = answered
    assert results(api, c)["查无此人"] == "未匹配（查无此人：电话空号）"


def test_a_source_that_is_not_the_persons_own_fact_is_refused(roster, tmp_path, api, cast):
    visit = screening_visit_record(actor=cast.grid_a, household=roster.h1,
                                   people=[{"resident": roster.wang, "temperature": "36.5"}])
    upload(api("hq"), _list(roster, tmp_path))
    fang = Verification.objects.get(resident=roster.fang)
    with pytest.raises(InvalidInput) as exc:
        verification_answer(verification=fang, result="reached", actor=cast.grid_a,
                            source=f"visit:{visit.pk}")
    assert exc.value.field == "source"
    assert Verification.objects.get(pk=fang.pk).status == "open"


def test_the_english_export_begins_each_answer_with_a_capital(answered, api, cast):
    from django.utils import translation

    from firstline.lists.exports import checklist_rows
    from firstline.lists.models import Checklist

    c, _visit, _back = answered
    with translation.override("en"):
        rows = list(checklist_rows(Checklist.objects.get(pk=c), full=False, user=cast.hq))
    col = rows[0].index("Verification result")
    said = {row[1]: row[col] for row in rows[1:]}
    assert said["王芳"].startswith("Reached; temperature 36.5")
    assert said["查无此人"] == "Unmatched (unknown person: 电话空号)"
    assert set(Verification.objects.values_list("result", flat=True)) == {"reached", ""}
