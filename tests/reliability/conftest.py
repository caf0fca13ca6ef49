"""The reliability suite's shared fixtures: the fault-free fortnight every fault is compared
with, simulated once per session on the session demo server (`tests/conftest.py`); and for
the subprocess tests (crash safety, concurrency, secrets), a demo server with distinctive
credentials and one uninterrupted reference run of `crash_runner` against it."""

from __future__ import annotations

import copy
from collections.abc import Iterator

import pytest

from ingestion.demo.config import load_config
from ingestion.demo.server import DemoServer
from ingestion.demo.simulation import build_world
from ingestion.demo.world import World
from tests.conftest import DEMO_END_DATE, TEST_FAULTS
from tests.reliability.crash_runner import SECRET_CREDENTIALS, Reference, reference_run
from tests.reliability.fortnight import Fortnight, simulate


@pytest.fixture(scope="session")
def baseline(demo_server, demo_world, tmp_path_factory) -> Fortnight:
    run = simulate(demo_server, demo_world, tmp_path_factory.mktemp("baseline") / "data")
    assert run.failures == []
    return run


@pytest.fixture(scope="session")
def secret_world() -> World:
    """The small demo world with distinctive credentials (the simulation does not read them,
    so its records are the session world's)."""
    config = load_config(end_date=DEMO_END_DATE)
    config.sections["credentials"] = copy.deepcopy(SECRET_CREDENTIALS)
    return build_world(config)


@pytest.fixture(scope="session")
def secret_server(secret_world) -> Iterator[DemoServer]:
    """A demo server that accepts only the distinctive credentials."""
    with DemoServer(secret_world, faults=TEST_FAULTS) as server:
        yield server


@pytest.fixture(scope="session")
def reference(secret_world, secret_server, tmp_path_factory) -> Reference:
    """One uninterrupted run of the runner subprocess over `RANGE`: what crashed and raced
    runs must end up equal to, and what the secrets scan reads."""
    return reference_run(secret_world, secret_server, tmp_path_factory.mktemp("reference"))
