"""The sign-off over the API shows a version's note as the page does: a mobile typed into
it is masked (mask_in_text)."""

import pytest

from firstline.reports.submissions import report_submit

from .conftest import D

pytestmark = pytest.mark.django_db


def test_the_api_masks_a_number_typed_into_a_versions_note(api, facts, cast):
    report_submit(area=facts.areas.c1, day=D, actor=cast.staff_c1)
    report_submit(area=facts.areas.c1, day=D, actor=cast.staff_c1, resubmit=True,
                  note="更正，问13812345678")
    out = api("staff_c1").get("/api/v1/reports/daily/signoff",
                              area="C1", date=D.isoformat()).json()
    notes = [v["note"] for v in out["nodes"][0]["history"]]
    assert notes == ["", "更正，问138****5678"]
