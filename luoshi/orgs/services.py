"""Every write to organizations, people and accounts.

Keyword-only, typed, atomic, audited. Views and API endpoints call these and nothing else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Concat, Left, Length, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.core import audit
from luoshi.core.context import client_ip
from luoshi.core.errors import AccountLocked, DomainError, Forbidden, InvalidInput
from luoshi.core.text import search_key
from luoshi.core.versioning import check_version as _check_version
from luoshi.core.versioning import save_versioned as _save_versioned

from . import hooks
from .models import (
    AddressThrottle,
    ApiToken,
    LeaderAssignment,
    LoginThrottle,
    OrgUnit,
    OrgUnitChange,
    Person,
    Post,
    RoleAssignment,
    TwoFactorDevice,
    User,
)
from .permissions import can_manage_security, forget_cached_access
from .roles import ADMIN_ROLES, DEFAULT_SCOPE, Role, ScopeKind, admin_roles_conflict
from .selectors import cached_account, cached_token

PATH_WIDTH = 8
MAX_DEPTH = 100  # levels of the org tree (the path column holds 100 × 9 characters)


class AuthenticationFailed(DomainError):
    code = "authentication_failed"
    status = 401

    def __init__(self) -> None:
        super().__init__(_("Wrong username or password."))


# --- org units --------------------------------------------------------------------------------


def _unit_search_text(unit: OrgUnit) -> str:
    return search_key(unit.name, unit.short_name, unit.code)


def _set_path(unit: OrgUnit) -> None:
    parent_path = unit.parent.path if unit.parent_id and unit.parent else ""
    path = f"{parent_path}{unit.pk:0{PATH_WIDTH}d}/"
    if len(path) > OrgUnit._meta.get_field("path").max_length:  # type: ignore[operator]
        raise InvalidInput(
            _("The org tree is too deep here: a unit can be at most %(n)d levels down.")
            % {"n": MAX_DEPTH}
        )
    unit.path = path
    unit.depth = unit.path.count("/") - 1


@transaction.atomic
def org_unit_create(
    *,
    actor: Any,
    name: str,
    code: str,
    kind: str,
    level: str,
    parent: OrgUnit | None = None,
    short_name: str = "",
    sort_order: int = 0,
) -> OrgUnit:
    name, code = name.strip(), code.strip()
    if not name or not code:
        raise InvalidInput(_("A unit needs a name and a code."))
    if OrgUnit.objects.filter(code=code).exists():
        raise InvalidInput(_("The code %(code)s is already used by another unit.") % {"code": code})
    unit = OrgUnit(
        name=name,
        code=code,
        kind=kind,
        level=level,
        parent=parent,
        short_name=short_name.strip(),
        sort_order=sort_order,
    )
    unit.search_text = _unit_search_text(unit)
    unit.save()
    _set_path(unit)
    OrgUnit.objects.filter(pk=unit.pk).update(path=unit.path, depth=unit.depth)
    audit.record("org_unit.create", actor=actor, obj=unit, after=audit.snapshot(unit))
    return unit


@transaction.atomic
def org_unit_update(
    *,
    actor: Any,
    unit: OrgUnit,
    version: int | None = None,
    effective_date: dt.date | None = None,
    **changes: Any,
) -> OrgUnit:
    """Change a unit's fields; a rename keeps the old name in the unit's history."""
    allowed = {"name", "short_name", "code", "kind", "level", "sort_order", "is_active"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    _check_version(unit, version)
    before = audit.snapshot(unit)
    old_name = unit.name
    if (
        "code" in changes
        and changes["code"] != unit.code
        and OrgUnit.objects.filter(code=changes["code"]).exclude(pk=unit.pk).exists()
    ):
        raise InvalidInput(
            _("The code %(code)s is already used by another unit.") % {"code": changes["code"]}
        )
    for key, value in changes.items():
        setattr(unit, key, value.strip() if isinstance(value, str) else value)
    if not unit.name:
        raise InvalidInput(_("A unit needs a name and a code."))
    unit.search_text = _unit_search_text(unit)
    _save_versioned(unit, [*changes.keys(), "search_text"])
    if unit.name != old_name:
        OrgUnitChange.objects.create(
            unit=unit,
            kind=OrgUnitChange.Kind.RENAME,
            old_value=old_name,
            new_value=unit.name,
            effective_date=effective_date or timezone.localdate(),
        )
    b, a = audit.diff(before, audit.snapshot(unit))
    audit.record("org_unit.update", actor=actor, obj=unit, before=b, after=a)
    return unit


@transaction.atomic
def org_unit_move(
    *,
    actor: Any,
    unit: OrgUnit,
    new_parent: OrgUnit | None,
    version: int | None = None,
    effective_date: dt.date | None = None,
) -> OrgUnit:
    _check_version(unit, version)
    if new_parent is not None and new_parent.path.startswith(unit.path):
        raise InvalidInput(_("A unit cannot be moved under itself or one of its own sub-units."))
    old_parent = unit.parent
    old_path = unit.path
    unit.parent = new_parent
    _set_path(unit)
    _save_versioned(unit, ["parent", "path", "depth"])
    for sub in OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk):
        sub.path = unit.path + sub.path[len(old_path) :]
        sub.depth = sub.path.count("/") - 1
        OrgUnit.objects.filter(pk=sub.pk).update(path=sub.path, depth=sub.depth)
    if unit.path != old_path:
        Person.objects.filter(sort_key__startswith=old_path).update(
            sort_key=Concat(Value(unit.path), Substr("sort_key", len(old_path) + 1))
        )
        hooks.subtree_moved(old_path, unit.path)
    OrgUnitChange.objects.create(
        unit=unit,
        kind=OrgUnitChange.Kind.MOVE,
        old_value=old_parent.name if old_parent else "—",
        new_value=new_parent.name if new_parent else "—",
        effective_date=effective_date or timezone.localdate(),
    )
    audit.record(
        "org_unit.move",
        actor=actor,
        obj=unit,
        before={"parent": old_parent.pk if old_parent else None},
        after={"parent": new_parent.pk if new_parent else None},
    )
    return unit


# --- people -----------------------------------------------------------------------------------

PERSON_FIELDS = (
    "name",
    "gender",
    "birth_month",
    "political_status",
    "unit",
    "post",
    "rank",
    "staff_category",
    "work_start",
    "post_since",
    "mobile",
    "is_active",
)


POST_ORDER_WIDTH = 10  # the post part of Person.sort_key: sort_order + 2**31, zero-padded
NO_POST = "9" * POST_ORDER_WIDTH  # people without a post come after those with one


def post_order_key(post: Any) -> str:
    """The post part of a person's sort key (its display order, fixed width; none sorts last)."""
    if post is None:
        return NO_POST
    return f"{post.sort_order + 2**31:0{POST_ORDER_WIDTH}d}"


