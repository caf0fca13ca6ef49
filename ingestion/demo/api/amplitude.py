"""Amplitude Export API: a ZIP of gzipped JSON-lines files, one per hour of upload time.

Events are expanded lazily by the world, hour by hour, and the ZIP is streamed as it is
built, so a long window never sits in memory. The window is inclusive hours by
`server_upload_time`; events uploaded after the server's now are not there yet.
"""

from __future__ import annotations

import gzip
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from ingestion.demo.api.account import account_of
from ingestion.demo.api.common import (
    ApiError,
    PageFaults,
    Vendor,
    basic_credentials,
    page_faults,
    vendor_app,
)
from ingestion.demo.api.state import DemoState
from ingestion.demo.model import ActivityEvent

PROJECT_ID = 314159
HOUR = timedelta(hours=1)


def error(status: int, reason: str) -> Response:
    return PlainTextResponse(reason, status)


def amplitude_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _event_time_as_millis(record: dict) -> None:
    at = datetime.strptime(record["event_time"], "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC)
    record["event_time"] = int(at.timestamp() * 1000)


def _parse_hour(raw: str | None, name: str) -> datetime:
    try:
        return datetime.strptime(raw or "", "%Y%m%dT%H").replace(tzinfo=UTC)
    except ValueError:
        raise ApiError(400, f"Invalid {name}: expected YYYYMMDDTHH") from None


class _Sink:
    """A write-only stream: zipfile writes into it, the response takes what has piled up."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


class AmplitudeApi:
    def __init__(self, state: DemoState):
        self.state = state
        self.world = state.world
        creds = self.world.config.credentials["amplitude"]
        self.credentials = (creds["api_key"], creds["secret_key"])
        self.signups = {s.account_id: s for s in self.world.signups}
        self.account = account_of(self.world.config.sections.get("account"))

    def vendor(self) -> Vendor:
        return Vendor(
            name="amplitude",
            app=vendor_app(
                [
                    Route("/api/2/export", self.export),
                    Route("/api/2/events/list", self.event_types),
                ],
                error,
            ),
            error=error,
            optional_field="device_id",
            change_type=_event_time_as_millis,
            key_field="uuid",
        )

    async def event_types(self, request: Request) -> Response:
        """Dashboard REST API `events/list`: the project's event types (the client's probe)."""
        if basic_credentials(request) != self.credentials:
            raise ApiError(401, "Invalid API key or secret key")
        kinds = self.world.config["activity"]["event_mix"]
        names = sorted(self.account.event_type(kind) for kind in kinds)
        return JSONResponse({"data": [{"value": name, "hidden": False} for name in names]})

    async def export(self, request: Request) -> Response:
        if basic_credentials(request) != self.credentials:
            raise ApiError(401, "Invalid API key or secret key")
        start = _parse_hour(request.query_params.get("start"), "start")
        end = _parse_hour(request.query_params.get("end"), "end")
        if end < start:
            raise ApiError(400, "end must not be before start")
        hours = int((end - start) / HOUR) + 1
        if hours > self.state.faults.amplitude.max_window_hours:
            raise ApiError(
                400,
                "The file size of the exported data is too large. "
                "Shorten the time ranges and try again.",
            )
        now = self.state.clock.now()
        starts = [start + i * HOUR for i in range(hours)]
        for index, hour in enumerate(starts):
            first = await run_in_threadpool(self._hour_events, hour, now)
            if first:
                files = self._files(starts[index:], first, now, page_faults(request))
                return StreamingResponse(files, media_type="application/zip")
        raise ApiError(404, "No data available for the requested time range")

    def _hour_events(self, hour: datetime, now: datetime) -> list[ActivityEvent]:
        if hour > now:
            return []
        return [
            e
            for e in self.world.activity_events(hour, hour + HOUR)
            if self.state.visible("amplitude", e.uuid, e.server_upload_time, now)
        ]

    def _files(
        self, hours: list[datetime], first: list[ActivityEvent], now: datetime, faults: PageFaults
    ) -> Iterator[bytes]:
        """The ZIP, one hour file at a time; the first hour's events are already known."""
        sink = _Sink()
        previous: ActivityEvent | None = None
        with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
            for hour in hours:
                events = first if hour == hours[0] else self._hour_events(hour, now)
                if not events:
                    continue
                if previous is not None and faults.repeats_previous_item(hour.isoformat()):
                    events = [previous, *events]
                previous = events[-1]
                lines = b"".join(
                    orjson.dumps(faults.apply(e.uuid, self.render(e))) + b"\n" for e in events
                )
                name = f"{PROJECT_ID}/{PROJECT_ID}_{hour:%Y-%m-%d}_{hour.hour}#0.json.gz"
                info = zipfile.ZipInfo(name, date_time=hour.timetuple()[:6])
                archive.writestr(info, gzip.compress(lines, mtime=0))
                yield sink.take()
        yield sink.take()

    def render(self, event: ActivityEvent) -> dict:
        signup = self.signups.get(event.user_id)
        user_properties = (
            {} if signup is None else {"region": signup.region, "channel": signup.channel}
        )
        return {
            "uuid": event.uuid,
            "$insert_id": event.insert_id,
            "event_type": self.account.event_type(event.event_type),
            "user_id": event.user_id,
            "device_id": event.device_id,
            "event_time": amplitude_time(event.event_time),
            "server_upload_time": amplitude_time(event.server_upload_time),
            "event_properties": event.event_properties,
            "user_properties": user_properties,
            "platform": event.platform,
        }
