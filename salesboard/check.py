"""`salesboard check`: does the company file meet the company's real accounts?

Like Airbyte's `check` and `dbt debug`: per source, one authenticated request, then every
mapping the figures rest on is looked up in the account itself:

- amoCRM: the sales pipeline and its consultation stage (id, and the name the file gives),
  each lead custom field the board reads (by the file's id, code or name), each manager's
  CRM user;
- Telphin: each manager's extension (id and name);
- YooKassa: the payment metadata the pipeline reads (`tariff`, `account_id`, ...) on the
  recent payments, and that every tariff code they carry is in the file;
- Amplitude: the activation and lesson event types exist in the project.

A source whose authentication fails says so (the vendor's answer, redacted by the clients:
never a secret) and its other checks are skipped. Findings are plain data; `render` prints
them one per line. Source of the metadata keys: `ingestion/streams/yookassa.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import chain, islice

from ingestion.errors import SourceError
from ingestion.http import VendorClient
from salesboard.company import CompanyConfig, CrmObject, FieldRef

RECENT = timedelta(days=14)
PAYMENT_PAGES = 5  # enough payments to see every tariff a shop sells, few enough to be quick
# The metadata facts most payments carry (ingestion/streams/yookassa.py, domain.md); a
# lead id (first sales only) and a promo code are often absent.
EXPECTED_METADATA = ("account_id", "manager_id", "tariff", "period_months", "list_price")


@dataclass(frozen=True)
class Finding:
    """One check: `source`, what was checked (`subject`), `status` ("ok", "warn" or
    "fail") and what was found (`detail`)."""

    source: str
    subject: str
    status: str
    detail: str = ""


def check(
    config: CompanyConfig, clients: Mapping[str, VendorClient], now: datetime | None = None
) -> list[Finding]:
    """Every finding for every source of `clients` (keys: telphin, amocrm, yookassa,
    amplitude), in that order. `now` (UTC) ends the window of recent payments."""
    now = now or datetime.now(UTC)
    checks: dict[str, Callable[[], Iterator[Finding]]] = {
        "telphin": lambda: _telphin(config, clients["telphin"]),
        "amocrm": lambda: _amocrm(config, clients["amocrm"]),
        "yookassa": lambda: _yookassa(config, clients["yookassa"], now),
        "amplitude": lambda: _amplitude(config, clients["amplitude"]),
    }
    findings: list[Finding] = []
    for source, run in checks.items():
        try:
            findings.extend(run())
        except SourceError as error:
            findings.append(Finding(source, "authentication", "fail", error.message))
    return findings


def render(findings: Iterable[Finding]) -> str:
    """One line per finding: source, OK/WARN/FAIL, subject and detail."""
    return "\n".join(
        f"{f.source:<10} {f.status.upper():<4}  {f.subject}" + (f": {f.detail}" if f.detail else "")
        for f in findings
    )


def _records(pages: Iterable[list[dict]]) -> list[dict]:
    return list(chain.from_iterable(pages))


def _named(kind: str, wanted: CrmObject, found: Mapping[int, str]) -> Finding:
    """A configured id and name against what the account holds (`found`: id -> name)."""
    subject = f'{kind} {wanted.id} "{wanted.name}"'
    if wanted.id in found and found[wanted.id] == wanted.name:
        return Finding("amocrm", subject, "ok")
    if wanted.id in found:
        return Finding("amocrm", subject, "fail", f'the account names it "{found[wanted.id]}"')
    same_name = [i for i, name in found.items() if name == wanted.name]
    hint = f'; "{wanted.name}" is {same_name[0]}' if same_name else ""
    return Finding("amocrm", subject, "fail", f"the account has no {kind} {wanted.id}{hint}")


def _field(column: str, wanted: FieldRef, fields: list[dict]) -> Finding:
    """A lead field of the file against the account's custom fields: found by any of its
    id, code or name, as the leads stream reads it."""
    given = {"id": wanted.id, "code": wanted.code, "name": wanted.name}
    given = {key: value for key, value in given.items() if value is not None}
    subject = f"lead field {column} ({', '.join(f'{k} {v!r}' for k, v in given.items())})"
    match = next((f for f in fields if any(f.get(k) == v for k, v in given.items())), None)
    if match is None:
        names = ", ".join(f'{f["id"]} "{f.get("name", "")}"' for f in fields[:12])
        return Finding(
            "amocrm", subject, "fail", f"no such lead custom field; the account has {names}"
        )
    return Finding("amocrm", subject, "ok", f'field {match["id"]} "{match.get("name", "")}"')


def _amocrm(config: CompanyConfig, client: VendorClient) -> Iterator[Finding]:
    pipelines = _records(client.pipelines())
    users = {u["id"]: u.get("name", "") for u in _records(client.users())}
    fields = _records(client.lead_custom_fields())
    yield Finding(
        "amocrm", "authentication", "ok", f"{len(pipelines)} pipeline(s), {len(users)} user(s)"
    )
    by_id = {p["id"]: p for p in pipelines}
    wanted = config.crm.sales_pipeline
    yield _named("pipeline", wanted, {p["id"]: p.get("name", "") for p in pipelines})
    statuses = by_id.get(wanted.id, {}).get("_embedded", {}).get("statuses", [])
    yield _named("stage", config.crm.consultation_stage, {s["id"]: s["name"] for s in statuses})
    for column, wanted in dict(config.crm.lead_fields).items():
        yield _field(column, wanted, fields)
    for manager in config.managers:
        subject = f"manager {manager.crm_user_id} ({manager.name})"
        if manager.crm_user_id in users:
            yield Finding("amocrm", subject, "ok", f'user "{users[manager.crm_user_id]}"')
        else:
            yield Finding("amocrm", subject, "fail", "no such user in the account")


def _telphin(config: CompanyConfig, client: VendorClient) -> Iterator[Finding]:
    extensions = {e["id"]: e.get("name", "") for e in _records(client.extensions())}
    yield Finding("telphin", "authentication", "ok", f"{len(extensions)} extension(s)")
    for manager in config.managers:
        subject = f'extension {manager.extension_id} "{manager.extension_name}" ({manager.name})'
        name = extensions.get(manager.extension_id)
        if name == manager.extension_name:
            yield Finding("telphin", subject, "ok")
        elif name is None:
            yield Finding("telphin", subject, "fail", "no such extension in the account")
        else:
            yield Finding("telphin", subject, "fail", f'the account names it "{name}"')


def _yookassa(config: CompanyConfig, client: VendorClient, now: datetime) -> Iterator[Finding]:
    payments = _records(islice(client.payments(now - RECENT, now), PAYMENT_PAGES))
    yield Finding("yookassa", "authentication", "ok", f"{len(payments)} recent payment(s)")
    if not payments:
        yield Finding("yookassa", "payment metadata", "warn", "no payments in the last 14 days")
        return
    metadata = [p.get("metadata") or {} for p in payments]
    keys = dict(config.payment_metadata)
    for fact in EXPECTED_METADATA:
        share = sum(keys[fact] in m for m in metadata) / len(metadata)
        status = "ok" if share >= 0.5 else "warn" if share else "fail"
        subject = f"metadata key {keys[fact]!r} ({fact})"
        yield Finding("yookassa", subject, status, f"on {share:.0%} of payments")
    tariff = keys["tariff"]
    seen = {str(m[tariff]) for m in metadata if m.get(tariff) is not None}
    unknown = sorted(seen - {t.code for t in config.tariffs})
    if unknown:
        detail = f"payments carry tariff codes the file lacks: {', '.join(unknown)}"
        yield Finding("yookassa", "tariffs", "fail", detail)
    else:
        yield Finding("yookassa", "tariffs", "ok", f"{len(seen)} code(s) seen, all in the file")


def _amplitude(config: CompanyConfig, client: VendorClient) -> Iterator[Finding]:
    types = set(client.event_types())
    yield Finding("amplitude", "authentication", "ok", f"{len(types)} event type(s)")
    for role, name in (
        ("activation event", config.product.activation_event),
        ("lesson event", config.product.lesson_event),
    ):
        subject = f"{role} {name!r}"
        if name in types:
            yield Finding("amplitude", subject, "ok")
        else:
            yield Finding("amplitude", subject, "fail", "the project has no such event type")