def person_sort_key(person: Person) -> str:
    """The people list's order in one string: the unit's path, "!", the post's display order.

    "!" sorts below the path's digits and "/" (byte order: SQLite, and the C collation the
    databases use, as the path order already assumes), so a unit's own people come before its
    sub-units' people, as ordering by path then post did."""
    return f"{person.unit.path}!{post_order_key(person.post)}"


def _person_search_text(person: Person) -> str:
    """The person's search text; also refreshes `sort_key` (every write path, the bulk import
    included, calls this once the unit and post are set)."""
    person.sort_key = person_sort_key(person)
    return search_key(person.name, person.mobile)


_GENDERS = frozenset(Person.Gender.values)


def _validate_person(person: Person) -> None:
    """A person's own fields (the form, the API and each imported row): cheap when they are
    right, so that an import of 60,000 rows calls it for each."""
    errors = []
    if not person.name.strip():
        errors.append({"field": "name", "message": _("The name is required.")})
    if person.gender not in _GENDERS:
        errors.append({"field": "gender", "message": _("Choose a gender.")})
    if person.mobile and not is_valid_mobile(person.mobile):
        errors.append(
            {"field": "mobile", "message": _("A mobile number has 11 digits and starts with 1.")}
        )
    if errors:
        raise InvalidInput(details=errors)


def is_valid_mobile(value: str) -> bool:
    return len(value) == 11 and value.isdigit() and value.startswith("1")


@transaction.atomic
def person_create(*, actor: Any, **fields: Any) -> Person:
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    person = Person(**fields)
    person.name = person.name.strip()
    _validate_person(person)
    person.search_text = _person_search_text(person)
    person.save()
    audit.record("person.create", actor=actor, obj=person, after=audit.snapshot(person))
    return person


