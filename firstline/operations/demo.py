"""Demo data for operations: party members and volunteers of the first community (one
waiting for confirmation, one with a login), today's duties with someone on duty, extra
places to disinfect with a morning round, supplies in the street's and the community's
stores with a donation, and an HQ task to three communities. Idempotent: keyed on the first
community's people."""

from datetime import timedelta

from firstline import clock
from firstline.accounts.models import User
from firstline.accounts.roles import Role
from firstline.errors import RuleViolation

from . import services
from .models import Item, Store, Task, Volunteer

PEOPLE = [
    ("周建国", "13905541234", "party_member", "驾驶、搬运"),
    ("吴秀兰", "13905541235", "party_member", "医护（退休护士）"),
    ("郑伟", "13905541236", "party_member", ""),
    ("王芳", "13905541237", "volunteer", "沟通、登记"),
    ("陈磊", "13905541238", "volunteer", "消杀"),
]
ITEMS = [
    ("mask", "医用口罩", "个", 500), ("suit", "防护服", "套", 20), ("84", "84消毒液", "瓶", 10),
    ("sprayer", "喷雾器", "台", 2), ("thermometer", "额温枪", "支", 3),
]


def populate(ctx) -> None:
    staff = User.objects.filter(username="community1").first()
    hq = User.objects.filter(username="hq").first()
    if staff is None or hq is None:
        return
    community = ctx.communities[0]
    if Volunteer.objects.filter(area=community).exists():  # built before: its login still is
        if User.objects.filter(username="volunteer1").exists():
            ctx.users["volunteer1"] = (Role.VOLUNTEER, community)
        return
    now = clock.now()
    people = [services.volunteer_create(actor=staff, area=community, name=name, phone=phone,
                                        kind=kind, skills=skills)
              for name, phone, kind, skills in PEOPLE]
    # One sign-up by the public link, waiting for staff to confirm it.
    link = services.signup_link_get(actor=staff, area=community)
    services.volunteer_sign_up(token=link.token, name="孙丽", phone="13905541239",
                               kind="volunteer", skills="跑腿送货", address="demo")
    # One volunteer with a login of their own (the `volunteer` role: own duties only).
    from firstline.demo import DEMO_PASSWORD

    if not User.objects.filter(username="volunteer1").exists():
        services.volunteer_login_create(actor=staff, volunteer=people[3], username="volunteer1",
                                        password=DEMO_PASSWORD)
    ctx.users["volunteer1"] = (Role.VOLUNTEER, community)
    # Today's duties: the gate's current shift, a patrol and a delivery round.
    from firstline.access.models import Shift

    shift = (Shift.objects.filter(checkpoint__compound__area=community, starts_at__lte=now,
                                  ends_at__gt=now).order_by("starts_at").first())
    start = now - timedelta(hours=1)
    plan = [(people[0], "patrol", start, start + timedelta(hours=4), "小区周界"),
            (people[3], "delivery", start + timedelta(hours=2), start + timedelta(hours=5),
             "隔离户代购送货"),
            (people[4], "disinfection", start, start + timedelta(hours=3), "公共区域")]
    for person, duty, s, e, target in plan:
        a = services.assignment_create(actor=staff, volunteer=person, duty=duty, starts_at=s,
                                       ends_at=e, target=target)
        if s <= now:
            services.assignment_check_in(actor=staff, assignment=a, now=s)
    if shift is not None:
        try:
            a = services.assignment_create(actor=staff, volunteer=people[1], duty="gate",
                                           shift=shift, starts_at=None, ends_at=None)
            services.assignment_check_in(actor=staff, assignment=a, now=max(shift.starts_at,
                                                                               start))
        except RuleViolation:
            pass
    # Places: what the demo's compounds, isolations and lockdowns call for (the demo made
    # them through the ORM, so no event did), then a lift and a rubbish point of the first
    # compound; a round on the lift.
    from firstline.people.models import Compound

    services.places_refresh()

    compound = Compound.objects.filter(area=community).order_by("pk").first()
    if compound is not None:
        lift = services.place_create(actor=staff, area=community, kind="lift",
                                     name=f"{compound.name} 1栋电梯", compound=compound)
        services.place_create(actor=staff, area=community, kind="rubbish",
                              name=f"{compound.name} 东门垃圾点", compound=compound)
        services.round_record(actor=staff, place=lift, agent="84消毒液 1:100",
                              volunteer=people[4], done_at=now - timedelta(minutes=30), now=now)
    # Supplies: the street's store and the community's; a company's donation of masks.
    items = {}
    for code, name, unit, low_at in ITEMS:
        items[code], _ = Item.objects.get_or_create(code=code, defaults={
            "name": name, "unit": unit, "low_at": low_at})
    # The areas' own stores: assistance's demo (run after) keeps its care kits in these; a demo
    # built when assistance's ran first has them already.
    street_store = services.store_of_area(ctx.street) or Store.objects.get_or_create(
        code="ST-MAIN", defaults={"name": f"{ctx.street.name}物资仓库", "kind": "street",
                                  "area": ctx.street})[0]
    community_store = services.store_of_area(community) or Store.objects.get_or_create(
        code=f"{community.code}-S", defaults={"name": f"{community.name}物资点",
                                             "kind": "community", "area": community})[0]
    services.stock_receive(actor=hq, store=street_store, item=items["mask"], quantity=20000,
                           donation={"donor": "淮南某某医疗器械有限公司", "receipt_no": "JZ-2020-001",
                                     "donor_kind": "company", "consent_named": True,
                                     "purpose": "分发各社区卡口与隔离户"})
    for code, quantity in (("suit", 200), ("84", 120), ("sprayer", 10), ("thermometer", 30)):
        services.stock_receive(actor=hq, store=street_store, item=items[code],
                               quantity=quantity, note="县指挥部调拨")
    for code, quantity in (("mask", 2000), ("suit", 30), ("84", 20), ("thermometer", 4)):
        services.stock_move(actor=hq, store=street_store, to_store=community_store,
                            item=items[code], quantity=quantity)
    services.stock_issue(actor=staff, store=community_store, item=items["mask"], quantity=300,
                         to="北门卡口")
    services.donation_record(actor=hq, area=ctx.street, donor="张先生", receipt_no="JZ-2020-002",
                             cash="5000", consent_named=False, purpose="购买消毒物资")
    # An HQ task to three communities, due this evening; the first has done it.
    if not Task.objects.exists():
        tasks = services.task_send(actor=hq, title="全面排查近14天返乡人员",
                                   detail="逐户排查，当日18时前上报名单与健康状况。",
                                   areas=ctx.communities[:3], due_at=now + timedelta(hours=4))
        services.task_done(actor=staff, task=tasks[0], note="已排查 312 户，发现返乡 7 人，已登记")
