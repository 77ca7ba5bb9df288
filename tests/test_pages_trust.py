"""Pages of the trust pass: the 403 page, checkpoints by name, the resident page."""

import pytest


@pytest.mark.parametrize("lang, words", [("zh-hans", "无权访问"), ("en", "Not allowed"),
                                         ("zh-hant", "無權訪問")])
def test_the_403_page_is_styled_and_translated(web, lang, words):
    r = web("grid_a", lang).get("/people/import/")
    html = r.content.decode()
    assert r.status_code == 403
    assert words in html and 'name="viewport"' in html and "<h1>" in html
    assert "403 Forbidden" not in html


def test_the_api_403_stays_json(api):
    r = api("grid_a").post("/api/v1/checkpoints", {"code": "X", "compound_id": 1})
    assert r.status_code == 403 and r.json()["error"] == "forbidden"
