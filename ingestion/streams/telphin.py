"""Telphin streams: the call history and the extensions (managers' phones).

A call's customer-facing facts live in its `cdr` legs: the caller ID the customer saw is
the outbound leg's `ani_number` (the local-number experiment is judged on it), so the legs
are flattened into the call row and the full legs stay in `_raw`.
"""

from __future__ import annotations

import pyarrow as pa

from ingestion.streams.parsing import enum, integer, text, utc_text, validated
from ingestion.streams.spec import TIMESTAMP, Quality, RecordRejected, Rule, StreamSpec

CALL_COLUMNS = pa.schema(
    [
        pa.field("call_uuid", pa.string(), nullable=False),
        pa.field("flow", pa.string()),
        pa.field("init_time", TIMESTAMP),
        pa.field("start_time", TIMESTAMP),
        pa.field("bridged_time", TIMESTAMP),
        pa.field("hangup_time", TIMESTAMP),
        pa.field("duration_seconds", pa.int64()),
        pa.field("bridged_duration_seconds", pa.int64()),
        pa.field("result", pa.string()),
        pa.field("hangup_disposition", pa.string()),
        pa.field("extension_id", pa.int64()),
        pa.field("extension_name", pa.string()),
        pa.field("from_username", pa.string()),
        pa.field("to_username", pa.string()),
        pa.field("did_number", pa.string()),
        pa.field("ani_number", pa.string()),
        pa.field("dest_number", pa.string()),
        pa.field("record_uuid", pa.string()),
        pa.field("legs_count", pa.int32()),
    ]
)
CALL_FIELDS = frozenset(
    {
        "call_uuid",
        "flow",
        "init_time_gmt",
        "start_time_gmt",
        "bridged_time_gmt",
        "hangup_time_gmt",
        "duration",
        "bridged_duration",
        "result",
        "hangup_disposition",
        "extension_id",
        "extension_name",
        "from_username",
        "to_username",
        "from_screen_name",
        "did_number",
        "cdr",
    }
)
# Fields the Go SDK reads that the demo does not send; known, so not reported as drift.
CALL_OPTIONAL_FIELDS = frozenset({"bridged", "hangup_cause"})
CALL_QUALITY = Quality(
    not_null=("flow", "start_time", "hangup_time", "duration_seconds", "result"),
    window_column="start_time",
    enums={
        "flow": frozenset({"in", "out", "transfer"}),
        "result": frozenset({"busy", "answered", "not_answered", "failed", "rejected", "bridged"}),
        "hangup_disposition": frozenset(
            {"caller_bye", "callee_bye", "caller_cancel", "callee_refuse", "internal_cancel"}
        ),
    },
    non_negative=("duration_seconds", "bridged_duration_seconds"),
    not_greater=(("bridged_duration_seconds", "duration_seconds"),),
)


def _legs(raw: dict) -> list[dict]:
    legs = raw.get("cdr") or []
    if not isinstance(legs, list) or not all(isinstance(leg, dict) for leg in legs):
        raise RecordRejected("bad_list:cdr")
    return legs


def _customer_leg(legs: list[dict]) -> dict:
    """The outbound leg when legs say their flow, else the first (Telphin sends one leg
    for a plain call, without `flow`)."""
    return next((leg for leg in legs if leg.get("flow") == "out"), legs[0] if legs else {})


def _call_row(raw: dict) -> dict:
    legs = _legs(raw)
    leg = _customer_leg(legs)
    bridged_time = utc_text(raw, "bridged_time_gmt")
    talk = integer(raw, "bridged_duration")
    return {
        "call_uuid": text(raw, "call_uuid", required=True),
        "flow": enum(raw, "flow", required=True),
        "init_time": utc_text(raw, "init_time_gmt"),
        "start_time": utc_text(raw, "start_time_gmt", required=True),
        "bridged_time": bridged_time,
        "hangup_time": utc_text(raw, "hangup_time_gmt", required=True),
        "duration_seconds": integer(raw, "duration", required=True),
        # Some integrations see 0 rather than null for a call that never connected.
        "bridged_duration_seconds": None if bridged_time is None and not talk else talk,
        "result": enum(raw, "result", required=True),
        "hangup_disposition": enum(raw, "hangup_disposition"),
        "extension_id": integer(raw, "extension_id"),
        "extension_name": text(raw, "extension_name"),
        "from_username": text(raw, "from_username"),
        "to_username": text(raw, "to_username"),
        "did_number": text(raw, "did_number"),
        "ani_number": text(leg, "ani_number"),
        "dest_number": text(leg, "dest_number"),
        "record_uuid": next(filter(None, (text(each, "record_uuid") for each in legs)), None),
        "legs_count": len(legs),
    }


CALLS = StreamSpec(
    source="telphin",
    name="calls",
    key=("call_uuid",),
    columns=CALL_COLUMNS,
    normalize=validated(_call_row, CALL_QUALITY),
    known_fields=CALL_FIELDS | CALL_OPTIONAL_FIELDS,
    expected_fields=CALL_FIELDS - {"from_screen_name"},
    updated_at=("hangup_time",),
    quality=CALL_QUALITY,
    window=Rule.OVERLAP,
    fetch=lambda client, window: client.call_history(*window),
)

EXTENSION_QUALITY = Quality(
    not_null=("name",),
    enums={"type": frozenset({"phone", "queue", "ivr", "fax"})},
)


def _extension_row(raw: dict) -> dict:
    return {
        "id": integer(raw, "id", required=True),
        "name": text(raw, "name", required=True),
        "type": enum(raw, "type"),
        "label": text(raw, "label"),
        "status": enum(raw, "status"),
    }


EXTENSIONS = StreamSpec(
    source="telphin",
    name="extensions",
    key=("id",),
    columns=pa.schema(
        [
            pa.field("id", pa.int64(), nullable=False),
            pa.field("name", pa.string()),
            pa.field("type", pa.string()),
            pa.field("label", pa.string()),
            pa.field("status", pa.string()),
        ]
    ),
    normalize=validated(_extension_row, EXTENSION_QUALITY),
    known_fields=frozenset({"id", "name", "type", "label", "status", "client_id"}),
    expected_fields=frozenset({"id", "name", "type"}),
    updated_at=(),
    quality=EXTENSION_QUALITY,
    window=Rule.SNAPSHOT,
    fetch=lambda client, _: client.extensions(),
)
