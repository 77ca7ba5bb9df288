"""The compound's page as community staff read it: one short line about a change to come,
labels that point at their own inputs, no "issue 0 passes" button."""

import re
from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine

from firstline.access import services
from firstline.people.models import Household

AT = datetime(2020, 2, 6, 12, tzinfo=ZoneInfo("Asia/Shanghai"))


def _ids(html):
    return re.findall(r'\sid="([^"]+)"', html)


def test_no_id_is_used_twice_on_the_compound_page(world, web):
    client = web("staff_c1")
    page = client.get(f"/access/compounds/{world.compound.pk}/").content.decode()
    # The lockdown card is fetched into the same page (htmx, on load).
    lockdowns = client.get(f"/isolation/compounds/{world.compound.pk}/lockdowns/")
    assert lockdowns.status_code == 200 and 'name="starts_on"' in lockdowns.content.decode()
    twice = [i for i, n in Counter(_ids(page) + _ids(lockdowns.content.decode())).items()
             if n > 1]
    assert twice == []


def test_the_policy_line_about_a_change_to_come_is_short(world, cast, web):
    services.policy_set(compound=world.compound, closed=True, out_quota=2, window_days=3,
                        starts_on=date(2020, 2, 8), actor=cast.staff_c1, now=AT)
    for lang, words in [("zh-hans", "在此之前仍按现行规定。下面的表单改的是 2020-02-08 00:00 起的规定。"),
                        ("zh-hant", "在此之前仍按現行規定。下面的表單改的是 2020-02-08 00:00 起的規定。"),
                        ("en", "Until then the rule in force now stays. The form below changes "
                               "the rule from 2020-02-08 00:00.")]:
        with time_machine.travel(AT, tick=False):
            html = web("staff_c1", lang).get(
                f"/access/compounds/{world.compound.pk}/").content.decode()
        line = html.split('id="policy-form-from">', 1)[1].split("</p>", 1)[0]
        assert line == words
        nxt = html.split('class="policy-next"', 1)[1].split("</p>", 1)[0]
        assert "2020-02-08" in nxt and "3" in nxt


def test_the_issue_button_shows_only_when_a_pass_is_missing(world, web):
    url = f"/access/compounds/{world.compound.pk}/"
    html = web("staff_c1", "en").get(url).content.decode()
    assert 'id="passes-issue"' not in html and "Issue 0" not in html
    assert "Every household has a valid pass." in html
    Household.objects.create(compound=world.compound, building=world.b28, building_name="28",
                             unit="1", room="103", grid=world.h1.grid)
    html = web("staff_c1", "en").get(url).content.decode()
    assert 'id="passes-issue"' in html and "Issue 1 missing pass" in html
