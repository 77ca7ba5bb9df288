"""Each field of the daily report, for the parent and each child, on known facts
(tests/reports/conftest.py describes them)."""

from datetime import timedelta

import pytest

from firstline.areas.models import Area
from firstline.reports.selectors import FIGURES, daily_report

from .conftest import D, local, move

# Expected figures on D for each area; unlisted figures are 0.
EXPECTED = {
    "G1a": {"residents": 3, "households": 2, "home_isolation": 2, "readings_due": 4,
            "readings_received": 2,
            "fever_alerts": 1, "households_visited": 1,
            # operations: the home under isolation (h1) had no disinfection round that day
            "disinfection_overdue": 1},
    "G1b": {"residents": 2, "households": 2, "centralized_isolation": 1,
            "isolations_started": 1, "readings_due": 2, "readings_received": 1},
    "G2a": {"residents": 3, "households": 2, "isolations_ended": 2, "fever_alerts": 1,
            "households_visited": 1},
    # C1's own fact: a fever at a gate attached to the community, not to a grid.
    "C1": {"residents": 5, "households": 4, "home_isolation": 2, "centralized_isolation": 1,
           "isolations_started": 1, "readings_due": 6, "readings_received": 3,
           "fever_alerts": 2,
           "households_visited": 1, "crossings_out": 2, "crossings_in": 1, "crossings_denied": 1,
           "disinfection_overdue": 1},
    "C2": {"residents": 3, "households": 2, "isolations_ended": 2, "fever_alerts": 1,
           "households_visited": 1, "crossings_in": 1, "crossings_denied": 1},
    "99000101": {"residents": 8, "households": 6, "home_isolation": 2,
                 "centralized_isolation": 1, "isolations_started": 1, "isolations_ended": 2,
                 "readings_due": 6, "readings_received": 3, "fever_alerts": 3,
                 "households_visited": 2,
                 "crossings_out": 2, "crossings_in": 2, "crossings_denied": 2,
                 "disinfection_overdue": 1},
}
# Facts attached to a community itself: a fever at its gate, its gates' crossings.
OWN = {"C1": {"fever_alerts": 1, "crossings_out": 2, "crossings_in": 1, "crossings_denied": 1},
       "C2": {"crossings_in": 1, "crossings_denied": 1}}
KEY_PERSONS = {
    "G1a": {"close_contact": 1}, "G1b": {"risk_area": 1}, "G2a": {"fever": 1},
    "C1": {"close_contact": 1, "risk_area": 1}, "C2": {"fever": 1},
    "99000101": {"close_contact": 1, "risk_area": 1, "fever": 1},
}
CATEGORIES = ["risk_area", "close_contact", "fever", "isolation_release", "elderly_alone",
              "needs_help"]


def flatten(report):
    yield report
    for child in report["children"]:
        yield from flatten(child)


@pytest.fixture
def street_report(facts):
    return daily_report(area=facts.areas.street, day=D)


def test_report_has_exactly_the_contract_keys(street_report):
    keys = {"area", "date", "residents", "households", "key_persons", "home_isolation",
            "centralized_isolation", "isolations_started", "isolations_ended", "readings_due",
            "readings_received", "fever_alerts", "crossings_out", "crossings_in",
            "crossings_denied", "households_visited", "visitors_turned_back", "children",
            # operations (CONTRACT.md "Operations")
            "disinfection_rounds", "disinfection_overdue", "volunteers_on_duty",
            "tasks_overdue",
            # residents: notices' reach (宣传覆盖)
            "households_informed",
            # extension beside the contract's fields: the isolation stocks by reason
            "isolations_by_reason"}
    for node in flatten(street_report):
        assert set(node) == keys
        assert node["date"] == "2020-02-10"


def test_children_are_the_direct_sub_areas_in_order(street_report):
    assert [c["area"] for c in street_report["children"]] == ["C1", "C2"]
    c1, c2 = street_report["children"]
    assert [g["area"] for g in c1["children"]] == ["G1a", "G1b"]
    assert [g["area"] for g in c2["children"]] == ["G2a"]
    assert c1["children"][0]["children"] == []


@pytest.mark.parametrize("code", list(EXPECTED))
def test_every_field_of_every_area(street_report, code):
    node = next(n for n in flatten(street_report) if n["area"] == code)
    for figure in FIGURES:
        assert node[figure] == EXPECTED[code].get(figure, 0), figure


@pytest.mark.parametrize("code", list(KEY_PERSONS))
def test_key_persons_by_category_of_every_area(street_report, code):
    node = next(n for n in flatten(street_report) if n["area"] == code)
    assert list(node["key_persons"]) == CATEGORIES
    assert node["key_persons"] == {c: KEY_PERSONS[code].get(c, 0) for c in CATEGORIES}


REASONS = ["risk_area", "close_contact", "secondary_contact", "fever", "lockdown", "other"]


@pytest.mark.parametrize("code", list(EXPECTED))
def test_isolations_by_reason_split_the_isolation_stocks(street_report, code):
    """The people in isolation by reason add up to home + centralized, every reason listed.
    On D the street has 3 close contacts in isolation while its key-person ledger holds 1
    close contact: two different figures, each labelled as what it is."""
    node = next(n for n in flatten(street_report) if n["area"] == code)
    by_reason = node["isolations_by_reason"]
    assert list(by_reason) == REASONS
    assert by_reason["close_contact"] == sum(by_reason.values()) == (
        EXPECTED[code].get("home_isolation", 0) + EXPECTED[code].get("centralized_isolation", 0))


def test_close_contacts_in_isolation_are_not_the_ledgers_count(street_report):
    assert street_report["isolations_by_reason"]["close_contact"] == 3
    assert street_report["key_persons"]["close_contact"] == 1


