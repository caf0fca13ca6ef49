"""Pushing a published board to the team's chat: the picture to Telegram, text to Slack.

Telegram gets board.png with a short localized summary as its caption (`sendPhoto`).
Slack incoming webhooks cannot upload files, so Slack gets the summary as text. When the
boards folder is served somewhere (`public_base_url`), both also get the link to the
snapshot's index.html: the dated folder, not `latest`, so yesterday's message still opens
yesterday's board. Errors are `ChatPostError`s that never show the URL (it holds the token).
"""

from __future__ import annotations

from pathlib import Path

from publishing.board.formatting import Formatter
from publishing.board.model import BoardInputs
from publishing.chat import ChatTarget, post_photo, post_text


def board_summary(inputs: BoardInputs, link: str | None = None) -> str:
    """A few lines: the team's month to date against plan and forecast, the podium unless
    the board's mode ranks nobody, and the link when there is one."""
    fmt = Formatter(inputs.context.locale)
    team = inputs.team
    lines = [
        fmt.text(
            "summary.headline",
            date=fmt.date(inputs.context.as_of_day),
            sales=fmt.money(team.mtd_net_sales),
            attainment=fmt.percent(team.plan_attainment),
            forecast=fmt.money(team.stat_forecast_rub),
        )
    ]
    podium = [s for s in inputs.standings if s.rank is not None][:3]
    if podium:
        names = ", ".join(f"{s.rank}. {s.row.manager_name}" for s in podium)
        lines.append(fmt.text("summary.top", names=names))
    if link:
        lines.append(fmt.text("summary.link", url=link))
    return "\n".join(lines)


def push_board(
    target: ChatTarget,
    board_inputs: BoardInputs,
    board_dir: Path | str,
    public_base_url: str | None = None,
    timeout: float = 30.0,
) -> None:
    """Post the board published in `board_dir` (what `publish_board` returned; `latest`
    works too and is resolved to its snapshot) to `target`."""
    snapshot = Path(board_dir).resolve()
    link = None
    if public_base_url:
        link = f"{public_base_url.rstrip('/')}/{snapshot.name}/index.html"
    summary = board_summary(board_inputs, link)
    if target.kind == "telegram":
        post_photo(target, (snapshot / "board.png").read_bytes(), summary, timeout=timeout)
    else:
        post_text(target, summary, timeout=timeout)
