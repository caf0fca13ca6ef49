"""AmoCrmClient: inclusive unix filters cut to [start, end), HAL next links, 204, 403 page."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from ingestion.amocrm import AmoCrmClient
from ingestion.errors import SourceAuthError, SourceBlockedError
from tests.ingestion.conftest import DEMO_SETTINGS, SURVIVABLE_FAULTS, Reply, survive
from tests.ingestion.test_http import FAST

START, END = datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 3, 2, tzinfo=UTC)
T0, T1 = int(START.timestamp()), int(END.timestamp())


def client(server) -> AmoCrmClient:
    return AmoCrmClient(server.url, "amo-token-123", settings=FAST, page_size=2)


def hal(key: str, records: list[dict], next_href: str | None = None) -> Reply:
    links = {"self": {"href": "x"}} | ({"next": {"href": next_href}} if next_href else {})
    return Reply(200, {"_page": 1, "_links": links, "_embedded": {key: records}})


def test_leads_follow_next_and_drop_the_inclusive_end(scripted):
    scripted.on(
        "GET",
        "/api/v4/leads",
        hal(
            "leads",
            [{"id": 1, "updated_at": T0}, {"id": 2, "updated_at": T0 + 5}],
            "/api/v4/leads?page=2",
        ),
        hal("leads", [{"id": 3, "updated_at": T1}]),  # the vendor's `to` is inclusive
        hal("leads", [{"id": 4, "updated_at": T0 + 9, "is_deleted": True}]),  # the trash
    )
    amo = client(scripted)
    assert [r["id"] for p in amo.leads(START, END) for r in p] == [1, 2, 4]
    first, second, trash = scripted.requests_to("/api/v4/leads")
    assert trash.query["with"] == ["only_deleted"]
    assert trash.query["filter[updated_at][from]"] == [str(T0)]
    assert first.query["filter[updated_at][from]"] == [str(T0)]
    assert first.query["filter[updated_at][to]"] == [str(T1)]
    assert first.query["with"] == ["contacts"] and first.query["limit"] == ["2"]
    assert second.query == {"page": ["2"]}
    assert first.headers["Authorization"] == "Bearer amo-token-123"


def test_204_means_no_data(scripted):
    scripted.on("GET", "/api/v4/events", Reply(204, b""))
    assert list(client(scripted).status_change_events(START, END)) == []


def test_403_html_block_is_fatal(scripted):
    scripted.on("GET", "/api/v4/users", Reply(403, b"<!DOCTYPE html><h1>Blocked</h1>"))
    with pytest.raises(SourceBlockedError, match=r"^amocrm/users: access forbidden"):
        list(client(scripted).users())
    assert len(scripted.seen) == 1


# --- against the demo server -------------------------------------------------------------

DAY = (datetime(2024, 7, 15, tzinfo=UTC), datetime(2024, 7, 16, tzinfo=UTC))


def demo_client(server, world, token: str | None = None) -> AmoCrmClient:
    token = token or world.config.credentials["amocrm"]["token"]
    return AmoCrmClient(
        server.urls["amocrm"], token, settings=DEMO_SETTINGS, page_size=10, events_page_size=10
    )


def in_day(at: datetime) -> bool:
    return DAY[0] <= at < DAY[1]


def streams(world) -> dict[str, tuple[Callable, set]]:
    """Each windowed stream: how to pull it, and the ids the world says it must return."""
    return {
        "leads": (
            lambda c: c.leads(*DAY),
            {s.lead_id for s in world.signups if in_day(s.updated_at)},
        ),
        "contacts": (
            lambda c: c.contacts(*DAY),
            {s.contact_id for s in world.signups if in_day(s.created_at)},
        ),
        "events": (
            lambda c: c.status_change_events(*DAY),
            {e.event_id for e in world.status_changes if in_day(e.at)},
        ),
    }


@pytest.mark.parametrize("stream", ["leads", "contacts", "events"])
def test_demo_windowed_streams_match_the_world(demo, demo_world, stream):
    pull, truth = streams(demo_world)[stream]
    client = demo_client(demo, demo_world)
    ids = [r["id"] for p in pull(client) for r in p]
    assert len(truth) > 10 and len(ids) == len(truth) and set(ids) == truth


def test_demo_users_and_pipelines(demo, demo_world):
    client = demo_client(demo, demo_world)
    users = {u["id"] for p in client.users() for u in p}
    assert users == {
        m.user_id for m in demo_world.managers if m.hired_on <= demo_world.as_of.date()
    }
    (pipeline,) = [p for page in client.pipelines() for p in page]
    assert {s["id"] for s in pipeline["_embedded"]["statuses"]} >= {142, 143}


@pytest.mark.parametrize("fault", sorted(SURVIVABLE_FAULTS))
def test_demo_leads_survive(demo, demo_world, fault):
    pull, truth = streams(demo_world)["leads"]
    client = demo_client(demo, demo_world)
    survive(demo, "amocrm", fault, lambda: [r["id"] for p in pull(client) for r in p], truth)


def test_demo_rate_limit_is_respected(demo, demo_world):
    time.sleep(1.0)  # let the server's per-token 1 s window forget earlier tests
    client = demo_client(demo, demo_world)
    for _ in range(3):
        list(client.status_change_events(*DAY))
    assert client.stats.retries == 0  # the server's 7 req/s gate never answered 429


def test_demo_blocked_integration_is_fatal(demo, demo_world):
    demo.set_faults({"amocrm": {"blocked": True}})
    client = demo_client(demo, demo_world)
    with pytest.raises(SourceBlockedError, match=r"^amocrm/leads \[2024-07-15T00:00Z, .*HTTP 403"):
        list(client.leads(*DAY))
    assert client.stats.requests == 1


def test_demo_bad_token_fails_without_leaking_it(demo, demo_world, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = "wrong-amo-token-42"
    with pytest.raises(SourceAuthError, match=r"^amocrm/contacts .*bad credentials") as caught:
        list(demo_client(demo, demo_world, wrong).contacts(*DAY))
    assert wrong not in str(caught.value) and wrong not in caplog.text
