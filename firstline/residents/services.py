"""Writes of the residents' side: declarations, tip-offs and their rewards, notices and read
receipts, and the throttle of the public endpoints. Keyword-only, one transaction each."""

import functools
import operator
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils.translation import get_language_info, pgettext_lazy
from django.utils.translation import gettext as _

from firstline import clock
from firstline.accounts.actions import AuditAction
from firstline.accounts.scope import in_scope, scope_paths
from firstline.accounts.services import audit, require_perm
from firstline.apitypes import date_read
from firstline.areas.models import Area, Level, subtree_q
from firstline.db import create_once, is_unique_violation
from firstline.errors import InvalidInput, RuleViolation, check_all
from firstline.people.models import (
    Building,
    Compound,
    Household,
    Resident,
    Transport,
    VisitSource,
)
from firstline.people.services import (
    FULL_WIDTH,
    household_address_normalize,
    household_member_add,
    id_number_check,
    mask_phone,
    phone_normalize,
    screening_visit_record,
)
from firstline.plaintext import refused_char
from firstline.rules import rule

from .models import (
    Declaration,
    DeclarationStatus,
    Notice,
    NoticeAck,
    NoticeAttachment,
    PublicHit,
    Reward,
    Tip,
    TipStatus,
)

# Receipts are read out over the phone: no 0/O, 1/I/L.
_RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def receipt_new(prefix: str) -> str:
    """D-7KQ2-M9XA: short, unguessable enough to quote, never reused (unique in the table)."""
    body = "".join(secrets.choice(_RECEIPT_ALPHABET) for _ in range(8))
    return f"{prefix}-{body[:4]}-{body[4:]}"


# --- input checks ---------------------------------------------------------------------------


def text(value, *, field: str, limit: int, required: bool = False, label: str = "",
         multiline: bool = False) -> str:
    """Plain text from a public form: what no typed text may hold refused (firstline.plaintext:
    control characters, NUL included, and invisible direction overrides), blanks collapsed
    (kept as line breaks when `multiline`), length checked — each naming the field."""
    raw = "" if value is None else str(value)
    if refused_char(raw) is not None:
        raise InvalidInput("invalid", _("%(field)s: contains a control character.")
                           % {"field": label or field}, field=field)
    if multiline:
        lines = (" ".join(line.split()) for line in raw.replace("\r", "").split("\n"))
        clean = "\n".join(line for line in lines if line)
    else:
        clean = " ".join(raw.split())
    if required and not clean:
        raise InvalidInput("required", _("%(field)s: this field is required.")
                           % {"field": label or field}, field=field)
    if len(clean) > limit:
        raise InvalidInput("too_long", _("%(field)s: at most %(n)d characters.")
                           % {"field": label or field, "n": limit}, field=field)
    return clean


def community_get(code) -> Area:
    """The community a public page or endpoint names by code; 422 `community` otherwise."""
    code = str(code or "").strip()
    area = (Area.objects.filter(code=code, level=Level.COMMUNITY).first()
            if code and len(code) <= 64 and "\x00" not in code else None)
    if area is None:
        raise InvalidInput("unknown_community", _("Unknown community."), field="community")
    return area


# --- the public endpoints' throttle ---------------------------------------------------------


# A client key's kind -> the rule limiting it. "ip:<address>" is the network address (many
# phones may share one behind a carrier's NAT: a higher limit); "dev:<cookie>" the device's
# own cookie on the public pages (a phone that keeps it: a lower limit).
_CLIENT_RULES = {"ip": "public.per_address", "dev": "public.per_device"}


def throttle(*, kind: str, device, place: str = "", now: datetime | None = None) -> None:
    """Refuse (429 `throttled`) a public submission when this client (each of its keys: its
    address `ip:...`, its device cookie `dev:...`) or this home address sent too many in the
    window (rules public.*); otherwise count this one. Called inside the submitting service's
    transaction: a refused or failed submission counts nothing."""
    now = now or clock.now()
    day = clock.localdate(now)
    since = now - timedelta(minutes=int(rule("public.window_minutes", on=day).value))
    keys = [device] if isinstance(device, str) else list(device)
    checks = []
    for key in keys:
        prefix = key.split(":", 1)[0]
        limit = int(rule(_CLIENT_RULES.get(prefix, "public.per_device"), on=day).value)
        checks.append((prefix, key[:200], limit))
    if place:
        checks.append(("place", place[:200], int(rule("public.per_place", on=day).value)))
    for what, key, limit in checks:
        used = PublicHit.objects.filter(kind=f"{kind}:{what}", key=key, at__gte=since).count()
        if used >= limit:
            raise RuleViolation("throttled", _("Too many submissions from here. Please try "
                                               "again later or call your community."),
                                status=429)
    PublicHit.objects.bulk_create([PublicHit(kind=f"{kind}:{what}", key=key, at=now)
                                   for what, key, _limit in checks])
    PublicHit.objects.filter(at__lt=now - timedelta(days=1)).delete()


# --- places -----------------------------------------------------------------------------------


def _compound_named(community: Area, name: str) -> Compound | None:
    return Compound.objects.filter(area=community, name=name).first() if name else None


