"""Same seed and dates, same bytes: two servers built from scratch answer identically."""

from __future__ import annotations

import requests

from ingestion.demo.config import load_config
from ingestion.demo.server import DemoServer
from ingestion.demo.simulation import build_world


def responses(server: DemoServer) -> list[bytes]:
    creds = server.app.state.demo.world.config.credentials
    urls = server.urls
    host = {"Host": "demo.example"}  # amoCRM links are absolute; keep the host fixed
    telphin = requests.post(
        urls["telphin"] + "/oauth/token",
        data={"grant_type": "client_credentials", **creds["telphin"]},
        timeout=5,
    )
    bearer = {"Authorization": "Bearer " + telphin.json()["access_token"]}
    amo = {"Authorization": "Bearer " + creds["amocrm"]["token"], **host}
    kassa = (str(creds["yookassa"]["shop_id"]), creds["yookassa"]["secret_key"])
    amplitude = (creds["amplitude"]["api_key"], creds["amplitude"]["secret_key"])
    calls = urls["telphin"] + "/api/ver1.0/client/@me/call_history/"
    got = [
        telphin,
        requests.get(calls, params={"per_page": 100, "page": 2}, headers=bearer, timeout=5),
        requests.get(
            urls["amocrm"] + "/api/v4/leads", params={"with": "contacts"}, headers=amo, timeout=5
        ),
        requests.get(urls["amocrm"] + "/api/v4/events", headers=amo, timeout=5),
        requests.get(urls["yookassa"] + "/payments", params={"limit": 100}, auth=kassa, timeout=5),
        requests.get(
            urls["amplitude"] + "/api/2/export",
            params={"start": "20240712T00", "end": "20240712T23"},
            auth=amplitude,
            timeout=10,
        ),
    ]
    assert all(r.status_code == 200 for r in got)
    return [r.content for r in got]


def test_two_servers_on_the_same_config_send_identical_bytes(demo_world):
    twin = build_world(load_config(end_date=demo_world.config.end_date))
    faults = {
        "seed": 5,
        "natural_limits": False,
        "telphin": {"unknown_field": {"probability": 0.3}},
    }
    with (
        DemoServer(demo_world, faults=faults, clock=demo_world.as_of) as one,
        DemoServer(twin, faults=faults, clock=demo_world.as_of) as two,
    ):
        assert responses(one) == responses(two)
