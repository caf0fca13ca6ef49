"""Vendor data as people type it and vendors send it (issue 16).

Each input comes from a public bug report or SDK fixture, served by a local HTTP server in
the vendor's wire format, and goes through the production client and landing; where the
outcome is a warehouse fact, dbt builds it. Each test records its row in
`docs/reliability.md` ("Vendor input").
"""

from __future__ import annotations

import gzip
import io
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import orjson
import pytest

from ingestion.amocrm import AmoCrmClient
from ingestion.amplitude import AmplitudeClient
from ingestion.errors import SourceConfigError
from ingestion.landing import LandingResult, land_partition
from ingestion.pull import pull_days
from ingestion.streams import STREAMS
from ingestion.telphin import TelphinClient
from salesboard.layout import DataLayout
from tests.ingestion.conftest import Reply, ScriptedServer, Seen
from tests.ingestion.test_http import FAST
from tests.reliability.results import Outcome, record
from tests.support.dbt import dbt_run

pytestmark = [pytest.mark.reliability, pytest.mark.reliability_fast]
AREA = "vendor input"
DAY1, DAY2 = date(2025, 3, 3), date(2025, 3, 4)  # Moscow days
SIGNED_UP = datetime(2025, 3, 3, 7, tzinfo=UTC)
DELETED = datetime(2025, 3, 4, 8, tzinfo=UTC)
UPLOADED = datetime(2025, 3, 4, 10, tzinfo=UTC)
SALES_PIPELINE = 7000001  # dbt_project.yml `sales_pipeline_id`
EXPORT, PROJECT = "/api/2/export", "/api/2/events/list"
CALLS = "/api/ver1.0/client/@me/call_history/"
TOKEN = "/oauth/token"
# Phones as people typed them: an extension after the number, and no number at all.
PHONE_WITH_EXTENSION = "+7 (999) 000-33-44 доб. 12"
PHONE_OF_DELETED_LEAD = "8 999 111-22-33"
NOT_A_PHONE = "звонить после 18"
# The rest of the kind, each typed around the number +7 999 123-45-0N (N = position).
TYPED_FORMS = (
    "+7 999 123-45-00 ext. 12",
    "8 999 123 45 01 #12",
    "+79991234502x12",
    "8(999)123-45-03, 12",
    "тел.: +7 999 123-45-04 (доб. 5)",
    "+7 999 123-45-05 / +7 999 765-43-21",
    "8 999 123 45 06 вн.7",
    "999 123-45-07; 12",
)


def unix(at: datetime) -> int:
    return int(at.timestamp())


def hal(key: str, records: list[dict]) -> Reply:
    return Reply(200, {"_page": 1, "_links": {"self": {"href": "x"}}, "_embedded": {key: records}})


def lead(lead_id: int, contact_id: int, account: str) -> dict:
    return {
        "id": lead_id,
        "name": f"lead {lead_id}",
        "price": 0,
        "responsible_user_id": 11,
        "status_id": 7100010,
        "pipeline_id": SALES_PIPELINE,
        "created_at": unix(SIGNED_UP),
        "updated_at": unix(SIGNED_UP),
        "closed_at": None,
        "loss_reason_id": None,
        "is_deleted": False,
        "custom_fields_values": [
            {"field_code": "PRODUCT_ACCOUNT_ID", "values": [{"value": account}]},
            {"field_code": "REGION", "values": [{"value": "MOW"}]},
        ],
        "_embedded": {"contacts": [{"id": contact_id, "is_main": True}]},
    }


def contact(contact_id: int, phone: str) -> dict:
    return {
        "id": contact_id,
        "name": f"contact {contact_id}",
        "created_at": unix(SIGNED_UP),
        "updated_at": unix(SIGNED_UP),
        "custom_fields_values": [{"field_code": "PHONE", "values": [{"value": phone}]}],
    }


