"""One partition of one stream, from the vendor to the landing zone.

The client call behind each stream lives here, beside the window rule (`windows`) and the
landing (`landing`), so the Dagster asset only says *which* day to pull.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from typing import Any

from ingestion.landing import LandingResult, land_partition
from ingestion.paths import DataLayout
from ingestion.streams import STREAMS
from ingestion.windows import Window, WindowSettings, fetch_window

Pages = Iterator[list[dict]]

PULLS: dict[str, Callable[[Any, Window | None], Pages]] = {
    "telphin.calls": lambda client, window: client.call_history(*window),
    "telphin.extensions": lambda client, _: client.extensions(),
    "amocrm.leads": lambda client, window: client.leads(*window),
    "amocrm.contacts": lambda client, window: client.contacts(*window),
    "amocrm.users": lambda client, _: client.users(),
    "amocrm.pipelines": lambda client, _: client.pipelines(),
    "amocrm.status_events": lambda client, window: client.status_change_events(*window),
    "yookassa.payments": lambda client, window: client.payments(*window),
    "yookassa.refunds": lambda client, window: client.refunds(*window),
    "amplitude.events": lambda client, window: client.events(*window),
}


def pull_days(
    client: Any,
    stream: str,
    days: list[date],
    layout: DataLayout,
    *,
    run_id: str,
    ingested_at: datetime,
    window_settings: WindowSettings | None = None,
) -> Iterator[LandingResult]:
    """Land each of `days` in turn, yielding as each partition is published.

    A snapshot stream (no window) is fetched once and the same state lands in every day of
    the run: a backfill must not ask the vendor for its user list a hundred times.
    """
    snapshot: list[list[dict]] | None = None
    for day in days:
        window = fetch_window(stream, day, window_settings)
        if window is None:
            snapshot = snapshot if snapshot is not None else list(PULLS[stream](client, None))
            pages: Iterable[list[dict]] = snapshot
        else:
            pages = PULLS[stream](client, window)
        yield land_partition(layout, STREAMS[stream], day, pages, run_id, ingested_at)


def pull_day(client: Any, stream: str, day: date, layout: DataLayout, **options) -> LandingResult:
    """Fetch `stream`'s window for `day` and land it as that day's partition (replacing it)."""
    return next(pull_days(client, stream, [day], layout, **options))
