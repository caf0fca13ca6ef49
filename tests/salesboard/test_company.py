"""The company file (salesboard/company.py): the demo's agrees with the simulated company it
configures, broken files stop with messages that name the file and the field, and dbt gets
its reference tables' rows from it."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml

from ingestion.demo.config import load_config
from ingestion.demo.model import PIPELINE_ID, STATUS_CONSULTATION
from salesboard.company import CONFIG_VARIABLE, CompanyConfigError, dbt_vars, load_company
from salesboard.layout import DBT_PROJECT_DIR
from tests.conftest import DEMO_COMPANY_FILE

REFERENCE_TABLES = ("manager_extensions", "manager_plans", "regions", "tariffs")


@pytest.fixture(scope="module")
def demo_file() -> dict:
    return yaml.safe_load(DEMO_COMPANY_FILE.read_text(encoding="utf-8"))


def _write(tmp_path: Path, content: dict) -> Path:
    path = tmp_path / "salesboard.yaml"
    path.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    return path


def test_the_demo_file_configures_the_simulated_company():
    """Against the simulation's own parameters (company.yaml, model.py), not the loader."""
    config, story = load_company(DEMO_COMPANY_FILE), load_config()
    assert config.demo is True
    assert (config.crm.sales_pipeline.id, config.crm.consultation_stage.id) == (
        PIPELINE_ID,
        STATUS_CONSULTATION,
    )
    assert config.start_date == story.start_date
    assert [(m.crm_user_id, m.name, m.valid_from) for m in config.managers] == [
        (m["user_id"], m["name"], m["hired_on"]) for m in story["managers"]
    ]
    assert [(r.code, r.area_code, r.local_did) for r in config.regions] == [
        (r["code"], r["area_code"], r["local_did"]) for r in story["regions"]
    ]
    assert [(t.code, t.name, t.monthly_price_rub, t.special) for t in config.tariffs] == [
        (t["code"], t["name"], t["monthly_price_rub"], t["is_special"]) for t in story["tariffs"]
    ]


def test_a_missing_file_says_how_to_get_one(tmp_path):
    with pytest.raises(CompanyConfigError, match=r"no company configuration at .*discover"):
        load_company(tmp_path / "absent.yaml")


def test_every_invalid_field_is_named_with_its_place(tmp_path, demo_file):
    broken = dict(demo_file)
    broken["crm"] = {"sales_pipeline": {"id": 7000001, "name": "Sales"}}  # stage missing
    broken["managers"] = [dict(demo_file["managers"][0], extension_id="one-o-one")]
    broken["sources"] = dict(demo_file["sources"], amocrm={"base_url": "amo url", "token": "T"})
    broken["colour"] = "blue"
    with pytest.raises(CompanyConfigError) as raised:
        load_company(_write(tmp_path, broken))
    message = str(raised.value)
    assert str(tmp_path / "salesboard.yaml") in message
    for place in (
        "crm.consultation_stage: Field required",
        "managers.0.extension_id",
        "sources.amocrm.base_url",
        "colour: Extra inputs are not permitted",
    ):
        assert place in message


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c["managers"].append(dict(c["managers"][0])), "managers: repeated 5001"),
        (lambda c: c["tariffs"].append(dict(c["tariffs"][0])), "tariffs: repeated start"),
        (
            lambda c: c["plans"].update({9999: {"2025-01": 1}}),
            r"no manager has crm_user_id \[9999\]",
        ),
        (lambda c: c["product"].update(activation_event="it's"), "product.activation_event"),
    ],
)
def test_inconsistent_sections_are_refused(tmp_path, demo_file, change, message):
    content = yaml.safe_load(yaml.safe_dump(demo_file))
    change(content)
    with pytest.raises(CompanyConfigError, match=message):
        load_company(_write(tmp_path, content))


def test_not_yaml_is_refused_with_the_parser_message(tmp_path):
    path = tmp_path / "salesboard.yaml"
    path.write_text("managers: [\n", encoding="utf-8")
    with pytest.raises(CompanyConfigError, match="is not valid YAML"):
        load_company(path)


def test_the_reference_tables_are_the_files_rows(demo_file):
    """What dbt builds `models/reference` from holds exactly what the file states (read
    here as plain YAML), in the columns `_reference.yml` documents."""
    rows = dbt_vars(load_company(DEMO_COMPANY_FILE))["company_reference"]
    assert set(rows) == set(REFERENCE_TABLES)
    extensions = rows["manager_extensions"]
    assert [(r["manager_id"], r["extension_id"], r["valid_from"]) for r in extensions] == [
        (m["crm_user_id"], m["extension_id"], m["valid_from"].isoformat())
        for m in demo_file["managers"]
    ]
    stated_plans = {
        (manager, f"{month}-01", rub)
        for manager, months in demo_file["plans"].items()
        for month, rub in months.items()
    }
    assert {tuple(r.values()) for r in rows["manager_plans"]} == stated_plans
    assert [r["tariff_code"] for r in rows["tariffs"]] == [t["code"] for t in demo_file["tariffs"]]
    assert [r["is_special"] for r in rows["tariffs"]] == [False, False, False, True]
    documented = yaml.safe_load(
        (DBT_PROJECT_DIR / "models" / "reference" / "_reference.yml").read_text()
    )
    for model in documented["models"]:
        assert list(rows[model["name"]][0]) == [c["name"] for c in model["columns"]], model["name"]


@pytest.mark.parametrize("text", ["O'Brien", "back\\slash"])
def test_text_dbt_writes_into_sql_refuses_quotes(tmp_path, demo_file, text):
    content = yaml.safe_load(yaml.safe_dump(demo_file))
    content["managers"][0]["name"] = text
    with pytest.raises(CompanyConfigError, match=r"managers\.0\.name"):
        load_company(_write(tmp_path, content))


def test_the_business_days_are_in_the_files_time_zone(tmp_path, demo_file, monkeypatch):
    """A company in Yekaterinburg (UTC+5): its day starts at 19:00 UTC the evening before,
    and dbt gets its zone; the demo's Moscow day starts at 21:00 UTC."""
    from salesboard.calendar import business_day, day_bounds, dbt_vars

    day = date(2025, 3, 10)
    assert day_bounds(day)[0] == datetime(2025, 3, 9, 21, tzinfo=UTC)
    other = _write(tmp_path, demo_file | {"time_zone": "Asia/Yekaterinburg"})
    monkeypatch.setenv(CONFIG_VARIABLE, str(other))
    assert day_bounds(day) == (
        datetime(2025, 3, 9, 19, tzinfo=UTC),
        datetime(2025, 3, 10, 19, tzinfo=UTC),
    )
    assert business_day(datetime(2025, 3, 10, 19, 30, tzinfo=UTC)) == date(2025, 3, 11)
    assert dbt_vars(None)["business_tz"] == "Asia/Yekaterinburg"


def test_a_zone_that_is_not_iana_is_refused(tmp_path, demo_file):
    with pytest.raises(CompanyConfigError, match="time_zone: 'MSK' is not an IANA time zone"):
        load_company(_write(tmp_path, demo_file | {"time_zone": "MSK"}))


def test_the_console_script_starts_without_a_company_file(tmp_path):
    """`salesboard --help` (and reading the settings that name the file) needs no company
    file yet: importing the calendar does not read it."""
    env = {k: v for k, v in os.environ.items() if k != CONFIG_VARIABLE}
    done = subprocess.run(
        [str(Path(sys.executable).with_name("salesboard")), "--help"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "check" in done.stdout and "discover" in done.stdout
