"""The demo vendor APIs for the length of a command: `salesboard run`, `backfill` and `dev`
start them when the company file says `demo: true` and nothing answers at the vendors'
base URLs yet, and stop them afterwards. A company that is not the demo never starts them,
whatever its base URLs (a local proxy or tunnel on 127.0.0.1 stays what it is).

`SALESBOARD_DEMO_NOW` (an ISO instant with its offset, not in the future) freezes the
demo's clock there: the APIs show the company as it stood at that instant, so a run
"at 11:30 this morning" can be reproduced at any hour. It applies to APIs started here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from urllib.parse import urlsplit

import requests

from salesboard.company import CompanyConfig, company
from salesboard.layout import PROJECT_ROOT, DataLayout

DEMO_HEALTH_PATH = "/_demo/health"
DEMO_NOW_VAR = "SALESBOARD_DEMO_NOW"


def demo_root(config: CompanyConfig | None = None) -> str | None:
    """The demo server's root URL (`scheme://host:port` of the vendors' base URLs) when the
    company file switches the demo on, else None. Raises SystemExit when the demo is on and
    the base URLs are unset or do not share one root (the demo serves all four vendors)."""
    config = config or company()
    if not config.demo:
        return None
    names = [source.base_url for source in dict(config.sources).values()]
    roots = set()
    for name in names:
        parts = urlsplit(os.environ.get(name, ""))
        if not parts.scheme or not parts.netloc:
            raise SystemExit(f"demo: true, but {name} is not a URL (see .env.example)")
        roots.add(f"{parts.scheme}://{parts.netloc}")
    if len(roots) != 1:
        joined = ", ".join(names)
        raise SystemExit(f"demo: true needs {joined} on one host and port, got {sorted(roots)}")
    return roots.pop()


def demo_clock_args() -> list[str]:
    """`--clock` for the demo server from `SALESBOARD_DEMO_NOW`, or none when unset. Stops
    with a message for an instant that is naive or in the future: the pipeline fetches up to
    its own now, so a demo clock ahead of it would show records no run can fetch yet."""
    raw = os.environ.get(DEMO_NOW_VAR, "").strip()
    if not raw:
        return []
    try:
        at = datetime.fromisoformat(raw)
    except ValueError:
        raise SystemExit(f"{DEMO_NOW_VAR}={raw!r} is not an ISO instant") from None
    if at.tzinfo is None:
        raise SystemExit(f"{DEMO_NOW_VAR}={raw!r} needs a UTC offset, e.g. +03:00")
    if at > datetime.now(UTC):
        raise SystemExit(f"{DEMO_NOW_VAR}={raw!r} is in the future")
    return ["--clock", at.isoformat()]


def _healthy(root: str) -> bool:
    try:
        return requests.get(root + DEMO_HEALTH_PATH, timeout=2).ok
    except requests.RequestException:
        return False


@contextmanager
def demo_apis(
    layout: DataLayout, timeout: float = 120.0, serve_args: Sequence[str] = ()
) -> Iterator[str | None]:
    """Run the demo vendor APIs for the duration of the block (reusing a running one);
    `serve_args` go to `python -m ingestion.demo serve` (`--config`, `--end-date`), and
    `--clock` when `SALESBOARD_DEMO_NOW` is set."""
    root = demo_root()
    if root is None or _healthy(root):
        yield root
        return
    serve_args = [*serve_args, *demo_clock_args()]
    port = str(urlsplit(root).port or 80)
    log_path = layout.logs / "demo-api.log"
    with log_path.open("ab") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ingestion.demo",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                port,
                *serve_args,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=PROJECT_ROOT,
        )
    try:
        deadline = time.monotonic() + timeout
        while not _healthy(root):
            if server.poll() is not None:
                raise SystemExit(f"demo APIs exited with {server.returncode}; see {log_path}")
            if time.monotonic() > deadline:
                raise SystemExit(f"demo APIs did not answer within {timeout:.0f} s; see {log_path}")
            time.sleep(0.3)
        print(f"demo vendor APIs up at {root} (log: {log_path})", flush=True)
        yield root
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
