"""Assistance's background tasks (django-tasks; scheduled by `firstline worker`)."""

from django_tasks import task

from .services import assistance_deidentify


@task()
def deidentify_task() -> dict:
    """Nightly retention for service requests and care calls (idempotent)."""
    return assistance_deidentify()
