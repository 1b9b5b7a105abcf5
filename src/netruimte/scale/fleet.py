"""Plan a fleet of sites on Dask: one task per site, one row per site, failures kept per site.

Each task reads its site on the worker (:func:`netruimte.scale.fleet_input.entry_site`: only
file names and CSV cells travel, never a year of 15-minute series), plans it with the
``planner`` given (normally :func:`netruimte.sites.plan_file.plan_site`, which the CLI
passes; this module does not import the use-case layer) and returns a small
:class:`SiteRow`. A site that fails, for bad input or anything else, becomes a row with status
``error`` and the message; the other sites go on. A task lost with a worker that died is run
again by the Dask scheduler; the rows are collected by site position, so every site appears
exactly once, whatever the order of completion or the number of workers.

The rows are the same as those of :func:`plan_fleet_sequential` (apart from ``seconds``): the
planner is deterministic and a site's plan depends only on its own input.
"""

from __future__ import annotations

import math
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, Final, Protocol

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
from distributed import Client

from netruimte._util import atomic_path, write_atomic
from netruimte.errors import InputError
from netruimte.planner.site import Objective, Site
from netruimte.scale.cluster import cancel, completed, dask_client
from netruimte.scale.fleet_input import Fleet, FleetEntry, entry_site

__all__ = [
    "RESULTS_FILE",
    "SUMMARY_FILE",
    "FleetResult",
    "PlanLike",
    "Planner",
    "SiteRow",
    "SiteStatus",
    "plan_entry",
    "plan_fleet",
    "plan_fleet_sequential",
    "read_results",
    "write_results",
]

RESULTS_FILE: Final = "results.parquet"
SUMMARY_FILE: Final = "summary.json"


