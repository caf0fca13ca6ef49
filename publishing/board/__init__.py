"""The morning sales board: renders the `mart_board*` marts for the TV, the chat and files.

Plain Python, no Dagster: the board asset queries the warehouse, calls `from_rows`, then
`publish_board` (and optionally `push_board`). Every figure comes from the marts; this
package formats them, ranks managers by the board's mode and compares with last week.
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
