"""Golden digests of the allocation kernels' raw output (a refactoring must not move a bit).

:func:`kernel_digests` runs the kernels on a fixed set of seeded scenarios (peak mode with every
policy and fit, profile mode with every transport right, congestion contracts, Monte Carlo
draws) and hashes every output array (SHA-256 of its dtype, shape and bytes). The digests in
``data/kernel_golden.json`` were written by the kernels before their inputs were typed
(issue 17); ``test_kernel_golden.py`` checks that the kernels still write the same bytes.

Rewrite the file only for an intended change of the allocation's results::

    python -m tests.waitlist.golden_kernels --write
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

from netruimte.waitlist.engine import compile_scenario
from netruimte.waitlist.run import RawOutcome, profile_alternatives, run_compiled
from netruimte.waitlist.scenario import Scenario
from netruimte.waitlist.simulation import run_grants, run_seeds
from tests.waitlist.randomcase import FITS, POLICIES, random_cm_scenario, random_scenario
from tests.waitlist.test_profile_fit import _random_profile_scenario

GOLDEN = Path(__file__).parent / "data" / "kernel_golden.json"


def _digest(value: np.ndarray) -> str:
    array = np.ascontiguousarray(value)
    h = hashlib.sha256(f"{array.dtype.str}{array.shape}".encode())
    h.update(array.tobytes())
    return h.hexdigest()[:16]


def _arrays(raw: RawOutcome) -> list[np.ndarray]:
    """Every array of a run, in the order the digests were written in (the order of the run's
    fields before the walk's outputs were grouped into ``RawOutcome.walk``)."""
    w = raw.walk
    arrays = [
        raw.cap, w.status, w.grant_m, w.withdrawn_m, w.released_m, w.last_m, w.rank_pos,
        w.ahead_mw, w.fail_node, w.fail_kind, w.claim_peak_mw, w.pending_count, w.room_hist_mw,
        raw.used_flat, raw.used_prof, raw.max_used, raw.reinforcement_m, w.granted_mw,
        w.outside, w.alt_used, raw.offer_r, raw.offer_m, raw.offer_mw, raw.offer_kind, raw.kind,
        raw.block_idx, raw.restricted_mw,
    ]  # fmt: skip
    # every array once: a field added to the run or to the walk must be added here too
    assert len(arrays) == len(dataclasses.fields(raw)) - 1 + len(w)
    return arrays


def _raw_digests(scenario: Scenario, policy: str | None = None, fit: str | None = None) -> str:
    c = compile_scenario(scenario, policy=policy, fit=fit)
    raw = run_compiled(c)
    parts = [_digest(array) for array in _arrays(raw)]
    waiting = np.flatnonzero(raw.walk.status == 0).astype(np.int64)
    parts.append(_digest(profile_alternatives(c, raw, waiting)))
    for seed_seq in run_seeds(11, 3):
        parts.append(_digest(run_grants(c, seed_seq)))
    return hashlib.sha256("".join(parts).encode()).hexdigest()[:16]


def kernel_digests() -> dict[str, str]:
    """Case name -> digest of every array the kernels wrote for it."""
    out: dict[str, str] = {}
    for seed in range(12):
        sc = random_scenario(seed)
        policy, fit = POLICIES[seed % len(POLICIES)], FITS[seed % len(FITS)]
        out[f"peak-{seed}-{policy}-{fit}"] = _raw_digests(sc, policy, fit)
        out[f"peak-profile-{seed}"] = _raw_digests(dataclasses.replace(sc, capacity="profile"))
    for seed in range(12):
        out[f"profile-{seed}"] = _raw_digests(_random_profile_scenario(seed))
        partial = dataclasses.replace(_random_profile_scenario(seed), partial_offers=True)
        out[f"profile-partial-{seed}"] = _raw_digests(partial)
    for seed in range(8):
        out[f"congestion-{seed}"] = _raw_digests(random_cm_scenario(seed))
    return out


if __name__ == "__main__":  # pragma: no cover - writes the golden file
    if "--write" not in sys.argv:
        raise SystemExit("usage: python -m tests.waitlist.golden_kernels --write")
    GOLDEN.write_text(json.dumps(kernel_digests(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN}")
