"""board.json: the board as data, for anything that is not a person at a screen.

The schema is documented in SCHEMA.md beside this module and versioned by
`schema_version`: fields may be added within a version; renaming, removing or retyping one
bumps it. Money is a string with two decimals (exact, as the marts' decimal(18,2); parse
it with Decimal, never float); ratios are numbers or null; dates are ISO, times ISO UTC.
Output is deterministic (fixed key order, no set iteration), so publishing can tell an
unchanged board by comparing bytes.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal

import orjson

from publishing.board.changes import what_changed
from publishing.board.formatting import Formatter
from publishing.board.model import SCHEMA_VERSION, BoardInputs
from publishing.board.render_html import manager_page


def json_value(value: object) -> object:
    """One mart value as board.json (and board.csv) write it."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _record(item: object) -> dict[str, object]:
    return {f.name: json_value(getattr(item, f.name)) for f in fields(item)}


def board_document(inputs: BoardInputs) -> dict[str, object]:
    """The board.json document as a dict (see SCHEMA.md)."""
    context = inputs.context
    fmt = Formatter(context.locale)
    managers = [
        {"rank": s.rank, "page": manager_page(s.row.manager_id), **_record(s.row)}
        for s in inputs.standings
    ]
    changes = [
        {
            "metric": c.metric,
            "manager_id": c.manager_id,
            "manager_name": c.manager_name,
            "before": json_value(c.before),
            "after": json_value(c.after),
            "relative_change": c.relative_change,
            "text": c.text,
        }
        for c in what_changed(inputs, fmt)
    ]
    return {
        "schema_version": SCHEMA_VERSION,
        "as_of": json_value(context.as_of_day),
        "generated_at": json_value(context.generated_at),
        "locale": context.locale,
        "mode": context.mode,
        "team": _record(inputs.team),
        "managers": managers,
        "trend": [_record(p) for p in inputs.trend],
        "splits": [_record(s) for s in inputs.splits],
        "changes": changes,
        "footer": {
            "sources": [
                {"source": name, "last_load": json_value(moment)}
                for name, moment in context.source_loads.items()
            ],
            "warnings": list(context.warnings),
        },
    }


def render_json(inputs: BoardInputs) -> bytes:
    """board.json bytes: UTF-8, indented for people who open it, newline-terminated."""
    return orjson.dumps(board_document(inputs), option=orjson.OPT_INDENT_2) + b"\n"
