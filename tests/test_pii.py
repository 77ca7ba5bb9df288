"""A full ID number or phone leaves the system only through people.services.pii_read (or an
audited export): a check over the code that shows things to people (issue 12.3), as
tests/test_layers.py checks the layers and the masks."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "firstline"
FIELDS = ("id_number", "phone")
# Modules that put data in front of someone: pages, the API, the admin, exports, template tags.
SHOWING = ("views.py", "api.py", "admin.py", "exports.py")
# Reads that are not a leak, each with its reason.
ALLOWED = {
    # The unmasked ledgers: `ledger()` audits the export with its reason before any row is
    # built; id_mask/phone_mask are the mask functions unless the export is the full one.
    ("reports/exports.py", "id_mask(r.id_number)"),
    ("reports/exports.py", "phone_mask(r.phone)"),
    # A write: the admin's typed "New ID number" replaces the stored one (never shown back).
    ("people/admin.py", "self.instance.id_number = data['new_id_number']"),
}


def _showing_modules():
    for path in sorted(ROOT.rglob("*.py")):
        if path.name in SHOWING or "templatetags" in path.parts:
            yield path


def _full_reads(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and node.attr in FIELDS):
            continue
        if isinstance(node.value, ast.Name) and node.value.id == "payload":
            continue  # what the caller sent us, on its way in
        parent = parents.get(node)
        if isinstance(parent, ast.Call):
            name = getattr(parent.func, "id", None) or getattr(parent.func, "attr", "")
            if name.startswith(("mask_", "masked_")):
                continue
        rel = str(path.relative_to(ROOT))
        text = ast.unparse(parent) if parent is not None else ast.unparse(node)
        if (rel, text) in ALLOWED:
            continue
        yield f"{rel}:{node.lineno}: {text}"


def test_no_page_api_admin_or_export_reads_a_full_id_number_or_phone():
    found = [hit for path in _showing_modules() for hit in _full_reads(path)]
    assert found == [], ("read the full value through people.services.pii_read "
                         f"(it asks a reason and writes the audit row): {found}")


# In templates: {{ x.phone }} shows the full value; a mask filter or a truthiness test does
# not; `v.`/`form.`/`errors.` are what the user typed, echoed back on their own form; `site.`
# is a quarantine site's front-desk number, not a person's.
ECHO_OR_PLACE = ("v", "form", "errors", "site")
TEMPLATE_READ = re.compile(r"\{\{\s*([\w.]+)\.(id_number|phone)\s*(\|[^}]*)?\}\}")


def test_no_template_shows_a_full_id_number_or_phone():
    found = []
    for path in sorted(ROOT.rglob("templates/**/*.html")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for m in TEMPLATE_READ.finditer(line):
                owner, filters = m.group(1), m.group(3) or ""
                if owner.split(".")[0] in ECHO_OR_PLACE or "mask" in filters:
                    continue
                found.append(f"{path.relative_to(ROOT)}:{n}: {m.group(0)}")
    assert found == [], f"mask it, or pass the value pii_read returned: {found}"


def test_the_checks_find_a_full_read(tmp_path):
    """The checks above are not vacuous: the old phone reveal would be caught."""
    view = tmp_path / "views.py"
    view.write_text("def call_phone(request, resident):\n    return resident.phone\n")
    assert list(_full_reads_at(view)) != []
    assert TEMPLATE_READ.search('<a href="tel:{{ resident.phone }}">')


def _full_reads_at(path: Path):
    global ROOT
    saved, ROOT = ROOT, path.parent
    try:
        return list(_full_reads(path))
    finally:
        ROOT = saved