class SiteStatus(StrEnum):
    """Outcome of one site of a fleet."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    ERROR = "error"


class PlanLike(Protocol):
    """What a planner returns (the fields of the Plan JSON; e.g. ``PricedPlan``)."""

    @property
    def status(self) -> str: ...
    @property
    def import_kw(self) -> float | None: ...
    @property
    def export_kw(self) -> float | None: ...
    @property
    def pv_kwp(self) -> float: ...
    @property
    def battery_energy_kwh(self) -> float: ...
    @property
    def battery_power_kw(self) -> float: ...
    @property
    def peak_import_before_kw(self) -> float: ...
    @property
    def peak_import_after_kw(self) -> float | None: ...
    @property
    def annual_cost_eur(self) -> float | None: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def method(self) -> str: ...


Planner = Callable[[Site], PlanLike]
"""Plans one site with ``site.objective``; must be picklable (a module-level function)."""


@dataclass(frozen=True)
class SiteRow:
    """One site's result: a row of ``results.parquet``.

    Attributes
    ----------
    position, name, source
        Place in the fleet, site name, and ``file.toml`` or ``fleet.csv:LINE``.
    objective
        ``min-connection`` or ``min-cost``; ``None`` when the site could not be read.
    status
        ``optimal``, ``infeasible`` (``reason`` says why) or ``error`` (``error`` says what).
    import_kw, export_kw
        The planned import connection and the feed-in it asks for (kW).
    peak_import_before_kw, peak_import_after_kw
        Peak of load − PV without battery or flexibility, and peak import of the plan (kW).
    pv_kwp, battery_energy_kwh, battery_power_kw
        PV and battery of the plan (kWp, kWh, kW).
    annual_cost_eur
        Cost of the plan over the profile's span (EUR), as the planner prices it.
    method
        Which engine answered (``kernel``, ``lp``).
    reason, error
        Why a site is infeasible; the error message of a site that failed.
    seconds
        Wall time of reading and planning the site where it ran (s).
    cpu_seconds
        CPU time of the same (s; the process's, so it is not inflated by other load).
    """

    position: int
    name: str
    source: str
    objective: str | None
    status: SiteStatus
    import_kw: float | None = None
    export_kw: float | None = None
    peak_import_before_kw: float | None = None
    peak_import_after_kw: float | None = None
    pv_kwp: float | None = None
    battery_energy_kwh: float | None = None
    battery_power_kw: float | None = None
    annual_cost_eur: float | None = None
    method: str | None = None
    reason: str | None = None
    error: str | None = None
    seconds: float = 0.0
    cpu_seconds: float = 0.0

    def untimed(self) -> SiteRow:
        """The row without its timings (to compare runs)."""
        return replace(self, seconds=0.0, cpu_seconds=0.0)


_SCHEMA: Final = pa.schema(
    [
        ("position", pa.int64()),
        ("name", pa.string()),
        ("source", pa.string()),
        ("objective", pa.string()),
        ("status", pa.string()),
        ("import_kw", pa.float64()),
        ("export_kw", pa.float64()),
        ("peak_import_before_kw", pa.float64()),
        ("peak_import_after_kw", pa.float64()),
        ("pv_kwp", pa.float64()),
        ("battery_energy_kwh", pa.float64()),
        ("battery_power_kw", pa.float64()),
        ("annual_cost_eur", pa.float64()),
        ("method", pa.string()),
        ("reason", pa.string()),
        ("error", pa.string()),
        ("seconds", pa.float64()),
        ("cpu_seconds", pa.float64()),
    ]
)
assert [f.name for f in fields(SiteRow)] == _SCHEMA.names


@dataclass(frozen=True)
class FleetResult:
    """A planned fleet: one row per site in fleet order, and how it was run."""

    fleet: Fleet
    rows: tuple[SiteRow, ...]
    objective: Objective | None
    scheduler: str
    workers: int
    threads: int
    wall_seconds: float

    def count(self, status: SiteStatus) -> int:
        """How many sites ended with ``status``."""
        return sum(1 for row in self.rows if row.status is status)

    def summary(self) -> dict[str, Any]:
        """The ``summary.json`` document (fields in ``docs/fleet.md``)."""
        ok = [r for r in self.rows if r.status is SiteStatus.OPTIMAL]
        seconds = [r.seconds for r in self.rows]

        def total(name: str) -> float:
            return float(math.fsum(getattr(r, name) or 0.0 for r in ok))

        return {
            "fleet": str(self.fleet.source),
            "objective": self.objective.value if self.objective is not None else "per site",
            "scheduler": self.scheduler,
            "workers": self.workers,
            "threads": self.threads,
            "sites": len(self.rows),
            "optimal": len(ok),
            "infeasible": self.count(SiteStatus.INFEASIBLE),
            "error": self.count(SiteStatus.ERROR),
            "import_kw_total": total("import_kw"),
            "peak_import_before_kw_total": total("peak_import_before_kw"),
            "peak_import_after_kw_total": total("peak_import_after_kw"),
            "annual_cost_eur_total": total("annual_cost_eur"),
            "site_seconds_total": float(math.fsum(seconds)),
            "site_seconds_median": float(statistics.median(seconds)) if seconds else 0.0,
            "site_cpu_seconds_total": float(math.fsum(r.cpu_seconds for r in self.rows)),
            "wall_seconds": self.wall_seconds,
            "problems": [
                {
                    "name": r.name,
                    "source": r.source,
                    "status": r.status.value,
                    "message": r.error if r.status is SiteStatus.ERROR else r.reason,
                }
                for r in self.rows
                if r.status is not SiteStatus.OPTIMAL
            ],
        }


def _number(value: Any) -> float | None:
    if value is None:
        return None
    out = float(value)
    return out if math.isfinite(out) else None


def plan_entry(entry: FleetEntry, planner: Planner, objective: Objective | None = None) -> SiteRow:
    """Read and plan one site (a Dask task); never raises for a problem of the site itself.

    Parameters
    ----------
    entry
        The site.
    planner
        Plans a :class:`Site` with its ``objective``.
    objective
        Overrides the site's own objective when given.
    """
    start, cpu = time.perf_counter(), time.process_time()
    wanted = objective.value if objective is not None else None
    try:
        site = entry_site(entry)
        if objective is not None and site.objective is not objective:
            site = replace(site, objective=objective)
        wanted = site.objective.value
        plan = planner(site)
    except Exception as exc:  # one site's failure is its row, not the fleet's end
        message = str(exc) if isinstance(exc, InputError) else f"{type(exc).__name__}: {exc}"
        return SiteRow(
            entry.position, entry.name, entry.source, wanted, SiteStatus.ERROR,
            error=message, seconds=time.perf_counter() - start,
            cpu_seconds=time.process_time() - cpu,
        )  # fmt: skip
    status = SiteStatus(plan.status)
    return SiteRow(
        position=entry.position,
        name=entry.name,
        source=entry.source,
        objective=wanted,
        status=status,
        import_kw=_number(plan.import_kw),
        export_kw=_number(plan.export_kw),
        peak_import_before_kw=_number(plan.peak_import_before_kw),
        peak_import_after_kw=_number(plan.peak_import_after_kw),
        pv_kwp=_number(plan.pv_kwp),
        battery_energy_kwh=_number(plan.battery_energy_kwh),
        battery_power_kw=_number(plan.battery_power_kw),
        annual_cost_eur=_number(plan.annual_cost_eur),
        method=plan.method or None,
        reason=plan.reason,
        seconds=time.perf_counter() - start,
        cpu_seconds=time.process_time() - cpu,
    )


RowCallback = Callable[[SiteRow], None]


def plan_fleet_sequential(
    fleet: Fleet,
    planner: Planner,
    *,
    objective: Objective | None = None,
    progress: RowCallback | None = None,
) -> FleetResult:
    """Plan every site in this process, one after the other (the reference for Dask runs)."""
    start = time.perf_counter()
    rows = []
    for entry in fleet.entries:
        row = plan_entry(entry, planner, objective)
        rows.append(row)
        if progress is not None:
            progress(row)
    return FleetResult(
        fleet, tuple(rows), objective, "sequential", 1, 1, time.perf_counter() - start
    )


def plan_fleet(
    fleet: Fleet,
    planner: Planner,
    *,
    objective: Objective | None = None,
    scheduler: str | None = None,
    client: Client | None = None,
    progress: RowCallback | None = None,
) -> FleetResult:
    """Plan every site of ``fleet`` on Dask, one task per site.

    Parameters
    ----------
    fleet
        From :func:`netruimte.scale.fleet_input.load_fleet`.
    planner
        Plans one site (picklable; the CLI passes ``netruimte.sites.plan_file.plan_site``).
    objective
        Overrides every site's own objective when given.
    scheduler
        ``tcp://HOST:PORT`` of a running scheduler; ``None``: an in-process local cluster for
        this call (2 worker processes). Ignored when ``client`` is given.
    client
        An open client to use (and leave open).
    progress
        Called once per site, in order of completion, with its row.

    Returns
    -------
    FleetResult
        Rows in fleet order, exactly one per site.
    """
    if client is None:
        with dask_client(scheduler) as own:
            return plan_fleet(fleet, planner, objective=objective, client=own, progress=progress)
    start = time.perf_counter()
    info = client.scheduler_info()
    workers = info.get("workers", {})
    threads = sum(int(w.get("nthreads", 1)) for w in workers.values())
    run = uuid.uuid4().hex[:8]
    keys = [f"fleet-{run}-{entry.position}" for entry in fleet.entries]
    futures = client.map(
        plan_entry, fleet.entries, planner=planner, objective=objective, key=keys, pure=False
    )
    by_key = {key: entry for key, entry in zip(keys, fleet.entries, strict=True)}
    rows: dict[int, SiteRow] = {}
    try:
        for future in completed(futures):
            entry = by_key[future.key]
            if future.status == "error":  # e.g. the site crashed workers until Dask gave up
                exc = future.exception()
                row = SiteRow(
                    entry.position, entry.name, entry.source,
                    objective.value if objective is not None else None, SiteStatus.ERROR,
                    error=f"the task failed on the cluster: {type(exc).__name__}: {exc}",
                )  # fmt: skip
            else:
                row = future.result()
            if row.position in rows:  # as_completed yields each future once; never hide it
                raise RuntimeError(f"site {entry.name!r} came back twice")
            rows[row.position] = row
            if progress is not None:
                progress(row)
    finally:
        cancel(client, futures)
    missing = [e.name for e in fleet.entries if e.position not in rows]
    if missing:
        raise RuntimeError(f"{len(missing)} sites did not come back, e.g. {missing[0]!r}")
    ordered = tuple(rows[e.position] for e in fleet.entries)
    address = str(client.scheduler.address) if client.scheduler is not None else "unknown"
    if getattr(client, "cluster", None) is not None:  # a cluster this process started
        address = f"local cluster {address}"
    return FleetResult(
        fleet, ordered, objective, address, len(workers), threads, time.perf_counter() - start
    )


def write_results(result: FleetResult, out: str | Path) -> tuple[Path, Path]:
    """Write ``results.parquet`` (one row per site) and ``summary.json`` into ``out``.

    Both are written to a temporary name first and renamed, so a reader never sees half a file.
    """
    import json

    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise InputError("expected a folder for the results, got a file", source=folder)
    folder.mkdir(parents=True, exist_ok=True)
    columns: dict[str, list[Any]] = {name: [] for name in _SCHEMA.names}
    for row in result.rows:
        for name, value in asdict(row).items():
            columns[name].append(value.value if isinstance(value, StrEnum) else value)
    table = pa.Table.from_pydict(columns, schema=_SCHEMA)
    results = folder / RESULTS_FILE
    summary = folder / SUMMARY_FILE
    with atomic_path(results) as partial:
        pq.write_table(table, partial)
    write_atomic(summary, json.dumps(result.summary(), indent=2, allow_nan=False) + "\n")
    return results, summary


def read_results(path: str | Path) -> list[SiteRow]:
    """Read ``results.parquet`` back into rows (in file order)."""
    table = pq.read_table(Path(path))
    if table.schema.names != _SCHEMA.names:
        raise InputError(
            f"expected the columns {', '.join(_SCHEMA.names)}, got {', '.join(table.schema.names)}",
            source=path,
        )
    rows = []
    for record in table.to_pylist():
        record["status"] = SiteStatus(record["status"])
        rows.append(SiteRow(**record))
    return rows
