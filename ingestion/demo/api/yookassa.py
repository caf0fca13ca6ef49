"""YooKassa API v3: payment and refund lists with `created_at` filters and cursor paging.

Lists are newest first. A payment shows its state at the server's now: a charge not yet
captured is `pending`, and `refunded_amount` counts the refunds made so far, which is why
a pipeline must re-read a lookback of payments and pull refunds by their own time.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ingestion.demo.api.account import account_of
from ingestion.demo.api.common import (
    ApiError,
    Timeline,
    Vendor,
    basic_credentials,
    int_param,
    json_response,
    page_faults,
    page_slice,
    time_param,
    vendor_app,
)
from ingestion.demo.api.state import DemoState
from ingestion.demo.model import Payment, Refund
from ingestion.demo.randomness import derive_seed

FEE_SHARE = Decimal("0.035")  # YooKassa's commission, kept out of income_amount
ERROR_CODES = {400: "invalid_request", 401: "invalid_credentials", 404: "not_found"}
ERROR_CODES |= {429: "too_many_requests", 500: "internal_server_error"}
CANCEL_PARTY = {"expired_on_confirmation": "yoo_money", "canceled_by_merchant": "merchant"}
STATUSES = {"payments": ("pending", "waiting_for_capture", "succeeded", "canceled")}
STATUSES["refunds"] = ("pending", "succeeded", "canceled")


def error(status: int, reason: str) -> Response:
    """YooKassa's error object; its `id` is derived from the error so bodies stay stable."""
    error_id = uuid.UUID(int=derive_seed(status, reason) << 64 | derive_seed(reason, status))
    body = {
        "type": "error",
        "id": str(error_id),
        "code": ERROR_CODES.get(status, "internal_server_error"),
        "description": reason,
    }
    return json_response(body, status)


def _amount_as_number(record: dict) -> None:
    record["amount"]["value"] = float(record["amount"]["value"])


def yookassa_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def _millis(at: datetime) -> datetime:
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


def _parse_time(raw: str) -> datetime:
    parsed = datetime.fromisoformat(raw)
    if parsed.tzinfo is None:
        raise ValueError("no time zone")
    return parsed.astimezone(UTC)


def _money(rub: int | Decimal) -> dict:
    value = Decimal(rub).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return {"value": f"{value:.2f}", "currency": "RUB"}


def _encode_cursor(item: Payment | Refund) -> str:
    key = orjson.dumps([yookassa_time(item.created_at), _id(item)])
    return base64.urlsafe_b64encode(key).decode().rstrip("=")


def _decode_cursor(raw: str) -> tuple[datetime, str]:
    try:
        at, item_id = orjson.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        return _parse_time(at), item_id
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
        raise ApiError(400, "Invalid cursor") from None


def _id(item: Payment | Refund) -> str:
    return item.payment_id if isinstance(item, Payment) else item.refund_id


def _status(item: Payment | Refund, now: datetime) -> str:
    """A payment captured after now is still pending at now."""
    if isinstance(item, Payment) and item.status == "succeeded" and item.captured_at > now:
        return "pending"
    return item.status


def _key(item: Payment | Refund) -> tuple[datetime, str]:
    return _millis(item.created_at), _id(item)


def _timeline(items: list[Payment] | list[Refund]) -> Timeline:
    """Keyed by the millisecond time the filters compare; ties stay in id order, so the
    reversed window is newest first exactly as sorting by `_key` would put it."""
    return Timeline.of((_millis(item.created_at), item) for item in sorted(items, key=_key))


