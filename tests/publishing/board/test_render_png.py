"""board.png decodes, has the chat size and is not blank."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from publishing.board.render_png import HEIGHT_PX, WIDTH_PX, render_png


@pytest.mark.parametrize(("locale", "mode"), [("ru", "leaderboard"), ("en", "team")])
def test_png_is_a_real_picture(make_inputs, locale, mode):
    data = render_png(make_inputs(locale=locale, mode=mode))
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.format == "PNG" and image.size == (WIDTH_PX, HEIGHT_PX) == (1600, 900)
    pixels = np.asarray(image.convert("L"), dtype=float)
    assert pixels.std() > 10  # text and bars on the background, not one flat colour
    assert len(np.unique(pixels)) > 50


def test_the_picture_follows_its_figures_and_nothing_else(rows, make_inputs):
    """The same board draws the same bytes; one manager's sales changed draws another
    picture, changed where the figures are, not everywhere."""
    first = render_png(make_inputs())
    assert render_png(make_inputs()) == first
    team = next(row for row in rows["board"] if row["is_team_total"])
    team["mtd_net_sales"] += 1_000_000
    changed = render_png(make_inputs())
    before, after = (
        np.asarray(Image.open(io.BytesIO(data)).convert("L"), dtype=float)
        for data in (first, changed)
    )
    differs = before != after
    assert differs.any(), "a million roubles more drew the same picture"
    assert differs.mean() < 0.2, "a changed figure redrew most of the picture"
