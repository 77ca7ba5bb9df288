"""The audit filter said nothing when its end day lay before its start: an empty list that
reads as "nobody looked at anyone"."""


def test_a_reversed_day_range_is_said(web, roster):
    r = web("auditor", "en").get("/people/audit/?from=2026-12-08&to=2026-12-01")
    assert r.status_code == 200
    assert "To: 2026-12-01 is before From: 2026-12-08" in r.content.decode()


def test_a_day_range_in_order_says_nothing(web, roster):
    r = web("auditor", "en").get("/people/audit/?from=2026-12-01&to=2026-12-08")
    assert "is before From" not in r.content.decode()
