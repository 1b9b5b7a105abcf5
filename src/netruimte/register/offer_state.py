"""The states of an offer (``requests.offer_status``, migration 0004).

An offer is a granted part ``ID.partN`` of a waiting request: room held for the applicant on
the part's path until the applicant answers. ``offered`` waits for that answer; ``accepted``
is a transport right like any grant; ``declined`` (by the applicant) and ``withdrawn`` (by the
operator) released the room and gave the kW back to the request.
"""

from __future__ import annotations

__all__ = ["ACCEPTED", "DECLINED", "OFFERED", "OFFER_STATES", "WITHDRAWN_OFFER"]

OFFERED, ACCEPTED, DECLINED, WITHDRAWN_OFFER = "offered", "accepted", "declined", "withdrawn"
OFFER_STATES = (OFFERED, ACCEPTED, DECLINED, WITHDRAWN_OFFER)
