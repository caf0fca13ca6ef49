"""Posting to the team's chat: a Slack incoming webhook or the Telegram Bot API (text, or a
photo with a caption on Telegram).

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


TELEGRAM_CAPTION_LIMIT = 1024


def post_text(target: ChatTarget, text: str, timeout: float = 10.0) -> None:
    """Send one message; raise `ChatPostError` on a non-2xx answer or a network error."""
    if target.kind == "slack":
        _post(target, target.url, timeout, json={"text": text})
    else:
        body = {"chat_id": target.chat_id, "text": text, "disable_web_page_preview": True}
        _post(target, _telegram_method(target, "sendMessage"), timeout, json=body)


def post_photo(
    target: ChatTarget,
    photo: bytes,
    caption: str,
    filename: str = "board.png",
    timeout: float = 30.0,
) -> None:
    """Send a PNG with a caption through Telegram's `sendPhoto` (multipart upload).

    Telegram only: Slack incoming webhooks cannot upload files. A caption longer than
    Telegram's limit is cut with an ellipsis rather than having the whole post refused.
    """
    if target.kind != "telegram":
        raise ValueError(f"{target.kind} cannot receive photos, only telegram can")
    if len(caption) > TELEGRAM_CAPTION_LIMIT:
        caption = caption[: TELEGRAM_CAPTION_LIMIT - 1] + "…"
    _post(
        target,
        _telegram_method(target, "sendPhoto"),
        timeout,
        data={"chat_id": target.chat_id, "caption": caption},
        files={"photo": (filename, photo, "image/png")},
    )


def _telegram_method(target: ChatTarget, method: str) -> str:
    return f"{target.url.rstrip('/')}/{method}"


def _post(target: ChatTarget, url: str, timeout: float, **body) -> None:
    """POST and map every failure to a `ChatPostError` that names no URL: requests puts
    the URL (and so the token) in its exception texts, hence only the type is kept."""
    try:
        response = requests.post(url, timeout=timeout, **body)
    except requests.RequestException as exc:
        raise ChatPostError(f"{target.kind} post failed: {type(exc).__name__}") from None
    if not response.ok:
        raise ChatPostError(f"{target.kind} post answered HTTP {response.status_code}")


def target_from_settings(kind: str, url: str, chat_id: str | None) -> ChatTarget | None:
    """None when no URL is configured: alerts are then silent by design."""
    if not url:
        return None
    return ChatTarget(kind=kind or "slack", url=url, chat_id=chat_id or None)
