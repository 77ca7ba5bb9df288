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
