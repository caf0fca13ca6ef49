"""Rules the product and the demo (or the test side's truth) each hold, pinned to the text
they come from. A wrong value held on both sides would cancel out in every comparison with
the demo's truth, so each is read here from its source document: the article's standards
(`/work/shared/domain.md`), the vendors' documented limits (`vendor-apis.md`) and the
project's own decisions (`dbt_project/DECISIONS.md`) where the rule is a business setting.

The ids of the demo accounts (pipeline, stages, users, extensions) are pinned by
`salesboard check` against what the demo's vendor APIs serve
(tests/salesboard/test_check.py), not here.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from ingestion.amocrm import AmoCrmClient
from ingestion.demo.config import load_config
from salesboard.company import load_company
from salesboard.layout import PROJECT_ROOT
from tests.support.funnel_truth import MIN_TALK_SECONDS, MOSCOW

SHARED = Path("/work/shared")
DECISIONS = (PROJECT_ROOT / "dbt_project" / "DECISIONS.md").read_text(encoding="utf-8")
DBT_VARS = yaml.safe_load((PROJECT_ROOT / "dbt_project" / "dbt_project.yml").read_text())["vars"]


def _number(text: str, pattern: str) -> int:
    found = re.search(pattern, text, flags=re.DOTALL)
    assert found, f"the source no longer states {pattern!r}"
    return int(found.group(1))


def test_reached_from_sixty_seconds_of_talk_as_the_article_says():
    domain = (SHARED / "domain.md").read_text(encoding="utf-8")
    seconds = _number(domain, r"Reached.*?at least (\d+) seconds")
    assert seconds == 60
    assert DBT_VARS["reached_min_talk_seconds"] == seconds  # the product
    assert seconds == MIN_TALK_SECONDS  # the test side's funnel truth


def test_the_ring_standard_is_the_articles_six_rings():
    domain = (SHARED / "domain.md").read_text(encoding="utf-8")
    assert DBT_VARS["min_rings_standard"] == _number(domain, r"at least (\d+) rings")


def test_the_renewal_grace_is_the_documented_seven_days_on_both_sides():
    documented = _number(DECISIONS, r"`renewal_grace_days` \((\d+)")
    assert documented == 7
    assert DBT_VARS["renewal_grace_days"] == documented  # the product's churn and renewals
    # The simulator's truth (`ingestion/demo/truth.py`, `churn_days`) waits the same grace.
    assert load_config()["churn"]["renewal_grace_days"] == documented


def test_the_business_day_is_moscows_in_the_demo_company_and_its_simulator():
    """The demo company's business day (the board's day) is Moscow's: the company file the
    pipeline reads, the simulator that makes the records and the test side's truth agree."""
    company = load_company(PROJECT_ROOT / "ingestion" / "demo" / "salesboard.yaml")
    assert company.time_zone == MOSCOW.key == "Europe/Moscow"
    assert load_config().business_tz == MOSCOW.key


def test_the_amocrm_client_stays_under_the_documented_rate_limit():
    vendor = (SHARED / "vendor-apis.md").read_text(encoding="utf-8")
    limit = _number(vendor, r"Limits: (\d+) requests/s per integration")
    default = AmoCrmClient.__init__.__kwdefaults__["requests_per_second"]
    assert 0 < default <= limit
