import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from firstline import clock

from .actions import AuditAction
from .roles import Role


class User(AbstractUser):
    """A worker's account. What they may see is the union of their assignments' subtrees."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name or self.username


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="assignments", verbose_name=_("area")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "area"], name="assignment_unique")
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.area}"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 digest is stored; it expires and can be revoked."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text=_("first characters, to tell tokens apart"))
    label = models.CharField(_("label"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.user} {self.hint}…"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > clock.now()


class LoginFailure(models.Model):
    """One failed login, counted per username and per address in a sliding window.

    Kept in the database (not process memory) so several app processes throttle together."""

    kind = models.CharField(max_length=8, choices=[("user", "user"), ("addr", "address")])
    key = models.CharField(max_length=150)
    at = models.DateTimeField(default=clock.now)

    class Meta:
        indexes = [models.Index(fields=["kind", "key", "at"])]

    def __str__(self):
        return f"{self.kind}:{self.key} {self.at:%Y-%m-%d %H:%M}"


class AuditEntry(models.Model):
    """Who read or exported whose personal data, when and why. Append-only."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
        verbose_name=_("who"),
    )
    action = models.CharField(_("action"), max_length=64, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object"), max_length=64, blank=True)
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    # The detail as facts (a message and its parameters, firstline.texts), said in the
    # auditor's language; rows written before keep their text in `detail`.
    detail_facts = models.JSONField(default=dict, blank=True)
    via = models.CharField(_("via"), max_length=16, default="web")
    at = models.DateTimeField(_("when"), default=clock.now, db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_type}#{self.object_id}"

    @property
    def display_detail(self) -> str:
        """The detail in the reader's language (accounts.audit_texts)."""
        from .audit_texts import audit_detail

        return audit_detail(self)
