"""Settings are validated at start: a typo stops the process with the variable's name."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LUOSHI_")}
    environ.update({"LUOSHI_DEBUG": "1", "PYTHONPATH": str(ROOT)}, **env)
    return subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("LUOSHI_HTTPS", "ture", "LUOSHI_HTTPS must be one of 1/true/yes/on or 0/false/no/off"),
        ("LUOSHI_EMAIL_USE_TLS", "enabled", "LUOSHI_EMAIL_USE_TLS must be one of"),
        ("LUOSHI_EMAIL_PORT", "25a", "LUOSHI_EMAIL_PORT must be a whole number of at least 1"),
        ("LUOSHI_PAGE_SIZE", "0", "LUOSHI_PAGE_SIZE must be a whole number of at least 1"),
        ("LUOSHI_CACHE_SECONDS", "-5", "LUOSHI_CACHE_SECONDS must be a whole number of at least 0"),
    ],
)
def test_a_bad_value_stops_the_start_naming_the_variable(
    name: str, value: str, expected: str
) -> None:
    result = load_settings(**{name: value})
    assert result.returncode != 0
    assert expected in result.stderr
    assert repr(value) in result.stderr


@pytest.mark.parametrize("word", ["1", "TRUE", " yes ", "On", "0", "false", "No", "off", ""])
def test_every_documented_yes_no_word_is_accepted(word: str) -> None:
    assert load_settings(LUOSHI_EMAIL_USE_TLS=word).returncode == 0


def test_starttls_and_implicit_tls_together_are_refused() -> None:
    result = load_settings(LUOSHI_EMAIL_USE_TLS="1", LUOSHI_EMAIL_USE_SSL="1")
    assert result.returncode != 0
    assert "exclude each other" in result.stderr


def test_sendtestmail_sends_one_message(settings: Any, capsys: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.EMAIL_HOST_USER = "robot@example.org"
    settings.EMAIL_HOST_PASSWORD = "secret-word"
    call_command("sendtestmail", "office@example.org")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["office@example.org"]
    out = capsys.readouterr().out
    assert "robot@example.org" in out
    assert "secret-word" not in out


def test_sendtestmail_names_the_unreachable_server(settings: Any) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 2
    with pytest.raises(CommandError, match=f"cannot reach 127.0.0.1:{port}.*LUOSHI_EMAIL_HOST"):
        call_command("sendtestmail", "office@example.org")


def test_sendtestmail_refuses_a_non_address() -> None:
    with pytest.raises(CommandError, match="not an e-mail address"):
        call_command("sendtestmail", "office")
