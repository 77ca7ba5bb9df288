"""Demo data for the residents' side, in the first community: two return declarations waiting
(one on the roster, one newcomer), a tip-off to verify and one verified with its reward (paid from
the community store's masks when the operations demo stocked it, else owed),
and the open letter to all residents with a few households' read receipts. Idempotent: made
once, keyed on the notice's title."""

import random
from datetime import timedelta

from firstline import clock
from firstline.accounts.models import User
from firstline.demo.fake import fake_id_number
from firstline.people.models import Household, Resident

from . import services
from .models import Notice, Reward

LETTER = "致全体居民的一封公开信"
LETTER_BODY = (
    "全体居民朋友们：\n"
    "当前疫情防控正处于关键时期。请大家减少外出，不串门、不聚集；确需外出请戴口罩，"
    "每户每两天可派一人外出采购生活必需品。\n"
    "从外地返回的人员，请第一时间扫描小区门口的二维码进行返回登记，并居家观察14天。\n"
    "发现未登记的返回人员或聚集情况，请扫码举报，每条有效线索奖励10个口罩。\n"
    "让我们众志成城，共同打赢这场疫情防控阻击战！")


def populate(ctx) -> None:
    staff = User.objects.filter(username="community1").first()
    worker = User.objects.filter(username="grid1").first()
    if staff is None or worker is None or not ctx.communities or not ctx.grids:
        return
    if Notice.objects.filter(title=LETTER).exists():
        return
    community, grid = ctx.communities[0], ctx.grids[0]
    households = list(Household.objects.filter(grid=grid).select_related("compound")
                      .order_by("pk")[:6])
    if not households:
        return
    rng = random.Random("residents-demo")
    now = clock.now()
    back = clock.today() - timedelta(days=1)
    known = Resident.objects.filter(household=households[0]).order_by("pk").first()
    h = households[1 % len(households)]
    if known is not None:
        services.declaration_submit(
            community=community, name=known.name, id_number=known.id_number,
            phone=known.phone or "13800000000", compound=households[0].compound.name,
            building=households[0].building_name, unit=households[0].unit,
            room=households[0].room, from_province="湖北省", from_city="孝感市",
            returned_on=back, transport="car", transport_no="皖D·A1234", device="demo:1",
            now=now)
    services.declaration_submit(
        community=community, name="赵敏", id_number=fake_id_number(rng), phone="13955501234",
        compound=h.compound.name, building=h.building_name, unit=h.unit, room=h.room,
        from_province="湖北省", from_city="武汉市", returned_on=back, transport="train",
        transport_no="G1722", symptoms="", device="demo:2", now=now)
    compound = households[0].compound
    services.tip_submit(community=community, what="3栋有一户从外地回来的，没看到登记",
                        compound=compound, building="3", contact="13855504321",
                        device="demo:3", now=now)
    verified = services.tip_submit(community=community, what="小区东门晚上没人值守",
                                   where=f"{compound.name}东门", device="demo:4", now=now)
    services.tip_verify(actor=worker, tip=verified, outcome="valid",
                        note="已核实，已安排夜间值守", now=now)
    notice = services.notice_publish(actor=staff, title=LETTER, body=LETTER_BODY,
                                     areas=[community], now=now)
    for household in households[:4]:
        services.notice_acknowledge(notice=notice, household=household, now=now)
    reward = Reward.objects.filter(tip=verified).first()
    how = "from stock" if reward is not None and reward.how == "stock" else "owed"
    ctx.log.append(f"residents: 2 return declarations waiting, 2 tip-offs (1 valid, reward "
                   f"{how}), the open letter read by 4 households")
