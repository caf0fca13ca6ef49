"""What a person sees while a run goes: one progress line, then a short report.

Fed by `orchestration.execution` (`RunProgress` while the run goes, `RunOutcome` at the
end); everything else goes to the run's log file. On a terminal the line is redrawn in
place; elsewhere (CI, a pipe) a line is printed at each tenth of the way.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TextIO

from orchestration.execution import RunOutcome, RunProgress


class ProgressLine:
    """Shows `RunProgress` updates as `done/total stream-days (pct) | stage | elapsed |
    left`, the time left extrapolated from the rate so far."""

    def __init__(self, out: TextIO = sys.stdout):
        self.out = out
        self.started = time.monotonic()
        self.tty = out.isatty()
        self.last_printed = -1

    def __call__(self, progress: RunProgress) -> None:
        elapsed = time.monotonic() - self.started
        done, total = progress.days_done, progress.days_total
        left = elapsed / done * (total - done) if done else None
        percent = int(100 * done / total) if total else 100
        text = (
            f"{done}/{total} stream-days ({percent}%) | {progress.stage} | "
            f"elapsed {elapsed:4.0f} s | left {'?' if left is None else f'{left:4.0f} s'}"
        )
        if self.tty:
            self.out.write("\r" + text.ljust(100))
            self.out.flush()
        elif percent // 10 != self.last_printed // 10:
            print(text, file=self.out, flush=True)
            self.last_printed = percent

    def close(self) -> None:
        if self.tty:
            self.out.write("\n")


def report(outcome: RunOutcome, log_path: Path, out: TextIO = sys.stdout) -> int:
    """Print the outcome (failed checks, failure, published boards); the exit code."""
    for check in outcome.failed_checks:
        print(f"check {check} failed", file=out)
    if not outcome.success:
        print(f"FAILED: {outcome.failure}\nlog: {log_path}", file=out)
        return 1
    failed = len(outcome.failed_checks)
    print(
        f"done: {outcome.materializations} materializations, {outcome.checks} checks"
        f" ({failed} failed); log: {log_path}",
        file=out,
    )
    for path in outcome.boards:
        print(f"board: {path}/index.html", file=out)
    return 0
