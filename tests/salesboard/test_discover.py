"""`salesboard.discover` against the demo vendor APIs over real HTTP: what the demo accounts
hold, as the simulation defines it, and a starter company file the schema accepts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
import yaml

from ingestion.amocrm import AmoCrmClient
from ingestion.amplitude import AmplitudeClient
from ingestion.demo.api.account import DEMO_LEAD_FIELDS
from ingestion.demo.model import PIPELINE_ID, PIPELINE_STATUSES, STATUS_CONSULTATION
from ingestion.errors import SourceAuthError
from ingestion.http import VendorClient
from ingestion.telphin import TelphinClient
from ingestion.yookassa import YooKassaClient
from salesboard.company import CompanyConfig, load_company
from salesboard.discover import (
    CustomField,
    Discovery,
    Entry,
    Extension,
    Pipeline,
    discover,
    starter_config,
)
from tests.conftest import DEMO_COMPANY_FILE, TEST_FAULTS

# Inside the demo world (2024-07-01 .. 2024-07-29); the server's clock is frozen here, so
# the accounts show what they held then (users and extensions of managers hired by then).
NOW = datetime(2024, 7, 28, 12, 30, tzinfo=UTC)


def demo_clients(server, world, amocrm_token: str | None = None) -> dict[str, VendorClient]:
    creds = world.config.credentials
    return {
        "telphin": TelphinClient(
            server.urls["telphin"], creds["telphin"]["client_id"], creds["telphin"]["client_secret"]
        ),
        "amocrm": AmoCrmClient(server.urls["amocrm"], amocrm_token or creds["amocrm"]["token"]),
        "yookassa": YooKassaClient(
            server.urls["yookassa"], creds["yookassa"]["shop_id"], creds["yookassa"]["secret_key"]
        ),
        "amplitude": AmplitudeClient(
            server.urls["amplitude"],
            creds["amplitude"]["api_key"],
            creds["amplitude"]["secret_key"],
        ),
    }


@pytest.fixture(scope="module")
def frozen_demo(demo_server, demo_world):
    """The session demo server with its clock at NOW; back on the real clock afterwards."""
    demo_server.set_faults(TEST_FAULTS)
    demo_server.set_clock(NOW)
    yield demo_server
    demo_server.set_clock(None)


@pytest.fixture(scope="module")
def clients(frozen_demo, demo_world) -> Iterator[dict[str, VendorClient]]:
    built = demo_clients(frozen_demo, demo_world)
    yield built
    for client in built.values():
        client.close()


@pytest.fixture(scope="module")
def found(clients) -> Discovery:
    return discover(clients, now=NOW)


def hired(world) -> list[dict]:
    """The simulation's managers (its config) hired by NOW."""
    return [m for m in world.config["managers"] if m["hired_on"] <= NOW.date()]


def test_finds_the_demo_pipeline_with_its_stages_in_order(found):
    (pipeline,) = found.pipelines
    assert (pipeline.id, pipeline.is_main) == (PIPELINE_ID, True) == (7_000_001, True)
    in_order = sorted(PIPELINE_STATUSES, key=lambda status: status[2])
    assert pipeline.stages == tuple(Entry(i, name) for i, name, _ in in_order)
    names = {status_id: name for status_id, name, _ in PIPELINE_STATUSES}
    assert dict(pipeline.stages)[7_100_030] == names[STATUS_CONSULTATION]


def test_finds_the_users_and_extensions_of_the_managers_hired_by_then(found, demo_world):
    managers = hired(demo_world)
    assert [m["user_id"] for m in managers] == [5001, 5002, 5003, 5004]
    assert found.users == tuple(Entry(m["user_id"], m["name"]) for m in managers)
    on_the_phone = sorted(
        (m.extension_id, m.extension_name, m.name)
        for m in demo_world.managers
        if m.hired_on <= NOW.date()
    )
    assert found.extensions == tuple(Extension(*e) for e in on_the_phone)


def test_finds_the_lead_custom_fields_not_the_contact_ones(found):
    specs = tuple(DEMO_LEAD_FIELDS.values())
    assert [spec[0] for spec in specs] == list(range(800_101, 800_106))
    assert found.custom_fields == tuple(CustomField(*spec) for spec in specs)


def test_finds_payment_metadata_tariffs_and_event_types(found, demo_world):
    assert {"tariff", "account_id", "manager_id", "period_months"} <= set(found.metadata_keys)
    assert list(found.metadata_keys) == sorted(found.metadata_keys)
    tariffs = {t["code"] for t in demo_world.config["tariffs"]}
    assert found.tariff_codes and set(found.tariff_codes) <= tariffs
    events = set(demo_world.config["activity"]["event_mix"])
    assert found.event_types and set(found.event_types) <= events
    assert found.since == date(2024, 7, 14)


