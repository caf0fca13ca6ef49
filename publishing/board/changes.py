""" "What changed": the three largest moves against the same day last week, one sentence each.

Candidates are each manager's reach rate, the team's conversion at each funnel stage, and
the team's statistical and funnel month-end forecasts. Rates and rubles only compare on one
scale, so a move's size is its relative change, |after - before| / |before|: a reach rate
going 52% -> 61% (+17%) and a forecast going 1.2 -> 1.5 million (+25%) rank by the same rule.

Left out, because the sentence would mislead: a figure missing on either day or zero last
week (no relative change); moves invisible once formatted ("from 52% to 52%"); forecasts
when last week fell in another month (they forecast a different month). Ties are broken by
the candidate order above, then manager id, so the panel is the same on every run.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from publishing.board.formatting import Formatter
from publishing.board.model import TEAM_MANAGER_ID, BoardInputs, BoardRow

MAX_CHANGES = 3
TEAM_RATES = ("reach_rate", "consultation_rate", "activation_rate", "paid_rate")
TEAM_FORECASTS = ("stat_forecast_rub", "funnel_forecast_rub")


@dataclass(frozen=True)
class Change:
    """One move. `metric` is a mart_board column; `manager_id` 0 means the team."""

    metric: str
    manager_id: int
    manager_name: str
    before: float | Decimal
    after: float | Decimal
    relative_change: float
    text: str


def what_changed(inputs: BoardInputs, fmt: Formatter) -> tuple[Change, ...]:
    """The `MAX_CHANGES` largest moves, largest first, as localized sentences."""
    candidates: list[tuple[int, Change]] = []

    def consider(order: int, row: BoardRow, metric: str, message: str) -> None:
        previous = inputs.week_ago.get(row.manager_id)
        before = None if previous is None else getattr(previous, metric)
        after = getattr(row, metric)
        if before is None or after is None or before == 0:
            return
        show = fmt.money if isinstance(after, Decimal) else fmt.percent
        if show(before) == show(after):
            return
        direction = "up" if after > before else "down"
        candidates.append(
            (
                order,
                Change(
                    metric=metric,
                    manager_id=row.manager_id,
                    manager_name=row.manager_name,
                    before=before,
                    after=after,
                    relative_change=float((after - before) / before),
                    text=fmt.text(
                        f"change.{message}.{direction}",
                        name=row.manager_name,
                        before=show(before),
                        after=show(after),
                    ),
                ),
            )
        )

    for row in inputs.managers:
        consider(0, row, "reach_rate", "manager_reach")
    for order, metric in enumerate(TEAM_RATES, start=1):
        consider(order, inputs.team, metric, metric)
    team_week_ago = inputs.week_ago.get(TEAM_MANAGER_ID)
    if team_week_ago is not None and team_week_ago.month_start == inputs.team.month_start:
        for order, metric in enumerate(TEAM_FORECASTS, start=1 + len(TEAM_RATES)):
            consider(order, inputs.team, metric, metric)

    candidates.sort(key=lambda c: (-abs(c[1].relative_change), c[0], c[1].manager_id))
    return tuple(change for _, change in candidates[:MAX_CHANGES])
