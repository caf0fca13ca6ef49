"""Data quality at the door: Great Expectations suites generated from each stream's spec.

The suite is data (`StreamSpec.quality`), so adding a stream adds its checks. Each
expectation carries the name of the Dagster check it belongs to in its `meta`, and
severities come from `quality.yaml`. GX runs in an ephemeral context (nothing written to
disk, no analytics) and is imported lazily: it costs seconds to import, which must not
land on Dagster's definition loading.
"""

from __future__ import annotations

import functools
import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import yaml

from ingestion.landing import LandingResult
from ingestion.streams.spec import StreamSpec
from salesboard.calendar import day_bounds

POLICY_PATH = Path(__file__).with_name("quality.yaml")
# One landed partition to validate: (day, its table, its fetch window, its landing result).
Partition = tuple[str, pa.Table, "tuple[datetime, datetime] | None", "LandingResult | None"]
GX_CHECKS = (
    "keys_unique_not_null",
    "required_not_null",
    "timestamps_in_window",
    "enums_in_set",
    "amounts_positive",
    "values_non_negative",
    "currency_rub",
    "pairs_ordered",
)
LANDING_CHECKS = ("schema_drift", "quarantine_share", "source_fresh")


@dataclass(frozen=True)
class QualityPolicy:
    severity: dict[str, str]
    quarantine_warn_above: float
    quarantine_error_above: float
    freshness_hours: dict[str, float]

    def is_blocking(self, check: str) -> bool:
        if check == "quarantine_share":
            return True  # blocking above error_above, a warning between the thresholds
        return self.severity[check] == "error"


@functools.cache
def load_policy(path: Path = POLICY_PATH) -> QualityPolicy:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    severity = raw["severity"]
    unknown = set(severity) - set(GX_CHECKS) - set(LANDING_CHECKS)
    bad = {k: v for k, v in severity.items() if v not in {"error", "warn"}}
    if unknown or bad:
        raise ValueError(f"quality.yaml: unknown checks {sorted(unknown)}, bad severities {bad}")
    return QualityPolicy(
        severity=severity,
        quarantine_warn_above=float(raw["quarantine_share"]["warn_above"]),
        quarantine_error_above=float(raw["quarantine_share"]["error_above"]),
        freshness_hours={k: float(v) for k, v in raw["freshness_hours"].items()},
    )


@dataclass
class CheckOutcome:
    """One check over one or more partitions: failing days, what failed on each, and which
    of those failures are errors (blocking) rather than warnings."""

    name: str
    failures: dict[str, list[str]] = field(default_factory=dict)  # day -> problems
    error_days: set[str] = field(default_factory=set)

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def severity(self) -> str:
        return "error" if self.error_days else "warn"

    def fail(self, day: str, problems: list[str], *, error: bool) -> None:
        self.failures[day] = problems
        if error:
            self.error_days.add(day)


def check_names(spec: StreamSpec) -> list[str]:
    """The checks that apply to `spec` (a snapshot stream has no window to check, ...)."""
    q = spec.quality
    applies = {
        "keys_unique_not_null": True,
        "required_not_null": bool(q.not_null),
        "timestamps_in_window": q.window_column is not None,
        "enums_in_set": bool(q.enums),
        "amounts_positive": bool(q.positive),
        "values_non_negative": bool(q.non_negative),
        "currency_rub": bool(q.currency_columns),
        "pairs_ordered": bool(q.not_greater),
    }
    applies["schema_drift"] = applies["quarantine_share"] = True
    applies["source_fresh"] = spec.stream in load_policy().freshness_hours
    return [name for name in (*GX_CHECKS, *LANDING_CHECKS) if applies[name]]


def check_description(spec: StreamSpec, check: str) -> str:
    """What `check` asserts on a landed partition of `spec`, naming the columns (shown with
    each Dagster asset check; severities and thresholds are in `quality.yaml`). Raises
    KeyError for a check that does not apply to `spec` (see `check_names`)."""
    q, policy = spec.quality, load_policy()

    def columns(names) -> str:
        return ", ".join(f"`{name}`" for name in names)

    descriptions = {
        "keys_unique_not_null": f"Natural key ({columns(spec.key)}) is never null and unique "
        "within the partition.",
        "required_not_null": f"Columns the vendor must always fill are set: {columns(q.not_null)}"
        + (
            f" (on every row but deletion markers, `{q.deletion_flag}`)."
            if q.deletion_flag
            else "."
        ),
        "timestamps_in_window": f"`{q.window_column}` lies inside the partition's fetch window.",
        "enums_in_set": f"Normalised enums hold known values: {columns(q.enums)}.",
        "amounts_positive": f"Money is greater than zero: {columns(q.positive)}.",
        "values_non_negative": f"Never negative: {columns(q.non_negative)}.",
        "currency_rub": f"Every amount is in {', '.join(sorted(q.currencies))}: "
        f"{columns(q.currency_columns)}.",
        "pairs_ordered": "Where both are set, "
        + "; ".join(f"`{a}` <= `{b}`" for a, b in q.not_greater)
        + ".",
        "schema_drift": "No unknown raw fields appeared and no expected field went missing "
        "(the record is landed either way; drift is kept in `_raw`).",
        "quarantine_share": "Quarantined / fetched records: a warning above "
        f"{policy.quarantine_warn_above:.0%}, blocking above {policy.quarantine_error_above:.0%}.",
        "source_fresh": "The newest record is within "
        f"{policy.freshness_hours.get(spec.stream, 0):g} h of the end of its window "
        "(a source that went silent).",
    }
    if check not in check_names(spec):
        raise KeyError(f"{check} does not apply to {spec.stream}")
    return descriptions[check]


