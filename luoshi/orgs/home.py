"""The organization's rows of the home page's "waiting for you" (core.home), registered from
OrgsConfig.ready(): what the security administrator is to do first — accounts locked after
failed log-ins, and accounts that hold no role yet (they can sign in and do nothing)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luoshi.core.home import Todo

from . import permissions as perms
from .models import User


def home_todos(user: Any) -> list[Todo]:
    """One statement, for the security administrator only."""
    if not perms.can_manage_security(user):
        return []
    counts = User.objects.filter(is_active=True).aggregate(
        locked=Count("pk", filter=Q(locked_until__gt=timezone.now()), distinct=True),
        roleless=Count("pk", filter=Q(role_assignments__isnull=True), distinct=True),
    )
    accounts = reverse("orgs:accounts")
    return [
        Todo("orgs.locked", _("Locked accounts"), counts["locked"], accounts, 10, urgent=True),
        Todo("orgs.roleless", _("Accounts without a role"), counts["roleless"], accounts, 20),
    ]
