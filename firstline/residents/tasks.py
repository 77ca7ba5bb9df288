"""The residents' side's background tasks (django-tasks; scheduled by `firstline worker`)."""

from django_tasks import task

from .services import residents_deidentify


@task()
def deidentify_task() -> dict:
    """Nightly retention: blank the personal data of closed items older than the rule
    "retention.days" (idempotent)."""
    return residents_deidentify()
