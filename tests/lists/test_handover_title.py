"""A hand-over list (转办) is named in its reader's language — its origin's title and the
street that handed it over — not in the words of whoever handed the first row over; its
stored source (what the API answers) is said in the site's language, so every row handed
over from one list to one street joins one list whoever sends it."""

import pytest
from django.urls import reverse

from firstline.accounts.roles import Role
from firstline.accounts.services import user_assign
from firstline.lists.models import Checklist, Verification

from ..conftest import PASSWORD
from .test_routing import _list

pytestmark = pytest.mark.time_sensitive  # deadlines

TITLE = {"zh-hans": "铁路部门（测试街道转来）", "en": "铁路部门 (handed over by 测试街道)"}


def _hand_over(web, c, number, *, lang):
    r = web("hq", lang).post(f"/lists/{c.pk}/rows/{number}/route/",
                             {"routing": "other_street", "to": "99000102", "note": ""})
    assert r.status_code in (200, 302), r.content


@pytest.mark.parametrize("sender, reader", [("en", "zh-hans"), ("zh-hans", "en")])
def test_the_handover_list_is_named_in_the_readers_language(web, api, roster, areas, other,
                                                            tmp_path, cast, sender, reader):
    c = _list(roster, tmp_path, areas)
    _hand_over(web, c, 2, lang=sender)
    handed = Checklist.objects.get(handover_of=c)
    assert handed.source == TITLE["zh-hans"]  # stored in the site's language, for the API
    assert api("hq_east").get(f"/api/v1/checklists/{handed.pk}").status_code == 200
    client = web("hq_east", reader)
    for url in (reverse("lists:home"), reverse("lists:checklist", args=[handed.pk])):
        page = client.get(url).content.decode()
        assert TITLE[reader] in page, url
        other_lang = TITLE["en" if reader == "zh-hans" else "zh-hans"]
        assert other_lang not in page, url


def test_the_worker_there_reads_the_handover_list_in_their_language(web, roster, areas, other,
                                                                     tmp_path, cast):
    user_assign(username="grid_east", role=Role.GRID_WORKER, area=other.grid,
                password=PASSWORD)
    c = _list(roster, tmp_path, areas)
    _hand_over(web, c, 2, lang="zh-hans")
    item = Verification.objects.get(resident=other.zhao, status="open")
    page = web("grid_east", "en").get(reverse("lists:items")).content.decode()
    card = page[page.index(f'id="v-{item.pk}"'):]
    assert f'<span class="badge">{TITLE["en"]}</span>' in card


def test_rows_handed_over_in_two_languages_join_one_list(web, roster, areas, other, tmp_path):
    c = _list(roster, tmp_path, areas)
    _hand_over(web, c, 2, lang="en")
    _hand_over(web, c, 3, lang="zh-hans")
    [handed] = Checklist.objects.filter(handover_of=c)
    assert handed.rows == 2


def test_a_list_handed_over_before_in_another_language_still_takes_the_rows(
        web, roster, areas, other, tmp_path):
    c = _list(roster, tmp_path, areas)
    _hand_over(web, c, 2, lang="zh-hans")
    Checklist.objects.filter(handover_of=c).update(source=TITLE["en"])  # as written before
    _hand_over(web, c, 3, lang="zh-hans")
    [handed] = Checklist.objects.filter(handover_of=c)
    assert (handed.rows, handed.source) == (2, TITLE["en"])
