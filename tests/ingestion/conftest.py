"""Fixtures for the client tests: a scripted HTTP server on 127.0.0.1 (real sockets, no
mocks) for the plumbing, and helpers over the demo vendor APIs of `tests/conftest.py`.

Each route answers from a queue of `Reply`s; the last one repeats. Replies can misbehave
the way vendors do: drop the connection, cut the body short, stall. A route whose answer
depends on the request (an export that times out on long windows) takes a function of the
request (`Seen`) instead.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest

from ingestion.demo.server import DemoServer
from ingestion.demo.world import World
from ingestion.http import HttpSettings
from tests.conftest import TEST_FAULTS
from tests.support.faults import expected_firings, fired_during


@dataclass
class Reply:
    status: int = 200
    body: bytes | object = b""  # bytes as is; anything else is sent as JSON
    headers: dict[str, str] = field(default_factory=dict)
    cut_at: int | None = None  # announce the full length, send this many bytes, hang up
    drop: bool = False  # hang up before answering
    delay: float = 0.0  # stall before answering

    def payload(self) -> bytes:
        return self.body if isinstance(self.body, bytes) else orjson.dumps(self.body)


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    at: float


class ScriptedServer:
    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], list[Reply]] = {}
        self.seen: list[Seen] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def on(self, method: str, path: str, *replies: Reply | Callable[[Seen], Reply]) -> None:
        self.routes[(method, path)] = list(replies)

    def requests_to(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]

    def _next_reply(self, seen: Seen) -> Reply:
        with self._lock:
            queue = self.routes.get((seen.method, seen.path))
            if not queue:
                return Reply(404, {"message": "no route"})
            reply = queue.pop(0) if len(queue) > 1 else queue[0]
        return reply if isinstance(reply, Reply) else reply(seen)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return None

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                seen = Seen(
                    self.command,
                    parts.path,
                    parse_qs(parts.query),
                    dict(self.headers),
                    body,
                    time.monotonic(),
                )
                with server._lock:
                    server.seen.append(seen)
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    self._answer(server._next_reply(seen))
                finally:
                    with server._lock:
                        server.in_flight -= 1

            def _answer(self, reply: Reply) -> None:
                time.sleep(reply.delay)
                if reply.drop:
                    self.close_connection = True
                    return
                payload = reply.payload()
                self.send_response(reply.status)
                headers = {"Content-Type": "application/json", **reply.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if reply.cut_at is not None:
                    self.wfile.write(payload[: reply.cut_at])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(payload)

            do_GET = do_POST = _serve

        return Handler

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        yield server


# --- the demo vendor APIs ------------------------------------------------------------------
# Tests that use them have "demo" in their names (`pytest -k "not demo"` skips them).

DEMO_SETTINGS = HttpSettings(
    connect_timeout=2,
    read_timeout=0.5,
    retries=5,
    backoff_factor=0.01,
    backoff_max=0.05,
    backoff_jitter=0.01,
    busy_wait=0.25,
    body_attempts=3,
    body_wait=0.01,
    body_wait_max=0.05,
)
# Fault modes every client must survive with the same records (repeated items excepted).
SURVIVABLE_FAULTS: dict[str, dict] = {
    "rate_limited_retry_after": {"rate_limited": {"probability": 1.0, "retry_after": 1}},
    "rate_limited_no_header": {"rate_limited": {"probability": 1.0}},
    "server_error": {"server_error": {"probability": 1.0, "attempts": 2}},
    "slow": {"slow": {"probability": 1.0, "delay_seconds": 0.8}},
    "dropped_connection": {"dropped_connection": {"probability": 1.0}},
    "truncated_body": {"truncated_body": {"probability": 1.0}},
    "repeated_item": {"repeated_item": {"probability": 1.0}},
    "drifting_records": {
        "unknown_field": {"probability": 0.5},
        "missing_field": {"probability": 0.5},
        "changed_type": {"probability": 0.5},
    },
}


@pytest.fixture
def demo(demo_server: DemoServer, demo_world: World) -> Iterator[DemoServer]:
    """The session demo server (tests/conftest.py) with the vendors' natural limits on, no
    faults, and the clock frozen at the world's end; put back as found afterwards."""
    demo_server.set_faults(None)
    demo_server.set_clock(demo_world.as_of)
    yield demo_server
    demo_server.set_faults(TEST_FAULTS)
    demo_server.set_clock(None)


def survive(
    server: DemoServer, api: str, fault: str, pull: Callable[[], list[str]], truth: set[str]
):
    """Pull under one fault mode; every fault of the mode must have fired (the server counts
    them) and the ids must be the truth (repeats allowed only if asked)."""
    faults = {api: SURVIVABLE_FAULTS[fault], "seed": 7}
    server.set_faults(faults)
    with fired_during(server) as fired:
        ids = pull()
    assert expected_firings(faults) <= set(fired), f"{fault} never fired: {dict(fired)}"
    assert set(ids) == truth
    if fault != "repeated_item":
        assert len(ids) == len(truth)
