from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1 that records every POST and answers as told."""

    url: str
    status: int = 200
    answer: bytes = b'{"errcode": 0, "errmsg": "ok"}'
    delay: float = 0.0
    received: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def bodies(self) -> list[Any]:
        with self.lock:
            return [r["json"] for r in self.received]


@pytest.fixture(autouse=True)
def _local_receivers_allowed(settings: Any) -> None:
    """The test receivers listen on 127.0.0.1, an internal address a webhook may reach only when
    it is listed (tests of that refusal clear the list)."""
    settings.LUOSHI_NOTIFY_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            rec = state["r"]
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if rec.delay:
                time.sleep(rec.delay)
            with rec.lock:
                rec.received.append(
                    {
                        "path": self.path,
                        "content_type": self.headers.get("Content-Type", ""),
                        "json": json.loads(raw.decode()),
                    }
                )
            try:
                self.send_response(rec.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(rec.answer)))
                self.end_headers()
                self.wfile.write(rec.answer)
            except OSError:  # the client gave up (timeout test)
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    state["r"] = Receiver(url=f"http://127.0.0.1:{port}/hook")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield state["r"]
    finally:
        server.shutdown()
        server.server_close()
