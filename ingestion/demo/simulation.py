"""The sales funnel of the demo company: signups, calls, CRM stages.

One pass over the days in order. Each signup draws from its own seeded generator
(`randomness.rng_for`), so the story is deterministic and a longer history never changes
a shorter one. What the article measured is produced by mechanisms, not pasted in: the
reach rate rises because calls get faster, ring longer and show a local number, and
consultations lift sales because the chance to pay is multiplied for consulted signups.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ingestion.demo import billing
from ingestion.demo.config import CompanyConfig
from ingestion.demo.model import (
    LOSS_REASONS,
    STATUS_ACTIVE_TESTING,
    STATUS_CONSULTATION,
    STATUS_DECISION,
    STATUS_LOST,
    STATUS_NEW,
    STATUS_REACHED,
    STATUS_WON,
    Call,
    Manager,
    Region,
    Signup,
    StatusChange,
)
from ingestion.demo.names import company_name, person_name
from ingestion.demo.randomness import poisson, rng_for, uuid4_from, weighted_choice
from ingestion.demo.world import World

STAGE_ORDER = {
    STATUS_NEW: 0,
    STATUS_REACHED: 1,
    STATUS_CONSULTATION: 2,
    STATUS_ACTIVE_TESTING: 3,
    STATUS_DECISION: 4,
    STATUS_WON: 5,
    STATUS_LOST: 5,
}


def as_of_for(config: CompanyConfig, now: datetime | None = None) -> datetime:
    """The instant the history ends (exclusive): midnight of `end_date` in the business time
    zone, or - when no end date is set - the end of today, so a long-running demo server can
    reveal today's records as its clock passes them."""
    tz = ZoneInfo(config.business_tz)
    if config.end_date is not None:
        end_day = config.end_date
    else:
        end_day = (now or datetime.now(UTC)).astimezone(tz).date() + timedelta(days=1)
    return datetime.combine(end_day, time(), tz).astimezone(UTC)


def build_world(config: CompanyConfig, now: datetime | None = None) -> World:
    as_of = as_of_for(config, now)
    regions = [Region(**r) for r in config["regions"]]
    managers = [
        Manager(
            user_id=m["user_id"],
            name=m["name"],
            email=f"{m['name'].split()[0].lower()}@salesboard-demo.ru",
            extension_id=m["extension_id"] if "extension_id" in m else 700_000 + m["extension"],
            extension_name=m.get("extension_name") or f"00000*{m['extension']}",
            hired_on=m["hired_on"],
            skill_reach=m["skill_reach"],
            skill_consult=m["skill_consult"],
            skill_close=m["skill_close"],
        )
        for m in config["managers"]
    ]
    tariffs = billing.tariffs(config)
    funnel = _Funnel(config, regions, managers)
    signups: list[Signup] = []
    calls: list[Call] = []
    day = config.start_date
    last_day = as_of.astimezone(ZoneInfo(config.business_tz)).date()
    while day <= last_day:
        for signup, signup_calls in funnel.signups_of_day(day, start_index=len(signups)):
            signups.append(signup)
            calls.extend(signup_calls)
        day += timedelta(days=1)
    payments, refunds = billing.simulate_payments(config, signups, tariffs, as_of)
    signups = [s for s in signups if s.created_at < as_of]
    for s in signups:
        _cut_at(s, as_of)
    status_changes = sorted(
        (c for s in signups for c in s.status_changes), key=lambda c: (c.at, c.event_id)
    )
    return World(
        config=config,
        as_of=as_of,
        regions=regions,
        managers=managers,
        tariffs=tariffs,
        signups=signups,
        calls=sorted((c for c in calls if c.start_time < as_of), key=_call_order),
        status_changes=status_changes,
        payments=[p for p in payments if p.created_at < as_of],
        refunds=[r for r in refunds if r.created_at < as_of],
    )


def _call_order(call: Call) -> tuple:
    return (call.start_time, call.call_uuid)


