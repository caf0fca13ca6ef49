"""YooKassa client: payments and refunds, listed by their `created_at`.

YooKassa lists filter only on creation time and have exactly the half-open operators a
window needs (`created_at.gte` + `created_at.lt`), so no records are dropped here. Later
status changes of a payment are caught by re-pulling a lookback window (the caller's
choice), and refunds by their own creation time. Pages follow `next_cursor`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from ingestion.http import HttpSettings, StaticAuth, VendorClient, VendorHttp

DEFAULT_SETTINGS = HttpSettings()
LIMIT_MAX = 100


class YooKassaClient(VendorClient):
    """Reads one shop with HTTP Basic `shop_id:secret_key`."""

    def __init__(
        self,
        base_url: str,
        shop_id: str,
        secret_key: str,
        *,
        settings: HttpSettings = DEFAULT_SETTINGS,
        page_size: int = LIMIT_MAX,
    ) -> None:
        if not 1 <= page_size <= LIMIT_MAX:
            raise ValueError(f"page_size must be within 1..{LIMIT_MAX}")
        super().__init__(VendorHttp("yookassa", StaticAuth.basic(shop_id, secret_key), settings))
        self._base = base_url.rstrip("/")
        self._page_size = page_size

    def payments(self, created_from: datetime, created_to: datetime) -> Iterator[list[dict]]:
        """Payments created in [created_from, created_to), in whatever status they are now."""
        return self._list("payments", created_from, created_to)

    def refunds(self, created_from: datetime, created_to: datetime) -> Iterator[list[dict]]:
        """Refunds created in [created_from, created_to)."""
        return self._list("refunds", created_from, created_to)

    def _list(self, stream: str, start: datetime, end: datetime) -> Iterator[list[dict]]:
        scope = self._http.scope(stream, (start, end))
        params: dict[str, Any] = {
            "created_at.gte": _iso(start),
            "created_at.lt": _iso(end),
            "limit": self._page_size,
        }
        while True:
            answer = self._http.get_json(f"{self._base}/{stream}", scope, _items, params=params)
            items, cursor = answer or ([], None)
            if items:
                yield self.stats.count_page(items)
            if not cursor:
                return
            params["cursor"] = cursor


def _items(body: dict) -> tuple[list[dict], str | None]:
    return list(body["items"]), body.get("next_cursor")


def _iso(at: datetime) -> str:
    """YooKassa's ISO 8601 with milliseconds and `Z`: `2025-03-01T00:00:00.000Z`."""
    at = at.astimezone(UTC)
    return f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z"
