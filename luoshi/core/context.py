"""Per-request context (client address) for the audit log.

A context variable, set by middleware for the duration of one request: no state is shared
between requests or processes.
"""

from __future__ import annotations

from contextvars import ContextVar

client_ip: ContextVar[str | None] = ContextVar("luoshi_client_ip", default=None)
