"""A small register every workflow test builds for itself (hand-solvable), and sign-in helpers.

Grid ``WTOP`` (offtake 10 MW, load 8 MW: 2 MW room) with child ``WA`` (5 MW, load 4 MW: 1 MW
room) and child ``WB`` (5 MW, load 3 MW: 2 MW room); reinforcement ``WA-2027`` adds 2 MW at
``WA`` on 2027-03-01. No requests: each test files its own.
"""

from __future__ import annotations

import re
from typing import Any

from netruimte.access import auth
from netruimte.access.auth import SYSTEM
from netruimte.register import scenario_io
from netruimte.storage import Database

__all__ = ["WORLD_TOML", "csrf_of", "make_world"]

WORLD_TOML = """\
[scenario]
name = "workflows"
start = "2026-01-01"
end = "2029-01-01"
policy = "acm-2026"
fit = "first-fit"

[[station]]
id = "WTOP"
name = "Top"
offtake_mw = 10
load_mw = 8
feedin_mw = 10
feedin_load_mw = 2

[[station]]
id = "WA"
name = "Station A"
parent = "WTOP"
offtake_mw = 5
load_mw = 4

[[station]]
id = "WB"
name = "Station B"
parent = "WTOP"
offtake_mw = 5
load_mw = 3

[[reinforcement]]
id = "WA-2027"
station = "WA"
date = "2027-03-01"
offtake_mw = 2
"""


def make_world(db: Database) -> dict[str, Any]:
    """Import the register and add an operator and two applicants; their tokens by name."""
    scenario_io.import_bundle(db, SYSTEM, [("workflows.toml", WORLD_TOML.encode())])
    tokens = {}
    for name, role in (("planner", "operator"), ("alice", "applicant"), ("bob", "applicant")):
        _, tokens[name] = auth.add_user(db, name, role)
    return tokens


def csrf_of(html: str) -> str:
    """The form token a page embeds (every form has the same one)."""
    m = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', html)
    assert m is not None, "the page has no form token"
    return m.group(1)
