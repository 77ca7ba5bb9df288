"""Notice attachments: PDF or images, checked by content (not by name), capped in size, stored
under MEDIA_ROOT with our own name, served on the public notice page (the posters' QR target)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from firstline.residents.models import Notice, NoticeAttachment

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")
HTML = b"<html><script>alert(1)</script></html>"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def publish(api, who="staff_c1"):
    r = api(who).post("/api/v1/notices", {"title": "致全体居民的一封公开信",
                                          "body": "请大家少出门。", "areas": ["C1"]})
    return Notice.objects.get(pk=r.json()["id"]), r.json()["url"]


def attach(api, notice, name, content, who="staff_c1"):
    c = api(who)
    return c.client.post(f"/api/v1/notices/{notice.pk}/attachments",
                         {"file": upload(name, content)}, **c._headers())


def test_a_pdf_attached_through_the_api_is_served_on_the_public_page(place, api, media):
    notice, url = publish(api)
    r = attach(api, notice, "公开信.pdf", PDF)
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["name"], body["content_type"], body["size"]) == ("公开信.pdf",
                                                                 "application/pdf", len(PDF))
    stored = NoticeAttachment.objects.get().file
    assert stored.path.startswith(str(media)) and stored.name.endswith(".pdf")
    assert "公开信" not in stored.name  # our name on disk, the user's for display only
    page = Client().get(url).content.decode()
    assert body["url"].replace("http://testserver", "") in page
    served = Client().get(body["url"])
    assert served.status_code == 200
    assert served["Content-Type"] == "application/pdf"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == PDF
    detail = api("staff_c1").get(f"/api/v1/notices/{notice.pk}").json()
    assert [a["name"] for a in detail["attachments"]] == ["公开信.pdf"]


def test_the_type_is_read_from_the_content_not_the_name(place, api):
    notice, _url = publish(api)
    r = attach(api, notice, "letter.pdf", HTML)
    assert (r.status_code, r.json()["error"]) == (415, "bad_file_type")
    assert "file" in r.json()["detail"]
    r = attach(api, notice, "photo.txt", PNG)  # a PNG with the wrong name is a PNG
    assert r.status_code == 201 and r.json()["content_type"] == "image/png"
    assert NoticeAttachment.objects.get().file.name.endswith(".png")


def test_an_oversize_file_is_refused_and_nothing_written(place, api, media):
    notice, _url = publish(api)
    big = PDF + b"0" * (5 * 1024 * 1024)
    r = attach(api, notice, "big.pdf", big)
    assert (r.status_code, r.json()["error"]) == (413, "file_too_large")
    assert "5.0 MB" in r.json()["detail"]
    assert not NoticeAttachment.objects.exists()
    assert not (media / "notices").exists()


def test_the_size_cap_is_a_rule(place, api):
    from datetime import date

    from firstline.rules.models import Rule

    Rule.objects.create(key="uploads.max_bytes", value=10, effective_from=date(2020, 1, 1),
                        source="测试")
    notice, _url = publish(api)
    assert attach(api, notice, "a.pdf", PDF).status_code == 413


def test_scope_and_role(place, api):
    notice, _url = publish(api)
    assert attach(api, notice, "a.pdf", PDF, who="staff_c2").status_code == 404
    assert attach(api, notice, "a.pdf", PDF, who="grid_a").status_code == 403


def test_an_attachment_of_another_notice_is_404(place, api):
    first, _ = publish(api)
    second, second_url = publish(api)
    a = attach(api, first, "a.pdf", PDF).json()
    assert Client().get(f"{second_url}files/{a['id']}/").status_code == 404


def test_files_published_with_the_notice_on_the_page(place, web):
    c = web("staff_c1")
    r = c.post("/residents/notices/", {"title": "通告", "body": "正文", "areas": ["C1"],
                                       "attachments": [upload("a.pdf", PDF),
                                                       upload("b.png", PNG)]})
    assert r.status_code == 302, r.content.decode()[:500]
    notice = Notice.objects.get()
    assert sorted(notice.attachments.values_list("content_type", flat=True)) == [
        "application/pdf", "image/png"]


def test_one_bad_file_publishes_nothing_on_the_page(place, web):
    c = web("staff_c1", lang="en")
    r = c.post("/residents/notices/", {"title": "通告", "body": "正文", "areas": ["C1"],
                                       "attachments": [upload("a.pdf", PDF),
                                                       upload("b.pdf", HTML)]})
    assert r.status_code == 422
    assert "only PDF or images" in r.content.decode()
    assert not Notice.objects.exists() and not NoticeAttachment.objects.exists()


def test_attach_on_the_notice_page_says_why_in_the_users_language(place, api, web):
    notice, _url = publish(api)
    c = web("staff_c1")
    r = c.post(f"/residents/notices/{notice.pk}/attachments/", {"file": upload("x.pdf", HTML)})
    assert r.status_code == 415
    assert "PDF" in r.content.decode() and "图片" in r.content.decode()
    r = c.post(f"/residents/notices/{notice.pk}/attachments/", {"file": upload("x.pdf", PDF)})
    assert r.status_code == 302 and notice.attachments.count() == 1


# --- a notice refused on its page keeps the files chosen with it ----------------------------


def kept_tokens(html: str) -> list[str]:
    import re

    return re.findall(r'<input type="checkbox" name="kept" value="([^"]+)" checked>', html)


def test_a_notice_refused_for_its_areas_keeps_its_file_for_the_next_try(
        place, web, media, django_capture_on_commit_callbacks):
    c = web("staff_c1")
    r = c.post("/residents/notices/", {"title": "通告", "body": "正文",
                                       "attachments": [upload("公开信.pdf", PDF)]})
    assert r.status_code == 422
    html = r.content.decode()
    assert "请至少选择一个区域" in html and "公开信.pdf（已保留）" in html
    tokens = kept_tokens(html)
    assert len(tokens) == 1
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post("/residents/notices/", {"title": "通告", "body": "正文", "areas": ["C1"],
                                           "kept": tokens})
    assert r.status_code == 302, r.content.decode()[:500]
    attachment = Notice.objects.get().attachments.get()
    assert attachment.name == "公开信.pdf"
    with attachment.file.open("rb") as fh:
        assert fh.read() == PDF
    assert not any((media / "notices" / "pending").iterdir())  # the kept copy is gone


def test_a_file_kept_for_one_user_cannot_be_published_by_another(place, web, cast):
    r = web("staff_c1").post("/residents/notices/", {"title": "通告", "body": "正文",
                                                     "attachments": [upload("a.pdf", PDF)]})
    tokens = kept_tokens(r.content.decode())
    r = web("staff_c2").post("/residents/notices/", {"title": "通告", "body": "正文",
                                                     "areas": ["C2"], "kept": tokens})
    assert r.status_code == 422
    assert "请重新选择文件" in r.content.decode()
    assert not Notice.objects.exists()


def test_a_bad_file_is_not_kept_and_says_why(place, web):
    r = web("staff_c1", lang="en").post("/residents/notices/", {
        "title": "通告", "body": "正文", "attachments": [upload("x.pdf", HTML)]})
    assert r.status_code == 422
    html = r.content.decode()
    assert "only PDF or images" in html and not kept_tokens(html)


@pytest.mark.parametrize("lang, words", [("en", "file: choose a file."),
                                         ("zh-hans", "file：请选择文件。"),
                                         ("zh-hant", "file：請選擇檔案。")])
def test_the_attach_form_sent_without_a_file_says_so_on_the_page(place, api, web, lang, words):
    notice, _url = publish(api)
    r = web("staff_c1", lang).post(f"/residents/notices/{notice.pk}/attachments/", {})
    assert r.status_code == 422
    assert words in r.content.decode()
    assert not NoticeAttachment.objects.exists()
