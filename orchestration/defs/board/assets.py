"""The board snapshot and the serving copy: the last steps of the daily pipeline.

Both only read the warehouse, after dbt and its blocking checks: a failed blocking check
anywhere upstream stops the run before them, so no new snapshot is published and
`boards/latest` keeps pointing at the last good one. They share dbt's `warehouse` pool so
they never open the DuckDB file while a dbt run writes it.
"""

from datetime import UTC, datetime

import dagster as dg

from ingestion.streams import STREAMS
from orchestration.defs.alerts import ChatResource
from orchestration.defs.partitions import daily_partitions
from orchestration.defs.warehouse.assets import warehouse
from publishing.board import BoardContext, from_rows, publish_board, push_board
from publishing.board.warehouse import read_board_rows
from publishing.chat import target_from_settings
from publishing.marts import MartsSource
from publishing.serving import publish_serving
from salesboard.calendar import days_between
from salesboard.layout import data_layout

LANDING_KEYS = [dg.AssetKey([spec.source, spec.name]) for spec in STREAMS.values()]
BOARD_MARTS = [dg.AssetKey(["marts", name]) for name in ("mart_board", "mart_board_trend",
                                                          "mart_board_splits",
                                                          "mart_board_changes")]  # fmt: skip


class BoardSettings(dg.ConfigurableResource):
    """How the board looks: `locale` ru|en, `mode` leaderboard|top3|team; a public URL
    of the boards folder, if any, is linked from chat pushes."""

    locale: str = "ru"
    mode: str = "leaderboard"
    public_base_url: str = ""


def source_loads(instance: dg.DagsterInstance) -> dict[str, datetime | None]:
    """Each source's last successful load: the oldest of its streams' latest loads, so one
    stale stream makes its source look stale."""
    loads: dict[str, datetime | None] = {}
    for key in LANDING_KEYS:
        event = instance.get_latest_materialization_event(key)
        moment = datetime.fromtimestamp(event.timestamp, UTC) if event else None
        source = key.path[0]
        if source not in loads:
            loads[source] = moment
        elif loads[source] is not None:
            loads[source] = None if moment is None else min(loads[source], moment)
    return loads


def check_warnings(instance: dg.DagsterInstance, keys) -> list[str]:
    """Latest evaluations of non-blocking checks that failed: the board's footer shows them."""
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(list(keys))
    warnings = []
    for key, record in sorted(latest.items(), key=lambda item: item[0].to_user_string()):
        evaluation = record.event.dagster_event.event_specific_data if record.event else None
        if evaluation is not None and not evaluation.passed:
            warnings.append(f"{key.asset_key.to_user_string()}: {key.name}")
    return warnings


@dg.asset(
    key=["board", "snapshot"],
    group_name="board",
    deps=BOARD_MARTS,
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool="warehouse",
    kinds={"html", "python"},
    description="The morning board for the run's last day: data/boards/<day>/ "
    "(board.json, index.html, manager pages, board.png, board.csv), then boards/latest.",
)
def board_snapshot(
    context: dg.AssetExecutionContext, board_settings: BoardSettings, chat: ChatResource
) -> dg.MaterializeResult:
    layout = data_layout().ensure()
    run_window = context.partition_time_window
    as_of_day = days_between(run_window.start, run_window.end)[-1]
    loads = source_loads(context.instance)
    known = [moment for moment in loads.values() if moment is not None]
    graph_checks = context.job_def.asset_layer.asset_graph.asset_check_keys
    board_context = BoardContext(
        as_of_day=as_of_day,
        generated_at=max(known) if known else datetime.now(UTC),  # stable: reruns are no-ops
        locale=board_settings.locale,
        mode=board_settings.mode,
        source_loads=loads,
        warnings=check_warnings(context.instance, graph_checks),
    )
    inputs = from_rows(board_context, **read_board_rows(MartsSource.of(layout), as_of_day))
    folder = publish_board(layout.boards, inputs)
    target = target_from_settings(chat.kind, chat.url, chat.telegram_chat_id)
    if target is not None:
        push_board(target, inputs, folder, board_settings.public_base_url or None)
    context.log.info(f"board for {as_of_day} published: {folder}")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(folder)),
            "as_of_day": as_of_day.isoformat(),
            "managers": len(inputs.managers),
            "mtd_net_sales": float(inputs.team.mtd_net_sales),
            "warnings": len(board_context.warnings),
        }
    )


@dg.asset(
    key=["serving", "warehouse"],
    group_name="board",
    deps=[key for key in warehouse.keys if key.path[0] == "marts"],
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool="warehouse",
    kinds={"duckdb"},
    description="data/serving/salesboard.duckdb: every mart, swapped in atomically for BI "
    "tools, which open it read-only while the pipeline runs.",
)
def serving_warehouse(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    layout = data_layout().ensure()
    result = publish_serving(MartsSource.of(layout), layout.serving_db)
    context.log.info(f"served {len(result.tables)} marts at {result.path}")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(result.path)),
            "tables": dg.MetadataValue.json(result.tables),
            "bytes": result.bytes,
        }
    )
