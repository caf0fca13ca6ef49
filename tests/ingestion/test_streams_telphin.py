"""Telphin normalizers on wire-format records, including the bad inputs vendors send."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ingestion.streams import STREAMS
from ingestion.streams.parsing import collect_retyped
from ingestion.streams.spec import RecordRejected
from ingestion.telphin import TelphinClient

CALLS = STREAMS["telphin.calls"]
EXTENSIONS = STREAMS["telphin.extensions"]


def call(**changes) -> dict:
    """An answered outbound call as Telphin's call_history returns it."""
    record = {
        "call_uuid": "8f4a3c1e-0b7d-4e55-9a1f-2c6d8e9f0a11",
        "flow": "out",
        "init_time_gmt": "2025-03-03 09:15:01.20",
        "start_time_gmt": "2025-03-03 09:15:02",
        "bridged_time_gmt": "2025-03-03 09:15:20.76",
        "hangup_time_gmt": "2025-03-03 09:17:05.50",
        "duration": 124,
        "bridged_duration": 105,
        "result": "answered",
        "hangup_disposition": "callee_bye",
        "extension_id": 700101,
        "extension_name": "00000*101",
        "from_username": "00000*101",
        "to_username": "+7 (913) 123-45-67",
        "from_screen_name": "Anna Smirnova",
        "did_number": "78121234500",
        "cdr": [
            {
                "result": "answered",
                "ani_number": "78121234500",
                "dest_number": "+7 (913) 123-45-67",
                "record_uuid": "rec-1",
            }
        ],
    }
    return record | changes


def rejection(record: dict) -> str:
    with pytest.raises(RecordRejected) as caught:
        CALLS.normalize(record)
    return caught.value.reason


def test_a_call_becomes_typed_utc_columns():
    row = CALLS.normalize(call())
    assert row["start_time"] == datetime(2025, 3, 3, 9, 15, 2, tzinfo=UTC)
    assert row["bridged_time"] == datetime(2025, 3, 3, 9, 15, 20, 760000, tzinfo=UTC)
    assert (row["duration_seconds"], row["bridged_duration_seconds"]) == (124, 105)
    assert (row["result"], row["hangup_disposition"], row["flow"]) == (
        "answered",
        "callee_bye",
        "out",
    )
    assert (row["ani_number"], row["record_uuid"], row["legs_count"]) == (
        "78121234500",
        "rec-1",
        1,
    )
    assert set(row) == set(CALLS.columns.names)


@pytest.mark.parametrize("number", ["+7 (913) 123-45-67", "8 913 1234567", "8(913)123-45-67"])
def test_phone_numbers_are_kept_exactly_as_sent(number):
    leg = {"ani_number": "74951234567", "dest_number": number}
    row = CALLS.normalize(call(to_username=number, cdr=[leg]))
    assert row["to_username"] == row["dest_number"] == number


def test_enums_get_one_spelling():
    row = CALLS.normalize(call(result="Not Answered", flow="OUT"))
    assert (row["result"], row["flow"]) == ("not_answered", "out")


@pytest.mark.parametrize("talk", [None, 0])
def test_a_call_never_connected_has_no_talk_time(talk):
    row = CALLS.normalize(call(bridged_time_gmt=None, bridged_duration=talk, result="busy"))
    assert row["bridged_time"] is None
    assert row["bridged_duration_seconds"] is None


def test_the_outbound_leg_gives_the_caller_id():
    legs = [
        {"flow": "in", "ani_number": "79131234567", "dest_number": "74951234567"},
        {"flow": "out", "ani_number": "78121234500", "record_uuid": "rec-2"},
    ]
    row = CALLS.normalize(call(cdr=legs))
    assert (row["ani_number"], row["record_uuid"], row["legs_count"]) == (
        "78121234500",
        "rec-2",
        2,
    )


def test_a_duration_sent_as_text_is_coerced_and_counted():
    with collect_retyped() as retyped:
        row = CALLS.normalize(call(duration="124"))
    assert row["duration_seconds"] == 124
    assert retyped == {"duration": 1}


def test_an_optional_field_may_be_absent():
    record = call()
    del record["did_number"]
    assert CALLS.normalize(record)["did_number"] is None


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"call_uuid": None}, "missing:call_uuid"),
        ({"start_time_gmt": "03.03.2025 09:15"}, "bad_timestamp:start_time_gmt"),
        ({"hangup_time_gmt": "2025-02-30 10:00:00"}, "bad_timestamp:hangup_time_gmt"),
        ({"duration": "two minutes"}, "bad_integer:duration"),
        ({"duration": 12.5}, "bad_integer:duration"),
        ({"cdr": "none"}, "bad_list:cdr"),
        ({"to_username": {"number": "1"}}, "bad_text:to_username"),
    ],
)
def test_bad_records_are_rejected_with_a_reason(change, reason):
    assert rejection(call(**change)) == reason


def test_a_missing_required_key_is_rejected():
    record = call()
    del record["start_time_gmt"]
    assert rejection(record) == "missing:start_time_gmt"


def test_an_extension():
    row = EXTENSIONS.normalize(
        {"id": 700101, "name": "00000*101", "type": "phone", "label": "Anna Smirnova"}
    )
    assert row == {
        "id": 700101,
        "name": "00000*101",
        "type": "phone",
        "label": "Anna Smirnova",
        "status": None,
    }


def test_the_demo_server_calls_normalize_cleanly(demo_api, demo_world):
    creds = demo_world.config.credentials["telphin"]
    client = TelphinClient(demo_api.urls["telphin"], creds["client_id"], creds["client_secret"])
    start = demo_world.calls[0].start_time.replace(microsecond=0)
    end = start + timedelta(days=2)
    rows = [CALLS.normalize(r) for page in client.call_history(start, end) for r in page]
    truth = {c.call_uuid: c for c in demo_world.calls if start <= c.start_time < end}
    assert rows and {r["call_uuid"] for r in rows} == set(truth)
    for row in rows:
        expected = truth[row["call_uuid"]]
        assert row["start_time"] == expected.start_time
        assert row["ani_number"] == (
            expected.ani_number if expected.flow == "out" else expected.customer_number
        )
        assert (row["bridged_duration_seconds"] is None) == (expected.bridged_time is None)
    extensions = [EXTENSIONS.normalize(r) for page in client.extensions() for r in page]
    assert {e["id"] for e in extensions} <= {m.extension_id for m in demo_world.managers}
