"""The trade-off curve: the smallest connection as a function of battery size.

For each battery energy ``E`` (kWh) the site's installed battery is replaced by one of
``E`` kWh and ``E × c_rate`` kW (keeping the site battery's efficiency and state-of-charge
limits, or the defaults of :class:`~netruimte.planner.site.Battery` when the site has none),
and :func:`~netruimte.planner.fast.min_connection` answers. The curve never rises: a larger
battery can do everything a smaller one can (``docs/site-file.md``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Final

from netruimte.errors import InputError
from netruimte.planner.fast import min_connection
from netruimte.planner.result import PlanStatus
from netruimte.planner.site import Battery, Site

__all__ = ["DEFAULT_C_RATE", "CurvePoint", "parse_battery_range", "tradeoff_curve"]

DEFAULT_C_RATE: Final = 0.5
"""Battery power per kWh of energy (1/h) when none is given: a two-hour battery."""

_MAX_POINTS: Final = 10_000
_NUMBER = r"\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*"
_RANGE = re.compile(f"^{_NUMBER}:{_NUMBER}:{_NUMBER}$")


@dataclass(frozen=True)
class CurvePoint:
    """One point of the curve; ``import_kw`` is ``None`` when no limit works."""

    battery_energy_kwh: float
    battery_power_kw: float
    import_kw: float | None

    def to_dict(self) -> dict[str, float | None]:
        """The point as the curve JSON object of the interface contract (its fields, in order)."""
        return asdict(self)


def tradeoff_curve(site: Site, battery_kwh: Sequence[float], c_rate: float) -> list[CurvePoint]:
    """The smallest import limit for each battery size.

    Parameters
    ----------
    site
        The site; its installed battery is replaced at each point.
    battery_kwh
        Battery energies (kWh, ≥ 0), in the order the points are wanted.
    c_rate
        Battery power per kWh (1/h, > 0): power = energy × c_rate.

    Returns
    -------
    list of CurvePoint
        One point per energy, ``import_kw`` rounded to 1e-4 kW.
    """
    if not (math.isfinite(c_rate) and c_rate > 0):
        raise InputError(f"expected a c-rate > 0 (1/h), got {c_rate!r}", field="c_rate")
    template = site.battery if site.battery is not None else Battery()
    points = []
    for energy in battery_kwh:
        if not (math.isfinite(energy) and energy >= 0):
            raise InputError(f"expected battery energies >= 0 kWh, got {energy!r}", field="kwh")
        power = energy * c_rate
        sized = replace(site, battery=replace(template, energy_kwh=energy, power_kw=power))
        result = min_connection(sized, dispatch=False)
        kw = None
        if result.status is PlanStatus.OPTIMAL and result.import_kw is not None:
            kw = round(result.import_kw, 4)
        points.append(CurvePoint(float(energy), float(power), kw))
    return points


def parse_battery_range(text: str) -> list[float]:
    """Parse ``START:STOP:STEP`` (kWh) into the energies ``START, START+STEP, ... <= STOP``.

    ``STOP`` is included when it lies on the grid (to 1e-9 of a step).
    """
    match = _RANGE.match(text)
    if not match:
        raise InputError(
            f"expected START:STOP:STEP in kWh such as '0:1000:100', got {text!r}",
            field="battery-kwh",
        )
    start, stop, step = (float(g) for g in match.groups())
    if step <= 0 or stop < start:
        raise InputError(f"expected STEP > 0 and STOP >= START, got {text!r}", field="battery-kwh")
    count = math.floor((stop - start) / step + 1e-9) + 1
    if count > _MAX_POINTS:
        raise InputError(
            f"{text!r} gives {count} points; at most {_MAX_POINTS} are allowed", field="battery-kwh"
        )
    return [round(start + i * step, 9) for i in range(count)]
