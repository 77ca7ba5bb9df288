"""Key persons (重点人员): categories, facts derived or reported, responsibility (三级包保)."""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from firstline import clock
from firstline.accounts.actions import AuditAction
from firstline.accounts.scope import in_scope
from firstline.accounts.services import audit, require_perm
from firstline.db import facts_changed
from firstline.errors import InvalidInput, RuleViolation

from ..models import KeyPerson, KeyPersonCategory, Responsibility
from ..phones import phone_normalize


def _key_facts_changed(resident_id: int, at: datetime) -> None:
    """Key-person facts closed by update() (no post_save) at `at`: when that is a day already
    closed, the figures stored for it (reports) are computed again, in the grids the resident
    was placed in."""
    from ..models import Placement

    day = clock.localdate(at)
    if day < clock.today():
        grids = set(Placement.objects.filter(resident_id=resident_id)
                    .values_list("grid_id", flat=True))
        facts_changed.send(sender=KeyPerson, areas=grids, since=day)


def _derive_key_facts(*, resident, found: set[str], categories: dict, visit, at) -> None:
    open_facts = {f.category.code: f for f in KeyPerson.objects.current().filter(
        resident=resident, source="visit").select_related("category")}
    for code, fact in open_facts.items():
        if code not in found:
            KeyPerson.objects.filter(pk=fact.pk).update(until=at, closed_by_visit=visit)
            _key_facts_changed(resident.pk, at)
    for code in found - set(open_facts):
        KeyPerson.objects.create(resident=resident, category=categories[code], since=at,
                                 source="visit", source_visit=visit)


# --- key-person categories -----------------------------------------------------------------

DEFAULT_CATEGORIES = [  # code, name, zh-hant name, English name, derived from, order
    # (as migrations 0002 and 0006)
    ("risk_area", "外地返回（中高风险地区）", "外地返回（中高風險地區）", "returned from a risk area",
     "risk_area", 10),
    ("close_contact", "密切接触者", "密切接觸者", "close contact", "", 20),
    ("fever", "发热人员", "發熱人員", "fever", "fever", 30),
    ("isolation_release", "解除隔离人员", "解除隔離人員", "released from isolation", "", 40),
    ("elderly_alone", "独居老人", "獨居老人", "elderly living alone", "", 50),
    ("needs_help", "需要帮扶人员", "需要幫扶人員", "needs help", "", 60),
]


def key_person_categories_ensure() -> int:
    """Create the default categories that are missing (never changes existing ones)."""
    made = 0
    for code, name, name_zh_hant, name_en, auto, order in DEFAULT_CATEGORIES:
        _obj, created = KeyPersonCategory.objects.get_or_create(
            code=code, defaults={"name": name, "name_zh_hant": name_zh_hant,
                                 "name_en": name_en, "auto": auto, "order": order})
        made += created
    return made


# --- key-person facts from other apps -------------------------------------------------------


@transaction.atomic
def key_fact_open(*, resident, category: str, at: datetime, source: str) -> KeyPerson:
    """Open (or keep) a dated key-person fact derived by another app, e.g. the isolation app
    opening `isolation_release` with source="isolation" when an isolation ends. Idempotent:
    an open fact of the same category and source is returned as is."""
    cat = KeyPersonCategory.objects.filter(code=category).first()
    if cat is None:
        raise InvalidInput("bad_category", _("Unknown key-person category %(code)s.")
                           % {"code": category})
    fact = KeyPerson.objects.current().filter(resident=resident, category=cat,
                                              source=source).first()
    return fact or KeyPerson.objects.create(resident=resident, category=cat, since=at,
                                            source=source)


# What derived a fact (KeyPerson.source), in words for ledgers and pages; an unknown code
# (typed in the admin) shows as it is.
KEY_FACT_SOURCES = {
    "visit": pgettext_lazy("key-person source", "screening visit"),
    "isolation": pgettext_lazy("key-person source", "isolation"),
}


def key_fact_source_label(code: str) -> str:
    return str(KEY_FACT_SOURCES.get(code, code))


@transaction.atomic
def key_fact_close(*, resident, category: str, at: datetime, source: str) -> int:
    """Close the open fact of `category` from `source` at `at`; returns how many closed."""
    closed = (KeyPerson.objects.current()
              .filter(resident=resident, category__code=category, source=source)
              .update(until=at))
    if closed:  # update() sends no post_save: stored figures of closed days
        _key_facts_changed(resident.pk, at)
    return closed


# --- responsibility (三级包保) ---------------------------------------------------------------


@transaction.atomic
def responsibility_set(*, actor, resident, cadre=None, grid_worker=None, helper_name: str = "",
                       helper_phone: str = "", now: datetime | None = None) -> Responsibility:
    """Assign a key person to a responsible cadre, a grid worker and a doctor/volunteer."""
    require_perm(actor, "people.assign")
    if not in_scope(actor, resident.grid, "people.assign"):
        raise RuleViolation("not_found", _("Not found."), status=404)
    for user, label in ((cadre, _("cadre")), (grid_worker, _("grid worker"))):
        if user is not None and not in_scope(user, resident.grid, "people.view"):
            raise InvalidInput("out_of_scope",
                               _("The %(role)s %(user)s does not work in this resident's area.")
                               % {"role": label, "user": user})
    # A doctor's or volunteer's number: a mobile or a landline with its area code.
    helper_phone = phone_normalize(helper_phone, field="helper_phone", landline=True)
    obj, _created = Responsibility.objects.update_or_create(
        resident=resident,
        defaults={"cadre": cadre, "grid_worker": grid_worker,
                  "helper_name": helper_name.strip()[:50],
                  "helper_phone": helper_phone.strip()[:20],
                  "updated_at": now or clock.now(), "updated_by": actor})
    audit(actor=actor, action=AuditAction.RESPONSIBILITY_SET, obj=obj)
    return obj
