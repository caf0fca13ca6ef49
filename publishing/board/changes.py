""" "What changed": the three largest moves against the same day last week, one sentence each.

The moves come from `mart_board_changes`, which holds every candidate: each manager's reach
rate, the team's conversion at each funnel stage, and the team's statistical and funnel
month-end forecasts, each with its relative change (after - before) / before, so a reach
rate going 52% -> 61% (+17%) and a forecast going 1.2 -> 1.5 million (+25%) rank by the
same rule. The mart leaves out what cannot be compared (a figure missing on either day,
zero last week, a forecast of another month); the board keeps only the display rules:

- a move invisible once formatted ("from 52% to 52%") is dropped: the sentence would mislead;
- the `MAX_CHANGES` largest by |relative change| are shown, largest first, ties broken by
  the mart's `candidate_order`, then manager id, so the panel is the same on every run.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from publishing.board.formatting import Formatter
from publishing.board.model import MONEY_COLUMNS, TEAM_MANAGER_ID, BoardInputs, ChangeRow

MAX_CHANGES = 3
# A manager's figure has its own sentence (it names them); the team's is the metric's.
MANAGER_SENTENCES = {"reach_rate": "manager_reach"}


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
    """The `MAX_CHANGES` largest visible moves, largest first, as localized sentences."""
    visible = [move for move in inputs.change_candidates if _visible(move, fmt)]
    visible.sort(key=lambda m: (-abs(m.relative_change), m.candidate_order, m.manager_id))
    names = {row.manager_id: row.manager_name for row in (inputs.team, *inputs.managers)}
    return tuple(_sentence(move, names[move.manager_id], fmt) for move in visible[:MAX_CHANGES])


def _values(move: ChangeRow) -> tuple[float | Decimal, float | Decimal]:
    """Before and after as mart_board types them: a money figure's double holds its
    decimal(18,2) exactly enough to come back through its shortest repr."""
    if move.metric in MONEY_COLUMNS:
        return Decimal(repr(move.value_week_ago)), Decimal(repr(move.value_now))
    return move.value_week_ago, move.value_now


def _shown(move: ChangeRow, fmt: Formatter) -> tuple[str, str]:
    """Before and after as the sentence shows them."""
    show = fmt.money if move.metric in MONEY_COLUMNS else fmt.percent
    before, after = _values(move)
    return show(before), show(after)


def _visible(move: ChangeRow, fmt: Formatter) -> bool:
    """False for a move that vanishes once formatted ("from 52% to 52%")."""
    before, after = _shown(move, fmt)
    return before != after


def _sentence(move: ChangeRow, name: str, fmt: Formatter) -> Change:
    before, after = _values(move)
    shown_before, shown_after = _shown(move, fmt)
    direction = "up" if after > before else "down"
    team = move.manager_id == TEAM_MANAGER_ID
    message = move.metric if team else MANAGER_SENTENCES[move.metric]
    return Change(
        metric=move.metric,
        manager_id=move.manager_id,
        manager_name=name,
        before=before,
        after=after,
        relative_change=move.relative_change,
        text=fmt.text(
            f"change.{message}.{direction}", name=name, before=shown_before, after=shown_after
        ),
    )
