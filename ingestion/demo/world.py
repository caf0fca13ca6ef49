"""The simulated world as one object: what the demo APIs serve and the truth tests compare with."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from ingestion.demo.activity import ActivityModel, events_uploaded_between
from ingestion.demo.config import CompanyConfig
from ingestion.demo.model import (
    ActivityEvent,
    Call,
    Manager,
    Payment,
    Refund,
    Region,
    Signup,
    StatusChange,
    Tariff,
)


@dataclass
class World:
    """Everything that happened in the demo company up to `as_of` (UTC, exclusive).

    Lists are sorted by their natural time (`created_at`, `start_time`, `at`). Activity
    events are too many to hold, so they are expanded on demand, by upload time.
    """

    config: CompanyConfig
    as_of: datetime
    regions: list[Region]
    managers: list[Manager]
    tariffs: dict[str, Tariff]
    signups: list[Signup]
    calls: list[Call]
    status_changes: list[StatusChange]
    payments: list[Payment]
    refunds: list[Refund]

    @functools.cached_property
    def activity(self) -> ActivityModel:
        """Per-account activity spans, built on first use (the APIs need them, truth doesn't)."""
        return ActivityModel(self)

    def activity_events(
        self, upload_from: datetime, upload_to: datetime
    ) -> Iterator[ActivityEvent]:
        """Events whose `server_upload_time` is in [upload_from, upload_to), in upload order.

        Deterministic: the same window always yields the same events, byte for byte.
        """
        return events_uploaded_between(self, upload_from, upload_to)
