"""amoCRM streams: leads, contacts, users, pipeline statuses and stage-change events.

amoCRM keeps most business facts in `custom_fields_values`. The ones the board needs are
flattened into typed columns, found as the company file maps them (`crm.lead_fields`): by
the account's `field_id`, by `field_code`, or by `field_name`, since fields created in
amoCRM's web interface have no code; every other custom field stays in `_raw`. Phones and
e-mails are kept exactly as typed: matching them to calls is dbt's job, after hashing.

A deleted lead or contact comes from amoCRM's trash listing (`with=only_deleted`, see
`AmoCrmClient`) as a deletion marker: `is_deleted: true` with its id and `updated_at` (the
deletion), every other field null or absent. It lands as a row with `is_deleted` set and
nothing else required, and is counted (`LandingResult.flagged`); the warehouse keeps the
latest version of each record, so the deletion supersedes what was landed before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyarrow as pa

from ingestion.streams.parsing import (
    amount,
    boolean,
    enum,
    integer,
    text,
    unix_seconds,
    validated,
)
from ingestion.streams.spec import AMOUNT, TIMESTAMP, Quality, RecordRejected, Rule, StreamSpec
from salesboard.company import company

SYSTEM_FIELDS = frozenset(
    {"id", "name", "responsible_user_id", "group_id", "created_by", "updated_by"}
    | {"created_at", "updated_at", "closest_task_at", "is_deleted", "custom_fields_values"}
    | {"account_id", "_links", "_embedded"}
)


@dataclass(frozen=True)
class CustomField:
    """A custom field found by any of its `field_id`, `field_code` or `field_name` (the
    company file's `crm.lead_fields`; system fields by code). `column` names it in errors."""

    column: str
    field_id: int | None = None
    code: str | None = None
    name: str | None = None

    @property
    def path(self) -> str:
        return f"custom:{self.column}"


class CustomFields:
    """A record's `custom_fields_values`, indexed once by id, code and name: a lead reads
    five fields, and scanning the list for each was a third of its normalization."""

    def __init__(self, raw: dict) -> None:
        entries = raw.get("custom_fields_values") or []
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise RecordRejected("bad_list:custom_fields_values")
        self.entries = entries
        self.by_id: dict[int | float, int] = {}
        self.by_code: dict[str, int] = {}
        self.by_name: dict[str, int] = {}
        for position, entry in enumerate(entries):
            field_id, code, name = (entry.get(k) for k in ("field_id", "field_code", "field_name"))
            if isinstance(field_id, int | float):  # only these hash by value
                self.by_id.setdefault(field_id, position)
            if isinstance(code, str):  # anything else equals no field's code
                self.by_code.setdefault(code, position)
            if isinstance(name, str):
                self.by_name.setdefault(name, position)

    def values(self, field: CustomField) -> list:
        """The field's values (each `{"value": ..., "enum_id": ...}` on the wire) from the
        first entry naming it by id, code or name, [] when the field is unset."""
        found = [
            self.by_id.get(field.field_id) if field.field_id is not None else None,
            self.by_code.get(field.code) if field.code is not None else None,
            self.by_name.get(field.name) if field.name is not None else None,
        ]
        positions = [position for position in found if position is not None]
        if not positions:
            return []
        values = self.entries[min(positions)].get("values") or []
        if not isinstance(values, list) or not all(isinstance(v, dict) for v in values):
            raise RecordRejected(f"bad_list:{field.path}")
        return [value.get("value") for value in values]

    def as_record(self, field: CustomField) -> dict:
        """The first value under the key `custom:<column>`, so the shared readers report
        problems against the field."""
        values = self.values(field)
        return {field.path: values[0] if values else None}


# amoCRM's system contact fields: every account has them, with these codes.
PHONE = CustomField("phones", code="PHONE")
EMAIL = CustomField("emails", code="EMAIL")


def lead_fields() -> dict[str, CustomField]:
    """The lead custom fields the board reads, per column, as the company file maps them
    (`crm.lead_fields`: by id, code or name)."""
    return {
        column: CustomField(column, ref.id, ref.code, ref.name)
        for column, ref in dict(company().crm.lead_fields).items()
    }


def _checkbox(custom: CustomFields, field: CustomField) -> bool:
    """amoCRM omits an unticked checkbox entirely, so absent means False."""
    return bool(boolean(custom.as_record(field), field.path))


def _all_text(custom: CustomFields, field: CustomField) -> list[str | None]:
    return [text({field.path: v}, field.path) for v in custom.values(field) if v is not None]


def _main_contact_id(raw: dict) -> int | None:
    embedded = raw.get("_embedded")
    if embedded is not None and not isinstance(embedded, dict):
        raise RecordRejected("bad_object:_embedded")  # not an AttributeError that stops landing
    contacts = (embedded or {}).get("contacts") or []
    if not isinstance(contacts, list) or not all(isinstance(c, dict) for c in contacts):
        raise RecordRejected("bad_list:_embedded.contacts")
    main = next((c for c in contacts if c.get("is_main")), contacts[0] if contacts else {})
    return integer(main, "id")


# --- leads -------------------------------------------------------------------------------
LEAD_QUALITY = Quality(
    not_null=("status_id", "pipeline_id", "created_at", "updated_at"),
    window_column="updated_at",
    non_negative=("price",),
    flags=("is_deleted",),
    deletion_flag="is_deleted",
)


def _lead_row(raw: dict) -> dict:
    deleted = boolean(raw, "is_deleted")
    live = not deleted  # a deletion marker has only its id and updated_at (module doc)
    return {
        "id": integer(raw, "id", required=True),
        "name": text(raw, "name"),
        "price": amount(raw, "price", sent_as=int),
        "responsible_user_id": integer(raw, "responsible_user_id"),
        "status_id": integer(raw, "status_id", required=live),
        "pipeline_id": integer(raw, "pipeline_id", required=live),
        "loss_reason_id": integer(raw, "loss_reason_id"),
        "created_at": unix_seconds(raw, "created_at", required=live),
        "updated_at": unix_seconds(raw, "updated_at", required=True),
        "closed_at": unix_seconds(raw, "closed_at"),
        "is_deleted": deleted,
        "main_contact_id": _main_contact_id(raw),
    } | _lead_custom_columns(CustomFields(raw))


def _lead_custom_columns(custom: CustomFields) -> dict:
    fields = lead_fields()
    channel, region, account = (fields[c] for c in ("channel", "region", "product_account_id"))
    return {
        "channel": enum(custom.as_record(channel), channel.path),
        "region": text(custom.as_record(region), region.path),
        "product_account_id": text(custom.as_record(account), account.path),
        "case_study_shown": _checkbox(custom, fields["case_study_shown"]),
        "webinar_attended": _checkbox(custom, fields["webinar_attended"]),
    }


LEAD_FIELDS = SYSTEM_FIELDS | {
    "price",
    "status_id",
    "pipeline_id",
    "loss_reason_id",
    "closed_at",
    "score",
    "labor_cost",
    "source_id",
    "is_price_modified_by_robot",
}
LEADS = StreamSpec(
    source="amocrm",
    name="leads",
    key=("id",),
    columns=pa.schema(
        [
            pa.field("id", pa.int64(), nullable=False),
            pa.field("name", pa.string()),
            pa.field("price", AMOUNT),
            pa.field("responsible_user_id", pa.int64()),
            pa.field("status_id", pa.int64()),
            pa.field("pipeline_id", pa.int64()),
            pa.field("loss_reason_id", pa.int64()),
            pa.field("created_at", TIMESTAMP),
            pa.field("updated_at", TIMESTAMP),
            pa.field("closed_at", TIMESTAMP),
            pa.field("is_deleted", pa.bool_()),
            pa.field("main_contact_id", pa.int64()),
            pa.field("channel", pa.string()),
            pa.field("region", pa.string()),
            pa.field("product_account_id", pa.string()),
            pa.field("case_study_shown", pa.bool_()),
            pa.field("webinar_attended", pa.bool_()),
        ]
    ),
    normalize=validated(_lead_row, LEAD_QUALITY),
    known_fields=LEAD_FIELDS,
    expected_fields=frozenset(
        {"id", "price", "status_id", "pipeline_id", "loss_reason_id"}
        | {"created_at", "updated_at", "closed_at", "custom_fields_values"}
    ),
    updated_at=("updated_at",),
    quality=LEAD_QUALITY,
    window=Rule.UPDATED,
    fetch=lambda client, window: client.leads(*window),
)

# --- contacts ----------------------------------------------------------------------------
CONTACT_QUALITY = Quality(
    not_null=("created_at", "updated_at"),
    window_column="updated_at",
    flags=("is_deleted",),
    deletion_flag="is_deleted",
)


def _contact_row(raw: dict) -> dict:
    deleted = boolean(raw, "is_deleted")
    return {
        "id": integer(raw, "id", required=True),
        "name": text(raw, "name"),
        "first_name": text(raw, "first_name"),
        "last_name": text(raw, "last_name"),
        "responsible_user_id": integer(raw, "responsible_user_id"),
        "created_at": unix_seconds(raw, "created_at", required=not deleted),
        "updated_at": unix_seconds(raw, "updated_at", required=True),
        "is_deleted": deleted,
    } | _contact_custom_columns(CustomFields(raw))


def _contact_custom_columns(custom: CustomFields) -> dict:
    return {"phones": _all_text(custom, PHONE), "emails": _all_text(custom, EMAIL)}


CONTACTS = StreamSpec(
    source="amocrm",
    name="contacts",
    key=("id",),
    columns=pa.schema(
        [
            pa.field("id", pa.int64(), nullable=False),
            pa.field("name", pa.string()),
            pa.field("first_name", pa.string()),
            pa.field("last_name", pa.string()),
            pa.field("responsible_user_id", pa.int64()),
            pa.field("created_at", TIMESTAMP),
            pa.field("updated_at", TIMESTAMP),
            pa.field("is_deleted", pa.bool_()),
            pa.field("phones", pa.list_(pa.string())),
            pa.field("emails", pa.list_(pa.string())),
        ]
    ),
    normalize=validated(_contact_row, CONTACT_QUALITY),
    known_fields=SYSTEM_FIELDS | {"first_name", "last_name", "is_unsorted"},
    expected_fields=frozenset({"id", "name", "created_at", "updated_at"}),
    updated_at=("updated_at",),
    quality=CONTACT_QUALITY,
    window=Rule.UPDATED,
    fetch=lambda client, window: client.contacts(*window),
)

# --- users -------------------------------------------------------------------------------
USER_QUALITY = Quality()


def _user_row(raw: dict) -> dict:
    return {
        "id": integer(raw, "id", required=True),
        "name": text(raw, "name"),
        "email": text(raw, "email"),
        "lang": enum(raw, "lang"),
        "is_admin": boolean(raw, "rights.is_admin"),
        "is_active": boolean(raw, "rights.is_active"),
    }


USERS = StreamSpec(
    source="amocrm",
    name="users",
    key=("id",),
    columns=pa.schema(
        [
            pa.field("id", pa.int64(), nullable=False),
            pa.field("name", pa.string()),
            pa.field("email", pa.string()),
            pa.field("lang", pa.string()),
            pa.field("is_admin", pa.bool_()),
            pa.field("is_active", pa.bool_()),
        ]
    ),
    normalize=validated(_user_row, USER_QUALITY),
    known_fields=frozenset({"id", "name", "email", "lang", "rights", "_links", "_embedded"}),
    expected_fields=frozenset({"id", "name", "email"}),
    updated_at=(),
    quality=USER_QUALITY,
    window=Rule.SNAPSHOT,
    fetch=lambda client, _: client.users(),
)

# --- pipelines: one row per status -------------------------------------------------------
PIPELINE_QUALITY = Quality(not_null=("status_name",))


def _statuses(pipeline: dict) -> Iterable[dict]:
    """Each status of a pipeline, with the pipeline's own fields under `pipeline`.

    The pair (pipeline_id, status_id) is the key: the system statuses 142 (won) and 143
    (lost) have the same id in every pipeline. A pipeline whose statuses cannot be read is
    passed on alone, so normalizing rejects it into quarantine instead of losing it.
    """
    embedded = pipeline.get("_embedded")
    statuses = embedded.get("statuses") if isinstance(embedded, dict) else None
    header = {k: v for k, v in pipeline.items() if k != "_embedded"}
    if not isinstance(statuses, list) or not all(isinstance(s, dict) for s in statuses):
        return ({"pipeline": header},)
    return ({**status, "pipeline": header} for status in statuses)


def _status_row(raw: dict) -> dict:
    return {
        "pipeline_id": integer(raw, "pipeline.id", required=True),
        "pipeline_name": text(raw, "pipeline.name"),
        "pipeline_sort": integer(raw, "pipeline.sort"),
        "pipeline_is_main": boolean(raw, "pipeline.is_main"),
        "pipeline_is_archive": boolean(raw, "pipeline.is_archive"),
        "status_id": integer(raw, "id", required=True),
        "status_name": text(raw, "name", required=True),
        "status_sort": integer(raw, "sort"),
        "status_type": integer(raw, "type"),
        "status_color": text(raw, "color"),
        "is_editable": boolean(raw, "is_editable"),
    }


PIPELINES = StreamSpec(
    source="amocrm",
    name="pipelines",
    key=("pipeline_id", "status_id"),
    columns=pa.schema(
        [
            pa.field("pipeline_id", pa.int64(), nullable=False),
            pa.field("pipeline_name", pa.string()),
            pa.field("pipeline_sort", pa.int64()),
            pa.field("pipeline_is_main", pa.bool_()),
            pa.field("pipeline_is_archive", pa.bool_()),
            pa.field("status_id", pa.int64(), nullable=False),
            pa.field("status_name", pa.string()),
            pa.field("status_sort", pa.int64()),
            pa.field("status_type", pa.int64()),
            pa.field("status_color", pa.string()),
            pa.field("is_editable", pa.bool_()),
        ]
    ),
    normalize=validated(_status_row, PIPELINE_QUALITY),
    known_fields=frozenset(
        {"id", "name", "sort", "is_editable", "pipeline_id", "color", "type", "account_id"}
        | {"descriptions", "_links", "pipeline"}
    ),
    expected_fields=frozenset({"id", "name", "sort", "pipeline"}),
    updated_at=(),
    quality=PIPELINE_QUALITY,
    explode=_statuses,
    window=Rule.SNAPSHOT,
    fetch=lambda client, _: client.pipelines(),
)

# --- lead_status_changed events ----------------------------------------------------------
EVENT_QUALITY = Quality(
    not_null=("lead_id", "created_at", "status_after"),
    window_column="created_at",
    enums={"type": frozenset({"lead_status_changed"}), "entity_type": frozenset({"lead"})},
)


def _lead_status(raw: dict, side: str) -> dict:
    """`value_before` / `value_after`: `[{"lead_status": {"id", "pipeline_id"}}]`."""
    values = raw.get(side) or [{}]
    if not isinstance(values, list) or not isinstance(values[0], dict):
        raise RecordRejected(f"bad_list:{side}")
    status = values[0].get("lead_status") or {}
    return {side: status if isinstance(status, dict) else {}}


def _event_row(raw: dict) -> dict:
    before, after = _lead_status(raw, "value_before"), _lead_status(raw, "value_after")
    return {
        "id": text(raw, "id", required=True),
        "type": enum(raw, "type", required=True),
        "entity_type": enum(raw, "entity_type"),
        "lead_id": integer(raw, "entity_id", required=True),
        "created_by": integer(raw, "created_by"),
        "created_at": unix_seconds(raw, "created_at", required=True),
        "status_before": integer(before, "value_before.id"),
        "pipeline_before": integer(before, "value_before.pipeline_id"),
        "status_after": integer(after, "value_after.id", required=True),
        "pipeline_after": integer(after, "value_after.pipeline_id"),
    }


STATUS_EVENTS = StreamSpec(
    source="amocrm",
    name="status_events",
    key=("id",),
    columns=pa.schema(
        [
            pa.field("id", pa.string(), nullable=False),
            pa.field("type", pa.string()),
            pa.field("entity_type", pa.string()),
            pa.field("lead_id", pa.int64()),
            pa.field("created_by", pa.int64()),
            pa.field("created_at", TIMESTAMP),
            pa.field("status_before", pa.int64()),
            pa.field("pipeline_before", pa.int64()),
            pa.field("status_after", pa.int64()),
            pa.field("pipeline_after", pa.int64()),
        ]
    ),
    normalize=validated(_event_row, EVENT_QUALITY),
    known_fields=frozenset(
        {"id", "type", "entity_id", "entity_type", "created_by", "created_at"}
        | {"value_after", "value_before", "account_id", "_links", "_embedded"}
    ),
    expected_fields=frozenset(
        {"id", "type", "entity_id", "entity_type", "created_at", "value_after", "value_before"}
    ),
    updated_at=("created_at",),
    quality=EVENT_QUALITY,
    window=Rule.DAY,  # by created_at
    fetch=lambda client, window: client.status_change_events(*window),
)
