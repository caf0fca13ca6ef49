"""Pushing the board to a local fake chat endpoint over a real socket."""

from __future__ import annotations

import email.parser
import email.policy
import socket
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson
import pytest

from publishing.board.publish import publish_board
from publishing.board.push import board_summary, push_board
from publishing.chat import ChatPostError, ChatTarget, post_photo

TOKEN = "123456:SECRET-TOKEN"


@pytest.fixture
def chat():
    """Records (path, content type, body) of each POST; paths under /fail answer 500."""
    received: list[tuple[str, str, bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, self.headers["Content-Type"], body))
            self.send_response(500 if self.path.startswith("/fail") else 200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", received
    server.shutdown()
    server.server_close()


def _form(content_type: str, body: bytes) -> dict[str, bytes]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    return {
        part.get_param("name", header="content-disposition"): part.get_payload(decode=True)
        for part in message.iter_parts()
    }


def test_telegram_gets_the_picture_with_a_localized_caption(chat, tmp_path, inputs):
    url, received = chat
    snapshot = publish_board(tmp_path / "boards", inputs)
    target = ChatTarget("telegram", f"{url}/bot{TOKEN}", chat_id="-100200")
    push_board(target, inputs, tmp_path / "boards" / "latest", public_base_url="https://b.example/")
    [(path, content_type, body)] = received
    assert path == f"/bot{TOKEN}/sendPhoto" and content_type.startswith("multipart/form-data")
    form = _form(content_type, body)
    assert form["chat_id"] == b"-100200"
    assert form["photo"] == (snapshot / "board.png").read_bytes()
    caption = form["caption"].decode()
    assert caption.startswith("Продажи на 26 ноября 2026: 6\u202f379\u202f884\u00a0₽")
    assert "Лидеры: 1. Вера Кузнецова, 2. Егор Лебедев, 3. Жанна Козлова" in caption
    assert caption.endswith("Доска: https://b.example/2026-11-26/index.html")  # the snapshot


def test_slack_gets_the_summary_text(chat, tmp_path, make_inputs):
    url, received = chat
    inputs = make_inputs(locale="en", mode="team")
    snapshot = publish_board(tmp_path / "boards", inputs)
    push_board(ChatTarget("slack", f"{url}/hook"), inputs, snapshot)
    [(path, _, body)] = received
    text = orjson.loads(body)["text"]
    assert path == "/hook" and text == board_summary(inputs)
    assert text.startswith("Sales as of Nov 26, 2026: RUB 6,379,884 month to date (89% of plan)")
    assert "Top:" not in text  # team mode ranks nobody, not even in chat
    assert "http" not in text  # no public URL configured: no link


def test_errors_never_show_the_token(chat, tmp_path, inputs):
    url, _ = chat
    snapshot = publish_board(tmp_path / "boards", inputs)
    refused = socket.socket()
    refused.bind(("127.0.0.1", 0))
    closed_port = refused.getsockname()[1]
    refused.close()
    for base in (f"{url}/fail/bot{TOKEN}", f"http://127.0.0.1:{closed_port}/bot{TOKEN}"):
        with pytest.raises(ChatPostError) as error:
            push_board(ChatTarget("telegram", base, chat_id="1"), inputs, snapshot)
        assert "SECRET" not in str(error.value) and "127.0.0.1" not in str(error.value)
        shown = "".join(traceback.format_exception(error.value))  # what a log would print
        assert "SECRET" not in shown


def test_photos_go_to_telegram_only(chat):
    url, received = chat
    with pytest.raises(ValueError, match="telegram"):
        post_photo(ChatTarget("slack", f"{url}/hook"), b"png", "caption")
    assert received == []


def test_long_captions_are_cut_to_telegrams_limit(chat):
    url, received = chat
    post_photo(ChatTarget("telegram", f"{url}/bot{TOKEN}", chat_id="1"), b"png", "д" * 3000)
    caption = _form(received[0][1], received[0][2])["caption"].decode()
    assert len(caption) == 1024 and caption.endswith("…")
