"""One day of one stream pulled and landed: what a daily run does for one stream."""

from __future__ import annotations

from datetime import date
from typing import Any

from ingestion.landing import LandingResult
from ingestion.pull import pull_days
from salesboard.layout import DataLayout


def pull_day(client: Any, stream: str, day: date, layout: DataLayout, **options) -> LandingResult:
    """Fetch `stream`'s window for `day` and land it as that day's partition (replacing it)."""
    return next(pull_days(client, stream, [day], layout, **options))
