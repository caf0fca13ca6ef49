"""AmplitudeClient: ZIP of gzipped JSON lines in pages, 404 empty, 400 and 504 split, corrupt
retried, the base URL proven once before the first window."""

from __future__ import annotations

import gzip
import io
import logging
import re
import zipfile
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from ingestion.amplitude import AmplitudeClient
from ingestion.errors import (
    SourceAuthError,
    SourceConfigError,
    SourceResponseError,
    SourceUnavailableError,
)
from tests.ingestion.conftest import DEMO_SETTINGS, SURVIVABLE_FAULTS, Reply, survive
from tests.ingestion.test_http import FAST

START = datetime(2025, 3, 1, tzinfo=UTC)
EXPORT = "/api/2/export"
PROJECT = "/api/2/events/list"


def archive(*hours: list[dict]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for i, events in enumerate(hours):
            lines = b"".join(orjson.dumps(e) + b"\n" for e in events)
            bundle.writestr(f"314/314_2025-03-01_{i}#0.json.gz", gzip.compress(lines))
    return buffer.getvalue()


def client(server) -> AmplitudeClient:
    """A client of the scripted server, whose project probe answers as Amplitude's does."""
    server.on("GET", PROJECT, Reply(200, {"data": [{"value": "login"}]}))
    return AmplitudeClient(server.url, "key", "secret", settings=FAST, page_size=2)


def test_events_come_in_pages_across_hour_files(scripted):
    body = archive([{"uuid": "a"}, {"uuid": "b"}, {"uuid": "c"}], [{"uuid": "d"}])
    scripted.on("GET", EXPORT, Reply(200, body, {"Content-Type": "application/zip"}))
    amp = client(scripted)
    pages = list(amp.events(START, START.replace(hour=2)))
    assert [[e["uuid"] for e in p] for p in pages] == [["a", "b"], ["c", "d"]]
    assert scripted.requests_to(EXPORT)[0].query == {
        "start": ["20250301T00"],
        "end": ["20250301T01"],
    }


def test_404_is_an_empty_window_and_400_splits_it(scripted):
    scripted.on(
        "GET",
        EXPORT,
        Reply(400, b"too large"),  # 00..03
        Reply(404, b"no data"),  # 00..01
        Reply(200, archive([{"uuid": "x"}])),  # 02..03
    )
    assert [
        e["uuid"] for p in client(scripted).events(START, START.replace(hour=4)) for e in p
    ] == ["x"]
    windows = [(s.query["start"][0], s.query["end"][0]) for s in scripted.requests_to(EXPORT)]
    assert windows == [
        ("20250301T00", "20250301T03"),
        ("20250301T00", "20250301T01"),
        ("20250301T02", "20250301T03"),
    ]


def test_504_splits_the_window_and_a_single_hour_504_is_retried_then_fatal(scripted):
    """A multi-hour 504 is not retried (the same window times out again): it is halved. A
    single hour cannot shrink, so its 504 gets the ordinary 5xx retries, then fails."""
    scripted.on(
        "GET",
        EXPORT,
        Reply(504, b"Gateway Timeout"),  # 00..01
        Reply(200, archive([{"uuid": "x"}])),  # 00
        Reply(504, b"Gateway Timeout"),  # 01, retried
        Reply(200, archive([{"uuid": "y"}])),  # 01
    )
    amp = client(scripted)
    assert [e["uuid"] for p in amp.events(START, START.replace(hour=2)) for e in p] == ["x", "y"]
    windows = [(s.query["start"][0], s.query["end"][0]) for s in scripted.requests_to(EXPORT)]
    assert windows == [
        ("20250301T00", "20250301T01"),
        ("20250301T00", "20250301T00"),
        ("20250301T01", "20250301T01"),
        ("20250301T01", "20250301T01"),
    ]

    scripted.on("GET", EXPORT, Reply(504, b"Gateway Timeout"))
    with pytest.raises(SourceUnavailableError, match=r"HTTP 504 still after 3 retries"):
        list(client(scripted).events(START, START.replace(hour=1)))


def test_a_base_url_that_answers_404_fails_before_any_window_naming_it(scripted):
    """An EU project asked at the US host answers 404 like an empty window: the probe tells
    them apart, once per client, before the first export."""
    scripted.on("GET", EXPORT, Reply(404, b"no data"))
    amp = client(scripted)
    assert list(amp.events(START, START.replace(hour=1))) == []
    assert list(amp.events(START, START.replace(hour=2))) == []
    assert len(scripted.requests_to(PROJECT)) == 1

    # The scripted server answers 404 to every path under /eu.
    wrong = AmplitudeClient(scripted.url + "/eu", "key", "secret", settings=FAST)
    with pytest.raises(SourceConfigError, match=re.escape(f"GET {scripted.url}/eu{PROJECT}")):
        list(wrong.events(START, START.replace(hour=1)))


def test_corrupt_archive_is_retried_then_fatal(scripted):
    good = archive([{"uuid": "a"}])
    scripted.on("GET", EXPORT, Reply(200, good[:-10] + b"garbage!!!"), Reply(200, good))
    assert list(client(scripted).events(START, START.replace(hour=1))) == [[{"uuid": "a"}]]

    scripted.on("GET", EXPORT, Reply(200, b"PK not a zip"))
    with pytest.raises(SourceResponseError, match=r"amplitude/events .*corrupt export archive"):
        list(client(scripted).events(START, START.replace(hour=1)))


def test_a_line_that_is_not_json_in_an_intact_archive_is_a_clear_error(scripted):
    """The archive check reads CRCs, not JSON: a vendor's broken line is caught as pages
    are read, named, and not retried (the same archive would come again)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        lines = b'{"uuid": "a"}\n{"uuid": \n'
        bundle.writestr("314/314_2025-03-01_0#0.json.gz", gzip.compress(lines))
    scripted.on("GET", EXPORT, Reply(200, buffer.getvalue()))
    with pytest.raises(SourceResponseError, match=r"amplitude/events .*export line not JSON"):
        list(client(scripted).events(START, START.replace(hour=1)))
    assert len(scripted.requests_to(EXPORT)) == 1


# --- against the demo server -------------------------------------------------------------

HOURS = (datetime(2024, 7, 15, 6, tzinfo=UTC), datetime(2024, 7, 15, 10, tzinfo=UTC))


def demo_client(server, world, secret: str | None = None) -> AmplitudeClient:
    creds = world.config.credentials["amplitude"]
    return AmplitudeClient(
        server.urls["amplitude"],
        creds["api_key"],
        secret or creds["secret_key"],
        settings=DEMO_SETTINGS,
        page_size=50,
    )


def event_ids(client: AmplitudeClient, window=HOURS) -> list[str]:
    return [e["uuid"] for p in client.events(*window) for e in p]


def events_truth(world, window=HOURS) -> set[str]:
    return {e.uuid for e in world.activity_events(*window)}


def test_demo_events_match_the_world(demo, demo_world):
    client = demo_client(demo, demo_world)
    ids = event_ids(client)
    truth = events_truth(demo_world)
    assert len(truth) > 50 and len(ids) == len(truth) and set(ids) == truth
    assert client.stats.pages > 1


def test_demo_empty_window_is_no_events(demo, demo_world):
    future = (demo_world.as_of + timedelta(hours=1), demo_world.as_of + timedelta(hours=3))
    assert event_ids(demo_client(demo, demo_world), future) == []


def test_demo_too_large_window_is_split(demo, demo_world):
    demo.set_faults({"amplitude": {"max_window_hours": 1}})
    client = demo_client(demo, demo_world)
    ids = event_ids(client)
    assert len(ids) == len(events_truth(demo_world)) and set(ids) == events_truth(demo_world)
    assert client.stats.requests == 1 + 1 + 2 + 4  # probe; 4 h, then 2 x 2 h, then 4 x 1 h


@pytest.mark.parametrize("fault", sorted(SURVIVABLE_FAULTS))
def test_demo_events_survive(demo, demo_world, fault):
    client = demo_client(demo, demo_world)
    survive(demo, "amplitude", fault, lambda: event_ids(client), events_truth(demo_world))


def test_demo_bad_secret_fails_without_leaking_it(demo, demo_world, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = "wrong-amplitude-secret-42"
    with pytest.raises(SourceAuthError, match=r"^amplitude/events \[2024-07-15T06:00Z, ") as caught:
        event_ids(demo_client(demo, demo_world, wrong))
    assert wrong not in str(caught.value) and wrong not in caplog.text
