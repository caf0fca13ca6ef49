"""YooKassa normalizers: Decimal amounts, flattened metadata, and what is quarantined."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from ingestion.streams import STREAMS
from ingestion.streams.parsing import collect_retyped
from ingestion.streams.spec import RecordRejected
from ingestion.yookassa import YooKassaClient

PAYMENTS = STREAMS["yookassa.payments"]
REFUNDS = STREAMS["yookassa.refunds"]


def payment(**changes) -> dict:
    record = {
        "id": "2f9a4c10-000f-5000-9000-1b2c3d4e5f60",
        "status": "succeeded",
        "paid": True,
        "amount": {"value": "14250.00", "currency": "RUB"},
        "income_amount": {"value": "13751.25", "currency": "RUB"},
        "refunded_amount": {"value": "5000.00", "currency": "RUB"},
        "description": "Подписка business, 3 мес., acc0000082",
        "recipient": {"account_id": "100500", "gateway_id": "1000001"},
        "payment_method": {"type": "bank_card", "id": "2f9a", "saved": False},
        "captured_at": "2024-07-22T15:41:18.878Z",
        "created_at": "2024-07-22T15:40:44.479Z",
        "test": False,
        "refundable": True,
        "metadata": {
            "account_id": "acc0000082",
            "lead_id": "20000082",
            "manager_id": "5003",
            "tariff": "business",
            "period_months": "3",
            "list_price": "15000",
            "promo_code": "PROMO202407",
        },
    }
    return record | changes


def rejection(record: dict) -> str:
    with pytest.raises(RecordRejected) as caught:
        PAYMENTS.normalize(record)
    return caught.value.reason


def test_a_payment_with_exact_amounts_and_flat_metadata():
    with collect_retyped() as retyped:
        row = PAYMENTS.normalize(payment())
    assert (row["amount"], row["income_amount"], row["refunded_amount"]) == (
        Decimal("14250.00"),
        Decimal("13751.25"),
        Decimal("5000.00"),
    )
    assert row["currency"] == "RUB"
    assert (row["lead_id"], row["manager_id"], row["period_months"]) == (20000082, 5003, 3)
    assert (row["tariff"], row["list_price"], row["promo_code"]) == (
        "business",
        Decimal("15000.00"),
        "PROMO202407",
    )
    assert row["captured_at"] == datetime(2024, 7, 22, 15, 41, 18, 878000, tzinfo=UTC)
    assert row["payment_method_type"] == "bank_card"
    assert retyped == {}  # metadata values are strings on the wire: nothing changed type


def test_a_canceled_payment():
    record = payment(
        status="canceled",
        paid=False,
        cancellation_details={"party": "payment_network", "reason": "insufficient_funds"},
    )
    del record["captured_at"], record["income_amount"], record["refunded_amount"]
    row = PAYMENTS.normalize(record)
    assert (row["cancellation_party"], row["cancellation_reason"]) == (
        "payment_network",
        "insufficient_funds",
    )
    assert row["captured_at"] is None and row["income_amount"] is None


@pytest.mark.parametrize(("sent", "landed"), [(3000.5, "3000.50"), (3000, "3000.00")])
def test_an_amount_sent_as_a_number_is_coerced_exactly_and_counted(sent, landed):
    with collect_retyped() as retyped:
        row = PAYMENTS.normalize(payment(amount={"value": sent, "currency": "RUB"}))
    assert row["amount"] == Decimal(landed)
    assert retyped == {"amount.value": 1}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"id": None}, "missing:id"),
        ({"amount": None}, "missing:amount.value"),
        ({"amount": {"value": "0.00", "currency": "RUB"}}, "not_positive:amount"),
        ({"amount": {"value": "-10.00", "currency": "RUB"}}, "not_positive:amount"),
        ({"amount": {"value": "10.005", "currency": "RUB"}}, "bad_amount:amount.value"),
        ({"amount": {"value": "ten", "currency": "RUB"}}, "bad_amount:amount.value"),
        ({"amount": {"value": "NaN", "currency": "RUB"}}, "bad_amount:amount.value"),
        ({"amount": {"value": True, "currency": "RUB"}}, "bad_amount:amount.value"),
        (
            {
                "amount": {"value": "10.00", "currency": "USD"},
                "income_amount": {"value": "9.65", "currency": "USD"},
                "refunded_amount": None,
            },
            "unsupported_currency:currency",
        ),
        (
            {"income_amount": {"value": "9.00", "currency": "EUR"}},
            "currency_mismatch:income_amount",
        ),
        ({"created_at": "22.07.2024"}, "bad_timestamp:created_at"),
        ({"created_at": 1721662844}, "bad_timestamp:created_at"),
        ({"metadata": {"lead_id": "L-1"}}, "bad_integer:metadata.lead_id"),
    ],
)
def test_bad_payments_are_rejected_with_a_reason(change, reason):
    assert rejection(payment(**change)) == reason


def test_a_refund():
    row = REFUNDS.normalize(
        {
            "id": "2f9a4c11-0015-5000-8000-1b2c3d4e5f61",
            "payment_id": "2f9a4c10-000f-5000-9000-1b2c3d4e5f60",
            "status": "succeeded",
            "created_at": "2024-07-25T10:00:00.000Z",
            "amount": {"value": "5000.00", "currency": "RUB"},
        }
    )
    assert (row["amount"], row["currency"], row["status"]) == (
        Decimal("5000.00"),
        "RUB",
        "succeeded",
    )


def test_the_demo_server_records_normalize_cleanly(demo_api, demo_world):
    creds = demo_world.config.credentials["yookassa"]
    client = YooKassaClient(demo_api.urls["yookassa"], creds["shop_id"], creds["secret_key"])
    start = datetime(2024, 7, 1, tzinfo=UTC)
    end = start + timedelta(days=28)
    payments = [PAYMENTS.normalize(r) for page in client.payments(start, end) for r in page]
    refunds = [REFUNDS.normalize(r) for page in client.refunds(start, end) for r in page]
    truth = {p.payment_id: p for p in demo_world.payments}
    assert payments
    for row in payments:
        expected = truth[row["id"]]
        assert row["amount"] == Decimal(expected.amount_rub)
        assert (row["account_id"], row["lead_id"]) == (expected.account_id, expected.lead_id)
        assert row["promo_code"] == expected.promo_code
    assert {r["payment_id"] for r in refunds} <= set(truth)
