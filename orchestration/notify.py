"""Posting a short text to the team's chat: a Slack incoming webhook or the Telegram Bot API.

Plain functions (no Dagster imports) so the run-failure sensor and the board push share
them and tests can aim them at a local fake endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests


@dataclass(frozen=True)
class ChatTarget:
    """Where to post. `kind` is "slack" (an incoming-webhook URL) or "telegram" (the Bot API
    base `https://api.telegram.org/bot<token>` and a chat id)."""

    kind: str
    url: str
    chat_id: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in {"slack", "telegram"}:
            raise ValueError(f"chat kind must be slack or telegram, not {self.kind!r}")
        if self.kind == "telegram" and not self.chat_id:
            raise ValueError("telegram needs a chat id")


class ChatPostError(RuntimeError):
    """A post failed. The message never carries the URL: webhook and bot URLs are secrets."""


def post_text(target: ChatTarget, text: str, timeout: float = 10.0) -> None:
    """Send one message; raise `ChatPostError` on a non-2xx answer or a network error."""
    if target.kind == "slack":
        url, body = target.url, {"text": text}
    else:
        url = f"{target.url.rstrip('/')}/sendMessage"
        body = {"chat_id": target.chat_id, "text": text, "disable_web_page_preview": True}
    try:
        response = requests.post(url, json=body, timeout=timeout)
    except requests.RequestException as exc:
        raise ChatPostError(f"{target.kind} post failed: {type(exc).__name__}") from None
    if not response.ok:
        raise ChatPostError(f"{target.kind} post answered HTTP {response.status_code}")


def target_from_settings(kind: str, url: str, chat_id: str | None) -> ChatTarget | None:
    """None when no URL is configured: alerts are then silent by design."""
    if not url:
        return None
    return ChatTarget(kind=kind or "slack", url=url, chat_id=chat_id or None)
