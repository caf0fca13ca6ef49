"""Telphin client: call history and extensions (the managers' phones).

Telphin pages call history by time rather than by page number: ask for `order=asc` from a
start second, then start again from the last call's second. Its filter compares whole
seconds, inclusively, so restarting *at* the last second (not one after, as many
integrations do) is what keeps calls sharing that second; the overlap this creates is
de-duplicated here on `call_uuid`. Telphin also allows one statistics request per client at
a time, so the client serialises its requests and waits out a "concurrent request" 429.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import orjson

from ingestion.errors import SourceResponseError
from ingestion.http import HttpSettings, OAuthClientCredentials, VendorClient, VendorHttp

# Telphin's 429 carries no Retry-After; public integrations wait about ten seconds.
DEFAULT_SETTINGS = HttpSettings(busy_wait=10.0)
PER_PAGE_MAX = 100
_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class TelphinClient(VendorClient):
    """Reads one Telphin client account (`account`: `@me` or the numeric client id)."""

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        settings: HttpSettings = DEFAULT_SETTINGS,
        per_page: int = PER_PAGE_MAX,
        account: str = "@me",
    ) -> None:
        if not 1 <= per_page <= PER_PAGE_MAX:
            raise ValueError(f"per_page must be within 1..{PER_PAGE_MAX}")
        base = base_url.rstrip("/")
        auth = OAuthClientCredentials(f"{base}/oauth/token", client_id, client_secret)
        super().__init__(VendorHttp("telphin", auth, settings, throttle=threading.Lock()))
        self._api = f"{base}/api/ver1.0/client/{account}"
        self._per_page = per_page

    def extensions(self) -> Iterator[list[dict]]:
        """All extensions (one page: Telphin returns them as one JSON array)."""
        scope = self._http.scope("extensions")
        records = self._http.get_json(f"{self._api}/extension/", scope, _extension_list)
        yield self.stats.count_page(records or [])

    def call_history(self, start: datetime, end: datetime) -> Iterator[list[dict]]:
        """Calls whose `start_time_gmt` is in [start, end), oldest first, each exactly once."""
        scope = self._http.scope("call_history", (start, end))
        cursor = _second(start)
        already: set[str] = set()  # calls yielded from the second the next request starts at
        while True:
            params = {
                "start_datetime": cursor.strftime(_TIME_FORMAT),
                "end_datetime": _second(end).strftime(_TIME_FORMAT),
                "order": "asc",
                "per_page": self._per_page,
            }
            answer = self._http.get_json(
                f"{self._api}/call_history/", scope, _timed_calls, params=params
            )
            calls, per_page = answer or ([], self._per_page)
            # A call with no readable start time or key is passed on as it came (landing
            # quarantines it with its reason); paging only uses the calls that have both.
            page = [
                r
                for r, at in calls
                if at is None or (start <= at < end and _identity(r) not in already)
            ]
            if page:
                yield self.stats.count_page(page)
            timed = [(r, at) for r, at in calls if at is not None]
            if len(calls) < min(per_page, self._per_page) or not timed or timed[-1][1] >= end:
                return
            last = _second(timed[-1][1])
            if last == cursor:
                raise scope.error(
                    SourceResponseError,
                    f"over {per_page} calls started within {last:%Y-%m-%d %H:%M:%S}; "
                    "cannot page past them by time",
                )
            already = {_identity(r) for r, at in timed if _second(at) == last}
            cursor = last


def _identity(call: dict) -> str:
    """What makes a call the same call across overlapping pages: its uuid, or for a call
    that came without one, its whole content (it must be quarantined once, not lost)."""
    return call.get("call_uuid") or orjson.dumps(call, option=orjson.OPT_SORT_KEYS).decode()


def _extension_list(body: list[dict]) -> list[dict]:
    if not isinstance(body, list):
        raise TypeError(f"expected a JSON array of extensions, got {type(body).__name__}")
    return body


def _timed_calls(body: dict) -> tuple[list[tuple[dict, datetime]], int]:
    """Each call with its parsed start time, and the page size the server applied."""
    calls = [(r, _parse_time(r.get("start_time_gmt"))) for r in body["call_history"]]
    return calls, int(body.get("per_page") or PER_PAGE_MAX)


def _parse_time(raw: object) -> datetime | None:
    """Telphin times are UTC without offset, sometimes with fractions (`16:29:38.76`);
    None when the record has no readable start time (a malformed record, not a bad page)."""
    try:
        return datetime.fromisoformat(str(raw)).replace(tzinfo=UTC)
    except ValueError:
        return None


def _second(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(microsecond=0)
