"""A stream's run over several days: landed, validated in batches, reported, reconciled."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from ingestion import ingest
from ingestion.ingest import RunTotals, ingest_days
from ingestion.quality import StreamValidator
from ingestion.streams import STREAMS
from salesboard.calendar import WindowSettings
from salesboard.layout import DataLayout
from tests.ingestion.test_pull import _clients

DAYS = [date(2024, 7, 20) + timedelta(days=n) for n in range(4)]


def _ingest(demo_api, demo_world, tmp_path, stream="telphin.calls"):
    validator = StreamValidator(STREAMS[stream])
    outcomes = validator.outcomes()
    client = _clients(demo_api, demo_world)[STREAMS[stream].source]
    with client:
        batches = list(
            ingest_days(
                client, stream, DAYS, DataLayout(tmp_path).ensure(), outcomes, validator,
                run_id="r", ingested_at=datetime(2024, 8, 1, tzinfo=UTC),
                settings=WindowSettings(),
            )
        )  # fmt: skip
    return batches, outcomes


def test_a_run_reports_each_batch_and_reconciles_its_counts(demo_api, demo_world, tmp_path):
    batches, outcomes = _ingest(demo_api, demo_world, tmp_path)
    assert [(b.done, b.total, b.name) for b in batches] == [(4, 4, "2024-07-20..2024-07-23")]
    run = RunTotals()
    for batch in batches:
        run.add(batch.results)
    assert [r.day for r in run.results] == DAYS
    counted = run.totals["landed"] + run.totals["quarantined"] + run.totals["duplicates_dropped"]
    assert run.totals["fetched"] == counted > 0
    assert all(outcome.passed for outcome in outcomes.values())
    assert run.per_day_table().count("\n| 2024-07-2") == 4


def test_a_batch_closes_at_the_row_budget(demo_api, demo_world, tmp_path, monkeypatch):
    """Every day its own batch once a day's rows exceed the budget (a 100x activity day)."""
    monkeypatch.setattr(ingest, "BATCH_ROWS", 1)
    batches, _ = _ingest(demo_api, demo_world, tmp_path)
    assert [(b.done, b.name) for b in batches] == [(n + 1, str(d)) for n, d in enumerate(DAYS)]
