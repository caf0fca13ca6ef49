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
