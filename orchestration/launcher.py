"""`make run` and `make dev`: start the demo vendor APIs, then run or serve the pipeline.

    python -m orchestration.launcher run [--days N]   # ingest the demo history, then stop
    python -m orchestration.launcher dev              # Dagster UI with the demo APIs running
    python -m orchestration.launcher prepare          # dbt parse: the manifest Dagster loads
    python -m orchestration.launcher docs             # dbt docs site on loopback

Settings come from the environment, then `.env`, then `.env.example` (the demo defaults),
so a fresh clone runs with no set-up and real vendors are configuration only. The demo
server is started only when a base URL points at it and nothing answers there yet.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from urllib.parse import urlsplit

import requests
from dotenv import load_dotenv

from ingestion.paths import PROJECT_ROOT, DataLayout, data_layout

DEMO_HEALTH_PATH = "/_demo/health"
BASE_URL_VARS = ("TELPHIN_BASE_URL", "AMOCRM_BASE_URL", "YOOKASSA_BASE_URL", "AMPLITUDE_BASE_URL")


def load_settings() -> DataLayout:
    """Fill the environment from `.env` then `.env.example` without overriding what is set."""
    for name in (".env", ".env.example"):
        load_dotenv(PROJECT_ROOT / name, override=False)
    layout = data_layout().ensure()
    os.environ["SALESBOARD_DATA_DIR"] = str(layout.root)
    os.environ.setdefault("DAGSTER_HOME", str(layout.dagster_home))
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    # A single-run backfill logs one "planned" event per asset, not one per asset and day:
    # on SQLite each is a commit (10-40 ms here), and a year is 4,745 of them. Dagster's
    # trade-off: the days of a failed backfill show as missing, not failed (the run and
    # the failure alert still say what failed).
    os.environ.setdefault("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", "true")
    _write_instance_config(layout)
    return layout


def _write_instance_config(layout: DataLayout) -> None:
    """Dagster's instance lives in the data directory; telemetry off, pools declared."""
    config = layout.dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text(
            "telemetry:\n  enabled: false\nconcurrency:\n  pools:\n    default_limit: 1\n",
            encoding="utf-8",
        )


def demo_root() -> str | None:
    """The demo server's root URL when any vendor base URL points at it, else None."""
    for var in BASE_URL_VARS:
        url = os.environ.get(var, "")
        parts = urlsplit(url)
        if parts.hostname in {"127.0.0.1", "localhost"}:
            return f"{parts.scheme}://{parts.netloc}"
    return None


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
    `serve_args` go to `python -m ingestion.demo serve` (`--config`, `--end-date`)."""
    root = demo_root()
    if root is None or _healthy(root):
        yield root
        return
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


def prepare() -> int:
    """Parse the dbt project into `target/manifest.json` before any run or code location
    loads it (`make` does this once; parsing inside parallel runs would race)."""
    load_settings()
    from orchestration.warehouse_project import salesboard_dbt

    salesboard_dbt.preparer.prepare(salesboard_dbt)
    print(f"dbt manifest ready: {salesboard_dbt.manifest_path}")
    return 0


def docs(port: int) -> int:
    """Generate the dbt docs site (with the warehouse's catalog once `make run` built it)
    and serve it on loopback."""
    layout = load_settings()
    from orchestration.warehouse_project import DBT_PROJECT_DIR

    dbt = [os.path.join(os.path.dirname(sys.executable), "dbt")]
    common = ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    generate = [*dbt, "docs", "generate", *common]
    if not layout.warehouse_db.exists():
        print("no warehouse yet (make run builds it): the docs have no column statistics")
        generate.append("--empty-catalog")
    subprocess.run(generate, check=True)
    print(f"dbt docs on http://127.0.0.1:{port}")
    serve = [*dbt, "docs", "serve", *common, "--host", "127.0.0.1", "--port", str(port)]
    return subprocess.call([*serve, "--no-browser"])


def run(days: int) -> int:
    from orchestration.runner import run_history

    prepare()
    layout = load_settings()
    with demo_apis(layout):
        return run_history(layout, days=days)


def dev(port: int) -> int:
    prepare()
    layout = load_settings()
    with demo_apis(layout):
        command = ["dg", "dev", "--host", "127.0.0.1", "--port", str(port)]
        bin_dir = os.path.dirname(sys.executable)
        return subprocess.call([os.path.join(bin_dir, command[0]), *command[1:]], cwd=PROJECT_ROOT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.launcher")
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run", help="ingest the demo history through Dagster")
    run_parser.add_argument("--days", type=int, default=120, help="days of history (default 120)")
    dev_parser = sub.add_parser("dev", help="Dagster UI with the demo APIs running")
    dev_parser.add_argument("--port", type=int, default=3000)
    sub.add_parser("prepare", help="parse the dbt project (manifest for Dagster)")
    docs_parser = sub.add_parser("docs", help="generate and serve the dbt docs on loopback")
    docs_parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)
    if args.command == "run":
        return run(args.days)
    if args.command == "prepare":
        return prepare()
    if args.command == "docs":
        return docs(args.port)
    return dev(args.port)


if __name__ == "__main__":
    sys.exit(main())
