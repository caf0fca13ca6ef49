"""The demo amoCRM v4 API over real HTTP: HAL paging, updated_at filters, 204s, the
contact's messy phone, stage events, leads as of the clock, auth, 7 req/s, HTML block."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import requests

from ingestion.demo.model import PIPELINE_STATUSES, STATUS_LOST, STATUS_NEW, STATUS_WON


@pytest.fixture
def amo(demo_api):
    session = requests.Session()
    token = demo_api.app.state.demo.world.config.credentials["amocrm"]["token"]
    session.headers["Authorization"] = f"Bearer {token}"
    session.base = demo_api.urls["amocrm"]
    return session


def walk(session, path: str, name: str, **params) -> list[dict]:
    """Follow `_links.next` until it is gone."""
    url, items = session.base + path, []
    response = session.get(url, params=params, timeout=5)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["_embedded"][name]
        if "next" not in body["_links"]:
            return items
        response = session.get(body["_links"]["next"]["href"], timeout=5)


def unix(at: datetime) -> int:
    return int(at.timestamp())


def updated_at(signup) -> int:
    return unix(signup.status_changes[-1].at if signup.status_changes else signup.created_at)


def test_leads_walk_by_updated_at_window(amo, demo_world):
    start, end = unix(datetime(2024, 7, 10, tzinfo=UTC)), unix(datetime(2024, 7, 20, tzinfo=UTC))
    leads = walk(
        amo,
        "/api/v4/leads",
        "leads",
        **{"filter[updated_at][from]": start, "filter[updated_at][to]": end},
        **{"order[updated_at]": "asc", "limit": 50, "with": "contacts"},
    )
    expected = {s.lead_id for s in demo_world.signups if start <= updated_at(s) <= end}
    assert len(leads) == len(expected) > 50  # several pages
    assert {lead["id"] for lead in leads} == expected
    assert [lead["updated_at"] for lead in leads] == sorted(lead["updated_at"] for lead in leads)
    signups = {s.lead_id: s for s in demo_world.signups}
    for lead in leads:
        s = signups[lead["id"]]
        assert lead["status_id"] == s.status_id and lead["pipeline_id"]
        assert lead["_embedded"]["contacts"] == [
            {"id": s.contact_id, "is_main": True}
            | {"_links": lead["_embedded"]["contacts"][0]["_links"]}
        ]
        fields = {f["field_code"]: f["values"][0]["value"] for f in lead["custom_fields_values"]}
        assert fields["PRODUCT_ACCOUNT_ID"] == s.account_id and fields["REGION"] == s.region
        assert fields["CHANNEL"] == s.channel
        assert fields.get("CASE_STUDY_SHOWN", False) == s.saw_case_study
        assert (lead["closed_at"] is not None) == (s.status_id in (STATUS_WON, STATUS_LOST))


def test_updated_at_filter_is_inclusive_at_both_ends(amo, demo_world):
    s = demo_world.signups[100]
    at = updated_at(s)

    def ids(start: int, end: int) -> set[int]:
        params = {"filter[updated_at][from]": start, "filter[updated_at][to]": end, "limit": 250}
        response = amo.get(amo.base + "/api/v4/leads", params=params, timeout=5)
        return (
            {lead["id"] for lead in response.json()["_embedded"]["leads"]}
            if response.content
            else set()
        )

    assert s.lead_id in ids(at, at)
    assert s.lead_id not in ids(at + 1, at + 3600)
    assert s.lead_id not in ids(at - 3600, at - 1)


def test_empty_results_are_204_with_no_body(amo):
    future = unix(datetime(2030, 1, 1, tzinfo=UTC))
    empty = amo.get(
        amo.base + "/api/v4/leads", params={"filter[updated_at][from]": future}, timeout=5
    )
    assert empty.status_code == 204 and empty.content == b""
    beyond = amo.get(amo.base + "/api/v4/contacts", params={"page": 1000, "limit": 250}, timeout=5)
    assert beyond.status_code == 204 and beyond.content == b""


def test_limit_is_capped_at_250(amo):
    body = amo.get(amo.base + "/api/v4/leads", params={"limit": 1000}, timeout=5).json()
    assert len(body["_embedded"]["leads"]) == 250 and body["_page"] == 1


def test_contacts_carry_the_phone_exactly_as_typed(amo, demo_world):
    contacts = walk(amo, "/api/v4/contacts", "contacts", limit=250)
    assert len(contacts) == len(demo_world.signups)
    by_id = {c["id"]: c for c in contacts}
    for s in demo_world.signups:
        fields = {f["field_code"]: f["values"] for f in by_id[s.contact_id]["custom_fields_values"]}
        assert fields["PHONE"] == [{"value": s.phone_raw, "enum_id": 1, "enum_code": "WORK"}]
        assert fields["EMAIL"][0]["value"] == s.email
    assert len({c["custom_fields_values"][0]["values"][0]["value"][:2] for c in contacts}) > 2


def test_pipelines_and_users(amo, demo_world):
    pipelines = amo.get(amo.base + "/api/v4/leads/pipelines", timeout=5).json()
    statuses = pipelines["_embedded"]["pipelines"][0]["_embedded"]["statuses"]
    assert [(s["id"], s["name"], s["sort"]) for s in statuses] == list(PIPELINE_STATUSES)
    assert {s["id"] for s in statuses if not s["is_editable"]} == {STATUS_WON, STATUS_LOST}
    users = walk(amo, "/api/v4/users", "users")
    hired = [m for m in demo_world.managers if m.hired_on <= datetime.now(UTC).date()]
    assert [u["id"] for u in users] == [m.user_id for m in hired]


def test_status_change_events_walk_and_shape(amo, demo_world):
    start, end = unix(datetime(2024, 7, 5, tzinfo=UTC)), unix(datetime(2024, 7, 25, tzinfo=UTC))
    params = {"filter[type]": "lead_status_changed", "limit": 500}
    params |= {"filter[created_at][from]": start, "filter[created_at][to]": end}
    events = walk(amo, "/api/v4/events", "events", **params)
    expected = [c for c in demo_world.status_changes if start <= unix(c.at) <= end]
    assert sorted(e["id"] for e in events) == sorted(c.event_id for c in expected)
    first = amo.get(amo.base + "/api/v4/events", params=params, timeout=5).json()
    assert len(first["_embedded"]["events"]) == 100  # events page at most 100
    change = {c.event_id: c for c in expected}
    for event in events:
        c = change[event["id"]]
        assert event["entity_id"] == c.lead_id and event["type"] == "lead_status_changed"
        assert event["value_before"][0]["lead_status"]["id"] == c.status_before
        assert event["value_after"][0]["lead_status"]["id"] == c.status_after


def test_leads_stand_as_of_the_clock(amo, demo_api, demo_world):
    s = next(x for x in demo_world.signups if len(x.status_changes) >= 2)
    url = amo.base + "/api/v4/leads"

    def lead_at(now: datetime) -> dict | None:
        demo_api.set_clock(now)
        response = amo.get(url, params={"limit": 250, "filter[updated_at][from]": 0}, timeout=5)
        leads = walk(amo, "/api/v4/leads", "leads", limit=250) if response.content else []
        return next((lead for lead in leads if lead["id"] == s.lead_id), None)

    assert lead_at(s.created_at - timedelta(seconds=1)) is None
    created = lead_at(s.created_at)
    assert created["status_id"] == STATUS_NEW and created["updated_at"] == unix(s.created_at)
    moved = lead_at(s.status_changes[0].at)
    assert moved["status_id"] == s.status_changes[0].status_after
    assert moved["updated_at"] == unix(s.status_changes[0].at)


def test_wrong_token_gets_401_problem_json(demo_api):
    url = demo_api.urls["amocrm"] + "/api/v4/leads"
    response = requests.get(url, headers={"Authorization": "Bearer wrong"}, timeout=5)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 401


def test_blocked_integration_gets_403_html_on_every_call(amo, demo_api):
    demo_api.set_faults({"amocrm": {"blocked": True}})
    for path in ("/api/v4/leads", "/api/v4/users", "/api/v4/events"):
        response = amo.get(amo.base + path, timeout=5)
        assert response.status_code == 403
        assert response.headers["content-type"].startswith("text/html")
        assert response.text.startswith("<!DOCTYPE html>")


def test_more_than_7_requests_a_second_get_429(amo, demo_api):
    demo_api.set_faults({"natural_limits": True})
    statuses = [amo.get(amo.base + "/api/v4/users", timeout=5).status_code for _ in range(12)]
    assert statuses[:7] == [200] * 7 and 429 in statuses[7:]
    time.sleep(1.05)
    assert amo.get(amo.base + "/api/v4/users", timeout=5).status_code == 200