@transaction.atomic
def person_update(
    *, actor: Any, person: Person, version: int | None = None, **changes: Any
) -> Person:
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    _check_version(person, version)
    before = audit.snapshot(person)
    for key, value in changes.items():
        setattr(person, key, value)
    _validate_person(person)
    person.search_text = _person_search_text(person)
    _save_versioned(person, [*changes.keys(), "search_text", "sort_key"])
    b, a = audit.diff(before, audit.snapshot(person))
    audit.record("person.update", actor=actor, obj=person, before=b, after=a)
    return person


@transaction.atomic
def unit_set_head(*, actor: Any, unit: OrgUnit, head: Person | None) -> OrgUnit:
    if head is not None and head.unit_id != unit.pk:
        raise InvalidInput(_("The head of a unit must be one of its people."))
    before = {"head": unit.head_id}
    unit.head = head
    _save_versioned(unit, ["head"])
    audit.record(
        "org_unit.set_head", actor=actor, obj=unit, before=before, after={"head": unit.head_id}
    )
    return unit


@transaction.atomic
def leader_assign(
    *,
    actor: Any,
    leader: Person,
    unit: OrgUnit,
    start_date: dt.date,
    end_date: dt.date | None = None,
) -> LeaderAssignment:
    """Put a leader in charge of a unit from a date; overlapping rows for the pair are refused."""
    if end_date is not None and end_date < start_date:
        raise InvalidInput(_("The end date is before the start date."))
    overlap = LeaderAssignment.objects.filter(leader=leader, unit=unit).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=start_date)
    )
    if end_date is not None:
        overlap = overlap.filter(start_date__lte=end_date)
    if overlap.exists():
        raise InvalidInput(
            _("%(leader)s is already in charge of %(unit)s in that period.")
            % {"leader": leader.name, "unit": unit.name}
        )
    row = LeaderAssignment.objects.create(
        leader=leader, unit=unit, start_date=start_date, end_date=end_date
    )
    audit.record("leader_assignment.create", actor=actor, obj=row, after=audit.snapshot(row))
    return row


@transaction.atomic
def leader_assignment_end(
    *, actor: Any, assignment: LeaderAssignment, end_date: dt.date
) -> LeaderAssignment:
    if end_date < assignment.start_date:
        raise InvalidInput(_("The end date is before the start date."))
    before = {"end_date": audit._plain(assignment.end_date)}
    assignment.end_date = end_date
    _save_versioned(assignment, ["end_date"])
    audit.record(
        "leader_assignment.end",
        actor=actor,
        obj=assignment,
        before=before,
        after={"end_date": end_date.isoformat()},
    )
    return assignment


# --- accounts ---------------------------------------------------------------------------------


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    person: Person | None = None,
    roles: list[str] | None = None,
    validate_password: bool = True,
) -> User:
    username = username.strip()
    if not username:
        raise InvalidInput(_("A username is required."))
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput(_("The username %(name)s is taken.") % {"name": username})
    user = User(username=username, person=person)
    if validate_password:
        _validate_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save()
    audit.record(
        "user.create",
        actor=actor,
        obj=user,
        after={"username": username, "person": person.pk if person else None},
    )
    for role in roles or []:
        role_assign(actor=actor, user=user, role=role)
    return user


def _validate_password(password: str, user: User | None) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), code="password_policy") from None


@transaction.atomic
def role_assign(
    *, actor: Any, user: User, role: str, scope: str | None = None, anchor: OrgUnit | None = None
) -> RoleAssignment:
    if not role:
        raise InvalidInput(_("Choose a role."), code="role_required")
    if role not in Role.values:
        raise InvalidInput(_("Unknown role: %(role)s") % {"role": role})
    scope = scope or DEFAULT_SCOPE[role]
    if scope not in ScopeKind.values:
        raise InvalidInput(_("Unknown data scope: %(scope)s") % {"scope": scope})
    _check_role_change(actor, user, role)
    existing = RoleAssignment.objects.filter(user=user, role=role, anchor=anchor).first()
    if existing is not None:
        return existing
    current = set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
    if admin_roles_conflict(current, role):
        raise InvalidInput(
            _(
                "The system, security and audit administrators are separate accounts that hold "
                "no other role."
            ),
            code="admin_roles_exclusive",
        )
    row = RoleAssignment.objects.create(user=user, role=role, scope=scope, anchor=anchor)
    forget_cached_access(user)
    audit.record(
        "role.assign",
        actor=actor,
        obj=user,
        after={"role": role, "scope": scope, "anchor": anchor.pk if anchor else None},
    )
    return row


