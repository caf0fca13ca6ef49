"""No phone number or e-mail address reaches any output, even one planted in the inputs."""

from __future__ import annotations

import re

from publishing.board import from_rows
from publishing.board.publish import publish_board

from .conftest import make_context

# Independent of the redaction patterns on purpose: broader, so they catch what it misses.
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[a-z]{2,}", re.IGNORECASE)
PHONE = re.compile(r"(?<![\w.])\+?\d(?:[ \-()\u00a0\u202f]{0,2}\d){9,13}(?![\w.])")


def test_the_patterns_catch_contacts():
    for contact in ("+7 (912) 345-67-89", "8 912 345 67 89", "89123456789", "+79123456789"):
        assert PHONE.search(f"звонок {contact} вчера"), contact
    assert EMAIL.search("пишите anna.smirnova@firma.ru")
    assert not PHONE.search("6\u202f379\u202f884\u00a0₽ 2026-11-26")


def test_no_output_contains_a_phone_or_an_email(tmp_path, rows):
    board = [
        r | {"manager_name": "anna.smirnova@firma.ru"} if r["manager_id"] == 5001 else r
        for r in rows["board"]
    ]
    board = [
        r | {"manager_name": "Борис +7 912 345-67-89"} if r["manager_id"] == 5002 else r
        for r in board
    ]
    context = make_context(
        warnings=["telphin/calls: caller 8 (912) 345-67-89 unknown, owner boris@firma.ru"]
    )
    inputs = from_rows(context, board, rows["trend"], rows["splits"], rows["changes"])
    snapshot = publish_board(tmp_path / "boards", inputs)
    scanned = 0
    for path in snapshot.rglob("*"):
        if path.suffix in {".json", ".csv", ".html"}:
            text = path.read_text(encoding="utf-8")
            assert not EMAIL.search(text), path
            assert not PHONE.search(text), (path, PHONE.search(text))
            scanned += 1
    assert scanned == 3 + 7
