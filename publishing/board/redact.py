"""Masking phone numbers and e-mail addresses in the board's free text.

The marts carry no contact data, but a few texts reach the board from elsewhere: check
warnings (which may quote a failing value), manager names (an amoCRM user without a name
shows their e-mail) and split labels. The board hangs in a room and is posted to chat, so
anything shaped like a phone number or an e-mail is masked before it is rendered. The
phone pattern wants a 10-digit number in phone grouping, so dates and ruble amounts in a
warning stay readable.
"""

from __future__ import annotations

import re

MASK = "***"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(
    r"(?<![\w])(?:\+?\d{1,3}[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{2}[\s.-]?\d{2}(?!\d)"
)


def redact(text: str) -> str:
    """`text` with every e-mail address and phone number replaced by `***`."""
    return PHONE.sub(MASK, EMAIL.sub(MASK, text))