def _holds_admin_role(user: User) -> bool:
    return RoleAssignment.objects.filter(user=user, role__in=ADMIN_ROLES).exists()


def _check_role_change(actor: Any, user: User, role: str) -> None:
    """Separation of duties for role changes made by a person (the CLI passes actor=None)."""
    if actor is None:
        return
    if actor.pk == user.pk:
        raise Forbidden(_("Nobody changes the roles of their own account."))
    if role in ADMIN_ROLES:
        raise Forbidden(
            _(
                "The three administrator roles are given and withdrawn only with the "
                "`luoshi create-account` command on the server."
            )
        )


def _check_admin_account_untouched(actor: Any, user: User) -> None:
    """Nobody takes over or shuts out an administrator account through the web."""
    if actor is not None and actor.pk != user.pk and _holds_admin_role(user):
        raise Forbidden(_("Administrator accounts are managed only on the server."))


@transaction.atomic
def role_revoke(*, actor: Any, assignment: RoleAssignment) -> None:
    user = assignment.user
    _check_role_change(actor, user, assignment.role)
    before = {"role": assignment.role, "scope": assignment.scope, "anchor": assignment.anchor_id}
    assignment.delete()
    forget_cached_access(user)
    audit.record("role.revoke", actor=actor, obj=user, before=before)


def find_account(identifier: str) -> User | None:
    """An account by username, or by the mobile of its person when exactly one matches."""
    identifier = identifier.strip()
    if not identifier:
        return None
    user = User.objects.filter(username__iexact=identifier).first()
    if user is not None:
        return user
    if is_valid_mobile(identifier):
        matches = list(User.objects.filter(person__mobile=identifier)[:2])
        if len(matches) == 1:
            return matches[0]
    return None


def _locked_error(until: dt.datetime) -> AccountLocked:
    return AccountLocked(
        _("This account is locked after too many failed log-ins. Try again after %(time)s.")
        % {"time": timezone.localtime(until).strftime("%H:%M")}
    )


class AddressSlowedDown(DomainError):
    """Too many failed log-ins from this address (across every name): wait a few seconds."""

    code = "address_slowed_down"
    status = 429

    def __init__(self, message: Any, *, seconds: int, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = seconds  # the Retry-After header of the answer (page and API)


# The password hash every failed attempt that has no real hash to check is compared with, so
# that each failed log-in path costs one hash (see account_authenticate).
_DUMMY_HASH: dict[str, str] = {}


def _dummy_check(password: str) -> None:
    """Check `password` against a dummy hash: the cost of one real check, and nothing else."""
    from django.contrib.auth.hashers import check_password, make_password

    hasher = settings.PASSWORD_HASHERS[0]
    if hasher not in _DUMMY_HASH:
        _DUMMY_HASH[hasher] = make_password(secrets.token_urlsafe(16))
    check_password(password, _DUMMY_HASH[hasher])


def _unknown_name_failed(identifier: str, now: dt.datetime) -> None:
    """Count a failure under a name that matches no account; raise AccountLocked like a real
    account would once the threshold is reached."""
    key = hashlib.sha256(identifier.strip().casefold().encode()).hexdigest()
    with transaction.atomic():
        row, _created = LoginThrottle.objects.select_for_update().get_or_create(key=key)
        if row.locked_until and row.locked_until > now:
            raise _locked_error(row.locked_until)
        row.failures += 1
        locked = row.failures >= settings.LUOSHI_LOCKOUT_THRESHOLD
        if locked:
            row.failures = 0
            row.locked_until = now + dt.timedelta(minutes=settings.LUOSHI_LOCKOUT_MINUTES)
        row.save()
        audit.record(
            "auth.locked" if locked else "auth.login_failed",
            object_type="orgs.user",
            object_repr=_masked(identifier),
        )
    if locked:
        raise _locked_error(row.locked_until)  # type: ignore[arg-type]


def _masked(identifier: str) -> str:
    """An unknown log-in name as the audit log keeps it: enough to see a pattern of attempts,
    not enough to leak a password typed into the wrong field."""
    text = identifier.strip()
    if len(text) <= 2:
        return "*" * len(text)
    return f"{text[0]}{'*' * (len(text) - 2)}{text[-1]}"


def _address_key(address: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), b"login-address:" + address.encode(), hashlib.sha256
    ).hexdigest()


