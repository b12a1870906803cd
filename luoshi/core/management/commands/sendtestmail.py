"""`luoshi sendtestmail ADDRESS…`: send one message through the configured mail server.

Prints the server, port, encryption and user it used (never the password), and on failure the
server's error and the settings to look at, then exits 1 — the check an administrator runs after
setting LUOSHI_EMAIL_* (docs/operations.md).
"""

from __future__ import annotations

import smtplib
import ssl

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone


def describe_server() -> str:
    if settings.EMAIL_USE_SSL:
        mode = "implicit TLS"
    elif settings.EMAIL_USE_TLS:
        mode = "STARTTLS"
    else:
        mode = "no encryption"
    user = settings.EMAIL_HOST_USER or "(no user)"
    return (
        f"{settings.EMAIL_BACKEND} → {settings.EMAIL_HOST}:{settings.EMAIL_PORT}, {mode}, "
        f"user {user}, from {settings.DEFAULT_FROM_EMAIL}"
    )


class Command(BaseCommand):
    help = "Send a test message through the configured mail server and report the result."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addresses", nargs="+", metavar="ADDRESS")

    def handle(self, *args: object, **options: object) -> None:
        addresses = [str(a) for a in options["addresses"]]  # type: ignore[attr-defined]
        bad = [a for a in addresses if "@" not in a]
        if bad:
            raise CommandError(f"not an e-mail address: {', '.join(bad)}")
        self.stdout.write(f"sending via {describe_server()}")
        stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
        try:
            send_mail(
                subject=f"落实 Luoshi 测试邮件 / test message {stamp}",
                message="这是一封测试邮件：邮件设置可用。\nThis is a test message: mail works.",
                from_email=None,
                recipient_list=addresses,
                fail_silently=False,
            )
        except smtplib.SMTPAuthenticationError as exc:
            raise CommandError(
                f"the server refused the user or password ({exc.smtp_code}): check "
                "LUOSHI_EMAIL_HOST_USER and LUOSHI_EMAIL_HOST_PASSWORD"
            ) from exc
        except (smtplib.SMTPException, ssl.SSLError) as exc:
            raise CommandError(
                f"the mail server answered with an error: {exc}. Check LUOSHI_EMAIL_USE_TLS / "
                "LUOSHI_EMAIL_USE_SSL against the port (587 STARTTLS, 465 implicit TLS)"
            ) from exc
        except (TimeoutError, OSError) as exc:
            raise CommandError(
                f"cannot reach {settings.EMAIL_HOST}:{settings.EMAIL_PORT}: {exc}. Check "
                "LUOSHI_EMAIL_HOST and LUOSHI_EMAIL_PORT"
            ) from exc
        self.stdout.write(f"sent to {', '.join(addresses)}")
