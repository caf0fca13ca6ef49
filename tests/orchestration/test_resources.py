"""The board's and the chat's settings reach a run from the environment (README, "The
board" and "Schedules": SALESBOARD_BOARD_* and SALESBOARD_ALERT_*), resolved by Dagster when
the run starts, and fall back to the README's defaults when unset."""

from __future__ import annotations

import dagster as dg
import pytest

from orchestration.defs.alerts import ChatResource
from orchestration.defs.board.assets import BoardSettings
from orchestration.defs.resources import resources

VARIABLES = {
    "SALESBOARD_BOARD_LOCALE": "en",
    "SALESBOARD_BOARD_MODE": "top3",
    "SALESBOARD_BOARD_PUBLIC_URL": "https://boards.example.com/sales",
    "SALESBOARD_ALERT_KIND": "telegram",
    "SALESBOARD_ALERT_WEBHOOK_URL": "https://api.telegram.org/bot123:SECRET",
    "SALESBOARD_ALERT_TELEGRAM_CHAT_ID": "-10042",
}


def _settings_a_run_sees() -> dict[str, str]:
    """Materialize an asset that reads the code location's board and chat resources."""
    seen: dict[str, str] = {}

    @dg.asset
    def probe(board_settings: BoardSettings, chat: ChatResource) -> None:
        seen.update(
            SALESBOARD_BOARD_LOCALE=board_settings.locale,
            SALESBOARD_BOARD_MODE=board_settings.mode,
            SALESBOARD_BOARD_PUBLIC_URL=board_settings.public_base_url,
            SALESBOARD_ALERT_KIND=chat.kind,
            SALESBOARD_ALERT_WEBHOOK_URL=chat.url,
            SALESBOARD_ALERT_TELEGRAM_CHAT_ID=chat.telegram_chat_id,
        )

    defined = resources().resources
    bound = {name: defined[name] for name in ("board_settings", "chat")}
    assert dg.materialize([probe], resources=bound).success
    return seen


def test_every_board_and_alert_variable_reaches_the_run(monkeypatch):
    for name, value in VARIABLES.items():
        monkeypatch.setenv(name, value)
    assert _settings_a_run_sees() == VARIABLES


@pytest.mark.parametrize("name", sorted(VARIABLES))
def test_unset_variables_take_the_readmes_defaults(monkeypatch, name):
    for unset in VARIABLES:
        monkeypatch.delenv(unset, raising=False)
    monkeypatch.setenv(name, VARIABLES[name])
    defaults = {
        "SALESBOARD_BOARD_LOCALE": "ru",
        "SALESBOARD_BOARD_MODE": "leaderboard",
        "SALESBOARD_BOARD_PUBLIC_URL": "",
        "SALESBOARD_ALERT_KIND": "slack",
        "SALESBOARD_ALERT_WEBHOOK_URL": "",  # no URL: silence
        "SALESBOARD_ALERT_TELEGRAM_CHAT_ID": "",
    }
    assert _settings_a_run_sees() == defaults | {name: VARIABLES[name]}