def _household_at(compound: Compound | None, building: str, unit: str,
                  room: str) -> Household | None:
    if compound is None or not room:
        return None
    return (Household.objects.select_related("grid")
            .filter(compound=compound, building_name=building, unit=unit, room=room).first())


def _grid_of(households) -> Area | None:
    """The one grid a set of households lies in, or None when they span several or none."""
    grids = list(households.values_list("grid_id", flat=True).distinct()[:2])
    return Area.objects.get(pk=grids[0]) if len(grids) == 1 else None


# --- return declarations (返回登记) -------------------------------------------------------------


@transaction.atomic
def declaration_submit(*, community: Area, name, id_number, phone, compound="", building="",
                       unit="", room="", from_province, from_city="", returned_on,
                       transport="", transport_no="", symptoms="", device,
                       now: datetime | None = None) -> Declaration:
    """A resident's own 返回登记. Pending for the grid worker of the address (the community's
    staff when the address is not on the roster). The same ID number while pending is the
    same item: the later details replace the earlier ones."""
    now = now or clock.now()
    today = clock.localdate(now)
    def phone_required():
        value = phone_normalize(phone)
        if not value:
            raise InvalidInput("required", _("%(field)s: this field is required.")
                               % {"field": _("Phone")}, field="phone")
        return value

    def return_day():
        day = date_read(returned_on, field="returned_on", label=_("Returned on"))
        if day is None:
            raise InvalidInput("required", _("%(field)s: this field is required.")
                               % {"field": _("Returned on")}, field="returned_on")
        if day > today:
            raise InvalidInput("returned_on_future", _("The return date is in the future."),
                               field="returned_on")
        if day < today - timedelta(days=366):
            raise InvalidInput("returned_on_past",
                               _("The return date is more than a year ago."),
                               field="returned_on")
        return day

    def transport_known():
        if str(transport or "") not in Transport.values:
            raise InvalidInput("bad_transport", _("Unknown transport."), field="transport")
        return str(transport or "")

    # Every field checked at once: the page shows each mistake beside its field (a resident
    # on a phone fixes three in one go); the API answers the first, in this order.
    v = check_all(
        name=lambda: text(name, field="name", limit=50, required=True, label=_("Name")),
        id_number=lambda: id_number_check(id_number),
        phone=phone_required,
        compound=lambda: text(compound, field="compound", limit=100, label=_("Compound")),
        building=lambda: text(building, field="building", limit=50, label=_("Building")),
        unit=lambda: text(unit, field="unit", limit=20, label=_("Unit")),
        room=lambda: text(room, field="room", limit=20, label=_("Room")),
        from_province=lambda: text(from_province, field="from_province", limit=30,
                                   required=True, label=_("Came from (province)")),
        from_city=lambda: text(from_city, field="from_city", limit=30,
                               label=_("Came from (city)")),
        returned_on=return_day,
        transport=transport_known,
        transport_no=lambda: text(transport_no, field="transport_no", limit=30,
                                  label=_("Train / flight / plate number")),
        symptoms=lambda: text(symptoms, field="symptoms", limit=200, label=_("Symptoms")))
    name, id_number, phone, compound = v["name"], v["id_number"], v["phone"], v["compound"]
    building, unit, room = household_address_normalize(
        building=v["building"], unit=v["unit"], room=v["room"])
    from_province, from_city, returned_on = v["from_province"], v["from_city"], v["returned_on"]
    transport, transport_no, symptoms = v["transport"], v["transport_no"], v["symptoms"]
    place = "|".join([community.code, compound, building, unit, room]) if room else ""
    throttle(kind="declaration", device=device, place=place, now=now)

    found = _compound_named(community, compound)
    household = _household_at(found, building, unit, room)
    resident = Resident.objects.filter(id_number=id_number).first()
    fields = dict(community=community, area=household.grid if household else community,
                  household=household, resident=resident, name=name, phone=phone,
                  compound=compound, building=building, unit=unit, room=room,
                  from_province=from_province, from_city=from_city, returned_on=returned_on,
                  transport=transport, transport_no=transport_no, symptoms=symptoms,
                  updated_at=now)
    for _attempt in range(2):
        pending = (Declaration.objects.select_for_update()
                   .filter(id_number=id_number, status=DeclarationStatus.PENDING).first())
        if pending is not None:
            for key, value in fields.items():
                setattr(pending, key, value)
            pending.submissions += 1
            pending.save()
            return pending
        try:
            with transaction.atomic():
                return Declaration.objects.create(receipt=receipt_new("D"), id_number=id_number,
                                                  created_at=now, **fields)
        except IntegrityError as exc:  # the same ID declared at the same instant: merge into it
            if not is_unique_violation(exc):
                raise
    raise RuleViolation("busy", _("Please try again."), status=409)


