"""Every data-quality check of every stream is shown to fail: one day of each stream is
landed from the demo APIs and passes every check; then one violation at a time is planted
in a copy of it (a duplicated key, a null, a time past the window, an unknown enum value,
a zero amount, a negative value, a foreign currency, a pair out of order, a drifted
field, a quarantined record, a silent source), and exactly the planted check fails, with
the severity `quality.yaml` gives it.

Which value breaks which rule is written here from the checks' meaning (quality.yaml's
comments), not derived from the suites under test."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from ingestion.ingest import ingest_days
from ingestion.quality import POLICY_PATH, StreamValidator, check_names
from ingestion.streams import STREAMS
from ingestion.windows import run_windows
from salesboard.calendar import WindowSettings
from salesboard.layout import DataLayout
from tests.conftest import TEST_FAULTS
from tests.ingestion.test_pull import _clients

DAYS = [date(2024, 7, 21) + timedelta(days=n) for n in range(8)]  # the week with refunds
INGESTED_AT = datetime(2024, 7, 29, tzinfo=UTC)
POLICY = yaml.safe_load(POLICY_PATH.read_text(encoding="utf-8"))
SEVERITY = POLICY["severity"]


@dataclasses.dataclass(frozen=True)
class Landed:
    """One landed day of a stream: its rows, the window it was fetched with, its counts."""

    stream: str
    day: date
    table: pa.Table
    window: tuple[datetime, datetime] | None
    landing: object

    def rows(self) -> list[dict]:
        return self.table.to_pylist()


@pytest.fixture(scope="module")
def landed(demo_server, demo_world, tmp_path_factory) -> dict[str, Landed]:
    """Each stream's fullest day of a week of the demo company, landed by the production
    ingest (clean: no faults, the clock at the world's end)."""
    demo_server.set_faults(None)
    demo_server.set_clock(demo_world.as_of)
    layout = DataLayout(tmp_path_factory.mktemp("planted")).ensure()
    found = {}
    try:
        clients = _clients(demo_server, demo_world)
        for stream, spec in STREAMS.items():
            validator = StreamValidator(spec)
            with clients[spec.source] as client:
                batches = list(
                    ingest_days(
                        client, stream, DAYS, layout, validator.outcomes(), validator,
                        run_id="planted", ingested_at=INGESTED_AT, settings=WindowSettings(),
                    )
                )  # fmt: skip
            results = [result for batch in batches for result in batch.results]
            best = max(results, key=lambda result: result.landed)
            windows = run_windows(stream, DAYS, INGESTED_AT)
            table = pq.read_table(best.landing_path)
            found[stream] = Landed(stream, best.day, table, windows[best.day], best)
    finally:
        demo_server.set_faults(TEST_FAULTS)
        demo_server.set_clock(None)
    return found


def _failed(validator: StreamValidator, landed: Landed, table: pa.Table, landing=None) -> dict:
    """check -> severity of each check that fails on `table` as `landed`'s day."""
    outcomes = validator.outcomes()
    validator.validate(
        outcomes, landed.day.isoformat(), table, landed.window, landing or landed.landing
    )
    return {name: o.severity for name, o in outcomes.items() if not o.passed}


def _table(landed: Landed, rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=landed.table.schema)


def _live(landed: Landed) -> int:
    """Index of a row that is not a deletion marker (deletion markers carry only the key)."""
    flag = STREAMS[landed.stream].quality.deletion_flag
    return next(n for n, row in enumerate(landed.rows()) if not (flag and row[flag]))


def _set(landed: Landed, **values) -> pa.Table:
    rows = landed.rows()
    rows[_live(landed)].update(values)
    return _table(landed, rows)


def _zero(value):
    return Decimal(0) if isinstance(value, Decimal) else 0


def _plants(landed: Landed) -> list[tuple[str, str, pa.Table]]:
    """(check, what was planted, the day's table with it planted in one row)."""
    spec, q = STREAMS[landed.stream], STREAMS[landed.stream].quality
    row = landed.rows()[_live(landed)]
    plants = [("keys_unique_not_null", "a row sent twice", _table(landed, [*landed.rows(), row]))]

    def plant(check: str, planted: str, **values) -> None:
        plants.append((check, planted, _set(landed, **values)))

    for column in spec.key:
        plant("keys_unique_not_null", f"{column} null", **{column: None})
    for column in q.not_null:
        plant("required_not_null", f"{column} null", **{column: None})
    if q.window_column and landed.window:
        late = (landed.window[1] + timedelta(minutes=1)).astimezone(row[q.window_column].tzinfo)
        plant("timestamps_in_window", "a minute past the window", **{q.window_column: late})
    for column in q.enums:
        plant("enums_in_set", f"{column} unknown", **{column: "teleported"})
    for column in q.positive:
        # Amounts it bounds go to zero with it, so no pair falls out of order.
        bounded = {a: _zero(row[a]) for a, b in q.not_greater if b == column and row[a]}
        plant("amounts_positive", f"{column} 0", **{column: _zero(row[column])}, **bounded)
    for column in q.non_negative:
        plant("values_non_negative", f"{column} -1", **{column: _zero(row[column]) - 1})
    for column in q.currency_columns:
        plant("currency_rub", f"{column} USD", **{column: "USD"})
    for smaller, larger in q.not_greater:
        plant("pairs_ordered", f"{smaller} > {larger}", **{smaller: row[larger] + 1})
    return plants


STREAM_NAMES = sorted(STREAMS)


@pytest.mark.parametrize("stream", STREAM_NAMES)
def test_each_check_fails_on_its_planted_violation_with_its_severity(landed, stream):
    data = landed[stream]
    assert data.table.num_rows >= 1, f"{stream}: nothing landed to plant in"
    validator = StreamValidator(STREAMS[stream])
    assert _failed(validator, data, data.table) == {}, "the clean day passes every check"
    shown = set()
    for check, planted, table in _plants(data):
        assert _failed(validator, data, table) == {check: SEVERITY[check]}, planted
        shown.add(check)
    landing = data.landing
    drifted = dataclasses.replace(landing, unknown_fields={"x_new_field": 1})
    drift = {"schema_drift": SEVERITY["schema_drift"]}
    assert _failed(validator, data, data.table, drifted) == drift
    missing = dataclasses.replace(landing, missing_fields={STREAMS[stream].key[0]: 1})
    assert _failed(validator, data, data.table, missing) == drift
    one_bad = dataclasses.replace(
        landing, fetched=landing.fetched + 1, quarantined=landing.quarantined + 1,
        quarantine_reasons={"start_time: not a time": 1},
    )  # fmt: skip
    share = 1 / one_bad.fetched  # one record of a day's few is more than the 5 % that blocks
    severity = "error" if share > POLICY["quarantine_share"]["error_above"] else "warn"
    assert _failed(validator, data, data.table, one_bad) == {"quarantine_share": severity}
    many = landing.fetched // 10 + 1  # over 5 % of what was fetched: blocking
    many_bad = dataclasses.replace(
        landing, fetched=landing.fetched + many, quarantined=landing.quarantined + many
    )
    assert _failed(validator, data, data.table, many_bad) == {"quarantine_share": "error"}
    shown |= {"schema_drift", "quarantine_share"}
    if "source_fresh" in check_names(STREAMS[stream]):
        silent = data.table.slice(0, 0)
        assert _failed(validator, data, silent) == {"source_fresh": SEVERITY["source_fresh"]}
        shown.add("source_fresh")
    assert shown == set(check_names(STREAMS[stream])), "a check of the stream was never planted"
