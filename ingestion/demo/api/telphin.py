"""Telphin (apiproxy.telphin.ru): OAuth2 client credentials, call history, extensions.

Renders `model.Call` as Telphin's `call_history` records: UTC times without offset and
with centisecond fractions when they have them, one `cdr` leg per call, and the customer's
number exactly as it was dialled (calls join leads by phone, like in production).
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left, bisect_right
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Scope

from ingestion.demo.api.common import (
    ApiError,
    Vendor,
    bearer_token,
    int_param,
    json_response,
    page_faults,
    page_slice,
    time_param,
    vendor_app,
)
from ingestion.demo.api.state import DemoState
from ingestion.demo.model import Call

PER_PAGE_DEFAULT = 20
PER_PAGE_MAX = 100
CONCURRENT_STATS = "Stats request already exists, concurrent request not allowed"


def telphin_time(at: datetime | None) -> str | None:
    if at is None:
        return None
    text = at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    centis = at.microsecond // 10_000
    return f"{text}.{centis:02d}" if centis else text


def _parse_time(raw: str) -> datetime:
    return datetime.strptime(raw, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def error(status: int, reason: str) -> Response:
    return json_response({"message": reason}, status)


def _duration_as_string(record: dict) -> None:
    record["duration"] = str(record["duration"])


class TelphinApi:
    def __init__(self, state: DemoState):
        self.state = state
        self.world = state.world
        creds = self.world.config.credentials["telphin"]
        self.client_key, self.client_secret = creds["client_id"], creds["client_secret"]
        self.client_id = int(self.world.config["telphin_client_id"])
        self.managers = {m.user_id: m for m in self.world.managers}
        self.by_uuid = {c.call_uuid: c for c in self.world.calls}
        # world.calls is sorted by start time; the filters bisect these whole seconds.
        self.start_seconds = [c.start_time.replace(microsecond=0) for c in self.world.calls]
        self.tokens: dict[str, datetime] = {}
        self.stats_busy = False

    def vendor(self) -> Vendor:
        client = "/api/ver1.0/client/{client_id}"
        routes = [
            Route("/oauth/token", self.token, methods=["POST"]),
            Route("/api/ver1.0/user", self.user),
            Route(f"{client}/call_history/", self.call_history),
            Route(f"{client}/call_history/{{call_uuid}}", self.one_call),
            Route(f"{client}/extension/", self.extensions),
        ]
        return Vendor(
            name="telphin",
            app=vendor_app(routes, error),
            error=error,
            optional_field="did_number",
            change_type=_duration_as_string,
            key_field="call_uuid",
            gate=self.gate,
        )

    @asynccontextmanager
    async def gate(self, scope: Scope) -> AsyncIterator[Response | None]:
        """Telphin serves one statistics request per client at a time."""
        if "/call_history" not in scope["path"] or not self.state.faults.natural_limits:
            yield None
        elif self.stats_busy:
            yield error(429, CONCURRENT_STATS)
        else:
            self.stats_busy = True
            try:
                yield None
            finally:
                self.stats_busy = False

    async def token(self, request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode()))
        if form.get("grant_type") != "client_credentials":
            return json_response({"error": "unsupported_grant_type"}, 400)
        if (form.get("client_id"), form.get("client_secret")) != (
            self.client_key,
            self.client_secret,
        ):
            return json_response({"error": "invalid_client"}, 401)
        ttl = self.state.faults.telphin.token_ttl_seconds
        seed = f"{self.world.config.seed}|{self.client_key}|{len(self.tokens)}"
        token = hashlib.blake2b(seed.encode(), digest_size=20).hexdigest()
        self.tokens[token] = self.state.clock.now() + timedelta(seconds=ttl)
        return json_response({"access_token": token, "token_type": "Bearer", "expires_in": ttl})

    def _authorize(self, request: Request) -> datetime:
        """Check the bearer token against the clock; return that clock's now."""
        now = self.state.clock.now()
        expires = self.tokens.get(bearer_token(request) or "")
        if expires is None or now >= expires:
            raise ApiError(401, "Invalid or expired access token")
        client = request.path_params.get("client_id")
        if client not in (None, "@me", str(self.client_id)):
            raise ApiError(403, "Access denied")
        return now

    async def user(self, request: Request) -> Response:
        self._authorize(request)
        return json_response(
            {
                "id": self.client_id,
                "client_id": self.client_id,
                "login": self.client_key,
                "dealer_id": None,
                "extension_id": None,
                "timezone": self.world.config.business_tz,
            }
        )

    async def extensions(self, request: Request) -> Response:
        today = self._authorize(request).date()
        return json_response(
            [
                {
                    "id": m.extension_id,
                    "name": m.extension_name,
                    "type": "phone",
                    "label": m.name,
                    "client_id": self.client_id,
                }
                for m in self.world.managers
                if m.hired_on <= today
            ]
        )

    async def call_history(self, request: Request) -> Response:
        """Filters compare whole seconds, both ends inclusive: a call starting at
        12:00:00.76 matches start_datetime=end_datetime="... 12:00:00"."""
        now = self._authorize(request)
        start = time_param(request, "start_datetime", _parse_time)
        end = time_param(request, "end_datetime", _parse_time)
        flow = request.query_params.get("flow")
        extension = request.query_params.get("extension_id")
        order = request.query_params.get("order", "desc")
        if order not in ("asc", "desc"):
            raise ApiError(400, "order must be asc or desc")
        page = int_param(request, "page", 1, 1, 10**9)
        per_page = min(int_param(request, "per_page", PER_PAGE_DEFAULT, 1, 10**9), PER_PAGE_MAX)
        low = 0 if start is None else bisect_left(self.start_seconds, start)
        high = len(self.start_seconds) if end is None else bisect_right(self.start_seconds, end)
        calls = [
            c
            for c in self.world.calls[low:high]
            if (flow is None or c.flow == flow)
            and (extension is None or str(c.extension_id) == extension)
            and self.state.visible("telphin", c.call_uuid, c.hangup_time, now)
        ]
        if order == "desc":
            calls.reverse()
        faults = page_faults(request)
        chosen = page_slice(calls, (page - 1) * per_page, per_page, faults.repeats_previous_item())
        return json_response(
            {
                "page": page,
                "per_page": per_page,
                "order": order,
                "call_history": [faults.apply(c.call_uuid, self.render(c)) for c in chosen],
            }
        )

    async def one_call(self, request: Request) -> Response:
        now = self._authorize(request)
        call = self.by_uuid.get(request.path_params["call_uuid"])
        if call is None or not self.state.visible("telphin", call.call_uuid, call.hangup_time, now):
            raise ApiError(404, "Call not found")
        return json_response(page_faults(request).apply(call.call_uuid, self.render(call)))

    def render(self, call: Call) -> dict:
        manager = self.managers[call.manager_id]
        outbound = call.flow == "out"
        talk = call.talk_seconds
        return {
            "call_uuid": call.call_uuid,
            "flow": call.flow,
            "init_time_gmt": telphin_time(call.init_time),
            "start_time_gmt": telphin_time(call.start_time),
            "bridged_time_gmt": telphin_time(call.bridged_time),
            "hangup_time_gmt": telphin_time(call.hangup_time),
            "duration": round(call.duration_seconds),
            "bridged_duration": None if talk is None else round(talk),
            "result": call.result,
            "hangup_disposition": call.hangup_disposition,
            "extension_id": call.extension_id,
            "extension_name": manager.extension_name,
            "from_username": manager.extension_name if outbound else call.customer_number,
            "to_username": call.customer_number if outbound else manager.extension_name,
            "from_screen_name": manager.name if outbound else call.customer_number,
            "did_number": call.did_number,
            "cdr": [
                {
                    "result": call.result,
                    "ani_number": call.ani_number if outbound else call.customer_number,
                    "dest_number": call.customer_number if outbound else call.did_number,
                    "record_uuid": call.record_uuid,
                }
            ],
        }