@transaction.atomic
def declaration_confirm(*, actor, declaration: Declaration, household: Household | None = None,
                        residency: str = "", now: datetime | None = None) -> Declaration:
    """The grid worker confirms a declaration: the resident is matched by ID number (or added
    to the household as a newcomer, or moved there) and the return is recorded as a screening
    visit records it, so the key-person facts follow the risk-area rules. Once only.
    `residency`: the newcomer's (empty: 常住 permanent); for a person on the roster who is
    moved, empty keeps theirs and a value is the worker's choice (household_member_add)."""
    require_perm(actor, "people.screen")
    now = now or clock.now()
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    if declaration.status != DeclarationStatus.PENDING:
        raise RuleViolation("already_confirmed", _("This declaration was already confirmed."))
    if household is not None and not in_scope(actor, household.grid, "people.screen"):
        raise RuleViolation("not_found", _("Not found."), status=404)
    resident = Resident.objects.filter(id_number=declaration.id_number).first()
    # The household named by the worker, else the declared address, else where the roster
    # has the person: a declared address elsewhere than the roster's is a move.
    household = household or declaration.household or (resident.household if resident
                                                        else None)
    if household is None:
        raise InvalidInput("household_required",
                           _("The address is not on the roster: choose the household."),
                           field="household_id")
    declaration.added = declaration.moved = False
    if resident is None or resident.household_id != household.pk:
        added = household_member_add(actor=actor, household=household, name=declaration.name,
                                     id_number=declaration.id_number, phone=declaration.phone,
                                     residency=residency, now=now)
        resident = added.resident
        declaration.added, declaration.moved = added.created, not added.created
    # Recorded as a visit so the key-person facts follow the risk-area rules, but marked as a
    # declaration's: one member's return told by phone does not screen the household.
    visit = screening_visit_record(actor=actor, household=household, visited_at=now, by_phone=True,
                         source=VisitSource.DECLARATION,
                         note=_("Return declaration %(receipt)s")
                         % {"receipt": declaration.receipt},
                         people=[{"resident": resident, "present": True,
                                  "from_province": declaration.from_province,
                                  "from_city": declaration.from_city,
                                  "returned_on": declaration.returned_on,
                                  "transport": declaration.transport,
                                  "transport_no": declaration.transport_no,
                                  "symptoms": declaration.symptoms}])
    declaration.status = DeclarationStatus.CONFIRMED
    declaration.resident, declaration.household, declaration.visit = resident, household, visit
    declaration.confirmed_at, declaration.confirmed_by = now, actor
    declaration.save()
    audit(actor=actor, action=AuditAction.DECLARATION_CONFIRM, obj=declaration)
    return declaration


# --- tip-offs (举报) and rewards ---------------------------------------------------------------


_BUILDING_IN_TEXT = re.compile(r"([0-9A-Za-z]+)\s*(?:号楼|號樓|栋|棟|幢|楼|樓)")


def _tip_place(community: Area, where: str, compound: Compound | None,
               building_name: str) -> tuple[Compound | None, Building | None, Area]:
    if compound is None and where:
        # A compound named in the free text ("阳光花园3栋有人聚集打牌") places the tip.
        for candidate in Compound.objects.filter(area=community).order_by("-name"):
            if candidate.name and candidate.name in where:
                compound = candidate
                break
    if compound is not None and not building_name and where:
        # ...and a building after it: 1栋, 3号楼, 2幢.
        rest = where.split(compound.name, 1)[-1]
        found = _BUILDING_IN_TEXT.search(rest.translate(FULL_WIDTH))
        if found:
            building_name = found.group(1)
    building = None
    if compound is not None and building_name:
        building = Building.objects.filter(compound=compound, name=building_name).first()
    area = None
    if building is not None:
        area = _grid_of(Household.objects.filter(compound=compound,
                                                 building_name=building.name))
    if area is None and compound is not None:
        area = _grid_of(Household.objects.filter(compound=compound))
    return compound, building, area or community


@transaction.atomic
def tip_submit(*, community: Area, what, where="", contact="", compound: Compound | None = None,
               building: str = "", actor=None, device=(),
               now: datetime | None = None, event_id=None) -> Tip:
    """A tip-off: from the public page (`device` set, throttled) or taken down by staff
    (`actor`). A verification task for the grid worker of the place, due per tips.verify_hours.

    Once per `event_id` (firstline.db.create_once): a retry of the same tip answers the first
    one (`replayed` True), not throttled again; the id of a tip with other words, another
    community or another sender is 409 `event_id_reused`, showing nothing of that tip."""
    now = now or clock.now()
    if actor is not None:
        require_perm(actor, "people.screen")
        # The community's staff, or a grid worker of one of its grids, may take one down.
        if not in_scope(actor, community, "people.screen") and not any(
                p.startswith(community.path) for p in scope_paths(actor, "people.screen")):
            raise RuleViolation("not_found", _("Not found."), status=404)
    what = text(what, field="what", limit=1000, required=True, label=_("What"), multiline=True)
    where = text(where, field="where", limit=200, label=_("Where"))
    contact = text(contact, field="contact", limit=50, label=_("Contact"))
    building = household_address_normalize(
        building=text(building, field="building", limit=50, label=_("Building")))[0]
    if compound is not None and compound.area_id != community.pk:
        raise InvalidInput("bad_compound", _("Unknown compound."), field="compound")

    def same(first: Tip) -> bool:
        return ((first.community_id, first.what, first.contact, first.created_by_id)
                == (community.pk, what, contact, getattr(actor, "pk", None)))

    def create() -> Tip:
        nonlocal compound, where
        if actor is None:
            throttle(kind="tip", device=device, now=now)
        compound, found_building, area = _tip_place(community, where, compound, building)
        if not where and compound is not None:
            where = f"{compound.name} {building}栋" if building else compound.name
        hours = int(rule("tips.verify_hours", on=clock.localdate(now)).value)
        tip = Tip.objects.create(receipt=receipt_new("T"), community=community, area=area,
                                 compound=compound, building=found_building, what=what,
                                 where=where, contact=contact,
                                 source="staff" if actor is not None else "public",
                                 created_by=actor, created_at=now,
                                 due_at=now + timedelta(hours=hours), event_id=event_id)
        if actor is not None:
            audit(actor=actor, action=AuditAction.TIP_CREATE, obj=tip)
        return tip

    tip, replayed = create_once(Tip, event_id, same=same, create=create)
    tip.replayed = replayed
    return tip


