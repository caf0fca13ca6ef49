"""Plausible Russian small-business names for the demo's prospects."""

from __future__ import annotations

import random

_FIRST = (
    "Алексей Андрей Анна Екатерина Елена Иван Ирина Мария Михаил Наталья "
    "Никита Ольга Павел Сергей Светлана Татьяна Юлия Дмитрий Ксения Роман"
).split()
_LAST = (
    "Иванов Петров Смирнов Кузнецов Попов Васильев Соколов Михайлов Новиков "
    "Федоров Морозов Волков Алексеев Лебедев Семенов Егоров Павлов Козлов"
).split()
_FEMININE_FIRST = {"Анна", "Екатерина", "Елена", "Ирина", "Мария", "Наталья", "Ольга"} | {
    "Светлана",
    "Татьяна",
    "Юлия",
    "Ксения",
}
_BUSINESS = (
    "Кофейня Пекарня Автосервис Студия Агентство Клиника Ателье Магазин "
    "Типография Барбершоп Стройбригада Фитнес-клуб Цветочная лавка Логистика"
).split()
_BRAND = "Север Восток Ромашка Альфа Гранат Лотос Вектор Тайга Маяк Орбита Кедр Бриз".split()


def person_name(rng: random.Random) -> tuple[str, str]:
    first = rng.choice(_FIRST)
    last = rng.choice(_LAST)
    return first, last + ("а" if first in _FEMININE_FIRST else "")


def company_name(rng: random.Random) -> str:
    legal = rng.choice(["ООО", "ИП", "ООО", "ИП", "АО"])
    return f"{legal} «{rng.choice(_BRAND)}» — {rng.choice(_BUSINESS).lower()}"
