"""amoCRM API v4: leads, contacts, users, pipelines and stage-change events in HAL JSON.

A signup is one lead plus one contact. Leads are shown as they stand at the server's now
(status, updated_at and closed_at come from the stage moves that already happened), so
incremental loads by `updated_at` see leads move through the funnel day by day. The
contact's phone is sent exactly as the person typed it.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.types import Scope

from ingestion.demo.api.account import account_of
from ingestion.demo.api.common import (
    ApiError,
    Timeline,
    Vendor,
    bearer_token,
    int_param,
    json_response,
    page_faults,
    page_slice,
    vendor_app,
)
from ingestion.demo.api.state import DemoState
from ingestion.demo.model import (
    STATUS_LOST,
    STATUS_NEW,
    STATUS_WON,
    Signup,
    StatusChange,
)

AMO_ACCOUNT_ID = 31_415_926  # the amoCRM account (not the product account of a signup)
REQUESTS_PER_SECOND = 7
LIMIT_MAX = 250
EVENTS_LIMIT_MAX = 100
BLOCKED_PAGE = (
    "<!DOCTYPE html><html><head><title>403 Forbidden</title></head><body>"
    "<h1>Доступ запрещён</h1><p>Превышен лимит запросов к API. Обратитесь в техническую "
    "поддержку amoCRM.</p></body></html>"
)
# Lead custom fields: (field_id, field_name, field_code, field_type).
# Lead custom fields are the company's (`account.DEMO_LEAD_FIELDS` for the demo).
FIELD_PHONE = (700_101, "Телефон", "PHONE", "multitext")
FIELD_EMAIL = (700_102, "Email", "EMAIL", "multitext")
RECENT_LISTS = 16  # request sequences (stream walks) whose sorted lists are remembered
STATUS_COLORS = ("#99ccff", "#ffff99", "#ffcc66", "#ccff66", "#fffeb2", "#CCFF66", "#D5D8DB")


def error(status: int, reason: str) -> Response:
    body = {
        "title": {401: "Unauthorized", 429: "Too Many Requests"}.get(status, "Error"),
        "type": f"https://httpstatus.es/{status}",
        "status": status,
        "detail": reason,
    }
    return json_response(body, status, media_type="application/problem+json")


def _price_as_string(record: dict) -> None:
    """Leads' price sent as a string; contacts, users and events have no price to retype
    (the fault used to raise KeyError there and turn every such page into a 500)."""
    if "price" in record:
        record["price"] = str(record["price"])


def _custom_field(spec: tuple, values: list[dict]) -> dict:
    field_id, name, code, kind = spec
    return {
        "field_id": field_id,
        "field_name": name,
        "field_code": code,
        "field_type": kind,
        "values": values,
    }


def _only_deleted(request: Request) -> bool:
    """`with=only_deleted` asks for the trash; the demo company never deletes a lead or a
    contact, so its trash is always empty (204)."""
    return "only_deleted" in request.query_params.get("with", "").split(",")


def _unix(at: datetime | None) -> int | None:
    return None if at is None else int(at.timestamp())


def _range(request: Request, field: str, now: datetime) -> tuple[int, int]:
    """`filter[field][from]` / `[to]` in unix seconds, both ends inclusive. Nothing dated
    after now is visible yet (a late record only comes later still), so the range stops
    at now: a frozen clock mid-history does not pay for the simulated future."""
    low = int_param(request, f"filter[{field}][from]", 0, 0, 2**40)
    high = int_param(request, f"filter[{field}][to]", 2**40, 0, 2**40)
    return low, min(high, _unix(now))


def _order(request: Request, default: tuple[str, str]) -> tuple[str, bool]:
    for key in ("updated_at", "created_at", "id"):
        direction = request.query_params.get(f"order[{key}]")
        if direction is not None:
            if direction not in ("asc", "desc"):
                raise ApiError(400, f"order[{key}] must be asc or desc")
            return key, direction == "desc"
    return default[0], default[1] == "desc"


@dataclass(frozen=True)
class LeadNow:
    """A lead as it stands at the server's now."""

    signup: Signup
    changes: tuple[StatusChange, ...]  # those already made

    @property
    def status_id(self) -> int:
        return self.changes[-1].status_after if self.changes else STATUS_NEW

    @property
    def updated_at(self) -> int:
        return _unix(self.changes[-1].at if self.changes else self.signup.created_at)


