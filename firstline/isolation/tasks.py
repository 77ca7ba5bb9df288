"""Isolation's background tasks (django-tasks; scheduled by `firstline worker`)."""

from django_tasks import task

from .services import check_missed_reports


@task()
def check_missed_task() -> dict:
    """Every 15 minutes: end isolations that reached their end day; open a missed_report
    alert for every due reading not received in time (idempotent)."""
    return check_missed_reports()
