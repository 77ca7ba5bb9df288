"""Operations' background tasks (django-tasks; scheduled by `firstline worker`)."""

from django_tasks import task

from .services import places_refresh


@task()
def places_refresh_task() -> int:
    """Every hour: make the disinfection places that data entered outside the events (the
    admin, another tool) calls for; the events make them at once (idempotent)."""
    return places_refresh()
