"""The user's error behind Dagster's wrapper, for messages people read (console, chat)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dagster_shared.error import SerializableErrorInfo


def root_message(error: SerializableErrorInfo) -> str:
    """The first line of the innermost cause: `SourceAuthError: telphin: 401 ...`, not
    `DagsterExecutionStepExecutionError: Error occurred while executing op ...`."""
    while error.cause is not None:
        error = error.cause
    lines = error.message.strip().splitlines()
    return lines[0] if lines else error.cls_name or "unknown error"