def tip_contact_masked(tip: Tip) -> str:
    contact = tip.contact
    if not contact:
        return ""
    digits = "".join(c for c in contact if c.isdigit())
    if len(digits) >= 7:
        return mask_phone(digits)
    return contact[0] + "*" * (len(contact) - 1)


def tip_contact_read(*, actor, tip: Tip, reason: str, via: str = "web") -> str:
    """The tipster's full contact: needs people.view_full and a reason (422 `reason_required`
    naming `reason` without one); one audit row. (A tipster is not on the roster, so this is
    people.services.pii_read's sibling for the one other full phone the system keeps.)"""
    require_perm(actor, "people.view_full")
    reason = " ".join(str(reason or "").split())[:100]
    if not reason:
        raise InvalidInput("reason_required",
                           _("Reason: say why you need the tipster's full contact."),
                           field="reason")
    audit(actor=actor, action=AuditAction.TIP_CONTACT_READ, obj=tip, detail=reason, via=via)
    return tip.contact


REWARD_ITEMS = {"masks": pgettext_lazy("reward item", "masks")}
# The supplies item a reward is issued from when the rule names none (rule "tips.reward" may
# carry "stock_item", an operations item code).
STOCK_ITEMS = {"masks": "mask"}


def reward_text(reward: Reward | None) -> str:
    """待发奖励：10 口罩 — the reward of a tip in words, for the staff pages: owed, issued from
    which store's stock, or handed over by hand."""
    if reward is None:
        return ""
    args = {"quantity": reward.quantity, "item": str(REWARD_ITEMS.get(reward.item, reward.item))}
    if reward.status == "issued" and reward.how == "stock" and reward.store_id:
        return _("Reward issued from stock of %(store)s: %(quantity)d %(item)s") % {
            **args, "store": reward.store.name}
    if reward.status == "issued":
        return _("Reward handed over by hand: %(quantity)d %(item)s") % args
    return _("Reward owed: %(quantity)d %(item)s") % args


def tip_reward_rule(on: date) -> tuple[str, int, str]:
    value = rule("tips.reward", on=on)
    data = value.value if isinstance(value.value, dict) else {"quantity": value.value}
    return str(data.get("item") or "masks"), int(data.get("quantity") or 0), value.version


def _reward_stock_item(reward: Reward, on: date):
    """The operations item a reward is paid in (None when the catalogue has no such item)."""
    return _stock_item_of(reward.item, on)


def _stock_item_of(item: str, on: date):
    from firstline.operations.models import Item

    value = rule("tips.reward", on=on).value
    data = value if isinstance(value, dict) else {}
    code = (data.get("stock_item") if data.get("item", "masks") == item else None) \
        or STOCK_ITEMS.get(item, item)
    return Item.objects.filter(code=str(code)).first()


def reward_words(item: str, quantity: int, *, on: date) -> str:
    """口罩 10 个: a reward as the supplies pages say it (its stock item's name and unit),
    else "10 口罩" from the rule's own words."""
    from firstline.operations.services import quantity_words

    stock_item = _stock_item_of(item, on)
    if stock_item is not None:
        return quantity_words(stock_item, quantity)
    return _("%(quantity)d %(item)s") % {"quantity": quantity,
                                         "item": str(REWARD_ITEMS.get(item, item))}


def reward_preview(community: Area, *, on: date) -> str:
    """What marking a tip of `community` valid will pay, said before the worker confirms
    ("" when the rule pays nothing): the reward and the store it is taken from."""
    from firstline.operations.services import store_of_area

    item, quantity, _version = tip_reward_rule(on)
    if quantity <= 0:
        return ""
    what = reward_words(item, quantity, on=on)
    store = store_of_area(community)
    if store is None or _stock_item_of(item, on) is None:
        return _("Valid pays a reward of %(what)s (owed: no community store holds it).") % {
            "what": what}
    return _("Valid pays a reward of %(what)s, issued from %(store)s.") % {
        "what": what, "store": store.name}


