"""Discovery: what the four vendor accounts hold, and a starter company file built from it.

Like Airbyte's `discover`: `discover` reads the accounts through their clients (already
built from base URL and credentials) and returns plain data, sorted so two runs over the
same accounts compare equal; `starter_config` renders that as the YAML text of a company
file (the schema of `salesboard.company`) for the user to finish. What discovery cannot
know (the first day of the records, prices, regions, plans, a manager's extension when
names do not pair them) is a valid placeholder marked `# TODO`, so the file loads as it
is and `salesboard check` can point at what is left. The file names environment variables,
never their values: no secret is read here, and none is written.

What is read, per source:

- amoCRM: lead pipelines with their stages, users, and the custom fields on leads updated
  in the last `days` days;
- Telphin: extensions;
- YooKassa: the metadata keys of payments created in the last `days` days, and the tariff
  codes in their `tariff` key;
- Amplitude: the event types uploaded in the last day (the export is heavy).

The starter file picks what names make obvious: the main pipeline, a stage named like
"consult", the extension labelled with a user's name, event types named like an activation
or a lesson, and lists everything found as comments beside the section it informs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple, TypeVar

import yaml

from ingestion.amocrm import AmoCrmClient
from ingestion.amplitude import AmplitudeClient
from ingestion.http import VendorClient
from ingestion.telphin import TelphinClient
from ingestion.yookassa import YooKassaClient
from salesboard.accounts import CONVENTIONAL_SOURCES
from salesboard.company import LeadFields, PaymentMetadata

AMPLITUDE_DAYS = 1
CONSULTATION_WORDS = ("consult", "консульт")
PLACEHOLDER_EXTENSION = (1, "TODO")
# What an event type's name says when it is the product's activation or a watched lesson.
LEAD_FIELD_COLUMNS = tuple(LeadFields.model_fields)
PRODUCT_EVENT_WORDS = {"activation_event": "activat", "lesson_event": "lesson"}
SQL_QUOTES = frozenset("'\\")  # characters the schema refuses in an event type (dbt quotes it)
# The environment variables `.env` conventionally uses (as in ingestion/demo/salesboard.yaml).

C = TypeVar("C", bound=VendorClient)


class Entry(NamedTuple):
    """An amoCRM stage or user: (id, name)."""

    id: int
    name: str


class Extension(NamedTuple):
    """A Telphin extension: id, name (`00000*101`) and label (whose phone it is, or None)."""

    id: int
    name: str
    label: str | None


class CustomField(NamedTuple):
    """An amoCRM lead custom field: id, name, code (None when the field has none), type."""

    id: int
    name: str
    code: str | None
    type: str


@dataclass(frozen=True)
class Pipeline:
    """An amoCRM lead pipeline; `stages` in the account's order (`sort`, then id)."""

    id: int
    name: str
    is_main: bool
    stages: tuple[Entry, ...]


@dataclass(frozen=True)
class Discovery:
    """What the accounts hold. `since` is the first day the windowed reads covered.

    Pipelines are in the account's order (`sort`, then id); users, extensions and custom
    fields by id; metadata keys, tariff codes and event types alphabetically.
    """

    since: date
    pipelines: tuple[Pipeline, ...]
    users: tuple[Entry, ...]
    custom_fields: tuple[CustomField, ...]
    extensions: tuple[Extension, ...]
    metadata_keys: tuple[str, ...]
    tariff_codes: tuple[str, ...]
    event_types: tuple[str, ...]


