"""First start: fill an empty register with the bundled Flevoland scenario.

``netruimte serve`` on a fresh machine creates the SQLite file, applies the migrations and, when
the register is empty, imports :func:`default_scenario`, so the service has something real to
show without any set-up. Importing another scenario (``POST /api/v1/scenario``) replaces it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from netruimte.access.auth import SYSTEM
from netruimte.register.scenario_io import import_scenario
from netruimte.storage import Database
from netruimte.storage.tables import Register
from netruimte.waitlist import Scenario

__all__ = ["DEFAULT_SCENARIO_SOURCE", "default_scenario", "ensure_bootstrapped"]

DEFAULT_SCENARIO_SOURCE = "bundled:flevoland"


def default_scenario() -> Scenario:
    """The bundled Flevoland scenario as a waiting-list scenario.

    Built from :func:`netruimte.scenario.flevoland.generate_flevoland` (published grid figures
    plus the seeded synthetic waiting list, ``docs/scenario-flevoland.md``) through the same
    parser as a scenario file, so it is validated like one.
    """
    from netruimte.scenario.flevoland import generate_flevoland
    from netruimte.scenario.waitlist_toml import parse_scenario

    flevoland = generate_flevoland()
    data: dict[str, Any] = {
        "scenario": {
            "name": "Flevoland (bundled: published grid figures, synthetic waiting list)",
            "start": flevoland.start,
            "end": flevoland.end,
            "policy": "acm-2026",
            "fit": "first-fit",
            "seed": flevoland.seed,
        },
        "station": [dict(s) for s in flevoland.stations],
        "reinforcement": [dict(r) for r in flevoland.reinforcements],
        "request": [r.contract_fields() for r in flevoland.requests],
    }
    return parse_scenario(data, source=DEFAULT_SCENARIO_SOURCE, base_dir=Path("."))


def ensure_bootstrapped(db: Database) -> bool:
    """Import :func:`default_scenario` when the register is empty; True when it did."""
    with db.read() as session:
        if session.get(Register, 1) is not None:
            return False
    import_scenario(db, default_scenario(), SYSTEM, source=DEFAULT_SCENARIO_SOURCE)
    return True
