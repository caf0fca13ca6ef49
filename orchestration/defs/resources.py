"""Every resource of the code location, bound to environment variables.

Values are `EnvVar`s, resolved when a run starts, so secrets never sit in the definitions,
the UI or run configs. `make run` / `make dev` fill the environment from `.env` and the demo
defaults in `.env.example`.
"""

import os

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.defs.alerts import ChatResource
from orchestration.defs.board.assets import BoardSettings
from orchestration.defs.ingestion.settings import IngestionSettings
from orchestration.defs.ingestion.vendors import vendor_resources
from orchestration.warehouse_project import salesboard_dbt


def _env_or_default(name: str, default: str = "") -> dg.EnvVar | str:
    """An `EnvVar` when the variable is set (secrets stay out of the definitions), else the
    default, so an unconfigured alert channel is simply silent."""
    return dg.EnvVar(name) if os.environ.get(name) else default


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            **vendor_resources(),
            "ingestion_settings": IngestionSettings(),
            "dbt": DbtCliResource(project_dir=salesboard_dbt),
            "board_settings": BoardSettings(
                locale=_env_or_default("SALESBOARD_BOARD_LOCALE", "ru"),
                mode=_env_or_default("SALESBOARD_BOARD_MODE", "leaderboard"),
                public_base_url=_env_or_default("SALESBOARD_BOARD_PUBLIC_URL"),
            ),
            "chat": ChatResource(
                kind=_env_or_default("SALESBOARD_ALERT_KIND", "slack"),
                url=_env_or_default("SALESBOARD_ALERT_WEBHOOK_URL"),
                telegram_chat_id=_env_or_default("SALESBOARD_ALERT_TELEGRAM_CHAT_ID"),
            ),
        }
    )
