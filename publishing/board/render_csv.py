"""board.csv: the team row then one row per manager, with exactly the mart_board columns.

For people who paste the board into a spreadsheet. Values are machine-readable whatever
the board's locale (ISO dates, `1234567.89`, ratios as fractions), because a spreadsheet
parses `1 234 567 ₽` as text; managers come in the board's display order.
"""

from __future__ import annotations

import csv
import io

from publishing.board.model import MART_BOARD_COLUMNS, BoardInputs
from publishing.board.render_json import json_value


def render_csv(inputs: BoardInputs) -> bytes:
    """UTF-8 CSV with a header row; null is an empty cell, booleans are true/false."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(MART_BOARD_COLUMNS)
    for row in (inputs.team, *inputs.managers):
        cells = (json_value(getattr(row, column)) for column in MART_BOARD_COLUMNS)
        writer.writerow(
            "" if v is None else str(v).lower() if isinstance(v, bool) else v for v in cells
        )
    return buffer.getvalue().encode("utf-8")