def _address_check(now: dt.datetime) -> None:
    """Refuse the attempt while this client address must wait (AddressSlowedDown, 429).

    Checked before the name is looked up and before any hash: the answer is the same whatever
    the name, so it tells nothing about accounts. A refused attempt is not counted and does not
    lengthen the wait: the address is slowed, never locked out."""
    address = client_ip.get()
    if not address:
        return
    row = AddressThrottle.objects.filter(key=_address_key(address)).first()
    if row is None or row.delayed_until is None or row.delayed_until <= now:
        return
    seconds = max(1, int((row.delayed_until - now).total_seconds() + 0.999))
    raise AddressSlowedDown(
        _(
            "Too many failed log-ins came from your network address. Wait %(seconds)d seconds "
            "and try again; ask the system administrator if this goes on."
        )
        % {"seconds": seconds},
        seconds=seconds,
        details=[{"field": "retry_after", "message": str(seconds)}],
    )


def _address_failed(now: dt.datetime) -> None:
    """Count a failed log-in against the client address, in its own committed transaction.

    Above settings.LUOSHI_ADDRESS_FAILURE_THRESHOLD failures within
    LUOSHI_ADDRESS_FAILURE_MINUTES, the n-th failure over the threshold makes the address wait
    2^(n-1) seconds, at most LUOSHI_ADDRESS_MAX_DELAY_SECONDS. Crossing the threshold is audited
    (`auth.address_throttled`, with the address): the administrator sees it in the audit log."""
    address = client_ip.get()
    if not address:
        return
    window = dt.timedelta(minutes=settings.LUOSHI_ADDRESS_FAILURE_MINUTES)
    threshold = settings.LUOSHI_ADDRESS_FAILURE_THRESHOLD
    with transaction.atomic():
        row, _created = AddressThrottle.objects.select_for_update().get_or_create(
            key=_address_key(address), defaults={"window_start": now, "address": address[:64]}
        )
        if row.window_start <= now - window:
            row.window_start, row.failures, row.delayed_until = now, 0, None
        row.failures += 1
        over = row.failures - threshold
        if over > 0:
            delay = min(2.0 ** (over - 1), float(settings.LUOSHI_ADDRESS_MAX_DELAY_SECONDS))
            row.delayed_until = now + dt.timedelta(seconds=delay)
        row.save()
        if over == 1:
            audit.record(
                "auth.address_throttled",
                object_type="orgs.addressthrottle",
                object_id=row.pk,
                object_repr=address[:64],
                after={
                    "failures": row.failures,
                    "minutes": settings.LUOSHI_ADDRESS_FAILURE_MINUTES,
                },
            )


def slowed_addresses(now: dt.datetime | None = None) -> Any:
    """The client addresses slowed down in the current window (above the threshold), most
    failures first, as a query (the security administrator's page and the API page it)."""
    now = now or timezone.now()
    window = dt.timedelta(minutes=settings.LUOSHI_ADDRESS_FAILURE_MINUTES)
    return AddressThrottle.objects.filter(
        window_start__gt=now - window, failures__gt=settings.LUOSHI_ADDRESS_FAILURE_THRESHOLD
    ).order_by("-failures", "pk")


def address_throttles(now: dt.datetime | None = None) -> list[AddressThrottle]:
    """The first 50 slowed-down addresses (slowed_addresses)."""
    return list(slowed_addresses(now)[:50])


def address_window_end(row: AddressThrottle) -> dt.datetime:
    """When the address's count of failures starts again from nothing."""
    return row.window_start + dt.timedelta(minutes=settings.LUOSHI_ADDRESS_FAILURE_MINUTES)


@transaction.atomic
def address_throttle_clear(*, actor: Any, row: AddressThrottle) -> None:
    """The security administrator clears one address: its count starts again and it need not
    wait (e.g. an office's NAT address once the cause is found). Audited with what it held."""
    if not can_manage_security(actor):
        raise Forbidden()
    locked = AddressThrottle.objects.select_for_update().filter(pk=row.pk).first()
    if locked is None:
        return
    audit.record(
        "auth.address_cleared",
        actor=actor,
        object_type="orgs.addressthrottle",
        object_id=locked.pk,
        object_repr=locked.address,
        before={
            "failures": locked.failures,
            "window_start": locked.window_start.isoformat(),
            "delayed_until": locked.delayed_until.isoformat() if locked.delayed_until else None,
        },
    )
    locked.delete()


