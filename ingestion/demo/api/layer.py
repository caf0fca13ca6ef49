"""The ASGI layer in front of each vendor: natural limits, then request-level faults.

Faults sit outside the vendor's own handlers so they behave like the network and the
vendor's edge do: a 429 or a dropped socket happens whatever the request, before auth.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ingestion.demo.api.common import FAULTS_SCOPE_KEY, PageFaults, Vendor
from ingestion.demo.api.faults import request_fault
from ingestion.demo.api.state import DemoState

CONNECTION_SCOPE_KEY = "demo.connection"
log = logging.getLogger("ingestion.demo.faults")


class VendorLayer:
    def __init__(self, vendor: Vendor, state: DemoState):
        self.vendor = vendor
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.vendor.app(scope, receive, send)
            return
        async with self.vendor.gate(scope) as rejection:
            if rejection is not None:
                await rejection(scope, receive, send)
                return
            await self._with_faults(scope, receive, send)

    async def _with_faults(self, scope: Scope, receive: Receive, send: Send) -> None:
        config = self.state.faults
        query = scope["query_string"].decode("latin-1")
        key = f"{scope['method']} {scope['path']}?{query}"
        fault = request_fault(config, self.vendor.name, key, self.state.next_attempt(key))
        scope[FAULTS_SCOPE_KEY] = PageFaults(config, self.vendor, key, self.state.fire)
        if fault is None:
            await self.vendor.app(scope, receive, send)
            return
        log.info("injecting %s into %s", fault, key)
        self.state.fire(self.vendor.name, fault)
        faults = config.api(self.vendor.name)
        if fault == "dropped_connection":
            await _drop_connection(scope)
        elif fault == "server_error":
            status = faults.server_error.status
            await self.vendor.error(status, "Internal server error")(scope, receive, send)
        elif fault == "rate_limited":
            response = self.vendor.error(429, "Too many requests")
            if faults.rate_limited.retry_after is not None:
                response.headers["Retry-After"] = str(faults.rate_limited.retry_after)
            await response(scope, receive, send)
        elif fault == "slow":
            await asyncio.sleep(faults.slow.delay_seconds)
            await self.vendor.app(scope, receive, send)
        else:
            await _truncated(self.vendor.app, scope, receive, send)


async def _drop_connection(scope: Scope) -> None:
    """Close the socket without a response. ASGI has no message for this, so it reaches
    the server's connection object that `app.DemoApp` puts in the scope."""
    connection = scope[CONNECTION_SCOPE_KEY]
    connection.transport.abort()
    await asyncio.sleep(0)  # let the server see the disconnect before the app returns


async def _truncated(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """Announce the full Content-Length, send half the body, and return unfinished: the
    server then closes the connection, as when a proxy dies mid-transfer."""
    messages: list[Message] = []

    async def collect(message: Message) -> None:
        messages.append(message)

    await app(scope, receive, collect)
    start, chunks = messages[0], [m.get("body", b"") for m in messages[1:]]
    body = b"".join(chunks)
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({**start, "headers": headers})
    await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
