"""AmplitudeClient: ZIP of gzipped JSON lines in pages, 404 empty, 400 split, corrupt retried."""

from __future__ import annotations

import gzip
import io
import logging
import zipfile
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from ingestion.amplitude import AmplitudeClient
from ingestion.errors import SourceAuthError, SourceResponseError
from tests.ingestion.conftest import DEMO_SETTINGS, SURVIVABLE_FAULTS, Reply, survive
from tests.ingestion.test_http import FAST

START = datetime(2025, 3, 1, tzinfo=UTC)
EXPORT = "/api/2/export"


def archive(*hours: list[dict]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for i, events in enumerate(hours):
            lines = b"".join(orjson.dumps(e) + b"\n" for e in events)
            bundle.writestr(f"314/314_2025-03-01_{i}#0.json.gz", gzip.compress(lines))
    return buffer.getvalue()


def client(server) -> AmplitudeClient:
    return AmplitudeClient(server.url, "key", "secret", settings=FAST, page_size=2)


def test_events_come_in_pages_across_hour_files(scripted):
    body = archive([{"uuid": "a"}, {"uuid": "b"}, {"uuid": "c"}], [{"uuid": "d"}])
    scripted.on("GET", EXPORT, Reply(200, body, {"Content-Type": "application/zip"}))
    amp = client(scripted)
    pages = list(amp.events(START, START.replace(hour=2)))
    assert [[e["uuid"] for e in p] for p in pages] == [["a", "b"], ["c", "d"]]
    assert scripted.seen[0].query == {"start": ["20250301T00"], "end": ["20250301T01"]}


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
    windows = [(s.query["start"][0], s.query["end"][0]) for s in scripted.seen]
    assert windows == [
        ("20250301T00", "20250301T03"),
        ("20250301T00", "20250301T01"),
        ("20250301T02", "20250301T03"),
    ]


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
    assert len(scripted.seen) == 1


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
    assert client.stats.requests == 1 + 2 + 4  # 4 h, then 2 x 2 h, then 4 x 1 h


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