def _account_failed(user: User, now: dt.datetime, failed_action: str = "auth.login_failed") -> bool:
    """Count a wrong password (or a wrong second-factor code, audited as `failed_action`) on a
    real account (its row locked by the caller); lock it at the threshold. Audited; returns
    whether the account is now locked."""
    user.failed_logins += 1
    fields = ["failed_logins"]
    action = failed_action
    if user.failed_logins >= settings.LUOSHI_LOCKOUT_THRESHOLD:
        user.locked_until = now + dt.timedelta(minutes=settings.LUOSHI_LOCKOUT_MINUTES)
        user.failed_logins = 0
        fields.append("locked_until")
        action = "auth.locked"
    user.save(update_fields=fields)
    audit.record(action, actor=None, obj=user)
    return action == "auth.locked"


def account_authenticate(*, identifier: str, password: str) -> User:
    """Check a username-or-mobile and password, applying the lockout rules.

    Raises AuthenticationFailed (the same for unknown names and wrong passwords), AccountLocked
    or AddressSlowedDown. Each failure and each lock is audited; the counters are kept in the
    database, so they hold across processes.

    Every failed path costs exactly one password hash — an unknown name, a disabled account
    and a locked account are checked against a dummy hash, a wrong password against the real
    one — so that the time of the answer does not tell whether a name exists. (A client address
    that must wait is refused before any look-up, whatever the name.)
    """
    now = timezone.now()
    _address_check(now)
    user = find_account(identifier)
    if user is None or not user.is_active:
        # Hash anyway, and count the failure like a real account's, so that neither the time
        # nor the lockout tells whether the account exists.
        _dummy_check(password)
        _address_failed(now)
        _unknown_name_failed(identifier, now)
        raise AuthenticationFailed()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.locked_until and user.locked_until > now:
            locked_until = user.locked_until
            ok = None
        else:
            ok = user.check_password(password)
            locked = False if ok else _account_failed(user, now)
            if (
                ok
                and TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()
            ):
                # The password is right and a code must follow (luoshi.orgs.twofactor): the
                # failure counter is kept until the code, so that a known password does not
                # reset the count of wrong codes.
                audit.record("auth.password_ok", actor=user, obj=user)
                return user
            if ok:
                user.failed_logins = 0
                user.locked_until = None
                user.last_login = now
                user.save(update_fields=["failed_logins", "locked_until", "last_login"])
                audit.record("auth.login", actor=user, obj=user)
                return user
    if ok is None:
        _dummy_check(password)  # the cost of a real check (see the docstring)
        _address_failed(now)
        raise _locked_error(locked_until)
    _address_failed(now)
    if locked:
        raise _locked_error(user.locked_until)  # type: ignore[arg-type]
    raise AuthenticationFailed()


@transaction.atomic
def account_unlock(*, actor: Any, user: User) -> User:
    user.failed_logins = 0
    user.locked_until = None
    user.save(update_fields=["failed_logins", "locked_until"])
    audit.record("auth.unlock", actor=actor, obj=user)
    return user


def _check_current_password(user: User, password: str) -> None:
    """The profile's current-password check, counted like a log-in: a wrong password counts
    against the account (and locks it at the threshold) and against the client address; while
    the account is locked the check is refused. Each outcome is committed before the error is
    raised, so an unattended session is not a password oracle."""
    now = timezone.now()
    _address_check(now)
    with transaction.atomic():
        row = User.objects.select_for_update().get(pk=user.pk)
        if row.locked_until and row.locked_until > now:
            locked_until = row.locked_until
            ok = None
        else:
            ok = row.check_password(password)
            locked = False if ok else _account_failed(row, now)
            if ok and row.failed_logins:
                row.failed_logins = 0
                row.save(update_fields=["failed_logins"])
    if ok:
        return
    _address_failed(now)
    if ok is None:
        _dummy_check(password)
        raise _locked_error(locked_until)
    if locked:
        raise _locked_error(row.locked_until)  # type: ignore[arg-type]
    raise InvalidInput(_("The current password is wrong."), code="wrong_password")


def password_change(*, actor: Any, user: User, old_password: str | None, new_password: str) -> User:
    """Change a password; the owner gives the old one, the security administrator need not.

    The owner's check of the current password counts as a log-in attempt
    (_check_current_password, committed on its own). The new password must differ from the
    current one. Every API token of the account ends with the old password (each is bound to a
    fingerprint of the password hash; they are also marked revoked here, audited)."""
    if old_password is not None:
        _check_current_password(user, old_password)
    with transaction.atomic():
        if old_password is None:
            _check_admin_account_untouched(actor, user)
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.check_password(new_password):
            raise InvalidInput(
                _("The new password must differ from the current one."), code="password_reused"
            )
        _validate_password(new_password, user)
        user.set_password(new_password)
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "password_changed_at"])
        audit.record("user.password_change", actor=actor, obj=user)
        _tokens_end_with_password(actor, user)
    return user


