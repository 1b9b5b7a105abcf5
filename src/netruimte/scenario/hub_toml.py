"""Load a hub file (TOML, interface contract v2 "Energy hubs") into a
:class:`~netruimte.planner.hub.Hub`.

```toml
[hub]
name = "Bedrijventerrein Stichtse Kant"
[[member]]
site = "bakery.toml"            # a v1 site file, path relative to this file
[plan]
objective = "min-connection"    # or "min-cost"
[connection]
import_kw = "minimise"          # the joint contracted import, or a number (kW)
export_kw = 0                   # the joint feed-in limit (kW) or "unlimited"; default 0
[tariff]                        # optional: the joint contract's tariff (keys of the site file)
```

Every member file is read by :func:`netruimte.scenario.site_toml.load_site` (its errors name
that file). Unknown sections and keys, a missing member file, repeated member names and
members in different time zones or years raise :class:`~netruimte.errors.InputError` naming
the hub file (or the member file) and the key. The format is in ``docs/hubs.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import pandas as pd

from netruimte.errors import InputError
from netruimte.planner.hub import Hub
from netruimte.planner.site import Site, Tariff
from netruimte.scenario.site_reader import TomlReader, kind_of
from netruimte.scenario.site_toml import (
    _connection,
    _tariff,
    load_site,
    parse_objective,
    read_toml,
)

__all__ = ["load_hub"]

_SECTIONS: Final = {
    "hub": {"name"},
    "member": {"site"},
    "plan": {"objective"},
    "connection": {"import_kw", "export_kw"},
    "tariff": {
        "contracted_eur_per_kw_year", "kwmax_eur_per_kw_month", "energy_eur_per_kwh",
        "energy_price_csv", "feed_in_eur_per_kwh",
    },
}  # fmt: skip


def load_hub(path: str | Path) -> Hub:
    """Read a hub file and its member site files.

    Parameters
    ----------
    path
        The hub TOML; member ``site`` paths are relative to its folder.

    Returns
    -------
    Hub
        The members in file order, on their common index.

    Raises
    ------
    InputError
        Malformed TOML, an unknown or mistyped key, a missing or bad member file (named), two
        members with one name, or members in different time zones or years.
    """
    source = Path(path)
    data = read_toml(source)
    r = TomlReader(source)
    for name in data:
        if name not in _SECTIONS:
            raise r.fail(name, f"unknown section; expected one of {', '.join(sorted(_SECTIONS))}")
    hub_t = r.table(data, "hub", "hub") or {}
    r.keys(hub_t, _SECTIONS["hub"], "hub")
    name = r.string(hub_t, "name", "hub.name", default=source.stem)
    objective = parse_objective(data, r)
    conn_t = r.table(data, "connection", "connection") or {}
    r.keys(conn_t, _SECTIONS["connection"], "connection")
    connection = _connection({"connection": conn_t}, r)  # the site file's rules and messages
    members = _members(data, r)
    tariff = Tariff()
    if "tariff" in data:
        tariff = _tariff(data, r, members[0].index, members[0].timezone)
    try:
        return Hub(
            name=name,
            members=members,
            objective=objective,
            import_kw=connection.import_kw,
            export_kw=connection.export_kw,
            tariff=tariff,
        )
    except InputError as exc:  # the model's own checks: name this file
        raise InputError(exc.message, source=source, field=exc.field) from None


def _members(data: dict[str, Any], r: TomlReader) -> tuple[Site, ...]:
    raw = data.get("member")
    if raw is None:
        raise r.fail("member", 'missing: expected one or more [[member]] tables with site = "..."')
    if not isinstance(raw, list) or not raw:
        raise r.fail("member", f"expected an array of tables [[member]], got {kind_of(raw)}")
    members: list[Site] = []
    seen: dict[str, int] = {}
    for number, entry in enumerate(raw, start=1):
        key = f"member[{number}]"
        if not isinstance(entry, dict):
            raise r.fail(key, f"expected a table, got {kind_of(entry)}")
        r.keys(entry, _SECTIONS["member"], key)
        site_path = r.path(entry, "site", f"{key}.site")
        if not site_path.is_file():
            raise r.fail(f"{key}.site", f"member site file not found: {site_path}")
        site = load_site(site_path)  # errors name the member's own file and key
        if site.name in seen:
            raise r.fail(
                f"{key}.site",
                f"member name {site.name!r} ([site] name in {site_path.name}) is also the name "
                f"of member[{seen[site.name]}]; member names must be unique",
            )
        seen[site.name] = number
        if members:
            _same_time(members[0], site, r, key, site_path)
        members.append(site)
    return tuple(members)


def _same_time(first: Site, site: Site, r: TomlReader, key: str, site_path: Path) -> None:
    """Members share one time zone and one index; name the member file and key if not."""
    if site.timezone != first.timezone:
        raise r.fail(
            f"{key}.site",
            f"{site_path.name} has site.timezone {site.timezone!r}, member[1] "
            f"{first.timezone!r}: the members of a hub share one time zone",
        )
    if not site.index.equals(first.index):
        raise r.fail(
            f"{key}.site",
            f"{site_path.name} covers {_span(site.index)} (site.year {site.year}), member[1] "
            f"{_span(first.index)} (site.year {first.year}): members must cover the same "
            "steps (same year and span)",
        )


def _span(index: pd.DatetimeIndex) -> str:
    return f"{len(index)} steps from {index[0].isoformat()}"
