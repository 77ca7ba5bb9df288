import functools
import secrets
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from firstline import clock
from firstline.accounts.actions import AuditAction
from firstline.db import prepared_cursor
from firstline.errors import InvalidInput, RuleViolation
from firstline.texts import is_message

from .models import ApiToken, AuditEntry, LoginFailure, RoleAssignment, User, token_digest
from .roles import Role
from .scope import assignments_prefill, has_perm, perm_put_in_play


def require_perm(user, perm: str) -> None:
    """Refuse an action the user's roles do not allow (403; scope misses are 404s), and put
    `perm` in play: the scope of what follows is the areas of the roles granting it."""
    if not has_perm(user, perm):
        raise PermissionDenied(_("Your role does not allow this action."))
    perm_put_in_play(user, perm)


@transaction.atomic
def user_assign(*, username: str, role: str, area, password: str | None = None,
                display_name: str = "") -> tuple[User, bool]:
    """Create the user if needed and add the role assignment. Returns (user, created)."""
    if role not in Role.values:
        raise RuleViolation("bad_role", _("Unknown role %(role)s. Roles: %(roles)s")
                            % {"role": role, "roles": ", ".join(Role.values)}, status=422)
    # The model's own rules (User.username_validator, max_length, not blank): get_or_create
    # does not run them, and the database refuses only some of what they do.
    for name, value in (("username", username), ("display_name", display_name)):
        try:
            User._meta.get_field(name).clean(value, None)
        except ValidationError as exc:
            raise InvalidInput(f"bad_{name}", " ".join(exc.messages), field=name) from None
    user, created = User.objects.get_or_create(username=username,
                                               defaults={"display_name": display_name})
    if password:
        # AUTH_PASSWORD_VALIDATORS on every path that sets a password (the command line too).
        from django.contrib.auth.password_validation import validate_password

        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise InvalidInput("bad_password", " ".join(exc.messages), field="password") from None
    if created:
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    elif password:
        user.set_password(password)
        user.save(update_fields=["password"])
    RoleAssignment.objects.get_or_create(user=user, role=role, area=area)
    if role == Role.ADMIN:
        # The Django admin is unscoped; only the admin role reaches it (docs/admin.md).
        User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    return user, created


def token_create(*, user: User, label: str = "", days: int | None = None) -> tuple[str, ApiToken]:
    """A new bearer token; the plain text is returned once and never stored."""
    plain = "fl_" + secrets.token_urlsafe(32)
    expires = clock.now() + timedelta(days=days or settings.API_TOKEN_DAYS)
    token = ApiToken.objects.create(user=user, digest=token_digest(plain), hint=plain[:8],
                                    label=label, expires_at=expires)
    return plain, token


def token_user(plain: str) -> User | None:
    """The active user a bearer token belongs to, or None (unknown, expired or revoked).

    One round trip, exact on every request (no cache to go stale on a revoke, a deactivation
    or a role change): the token, its user and the user's role assignments with their area
    paths. The user comes back with its permissions and scope already known
    (scope.assignments_prefill), so the request asks the database about them no more.
    Hand-written and prepared on purpose: the same query through the ORM (select_related +
    annotate, also one round trip) cost ~1 ms more server CPU per API request — the gate's
    5.1-6.8 ms/scan became 7.7-7.9 ms, about 20% (bench/gate_scan.py, 50k residents).
    """
    if not plain or len(plain) > 200:
        return None
    now = clock.now()
    ops = connection.ops
    with prepared_cursor() as cursor:
        cursor.execute(_token_user_sql(), [token_digest(plain), ops.adapt_datetimefield_value(now)])
        rows = cursor.fetchall()
    if not rows:
        return None
    fields, converters = _user_columns()
    values = list(rows[0][2:2 + len(fields)])
    for i, convert in converters:
        values[i] = convert(values[i])
    user = User.from_db(DEFAULT_DB_ALIAS, [f.attname for f in fields], values)
    if not user.is_active:
        return None
    assignments_prefill(user, [(r[-2], r[-1]) for r in rows if r[-2] is not None])
    token_id, last_used = rows[0][0], rows[0][1]
    if last_used is not None and not isinstance(last_used, datetime):  # SQLite: text
        last_used = parse_datetime(str(last_used))
    if last_used is not None and timezone.is_naive(last_used):
        last_used = timezone.make_aware(last_used, UTC)
    if last_used is None or now - last_used > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    return user


@functools.cache
def _user_columns():
    """User's concrete fields and, by position, the converters the ORM would apply to them
    (e.g. SQLite's text datetimes to aware datetimes)."""
    fields = list(User._meta.concrete_fields)
    converters = []
    for i, f in enumerate(fields):
        col = f.get_col(User._meta.db_table)
        funcs = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if funcs:
            def convert(value, funcs=funcs, col=col):
                for func in funcs:
                    value = func(value, col, connection)
                return value
            converters.append((i, convert))
    return fields, converters


