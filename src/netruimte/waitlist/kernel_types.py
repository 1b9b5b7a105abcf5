"""Typed inputs and codes of the allocation kernels (:mod:`netruimte.waitlist.kernels`).

The kernels take named tuples of typed numpy arrays, with units in the names where they carry
one; numba compiles them as tuples, so the names cost nothing at run time. The codes are
:class:`~enum.IntEnum` members for Python and plain ``int`` constants for the compiled code.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Final, NamedTuple

import numpy as np
import numpy.typing as npt

from netruimte.conventions import BoolArray, FloatArray, IntArray

__all__ = [
    "EPS_MW",
    "FAIL_BLOCKED",
    "FAIL_NONE",
    "FAIL_ROOM",
    "FIRM",
    "GRANTED",
    "NON_FIRM",
    "TDTR",
    "TIME_BLOCK",
    "WAITING",
    "WITHDRAWN",
    "AlternativeRights",
    "Claims",
    "ContractEvents",
    "Failure",
    "FitState",
    "OfferLog",
    "Outcome",
    "Queue",
    "RequestState",
    "Right",
    "SmallConsumers",
    "Tree",
    "Usage",
]


EPS_MW = 1e-9


class RequestState(IntEnum):
    """A request's state in :attr:`Outcome.status`."""

    WAITING = 0
    GRANTED = 1
    WITHDRAWN = 2


class Right(IntEnum):
    """The transport right a claim is shaped by (:attr:`Claims.right`)."""

    FIRM = 0
    TIME_BLOCK = 1
    TDTR = 2
    NON_FIRM = 3


class Failure(IntEnum):
    """Why a waiting request did not get room (:attr:`Outcome.fail_kind`)."""

    NONE = 0
    ROOM = 1  # not enough room at ``fail_node``
    BLOCKED = 2  # strict fit: a node on its path is held by a request ahead


# Plain ints for the compiled code (numba folds module-level ints into constants).
WAITING: Final = int(RequestState.WAITING)
GRANTED: Final = int(RequestState.GRANTED)
WITHDRAWN: Final = int(RequestState.WITHDRAWN)
FIRM: Final = int(Right.FIRM)
TIME_BLOCK: Final = int(Right.TIME_BLOCK)
TDTR: Final = int(Right.TDTR)
NON_FIRM: Final = int(Right.NON_FIRM)
FAIL_NONE: Final = int(Failure.NONE)
FAIL_ROOM: Final = int(Failure.ROOM)
FAIL_BLOCKED: Final = int(Failure.BLOCKED)


class Tree(NamedTuple):
    """The station tree and its capacity."""

    ancestors: IntArray
    """(stations, depth): node ids from the station itself upwards, -1 padded."""
    capacity_mw: FloatArray
    """(2 directions, nodes, moments) capacity (MW); grows with granted relievers' relief."""
    profile_row: IntArray
    """(2, nodes): the node's row in :attr:`Usage.profile_mw`, -1 for a node without one."""
    path_len: IntArray
    """(stations,): how many nodes each station's row of ``ancestors`` holds (the rest is -1):
    the walk loops over a path without testing for the padding."""


class Usage(NamedTuple):
    """What is in use (MW), updated in place by the walk."""

    flat_mw: FloatArray
    """(2, nodes) in use at nodes without a load profile."""
    profile_mw: FloatArray
    """(profile rows, steps) in use per quarter-hour at nodes with a load profile."""
    profile_max_mw: FloatArray
    """(profile rows,) the maximum of each row of :attr:`profile_mw`."""


class Claims(NamedTuple):
    """How each request's claim is shaped (per request unless said otherwise)."""

    mw: FloatArray
    """Requested MW."""
    right: IntArray
    """:class:`Right` code; the walk writes an accepted alternative right here."""
    base_row: IntArray
    """Row of the request's own profile in :attr:`base_profile_mw`, -1: flat."""
    base_profile_mw: FloatArray
    """(profiles, steps) request profiles (MW)."""
    block_row: IntArray
    """Row of the time-block mask in :attr:`block_masks`, -1 none."""
    block_masks: BoolArray
    """(masks, steps): True inside the capacity blocks."""
    restricted_mw: FloatArray
    """MW outside the blocks (time-block) or in restricted quarter-hours (TDTR)."""
    tdtr_max_steps: int
    """Quarter-hours a TDTR claim may be restricted (15 % of the profile)."""
    nonfirm_max_steps: int
    """Quarter-hours a non-firm right may be without room."""