class RecentLists:
    """The last few filtered and sorted lists, least recently used dropped first.

    A pipeline walks a list page by page, and every page of a 31-day backfill chunk would
    otherwise filter and sort the same window again (dozens of times per chunk)."""

    def __init__(self, size: int):
        self.size = size
        self.lists: OrderedDict[tuple, list] = OrderedDict()

    def get(self, key: tuple, build: Callable[[], list]) -> list:
        if key in self.lists:
            self.lists.move_to_end(key)
            return self.lists[key]
        self.lists[key] = items = build()
        if len(self.lists) > self.size:
            self.lists.popitem(last=False)
        return items


class AmoCrmApi:
    def __init__(self, state: DemoState):
        self.state = state
        self.world = state.world
        self.token = self.world.config.credentials["amocrm"]["token"]
        self.account = account_of(self.world.config.sections.get("account"))
        self.channel_enums = {
            name: 810_001 + i for i, name in enumerate(self.world.config["signups"]["channels"])
        }
        self.first_payment = {}
        for p in sorted(self.world.payments, key=lambda p: p.created_at, reverse=True):
            if p.status == "succeeded" and not p.is_renewal:
                self.first_payment[p.lead_id] = p
        signups = self.world.signups
        self.created = Timeline.of((_unix(s.created_at), s) for s in signups)
        # Every moment a lead's updated_at can show: its creation and each stage move.
        self.moments = Timeline.of(
            (_unix(at), s)
            for s in signups
            for at in (s.created_at, *(c.at for c in s.status_changes))
        )
        self.changes = Timeline.of((_unix(c.at), c) for c in self.world.status_changes)
        self.recent = RecentLists(RECENT_LISTS)
        self.calls: dict[str, deque[float]] = {}

    def vendor(self) -> Vendor:
        routes = [
            Route("/api/v4/leads", self.leads),
            Route("/api/v4/contacts", self.contacts),
            Route("/api/v4/users", self.users),
            Route("/api/v4/leads/pipelines", self.pipelines),
            Route("/api/v4/leads/custom_fields", self.lead_custom_fields),
            Route("/api/v4/events", self.events),
        ]
        return Vendor(
            name="amocrm",
            app=vendor_app(routes, error),
            error=error,
            optional_field="loss_reason_id",
            change_type=_price_as_string,
            key_field="id",
            gate=self.gate,
        )

    @asynccontextmanager
    async def gate(self, scope: Scope) -> AsyncIterator[Response | None]:
        """A blocked integration gets an HTML 403 on every call; otherwise at most 7
        requests in any second per token (the rejected ones do not count)."""
        if self.state.faults.amocrm.blocked:
            self.state.fire("amocrm", "blocked")
            yield HTMLResponse(BLOCKED_PAGE, 403)
            return
        if not self.state.faults.natural_limits:
            yield None
            return
        token = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
        recent = self.calls.setdefault(token, deque())
        now = time.monotonic()
        while recent and now - recent[0] >= 1.0:
            recent.popleft()
        if len(recent) >= REQUESTS_PER_SECOND:
            yield error(429, "Too many requests")
            return
        recent.append(now)
        yield None

    def _authorize(self, request: Request) -> datetime:
        if bearer_token(request) != self.token:
            raise ApiError(401, "Invalid or missing access token")
        return self.state.clock.now()

    def _links(self, request: Request, path: str) -> dict:
        """Absolute links under the vendor's own root, like amoCRM's `https://sub.amocrm.ru/...`."""
        root = request.url.replace(path=request.scope["root_path"] + path, query="")
        return {"self": {"href": str(root)}}

    def _hal_page(
        self,
        request: Request,
        name: str,
        items: Sequence,
        limit_max: int,
        render: Callable[[object], tuple[object, dict]],
    ) -> Response:
        """One HAL page of `items`; 204 with no body when the page is empty."""
        page = int_param(request, "page", 1, 1, 10**9)
        limit = min(int_param(request, "limit", 50, 1, 10**9), limit_max)
        faults = page_faults(request)
        chosen = page_slice(items, (page - 1) * limit, limit, faults.repeats_previous_item())
        if not chosen:
            return Response(status_code=204)
        links = {"self": {"href": str(request.url)}}
        if page * limit < len(items):
            links["next"] = {"href": str(request.url.include_query_params(page=page + 1))}
        body = {
            "_page": page,
            "_links": links,
            "_embedded": {name: [faults.apply(*render(item)) for item in chosen]},
        }
        return json_response(body, media_type="application/hal+json")

    def _sorted(self, items: list, request: Request, default: tuple[str, str], **keys) -> list:
        key, reverse = _order(request, default)
        if key not in keys:
            raise ApiError(400, f"order[{key}] is not supported here")
        return sorted(items, key=keys[key], reverse=reverse)

    def _listing(
        self,
        request: Request,
        now: datetime,
        select: Callable[[Request, datetime], list],
        default: tuple[str, str],
        **keys: Callable,
    ) -> list:
        """`select`'s records sorted as the request asks, shared by all pages of a walk.

        Remembered under all the list depends on: the path, the query but its page, the
        late-records fault and the clock. Every record predates the world's end, so past
        that end plus the late delay the list stops changing: the clock counts only up to
        there, and a walk on the real clock over a finished history is filtered once.
        """
        late = self.state.faults.amocrm.late_records
        seen = min(now, self.world.as_of + timedelta(hours=max(late.delay_hours, 0)))
        query = sorted(item for item in request.query_params.multi_items() if item[0] != "page")
        key = (request.url.path, tuple(query), self.state.faults.seed, late, seen)
        return self.recent.get(
            key, lambda: self._sorted(select(request, seen), request, default, **keys)
        )

    # --- leads and contacts ------------------------------------------------------------
    def _leads_now(self, request: Request, now: datetime) -> list[LeadNow]:
        """Visible leads whose updated_at at now is in the filter's range. That updated_at is
        the lead's creation or one of its stage moves, so only leads with such a moment in
        the range can qualify; each is then judged exactly as it stands at now."""
        low, high = _range(request, "updated_at", now)
        candidates = {s.lead_id: s for s in self.moments.between(low, high)}.values()
        leads = (
            LeadNow(s, tuple(c for c in s.status_changes if c.at <= now))
            for s in candidates
            if self.state.visible("amocrm", s.lead_id, s.created_at, now)
        )
        return [lead for lead in leads if low <= lead.updated_at <= high]

    async def leads(self, request: Request) -> Response:
        now = self._authorize(request)
        if _only_deleted(request):
            return Response(status_code=204)
        leads = self._listing(
            request,
            now,
            self._leads_now,
            ("id", "asc"),
            id=lambda lead: lead.signup.lead_id,
            created_at=lambda lead: (lead.signup.created_at, lead.signup.lead_id),
            updated_at=lambda lead: (lead.updated_at, lead.signup.lead_id),
        )
        with_contacts = "contacts" in request.query_params.get("with", "").split(",")
        return self._hal_page(
            request,
            "leads",
            leads,
            LIMIT_MAX,
            lambda lead: (lead.signup.lead_id, self.render_lead(request, lead, now, with_contacts)),
        )

    def render_lead(self, request: Request, lead: LeadNow, now: datetime, contacts: bool) -> dict:
        s = lead.signup
        status = lead.status_id
        closed = lead.changes[-1].at if status in (STATUS_WON, STATUS_LOST) else None
        payment = self.first_payment.get(s.lead_id)
        price = payment.amount_rub if payment is not None and payment.created_at <= now else 0
        own = self.account.lead_fields
        channel = {"value": s.channel, "enum_id": self.channel_enums.get(s.channel)}
        fields = [
            _custom_field(own["channel"], [channel]),
            _custom_field(own["region"], [{"value": s.region}]),
            _custom_field(own["product_account_id"], [{"value": s.account_id}]),
        ]
        if s.saw_case_study:
            fields.append(_custom_field(own["case_study_shown"], [{"value": True}]))
        if s.attended_webinar:
            fields.append(_custom_field(own["webinar_attended"], [{"value": True}]))
        embedded: dict = {"tags": [], "companies": []}
        if contacts:
            embedded["contacts"] = [
                {"id": s.contact_id, "is_main": True}
                | {"_links": self._links(request, f"/api/v4/contacts/{s.contact_id}")}
            ]
        return {
            "id": s.lead_id,
            "name": s.company_name,
            "price": price,
            "responsible_user_id": s.manager_id,
            "group_id": 0,
            "status_id": self.account.status(status),
            "pipeline_id": self.account.pipeline[0],
            "loss_reason_id": s.loss_reason_id if status == STATUS_LOST else None,
            "created_by": 0,
            "updated_by": lead.changes[-1].created_by if lead.changes else 0,
            "created_at": _unix(s.created_at),
            "updated_at": lead.updated_at,
            "closed_at": _unix(closed),
            "closest_task_at": None,
            "is_deleted": False,
            "custom_fields_values": fields,
            "score": None,
            "account_id": AMO_ACCOUNT_ID,
            "labor_cost": None,
            "_links": self._links(request, f"/api/v4/leads/{s.lead_id}"),
            "_embedded": embedded,
        }

    def _contacts_now(self, request: Request, now: datetime) -> list[Signup]:
        """Visible signups created in the filter's range (a contact never changes)."""
        window = self.created.between(*_range(request, "updated_at", now))
        return [s for s in window if self.state.visible("amocrm", s.lead_id, s.created_at, now)]

    async def contacts(self, request: Request) -> Response:
        now = self._authorize(request)
        if _only_deleted(request):
            return Response(status_code=204)
        signups = self._listing(
            request,
            now,
            self._contacts_now,
            ("id", "asc"),
            id=lambda s: s.contact_id,
            created_at=lambda s: (s.created_at, s.contact_id),
            updated_at=lambda s: (s.created_at, s.contact_id),
        )
        with_leads = "leads" in request.query_params.get("with", "").split(",")
        return self._hal_page(
            request,
            "contacts",
            signups,
            LIMIT_MAX,
            lambda s: (s.contact_id, self.render_contact(request, s, with_leads)),
        )

    def render_contact(self, request: Request, s: Signup, with_leads: bool) -> dict:
        first, _, last = s.contact_name.partition(" ")
        embedded: dict = {"tags": [], "companies": []}
        if with_leads:
            links = self._links(request, f"/api/v4/leads/{s.lead_id}")
            embedded["leads"] = [{"id": s.lead_id, "_links": links}]
        return {
            "id": s.contact_id,
            "name": s.contact_name,
            "first_name": first,
            "last_name": last,
            "responsible_user_id": s.manager_id,
            "group_id": 0,
            "created_by": 0,
            "updated_by": 0,
            "created_at": _unix(s.created_at),
            "updated_at": _unix(s.created_at),
            "closest_task_at": None,
            "is_deleted": False,
            "is_unsorted": False,
            "custom_fields_values": [
                _custom_field(
                    FIELD_PHONE, [{"value": s.phone_raw, "enum_id": 1, "enum_code": "WORK"}]
                ),
                _custom_field(FIELD_EMAIL, [{"value": s.email, "enum_id": 2, "enum_code": "WORK"}]),
            ],
            "account_id": AMO_ACCOUNT_ID,
            "_links": self._links(request, f"/api/v4/contacts/{s.contact_id}"),
            "_embedded": embedded,
        }

    # --- users, pipelines, events --------------------------------------------------------
    async def users(self, request: Request) -> Response:
        today = self._authorize(request).date()
        managers = [m for m in self.world.managers if m.hired_on <= today]
        return self._hal_page(
            request,
            "users",
            managers,
            LIMIT_MAX,
            lambda m: (
                m.user_id,
                {
                    "id": m.user_id,
                    "name": m.name,
                    "email": m.email,
                    "lang": "ru",
                    "rights": {"leads": {"view": "A", "edit": "A"}, "is_admin": False},
                    "_links": self._links(request, f"/api/v4/users/{m.user_id}"),
                },
            ),
        )

    async def lead_custom_fields(self, request: Request) -> Response:
        """The account's lead custom fields (the company's naming, `account.py`)."""
        self._authorize(request)
        fields = sorted(self.account.lead_fields.values())
        return self._hal_page(
            request,
            "custom_fields",
            fields,
            LIMIT_MAX,
            lambda f: (
                f[0],
                {
                    "id": f[0],
                    "name": f[1],
                    "code": f[2],
                    "type": f[3],
                    "sort": 500 + fields.index(f),
                    "entity_type": "leads",
                    "is_api_only": False,
                    "account_id": AMO_ACCOUNT_ID,
                    "_links": self._links(request, f"/api/v4/leads/custom_fields/{f[0]}"),
                },
            ),
        )

    async def pipelines(self, request: Request) -> Response:
        self._authorize(request)
        pipeline_id, pipeline_name = self.account.pipeline
        statuses = [
            {
                "id": status_id,
                "name": name,
                "sort": sort,
                "is_editable": status_id not in (STATUS_WON, STATUS_LOST),
                "pipeline_id": pipeline_id,
                "color": STATUS_COLORS[i % len(STATUS_COLORS)],
                "type": 0,
                "account_id": AMO_ACCOUNT_ID,
                "_links": self._links(
                    request, f"/api/v4/leads/pipelines/{pipeline_id}/statuses/{status_id}"
                ),
            }
            for i, (status_id, name, sort) in enumerate(self.account.stages)
        ]
        pipeline = {
            "id": pipeline_id,
            "name": pipeline_name,
            "sort": 1,
            "is_main": True,
            "is_unsorted_on": False,
            "is_archive": False,
            "account_id": AMO_ACCOUNT_ID,
            "_links": self._links(request, f"/api/v4/leads/pipelines/{pipeline_id}"),
            "_embedded": {"statuses": statuses},
        }
        body = {
            "_total_items": 1,
            "_links": self._links(request, "/api/v4/leads/pipelines"),
            "_embedded": {"pipelines": [pipeline]},
        }
        return json_response(body, media_type="application/hal+json")

    def _changes_now(self, request: Request, now: datetime) -> list[StatusChange]:
        """Visible stage moves made in the filter's range, if the filter asks for them."""
        types = request.query_params.get("filter[type]", "lead_status_changed").split(",")
        bounds = _range(request, "created_at", now)
        window = self.changes.between(*bounds) if "lead_status_changed" in types else []
        return [c for c in window if self.state.visible("amocrm", c.event_id, c.at, now)]

    async def events(self, request: Request) -> Response:
        """Only `lead_status_changed` exists in the demo; other types give 204."""
        now = self._authorize(request)
        changes = self._listing(
            request,
            now,
            self._changes_now,
            ("created_at", "desc"),
            id=lambda c: c.event_id,
            created_at=lambda c: (c.at, c.event_id),
        )
        return self._hal_page(
            request,
            "events",
            changes,
            EVENTS_LIMIT_MAX,
            lambda c: (c.event_id, self.render_event(request, c)),
        )

    def render_event(self, request: Request, change: StatusChange) -> dict:
        def status(simulated: int) -> list[dict]:
            own = {"id": self.account.status(simulated), "pipeline_id": self.account.pipeline[0]}
            return [{"lead_status": own}]

        return {
            "id": change.event_id,
            "type": "lead_status_changed",
            "entity_id": change.lead_id,
            "entity_type": "lead",
            "created_by": change.created_by,
            "created_at": _unix(change.at),
            "value_after": status(change.status_after),
            "value_before": status(change.status_before),
            "account_id": AMO_ACCOUNT_ID,
            "_links": self._links(request, f"/api/v4/events/{change.event_id}"),
            "_embedded": {"entity": {"id": change.lead_id}},
        }
