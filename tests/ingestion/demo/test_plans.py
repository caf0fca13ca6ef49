"""The demo's sales plans (ingestion/demo/plans.py) are believable: on the simulator's own
monthly sales, every manager's plan attainment in every month of the default run
(`salesboard run`) lies in 40-200%, and the team's in 80-120%. The demo company file's
plans are the generator's output, so the board reads exactly these plans."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from ingestion.demo.billing import add_months
from ingestion.demo.config import load_config
from ingestion.demo.plans import monthly_sales, plans
from ingestion.demo.simulation import build_world
from salesboard.calendar import history_range
from salesboard.cli import parser

COMPANY_FILE = Path(__file__).resolve().parents[3] / "ingestion" / "demo" / "salesboard.yaml"
MANAGER_BAND = (0.40, 2.00)
TEAM_BAND = (0.80, 1.20)


def _default_run_months() -> list[date]:
    first, last = history_range(parser().parse_args(["run"]).days)
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


@pytest.fixture(scope="module")
def months() -> list[date]:
    months = _default_run_months()
    through = load_config()["plans"]["through"]
    assert months[-1] <= through, (
        f"the demo's plans end at {through}: raise company.yaml plans.through and put "
        "`python -m ingestion.demo plans` in ingestion/demo/salesboard.yaml"
    )
    return months


@pytest.fixture(scope="module")
def world(months):
    """The demo through the month after the default run's last month: its months whole, and
    their payments' refunds (at most 14 days later) landed."""
    return build_world(load_config(end_date=add_months(months[-1], 2)))


@pytest.fixture(scope="module")
def seed() -> dict[tuple[int, date], Decimal]:
    """The plans as the demo company file states them (read as YAML, not by the product)."""
    stated = yaml.safe_load(COMPANY_FILE.read_text(encoding="utf-8"))["plans"]
    return {
        (int(manager), date.fromisoformat(f"{month}-01")): Decimal(rub)
        for manager, months in stated.items()
        for month, rub in months.items()
    }


def test_the_seed_is_the_generators_output(world, months, seed):
    """Same seed, same plans: regenerated from the simulation, every plan up to the default
    run's last month equals the committed seed's (a plan reads only history before its month,
    so a longer simulation reproduces the seed's prefix)."""
    generated = {(m, month): plan for m, month, plan in plans(world, months[-1])}
    assert generated == {key: plan for key, plan in seed.items() if key[1] <= months[-1]}


def test_attainment_is_believable_in_every_month_of_the_default_run(world, months, seed):
    sales = monthly_sales(world)
    managers = [m["user_id"] for m in world.config["managers"]]
    for month in months:
        net = {m: sales[m, month].net_rub for m in managers}
        for manager in managers:
            attainment = net[manager] / float(seed[manager, month])
            assert MANAGER_BAND[0] <= attainment <= MANAGER_BAND[1], (manager, month, attainment)
        team = sum(net.values()) / float(sum(seed[m, month] for m in managers))
        assert TEAM_BAND[0] <= team <= TEAM_BAND[1], (month, team)