def discover(
    clients: Mapping[str, VendorClient], *, days: int = 14, now: datetime | None = None
) -> Discovery:
    """List what the accounts behind `clients` (keys `telphin`, `amocrm`, `yookassa`,
    `amplitude`, each that vendor's client) hold, reading the last `days` days up to `now`
    (tz-aware; default: the current time), Amplitude's last day only.

    Raises TypeError when a client is missing or of the wrong kind, ValueError for
    `days` < 1 or a naive `now`, and the clients' own `SourceError`s (bad credentials, an
    unreachable API) as they come: nothing is swallowed.
    """
    now = now or datetime.now(UTC)
    if now.tzinfo is None or days < 1:
        raise ValueError(f"discover needs days >= 1 and a tz-aware now, got {days}, {now}")
    amocrm = _client(clients, "amocrm", AmoCrmClient)
    telphin = _client(clients, "telphin", TelphinClient)
    yookassa = _client(clients, "yookassa", YooKassaClient)
    amplitude = _client(clients, "amplitude", AmplitudeClient)
    start = now - timedelta(days=days)
    payments = list(_records(yookassa.payments(start, now)))
    return Discovery(
        since=start.date(),
        pipelines=_pipelines(amocrm),
        users=tuple(sorted(Entry(u["id"], u["name"]) for u in _records(amocrm.users()))),
        custom_fields=_custom_fields(_records(amocrm.leads(start, now))),
        extensions=_extensions(telphin),
        metadata_keys=tuple(sorted({key for p in payments for key in p.get("metadata") or {}})),
        tariff_codes=_tariff_codes(payments),
        event_types=_event_types(amplitude, now),
    )


def _client(clients: Mapping[str, VendorClient], source: str, kind: type[C]) -> C:
    client = clients.get(source)
    if not isinstance(client, kind):
        raise TypeError(
            f"clients[{source!r}]: expected {kind.__name__}, got {type(client).__name__}"
        )
    return client


def _records(pages: Iterable[list[dict]]) -> Iterator[dict]:
    for page in pages:
        yield from page


def _pipelines(amocrm: AmoCrmClient) -> tuple[Pipeline, ...]:
    """Pipelines with their stages (`_embedded.statuses`), both in `sort`, then id, order."""

    def order(record: dict) -> tuple[int, int]:
        return record.get("sort") or 0, record["id"]

    return tuple(
        Pipeline(
            id=p["id"],
            name=p["name"],
            is_main=bool(p.get("is_main")),
            stages=tuple(
                Entry(s["id"], s["name"])
                for s in sorted(p.get("_embedded", {}).get("statuses", []), key=order)
            ),
        )
        for p in sorted(_records(amocrm.pipelines()), key=order)
    )


def _custom_fields(leads: Iterable[dict]) -> tuple[CustomField, ...]:
    """Every field on the leads, by id; a field renamed within the window shows its last
    name (leads come oldest update first). Deletion markers carry no fields."""
    fields = {
        f["field_id"]: CustomField(f["field_id"], f["field_name"], f.get("field_code"),
                                   f["field_type"])
        for lead in leads
        for f in lead.get("custom_fields_values") or []
    }  # fmt: skip
    return tuple(fields[i] for i in sorted(fields))


def _extensions(telphin: TelphinClient) -> tuple[Extension, ...]:
    extensions = (
        Extension(e["id"], str(e["name"]), e.get("label") or None)
        for e in _records(telphin.extensions())
    )
    return tuple(sorted(extensions, key=lambda e: e.id))


def _tariff_codes(payments: Iterable[dict]) -> tuple[str, ...]:
    tariffs = ((p.get("metadata") or {}).get("tariff") for p in payments)
    return tuple(sorted({str(t) for t in tariffs if t not in (None, "")}))


def _event_types(amplitude: AmplitudeClient, now: datetime) -> tuple[str, ...]:
    """Event types uploaded in the whole hours of the last `AMPLITUDE_DAYS` before `now`."""
    end = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    events = _records(amplitude.events(end - timedelta(days=AMPLITUDE_DAYS), end))
    return tuple(sorted({str(e["event_type"]) for e in events if e.get("event_type")}))


# --- the starter company file --------------------------------------------------------------


def starter_config(found: Discovery) -> str:
    """The YAML text of a starter company file (`salesboard.company.CompanyConfig` accepts
    it as it is): `demo: false`, the conventional environment-variable names, the main
    pipeline (else the first) and its consultation stage (a stage named like "consult",
    else the second), the product's activation and lesson event types when one seen event
    type is named like each, one manager per CRM user paired with the Telphin extension
    labelled with their name, one tariff per code seen, no regions or plans. What is left
    to decide is a valid placeholder marked `# TODO`; what was found is listed in comments.

    Raises ValueError when the account has no pipeline or the pipeline no stage.
    """
    sections = (
        _header(found),
        _sources(),
        _crm(found),
        _product(found),
        _managers(found),
        _regions(),
        _payment_metadata(found),
        _tariffs(found),
        ["# Monthly net-revenue plans (RUB) per manager's crm_user_id:",
         '#   5001: {"2025-01": 150000, "2025-02": 160000}',
         "plans: {}"],
    )  # fmt: skip
    return "\n\n".join("\n".join(lines) for lines in sections) + "\n"


