"""Views and API modules are thin (DESIGN.md): they parse, call a service or selector, and
render. A write through the ORM there is a rule living in a view: this finds one.
(The layers between apps are checked by `lint-imports` in .ci/run; see pyproject.toml.)"""

import re
from pathlib import Path

import firstline

# A write on a model, a queryset or a manager: x.save(...), Model.objects.create(...),
# qs.filter(...).update(...), obj.delete(), bulk_create/bulk_update, get_or_create, ...
WRITE = re.compile(r"\.(?:save|delete|bulk_create|bulk_update|get_or_create|update_or_create)\("
                   r"|\.objects\.(?:[\w().=\"', ]*\.)?(?:create|update)\("
                   r"|\.filter\([^)]*\)\.(?:update|delete)\(")


def thin_modules():
    root = Path(firstline.__file__).parent
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if "migrations" in rel.parts or "tests" in rel.parts:
            continue
        if path.stem in {"views", "api"} or rel.parts[-2:-1] in (("views",), ("api",)):
            yield rel, path


def test_the_check_finds_a_write():
    assert WRITE.search("    Alert.objects.filter(pk=1).update(status='resolved')")
    assert WRITE.search("    obj.save(update_fields=['x'])")
    assert WRITE.search("Resident.objects.create(name='x')")
    assert not WRITE.search("context.update(page=page)")


def test_views_and_api_modules_never_write_with_the_orm():
    found = [f"{rel}:{n}: {line.strip()}"
             for rel, path in thin_modules()
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if WRITE.search(line) and not line.lstrip().startswith("#")]
    assert found == []


def test_one_mask_function_for_phones_and_id_numbers():
    """people.services holds the masks; nobody writes another (three used to disagree: one
    showed all seven digits of "5551234")."""
    root = Path(firstline.__file__).parent
    found = sorted((str(path.relative_to(root)), m.group(1))
                   for path in root.rglob("*.py") if "migrations" not in path.parts
                   for line in path.read_text(encoding="utf-8").splitlines()
                   if (m := re.match(r"\s*def (mask_\w+)\(", line)))
    assert [f for f in found if "phone" in f[1] or "id_number" in f[1]] == [
        ("people/services/pii.py", "mask_id_number"), ("people/services/pii.py", "mask_phone")]


def test_short_numbers_are_fully_masked():
    from firstline.people.services import mask_phone

    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("5551234") == "*******"


def test_a_phone_typed_with_spaces_or_86_masks_as_its_digits():
    """Separators and +86 are not digits to hide: "130 2628 9268" was masked 130******9268."""
    from firstline.people.services import mask_phone

    assert mask_phone("130 2628 9268") == "130****9268"
    assert mask_phone("+86 130-2628-9268") == "130****9268"
    assert mask_phone("8613026289268") == "130****9268"
