"""amoCRM normalizers: custom fields flattened, phones as typed, pipelines per status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import yaml

from ingestion.amocrm import AmoCrmClient
from ingestion.streams import STREAMS
from ingestion.streams.parsing import collect_retyped
from ingestion.streams.spec import RecordRejected
from salesboard.company import CONFIG_VARIABLE
from tests.conftest import DEMO_COMPANY_FILE

LEADS = STREAMS["amocrm.leads"]
CONTACTS = STREAMS["amocrm.contacts"]
USERS = STREAMS["amocrm.users"]
PIPELINES = STREAMS["amocrm.pipelines"]
EVENTS = STREAMS["amocrm.status_events"]


def custom(field_id: int, code: str | None, *values) -> dict:
    return {
        "field_id": field_id,
        "field_name": "…",
        "field_code": code,
        "field_type": "text",
        "values": [{"value": v} for v in values],
    }


def lead(**changes) -> dict:
    record = {
        "id": 20000301,
        "name": "ООО «Кедр»",
        "price": 15000,
        "responsible_user_id": 5002,
        "group_id": 0,
        "status_id": 142,
        "pipeline_id": 7000001,
        "loss_reason_id": None,
        "created_by": 0,
        "updated_by": 5002,
        "created_at": 1721204334,
        "updated_at": 1721597429,
        "closed_at": 1721597429,
        "closest_task_at": None,
        "is_deleted": False,
        "custom_fields_values": [
            custom(800101, "CHANNEL", "Webinar"),
            custom(800102, "REGION", "KZN"),
            custom(800103, "PRODUCT_ACCOUNT_ID", "acc0000301"),
            custom(800104, "CASE_STUDY_SHOWN", True),
        ],
        "score": None,
        "account_id": 31415926,
        "labor_cost": None,
        "_links": {"self": {"href": "https://demo.amocrm.ru/api/v4/leads/20000301"}},
        "_embedded": {"tags": [], "contacts": [{"id": 30000301, "is_main": True}]},
    }
    return record | changes


def contact(*phones: str) -> dict:
    return {
        "id": 30000301,
        "name": "Екатерина Попова",
        "first_name": "Екатерина",
        "last_name": "Попова",
        "responsible_user_id": 5003,
        "created_at": 1721604672,
        "updated_at": 1721604672,
        "is_deleted": False,
        "custom_fields_values": [
            custom(700101, "PHONE", *phones),
            custom(700102, "EMAIL", "Ekaterina.Popova85@Inbox.ru"),
        ],
    }


def test_a_lead_with_its_custom_fields_flattened():
    row = LEADS.normalize(lead())
    assert row["price"] == Decimal("15000.00")
    assert row["updated_at"] == datetime(2024, 7, 21, 21, 30, 29, tzinfo=UTC)
    assert row["closed_at"] == row["updated_at"]
    assert row["main_contact_id"] == 30000301
    assert (row["channel"], row["region"], row["product_account_id"]) == (
        "webinar",
        "KZN",
        "acc0000301",
    )
    # an unticked checkbox is simply absent on the wire
    assert (row["case_study_shown"], row["webinar_attended"]) == (True, False)


def test_custom_fields_are_found_by_id_when_the_account_gives_no_code():
    fields = [custom(800103, None, "acc42"), custom(999999, None, "something else")]
    row = LEADS.normalize(lead(custom_fields_values=fields))
    assert row["product_account_id"] == "acc42"
    assert row["channel"] is None


def test_custom_fields_are_found_by_name_as_another_companys_file_maps_them(tmp_path, monkeypatch):
    """Fields made in amoCRM's web interface: no code, the account's own ids; the company
    file names them (`crm.lead_fields`), and the demo's ids and codes mean nothing."""
    config = yaml.safe_load(DEMO_COMPANY_FILE.read_text(encoding="utf-8"))
    config["crm"]["lead_fields"] = {
        "channel": {"name": "Источник"},
        "region": {"name": "Город"},
        "product_account_id": {"id": 4411},
        "case_study_shown": {"name": "Кейс показан"},
        "webinar_attended": {"name": "Вебинар"},
    }
    path = tmp_path / "salesboard.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv(CONFIG_VARIABLE, str(path))

    def named(field_id: int, name: str, *values) -> dict:
        return custom(field_id, None, *values) | {"field_name": name}

    fields = [
        named(4401, "Источник", "Ads"),
        named(4402, "Город", "SPE"),
        named(4411, "Номер кабинета", "acc77"),
        named(4404, "Вебинар", True),
        custom(800101, "CHANNEL", "Webinar"),  # the demo's field: not this company's
    ]
    row = LEADS.normalize(lead(custom_fields_values=fields))
    assert (row["channel"], row["region"], row["product_account_id"]) == ("ads", "SPE", "acc77")
    assert (row["case_study_shown"], row["webinar_attended"]) == (False, True)


def test_a_lead_without_custom_fields_or_contacts():
    row = LEADS.normalize(lead(custom_fields_values=None, _embedded={}))
    assert row["main_contact_id"] is None
    assert row["case_study_shown"] is False


