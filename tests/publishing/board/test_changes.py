""" "What changed" picks the three largest relative moves against last week."""

from __future__ import annotations

import dataclasses

from publishing.board.changes import what_changed
from publishing.board.formatting import Formatter


def test_the_three_largest_moves_in_order(inputs):
    changes = what_changed(inputs, Formatter("ru"))
    assert [(c.metric, c.manager_id) for c in changes] == [
        ("reach_rate", 5001),
        ("paid_rate", 0),
        ("reach_rate", 5004),
    ]
    assert [c.text for c in changes] == [
        "Анна Смирнова: дозвон вырос с 52% до 61% за неделю",
        "Конверсия из регистрации в оплату выросла с 5% до 6% за неделю",
        "Глеб Попов: дозвон снизился с 44% до 40% за неделю",
    ]
    assert abs(changes[0].relative_change - (0.61 / 0.52 - 1)) < 1e-9


def test_sentences_follow_the_locale(make_inputs):
    inputs = make_inputs(locale="en")
    text = what_changed(inputs, Formatter("en"))[0].text
    assert text == "Анна Смирнова: reach rate rose from 52% to 61% in a week"


def _with_week_ago(inputs, manager_id, **values):
    week_ago = dict(inputs.week_ago)
    week_ago[manager_id] = dataclasses.replace(week_ago[manager_id], **values)
    return dataclasses.replace(inputs, week_ago=week_ago)


def test_a_forecast_jump_can_lead(inputs):
    team = inputs.week_ago[0]
    moved = _with_week_ago(inputs, 0, funnel_forecast_rub=team.funnel_forecast_rub / 2)
    first = what_changed(moved, Formatter("ru"))[0]
    assert first.metric == "funnel_forecast_rub" and "Прогноз по воронке" in first.text


def test_forecasts_of_another_month_are_not_compared(inputs):
    team = inputs.week_ago[0]
    moved = _with_week_ago(
        inputs,
        0,
        funnel_forecast_rub=team.funnel_forecast_rub / 2,
        month_start=team.month_start.replace(month=10),
    )
    assert "funnel_forecast_rub" not in {c.metric for c in what_changed(moved, Formatter("ru"))}


def test_no_sentence_without_a_visible_move(inputs):
    gone = _with_week_ago(inputs, 5001, reach_rate=None)
    assert 5001 not in {c.manager_id for c in what_changed(gone, Formatter("ru"))}
    zero = _with_week_ago(inputs, 5001, reach_rate=0.0)
    assert 5001 not in {c.manager_id for c in what_changed(zero, Formatter("ru"))}
    same = _with_week_ago(inputs, 5001, reach_rate=0.6104)  # shows as 61% both weeks
    assert 5001 not in {c.manager_id for c in what_changed(same, Formatter("ru"))}


def test_ties_are_broken_the_same_way_every_time(inputs):
    week_ago = {k: dataclasses.replace(v, reach_rate=0.5) for k, v in inputs.week_ago.items()}
    managers = tuple(dataclasses.replace(m, reach_rate=0.6) for m in inputs.managers)
    tied = dataclasses.replace(inputs, week_ago=week_ago, managers=managers)
    first = what_changed(tied, Formatter("ru"))
    assert [c.manager_id for c in first] == [5001, 5002, 5003]
    assert what_changed(tied, Formatter("ru")) == first
