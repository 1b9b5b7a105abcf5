"""Dutch public holidays, for the day types of standard load profiles.

Days on which most businesses close: New Year's Day, Easter Monday, King's Day (27 April, or
26 April when the 27th is a Sunday), Liberation Day (5 May) in lustrum years only (when it is a
general day off by most collective agreements), Ascension Day, Whit Monday, Christmas Day and
Boxing Day. Good Friday is left out: most businesses work. This is a modelling choice for
standard profiles, not a legal list.
"""

from __future__ import annotations

import datetime as dt

from dateutil.easter import easter

__all__ = ["dutch_holidays"]


def dutch_holidays(year: int) -> dict[dt.date, str]:
    """The Dutch public holidays of ``year`` as ``{date: name}``."""
    easter_sunday = easter(year)
    kings_day = dt.date(year, 4, 27)
    if kings_day.weekday() == 6:
        kings_day = dt.date(year, 4, 26)
    days = {
        dt.date(year, 1, 1): "Nieuwjaarsdag",
        easter_sunday + dt.timedelta(days=1): "Tweede paasdag",
        kings_day: "Koningsdag",
        easter_sunday + dt.timedelta(days=39): "Hemelvaartsdag",
        easter_sunday + dt.timedelta(days=50): "Tweede pinksterdag",
        dt.date(year, 12, 25): "Eerste kerstdag",
        dt.date(year, 12, 26): "Tweede kerstdag",
    }
    if year % 5 == 0:
        days[dt.date(year, 5, 5)] = "Bevrijdingsdag"
    return days
