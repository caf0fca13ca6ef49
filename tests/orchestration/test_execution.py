"""Following a run: progress read from the typed events landing assets log, and a run's
outcome summarised for the console."""

from datetime import date

import dagster as dg

from orchestration.execution import LEAD_IN_STREAMS, RunFollower, run_days, summarize
from orchestration.progress import progress_event


def test_progress_counts_the_days_each_stream_reports_done():
    leads, calls = dg.AssetKey(["amocrm", "leads"]), dg.AssetKey(["telphin", "calls"])

    @dg.asset
    def lands(context: dg.AssetExecutionContext) -> None:
        context.log_event(progress_event(leads, 31, 40, "2025-01-01..2025-01-31"))
        context.log_event(progress_event(leads, 40, 40, "2025-02-01..2025-02-09"))
        context.log_event(progress_event(calls, 1, 40, "2025-01-01"))
        context.log.info("[99/99] telphin.calls 2025-01-01: log text is not progress")

    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize([lands], instance=instance)
    follower = RunFollower(instance, result.run_id, days_total=80)
    progress = follower.poll()
    assert (progress.days_done, progress.days_total) == (41, 80)
    assert follower.per_stream == {"amocrm/leads": 40, "telphin/calls": 1}
    assert any("log text is not progress" in line for line in follower.lines)


def test_a_backfill_reports_its_one_published_board_once():
    days = dg.DailyPartitionsDefinition(start_date="2025-01-01")

    @dg.asset(key=["board", "snapshot"], partitions_def=days,
              backfill_policy=dg.BackfillPolicy.single_run())  # fmt: skip
    def board() -> dg.MaterializeResult:
        return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path("boards/2025-01-03")})

    tags = {
        "dagster/asset_partition_range_start": "2025-01-01",
        "dagster/asset_partition_range_end": "2025-01-03",
    }
    result = dg.materialize([board], instance=dg.DagsterInstance.ephemeral(), tags=tags)
    assert len(result.get_asset_materialization_events()) == 3  # one per day
    outcome = summarize(result.run_id, result, [])
    assert outcome.success and outcome.boards == ("boards/2025-01-03",)


def test_a_failed_step_is_the_outcomes_failure():
    @dg.asset
    def broken() -> None:
        raise RuntimeError("amocrm/leads: 403 blocked\nmore detail")

    result = dg.materialize([broken], instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    outcome = summarize(result.run_id, result, [])
    assert not outcome.success
    assert outcome.failure == "RuntimeError: amocrm/leads: 403 blocked"


def test_a_lead_in_run_lands_the_payment_streams_only(pipeline_env, tmp_path, monkeypatch):
    """`salesboard run`'s lead-in: payments and refunds over its days, nothing else landed or
    built (the warehouse is built by the history run after it)."""
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    (tmp_path / "dagster_home").mkdir()
    outcome = run_days(
        date(2024, 7, 1), date(2024, 7, 2), lambda progress: None, streams=LEAD_IN_STREAMS
    )
    assert outcome.success, outcome.failure
    landed = {f"{p.parent.name}.{p.name}" for p in (pipeline_env / "landing").glob("*/*")}
    assert landed == set(LEAD_IN_STREAMS)
    assert sorted(p.name for p in (pipeline_env / "landing/yookassa/payments").iterdir()) == [
        "day=2024-07-01",
        "day=2024-07-02",
    ]
    assert not (pipeline_env / "warehouse" / "salesboard.duckdb").exists()
    assert outcome.boards == ()
