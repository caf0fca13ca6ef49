"""The board's inputs: typed rows of the `mart_board*` marts plus the run's context.

The marts compute every figure, the managers' rank and the week-on-week changes included;
the board only chooses what to show and formats it. These types are the contract between
the two, so the loader is strict: a missing column, a null where the mart promises a value,
a second team row or a row for another day is a `BoardInputError` naming the culprit,
because a board that quietly shows a wrong number on the sales-room TV is worse than a
failed run that alerts the data engineers. Columns the marts add later are ignored, so the
marts can grow ahead of the board. Free text (names, labels, warnings) is passed
through `redact` on the way in, so no renderer can show a phone number or an e-mail.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from decimal import Decimal
from types import UnionType

from publishing.board.ranking import Standing, standings
from publishing.board.redact import redact

SCHEMA_VERSION = 2
LOCALES = ("ru", "en")
MODES = ("leaderboard", "top3", "team")
SPLIT_KINDS = ("tariff", "period")
TEAM_MANAGER_ID = 0


class BoardInputError(ValueError):
    """The mart rows break the board's contract (see the module docstring)."""


@dataclass(frozen=True)
class BoardRow:
    """One `mart_board` row: a manager's month to date, or the team's (`is_team_total`)."""

    as_of_day: date
    manager_id: int
    manager_name: str
    is_team_total: bool
    month_start: date
    is_history_complete: bool  # false: the month began before the landed history
    days_elapsed: int
    days_in_month: int
    mtd_sales_count: int
    mtd_net_sales: Decimal
    plan_rub: Decimal | None
    plan_attainment: float | None
    plan_pace_rub: Decimal | None
    pace_attainment: float | None
    avg_check: Decimal | None
    new_sales_count: int | None  # None: unknown, the revenue history cannot tell yet
    new_net_sales: Decimal | None
    renewal_sales_count: int | None
    renewal_net_sales: Decimal | None
    unknown_type_sales_count: int
    unknown_type_net_sales: Decimal
    signups_mtd: int
    reached_mtd: int
    consultations_mtd: int
    activated_mtd: int
    paid_mtd: int
    reach_rate: float | None
    consultation_rate: float | None
    activation_rate: float | None
    paid_rate: float | None
    stat_forecast_rub: Decimal | None
    stat_forecast_low: Decimal | None
    stat_forecast_high: Decimal | None
    funnel_forecast_rub: Decimal | None
    forecast_to_plan: float | None
    special_sales_count: int
    special_net_sales: Decimal


@dataclass(frozen=True)
class TrendPoint:
    """One `mart_board_trend` row: a manager's (or the team's, id 0) sales on one day."""

    as_of_day: date
    manager_id: int
    day: date
    net_sales: Decimal
    sales_count: int


@dataclass(frozen=True)
class SplitRow:
    """One `mart_board_splits` row: month-to-date sales of one tariff or billing period."""

    as_of_day: date
    manager_id: int
    split_kind: str
    split_value: str
    sales_count: int
    net_sales: Decimal


@dataclass(frozen=True)
class SalesRank:
    """`mart_board.sales_rank` of one row: the manager's place by month-to-date net sales
    (equal sales share a rank); null on the team row. Not a `BoardRow` column: the board
    shows it as each manager's `rank`, and only where its mode ranks them."""

    manager_id: int
    sales_rank: int | None


@dataclass(frozen=True)
class ChangeRow:
    """One `mart_board_changes` row: a `mart_board` figure (`metric`) of a manager (0 = the
    team) against the same day a week earlier. The values are the mart's doubles: a ratio,
    or rubles for a money metric (see `MONEY_COLUMNS`)."""

    as_of_day: date
    metric: str
    manager_id: int
    candidate_order: int
    value_week_ago: float
    value_now: float
    relative_change: float


def _base_type(hint: object) -> type:
    """`int` for `int`, `Decimal` for `Decimal | None`."""
    return typing.get_args(hint)[0] if isinstance(hint, UnionType) else hint


