"""Product activity (Amplitude events), expanded lazily from each account's engagement.

A year of events is millions of rows, so the world keeps only *spans* (trial, paid
periods) and each (account, UTC day) draws its events from its own seeded generator
when a window is asked for. Engagement drives both the event rate and churn
(`billing`), and activity fades in the last weeks of a period that will not be renewed,
which is the signal the churn-risk mart must find.
"""

from __future__ import annotations

import functools
import heapq
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ingestion.demo.model import ActivityEvent, Signup
from ingestion.demo.randomness import poisson, rng_for, uuid4_from, weighted_choice

if TYPE_CHECKING:
    from ingestion.demo.world import World

PRE_ACTIVATION_EVENTS = {"login": 0.6, "settings_changed": 0.25, "video_lesson_watched": 0.15}
FADE_DAYS = 42  # activity fades over the last six weeks before a churn
FADE_FACTOR = 0.35


@dataclass(frozen=True)
class Span:
    """Days [first, last_exclusive) during which an account uses the product."""

    signup: Signup
    first: date
    last_exclusive: date
    fade_from: date | None  # the period will not be renewed: activity fades from this day


class ActivityModel:
    def __init__(self, world: World):
        self.world = world
        cfg = world.config["activity"]
        self.cfg = cfg
        self.seed = world.config.seed
        self.max_delay = timedelta(minutes=cfg["upload_delay_minutes"][1])
        self.region_offsets = {
            r.code: round(datetime(2025, 1, 1, tzinfo=ZoneInfo(r.tz)).utcoffset().seconds / 3600)
            for r in world.regions
        }
        self.hour_weights = world.config["signups"]["hour_weights_local"]
        self.spans = self._spans()

    @functools.cache  # noqa: B019 - one model per world
    def _spans_by_account(self) -> dict[str, list[Span]]:
        by_account: dict[str, list[Span]] = {}
        for span in self.spans:
            by_account.setdefault(span.signup.account_id, []).append(span)
        return by_account

    def _spans(self) -> list[Span]:
        by_account: dict[str, list] = {}
        for p in self.world.payments:
            if p.status == "succeeded":
                by_account.setdefault(p.account_id, []).append(p)
        spans = []
        trial = timedelta(days=self.cfg["trial_days"])
        for s in self.world.signups:
            trial_end = s.created_at + trial
            if s.activated_at is not None:
                trial_end = max(trial_end, s.activated_at + timedelta(days=1))
            spans.append(Span(s, s.created_at.date(), trial_end.date() + timedelta(days=1), None))
            periods = sorted(by_account.get(s.account_id, []), key=lambda p: p.period_start)
            for i, p in enumerate(periods):
                renewed = i + 1 < len(periods) and periods[i + 1].period_start <= p.period_end
                fade = None if renewed else p.period_end - timedelta(days=FADE_DAYS)
                spans.append(Span(s, p.period_start, p.period_end, fade))
        return spans

    @functools.lru_cache(maxsize=4)  # noqa: B019 - one model per world, a few days cached
    def events_of_day(self, day: date) -> tuple[ActivityEvent, ...]:
        """Every account's events of `day` (UTC), in upload order."""
        events = [
            e for span in _first_per_account(self.spans, day) for e in self._account_day(span, day)
        ]
        events.sort(key=lambda e: (e.server_upload_time, e.uuid))
        return tuple(events)

    def account_events(self, account_id: str, days: Iterable[date]) -> list[ActivityEvent]:
        """One account's events of each of `days` (UTC): exactly those `events_of_day` holds
        for it, without making every other account's (the test side's truth reads a few
        hundred accounts of 18 months)."""
        spans = self._spans_by_account().get(account_id, [])
        return [
            e
            for day in days
            for span in _first_per_account(spans, day)
            for e in self._account_day(span, day)
        ]

    def _account_day(self, span: Span, day: date) -> list[ActivityEvent]:
        s = span.signup
        rng = rng_for(self.seed, "activity", s.account_id, day.isoformat())
        day_start = datetime.combine(day, time(), UTC)
        activated = s.activated_at is not None and s.activated_at < day_start + timedelta(days=1)
        intensity = s.engagement if activated else 0.15
        if span.fade_from is not None and day >= span.fade_from:
            intensity *= FADE_FACTOR
        planned: list[tuple[datetime, str]] = []
        if s.activated_at is not None and s.activated_at.date() == day:
            planned.append((s.activated_at, "bank_statement_imported"))
        if rng.random() < self.cfg["active_day_share"] * max(intensity, 0.1):
            count = 1 + poisson(rng, self.cfg["events_per_active_day"] * intensity)
            offset = self.region_offsets.get(s.region, 3)
            for _ in range(count):
                local_hour = rng.choices(range(24), weights=self.hour_weights, k=1)[0]
                at = day_start + timedelta(
                    hours=(local_hour - offset) % 24, seconds=rng.uniform(0, 3600)
                )
                after_activation = s.activated_at is not None and at > s.activated_at
                mix = self.cfg["event_mix"] if after_activation else PRE_ACTIVATION_EVENTS
                planned.append((at, weighted_choice(rng, mix)))
        if s.watched_lessons and not activated and rng.random() < 0.3:
            planned.append(
                (day_start + timedelta(hours=rng.uniform(6, 18)), "video_lesson_watched")
            )
        device = uuid4_from(rng_for(self.seed, "device", s.account_id))
        platform = weighted_choice(rng, self.cfg["platforms"])
        lo, hi = self.cfg["upload_delay_minutes"]
        events = []
        for n, (at, kind) in enumerate(sorted(planned)):
            delay = timedelta(minutes=lo + (hi - lo) * (1 - math.sqrt(rng.random())) ** 3)
            events.append(
                ActivityEvent(
                    uuid=uuid4_from(rng),
                    insert_id=f"{s.account_id}-{day:%Y%m%d}-{n}",
                    event_type=kind,
                    user_id=s.account_id,
                    device_id=device,
                    event_time=at,
                    server_upload_time=at + delay,
                    event_properties=self._properties(rng, kind),
                    platform=platform,
                )
            )
        return events

    def _properties(self, rng, kind: str) -> dict:
        if kind == "report_viewed":
            return {"report": rng.choice(self.cfg["reports"])}
        if kind == "bank_statement_imported":
            return {"rows": rng.randint(20, 400), "bank": rng.choice(["sber", "tinkoff", "alfa"])}
        if kind == "operation_created":
            return {"kind": rng.choice(["income", "expense", "transfer"])}
        if kind == "video_lesson_watched":
            return {"lesson": rng.randint(1, 12)}
        return {}


def events_uploaded_between(
    world: World, upload_from: datetime, upload_to: datetime
) -> Iterator[ActivityEvent]:
    model = world.activity
    first = (upload_from - model.max_delay).date()
    days = [first + timedelta(days=n) for n in range((upload_to.date() - first).days + 1)]
    merged = heapq.merge(
        *(model.events_of_day(day) for day in days),
        key=lambda e: (e.server_upload_time, e.uuid),
    )
    for event in merged:
        if upload_from <= event.server_upload_time < upload_to and event.event_time < world.as_of:
            yield event


def _first_per_account(spans: Iterable[Span], day: date) -> Iterator[Span]:
    """The span of each account that makes its events of `day`: the first holding the day."""
    seen: set[str] = set()
    for span in spans:
        if span.first <= day < span.last_exclusive and span.signup.account_id not in seen:
            seen.add(span.signup.account_id)
            yield span