def verdict_words(tip: Tip) -> str:
    """What recording an outcome did, for the worker who recorded it: a valid tip says its
    reward and where it came from (已核实，奖励 口罩 10 个 已从 一社区仓库 发放), or that it is
    owed."""
    reward = Reward.objects.select_related("store").filter(tip=tip).first()
    if tip.status != TipStatus.VALID or reward is None:
        return _("Tip-off %(receipt)s verified.") % {"receipt": tip.receipt}
    args = {"receipt": tip.receipt, "what": reward_words(reward.item, reward.quantity,
                                                        on=clock.localdate(reward.created_at))}
    if reward.status == "issued" and reward.store_id:
        return _("Tip-off %(receipt)s verified valid: reward %(what)s issued from "
                 "%(store)s.") % {**args, "store": reward.store.name}
    return _("Tip-off %(receipt)s verified valid: reward %(what)s owed — the community "
             "store holds too little; it is issued when stock arrives, or mark it handed "
             "over by hand.") % args


def _reward_from_stock(reward: Reward, *, actor, now: datetime, perm: str,
                       store=None, item=None) -> bool:
    """Issue an owed reward from the operations stock of its tip's community store. Exactly
    once: the reward is claimed with a conditional UPDATE (owed → issued) and the stock taken
    with operations' conditional UPDATE, in one savepoint; when the store holds too little the
    savepoint rolls both back and the reward stays owed."""
    from firstline.operations import services as operations

    tip = reward.tip
    store = store or operations.store_of_area(tip.community)
    item = item or _reward_stock_item(reward, clock.localdate(now))
    if store is None or item is None:
        return False
    try:
        with transaction.atomic():
            claimed = Reward.objects.filter(pk=reward.pk, status="owed").update(
                status="issued", how="stock", store=store, issued_at=now, issued_by=actor)
            if not claimed:
                return False
            operations.stock_issue(actor=actor, store=store, item=item,
                                   quantity=reward.quantity, now=now, perm=perm, tip=tip)
    except RuleViolation as exc:
        if exc.code != "insufficient_stock":
            raise
        return False
    audit(actor=actor, action=AuditAction.TIP_REWARD_ISSUE, obj=tip, detail=f"stock={store.code}")
    return True


def rewards_settle(*, store, item, actor, now: datetime, perm: str) -> int:
    """Stock arrived in `store` (operations calls this, see STOCK_ARRIVED): issue the owed
    rewards of its community's tips from it, oldest first, while it holds enough. Only the
    community's own store pays rewards. Returns how many were issued."""
    from firstline.operations import services as operations

    if store.area.level != Level.COMMUNITY or operations.store_of_area(store.area) != store:
        return 0
    issued = 0
    owed = (Reward.objects.filter(status="owed", tip__community=store.area)
            .select_related("tip__community").order_by("created_at", "pk"))
    for reward in owed:
        wanted = _reward_stock_item(reward, clock.localdate(now))
        if wanted is None or wanted.pk != item.pk:
            continue
        if not _reward_from_stock(reward, actor=actor, now=now, perm=perm, store=store,
                                  item=item):
            break
        issued += 1
    return issued


@transaction.atomic
def tip_verify(*, actor, tip: Tip, outcome: str, note: str = "",
               now: datetime | None = None) -> Tip:
    """The grid worker's verdict: valid, invalid or duplicate, with a note. Once: the status
    moves from open in one conditional UPDATE, so of concurrent verdicts exactly one wins
    (the others get 409 `already_verified`), and a valid tip records exactly one reward."""
    require_perm(actor, "people.screen")
    if not in_scope(actor, tip.area, "people.screen"):
        raise RuleViolation("not_found", _("Not found."), status=404)
    if not outcome:
        # Never a default: valid is final and pays the reward.
        raise InvalidInput("outcome_required",
                           _("Outcome: choose valid, invalid or duplicate."), field="outcome")
    if outcome not in (TipStatus.VALID, TipStatus.INVALID, TipStatus.DUPLICATE):
        raise InvalidInput("bad_outcome", _("Outcome: valid, invalid or duplicate."),
                           field="outcome")
    note = text(note, field="note", limit=200, label=_("Note"))
    now = now or clock.now()
    won = Tip.objects.filter(pk=tip.pk, status=TipStatus.OPEN).update(
        status=outcome, note=note, verified_at=now, verified_by=actor)
    if not won:
        raise RuleViolation("already_verified", _("This tip-off was already verified."))
    tip.refresh_from_db()
    if outcome == TipStatus.VALID:
        item, quantity, version = tip_reward_rule(clock.localdate(now))
        if quantity > 0:
            reward = Reward.objects.create(tip=tip, item=item, quantity=quantity,
                                           rule_version=f"tips.reward:{version}",
                                           created_at=now)
            # Paid from the community store's stock when it holds enough; else owed.
            _reward_from_stock(reward, actor=actor, now=now, perm="people.screen")
    audit(actor=actor, action=AuditAction.TIP_VERIFY, obj=tip, detail=outcome)
    return tip