def test_a_price_sent_as_text_is_coerced_and_counted():
    with collect_retyped() as retyped:
        row = LEADS.normalize(lead(price="15000"))
    assert row["price"] == Decimal("15000.00")
    assert retyped == {"price": 1}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"id": None}, "missing:id"),
        ({"updated_at": "yesterday"}, "bad_integer:updated_at"),
        ({"created_at": -5}, "bad_timestamp:created_at"),
        ({"price": "15 000"}, "bad_amount:price"),
        ({"custom_fields_values": {"CHANNEL": "ads"}}, "bad_list:custom_fields_values"),
        ({"_embedded": "contacts"}, "bad_object:_embedded"),
        ({"_embedded": {"contacts": [7]}}, "bad_list:_embedded.contacts"),
        (
            {"custom_fields_values": [custom(800104, "CASE_STUDY_SHOWN", "maybe")]},
            "bad_boolean:custom:case_study_shown",
        ),
    ],
)
def test_bad_leads_are_rejected_with_a_reason(change, reason):
    with pytest.raises(RecordRejected) as caught:
        LEADS.normalize(lead(**change))
    assert caught.value.reason == reason


@pytest.mark.parametrize(
    "phones",
    [("+7 (913) 123-45-67",), ("8 913 1234567", "7XXXXXXXXXX"), ("8(913)123-45-67",)],
)
def test_contact_phones_and_emails_are_kept_exactly_as_typed(phones):
    row = CONTACTS.normalize(contact(*phones))
    assert row["phones"] == list(phones)
    assert row["emails"] == ["Ekaterina.Popova85@Inbox.ru"]


def test_a_user():
    row = USERS.normalize(
        {"id": 5001, "name": "Anna", "email": "a@x.ru", "lang": "ru", "rights": {"is_admin": 0}}
    )
    assert row == {
        "id": 5001,
        "name": "Anna",
        "email": "a@x.ru",
        "lang": "ru",
        "is_admin": False,
        "is_active": None,
    }


def test_a_pipeline_becomes_one_row_per_status():
    pipeline = {
        "id": 7000001,
        "name": "Sales",
        "sort": 1,
        "is_main": True,
        "is_archive": False,
        "_embedded": {
            "statuses": [
                {"id": 7100010, "name": "New signup", "sort": 10, "pipeline_id": 7000001},
                {"id": 142, "name": "Paid", "sort": 10000, "pipeline_id": 7000001},
            ]
        },
    }
    rows = [PIPELINES.normalize(s) for s in PIPELINES.explode(pipeline)]
    assert [(r["pipeline_id"], r["status_id"], r["status_name"]) for r in rows] == [
        (7000001, 7100010, "New signup"),
        (7000001, 142, "Paid"),
    ]
    assert all(r["pipeline_name"] == "Sales" and r["pipeline_is_main"] for r in rows)
    assert PIPELINES.key == ("pipeline_id", "status_id")  # 142/143 repeat across pipelines


def test_a_pipeline_without_readable_statuses_is_quarantined_not_lost():
    (record,) = PIPELINES.explode({"id": 7000001, "name": "Sales", "_embedded": None})
    with pytest.raises(RecordRejected, match="missing:id"):
        PIPELINES.normalize(record)


def test_a_status_change_event():
    row = EVENTS.normalize(
        {
            "id": "01j2abc",
            "type": "lead_status_changed",
            "entity_id": 20000301,
            "entity_type": "lead",
            "created_by": 5002,
            "created_at": 1721597429,
            "value_before": [{"lead_status": {"id": 7100010, "pipeline_id": 7000001}}],
            "value_after": [{"lead_status": {"id": 7100020, "pipeline_id": 7000001}}],
        }
    )
    assert (row["lead_id"], row["status_before"], row["status_after"]) == (
        20000301,
        7100010,
        7100020,
    )
    assert row["created_at"] == datetime(2024, 7, 21, 21, 30, 29, tzinfo=UTC)


def test_the_demo_server_records_normalize_cleanly(demo_api, demo_world):
    client = AmoCrmClient(demo_api.urls["amocrm"], demo_world.config.credentials["amocrm"]["token"])
    start = datetime(2024, 7, 1, tzinfo=UTC)
    end = start + timedelta(days=7)
    leads = [LEADS.normalize(r) for page in client.leads(start, end) for r in page]
    contacts = [CONTACTS.normalize(r) for page in client.contacts(start, end) for r in page]
    events = [EVENTS.normalize(r) for page in client.status_change_events(start, end) for r in page]
    statuses = [
        PIPELINES.normalize(s)
        for page in client.pipelines()
        for p in page
        for s in PIPELINES.explode(p)
    ]
    users = [USERS.normalize(r) for page in client.users() for r in page]
    assert leads and contacts and events and users
    signups = {s.contact_id: s for s in demo_world.signups}
    for row in contacts:
        assert row["phones"] == [signups[row["id"]].phone_raw]
    by_lead = {s.lead_id: s for s in demo_world.signups}
    for row in leads:
        signup = by_lead[row["id"]]
        assert (row["channel"], row["region"]) == (signup.channel, signup.region)
        assert row["product_account_id"] == signup.account_id
        assert row["main_contact_id"] == signup.contact_id
    assert {r["status_id"] for r in statuses} >= {142, 143}
