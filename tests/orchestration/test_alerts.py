"""Failed runs reach the chat: the sensor's message, posted to a local fake webhook."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import dagster as dg
import orjson
import pytest

from orchestration.defs.alerts import ChatResource, post_failed_runs_to_chat
from publishing.chat import ChatPostError, ChatTarget, post_text


@pytest.fixture
def webhook():
    """A local chat endpoint that records JSON bodies; path `/fail` answers 500."""
    received: list[tuple[str, dict]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, orjson.loads(body)))
            self.send_response(500 if self.path.startswith("/fail") else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", received
    server.shutdown()


def test_slack_and_telegram_formats(webhook):
    url, received = webhook
    post_text(ChatTarget("slack", f"{url}/hook"), "hello")
    post_text(ChatTarget("telegram", f"{url}/botSECRET", chat_id="42"), "hi")
    assert received[0] == ("/hook", {"text": "hello"})
    assert received[1][0] == "/botSECRET/sendMessage"
    assert received[1][1]["chat_id"] == "42" and received[1][1]["text"] == "hi"


def test_a_failed_post_never_shows_the_secret_url(webhook):
    url, _ = webhook
    with pytest.raises(ChatPostError) as error:
        post_text(ChatTarget("telegram", f"{url}/fail/botSECRET-TOKEN", chat_id="1"), "x")
    assert "SECRET" not in str(error.value) and "500" in str(error.value)


@dg.op
def broken():
    raise RuntimeError("yookassa/payments [2024-07-15, 2024-07-16): bad credentials")


@dg.job
def failing_job():
    broken()


def test_the_failure_sensor_posts_the_run_and_its_error(webhook):
    url, received = webhook
    instance = dg.DagsterInstance.ephemeral()
    result = failing_job.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "PIPELINE_FAILURE")
    context = dg.build_run_status_sensor_context(
        sensor_name=post_failed_runs_to_chat.name,
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        dagster_event=failure,
        resources={"chat": ChatResource(kind="slack", url=f"{url}/alerts")},
    ).for_run_failure()
    post_failed_runs_to_chat(context)
    assert len(received) == 1
    text = received[0][1]["text"]
    assert "failing_job" in text and result.run_id[:8] in text
    assert "yookassa/payments" in text and "bad credentials" in text


def test_no_url_means_silence():
    assert ChatResource(url="").post("anything") is False
