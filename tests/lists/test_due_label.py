"""A verification's `due` is a date — the day the call or visit is due by (核查期限) — and is
named so, not with the progress table's count of calls not yet overdue (未逾期, "Due")."""

import pytest
from django.utils import translation
from django.utils.translation import pgettext

from firstline.lists.models import Verification


@pytest.mark.parametrize(("lang", "label", "count"), [
    ("zh-hans", "核查期限", "未逾期"), ("zh-hant", "核查期限", "未逾期"),
    ("en", "due date", "Due")])
def test_the_due_date_is_named_as_a_date_not_as_the_not_yet_overdue_count(lang, label, count):
    with translation.override(lang):
        assert str(Verification._meta.get_field("due").verbose_name) == label
        assert pgettext("lists", "Due") == count  # the progress column keeps its word