def _tokens_end_with_password(actor: Any, user: User) -> None:
    now = timezone.now()
    live = list(
        ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now)
        .order_by("pk")
        .values_list("pk", "prefix")
    )
    if not live:
        return
    for token in ApiToken.objects.filter(pk__in=[pk for pk, _prefix in live]):
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])  # a save: the cached token is dropped
    audit.record(
        "api_token.end_with_password",
        actor=actor,
        obj=user,
        after={"tokens": [prefix for _pk, prefix in live]},
    )


@transaction.atomic
def user_set_language(*, actor: Any, user: User, language: str) -> User:
    codes = {code for code, _name in settings.LANGUAGES}
    if language not in codes:
        raise InvalidInput(_("Unknown language: %(code)s") % {"code": language})
    before = {"language": user.language}
    user.language = language
    user.save(update_fields=["language"])
    audit.record(
        "user.language", actor=actor, obj=user, before=before, after={"language": language}
    )
    return user


# --- personal access tokens ------------------------------------------------------------------

TOKEN_PREFIX = "lsh_"  # noqa: S105 (a prefix, not a secret)


def _token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def password_fingerprint(password_hash: str) -> str:
    """A keyed digest of an account's password hash, which each token is bound to: a token made
    under one password does not work under the next (like Django's session auth hash)."""
    return hmac.new(
        settings.SECRET_KEY.encode(), b"token-password:" + password_hash.encode(), hashlib.sha256
    ).hexdigest()


def token_expiry(days: int | None, now: dt.datetime | None = None) -> dt.datetime:
    """When a token made now with a lifetime of `days` ends: settings.LUOSHI_TOKEN_DAYS by
    default, between 1 day and settings.LUOSHI_TOKEN_MAX_DAYS (else InvalidInput)."""
    now = now or timezone.now()
    limit = settings.LUOSHI_TOKEN_MAX_DAYS
    if days is None:
        days = min(settings.LUOSHI_TOKEN_DAYS, limit)
    if not 1 <= days <= limit:
        raise InvalidInput(
            _("A token lasts between 1 and %(days)d days.") % {"days": limit},
            code="token_lifetime",
            details=[{"field": "expires_in_days", "message": str(limit)}],
        )
    return now + dt.timedelta(days=days)


