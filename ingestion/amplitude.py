"""Amplitude Export API client: product events by server upload hour.

The export answers a ZIP of gzipped JSON-lines files, one per hour, possibly gigabytes:
it is streamed to a temporary file, checked whole (a cut or corrupt archive is fetched
again), then read back in pages so a day never sits in memory. Windows are whole hours by
`server_upload_time`, `start`/`end` both inclusive. An empty window is a 404; a window
too large for one export is a 400 (over 4 GB, Amplitude's export docs) or a 504 (the export
took too long, reported by users of a widely used Amplitude connector), and either is
answered by splitting the window in halves, down to the export's unit, one hour: a single
hour's 504 is retried like any 5xx. Because a 404 also comes from a wrong host, region or
path (an EU project asked at the US host), the client first proves once that its base URL
and keys reach the project (`/api/2/events/list`, the Dashboard REST API on the same host
and keys), so a misconfiguration fails loudly instead of landing empty days.
"""

from __future__ import annotations

import gzip
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path

import orjson

from ingestion.errors import SourceResponseError
from ingestion.http import HttpSettings, MalformedBody, Scope, StaticAuth, VendorClient, VendorHttp

DEFAULT_SETTINGS = HttpSettings(read_timeout=300.0)
HOUR = timedelta(hours=1)
CHECK_BLOCK = 1 << 20
_CORRUPT = (zipfile.BadZipFile, gzip.BadGzipFile, EOFError, zlib.error)


class AmplitudeClient(VendorClient):
    """Reads one Amplitude project with HTTP Basic `api_key:secret_key`."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        secret_key: str,
        *,
        settings: HttpSettings = DEFAULT_SETTINGS,
        page_size: int = 1000,
        tmp_dir: Path | None = None,
    ) -> None:
        auth = StaticAuth.basic(api_key, secret_key)
        super().__init__(VendorHttp("amplitude", auth, settings))
        self._url = base_url.rstrip("/") + "/api/2/export"
        self._project_url = base_url.rstrip("/") + "/api/2/events/list"
        self._project_reached = False
        self._page_size = page_size
        self._tmp_dir = tmp_dir

    def event_types(self) -> list[str]:
        """The project's event types (Dashboard REST API `events/list`, `data[].value`); the
        same request proves the base URL and keys (`SourceAuthError` for bad keys)."""
        scope = self._http.scope("event_types")
        return self._http.get_json(self._project_url, scope, _event_type_names) or []

    def events(self, upload_from: datetime, upload_to: datetime) -> Iterator[list[dict]]:
        """Events uploaded in [upload_from, upload_to); both bounds must be whole UTC hours.

        The client's first call proves the base URL reaches the project: `SourceConfigError`
        naming the URL when it does not (see the module doc), `SourceAuthError` for bad keys.
        """
        scope = self._http.scope("events", (upload_from, upload_to))
        if any(t.minute or t.second or t.microsecond for t in (upload_from, upload_to)):
            raise ValueError(f"{scope}: the export works in whole hours")
        if not self._project_reached:
            self._http.probe(self._project_url, scope)
            self._project_reached = True
        return self._export(scope, upload_from.astimezone(UTC), upload_to.astimezone(UTC) - HOUR)

    def _export(self, scope: Scope, first: datetime, last: datetime) -> Iterator[list[dict]]:
        """Hours `first`..`last` inclusive; on 400 or 504 the two halves one after the other."""
        params = {"start": f"{first:%Y%m%dT%H}", "end": f"{last:%Y%m%dT%H}"}
        # A single hour cannot shrink: its 504 is retried (and finally raised) like any 5xx.
        too_large = frozenset({400, 504}) if first < last else frozenset({400})
        with tempfile.TemporaryDirectory(prefix="amplitude-", dir=self._tmp_dir) as tmp:
            archive = Path(tmp) / "export.zip"
            status = self._http.download(
                self._url, scope, archive, _check, params=params, passthrough=too_large | {404}
            )
            if status == 200:
                events = _events(archive)
                try:
                    while page := list(islice(events, self._page_size)):
                        yield self.stats.count_page(page)
                except orjson.JSONDecodeError as e:  # intact archive, broken line: no retry
                    raise scope.error(SourceResponseError, f"export line not JSON: {e}") from e
                return
        if status == 404:  # nothing uploaded in the window
            return
        if first == last:
            raise scope.error(
                SourceResponseError, f"HTTP 400 even for the single hour {params['start']}"
            )
        hours = (last - first) // HOUR + 1
        middle = first + (hours // 2) * HOUR
        self._http.log.info(
            "%s: export too large (HTTP %d), splitting %s..%s", scope, status, first, last
        )
        yield from self._export(scope, first, middle - HOUR)
        yield from self._export(scope, middle, last)


def _event_type_names(body: dict) -> list[str]:
    return [str(entry["value"]) for entry in body["data"]]


def _check(archive: Path) -> None:
    """Decompress the whole archive once, so a corrupt download is retried before any page
    is out: ZIP and gzip both check each member's CRC-32 and length at its end. The JSON
    is parsed once, as pages are read (`_events`)."""
    try:
        with zipfile.ZipFile(archive) as bundle:
            for name in _members(bundle):
                with bundle.open(name) as member, gzip.open(member) as lines:
                    while lines.read(CHECK_BLOCK):
                        pass
    except _CORRUPT as e:
        raise MalformedBody(f"corrupt export archive ({type(e).__name__}: {e})") from e


def _members(bundle: zipfile.ZipFile) -> list[str]:
    """The hourly files, in member-name (hour) order."""
    return sorted(n for n in bundle.namelist() if not n.endswith("/"))


def _events(archive: Path) -> Iterator[dict]:
    """Every event of every hourly member, in member-name (hour) order."""
    with zipfile.ZipFile(archive) as bundle:
        for name in _members(bundle):
            with bundle.open(name) as member, gzip.open(member) as lines:
                for line in lines:
                    if line.strip():
                        yield orjson.loads(line)