def _header(found: Discovery) -> list[str]:
    return [
        "# A starter salesboard company file, written by `salesboard discover`: edit every",
        "# `TODO`, then point SALESBOARD_CONFIG at this file (salesboard/company.py documents it).",
        "",
        "# Start the embedded demo vendor APIs: never for a real company.",
        "demo: false",
        "# TODO the business time zone (IANA): every day, partition and window is a day there.",
        "time_zone: Europe/Moscow",
        "# TODO set the first day of the business's records (the first partition); this",
        "# placeholder is only the first day discovery read.",
        f"start_date: {found.since.isoformat()}",
    ]


def _sources() -> list[str]:
    lines = [
        "# Names of the environment variables (in .env) holding each vendor's URL and credentials.",
        "sources:",
    ]
    sources = CONVENTIONAL_SOURCES.model_dump()
    return lines + [f"  {source}: {_flow(names)}" for source, names in sources.items()]


def _crm(found: Discovery) -> list[str]:
    pipeline = _sales_pipeline(found.pipelines)
    stage = _consultation_stage(pipeline)
    listing = [
        f"#   {p.id} {_comment(p.name)}{' (main)' if p.is_main else ''}: "
        + ", ".join(f"{s.id} {_comment(s.name)}" for s in p.stages)
        for p in found.pipelines
    ]
    return [
        "# The amoCRM pipeline the signup funnel lives in and its consultation stage (ids, with",
        "# the names the account shows). Pipelines and stages found (id name):",
        *listing,
        "crm:",
        f"  sales_pipeline: {_flow({'id': pipeline.id, 'name': pipeline.name})}",
        f"  consultation_stage: {_flow({'id': stage.id, 'name': stage.name})}",
        *_lead_fields(found),
    ]


def _lead_fields(found: Discovery) -> list[str]:
    """Each lead field the board reads: the custom field whose code is the column's name in
    capitals (`CHANNEL`, ...), as id and name; else a placeholder marked TODO."""
    fields = [
        f"  #   {f.id} {_comment(f.name)} {_comment(f.code or '-')} {_comment(f.type)}"
        for f in found.custom_fields
    ]
    lines = [
        "  # Lead custom fields the board reads, each by id, code or name. Custom fields on",
        f"  # leads updated since {found.since} (id name code type):",
        *fields,
        "  lead_fields:",
    ]
    by_code = {f.code: f for f in found.custom_fields if f.code}
    for column in LEAD_FIELD_COLUMNS:
        field = by_code.get(column.upper())
        if field is None:
            lines.append(f"    {column}: {_flow({'name': 'TODO'})}  # TODO the field's id or name")
        else:
            lines.append(f"    {column}: {_flow({'id': field.id, 'name': field.name})}")
    lines += [
        "  # TODO the channel field's options, lowercase (as the leads land them)",
        "  channels: [todo]",
    ]
    return lines


def _sales_pipeline(pipelines: tuple[Pipeline, ...]) -> Pipeline:
    if not pipelines:
        raise ValueError("the amoCRM account has no lead pipeline")
    return next((p for p in pipelines if p.is_main), pipelines[0])


def _consultation_stage(pipeline: Pipeline) -> Entry:
    if not pipeline.stages:
        raise ValueError(f"amoCRM pipeline {pipeline.id} ({pipeline.name}) has no stage")
    for stage in pipeline.stages:
        if any(word in stage.name.casefold() for word in CONSULTATION_WORDS):
            return stage
    return pipeline.stages[1] if len(pipeline.stages) > 1 else pipeline.stages[0]


def _product(found: Discovery) -> list[str]:
    """Each product event: the one event type seen whose name says it (`PRODUCT_EVENT_WORDS`),
    else a placeholder marked TODO."""
    lines = [
        "# Product analytics (Amplitude event types): a trial's activation, and a watched lesson.",
        "# Event types seen in the last day: "
        + (", ".join(map(_comment, found.event_types)) or "none"),
        "product:",
    ]
    for key, word in PRODUCT_EVENT_WORDS.items():
        named = [t for t in found.event_types if word in t.casefold() and not SQL_QUOTES & set(t)]
        chosen = named[0] if len(named) == 1 else "TODO"
        todo = "" if len(named) == 1 else "  # TODO pick one of the event types above"
        lines.append(f"  {key}: {_scalar(chosen)}{todo}")
    return lines


