"""The TV's view: headless Chromium opens index.html, draws it, and logs no console error.

Chromium is a system package (Debian `chromium`); `make test` installs it. This test
fails rather than skips without it, so a machine that cannot show the board is noticed.
"""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image

from publishing.board.publish import publish_board

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--enable-logging=stderr",
    "--v=0",
    "--window-size=1920,1080",
)


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("chromium is not installed: `make test` installs it (apt-get install chromium)")
    return found


@pytest.mark.parametrize("page", ["index.html", "managers/5001.html"])
@pytest.mark.parametrize("mode", ["leaderboard", "team"])
def test_chromium_renders_the_board_without_console_errors(tmp_path, make_inputs, page, mode):
    browser = _chromium()
    snapshot = publish_board(tmp_path / "boards", make_inputs(mode=mode))
    screenshot = tmp_path / "screen.png"
    result = subprocess.run(
        [
            browser,
            *FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={screenshot}",
            (snapshot / page).as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    console = [
        line
        for line in result.stderr.splitlines()
        if "CONSOLE" in line or "Uncaught" in line or "Failed to load resource" in line
    ]
    assert console == []
    image = Image.open(screenshot)
    assert image.size == (1920, 1080)
    pixels = np.asarray(image.convert("L"), dtype=float)
    assert pixels.std() > 10 and len(np.unique(pixels)) > 50
