"""Exceptions the vendor clients raise when a source cannot be read.

Every error names the source, the stream and the window being pulled, so an alert says
exactly which partition to re-run, and the subclass says what to do about it: fix the
credentials, ask the vendor to lift a block, report a broken payload, or simply retry later.
Messages never carry secrets: clients build them from status codes and redacted snippets.
"""

from __future__ import annotations

from datetime import UTC, datetime

Window = tuple[datetime, datetime]


def format_window(window: Window | None) -> str:
    """Render a half-open UTC window as `[2025-03-01T00:00Z, 2025-03-02T00:00Z)`."""
    if window is None:
        return ""
    start, end = (_format_instant(t) for t in window)
    return f" [{start}, {end})"


def _format_instant(t: datetime) -> str:
    t = t.astimezone(UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ" if t.second or t.microsecond else "%Y-%m-%dT%H:%MZ")


class SourceError(Exception):
    """A source could not be read for one stream and window."""

    def __init__(self, source: str, stream: str, window: Window | None, message: str) -> None:
        self.source = source
        self.stream = stream
        self.window = window
        self.message = message
        super().__init__(f"{source}/{stream}{format_window(window)}: {message}")


class SourceAuthError(SourceError):
    """Credentials were rejected (401 after a token refresh, or 401 for static credentials)."""


class SourceBlockedError(SourceError):
    """The vendor blocked the integration (amoCRM's 403 page); only vendor support lifts it."""


class SourceConfigError(SourceError):
    """The configured base URL (host, region or path) does not reach the vendor's API."""


class SourceResponseError(SourceError):
    """The vendor answered with something unusable (malformed body after retries, odd status)."""


class SourceUnavailableError(SourceError):
    """Retries were exhausted on 429, 5xx or connection failures; try the run again later."""
