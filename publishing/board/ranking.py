"""Who is ranked, in which order, under the board's mode.

The article's readers warned that a full leaderboard demotivates the last in the list and
lets a star coast, so the team picks a mode: `leaderboard` ranks everyone by month-to-date
net sales; `top3` ranks only the first three and lists the rest alphabetically, unranked;
`team` ranks nobody. Every renderer takes its order from here so the modes hold everywhere.
Equal sales share a rank (1, 2, 2, 4): the board must not invent a winner from a tie.
"""

from __future__ import annotations

from dataclasses import dataclass

from publishing.board.model import BoardInputs, BoardRow

PODIUM = 3


@dataclass(frozen=True)
class Standing:
    row: BoardRow
    rank: int | None


def standings(inputs: BoardInputs) -> tuple[Standing, ...]:
    """Managers in display order: ranked ones first by rank, then unranked by name."""
    by_sales = sorted(inputs.managers, key=lambda r: (-r.mtd_net_sales, _by_name(r), r.manager_id))
    ranks: dict[int, int] = {}
    for position, row in enumerate(by_sales, start=1):
        previous = by_sales[position - 2] if position > 1 else None
        tied = previous is not None and previous.mtd_net_sales == row.mtd_net_sales
        ranks[row.manager_id] = ranks[previous.manager_id] if tied else position

    mode = inputs.context.mode
    if mode == "leaderboard":
        return tuple(Standing(r, ranks[r.manager_id]) for r in by_sales)
    ranked = [r for r in by_sales if mode == "top3" and ranks[r.manager_id] <= PODIUM]
    rest = sorted((r for r in inputs.managers if r not in ranked), key=_by_name)
    return tuple(Standing(r, ranks[r.manager_id]) for r in ranked) + tuple(
        Standing(r, None) for r in rest
    )


def _by_name(row: BoardRow) -> tuple[str, int]:
    return row.manager_name.casefold(), row.manager_id
