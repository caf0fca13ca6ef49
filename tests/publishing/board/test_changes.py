""" "What changed" shows the three largest visible moves of `mart_board_changes`.

Which figures are candidates and how much each moved is the mart's (its unit test in
`_mart_board_changes.yml` covers the exclusions: missing or zero last week, forecasts of
another month); here the board picks from its rows and words them.
"""

from __future__ import annotations

from decimal import Decimal

from publishing.board import from_rows
from publishing.board.changes import what_changed
from publishing.board.formatting import Formatter

from .conftest import change_row, make_context


def test_the_three_largest_moves_in_order(inputs):
    changes = what_changed(inputs, Formatter("ru"))
    assert [(c.metric, c.manager_id) for c in changes] == [
        ("reach_rate", 5001),
        ("reach_rate", 5004),
        ("stat_forecast_rub", 0),
    ]
    assert [c.text for c in changes] == [
        "Анна Смирнова: дозвон по регистрациям недели вырос с 52% до 61%",
        "Глеб Попов: дозвон по регистрациям недели снизился с 44% до 40%",
        "Статистический прогноз на месяц снизился с 7\u202f806\u202f165\u00a0₽ до"
        " 7\u202f361\u202f405\u00a0₽ за неделю",
    ]
    assert abs(changes[0].relative_change - (0.61 / 0.52 - 1)) < 1e-9


def test_sentences_follow_the_locale(make_inputs):
    inputs = make_inputs(locale="en")
    text = what_changed(inputs, Formatter("en"))[0].text
    assert text == "Анна Смирнова: reach rate of the week's signups rose from 52% to 61%"


def _with_changes(rows, changes, **context):
    return from_rows(make_context(**context), rows["board"], rows["trend"], rows["splits"], changes)


def _replaced(rows, metric, manager_id, before, after):
    """The sample's changes with one move's week-ago and current values replaced."""
    return [
        change_row(manager_id, metric, c["candidate_order"], before, after)
        if (c["metric"], c["manager_id"]) == (metric, manager_id)
        else c
        for c in rows["changes"]
    ]


def test_a_forecast_jump_can_lead(rows):
    week_ago = next(r for r in rows["week_ago"] if r["manager_id"] == 0)
    team = next(r for r in rows["board"] if r["manager_id"] == 0)
    halved = (week_ago["funnel_forecast_rub"] / 2).quantize(Decimal("0.01"))
    moved = _replaced(rows, "funnel_forecast_rub", 0, halved, team["funnel_forecast_rub"])
    first = what_changed(_with_changes(rows, moved), Formatter("ru"))[0]
    assert first.metric == "funnel_forecast_rub" and "Прогноз по воронке" in first.text
    # rubles come back exactly as mart_board has them, and are shown as money
    assert (first.before, first.after) == (halved, team["funnel_forecast_rub"])
    assert Formatter("ru").money(halved) in first.text


def test_only_the_marts_candidates_are_compared(rows):
    assert what_changed(_with_changes(rows, []), Formatter("ru")) == ()
    without_anna = [c for c in rows["changes"] if c["manager_id"] != 5001]
    changes = what_changed(_with_changes(rows, without_anna), Formatter("ru"))
    assert 5001 not in {c.manager_id for c in changes} and len(changes) == 3


def test_no_sentence_without_a_visible_move(rows):
    anna = next(r for r in rows["board"] if r["manager_id"] == 5001)
    same = _replaced(rows, "reach_rate", 5001, 0.6104, anna["reach_rate"])  # 61% both weeks
    assert 5001 not in {
        c.manager_id for c in what_changed(_with_changes(rows, same), Formatter("ru"))
    }


def test_ties_are_broken_the_same_way_every_time(rows):
    tied = [
        change_row(c["manager_id"], c["metric"], c["candidate_order"], 0.5, 0.6)
        for c in rows["changes"]
    ]
    inputs = _with_changes(rows, tied)
    first = what_changed(inputs, Formatter("ru"))
    assert [c.manager_id for c in first] == [5001, 5002, 5003]
    assert what_changed(inputs, Formatter("ru")) == first
