"""index.html and the manager pages: self-contained, every mode shown as specified."""

from __future__ import annotations

import re
from decimal import Decimal
from html import escape

import pytest

from publishing.board import from_rows
from publishing.board.formatting import Formatter
from publishing.board.render_html import MAX_TABLE_ROWS, render_html

from .conftest import make_context

RANK_CELL = re.compile(r'<td class="rank">(\d+)</td><td class="name"><a [^>]*>([^<]+)</a>')


def test_pages_are_self_contained_with_relative_links(inputs):
    pages = render_html(inputs)
    assert set(pages) == {"index.html"} | {f"managers/{m.manager_id}.html" for m in inputs.managers}
    for path, page in pages.items():
        lowered = page.lower()
        for external in ("http://", "https://", "src=", "<script", "<link", "url(", "@import"):
            assert external not in lowered, (path, external)
        folder = path.rpartition("/")[0]
        for href in re.findall(r'href="([^"]+)"', page):
            resolved = href.removeprefix("../") if folder else f"{href}"
            assert resolved in pages, (path, href)
        assert "<svg" in page


def test_leaderboard_ranks_every_manager_by_sales(inputs):
    index = render_html(inputs)["index.html"]
    ranked = RANK_CELL.findall(index)
    assert [int(rank) for rank, _ in ranked] == list(range(1, 8))
    by_sales = sorted(inputs.managers, key=lambda m: -m.mtd_net_sales)
    assert [name for _, name in ranked] == [m.manager_name for m in by_sales]
    leader = render_html(inputs)[f"managers/{by_sales[0].manager_id}.html"]
    assert "Место 1 из 7" in leader


def test_top3_ranks_only_the_podium(make_inputs):
    pages = render_html(make_inputs(mode="top3"))
    index = pages["index.html"]
    assert [int(rank) for rank, _ in RANK_CELL.findall(index)] == [1, 2, 3]
    others = index.split("Остальные менеджеры", 1)[1]
    for name in ("Анна Смирнова", "Борис Иванов", "Глеб Попов", "Дарья Соколова"):
        assert name in others
    assert "Место 3 из 7" in pages["managers/5007.html"]
    assert "Место" not in pages["managers/5005.html"]  # last in sales, unranked


def test_team_mode_ranks_nobody(make_inputs):
    pages = render_html(make_inputs(mode="team"))
    assert 'class="rank"' not in pages["index.html"]
    assert not any("Место" in page for page in pages.values())
    for manager in make_inputs().managers:
        assert f'href="managers/{manager.manager_id}.html"' in pages["index.html"]


def test_at_most_eight_table_rows_on_the_tv(rows):
    managers = [r for r in rows["board"] if not r["is_team_total"]]
    extra = [
        m | {"manager_id": m["manager_id"] + 100, "mtd_net_sales": Decimal(n), "sales_rank": 12 - n}
        for n, m in enumerate(managers[:4], start=1)
    ]
    many = from_rows(make_context(), rows["board"] + extra, rows["trend"], rows["splits"])
    pages = render_html(many)
    assert len(RANK_CELL.findall(pages["index.html"])) == MAX_TABLE_ROWS
    for manager in many.managers:
        assert f'href="managers/{manager.manager_id}.html"' in pages["index.html"]


@pytest.mark.parametrize(
    ("locale", "money"),
    [
        ("ru", re.compile(r"\d{1,3}(?:\u202f\d{3})*\u00a0₽")),
        ("en", re.compile(r"RUB \d{1,3}(,\d{3})*")),
    ],
)
def test_money_in_the_locale(make_inputs, locale, money):
    inputs = make_inputs(locale=locale)
    index = render_html(inputs)["index.html"]
    assert Formatter(locale).money(inputs.team.mtd_net_sales) in index
    assert len(money.findall(index)) > 20
    assert f'<html lang="{locale}">' in index