class FitState(NamedTuple):
    """What a fit test reads and writes: the walk's state and three scratch buffers.

    Built once per walk; the buffers are overwritten by every test.
    """

    tree: Tree
    usage: Usage
    claims: Claims
    buf: FloatArray
    """(steps,) the claim under test (MW); after a fit, the claim to add."""
    viol: BoolArray
    """(steps,) the quarter-hours without room (TDTR and non-firm claims)."""
    fails: IntArray
    """(depth,) the failing nodes; the first ``n_fail`` entries count."""


class Queue(NamedTuple):
    """The waiting requests, their orders and the per-request rules of the walk."""

    station: IntArray
    direction: IntArray
    """0 offtake, 1 feed-in."""
    start_m: IntArray
    """First moment the request takes part."""
    orders: IntArray
    """(regimes, requests) the order of the list under each regime."""
    regime_of_moment: IntArray
    release_mw: FloatArray
    """Peak mode, use it or lose it: MW released from a firm grant."""
    used_mw: FloatArray
    """Profile mode, use it or lose it: the MW the claim is lowered to."""
    release_map: IntArray
    """Moment of the grant -> moment of the release (-1 never)."""
    strict: bool
    """Strict fit: a request that does not fit holds the nodes of its path."""
    profile_mode: bool
    partial_ok: BoolArray
    """The request accepts partial offers."""
    min_offer_mw: float
    steered: BoolArray
    """A steered congestion reliever: no peak claim."""
    relief_add_mw: FloatArray
    """Offtake headroom a granted reliever adds on its path from its grant on."""


class SmallConsumers(NamedTuple):
    """Small consumers served outside the list from reserved room."""

    outside: BoolArray
    """(moments,) small consumers are outside the list at this moment."""
    order: IntArray
    """Small-consumer requests, first come first served."""
    node: IntArray
    """Node whose reserve serves the request (-1: none, connected at once; -2: not small)."""
    reserve_mw: FloatArray
    """(nodes,) reserved room left (MW), updated in place."""


class AlternativeRights(NamedTuple):
    """(requests, alternatives) the alternative rights each request accepts, -1 padded."""

    right: IntArray
    block_row: IntArray
    restricted_mw: FloatArray


class ContractEvents(NamedTuple):
    """CBC-T windows at profile nodes, in moment order: at ``moment`` add ``mw`` times the
    window mask ``masks[mask]`` to profile row ``profile_row``."""

    moment: IntArray
    profile_row: IntArray
    mw: FloatArray
    mask: IntArray
    masks: FloatArray


class Outcome(NamedTuple):
    """What the walk writes, per request unless said otherwise."""

    status: npt.NDArray[np.int8]
    grant_m: IntArray
    withdrawn_m: IntArray
    released_m: IntArray
    last_m: IntArray
    """Last moment the request was considered."""
    rank_pos: IntArray
    ahead_mw: FloatArray
    fail_node: IntArray
    fail_kind: npt.NDArray[np.int8]
    claim_peak_mw: FloatArray
    pending_count: npt.NDArray[np.int32]
    """(moments, 2, nodes) waiting requests per station."""
    room_hist_mw: FloatArray
    """(2, nodes, moments) room left after each moment."""
    granted_mw: FloatArray
    outside: BoolArray
    """Granted outside the list (a small consumer from reserved room)."""
    alt_used: IntArray
    """Index of the alternative right granted, -1 none."""


class OfferLog(NamedTuple):
    """Every offer (grant or partial offer) in order."""

    request: IntArray
    moment: IntArray
    mw: FloatArray
    right: IntArray
    tally: IntArray
    """``[offers logged, offers that did not fit the log]``."""