class YooKassaApi:
    def __init__(self, state: DemoState):
        self.state = state
        self.world = state.world
        creds = self.world.config.credentials["yookassa"]
        self.credentials = (str(creds["shop_id"]), creds["secret_key"])
        self.account = account_of(self.world.config.sections.get("account"))
        self.refunds_of: dict[str, list[Refund]] = {}
        for r in self.world.refunds:
            self.refunds_of.setdefault(r.payment_id, []).append(r)
        self.timelines = {
            "payments": _timeline(self.world.payments),
            "refunds": _timeline(self.world.refunds),
        }

    def vendor(self) -> Vendor:
        routes = [Route("/payments", self.payments), Route("/refunds", self.refunds)]
        return Vendor(
            name="yookassa",
            app=vendor_app(routes, error),
            error=error,
            optional_field="description",
            change_type=_amount_as_number,
            key_field="id",
        )

    async def payments(self, request: Request) -> Response:
        return self._list(request, "payments", self.render_payment)

    async def refunds(self, request: Request) -> Response:
        return self._list(request, "refunds", self.render_refund)

    def _window(self, kind: str, bounds: dict[str, datetime | None], now: datetime) -> list:
        """Newest first, within the `created_at.*` bounds. Nothing created after now is
        visible yet, so now is one more `lte` bound."""
        timeline = self.timelines[kind]
        given = [(op, at) for op, at in bounds.items() if at is not None] + [("lte", now)]
        starts = [timeline.start(at, op == "gte") for op, at in given if op in ("gte", "gt")]
        stops = [timeline.stop(at, op == "lte") for op, at in given if op in ("lte", "lt")]
        return timeline.records[max(starts, default=0) : min(stops)][::-1]

    def _list(self, request: Request, kind: str, render) -> Response:
        """Newest first; `created_at.*` filters compare at millisecond precision, as shown."""
        if basic_credentials(request) != self.credentials:
            raise ApiError(401, "Authentication by given credentials failed")
        now = self.state.clock.now()
        limit = int_param(request, "limit", 10, 1, 100)
        status = request.query_params.get("status")
        if status is not None and status not in STATUSES[kind]:
            raise ApiError(400, f"Invalid status value: {status}")
        bounds = {
            op: time_param(request, f"created_at.{op}", _parse_time)
            for op in ("gte", "gt", "lte", "lt")
        }
        chosen = [
            item
            for item in self._window(kind, bounds, now)
            if self.state.visible("yookassa", _id(item), item.created_at, now)
            and (status is None or _status(item, now) == status)
        ]
        cursor = request.query_params.get("cursor")
        start = 0
        if cursor is not None:
            after = _decode_cursor(cursor)
            start = next((i for i, item in enumerate(chosen) if _key(item) < after), len(chosen))
        faults = page_faults(request)
        page = page_slice(chosen, start, limit, start > 0 and faults.repeats_previous_item())
        body: dict = {
            "type": "list",
            "items": [faults.apply(_id(item), render(item, now)) for item in page],
        }
        if start + limit < len(chosen):
            body["next_cursor"] = _encode_cursor(chosen[start + limit - 1])
        return json_response(body)

    def render_payment(self, p: Payment, now: datetime) -> dict:
        status = _status(p, now)
        captured = p.captured_at if status == "succeeded" else None
        refunded = sum(
            r.amount_rub
            for r in self.refunds_of.get(p.payment_id, [])
            if self.state.visible("yookassa", r.refund_id, r.created_at, now)
        )
        card = derive_seed(self.world.config.seed, "card", p.account_id)
        metadata = {
            "account_id": p.account_id,
            "lead_id": str(p.lead_id),
            "manager_id": str(p.manager_id),
            "tariff": p.tariff,
            "period_months": str(p.period_months),
            "list_price": str(p.list_price_rub),
        }
        if p.promo_code is not None:
            metadata["promo_code"] = p.promo_code
        body: dict = {
            "id": p.payment_id,
            "status": status,
            "paid": status == "succeeded",
            "amount": _money(p.amount_rub),
        }
        if status == "succeeded":
            fee = (Decimal(p.amount_rub) * FEE_SHARE).quantize(Decimal("0.01"), ROUND_HALF_UP)
            body["income_amount"] = _money(Decimal(p.amount_rub) - fee)
        body["description"] = f"Подписка {p.tariff}, {p.period_months} мес., {p.account_id}"
        body["recipient"] = {"account_id": self.credentials[0], "gateway_id": "1000001"}
        body["payment_method"] = {
            "type": "bank_card",
            "id": p.payment_id,
            "saved": False,
            "title": f"Bank card *{card % 10_000:04d}",
            "card": {"last4": f"{card % 10_000:04d}", "card_type": "Mir"},
        }
        if captured is not None:
            body["captured_at"] = yookassa_time(captured)
        body["created_at"] = yookassa_time(p.created_at)
        body["test"] = False
        if refunded:
            body["refunded_amount"] = _money(refunded)
        body["refundable"] = status == "succeeded" and refunded < p.amount_rub
        body["metadata"] = {self.account.metadata_key(k): v for k, v in metadata.items()}
        if status == "canceled":
            reason = p.cancellation_reason or "general_decline"
            party = CANCEL_PARTY.get(reason, "payment_network")
            body["cancellation_details"] = {"party": party, "reason": reason}
        return body

    def render_refund(self, r: Refund, now: datetime) -> dict:
        return {
            "id": r.refund_id,
            "payment_id": r.payment_id,
            "status": r.status,
            "created_at": yookassa_time(r.created_at),
            "amount": _money(r.amount_rub),
        }
