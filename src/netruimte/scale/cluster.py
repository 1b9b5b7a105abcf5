"""Connect to Dask: an in-process local cluster by default, or a real scheduler.

:func:`dask_client` is the one way the scale runners get a :class:`distributed.Client`:

* ``scheduler=None``: a :class:`distributed.LocalCluster` in this process with worker
  *processes* (default 2 workers of 1 thread each: the numba kernels and pandas work hold the
  GIL often enough that processes, not threads, give the speed-up), closed on exit;
* ``scheduler="tcp://HOST:PORT"``: a running scheduler (``dask scheduler`` plus ``dask worker``
  processes); only the client is closed on exit, the cluster keeps running.

:func:`terminal_progress` draws a rich progress bar on stderr for the CLI.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Final

from distributed import Client, Future, LocalCluster, as_completed

from netruimte.errors import InputError

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT_S",
    "DEFAULT_WORKERS",
    "broadcast",
    "cancel",
    "cluster_threads",
    "completed",
    "dask_client",
    "parse_scheduler",
    "terminal_progress",
]

DEFAULT_WORKERS: Final = 2
"""Worker processes of the default local cluster (this machine class has 2 cores)."""

DEFAULT_CONNECT_TIMEOUT_S: Final = 20.0
"""How long to wait for a remote scheduler before giving up (s)."""

_ADDRESS: Final = re.compile(r"^tcp://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$")


def parse_scheduler(address: str) -> str:
    """Check a scheduler address of the form ``tcp://HOST:PORT`` and return it.

    Raises
    ------
    InputError
        When the address is not ``tcp://HOST:PORT`` with a port in 1..65535.
    """
    match = _ADDRESS.match(address.strip())
    if match is None or not 1 <= int(match.group(2)) <= 65535:
        raise InputError(
            f"expected a scheduler address tcp://HOST:PORT such as tcp://10.0.0.5:8786, "
            f"got {address!r}",
            field="--scheduler",
        )
    return address.strip()


@contextlib.contextmanager
def dask_client(
    scheduler: str | None = None,
    *,
    n_workers: int = DEFAULT_WORKERS,
    threads_per_worker: int = 1,
    timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S,
) -> Iterator[Client]:
    """A Dask client: to ``scheduler``, or to a new in-process local cluster.

    Parameters
    ----------
    scheduler
        ``tcp://HOST:PORT`` of a running scheduler, or ``None`` for a local cluster.
    n_workers, threads_per_worker
        Size of the local cluster (ignored with ``scheduler``).
    timeout_s
        Seconds to wait for the scheduler to answer.

    Raises
    ------
    InputError
        A malformed address, no scheduler answering there within ``timeout_s``, or a scheduler
        without workers after ``timeout_s``.
    """
    if scheduler is None:
        if n_workers < 1 or threads_per_worker < 1:
            raise InputError(
                f"expected at least 1 worker and 1 thread, got {n_workers} and "
                f"{threads_per_worker}",
                field="workers",
            )
        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=n_workers,
            threads_per_worker=threads_per_worker,
            processes=True,
            dashboard_address=":0",  # a free port: never clashes with another cluster
            silence_logs=logging.ERROR,
        )
        try:
            with Client(cluster) as client:  # type: ignore[no-untyped-call]
                yield client
        finally:
            cluster.close()
        return
    address = parse_scheduler(scheduler)
    try:
        client = Client(address, timeout=f"{timeout_s}s")  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError) as exc:
        raise InputError(
            f"no Dask scheduler answered at {address} within {timeout_s:g} s ({exc})",
            field="--scheduler",
        ) from None
    try:
        try:  # a scheduler without workers would leave every task waiting forever
            client.wait_for_workers(1, timeout=timeout_s)
        except TimeoutError:
            raise InputError(
                f"the Dask scheduler at {address} has no workers (none joined within "
                f"{timeout_s:g} s); start some with 'dask worker {address}'",
                field="--scheduler",
            ) from None
        yield client
    finally:
        client.close()  # type: ignore[no-untyped-call]


def cluster_threads(client: Client) -> int:
    """The number of worker threads the cluster has now (at least 1 for sizing chunks)."""
    info = client.scheduler_info()
    workers = info.get("workers", {})
    return max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))


@contextlib.contextmanager
def terminal_progress(description: str, total: int) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr; yields ``advance(n)`` to move it ``n`` steps.

    On a non-terminal stderr rich prints nothing live, so logs and ``--json`` stay clean.
    """
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=False,
    )
    with progress:
        task = progress.add_task(description, total=total)

        def advance(n: int = 1) -> None:
            progress.advance(task, n)

        yield advance


# Typed doors to the untyped parts of ``distributed`` the scale-out uses (one ignore each here
# instead of one at every call).
def completed(futures: Iterable[Future[Any]]) -> Iterator[Any]:
    """The futures in the order they finish (:func:`distributed.as_completed`; untyped, as
    ``Future``'s own methods are)."""
    yield from as_completed(futures)  # type: ignore[no-untyped-call]


def cancel(client: Client, items: Iterable[Any]) -> None:
    """Cancel futures (or scattered data) that are no longer needed."""
    client.cancel(list(items))  # type: ignore[no-untyped-call]


def broadcast(client: Client, value: Any) -> Future[Any]:
    """Scatter ``value`` to every worker (each keeps a copy; not hashed: sent once per call)."""
    futures: list[Future[Any]] = client.scatter([value], broadcast=True, hash=False)  # type: ignore[no-untyped-call]
    return futures[0]
