"""The morning sales board: renders the `mart_board*` marts for the TV, the chat and files.

Plain Python, no Dagster: the board asset queries the warehouse, calls `from_rows`, then
`publish_board` (and optionally `push_board`). Every figure comes from the marts, the
managers' rank and last week's moves included; this package chooses what to show (whom the
board's mode ranks, which moves are visible and largest) and formats it.
"""

from publishing.board.model import (
    SCHEMA_VERSION,
    BoardContext,
    BoardInputError,
    BoardInputs,
    BoardRow,
    SplitRow,
    TrendPoint,
    from_rows,
)
from publishing.board.publish import publish_board
from publishing.board.push import board_summary, push_board

__all__ = [
    "SCHEMA_VERSION",
    "BoardContext",
    "BoardInputError",
    "BoardInputs",
    "BoardRow",
    "SplitRow",
    "TrendPoint",
    "board_summary",
    "from_rows",
    "publish_board",
    "push_board",
]
