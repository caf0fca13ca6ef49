"""Typed reads of raw vendor fields, shared by every stream's normalizer.

Each reader takes the raw record and a dotted path (`amount.value`), returns the typed
value or None, and raises `RecordRejected` with a stable reason when the value cannot be
represented without guessing. Vendors drift between a number and a numeric string; those
values are coerced losslessly and counted (see `collect_retyped`), anything else is
rejected: a wrong number in a revenue column is worse than a record in quarantine.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson

from ingestion.streams.spec import Quality, RecordRejected

INT64_MAX = 2**63 - 1
AMOUNT_LIMIT = Decimal(10) ** 16  # decimal128(18, 2) holds 16 integer digits
CENTS = Decimal("0.01")
_INTEGER_TEXT = re.compile(r"[+-]?\d+")
_TIMESTAMP_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}")
_TRUE, _FALSE = frozenset({"true", "1"}), frozenset({"false", "0"})
_retyped: ContextVar[Counter[str] | None] = ContextVar("retyped", default=None)
_lenient: ContextVar[bool] = ContextVar("lenient", default=False)


@contextmanager
def collect_retyped() -> Iterator[Counter[str]]:
    """Count, per field path, the values coerced from a changed wire type while inside.

    A context variable keeps `normalize(raw) -> dict` a plain function while landing still
    learns which fields a vendor has started to send with another type.
    """
    counter: Counter[str] = Counter()
    token = _retyped.set(counter)
    try:
        yield counter
    finally:
        _retyped.reset(token)


@contextmanager
def missing_allowed() -> Iterator[None]:
    """Read required fields that are absent as None while inside, instead of rejecting.

    For reading a record only to learn one of its values (which day it belongs to): a
    record without its key is still quarantined by the real normalization, but in every
    partition whose window holds it, as a pull of that partition's own window would.
    """
    token = _lenient.set(True)
    try:
        yield
    finally:
        _lenient.reset(token)


def _note_retyped(path: str) -> None:
    counter = _retyped.get()
    if counter is not None:
        counter[path] += 1


def lookup(raw: dict, path: str, *, required: bool = False) -> Any:
    """The value at a dotted path; None when any step is absent or null.

    Most paths are a single key: those skip splitting the path (millions of calls a year).
    """
    if "." in path:
        value: Any = raw
        for step in path.split("."):
            value = value.get(step) if isinstance(value, dict) else None
    else:
        value = raw.get(path) if isinstance(raw, dict) else None
    if value is None and required and not _lenient.get():
        raise RecordRejected(f"missing:{path}")
    return value


def text(raw: dict, path: str, *, required: bool = False) -> str | None:
    """A string exactly as sent (phones, e-mails and names are never cleaned here)."""
    value = lookup(raw, path, required=required)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        _note_retyped(path)
        return str(value)
    raise RecordRejected(f"bad_text:{path}")


def integer(raw: dict, path: str, *, required: bool = False, sent_as: type = int) -> int | None:
    """An integer; `sent_as=str` for vendors that send numbers as text (YooKassa metadata)."""
    value = lookup(raw, path, required=required)
    if type(value) is int and sent_as is int and abs(value) <= INT64_MAX:
        return value  # as documented: nothing to check or count
    if value is None:
        return None
    integral = (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, float) and value.is_integer()
    )
    if not integral and not (isinstance(value, str) and _INTEGER_TEXT.fullmatch(value.strip())):
        raise RecordRejected(f"bad_integer:{path}")
    number = int(value)
    if not isinstance(value, sent_as):
        _note_retyped(path)
    if abs(number) > INT64_MAX:
        raise RecordRejected(f"bad_integer:{path}")
    return number


def boolean(raw: dict, path: str, *, required: bool = False) -> bool | None:
    value = lookup(raw, path, required=required)
    if value is None or isinstance(value, bool):
        return value
    spelled = str(value).strip().lower() if isinstance(value, str | int) else None
    if spelled in _TRUE or spelled in _FALSE:
        _note_retyped(path)
        return spelled in _TRUE
    raise RecordRejected(f"bad_boolean:{path}")


def amount(raw: dict, path: str, *, required: bool = False, sent_as: type = str) -> Decimal | None:
    """Money as an exact Decimal with at most two decimal places.

    `sent_as` is the vendor's documented wire type (YooKassa: a string like "3000.00",
    amoCRM: an integer); the other kind is accepted and counted as retyped. A float's
    shortest repr is exact for any value with cents; a value needing more precision is
    rejected rather than rounded.
    """
    value = lookup(raw, path, required=required)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RecordRejected(f"bad_amount:{path}")
    if not isinstance(value, sent_as):
        _note_retyped(path)
    try:
        number = Decimal(value.strip() if isinstance(value, str) else repr(value))
    except InvalidOperation:
        raise RecordRejected(f"bad_amount:{path}") from None
    if not number.is_finite() or abs(number) >= AMOUNT_LIMIT:
        raise RecordRejected(f"bad_amount:{path}")
    cents = number.quantize(CENTS)
    if number != cents:
        raise RecordRejected(f"bad_amount:{path}")
    return cents


def utc_text(
    raw: dict, path: str, *, required: bool = False, epoch_scale: int | None = None
) -> datetime | None:
    """An ISO-like timestamp: naive ones are UTC (Telphin's `*_gmt`, Amplitude), ones with
    an offset or `Z` (YooKassa) are converted to UTC.

    `epoch_scale` (units per second) is for a vendor whose other APIs speak epoch numbers,
    so a number there is unambiguous (Amplitude: milliseconds) and is coerced; elsewhere a
    number is rejected, since seconds and milliseconds cannot be told apart safely.
    """
    value = lookup(raw, path, required=required)
    if value is None:
        return None
    if epoch_scale is not None and isinstance(value, int) and not isinstance(value, bool):
        _note_retyped(path)
        return _from_epoch(Decimal(value) / epoch_scale, path)
    stamp = value.strip() if isinstance(value, str) else None
    if stamp is None or not _TIMESTAMP_TEXT.match(stamp):
        raise RecordRejected(f"bad_timestamp:{path}")
    try:
        at = datetime.fromisoformat(stamp)
    except ValueError:
        raise RecordRejected(f"bad_timestamp:{path}") from None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _from_epoch(seconds: Decimal | int, path: str) -> datetime:
    if not 0 <= seconds < 2**33:
        raise RecordRejected(f"bad_timestamp:{path}")
    whole = int(seconds)
    at = datetime.fromtimestamp(whole, UTC)
    micros = int((seconds - whole) * 1_000_000)
    return at.replace(microsecond=micros) if micros else at


def unix_seconds(raw: dict, path: str, *, required: bool = False) -> datetime | None:
    """amoCRM's unix seconds (a numeric string is coerced like any integer)."""
    seconds = integer(raw, path, required=required)
    return None if seconds is None else _from_epoch(seconds, path)


def enum(raw: dict, path: str, *, required: bool = False) -> str | None:
    """An enum value in one spelling: lower case, words joined by `_` ("Not answered" ->
    "not_answered", "iOS" -> "ios"). Values outside the known set are kept: the quality
    suite flags them, and a new vendor status must not drop records."""
    value = text(raw, path, required=required)
    return None if value is None else "_".join(value.strip().lower().replace("-", " ").split())


def json_text(raw: dict, path: str) -> str | None:
    """A free-form object as canonical JSON text (sorted keys), for columns analysts
    query with JSON functions."""
    value = lookup(raw, path)
    return None if value is None else orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def raw_json(raw: dict) -> str:
    """The record as received, canonicalised so identical records give identical bytes."""
    return orjson.dumps(raw, option=orjson.OPT_SORT_KEYS).decode()


def validated(build: Callable[[dict], dict], quality: Quality) -> Callable[[dict], dict]:
    """A normalizer: `build` the row, then reject what must never reach the warehouse.

    Non-positive amounts and non-RUB currencies are rejected rather than landed: every
    amount is summed as roubles downstream, so one such row silently corrupts revenue.
    """

    def normalize(raw: dict) -> dict:
        row = build(raw)
        for column in quality.positive:
            if row[column] is not None and row[column] <= 0:
                raise RecordRejected(f"not_positive:{column}")
        for column in quality.currency_columns:
            if row[column] is not None and row[column] not in quality.currencies:
                raise RecordRejected(f"unsupported_currency:{column}")
        return row

    return normalize
