"""The staff pages' small forms (confirm a declaration, record a tip-off's outcome, hand over
its reward): a refusal comes back on the page, with what the worker typed kept in that row's
form and the error beside the field it names; success keeps the redirect."""

import re

from firstline.accounts.models import AuditEntry
from firstline.people.models import Resident
from firstline.residents.models import Declaration, Reward, Tip

from .conftest import declaration
from .test_declarations import declare
from .test_tips import tip


def row(html: str, element_id: str) -> str:
    """The <li id=element_id> of a list page."""
    found = re.search(rf'<li id="{element_id}">(.*?)</li>', html, re.S)
    assert found, element_id
    return found.group(1)


def beside(html: str, name: str, error: str) -> bool:
    """`error` follows the input or select called `name` (after its options), before any other
    field."""
    other_field = r"(?:(?!<input|<select|</select>).)*"
    return re.search(rf'<(?:input|select) name="{name}"[^>]*>(?:{other_field}</select>)?\s*'
                     rf'<span class="error"[^>]*>{re.escape(error)}</span>', html, re.S) is not None


def selected(html: str, name: str, value: str) -> bool:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    return select is not None and re.search(
        rf'<option value="{re.escape(value)}" selected>', select.group(1)) is not None


# --- confirming a declaration --------------------------------------------------------------


def a_newcomer_at_an_unknown_compound():
    """Not on the roster, at a compound the roster does not know: the worker types the
    household ID (C1's staff see it; no grid holds it)."""
    declare(declaration(compound="不存在小区"))
    return Declaration.objects.get()


def test_a_confirmation_without_a_household_comes_back_with_the_residency_chosen(place, web):
    d = a_newcomer_at_an_unknown_compound()
    r = web("staff_c1", "zh-hant").post(f"/residents/declarations/{d.pk}/confirm/",
                                        {"household": "", "residency": "temporary"})
    assert r.status_code == 422
    form = row(r.content.decode(), f"declaration-{d.pk}")
    assert beside(form, "household", "該地址不在花名冊中：請選擇住戶。")
    assert selected(form, "residency", "temporary")
    assert Declaration.objects.get().status == "pending"


def test_an_unknown_household_id_is_said_beside_it_as_typed(place, web):
    d = a_newcomer_at_an_unknown_compound()
    c = web("staff_c1", "en")
    # A typo, and a household of another community: the same words, the typed ID kept.
    for typed in ("99999", str(place.h301.pk)):
        r = c.post(f"/residents/declarations/{d.pk}/confirm/",
                   {"household": typed, "residency": "floating"})
        assert r.status_code == 422
        form = row(r.content.decode(), f"declaration-{d.pk}")
        assert f'value="{typed}"' in form
        assert beside(form, "household", "No household with this ID in your area.")
        assert selected(form, "residency", "floating")
    assert not Resident.objects.filter(name="李娜").exists()


def test_a_refusal_naming_the_residency_is_said_beside_it_with_the_household_kept(place, web):
    declare(declaration(room="999"))  # 阳光花园 1-1-999: the compound's households to choose
    d = Declaration.objects.get()
    r = web("staff_c1", "en").post(f"/residents/declarations/{d.pk}/confirm/",
                                   {"household": place.h201.pk, "residency": "tourist"})
    assert r.status_code == 422
    form = row(r.content.decode(), f"declaration-{d.pk}")
    assert beside(form, "residency", "Unknown residency type: use permanent, temporary or "
                                     "floating.")
    assert selected(form, "household", str(place.h201.pk))
    assert Declaration.objects.get().status == "pending"


def test_confirming_a_declaration_confirmed_meanwhile_says_so_on_the_page(place, web, api):
    declare(declaration())
    d = Declaration.objects.get()
    api("grid_a").post(f"/api/v1/declarations/{d.pk}/confirm")
    r = web("staff_c1", "en").post(f"/residents/declarations/{d.pk}/confirm/")
    assert r.status_code == 409
    assert re.search(r'<p class="error" role="alert">This declaration was already confirmed.',
                     r.content.decode())


def test_a_confirmation_still_redirects_with_its_message(place, web):
    d = a_newcomer_at_an_unknown_compound()
    c = web("staff_c1", "en")
    r = c.post(f"/residents/declarations/{d.pk}/confirm/", {"household": place.h201.pk,
                                                            "residency": "temporary"})
    assert r.status_code == 302 and r["Location"] == "/residents/declarations/"
    assert "Confirmed: 李娜" in c.get(r["Location"]).content.decode()


