"""`luoshi reset_2fa USERNAME --by SECURITY_ADMIN`: the security administrator resets an account's
two-factor sign-in on the server (a lost or replaced phone, no recovery code left).

The device and the recovery codes are removed and every session of the account ends; the owner
sets up the app again at the next sign-in (an administrator is sent to enrolment first). The
audit entry (`two_factor.reset`) names the security administrator given with --by. There is no
page for it: the security administrator's own account could otherwise be used to turn off the
second factor of everyone else from a browser.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from luoshi.orgs import twofactor
from luoshi.orgs.models import User
from luoshi.orgs.permissions import can_manage_security


class Command(BaseCommand):
    help = "Reset an account's two-factor sign-in (the security administrator, on the server)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="The account whose two-factor sign-in is reset.")
        parser.add_argument(
            "--by",
            required=True,
            metavar="SECURITY_ADMIN",
            help="The username of the security administrator doing it (named in the audit log).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username__iexact=options["by"], is_active=True).first()
        if actor is None or not can_manage_security(actor):
            raise CommandError(
                f"{options['by']!r} is not an active security administrator account: only the "
                "security administrator resets two-factor sign-in."
            )
        user = User.objects.filter(username__iexact=options["username"]).first()
        if user is None:
            raise CommandError(f"No account named {options['username']!r}.")
        ended = twofactor.two_factor_reset(actor=actor, user=user)
        self.stdout.write(
            f"Two-factor sign-in of {user.username} was reset ({ended} session(s) ended); "
            "the owner sets it up again at the next sign-in."
        )
