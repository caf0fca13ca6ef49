"""`python -m ingestion.demo <command>`: the demo company's command line."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from pathlib import Path

import orjson

from ingestion.demo.config import load_config
from ingestion.demo.plans import plans, plans_yaml
from ingestion.demo.server import serve
from ingestion.demo.simulation import build_world
from ingestion.demo.truth import daily_truth


def _instant(text: str) -> datetime:
    """An ISO instant with its UTC offset (a naive time would be a guess of the zone)."""
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO instant: {text!r}") from None
    if at.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} needs a UTC offset, e.g. +03:00")
    return at


def _serve(args: argparse.Namespace) -> None:
    serve(args.host, args.port, args.config, args.end_date, args.faults, args.clock)


def _truth(args: argparse.Namespace) -> None:
    """Print the true daily figures of [--from, --to) as JSON lines."""
    world = build_world(load_config(args.config, end_date=args.to))
    for day in daily_truth(world):
        if day.day >= args.from_:
            print(orjson.dumps(day.as_dict()).decode())


def _plans(args: argparse.Namespace) -> None:
    """Print the company file's `plans:` section: every manager's plan through
    `plans.through`."""
    config = load_config(args.config)
    through = config["plans"]["through"]
    world = build_world(load_config(args.config, end_date=through.replace(day=1)))
    print(plans_yaml(plans(world, through)), end="")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ingestion.demo")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="serve the demo vendor APIs over HTTP")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8765)
    run.add_argument("--config", type=Path, help="company config (default: company.yaml)")
    run.add_argument("--end-date", type=date.fromisoformat, help="YYYY-MM-DD, exclusive")
    run.add_argument("--faults", type=Path, help="fault config YAML (default: no faults)")
    run.add_argument(
        "--clock",
        type=_instant,
        help="freeze the APIs' now at this ISO instant with its offset (default: real time)",
    )
    run.set_defaults(handler=_serve)
    truth = commands.add_parser("truth", help="print the true daily figures as JSON lines")
    truth.add_argument("--from", dest="from_", type=date.fromisoformat, required=True)
    truth.add_argument("--to", type=date.fromisoformat, required=True, help="exclusive")
    truth.add_argument("--config", type=Path, help="company config (default: company.yaml)")
    truth.set_defaults(handler=_truth)
    plan = commands.add_parser("plans", help="print the company file's plans (YAML)")
    plan.add_argument("--config", type=Path, help="company config (default: company.yaml)")
    plan.set_defaults(handler=_plans)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    args.handler(args)


if __name__ == "__main__":
    main()
