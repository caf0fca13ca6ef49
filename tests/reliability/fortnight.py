"""A simulated fortnight of the daily pipeline, under faults or not, and how to compare two.

Each day's ingestion runs as the 06:00 schedule would: the demo server's clock frozen at
06:00 Moscow time the next day (what has not "arrived" by then is invisible, which is
where late data matters), every stream pulled through the production clients and landing
code with short client timeouts and backoffs (`DEMO_SETTINGS`). A partition whose pull
fails is pulled again with the next day's run, as an operator's rerun would. Then one
Dagster run builds everything downstream of the landing (dbt, board, serving) for the
fortnight, and the marts are compared with the fault-free fortnight's.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import dagster as dg
import pyarrow.parquet as pq
import pytest

from ingestion.amocrm import AmoCrmClient
from ingestion.amplitude import AmplitudeClient
from ingestion.demo.server import DemoServer
from ingestion.demo.world import World
from ingestion.errors import SourceError
from ingestion.streams import STREAMS
from ingestion.streams.spec import Rule
from ingestion.telphin import TelphinClient
from ingestion.yookassa import YooKassaClient
from salesboard.layout import DataLayout
from tests.conftest import TEST_FAULTS, pipeline_environment
from tests.ingestion.conftest import DEMO_SETTINGS
from tests.support.checksums import table_checksums
from tests.support.funnel_truth import MOSCOW  # domain.md: the team's day
from tests.support.pull import pull_day

FIRST, LAST = date(2024, 7, 15), date(2024, 7, 28)  # the compared fortnight (demo world)
# One more daily run after the fortnight: it re-reads the fortnight's last day, as the
# next morning's run does in production, so data that arrived late there has landed.
DAYS = [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 2)]
# ... and a fault-free catch-up morning after those (`ingest_daily`). The downstream run
# covers every landed partition: a record that arrived late lands in a later partition
# than its day, and only the run of that partition takes it into the warehouse.
CATCH_UP = DAYS[-1] + timedelta(days=1)
RANGE_TAGS = {
    "dagster/asset_partition_range_start": FIRST.isoformat(),
    "dagster/asset_partition_range_end": CATCH_UP.isoformat(),
}
PHONE_SALT = "reliability-phone-salt"
SOURCES = ("telphin", "amocrm", "yookassa", "amplitude")


def run_time(day: date) -> datetime:
    """When the schedule runs partition `day`: 06:00 Moscow time the next day."""
    return datetime.combine(day + timedelta(days=1), time(6), MOSCOW)


def vendor_clients(server: DemoServer, creds: dict, stack: ExitStack) -> dict:
    """Production clients with production page sizes, short timeouts and backoffs, and no
    client-side amoCRM throttle (the demo server's natural limits are off as well);
    `creds` as in the demo world's config."""
    urls, settings = server.urls, DEMO_SETTINGS
    clients = {}
    if "telphin" in creds:
        telphin = creds["telphin"]
        clients["telphin"] = TelphinClient(
            urls["telphin"], telphin["client_id"], telphin["client_secret"], settings=settings
        )
    if "amocrm" in creds:
        clients["amocrm"] = AmoCrmClient(
            urls["amocrm"], creds["amocrm"]["token"], settings=settings, requests_per_second=1000
        )
    if "yookassa" in creds:
        yookassa = creds["yookassa"]
        clients["yookassa"] = YooKassaClient(
            urls["yookassa"], yookassa["shop_id"], yookassa["secret_key"], settings=settings
        )
    if "amplitude" in creds:
        amplitude = creds["amplitude"]
        clients["amplitude"] = AmplitudeClient(
            urls["amplitude"], amplitude["api_key"], amplitude["secret_key"], settings=settings
        )
    return {name: stack.enter_context(client) for name, client in clients.items()}


def with_seed(faults: dict | None, seed: int = 29) -> dict:
    """A fault mapping for `DemoServer.set_faults`, natural limits off like `TEST_FAULTS`."""
    return {"seed": seed, "natural_limits": False, **(faults or {})}


def ingest_daily(
    server: DemoServer,
    world: World,
    layout: DataLayout,
    faults: dict | None = None,
    fault_days: Iterable[date] | None = None,
) -> list[str]:
    """Run each day's ingestion at its 06:00 (faults on `fault_days`, default every day);
    returns the failure messages. Failed partitions are pulled again with the next day's
    run and must have landed by the end. One more, fault-free morning run follows the
    fortnight, as it would in production: what a vendor shows late on the last day is
    re-read by that run's late lookback (the baseline gets the same run)."""
    fault_days = set(DAYS if fault_days is None else fault_days)
    failures: list[str] = []
    pending: list[tuple[str, date]] = []
    try:
        with ExitStack() as stack:
            clients = vendor_clients(server, world.config.credentials, stack)
            for day in [*DAYS, CATCH_UP]:
                server.set_faults(with_seed(faults if day in fault_days else None))
                server.set_clock(run_time(day))
                todo, pending = [*pending, *((stream, day) for stream in STREAMS)], []
                for stream, partition in todo:
                    try:
                        pull_day(
                            clients[stream.split(".")[0]], stream, partition, layout,
                            run_id=f"daily-{day}", ingested_at=run_time(day),
                        )  # fmt: skip
                    except SourceError as exc:
                        failures.append(str(exc))
                        pending.append((stream, partition))
    finally:
        server.set_faults(TEST_FAULTS)
        server.set_clock(None)
    assert not pending, f"still failing after the last run: {pending}"
    return failures


@functools.cache
def daily_job() -> dg.JobDefinition:
    from orchestration.definitions import defs

    return defs().resolve_job_def("daily_pipeline")


def downstream_keys() -> list[dg.AssetKey]:
    """Every asset of the job that is not an ingestion stream: dbt, board, serving."""
    landing = {dg.AssetKey([spec.source, spec.name]) for spec in STREAMS.values()}
    return sorted(daily_job().asset_layer.executable_asset_keys - landing)


def run_pipeline(
    server: DemoServer,
    world: World,
    data_dir: Path,
    *,
    asset_selection: list[dg.AssetKey] | None = None,
    instance: dg.DagsterInstance | None = None,
    **options,
) -> dg.ExecuteInProcessResult:
    """`daily_pipeline` in process with the environment pointed at `server` and `data_dir`
    (`options`: `tags` or `partition_key`)."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in pipeline_environment(world, server, data_dir, PHONE_SALT).items():
            patch.setenv(name, value)
        return daily_job().execute_in_process(
            instance=instance or dg.DagsterInstance.ephemeral(),
            asset_selection=asset_selection,
            raise_on_error=False,
            **options,
        )


def failure_message(result: dg.ExecuteInProcessResult) -> str:
    failure = next((e for e in result.all_events if e.is_step_failure), None)
    return failure.step_failure_data.error.message if failure else "no step failed"


@dataclass
class Fortnight:
    """What a simulated fortnight left behind."""

    layout: DataLayout
    failures: list[str]
    landed: dict[str, Counter] = field(default_factory=dict)  # stream -> key -> copies
    marts: dict[str, tuple] = field(default_factory=dict)  # warehouse marts checksums
    serving: dict[str, tuple] = field(default_factory=dict)  # serving file checksums


def simulate(
    server: DemoServer, world: World, data_dir: Path, faults=None, fault_days=None
) -> Fortnight:
    """Daily ingestion runs over the fortnight, then one downstream run over its range."""
    layout = DataLayout(data_dir).ensure()
    failures = ingest_daily(server, world, layout, faults, fault_days)
    result = run_pipeline(
        server, world, data_dir, asset_selection=downstream_keys(), tags=RANGE_TAGS
    )
    assert result.success, failure_message(result)
    return Fortnight(layout, failures, landed_keys(layout), *warehouse_state(layout))


def warehouse_state(layout: DataLayout) -> tuple[dict, dict]:
    """Checksums of the warehouse marts and of the serving copy (empty when not built)."""
    serving = layout.serving_db
    return table_checksums(layout.warehouse_db), (
        table_checksums(serving) if serving.exists() else {}
    )


def landed_keys(layout: DataLayout) -> dict[str, Counter]:
    """For each stream, how many landed partitions hold each natural key."""
    found: dict[str, Counter] = {}
    for stream, spec in STREAMS.items():
        keys: Counter = Counter()
        for part in sorted((layout.landing / spec.source / spec.name).glob("day=*/part-*.parquet")):
            table = pq.read_table(part, columns=list(spec.key))
            rows = list(zip(*(table[c].to_pylist() for c in spec.key), strict=True))
            assert len(rows) == len(set(rows)), f"{part}: a key landed twice in one partition"
            keys.update(rows)
        found[stream] = keys
    return found


def lost_and_duplicated(baseline: Fortnight, run: Fortnight) -> tuple[Counter, Counter, Counter]:
    """Per stream: records the fault-free fortnight landed and this one did not; records
    this one landed more often (in more partitions) than the fault-free one did; and, for
    streams listed by `updated_at`, those extra copies instead, as re-read: a partition
    pulled again by a later run is that run's last day and reaches to its start
    (README, "Ingestion"), so it holds the current version of records changed since, which
    their own days hold too. Staging keeps one version per key; the marts show it."""
    lost: Counter = Counter()
    duplicated: Counter = Counter()
    reread: Counter = Counter()
    for stream, expected in baseline.landed.items():
        got = run.landed[stream]
        lost[stream] = len(expected.keys() - got.keys())
        extra = sum(max(0, n - expected.get(key, 0)) for key, n in got.items())
        (reread if STREAMS[stream].window is Rule.UPDATED else duplicated)[stream] = extra
    return +lost, +duplicated, +reread
