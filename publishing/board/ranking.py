"""Who is shown ranked, in which order, under the board's mode.

The article's readers warned that a full leaderboard demotivates the last in the list and
lets a star coast, so the team picks a mode: `leaderboard` shows everyone's rank;
`top3` ranks only the first three and lists the rest alphabetically, unranked; `team` ranks
nobody. The rank itself is `mart_board.sales_rank` (by month-to-date net sales, equal sales
share a rank: 1, 2, 2, 4, so the board never invents a winner from a tie); the mode only
chooses which ranks are shown. `from_rows` orders the managers here once for every renderer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from publishing.board.model import BoardRow

PODIUM = 3


@dataclass(frozen=True)
class Standing:
    """A manager in display order, with the rank the board's mode shows (else None)."""

    row: BoardRow
    rank: int | None


def standings(ranked: Iterable[tuple[BoardRow, int]], mode: str) -> tuple[Standing, ...]:
    """Managers (each with their `sales_rank`) in display order: ranked ones first by rank,
    equal ranks by name, then unranked by name."""
    by_rank = sorted(ranked, key=lambda pair: (pair[1], *_by_name(pair[0])))
    if mode == "leaderboard":
        return tuple(Standing(row, rank) for row, rank in by_rank)
    podium = [(row, rank) for row, rank in by_rank if mode == "top3" and rank <= PODIUM]
    shown = {row.manager_id for row, _ in podium}
    rest = sorted((row for row, _ in by_rank if row.manager_id not in shown), key=_by_name)
    return tuple(Standing(row, rank) for row, rank in podium) + tuple(
        Standing(row, None) for row in rest
    )


def _by_name(row: BoardRow) -> tuple[str, int]:
    return row.manager_name.casefold(), row.manager_id