@transaction.atomic
def reward_issue(*, actor, tip: Tip, by_hand: bool = True,
                 now: datetime | None = None) -> Reward:
    """Hand over an owed reward: from the community store's stock when it holds enough, else
    (by_hand=True, the button) recorded as handed over by hand. Once: a reward already handed
    over (the button tapped twice, a browser sending the form again, two workers at once)
    answers that reward, `replayed` True, and writes nothing; the reward is claimed with a
    conditional UPDATE, so of concurrent calls exactly one hands it over. A tip with no reward
    at all is 409 `no_reward_owed`."""
    require_perm(actor, "people.screen")
    if not in_scope(actor, tip.area, "people.screen"):
        raise RuleViolation("not_found", _("Not found."), status=404)
    now = now or clock.now()
    reward = Reward.objects.filter(tip=tip).select_related("tip__community").first()
    if reward is None:
        raise RuleViolation("no_reward_owed", _("No reward is owed for this tip-off."))
    handed_over = reward.status == "owed" and _reward_from_stock(
        reward, actor=actor, now=now, perm="people.screen")
    if reward.status == "owed" and not handed_over:
        if not by_hand:
            raise RuleViolation("insufficient_stock", _("The community's store does not hold "
                                                        "enough for this reward."))
        # Claimed by another call since it was read: that one hands it over, this one says so.
        handed_over = bool(Reward.objects.filter(pk=reward.pk, status="owed").update(
            status="issued", how="by_hand", issued_at=now, issued_by=actor))
        if handed_over:
            audit(actor=actor, action=AuditAction.TIP_REWARD_ISSUE, obj=tip, detail="by_hand")
    reward = Reward.objects.select_related("store").get(pk=reward.pk)
    reward.replayed = not handed_over
    return reward


# --- notices and read receipts (已读回执) --------------------------------------------------------


MAX_ATTACHMENTS = 10  # per notice: a typo guard (a notice is a letter, not an archive)


def _attachments_checked(files, *, already: int = 0, now: datetime | None = None) -> list:
    from firstline.uploads import upload_check

    files = [f for f in (files or []) if f is not None]
    if already + len(files) > MAX_ATTACHMENTS:
        raise InvalidInput("too_many_files", _("A notice has at most %(n)d attachments.")
                           % {"n": MAX_ATTACHMENTS}, field="file")
    on = clock.localdate(now or clock.now())
    return [upload_check(f, field="file", on=on) for f in files]


def _attachments_save(notice: Notice, checked: list, *, actor, now) -> list[NoticeAttachment]:
    saved = []
    for c in checked:
        a = NoticeAttachment(notice=notice, name=c.shown_name, content_type=c.content_type,
                             size=c.size, created_by=actor, created_at=now)
        a.file.save(c.stored_name, c.file, save=True)
        saved.append(a)
    return saved


@transaction.atomic
def notice_attach(*, actor, notice: Notice, file, now: datetime | None = None
                  ) -> NoticeAttachment:
    """Attach one file (PDF or image, checked by content and size) to a published notice."""
    require_perm(actor, "people.manage")
    if not any(in_scope(actor, a, "people.manage") for a in notice.areas.all()):
        raise RuleViolation("not_found", _("Not found."), status=404)
    if file is None:  # the page's form sent without one (a browser that skips `required`)
        raise InvalidInput("file_required", _("%(field)s: choose a file.") % {"field": "file"},
                           field="file")
    now = now or clock.now()
    checked = _attachments_checked([file], already=notice.attachments.count(), now=now)
    attachment = _attachments_save(notice, checked, actor=actor, now=now)[0]
    audit(actor=actor, action=AuditAction.NOTICE_ATTACH, obj=notice, detail=attachment.content_type)
    return attachment


# A notice refused on its page (no area chosen, no title...) keeps the files chosen with it:
# a browser cannot put a file back in a file input, and publishing again without noticing
# would send the notice without them. Each passing file is stored under PENDING_DIR and the
# page gets a signed token (for this user only) to send back; publishing takes them along.
PENDING_DIR = "notices/pending"
PENDING_SALT = "firstline.residents.notice-upload"
PENDING_HOURS = 24


@dataclass(frozen=True)
class PendingUpload:
    token: str
    name: str  # as the user's file was called (shown only)
    size: int
    path: str  # in the default storage


def notice_uploads_keep(*, actor, files, now: datetime | None = None
                        ) -> tuple[list[PendingUpload], list[str]]:
    """Keep the uploaded `files` of a refused notice for its next try: (kept, refusals) — a
    file that would not pass (type, size) is not kept, its reason is returned instead."""
    from django.core import signing
    from django.core.files.storage import default_storage

    from firstline.uploads import upload_check

    now = now or clock.now()
    _pending_forget_stale(now)
    kept, refusals = [], []
    for f in files or []:
        try:
            c = upload_check(f, field="file", on=clock.localdate(now))
        except InvalidInput as exc:
            refusals.append(exc.detail)
            continue
        path = default_storage.save(f"{PENDING_DIR}/{c.stored_name}", c.file)
        token = signing.dumps({"u": actor.pk, "p": path, "n": c.shown_name}, salt=PENDING_SALT)
        kept.append(PendingUpload(token=token, name=c.shown_name, size=c.size, path=path))
    return kept, refusals


