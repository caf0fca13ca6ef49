"""What the four vendor modules share: errors, JSON, query parsing, auth headers, paging.

Each vendor module only knows its own wire format; everything that would otherwise be
copied four times (and drift) lives here.
"""

from __future__ import annotations

import base64
import binascii
from bisect import bisect_left, bisect_right
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import Scope

from ingestion.demo.api.faults import FaultConfig, hits

FAULTS_SCOPE_KEY = "demo.faults"


class ApiError(Exception):
    """Raised by a handler; the vendor renders it in its own error format."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


Gate = Callable[[Scope], AbstractAsyncContextManager[Response | None]]


@asynccontextmanager
async def open_gate(scope: Scope) -> AsyncIterator[Response | None]:
    """The gate of a vendor without natural limits: every request passes."""
    yield None


@dataclass(frozen=True)
class Vendor:
    """One vendor API as the shared layers need it.

    `gate` is the vendor's natural limit (it wraps the faults, so a stalled request still
    holds its slot); `optional_field` and `change_type` are how the vendor's records drift
    under the missing-field and changed-type faults; `key_field` is what a malformed record
    lacks (a record no pipeline can key must be quarantined, never silently dropped).
    """

    name: str
    app: Starlette
    error: Callable[[int, str], Response]
    optional_field: str
    change_type: Callable[[dict], None]
    key_field: str
    gate: Gate = open_gate


def vendor_app(routes: Sequence[BaseRoute], error: Callable[[int, str], Response]) -> Starlette:
    async def on_api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return error(exc.status, exc.reason)

    return Starlette(routes=list(routes), exception_handlers={ApiError: on_api_error})


def json_response(data: Any, status: int = 200, media_type: str = "application/json") -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type=media_type)


def int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    """An integer query parameter; out-of-range or malformed values are the client's error."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"{name} must be an integer") from None
    if not low <= value <= high:
        raise ApiError(400, f"{name} must be between {low} and {high}")
    return value


def time_param(request: Request, name: str, parse: Callable[[str], datetime]) -> datetime | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        return parse(raw)
    except ValueError:
        raise ApiError(400, f"{name} is not a valid time: {raw!r}") from None


def bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token if scheme.lower() == "bearer" and token else None


def basic_credentials(request: Request) -> tuple[str, str] | None:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, sep, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password) if sep else None


@dataclass(frozen=True)
class PageFaults:
    """The data faults of one request: what the vendor handler must do to its page."""

    config: FaultConfig
    vendor: Vendor
    request_key: str
    fire: Callable[[str, str], None]  # DemoState.fire: counts each fault that hits

    def repeats_previous_item(self, page: object = "") -> bool:
        """Whether this page (of this request) starts with the previous page's last item;
        ask only for a page that has a previous item."""
        return self._hits("repeated_item", (self.request_key, page))

    def apply(self, record_id: object, record: dict) -> dict:
        if self._hits("unknown_field", record_id):
            record[self.config.api(self.vendor.name).unknown_field.name] = "demo"
        if self._hits("missing_field", record_id):
            record.pop(self.vendor.optional_field, None)
        if self._hits("changed_type", record_id):
            self.vendor.change_type(record)
        if self._hits("malformed_record", record_id):
            record.pop(self.vendor.key_field, None)
        return record

    def _hits(self, fault: str, key: object) -> bool:
        hit = hits(self.config, self.vendor.name, fault, key)
        if hit:
            self.fire(self.vendor.name, fault)
        return hit


def page_faults(request: Request) -> PageFaults:
    return request.scope[FAULTS_SCOPE_KEY]


@dataclass(frozen=True)
class Timeline:
    """Records in order of a time key, cut by bisection.

    A list request then costs the records in its window rather than a scan of the whole
    simulated world, which at benchmark scales made the demo server, not the pipeline's
    clients, the thing being timed. Records with equal keys keep the order they came in.
    """

    keys: list
    records: list

    @classmethod
    def of(cls, pairs: Iterable[tuple[Any, Any]]) -> Timeline:
        """From (key, record) pairs in any order."""
        ordered = sorted(pairs, key=itemgetter(0))
        return cls([key for key, _ in ordered], [record for _, record in ordered])

    def start(self, bound: Any, inclusive: bool = True) -> int:
        """Index of the first record with key >= bound (> bound when not inclusive)."""
        return (bisect_left if inclusive else bisect_right)(self.keys, bound)

    def stop(self, bound: Any, inclusive: bool = True) -> int:
        """Index just past the last record with key <= bound (< bound when not inclusive)."""
        return (bisect_right if inclusive else bisect_left)(self.keys, bound)

    def between(self, low: Any, high: Any) -> list:
        """The records with low <= key <= high."""
        return self.records[self.start(low) : self.stop(high)]


def page_slice(items: Sequence, start: int, limit: int, repeat_previous: bool) -> list:
    """`items[start:start+limit]`; under the repeated-item fault the last item of the
    previous page comes again first, as when a vendor's listing shifts between requests."""
    page = list(items[start : start + limit])
    if repeat_previous and 0 < start <= len(items) and page:
        page.insert(0, items[start - 1])
    return page
