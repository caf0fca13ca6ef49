"""Materialize the stream assets for real: demo APIs over HTTP, Parquet on disk, GX checks."""

from __future__ import annotations

import dagster as dg
import pyarrow.parquet as pq

from orchestration.defs.ingestion.assets import stream_assets
from orchestration.defs.resources import resources

DAY = "2024-07-15"


def _materialize(partition_key: str, **kwargs) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        stream_assets,
        partition_key=partition_key,
        resources=resources().resources,
        instance=dg.DagsterInstance.ephemeral(),
        **kwargs,
    )


def test_a_day_lands_every_stream_with_counts_and_passing_checks(pipeline_env, demo_world):
    result = _materialize(DAY)
    assert result.success
    calls = result.asset_materializations_for_node("telphin__calls")
    metadata = {k: v.value for k, v in calls[0].metadata.items()}
    assert (
        metadata["fetched"]
        == metadata["landed"] + metadata["quarantined"] + metadata["duplicates_dropped"]
    )
    checks = result.get_asset_check_evaluations()
    assert checks, "every stream asset reports its checks"
    failed = [(c.asset_key.to_user_string(), c.check_name) for c in checks if not c.passed]
    assert failed == []
    landed = pq.read_table(
        pipeline_env / "landing" / "telphin" / "calls" / f"day={DAY}" / "part-0.parquet"
    )
    assert landed.num_rows == metadata["landed"] > 0


def _stream(key: str) -> dg.AssetsDefinition:
    return next(a for a in stream_assets if a.key.to_user_string() == key)


def test_a_range_backfill_is_one_run_landing_every_day(pipeline_env):
    result = dg.materialize(
        [_stream("yookassa/payments")],
        resources=resources().resources,
        instance=dg.DagsterInstance.ephemeral(),
        tags={
            "dagster/asset_partition_range_start": "2024-07-20",
            "dagster/asset_partition_range_end": "2024-07-26",
        },
    )
    assert result.success
    materialization = result.asset_materializations_for_node("yookassa__payments")
    assert {m.partition for m in materialization} == {f"2024-07-{d}" for d in range(20, 27)}
    days = sorted(p.name for p in (pipeline_env / "landing" / "yookassa" / "payments").iterdir())
    assert days == [f"day=2024-07-{d}" for d in range(20, 27)]


def test_bad_credentials_fail_loudly_and_never_show_the_secret(pipeline_env, monkeypatch):
    secret = "wrong-secret-5f1e9c"
    monkeypatch.setenv("YOOKASSA_SECRET_KEY", secret)
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [_stream("yookassa/payments")],
        partition_key=DAY,
        resources=resources().resources,
        instance=instance,
        raise_on_error=False,
    )
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    message = failure.step_failure_data.error.message
    assert "yookassa/payments" in message and "401" in message
    logs = "\n".join(str(entry) for entry in instance.all_logs(result.run_id))
    assert secret not in logs
    landed = pipeline_env / "landing" / "yookassa" / "payments"
    assert not landed.exists() or not any(landed.iterdir()), "nothing lands on failure"
