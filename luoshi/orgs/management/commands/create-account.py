"""`luoshi create-account USERNAME --role ROLE`: the first accounts of a new installation.

The password is read from the LUOSHI_NEW_PASSWORD environment variable or asked for twice; it must
meet the password policy. Give the three administrators (三员) three separate accounts.
"""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from luoshi.core.errors import DomainError
from luoshi.orgs import services
from luoshi.orgs.roles import Role


class Command(BaseCommand):
    help = "Create an account with one or more roles (for the first administrators)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--role",
            action="append",
            required=True,
            choices=Role.values,
            help="A role to grant; repeat for several.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("LUOSHI_NEW_PASSWORD")
        if not password:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ.")
        try:
            user = services.user_create(
                actor=None, username=options["username"], password=password, roles=options["role"]
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(f"Created {user.username} with roles: {', '.join(options['role'])}")