# The board's published columns: board.csv's header and each board row of board.json.
MART_BOARD_COLUMNS = tuple(f.name for f in fields(BoardRow))
MONEY_COLUMNS = frozenset(
    name for name, hint in typing.get_type_hints(BoardRow).items() if _base_type(hint) is Decimal
)
RATIO_COLUMNS = frozenset(
    name for name, hint in typing.get_type_hints(BoardRow).items() if _base_type(hint) is float
)


@dataclass(frozen=True)
class BoardContext:
    """What the board needs besides the marts.

    `generated_at` and the `source_loads` times must be timezone-aware (they are shown in
    Moscow time and written to board.json in UTC; a naive time would be silently shifted).
    `schema_version` is the board.json version the caller expects: only the version this
    code writes is accepted, so upgrading the renderer past a breaking schema change fails
    loudly in the asset instead of surprising board.json's readers.
    """

    as_of_day: date
    generated_at: datetime
    locale: str = "ru"
    mode: str = "leaderboard"
    source_loads: Mapping[str, datetime | None] = field(default_factory=dict)
    warnings: Sequence[str] = ()
    schema_version: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        if self.locale not in LOCALES:
            raise ValueError(f"locale must be one of {LOCALES}, not {self.locale!r}")
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {self.mode!r}")
        if self.schema_version != SCHEMA_VERSION:
            raise ValueError(
                f"this renderer writes board.json schema {SCHEMA_VERSION}, "
                f"not {self.schema_version}"
            )
        object.__setattr__(self, "generated_at", _to_utc(self.generated_at, "generated_at"))
        loads = {
            redact(name): None if moment is None else _to_utc(moment, f"source_loads[{name!r}]")
            for name, moment in sorted(self.source_loads.items())
        }
        object.__setattr__(self, "source_loads", loads)
        object.__setattr__(self, "warnings", tuple(redact(w) for w in self.warnings))


@dataclass(frozen=True)
class BoardInputs:
    """Everything one board shows. `standings` are the managers in display order with the
    rank the board's mode shows, worked out once by `from_rows` for every renderer;
    `change_candidates` are the week-on-week moves "what changed" picks from."""

    context: BoardContext
    team: BoardRow
    standings: tuple[Standing, ...]
    trend: tuple[TrendPoint, ...]
    splits: tuple[SplitRow, ...]
    change_candidates: tuple[ChangeRow, ...]

    @property
    def managers(self) -> tuple[BoardRow, ...]:
        """Every manager's row, in display order."""
        return tuple(s.row for s in self.standings)

    def trend_of(self, manager_id: int) -> tuple[TrendPoint, ...]:
        return tuple(p for p in self.trend if p.manager_id == manager_id)

    def splits_of(self, manager_id: int, kind: str) -> tuple[SplitRow, ...]:
        return tuple(s for s in self.splits if s.manager_id == manager_id and s.split_kind == kind)


