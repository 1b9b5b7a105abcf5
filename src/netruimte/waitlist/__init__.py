"""The waiting list: requests, versioned priority rules, allocation, Monte Carlo (pure).

Typical use::

    from netruimte.scenario.waitlist_toml import load_scenario
    from netruimte.waitlist import simulate, monte_carlo, explain

    scenario = load_scenario("examples/waitlist/flevoland-small.toml")
    result = simulate(scenario, policy="acm-2026", fit="first-fit")
    result.to_json_dict()                      # the contract's Result JSON
    print(explain(result, "R-001"))
    mc = monte_carlo(scenario, runs=200, seed=1)   # adds P10/P50/P90 grant dates

Rules and semantics: ``docs/rules.md``; scenario keys: ``docs/scenario-file.md``.
"""

from __future__ import annotations

from netruimte.waitlist.engine import CompiledScenario, compile_scenario
from netruimte.waitlist.explain import explain
from netruimte.waitlist.requests import FUNCTIONS, Category, Contract, Request, Status
from netruimte.waitlist.result import RequestOutcome, SimulationResult, StationOutcome
from netruimte.waitlist.rules import (
    ACM_2024,
    ACM_2026,
    FCFS,
    RULES,
    Policy,
    Rule,
    eligible_category,
    rule_in_force,
)
from netruimte.waitlist.run import run_compiled
from netruimte.waitlist.scenario import CapacityMode, Fit, Scenario, UseItOrLoseIt
from netruimte.waitlist.simulation import draw_run, monte_carlo, run_grants, run_seeds, simulate

__all__ = [
    "ACM_2024",
    "ACM_2026",
    "FCFS",
    "FUNCTIONS",
    "RULES",
    "CapacityMode",
    "Category",
    "CompiledScenario",
    "Contract",
    "Fit",
    "Policy",
    "Request",
    "RequestOutcome",
    "Rule",
    "Scenario",
    "SimulationResult",
    "StationOutcome",
    "Status",
    "UseItOrLoseIt",
    "compile_scenario",
    "draw_run",
    "eligible_category",
    "explain",
    "monte_carlo",
    "rule_in_force",
    "run_compiled",
    "run_grants",
    "run_seeds",
    "simulate",
]
