"""The demo Telphin API over real HTTP: OAuth tokens, call history paging and filters,
the clock, and Telphin's one-stats-request-at-a-time limit."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
import requests

CALLS = "/api/ver1.0/client/@me/call_history/"
TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d\d)?$")


def token(server, **form) -> requests.Response:
    creds = server.app.state.demo.world.config.credentials["telphin"]
    data = {"grant_type": "client_credentials", **creds, **form}
    return requests.post(server.urls["telphin"] + "/oauth/token", data=data, timeout=5)


@pytest.fixture
def telphin(demo_api):
    """A session with a fresh bearer token."""
    session = requests.Session()
    session.headers["Authorization"] = "Bearer " + token(demo_api).json()["access_token"]
    session.base = demo_api.urls["telphin"]
    return session


def walk(session, **params) -> list[dict]:
    records, page = [], 1
    while True:
        body = session.get(session.base + CALLS, params={**params, "page": page}, timeout=5).json()
        records += body["call_history"]
        if len(body["call_history"]) < body["per_page"]:
            return records
        page += 1


def seconds(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S")


def test_walking_pages_returns_every_call_of_the_window_once(telphin, demo_world):
    start, end = datetime(2024, 7, 8, tzinfo=UTC), datetime(2024, 7, 15, tzinfo=UTC)
    records = walk(
        telphin, start_datetime=seconds(start), end_datetime=seconds(end), per_page=100, order="asc"
    )
    expected = [
        c.call_uuid for c in demo_world.calls if start <= c.start_time.replace(microsecond=0) <= end
    ]
    assert [r["call_uuid"] for r in records] == expected
    assert len(expected) > 100  # several pages


def test_page_size_is_capped_at_100_and_order_desc_is_the_default(telphin, demo_world):
    body = telphin.get(telphin.base + CALLS, params={"per_page": 500}, timeout=5).json()
    assert body["per_page"] == 100 and body["order"] == "desc" and body["page"] == 1
    assert len(body["call_history"]) == 100
    assert body["call_history"][0]["call_uuid"] == demo_world.calls[-1].call_uuid


def test_filters_are_inclusive_on_whole_seconds_of_start_time(telphin, demo_world):
    call = next(c for c in demo_world.calls if c.start_time.microsecond)
    at = call.start_time.replace(microsecond=0)

    def uuids(start: datetime, end: datetime) -> set[str]:
        params = {"start_datetime": seconds(start), "end_datetime": seconds(end), "per_page": 100}
        body = telphin.get(telphin.base + CALLS, params=params, timeout=5).json()
        return {r["call_uuid"] for r in body["call_history"]}

    assert call.call_uuid in uuids(at, at)
    assert call.call_uuid not in uuids(at + timedelta(seconds=1), at + timedelta(hours=1))
    assert call.call_uuid not in uuids(at - timedelta(hours=1), at - timedelta(seconds=1))


def test_record_wire_format(telphin, demo_world):
    records = {r["call_uuid"]: r for r in walk(telphin, per_page=100)}
    assert len(records) == len(demo_world.calls)
    for call in demo_world.calls:
        r = records[call.call_uuid]
        for key in ("init_time_gmt", "start_time_gmt", "hangup_time_gmt"):
            assert TIME.match(r[key]), r[key]
        assert (r["bridged_time_gmt"] is None) == (call.bridged_time is None)
        assert (r["bridged_duration"] is None) == (call.bridged_time is None)
        assert r["duration"] == round(call.duration_seconds)
        assert r["extension_name"].startswith("00000*") and r["flow"] == "out"
        assert r["cdr"][0]["ani_number"] == call.ani_number
        assert r["cdr"][0]["dest_number"] == call.customer_number == r["to_username"]
        assert r["cdr"][0]["record_uuid"] == call.record_uuid
    assert any("." in r["start_time_gmt"] for r in records.values())


def test_one_call_user_and_extensions(telphin, demo_world):
    call = demo_world.calls[5]
    one = telphin.get(telphin.base + CALLS + call.call_uuid, timeout=5)
    assert one.status_code == 200 and one.json()["call_uuid"] == call.call_uuid
    assert telphin.get(telphin.base + CALLS + "no-such-call", timeout=5).status_code == 404
    user = telphin.get(telphin.base + "/api/ver1.0/user", timeout=5).json()
    client = user["client_id"]
    extensions = telphin.get(telphin.base + f"/api/ver1.0/client/{client}/extension/", timeout=5)
    names = {e["name"]: e["label"] for e in extensions.json()}
    assert names["00000*101"] == "Anna Smirnova"
    assert all(e["type"] == "phone" and isinstance(e["id"], int) for e in extensions.json())
    assert (
        telphin.get(telphin.base + "/api/ver1.0/client/999/call_history/", timeout=5).status_code
        == 403
    )


def test_bad_credentials_and_missing_or_unknown_tokens_get_401(demo_api):
    assert token(demo_api, client_secret="wrong").status_code == 401
    url = demo_api.urls["telphin"] + CALLS
    assert requests.get(url, timeout=5).status_code == 401
    denied = requests.get(url, headers={"Authorization": "Bearer nope"}, timeout=5)
    assert denied.status_code == 401 and "message" in denied.json()


def test_tokens_expire_by_the_server_clock(demo_api):
    now = datetime(2024, 7, 20, 12, tzinfo=UTC)
    demo_api.set_clock(now)
    demo_api.set_faults({"natural_limits": False, "telphin": {"token_ttl_seconds": 60}})
    issued = token(demo_api).json()
    assert issued["token_type"] == "Bearer" and issued["expires_in"] == 60
    headers = {"Authorization": "Bearer " + issued["access_token"]}
    url = demo_api.urls["telphin"] + CALLS
    assert requests.get(url, headers=headers, timeout=5).status_code == 200
    demo_api.set_clock(now + timedelta(seconds=60))
    assert requests.get(url, headers=headers, timeout=5).status_code == 401
    fresh = {"Authorization": "Bearer " + token(demo_api).json()["access_token"]}
    assert requests.get(url, headers=fresh, timeout=5).status_code == 200


def test_a_call_appears_once_it_has_hung_up(telphin, demo_api, demo_world):
    call = demo_world.calls[40]
    url = telphin.base + CALLS + call.call_uuid
    demo_api.set_clock(call.hangup_time - timedelta(milliseconds=1))
    assert telphin.get(url, timeout=5).status_code == 404
    demo_api.set_clock(call.hangup_time)
    assert telphin.get(url, timeout=5).status_code == 200


def test_a_concurrent_stats_request_gets_429_without_retry_after(telphin, demo_api):
    slow_url = telphin.base + CALLS + "?per_page=1"
    demo_api.set_faults(
        {"telphin": {"slow": {"probability": 1.0, "delay_seconds": 1.0}}, "natural_limits": True}
    )
    first = threading.Thread(target=lambda: telphin.get(slow_url, timeout=5))
    first.start()
    try:
        threading.Event().wait(0.3)
        second = requests.get(
            telphin.base + CALLS, headers=telphin.headers, params={"per_page": 2}, timeout=5
        )
    finally:
        first.join()
    assert second.status_code == 429
    assert second.json() == {
        "message": "Stats request already exists, concurrent request not allowed"
    }
    assert "Retry-After" not in second.headers
    assert telphin.get(telphin.base + CALLS, params={"per_page": 2}, timeout=5).status_code == 200
