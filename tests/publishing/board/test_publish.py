"""Publishing: complete dated snapshots, never rewritten, and an atomically swapped `latest`."""

from __future__ import annotations

import os

import pytest

from publishing.board import publish
from publishing.board.publish import publish_board
from publishing.board.push import board_summary

from .conftest import make_context

FILES = {"board.json", "board.csv", "board.png", "index.html", "managers"}


def _listing(boards_dir):
    return sorted(p.name for p in boards_dir.iterdir() if p.name != ".publish.lock")


def test_publish_writes_a_dated_folder_and_points_latest(tmp_path, inputs):
    boards = tmp_path / "boards"
    snapshot = publish_board(boards, inputs)
    assert snapshot == boards / "2026-11-26"
    assert {p.name for p in snapshot.iterdir()} == FILES
    assert len(list((snapshot / "managers").iterdir())) == 7
    assert os.readlink(boards / "latest") == "2026-11-26"  # relative
    assert (boards / "latest" / "index.html").read_bytes() == (snapshot / "index.html").read_bytes()
    assert _listing(boards) == ["2026-11-26", "latest"]


def test_publishing_the_same_board_twice_is_a_no_op(tmp_path, make_inputs):
    boards = tmp_path / "boards"
    first = publish_board(boards, make_inputs())
    written = {p: p.stat().st_mtime_ns for p in first.rglob("*")}
    assert publish_board(boards, make_inputs()) == first
    assert {p: p.stat().st_mtime_ns for p in first.rglob("*")} == written
    assert _listing(boards) == ["2026-11-26", "latest"]


def test_a_different_board_for_the_same_day_gets_the_next_suffix(tmp_path, make_inputs, rows):
    boards = tmp_path / "boards"
    first = publish_board(boards, make_inputs())
    original = (first / "board.json").read_bytes()
    second = publish_board(boards, make_inputs(warnings=["amocrm/leads: 2% quarantined"]))
    third = publish_board(boards, make_inputs(locale="en"))
    assert (second.name, third.name) == ("2026-11-26.2", "2026-11-26.3")
    assert os.readlink(boards / "latest") == "2026-11-26.3"
    assert (first / "board.json").read_bytes() == original  # never rewritten
    # unchanged against the newest snapshot of the day: no-op
    assert publish_board(boards, make_inputs(locale="en")) == third


def test_a_failure_mid_render_leaves_no_folder_and_the_old_latest(
    tmp_path, make_inputs, monkeypatch
):
    boards = tmp_path / "boards"
    publish_board(boards, make_inputs())

    def broken(_inputs):
        raise RuntimeError("matplotlib fell over")

    monkeypatch.setattr(publish, "render_png", broken)
    with pytest.raises(RuntimeError, match="fell over"):
        publish_board(boards, make_inputs(locale="en"))
    assert _listing(boards) == ["2026-11-26", "latest"]  # no .2, no staging leftovers
    assert os.readlink(boards / "latest") == "2026-11-26"


def test_stale_staging_of_killed_runs_is_removed(tmp_path, inputs):
    boards = tmp_path / "boards"
    (boards / ".incoming-2026-11-25-dead").mkdir(parents=True)
    (boards / ".incoming-2026-11-25-dead" / "board.json").write_text("{}")
    os.symlink("2026-11-25", boards / ".incoming-latest-dead")
    publish_board(boards, inputs)
    assert _listing(boards) == ["2026-11-26", "latest"]


def test_a_backfilled_older_day_does_not_move_latest(tmp_path, inputs, rows):
    boards = tmp_path / "boards"
    publish_board(boards, inputs)
    week_ago = make_context(as_of_day=inputs.context.as_of_day.replace(day=19))
    from publishing.board import from_rows

    older = from_rows(
        week_ago,
        rows["week_ago"],
        [r | {"as_of_day": week_ago.as_of_day} for r in rows["trend"]],
        [r | {"as_of_day": week_ago.as_of_day} for r in rows["splits"]],
    )
    assert publish_board(boards, older).name == "2026-11-19"
    assert os.readlink(boards / "latest") == "2026-11-26"


def test_standings_are_worked_out_once_for_every_renderer(tmp_path, make_inputs, monkeypatch):
    from publishing.board import model

    calls = []

    def counted(*args, **kwargs):
        calls.append(args)
        return standings(*args, **kwargs)

    standings = model.standings
    monkeypatch.setattr(model, "standings", counted)
    inputs = make_inputs(mode="top3")
    publish_board(tmp_path / "boards", inputs)
    board_summary(inputs)
    assert len(calls) == 1
