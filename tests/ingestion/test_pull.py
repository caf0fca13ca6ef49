"""A day pulled end to end (demo API over HTTP -> client -> landing) holds exactly the
simulated world's records: nothing lost, nothing doubled, whatever the API does."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pyarrow.parquet as pq
import pytest

from ingestion.amocrm import AmoCrmClient
from ingestion.amplitude import AmplitudeClient
from ingestion.demo.api.faults import REQUEST_FAULTS
from ingestion.demo.model import PIPELINE_STATUSES
from ingestion.landing import land_partition
from ingestion.pull import ChunkSizer, _consecutive_chunks, pull_days
from ingestion.streams import STREAMS
from ingestion.streams.spec import Rule
from ingestion.telphin import TelphinClient
from ingestion.windows import run_windows
from ingestion.yookassa import YooKassaClient
from salesboard.layout import DataLayout
from tests.ingestion.conftest import DEMO_SETTINGS, SURVIVABLE_FAULTS
from tests.support.faults import expected_firings, fired_during
from tests.support.funnel_truth import MOSCOW  # domain.md: the team's day
from tests.support.pull import pull_day
from tests.support.windows import readme_window

DAY = date(2024, 7, 25)  # a day with calls, leads, payments and a refund in the demo world
LATE_DAY = date(2024, 7, 23)
RUN = "test-run"
INGESTED_AT = datetime(2024, 8, 1, tzinfo=UTC)


def _clients(server, world) -> dict:
    """Production clients on small pages, so every day spans several pages."""
    creds, urls, settings = world.config.credentials, server.urls, DEMO_SETTINGS
    return {
        "telphin": TelphinClient(
            urls["telphin"], *creds["telphin"].values(), settings=settings, per_page=10
        ),
        "amocrm": AmoCrmClient(
            urls["amocrm"], creds["amocrm"]["token"], settings=settings, page_size=5
        ),
        "yookassa": YooKassaClient(
            urls["yookassa"], *creds["yookassa"].values(), settings=settings, page_size=2
        ),
        "amplitude": AmplitudeClient(
            urls["amplitude"], *creds["amplitude"].values(), settings=DEMO_SETTINGS
        ),
    }


def _truth(world, stream: str, day: date, run_start: datetime | None = INGESTED_AT) -> set:
    """The keys the world says belong to `stream`'s window for `day`: pulled alone by a run
    started at `run_start` (a run's last day, where leads reach to its start), or as an
    earlier day of a run (`run_start` None)."""
    window = readme_window(stream, day, run_start)
    inside = (lambda at: window[0] <= at < window[1]) if window else None
    match stream:
        case "telphin.calls":
            return {c.call_uuid for c in world.calls if inside(c.start_time)}
        case "telphin.extensions":
            return {m.extension_id for m in world.managers if m.hired_on < world.as_of.date()}
        case "amocrm.leads":
            return {s.lead_id for s in world.signups if inside(s.updated_at)}
        case "amocrm.users":
            return {m.user_id for m in world.managers if m.hired_on < world.as_of.date()}
        case "amocrm.pipelines":
            return {status for status, _, _ in PIPELINE_STATUSES}
        case "amocrm.status_events":
            return {c.event_id for c in world.status_changes if inside(c.at)}
        case "yookassa.payments":
            return {p.payment_id for p in world.payments if inside(p.created_at)}
        case "yookassa.refunds":
            return {r.refund_id for r in world.refunds if inside(r.created_at)}
        case "amplitude.events":
            return {e.uuid for e in world.activity_events(*window)}
    raise AssertionError(stream)


KEY_COLUMN = {
    "amocrm.pipelines": "status_id",
    "telphin.calls": "call_uuid",
    "amplitude.events": "uuid",
}
COMPARED = [s for s in STREAMS if s != "amocrm.contacts"]  # contacts: no world-side clock


def _landed_keys(result, stream: str) -> list:
    return pq.read_table(result.landing_path)[KEY_COLUMN.get(stream, "id")].to_pylist()


@pytest.mark.parametrize("stream", COMPARED)
def test_demo_day_lands_exactly_the_worlds_records(demo, demo_world, tmp_path, stream):
    clients = _clients(demo, demo_world)
    layout = DataLayout(tmp_path).ensure()
    result = pull_day(
        clients[stream.split(".")[0]], stream, DAY, layout, run_id=RUN, ingested_at=INGESTED_AT
    )
    keys = _landed_keys(result, stream)
    assert len(keys) == len(set(keys)), "a key landed twice"
    assert set(keys) == _truth(demo_world, stream, DAY)
    assert result.quarantined == 0 and result.landed == len(keys) > 0


def test_demo_rerun_of_a_partition_is_byte_identical(demo, demo_world, tmp_path):
    clients = _clients(demo, demo_world)
    layout = DataLayout(tmp_path).ensure()
    first = pull_day(clients["telphin"], "telphin.calls", DAY, layout, run_id=RUN,
                     ingested_at=INGESTED_AT).landing_path.read_bytes()  # fmt: skip
    second = pull_day(clients["telphin"], "telphin.calls", DAY, layout, run_id=RUN,
                      ingested_at=INGESTED_AT).landing_path.read_bytes()  # fmt: skip
    assert first == second


@pytest.mark.parametrize("fault", sorted(SURVIVABLE_FAULTS))
@pytest.mark.parametrize("stream", ["yookassa.payments", "amplitude.events", "amocrm.leads"])
def test_demo_faults_lose_and_double_nothing_in_landing(demo, demo_world, tmp_path, stream, fault):
    source = stream.split(".")[0]
    faults = {source: SURVIVABLE_FAULTS[fault], "seed": 11}
    demo.set_faults(faults)
    layout, client = DataLayout(tmp_path).ensure(), _clients(demo, demo_world)[source]
    with fired_during(demo) as fired:
        result = pull_day(client, stream, DAY, layout, run_id=RUN, ingested_at=INGESTED_AT)
    assert expected_firings(faults) <= set(fired), f"{fault} never fired: {dict(fired)}"
    if set(SURVIVABLE_FAULTS[fault]) & set(REQUEST_FAULTS):
        assert client.stats.retries > 0, "a request fault must be retried"
    keys = _landed_keys(result, stream)
    assert sorted(keys) == sorted(_truth(demo_world, stream, DAY))
    assert result.fetched == result.landed + result.quarantined + result.duplicates_dropped
    if fault == "repeated_item":
        assert result.duplicates_dropped > 0
    if fault == "drifting_records":
        assert result.unknown_fields and result.missing_fields and result.retyped_fields


def test_demo_late_payments_are_caught_by_the_lookback(demo, demo_world, tmp_path):
    """Payments that reach the API a day late miss their own day's pull, and the next pulls
    (whose 14-day lookback covers that day) land them: the union is the whole truth."""
    demo.set_faults({"yookassa": {"late_records": {"share": 0.4, "delay_hours": 30}}, "seed": 3})
    client = _clients(demo, demo_world)["yookassa"]
    layout = DataLayout(tmp_path).ensure()
    day_start = datetime.combine(LATE_DAY, time(6), MOSCOW)
    demo.set_clock(day_start + timedelta(days=1))  # the 06:00 run for LATE_DAY
    first = pull_day(client, "yookassa.payments", LATE_DAY, layout, run_id=RUN,
                     ingested_at=INGESTED_AT)  # fmt: skip
    truth_of_day = {
        p.payment_id
        for p in demo_world.payments
        if p.created_at.astimezone(MOSCOW).date() == LATE_DAY
    }
    held_back = truth_of_day - set(_landed_keys(first, "yookassa.payments"))
    assert held_back, "the fault should have held some payments back"
    demo.set_clock(day_start + timedelta(days=3))
    later = pull_day(client, "yookassa.payments", LATE_DAY + timedelta(days=2), layout,
                     run_id=RUN, ingested_at=INGESTED_AT)  # fmt: skip
    assert held_back <= set(_landed_keys(later, "yookassa.payments"))


RANGE = [date(2024, 7, 20) + timedelta(days=n) for n in range(8)]


def _landed(layout: DataLayout, stream: str, root: str = "landing") -> dict:
    folder = getattr(layout, root) / stream.replace(".", "/")
    return {p.parent.name: pq.read_table(p) for p in sorted(folder.glob("day=*/part-0.parquet"))}


def _quarantined(layout: DataLayout, stream: str) -> dict[str, list[str]]:
    """Per partition, the raw records quarantined there."""
    tables = _landed(layout, stream, root="quarantine")
    return {day: sorted(table["_raw"].to_pylist()) for day, table in tables.items()}


@pytest.mark.parametrize(
    ("stream", "malformed"),
    [(s, False) for s in STREAMS]
    + [(s, True) for s in STREAMS if STREAMS[s].window is not Rule.SNAPSHOT],
)
def test_demo_range_pull_lands_exactly_what_per_day_pulls_land(
    demo, demo_world, tmp_path, stream, malformed
):
    """A backfill fetching chunks of days with one request sequence and routing records by
    their window column lands, per partition, the same rows as fetching each day's window
    of the run alone (the last day's reaching to the run's start for leads), with fewer
    requests. A record without its key is dated by the fields it has and quarantined
    in the same partitions as well (regression: it went to the chunk's last day only, so
    the earlier partitions' counts did not reconcile with the vendor's)."""
    source = stream.split(".")[0]
    if malformed:
        demo.set_faults({source: {"malformed_record": {"probability": 0.2}}, "seed": 5})
    client = _clients(demo, demo_world)[source]
    per_day, ranged = DataLayout(tmp_path / "per_day").ensure(), DataLayout(tmp_path / "range")
    options = {"run_id": RUN, "ingested_at": INGESTED_AT}
    spec, windows = STREAMS[stream], run_windows(stream, RANGE, INGESTED_AT)
    single = [
        land_partition(per_day, spec, day, spec.fetch(client, windows[day]), **options)
        for day in RANGE
    ]
    requests_per_day = client.stats.requests
    chunked = list(pull_days(client, stream, RANGE, ranged.ensure(), chunk_days=5, **options))
    assert [r.day for r in chunked] == RANGE
    expected, landed = _landed(per_day, stream), _landed(ranged, stream)
    assert landed.keys() == expected.keys()
    for name, table in expected.items():
        assert landed[name].equals(table), f"{stream} {name} differs"
    assert _quarantined(ranged, stream) == _quarantined(per_day, stream)
    assert [r.quarantined for r in chunked] == [r.quarantined for r in single]
    assert not malformed or sum(r.quarantined for r in chunked) > 0, "no record was malformed"
    if STREAMS[stream].window is not Rule.SNAPSHOT:
        assert client.stats.requests - requests_per_day < requests_per_day


def test_range_chunks_are_consecutive_days_of_bounded_length():
    days = [*RANGE[:3], *RANGE[5:]]
    chunks = _consecutive_chunks(days, lambda: 2)
    assert list(chunks) == [RANGE[0:2], RANGE[2:3], RANGE[5:7], RANGE[7:]]


def test_chunks_grow_to_the_record_budget_at_the_rate_fetched_so_far():
    """One day first (no rate known), then as many days as fit the budget, capped."""
    sizer = ChunkSizer(max_days=31, max_records=100_000)
    assert sizer() == 1
    sizer.fetched(1, 4_000)
    assert sizer() == 25
    sizer.fetched(25, 200_000)  # the rate rises to ~7.8k a day
    assert sizer() == 12
    sizer.fetched(12, 2_400_000)  # a burst: one day at a time, streamed
    assert sizer() == 1
    quiet = ChunkSizer(max_days=31, max_records=100_000)
    quiet.fetched(1, 0)
    assert quiet() == 31


def test_chunk_sizes_are_asked_after_each_chunk_is_consumed():
    """The sizer learns from a chunk before the next one is cut."""
    sizer = ChunkSizer(max_days=31, max_records=10)
    sizes = []
    for chunk in _consecutive_chunks(RANGE, sizer):
        sizes.append(len(chunk))
        sizer.fetched(len(chunk), 5 * len(chunk))
    assert sizes[:2] == [1, 2] and sum(sizes) == len(RANGE)


def test_demo_keyless_calls_are_quarantined_not_fatal(demo, demo_world, tmp_path):
    """Regression: a call without `call_uuid` crashed the Telphin client's paging."""
    demo.set_faults({"telphin": {"malformed_record": {"probability": 0.2}}, "seed": 4})
    layout = DataLayout(tmp_path).ensure()
    result = pull_day(_clients(demo, demo_world)["telphin"], "telphin.calls", DAY, layout,
                      run_id=RUN, ingested_at=INGESTED_AT)  # fmt: skip
    truth = _truth(demo_world, "telphin.calls", DAY)
    assert result.quarantined > 0
    assert set(_landed_keys(result, "telphin.calls")) < truth
    assert result.landed + result.quarantined == len(truth)  # none lost, none twice
    assert result.quarantine_reasons == {"missing:call_uuid": result.quarantined}
