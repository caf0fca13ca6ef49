"""The demo list endpoints cut their windows from time-sorted indexes (and amoCRM remembers
a walk's sorted list across its pages); they must answer exactly what filtering the whole
world answers. The oracle here is that plain filter, written from the world and the
visibility rule: for many windows, orders, limits, pages, clocks and fault settings, each
page holds the same records in the same order, with the same `next` link or 204."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from ingestion.demo.api.yookassa import yookassa_time

REPEATS = {"repeated_item": {"probability": 1.0}}
LATE = {"late_records": {"share": 0.4, "delay_hours": 30}}
FAULTS = {
    "none": {"natural_limits": False},
    "late_and_repeats": {
        "natural_limits": False,
        "seed": 5,
        "amocrm": LATE | REPEATS,
        "yookassa": LATE | REPEATS,
    },
}
CLOCKS = {
    "mid_history": lambda world: datetime(2024, 7, 15, 13, 30, tzinfo=UTC),
    "at_a_stage_move": lambda world: middle_move(world),  # a record dated exactly now
    "history_end": lambda world: world.as_of,
    "late_ones_arriving": lambda world: world.as_of + timedelta(hours=15),
    "real": lambda world: None,
}
PAGES = [(250, 1), (250, 2), (7, 1), (7, 4), (100, 2)]
ORDERS = {
    "leads": ("id", "created_at", "updated_at"),
    "contacts": ("id", "created_at", "updated_at"),
    "events": ("id", "created_at"),
}


def unix(at: datetime) -> int:
    return int(at.timestamp())


def middle_move(world) -> datetime:
    return world.status_changes[len(world.status_changes) // 2].at


def windows(world) -> list[dict]:
    """`filter[...]` ranges: none, a day, two weeks around the mid-history clock, the one
    second of a status change, and an inverted range."""
    moment = unix(middle_move(world))
    day, fortnight = datetime(2024, 7, 14, tzinfo=UTC), datetime(2024, 7, 12, tzinfo=UTC)
    return [
        {},
        {"from": unix(day), "to": unix(day + timedelta(days=1))},
        {"from": unix(fortnight), "to": unix(fortnight + timedelta(days=14))},
        {"from": moment, "to": moment},
        {"from": moment, "to": moment - 1},
    ]


def amo_oracle(world, endpoint: str, visible, now: datetime, low: int, high: int) -> list:
    """Rows (id, shown time, created_at, updated_at as sorted) of every record kept."""
    if endpoint == "events":
        return [
            (c.event_id, unix(c.at), c.at, None)
            for c in world.status_changes
            if low <= unix(c.at) <= high and visible(c.event_id, c.at)
        ]
    rows = []
    for s in world.signups:
        if endpoint == "leads":
            moves = [c for c in s.status_changes if c.at <= now]
            row = (s.lead_id, unix(moves[-1].at if moves else s.created_at), s.created_at)
            row += (row[1],)
        else:
            row = (s.contact_id, unix(s.created_at), s.created_at, s.created_at)
        if visible(s.lead_id, s.created_at) and low <= row[1] <= high:
            rows.append(row)
    return rows


def amo_expected(rows: list, order: str, direction: str) -> list[tuple]:
    """(id, shown time) in the order asked; ties broken by id, as the API documents."""
    column = {"id": None, "created_at": 2, "updated_at": 3}[order]
    ordered = sorted(
        rows,
        key=lambda row: row[0] if column is None else (row[column], row[0]),
        reverse=direction == "desc",
    )
    return [row[:2] for row in ordered]


def expected_page(items: list, limit: int, page: int, repeats: bool) -> tuple[list, bool]:
    """The page's items (a repeated item first under the fault) and whether `next` is due."""
    start = (page - 1) * limit
    chosen = items[start : start + limit]
    if repeats and chosen and start > 0:
        chosen = [items[start - 1], *chosen]
    return chosen, page * limit < len(items)


@pytest.fixture(params=list(FAULTS))
def faulted(request, demo_api):
    demo_api.set_faults(FAULTS[request.param])
    return demo_api, request.param != "none"


@pytest.mark.parametrize("clock", list(CLOCKS))
@pytest.mark.parametrize("endpoint", list(ORDERS))
def test_amocrm_pages_match_filtering_the_whole_world(faulted, demo_world, endpoint, clock):
    server, faulty = faulted
    server.set_clock(CLOCKS[clock](demo_world))
    now = CLOCKS[clock](demo_world) or datetime.now(UTC)
    state = server.app.state.demo

    def visible(key: object, at: datetime) -> bool:
        return state.visible("amocrm", key, at, now)

    late = [c for c in demo_world.status_changes if c.at <= now and not visible(c.event_id, c.at)]
    assert bool(late) == (faulty and clock != "real")  # the late fault is really exercised
    token = demo_world.config.credentials["amocrm"]["token"]
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    url = f"{server.urls['amocrm']}/api/v4/{endpoint}"
    field = "created_at" if endpoint == "events" else "updated_at"
    limit_max = 100 if endpoint == "events" else 250
    for window in windows(demo_world):
        bounds = {f"filter[{field}][{end}]": value for end, value in window.items()}
        low, high = window.get("from", 0), window.get("to", 2**40)
        rows = amo_oracle(demo_world, endpoint, visible, now, low, high)
        for order in ORDERS[endpoint]:
            for direction in ("asc", "desc"):
                items = amo_expected(rows, order, direction)
                for limit, page in PAGES:
                    params = bounds | {f"order[{order}]": direction, "limit": limit, "page": page}
                    response = session.get(url, params=params, timeout=5)
                    chosen, more = expected_page(items, min(limit, limit_max), page, faulty)
                    if not chosen:
                        assert response.status_code == 204, params
                        continue
                    body = response.json()
                    records = body["_embedded"][endpoint]
                    assert [(r["id"], r[field]) for r in records] == chosen, params
                    assert ("next" in body["_links"]) == more, params


