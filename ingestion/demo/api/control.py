"""The `/_demo/...` endpoints: health for `make run`, the faults and clock of a running
server, so an operator or a test in another process can steer it like `DemoServer` does,
and `/_demo/faults/fired`: how often each fault ("api.fault") has hit since the start."""

from __future__ import annotations

from datetime import datetime

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ingestion.demo.api.common import json_response
from ingestion.demo.api.faults import FaultConfig
from ingestion.demo.api.state import DemoState


def routes(state: DemoState) -> list[Route]:
    async def health(request: Request) -> Response:
        return json_response(
            {"status": "ok", "as_of": state.world.as_of.isoformat(), "now": _now(state)["now"]}
        )

    async def faults(request: Request) -> Response:
        if request.method == "PUT":
            try:
                state.set_faults(FaultConfig.from_dict(orjson.loads(await request.body())))
            except (ValueError, TypeError) as exc:
                return json_response({"error": str(exc)}, 400)
        return json_response(state.faults.to_dict())

    async def fired(request: Request) -> Response:
        return json_response(dict(sorted(state.fired.items())))

    async def clock(request: Request) -> Response:
        if request.method == "PUT":
            try:
                raw = orjson.loads(await request.body())["now"]
                state.clock.set(None if raw is None else datetime.fromisoformat(raw))
            except (ValueError, TypeError, KeyError) as exc:
                return json_response({"error": f"expected {{'now': ISO time or null}}: {exc}"}, 400)
        return json_response(_now(state))

    return [
        Route("/health", health),
        Route("/faults", faults, methods=["GET", "PUT"]),
        Route("/faults/fired", fired),
        Route("/clock", clock, methods=["GET", "PUT"]),
    ]


def _now(state: DemoState) -> dict:
    return {"now": state.clock.now().isoformat(), "frozen": state.clock.frozen_at is not None}
