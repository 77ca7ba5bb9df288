"""The lists' background task (django-tasks; run by `firstline worker`): a checklist
uploaded on the web is matched against the roster and written (all or nothing)."""

from datetime import date
from pathlib import Path

from django.utils import translation
from django_tasks import task

from firstline.accounts.models import User
from firstline.areas.models import Area
from firstline.errors import RuleViolation

from . import services


@task()
def checklist_import_task(*, path: str, source: str, deadline: str, area_id: int, actor_id: int,
                          mapping: dict, filename: str, language: str) -> dict:
    """services.checklist_import for an upload; answers {"checklist", "created"} or
    {"error", "field"} (the file is kept then, for the mapping page to try again)."""
    with translation.override(language):
        try:
            result = services.checklist_import(
                path=Path(path), source=source,
                deadline=date.fromisoformat(deadline) if deadline else None,
                area=Area.objects.get(pk=area_id), actor=User.objects.get(pk=actor_id),
                mapping={k: int(v) for k, v in mapping.items()}, filename=filename)
        except RuleViolation as exc:
            return {"error": str(exc.detail), "field": exc.field}
        if result.file_error:
            Path(path).unlink(missing_ok=True)
            return {"error": str(result.file_error), "field": "file"}
    Path(path).unlink(missing_ok=True)
    return {"checklist": result.checklist.pk, "created": result.created}
