"""One rule for a typed date on every path of the lists app: 1900-01-01 to 2199-12-31
(firstline.apitypes.day_in_range), said naming the field — the API's name, the command
line's option, the page's label — in the user's language; refused forms come back as typed.
Also: a list with no rows is refused, and the command line speaks the user's language."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from firstline import clock
from firstline.errors import InvalidInput
from firstline.lists.models import Case, Checklist, Verification
from firstline.lists.services import checklist_import, verification_answer

from .conftest import write_csv

pytestmark = pytest.mark.time_sensitive  # today's date

HEADER = ["姓名", "身份证号", "手机号"]
OUT_OF_RANGE = ["0001-01-01", "9999-12-31", "1899-12-31", "2200-01-01"]


def _csv(roster, tmp_path, name="l.csv"):
    return write_csv(tmp_path / name, HEADER, [["王芳", roster.fang.id_number, ""]])


def _upload(api_client, path, **fields):
    with open(path, "rb") as fh:
        return api_client.client.post("/api/v1/checklists",
                                      {"file": fh, "source": "县防控办", **fields},
                                      **api_client._headers())


def _item(roster, tmp_path):
    checklist_import(path=_csv(roster, tmp_path), source="卫健委")
    return Verification.objects.get(resident=roster.fang)


# --- 1. a list's deadline: API, command line, service ----------------------------------------

@pytest.mark.parametrize("day", OUT_OF_RANGE)
def test_the_api_refuses_a_deadline_outside_1900_to_2199(api, roster, tmp_path, day):
    r = _upload(api("hq"), _csv(roster, tmp_path), deadline=day)
    assert r.status_code == 422, r.content
    body = r.json()
    assert body["error"] == "bad_date" and body["detail"].startswith("deadline")
    assert not Checklist.objects.exists()


@pytest.mark.parametrize("day", ["1900-01-01", "2199-12-31"])
def test_the_api_takes_the_first_and_last_day_and_reads_them_back(api, roster, tmp_path, day):
    r = _upload(api("hq"), _csv(roster, tmp_path), deadline=day)
    assert r.status_code == 201, r.content
    detail = api("hq").get(f"/api/v1/checklists/{r.json()['id']}")
    assert detail.status_code == 200 and detail.json()["deadline"] == day


def test_the_command_line_refuses_a_deadline_outside_the_range_naming_the_option(
        roster, tmp_path):
    with translation.override("zh-hans"), pytest.raises(CommandError) as exc:
        call_command("import_checklist", str(_csv(roster, tmp_path)), "--source", "x",
                     "--deadline", "9999-12-31")
    assert exc.value.returncode == 2
    assert str(exc.value) == "--deadline：9999-12-31 不在 1900 年至 2199 年之间。"
    assert not Checklist.objects.exists()


def test_the_service_refuses_a_deadline_outside_the_range(roster, tmp_path):
    with pytest.raises(InvalidInput) as exc:
        checklist_import(path=_csv(roster, tmp_path), source="x", deadline=date(1, 1, 1))
    assert (exc.value.code, exc.value.field) == ("bad_date", "deadline")
    assert not Checklist.objects.exists()


def test_the_upload_page_refuses_0001_01_01_as_out_of_range(web, roster, tmp_path):
    with open(_csv(roster, tmp_path), "rb") as fh:
        r = web("hq").post("/lists/upload/", {"file": fh, "source": "航班",
                                              "deadline": "0001-01-01", "area": "99000101"})
    assert r.status_code == 422
    assert "截止日期：0001-01-01 不在 1900 年至 2199 年之间。" in r.content.decode()


# --- 5. the command line's messages in the user's language -----------------------------------

@pytest.mark.parametrize("args,said", [
    (["--source", "x", "--deadline", "2026-02-30"],
     "--deadline：2026-02-30 不是日期（YYYY-MM-DD）。"),
    (["--source", "x", "--area", "NOPE"], "--area：未知区域 NOPE。"),
    (["--source", "  "], "--source：必填。"),
])
def test_the_command_lines_usage_errors_are_said_in_chinese(roster, tmp_path, args, said):
    with translation.override("zh-hans"), pytest.raises(CommandError) as exc:
        call_command("import_checklist", str(_csv(roster, tmp_path)), *args)
    assert exc.value.returncode == 2
    assert str(exc.value) == said


def test_the_command_lines_usage_errors_are_said_in_english_too(roster, tmp_path):
    with translation.override("en"), pytest.raises(CommandError) as exc:
        call_command("import_checklist", str(_csv(roster, tmp_path)), "--source", "x",
                     "--area", "NOPE")
    assert str(exc.value) == "--area: unknown area NOPE."


# --- 6. a list with no rows ------------------------------------------------------------------

def test_the_api_refuses_a_header_only_file_naming_it(api, roster, tmp_path):
    path = write_csv(tmp_path / "empty.csv", HEADER, [])
    r = _upload(api("hq"), path)
    assert r.status_code == 422, r.content
    body = r.json()
    assert body["error"] == "empty_file" and "empty.csv" in body["detail"]
    assert not Checklist.objects.exists()


def test_the_command_line_refuses_a_header_only_file_with_exit_1(roster, tmp_path, capsys):
    path = write_csv(tmp_path / "empty.csv", HEADER, [])
    with translation.override("zh-hans"), pytest.raises(CommandError) as exc:
        call_command("import_checklist", str(path), "--source", "x")
    assert exc.value.returncode == 1
    assert "empty.csv" in str(exc.value) and "没有数据行" in str(exc.value)
    assert not Checklist.objects.exists()


def test_the_upload_page_refuses_a_header_only_file_beside_the_file_field(web, roster,
                                                                          tmp_path):
    path = write_csv(tmp_path / "empty.csv", HEADER, [])
    with open(path, "rb") as fh:
        r = web("hq").post("/lists/upload/", {"file": fh, "source": "航班", "deadline": "",
                                              "area": "99000101"})
    assert r.status_code == 422
    assert "empty.csv" in r.context["file_error"] and "没有数据行" in r.context["file_error"]


def test_a_case_without_contacts_still_makes_its_empty_list(roster, cast):
    from firstline.lists.services import case_contacts_list, case_record

    case = case_record(resident=roster.li, status="confirmed", on=clock.today(),
                       actor=cast.staff_c1)  # alone in the household, nobody named
    result = case_contacts_list(case=case, actor=cast.staff_c1)
    assert result.checklist is not None and result.rows == 0


# --- 2 and 4. the verification answer form ---------------------------------------------------

ANSWER = {"result": "reached", "temperature": "36.5", "from_province": "湖北",
          "from_city": "武汉", "note": "电话确认"}


def test_a_bad_return_date_comes_back_beside_its_field_as_typed(web, roster, tmp_path):
    item = _item(roster, tmp_path)
    r = web("grid_a").post(f"/lists/items/{item.pk}/", {**ANSWER, "returned_on": "2026-02-30"})
    assert r.status_code == 422
    page = r.content.decode()
    assert "返回日期：2026-02-30 不是日期（YYYY-MM-DD）。" in page
    for typed in ('value="36.5"', 'value="湖北"', 'value="武汉"', 'value="电话确认"',
                  'value="2026-02-30"'):
        assert typed in page
    assert Verification.objects.get(pk=item.pk).status == "open"


def test_a_return_date_in_year_1_is_refused_not_stored(web, roster, tmp_path):
    item = _item(roster, tmp_path)
    r = web("grid_a").post(f"/lists/items/{item.pk}/", {**ANSWER, "returned_on": "0001-01-01"})
    assert r.status_code == 422
    assert "返回日期：0001-01-01 不在 1900 年至 2199 年之间。" in r.content.decode()
    v = Verification.objects.get(pk=item.pk)
    assert (v.status, v.returned_on) == ("open", None)


def test_the_service_refuses_a_return_date_out_of_range(roster, tmp_path, cast):
    item = _item(roster, tmp_path)
    with pytest.raises(InvalidInput) as exc:
        verification_answer(verification=item, result="reached", returned_on=date(1, 1, 1),
                            actor=cast.grid_a)
    assert exc.value.field == "returned_on"


def test_an_unknown_result_is_said_by_its_label_not_its_codes(web, roster, tmp_path):
    item = _item(roster, tmp_path)
    r = web("grid_a").post(f"/lists/items/{item.pk}/", {"result": "bogus"})
    assert r.status_code == 422
    said = r.context["items"][0].form.errors["result"][0]
    assert said.startswith("结果：") and "已联系上" in said
    assert "reached" not in said and "result" not in said


def test_a_too_long_province_is_said_by_its_label(web, roster, tmp_path):
    item = _item(roster, tmp_path)
    r = web("grid_a").post(f"/lists/items/{item.pk}/", {**ANSWER, "from_province": "湖" * 31})
    assert r.status_code == 422
    page = r.content.decode()
    assert "from_province" not in page.replace('name="from_province"', "")
    assert r.context["items"][0].form.errors["from_province"]


def test_a_source_not_of_this_person_is_said_by_its_label(web, roster, tmp_path):
    item = _item(roster, tmp_path)
    r = web("grid_a").post(f"/lists/items/{item.pk}/", {"result": "reached",
                                                        "source": "visit:999999"})
    assert r.status_code == 422
    [said] = r.context["items"][0].form.errors["source"]
    assert said.startswith("来源") and "source" not in said
    assert Verification.objects.get(pk=item.pk).status == "open"


# --- 3. the cases page's dates ----------------------------------------------------------------

def test_a_test_sampled_in_year_1_is_refused_beside_its_field(web, roster):
    r = web("staff_c1").post("/lists/cases/test/", {"id_number": roster.fang.id_number,
                                                    "sampled_on": "0001-01-01",
                                                    "result": "negative"})
    assert r.status_code == 422
    assert r.context["test_form"].errors["sampled_on"] == [
        "采样日期：0001-01-01 不在 1900 年至 2199 年之间。"]
    from firstline.lists.models import TestResult

    assert not TestResult.objects.exists()


def test_a_test_with_no_such_day_keeps_the_typed_id_number(web, roster):
    r = web("staff_c1").post("/lists/cases/test/", {"id_number": roster.fang.id_number,
                                                    "sampled_on": "2026-02-30",
                                                    "result": "negative"})
    assert r.status_code == 422
    page = r.content.decode()
    assert f'value="{roster.fang.id_number}"' in page
    assert "采样日期：2026-02-30 不是日期（YYYY-MM-DD）。" in page
    from firstline.lists.models import TestResult

    assert not TestResult.objects.exists()


def test_the_services_refuse_case_and_sample_dates_out_of_range(roster, cast):
    from firstline.lists.services import case_record, test_result_record

    with pytest.raises(InvalidInput) as exc:
        test_result_record(resident=roster.fang, sampled_on=date(1, 1, 1), result="negative",
                           actor=cast.staff_c1)
    assert exc.value.field == "sampled_on"
    with pytest.raises(InvalidInput) as exc:
        case_record(resident=roster.fang, status="suspected", on=date(1899, 12, 31),
                    actor=cast.staff_c1)
    assert exc.value.field == "on"


def test_a_case_dated_year_1_is_refused_on_the_page_as_typed(web, roster):
    r = web("staff_c1").post("/lists/cases/", {"id_number": roster.wang.id_number,
                                               "status": "suspected", "on": "0001-01-01",
                                               "source": "县疾控"})
    assert r.status_code == 422
    assert r.context["case_form"].errors["on"] == ["日期：0001-01-01 不在 1900 年至 2199 年之间。"]
    page = r.content.decode()
    assert f'value="{roster.wang.id_number}"' in page and 'value="县疾控"' in page
    assert not Case.objects.exists()
