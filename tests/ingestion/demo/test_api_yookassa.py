"""The demo YooKassa v3 API over real HTTP: cursor paging newest first, created_at filters,
limits, the payment object, payments as of the clock, auth."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import requests

from ingestion.demo.api.yookassa import yookassa_time


@pytest.fixture
def kassa(demo_api):
    creds = demo_api.app.state.demo.world.config.credentials["yookassa"]
    session = requests.Session()
    session.auth = (str(creds["shop_id"]), creds["secret_key"])
    session.base = demo_api.urls["yookassa"]
    return session


def walk(session, path: str, **params) -> list[dict]:
    items, cursor = [], None
    while True:
        page = {**params, **({"cursor": cursor} if cursor else {})}
        body = session.get(session.base + path, params=page, timeout=5).json()
        assert body["type"] == "list"
        items += body["items"]
        cursor = body.get("next_cursor")
        if cursor is None:
            return items


def test_payments_walk_newest_first_by_cursor(kassa, demo_world):
    items = walk(kassa, "/payments", limit=7)
    expected = sorted(demo_world.payments, key=lambda p: (p.created_at, p.payment_id), reverse=True)
    assert [i["id"] for i in items] == [p.payment_id for p in expected]
    assert len(expected) > 14  # several pages
    refunds = walk(kassa, "/refunds", limit=100)
    assert sorted(r["id"] for r in refunds) == sorted(r.refund_id for r in demo_world.refunds)


def test_created_at_filters_at_the_boundary(kassa, demo_world):
    p = demo_world.payments[len(demo_world.payments) // 2]
    at = yookassa_time(p.created_at)

    def ids(**bounds) -> set[str]:
        params = {f"created_at.{k}": v for k, v in bounds.items()}
        return {i["id"] for i in walk(kassa, "/payments", limit=100, **params)}

    assert p.payment_id in ids(gte=at, lte=at)
    assert p.payment_id not in ids(gt=at)
    assert p.payment_id not in ids(lt=at)
    day = p.created_at.strftime("%Y-%m-%dT00:00:00.000Z")
    expected = {x.payment_id for x in demo_world.payments if yookassa_time(x.created_at) >= day}
    assert ids(gte=day) == expected


def test_limit_bounds_and_default(kassa):
    assert len(kassa.get(kassa.base + "/payments", timeout=5).json()["items"]) == 10
    for bad in (0, 101, "x"):
        response = kassa.get(kassa.base + "/payments", params={"limit": bad}, timeout=5)
        assert response.status_code == 400 and response.json()["code"] == "invalid_request"
    last = kassa.get(kassa.base + "/refunds", params={"limit": 100}, timeout=5).json()
    assert "next_cursor" not in last


def test_payment_object(kassa, demo_world):
    items = {i["id"]: i for i in walk(kassa, "/payments", limit=100)}
    refunded = {r.payment_id for r in demo_world.refunds}
    for p in demo_world.payments:
        item = items[p.payment_id]
        assert item["status"] == p.status and item["paid"] == (p.status == "succeeded")
        assert re.fullmatch(r"\d+\.\d\d", item["amount"]["value"])
        assert item["amount"] == {"value": f"{p.amount_rub}.00", "currency": "RUB"}
        assert item["test"] is False and item["created_at"].endswith("Z")
        meta = item["metadata"]
        assert meta["account_id"] == p.account_id and meta["tariff"] == p.tariff
        assert meta["period_months"] == str(p.period_months)
        assert ("promo_code" in meta) == (p.promo_code is not None)
        assert ("cancellation_details" in item) == (p.status == "canceled")
        assert ("captured_at" in item) == (p.status == "succeeded")
        assert ("refunded_amount" in item) == (p.payment_id in refunded)
    assert {"succeeded", "canceled"} <= {i["status"] for i in items.values()}


def test_status_filter(kassa, demo_world):
    canceled = walk(kassa, "/payments", status="canceled", limit=100)
    assert {i["id"] for i in canceled} == {
        p.payment_id for p in demo_world.payments if p.status == "canceled"
    }
    assert (
        kassa.get(kassa.base + "/payments", params={"status": "bogus"}, timeout=5).status_code
        == 400
    )


def test_payments_as_of_the_clock(kassa, demo_api, demo_world):
    p = next(x for x in demo_world.payments if x.status == "succeeded")
    demo_api.set_clock(p.created_at - timedelta(milliseconds=1))
    assert p.payment_id not in {i["id"] for i in walk(kassa, "/payments", limit=100)}
    demo_api.set_clock(p.created_at)
    item = next(i for i in walk(kassa, "/payments", limit=100) if i["id"] == p.payment_id)
    assert item["status"] == "pending" and item["paid"] is False and "captured_at" not in item


def test_wrong_credentials_get_401_invalid_credentials(demo_api):
    url = demo_api.urls["yookassa"] + "/payments"
    for auth in (("100500", "wrong"), None):
        response = requests.get(url, auth=auth, timeout=5)
        assert response.status_code == 401
        assert response.json()["type"] == "error"
        assert response.json()["code"] == "invalid_credentials"