def notice_uploads_pending(*, actor, tokens, strict: bool = True) -> list[PendingUpload]:
    """The kept files `tokens` name (sent back by the page). A token not this user's, altered
    or older than PENDING_HOURS, or a file gone, is refused: the user chooses the file again
    (never a notice silently published without it); `strict` False: left out."""
    from django.core import signing
    from django.core.files.storage import default_storage

    found = []
    for token in dict.fromkeys(t for t in tokens or [] if t):
        try:
            value = signing.loads(token, salt=PENDING_SALT, max_age=PENDING_HOURS * 3600)
            path = value["p"]
            ok = value["u"] == actor.pk and str(path).startswith(PENDING_DIR + "/") \
                and default_storage.exists(path)
        except (signing.BadSignature, KeyError, TypeError):
            ok = False
        if not ok and not strict:
            continue
        if not ok:
            raise InvalidInput("kept_file_gone", _("An attachment kept from before is no longer "
                                                   "available: choose the file again."),
                               field="file")
        found.append(PendingUpload(token=token, name=value["n"], path=path,
                                   size=default_storage.size(path)))
    return found


def _pending_files(pending: list[PendingUpload]) -> list:
    from django.core.files import File
    from django.core.files.storage import default_storage

    files = []
    for p in pending:
        f = File(default_storage.open(p.path, "rb"), name=p.name)
        f.size = p.size
        files.append(f)
    return files


def _pending_forget(pending: list[PendingUpload]) -> None:
    from django.core.files.storage import default_storage

    for p in pending:
        default_storage.delete(p.path)


def _pending_forget_stale(now: datetime) -> None:
    """Kept files never published (the page left) go after PENDING_HOURS."""
    from django.core.files.storage import default_storage

    try:
        _dirs, names = default_storage.listdir(PENDING_DIR)
    except FileNotFoundError:
        return
    for name in names:
        path = f"{PENDING_DIR}/{name}"
        try:
            if now - default_storage.get_modified_time(path) > timedelta(hours=PENDING_HOURS):
                default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError):
            pass


@transaction.atomic
def notice_publish(*, actor, title, body, areas: list[Area], translations: dict | None = None,
                   attachments=(), kept=(), now: datetime | None = None,
                   event_id=None) -> Notice:
    """Publish a notice to the households of `areas` (each inside the actor's scope), with
    optional `translations` {language: {title, body}} in the site's other languages and
    `attachments` (uploaded files; every one is checked before anything is written) and
    `kept` (tokens of files kept from a refused try, notice_uploads_keep; deleted from the
    pending place once published).
    Once per `event_id` (firstline.db.create_once): a retry answers the first notice,
    `replayed` True."""
    from django.conf import settings

    require_perm(actor, "people.manage")
    # Every field is checked (the page shows each error beside its field at once); the API
    # answers the first, in this order.
    def languages_check():
        for language, version in (translations or {}).items():
            if language not in dict(settings.LANGUAGES) or not isinstance(version, dict):
                raise InvalidInput("bad_language", _("Translations: use zh-hans, zh-hant or "
                                                     "en, each with a title and a text."),
                                   field="translations")

    def version_text(language, key, label, limit, multiline=False):
        # Each version's title and text named with its language: "标题（English）", never a
        # bare 标题 beside the one in the page's own language.
        def check():
            version = (translations or {}).get(language)
            value = version.get(key) if isinstance(version, dict) else ""
            name = get_language_info(language)["name_local"]
            return text(value, field=f"translations.{language}.{key}", limit=limit,
                        label=_("%(field)s (%(language)s)") % {"field": label, "language": name},
                        multiline=multiline)
        return check

    versions_checks = {}
    for language in (translations or {}):
        if language in dict(settings.LANGUAGES):
            versions_checks[f"translations.{language}.title"] = version_text(
                language, "title", _("Title"), 200)
            versions_checks[f"translations.{language}.body"] = version_text(
                language, "body", _("Text"), 20000, multiline=True)

    def areas_check():
        if not areas:
            raise InvalidInput("areas_required", _("Choose at least one area."), field="areas")

    values = check_all(
        title=lambda: text(title, field="title", limit=200, required=True, label=_("Title")),
        body=lambda: text(body, field="body", limit=20000, required=True, label=_("Text"),
                          multiline=True),
        translations=languages_check, **versions_checks, areas=areas_check)
    versions = {}
    for language in (translations or {}):
        t = values[f"translations.{language}.title"]
        b = values[f"translations.{language}.body"]
        if t or b:
            versions[language] = {"title": t, "body": b}
    title, body = values["title"], values["body"]
    for area in areas:
        if not in_scope(actor, area, "people.manage"):
            raise RuleViolation("not_found", _("Not found."), status=404)
    now = now or clock.now()

    def same(first: Notice) -> bool:
        return (first.created_by_id, first.title, first.body) == (actor.pk, title, body)

    pending = notice_uploads_pending(actor=actor, tokens=kept)

    def create() -> Notice:
        files = _pending_files(pending)
        try:
            checked = _attachments_checked([*(attachments or []), *files], now=now)
            notice = Notice.objects.create(token=secrets.token_urlsafe(16), title=title,
                                           body=body, translations=versions, created_by=actor,
                                           created_at=now, event_id=event_id)
            notice.areas.set(areas)
            _attachments_save(notice, checked, actor=actor, now=now)
        finally:
            for f in files:
                f.close()
        audit(actor=actor, action=AuditAction.NOTICE_PUBLISH, obj=notice)
        return notice

    notice, replayed = create_once(Notice, event_id, same=same, create=create)
    notice.replayed = replayed
    transaction.on_commit(lambda: _pending_forget(pending))
    return notice


