"""Each locale writes money, percentages and dates as people there do."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from publishing.board.formatting import Formatter
from publishing.board.messages import CATALOGUE

NNBSP, NBSP = "\u202f", "\u00a0"


def test_ru_money_uses_narrow_no_break_spaces_and_the_ruble_sign():
    ru = Formatter("ru")
    assert ru.money(Decimal("1234567.00")) == f"1{NNBSP}234{NNBSP}567{NBSP}₽"
    assert ru.money(Decimal("999.49")) == f"999{NBSP}₽"
    assert ru.money(Decimal("0.50")) == f"1{NBSP}₽"  # half up, as an accountant rounds
    assert ru.money(Decimal("-1500")) == f"−1{NNBSP}500{NBSP}₽"
    assert ru.money(None) == "—"


def test_en_money_percent_and_dates():
    en = Formatter("en")
    assert en.money(Decimal("1234567.40")) == "RUB 1,234,567"
    assert en.percent(0.6149) == "61%" and en.percent(1.125) == "113%"
    assert en.percent(None) == "—"
    assert en.date(date(2026, 11, 26)) == "Nov 26, 2026"
    assert en.short_date(date(2026, 11, 6)) == "Nov 6"


def test_ru_dates_and_times_are_moscow_time():
    ru = Formatter("ru")
    assert ru.date(date(2026, 11, 26)) == "26 ноября 2026"
    assert ru.short_date(date(2026, 3, 5)) == "05.03"
    assert ru.percent(0.61) == "61%"
    assert ru.moment(datetime(2026, 11, 26, 22, 30, tzinfo=UTC)) == "27 ноября 2026, 01:30 МСК"
    assert ru.number(1234) == f"1{NNBSP}234"


def test_both_catalogues_have_the_same_labels():
    assert set(CATALOGUE["ru"]) == set(CATALOGUE["en"])
