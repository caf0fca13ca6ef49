"""YooKassa streams: payments and refunds.

Amounts arrive as strings ("3000.00") and are parsed as Decimal, never float. The shop's
own facts (account, tariff, period, promo) live in the free-form `metadata`, whose values
YooKassa stores as strings; the keys the company file names (`payment_metadata`) are
flattened into typed columns, the rest stay in `_raw`. A payment in another currency than
RUB, or one whose parts disagree on the currency, is quarantined: downstream every amount
is summed as roubles.
"""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa

from ingestion.streams.parsing import amount, boolean, enum, integer, text, utc_text, validated
from ingestion.streams.spec import AMOUNT, TIMESTAMP, Quality, RecordRejected, Rule, StreamSpec
from salesboard.company import company

CURRENCY_RUB = frozenset({"RUB"})


def _money(raw: dict, path: str, *, required: bool = False) -> tuple[Decimal | None, str | None]:
    """`{value: "3000.00", currency: "RUB"}` as (amount, upper-case currency)."""
    value = amount(raw, f"{path}.value", required=required)
    currency = text(raw, f"{path}.currency", required=required)
    return value, None if currency is None else currency.strip().upper()


def _same_currency(currency: str | None, raw: dict, *paths: str) -> None:
    for path in paths:
        other = _money(raw, path)[1]
        if other is not None and other != currency:
            raise RecordRejected(f"currency_mismatch:{path}")


# --- payments ----------------------------------------------------------------------------
PAYMENT_QUALITY = Quality(
    not_null=("status", "amount", "currency", "created_at"),
    window_column="created_at",
    enums={
        "status": frozenset({"pending", "waiting_for_capture", "succeeded", "canceled"}),
        "cancellation_party": frozenset({"yoo_money", "payment_network", "merchant"}),
    },
    positive=("amount",),
    non_negative=("income_amount", "refunded_amount", "list_price", "period_months"),
    currency_columns=("currency",),
    currencies=CURRENCY_RUB,
    not_greater=(("refunded_amount", "amount"), ("income_amount", "amount")),
)


def metadata_paths() -> dict[str, str]:
    """Each metadata fact's path in a payment, as the company file names its key
    (`payment_metadata`): `{"account_id": "metadata.<key>", ...}`."""
    keys = dict(company().payment_metadata)
    return {column: f"metadata.{key}" for column, key in keys.items()}


def _payment_row(raw: dict) -> dict:
    keys = metadata_paths()
    value, currency = _money(raw, "amount", required=True)
    _same_currency(currency, raw, "income_amount", "refunded_amount")
    return {
        "id": text(raw, "id", required=True),
        "status": enum(raw, "status", required=True),
        "paid": boolean(raw, "paid"),
        "amount": value,
        "currency": currency,
        "income_amount": _money(raw, "income_amount")[0],
        "refunded_amount": _money(raw, "refunded_amount")[0],
        "description": text(raw, "description"),
        "account_id": text(raw, keys["account_id"]),
        "lead_id": integer(raw, keys["lead_id"], sent_as=str),
        "manager_id": integer(raw, keys["manager_id"], sent_as=str),
        "tariff": text(raw, keys["tariff"]),
        "period_months": integer(raw, keys["period_months"], sent_as=str),
        "list_price": amount(raw, keys["list_price"]),
        "promo_code": text(raw, keys["promo_code"]),
        "payment_method_type": enum(raw, "payment_method.type"),
        "created_at": utc_text(raw, "created_at", required=True),
        "captured_at": utc_text(raw, "captured_at"),
        "cancellation_party": enum(raw, "cancellation_details.party"),
        "cancellation_reason": enum(raw, "cancellation_details.reason"),
        "test": boolean(raw, "test"),
    }


PAYMENTS = StreamSpec(
    source="yookassa",
    name="payments",
    key=("id",),
    columns=pa.schema(
        [
            pa.field("id", pa.string(), nullable=False),
            pa.field("status", pa.string()),
            pa.field("paid", pa.bool_()),
            pa.field("amount", AMOUNT),
            pa.field("currency", pa.string()),
            pa.field("income_amount", AMOUNT),
            pa.field("refunded_amount", AMOUNT),
            pa.field("description", pa.string()),
            pa.field("account_id", pa.string()),
            pa.field("lead_id", pa.int64()),
            pa.field("manager_id", pa.int64()),
            pa.field("tariff", pa.string()),
            pa.field("period_months", pa.int32()),
            pa.field("list_price", AMOUNT),
            pa.field("promo_code", pa.string()),
            pa.field("payment_method_type", pa.string()),
            pa.field("created_at", TIMESTAMP),
            pa.field("captured_at", TIMESTAMP),
            pa.field("cancellation_party", pa.string()),
            pa.field("cancellation_reason", pa.string()),
            pa.field("test", pa.bool_()),
        ]
    ),
    normalize=validated(_payment_row, PAYMENT_QUALITY),
    known_fields=frozenset(
        {"id", "status", "paid", "amount", "income_amount", "refunded_amount", "description"}
        | {"recipient", "payment_method", "captured_at", "created_at", "expires_at"}
        | {"confirmation", "test", "refundable", "receipt_registration", "metadata"}
        | {"cancellation_details", "authorization_details", "transfers", "deal"}
        | {"merchant_customer_id", "invoice_details"}
    ),
    expected_fields=frozenset(
        {"id", "status", "paid", "amount", "description", "created_at", "test", "metadata"}
    ),
    # No updated_at on the wire: a capture is the last change with a time of its own.
    updated_at=("captured_at", "created_at"),
    quality=PAYMENT_QUALITY,
    window=Rule.LOOKBACK,  # by created_at; the lookback re-reads status changes
    fetch=lambda client, window: client.payments(*window),
)

# --- refunds -----------------------------------------------------------------------------
REFUND_QUALITY = Quality(
    not_null=("payment_id", "status", "amount", "currency", "created_at"),
    window_column="created_at",
    enums={"status": frozenset({"pending", "succeeded", "canceled"})},
    positive=("amount",),
    currency_columns=("currency",),
    currencies=CURRENCY_RUB,
)


def _refund_row(raw: dict) -> dict:
    value, currency = _money(raw, "amount", required=True)
    return {
        "id": text(raw, "id", required=True),
        "payment_id": text(raw, "payment_id", required=True),
        "status": enum(raw, "status", required=True),
        "amount": value,
        "currency": currency,
        "description": text(raw, "description"),
        "created_at": utc_text(raw, "created_at", required=True),
    }


REFUNDS = StreamSpec(
    source="yookassa",
    name="refunds",
    key=("id",),
    columns=pa.schema(
        [
            pa.field("id", pa.string(), nullable=False),
            pa.field("payment_id", pa.string()),
            pa.field("status", pa.string()),
            pa.field("amount", AMOUNT),
            pa.field("currency", pa.string()),
            pa.field("description", pa.string()),
            pa.field("created_at", TIMESTAMP),
        ]
    ),
    normalize=validated(_refund_row, REFUND_QUALITY),
    known_fields=frozenset(
        {"id", "payment_id", "status", "amount", "created_at", "description"}
        | {"cancellation_details", "receipt_registration", "sources", "deal"}
        | {"refund_method", "refund_authorization_details"}
    ),
    expected_fields=frozenset({"id", "payment_id", "status", "amount", "created_at"}),
    updated_at=("created_at",),
    quality=REFUND_QUALITY,
    window=Rule.DAY,  # by the refund's own created_at
    fetch=lambda client, window: client.refunds(*window),
)