def _cut_at(signup: Signup, as_of: datetime) -> None:
    """Forget what has not happened yet at `as_of` (the future is simulated, then hidden)."""
    for stage in ("first_call_at", "reached_at", "consultation_at", "activated_at", "paid_at"):
        value = getattr(signup, stage)
        if value is not None and value >= as_of:
            setattr(signup, stage, None)
    if signup.lost_at is not None and signup.lost_at >= as_of:
        signup.lost_at = None
        signup.loss_reason_id = None
    signup.status_changes = [c for c in signup.status_changes if c.at < as_of]


class _Funnel:
    """Draws each day's signups and walks each one through calls and CRM stages."""

    def __init__(self, config: CompanyConfig, regions: list[Region], managers: list[Manager]):
        self.config = config
        self.seed = config.seed
        self.regions = regions
        self.managers = managers
        self.tz = ZoneInfo(config.business_tz)
        self.sig = config["signups"]
        self.calls = config["calls"]
        self.funnel = config["funnel"]
        self.policies = sorted(self.calls["policies"], key=lambda p: p["from"])

    # --- arrivals ------------------------------------------------------------------
    def expected_signups(self, day: date) -> float:
        years = (day - self.config.start_date).days / 365.0
        growth = self.sig["yearly_growth"] ** years
        weekday = self.sig["weekday_factors"][day.weekday()]
        return self.sig["per_day_at_start"] * growth * weekday * self.config.scale

    def signups_of_day(self, day: date, start_index: int):
        rng = rng_for(self.seed, "arrivals", day.isoformat())
        count = poisson(rng, self.expected_signups(day))
        for offset in range(count):
            yield self._signup(day, start_index + offset)

    def _policy(self, day: date) -> dict:
        current = self.policies[0]
        for policy in self.policies:
            if policy["from"] <= day:
                current = policy
        return current

    def _signup(self, day: date, index: int) -> tuple[Signup, list[Call]]:
        rng = rng_for(self.seed, "signup", index)
        region = rng.choices(self.regions, weights=[r.weight for r in self.regions], k=1)[0]
        local_tz = ZoneInfo(region.tz)
        hour = rng.choices(range(24), weights=self.sig["hour_weights_local"], k=1)[0]
        local = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), local_tz)
        created_at = local.astimezone(UTC).replace(microsecond=rng.randrange(1_000_000))
        hired = [m for m in self.managers if m.hired_on <= day] or self.managers[:1]
        manager = hired[index % len(hired)]
        subscriber = "9" + "".join(str(rng.randrange(10)) for _ in range(9))
        first, last = person_name(rng)
        signup = Signup(
            lead_id=20_000_000 + index,
            contact_id=30_000_000 + index,
            account_id=f"acc{index:07d}",
            company_name=company_name(rng),
            contact_name=f"{first} {last}",
            phone_raw=_messy_phone(rng, subscriber, self.sig["phone_formats"]),
            phone_e164=f"+7{subscriber}",
            email=f"{_translit(first)}.{_translit(last)}{rng.randrange(100)}@"
            f"{rng.choice(self.sig['email_domains'])}",
            region=region.code,
            channel=weighted_choice(rng, self.sig["channels"]),
            manager_id=manager.user_id,
            created_at=created_at,
        )
        calls = self._calls(rng, signup, manager, region, self._policy(day))
        self._after_contact(rng, signup, manager)
        self._crm_history(rng, signup, manager)
        return signup, calls

    # --- calls ---------------------------------------------------------------------
    def _calls(self, rng, signup: Signup, manager: Manager, region: Region, policy: dict):
        c = self.calls
        rings = policy["rings_waited"]
        local_id = policy["local_caller_id"]
        caller_id = region.local_did if local_id else self.config["head_office_did"]
        is_local = caller_id[1:4] == region.area_code
        delay_min = policy["first_call_median_minutes"] * math.exp(rng.gauss(0, 1.0))
        at = signup.created_at + timedelta(minutes=delay_min)
        calls: list[Call] = []
        for attempt in range(c["max_attempts"]):
            if attempt:
                at += timedelta(hours=c["attempt_gap_hours"][attempt - 1] * rng.uniform(0.8, 1.3))
            p_answer = c["answer_base"] + c["answer_per_ring_waited"] * (min(rings, 6) - 3)
            if attempt == 0 and delay_min <= 15:
                p_answer *= c["answer_if_called_within_15_min"]
            if local_id and region.area_code != self.config["head_office_did"][1:4]:
                p_answer *= c["answer_if_local_caller_id"]
            p_answer = min(0.95, p_answer * manager.skill_reach)
            answered = rng.random() < p_answer
            if answered and rng.random() >= c["short_talk_share"]:
                talk = max(c["reached_min_talk_seconds"], 240 * math.exp(rng.gauss(0, 0.6)))
            elif answered:
                talk = rng.uniform(8, c["reached_min_talk_seconds"] - 1)
            else:
                talk = None
            call = self._call(rng, signup, manager, at, rings, talk, caller_id, is_local)
            calls.append(call)
            if signup.first_call_at is None:
                signup.first_call_at = call.start_time
            if talk is not None and talk >= c["reached_min_talk_seconds"]:
                signup.reached_at = call.bridged_time
                break
        if signup.reached_at is not None and rng.random() < min(
            0.95, self.funnel["consultation_if_reached"] * manager.skill_consult
        ):
            lo, hi = self.funnel["consultation_delay_days"]
            when = signup.reached_at + timedelta(days=rng.uniform(lo, hi), minutes=30)
            talk = 60 * rng.uniform(*c["consultation_talk_minutes"])
            call = self._call(rng, signup, manager, when, rings, talk, caller_id, is_local, True)
            calls.append(call)
            signup.consultation_at = call.bridged_time
        return calls

    def _call(self, rng, signup, manager, start, rings, talk, caller_id, is_local, sure=False):
        """One outbound call; `talk` None = not connected. `sure` = picked up on first rings."""
        cycle = self.calls["ring_cycle_seconds"]
        init = start - timedelta(seconds=rng.uniform(0.5, 3))
        start = start.replace(microsecond=rng.randrange(100) * 10_000)
        if talk is None:
            outcome = rng.random()
            if outcome < 0.12:
                result, disposition, ring = "busy", "callee_refuse", rng.uniform(0.5, 3)
            elif outcome < 0.2:
                result, disposition, ring = "rejected", "callee_refuse", rng.uniform(3, cycle * 3)
            else:
                result, disposition = "not answered", "caller_cancel"
                ring = rings * cycle + rng.uniform(0, cycle - 1)
            bridged, hangup = None, start + timedelta(seconds=ring)
        else:
            ring = rng.uniform(1, cycle * 2) if sure else rng.uniform(1, rings * cycle)
            bridged = start + timedelta(seconds=ring)
            hangup = bridged + timedelta(seconds=talk)
            result = "answered"
            disposition = rng.choice(["caller_bye", "callee_bye"])
        digits = signup.phone_e164[2:]
        dialled = rng.choice([f"8{digits}", f"7{digits}", digits])
        return Call(
            call_uuid=uuid4_from(rng),
            lead_id=signup.lead_id,
            manager_id=manager.user_id,
            extension_id=manager.extension_id,
            flow="out",
            init_time=init,
            start_time=start,
            bridged_time=bridged,
            hangup_time=hangup,
            result=result,
            hangup_disposition=disposition,
            customer_number=dialled,
            ani_number=caller_id,
            did_number=caller_id,
            is_local_caller_id=is_local,
            record_uuid=uuid4_from(rng) if bridged else None,
        )

    # --- after the first contact -----------------------------------------------------
    def _after_contact(self, rng, signup: Signup, manager: Manager) -> None:
        f = self.funnel
        consulted = signup.consultation_at is not None
        reached = signup.reached_at is not None
        signup.attended_webinar = rng.random() < f["webinar_attendance"]
        signup.watched_lessons = not reached and rng.random() < f["lessons_if_not_reached"]
        signup.saw_case_study = reached and rng.random() < f["case_study_shown"]
        p_activate = f["activation_if_consulted"] if consulted else f["activation_base"]
        activated = rng.random() < p_activate
        p_paid = f["paid_base"] * manager.skill_close
        p_paid *= f["paid_lift_consultation"] if consulted else 1.0
        p_paid *= f["paid_lift_case_study"] if signup.saw_case_study else 1.0
        p_paid *= f["paid_lift_activated"] if activated else 1.0
        paid = rng.random() < min(f["paid_cap"], p_paid)
        last = signup.consultation_at or signup.reached_at or signup.created_at
        if activated:
            lo, hi = f["activation_delay_days"]
            signup.activated_at = last + timedelta(days=rng.uniform(lo, hi), hours=1)
            last = signup.activated_at
        base = 0.35 + 0.3 * rng.betavariate(2, 2) if activated else 0.2 * rng.random()
        signup.engagement = min(1.0, base + (0.15 if consulted else 0.0))
        if paid:
            lo, hi = f["paid_delay_days"]
            paid_at = signup.created_at + timedelta(days=rng.uniform(lo, hi))
            signup.paid_at = max(paid_at, last + timedelta(hours=rng.uniform(2, 48)))
        else:
            signup.lost_at = signup.created_at + timedelta(
                days=f["lost_after_days"], minutes=rng.uniform(0, 600)
            )
            if not reached:
                signup.loss_reason_id = 9_001
            else:
                signup.loss_reason_id = rng.choice([k for k in LOSS_REASONS if k != 9_001])

    def _crm_history(self, rng, signup: Signup, manager: Manager) -> None:
        """amoCRM stage moves; a lead never moves back, so late stages skip earlier ones."""
        moves = [
            (signup.reached_at, STATUS_REACHED),
            (signup.consultation_at, STATUS_CONSULTATION),
            (signup.activated_at, STATUS_ACTIVE_TESTING),
        ]
        if signup.paid_at is not None:
            # The decision comes after every earlier stage that happened (a manager does not
            # hold the consultation after moving the lead past it) and before the payment.
            earlier = max((at for at, _ in moves if at is not None), default=signup.created_at)
            decided = signup.paid_at - timedelta(hours=rng.uniform(1, 24))
            moves.append((max(decided, earlier + (signup.paid_at - earlier) / 2), STATUS_DECISION))
            moves.append((signup.paid_at, STATUS_WON))
        if signup.lost_at is not None:
            moves.append((signup.lost_at, STATUS_LOST))
        current = STATUS_NEW
        for at, status in sorted((m for m in moves if m[0] is not None), key=lambda m: m[0]):
            if STAGE_ORDER[status] <= STAGE_ORDER[current] or at <= signup.created_at:
                continue
            signup.status_changes.append(
                StatusChange(
                    event_id=uuid4_from(rng),
                    lead_id=signup.lead_id,
                    at=at.replace(microsecond=0) + timedelta(seconds=1),
                    status_before=current,
                    status_after=status,
                    created_by=manager.user_id if status != STATUS_ACTIVE_TESTING else 0,
                )
            )
            current = status


def _messy_phone(rng, subscriber: str, formats: dict[str, float]) -> str:
    """Render 10 subscriber digits the way a person typed them (`X` = next digit)."""
    template = weighted_choice(rng, formats)
    digits = iter(subscriber)
    return "".join(next(digits) if ch == "X" else ch for ch in template)


_TRANSLIT = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
        "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
        "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
        "ч": "ch", "ш": "sh", "щ": "sch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
        "я": "ya",
    }
)  # fmt: skip


def _translit(name: str) -> str:
    return name.lower().translate(_TRANSLIT)
