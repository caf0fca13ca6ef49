"""The demo company's entities, as the simulation produces them.

These are the *truth* behind the demo vendor APIs: `api/` renders them in each vendor's
wire format, `truth.py` counts them into daily figures. They are vendor-neutral where
possible and carry the ids each vendor would use, so one entity can appear in several
sources (a signup is an amoCRM lead + contact, is dialled in Telphin, pays in YooKassa,
and clicks in Amplitude) and the warehouse must join them back like it would in reality.

All datetimes are timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

# amoCRM system statuses (same in every account) and the demo pipeline's own stages.
STATUS_WON = 142
STATUS_LOST = 143
PIPELINE_ID = 7_000_001
STATUS_NEW = 7_100_010
STATUS_REACHED = 7_100_020
STATUS_CONSULTATION = 7_100_030
STATUS_ACTIVE_TESTING = 7_100_040
STATUS_DECISION = 7_100_050
PIPELINE_STATUSES: tuple[tuple[int, str, int], ...] = (
    # (status_id, name, sort)
    (STATUS_NEW, "New signup", 10),
    (STATUS_REACHED, "Reached", 20),
    (STATUS_CONSULTATION, "Consultation", 30),
    (STATUS_ACTIVE_TESTING, "Active testing", 40),
    (STATUS_DECISION, "Decision", 50),
    (STATUS_WON, "Paid", 10000),
    (STATUS_LOST, "Lost", 11000),
)
LOSS_REASONS: dict[int, str] = {
    9_001: "Not reached",
    9_002: "Declined help",
    9_003: "Too expensive",
    9_004: "Chose a competitor",
    9_005: "No longer needed",
}


@dataclass(frozen=True)
class Region:
    code: str  # "MOW", "SPE", "NSK", ...
    name: str
    tz: str  # IANA zone, e.g. "Asia/Novosibirsk"
    area_code: str  # three digits after +7 used for the region's numbers
    local_did: str  # the team's local caller ID in that region, E.164 without "+"
    weight: float  # share of signups


@dataclass(frozen=True)
class Manager:
    user_id: int  # amoCRM user id
    name: str
    email: str
    extension_id: int  # Telphin extension id
    extension_name: str  # Telphin style "00000*101"
    hired_on: date
    skill_reach: float  # multiplier on the chance a call is answered and lasts >= 60 s
    skill_consult: float  # multiplier on reached -> consultation
    skill_close: float  # multiplier on -> paid


@dataclass(frozen=True)
class StatusChange:
    """amoCRM `lead_status_changed` event."""

    event_id: str
    lead_id: int
    at: datetime
    status_before: int
    status_after: int
    created_by: int  # manager user id (0 = robot)


@dataclass
class Signup:
    """A trial registration: one amoCRM lead with one contact, one product account."""

    lead_id: int
    contact_id: int
    account_id: str  # product account id, used by payments metadata and Amplitude user_id
    company_name: str
    contact_name: str
    phone_raw: str  # as the person typed it: "+7 (913) 123-45-67", "8 913 1234567", ...
    phone_e164: str  # "+79131234567" (truth; never sent on the wire in this form)
    email: str
    region: str  # Region.code
    channel: str  # ads | organic | referral | webinar
    manager_id: int
    created_at: datetime
    # Truth of the funnel (None = stage never reached).
    first_call_at: datetime | None = None
    reached_at: datetime | None = None
    consultation_at: datetime | None = None
    activated_at: datetime | None = None
    paid_at: datetime | None = None
    lost_at: datetime | None = None
    loss_reason_id: int | None = None
    saw_case_study: bool = False
    attended_webinar: bool = False
    watched_lessons: bool = False
    engagement: float = 0.0  # latent 0..1: drives product activity and churn
    status_changes: list[StatusChange] = field(default_factory=list)

    @property
    def status_id(self) -> int:
        return self.status_changes[-1].status_after if self.status_changes else STATUS_NEW

    @property
    def updated_at(self) -> datetime:
        return self.status_changes[-1].at if self.status_changes else self.created_at


@dataclass(frozen=True)
class Call:
    """One Telphin call (outbound from a manager's extension, or inbound from a prospect)."""

    call_uuid: str
    lead_id: int  # truth only: the wire links calls to leads by phone number
    manager_id: int
    extension_id: int
    flow: str  # "out" | "in"
    init_time: datetime
    start_time: datetime
    bridged_time: datetime | None  # None when never connected
    hangup_time: datetime
    result: str  # answered | busy | not answered | failed | rejected
    hangup_disposition: str  # caller_bye | callee_bye | caller_cancel | callee_refuse | ...
    customer_number: str  # the prospect's number as dialled / presented (digits, messy)
    ani_number: str  # caller ID the customer sees on outbound calls
    did_number: str  # the team's number the call went through
    is_local_caller_id: bool
    record_uuid: str | None

    @property
    def ring_seconds(self) -> float:
        end = self.bridged_time or self.hangup_time
        return (end - self.start_time).total_seconds()

    @property
    def talk_seconds(self) -> float | None:
        if self.bridged_time is None:
            return None
        return (self.hangup_time - self.bridged_time).total_seconds()

    @property
    def duration_seconds(self) -> float:
        return (self.hangup_time - self.init_time).total_seconds()


@dataclass(frozen=True)
class Tariff:
    code: str  # "start", "business", "pro", "turnkey"
    name: str
    monthly_price_rub: int
    is_special: bool


@dataclass
class Payment:
    """A YooKassa payment; `metadata` is what the shop attaches (account, tariff, ...)."""

    payment_id: str  # uuid-like, as YooKassa ids
    account_id: str
    lead_id: int
    manager_id: int  # manager credited for the sale
    tariff: str
    period_months: int
    list_price_rub: int  # tariff price x months before any discount
    amount_rub: int  # what was charged
    promo_code: str | None
    is_renewal: bool
    status: str  # succeeded | canceled | pending
    created_at: datetime
    captured_at: datetime | None
    cancellation_reason: str | None = None  # insufficient_funds | card_expired | ...
    period_start: date | None = None  # truth: the paid period (succeeded only)
    period_end: date | None = None  # exclusive
    refunded_rub: int = 0

    @property
    def is_promo(self) -> bool:
        return self.promo_code is not None


@dataclass(frozen=True)
class Refund:
    refund_id: str
    payment_id: str
    amount_rub: int
    created_at: datetime
    status: str  # succeeded


@dataclass(frozen=True)
class ActivityEvent:
    """An Amplitude event."""

    uuid: str
    insert_id: str
    event_type: str
    user_id: str  # account_id
    device_id: str
    event_time: datetime
    server_upload_time: datetime
    event_properties: dict
    platform: str
