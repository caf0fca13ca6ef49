"""What the running demo server knows besides the world: its clock, faults, attempt counts
and how often each fault fired.

One object shared by the four vendors and the control endpoints, so moving the clock or
switching faults at runtime affects every API at once.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from ingestion.demo.api.faults import FaultConfig, hits
from ingestion.demo.world import World


class Clock:
    """The server's "now": the real clock, or a frozen instant set by a test or operator.

    Records appear on the APIs only once their time has passed on this clock, which lets
    a test replay "the pipeline ran at 06:00, then again at 09:00" in milliseconds.
    """

    def __init__(self, frozen_at: datetime | None = None):
        self.set(frozen_at)

    def set(self, frozen_at: datetime | None) -> None:
        if frozen_at is not None and frozen_at.tzinfo is None:
            raise ValueError("the demo clock needs a timezone-aware datetime")
        self.frozen_at = frozen_at.astimezone(UTC) if frozen_at else None

    def now(self) -> datetime:
        return self.frozen_at or datetime.now(UTC)


class DemoState:
    def __init__(self, world: World, faults: FaultConfig, clock: Clock):
        self.world = world
        self.clock = clock
        self.faults = faults
        self.attempts: Counter[str] = Counter()
        self.fired: Counter[str] = Counter()  # "api.fault" -> times it hit; never reset

    def fire(self, api: str, fault: str) -> None:
        """Count one firing of a fault, so a test can prove the fault it set happened."""
        self.fired[f"{api}.{fault}"] += 1

    def set_faults(self, faults: FaultConfig) -> None:
        """Replace the faults and forget attempt counts, so a run replays from attempt 1."""
        self.faults = faults
        self.attempts.clear()

    def next_attempt(self, request_key: str) -> int:
        self.attempts[request_key] += 1
        return self.attempts[request_key]

    def visible(self, api: str, record_id: object, at: datetime, now: datetime) -> bool:
        """A record exists on the wire once `at` has passed, or later if it arrives late
        (counted as a firing of late_records when that holds it back from `now`)."""
        if at > now:
            return False
        delay = timedelta(hours=self.faults.api(api).late_records.delay_hours)
        if hits(self.faults, api, "late_records", record_id) and at + delay > now:
            self.fire(api, "late_records")
            return False
        return True
