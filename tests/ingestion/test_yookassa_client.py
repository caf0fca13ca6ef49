"""YooKassaClient: half-open created_at filter and cursor paging."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from ingestion.errors import SourceAuthError, SourceUnavailableError
from ingestion.yookassa import YooKassaClient
from tests.ingestion.conftest import DEMO_SETTINGS, SURVIVABLE_FAULTS, Reply, survive
from tests.ingestion.test_http import FAST

START, END = datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 3, 2, tzinfo=UTC)


def test_payments_follow_the_cursor(scripted):
    scripted.on(
        "GET",
        "/v3/payments",
        Reply(200, {"type": "list", "items": [{"id": "p1"}, {"id": "p2"}], "next_cursor": "c2"}),
        Reply(200, {"type": "list", "items": [{"id": "p2"}, {"id": "p3"}]}),
    )
    yk = YooKassaClient(scripted.url + "/v3", "100500", "sec", settings=FAST, page_size=2)
    assert list(yk.payments(START, END)) == [
        [{"id": "p1"}, {"id": "p2"}],
        [{"id": "p2"}, {"id": "p3"}],
    ]
    first, second = scripted.requests_to("/v3/payments")
    assert first.query == {
        "created_at.gte": ["2025-03-01T00:00:00.000Z"],
        "created_at.lt": ["2025-03-02T00:00:00.000Z"],
        "limit": ["2"],
    }
    assert second.query["cursor"] == ["c2"]
    assert yk.stats.pages == 2 and yk.stats.records == 4


# --- against the demo server -------------------------------------------------------------

MONTH = (datetime(2024, 7, 1, tzinfo=UTC), datetime(2024, 8, 1, tzinfo=UTC))


def demo_client(server, world, secret: str | None = None) -> YooKassaClient:
    creds = world.config.credentials["yookassa"]
    return YooKassaClient(
        server.urls["yookassa"],
        str(creds["shop_id"]),
        secret or creds["secret_key"],
        settings=DEMO_SETTINGS,
        page_size=10,
    )


def payment_ids(client: YooKassaClient) -> list[str]:
    return [r["id"] for p in client.payments(*MONTH) for r in p]


def payments_truth(world) -> set[str]:
    return {p.payment_id for p in world.payments if MONTH[0] <= p.created_at < MONTH[1]}


def test_demo_payments_and_refunds_match_the_world(demo, demo_world):
    client = demo_client(demo, demo_world)
    ids = payment_ids(client)
    truth = payments_truth(demo_world)
    assert len(truth) > 10 and len(ids) == len(truth) and set(ids) == truth
    refunds = [r["id"] for p in client.refunds(*MONTH) for r in p]
    assert set(refunds) == {
        r.refund_id for r in demo_world.refunds if MONTH[0] <= r.created_at < MONTH[1]
    }


@pytest.mark.parametrize("fault", sorted(SURVIVABLE_FAULTS))
def test_demo_payments_survive(demo, demo_world, fault):
    client = demo_client(demo, demo_world)
    survive(demo, "yookassa", fault, lambda: payment_ids(client), payments_truth(demo_world))


def test_demo_bad_secret_fails_without_leaking_it(demo, demo_world, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = "wrong-yookassa-secret-42"
    with pytest.raises(SourceAuthError) as caught:
        payment_ids(demo_client(demo, demo_world, wrong))
    assert str(caught.value) == (
        "yookassa/payments [2024-07-01T00:00Z, 2024-08-01T00:00Z): bad credentials (HTTP 401)"
    )
    assert wrong not in caplog.text


def test_demo_truncated_bodies_forever_fail_loudly(demo, demo_world):
    demo.set_faults({"yookassa": {"truncated_body": {"probability": 1.0, "attempts": 99}}})
    with pytest.raises(
        SourceUnavailableError, match=r"^yookassa/payments \[2024-07-01T00:00Z.*cut off"
    ):
        payment_ids(demo_client(demo, demo_world))
