"""Amplitude normalizer: export records to typed columns, properties as canonical JSON."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ingestion.amplitude import AmplitudeClient
from ingestion.streams import STREAMS
from ingestion.streams.parsing import collect_retyped
from ingestion.streams.spec import RecordRejected
from ingestion.windows import fetch_window

EVENTS = STREAMS["amplitude.events"]


def event(**changes) -> dict:
    record = {
        "uuid": "526bf846-3ad2-43a6-8a63-37a59ed8f629",
        "$insert_id": "acc0000333-20240721-7",
        "event_type": "report_viewed",
        "user_id": "acc0000333",
        "device_id": "a1f2c233-6903-457f-93c3-acd615b2efd1",
        "event_time": "2024-07-21 21:29:52.563741",
        "server_upload_time": "2024-07-21 21:30:52.785260",
        "event_properties": {"report": "pnl", "period": "month"},
        "user_properties": {"region": "VVO", "channel": "ads"},
        "platform": "iOS",
        "amplitude_id": 123456789,
        "city": "Vladivostok",
    }
    return record | changes


def test_an_event_becomes_typed_columns():
    row = EVENTS.normalize(event())
    assert row["event_time"] == datetime(2024, 7, 21, 21, 29, 52, 563741, tzinfo=UTC)
    assert row["insert_id"] == "acc0000333-20240721-7"
    assert row["platform"] == "ios"
    assert row["event_properties"] == '{"period":"month","report":"pnl"}'
    assert row["user_properties"] == '{"channel":"ads","region":"VVO"}'


def test_an_event_time_sent_as_epoch_milliseconds_is_coerced_and_counted():
    with collect_retyped() as retyped:
        row = EVENTS.normalize(event(event_time=1721597392563))
    assert row["event_time"] == datetime(2024, 7, 21, 21, 29, 52, 563000, tzinfo=UTC)
    assert retyped == {"event_time": 1}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"uuid": None}, "missing:uuid"),
        ({"event_type": None}, "missing:event_type"),
        ({"server_upload_time": "yesterday"}, "bad_timestamp:server_upload_time"),
        ({"event_time": 1.5e12}, "bad_timestamp:event_time"),
    ],
)
def test_bad_events_are_rejected_with_a_reason(change, reason):
    with pytest.raises(RecordRejected) as caught:
        EVENTS.normalize(event(**change))
    assert caught.value.reason == reason


def test_the_demo_server_records_normalize_cleanly(demo_api, demo_world):
    creds = demo_world.config.credentials["amplitude"]
    client = AmplitudeClient(demo_api.urls["amplitude"], creds["api_key"], creds["secret_key"])
    start, end = fetch_window("amplitude.events", date(2024, 7, 22))
    rows = [EVENTS.normalize(r) for page in client.events(start, end) for r in page]
    assert rows
    assert all(start <= r["server_upload_time"] < end for r in rows)
    assert {r["platform"] for r in rows} <= EVENTS.quality.enums["platform"]
