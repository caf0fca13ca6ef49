"""Publishing a board: a complete, never-rewritten snapshot per as-of day, and `latest`.

Layout of `boards_dir` (the data directory's `boards/`)::

    2026-11-26/        board.json board.csv board.png index.html managers/<id>.html
    2026-11-26.2/      a second, different board for the same day (then .3, .4, ...)
    latest -> 2026-11-26.2      relative symlink the TV and the chat link follow

Why it is done this way:

* The TV, the chat link and anyone reading `latest/` must never see half a board. So the
  board is rendered into a hidden folder inside `boards_dir` (same file system, so the
  rename is atomic), every file and folder is fsynced, the folder is renamed to its dated
  name, and only then is `latest` repointed: a fresh symlink is made beside it and
  `os.replace`d over it, which is atomic too. A failure or a kill at any point leaves the
  previous `latest` and no dated folder; the hidden leftovers of a killed run are removed
  by the next publish.
* Snapshots are evidence of what the room was shown, so they are never rewritten. If the
  day already has a snapshot, the new board goes to `<day>.2/`, then `<day>.3/`, and so
  on, unless its board.json is byte-identical to the day's newest snapshot: then nothing
  is written and that snapshot's path is returned (re-running an unchanged board is a
  no-op). board.json carries `generated_at`, so that holds when the caller passes the
  same `generated_at` on a re-run.
* Publishing an older day (a backfill) adds its snapshot but leaves `latest` on the newer
  day: `latest` always shows the most recent as-of day.
* Publishers take an exclusive lock on `boards_dir/.publish.lock`, so two runs cannot
  pick the same `<day>.N` name, and any hidden folder found under the lock is stale.
"""

from __future__ import annotations

import fcntl
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from publishing.board.model import BoardInputs
from publishing.board.render_csv import render_csv
from publishing.board.render_html import render_html
from publishing.board.render_json import render_json
from publishing.board.render_png import render_png

LATEST = "latest"
STAGING_PREFIX = ".incoming-"
LOCK_FILE = ".publish.lock"
SNAPSHOT_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\.([2-9]|[1-9]\d+))?$")


def publish_board(boards_dir: Path | str, board_inputs: BoardInputs) -> Path:
    """Render the board into a new snapshot folder and point `latest` at it (see the
    module docstring); returns the snapshot folder, or the existing one when unchanged."""
    boards_dir = Path(boards_dir)
    boards_dir.mkdir(parents=True, exist_ok=True)
    day = board_inputs.context.as_of_day.isoformat()
    with _exclusive_lock(boards_dir / LOCK_FILE):
        _remove_stale_staging(boards_dir)
        board_json = render_json(board_inputs)
        existing = _snapshots_of(boards_dir, day)
        newest = existing[-1] if existing else None
        if newest and (newest[1] / "board.json").read_bytes() == board_json:
            return newest[1]
        staging = boards_dir / f"{STAGING_PREFIX}{day}-{secrets.token_hex(6)}"
        staging.mkdir()
        try:
            _write_board(staging, board_inputs, board_json)
            target = boards_dir / (f"{day}.{newest[0] + 1}" if newest else day)
            staging.rename(target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        _fsync_dir(boards_dir)
        _point_latest(boards_dir, target)
        return target


def _write_board(folder: Path, inputs: BoardInputs, board_json: bytes) -> None:
    """Every file of the board, each fsynced as it is written, then the folders."""
    _write(folder / "board.json", board_json)
    _write(folder / "board.csv", render_csv(inputs))
    for relative, page in render_html(inputs).items():
        _write(folder / relative, page.encode("utf-8"))
    _write(folder / "board.png", render_png(inputs))
    for directory in sorted({p.parent for p in folder.rglob("*")}, reverse=True):
        _fsync_dir(directory)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_dir(directory: Path) -> None:
    """Make the folder's entries (new files, a rename) durable, not only the files."""
    descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _snapshots_of(boards_dir: Path, day: str) -> list[tuple[int, Path]]:
    """The day's snapshots with their number, oldest first (`<day>` is 1, `<day>.2` ...)."""
    found = []
    for entry in boards_dir.iterdir():
        match = SNAPSHOT_NAME.match(entry.name)
        if match and match[1] == day and entry.is_dir() and not entry.is_symlink():
            found.append((int(match[2] or 1), entry))
    return sorted(found)


def _point_latest(boards_dir: Path, target: Path) -> None:
    link = boards_dir / LATEST
    if link.is_symlink():
        current = SNAPSHOT_NAME.match(os.readlink(link))
        if current and current[1] > target.name[:10]:
            return
    fresh = boards_dir / f"{STAGING_PREFIX}{LATEST}-{secrets.token_hex(6)}"
    os.symlink(target.name, fresh)  # relative: the boards folder can be moved or mounted
    os.replace(fresh, link)
    _fsync_dir(boards_dir)


def _remove_stale_staging(boards_dir: Path) -> None:
    """Leftovers of runs killed mid-publish; only called under the publish lock."""
    for entry in boards_dir.iterdir():
        if not entry.name.startswith(STAGING_PREFIX):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


@contextmanager
def _exclusive_lock(path: Path) -> Iterator[None]:
    """flock, released by the kernel even when the holder is killed."""
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
