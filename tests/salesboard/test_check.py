"""`salesboard check` against the demo vendor APIs over real HTTP: the demo's own file
passes, and each broken configuration fails with a message that says what is wrong. Truth
is the simulated company (its managers, pipeline, tariffs), not the checker."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingestion.demo.model import PIPELINE_ID, STATUS_CONSULTATION
from salesboard.accounts import MissingCredentials, vendor_clients
from salesboard.check import RECENT, check
from salesboard.company import CompanyConfig, load_company
from tests.conftest import DEMO_COMPANY_FILE, DEMO_END_DATE, pipeline_environment

NOW = datetime.combine(DEMO_END_DATE, datetime.min.time(), UTC)  # the test world's last day


@pytest.fixture(scope="module")
def demo_config() -> CompanyConfig:
    return load_company(DEMO_COMPANY_FILE)


@pytest.fixture
def environment(demo_world, demo_api, tmp_path) -> dict[str, str]:
    return pipeline_environment(demo_world, demo_api, tmp_path, "check-salt")


def _check(config: CompanyConfig, env: dict[str, str]) -> dict[tuple[str, str], tuple]:
    clients = vendor_clients(config.sources, env)
    try:
        findings = check(config, clients, now=NOW)
    finally:
        for client in clients.values():
            client.close()
    return {(f.source, f.subject): (f.status, f.detail) for f in findings}


def _edit(config: CompanyConfig, **changes) -> CompanyConfig:
    return CompanyConfig.model_validate(config.model_dump() | changes)


def test_the_demo_file_passes_against_the_demo_accounts(demo_config, environment, demo_world):
    found = _check(demo_config, environment)
    failed = {key: value for key, value in found.items() if value[0] == "fail"}
    assert failed == {}
    assert found["amocrm", 'stage 7100030 "Consultation"'] == ("ok", "")
    for manager in demo_world.config["managers"]:
        assert found["amocrm", f"manager {manager['user_id']} ({manager['name']})"][0] == "ok"
    assert found["yookassa", "tariffs"][0] == "ok"
    assert found["amplitude", "activation event 'bank_statement_imported'"] == ("ok", "")


def test_a_stage_named_wrong_or_with_a_wrong_id_is_caught(demo_config, environment):
    crm = demo_config.crm.model_dump()
    renamed = crm | {"consultation_stage": {"id": STATUS_CONSULTATION, "name": "Consult"}}
    found = _check(_edit(demo_config, crm=renamed), environment)
    assert found["amocrm", f'stage {STATUS_CONSULTATION} "Consult"'] == (
        "fail",
        'the account names it "Consultation"',
    )
    wrong_id = crm | {"consultation_stage": {"id": 9_999_999, "name": "Consultation"}}
    found = _check(_edit(demo_config, crm=wrong_id), environment)
    status, detail = found["amocrm", 'stage 9999999 "Consultation"']
    assert status == "fail" and f'"Consultation" is {STATUS_CONSULTATION}' in detail


def test_missing_managers_extensions_tariffs_and_events_are_each_named(
    demo_config, environment, demo_world
):
    managers = [m.model_dump() for m in demo_config.managers]
    managers[0] |= {"crm_user_id": 4242, "extension_id": 4243}
    sold = sorted({p.tariff for p in demo_world.payments if NOW - RECENT <= p.created_at < NOW})
    tariffs = [t.model_dump() for t in demo_config.tariffs if t.code != sold[0]]
    product = {"activation_event": "statement_imported", "lesson_event": "video_lesson_watched"}
    broken = _edit(demo_config, managers=managers, tariffs=tariffs, product=product, plans={})
    found = _check(broken, environment)
    first = demo_config.managers[0]
    assert found["amocrm", f"manager 4242 ({first.name})"] == (
        "fail",
        "no such user in the account",
    )
    subject = f'extension 4243 "{first.extension_name}" ({first.name})'
    assert found["telphin", subject] == ("fail", "no such extension in the account")
    assert found["yookassa", "tariffs"] == (
        "fail",
        f"payments carry tariff codes the file lacks: {sold[0]}",
    )
    assert found["amplitude", "activation event 'statement_imported'"][0] == "fail"


def test_a_missing_lead_field_is_named_and_the_accounts_fields_listed(demo_config, environment):
    crm = demo_config.crm.model_dump()
    crm["lead_fields"]["region"] = {"name": "City"}
    crm["lead_fields"]["channel"] = {"name": "Канал"}  # no code, no id: found by name
    found = _check(_edit(demo_config, crm=crm), environment)
    status, detail = found["amocrm", "lead field region (name 'City')"]
    assert status == "fail" and '800102 "Регион"' in detail
    assert found["amocrm", "lead field channel (name 'Канал')"] == ("ok", 'field 800101 "Канал"')


def test_bad_credentials_fail_authentication_without_echoing_the_secret(demo_config, environment):
    secret = "wrong-token-do-not-print"
    found = _check(demo_config, environment | {"AMOCRM_TOKEN": secret})
    status, detail = found["amocrm", "authentication"]
    assert status == "fail" and "401" in detail
    assert not [key for key in found if key[0] == "amocrm" and key[1] != "authentication"]
    assert found["telphin", "authentication"][0] == "ok"  # the other sources still checked
    assert secret not in detail


def test_unset_credentials_are_named_not_guessed(demo_config, environment):
    partial = {k: v for k, v in environment.items() if k not in {"YOOKASSA_SECRET_KEY"}}
    with pytest.raises(MissingCredentials, match="YOOKASSA_SECRET_KEY"):
        vendor_clients(demo_config.sources, partial)


def test_the_pipeline_compares_ids_and_names(demo_config, environment):
    crm = demo_config.crm.model_dump() | {"sales_pipeline": {"id": 1, "name": "Продажи"}}
    found = _check(_edit(demo_config, crm=crm), environment)
    status, detail = found["amocrm", 'pipeline 1 "Продажи"']
    assert status == "fail" and f"is {PIPELINE_ID}" in detail


def test_the_command_exits_1_naming_what_failed(environment, tmp_path):
    """README, "Your own company": `salesboard check` exits 1 on any failure (a script or
    CI step can stop on it), after printing each finding."""
    broken = tmp_path / "salesboard.yaml"
    text = DEMO_COMPANY_FILE.read_text(encoding="utf-8")
    right = "consultation_stage: {id: 7100030, name: Consultation}"
    assert right in text
    broken.write_text(text.replace(right, right.replace("7100030", "7100039")), encoding="utf-8")
    script = Path(sys.executable).with_name("salesboard")
    result = subprocess.run(
        [str(script), "check"], capture_output=True, text=True, timeout=300, check=False,
        env=os.environ | environment | {"SALESBOARD_CONFIG": str(broken)},
    )  # fmt: skip
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    assert re.search(r'amocrm\s+FAIL\s+stage 7100039 "Consultation"', result.stdout)
    assert re.search(r"^\d+ checks, [1-9]\d* failed$", result.stdout, re.MULTILINE)
