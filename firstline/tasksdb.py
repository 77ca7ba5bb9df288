"""django-tasks' database backend under a name its admins can read (INSTALLED_APPS lists
this config in place of "django_tasks_db"; its admin is firstline/admin.py's)."""

from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = _("Background tasks")
