"""Checkpoints (卡口) of a compound."""


from django.db import transaction
from django.utils.translation import gettext as _

from firstline.accounts.actions import AuditAction
from firstline.accounts.services import audit, require_perm
from firstline.db import unique_or
from firstline.errors import InvalidInput, RuleViolation

from ..models import Checkpoint

# --- checkpoints ----------------------------------------------------------------------------

def _taken(compound, code: str, name: str) -> RuleViolation | None:
    """The refusal a gate with this code or name gets when one is there already: the code's
    when both are taken. The name is read first, so that a gate committed between the two reads
    (two added at once) still answers as a sequential duplicate does: a name seen means the
    code is seen after it."""
    name_taken = Checkpoint.objects.filter(compound=compound, name=name).exists()
    if Checkpoint.objects.filter(code=code).exists():
        return RuleViolation("duplicate", _("A checkpoint with code %(code)s exists already.")
                             % {"code": code}, field="code")
    if name_taken:
        return RuleViolation("duplicate", _("%(compound)s has a gate named %(name)s already; "
                                            "give this one another name.")
                             % {"compound": compound.name, "name": name}, field="name")
    return None


@transaction.atomic
def checkpoint_create(*, compound, code: str, name: str, actor) -> Checkpoint:
    """A gate of the compound: its code is unique everywhere, its name within the compound
    (the gate page lists gates by compound and name)."""
    require_perm(actor, "access.manage")
    code = (code or "").strip()
    if not code or len(code) > 40:
        raise InvalidInput("bad_code", _("A checkpoint code of 1 to 40 characters is required."),
                           field="code")
    name = (name or "").strip() or code
    if len(name) > 100:
        raise InvalidInput("too_long", _("The gate's name is at most 100 characters."),
                           field="name")
    if (taken := _taken(compound, code, name)) is not None:
        raise taken
    # The same gate added at the same instant: the unique code and (compound, name) keep one;
    # the loser gets the answer the first gate's row now gives.
    with unique_or(lambda: _taken(compound, code, name)):
        cp = Checkpoint.objects.create(compound=compound, code=code, name=name)
    audit(actor=actor, action=AuditAction.ACCESS_CHECKPOINT_CREATE, obj=cp, detail=code)
    return cp


@transaction.atomic
def checkpoint_set_open(*, checkpoint: Checkpoint, is_open: bool, actor) -> Checkpoint:
    """Open or close a gate (the seeds' "four gates reduced to one")."""
    require_perm(actor, "access.manage")
    Checkpoint.objects.filter(pk=checkpoint.pk).update(is_open=is_open)
    checkpoint.is_open = is_open
    audit(actor=actor, action=AuditAction.ACCESS_CHECKPOINT_OPEN if is_open
          else AuditAction.ACCESS_CHECKPOINT_CLOSE, obj=checkpoint)
    return checkpoint
