"""Proof that an injected fault happened: the demo server counts each firing ("api.fault"),
so a fault test can tell "survived the fault" from "the fault never hit"."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from ingestion.demo.server import DemoServer

# The switches of a fault mapping that are not faults that fire.
SETTINGS = {"seed", "natural_limits", "token_ttl_seconds", "max_window_hours"}


@contextmanager
def fired_during(server: DemoServer) -> Iterator[Counter[str]]:
    """The faults that fired inside the block: a Counter filled in when the block ends."""
    before, fired = server.fired(), Counter()
    yield fired
    fired.update(server.fired() - before)


def expected_firings(faults: dict) -> set[str]:
    """The "api.fault" names a fault mapping (`{api: {fault: spec}}`) switches on."""
    return {
        f"{api}.{fault}"
        for api, modes in faults.items()
        if isinstance(modes, dict)
        for fault, spec in modes.items()
        if fault not in SETTINGS and spec not in (False, None)
    }
