"""The sign-off page (上报) shows what is being signed: the report's figures, only the areas
that submit, and who submitted by name."""

import pytest

from firstline.reports.submissions import report_submit, signoff_status

from .conftest import D

pytestmark = pytest.mark.django_db
PAGE = "/reports/signoff/"


def test_the_figures_are_shown_before_the_submit_button(web, facts):
    html = web("staff_c1").get(PAGE, {"area": "C1", "date": D.isoformat()},
                               HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    figures = html.index('class="card so-figures"')
    assert figures < html.index('name="action" value="submit"')
    block = html[figures:html.index("</section>", figures)]
    # C1 on D (tests/reports/conftest.py): 5 residents, 2 at home, 1 centralized, all three
    # close contacts; the ledger holds 1 close contact (and 1 returnee).
    assert "<dt>实有人口</dt><dd>5</dd>" in block
    assert "<dt>密切接触者</dt><dd>3</dd>" in block.split("重点人员台账")[0]
    assert "<dt>密切接触者</dt><dd>1</dd>" in block.split("重点人员台账")[1]


def test_only_areas_that_submit_are_listed(web, facts):
    """A community's grids never submit: they are not listed as late (未上报)."""
    response = web("staff_c1").get(PAGE, {"area": "C1", "date": D.isoformat()})
    assert [r["area"] for r in response.context["rows"]] == ["C1"]
    assert 'id="so-G1a"' not in response.content.decode()
    street = web("hq").get(PAGE, {"area": "99000101", "date": D.isoformat()})
    assert [r["area"] for r in street.context["rows"]] == ["99000101", "C1", "C2"]


def test_the_submitter_is_shown_by_name_the_api_keeps_the_login(web, facts, cast):
    cast.staff_c1.display_name = "张晓梅"
    cast.staff_c1.save(update_fields=["display_name"])
    report_submit(area=facts.areas.c1, day=D, actor=cast.staff_c1)
    html = web("staff_c1").get(PAGE, {"area": "C1", "date": D.isoformat()}).content.decode()
    assert "张晓梅" in html and "staff_c1" not in html.split('id="so-C1"')[1]
    node = signoff_status(area=facts.areas.c1, day=D)["nodes"][0]
    assert (node["submitted_by"], node["submitted_by_name"]) == ("staff_c1", "张晓梅")
    cast.hq.display_name = ""
    cast.hq.save(update_fields=["display_name"])
    report_submit(area=facts.areas.street, day=D, actor=cast.hq)
    assert signoff_status(area=facts.areas.street, day=D)["nodes"][0]["submitted_by_name"] == "hq"


def test_a_too_long_note_is_said_beside_it_and_kept(web, facts, cast):
    """原因 over 200 characters: the page again at 422, the note as typed, its error beside it
    (it was a redirect with a banner, and the note was lost)."""
    from firstline.reports.models import ReportSubmission

    report_submit(area=facts.areas.c1, day=D, actor=cast.staff_c1)
    note = "补" * 300
    r = web("staff_c1").post(PAGE, {"area": "C1", "date": D.isoformat(),
                                    "action": "resubmit", "note": note})
    html = r.content.decode()
    assert r.status_code == 422
    form = html.split('<details id="resubmit" open>', 1)[1].split("</form>", 1)[0]
    field = form.split('<label class="field">', 1)[1].split("</label>", 1)[0]
    assert f'value="{note}"' in field
    assert '<span class="error" role="alert">原因：超过 200 个字符。</span>' in field
    assert ReportSubmission.objects.filter(area=facts.areas.c1, day=D).count() == 1


def _late_facts(facts):
    """After C1 submitted: one more resident in G1a and one more close contact (r3)."""
    from .conftest import key_fact, local, make_resident

    make_resident(11, facts.households[2])
    key_fact(facts.residents[3], "close_contact", local(D, 9))


@pytest.mark.parametrize(("lang", "residents", "contacts"), [
    ("zh-hans", "实有人口: 5 → 6", "重点人员台账：密切接触者: 1 → 2"),
    ("en", "Residents: 5 → 6", "Key-person ledger: close contact: 1 → 2"),
])
def test_a_correction_is_named_by_the_reports_own_title(web, facts, cast, lang, residents,
                                                        contacts):
    """上报后的更正 said `residents: 5 → 6` in every language: the figure's title as the daily
    report's workbook has it, nested ledger figures too."""
    report_submit(area=facts.areas.c1, day=D, actor=cast.staff_c1)
    _late_facts(facts)
    html = web("staff_c1", lang).get(PAGE, {"area": "C1", "date": D.isoformat()}) \
        .content.decode()
    row = html.split('id="so-C1"', 1)[1].split("</tr>", 1)[0]
    assert residents in row and contacts in row
    assert "residents:" not in row and "key_persons" not in row


def test_what_a_version_changed_is_named_by_the_reports_own_title(web, facts, cast):
    report_submit(area=facts.areas.c1, day=D, actor=cast.staff_c1)
    _late_facts(facts)
    report_submit(area=facts.areas.c1, day=D, actor=cast.staff_c1, resubmit=True, note="补录")
    html = web("hq").get(PAGE, {"area": "99000101", "date": D.isoformat()}).content.decode()
    history = html.split('id="so-C1"', 1)[1].split('<ol class="history">', 1)[1] \
        .split("</ol>", 1)[0]
    assert '<span class="badge">实有人口: 5 → 6</span>' in history
    assert "residents" not in history


def test_submitting_asks_to_confirm_first(web, facts):
    """One tap froze the day: without the box ticked nothing is submitted, and the page says
    why beside the box (the box is `required`, so a browser asks before posting)."""
    from firstline.reports.models import ReportSubmission

    client = web("staff_c1")
    page = client.get(PAGE, {"area": "C1", "date": D.isoformat()}).content.decode()
    form = page.split('name="action" value="submit"', 1)[1].split("</form>", 1)[0]
    assert 'name="confirm" value="1" required' in form and "我已核对以上数字" in form
    r = client.post(PAGE, {"area": "C1", "date": D.isoformat(), "action": "submit"})
    assert r.status_code == 422
    assert "请先勾选“我已核对以上数字”，再上报。" in r.content.decode()
    assert not ReportSubmission.objects.exists()
    r = client.post(PAGE, {"area": "C1", "date": D.isoformat(), "action": "submit",
                           "confirm": "1"})
    assert r.status_code == 302
    assert ReportSubmission.objects.get().area.code == "C1"


def test_the_street_is_told_how_many_communities_have_not_submitted(web, facts, cast):
    client = web("hq")

    def form():
        page = client.get(PAGE, {"area": "99000101", "date": D.isoformat()}).content.decode()
        return page.split('name="action" value="submit"', 1)[1].split("</form>", 1)[0]

    said = form()
    assert "2 个社区尚未上报（共 2 个）。" in said
    assert said.index("尚未上报") < said.index('name="confirm"')
    report_submit(area=facts.areas.c1, day=D, actor=cast.staff_c1)
    assert "1 个社区尚未上报（共 2 个）。" in form()
    report_submit(area=facts.areas.c2, day=D, actor=cast.staff_c2)
    assert "尚未上报" not in form()
    en = web("hq", "en").get(PAGE, {"area": "99000101", "date": D.isoformat()})
    assert "have not submitted" not in en.content.decode()


def test_the_street_is_told_in_english(web, facts, cast):
    report_submit(area=facts.areas.c1, day=D, actor=cast.staff_c1)
    html = web("hq", "en").get(PAGE, {"area": "99000101", "date": D.isoformat()}) \
        .content.decode()
    assert "1 of 2 communities has not submitted its report yet." in html


def test_figure_label_names_nested_figures():
    from django.utils import translation

    from firstline.reports.xlsx import figure_label

    with translation.override("zh-hans"):
        assert figure_label("disinfection_rounds") == "消杀次数"
        assert figure_label("isolations_by_reason.close_contact").startswith("隔离中：")
        assert figure_label("key_persons.fever", {"fever": "发热人员"}) == "重点人员台账：发热人员"
    with translation.override("zh-hant"):
        assert figure_label("disinfection_rounds") == "消殺次數"