def from_rows(
    context: BoardContext,
    board_rows: Iterable[Mapping],
    trend_rows: Iterable[Mapping],
    split_rows: Iterable[Mapping],
    change_rows: Iterable[Mapping] = (),
) -> BoardInputs:
    """Build the board's inputs from rows as DuckDB returns them (dicts of Decimals, dates).

    `board_rows`, `trend_rows`, `split_rows` and `change_rows` are `mart_board`,
    `mart_board_trend`, `mart_board_splits` and `mart_board_changes` filtered to
    `context.as_of_day`.
    """
    board_rows = list(board_rows)
    today = _board_rows(board_rows, context.as_of_day, "mart_board")
    team = [r for r in today if r.is_team_total]
    if len(team) != 1 or team[0].manager_id != TEAM_MANAGER_ID:
        raise BoardInputError(
            f"mart_board needs exactly one team row (manager_id {TEAM_MANAGER_ID}) "
            f"for {context.as_of_day}, found {len(team)}"
        )
    ranked = []
    for row, rank in zip(
        today, (_parse(SalesRank, r, "mart_board") for r in board_rows), strict=True
    ):
        if row.is_team_total:
            continue
        if rank.sales_rank is None:
            raise BoardInputError(f"mart_board.sales_rank (manager {row.manager_id}) is null")
        ranked.append((row, rank.sales_rank))
    known = {r.manager_id for r in today}

    trend = tuple(
        sorted(
            (_parse(TrendPoint, row, "mart_board_trend") for row in trend_rows),
            key=lambda p: (p.manager_id, p.day),
        )
    )
    splits = tuple(
        sorted(
            (_parse(SplitRow, row, "mart_board_splits") for row in split_rows),
            key=lambda s: (s.manager_id, s.split_kind, -s.net_sales, s.split_value),
        )
    )
    changes = tuple(_parse(ChangeRow, row, "mart_board_changes") for row in change_rows)
    for table, items in (
        ("mart_board_trend", trend),
        ("mart_board_splits", splits),
        ("mart_board_changes", changes),
    ):
        for item in items:
            if item.as_of_day != context.as_of_day:
                raise BoardInputError(f"{table} row for {item.as_of_day}, not the board's day")
            if item.manager_id not in known:
                raise BoardInputError(f"{table} row for unknown manager {item.manager_id}")
    for item in splits:
        if item.split_kind not in SPLIT_KINDS:
            raise BoardInputError(f"mart_board_splits: unknown split_kind {item.split_kind!r}")
    for change in changes:
        if change.metric not in MONEY_COLUMNS | RATIO_COLUMNS:
            raise BoardInputError(f"mart_board_changes: unknown metric {change.metric!r}")
    return BoardInputs(
        context=context,
        team=team[0],
        standings=standings(ranked, context.mode),
        trend=trend,
        splits=splits,
        change_candidates=changes,
    )


def _board_rows(rows: Iterable[Mapping], day: date, table: str) -> list[BoardRow]:
    parsed = [_parse(BoardRow, row, table) for row in rows]
    seen: set[int] = set()
    for row in parsed:
        if row.as_of_day != day:
            raise BoardInputError(f"{table} row for {row.as_of_day}, expected {day}")
        if row.manager_id in seen:
            raise BoardInputError(f"{table}: manager {row.manager_id} appears twice for {day}")
        seen.add(row.manager_id)
    return parsed


# What each field type accepts from a DuckDB row; anything else is a contract break.
_ACCEPTS: dict[type, tuple[type, ...]] = {
    int: (int,),
    bool: (bool,),
    str: (str,),
    float: (int, float, Decimal),
    Decimal: (int, float, Decimal),
    date: (date,),
}


def _coerce(base: type, value):
    if base is Decimal:
        # str() first: a float slipping in keeps its shortest repr, not binary noise.
        return value if isinstance(value, Decimal) else Decimal(str(value))
    if base is date:
        return value.date() if isinstance(value, datetime) else value
    if base is str:
        return redact(value)
    return base(value)


def _parse(cls: type, row: Mapping, table: str):
    """One dataclass from one row dict, coerced and null-checked by the field types."""
    values = {}
    for name, hint in typing.get_type_hints(cls).items():
        if name not in row:
            raise BoardInputError(f"{table} row has no column {name!r}")
        value = row[name]
        nullable = isinstance(hint, UnionType)
        base = _base_type(hint)
        where = f"{table}.{name} (manager {row.get('manager_id')!r})"
        if value is None:
            if not nullable:
                raise BoardInputError(f"{where} is null")
            values[name] = None
        elif isinstance(value, _ACCEPTS[base]):
            values[name] = _coerce(base, value)
        else:
            raise BoardInputError(f"{where} has type {type(value).__name__}")
    return cls(**values)


def _to_utc(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got a naive datetime")
    return moment.astimezone(UTC)
