"""How a simulated company's accounts name things: amoCRM pipeline, stage and custom-field
ids and names, and Amplitude event types.

The simulation speaks in its own neutral terms (model.py's `STATUS_*`, the activity's
event kinds); the vendor APIs render them as the company's accounts would. The demo
company's accounts are the defaults here; another company (a test world) gives its own in
its `company.yaml` under `account:` (every key optional), so one simulation serves
companies that share no id, name, code or event type with the demo:

    account:
      pipeline: {id: 31, name: Sales}
      stages: {new: {id: 311, name: Lead}, reached: ..., consultation: ..., ...}
      lead_fields: {channel: {id: 4401, name: Source, code: null}, ...}
      events: {bank_statement_imported: import_finished, ...}
      metadata: {account_id: workspace, tariff: plan, ...}

amoCRM's system stages (142 won, 143 lost) and contact fields (PHONE, EMAIL) are the same
in every account and stay as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ingestion.demo.model import (
    PIPELINE_ID,
    PIPELINE_STATUSES,
    STATUS_ACTIVE_TESTING,
    STATUS_CONSULTATION,
    STATUS_DECISION,
    STATUS_NEW,
    STATUS_REACHED,
)

STAGE_KEYS = {
    "new": STATUS_NEW,
    "reached": STATUS_REACHED,
    "consultation": STATUS_CONSULTATION,
    "active_testing": STATUS_ACTIVE_TESTING,
    "decision": STATUS_DECISION,
}
# The demo account's lead custom fields: (field_id, field_name, field_code, field_type).
DEMO_LEAD_FIELDS = {
    "channel": (800_101, "Канал", "CHANNEL", "select"),
    "region": (800_102, "Регион", "REGION", "text"),
    "product_account_id": (800_103, "ID аккаунта", "PRODUCT_ACCOUNT_ID", "text"),
    "case_study_shown": (800_104, "Показан кейс", "CASE_STUDY_SHOWN", "checkbox"),
    "webinar_attended": (800_105, "Был на вебинаре", "WEBINAR_ATTENDED", "checkbox"),
}


@dataclass(frozen=True)
class Account:
    """The rendering names: `pipeline` (id, name); `stages` as (account id, name, sort) in
    pipeline order; `status_ids` from a simulated status to the account's;
    `lead_fields` per column (id, name, code or None, type); `events` from a simulated
    event kind to the account's event type; `metadata` from a payment metadata key the
    demo's shop sends to the company's own."""

    pipeline: tuple[int, str]
    stages: tuple[tuple[int, str, int], ...]
    status_ids: Mapping[int, int]
    lead_fields: Mapping[str, tuple[int, str, str | None, str]]
    events: Mapping[str, str]
    metadata: Mapping[str, str]

    def status(self, simulated: int) -> int:
        return self.status_ids.get(simulated, simulated)

    def event_type(self, kind: str) -> str:
        return self.events.get(kind, kind)

    def metadata_key(self, key: str) -> str:
        return self.metadata.get(key, key)


def account_of(config: Mapping[str, Any] | None) -> Account:
    """The account naming of a company config's `account:` section (None or absent: the
    demo's). Raises KeyError for an unknown stage or field key."""
    raw = dict(config or {})
    pipeline = raw.get("pipeline") or {"id": PIPELINE_ID, "name": "Продажи"}
    stages = raw.get("stages") or {}
    unknown = set(stages) - set(STAGE_KEYS) | set(raw.get("lead_fields") or {}) - set(
        DEMO_LEAD_FIELDS
    )
    if unknown:
        raise KeyError(f"account: unknown stage or field keys {sorted(unknown)}")
    by_status = {status: key for key, status in STAGE_KEYS.items()}
    rendered, status_ids = [], {}
    for status, name, sort in PIPELINE_STATUSES:
        own = stages.get(by_status.get(status, ""), {})
        status_ids[status] = int(own.get("id", status))
        rendered.append((status_ids[status], str(own.get("name", name)), sort))
    fields = dict(DEMO_LEAD_FIELDS)
    for column, own in (raw.get("lead_fields") or {}).items():
        field_id, name, code, kind = fields[column]
        fields[column] = (
            int(own.get("id", field_id)),
            str(own.get("name", name)),
            own.get("code", code),
            kind,
        )
    return Account(
        pipeline=(int(pipeline["id"]), str(pipeline["name"])),
        stages=tuple(rendered),
        status_ids=status_ids,
        lead_fields=fields,
        events=dict(raw.get("events") or {}),
        metadata=dict(raw.get("metadata") or {}),
    )