def millis(at: datetime) -> datetime:
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


def kassa_bounds(world) -> list[dict]:
    """`created_at.*` filters: none, a day, exclusive ends at a payment's own millisecond,
    and bounds in another offset with sub-millisecond digits."""
    at = yookassa_time(world.payments[len(world.payments) // 2].created_at)
    return [
        {},
        {"gte": "2024-07-14T00:00:00.000Z", "lt": "2024-07-15T00:00:00.000Z"},
        {"gt": at, "lte": "2024-07-26T10:00:00.000Z"},
        {"gte": "2024-07-10T12:00:00.000500+03:00", "lt": at},
    ]


@pytest.mark.parametrize("clock", list(CLOCKS))
@pytest.mark.parametrize("kind", ["payments", "refunds"])
def test_yookassa_walks_match_filtering_the_whole_world(faulted, demo_world, kind, clock):
    server, faulty = faulted
    server.set_clock(CLOCKS[clock](demo_world))
    now = CLOCKS[clock](demo_world) or datetime.now(UTC)
    state = server.app.state.demo
    records = demo_world.payments if kind == "payments" else demo_world.refunds
    creds = demo_world.config.credentials["yookassa"]
    session = requests.Session()
    session.auth = (str(creds["shop_id"]), creds["secret_key"])
    url = f"{server.urls['yookassa']}/{kind}"

    def record_id(item) -> str:
        return item.payment_id if kind == "payments" else item.refund_id

    def status(item) -> str:
        captured_later = (
            kind == "payments" and item.status == "succeeded" and item.captured_at > now
        )
        return "pending" if captured_later else item.status

    newest_first = sorted(records, key=lambda i: (millis(i.created_at), record_id(i)), reverse=True)
    checks = {
        "gte": lambda at, bound: at >= bound,
        "gt": lambda at, bound: at > bound,
        "lte": lambda at, bound: at <= bound,
        "lt": lambda at, bound: at < bound,
    }
    for bounds in kassa_bounds(demo_world):
        for wanted in (None, "succeeded", "pending"):
            items = [
                record_id(i)
                for i in newest_first
                if all(
                    checks[op](millis(i.created_at), datetime.fromisoformat(raw))
                    for op, raw in bounds.items()
                )
                and state.visible("yookassa", record_id(i), i.created_at, now)
                and wanted in (None, status(i))
            ]
            params = {f"created_at.{op}": raw for op, raw in bounds.items()} | {"limit": 7}
            params |= {} if wanted is None else {"status": wanted}
            page, more, cursor = 1, True, None
            while more:
                chosen, more = expected_page(items, 7, page, faulty)
                query = params | ({} if cursor is None else {"cursor": cursor})
                body = session.get(url, params=query, timeout=5).json()
                assert [i["id"] for i in body["items"]] == chosen, (query, page)
                assert ("next_cursor" in body) == more, (query, page)
                page, cursor = page + 1, body.get("next_cursor")


def test_amocrm_lists_follow_fault_and_clock_changes(demo_api, demo_world):
    """A walk's sorted list is remembered between pages; switching the late-records fault
    or moving the clock must still change the very next answer to the same request."""
    token = demo_world.config.credentials["amocrm"]["token"]
    url = f"{demo_api.urls['amocrm']}/api/v4/events"
    params = {"limit": 100, "order[created_at]": "desc"}
    headers = {"Authorization": f"Bearer {token}"}
    state = demo_api.app.state.demo

    def newest() -> list[str]:
        response = requests.get(url, params=params, headers=headers, timeout=5)
        return [event["id"] for event in response.json()["_embedded"]["events"]]

    def expected(now: datetime) -> list[str]:
        shown = [
            c for c in demo_world.status_changes if state.visible("amocrm", c.event_id, c.at, now)
        ]
        return [c.event_id for c in sorted(shown, key=lambda c: (c.at, c.event_id))][::-1][:100]

    first, second = demo_world.as_of - timedelta(hours=10), demo_world.as_of - timedelta(hours=4)
    demo_api.set_clock(first)
    plain = newest()
    assert plain == expected(first)
    demo_api.set_faults({"natural_limits": False, "amocrm": LATE})
    assert newest() == expected(first) != plain
    demo_api.set_clock(second)
    assert newest() == expected(second) != expected(first)
