"""Every stream the pipeline lands, by `<source>.<stream>` key (e.g. `telphin.calls`)."""

from __future__ import annotations

from ingestion.streams import amocrm, amplitude, telphin, yookassa
from ingestion.streams.spec import RecordRejected, StreamSpec

STREAMS: dict[str, StreamSpec] = {
    spec.stream: spec
    for spec in (
        telphin.CALLS,
        telphin.EXTENSIONS,
        amocrm.LEADS,
        amocrm.CONTACTS,
        amocrm.USERS,
        amocrm.PIPELINES,
        amocrm.STATUS_EVENTS,
        yookassa.PAYMENTS,
        yookassa.REFUNDS,
        amplitude.EVENTS,
    )
}

__all__ = ["STREAMS", "RecordRejected", "StreamSpec"]