def _expectations(spec: StreamSpec) -> list[Any]:
    import great_expectations as gx
    from great_expectations.expectations.row_conditions import Column

    e, q = gx.expectations, spec.quality

    def tagged(check: str, expectation: Any) -> Any:
        expectation.meta = {"check": check}
        return expectation

    found = []
    for column in spec.key:
        found.append(tagged("keys_unique_not_null", e.ExpectColumnValuesToNotBeNull(column=column)))
    if len(spec.key) == 1:
        unique = e.ExpectColumnValuesToBeUnique(column=spec.key[0])
    else:
        unique = e.ExpectCompoundColumnsToBeUnique(column_list=list(spec.key))
    found.append(tagged("keys_unique_not_null", unique))
    # Deletion markers carry only the key and change time (see `Quality.deletion_flag`).
    live = {}
    if q.deletion_flag:
        flag = Column(q.deletion_flag)
        live = {"row_condition": flag.is_null() | (flag == False)}  # noqa: E712 (a condition)
    for column in q.not_null:
        found.append(
            tagged("required_not_null", e.ExpectColumnValuesToNotBeNull(column=column, **live))
        )
    if q.window_column:
        found.append(
            tagged(
                "timestamps_in_window",
                e.ExpectColumnValuesToBeBetween(
                    column=q.window_column,
                    min_value={"$PARAMETER": "window_start"},
                    max_value={"$PARAMETER": "window_end"},
                    strict_max=True,
                ),
            )
        )
    for column, allowed in q.enums.items():
        found.append(
            tagged(
                "enums_in_set",
                e.ExpectColumnValuesToBeInSet(column=column, value_set=sorted(allowed)),
            )
        )
    for column in q.positive:
        found.append(
            tagged(
                "amounts_positive",
                e.ExpectColumnValuesToBeBetween(column=column, min_value=0, strict_min=True),
            )
        )
    for column in q.non_negative:
        found.append(
            tagged(
                "values_non_negative", e.ExpectColumnValuesToBeBetween(column=column, min_value=0)
            )
        )
    for column in q.currency_columns:
        found.append(
            tagged(
                "currency_rub",
                e.ExpectColumnValuesToBeInSet(column=column, value_set=sorted(q.currencies)),
            )
        )
    for smaller, larger in q.not_greater:
        found.append(
            tagged(
                "pairs_ordered",
                e.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A=larger,
                    column_B=smaller,
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                ),
            )
        )
    return found