# --- recording a tip-off's outcome -----------------------------------------------------------


def test_a_refused_outcome_keeps_the_note_and_the_outcome_with_the_error_beside_it(place, web):
    tip({"where": "阳光花园 1栋"})
    t = Tip.objects.get()
    note = "核实" * 101  # 202 characters: a hand-made request past the input's maxlength
    r = web("grid_a", "en").post(f"/residents/tips/{t.pk}/verify/",
                                 {"outcome": "duplicate", "note": note})
    assert r.status_code == 422
    form = row(r.content.decode(), f"tip-{t.pk}")
    assert f'value="{note}"' in form
    assert beside(form, "note", "Note: at most 200 characters.")
    assert selected(form, "outcome", "duplicate")
    assert Tip.objects.get().status == "open"


def test_an_unknown_outcome_is_said_beside_the_outcome_in_the_workers_language(place, web):
    tip({"where": "阳光花园 1栋"})
    t = Tip.objects.get()
    r = web("grid_a").post(f"/residents/tips/{t.pk}/verify/", {"outcome": "maybe", "note": "x"})
    assert r.status_code == 422
    form = row(r.content.decode(), f"tip-{t.pk}")
    assert beside(form, "outcome", "核实结果：属实、不实或重复。")
    assert 'value="x"' in form


def test_the_outcome_starts_unchosen(place, web):
    tip({"where": "阳光花园 1栋"})
    t = Tip.objects.get()
    form = row(web("grid_a").get("/residents/tips/").content.decode(), f"tip-{t.pk}")
    assert selected(form, "outcome", "")
    assert not selected(form, "outcome", "valid")


def test_no_outcome_chosen_records_nothing_and_says_so_beside_the_outcome(place, web):
    tip({"where": "阳光花园 1栋"})
    t = Tip.objects.get()
    r = web("grid_a").post(f"/residents/tips/{t.pk}/verify/", {"outcome": "", "note": "x"})
    assert r.status_code == 422
    form = row(r.content.decode(), f"tip-{t.pk}")
    assert beside(form, "outcome", "核实结果：请选择属实、不实或重复。")
    assert 'value="x"' in form
    assert Tip.objects.get().status == "open" and not Reward.objects.exists()


def test_an_outcome_recorded_still_redirects(place, web):
    tip({"where": "阳光花园 1栋"})
    t = Tip.objects.get()
    r = web("grid_a").post(f"/residents/tips/{t.pk}/verify/", {"outcome": "invalid"})
    assert r.status_code == 302 and Tip.objects.get().status == "invalid"


# --- handing over a reward ---------------------------------------------------------------------


def an_owed_reward(api):
    tip({"where": "阳光花园 1栋"})
    t = Tip.objects.get()
    api("grid_a").post(f"/api/v1/tips/{t.pk}/verify", {"valid": True})
    return t


def test_the_reward_button_sent_again_answers_handed_over_not_an_error(place, web, api):
    t = an_owed_reward(api)
    c = web("grid_a", "en")
    first = c.post(f"/residents/tips/{t.pk}/reward-issued/")
    again = c.post(f"/residents/tips/{t.pk}/reward-issued/")
    assert (first.status_code, again.status_code) == (302, 302)
    assert again["Location"] == first["Location"]
    page = c.get(again["Location"]).content.decode()
    assert re.search(rf'<li class="msg success">The reward of {t.receipt} was already handed '
                     r"over", page)
    assert 'class="msg error"' not in page
    assert AuditEntry.objects.filter(action="tip.reward_issue").count() == 1
    assert Reward.objects.get().issued_by.username == "grid_a"


def test_the_reward_button_of_a_tip_without_a_reward_says_so_on_the_page(place, web, api):
    tip({"where": "阳光花园 1栋"})
    t = Tip.objects.get()
    api("grid_a").post(f"/api/v1/tips/{t.pk}/verify", {"valid": False})
    r = web("grid_a", "en").post(f"/residents/tips/{t.pk}/reward-issued/?status=invalid")
    assert r.status_code == 409
    html = r.content.decode()
    assert '<p class="error" role="alert">No reward is owed for this tip-off.' in html
    assert f'id="tip-{t.pk}"' in html  # the list the worker was on
