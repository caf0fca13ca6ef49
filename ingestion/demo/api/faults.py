"""Fault injection settings and the seeded decisions that apply them.

Pipelines must survive what real vendors do (429 bursts, 5xx, stalls, dropped and
truncated responses, duplicated or drifting records, late data), and tests must be able to
replay a failure exactly. So nothing here is random: every decision hashes
(seed, fault, api, request or record key), and a request-level fault hits only the first
`attempts` attempts of a request, so a client that retries the same request gets through
and two runs with the same seed fail in the same places.

The same schema is read from YAML (`serve --faults faults.yaml`), from JSON
(`PUT /_demo/faults`) and from a dict (`DemoServer.set_faults`).
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

APIS = ("telphin", "amocrm", "yookassa", "amplitude")


@dataclass(frozen=True)
class RequestFault:
    """Hits a request (method + path + query) chosen with `probability`, on its first
    `attempts` attempts; later attempts of the same request succeed."""

    probability: float = 0.0
    attempts: int = 1


@dataclass(frozen=True)
class RateLimited(RequestFault):
    retry_after: int | None = None  # seconds in a Retry-After header; None = no header


@dataclass(frozen=True)
class ServerError(RequestFault):
    status: int = 503


@dataclass(frozen=True)
class Slow(RequestFault):
    delay_seconds: float = 30.0  # then the normal response, long after a client gave up


@dataclass(frozen=True)
class DataFault:
    """Changes what a page says rather than whether it arrives; chosen per page (repeated
    item) or per record (the others) with `probability`, the same on every attempt."""

    probability: float = 0.0


@dataclass(frozen=True)
class UnknownField(DataFault):
    name: str = "x_demo_new_field"


@dataclass(frozen=True)
class LateRecords:
    """A `share` of records becomes visible `delay_hours` after its own time."""

    share: float = 0.0
    delay_hours: float = 6.0


@dataclass(frozen=True)
class ApiFaults:
    rate_limited: RateLimited = field(default_factory=RateLimited)
    server_error: ServerError = field(default_factory=ServerError)
    slow: Slow = field(default_factory=Slow)
    dropped_connection: RequestFault = field(default_factory=RequestFault)
    truncated_body: RequestFault = field(default_factory=RequestFault)
    repeated_item: DataFault = field(default_factory=DataFault)
    unknown_field: UnknownField = field(default_factory=UnknownField)
    missing_field: DataFault = field(default_factory=DataFault)
    changed_type: DataFault = field(default_factory=DataFault)
    malformed_record: DataFault = field(default_factory=DataFault)  # key field dropped
    late_records: LateRecords = field(default_factory=LateRecords)
    # Vendor behaviour knobs; each is read by one vendor only (see VENDOR_KNOBS).
    token_ttl_seconds: int = 3600
    blocked: bool = False
    max_window_hours: int = 31 * 24


VENDOR_KNOBS = {
    "token_ttl_seconds": "telphin",
    "blocked": "amocrm",
    "max_window_hours": "amplitude",
}

# Request-level faults in the order they are tried; at most one hits an attempt.
REQUEST_FAULTS = ("dropped_connection", "server_error", "rate_limited", "slow", "truncated_body")


@dataclass(frozen=True)
class FaultConfig:
    seed: int = 0
    natural_limits: bool = True  # Telphin: one stats request at a time; amoCRM: 7 req/s
    telphin: ApiFaults = field(default_factory=ApiFaults)
    amocrm: ApiFaults = field(default_factory=ApiFaults)
    yookassa: ApiFaults = field(default_factory=ApiFaults)
    amplitude: ApiFaults = field(default_factory=ApiFaults)

    def api(self, name: str) -> ApiFaults:
        return getattr(self, name)

    @classmethod
    def from_dict(cls, raw: dict[str, Any] | None) -> FaultConfig:
        """Validate strictly: a misspelt fault must fail loudly, not silently do nothing."""
        raw = dict(raw or {})
        apis = {}
        for api in APIS:
            section = dict(raw.pop(api, None) or {})
            for knob, owner in VENDOR_KNOBS.items():
                if knob in section and owner != api:
                    raise ValueError(f"faults.{api}.{knob}: only {owner} has this setting")
            apis[api] = _build(ApiFaults, section, f"faults.{api}")
        config = _build(cls, raw, "faults")
        return dataclasses.replace(config, **apis)

    @classmethod
    def load(cls, path: Path | str) -> FaultConfig:
        return cls.from_dict(yaml.safe_load(Path(path).read_text(encoding="utf-8")))

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _build(cls: type, raw: dict[str, Any], where: str):
    known = {f.name: f for f in dataclasses.fields(cls)}
    unknown = set(raw) - set(known)
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    values = {}
    for name, value in raw.items():
        factory = known[name].default_factory
        if dataclasses.is_dataclass(factory):
            values[name] = _build(factory, dict(value or {}), f"{where}.{name}")
        else:
            values[name] = value
    return cls(**values)


def unit_hash(seed: int, *keys: object) -> float:
    """A uniform number in [0, 1) fixed by the seed and keys."""
    text = "|".join(map(str, (seed, *keys)))
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def request_fault(config: FaultConfig, api: str, request_key: str, attempt: int) -> str | None:
    """The request-level fault that hits this attempt (1-based), if any."""
    faults = config.api(api)
    for name in REQUEST_FAULTS:
        fault: RequestFault = getattr(faults, name)
        if (
            attempt <= fault.attempts
            and unit_hash(config.seed, name, api, request_key) < fault.probability
        ):
            return name
    return None


def hits(config: FaultConfig, api: str, fault: str, key: object) -> bool:
    """Whether a data fault (or late arrival) applies to this page or record."""
    spec = getattr(config.api(api), fault)
    chance = spec.share if isinstance(spec, LateRecords) else spec.probability
    return chance > 0 and unit_hash(config.seed, fault, api, key) < chance