class StreamValidator:
    """Validates landed partitions of one stream; build once, validate many days."""

    def __init__(self, spec: StreamSpec, policy: QualityPolicy | None = None):
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.spec = spec
        self.policy = policy or load_policy()
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        source = self.context.data_sources.add_pandas(f"landing_{spec.source}")
        asset = source.add_dataframe_asset(spec.name)
        self.batch_definition = asset.add_batch_definition_whole_dataframe("partition")
        suite = gx.ExpectationSuite(name=spec.stream)
        for expectation in _expectations(spec):
            suite.add_expectation(expectation)
        self.suite = self.context.suites.add(suite)

    def outcomes(self) -> dict[str, CheckOutcome]:
        return {name: CheckOutcome(name) for name in check_names(self.spec)}

    def validate(
        self,
        outcomes: dict[str, CheckOutcome],
        day: str,
        table: pa.Table,
        window: tuple[datetime, datetime] | None,
        landing: LandingResult | None,
    ) -> None:
        """Add `day`'s problems to `outcomes` (from GX, then from the landing's counts)."""
        if table.num_rows:
            self._validate_rows(outcomes, day, table, window)
        self._validate_partition(outcomes, day, table, window, landing)

    def validate_days(self, outcomes: dict[str, CheckOutcome], partitions: list[Partition]) -> None:
        """`validate` each of `partitions` (day, table, window, landing), with one GX run
        for all of them when they pass: GX spends ~0.1 s a call building its metric graph
        whatever the rows, so a year's backfill validated day by day spends minutes there.

        The batch scopes keys by day (a key need only be unique within its partition) and
        checks the union of the windows, so a partition with rows outside its own window is
        validated alone; so is every partition of a batch that fails, and problems are
        reported per day exactly as `validate` reports them.
        """
        column = self.spec.quality.window_column
        batch = [p for p in partitions if p[1].num_rows and _inside(p[1], p[2], column)]
        passed = {p[0] for p in batch} if len(batch) > 1 and self._batch_passes(batch) else set()
        for day, table, window, landing in partitions:
            if day not in passed and table.num_rows:
                self._validate_rows(outcomes, day, table, window)
            self._validate_partition(outcomes, day, table, window, landing)

    def _batch_passes(self, batch: list[Partition]) -> bool:
        windows = [window for _, _, window, _ in batch if window is not None]
        union = (min(w[0] for w in windows), max(w[1] for w in windows)) if windows else None
        table = pa.concat_tables([_keys_by_day(self.spec, day, t) for day, t, _, _ in batch])
        trial = self.outcomes()
        self._validate_rows(trial, "batch", table, union)
        return all(outcome.passed for outcome in trial.values())

    def _validate_partition(self, outcomes, day, table, window, landing) -> None:
        """The checks made from the landing's counts and the day's newest record."""
        if landing is not None:
            self._validate_landing(outcomes, day, landing)
        if "source_fresh" in outcomes and window is not None:
            self._validate_freshness(outcomes["source_fresh"], day, table, window)

    def _validate_freshness(self, outcome: CheckOutcome, day, table, window) -> None:
        """The newest record within the policy's hours of the window's end, or of the day's
        end for a run's last day reaching past it (`windows.run_windows`): a backfill of
        last year is judged by last year's records, not by the hour it runs."""
        limit = timedelta(hours=self.policy.freshness_hours[self.spec.stream])
        column = self.spec.quality.window_column
        newest = pc.max(table[column]).as_py() if table.num_rows else None
        end = min(window[1], day_bounds(date.fromisoformat(day))[1])
        if newest is None or end - newest > limit:
            outcome.fail(
                day,
                [f"newest {column} is {newest or 'absent'}; window ends {end}"],
                error=self.policy.severity["source_fresh"] == "error",
            )

    def _validate_rows(self, outcomes, day, table, window) -> None:
        parameters = {}
        if window is not None:
            parameters = {"window_start": window[0], "window_end": window[1]}
        batch = self.batch_definition.get_batch(batch_parameters={"dataframe": _frame(table)})
        result = batch.validate(self.suite, expectation_parameters=parameters)
        problems: dict[str, list[str]] = defaultdict(list)
        for item in result.results:
            if item.success:
                continue
            config = item.expectation_config
            check = config.meta["check"]
            column = (
                config.kwargs.get("column")
                or config.kwargs.get("column_list")
                or (f"{config.kwargs.get('column_B')} <= {config.kwargs.get('column_A')}")
            )
            count = item.result.get("unexpected_count")
            sample = item.result.get("partial_unexpected_list", [])[:3]
            problems[check].append(f"{config.type} on {column}: {count} rows, e.g. {sample}")
        for check, found in problems.items():
            if window is None and check == "timestamps_in_window":
                continue
            outcomes[check].fail(day, found, error=self.policy.severity[check] == "error")

    def _validate_landing(self, outcomes, day, landing: LandingResult) -> None:
        if landing.unknown_fields or landing.missing_fields:
            outcomes["schema_drift"].fail(
                day,
                [f"unknown fields {landing.unknown_fields}, missing {landing.missing_fields}"],
                error=self.policy.severity["schema_drift"] == "error",
            )
        share = landing.quarantined / landing.fetched if landing.fetched else 0.0
        if share > self.policy.quarantine_warn_above:
            outcomes["quarantine_share"].fail(
                day,
                [
                    f"{landing.quarantined} of {landing.fetched} records quarantined "
                    f"({share:.2%}): {landing.quarantine_reasons}"
                ],
                error=share > self.policy.quarantine_error_above,
            )


def _inside(table: pa.Table, window: tuple[datetime, datetime] | None, column: str | None) -> bool:
    """Whether every value of `column` falls in `window` (no window: nothing to check)."""
    if window is None or column is None:
        return True
    bounds = pc.min_max(table[column]).as_py()
    return bounds["min"] is None or (window[0] <= bounds["min"] and bounds["max"] < window[1])


def _keys_by_day(spec: StreamSpec, day: str, table: pa.Table) -> pa.Table:
    """`table` with each key column as text prefixed by `day` (null stays null), so keys
    of one batch of partitions are unique exactly when they are unique within each day."""
    for name in spec.key:
        index = table.schema.get_field_index(name)
        text = pc.binary_join_element_wise(day, pc.cast(table[name], pa.string()), "|")
        table = table.set_column(index, name, text)
    return table


def _frame(table: pa.Table):
    """pandas frame for GX: decimals as floats (sign and range checks only), no `_raw`."""
    columns = {}
    for name in table.column_names:
        if name.startswith("_"):
            continue
        column = table[name]
        if pa.types.is_decimal(column.type):
            column = pc.cast(column, pa.float64())
        columns[name] = column
    return pa.table(columns).to_pandas()
