"""The ``[economics]`` table of a site file (the business case's inputs).

Kept apart from :mod:`netruimte.scenario.site_toml` (which is long enough); errors name the
file and the key like every other site-file error.
"""

from __future__ import annotations

from typing import Any, Final, Protocol

from netruimte.errors import InputError
from netruimte.planner.site import Economics

__all__ = ["ECONOMICS_KEYS", "economics"]

ECONOMICS_KEYS: Final = {
    "discount_rate", "lifetime_years", "downtime_eur_per_month", "wait_months", "invest_in",
}  # fmt: skip


class _Reader(Protocol):
    def fail(self, key: str, message: str) -> InputError: ...

    def table(self, parent: dict[str, Any], name: str, key: str) -> dict[str, Any] | None: ...

    def keys(self, table: dict[str, Any], allowed: set[str], prefix: str) -> None: ...

    def number(
        self, table: dict[str, Any], name: str, key: str, default: float | None = None, *,
        low: float | None = None, high: float | None = None, open_low: bool = False,
        open_high: bool = False,
    ) -> float: ...  # fmt: skip

    def string(
        self, table: dict[str, Any], name: str, key: str, default: str | None = None
    ) -> str: ...


def economics(data: dict[str, Any], r: _Reader) -> Economics:
    """Read ``[economics]`` (every key optional; defaults in ``docs/site-file.md``)."""
    table = r.table(data, "economics", "economics") or {}
    r.keys(table, ECONOMICS_KEYS, "economics")
    rate = r.number(table, "discount_rate", "economics.discount_rate", 0.05, low=0.0, high=1.0)
    lifetime = table.get("lifetime_years", 15)
    if isinstance(lifetime, bool) or not isinstance(lifetime, int) or not 1 <= lifetime <= 100:
        raise r.fail(
            "economics.lifetime_years",
            f"expected a whole number of years in 1..100, got {lifetime!r}",
        )
    downtime = r.number(
        table, "downtime_eur_per_month", "economics.downtime_eur_per_month", 0.0, low=0.0
    )
    wait = r.number(table, "wait_months", "economics.wait_months", 0.0, low=0.0, high=1200.0)
    invest_in = r.string(table, "invest_in", "economics.invest_in", "new")
    if invest_in not in ("new", "all"):
        raise r.fail("economics.invest_in", f"expected 'new' or 'all', got {invest_in!r}")
    return Economics(rate, lifetime, downtime, wait, invest_in)
