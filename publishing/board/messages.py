"""Every word the board shows, per locale. The one place to reword or translate the board.

Both locales have the same keys (a test holds them to it). Templates use `str.format`
fields. Sentences about a change come whole per direction because Russian verbs agree
with the subject's gender ("дозвон вырос", "конверсия выросла"). Managers' names are
never declined: "Анна Смирнова: дозвон вырос" is always right, while a guessed genitive
("у Анны Смирновой") goes wrong on surnames and non-Russian names.
"""

from __future__ import annotations

CATALOGUE: dict[str, dict[str, str | tuple[str, ...]]] = {
    "ru": {
        "months": (
            "января",
            "февраля",
            "марта",
            "апреля",
            "мая",
            "июня",
            "июля",
            "августа",
            "сентября",
            "октября",
            "ноября",
            "декабря",
        ),
        "date": "{day} {month} {year}",
        "short_date": "{day:02d}.{month_number:02d}",
        "moment": "{date}, {time} {zone}",
        # Time-zone abbreviations as this locale writes them (others as the zone data has).
        "zones": {"MSK": "МСК"},
        "money": "{amount}\u00a0₽",
        "minus": "−",
        "thousands": "\u202f",
        "no_value": "—",
        "team": "Команда",
        "board_title": "Доска продаж — {date}",
        "manager_title": "{name} — {date}",
        "day_of_month": "день {elapsed} из {total}",
        "rank_of": "Место {rank} из {total}",
        "back": "← Вся команда",
        "kpi.net_sales": "Продажи с начала месяца",
        "kpi.count": "{count} шт.",
        "kpi.attainment": "Выполнение плана",
        "kpi.plan": "план {plan} · прогноз {forecast}",
        "kpi.avg_check": "Средний чек",
        "kpi.stat_forecast": "Прогноз статистический",
        "kpi.interval": "80%: {low} – {high}",
        "kpi.funnel_forecast": "Прогноз по воронке",
        "kpi.special": "Спецтарифы",
        "managers.incomplete_history": (
            "Рейтинг появится с первого полного месяца: история этого месяца неполная."
        ),
        "kpi.incomplete_history": "неполная история",
        "chart.trend": "Продажи по дням, 30 дней",
        "chart.funnel": "Воронка регистраций месяца, % от регистраций",
        "chart.forecast": "Прогноз и план на месяц",
        "funnel.signups": "Регистрации",
        "funnel.reached": "Дозвон",
        "funnel.consultations": "Консультации",
        "funnel.activated": "Активация",
        "funnel.paid": "Оплата",
        "forecast.actual": "Факт",
        "forecast.stat": "Статистический",
        "forecast.funnel": "По воронке",
        "forecast.plan": "План",
        "forecast.pace": "Темп",
        "table.rank": "#",
        "table.manager": "Менеджер",
        "table.net_sales": "Продажи, ₽",
        "table.count": "Шт.",
        "table.avg_check": "Ср. чек, ₽",
        "table.attainment": "План",
        "table.forecast": "Прогноз, ₽",
        "table.pace": "К темпу",
        "table.reach": "Дозвон",
        "managers.others": "Остальные менеджеры",
        "managers.all": "Менеджеры",
        "splits.tariff": "По тарифам",
        "splits.period": "По сроку оплаты",
        "splits.period_value": "{months} мес.",
        "sale_types.title": "Новые продажи и продления",
        "sale_types.new": "Новые",
        "sale_types.renewal": "Продления",
        "sale_types.unknown": "Тип неизвестен",
        "changes.title": "Что изменилось за неделю",
        "changes.rule": (
            "Регистрации этой недели против прошлой в том же возрасте; прогнозы против прогнозов"
            " неделю назад"
        ),
        "changes.none": "Заметных изменений за неделю нет",
        "change.manager_reach.up": (
            "{name}: дозвон по регистрациям недели вырос с {before} до {after}"
        ),
        "change.manager_reach.down": (
            "{name}: дозвон по регистрациям недели снизился с {before} до {after}"
        ),
        "change.reach_rate.up": "Дозвон по регистрациям недели вырос с {before} до {after}",
        "change.reach_rate.down": "Дозвон по регистрациям недели снизился с {before} до {after}",
        "change.consultation_rate.up": (
            "Конверсия регистраций недели в консультацию выросла с {before} до {after}"
        ),
        "change.consultation_rate.down": (
            "Конверсия регистраций недели в консультацию снизилась с {before} до {after}"
        ),
        "change.activation_rate.up": (
            "Конверсия регистраций недели в активацию выросла с {before} до {after}"
        ),
        "change.activation_rate.down": (
            "Конверсия регистраций недели в активацию снизилась с {before} до {after}"
        ),
        "change.stat_forecast_rub.up": (
            "Статистический прогноз на месяц вырос с {before} до {after} за неделю"
        ),
        "change.stat_forecast_rub.down": (
            "Статистический прогноз на месяц снизился с {before} до {after} за неделю"
        ),
        "change.funnel_forecast_rub.up": (
            "Прогноз по воронке на месяц вырос с {before} до {after} за неделю"
        ),
        "change.funnel_forecast_rub.down": (
            "Прогноз по воронке на месяц снизился с {before} до {after} за неделю"
        ),
        "footer.as_of": "Данные на {date} · собрано {moment}",
        "footer.sources": "Последние успешные загрузки",
        "footer.never": "ни одной",
        "footer.warnings": "Предупреждения",
        "summary.headline": (
            "Продажи на {date}: {sales} с начала месяца ({attainment} плана), прогноз {forecast}"
        ),
        "summary.top": "Лидеры: {names}",
        "summary.link": "Доска: {url}",
    },
    "en": {
        "months": (
            "Jan",
            "Feb",
            "Mar",
            "Apr",
            "May",
            "Jun",
            "Jul",
            "Aug",
            "Sep",
            "Oct",
            "Nov",
            "Dec",
        ),
        "date": "{month} {day}, {year}",
        "short_date": "{month} {day}",
        "moment": "{date}, {time} {zone}",
        "zones": {},
        "money": "RUB {amount}",
        "minus": "-",
        "thousands": ",",
        "no_value": "—",
        "team": "Team",
        "board_title": "Sales board — {date}",
        "manager_title": "{name} — {date}",
        "day_of_month": "day {elapsed} of {total}",
        "rank_of": "Rank {rank} of {total}",
        "back": "← Whole team",
        "kpi.net_sales": "Sales month to date",
        "kpi.count": "{count} sold",
        "kpi.attainment": "Plan attained",
        "kpi.plan": "plan {plan} · fcst {forecast}",
        "kpi.avg_check": "Average check",
        "kpi.stat_forecast": "Statistical forecast",
        "kpi.interval": "80%: {low} – {high}",
        "kpi.funnel_forecast": "Funnel forecast",
        "kpi.special": "Special tariffs",
        "managers.incomplete_history": (
            "No ranking until the first complete month: this month's history is incomplete."
        ),
        "kpi.incomplete_history": "incomplete history",
        "chart.trend": "Daily sales, last 30 days",
        "chart.funnel": "Funnel of this month's signups, % of signups",
        "chart.forecast": "Month forecast vs plan",
        "funnel.signups": "Signups",
        "funnel.reached": "Reached",
        "funnel.consultations": "Consultations",
        "funnel.activated": "Activated",
        "funnel.paid": "Paid",
        "forecast.actual": "Actual",
        "forecast.stat": "Statistical",
        "forecast.funnel": "Funnel",
        "forecast.plan": "Plan",
        "forecast.pace": "Pace",
        "table.rank": "#",
        "table.manager": "Manager",
        "table.net_sales": "Sales, RUB",
        "table.count": "Count",
        "table.avg_check": "Avg check, RUB",
        "table.attainment": "Plan",
        "table.forecast": "Forecast, RUB",
        "table.pace": "Pace",
        "table.reach": "Reach",
        "managers.others": "Other managers",
        "managers.all": "Managers",
        "splits.tariff": "By tariff",
        "splits.period": "By billing period",
        "splits.period_value": "{months} mo",
        "sale_types.title": "New sales and renewals",
        "sale_types.new": "New",
        "sale_types.renewal": "Renewals",
        "sale_types.unknown": "Type unknown",
        "changes.title": "What changed this week",
        "changes.rule": (
            "This week's signups against last week's at the same age; forecasts against a week ago"
        ),
        "changes.none": "No notable changes this week",
        "change.manager_reach.up": (
            "{name}: reach rate of the week's signups rose from {before} to {after}"
        ),
        "change.manager_reach.down": (
            "{name}: reach rate of the week's signups fell from {before} to {after}"
        ),
        "change.reach_rate.up": (
            "Team reach rate of the week's signups rose from {before} to {after}"
        ),
        "change.reach_rate.down": (
            "Team reach rate of the week's signups fell from {before} to {after}"
        ),
        "change.consultation_rate.up": (
            "Signup-to-consultation conversion of the week's signups rose from {before} to {after}"
        ),
        "change.consultation_rate.down": (
            "Signup-to-consultation conversion of the week's signups fell from {before} to {after}"
        ),
        "change.activation_rate.up": (
            "Signup-to-activation conversion of the week's signups rose from {before} to {after}"
        ),
        "change.activation_rate.down": (
            "Signup-to-activation conversion of the week's signups fell from {before} to {after}"
        ),
        "change.stat_forecast_rub.up": (
            "Statistical month forecast rose from {before} to {after} in a week"
        ),
        "change.stat_forecast_rub.down": (
            "Statistical month forecast fell from {before} to {after} in a week"
        ),
        "change.funnel_forecast_rub.up": (
            "Funnel month forecast rose from {before} to {after} in a week"
        ),
        "change.funnel_forecast_rub.down": (
            "Funnel month forecast fell from {before} to {after} in a week"
        ),
        "footer.as_of": "Data as of {date} · generated {moment}",
        "footer.sources": "Last successful loads",
        "footer.never": "never",
        "footer.warnings": "Warnings",
        "summary.headline": (
            "Sales as of {date}: {sales} month to date ({attainment} of plan), forecast {forecast}"
        ),
        "summary.top": "Top: {names}",
        "summary.link": "Board: {url}",
    },
}