def test_footer_shows_freshness_and_warnings(inputs):
    index = render_html(inputs)["index.html"]
    footer = index.split("<footer>", 1)[1]
    assert "Данные на 26 ноября 2026" in footer and "собрано 27 ноября 2026, 06:05 МСК" in footer
    assert "telphin: 27 ноября 2026, 05:40 МСК" in footer
    assert "amplitude: ни одной" in footer
    assert "последняя выгрузка опоздала на 3 часа" in footer
    assert "Что изменилось за неделю" in index
    assert "Регистрации этой недели против прошлой в том же возрасте" in index
    assert "Анна Смирнова: дозвон по регистрациям недели вырос с 52% до 61%" in index


def test_names_are_escaped(rows):
    evil = [
        r | {"manager_name": "<b>Анна</b>"} if r["manager_id"] == 5001 else r for r in rows["board"]
    ]
    pages = render_html(from_rows(make_context(), evil, rows["trend"], rows["splits"]))
    assert "<b>Анна" not in pages["index.html"] and "&lt;b&gt;Анна" in pages["index.html"]


@pytest.mark.parametrize(("locale", "base"), [("ru", "% от регистраций"), ("en", "% of signups")])
def test_the_funnel_names_its_one_base(make_inputs, locale, base):
    """Every funnel percentage is of the month's signups (mart_board), and the panel says so."""
    inputs = make_inputs(locale=locale)
    fmt = Formatter(locale)
    funnel = render_html(inputs)["index.html"].split(escape(fmt.text("chart.funnel")), 1)[1]
    assert base in fmt.text("chart.funnel")
    team = inputs.team
    for count, rate in (
        (team.reached_mtd, team.reach_rate),
        (team.consultations_mtd, team.consultation_rate),
        (team.activated_mtd, team.activation_rate),
        (team.paid_mtd, team.paid_rate),
    ):
        assert rate == count / team.signups_mtd
        assert f"{fmt.number(count)} · {fmt.percent(rate)}" in funnel


def test_pace_is_marked_on_the_rows_and_the_plan_chart(inputs):
    fmt = Formatter("ru")
    pages = render_html(inputs)
    for row in inputs.managers:
        table_row = pages["index.html"].split(f">{row.manager_name}</a>", 1)[1].split("</tr>")[0]
        cells = re.findall(r"<td>([^<]*)</td>", table_row)
        assert cells[4] == fmt.percent(row.pace_attainment)  # after sales, count, check, plan
        page = pages[f"managers/{row.manager_id}.html"]
        label = f"Темп {fmt.money(row.plan_pace_rub)} · {fmt.percent(row.pace_attainment)}"
        assert escape(label) in page


def test_new_sales_renewals_and_unknown_add_up_to_the_sales(inputs):
    """The split shows new, renewal and unknown-type sales (unknown never counted as new),
    and they add up to the month's sales, count and money."""
    fmt = Formatter("ru")
    pages = render_html(inputs)
    team = inputs.team
    for row, page in [(team, "index.html")] + [
        (m, f"managers/{m.manager_id}.html") for m in inputs.managers
    ]:
        block = pages[page].split("Новые продажи и продления", 1)[1].split("</table>")[0]
        shown = re.findall(r'<span class="type">([^<]+)</span> ([^<]+) · ([^<]+)</td>', block)
        expected = [
            ("Новые", fmt.number(row.new_sales_count), fmt.money(row.new_net_sales)),
            ("Продления", fmt.number(row.renewal_sales_count), fmt.money(row.renewal_net_sales)),
        ]
        if row.unknown_type_sales_count:
            expected.append(
                (
                    "Тип неизвестен",
                    fmt.number(row.unknown_type_sales_count),
                    fmt.money(row.unknown_type_net_sales),
                )
            )
        assert shown == expected, page
    assert team.unknown_type_sales_count > 0
    for row in (team, *inputs.managers):
        counts = row.new_sales_count + row.renewal_sales_count + row.unknown_type_sales_count
        money = row.new_net_sales + row.renewal_net_sales + row.unknown_type_net_sales
        assert (counts, money) == (row.mtd_sales_count, row.mtd_net_sales)
