"""`salesboard`: the one console script (declared in pyproject.toml; `make` calls it).

    salesboard run [--days N]            # the last N days (default 120), payments a year more
    salesboard backfill --from A --to B  # any past range of days as one run
    salesboard check                     # the company file against its vendor accounts
    salesboard discover [--out FILE]     # what the accounts hold, as a starter company file
    salesboard dev [--port P]            # the Dagster UI, with the demo APIs running
    salesboard prepare                   # dbt parse: the manifest Dagster loads
    salesboard docs [--port P]           # the dbt docs site on loopback
    salesboard dbt <dbt args>            # dbt on this project with the calendar's vars

Settings come from the environment, then `.env`, then `.env.example` (`settings`); the
company from its file (`salesboard.company`, `SALESBOARD_CONFIG`). The demo vendor APIs
are started for `run`, `backfill`, `check`, `discover` and `dev` when that file says
`demo: true` (`demo`). Runs go through Dagster (`orchestration.execution`), so they show in its UI.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from salesboard.accounts import CONVENTIONAL_SOURCES, MissingCredentials, vendor_clients
from salesboard.calendar import history_range, payments_lead_in
from salesboard.cli.demo import demo_apis
from salesboard.cli.settings import load_settings
from salesboard.company import CompanyConfigError, company
from salesboard.dbt import dbt_command, run_dbt
from salesboard.layout import PROJECT_ROOT, DataLayout, current_engine

if TYPE_CHECKING:
    from orchestration.execution import RunOutcome


def prepare() -> int:
    """Parse the dbt project into `target/manifest.json` before any run or code location
    loads it (`make` does this once; parsing inside parallel runs would race)."""
    load_settings()
    from orchestration.warehouse_project import salesboard_dbt

    salesboard_dbt.preparer.prepare(salesboard_dbt)
    print(f"dbt manifest ready: {salesboard_dbt.manifest_path}")
    return 0


def docs(port: int) -> int:
    """Generate the dbt docs site (with the warehouse's catalog once `salesboard run` built
    it) and serve it on loopback."""
    layout = load_settings()
    generate = ["docs", "generate"]
    if not layout.warehouse_db.exists():
        print("no warehouse yet (salesboard run builds it): the docs have no column statistics")
        generate.append("--empty-catalog")
    subprocess.run(dbt_command(generate), check=True)
    print(f"dbt docs on http://127.0.0.1:{port}")
    serve = ["docs", "serve", "--host", "127.0.0.1", "--port", str(port), "--no-browser"]
    return subprocess.call(dbt_command(serve))


def run_range(first: date, last: date, lead_in: date | None = None) -> int:
    """Run the daily job over [first, last] as one Dagster run, with the demo APIs when
    configured; the exit code. With `lead_in`, the payment streams are first landed over
    [lead_in, first) in a run of their own, and the warehouse is then built over every
    landed day, so the revenue figures of the days shown are complete (DECISIONS.md,
    "History and completeness")."""
    from orchestration.execution import LEAD_IN_STREAMS, run_days
    from salesboard.cli.console import ProgressLine, report

    prepare()
    layout = load_settings()
    days = (last - first).days + 1
    engine_log = layout.logs / f"engines-{datetime.now(UTC):%Y%m%dT%H%M%S}.log"
    console = sys.stdout
    with demo_apis(layout), _engines_to(engine_log):
        if lead_in is not None:
            print(f"landing payments and refunds for {lead_in} .. {first - timedelta(1)}"
                  " (the history's lead-in)", file=console, flush=True)  # fmt: skip
            line = ProgressLine(console)
            outcome = run_days(lead_in, first - timedelta(1), line, streams=LEAD_IN_STREAMS)
            line.close()
            if not outcome.success:
                return report(outcome, _write_log(layout, outcome), console)
        print(f"running the daily pipeline for {first} .. {last} ({days} days)", file=console,
              flush=True)  # fmt: skip
        line = ProgressLine(console)
        outcome = run_days(first, last, line, whole_history=lead_in is not None)
        line.close()
    print(f"dbt's and the engines' own output: {engine_log}")
    return report(outcome, _write_log(layout, outcome))


@contextmanager
def _engines_to(path: Path) -> Iterator[None]:
    """For the length of a run, what the engines print (dbt's line per node, which
    dagster-dbt echoes to stdout) goes to `path`, without colour codes; the console keeps
    the progress line and the report, which hold their own stream. PySpark's warning about
    pandas is silenced on a DuckDB run, which does not use Spark (Great Expectations
    imports it)."""
    saved = os.environ.get("DBT_USE_COLORS")
    os.environ["DBT_USE_COLORS"] = "false"
    with path.open("a", encoding="utf-8") as log, warnings.catch_warnings():
        if current_engine() == "duckdb":
            warnings.filterwarnings("ignore", category=FutureWarning, module=r"pyspark\.")
        with redirect_stdout(log):
            try:
                yield
            finally:
                if saved is None:
                    os.environ.pop("DBT_USE_COLORS", None)
                else:
                    os.environ["DBT_USE_COLORS"] = saved


def _write_log(layout: DataLayout, outcome: RunOutcome) -> Path:
    log_path = layout.logs / f"run-{outcome.run_id}.log"
    log_path.write_text("\n".join(outcome.log_lines) + "\n", encoding="utf-8")
    return log_path


def check_accounts() -> int:
    """`salesboard check`: print every finding; 0 when none failed, else 1."""
    from salesboard.check import check, render

    layout = load_settings()
    config = company()
    with demo_apis(layout):
        clients = vendor_clients(config.sources)
        try:
            findings = check(config, clients)
        finally:
            for client in clients.values():
                client.close()
    print(render(findings))
    failed = sum(f.status == "fail" for f in findings)
    print(f"{len(findings)} checks, {failed} failed" if failed else f"{len(findings)} passed")
    return 1 if failed else 0


def discover_accounts(out: Path | None) -> int:
    """`salesboard discover`: what the accounts behind `.env`'s conventional variables hold,
    as a starter company file written to `out` (never over an existing file) or printed."""
    from salesboard.discover import discover, starter_config

    if out is not None and out.exists():
        raise SystemExit(f"{out} exists: discover writes a new file (move it, or pick --out)")
    layout = load_settings()
    with demo_apis(layout):
        clients = vendor_clients(CONVENTIONAL_SOURCES)
        try:
            text = starter_config(discover(clients))
        finally:
            for client in clients.values():
                client.close()
    if out is None:
        print(text, end="")
    else:
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out}: edit its TODOs, then `salesboard check` with SALESBOARD_CONFIG={out}")
    return 0


def dev(port: int) -> int:
    prepare()
    layout = load_settings()
    with demo_apis(layout):
        dg = os.path.join(os.path.dirname(sys.executable), "dg")
        command = [dg, "dev", "--host", "127.0.0.1", "--port", str(port)]
        return subprocess.call(command, cwd=PROJECT_ROOT)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {text!r}") from None


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="salesboard", description=__doc__.split("\n\n")[0])
    sub = root.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser(
        "run", help="run the pipeline over the last N days (payments from a billing period before)"
    )
    run_parser.add_argument("--days", type=int, default=120, help="days of history (default 120)")
    backfill = sub.add_parser("backfill", help="run the pipeline over a past range of days")
    backfill.add_argument("--from", dest="first", type=_day, required=True, metavar="YYYY-MM-DD")
    backfill.add_argument("--to", dest="last", type=_day, required=True, metavar="YYYY-MM-DD")
    sub.add_parser("check", help="check the company file against its vendor accounts")
    discover_parser = sub.add_parser("discover", help="write a starter company file")
    discover_parser.add_argument("--out", type=Path, help="the file to write (default: print)")
    dev_parser = sub.add_parser("dev", help="Dagster UI with the demo APIs running")
    dev_parser.add_argument("--port", type=int, default=3000)
    sub.add_parser("prepare", help="parse the dbt project (the manifest Dagster loads)")
    docs_parser = sub.add_parser("docs", help="generate and serve the dbt docs on loopback")
    docs_parser.add_argument("--port", type=int, default=8080)
    dbt_parser = sub.add_parser("dbt", help="dbt on this project, with the calendar's vars")
    dbt_parser.add_argument("dbt_args", nargs=argparse.REMAINDER)
    return root


def main(argv: list[str] | None = None) -> int:
    """Run one command; a missing or invalid company file, or unset credentials, stop it
    with their message (no traceback)."""
    args = parser().parse_args(argv)
    _stop_signals_stop()
    try:
        return _dispatch(args)
    except (CompanyConfigError, MissingCredentials) as error:
        raise SystemExit(f"salesboard {args.command}: {error}") from None


def _stop_signals_stop() -> None:
    """SIGINT and SIGTERM stop this process and everything it starts, even when it was
    started with them ignored. A non-interactive shell starts a background job
    (`salesboard dev &`, a CI script) with SIGINT ignored, and Dagster maps SIGTERM to
    whatever SIGINT does (`dagster._utils.interrupts.setup_interrupt_handlers`), so `dg dev`,
    its daemon and the docs server would ignore `kill` too; an ignored signal survives
    `exec`, a handler does not."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if signal.getsignal(signal.SIGTERM) is signal.SIG_IGN:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "run":
        first, last = history_range(args.days)
        return run_range(first, last, lead_in=payments_lead_in(first))
    if args.command == "backfill":
        if args.last < args.first:
            raise SystemExit(f"--to {args.last} is before --from {args.first}")
        return run_range(args.first, args.last)
    if args.command == "prepare":
        return prepare()
    if args.command == "docs":
        return docs(args.port)
    if args.command == "check":
        return check_accounts()
    if args.command == "discover":
        return discover_accounts(args.out)
    if args.command == "dbt":
        load_settings()
        return run_dbt(args.dbt_args)
    return dev(args.port)


if __name__ == "__main__":
    sys.exit(main())
