"""Failed runs are posted to the team's chat when a webhook is configured; silent otherwise."""

import dagster as dg

from orchestration.errors import root_message
from publishing.chat import ChatPostError, post_text, target_from_settings
from salesboard.calendar import partition_range


class ChatResource(dg.ConfigurableResource):
    """Where alerts go. Empty `url` = no alerts. The URL is a secret (it holds the token)."""

    kind: str = "slack"
    url: str = ""
    telegram_chat_id: str = ""

    def post(self, text: str) -> bool:
        target = target_from_settings(self.kind, self.url, self.telegram_chat_id)
        if target is None:
            return False
        post_text(target, text)
        return True


def failure_text(run: dg.DagsterRun, error: str | None) -> str:
    days = partition_range(run.tags)
    partition = "-" if days is None else "..".join(sorted({day.isoformat() for day in days}))
    first_line = (error or "no error message").strip().splitlines()[0][:300]
    return (
        f"salesboard: run {run.run_id[:8]} of {run.job_name} failed "
        f"(partition {partition}): {first_line}"
    )


@dg.run_failure_sensor(
    name="post_failed_runs_to_chat", default_status=dg.DefaultSensorStatus.RUNNING
)
def post_failed_runs_to_chat(context: dg.RunFailureSensorContext, chat: ChatResource) -> None:
    error = context.failure_event.message if context.failure_event else None
    step_failures = context.get_step_failure_events()
    if step_failures and step_failures[0].step_failure_data.error:
        error = root_message(step_failures[0].step_failure_data.error)
    try:
        posted = chat.post(failure_text(context.dagster_run, error))
    except ChatPostError as exc:
        context.log.warning(f"could not post the failure alert: {exc}")
        return
    if posted:
        context.log.info("failure alert posted")