def call(call_uuid: str, dialled: str, started: datetime) -> dict:
    """An outbound call with 90 s of talk, in Telphin's record shape (times UTC, no offset)."""

    def at(seconds: int) -> str:
        return f"{started + timedelta(seconds=seconds):%Y-%m-%d %H:%M:%S}"

    return {
        "call_uuid": call_uuid,
        "flow": "out",
        "init_time_gmt": at(0),
        "start_time_gmt": at(0),
        "bridged_time_gmt": at(20),
        "hangup_time_gmt": at(110),
        "duration": 110,
        "bridged_duration": 90,
        "result": "answered",
        "hangup_disposition": "callee_bye",
        "extension_id": 101,
        "extension_name": "00000*101",
        "from_username": "00000*101",
        "to_username": dialled,
        "from_screen_name": "Manager",
        "did_number": "74951234500",
        "cdr": [
            {"flow": "out", "result": "answered", "ani_number": "74951234500"}
            | {"dest_number": dialled}
        ],
    }


def call_history(*calls: dict) -> Reply:
    return Reply(200, {"page": 1, "per_page": 100, "order": "asc", "call_history": list(calls)})


def export_of(*events: dict) -> bytes:
    """Amplitude's export: a ZIP of gzipped JSON-lines files, one per hour."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        lines = b"".join(orjson.dumps(e) + b"\n" for e in events)
        bundle.writestr("314/314_2025-03-04_10#0.json.gz", gzip.compress(lines))
    return buffer.getvalue()


def amplitude_event(event_uuid: str, event_time: datetime, account: str) -> dict:
    return {
        "uuid": event_uuid,
        "$insert_id": event_uuid,
        "event_type": "report_viewed",
        "user_id": account,
        "device_id": "device-1",
        "event_time": f"{event_time:%Y-%m-%d %H:%M:%S.%f}",
        "server_upload_time": f"{UPLOADED:%Y-%m-%d %H:%M:%S.%f}",
        "event_properties": {},
        "user_properties": {},
        "platform": "iOS",
    }


def pull(client, stream: str, days: list[date], layout: DataLayout) -> list[LandingResult]:
    run_id, ingested_at = str(uuid.uuid4()), datetime.now(UTC)
    return list(pull_days(client, stream, days, layout, run_id=run_id, ingested_at=ingested_at))


# --- one small CRM + telephony + product world, built with dbt -----------------------------


@dataclass(frozen=True)
class CrmWorld:
    warehouse: Path
    landed: dict[str, list[LandingResult]]
    dbt_test_output: str


@pytest.fixture(scope="module")
def crm_world(tmp_path_factory) -> Iterator[CrmWorld]:
    """Three signups (a phone with an extension, a lead deleted the next day, a phone field
    holding words), their calls and product events with lying device clocks, landed for two
    days through the real clients, then the staging models, `fct_calls`,
    `fct_signup_funnel` and daily account activity built by dbt."""
    tmp = tmp_path_factory.mktemp("vendor_input")
    layout = DataLayout(tmp / "data").ensure()
    leads = [lead(101, 201, "acc-101"), lead(102, 202, "acc-102"), lead(103, 203, "acc-103")]
    leads += [lead(110 + n, 210 + n, f"acc-{110 + n}") for n in range(len(TYPED_FORMS))]
    contacts = [
        contact(201, PHONE_WITH_EXTENSION),
        contact(202, PHONE_OF_DELETED_LEAD),
        contact(203, NOT_A_PHONE),
        *(contact(210 + n, typed) for n, typed in enumerate(TYPED_FORMS)),
    ]
    # amoCRM's trash: only the id, the deletion time and the flag (the rest null).
    deleted = {"id": 102, "updated_at": unix(DELETED), "updated_by": 11, "is_deleted": True}
    deleted |= {"status_id": None, "pipeline_id": None, "created_at": None, "name": None}
    calls = [
        call("call-ext", "+79990003344", SIGNED_UP + timedelta(hours=2)),
        call("call-deleted", "+79991112233", SIGNED_UP + timedelta(hours=2, minutes=30)),
        *(
            call(f"call-form-{n}", f"+7999123450{n}", SIGNED_UP + timedelta(hours=3, minutes=n))
            for n in range(len(TYPED_FORMS))
        ),
    ]
    events = [
        amplitude_event("ev-true", UPLOADED - timedelta(minutes=5), "acc-101"),
        amplitude_event("ev-2001", datetime(2001, 1, 1, 12, tzinfo=UTC), "acc-101"),
        amplitude_event("ev-2031", datetime(2031, 6, 1, 12, tzinfo=UTC), "acc-101"),
    ]
    with ScriptedServer() as server:
        # Day 1: live list, then the trash (empty). Day 2: the deleted lead has left the
        # live list and is in the trash.
        server.on("GET", "/api/v4/leads", hal("leads", leads), Reply(204, b""))
        server.on("GET", "/api/v4/contacts", hal("contacts", contacts), Reply(204, b""))
        server.on("GET", "/api/v4/events", Reply(204, b""))
        server.on("POST", TOKEN, Reply(200, {"access_token": "tok", "token_type": "Bearer"}))
        server.on("GET", CALLS, call_history(*calls))
        server.on("GET", PROJECT, Reply(200, {"data": [{"value": "report_viewed"}]}))
        server.on("GET", EXPORT, Reply(200, export_of(*events)))
        amo = AmoCrmClient(server.url, "amo-token", settings=FAST, requests_per_second=100)
        telphin = TelphinClient(server.url, "client", "secret", settings=FAST)
        amplitude = AmplitudeClient(server.url, "key", "secret", settings=FAST)
        landed = {
            "amocrm.status_events": pull(amo, "amocrm.status_events", [DAY1, DAY2], layout),
            "telphin.calls": pull(telphin, "telphin.calls", [DAY1, DAY2], layout),
            "amplitude.events": pull(amplitude, "amplitude.events", [DAY2], layout),
        }
        for stream in ("amocrm.leads", "amocrm.contacts"):
            landed[stream] = pull(amo, stream, [DAY1], layout)
        server.on("GET", "/api/v4/leads", hal("leads", leads[::2]), hal("leads", [deleted]))
        server.on("GET", "/api/v4/contacts", hal("contacts", contacts), Reply(204, b""))
        for stream in ("amocrm.leads", "amocrm.contacts"):
            landed[stream] += pull(amo, stream, [DAY2], layout)
    for stream in ("yookassa.payments", "yookassa.refunds"):  # no payments in this world
        land_partition(layout, STREAMS[stream], DAY2, [], "empty", datetime.now(UTC))

    env = {
        "SALESBOARD_DATA_DIR": str(layout.root),
        "SALESBOARD_PHONE_SALT": "vendor-input-salt",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        selection = ["+fct_calls", "+fct_signup_funnel", "+int_account_activity_daily"]
        built = dbt_run(tmp, "build", "--select", *selection, "--exclude-resource-type", "test")
        assert built.returncode == 0, built.stdout[-5000:]
        checks = [
            "stg_amocrm__contacts",
            "stg_amocrm__leads",
            "assert_phone_formats_normalise_to_one_key",
        ]
        tested = dbt_run(tmp, "test", "--select", *checks)
        assert tested.returncode == 0, tested.stdout[-5000:]
    yield CrmWorld(layout.root / "warehouse" / "salesboard.duckdb", landed, tested.stdout)


def query(world: CrmWorld, sql: str) -> list[tuple]:
    with duckdb.connect(str(world.warehouse), read_only=True) as con:
        return con.sql(sql).fetchall()


def test_a_phone_with_an_extension_still_links_its_call_and_unreadable_ones_are_counted(
    crm_world,
):
    """`+7 (999) 000-33-44 доб. 12` is the number +79990003344 (no longer +7999000334412):
    the call to it finds its signup. A phone field holding words is counted by a warning
    test, the data-quality figure, instead of silently matching nothing."""
    linked = query(crm_world, "select lead_id from marts.fct_calls where call_uuid = 'call-ext'")
    assert linked == [(101,)]
    forms = query(
        crm_world,
        "select call_uuid, lead_id from marts.fct_calls"
        " where call_uuid like 'call-form-%' order by 1",
    )
    assert forms == [(f"call-form-{n}", 110 + n) for n in range(len(TYPED_FORMS))]
    funnel = query(
        crm_world,
        "select first_call_at, reached_at from marts.fct_signup_funnel where lead_id = 101",
    )
    dialled = SIGNED_UP.replace(tzinfo=None) + timedelta(hours=2)
    assert funnel == [(dialled, dialled + timedelta(seconds=20))]  # picked up after 20 s
    unreadable = query(
        crm_world,
        "select contact_id from staging.stg_amocrm__contacts where is_phone_unreadable",
    )
    assert unreadable == [(203,)]
    lines = crm_world.dbt_test_output.splitlines()
    figure = [line for line in lines if "unreadable_phones" in line and "WARN" in line]
    assert len(figure) == 1 and "WARN 1 " in figure[0]
    record(
        Outcome(
            AREA,
            "amoCRM phone with an extension (`+7 (999) 000-33-44 доб. 12`)",
            "call linked to its signup; unreadable phones counted by a warning",
            notes=f"{1 + len(TYPED_FORMS)} typed forms linked: доб., ext., #, x, `,`, (доб.), "
            "вн., `;`, a label before, a second number after (the number is the field's first "
            "phone-shaped run); a phone that cannot be read (`звонить после 18`) makes "
            "`stg_amocrm__contacts_unreadable_phones` warn with its count (1 here, 0 on the demo)",
        )
    )


def test_a_lead_deleted_in_the_crm_leaves_the_funnel_and_is_counted(crm_world):
    """amoCRM's trash (`with=only_deleted`) sends the deleted lead with most fields null: it
    lands as a deletion marker, not in quarantine, and the lead is no longer a signup."""
    day2 = next(r for r in crm_world.landed["amocrm.leads"] if r.day == DAY2)
    assert (day2.flagged, day2.quarantined, day2.missing_fields) == ({"is_deleted": 1}, 0, {})
    signups = query(crm_world, "select lead_id from marts.fct_signup_funnel order by 1")
    assert signups == [(101,), (103,), *((110 + n,) for n in range(len(TYPED_FORMS)))]
    assert query(
        crm_world, "select is_deleted from staging.stg_amocrm__leads where lead_id = 102"
    ) == [(True,)]
    orphan = "select lead_id from marts.fct_calls where call_uuid = 'call-deleted'"
    assert query(crm_world, orphan) == [(None,)]
    record(
        Outcome(
            AREA,
            "amoCRM lead deleted (trash record with most fields null)",
            "left the funnel; deletion counted",
            notes="landed as a deletion marker (`flagged: is_deleted=1`, 0 quarantined, no "
            "schema drift); `stg_amocrm__leads.is_deleted`; its calls no longer link",
        )
    )


def test_a_drifted_device_clock_is_dated_by_the_server_and_counted(crm_world):
    """Events whose device says 2001 or 2031 are flagged at landing, counted, and their
    activity falls on the upload day."""
    landed = crm_world.landed["amplitude.events"][0]
    assert (landed.landed, landed.flagged) == (3, {"event_time_implausible": 2})
    days = query(
        crm_world,
        "select event_uuid, event_day, is_device_time_implausible"
        " from staging.stg_amplitude__events order by 1",
    )
    assert days == [
        ("ev-2001", DAY2, True),
        ("ev-2031", DAY2, True),
        ("ev-true", DAY2, False),
    ]
    activity = "select activity_day, events_count from intermediate.int_account_activity_daily"
    assert query(crm_world, activity) == [(DAY2, 3)]
    record(
        Outcome(
            AREA,
            "Amplitude device clock years off (event_time 2001, 2031)",
            "dated by server_upload_time; counted",
            notes="`event_time_implausible` outside [upload - 30 d, upload + 1 h]: "
            "`flagged: event_time_implausible=2`; the account's activity stays on its day",
        )
    )


# --- the clients alone -----------------------------------------------------------------------


def test_an_amplitude_day_that_times_out_lands_hour_by_hour(tmp_path):
    """The export answers 504 for any window over an hour: the client halves the window down
    to single hours, each asked once, and the day lands whole."""
    layout = DataLayout(tmp_path / "data").ensure()

    def export(seen: Seen) -> Reply:
        start, end = seen.query["start"][0], seen.query["end"][0]
        if start != end:
            return Reply(504, b"<html>504 Gateway Time-out</html>")
        hour = datetime.strptime(start, "%Y%m%dT%H").replace(tzinfo=UTC)
        event = amplitude_event(f"ev-{start}", hour, "acc-1")
        event["server_upload_time"] = f"{hour + timedelta(minutes=30):%Y-%m-%d %H:%M:%S.%f}"
        return Reply(200, export_of(event))

    with ScriptedServer() as server:
        server.on("GET", PROJECT, Reply(200, {"data": []}))
        server.on("GET", EXPORT, export)
        client = AmplitudeClient(server.url, "key", "secret", settings=FAST)
        [result] = pull(client, "amplitude.events", [DAY2], layout)
        windows = [(s.query["start"][0], s.query["end"][0]) for s in server.requests_to(EXPORT)]
    hours = 48  # the day and its late lookback
    assert result.landed == hours and result.quarantined == 0
    assert len(windows) == 2 * hours - 1 and len(set(windows)) == len(windows)
    assert sum(start == end for start, end in windows) == hours
    record(
        Outcome(
            AREA,
            "Amplitude 504 for a window with too much data",
            "day landed hour by hour",
            notes=f"{len(windows)} export requests for the {hours}-hour window (halved on each "
            "504, no window asked twice), all 48 hours landed; Telphin, amoCRM and YooKassa "
            "page in fixed small pages and have no such answer",
        )
    )


def test_telphin_calls_land_with_a_token_answer_without_expires_in(tmp_path):
    """RFC 6749 makes `expires_in` optional: the token is kept until a 401, then renewed."""
    layout = DataLayout(tmp_path / "data").ensure()
    with ScriptedServer() as server:
        server.on(
            "POST",
            TOKEN,
            Reply(200, {"access_token": "first-token", "token_type": "Bearer"}),
            Reply(200, {"access_token": "second-token", "token_type": "Bearer"}),
        )
        calls = [call("c1", "+79990003344", SIGNED_UP), call("c2", "+79990003345", SIGNED_UP)]
        server.on("GET", CALLS, call_history(*calls))
        client = TelphinClient(server.url, "client", "secret", settings=FAST)
        [first] = pull(client, "telphin.calls", [DAY1], layout)
        server.on("GET", CALLS, Reply(401, {"message": "token expired"}), call_history(*calls))
        [again] = pull(client, "telphin.calls", [DAY1], layout)
        used = [s.headers["Authorization"] for s in server.requests_to(CALLS)]
    assert (first.landed, again.landed) == (2, 2)
    assert len(server.requests_to(TOKEN)) == 2
    assert used == ["Bearer first-token", "Bearer first-token", "Bearer second-token"]
    record(
        Outcome(
            AREA,
            "Telphin token answer without `expires_in`",
            "calls landed",
            notes="the token is kept until the API answers 401, then fetched once more "
            "(2 token requests for 3 call requests)",
        )
    )


def test_a_misconfigured_amplitude_url_fails_loudly_naming_it(demo_api, demo_world, tmp_path):
    """The demo's Amplitude API answers 404 both for an empty window and under a wrong path;
    the client's probe tells them apart before the first window."""
    layout = DataLayout(tmp_path / "data").ensure()
    creds = demo_world.config.credentials["amplitude"]
    wrong = demo_api.urls["amplitude"] + "/eu"
    client = AmplitudeClient(wrong, creds["api_key"], creds["secret_key"], settings=FAST)
    with pytest.raises(SourceConfigError) as caught:
        pull(client, "amplitude.events", [date(2024, 7, 10)], layout)
    assert f"GET {wrong}/api/2/events/list answered HTTP 404" in str(caught.value)
    assert not (layout.landing / "amplitude").exists()
    record(
        Outcome(
            AREA,
            "Amplitude base URL that answers 404 (wrong host, region or path)",
            "failed loudly before the first window, nothing landed",
            notes=str(caught.value),
        )
    )