def notice_households(notice: Notice):
    """The households a notice is for: those with residents in the subtrees of its areas
    (as the daily report counts households)."""
    from django.db.models import Exists, OuterRef, Q

    paths = notice.areas.values_list("path", flat=True)
    q = functools.reduce(operator.or_, (subtree_q(p, "grid") for p in paths), Q(pk__in=[]))
    lived_in = Resident.objects.filter(household_id=OuterRef("pk"))
    return Household.objects.filter(q).filter(Exists(lived_in))


def notice_reach(notice: Notice, *, within: Area | None = None) -> dict:
    """{households, acknowledged}: households acknowledged once each (宣传覆盖); `within`
    narrows both to the households of one area (a community on the dashboard)."""
    households = notice_households(notice)
    if within is not None:
        households = households.filter(subtree_q(within, "grid"))
    acknowledged = NoticeAck.objects.filter(notice=notice, household__in=households).count()
    return {"households": households.count(), "acknowledged": acknowledged}


def notice_reach_by_building(notice: Notice, *, within: Area | None = None) -> list[dict]:
    """Reach per compound and building, for the notice's page and the dashboard."""
    households = notice_households(notice)
    if within is not None:
        households = households.filter(subtree_q(within, "grid"))
    totals = households.values("compound__name", "building_name").annotate(n=Count("pk"))
    acked = {(c, b): n for c, b, n in
             NoticeAck.objects.filter(notice=notice, household__in=households)
             .values("household__compound__name", "household__building_name")
             .annotate(n=Count("pk"))
             .values_list("household__compound__name", "household__building_name", "n")}
    return [{"compound": t["compound__name"], "building": t["building_name"],
             "households": t["n"], "acknowledged": acked.get((t["compound__name"],
                                                              t["building_name"]), 0)}
            for t in totals.order_by("compound__name", "building_name")]


def notice_household_find(*, notice: Notice, compound_id, building="", unit="",
                          room="") -> Household:
    """The household a visitor of the notice page names (compound, building, unit, room)."""
    building, unit, room = household_address_normalize(
        building=text(building, field="building", limit=50, label=_("Building")),
        unit=text(unit, field="unit", limit=20, label=_("Unit")),
        room=text(room, field="room", limit=20, label=_("Room")))
    try:
        compound_id = int(compound_id)
    except (TypeError, ValueError):
        compound_id = None
    household = None
    if compound_id and abs(compound_id) < 2**31 and room:
        household = notice_households(notice).filter(
            compound_id=compound_id, building_name=building, unit=unit, room=room).first()
    if household is None:
        raise InvalidInput("unknown_household", _("No household at this address: check the "
                                                  "building, unit and room."), field="room")
    return household


@transaction.atomic
def notice_acknowledge(*, notice: Notice, household: Household, device=(),
                       now: datetime | None = None) -> bool:
    """已读回执 from the notice page: True when this household's first; a second is a no-op
    (the database keeps one per household, whatever arrives at once)."""
    now = now or clock.now()
    if device:
        throttle(kind="notice", device=device, now=now)
    try:
        with transaction.atomic():
            NoticeAck.objects.create(notice=notice, household=household, at=now)
    except IntegrityError as exc:  # this household acknowledged it before (or at once)
        if not is_unique_violation(exc):
            raise
        return False
    return True


# --- retention --------------------------------------------------------------------------------


@transaction.atomic
def residents_deidentify(*, now: datetime | None = None) -> dict:
    """Blank the personal data of closed items older than rule "retention.days": confirmed
    declarations lose the ID number, phone and journey details (the resident's own record
    keeps what the roster needs), verified tip-offs lose the tipster's contact. Counts stay.
    Idempotent; meant for a nightly job, as assistance_deidentify."""
    now = now or clock.now()
    cutoff = now - timedelta(days=rule("retention.days", on=clock.localdate(now)).value)
    declarations = (Declaration.objects
                    .filter(status=DeclarationStatus.CONFIRMED, confirmed_at__lt=cutoff)
                    .exclude(id_number="", phone="", transport_no="", symptoms="")
                    .update(id_number="", phone="", transport_no="", symptoms=""))
    tips = (Tip.objects.exclude(status=TipStatus.OPEN).filter(verified_at__lt=cutoff)
            .exclude(contact="").update(contact=""))
    audit(actor=None, action=AuditAction.RESIDENTS_DEIDENTIFY, object_type="residents",
          detail=f"declarations={declarations} tips={tips}", via="job")
    return {"declarations": declarations, "tips": tips}
