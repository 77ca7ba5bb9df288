"""Demo closed management in the first community: a closed policy (one trip out per household
every 2 days), four gates of which three are closed ("四个出入口减少为一个"), a pass for every
household, today's duty roster in 3 shifts, and a morning at the gate (trips out, a repeat
denied, a fever, visitors registered and turned back, an out-of-town vehicle, a courier).
Idempotent: nothing is added once the community has checkpoints."""

import uuid
from datetime import time, timedelta

from firstline import clock
from firstline.accounts.models import User
from firstline.people.models import Compound

from . import services
from .models import Checkpoint, Pass, Subject

GATES = [("N", "北门"), ("E", "东门"), ("S", "南门"), ("W", "西门")]


def populate(ctx) -> None:
    staff = User.objects.filter(username="community1").first()
    gate_user = User.objects.filter(username="gate1").first()
    if staff is None or gate_user is None or not ctx.communities:
        return
    community = ctx.communities[0]
    compounds = list(Compound.objects.filter(area=community).order_by("pk"))
    if not compounds or Checkpoint.objects.filter(compound__area=community).exists():
        return
    now = clock.now()
    today = clock.localdate(now)
    gates = []
    for compound in compounds:
        services.policy_set(compound=compound, closed=True, out_quota=1, window_days=2,
                            starts_on=today - timedelta(days=10), actor=staff,
                            now=now - timedelta(days=10))
        for i, (code, name) in enumerate(GATES):
            cp = services.checkpoint_create(compound=compound, code=f"{community.code}-"
                                            f"{compound.pk}-{code}", name=name, actor=staff)
            if i:
                services.checkpoint_set_open(checkpoint=cp, is_open=False, actor=staff)
            else:
                gates.append(cp)
        services.pass_issue(households=list(compound.households.all()), actor=staff,
                            now=now - timedelta(days=10))
    gate = gates[0]
    services.shifts_plan(checkpoint=gate, day=today, shifts=3, actor=staff,
                         first_starts=time(0, 0), names=["赵师傅", "刘师傅", "孙阿姨"])
    for shift in gate.shifts.all():
        if shift.starts_at <= now < shift.ends_at:
            shift.user = gate_user
            shift.save(update_fields=["user"])
            services.shift_check_in(shift=shift, actor=gate_user, now=shift.starts_at)
    _morning(ctx, gate, gate_user, now)


def _morning(ctx, gate, user, now) -> None:
    passes = list(Pass.objects.filter(household__compound=gate.compound, revoked_at__isnull=True)
                  .order_by("pk")[:8])
    start = clock.at(clock.localdate(now), time(7, 30))
    if start > now:
        start = now - timedelta(hours=2)
    step = max((now - start) / 20, timedelta(seconds=30))
    at = start
    made = 0
    for i, p in enumerate(passes):
        temperature = 38.1 if i == 5 else round(36.2 + ctx.rng.random() * 0.7, 1)
        services.gate_scan(actor=user, event_id=uuid.uuid4(), checkpoint=gate.code,
                           pass_code=p.code, direction="out", temperature=temperature,
                           scanned_at=at)
        at += step
        made += 1
        if i in (1, 3):  # back home; then trying to go out again the same day
            services.gate_scan(actor=user, event_id=uuid.uuid4(), checkpoint=gate.code,
                               pass_code=p.code, direction="in", temperature=36.5,
                               scanned_at=at)
            services.gate_scan(actor=user, event_id=uuid.uuid4(), checkpoint=gate.code,
                               pass_code=p.code, direction="out", temperature=36.4,
                               scanned_at=at + step / 2)
            at += step
            made += 2
    services.gate_visit_record(actor=user, checkpoint=gate, subject=Subject.VISITOR, admitted=True,
                          name="周建华", phone="13905541234", visiting="2栋1单元101",
                          purpose="送药（老人慢性病用药）", temperature=36.4, at=at)
    services.gate_visit_record(actor=user, checkpoint=gate, subject=Subject.VISITOR, admitted=False,
                          name="吴秀英", visiting="亲戚家", purpose="走亲访友",
                          turned_back_reason="走亲访友一律劝返", temperature=36.6,
                          at=at + step)
    services.gate_visit_record(actor=user, checkpoint=gate, subject=Subject.VEHICLE, admitted=True,
                          plate="苏A12345", origin="江苏南京", out_of_town=True,
                          verified="单位证明（保供车辆）", purpose="生活物资配送", temperature=36.5,
                          at=at + 2 * step)
    services.gate_visit_record(actor=user, checkpoint=gate, subject=Subject.COURIER, admitted=False,
                          purpose="快递放至交接点，业主自取", temperature=36.3,
                          at=at + 3 * step)
    ctx.log.append(f"access: {made} gate scans and 4 visits at {gate.name} of "
                   f"{gate.compound.name}; passes issued; duty roster of 3 shifts")
