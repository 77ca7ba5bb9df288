"""Demo data for assistance: the 九个一 kit with stock, a few requests at every status, an
errand of volunteer1's (operations' demo, run before, made that login) and this morning's first
care calls. Idempotent: keyed on kit names, on the community's requests and on volunteer1's
errands."""


from firstline import clock
from firstline.accounts.models import User
from firstline.areas.models import subtree_q
from firstline.errors import RuleViolation
from firstline.isolation.models import Isolation, Kind

from .models import CareCall, PackageIssue, PackageKind, ServiceRequest
from .services import (
    call_slots,
    care_call_log,
    package_issue,
    service_request_assign,
    service_request_create,
    service_request_transition,
    stock_receive,
)

KITS = [
    ("九个一", "一张联系卡、一封倡议书、一封慰问信、一支体温计、一瓶消毒液、一盒口罩、一袋米、一桶油、"
               "一包蔬菜"),
    ("爱心蔬菜包", "青菜、土豆、西红柿、鸡蛋 共约5公斤"),
]

REQUESTS = [
    ("groceries", "大米10斤、食用油一桶、青菜若干"),
    ("medicine", "硝苯地平缓释片一盒(降压药),社区卫生站可开"),
    ("bills", "代缴燃气费100元(户号见门上贴纸)"),
    ("parcel", "京东快递在小区门口快递柜,取件码 6-2-1408"),
    ("groceries", "婴儿奶粉一罐(飞鹤 3段)"),
    ("other", "家里马桶堵了,需要物业上门"),
]


def populate(ctx) -> None:
    staff = User.objects.filter(username="community1").first()
    worker = User.objects.filter(username="grid1").first()
    hq = User.objects.filter(username="hq").first()
    if staff is None or worker is None or hq is None:
        return
    kits = []
    for name, contents in KITS:
        kit, _created = PackageKind.objects.get_or_create(name=name,
                                                          defaults={"contents": contents})
        kits.append(kit)
    community = ctx.communities[0]
    if kits[0].item_id is None and not PackageIssue.objects.filter(kind=kits[0]).exists():
        stock_receive(kind=kits[0], area=community, quantity=60, actor=staff,
                      note="区民政局调拨")
        stock_receive(kind=kits[0], area=ctx.street, quantity=300, actor=hq, note="街道统一采购")
        stock_receive(kind=kits[1], area=community, quantity=25, actor=staff, note="爱心企业捐赠")

    today = clock.today()
    isolations = list(Isolation.objects.current(today)
                      .filter(subtree_q(community, "grid"), kind=Kind.HOME)
                      .select_related("household__grid", "resident").order_by("household_id"))
    households = list({i.household_id: i.household for i in isolations}.values())
    if not households:
        return
    if not ServiceRequest.objects.filter(subtree_q(community, "grid")).exists():
        _requests_kits_and_calls(ctx, households, kits, staff=staff, worker=worker)
    _volunteer_errand(isolations, staff=staff)


def _requests_kits_and_calls(ctx, households, kits, *, staff, worker) -> None:
    today = clock.today()
    mine = [h for h in households if h.grid_id == ctx.grids[0].pk] or households
    # Requests at every status: new, assigned (named party-member volunteer), bought, delivered.
    for index, (kind, detail) in enumerate(REQUESTS):
        household = households[index % len(households)]
        source = "self_report" if index % 2 == 0 else "worker"
        req = service_request_create(household=household, kind=kind, detail=detail,
                                     source=source, actor=None if source == "self_report"
                                     else _worker_for(household, worker, staff))
        if index == 0:
            continue
        if index in (1, 3):
            service_request_assign(request=req, actor=staff, volunteer_name="党员志愿者 周建国",
                                   volunteer_phone="13905541234")
        else:
            service_request_assign(request=req, actor=staff, volunteer=_worker_for(
                household, worker, staff))
        if index in (2, 4):
            service_request_transition(request=req, to="bought", actor=staff,
                                       amount="100" if kind == "bills" else "168.50",
                                       receipt_no=f"DEMO-{index:03d}")
        if index == 4:
            service_request_transition(request=req, to="delivered", actor=staff)
    for household in mine[:3]:
        try:
            package_issue(kind=kits[0], household=household, actor=staff)
        except RuleViolation:  # out of stock in a tiny demo is fine
            break
    if not CareCall.objects.exists():
        for household, outcome in zip(mine[:3], ["ok", "no_answer", "ok"], strict=False):
            care_call_log(household=household, outcome=outcome, actor=worker,
                          slot=call_slots(today)[0][0][0])


def _volunteer_errand(isolations, *, staff) -> None:
    """volunteer1 (王芳, a confirmed volunteer of the first community with a login of her
    own) is given an errand for a household whose isolated resident has a phone: her My tasks
    shows a real errand and the number to ring at the door. Once: not when she has one (a
    demo built before this gains it on its next run)."""
    volunteer = User.objects.filter(username="volunteer1").first()
    if volunteer is None or ServiceRequest.objects.filter(volunteer=volunteer).exists():
        return
    household = next((i.household for i in isolations if i.resident.phone), None)
    if household is None:
        return
    req = service_request_create(household=household, kind="groceries",
                                 detail="鸡蛋两盒、牛奶一箱、挂面两把,送到门口后打电话",
                                 source="phone", actor=staff)
    service_request_assign(request=req, actor=staff, volunteer=volunteer)


def _worker_for(household, worker, staff):
    from firstline.accounts.scope import in_scope

    return worker if in_scope(worker, household.grid, "assistance.work") else staff
