"""amoCRM API v4 client: leads, contacts, users, pipelines, lead custom fields and lead
status changes.

amoCRM's time filters take unix seconds and include both ends, so a window [start, end)
is asked as [floor(start), floor(end)] and records outside it are dropped here; otherwise
a record updated exactly at midnight would land in two daily partitions. Lists are HAL
pages followed through `_links.next`; an empty list is a 204 with no body. The API allows
7 requests/s per integration and answers repeated excess with a 403 HTML page that only
support lifts, so the client stays under a configurable rate and treats 403 as fatal.

A deleted lead or contact drops out of the ordinary lists: amoCRM shows it only when asked
(`with=only_deleted`, the trash), as a record with its id, `updated_at` and
`is_deleted: true`. So each `updated_at` window is listed twice, live then trash. Whether
the trash honours the `updated_at` filter is unverified; the client's own window filter
keeps the result right either way.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from itertools import chain
from typing import Any
from urllib.parse import urljoin

from ingestion.http import HttpSettings, RateLimiter, Scope, StaticAuth, VendorClient, VendorHttp

DEFAULT_SETTINGS = HttpSettings(busy_wait=1.0)
PAGE_MAX = 250
EVENTS_PAGE_MAX = 100


class AmoCrmClient(VendorClient):
    """Reads one amoCRM account with a long-lived integration token."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        settings: HttpSettings = DEFAULT_SETTINGS,
        page_size: int = PAGE_MAX,
        events_page_size: int = EVENTS_PAGE_MAX,
        requests_per_second: float = 6.0,
    ) -> None:
        if not (1 <= page_size <= PAGE_MAX and 1 <= events_page_size <= EVENTS_PAGE_MAX):
            raise ValueError(f"page sizes: 1..{PAGE_MAX}, events 1..{EVENTS_PAGE_MAX}")
        throttle = RateLimiter(requests_per_second)
        super().__init__(VendorHttp("amocrm", StaticAuth.bearer(token), settings, throttle))
        self._base = base_url.rstrip("/") + "/"
        self._page_size = page_size
        self._events_page_size = events_page_size

    def leads(self, updated_from: datetime, updated_to: datetime) -> Iterator[list[dict]]:
        """Leads updated in [updated_from, updated_to), with their linked contacts embedded,
        then the leads deleted in it (deletion markers, see the module doc)."""
        return self._updated("leads", "api/v4/leads", updated_from, updated_to, with_="contacts")

    def contacts(self, updated_from: datetime, updated_to: datetime) -> Iterator[list[dict]]:
        """Contacts updated in [updated_from, updated_to) (phones and e-mails in custom fields),
        then the contacts deleted in it."""
        return self._updated("contacts", "api/v4/contacts", updated_from, updated_to)

    def users(self) -> Iterator[list[dict]]:
        """All users of the account (the managers)."""
        return self._pages(self._http.scope("users"), "api/v4/users", "users", {})

    def lead_custom_fields(self) -> Iterator[list[dict]]:
        """The account's lead custom fields (`id`, `name`, `code` or null, `type`, ...)."""
        scope = self._http.scope("lead_custom_fields")
        return self._pages(scope, "api/v4/leads/custom_fields", "custom_fields", {})

    def pipelines(self) -> Iterator[list[dict]]:
        """Lead pipelines with their statuses embedded."""
        return self._pages(self._http.scope("pipelines"), "api/v4/leads/pipelines", "pipelines", {})

    def status_change_events(
        self, created_from: datetime, created_to: datetime
    ) -> Iterator[list[dict]]:
        """`lead_status_changed` events created in [created_from, created_to)."""
        scope = self._http.scope("status_change_events", (created_from, created_to))
        params = {
            "filter[type]": "lead_status_changed",
            "order[created_at]": "asc",
            **_inclusive_filter("created_at", created_from, created_to),
            "limit": self._events_page_size,
        }
        keep = _within("created_at", created_from, created_to)
        return self._pages(scope, "api/v4/events", "events", params, keep)

    def _updated(
        self, stream: str, path: str, start: datetime, end: datetime, with_: str | None = None
    ) -> Iterator[list[dict]]:
        params: dict[str, Any] = {
            **_inclusive_filter("updated_at", start, end),
            "order[updated_at]": "asc",
            "limit": self._page_size,
        }
        scope = self._http.scope(stream, (start, end))
        keep = _within("updated_at", start, end)
        live = self._pages(scope, path, stream, params | ({"with": with_} if with_ else {}), keep)
        deleted = self._pages(scope, path, stream, params | {"with": "only_deleted"}, keep)
        return chain(live, deleted)

    def _pages(
        self,
        scope: Scope,
        path: str,
        key: str,
        params: Mapping[str, Any],
        keep: Callable[[dict], bool] = lambda record: True,
    ) -> Iterator[list[dict]]:
        """Follow `_links.next` from page 1; yield each page's `_embedded[key]` that `keep`s."""
        url: str | None = urljoin(self._base, path)
        query: Mapping[str, Any] | None = {**params, "page": 1}

        def extract(body: dict) -> tuple[list[dict], str | None]:
            records = [r for r in body["_embedded"][key] if keep(r)]
            return records, body.get("_links", {}).get("next", {}).get("href")

        while url:
            answer = self._http.get_json(url, scope, extract, params=query)
            if answer is None:  # 204: nothing (more) to list
                return
            records, next_href = answer
            if records:
                yield self.stats.count_page(records)
            url = urljoin(self._base, next_href) if next_href else None
            query = None  # the next link carries the whole query


def _inclusive_filter(field: str, start: datetime, end: datetime) -> dict[str, int]:
    return {
        f"filter[{field}][from]": math.floor(start.timestamp()),
        f"filter[{field}][to]": math.floor(end.timestamp()),
    }


def _within(field: str, start: datetime, end: datetime) -> Callable[[dict], bool]:
    low, high = start.timestamp(), end.timestamp()
    return lambda record: low <= record[field] < high
