"""The README's step retry, in real Dagster runs of a landing asset against the demo APIs:
a vendor unavailable past its client's own retries retries the step twice, 30 s apart (the
runs here wait 1 s: `step_retry_wait_seconds`), and an amoCRM block fails at once.

The client is the production YooKassa client with a retry budget of one (its default
backoff would spend half a minute per step attempt); the demo server counts every 503 it
sends, so each attempt is seen to have met the fault."""

from __future__ import annotations

import os
import re
from datetime import date

import dagster as dg

from ingestion.http import HttpSettings, VendorClient
from ingestion.yookassa import YooKassaClient
from orchestration.defs.ingestion.assets import build_stream_asset
from orchestration.defs.ingestion.settings import IngestionSettings
from orchestration.defs.ingestion.vendors import AmoCrmResource, YooKassaResource
from salesboard.layout import PROJECT_ROOT
from tests.support.faults import fired_during

DAY = date(2024, 7, 10).isoformat()
CLIENT_ATTEMPTS = 2  # the first try and one client retry


class QuickYooKassa(YooKassaResource):
    def client(self) -> VendorClient:
        quick = HttpSettings(retries=CLIENT_ATTEMPTS - 1, backoff_factor=0, backoff_jitter=0)
        return YooKassaClient(self.base_url, self.shop_id, self.secret_key, settings=quick)


def _land(stream: str, resource: dg.ConfigurableResource) -> dg.ExecuteInProcessResult:
    source = stream.split(".")[0]
    return dg.materialize(
        [build_stream_asset(stream)],
        partition_key=DAY,
        resources={
            source: resource,
            "ingestion_settings": IngestionSettings(step_retry_wait_seconds=1),
        },
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def _yookassa() -> QuickYooKassa:
    env = os.environ  # pipeline_env's: the demo server's URL and the world's credentials
    return QuickYooKassa(
        base_url=env["YOOKASSA_BASE_URL"], shop_id=env["YOOKASSA_SHOP_ID"],
        secret_key=env["YOOKASSA_SECRET_KEY"],
    )  # fmt: skip


def _events(result: dg.ExecuteInProcessResult, kind: dg.DagsterEventType) -> list:
    return [e for e in result.all_events if e.event_type == kind]


def _waits(result: dg.ExecuteInProcessResult) -> list[int]:
    """The wait of each step retry the run asked for, in seconds."""
    retries = _events(result, dg.DagsterEventType.STEP_UP_FOR_RETRY)
    return [e.event_specific_data.seconds_to_wait for e in retries]


def test_the_readme_promises_two_step_retries_30_seconds_apart():
    promise = re.search(
        r"retries the\s+step (\w+), (\d+) s apart", (PROJECT_ROOT / "README.md").read_text()
    )
    assert promise, "the README no longer states the step retry"
    settings = IngestionSettings()
    assert ({"once": 1, "twice": 2}[promise.group(1)], int(promise.group(2))) == (
        settings.step_retries, settings.step_retry_wait_seconds,
    )  # fmt: skip


def test_a_vendor_down_for_one_step_attempt_is_landed_by_the_retry(pipeline_env, demo_api):
    demo_api.set_faults(
        {"yookassa": {"server_error": {"probability": 1.0, "attempts": CLIENT_ATTEMPTS}}}
    )
    with fired_during(demo_api) as fired:
        result = _land("yookassa.payments", _yookassa())
    assert result.success
    assert _waits(result) == [1]
    assert fired["yookassa.server_error"] >= CLIENT_ATTEMPTS  # the first step attempt met it
    assert (pipeline_env / "landing" / "yookassa" / "payments" / f"day={DAY}").is_dir()


def test_a_vendor_down_for_good_fails_after_two_step_retries(pipeline_env, demo_api):
    demo_api.set_faults({"yookassa": {"server_error": {"probability": 1.0, "attempts": 1000}}})
    with fired_during(demo_api) as fired:
        result = _land("yookassa.payments", _yookassa())
    assert not result.success
    assert _waits(result) == [1, 1]
    assert fired["yookassa.server_error"] == 3 * CLIENT_ATTEMPTS  # three step attempts
    assert not (pipeline_env / "landing" / "yookassa" / "payments" / f"day={DAY}").exists()


def test_an_amocrm_block_fails_at_once_without_a_step_retry(pipeline_env, demo_api):
    demo_api.set_faults({"amocrm": {"blocked": True}})
    env = os.environ
    amocrm = AmoCrmResource(base_url=env["AMOCRM_BASE_URL"], token=env["AMOCRM_TOKEN"])
    result = _land("amocrm.leads", amocrm)
    assert not result.success
    assert _waits(result) == []
    failure = _events(result, dg.DagsterEventType.STEP_FAILURE)[0]
    assert "amocrm" in str(failure.event_specific_data.error.message).lower()
