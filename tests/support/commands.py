"""The README's command lines, run as a user types them: found in README.md by a pattern and
split like a shell would, with the program (`.venv/bin/...`) taken from this interpreter's
virtualenv. A long-running one (a server) is started in a session of its own and stopped by
signalling its whole process group, so everything it started stops with it, and stopping
asserts that nothing of it is left running."""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

from salesboard.layout import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def readme_command(pattern: str) -> list[str]:
    """The README's first command line matching `pattern`, split like a shell would (its
    comment cut off)."""
    lines = [line.strip() for line in README.splitlines() if re.search(pattern, line)]
    assert lines, f"the README shows no command matching {pattern!r}"
    return shlex.split(lines[0].split("#")[0])


def local(command: list[str]) -> list[str]:
    """`command` with its program (`.venv/bin/<name>`) resolved beside this interpreter."""
    return [str(Path(sys.executable).with_name(Path(command[0]).name)), *command[1:]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def group_members(pgid: int) -> list[str]:
    """The live (not zombie) processes of process group `pgid`, as `pid command`."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError):
            continue  # gone while we looked
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(f"{stat.parent.name} {cmdline.strip()[:200]}")
    return members


def wait_for(
    ready: Callable[[], bool],
    process: subprocess.Popen,
    output: Path,
    what: str,
    timeout: float,
) -> None:
    """Poll `ready` until it holds; fail with the command's output when the command exits
    first or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while not ready():
        tail = output.read_text(errors="replace")[-4000:]
        assert process.poll() is None, f"exited with {process.returncode} before {what}:\n{tail}"
        assert time.monotonic() < deadline, f"no {what} within {timeout:.0f} s:\n{tail}"
        time.sleep(0.5)


@contextmanager
def running(
    command: list[str], env: Mapping[str, str], output: Path, cwd: Path = PROJECT_ROOT
) -> Iterator[subprocess.Popen]:
    """`command` running in a session of its own for the block, its output (stdout and
    stderr) to the file `output` (a pipe could be held open by a helper that outlives it).
    It starts as a background job of a script (CI's way) starts it: SIGINT ignored, SIGTERM
    not (`salesboard.cli._stop_signals_stop`), whatever this process has. At the end its
    process group gets SIGTERM; it must be gone, with everything it started, within 30 s
    (else it is killed and the exit fails, naming what was left)."""
    with output.open("wb") as sink:
        process = subprocess.Popen(
            command, cwd=cwd, env=dict(env), stdout=sink, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=_as_a_background_job,
        )  # fmt: skip
    try:
        yield process
    finally:
        _stop_group(process)


def _as_a_background_job() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _stop_group(process: subprocess.Popen) -> None:
    pgid = process.pid  # start_new_session: the leader's pid is the group's id
    with suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=30)
    while (left := group_members(pgid)) and time.monotonic() < deadline:
        time.sleep(0.2)
    if left:
        os.killpg(pgid, signal.SIGKILL)
        process.wait(timeout=10)
        raise AssertionError(f"still running 30 s after SIGTERM (killed): {left}")
