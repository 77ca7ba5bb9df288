"""Key-person categories read in the page's language: zh-hans, zh-hant (the seeds' own
script) and English."""

from django.utils import translation

from firstline.people.models import KeyPersonCategory
from firstline.people.services import key_person_categories_ensure


def test_default_categories_have_a_name_in_each_language(db):
    key_person_categories_ensure()
    fever = KeyPersonCategory.objects.get(code="fever")
    for language, name in [("zh-hans", "发热人员"), ("zh-hant", "發熱人員"), ("en", "fever")]:
        with translation.override(language):
            assert fever.label == name, language


def test_the_key_person_page_in_traditional_chinese(web, roster):
    key_person_categories_ensure()
    html = web("staff_c1", lang="zh-hant").get("/people/key-persons/").content.decode()
    assert "密切接觸者" in html and "密切接触者" not in html
