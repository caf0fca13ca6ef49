"""Amplitude stream: product events from the Export API.

The export's window is the upload time, so `server_upload_time` is what a partition is
cut by and what says when the record changed. Properties are free-form per event type;
they land as canonical JSON text (sorted keys) for dbt to pick apart. Amplitude's other
APIs speak epoch milliseconds, so a time sent as a number is read as milliseconds.

`event_time` is the device's clock, and devices' clocks lie (public reports show events
dated 2001 and 2031). It is checked against `server_upload_time`, Amplitude's own clock:
an event cannot happen after it was uploaded, beyond ordinary clock skew
(`DEVICE_CLOCK_AHEAD`), and the SDKs hold events of an offline device only so long
(`DEVICE_CLOCK_BEHIND`). Outside those bounds the event lands as sent with
`event_time_implausible` set, counted per partition; dbt dates its activity by the upload.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pyarrow as pa

from ingestion.streams.parsing import enum, json_text, text, utc_text, validated
from ingestion.streams.spec import TIMESTAMP, Quality, Rule, StreamSpec

EVENT_QUALITY = Quality(
    not_null=("event_type", "event_time", "server_upload_time"),
    window_column="server_upload_time",
    enums={"platform": frozenset({"web", "ios", "android"})},
    flags=("event_time_implausible",),
)
# How far a device's event_time may run ahead of the server's upload time (clock skew) and
# behind it (an offline device uploading late) before the device clock is not believed.
DEVICE_CLOCK_AHEAD = timedelta(hours=1)
DEVICE_CLOCK_BEHIND = timedelta(days=30)


def implausible_device_time(event_time: datetime | None, uploaded: datetime | None) -> bool | None:
    """Whether `event_time` lies outside [upload - DEVICE_CLOCK_BEHIND, upload +
    DEVICE_CLOCK_AHEAD]; None (unknown) when either time is missing."""
    if event_time is None or uploaded is None:
        return None
    return not uploaded - DEVICE_CLOCK_BEHIND <= event_time <= uploaded + DEVICE_CLOCK_AHEAD


def _event_row(raw: dict) -> dict:
    event_time = utc_text(raw, "event_time", required=True, epoch_scale=1000)
    uploaded = utc_text(raw, "server_upload_time", required=True, epoch_scale=1000)
    return {
        "uuid": text(raw, "uuid", required=True),
        "insert_id": text(raw, "$insert_id"),
        "event_type": text(raw, "event_type", required=True),
        "user_id": text(raw, "user_id"),
        "device_id": text(raw, "device_id"),
        "event_time": event_time,
        "server_upload_time": uploaded,
        "event_time_implausible": implausible_device_time(event_time, uploaded),
        "platform": enum(raw, "platform"),
        "event_properties": json_text(raw, "event_properties"),
        "user_properties": json_text(raw, "user_properties"),
    }


# The export's documented record fields; the ones not flattened stay in `_raw`.
EXPORT_FIELDS = frozenset(
    {"$insert_id", "$insert_key", "$schema", "adid", "amplitude_attribution_ids"}
    | {"amplitude_event_type", "amplitude_id", "app", "city", "client_event_time"}
    | {"client_upload_time", "country", "data", "data_type", "device_brand", "device_carrier"}
    | {"device_family", "device_id", "device_manufacturer", "device_model", "device_type"}
    | {"dma", "event_id", "event_properties", "event_time", "event_type"}
    | {"global_user_properties", "group_properties", "groups", "idfa", "ip_address"}
    | {"is_attribution_event", "language", "library", "location_lat", "location_lng"}
    | {"os_name", "os_version", "partner_id", "paying", "plan", "platform", "processed_time"}
    | {"region", "sample_rate", "server_received_time", "server_upload_time", "session_id"}
    | {"source_id", "start_version", "user_creation_time", "user_id", "user_properties"}
    | {"uuid", "version_name"}
)

EVENTS = StreamSpec(
    source="amplitude",
    name="events",
    key=("uuid",),
    columns=pa.schema(
        [
            pa.field("uuid", pa.string(), nullable=False),
            pa.field("insert_id", pa.string()),
            pa.field("event_type", pa.string()),
            pa.field("user_id", pa.string()),
            pa.field("device_id", pa.string()),
            pa.field("event_time", TIMESTAMP),
            pa.field("server_upload_time", TIMESTAMP),
            pa.field("event_time_implausible", pa.bool_()),
            pa.field("platform", pa.string()),
            pa.field("event_properties", pa.string()),
            pa.field("user_properties", pa.string()),
        ]
    ),
    normalize=validated(_event_row, EVENT_QUALITY),
    known_fields=EXPORT_FIELDS,
    expected_fields=frozenset(
        {"uuid", "$insert_id", "event_type", "user_id", "device_id", "event_time"}
        | {"server_upload_time", "event_properties", "user_properties", "platform"}
    ),
    updated_at=("server_upload_time",),
    quality=EVENT_QUALITY,
    window=Rule.DAY,  # by server_upload_time
    fetch=lambda client, window: client.events(*window),
)