def test_discovery_is_deterministic(clients, found):
    assert discover(clients, now=NOW) == found


def test_the_starter_file_is_a_valid_company_file_of_the_demo_accounts(found, demo_world):
    text = starter_config(found)
    config = CompanyConfig.model_validate(yaml.safe_load(text))
    assert config.demo is False
    assert (config.crm.sales_pipeline.id, config.crm.sales_pipeline.name) == (7_000_001, "Продажи")
    assert (config.crm.consultation_stage.id, config.crm.consultation_stage.name) == (
        7_100_030,
        "Consultation",
    )
    demo = load_company(DEMO_COMPANY_FILE)
    assert config.sources == demo.sources
    pairs = {m.crm_user_id: (m.name, m.extension_id, m.extension_name) for m in config.managers}
    assert pairs == {
        m.crm_user_id: (m.name, m.extension_id, m.extension_name)
        for m in demo.managers
        if m.valid_from <= NOW.date()
    }
    assert "TODO pair with an extension" not in text
    assert [t.code for t in config.tariffs] == list(found.tariff_codes)
    assert config.product.lesson_event == demo.product.lesson_event
    assert config.regions == [] and config.plans == {}
    for line in ("#   800101 Канал CHANNEL select", "tariff", "video_lesson_watched"):
        assert line in text
    secrets = [
        value
        for source in demo_world.config.credentials.values()
        for key, value in source.items()
        if key in ("client_secret", "token", "secret_key", "api_key")
    ]
    assert len(secrets) == 5 and not [secret for secret in secrets if secret in text]


CONSULTING = Entry(22, "Консультация назначена")


def test_a_starter_file_still_validates_when_little_pairs_up():
    """No extension labelled with a user's name, no tariff seen, an event type the schema
    refuses: placeholders marked TODO. The main pipeline, else the first; a stage named
    like a consultation, else the second (the first when it is the only one)."""
    found = Discovery(
        since=NOW.date(),
        pipelines=(
            Pipeline(1, "Archive", False, (Entry(10, "Old"),)),
            Pipeline(2, "Sales", True, (Entry(20, "New"), Entry(21, "Reached"), CONSULTING)),
        ),
        users=(Entry(7, "Ann"), Entry(8, "Bob\nSmith")),
        custom_fields=(CustomField(9, "Region", None, "text"),),
        extensions=(Extension(100, "00000*100", "Someone Else"), Extension(101, "x", None)),
        metadata_keys=(),
        tariff_codes=(),
        event_types=("a'b_activated", "lesson"),
    )
    text = starter_config(found)
    config = CompanyConfig.model_validate(yaml.safe_load(text))
    assert (config.crm.sales_pipeline.id, config.crm.consultation_stage.id) == (2, 22)
    assert [(m.crm_user_id, m.name) for m in config.managers] == [(7, "Ann"), (8, "Bob\nSmith")]
    assert text.count("# TODO pair with an extension") == 2
    assert [t.code for t in config.tariffs] == ["TODO"]
    assert (config.product.activation_event, config.product.lesson_event) == ("TODO", "lesson")
    plain = Pipeline(3, "Sales", False, (Entry(30, "New"), Entry(31, "Reached")))
    for pipelines, chosen in [((plain,), (3, 31)), ((found.pipelines[0], plain), (1, 10))]:
        text = starter_config(replace(found, pipelines=pipelines))
        config = CompanyConfig.model_validate(yaml.safe_load(text))
        assert (config.crm.sales_pipeline.id, config.crm.consultation_stage.id) == chosen


def test_rejected_credentials_propagate_as_the_clients_error(frozen_demo, demo_world):
    clients = demo_clients(frozen_demo, demo_world, amocrm_token="wrong-token")
    with pytest.raises(SourceAuthError, match=r"^amocrm/\w+: bad credentials"):
        discover(clients, now=NOW)
    for client in clients.values():
        client.close()


def test_bad_arguments_are_refused(clients):
    with pytest.raises(ValueError, match="tz-aware"):
        discover(clients, now=NOW.replace(tzinfo=None))
    with pytest.raises(TypeError, match="expected AmplitudeClient, got NoneType"):
        discover({k: v for k, v in clients.items() if k != "amplitude"}, now=NOW)
