"""One audit vocabulary, typed (issue 12.7): every audit row names an AuditAction member, the
stored value is the code the log always held, and audit() refuses anything else."""

import ast
from pathlib import Path

import pytest
from django.utils import translation

import firstline
from firstline.accounts.actions import AuditAction
from firstline.accounts.models import AuditEntry
from firstline.accounts.services import audit

ROOT = Path(firstline.__file__).parent


def _call_name(call: ast.Call) -> str:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def _typed(node) -> bool:
    """AuditAction.X, AuditAction(value) (a member or ValueError), a variable holding one
    (typed by the caller), or a choice between those."""
    if isinstance(node, ast.IfExp):
        return _typed(node.body) and _typed(node.orelse)
    if isinstance(node, ast.Attribute):
        return ast.unparse(node.value) == "AuditAction"
    if isinstance(node, ast.Call):
        return ast.unparse(node.func) == "AuditAction"
    return isinstance(node, ast.Name)


def untyped_audit_calls(source: str, where: str = "") -> list[str]:
    return [f"{where}:{node.lineno}: {ast.unparse(kw.value)}"
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and _call_name(node) == "audit"
            for kw in node.keywords if kw.arg == "action" and not _typed(kw.value)]


def test_the_check_finds_a_string_action():
    assert untyped_audit_calls('audit(actor=a, action="isolation.start", obj=i)')
    assert untyped_audit_calls('services.audit(actor=a, action=f"access.{s}_admit")')
    assert untyped_audit_calls('audit(actor=a, action="a.b" if x else AuditAction.A)')
    assert not untyped_audit_calls("audit(actor=a, action=AuditAction.ISOLATION_START)")
    assert not untyped_audit_calls('audit(actor=a, action=AuditAction(f"access.{s}_admit"))')


def test_no_audit_call_in_firstline_passes_a_string_action():
    found = [hit for path in sorted(ROOT.rglob("*.py")) if "migrations" not in path.parts
             for hit in untyped_audit_calls(path.read_text(encoding="utf-8"),
                                            str(path.relative_to(ROOT)))]
    assert found == []


def test_every_action_value_and_label_is_unique():
    # a repeated value would make the second name a silent alias of the first
    assert len(AuditAction.__members__) == len(list(AuditAction))
    assert len(set(AuditAction.values)) == len(AuditAction.values)
    labels = [str(label) for label in AuditAction.labels]
    assert len(set(labels)) == len(labels)
    assert all(len(value) <= AuditEntry._meta.get_field("action").max_length
               for value in AuditAction.values)


@pytest.mark.parametrize("lang", ["zh-hans", "zh-hant"])
def test_every_action_has_a_chinese_label(lang):
    with translation.override("en"):
        english = {a: str(a.label) for a in AuditAction}
    with translation.override(lang):
        untranslated = [a.value for a in AuditAction if str(a.label) == english[a]]
    assert untranslated == []


@pytest.mark.parametrize("action", ["isolation.start", "made.up", "", None])
def test_audit_refuses_anything_but_a_member(cast, action):
    with pytest.raises(ValueError, match="AuditAction"):
        audit(actor=cast.hq, action=action, object_type="isolation.isolation", object_id=1)
    assert not AuditEntry.objects.exists()


def test_a_member_is_stored_as_the_code_the_log_always_held(cast):
    audit(actor=cast.hq, action=AuditAction.ISOLATION_START, object_type="isolation.isolation",
          object_id=1)
    entry = AuditEntry.objects.get()
    assert entry.action == "isolation.start"
    assert AuditEntry.objects.filter(action=AuditAction.ISOLATION_START).count() == 1
    assert entry.get_action_display() == AuditAction.ISOLATION_START.label