def test_report_agrees_with_the_people_selectors(facts, street_report):
    from firstline.people import selectors as people

    for node in flatten(street_report):
        area = Area.objects.get(code=node["area"])
        assert node["residents"] == people.residents_in_area_on(area, D)
        assert node["households"] == people.households_in_area_on(area, D)
        assert node["key_persons"] == people.key_person_counts(area, D)
        assert node["households_visited"] == people.households_visited(area, D)


def test_parent_is_sum_of_children_plus_its_own(street_report):
    for node in flatten(street_report):
        if not node["children"]:
            continue
        for figure in FIGURES:
            summed = sum(c[figure] for c in node["children"])
            own = OWN.get(node["area"], {}).get(figure, 0)
            assert node[figure] == summed + own, (node["area"], figure)


def test_child_row_is_the_childs_own_report(facts, street_report):
    c1 = daily_report(area=facts.areas.c1, day=D)
    assert street_report["children"][0] == c1


def test_resident_who_moved_grids_mid_day_counts_once_where_they_went(facts):
    before = daily_report(area=facts.areas.c1, day=D - timedelta(days=1))
    grids = {g["area"]: g for g in before["children"]}
    # The day before, r7 and r10 still lived in G1a.
    assert grids["G1a"]["residents"] == 5
    assert grids["G1b"]["residents"] == 1
    on_d = {g["area"]: g for g in daily_report(area=facts.areas.c1, day=D)["children"]}
    assert on_d["G1a"]["residents"] + on_d["G1b"]["residents"] == 5
    assert on_d["G1b"]["residents"] == 2


def test_local_midnight_not_utc_decides_the_day(facts):
    # r9 arrives at 00:00 local on D+1, which is still D (16:00) in UTC.
    g2a_d = daily_report(area=facts.areas.g2a, day=D)
    g2a_next = daily_report(area=facts.areas.g2a, day=D + timedelta(days=1))
    assert g2a_d["residents"] == 3
    assert g2a_next["residents"] == 4
    # The fever at 00:10 local on D+1 (D in UTC) belongs to D+1.
    g1b_next = daily_report(area=facts.areas.g1b, day=D + timedelta(days=1))
    assert g1b_next["fever_alerts"] == 1


def test_isolation_ended_after_local_midnight_is_in_force_that_day(facts):
    # i6 ended at 00:30 local on D+1 (D in UTC): in force at the end of D, ended on D+1.
    g1a_next = daily_report(area=facts.areas.g1a, day=D + timedelta(days=1))
    assert g1a_next["isolations_ended"] == 1
    # i5 starts on D+1.
    assert g1a_next["isolations_started"] == 1
    assert g1a_next["home_isolation"] == 2


def test_isolation_stock_moves_by_started_minus_ended(facts):
    street = facts.areas.street
    for offset in range(-3, 4):
        day = D + timedelta(days=offset)
        today = daily_report(area=street, day=day)
        yesterday = daily_report(area=street, day=day - timedelta(days=1))
        stock = today["home_isolation"] + today["centralized_isolation"]
        before = yesterday["home_isolation"] + yesterday["centralized_isolation"]
        assert stock == before + today["isolations_started"] - today["isolations_ended"]


def test_a_past_day_reported_again_gives_the_same_numbers(facts):
    street = facts.areas.street
    first = daily_report(area=street, day=D)
    # Life goes on: r1 moves to C2 two days later, r8 is isolated.
    move(facts.residents[1], facts.households[4], local(D + timedelta(days=2), 9))
    from .conftest import isolate

    isolate(facts.residents[8], "home", D + timedelta(days=2), D + timedelta(days=16))
    assert daily_report(area=street, day=D) == first


def test_grid_report_has_no_children(facts):
    report = daily_report(area=facts.areas.g1a, day=D)
    assert report["children"] == []
    assert report["residents"] == 3


def test_empty_area_reports_zeros(areas):
    report = daily_report(area=areas.street, day=D)
    assert report["residents"] == 0
    assert report["key_persons"] == {} or all(v == 0 for v in report["key_persons"].values())
    assert len(report["children"]) == 2


def test_isolation_with_its_own_reading_times(facts):
    """An isolation with its own reading times (three a day) is counted by those times."""
    from .conftest import isolate, reading

    iso = isolate(facts.residents[8], "home", D, D + timedelta(days=7))
    iso.reading_times = ["08:00", "12:00", "20:00"]
    iso.save(update_fields=["reading_times"])
    reading(iso, local(D, 12, 30))
    g2a = daily_report(area=facts.areas.g2a, day=D)
    # created at 08:00 on D: the 08:00 slot counts (due >= created), so 3 due, 1 answered
    assert g2a["readings_due"] == 3
    assert g2a["readings_received"] == 1


@pytest.mark.django_db(transaction=True)
def test_sources_side_by_side_give_the_same_report(facts):
    """Outside a transaction PostgreSQL runs the sources on parallel connections."""
    from firstline.reports import selectors

    sequential = daily_report(area=facts.areas.street, day=D)
    before, selectors.PARALLEL_SOURCES = selectors.PARALLEL_SOURCES, 4
    try:
        parallel = daily_report(area=facts.areas.street, day=D)
    finally:
        selectors.PARALLEL_SOURCES = before
    assert parallel == sequential
    assert parallel["residents"] == 8 and parallel["crossings_denied"] == 2


def test_several_days_at_once_equal_each_days_report(facts):
    """The dashboard computes 14 days in one go; each day equals that day's own report."""
    from firstline.reports.selectors import report_compute

    days = [D + timedelta(days=k) for k in (-2, -1, 0, 1)]
    together = report_compute(area=facts.areas.street, days=days)
    for index, day in enumerate(days):
        assert together.as_json(index=index) == daily_report(area=facts.areas.street, day=day)