@functools.cache
def _token_user_sql() -> str:
    qn = connection.ops.quote_name
    t, u = qn(ApiToken._meta.db_table), qn(User._meta.db_table)
    ra = qn(RoleAssignment._meta.db_table)
    area = qn(RoleAssignment._meta.get_field("area").related_model._meta.db_table)
    user_cols = ", ".join(f"u.{qn(f.column)}" for f in User._meta.concrete_fields)
    return (f"SELECT t.id, t.last_used_at, {user_cols}, ra.role, a.path FROM {t} t "
            f"JOIN {u} u ON u.id = t.user_id "
            f"LEFT JOIN {ra} ra ON ra.user_id = u.id "
            f"LEFT JOIN {area} a ON a.id = ra.area_id "
            f"WHERE t.digest = %s AND t.revoked_at IS NULL AND t.expires_at > %s")


def token_revoke(*, token: ApiToken, actor=None) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=clock.now())
    if actor is not None:
        audit(actor=actor, action=AuditAction.TOKEN_REVOKE, obj=token)


# --- login throttling -----------------------------------------------------------------------

def _window_start():
    return clock.now() - timedelta(seconds=settings.LOGIN_THROTTLE_WINDOW_SECONDS)


def login_throttled(*, username: str, address: str) -> bool:
    """True when this username or this address failed too often in the window."""
    since = _window_start()
    limit = settings.LOGIN_THROTTLE_LIMIT
    by_user = LoginFailure.objects.filter(kind="user", key=username.lower()[:150], at__gte=since)
    by_addr = LoginFailure.objects.filter(kind="addr", key=address[:150], at__gte=since)
    return by_user.count() >= limit or by_addr.count() >= limit * 4


def login_failed(*, username: str, address: str) -> None:
    LoginFailure.objects.bulk_create([
        LoginFailure(kind="user", key=username.lower()[:150]),
        LoginFailure(kind="addr", key=address[:150]),
    ])
    LoginFailure.objects.filter(at__lt=_window_start()).delete()


class Throttled(Exception):
    pass


def login_check(*, request, username: str, password: str) -> User | None:
    """Authenticate with throttling. Raises Throttled; returns None on bad credentials.

    Atomic under any concurrency without locks: each attempt first records itself (one
    committed row per username and per address), then counts the rows of the window. The
    attempt committed k-th sees at least k rows, so however many arrive at once at most the
    limit of them get to check a password; a wrong password leaves its row as the failure,
    a right one takes its rows back and clears the username's failures."""
    address = client_address(request)
    key = username.lower()[:150]
    now = clock.now()
    mine = [LoginFailure.objects.create(kind="user", key=key, at=now).pk,
            LoginFailure.objects.create(kind="addr", key=address[:150], at=now).pk]
    since = _window_start()
    limit = settings.LOGIN_THROTTLE_LIMIT
    if (LoginFailure.objects.filter(kind="user", key=key, at__gte=since).count() > limit
            or LoginFailure.objects.filter(kind="addr", key=address[:150],
                                           at__gte=since).count() > limit * 4):
        raise Throttled()
    user = authenticate(request, username=username, password=password)
    if user is None:
        LoginFailure.objects.filter(at__lt=since).delete()
        return None
    LoginFailure.objects.filter(Q(kind="user", key=key) | Q(pk__in=mine)).delete()
    return user


def client_address(request) -> str:
    """The client's address for throttling. Behind the documented reverse proxy REMOTE_ADDR
    is the proxy; with FIRSTLINE_TRUST_X_FORWARDED_FOR on, the **right-most** address of
    X-Forwarded-For that is not one of our proxies (FIRSTLINE_TRUSTED_PROXIES): the one our
    proxy saw. The left-most is whatever the client chose to send."""
    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                     if a.strip()]
        trusted = set(getattr(settings, "TRUSTED_PROXIES", ()))
        for address in reversed(forwarded):
            if address not in trusted:
                return address[:64]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


# --- audit ----------------------------------------------------------------------------------

@transaction.atomic
def password_change(*, form) -> User:
    """Save a valid PasswordChangeForm (Django's validators ran in it) and audit the change."""
    user = form.save()
    audit(actor=user, action=AuditAction.ACCOUNT_PASSWORD, obj=user)
    return user


def audit(*, actor, action: AuditAction, obj=None, object_type: str = "", object_id="",
          detail: str | dict = "", via: str = "web") -> AuditEntry:
    """Append one audit row. `detail` must not contain personal data (no ID numbers). A
    detail with words is a message (firstline.texts.message), kept as facts and said in
    the auditor's language; a plain string is shown as stored.

    `action` is an AuditAction member, never a string (issue 12.7): one vocabulary the audit
    page can name and filter; a string that happens to equal a member is refused too."""
    if not isinstance(action, AuditAction):
        raise ValueError(f"audit action must be an AuditAction member, not {action!r}")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    facts = detail if is_message(detail) else {}
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None, action=action,
        object_type=object_type, object_id=str(object_id),
        detail="" if facts else detail[:255], detail_facts=facts, via=via,
    )

