"""The daily report's background tasks (django-tasks; scheduled by `firstline worker`)."""

from django_tasks import task

from .submissions import signoff_chase_due


@task()
def chase_due_task() -> int:
    """Every 15 minutes: from the rule `reports.signoff_due` on, remind once each community
    and street that has not submitted today's report (idempotent)."""
    return signoff_chase_due()
