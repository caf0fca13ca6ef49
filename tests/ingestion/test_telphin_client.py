"""TelphinClient: window paging by start second, against a scripted server and the demo."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from ingestion.errors import SourceAuthError, SourceResponseError, SourceUnavailableError
from ingestion.telphin import TelphinClient
from tests.ingestion.conftest import DEMO_SETTINGS, SURVIVABLE_FAULTS, Reply, survive
from tests.ingestion.test_http import FAST

HISTORY = "/api/ver1.0/client/@me/call_history/"
START, END = datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 3, 2, tzinfo=UTC)
TOKEN = Reply(200, {"access_token": "tok", "token_type": "Bearer", "expires_in": 3600})


def call(uuid: str, start: str) -> dict:
    return {"call_uuid": uuid, "start_time_gmt": start, "flow": "out"}


def page(*calls: dict, per_page: int = 2) -> Reply:
    return Reply(
        200, {"page": 1, "per_page": per_page, "order": "asc", "call_history": list(calls)}
    )


def client(server, per_page: int = 2) -> TelphinClient:
    return TelphinClient(server.url, "id", "secret", settings=FAST, per_page=per_page)


def test_pages_by_moving_the_window_and_keeps_calls_sharing_a_second(scripted):
    scripted.on("POST", "/oauth/token", TOKEN)
    scripted.on(
        "GET",
        HISTORY,
        page(
            call("a", "2025-03-01 00:00:05"),
            call("x", "2025-03-01 05:00:00"),
            call("b", "2025-03-01 10:00:00.10"),
            per_page=3,
        ),
        # restarts at 10:00:00: "b" comes again, "c" shares its second
        page(
            call("b", "2025-03-01 10:00:00.10"),
            call("c", "2025-03-01 10:00:00.90"),
            call("d", "2025-03-01 23:59:59.50"),
            per_page=3,
        ),
        page(
            call("d", "2025-03-01 23:59:59.50"),
            call("e", "2025-03-01 23:59:59.70"),
            call("late", "2025-03-02 00:00:00.20"),
            per_page=3,
        ),
    )
    telphin = client(scripted, per_page=3)
    got = [r["call_uuid"] for p in telphin.call_history(START, END) for r in p]
    assert got == ["a", "x", "b", "c", "d", "e"]
    requests = scripted.requests_to(HISTORY)
    assert [s.query["start_datetime"][0] for s in requests] == [
        "2025-03-01 00:00:00",
        "2025-03-01 10:00:00",
        "2025-03-01 23:59:59",
    ]
    first = requests[0].query
    assert first["end_datetime"] == ["2025-03-02 00:00:00"] and first["order"] == ["asc"]
    assert telphin.stats.records == 6


def test_a_full_page_within_one_second_fails_loudly(scripted):
    scripted.on("POST", "/oauth/token", TOKEN)
    same = page(call("a", "2025-03-01 10:00:00.1"), call("b", "2025-03-01 10:00:00.2"))
    scripted.on(
        "GET", HISTORY, page(call("z", "2025-03-01 09:00:00"), same.body["call_history"][0]), same
    )
    with pytest.raises(SourceResponseError, match=r"telphin/call_history \[2025-03-01T00:00Z"):
        list(client(scripted).call_history(START, END))


def test_extensions_are_one_page(scripted):
    scripted.on("POST", "/oauth/token", TOKEN)
    scripted.on("GET", "/api/ver1.0/client/@me/extension/", Reply(200, [{"id": 1}, {"id": 2}]))
    assert list(client(scripted).extensions()) == [[{"id": 1}, {"id": 2}]]


# --- against the demo server -------------------------------------------------------------

DAY = (datetime(2024, 7, 15, tzinfo=UTC), datetime(2024, 7, 16, tzinfo=UTC))


def demo_client(server, world, secret: str | None = None) -> TelphinClient:
    creds = world.config.credentials["telphin"]
    return TelphinClient(
        server.urls["telphin"],
        creds["client_id"],
        secret or creds["client_secret"],
        settings=DEMO_SETTINGS,
        per_page=20,
    )


def demo_truth(world) -> set[str]:
    return {c.call_uuid for c in world.calls if DAY[0] <= c.start_time < DAY[1]}


def pull_ids(client: TelphinClient) -> list[str]:
    return [r["call_uuid"] for p in client.call_history(*DAY) for r in p]


def test_demo_call_history_matches_the_world(demo, demo_world):
    client = demo_client(demo, demo_world)
    ids = pull_ids(client)
    truth = demo_truth(demo_world)
    assert len(truth) > 20 and len(ids) == len(truth) and set(ids) == truth
    assert client.stats.pages > 1
    extensions = [e["id"] for p in client.extensions() for e in p]
    assert set(extensions) == {
        m.extension_id for m in demo_world.managers if m.hired_on <= DAY[0].date()
    }


@pytest.mark.parametrize("fault", sorted(SURVIVABLE_FAULTS))
def test_demo_call_history_survives(demo, demo_world, fault):
    client = demo_client(demo, demo_world)
    survive(demo, "telphin", fault, lambda: pull_ids(client), demo_truth(demo_world))


def test_demo_expired_token_is_refreshed(demo, demo_world):
    client = demo_client(demo, demo_world)
    next(client.extensions())
    demo.set_clock(demo_world.as_of + timedelta(hours=2))  # the server's token TTL is 1 h
    assert set(pull_ids(client)) == demo_truth(demo_world)
    assert client.stats.retries >= 1


def test_demo_bad_credentials_fail_without_leaking_the_secret(demo, demo_world, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = "wrong-telphin-secret-42"
    with pytest.raises(SourceAuthError) as caught:
        pull_ids(demo_client(demo, demo_world, wrong))
    assert str(caught.value).startswith(
        "telphin/call_history [2024-07-15T00:00Z, 2024-07-16T00:00Z): bad credentials"
    )
    assert wrong not in str(caught.value) and wrong not in caplog.text


def test_demo_persistent_5xx_fails_loudly(demo, demo_world):
    demo.set_faults({"telphin": {"server_error": {"probability": 1.0, "attempts": 99}}})
    with pytest.raises(SourceUnavailableError, match=r"^telphin/\w+ .*HTTP 503"):
        pull_ids(demo_client(demo, demo_world))