@transaction.atomic
def api_token_create(
    *, actor: Any, user: User, name: str, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """Create a token; the raw value is returned once and never stored. It ends after
    `expires_in_days` (default settings.LUOSHI_TOKEN_DAYS, at most LUOSHI_TOKEN_MAX_DAYS), when
    revoked, or when the account's password changes."""
    name = name.strip() or _("Access token")
    expires_at = token_expiry(expires_in_days)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    password_hash = User.objects.filter(pk=user.pk).values_list("password", flat=True).first()
    token = ApiToken.objects.create(
        user=user,
        name=name[:64],
        prefix=raw[: len(TOKEN_PREFIX) + 6],
        token_hash=_token_digest(raw),
        expires_at=expires_at,
        password_fingerprint=password_fingerprint(password_hash or ""),
    )
    audit.record(
        "api_token.create",
        actor=actor,
        obj=token,
        after={"name": token.name, "prefix": token.prefix, "expires_at": token.expires_at},
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record("api_token.revoke", actor=actor, obj=token)
    return token


def api_token_find(raw: str) -> ApiToken | None:
    """The unrevoked, unexpired token with this value, or None (looked up by its hash)."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    return (
        ApiToken.objects.select_related("user")
        .filter(
            token_hash=_token_digest(raw), revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        .first()
    )


def api_token_user(raw: str) -> User | None:
    """The active user a bearer token belongs to, or None.

    The token (by its hash) and the account come from the shared cache when there is one
    (orgs.selectors.cached_token, cached_account): exact, so a revoked token or a deactivated
    account answers 401 on the next call. A token past its `expires_at`, or made under another
    password than the account's current one, answers 401 too. A locked account's tokens keep
    working: the lockout stops password guesses, and must not let anyone switch an integration
    off from outside by typing wrong passwords under its name.
    """
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    found = cached_token(_token_digest(raw))
    if found is None:
        return None
    token_id, user_id, last_used_at, expires_at, fingerprint = found
    now = timezone.now()
    if expires_at <= now:
        return None
    user = cached_account(user_id)
    if user is None or not user.is_active:
        return None
    if not hmac.compare_digest(fingerprint, password_fingerprint(user.password)):
        return None
    _touch_token(token_id, last_used_at, now)
    return user


# Tokens whose last use this process has written recently: id → when (monotonic seconds).
_TOKEN_TOUCHED: dict[int, float] = {}
_TOKEN_TOUCH_EVERY = dt.timedelta(minutes=5)


def _touch_token(token_id: int, last_used_at: dt.datetime | None, now: dt.datetime) -> None:
    """Record a token's use at most every few minutes per process (bookkeeping, not audited;
    a queryset update sends no signal, so it leaves the cached token alone)."""
    if last_used_at is not None and now - last_used_at <= _TOKEN_TOUCH_EVERY:
        return
    seconds = time.monotonic()
    if seconds - _TOKEN_TOUCHED.get(token_id, -1e9) <= _TOKEN_TOUCH_EVERY.total_seconds():
        return
    if len(_TOKEN_TOUCHED) > 10_000:
        _TOKEN_TOUCHED.clear()
    _TOKEN_TOUCHED[token_id] = seconds
    ApiToken.objects.filter(pk=token_id).update(last_used_at=now)


@transaction.atomic
def org_unit_edit(
    *,
    actor: Any,
    unit: OrgUnit,
    version: int | None,
    changes: dict[str, Any],
    parent: OrgUnit | None,
    head: Person | None,
    effective_date: dt.date | None = None,
) -> OrgUnit:
    """One form's worth of changes to a unit: fields, head and place in the tree, all or nothing."""
    _check_version(unit, version)
    if changes:
        unit = org_unit_update(actor=actor, unit=unit, effective_date=effective_date, **changes)
    if head != unit.head:
        unit = unit_set_head(actor=actor, unit=unit, head=head)
    if (parent.pk if parent else None) != unit.parent_id:
        unit = org_unit_move(
            actor=actor, unit=unit, new_parent=parent, effective_date=effective_date
        )
    return unit


# --- editable lists (posts, ranks, staff categories, political statuses) ----------------------


@transaction.atomic
def list_item_save(
    *,
    actor: Any,
    model: type[Any],
    item: Any = None,
    name: str,
    sort_order: int = 0,
    is_active: bool = True,
    extra: dict[str, Any] | None = None,
) -> Any:
    """Create or change one entry of an editable list; names stay unique within the list."""
    name = name.strip()
    if not name:
        raise InvalidInput(_("The name is required."))
    clash = model.objects.filter(name=name)
    if item is not None:
        clash = clash.exclude(pk=item.pk)
    if clash.exists():
        raise InvalidInput(_("%(name)s is already in the list.") % {"name": name})
    before = audit.snapshot(item) if item is not None else None
    if item is None:
        item = model(name=name, sort_order=sort_order, is_active=is_active, **(extra or {}))
        item.save()
        audit.record("list_item.create", actor=actor, obj=item, after=audit.snapshot(item))
        return item
    moved = model is Post and item.sort_order != sort_order
    item.name, item.sort_order, item.is_active = name, sort_order, is_active
    for key, value in (extra or {}).items():
        setattr(item, key, value)
    _save_versioned(item, ["name", "sort_order", "is_active", *(extra or {}).keys()])
    if moved:
        Person.objects.filter(post=item).update(
            sort_key=Concat(
                Left("sort_key", Length("sort_key") - POST_ORDER_WIDTH), Value(post_order_key(item))
            )
        )
    b, a = audit.diff(before or {}, audit.snapshot(item))
    audit.record("list_item.update", actor=actor, obj=item, before=b, after=a)
    return item


@transaction.atomic
def user_set_active(*, actor: Any, user: User, active: bool) -> User:
    """Disable or re-enable an account (the system administrator's job); tokens stop at once."""
    if actor is not None and getattr(actor, "pk", None) == user.pk and not active:
        raise InvalidInput(_("You cannot disable your own account."))
    _check_admin_account_untouched(actor, user)
    before = {"is_active": user.is_active}
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit.record(
        "user.set_active", actor=actor, obj=user, before=before, after={"is_active": active}
    )
    return user
