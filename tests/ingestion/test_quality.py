"""The data-quality suites: GX finds what is wrong in a landed partition, and each check's
severity follows quality.yaml (errors block, warnings do not)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pyarrow.parquet as pq
import pytest

from ingestion.quality import StreamValidator, check_names, load_policy
from ingestion.streams import STREAMS
from ingestion.windows import fetch_window, run_windows
from tests.ingestion.test_landing import DAY, call, land
from tests.ingestion.test_streams_amocrm import lead

FULL_DAY = [call(n) for n in range(2000)]  # a call every 37 s, 00:00 to 20:30 MSK


@pytest.fixture(scope="module")
def calls_validator():
    return StreamValidator(STREAMS["telphin.calls"])


def _validate(validator, tmp_path, records, day=DAY):
    result = land(tmp_path, [records])
    outcomes = validator.outcomes()
    table = pq.read_table(result.landing_path)
    validator.validate(outcomes, day.isoformat(), table, fetch_window("telphin.calls", day), result)
    return outcomes, result


def test_a_clean_partition_passes_every_check(calls_validator, tmp_path):
    outcomes, _ = _validate(calls_validator, tmp_path, FULL_DAY)
    assert set(outcomes) == set(check_names(STREAMS["telphin.calls"]))
    assert [name for name, o in outcomes.items() if not o.passed] == []


def test_records_outside_the_window_fail_the_blocking_window_check(calls_validator, tmp_path):
    outcomes, _ = _validate(
        calls_validator, tmp_path, [call(n) for n in range(5)], day=DAY + timedelta(days=3)
    )
    window = outcomes["timestamps_in_window"]
    assert not window.passed and window.severity == "error"
    assert "start_time" in " ".join(window.failures[(DAY + timedelta(days=3)).isoformat()])


def test_talk_longer_than_the_call_fails_pairs_ordered(calls_validator, tmp_path):
    bad = call(1, result="answered", duration=30, bridged_duration=45)
    outcomes, _ = _validate(calls_validator, tmp_path, [call(0), bad])
    assert not outcomes["pairs_ordered"].passed


def test_an_unknown_enum_value_is_only_a_warning(calls_validator, tmp_path):
    outcomes, _ = _validate(calls_validator, tmp_path, [call(0), call(1, result="teleported")])
    assert not outcomes["enums_in_set"].passed
    assert outcomes["enums_in_set"].severity == "warn"


@pytest.mark.parametrize(("bad_share", "severity"), [(0.01, "warn"), (0.10, "error")])
def test_quarantine_share_warns_then_blocks(calls_validator, tmp_path, bad_share, severity):
    records = [call(n) for n in range(100)]
    for n in range(int(100 * bad_share)):
        records[n] = call(n, start_time_gmt="not a time")
    outcomes, result = _validate(calls_validator, tmp_path, records)
    assert result.quarantined == int(100 * bad_share)
    share = outcomes["quarantine_share"]
    assert not share.passed and share.severity == severity


def test_severities_come_from_the_policy_file(tmp_path):
    policy = load_policy()
    assert policy.is_blocking("keys_unique_not_null") and not policy.is_blocking("enums_in_set")
    relaxed = replace(policy, severity=policy.severity | {"pairs_ordered": "warn"})
    validator = StreamValidator(STREAMS["telphin.calls"], relaxed)
    bad = call(1, result="answered", duration=30, bridged_duration=45)
    outcomes, _ = _validate(validator, tmp_path, [call(0), bad])
    assert outcomes["pairs_ordered"].severity == "warn"


def test_every_stream_builds_its_suite():
    for spec in STREAMS.values():
        assert StreamValidator(spec).suite.expectations


def test_a_source_that_stopped_sending_is_stale(calls_validator, tmp_path):
    fresh, _ = _validate(calls_validator, tmp_path / "fresh", FULL_DAY)
    assert fresh["source_fresh"].passed
    stale, _ = _validate(calls_validator, tmp_path / "stale", [call(n) for n in range(5)])
    assert not stale["source_fresh"].passed and stale["source_fresh"].severity == "warn"


def _partitions(tmp_path) -> list:
    """Three days of calls: keys shared by the first two (allowed: the overlap), the third
    with rows outside its own window."""
    days = [DAY + timedelta(days=n) for n in range(3)]
    records = [
        [call(n) for n in [*range(100), *range(2300, 2330)]],
        [call(n) for n in range(2300, 4600)],
        [call(n) for n in range(5)],
    ]
    partitions = []
    for n, (day, rows) in enumerate(zip(days, records, strict=True)):
        result = land(tmp_path / str(n), [rows])
        table = pq.read_table(result.landing_path)
        partitions.append((day.isoformat(), table, fetch_window("telphin.calls", day), result))
    return partitions


def _failures(outcomes) -> dict:
    return {name: sorted(o.failures) for name, o in outcomes.items() if not o.passed}


def test_validating_days_together_reports_what_validating_each_day_reports(
    calls_validator, tmp_path, monkeypatch
):
    partitions = _partitions(tmp_path)
    one_by_one = calls_validator.outcomes()
    for partition in partitions:
        calls_validator.validate(one_by_one, *partition)
    together = calls_validator.outcomes()
    calls_validator.validate_days(together, partitions)
    assert _failures(together) == _failures(one_by_one) != {}
    assert _failures(together)["timestamps_in_window"] == [partitions[2][0]]
    gx_runs = []
    real = calls_validator._validate_rows
    monkeypatch.setattr(calls_validator, "_validate_rows", lambda *a: gx_runs.append(real(*a)))
    clean = calls_validator.outcomes()
    calls_validator.validate_days(clean, partitions[:2])
    assert _failures(clean) == {} and len(gx_runs) == 1, "clean days: one GX run for all"


def test_a_runs_last_day_is_checked_in_its_window_reaching_to_the_runs_start(tmp_path):
    """Leads changed this morning land in a run's last day (`run_windows`): inside its
    window, so not a blocking error, and its freshness is judged at the day's own end, so
    a backfill run a year later is not stale for it."""
    started = datetime(2026, 3, 4, 8, 30, tzinfo=UTC)  # a year after DAY
    day_end = fetch_window("amocrm.leads", DAY)[1]
    times = [day_end - timedelta(hours=1), started - timedelta(minutes=5)]
    leads = [lead(id=n, updated_at=int(at.timestamp())) for n, at in enumerate(times, 1)]
    result = land(tmp_path, [leads], spec=STREAMS["amocrm.leads"])
    validator = StreamValidator(STREAMS["amocrm.leads"])
    table = pq.read_table(result.landing_path)
    extended = run_windows("amocrm.leads", [DAY], started)[DAY]
    outcomes = validator.outcomes()
    validator.validate(outcomes, DAY.isoformat(), table, extended, result)
    assert outcomes["timestamps_in_window"].passed and outcomes["source_fresh"].passed
    at_midnight = validator.outcomes()
    validator.validate(
        at_midnight, DAY.isoformat(), table, fetch_window("amocrm.leads", DAY), result
    )
    assert not at_midnight["timestamps_in_window"].passed  # the check does look at the end
