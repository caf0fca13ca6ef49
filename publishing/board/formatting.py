"""Numbers, money, percentages and dates as people in each locale write them.

The only formatter of the board: HTML, PNG, chat text and "what changed" all go through
one `Formatter`, so the TV and the chat never disagree on a figure. Money is shown in
whole rubles (kopecks are noise on a sales board), rounded half up like an accountant;
times are shown in the business time zone (`salesboard.calendar`), the sales room's clock.
Missing values (a rate with a zero denominator, no plan yet) print as a dash rather than 0,
which would be a false figure.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from publishing.board.messages import CATALOGUE
from salesboard.calendar import business_tz


class Formatter:
    """Formatting and labels for one locale (`ru` or `en`)."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self._messages = CATALOGUE[locale]

    def text(self, key: str, **fields: object) -> str:
        """The catalogue's label `key`, with `fields` filled in."""
        template = self._messages[key]
        assert isinstance(template, str), key
        return template.format(**fields)

    def number(self, value: int | Decimal | None) -> str:
        """An integer count with the locale's thousands separators; rounds a Decimal."""
        if value is None:
            return self.text("no_value")
        whole = int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        grouped = f"{abs(whole):,}".replace(",", self.text("thousands"))
        return f"{self.text('minus')}{grouped}" if whole < 0 else grouped

    def money(self, amount: Decimal | None) -> str:
        """`1 234 567 ₽` (narrow no-break spaces) in ru, `RUB 1,234,567` in en."""
        if amount is None:
            return self.text("no_value")
        return self.text("money", amount=self.number(amount))

    def percent(self, ratio: float | None) -> str:
        """A ratio as a whole percentage: 0.614 -> `61%`."""
        if ratio is None:
            return self.text("no_value")
        return f"{self.number(Decimal(repr(ratio)) * 100)}%"

    def date(self, day: date) -> str:
        """`26 ноября 2026` in ru, `Nov 26, 2026` in en."""
        month = self._messages["months"][day.month - 1]
        return self.text("date", day=day.day, month=month, year=day.year)

    def short_date(self, day: date) -> str:
        """A chart-axis date: `26.11` in ru, `Nov 26` in en."""
        month = self._messages["months"][day.month - 1]
        return self.text("short_date", day=day.day, month=month, month_number=day.month)

    def moment(self, when: datetime) -> str:
        """An aware time as the sales room reads it: the date and HH:MM in the business time
        zone, with the zone's abbreviation (MSK)."""
        local = when.astimezone(business_tz())
        zone = self._messages["zones"].get(local.tzname(), local.tzname())
        return self.text(
            "moment", date=self.date(local.date()), time=local.strftime("%H:%M"), zone=zone
        )
