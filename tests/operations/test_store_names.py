"""A person reads a store by its name, never its code: the stock history's moves, the stock
table and the store choice of the supplies page, and the audit page's tip-off reward row. The
code is added only where two stores bear the same name. The API keeps codes."""

from django.utils import translation

from firstline.accounts.actions import AuditAction
from firstline.accounts.audit_texts import audit_detail
from firstline.accounts.models import AuditEntry
from firstline.accounts.services import audit
from firstline.operations import selectors, services
from firstline.operations.models import Movement, Store


def _street_store(areas):
    return Store.objects.create(code="ST-MAIN", name="街道物资仓库", kind="street",
                                area=areas.street)


def _history(html):
    return html[html.index('id="history"'):]


def test_a_move_in_the_history_names_both_stores_not_their_codes(web, cast, areas, supplies):
    main = _street_store(areas)
    services.stock_receive(actor=cast.hq, store=main, item=supplies.masks, quantity=50)
    services.stock_move(actor=cast.hq, store=main, to_store=supplies.c1, item=supplies.masks,
                        quantity=20)
    assert Movement.objects.get(kind="move_out").to == "S-C1"  # stored as before
    history = _history(web("hq").get("/operations/stock/").content.decode())
    assert "调往 一社区仓库" in history and "调自 街道物资仓库" in history
    assert "ST-MAIN" not in history and "S-C1" not in history
    history = _history(web("hq", "en").get("/operations/stock/").content.decode())
    assert "moved to 一社区仓库" in history and "moved from 街道物资仓库" in history


def test_the_stock_table_and_the_store_choice_show_names(web, cast, areas, supplies):
    services.stock_receive(actor=cast.staff_c1, store=supplies.c1, item=supplies.masks,
                           quantity=5)
    html = web("staff_c1").get("/operations/stock/").content.decode()
    table = html[html.index('id="stock"'):html.index("</table>")]
    assert "<td>一社区仓库</td>" in table and "S-C1" not in table
    assert '<option value="S-C1">一社区仓库</option>' in html


def test_two_stores_of_one_name_are_told_apart_by_their_codes(web, cast, areas, supplies):
    twin = Store.objects.create(code="S-C1-B", name="一社区仓库", kind="checkpoint",
                                area=areas.c1)
    services.stock_receive(actor=cast.staff_c1, store=supplies.c1, item=supplies.masks,
                           quantity=5)
    services.stock_move(actor=cast.staff_c1, store=supplies.c1, to_store=twin,
                        item=supplies.masks, quantity=2)
    history = _history(web("staff_c1").get("/operations/stock/").content.decode())
    assert "调往 一社区仓库（S-C1-B）" in history and "调自 一社区仓库（S-C1）" in history
    assert selectors.store_labels(["S-C2"]) == {"S-C2": "二社区仓库"}  # its name is its own


def test_the_api_keeps_the_store_code(api, cast, supplies):
    services.stock_receive(actor=cast.staff_c1, store=supplies.c1, item=supplies.masks,
                           quantity=5)
    rows = api("staff_c1").get("/api/v1/stock", store="S-C1").json()["items"]
    assert [r["store"] for r in rows] == ["S-C1"]


def test_the_audit_row_of_a_reward_from_stock_names_the_store(cast, supplies):
    entry = audit(actor=None, action=AuditAction.TIP_REWARD_ISSUE, object_type="residents.tip",
                  object_id="1", detail="stock=S-C1")
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.detail == "stock=S-C1"  # stored as written
    with translation.override("zh-hans"):
        assert audit_detail(entry) == "从物资库 一社区仓库 发放"
    with translation.override("en"):
        assert "一社区仓库" in audit_detail(entry) and "S-C1" not in audit_detail(entry)



def test_the_audit_page_names_the_stores_of_all_its_rows_at_once(web, cast, areas, supplies):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from firstline.residents.services import tip_submit

    _street_store(areas)
    tip = tip_submit(community=areas.c1, what="有人未登记", where="阳光花园1栋", device="ip:test")
    client = web("auditor")
    details = ("stock=ST-MAIN", "stock=S-C1", "stock=GONE")  # GONE: no store has it any more
    counts = []
    for rows in (3, 20):  # audit rows are append-only: the 3 first, then 17 more
        while AuditEntry.objects.filter(action=AuditAction.TIP_REWARD_ISSUE).count() < rows:
            n = AuditEntry.objects.filter(action=AuditAction.TIP_REWARD_ISSUE).count()
            audit(actor=None, action=AuditAction.TIP_REWARD_ISSUE, object_type="residents.tip",
                  object_id=str(tip.pk), detail=details[n % 3])
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/people/audit/").content.decode()
        assert html.count("从物资库 街道物资仓库 发放") == len(range(0, rows, 3))
        assert html.count("从物资库 GONE 发放") == len(range(2, rows, 3))
        counts.append(len(queries))
    assert counts[0] == counts[1]
