"""Running the demo vendor APIs: in a background thread for tests (`DemoServer`), or in
the foreground for `python -m ingestion.demo serve` (`serve`)."""

from __future__ import annotations

import ipaddress
import logging
import threading
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

import uvicorn

from ingestion.demo.api.app import VENDOR_PREFIXES, create_app
from ingestion.demo.api.faults import FaultConfig
from ingestion.demo.config import load_config
from ingestion.demo.simulation import build_world
from ingestion.demo.world import World

log = logging.getLogger(__name__)
START_TIMEOUT_SECONDS = 10


def _uvicorn_config(app: Any, host: str, port: int, log_level: str) -> uvicorn.Config:
    # No Date / Server headers: responses stay byte-identical between runs.
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        lifespan="off",
        date_header=False,
        server_header=False,
    )


class DemoServer:
    """The four vendor APIs on a free loopback port, for as long as the `with` block runs.

    `set_faults` and `set_clock` change the running server directly (same process), like
    `PUT /_demo/faults` and `PUT /_demo/clock` do from outside.
    """

    def __init__(
        self,
        world: World,
        *,
        faults: FaultConfig | dict | None = None,
        clock: datetime | None = None,
        log_level: str = "warning",
    ):
        self.app = create_app(world, faults=_as_faults(faults), clock=clock)
        self.server = uvicorn.Server(_uvicorn_config(self.app, "127.0.0.1", 0, log_level))
        self.thread = threading.Thread(target=self.server.run, name="demo-api", daemon=True)
        self.base_url = ""

    def __enter__(self) -> DemoServer:
        self.thread.start()
        for _ in range(START_TIMEOUT_SECONDS * 100):
            if self.server.started or not self.thread.is_alive():
                break
            threading.Event().wait(0.01)
        if not self.server.started:
            raise RuntimeError("the demo API server did not start")
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=START_TIMEOUT_SECONDS)

    @property
    def urls(self) -> dict[str, str]:
        """Each vendor's base URL, to use where the real host would go."""
        return {name: self.base_url + prefix for name, prefix in VENDOR_PREFIXES.items()}

    def set_faults(self, faults: FaultConfig | dict | None) -> None:
        """Replace the faults (None = none) and restart attempt counting."""
        self.app.state.demo.set_faults(_as_faults(faults))

    def fired(self) -> Counter[str]:
        """How often each fault ("api.fault", e.g. "yookassa.rate_limited") has hit since the
        server started: a test takes the difference around a pull to prove its fault fired."""
        return Counter(self.app.state.demo.fired)

    def set_clock(self, now: datetime | None) -> None:
        """Freeze the server's now at `now`; None returns to the real clock."""
        self.app.state.demo.clock.set(now)


def _as_faults(faults: FaultConfig | dict | None) -> FaultConfig:
    if isinstance(faults, FaultConfig):
        return faults
    return FaultConfig.from_dict(faults)


def serve(
    host: str,
    port: int,
    config_path: Path | str | None = None,
    end_date: date | None = None,
    faults_path: Path | str | None = None,
    clock: datetime | None = None,
) -> None:
    """Build the world and serve it until interrupted. `clock` (aware) freezes the server's
    now there: the world is simulated to the end of that day and shown as it stood then."""
    if not ipaddress.ip_address(host).is_loopback:
        log.warning("the demo APIs have no real security; %s is not a loopback address", host)
    overrides = {} if end_date is None else {"end_date": end_date}
    world = build_world(load_config(config_path, **overrides), clock)
    faults = FaultConfig.load(faults_path) if faults_path else None
    app = create_app(world, faults=faults, clock=clock)
    uvicorn.Server(_uvicorn_config(app, host, port, "info")).run()
