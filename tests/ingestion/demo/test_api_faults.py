"""Every fault mode of the demo APIs, observed over real HTTP (and raw sockets where
`requests` would hide what happened), and reproducible from the seed."""

from __future__ import annotations

import socket
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from ingestion.demo.api.faults import FaultConfig
from ingestion.demo.server import DemoServer

FAULTS_YAML = Path(__file__).parents[3] / "ingestion" / "demo" / "faults.yaml"


@pytest.fixture
def kassa(demo_api):
    creds = demo_api.app.state.demo.world.config.credentials["yookassa"]
    session = requests.Session()
    session.auth = (str(creds["shop_id"]), creds["secret_key"])
    session.url = demo_api.urls["yookassa"] + "/payments"
    return session


def raw_get(url: str, auth_header: str) -> bytes:
    """One HTTP/1.1 GET on a bare socket; returns every byte the server sent."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        request = f"GET {target} HTTP/1.1\r\nHost: x\r\nAuthorization: {auth_header}\r\n\r\n"
        sock.sendall(request.encode())
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return received


def basic(session) -> str:
    return requests.auth._basic_auth_str(*session.auth)


def test_rate_limited_burst_with_retry_after_then_success(kassa, demo_api):
    demo_api.set_faults(
        {"yookassa": {"rate_limited": {"probability": 1, "attempts": 2, "retry_after": 3}}}
    )
    first, second, third = (kassa.get(kassa.url, timeout=5) for _ in range(3))
    assert first.status_code == second.status_code == 429
    assert first.headers["Retry-After"] == "3" and first.json()["code"] == "too_many_requests"
    assert third.status_code == 200


def test_rate_limited_without_retry_after(demo_api):
    demo_api.set_faults({"amocrm": {"rate_limited": {"probability": 1}}})
    response = requests.get(demo_api.urls["amocrm"] + "/api/v4/leads", timeout=5)
    assert response.status_code == 429 and "Retry-After" not in response.headers


def test_server_error_then_success(kassa, demo_api):
    demo_api.set_faults({"yookassa": {"server_error": {"probability": 1, "status": 502}}})
    assert kassa.get(kassa.url, timeout=5).status_code == 502
    assert kassa.get(kassa.url, timeout=5).status_code == 200


def test_slow_response_passes_the_client_timeout(kassa, demo_api):
    demo_api.set_faults({"yookassa": {"slow": {"probability": 1, "delay_seconds": 0.6}}})
    with pytest.raises(requests.ReadTimeout):
        kassa.get(kassa.url, timeout=0.2)
    assert kassa.get(kassa.url, timeout=2).status_code == 200


def test_dropped_connection_sends_nothing(kassa, demo_api):
    demo_api.set_faults({"yookassa": {"dropped_connection": {"probability": 1, "attempts": 2}}})
    assert raw_get(kassa.url, basic(kassa)) == b""
    with pytest.raises(requests.ConnectionError):
        kassa.get(kassa.url, timeout=5)
    assert kassa.get(kassa.url, timeout=5).status_code == 200


def test_truncated_body_is_shorter_than_its_content_length(kassa, demo_api):
    demo_api.set_faults({"yookassa": {"truncated_body": {"probability": 1, "attempts": 2}}})
    head, _, body = raw_get(kassa.url, basic(kassa)).partition(b"\r\n\r\n")
    length = int(
        next(
            line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
        ).split(b":")[1]
    )
    assert 0 < len(body) < length
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        kassa.get(kassa.url, timeout=5)
    assert kassa.get(kassa.url, timeout=5).status_code == 200


def test_repeated_item_across_pages(kassa, demo_api):
    demo_api.set_faults({"yookassa": {"repeated_item": {"probability": 1}}})
    first = kassa.get(kassa.url, params={"limit": 5}, timeout=5).json()
    second = kassa.get(
        kassa.url, params={"limit": 5, "cursor": first["next_cursor"]}, timeout=5
    ).json()
    assert second["items"][0]["id"] == first["items"][-1]["id"]
    assert len(second["items"]) == 6


def test_record_drift_unknown_missing_and_changed_type(kassa, demo_api):
    demo_api.set_faults(
        {
            "yookassa": {
                "unknown_field": {"probability": 1, "name": "brand_new"},
                "missing_field": {"probability": 1},
                "changed_type": {"probability": 1},
            }
        }
    )
    items = kassa.get(kassa.url, params={"limit": 20}, timeout=5).json()["items"]
    assert all(i["brand_new"] == "demo" and "description" not in i for i in items)
    assert all(isinstance(i["amount"]["value"], float) for i in items)
    demo_api.set_faults({"yookassa": {"changed_type": {"probability": 0.5}}})
    items = kassa.get(kassa.url, params={"limit": 50}, timeout=5).json()["items"]
    assert {type(i["amount"]["value"]) for i in items} == {float, str}


def test_late_records_appear_hours_after_their_time(kassa, demo_api, demo_world):
    now = demo_world.payments[-1].created_at
    demo_api.set_clock(now)
    ontime = {i["id"] for i in _all(kassa)}
    demo_api.set_faults({"yookassa": {"late_records": {"share": 0.5, "delay_hours": 48}}})
    late = {i["id"] for i in _all(kassa)}
    missing = ontime - late
    assert missing and late < ontime
    recent = {p.payment_id for p in demo_world.payments if p.created_at > now - timedelta(hours=48)}
    assert missing <= recent
    demo_api.set_clock(now + timedelta(hours=48))
    assert {i["id"] for i in _all(kassa)} >= ontime


def _all(kassa) -> list[dict]:
    items, cursor = [], None
    while True:
        body = kassa.get(
            kassa.url, params={"limit": 100, **({"cursor": cursor} if cursor else {})}, timeout=5
        ).json()
        items += body["items"]
        if (cursor := body.get("next_cursor")) is None:
            return items


def _pattern(server: DemoServer, seed: int) -> list[int]:
    creds = server.app.state.demo.world.config.credentials["yookassa"]
    server.set_faults({"seed": seed, "yookassa": {"server_error": {"probability": 0.5}}})
    url = server.urls["yookassa"] + "/payments"
    auth = (str(creds["shop_id"]), creds["secret_key"])
    return [
        requests.get(url, params={"limit": n}, auth=auth, timeout=5).status_code
        for n in range(1, 31)
    ]


def test_faults_are_reproducible_from_the_seed(demo_api, demo_world):
    pattern = _pattern(demo_api, seed=11)
    assert {200, 503} == set(pattern)
    assert _pattern(demo_api, seed=11) == pattern  # set_faults restarts attempt counts
    with DemoServer(demo_world) as other:
        assert _pattern(other, seed=11) == pattern
    assert _pattern(demo_api, seed=12) != pattern


def test_control_endpoints(demo_api):
    root = demo_api.base_url + "/_demo"
    assert requests.get(root + "/health", timeout=5).json()["status"] == "ok"
    put = requests.put(root + "/faults", json={"seed": 3, "amocrm": {"blocked": True}}, timeout=5)
    assert put.status_code == 200 and put.json()["amocrm"]["blocked"] is True
    assert requests.get(demo_api.urls["amocrm"] + "/api/v4/leads", timeout=5).status_code == 403
    assert requests.get(root + "/faults", timeout=5).json()["seed"] == 3
    assert (
        requests.put(root + "/faults", json={"amocrm": {"blockd": True}}, timeout=5).status_code
        == 400
    )
    assert (
        requests.put(root + "/faults", json={"yookassa": {"blocked": True}}, timeout=5).status_code
        == 400
    )
    clock = requests.put(
        root + "/clock", json={"now": "2024-07-15T10:00:00+00:00"}, timeout=5
    ).json()
    assert clock == {"now": "2024-07-15T10:00:00+00:00", "frozen": True}
    assert requests.put(root + "/clock", json={"now": None}, timeout=5).json()["frozen"] is False
    assert requests.put(root + "/clock", json={"now": "2024-07-15"}, timeout=5).status_code == 400


def test_the_shipped_faults_file_parses():
    config = FaultConfig.load(FAULTS_YAML)
    assert config.natural_limits is True


def test_malformed_records_lose_their_key_reproducibly(demo_api, demo_world):
    creds = demo_world.config.credentials["yookassa"]
    url = f"{demo_api.urls['yookassa']}/payments"
    params = {"limit": 100, "created_at.gte": "2024-07-01T00:00:00.000Z"}
    auth = (creds["shop_id"], creds["secret_key"])
    demo_api.set_faults({"yookassa": {"malformed_record": {"probability": 0.5}}, "seed": 5})
    first = requests.get(url, params=params, auth=auth, timeout=10).json()["items"]
    again = requests.get(url, params=params, auth=auth, timeout=10).json()["items"]
    keyless = [item for item in first if "id" not in item]
    assert 0 < len(keyless) < len(first)
    assert first == again