def _managers(found: Discovery) -> list[str]:
    """One manager per CRM user, or one placeholder when the account lists none (the
    schema wants at least one); the extensions found are listed for pairing by hand."""
    paired = _pairing(found.users, found.extensions)
    users = found.users or (Entry(1, "TODO"),)
    lines = [
        "# Managers: amoCRM user <-> the Telphin extension they call from, since `valid_from`.",
        "# Telphin extensions found (id name label):",
        *(f"#   {e.id} {_comment(e.name)} {_comment(e.label or '-')}" for e in found.extensions),
        "managers:",
    ]
    for user in users:
        extension = paired.get(user.id)
        ext_id, ext_name = (extension.id, extension.name) if extension else PLACEHOLDER_EXTENSION
        entry = {"crm_user_id": user.id, "name": user.name, "extension_id": ext_id,
                 "extension_name": ext_name, "valid_from": found.since}  # fmt: skip
        todo = "" if extension else "  # TODO pair with an extension"
        lines.append(f"  - {_flow(entry)}{todo}")
    return lines


def _pairing(users: tuple[Entry, ...], extensions: tuple[Extension, ...]) -> dict[int, Extension]:
    """User id -> the extension whose label is the user's name (case and spacing aside),
    where that name belongs to exactly one user and one extension."""

    def key(name: str) -> str:
        return " ".join(name.casefold().split())

    by_label: dict[str, list[Extension]] = {}
    for extension in extensions:
        if extension.label:
            by_label.setdefault(key(extension.label), []).append(extension)
    names = [key(u.name) for u in users]
    return {
        user.id: by_label[name][0]
        for user, name in zip(users, names, strict=True)
        if len(by_label.get(name, [])) == 1 and names.count(name) == 1
    }


def _regions() -> list[str]:
    return [
        "# TODO list the sales regions as the CRM's region field holds them, each with its",
        "# time zone, area code and local caller ID:",
        '#   - {code: MOW, name: Moscow, time_zone: Europe/Moscow, area_code: "495", '
        'local_did: "74951234500"}',
        "regions: []",
    ]


def _payment_metadata(found: Discovery) -> list[str]:
    """Each metadata fact under the key of its own name when payments carry one, else a
    placeholder marked TODO; the keys seen as a comment."""
    lines = [
        f"# YooKassa payment metadata keys seen since {found.since}: "
        + (", ".join(map(_comment, found.metadata_keys)) or "none"),
        "# Which of them holds each fact the pipeline reads:",
        "payment_metadata:",
    ]
    for fact in PaymentMetadata.model_fields:
        if fact in found.metadata_keys:
            lines.append(f"  {fact}: {fact}")
        else:
            lines.append(f"  {fact}: TODO  # TODO the key holding the {fact.replace('_', ' ')}")
    return lines


def _tariffs(found: Discovery) -> list[str]:
    """One tariff per code seen, or one placeholder when payments carried none (the
    schema wants at least one)."""
    codes = found.tariff_codes or ("TODO",)
    return [
        "# Tariffs: the code payment metadata carries (`tariff`), the display name, the list",
        "# price of a month; `special: true` marks a tariff the board tracks separately.",
        "tariffs:",
        *(
            f"  - {_flow({'code': c, 'name': c, 'monthly_price_rub': 0})}"
            "  # TODO name and monthly price"
            for c in codes
        ),
    ]


def _flow(mapping: Mapping[str, object]) -> str:
    """A YAML flow mapping of scalars, on one line."""
    return "{" + ", ".join(f"{key}: {_scalar(value)}" for key, value in mapping.items()) + "}"


def _scalar(value: object) -> str:
    """A string double-quoted, with YAML's escapes for what a file cannot hold as is."""
    if isinstance(value, str):
        return yaml.safe_dump(value, allow_unicode=True, default_style='"', width=math.inf).strip()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _comment(text: str) -> str:
    """`text` fit for a one-line comment: line breaks, other unprintable characters and runs
    of spaces made single spaces."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())
