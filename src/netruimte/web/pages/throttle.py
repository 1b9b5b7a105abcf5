"""Sign-in rate limiting: a few wrong tokens per client, then 429 with Retry-After.

Tokens hold 256 random bits, so guessing one is hopeless anyway; the limit keeps a script from
hammering the sign-in form (and the database behind it). Failures are counted per client
address in a sliding window, in this process's memory: behind a reverse proxy, start the
server with ``--forwarded-allow-ips`` so that the address is the browser's, not the proxy's
(``docs/service.md``). A successful sign-in does not clear the count, so correct and wrong
guesses cannot be interleaved to go on for ever.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

__all__ = ["SignInThrottle"]


class SignInThrottle:
    """At most ``failures`` wrong sign-ins per client within ``window_s`` seconds."""

    def __init__(
        self,
        failures: int = 5,
        window_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = 100_000,
    ) -> None:
        self.failures = failures
        self.window_s = window_s
        self._clock = clock
        self._max_clients = max_clients
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        times = self._seen.get(client)
        if times is None:
            return deque()
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if not times:
            del self._seen[client]
        return times

    def retry_after(self, client: str) -> int | None:
        """Seconds this client must wait before it may try again (None: it may try now)."""
        with self._lock:
            now = self._clock()
            times = self._recent(client, now)
            if len(times) < self.failures:
                return None
            return max(1, math.ceil(times[0] + self.window_s - now))

    def failed(self, client: str) -> None:
        """Count one wrong sign-in of this client."""
        with self._lock:
            now = self._clock()
            if client not in self._seen and len(self._seen) >= self._max_clients:
                for key in list(self._seen):  # forget clients whose window has passed
                    self._recent(key, now)
                while len(self._seen) >= self._max_clients:  # still full: the oldest go
                    del self._seen[next(iter(self._seen))]
            self._seen.setdefault(client, deque()).append(now)
